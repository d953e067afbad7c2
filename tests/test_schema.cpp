// Unit tests for common/schema.{hpp,cpp}: term construction (length limit, Omega ':' rule),
// boolean-term normalisation per field and the consistency of kFields.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "schema.hpp"
#include "text.hpp"

using news::bool_term;
using news::field;
using news::FieldKind;
using news::kFields;
using news::kMaxTermBytes;
using news::make_term;

namespace {

bool starts_with(const std::string& s, std::string_view p) {
    return s.rfind(p, 0) == 0;
}

}  // namespace

// ---- make_term -----------------------------------------------------------------------------

TEST(PriorKey, RoundTripsTimeAndQuality) {
    const std::vector<std::optional<int64_t>> times{std::nullopt,
                                                    0,
                                                    1,
                                                    -1,
                                                    1600000000,
                                                    -62167219200,
                                                    int64_t{253402300799},
                                                    std::numeric_limits<int64_t>::min(),
                                                    std::numeric_limits<int64_t>::max()};
    const std::vector<std::optional<double>> qualities{std::nullopt, 0.0,    37.5,  -12.0,
                                                       100.0,        250.25, 1e300, -0.001};
    for (const auto& t : times) {
        for (const auto& q : qualities) {
            const std::string key = news::prior_key(t, q);
            news::PriorKey got;
            ASSERT_TRUE(news::parse_prior_key(key, got));
            EXPECT_EQ(got.published, t);
            EXPECT_EQ(got.quality, q);
            if (q) {
                EXPECT_EQ(std::signbit(*got.quality), std::signbit(*q));
            }
            if (q && std::abs(*q) < 1000 && std::floor(*q * 4) == *q * 4) {
                EXPECT_LE(key.size(), 13u) << "a short value: no allocation to read it";
            }
        }
    }
    news::PriorKey k;
    EXPECT_FALSE(news::parse_prior_key("", k));
    EXPECT_FALSE(news::parse_prior_key(std::string(1, '\x07'), k));
    EXPECT_FALSE(news::parse_prior_key(std::string(1, '\x01') + "abc", k));  // a cut time
    EXPECT_FALSE(news::parse_prior_key(std::string(1, '\x00') + "x", k));    // trailing bytes
    EXPECT_FALSE(news::parse_prior_key(std::string(1, '\x02'), k));  // an 8-byte time missing
    EXPECT_FALSE(news::parse_prior_key(std::string(1, '\x03') + std::string(8, 'x'), k));
    EXPECT_FALSE(news::parse_prior_key(std::string(1, '\x10'), k));
    // The usual article: a date in years 0..9999 and a whole-number quality, in 8 bytes.
    EXPECT_EQ(news::prior_key(1600000000, 37.0).size(), 8u);
    EXPECT_EQ(news::prior_key(-62167219200, 100.0).size(), 8u);
    // A quality a float cannot hold exactly keeps every bit.
    ASSERT_TRUE(news::parse_prior_key(news::prior_key(std::nullopt, 0.1), k));
    EXPECT_EQ(k.quality, 0.1);
}

TEST(MakeTerm, ShortValuesUnchanged) {
    EXPECT_EQ(make_term("K", "ai"), "Kai");
    EXPECT_EQ(make_term("Q", "https://www.coindesk.com/street-cameras-arrest-protesters-moscow"),
              "Qhttps://www.coindesk.com/street-cameras-arrest-protesters-moscow");
    EXPECT_EQ(make_term("XP", "coindesk"), "XPcoindesk");
    EXPECT_EQ(make_term("", "word"), "word");
    EXPECT_EQ(make_term("K", ""), "K");
    EXPECT_EQ(make_term("K", "日本語"), "K日本語");
    EXPECT_EQ(make_term("Y", "2021"), "Y2021");
}

TEST(MakeTerm, OmegaColonForCapitalisedValues) {
    EXPECT_EQ(make_term("K", "AI"), "K:AI");
    EXPECT_EQ(make_term("XP", "Reuters"), "XP:Reuters");
    EXPECT_EQ(make_term("Q", "Posts/A.md"), "Q:Posts/A.md");
    EXPECT_EQ(make_term("K", "Z"), "K:Z");
    // Only an ASCII capital triggers it; lower-case, digits, punctuation and non-ASCII do not.
    EXPECT_EQ(make_term("K", "aI"), "KaI");
    EXPECT_EQ(make_term("K", "1A"), "K1A");
    EXPECT_EQ(make_term("K", ":x"), "K:x");
    EXPECT_EQ(make_term("K", "\xC3\x84rger"), "K\xC3\x84rger");  // Ärger
    // No prefix, no colon.
    EXPECT_EQ(make_term("", "Word"), "Word");
    // The ':' keeps "K" + "Ai" distinct from a hypothetical "KA" prefix + "i".
    EXPECT_NE(make_term("K", "Ai"), make_term("KA", "i"));
}

TEST(MakeTerm, ExactlyAtTheLimitIsUnchanged) {
    const std::string v239(kMaxTermBytes - 1, 'a');
    EXPECT_EQ(make_term("K", v239), "K" + v239);
    EXPECT_EQ(make_term("K", v239).size(), kMaxTermBytes);
    const std::string v240(kMaxTermBytes, 'a');
    const std::string t = make_term("K", v240);
    EXPECT_LE(t.size(), kMaxTermBytes);
    EXPECT_NE(t, "K" + v240);
    // With the ':' the budget is one byte smaller.
    const std::string cap238 = "A" + std::string(kMaxTermBytes - 3, 'a');
    EXPECT_EQ(make_term("K", cap238), "K:" + cap238);
    const std::string cap239 = "A" + std::string(kMaxTermBytes - 2, 'a');
    EXPECT_LE(make_term("K", cap239).size(), kMaxTermBytes);
    EXPECT_NE(make_term("K", cap239), "K:" + cap239);
}

TEST(MakeTerm, LongValuesAreCappedAndKeepTheirStart) {
    for (const std::string prefix : {"", "K", "Q", "XP", "XR"}) {
        for (std::size_t n : {241u, 300u, 1000u, 10000u}) {
            const std::string v = "https://example.com/" + std::string(n, 'p');
            const std::string t = make_term(prefix, v);
            EXPECT_LE(t.size(), kMaxTermBytes) << prefix << " " << n;
            EXPECT_TRUE(starts_with(t, prefix + "https://example.com/ppp")) << t;
            EXPECT_EQ(make_term(prefix, v), t);  // deterministic
        }
    }
}

TEST(MakeTerm, LongValuesWithCommonStartDiffer) {
    const std::string common(300, 'c');
    const std::string a = make_term("U", common + "/ending-one");
    const std::string b = make_term("U", common + "/ending-two");
    const std::string c = make_term("U", common);
    EXPECT_LE(a.size(), kMaxTermBytes);
    EXPECT_LE(b.size(), kMaxTermBytes);
    EXPECT_NE(a, b);
    EXPECT_NE(a, c);
    EXPECT_NE(b, c);
    // Many values differing only in their last byte all get distinct terms.
    std::set<std::string> terms;
    for (int i = 0; i < 256; ++i) terms.insert(make_term("Q", common + static_cast<char>(i)));
    EXPECT_EQ(terms.size(), 256u);
    // A long value differing only far past the cut.
    EXPECT_NE(make_term("K", std::string(5000, 'x') + "1"),
              make_term("K", std::string(5000, 'x') + "2"));
}

TEST(MakeTerm, LongValueNeverEqualsAShortOne) {
    // The capped form of a long value must not coincide with the plain term of its own start.
    const std::string v(500, 'z');
    const std::string t = make_term("K", v);
    for (std::size_t n = 1; n < kMaxTermBytes; ++n) {
        ASSERT_NE(make_term("K", std::string(n, 'z')), t) << n;
    }
}

TEST(MakeTerm, MultiByteValuesAreCutAtCharacterBoundaries) {
    const std::vector<std::string> chars = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x9A\x80", "a",
                                            "日"};
    for (const std::string prefix : {"", "K", "XP", "Q"}) {
        for (const auto& ch : chars) {
            for (const bool capital : {false, true}) {
                for (std::size_t total = 200; total <= 320; ++total) {
                    std::string v = capital ? "A" : "";
                    while (v.size() < total) v += ch;
                    const std::string t = make_term(prefix, v);
                    ASSERT_LE(t.size(), kMaxTermBytes) << prefix << " len=" << v.size();
                    ASSERT_TRUE(news::is_valid_utf8(t))
                        << "cut a character: prefix=" << prefix << " len=" << v.size();
                    ASSERT_TRUE(starts_with(t, prefix)) << t;
                }
            }
        }
    }
}

TEST(MakeTerm, RandomMixedUtf8) {
    std::mt19937 rng(4242);
    const std::vector<std::string> chars = {
        "a", "Z", " ", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x9A\x80", "/", "#"};
    std::uniform_int_distribution<std::size_t> pick(0, chars.size() - 1);
    std::uniform_int_distribution<int> len(1, 200);
    std::set<std::string> values, terms;
    for (int i = 0; i < 2000; ++i) {
        std::string v;
        const int n = len(rng);
        for (int k = 0; k < n; ++k) v += chars[pick(rng)];
        const std::string t = make_term("XR", v);
        ASSERT_LE(t.size(), kMaxTermBytes);
        ASSERT_TRUE(news::is_valid_utf8(t));
        if (values.insert(v).second) terms.insert(t);
    }
    EXPECT_EQ(values.size(), terms.size()) << "two different values produced the same term";
}

// ---- bool_term -----------------------------------------------------------------------------

TEST(BoolTerm, TopicsAreLowerCasedAndTrimmed) {
    EXPECT_EQ(bool_term("topic", "Computer Vision"), "Kcomputer vision");
    EXPECT_EQ(bool_term("topic", "  AI  "), "Kai");
    EXPECT_EQ(bool_term("topic", "AI"), bool_term("topic", "ai"));
    // Non-ASCII letters are kept as written (ASCII-only case folding).
    EXPECT_EQ(bool_term("topic", "Ärger"), "K\xC3\x84rger");
}

TEST(BoolTerm, TypesAndCategoriesAreLowerCased) {
    EXPECT_EQ(bool_term("type", "VIDEO"), "Tvideo");
    EXPECT_EQ(bool_term("type", "Article"), "Tarticle");
    EXPECT_EQ(bool_term("category", "News"), "XCnews");
    EXPECT_EQ(bool_term("provider", "Reuters"), "XPreuters");
    EXPECT_EQ(bool_term("flag", "Removed"), "XFremoved");
    EXPECT_EQ(bool_term("year", "2021"), "Y2021");
    EXPECT_EQ(bool_term("month", "202102"), "M202102");
    EXPECT_EQ(bool_term("day", "20210201"), "D20210201");
}

TEST(BoolTerm, DomainsLoseWww) {
    EXPECT_EQ(bool_term("domain", "coindesk.com"), "Hcoindesk.com");
    EXPECT_EQ(bool_term("domain", "www.coindesk.com"), "Hcoindesk.com");
    EXPECT_EQ(bool_term("domain", " WWW.CoinDesk.COM "), "Hcoindesk.com");
    EXPECT_EQ(bool_term("domain", "www2.example.com"), "Hwww2.example.com");
    EXPECT_EQ(bool_term("domain", "sub.www.example.com"), "Hsub.www.example.com");
}

TEST(BoolTerm, UrlsAreNormalised) {
    EXPECT_EQ(bool_term("url", "HTTPS://WWW.Example.COM:443/Path?Q=1#frag"),
              "Uhttps://www.example.com/Path?Q=1");
    EXPECT_EQ(bool_term("url", " https://example.com/a "), "Uhttps://example.com/a");
    EXPECT_EQ(bool_term("url", "https://example.com/a"),
              bool_term("url", "HTTPS://EXAMPLE.COM/a#x"));
}

TEST(BoolTerm, IdsAreKeptAsWritten) {
    // Ids are already normalised; relative paths are case-sensitive.
    EXPECT_EQ(bool_term("id", "posts/My-File.md"), "Qposts/My-File.md");
    EXPECT_EQ(bool_term("id", "Posts/a.md"), "Q:Posts/a.md");
    EXPECT_NE(bool_term("id", "Posts/a.md"), bool_term("id", "posts/a.md"));
    EXPECT_EQ(bool_term("id", "https://example.com/A"), "Qhttps://example.com/A");
}

TEST(BoolTerm, LinksHoldAHashOfTheId) {
    // schema.hpp: `links` terms are XR + 16 hex digits of hash64(id).
    const std::string id = "https://www.vice.com/en/article/4ad5k3/how-normal-people";
    const std::string t = bool_term("links", id);
    EXPECT_EQ(t, "XR" + news::hex64(news::hash64(id)));
    EXPECT_EQ(t.size(), 2u + 16u);
    EXPECT_EQ(bool_term("links", id), t);  // stable
    // The id is not normalised again: case and fragments matter, as for Q terms.
    EXPECT_NE(bool_term("links", "https://example.com/A"),
              bool_term("links", "https://example.com/a"));
    EXPECT_NE(bool_term("links", "posts/a.md"), bool_term("links", "posts/b.md"));
    // Even a huge id gives a short term.
    EXPECT_EQ(bool_term("links", std::string(5000, 'x')).size(), 18u);
    // No ':' is inserted: hex digits are lower-case.
    for (const char* s : {"A", "Z", "https://X.com/", ""}) {
        const std::string u = bool_term("links", s);
        EXPECT_EQ(u.size(), 18u) << s;
        EXPECT_EQ(u.find(':'), std::string::npos) << s;
    }
}

TEST(BoolTerm, LongValuesStayUnderTheLimit) {
    const std::string long_url = "https://example.com/" + std::string(400, 'x');
    for (const char* f : {"id", "url", "links", "topic", "provider", "domain", "category"}) {
        const std::string t = bool_term(f, long_url);
        EXPECT_LE(t.size(), kMaxTermBytes) << f;
        EXPECT_TRUE(starts_with(t, std::string(field(f).prefix))) << f;
    }
    EXPECT_NE(bool_term("url", long_url + "1"), bool_term("url", long_url + "2"));
}

TEST(BoolTerm, UnknownFieldThrows) {
    EXPECT_THROW(bool_term("no-such-field", "x"), std::logic_error);
    EXPECT_THROW(field("no-such-field"), std::logic_error);
    EXPECT_THROW(field(""), std::logic_error);
}

// ---- kFields -------------------------------------------------------------------------------

TEST(Fields, PrefixNamePairsAreUnique) {
    std::set<std::pair<std::string_view, std::string_view>> seen;
    std::set<std::string_view> names;
    for (const auto& f : kFields) {
        EXPECT_TRUE(seen.insert({f.prefix, f.name}).second) << f.name;
        // field() looks fields up by name, so names must be unique too.
        EXPECT_TRUE(names.insert(f.name).second) << "duplicate name " << f.name;
        EXPECT_FALSE(f.name.empty());
        EXPECT_FALSE(f.description.empty()) << f.name;
        EXPECT_EQ(&field(f.name), &f) << f.name;
    }
}

TEST(Fields, BooleanPrefixesAreUniqueAndNonEmpty) {
    std::set<std::string_view> prefixes;
    for (const auto& f : kFields) {
        if (f.kind != FieldKind::Boolean) continue;
        EXPECT_FALSE(f.prefix.empty()) << f.name;
        EXPECT_TRUE(prefixes.insert(f.prefix).second)
            << "prefix " << f.prefix << " reused by " << f.name;
    }
}

TEST(Fields, PrefixesFollowXapianConventions) {
    // Upper-case ASCII; multi-letter prefixes start with 'X' so they cannot be confused with a
    // single-letter prefix followed by a value.
    for (const auto& f : kFields) {
        for (char c : f.prefix) EXPECT_TRUE(c >= 'A' && c <= 'Z') << f.name << ": " << f.prefix;
        if (f.prefix.size() > 1) {
            EXPECT_EQ(f.prefix[0], 'X') << f.name;
        }
        if (f.prefix.size() == 1) {
            EXPECT_NE(f.prefix[0], 'X') << f.name;
        }
    }
    // The Omega conventions named in schema.hpp.
    EXPECT_EQ(field("id").prefix, "Q");
    EXPECT_EQ(field("title").prefix, "S");
    EXPECT_EQ(field("topic").prefix, "K");
    EXPECT_EQ(field("domain").prefix, "H");
    EXPECT_EQ(field("url").prefix, "U");
    EXPECT_EQ(field("type").prefix, "T");
    EXPECT_EQ(field("year").prefix, "Y");
    EXPECT_EQ(field("month").prefix, "M");
    EXPECT_EQ(field("day").prefix, "D");
}

TEST(Fields, ValueSlotsAreUniqueAndOnlyOnValueFields) {
    std::set<int> slots;
    for (const auto& f : kFields) {
        if (f.kind == FieldKind::Value) {
            EXPECT_GE(f.slot, 0) << f.name;
            EXPECT_TRUE(slots.insert(f.slot).second)
                << "slot " << f.slot << " reused by " << f.name;
            EXPECT_TRUE(f.prefix.empty()) << f.name;
        } else {
            EXPECT_EQ(f.slot, -1) << f.name;
        }
    }
    EXPECT_EQ(field("published").slot, static_cast<int>(news::kSlotPublished));
    EXPECT_EQ(field("quality").slot, static_cast<int>(news::kSlotQuality));
    EXPECT_EQ(field("heat").slot, static_cast<int>(news::kSlotHeat));
    EXPECT_EQ(field("story").slot, static_cast<int>(news::kSlotStory));
    EXPECT_EQ(field("idhash").slot, static_cast<int>(news::kSlotIdHash));
    EXPECT_EQ(field("related").slot, static_cast<int>(news::kSlotLinks));
    EXPECT_EQ(field("topics").slot, static_cast<int>(news::kSlotTopics));
    EXPECT_EQ(field("provider_name").slot, static_cast<int>(news::kSlotProvider));
    EXPECT_EQ(field("type_name").slot, static_cast<int>(news::kSlotType));
}

TEST(Fields, QueryNamesMapToOneKindOfField) {
    // A query name may be shared (provider: matches name or domain) but only among fields of
    // the same kind, so the query parser can treat it uniformly.
    for (const auto& a : kFields) {
        if (a.query_name.empty()) continue;
        for (const auto& b : kFields) {
            if (&a == &b || a.query_name != b.query_name) continue;
            EXPECT_EQ(a.kind, b.kind) << a.name << " and " << b.name << " share " << a.query_name;
        }
    }
}
