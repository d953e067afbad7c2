// Unit tests for common/schema.{hpp,cpp}: term construction (length limit, Omega ':' rule),
// the normalisation column and boolean terms per field, and the consistency of kFields.
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
using news::FieldId;
using news::FieldKind;
using news::kFields;
using news::kMaxTermBytes;
using news::make_term;
using news::Normalise;
using news::normalise;

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
    EXPECT_EQ(bool_term(FieldId::Topic, "Computer Vision"), "Kcomputer vision");
    EXPECT_EQ(bool_term(FieldId::Topic, "  AI  "), "Kai");
    EXPECT_EQ(bool_term(FieldId::Topic, "AI"), bool_term(FieldId::Topic, "ai"));
    // Non-ASCII letters are kept as written (ASCII-only case folding).
    EXPECT_EQ(bool_term(FieldId::Topic, "Ärger"), "K\xC3\x84rger");
}

TEST(BoolTerm, TypesAndCategoriesAreLowerCased) {
    EXPECT_EQ(bool_term(FieldId::Type, "VIDEO"), "Tvideo");
    EXPECT_EQ(bool_term(FieldId::Type, "Article"), "Tarticle");
    EXPECT_EQ(bool_term(FieldId::Category, "News"), "XCnews");
    EXPECT_EQ(bool_term(FieldId::Provider, "Reuters"), "XPreuters");
    EXPECT_EQ(bool_term(FieldId::Flag, "Removed"), "XFremoved");
    EXPECT_EQ(bool_term(FieldId::Year, "2021"), "Y2021");
    EXPECT_EQ(bool_term(FieldId::Month, "202102"), "M202102");
    EXPECT_EQ(bool_term(FieldId::Day, "20210201"), "D20210201");
}

TEST(BoolTerm, DomainsLoseWww) {
    EXPECT_EQ(bool_term(FieldId::Domain, "coindesk.com"), "Hcoindesk.com");
    EXPECT_EQ(bool_term(FieldId::Domain, "www.coindesk.com"), "Hcoindesk.com");
    EXPECT_EQ(bool_term(FieldId::Domain, " WWW.CoinDesk.COM "), "Hcoindesk.com");
    EXPECT_EQ(bool_term(FieldId::Domain, "www2.example.com"), "Hwww2.example.com");
    EXPECT_EQ(bool_term(FieldId::Domain, "sub.www.example.com"), "Hsub.www.example.com");
}

TEST(BoolTerm, UrlsAreNormalised) {
    EXPECT_EQ(bool_term(FieldId::Url, "HTTPS://WWW.Example.COM:443/Path?Q=1#frag"),
              "Uhttps://www.example.com/Path?Q=1");
    EXPECT_EQ(bool_term(FieldId::Url, " https://example.com/a "), "Uhttps://example.com/a");
    EXPECT_EQ(bool_term(FieldId::Url, "https://example.com/a"),
              bool_term(FieldId::Url, "HTTPS://EXAMPLE.COM/a#x"));
}

TEST(BoolTerm, IdsAreKeptAsWritten) {
    // Ids are already normalised; relative paths are case-sensitive.
    EXPECT_EQ(bool_term(FieldId::Id, "posts/My-File.md"), "Qposts/My-File.md");
    EXPECT_EQ(bool_term(FieldId::Id, "Posts/a.md"), "Q:Posts/a.md");
    EXPECT_NE(bool_term(FieldId::Id, "Posts/a.md"), bool_term(FieldId::Id, "posts/a.md"));
    EXPECT_EQ(bool_term(FieldId::Id, "https://example.com/A"), "Qhttps://example.com/A");
}

TEST(BoolTerm, LinksHoldAHashOfTheId) {
    // schema.hpp: `links` terms are XR + 16 hex digits of hash64(id).
    const std::string id = "https://www.vice.com/en/article/4ad5k3/how-normal-people";
    const std::string t = bool_term(FieldId::Links, id);
    EXPECT_EQ(t, "XR" + news::hex64(news::hash64(id)));
    EXPECT_EQ(t.size(), 2u + 16u);
    EXPECT_EQ(bool_term(FieldId::Links, id), t);  // stable
    // The id is not normalised again: case and fragments matter, as for Q terms.
    EXPECT_NE(bool_term(FieldId::Links, "https://example.com/A"),
              bool_term(FieldId::Links, "https://example.com/a"));
    EXPECT_NE(bool_term(FieldId::Links, "posts/a.md"), bool_term(FieldId::Links, "posts/b.md"));
    // Even a huge id gives a short term.
    EXPECT_EQ(bool_term(FieldId::Links, std::string(5000, 'x')).size(), 18u);
    // No ':' is inserted: hex digits are lower-case.
    for (const char* s : {"A", "Z", "https://X.com/", ""}) {
        const std::string u = bool_term(FieldId::Links, s);
        EXPECT_EQ(u.size(), 18u) << s;
        EXPECT_EQ(u.find(':'), std::string::npos) << s;
    }
}

TEST(BoolTerm, LongValuesStayUnderTheLimit) {
    const std::string long_url = "https://example.com/" + std::string(400, 'x');
    for (const FieldId f : {FieldId::Id, FieldId::Url, FieldId::Links, FieldId::Topic,
                            FieldId::Provider, FieldId::Domain, FieldId::Category}) {
        const std::string t = bool_term(f, long_url);
        EXPECT_LE(t.size(), kMaxTermBytes) << field(f).name;
        EXPECT_TRUE(starts_with(t, std::string(field(f).prefix))) << field(f).name;
    }
    EXPECT_NE(bool_term(FieldId::Url, long_url + "1"), bool_term(FieldId::Url, long_url + "2"));
}

TEST(BoolTerm, OnlyBooleanFieldsHaveTerms) {
    for (const auto& f : kFields) {
        if (f.kind == FieldKind::Boolean) {
            EXPECT_TRUE(starts_with(bool_term(f.id, "x"), f.prefix)) << f.name;
        } else {
            EXPECT_THROW(bool_term(f.id, "x"), std::logic_error) << f.name;
        }
    }
}

TEST(BoolTerm, NamedFieldsAreTheFieldsOfThatName) {
    // bool_term("id", x) and field("id") (code not yet moved to FieldId) look the name up when
    // they compile; an unknown name does not compile.
    static_assert(news::field_id("id") == FieldId::Id);
    static_assert(news::field_id("provider_name") == FieldId::ProviderName);
    static_assert(&field("links") == &field(FieldId::Links));
    EXPECT_EQ(bool_term("topic", "AI"), bool_term(FieldId::Topic, "AI"));
    EXPECT_EQ(bool_term("links", "a"), bool_term(FieldId::Links, "a"));
}

// ---- normalise (the table's normalisation column) -------------------------------------------

TEST(Normalise, EachColumnValue) {
    EXPECT_EQ(normalise(Normalise::AsIs, " Posts/A.md "), " Posts/A.md ");
    EXPECT_EQ(normalise(Normalise::AsIs, std::string("\0\xff", 2)), std::string("\0\xff", 2));
    EXPECT_EQ(normalise(Normalise::Lower, "  Computer Vision "), "computer vision");
    EXPECT_EQ(normalise(Normalise::Lower, "\xC3\x84rger"), "\xC3\x84rger");  // ASCII only
    EXPECT_EQ(normalise(Normalise::Host, " WWW.CoinDesk.COM "), "coindesk.com");
    EXPECT_EQ(normalise(Normalise::Host, "www2.example.com"), "www2.example.com");
    EXPECT_EQ(normalise(Normalise::Url, "HTTPS://WWW.Example.COM:443/Path?Q=1#frag"),
              "https://www.example.com/Path?Q=1");
    EXPECT_EQ(normalise(Normalise::IdKey, "posts/a.md"), news::id_key("posts/a.md"));
    EXPECT_EQ(normalise(Normalise::IdKey, "posts/a.md").size(), 16u);
    EXPECT_THROW(normalise(Normalise::Number, "1"), std::logic_error);
}

TEST(Normalise, BoolTermsApplyTheirFieldsColumn) {
    const std::string v = " WWW.Example.COM/A#b ";
    for (const auto& f : kFields) {
        if (f.kind != FieldKind::Boolean) continue;
        EXPECT_EQ(bool_term(f.id, v), make_term(f.prefix, normalise(f.norm, v))) << f.name;
    }
}

// ---- kFields -------------------------------------------------------------------------------

TEST(Fields, EveryFieldIdHasOneRowInOrder) {
    ASSERT_EQ(kFields.size(), static_cast<std::size_t>(FieldId::Count_));
    for (std::size_t i = 0; i < kFields.size(); ++i) {
        const auto id = static_cast<FieldId>(i);
        EXPECT_EQ(kFields[i].id, id) << kFields[i].name;
        EXPECT_EQ(&field(id), &kFields[i]) << kFields[i].name;
    }
    // Every row's name finds its own id (looked up at compile time).
    static_assert([]() consteval {
        for (const auto& f : kFields) {
            if (news::field_id(f.name) != f.id) return false;
        }
        return true;
    }());
}

TEST(Fields, PrefixNamePairsAreUnique) {
    std::set<std::pair<std::string_view, std::string_view>> seen;
    std::set<std::string_view> names;
    for (const auto& f : kFields) {
        EXPECT_TRUE(seen.insert({f.prefix, f.name}).second) << f.name;
        // field_id() looks fields up by name, so names must be unique too.
        EXPECT_TRUE(names.insert(f.name).second) << "duplicate name " << f.name;
        EXPECT_FALSE(f.name.empty());
        EXPECT_FALSE(f.description.empty()) << f.name;
    }
}

TEST(Fields, NormalisationAndTextWeightFitTheKind) {
    for (const auto& f : kFields) {
        switch (f.kind) {
            case FieldKind::Text:
                // Text goes to the TermGenerator as written, under a prefix and/or unprefixed.
                EXPECT_EQ(f.norm, Normalise::AsIs) << f.name;
                EXPECT_TRUE(!f.prefix.empty() || f.text_weight > 0) << f.name;
                break;
            case FieldKind::Boolean:
                EXPECT_NE(f.norm, Normalise::Number) << f.name;
                break;
            case FieldKind::Value:
                EXPECT_TRUE(f.norm == Normalise::AsIs || f.norm == Normalise::Number) << f.name;
                EXPECT_EQ(f.text_weight, 0u) << f.name;
                break;
        }
    }
    // The columns that make terms differ from a plain lower-cased value.
    EXPECT_EQ(field(FieldId::Id).norm, Normalise::AsIs);
    EXPECT_EQ(field(FieldId::IdKey).norm, Normalise::IdKey);
    EXPECT_EQ(field(FieldId::Links).norm, Normalise::IdKey);
    EXPECT_EQ(field(FieldId::Url).norm, Normalise::Url);
    EXPECT_EQ(field(FieldId::Domain).norm, Normalise::Host);
    EXPECT_EQ(field(FieldId::Topic).norm, Normalise::Lower);
    EXPECT_EQ(field(FieldId::Published).norm, Normalise::Number);
    EXPECT_EQ(field(FieldId::PriorKey).norm, Normalise::AsIs);
    EXPECT_EQ(field(FieldId::Title).text_weight, news::kTitleWeight);
    EXPECT_EQ(field(FieldId::Topic).text_weight, 1u);  // topics are also free text
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
    EXPECT_EQ(field(FieldId::Id).prefix, "Q");
    EXPECT_EQ(field(FieldId::Title).prefix, "S");
    EXPECT_EQ(field(FieldId::Topic).prefix, "K");
    EXPECT_EQ(field(FieldId::Domain).prefix, "H");
    EXPECT_EQ(field(FieldId::Url).prefix, "U");
    EXPECT_EQ(field(FieldId::Type).prefix, "T");
    EXPECT_EQ(field(FieldId::Year).prefix, "Y");
    EXPECT_EQ(field(FieldId::Month).prefix, "M");
    EXPECT_EQ(field(FieldId::Day).prefix, "D");
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
    EXPECT_EQ(field(FieldId::Published).slot, static_cast<int>(news::kSlotPublished));
    EXPECT_EQ(field(FieldId::Quality).slot, static_cast<int>(news::kSlotQuality));
    EXPECT_EQ(field(FieldId::Heat).slot, static_cast<int>(news::kSlotHeat));
    EXPECT_EQ(field(FieldId::Story).slot, static_cast<int>(news::kSlotStory));
    EXPECT_EQ(field(FieldId::IdHash).slot, static_cast<int>(news::kSlotIdHash));
    EXPECT_EQ(field(FieldId::Related).slot, static_cast<int>(news::kSlotLinks));
    EXPECT_EQ(field(FieldId::Topics).slot, static_cast<int>(news::kSlotTopics));
    EXPECT_EQ(field(FieldId::ProviderName).slot, static_cast<int>(news::kSlotProvider));
    EXPECT_EQ(field(FieldId::TypeName).slot, static_cast<int>(news::kSlotType));
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
