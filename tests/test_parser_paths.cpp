// Unit tests that the fast YAML reader and yaml-cpp give the same tree and Article.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "parser_helpers.hpp"
#include "text.hpp"
#include "yaml_tree.hpp"

using namespace news::test::parser;

// ---- the fast YAML reader and yaml-cpp agree -----------------------------------------------
//
// yaml_tree.hpp reads the block-style subset itself and hands everything else to yaml-cpp;
// both must give the same tree, so the same Article and the same warnings.

namespace {

ParseOptions full_path() {
    ParseOptions o;
    o.yaml_fast_path = false;
    return o;
}

// Parses with both readers; returns "" when they agree, else a description of the difference.
std::string compare_paths(const std::string& text, FileKind kind = FileKind::FrontMatter) {
    std::string fast_err, full_err;
    ParsedFile fast, full;
    try {
        fast = parse_article_text(text, kind, "f.md", "f.md");
    } catch (const ParseError& e) {
        fast_err = e.what();
    }
    try {
        full = parse_article_text(text, kind, "f.md", "f.md", full_path());
    } catch (const ParseError& e) {
        full_err = e.what();
    }
    if (!fast_err.empty() || !full_err.empty()) {
        if (fast_err.empty() != full_err.empty()) {
            return "fast: " + (fast_err.empty() ? std::string("accepted") : fast_err) +
                   " | full: " + (full_err.empty() ? std::string("accepted") : full_err);
        }
        // Both rejected: same location (the reason may be worded differently only if the fast
        // path gave up, in which case yaml-cpp produced both).
        return fast_err == full_err ? "" : "fast: " + fast_err + " | full: " + full_err;
    }
    const Article& a = fast.article;
    const Article& b = full.article;
    const auto sa = all_strings(a);
    const auto sb = all_strings(b);
    if (sa != sb) {
        for (std::size_t i = 0; i < std::min(sa.size(), sb.size()); ++i) {
            if (sa[i] != sb[i]) return "string differs: '" + sa[i] + "' vs '" + sb[i] + "'";
        }
        return "different number of strings";
    }
    if (a.published != b.published || a.quality != b.quality || a.heat != b.heat ||
        a.published_flag != b.published_flag || a.removed != b.removed ||
        a.featured != b.featured || a.related.size() != b.related.size() ||
        a.images.size() != b.images.size()) {
        return "scalar fields differ";
    }
    for (std::size_t i = 0; i < a.related.size(); ++i) {
        if (a.related[i].published != b.related[i].published ||
            a.related[i].quality != b.related[i].quality) {
            return "related[" + std::to_string(i) + "] differs";
        }
    }
    for (std::size_t i = 0; i < a.images.size(); ++i) {
        if (a.images[i].width != b.images[i].width || a.images[i].height != b.images[i].height ||
            a.images[i].is_cached != b.images[i].is_cached) {
            return "images[" + std::to_string(i) + "] differs";
        }
    }
    if (fast.warnings.size() != full.warnings.size()) {
        return "warning count " + std::to_string(fast.warnings.size()) + " vs " +
               std::to_string(full.warnings.size());
    }
    for (std::size_t i = 0; i < fast.warnings.size(); ++i) {
        if (fast.warnings[i].to_string() != full.warnings[i].to_string()) {
            return "warning '" + fast.warnings[i].to_string() + "' vs '" +
                   full.warnings[i].to_string() + "'";
        }
    }
    return "";
}

// Tree equality. Marks of null mapping values are not compared (yaml-cpp places them at the
// next token and they are never reported); those of null list items are (warnings point at
// them). yaml-cpp cuts very deep content to Opaque.
bool same_tree(const news::yaml::Node& a, const news::yaml::Node& b, std::string& why,
               bool list_item = false) {
    using news::yaml::Type;
    if (b.type == Type::Opaque) return true;
    if (a.type != b.type) {
        why = "type differs at " + std::to_string(a.line) + ":" + std::to_string(a.column);
        return false;
    }
    if ((a.type != Type::Null || list_item) && (a.line != b.line || a.column != b.column)) {
        why = "mark " + std::to_string(a.line) + ":" + std::to_string(a.column) + " vs " +
              std::to_string(b.line) + ":" + std::to_string(b.column);
        return false;
    }
    if (a.type == Type::Scalar && a.scalar != b.scalar) {
        why = "scalar '" + a.scalar + "' vs '" + b.scalar + "'";
        return false;
    }
    if (a.seq.size() != b.seq.size() || a.keys.size() != b.keys.size()) {
        why = "size differs at " + std::to_string(a.line) + ":" + std::to_string(a.column);
        return false;
    }
    for (std::size_t i = 0; i < a.seq.size(); ++i) {
        if (!same_tree(a.seq[i], b.seq[i], why, true)) return false;
    }
    for (std::size_t i = 0; i < a.keys.size(); ++i) {
        if (a.keys[i] != b.keys[i]) {
            why = "key '" + a.keys[i] + "' vs '" + b.keys[i] + "'";
            return false;
        }
        if (!same_tree(a.values[i], b.values[i], why)) return false;
    }
    return true;
}

// "" when read_simple gives up or agrees with read_full; else the difference.
std::string compare_trees(const std::string& yaml) {
    const auto simple = news::yaml::read_simple(yaml);
    if (!simple) return "";
    try {
        const news::yaml::Node full = news::yaml::read_full(yaml);
        std::string why;
        return same_tree(*simple, full, why) ? "" : why;
    } catch (const news::yaml::Error& e) {
        return "fast reader accepted what yaml-cpp rejects (" + std::to_string(e.line + 1) + ":" +
               std::to_string(e.column + 1) + " " + e.message + ")";
    }
}

std::string seed_yaml() {
    std::string yaml = kSeed.substr(4);
    return yaml.substr(0, yaml.rfind("---\n"));
}

}  // namespace

TEST(ParserPaths, SeedTakesTheFastPath) {
    // The common case must not fall back to yaml-cpp.
    EXPECT_TRUE(news::yaml::read_simple(seed_yaml()).has_value());
    EXPECT_TRUE(news::yaml::read_simple(replace_all(seed_yaml(), "\n", "\r\n")).has_value());
    EXPECT_EQ(compare_trees(seed_yaml()), "");
    EXPECT_EQ(compare_trees(replace_all(seed_yaml(), "\n", "\r\n")), "");
}

TEST(ParserPaths, SeedSameArticleBothWays) {
    EXPECT_EQ(compare_paths(kSeed), "");
    EXPECT_EQ(compare_paths(replace_all(kSeed, "\n", "\r\n")), "");
    EXPECT_EQ(compare_paths(seed_yaml(), FileKind::Data), "");
}

TEST(ParserPaths, HandWrittenCasesAgree) {
    const std::vector<std::string> docs = {
        // quoting and escapes
        "title: 'it''s'\nexcerpt: \"q\\\"x \\u00e9 \\x41 \\U0001F600 \\t \\\\ \\/\"\n",
        "\"title\": quoted key\n'excerpt': single quoted key\n",
        "title: \"#not a comment\"\nexcerpt: 'a # b'\n",
        "title: x # a comment\nexcerpt: a#b\n",
        "title: \"x\" # comment after quotes\n",
        "title: T\nexcerpt: https://example.com/a?b=c#frag\n",
        "title: T\nexcerpt: a, b [c] {d}\n",
        "title: :colon first\n",
        "title: -5\nquality: -5\nheat: +3\n",
        "title  : spaced key\n",
        // nulls
        "title: T\nexcerpt: ~\nquality: null\nheat: NULL\npublished: Null\n",
        "title: T\nexcerpt:\nquality:    # comment\n",
        "title: T\nexcerpt: nULL\n",
        // nesting
        "title: T\ntopics:\n- a\n- b\nquality: 3\n",
        "title: T\ntopics:\n  - a\n  -   b   \n  - ~\n  - null # c\n",
        "title: T\nprovider:\n    name: P\n    domain: d.com\n    images:\n    - url: u\n      "
        "width: 5\n",
        "title: T\nrelated:\n  -\n    title: R\n    webUrl: https://e.com/r\n  - title: S\n    "
        "webUrl: https://e.com/s\n    quality: x\n",
        "title: T\nrelated:\n- title: R\n  webUrl: https://e.com/r\n  provider:\n    name: N\n",
        "title: T\nimages:\n  - url: u1\n    width: wide\n  - url: u2\n    isCached: maybe\n",
        // comments and blank lines in odd places
        "# leading comment\n\ntitle: T\n   # indented comment\n\ntopics:\n\n  # c\n  - a\n",
        "title: T\ntopics:\n  - a # c\n  - 'b' # c\n",
        // warnings with positions
        "title: T\npublishedDateTime: yesterday\nquality: high\nheat: [1]\n",
        "title: T\nexcerpt:\n  nested: map\n",
        "title: T\ntopics:\n  k: v\n",
        "title: T\nrelated: text\nimages: 5\nprovider: [x]\n",
        // unicode
        "title: 日本語のニュース\nexcerpt: \"🚀 émoji\"\ntopics:\n  - Zoë\n",
        // duplicate keys: the first wins on both paths
        "title: first\ntitle: second\n",
        // not a mapping
        "- a\n- b\n",
        "just text\n",
        // invalid on both
        "title: T\n  bad: indent\n",
        "title: T\nexcerpt: a: b\n",
        "title: T\n- item\n",
    };
    for (const auto& d : docs) {
        EXPECT_EQ(compare_paths("---\n" + d + "---\nbody\n"), "") << d;
        EXPECT_EQ(compare_paths(replace_all("---\n" + d + "---\n", "\n", "\r\n")), "") << d;
        EXPECT_EQ(compare_trees(d), "") << d;
    }
}

namespace {

// A random document in (and around) the block subset the fast reader handles.
class DocGen {
  public:
    explicit DocGen(unsigned seed) : rng_(seed) {}
    std::string doc() { return pick(5) ? map(0, 0) : seq(0, 0); }

  private:
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
    template <class V>
    const std::string& one(const V& v) {
        return v[static_cast<std::size_t>(pick(static_cast<int>(v.size())))];
    }
    static std::string pad(int n) { return std::string(static_cast<std::size_t>(n), ' '); }

    std::string junk() {
        switch (pick(20)) {
            case 0:
                return "\n";
            case 1:
                return pad(pick(6)) + "# comment\n";
            case 2:
                return pad(pick(4)) + "\n";
            default:
                return "";
        }
    }
    std::string value(int ind, int depth) {
        const int r = pick(10);
        if (depth < 4 && r < 3) {
            const std::string after = pick(4) == 0 ? " # c" : "";
            switch (pick(5)) {
                case 0:
                    return after + "\n" + seq(ind, depth + 1);  // indentless
                case 1:
                    return after + "\n" + seq(ind + 2, depth + 1);
                case 2:
                    return after + "\n" + map(ind + 2, depth + 1);
                case 3:
                    return after + "\n" + map(ind + 1 + pick(4), depth + 1);
                default:
                    return "\n" + map(ind + (pick(2) ? 0 : 3), depth + 1);
            }
        }
        if (r == 3) return "\n";
        std::string v = " " + one(kValues);
        if (pick(6) == 0) v += " # trailing";
        if (pick(15) == 0) v = "  " + v;
        return v + "\n";
    }
    std::string map(int ind, int depth) {
        std::string s;
        const int n = 1 + pick(4);
        for (int i = 0; i < n; ++i) {
            s += junk();
            const int off = pick(25) == 0 ? (pick(2) ? 1 : -1) : 0;
            s += pad(std::max(0, ind + off)) + one(kKeys) + ":" + value(ind, depth);
        }
        return s;
    }
    std::string seq(int ind, int depth) {
        std::string s;
        const int n = 1 + pick(3);
        for (int i = 0; i < n; ++i) {
            s += junk();
            const int r = pick(6);
            if (r == 0 && depth < 4) {
                s += pad(ind) + "-\n" + map(ind + 2, depth + 1);
            } else if (r == 1 && depth < 4) {
                s += pad(ind) + "- " + one(kKeys) + ":" + value(ind + 2, depth + 1);
                if (pick(2)) s += map(ind + 2, depth + 1);
            } else if (r == 2 && depth < 4) {
                s += pad(ind) + "-\n" + seq(ind + 2, depth + 1);
            } else if (r == 3) {
                s += pad(ind) + "- ~\n";
            } else {
                s += pad(ind) + "-" + value(ind, 99);  // "-\n" is a null item
            }
        }
        return s;
    }

    std::mt19937 rng_;
    inline static const std::vector<std::string> kKeys = {
        "title", "excerpt", "webUrl",  "topics", "related",  "images", "provider", "quality", "a b",
        "k#x",   "-k",      "\"q k\"", "'s k'",  "\xC3\xBC", "a:b",    "k ",       "x"};
    // Excludes the "\N" and "\_" escapes (see ParserPaths.YamlLineBreakEscapes).
    inline static const std::vector<std::string> kValues = {"word",
                                                            "two words",
                                                            "-5",
                                                            ":foo",
                                                            "a, b",
                                                            "x #c",
                                                            "x#c",
                                                            "~",
                                                            "null",
                                                            "Null",
                                                            "NULL",
                                                            "nULL",
                                                            "true",
                                                            "'it''s'",
                                                            "\"q\\\"x\"",
                                                            "\"\\u00e9\"",
                                                            "\"a\\tb\"",
                                                            "'a # b'",
                                                            "\"a: b\"",
                                                            "'a: b'",
                                                            "http://x/y?z=1#f",
                                                            "a: b",
                                                            "\"unterminated",
                                                            "'x' y",
                                                            "\"x\"y",
                                                            "@x",
                                                            "`x",
                                                            "%x",
                                                            "!x",
                                                            "&x",
                                                            "*x",
                                                            "|",
                                                            ">",
                                                            "[1]",
                                                            "{a: 1}",
                                                            "- x",
                                                            "-",
                                                            "?x",
                                                            "? x",
                                                            "x:",
                                                            "x :y",
                                                            "\"\"",
                                                            "''",
                                                            "' '",
                                                            "\"#\"",
                                                            "\xC3\xA9",
                                                            "\xF0\x9F\x9A\x80",
                                                            "spaced  ",
                                                            "a\tb",
                                                            "1e3",
                                                            "0x1F",
                                                            "a ' b",
                                                            "a \" b",
                                                            "yes",
                                                            "~x",
                                                            "'a''",
                                                            "\"a\\\\\"",
                                                            "\"\\x41\"",
                                                            "\"\\U0001F600\"",
                                                            "\"\\0\"",
                                                            "'multi",
                                                            "\"\\/\"",
                                                            "a]",
                                                            "a}",
                                                            "a,",
                                                            "#",
                                                            "\"a\" #c",
                                                            "'a'#c",
                                                            ",x",
                                                            "]x",
                                                            "a -b",
                                                            "--",
                                                            "---x",
                                                            "...x",
                                                            "'\\'",
                                                            "\"\\'\"",
                                                            "2021-02-01",
                                                            "\"2021-02-01T21:37:00Z\""};
};

}  // namespace

TEST(ParserPaths, RandomDocumentsAgree) {
    int in_subset = 0;
    int failures = 0;
    // NEWS_PARSER_FUZZ_SEEDS=<n> runs a longer differential search.
    unsigned seeds = 3000;
    if (const char* env = std::getenv("NEWS_PARSER_FUZZ_SEEDS"))
        seeds = static_cast<unsigned>(std::atoi(env));
    for (unsigned seed = 0; seed < seeds && failures < 5; ++seed) {
        std::string d = DocGen(seed).doc();
        if (seed % 8 == 0) d = replace_all(d, "\n", "\r\n");
        if (news::yaml::read_simple(d)) ++in_subset;
        const std::string tree_diff = compare_trees(d);
        const std::string article_diff = compare_paths("---\n" + d + "---\n");
        if (!tree_diff.empty() || !article_diff.empty()) {
            ++failures;
            ADD_FAILURE() << "seed " << seed << ": " << tree_diff << " / " << article_diff
                          << "\n--- document ---\n"
                          << d;
        }
    }
    // The generator must actually exercise the fast reader.
    EXPECT_GT(in_subset, 500);
}

TEST(ParserPaths, YamlLineBreakEscapes) {
    // yaml-cpp 0.7 decodes the YAML escapes "\_" (U+00A0) and "\N" (U+0085) to the single raw
    // bytes 0xA0 / 0x85 (invalid UTF-8); the fast reader encodes them properly. The yaml-cpp
    // path must still yield valid UTF-8 (the bad bytes become U+FFFD), since anything outside
    // the fast subset (here the flow list `[x]`) is read by yaml-cpp.
    const std::string doc = "---\ntitle: \"a\\_b\\Nc\"\ntopics: [x]\n---\n";
    const std::string title_full = parse_md(doc).article.title;
    const std::string title_fast =
        parse_md("---\ntitle: \"a\\_b\\Nc\"\ntopics:\n  - x\n---\n").article.title;
    EXPECT_EQ(title_fast,
              "a\xC2\xA0"
              "b\xC2\x85"
              "c");
    EXPECT_TRUE(news::is_valid_utf8(title_full)) << title_full;
    EXPECT_EQ(title_full,
              "a\xEF\xBF\xBD"
              "b\xEF\xBF\xBD"
              "c");
}

TEST(ParserPaths, TabBeforeColonInKey) {
    // YAML allows tabs between a plain key and its colon: "title\t: Hello" is the key "title" on
    // both paths, not "title\t".
    const std::string doc = "---\ntitle\t: Hello\nexcerpt: e\n---\n";
    const std::string full =
        parse_article_text(doc, FileKind::FrontMatter, "f.md", "f.md", full_path()).article.title;
    EXPECT_EQ(full, "Hello");
    EXPECT_EQ(parse_md(doc).article.title, "Hello");
    EXPECT_EQ(compare_paths(doc), "");
}

TEST(ParserPaths, InvalidKeyStartsAreNotAccepted) {
    // Plain keys starting with the flow/reserved indicators ']' '}' ',' and (when indented) '%'
    // are invalid YAML (yaml-cpp: "illegal flow end" and the like). The fast reader must not
    // accept them: both paths reject the file, with the same error.
    for (const char* d : {"title: T\n]x: 1\n", "title: T\n}x: 1\n", "title: T\n,x: 1\n",
                          "title: T\nk:\n  %x: 1\n"}) {
        const std::string doc = std::string("---\n") + d + "---\n";
        EXPECT_EQ(compare_paths(doc), "") << d;
        expect_reject(doc);
    }
}

TEST(ParserPaths, NullListItemWarningLine) {
    // A bare "-" list item is null, and the warning about it points at the "-" line, whichever
    // reader ran (yaml-cpp marks such an item at the token after it, here the "- b" line).
    const std::string doc = "---\ntitle: T\ntopics:\n  - a\n  -\n  - b\n---\n";
    const ParsedFile fast = parse_md(doc);
    const Diagnostic* w = find_warning(fast, "topics");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->line, 5);
    EXPECT_EQ(w->column, 4);
    EXPECT_EQ(fast.article.topics, (std::vector<std::string>{"a", "b"}));
    const ParsedFile full =
        parse_article_text(doc, FileKind::FrontMatter, "posts/a.md", "posts/a.md", full_path());
    EXPECT_EQ(full.article.topics, fast.article.topics);
    const Diagnostic* v = find_warning(full, "topics");
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->line, 5);
    EXPECT_EQ(v->column, 4);
    // The same with comments and blank lines after the item, as the last item, in an unindented
    // list, with CRLF, and for related entries; the fast path's view also when only yaml-cpp
    // can read the file (an anchor elsewhere).
    const std::vector<std::pair<std::string, int>> docs = {
        {"---\ntitle: T\ntopics:\n  - a\n  -   # none\n\n  # more\n  - b\n---\n", 5},
        {"---\ntitle: T\ntopics:\n  - a\n  -\n---\n", 5},
        {"---\ntitle: T\ntopics:\n- a\n-\nquality: 3\n---\n", 5},
        {"---\r\ntitle: T\r\ntopics:\r\n  - a\r\n  -\r\n  - b\r\n---\r\n", 5},
        {"---\ntitle: T\nrelated:\n  - title: R\n    webUrl: https://e.com/r\n  -\n  - title: S\n"
         "    webUrl: https://e.com/s\n---\n",
         6},
    };
    for (const auto& [d, line] : docs) {
        EXPECT_EQ(compare_paths(d), "") << d;
        const ParsedFile p = parse_md(d);
        ASSERT_EQ(p.warnings.size(), 1u) << d;
        EXPECT_EQ(p.warnings[0].line, line) << d;
        const ParsedFile anchored = parse_md(replace_all(d, "title: T", "title: &t T"));
        ASSERT_EQ(anchored.warnings.size(), 1u) << d;
        EXPECT_EQ(anchored.warnings[0].to_string(), p.warnings[0].to_string()) << d;
    }
}

TEST(ParserPaths, FullPathAlsoHandlesTheQuirks) {
    // The same quirk checks as above, forced through yaml-cpp.
    const ParseOptions o = full_path();
    const Article a = parse_article_text(kSeed, FileKind::FrontMatter, "a.md", "a.md", o).article;
    EXPECT_EQ(a.related.size(), 3u);
    EXPECT_EQ(a.related[1].id,
              "https://www.reuters.com/article/russia-protests-tech/"
              "fears-raised-over-facial-recognition-use-at-moscow-protests-idUSL8N2KA54T");
    EXPECT_EQ(a.provider.images.size(), 1u);
    const ParseError e = [&] {
        try {
            parse_article_text("---\ntitle: ok\nexcerpt: ok\nbad: : :\n---\n",
                               FileKind::FrontMatter, "a.md", "a.md", o);
        } catch (const ParseError& err) {
            return err;
        }
        return ParseError("", -1, -1, "accepted");
    }();
    EXPECT_EQ(e.line(), 4);
}
