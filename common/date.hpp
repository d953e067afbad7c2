// Dates: ISO 8601 parsing and formatting, always in UTC seconds since the epoch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace news {

// Parses `YYYY-MM-DD`, optionally followed by `T` (or a space) and `HH:MM[:SS[.fraction]]`,
// optionally followed by `Z` or an offset `±HH:MM` / `±HHMM` / `±HH`. No offset means UTC.
// Fractions are truncated to whole seconds. Returns nullopt for anything else, including
// impossible calendar dates (2021-02-30) and out-of-range fields.
std::optional<int64_t> parse_iso8601(std::string_view s);

// A possibly partial date used in filters: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or a full datetime.
// `round_up` selects the last second of the period instead of the first (inclusive ranges).
std::optional<int64_t> parse_partial_date(std::string_view s, bool round_up);

// A relative age such as `7d`, `12h`, `30m`, `2w`, `90s`: returns its length in seconds.
std::optional<int64_t> parse_relative_age(std::string_view s);

// `2021-02-01T21:37:00Z`.
std::string format_iso8601(int64_t t);

// Days since the epoch of the UTC day holding `t` (floor division), and that day as `YYYYMMDD`
// (the `pubday` value; sorts like the day itself for years 0..9999).
int64_t epoch_day(int64_t t);
std::string day_key(int64_t t);
std::string hour_key(int64_t t);  // `YYYYMMDDHH`
// The inverse of day_key: days since the epoch, or nullopt for anything else.
std::optional<int64_t> day_from_key(std::string_view key);

int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d);

}  // namespace news
