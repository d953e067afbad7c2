// Unit tests for common/text.{hpp,cpp}: UTF-8 validation and repair, HTML entities, trimming,
// case folding, UTF-8-safe truncation and the stable hash.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "html_entities.hpp"
#include "text.hpp"

using news::append_utf8;
using news::ascii_lower;
using news::decode_html_entities;
using news::find_html_entity;
using news::hash64;
using news::hex64;
using news::html_entities;
using news::is_valid_utf8;
using news::sanitize_utf8;
using news::trim;
using news::utf8_truncate;

namespace {

const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::string bytes(std::initializer_list<int> bs) {
    std::string s;
    for (int b : bs) s += static_cast<char>(b);
    return s;
}

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

}  // namespace

// ---- is_valid_utf8 -------------------------------------------------------------------------

TEST(Utf8Valid, WellFormed) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("plain ascii"));
    EXPECT_TRUE(is_valid_utf8(std::string_view("nul\0inside", 10)));
    EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9"));       // é, 2 bytes
    EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));      // €, 3 bytes
    EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));  // 😀, 4 bytes
    EXPECT_TRUE(is_valid_utf8("日本語のニュース 🚀 Müller"));
    EXPECT_TRUE(is_valid_utf8(bytes({0xC2, 0x80})));              // U+0080, smallest 2-byte
    EXPECT_TRUE(is_valid_utf8(bytes({0xDF, 0xBF})));              // U+07FF
    EXPECT_TRUE(is_valid_utf8(bytes({0xE0, 0xA0, 0x80})));        // U+0800, smallest 3-byte
    EXPECT_TRUE(is_valid_utf8(bytes({0xED, 0x9F, 0xBF})));        // U+D7FF, just below surrogates
    EXPECT_TRUE(is_valid_utf8(bytes({0xEE, 0x80, 0x80})));        // U+E000, just above surrogates
    EXPECT_TRUE(is_valid_utf8(bytes({0xEF, 0xBF, 0xBF})));        // U+FFFF
    EXPECT_TRUE(is_valid_utf8(bytes({0xF0, 0x90, 0x80, 0x80})));  // U+10000
    EXPECT_TRUE(is_valid_utf8(bytes({0xF4, 0x8F, 0xBF, 0xBF})));  // U+10FFFF, the maximum
    EXPECT_TRUE(
        is_valid_utf8("\xEF\xBB\xBF"
                      "BOM is a valid character"));
}

TEST(Utf8Valid, Overlongs) {
    EXPECT_FALSE(is_valid_utf8(bytes({0xC0, 0x80})));  // overlong NUL
    EXPECT_FALSE(is_valid_utf8(bytes({0xC0, 0xAF})));  // overlong '/'
    EXPECT_FALSE(is_valid_utf8(bytes({0xC1, 0xBF})));
    EXPECT_FALSE(is_valid_utf8(bytes({0xE0, 0x80, 0xAF})));        // overlong '/'
    EXPECT_FALSE(is_valid_utf8(bytes({0xE0, 0x9F, 0xBF})));        // overlong U+07FF
    EXPECT_FALSE(is_valid_utf8(bytes({0xF0, 0x80, 0x80, 0xAF})));  // overlong '/'
    EXPECT_FALSE(is_valid_utf8(bytes({0xF0, 0x8F, 0xBF, 0xBF})));  // overlong U+FFFF
}

TEST(Utf8Valid, Surrogates) {
    EXPECT_FALSE(is_valid_utf8(bytes({0xED, 0xA0, 0x80})));  // U+D800
    EXPECT_FALSE(is_valid_utf8(bytes({0xED, 0xAD, 0xBF})));  // U+DB7F
    EXPECT_FALSE(is_valid_utf8(bytes({0xED, 0xB0, 0x80})));  // U+DC00
    EXPECT_FALSE(is_valid_utf8(bytes({0xED, 0xBF, 0xBF})));  // U+DFFF
    // A CESU-8 style surrogate pair for U+1F600.
    EXPECT_FALSE(is_valid_utf8(bytes({0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80})));
}

TEST(Utf8Valid, AboveMaxCodePoint) {
    EXPECT_FALSE(is_valid_utf8(bytes({0xF4, 0x90, 0x80, 0x80})));  // U+110000
    EXPECT_FALSE(is_valid_utf8(bytes({0xF5, 0x80, 0x80, 0x80})));
    EXPECT_FALSE(is_valid_utf8(bytes({0xF7, 0xBF, 0xBF, 0xBF})));
    EXPECT_FALSE(is_valid_utf8(bytes({0xF8, 0x88, 0x80, 0x80, 0x80})));  // old 5-byte form
    EXPECT_FALSE(is_valid_utf8(bytes({0xFC, 0x84, 0x80, 0x80, 0x80, 0x80})));
    EXPECT_FALSE(is_valid_utf8(bytes({0xFE})));
    EXPECT_FALSE(is_valid_utf8(bytes({0xFF})));
}

TEST(Utf8Valid, TruncatedAndStray) {
    EXPECT_FALSE(is_valid_utf8(bytes({0xC3})));
    EXPECT_FALSE(is_valid_utf8(bytes({0xE2, 0x82})));
    EXPECT_FALSE(is_valid_utf8(bytes({0xF0, 0x9F, 0x98})));
    EXPECT_FALSE(is_valid_utf8("abc" + bytes({0xE2, 0x82})));          // truncated at the end
    EXPECT_FALSE(is_valid_utf8(bytes({0xE2, 0x82}) + "abc"));          // cut by ASCII
    EXPECT_FALSE(is_valid_utf8(bytes({0xC3}) + bytes({0xC3, 0xA9})));  // lead then a new lead
    EXPECT_FALSE(is_valid_utf8(bytes({0x80})));                        // lone continuation
    EXPECT_FALSE(is_valid_utf8(std::string("a").append(bytes({0xBF})).append("b")));
    EXPECT_FALSE(is_valid_utf8(bytes({0xC3, 0xA9, 0xA9})));  // extra continuation
    EXPECT_FALSE(is_valid_utf8("caf\xE9"));                  // Latin-1 é
}

// ---- sanitize_utf8 -------------------------------------------------------------------------

TEST(SanitizeUtf8, ValidInputUnchanged) {
    for (const std::string& s :
         {std::string(""), std::string("hello"), std::string("日本語 🚀 café € \xF4\x8F\xBF\xBF"),
          std::string("nul\0x", 5)}) {
        EXPECT_EQ(sanitize_utf8(s), s);
    }
}

TEST(SanitizeUtf8, ReplacesBadBytesKeepsGoodOnes) {
    EXPECT_EQ(sanitize_utf8("a\xFF"
                            "b"),
              "a" + kReplacement + "b");
    EXPECT_EQ(sanitize_utf8("caf\xE9"), "caf" + kReplacement);
    // A truncated lead byte must not swallow the ASCII that follows it.
    const std::string r = sanitize_utf8(bytes({0xE2}) + "ab");
    EXPECT_EQ(r, kReplacement + "ab");
    const std::string r2 = sanitize_utf8(bytes({0xE2, 0x82}) + "xyz");
    EXPECT_TRUE(is_valid_utf8(r2));
    EXPECT_TRUE(r2.ends_with("xyz")) << r2;
    EXPECT_GE(count(r2, kReplacement), 1u);
    // A good multibyte character after a bad byte survives.
    EXPECT_EQ(sanitize_utf8(bytes({0x80}) + "\xC3\xA9"), kReplacement + "\xC3\xA9");
    // Overlongs, surrogates and > U+10FFFF are replaced.
    for (const std::string& bad :
         {bytes({0xC0, 0x80}), bytes({0xED, 0xA0, 0x80}), bytes({0xF4, 0x90, 0x80, 0x80}),
          bytes({0xF8, 0x88, 0x80, 0x80, 0x80})}) {
        const std::string out = sanitize_utf8("<" + bad + ">");
        EXPECT_TRUE(is_valid_utf8(out));
        EXPECT_TRUE(out.starts_with("<") && out.ends_with(">")) << out;
        EXPECT_GE(count(out, kReplacement), 1u);
        EXPECT_EQ(out.find(bad), std::string::npos);
    }
}

TEST(SanitizeUtf8, RandomBytesAlwaysBecomeValidAndIdempotent) {
    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> len(0, 40);
    std::uniform_int_distribution<int> byte(0, 255);
    // Bias towards the interesting range so multi-byte sequences are common.
    std::uniform_int_distribution<int> hi(0x80, 0xFF);
    for (int i = 0; i < 3000; ++i) {
        std::string s;
        const int n = len(rng);
        for (int k = 0; k < n; ++k) s += static_cast<char>(k % 2 ? hi(rng) : byte(rng));
        const std::string out = sanitize_utf8(s);
        ASSERT_TRUE(is_valid_utf8(out)) << "input #" << i;
        ASSERT_EQ(sanitize_utf8(out), out) << "input #" << i;
        if (is_valid_utf8(s)) {
            ASSERT_EQ(out, s);
        }
    }
}

// ---- decode_html_entities ------------------------------------------------------------------

TEST(HtmlEntities, Named) {
    EXPECT_EQ(decode_html_entities("Tom &amp; Jerry"), "Tom & Jerry");
    EXPECT_EQ(decode_html_entities("&lt;b&gt;"), "<b>");
    EXPECT_EQ(decode_html_entities("&quot;x&quot; &apos;y&apos;"), "\"x\" 'y'");
    EXPECT_EQ(decode_html_entities("a&nbsp;b"), "a b");  // a plain space, not U+00A0
    EXPECT_EQ(decode_html_entities("caf&eacute;"), "caf\xC3\xA9");
    EXPECT_EQ(decode_html_entities("wait&hellip;"), "wait\xE2\x80\xA6");
    EXPECT_EQ(decode_html_entities("a&mdash;b&ndash;c"),
              "a\xE2\x80\x94"
              "b\xE2\x80\x93"
              "c");
    EXPECT_EQ(decode_html_entities("&lsquo;q&rsquo; &ldquo;qq&rdquo;"),
              "\xE2\x80\x98q\xE2\x80\x99 \xE2\x80\x9Cqq\xE2\x80\x9D");
    EXPECT_EQ(decode_html_entities("&euro;5"),
              "\xE2\x82\xAC"
              "5");
}

// Names beyond the 32 the decoder knew before the HTML5 table (issue 17).
TEST(HtmlEntities, Html5Names) {
    EXPECT_EQ(decode_html_entities("Espa&ntilde;a"),
              "Espa\xC3\xB1"
              "a");
    EXPECT_EQ(decode_html_entities("Fran&ccedil;ais"),
              "Fran\xC3\xA7"
              "ais");
    EXPECT_EQ(decode_html_entities("m&aacute;s"), "m\xC3\xA1s");
    EXPECT_EQ(decode_html_entities("&Ntilde;&Ccedil;&Aacute;"), "\xC3\x91\xC3\x87\xC3\x81");
    EXPECT_EQ(decode_html_entities("&alpha;&Omega;"), "\xCE\xB1\xCE\xA9");
    EXPECT_EQ(decode_html_entities("1&frac12;"), "1\xC2\xBD");
    EXPECT_EQ(decode_html_entities("&rarr;"), "\xE2\x86\x92");
    // Two code points: U+2242 U+0338.
    EXPECT_EQ(decode_html_entities("a&NotEqualTilde;b"),
              "a\xE2\x89\x82\xCC\xB8"
              "b");
    // Beyond the BMP: U+1D504.
    EXPECT_EQ(decode_html_entities("&Afr;"), "\xF0\x9D\x94\x84");
    // The longest name, and one more way to write a no-break space (a plain space, like &nbsp;).
    EXPECT_EQ(decode_html_entities("&CounterClockwiseContourIntegral;"), "\xE2\x88\xB3");
    EXPECT_EQ(decode_html_entities("a&NonBreakingSpace;b"), "a b");
    // Names are case-sensitive: &AMP; is in the list, &AmP; is not.
    EXPECT_EQ(decode_html_entities("&AMP;"), "&");
    EXPECT_EQ(decode_html_entities("&AmP;"), "&AmP;");
}

// HTML5 reads some legacy names without ';' (&copy, &amp, &not); this decoder requires the ';'
// for every name, as it always did: "&copy=2" in a URL or "&notes" in prose stays as written.
TEST(HtmlEntities, SemicolonRequired) {
    for (const char* s : {"&copy 2024", "&copy", "&amp", "&ntilde", "a&copy=2", "&notes", "&nbsp",
                          "&ccedil.", "&aacute&aacute"}) {
        EXPECT_EQ(decode_html_entities(s), s) << "input: '" << s << "'";
    }
    EXPECT_EQ(decode_html_entities("&copy; 2024"), "\xC2\xA9 2024");
    EXPECT_EQ(decode_html_entities("&not;es"),
              "\xC2\xAC"
              "es");
    EXPECT_EQ(decode_html_entities("&ntilde&ntilde;"), "&ntilde\xC3\xB1");
}

// Every name of the standard's list (with its ';') decodes to the code points the table gives.
TEST(HtmlEntities, EveryNameDecodes) {
    std::size_t decoded = 0;
    for (const auto& e : html_entities()) {
        if (!e.name.ends_with(';')) continue;
        std::string want;
        append_utf8(want, e.cp1 == 0xA0 ? U' ' : e.cp1);
        if (e.cp2 != 0) append_utf8(want, e.cp2);
        const std::string in = "x&" + std::string(e.name) + "y";
        EXPECT_EQ(decode_html_entities(in), "x" + want + "y") << in;
        ++decoded;
    }
    EXPECT_EQ(decoded, 2125u);
}

TEST(HtmlEntities, Numeric) {
    EXPECT_EQ(decode_html_entities("it&#8217;s"), "it\xE2\x80\x99s");
    EXPECT_EQ(decode_html_entities("it&#x2019;s"), "it\xE2\x80\x99s");
    EXPECT_EQ(decode_html_entities("it&#X2019;s"), "it\xE2\x80\x99s");
    EXPECT_EQ(decode_html_entities("&#39;"), "'");
    EXPECT_EQ(decode_html_entities("&#x41;&#x62;&#x63;"), "Abc");
    EXPECT_EQ(decode_html_entities("&#xe9;"), "\xC3\xA9");
    EXPECT_EQ(decode_html_entities("&#128512;"), "\xF0\x9F\x98\x80");
    EXPECT_EQ(decode_html_entities("&#x10FFFF;"), "\xF4\x8F\xBF\xBF");
    // A numeric no-break space is a plain space too, like &nbsp;.
    EXPECT_EQ(decode_html_entities("a&#160;b"), "a b");
    EXPECT_EQ(decode_html_entities("a&#xA0;b"), "a b");
}

TEST(HtmlEntities, SeedLikeExcerpt) {
    EXPECT_EQ(decode_html_entities("AT&amp;T&nbsp;said it&#8217;s fine"),
              "AT&T said it\xE2\x80\x99s fine");
}

TEST(HtmlEntities, UnknownAndMalformedLeftAlone) {
    for (const char* s :
         {"&foo;",     "&;",        "&#;",      "&#x;",   "&#X;",   "&#xZZ;", "&#12a;",
          "&# 39;",    "&amp",      "AT&T",     "a & b",  "&",      "&&",     "&#",
          "&#39",      "&amp x;",   "&AmP;",    "& amp;", "&#-39;", "&#+39;", "&ntild;",
          "&ntildee;", "&n tilde;", "&nTilde;", "&x41;",  "&123;"}) {
        EXPECT_EQ(decode_html_entities(s), s) << "input: '" << s << "'";
    }
    // A semicolon far away does not turn the text in between into a reference.
    const std::string far = "&amp and this is a long sentence; ok";
    EXPECT_EQ(decode_html_entities(far), far);
    // Text with no '&' is returned untouched.
    EXPECT_EQ(decode_html_entities("no refs; here"), "no refs; here");
}

TEST(HtmlEntities, HugeAndForbiddenCodePointsLeftAlone) {
    for (const char* s :
         {"&#1114112;", "&#x110000;", "&#99999999999;", "&#4294967296;", "&#4294967335;",
          "&#xFFFFFFFF;", "&#x100000041;", "&#0;", "&#x0;", "&#xD800;", "&#xDFFF;", "&#55296;"}) {
        const std::string out = decode_html_entities(s);
        EXPECT_EQ(out, s) << "input: '" << s << "'";
        EXPECT_TRUE(is_valid_utf8(out));
    }
}

TEST(HtmlEntities, DecodesOnlyOneLevel) {
    EXPECT_EQ(decode_html_entities("&amp;amp;"), "&amp;");
    EXPECT_EQ(decode_html_entities("&amp;#8217;"), "&#8217;");
    EXPECT_EQ(decode_html_entities("&&amp;;"), "&&;");
}

TEST(HtmlEntities, OutputIsValidUtf8ForValidInput) {
    std::mt19937 rng(777);
    const std::vector<std::string> pieces = {
        "&",  "#", "x",  ";",   "amp", "nbsp", "1",  "9",    "F", "a",      " ",
        "é",  "0", "&#", "&#x", "D8",  "00",   "10", "FFFF", "🚀", "ntilde", "NotEqualTilde",
        "Afr"};
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
    for (int i = 0; i < 3000; ++i) {
        std::string s;
        for (int k = 0; k < 12; ++k) s += pieces[pick(rng)];
        ASSERT_TRUE(is_valid_utf8(decode_html_entities(s))) << s;
    }
}

// ---- the HTML5 table (html_entities.hpp) --------------------------------------------------

TEST(HtmlEntityTable, IsTheStandardsList) {
    const auto table = html_entities();
    ASSERT_EQ(table.size(), 2231u);  // the WHATWG list's keys
    std::size_t legacy = 0;
    for (std::size_t k = 0; k < table.size(); ++k) {
        const auto& e = table[k];
        if (k > 0) {
            EXPECT_LT(table[k - 1].name, e.name);  // sorted and unique
        }
        EXPECT_EQ(find_html_entity(e.name), &e) << e.name;
        EXPECT_GT(e.cp1, 0u);
        EXPECT_LE(e.cp1, 0x10FFFFu);
        EXPECT_LE(e.cp2, 0x10FFFFu);
        if (!e.name.ends_with(';')) {
            // A legacy key without ';' always has a twin with ';' meaning the same.
            ++legacy;
            const auto* twin = find_html_entity(std::string(e.name) + ";");
            ASSERT_NE(twin, nullptr) << e.name;
            EXPECT_EQ(twin->cp1, e.cp1);
            EXPECT_EQ(twin->cp2, e.cp2);
        }
    }
    EXPECT_EQ(legacy, 106u);
}

TEST(HtmlEntityTable, Lookup) {
    const auto* e = find_html_entity("NotEqualTilde;");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->cp1, 0x2242u);
    EXPECT_EQ(e->cp2, 0x338u);
    ASSERT_NE(find_html_entity("ntilde;"), nullptr);
    EXPECT_EQ(find_html_entity("ntilde;")->cp1, 0xF1u);
    EXPECT_EQ(find_html_entity("ntilde;")->cp2, 0u);
    ASSERT_NE(find_html_entity("copy"), nullptr);  // the legacy key is in the table
    for (const char* k :
         {"", ";", "foo;", "NotEqualTilde", "amp;;", "AmP;", "&amp;", "zzzz;", "AAAA;"}) {
        EXPECT_EQ(find_html_entity(k), nullptr) << k;
    }
}

// ---- trim / ascii_lower --------------------------------------------------------------------

TEST(Trim, AsciiWhitespace) {
    EXPECT_EQ(trim("  a b  "), "a b");
    EXPECT_EQ(trim("\t\r\n a \f\v"), "a");
    EXPECT_EQ(trim(""), "");
    EXPECT_EQ(trim(" \t\r\n"), "");
    EXPECT_EQ(trim("x"), "x");
    // Non-ASCII space (U+00A0) is not trimmed: it is not ASCII white space.
    EXPECT_EQ(trim("\xC2\xA0x\xC2\xA0"), "\xC2\xA0x\xC2\xA0");
}

TEST(AsciiLower, OnlyAsciiLetters) {
    EXPECT_EQ(ascii_lower("Hello WORLD 123 _-"), "hello world 123 _-");
    EXPECT_EQ(ascii_lower("\xC3\x84rger"), "\xC3\x84rger");  // Ä untouched, bytes intact
    EXPECT_EQ(ascii_lower(""), "");
}

// ---- utf8_truncate -------------------------------------------------------------------------

TEST(Utf8Truncate, Basics) {
    EXPECT_EQ(utf8_truncate("hello", 10), "hello");
    EXPECT_EQ(utf8_truncate("hello", 5), "hello");
    EXPECT_EQ(utf8_truncate("hello", 3), "hel");
    EXPECT_EQ(utf8_truncate("hello", 0), "");
    EXPECT_EQ(utf8_truncate("", 0), "");
    // "héllo": é occupies bytes 1..2.
    EXPECT_EQ(utf8_truncate("h\xC3\xA9llo", 1), "h");
    EXPECT_EQ(utf8_truncate("h\xC3\xA9llo", 2), "h");
    EXPECT_EQ(utf8_truncate("h\xC3\xA9llo", 3), "h\xC3\xA9");
    EXPECT_EQ(utf8_truncate("\xF0\x9F\x98\x80", 3), "");
    EXPECT_EQ(utf8_truncate("\xF0\x9F\x98\x80", 4), "\xF0\x9F\x98\x80");
}

TEST(Utf8Truncate, NeverCutsACharacter) {
    const std::string s =
        "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
        "b日本語🚀x";
    ASSERT_TRUE(is_valid_utf8(s));
    std::size_t prev = 0;
    for (std::size_t max = 0; max <= s.size() + 2; ++max) {
        const std::string t = utf8_truncate(s, max);
        ASSERT_LE(t.size(), max);
        ASSERT_TRUE(is_valid_utf8(t)) << "max=" << max;
        ASSERT_EQ(s.compare(0, t.size(), t), 0) << "not a prefix, max=" << max;
        ASSERT_GE(t.size(), prev);  // monotone
        // Maximal: the next whole character would not have fitted.
        if (t.size() < s.size()) {
            std::size_t next = t.size() + 1;
            while (next < s.size() && (static_cast<unsigned char>(s[next]) & 0xC0) == 0x80) ++next;
            ASSERT_GT(next, max) << "truncated too much, max=" << max;
        }
        prev = t.size();
    }
}

// ---- hash64 / hex64 ------------------------------------------------------------------------

TEST(Hash64, Deterministic) {
    const std::string a = "https://www.coindesk.com/street-cameras-arrest-protesters-moscow";
    EXPECT_EQ(hash64(a), hash64(std::string(a)));
    EXPECT_EQ(hash64(a), hash64(std::string_view(a)));
    EXPECT_EQ(hash64(""), hash64(std::string()));
    std::string copy;
    for (char c : a) copy += c;
    EXPECT_EQ(hash64(copy), hash64(a));
}

TEST(Hash64, DifferentInputsDiffer) {
    const std::vector<std::string> inputs = {"",
                                             "a",
                                             "b",
                                             "ab",
                                             "ba",
                                             "abc",
                                             "A",
                                             " a",
                                             "a ",
                                             std::string("a\0b", 3),
                                             std::string("a\0", 2),
                                             "\xC3\xA9",
                                             "e",
                                             std::string(300, 'x') + "1",
                                             std::string(300, 'x') + "2",
                                             "https://example.com/a",
                                             "https://example.com/b"};
    std::set<uint64_t> seen;
    for (const auto& s : inputs) seen.insert(hash64(s));
    EXPECT_EQ(seen.size(), inputs.size());
}

TEST(Hash64, UsesEveryByte) {
    // Changing any single byte of a longer input changes the hash.
    const std::string base(64, 'q');
    const uint64_t h = hash64(base);
    for (std::size_t i = 0; i < base.size(); ++i) {
        std::string s = base;
        s[i] = 'r';
        ASSERT_NE(hash64(s), h) << "byte " << i;
    }
}

TEST(Hex64, Format) {
    EXPECT_EQ(hex64(0), "0000000000000000");
    EXPECT_EQ(hex64(1), "0000000000000001");
    EXPECT_EQ(hex64(0xdeadbeefULL), "00000000deadbeef");
    EXPECT_EQ(hex64(0x0123456789abcdefULL), "0123456789abcdef");
    EXPECT_EQ(hex64(0xFEDCBA9876543210ULL), "fedcba9876543210");
    EXPECT_EQ(hex64(UINT64_MAX), "ffffffffffffffff");
    EXPECT_EQ(hex64(0x8000000000000000ULL), "8000000000000000");
}

TEST(Hex64, OfHashIsSixteenLowerHexDigits) {
    for (const char* s : {"", "a", "https://example.com/x", "日本語"}) {
        const std::string h = hex64(hash64(s));
        ASSERT_EQ(h.size(), 16u);
        for (char c : h) {
            EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << h;
        }
        EXPECT_EQ(std::stoull(h, nullptr, 16), hash64(s));
    }
}
