// Dates (date.hpp): ISO 8601 and partial-date parsing, relative ages, formatting and the
// day/hour keys, all in UTC seconds since the epoch, on civil-date arithmetic.
#include "date.hpp"

#include <cstdio>

namespace news {

// Howard Hinnant's civil-date algorithms (public domain).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

namespace {

bool is_leap(int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int64_t y, unsigned m) {
    static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at s[pos]; advances pos.
bool digits(std::string_view s, std::size_t& pos, int n, int& out) {
    if (pos + static_cast<std::size_t>(n) > s.size()) return false;
    int v = 0;
    for (int i = 0; i < n; ++i) {
        const char c = s[pos + static_cast<std::size_t>(i)];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    pos += static_cast<std::size_t>(n);
    out = v;
    return true;
}

}  // namespace

std::optional<int64_t> parse_iso8601(std::string_view s) {
    std::size_t p = 0;
    int y = 0, mo = 0, d = 0;
    if (!digits(s, p, 4, y) || p >= s.size() || s[p++] != '-' || !digits(s, p, 2, mo) ||
        p >= s.size() || s[p++] != '-' || !digits(s, p, 2, d)) {
        return std::nullopt;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > static_cast<int>(days_in_month(y, mo))) {
        return std::nullopt;
    }
    int h = 0, mi = 0, sec = 0;
    int64_t offset = 0;
    if (p < s.size()) {
        if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return std::nullopt;
        ++p;
        if (!digits(s, p, 2, h) || p >= s.size() || s[p++] != ':' || !digits(s, p, 2, mi)) {
            return std::nullopt;
        }
        if (p < s.size() && s[p] == ':') {
            ++p;
            if (!digits(s, p, 2, sec)) return std::nullopt;
            if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
                ++p;
                const std::size_t start = p;
                while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
                if (p == start) return std::nullopt;
            }
        }
        if (h > 23 || mi > 59 || sec > 60) return std::nullopt;  // 60: a leap second
        if (p < s.size()) {
            if (s[p] == 'Z' || s[p] == 'z') {
                ++p;
            } else if (s[p] == '+' || s[p] == '-') {
                const int sign = s[p] == '-' ? -1 : 1;
                ++p;
                int oh = 0, om = 0;
                if (!digits(s, p, 2, oh)) return std::nullopt;
                if (p < s.size() && s[p] == ':') {
                    ++p;
                    if (!digits(s, p, 2, om)) return std::nullopt;  // "+05:" is not an offset
                } else if (p < s.size() && !digits(s, p, 2, om)) {
                    return std::nullopt;
                }
                if (oh > 23 || om > 59) return std::nullopt;
                offset = sign * (oh * 3600 + om * 60);
            } else {
                return std::nullopt;
            }
        }
        if (p != s.size()) return std::nullopt;
    }
    return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
           h * 3600 + mi * 60 + sec - offset;
}

std::optional<int64_t> parse_partial_date(std::string_view s, bool round_up) {
    std::size_t p = 0;
    int y = 0, mo = 0;
    if (s.size() == 4 && digits(s, p, 4, y)) {
        return round_up ? days_from_civil(y + 1, 1, 1) * 86400 - 1
                        : days_from_civil(y, 1, 1) * 86400;
    }
    p = 0;
    if (s.size() == 7 && digits(s, p, 4, y) && s[p++] == '-' && digits(s, p, 2, mo) && mo >= 1 &&
        mo <= 12) {
        const int64_t start = days_from_civil(y, static_cast<unsigned>(mo), 1) * 86400;
        return round_up ? start + days_in_month(y, static_cast<unsigned>(mo)) * 86400LL - 1 : start;
    }
    auto t = parse_iso8601(s);
    if (t && s.size() == 10 && round_up) *t += 86400 - 1;
    return t;
}

std::optional<int64_t> parse_relative_age(std::string_view s) {
    if (s.size() < 2 || s.size() > 12) return std::nullopt;
    int64_t n = 0;
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
        n = n * 10 + (s[i] - '0');
    }
    switch (s.back()) {
        case 's':
            return n;
        case 'm':
            return n * 60;
        case 'h':
            return n * 3600;
        case 'd':
            return n * 86400;
        case 'w':
            return n * 7 * 86400;
        case 'y':
            return n * 365 * 86400;
        default:
            return std::nullopt;
    }
}

std::string format_iso8601(int64_t t) {
    int64_t days = t / 86400;
    int64_t rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    int64_t y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                  static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                  static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
    return buf;
}

int64_t epoch_day(int64_t t) {
    int64_t days = t / 86400;
    if (t % 86400 < 0) --days;
    return days;
}

std::string day_key(int64_t t) {
    int64_t y;
    unsigned m, d;
    civil_from_days(epoch_day(t), y, m, d);
    if (y < 0 || y > 9999) {  // not a key the index holds (day_from_key rejects it)
        char buf[32];
        std::snprintf(buf, sizeof buf, "%04lld%02u%02u", static_cast<long long>(y), m, d);
        return buf;
    }
    // Digits by hand: the recency prior makes hundreds of keys per query, and snprintf was
    // most of that cost.
    const auto yy = static_cast<unsigned>(y);
    const char buf[8] = {
        static_cast<char>('0' + yy / 1000),    static_cast<char>('0' + yy / 100 % 10),
        static_cast<char>('0' + yy / 10 % 10), static_cast<char>('0' + yy % 10),
        static_cast<char>('0' + m / 10),       static_cast<char>('0' + m % 10),
        static_cast<char>('0' + d / 10),       static_cast<char>('0' + d % 10)};
    return std::string(buf, sizeof buf);
}

std::string hour_key(int64_t t) {
    const auto hour = static_cast<unsigned>((t - epoch_day(t) * 86400) / 3600);
    std::string key = day_key(t);
    key += static_cast<char>('0' + hour / 10);
    key += static_cast<char>('0' + hour % 10);
    return key;
}

std::optional<int64_t> day_from_key(std::string_view key) {
    if (key.size() != 8) return std::nullopt;
    int v[8];
    for (std::size_t i = 0; i < 8; ++i) {
        if (key[i] < '0' || key[i] > '9') return std::nullopt;
        v[i] = key[i] - '0';
    }
    const int64_t y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
    const unsigned m = static_cast<unsigned>(v[4] * 10 + v[5]);
    const unsigned d = static_cast<unsigned>(v[6] * 10 + v[7]);
    if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
    const int64_t z = days_from_civil(y, m, d);
    int64_t yy;
    unsigned mm, dd;
    civil_from_days(z, yy, mm, dd);
    if (yy != y || mm != m || dd != d) return std::nullopt;  // 2021-02-30
    return z;
}

}  // namespace news
