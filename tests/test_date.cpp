// Unit tests for common/date.{hpp,cpp}: ISO 8601 parsing/formatting, partial dates used in
// filters, relative ages and the civil-date helpers.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "date.hpp"

using news::civil_from_days;
using news::days_from_civil;
using news::format_iso8601;
using news::parse_iso8601;
using news::parse_partial_date;
using news::parse_relative_age;

namespace {

// Reference epoch seconds below were taken from `date -u -d <iso> +%s`.
constexpr int64_t k20210201_213700 = 1612215420;  // 2021-02-01T21:37:00Z
constexpr int64_t k20210827_143800 = 1630075080;  // 2021-08-27T14:38:00Z
constexpr int64_t k19000101 = -2208988800;        // 1900-01-01T00:00:00Z
constexpr int64_t k20000229_1200 = 951825600;     // 2000-02-29T12:00:00Z
constexpr int64_t k99991231_235959 = 253402300799;
constexpr int64_t k00010101 = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kDay = 86400;

}  // namespace

// ---- parse_iso8601: accepted forms ----------------------------------------------------------

TEST(ParseIso8601, UtcWithZ) {
    EXPECT_EQ(parse_iso8601("2021-02-01T21:37:00Z"), k20210201_213700);
    EXPECT_EQ(parse_iso8601("2021-02-01t21:37:00z"), k20210201_213700);  // lower-case T/Z
    EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(parse_iso8601("1970-01-01T00:00:01Z"), 1);
}

TEST(ParseIso8601, NoOffsetMeansUtc) {
    EXPECT_EQ(parse_iso8601("2021-02-01T21:37:00"), k20210201_213700);
}

TEST(ParseIso8601, SpaceSeparatorAndNoSeconds) {
    EXPECT_EQ(parse_iso8601("2021-02-01 21:37:00"), k20210201_213700);
    EXPECT_EQ(parse_iso8601("2021-02-01T21:37"), k20210201_213700);
    EXPECT_EQ(parse_iso8601("2021-02-01T21:37Z"), k20210201_213700);
}

TEST(ParseIso8601, Offsets) {
    // The example from the issue: 07:38 at -07:00 is 14:38 UTC.
    EXPECT_EQ(parse_iso8601("2021-08-27T07:38:00-07:00"), k20210827_143800);
    EXPECT_EQ(parse_iso8601("2021-08-27T07:38:00-0700"), k20210827_143800);
    EXPECT_EQ(parse_iso8601("2021-08-27T07:38:00-07"), k20210827_143800);
    EXPECT_EQ(parse_iso8601("2021-08-27T20:08:00+05:30"), k20210827_143800);
    EXPECT_EQ(parse_iso8601("2021-08-27T20:08:00+0530"), k20210827_143800);
    EXPECT_EQ(parse_iso8601("2021-08-27T14:38:00+00:00"), k20210827_143800);
    EXPECT_EQ(parse_iso8601("2021-08-27T14:38:00-00:00"), k20210827_143800);
    // An offset that crosses midnight backwards into the previous day (and month).
    EXPECT_EQ(parse_iso8601("2021-09-01T01:00:00+02:00"), parse_iso8601("2021-08-31T23:00:00Z"));
    // ... and forwards across a year boundary.
    EXPECT_EQ(parse_iso8601("2020-12-31T23:30:00-01:00"), parse_iso8601("2021-01-01T00:30:00Z"));
    // Offset without seconds in the time.
    EXPECT_EQ(parse_iso8601("2021-08-27T07:38-07:00"), k20210827_143800);
}

TEST(ParseIso8601, FractionsAreTruncated) {
    EXPECT_EQ(parse_iso8601("2021-02-01T21:37:00.0Z"), k20210201_213700);
    EXPECT_EQ(parse_iso8601("2021-02-01T21:37:00.999Z"), k20210201_213700);
    EXPECT_EQ(parse_iso8601("2021-02-01T21:37:00.123456789Z"), k20210201_213700);
    EXPECT_EQ(parse_iso8601("2021-02-01T21:37:00,5Z"), k20210201_213700);
    EXPECT_EQ(parse_iso8601("2021-02-01T21:37:00.5"), k20210201_213700);
    EXPECT_EQ(parse_iso8601("2021-08-27T07:38:00.750-07:00"), k20210827_143800);
}

TEST(ParseIso8601, DateOnlyIsMidnightUtc) {
    EXPECT_EQ(parse_iso8601("2021-02-01"), k20210201_213700 - (21 * 3600 + 37 * 60));
    EXPECT_EQ(parse_iso8601("1970-01-01"), 0);
    EXPECT_EQ(parse_iso8601("1900-01-01"), k19000101);
}

TEST(ParseIso8601, LeapSecondIsAccepted) {
    // Documented: second 60 is allowed (a leap second) and lands on the next minute.
    EXPECT_EQ(parse_iso8601("2016-12-31T23:59:60Z"), parse_iso8601("2017-01-01T00:00:00Z"));
}

TEST(ParseIso8601, ExtremeYears) {
    EXPECT_EQ(parse_iso8601("9999-12-31T23:59:59Z"), k99991231_235959);
    EXPECT_EQ(parse_iso8601("0001-01-01T00:00:00Z"), k00010101);
}

// ---- parse_iso8601: rejected forms ----------------------------------------------------------

TEST(ParseIso8601, ImpossibleCalendarDates) {
    EXPECT_EQ(parse_iso8601("2021-02-30"), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-02-29"), std::nullopt);  // not a leap year
    EXPECT_EQ(parse_iso8601("2021-04-31"), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-13-01"), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-00-10"), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-01-00"), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-01-32"), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-02-30T10:00:00Z"), std::nullopt);
}

TEST(ParseIso8601, OutOfRangeTimes) {
    EXPECT_EQ(parse_iso8601("2021-02-01T25:00:00Z"), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-02-01T24:00:00Z"), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-02-01T23:60:00Z"), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-02-01T23:59:61Z"), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-02-01T10:00:00+24:00"), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-02-01T10:00:00+05:60"), std::nullopt);
}

TEST(ParseIso8601, Garbage) {
    for (const char* s : {"",
                          "garbage",
                          "2021",
                          "2021-02",
                          "21-02-01",
                          "2021-2-1",
                          "2021/02/01",
                          "2021-02-1",
                          "02-01-2021",
                          "Feb 1 2021",
                          "2021-02-01T",
                          "2021-02-01T2",
                          "2021-02-01T21",
                          "2021-02-01T21:3",
                          "2021-02-01T21:37:0",
                          "2021-02-01T21:37:00.",
                          "2021-02-01T21:37:00.Z",
                          "2021-02-01X21:37:00",
                          "2021-02-01T21-37-00",
                          "2021-02-01T21:37:00+",
                          "2021-02-01T21:37:00+5",
                          "2021-02-01T21:37:00+05:3",
                          "2021-02-01T21:37:00 UTC",
                          "2021-02-01T21:37:00ZZ",
                          "-2021-02-01",
                          "2021-ab-01",
                          "abcd-02-01",
                          "２０２１-02-01"}) {
        EXPECT_EQ(parse_iso8601(s), std::nullopt) << "input: '" << s << "'";
    }
}

TEST(ParseIso8601, TrailingOrLeadingJunk) {
    EXPECT_EQ(parse_iso8601("2021-02-01T21:37:00Zjunk"), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-02-01T21:37:00Z "), std::nullopt);
    EXPECT_EQ(parse_iso8601(" 2021-02-01T21:37:00Z"), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-02-01junk"), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-02-01 "), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-02-01T21:37:00-07:00x"), std::nullopt);
    EXPECT_EQ(parse_iso8601("2021-02-01T21:37:00.5x"), std::nullopt);
    EXPECT_EQ(parse_iso8601(std::string("2021-02-01\0", 11)), std::nullopt);
}

TEST(ParseIso8601, OffsetWithDanglingColon) {
    // "+05:" (an offset with a colon but no minutes) is none of the documented forms ±HH:MM,
    // ±HHMM and ±HH, so it is rejected rather than read as +05:00.
    EXPECT_EQ(parse_iso8601("2021-08-27T19:38:00+05:"), std::nullopt);
}

// ---- leap years -----------------------------------------------------------------------------

TEST(ParseIso8601, LeapYears) {
    EXPECT_TRUE(parse_iso8601("2020-02-29").has_value());  // divisible by 4
    EXPECT_TRUE(parse_iso8601("2000-02-29").has_value());  // divisible by 400
    EXPECT_TRUE(parse_iso8601("2400-02-29").has_value());
    EXPECT_TRUE(parse_iso8601("1600-02-29").has_value());
    EXPECT_FALSE(parse_iso8601("2021-02-29").has_value());
    EXPECT_FALSE(parse_iso8601("1900-02-29").has_value());  // divisible by 100, not 400
    EXPECT_FALSE(parse_iso8601("2100-02-29").has_value());
    EXPECT_FALSE(parse_iso8601("2020-02-30").has_value());
    EXPECT_EQ(parse_iso8601("2000-02-29T12:00:00Z"), k20000229_1200);
    // The day after Feb 29 is Mar 1.
    EXPECT_EQ(*parse_iso8601("2020-03-01") - *parse_iso8601("2020-02-29"), kDay);
    EXPECT_EQ(*parse_iso8601("2021-03-01") - *parse_iso8601("2021-02-28"), kDay);
    // Year lengths.
    EXPECT_EQ(*parse_iso8601("2021-01-01") - *parse_iso8601("2020-01-01"), 366 * kDay);
    EXPECT_EQ(*parse_iso8601("1901-01-01") - *parse_iso8601("1900-01-01"), 365 * kDay);
    EXPECT_EQ(*parse_iso8601("2001-01-01") - *parse_iso8601("2000-01-01"), 366 * kDay);
}

// ---- negative (pre-1970) times -------------------------------------------------------------

TEST(ParseIso8601, BeforeEpoch) {
    EXPECT_EQ(parse_iso8601("1969-12-31T23:59:59Z"), -1);
    EXPECT_EQ(parse_iso8601("1969-12-31"), -kDay);
    EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00+00:01"), -60);
    EXPECT_EQ(parse_iso8601("1900-01-01T00:00:00Z"), k19000101);
}

// ---- format_iso8601 ------------------------------------------------------------------------

TEST(FormatIso8601, KnownValues) {
    EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_iso8601(k20210201_213700), "2021-02-01T21:37:00Z");
    EXPECT_EQ(format_iso8601(k20210827_143800), "2021-08-27T14:38:00Z");
    EXPECT_EQ(format_iso8601(k20000229_1200), "2000-02-29T12:00:00Z");
    EXPECT_EQ(format_iso8601(k99991231_235959), "9999-12-31T23:59:59Z");
}

TEST(FormatIso8601, NegativeTimes) {
    EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59Z");
    EXPECT_EQ(format_iso8601(-kDay), "1969-12-31T00:00:00Z");
    EXPECT_EQ(format_iso8601(-kDay - 1), "1969-12-30T23:59:59Z");
    EXPECT_EQ(format_iso8601(-kDay + 1), "1969-12-31T00:00:01Z");
    EXPECT_EQ(format_iso8601(k19000101), "1900-01-01T00:00:00Z");
    EXPECT_EQ(format_iso8601(k00010101), "0001-01-01T00:00:00Z");
}

TEST(FormatIso8601, RoundTripsThroughParse) {
    // A spread of instants, including pre-1970 ones and ones that are not whole minutes.
    for (int64_t t = -5'000'000'000; t <= 10'000'000'000; t += 9'999'991) {
        const std::string s = format_iso8601(t);
        ASSERT_EQ(s.size(), 20u) << s;
        ASSERT_EQ(parse_iso8601(s), t) << s;
    }
    for (int64_t t = -3 * kDay; t <= 3 * kDay; t += 3599) {
        ASSERT_EQ(parse_iso8601(format_iso8601(t)), t) << t;
    }
    for (const char* s : {"2021-02-01T21:37:00Z", "2020-02-29T23:59:59Z", "1969-12-31T23:59:59Z",
                          "1904-02-29T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"}) {
        const auto t = parse_iso8601(s);
        ASSERT_TRUE(t.has_value()) << s;
        EXPECT_EQ(format_iso8601(*t), s);
    }
}

// ---- civil-date helpers --------------------------------------------------------------------

TEST(CivilDays, KnownDays) {
    EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
    EXPECT_EQ(days_from_civil(1970, 1, 2), 1);
    EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
    EXPECT_EQ(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28), 2);
    EXPECT_EQ(days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28), 1);
}

TEST(CivilDays, RoundTrip) {
    // Every day from 1600-01-01 to ~2500 maps back to itself and dates advance one at a time.
    const int64_t first = days_from_civil(1600, 1, 1);
    const int64_t last = days_from_civil(2500, 12, 31);
    int64_t py = 1599;
    unsigned pm = 12, pd = 31;
    for (int64_t z = first; z <= last; ++z) {
        int64_t y;
        unsigned m, d;
        civil_from_days(z, y, m, d);
        ASSERT_GE(m, 1u);
        ASSERT_LE(m, 12u);
        ASSERT_GE(d, 1u);
        ASSERT_LE(d, 31u);
        ASSERT_EQ(days_from_civil(y, m, d), z) << y << "-" << m << "-" << d;
        // The next day: same month d+1, or the 1st of the next month/year.
        const bool next_day = (y == py && m == pm && d == pd + 1) ||
                              (y == py && m == pm + 1 && d == 1) ||
                              (y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31);
        ASSERT_TRUE(next_day) << py << "-" << pm << "-" << pd << " -> " << y << "-" << m << "-"
                              << d;
        py = y;
        pm = m;
        pd = d;
    }
}

// ---- parse_partial_date --------------------------------------------------------------------

TEST(ParsePartialDate, Year) {
    EXPECT_EQ(parse_partial_date("2021", false), parse_iso8601("2021-01-01T00:00:00Z"));
    EXPECT_EQ(parse_partial_date("2021", true), parse_iso8601("2021-12-31T23:59:59Z"));
    EXPECT_EQ(parse_partial_date("2020", true), parse_iso8601("2020-12-31T23:59:59Z"));
    EXPECT_EQ(parse_partial_date("1969", true), -1);
    EXPECT_EQ(parse_partial_date("1970", false), 0);
}

TEST(ParsePartialDate, Month) {
    EXPECT_EQ(parse_partial_date("2021-02", false), parse_iso8601("2021-02-01T00:00:00Z"));
    EXPECT_EQ(parse_partial_date("2021-02", true), parse_iso8601("2021-02-28T23:59:59Z"));
    EXPECT_EQ(parse_partial_date("2020-02", true), parse_iso8601("2020-02-29T23:59:59Z"));
    EXPECT_EQ(parse_partial_date("2000-02", true), parse_iso8601("2000-02-29T23:59:59Z"));
    EXPECT_EQ(parse_partial_date("1900-02", true), parse_iso8601("1900-02-28T23:59:59Z"));
    EXPECT_EQ(parse_partial_date("2021-04", true), parse_iso8601("2021-04-30T23:59:59Z"));
    EXPECT_EQ(parse_partial_date("2021-12", true), parse_iso8601("2021-12-31T23:59:59Z"));
    EXPECT_EQ(parse_partial_date("2021-01", false), parse_iso8601("2021-01-01T00:00:00Z"));
}

TEST(ParsePartialDate, Day) {
    EXPECT_EQ(parse_partial_date("2021-02-03", false), parse_iso8601("2021-02-03T00:00:00Z"));
    EXPECT_EQ(parse_partial_date("2021-02-03", true), parse_iso8601("2021-02-03T23:59:59Z"));
    EXPECT_EQ(parse_partial_date("2020-02-29", true), parse_iso8601("2020-02-29T23:59:59Z"));
    EXPECT_EQ(parse_partial_date("2021-12-31", true), parse_iso8601("2021-12-31T23:59:59Z"));
}

TEST(ParsePartialDate, FullDatetimeIsExact) {
    for (bool up : {false, true}) {
        EXPECT_EQ(parse_partial_date("2021-02-01T21:37:00Z", up), k20210201_213700);
        EXPECT_EQ(parse_partial_date("2021-08-27T07:38:00-07:00", up), k20210827_143800);
    }
}

TEST(ParsePartialDate, Invalid) {
    for (bool up : {false, true}) {
        for (const char* s :
             {"", "202", "20211", "2021-13", "2021-00", "2021-1", "2021-", "20x1", "2021-02-30",
              "2021-02-3", "abcd", "2021-ab", "2021/02", "2021-02-01T25:00:00Z"}) {
            EXPECT_EQ(parse_partial_date(s, up), std::nullopt)
                << "input: '" << s << "' round_up=" << up;
        }
    }
}

TEST(ParsePartialDate, RangeEndsAreOrdered) {
    // [start, end] of a period: end is the second before the next period starts.
    EXPECT_EQ(*parse_partial_date("2021", true) + 1, *parse_partial_date("2022", false));
    EXPECT_EQ(*parse_partial_date("2021-02", true) + 1, *parse_partial_date("2021-03", false));
    EXPECT_EQ(*parse_partial_date("2021-12", true) + 1, *parse_partial_date("2022-01", false));
    EXPECT_EQ(*parse_partial_date("2021-02-28", true) + 1,
              *parse_partial_date("2021-03-01", false));
}

// ---- parse_relative_age --------------------------------------------------------------------

TEST(ParseRelativeAge, Units) {
    EXPECT_EQ(parse_relative_age("90s"), 90);
    EXPECT_EQ(parse_relative_age("30m"), 30 * 60);
    EXPECT_EQ(parse_relative_age("12h"), 12 * 3600);
    EXPECT_EQ(parse_relative_age("7d"), 7 * kDay);
    EXPECT_EQ(parse_relative_age("2w"), 14 * kDay);
    EXPECT_EQ(parse_relative_age("1y"), 365 * kDay);
    EXPECT_EQ(parse_relative_age("0d"), 0);
    EXPECT_EQ(parse_relative_age("365d"), 365 * kDay);
    EXPECT_EQ(parse_relative_age("007d"), 7 * kDay);
}

TEST(ParseRelativeAge, Invalid) {
    for (const char* s : {"", "d", "7", "7x", "-7d", "+7d", "7 d", " 7d", "7d ", "1.5d", "abc",
                          "7dd", "d7", "7D?", "1e3s"}) {
        EXPECT_EQ(parse_relative_age(s), std::nullopt) << "input: '" << s << "'";
    }
}

TEST(ParseRelativeAge, LargeValuesDoNotOverflow) {
    // The longest accepted input still fits in int64 after multiplying by the unit.
    const auto v = parse_relative_age("99999999999y");
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(*v, int64_t{99999999999} * 365 * kDay);
    EXPECT_GT(*v, 0);
    // Something absurdly long is refused rather than wrapped around.
    EXPECT_EQ(parse_relative_age("99999999999999999999999d"), std::nullopt);
}

TEST(DayKeys, RoundTripAndRejects) {
    const int64_t t = *news::parse_iso8601("2021-02-01T21:37:00Z");
    EXPECT_EQ(news::day_key(t), "20210201");
    EXPECT_EQ(news::hour_key(t), "2021020121");
    EXPECT_EQ(news::day_key(-1), "19691231");  // floor, not truncation
    EXPECT_EQ(news::hour_key(-1), "1969123123");
    EXPECT_EQ(news::day_from_key("20210201"), news::epoch_day(t));
    EXPECT_EQ(news::day_from_key("19700101"), 0);
    EXPECT_FALSE(news::day_from_key("20210230"));
    EXPECT_FALSE(news::day_from_key("2021020"));
    EXPECT_FALSE(news::day_from_key("2021-2-01"));
    EXPECT_FALSE(news::day_from_key(""));
}
