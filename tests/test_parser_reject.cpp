// Unit tests of the parser's rejections (ParseError with file, line and reason).
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "parser_helpers.hpp"
#include "test_util.hpp"
#include "text.hpp"

using namespace news::test::parser;

// ---- rejections ----------------------------------------------------------------------------

TEST(ParserReject, NoFrontMatter) {
    const ParseError e = expect_reject("title: x\n\nJust markdown.\n");
    EXPECT_EQ(e.line(), 1);
    EXPECT_NE(e.reason().find("no front matter"), std::string::npos) << e.reason();
    const ParseError e2 = expect_reject("\n\n# Heading\n---\ntitle: x\n---\n");
    EXPECT_EQ(e2.line(), 3);
    const ParseError e3 = expect_reject("");
    EXPECT_NE(e3.reason().find("no front matter"), std::string::npos) << e3.reason();
    // ParseError::what() is "file:line:column: reason" with unknown parts left out.
    EXPECT_EQ(std::string(e.what()), "dir/bad.md:1: " + e.reason());
}

TEST(ParserReject, UnclosedFrontMatter) {
    const ParseError e = expect_reject("\n---\ntitle: x\nexcerpt: y\n");
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(e.reason().find("not closed"), std::string::npos) << e.reason();
    // A closing marker must be alone on its line.
    expect_reject("---\ntitle: x\n--- trailing\n");
    expect_reject("---\ntitle: x\n----\n");
}

TEST(ParserReject, InvalidYamlPointsAtTheFileLine) {
    const std::string text =
        "---\n"          // 1
        "title: ok\n"    // 2
        "excerpt: ok\n"  // 3
        "bad: : :\n"     // 4
        "quality: 3\n"   // 5
        "---\n";
    const ParseError e = expect_reject(text);
    EXPECT_EQ(e.line(), 4);
    EXPECT_GT(e.column(), 0);
    EXPECT_NE(e.reason().find("invalid YAML"), std::string::npos) << e.reason();
    EXPECT_TRUE(std::string(e.what()).starts_with("dir/bad.md:4:")) << e.what();

    // Same error further down after blank lines and a BOM.
    const ParseError e2 = expect_reject("\xEF\xBB\xBF\n\n" + text);
    EXPECT_EQ(e2.line(), 6);

    // CRLF does not change line numbers.
    const ParseError e3 = expect_reject(replace_all(text, "\n", "\r\n"));
    EXPECT_EQ(e3.line(), 4);

    // In a data file there is no `---` line to account for.
    const ParseError e4 = expect_reject("title: ok\nbad: : :\n", FileKind::Data, "x.yaml");
    EXPECT_EQ(e4.line(), 2);
}

TEST(ParserReject, InvalidYamlOtherShapes) {
    // Unterminated flow sequence: reported at or after the line where it opens.
    const ParseError a = expect_reject("---\ntitle: ok\nexcerpt: [a, b\nquality: 3\n---\n");
    EXPECT_GE(a.line(), 3);
    EXPECT_LE(a.line(), 5);
    // Undefined alias.
    const ParseError b = expect_reject("---\ntitle: ok\nkey: *nosuch\n---\n");
    EXPECT_EQ(b.line(), 3);
    // A list item inside a mapping.
    const ParseError c = expect_reject("---\ntitle: ok\nexcerpt: ok\n- item\n---\n");
    EXPECT_EQ(c.line(), 4);
}

TEST(ParserReject, UnterminatedQuotedScalar) {
    // A quote that is never closed runs to the end of the front matter, swallowing the keys
    // after it: the file would silently lose its webUrl and be indexed under a path id (yaml-cpp
    // 0.7 accepts such a scalar when the text ends with a line break). It is rejected, at the
    // opening quote, whichever reader runs (the fast reader leaves it to yaml-cpp).
    ParseOptions full;
    full.yaml_fast_path = false;
    struct Case {
        std::string text;
        FileKind kind;
        int line, column;
        const char* reason;
    };
    const std::vector<Case> cases = {
        {"---\ntitle: ok\nexcerpt: \"unterminated\nwebUrl: https://example.com/x\n---\n",
         FileKind::FrontMatter, 3, 10, "unterminated double-quoted string"},
        {"---\r\ntitle: ok\r\nexcerpt: \"unterminated\r\nwebUrl: https://example.com/x\r\n---\r\n",
         FileKind::FrontMatter, 3, 10, "unterminated double-quoted string"},
        {"---\ntitle: ok\nexcerpt: 'it''s\nwebUrl: https://example.com/x\n---\n",
         FileKind::FrontMatter, 3, 10, "unterminated single-quoted string"},
        {"---\ntitle: ok\nexcerpt: \"ends in an escaped quote\\\"\nwebUrl: u\n---\n",
         FileKind::FrontMatter, 3, 10, "unterminated double-quoted string"},
        {"---\ntitle: ok\nexcerpt: !!str &a \"tagged\nwebUrl: u\n---\n", FileKind::FrontMatter, 3,
         19, "unterminated double-quoted string"},
        {"---\ntitle: ok\nprovider:\n  name: \"Reuters\n  domain: reuters.com\nwebUrl: u\n---\n",
         FileKind::FrontMatter, 4, 9, "unterminated double-quoted string"},
        {"---\ntitle: ok\ntopics:\n  - \"a\n  - b\n---\n", FileKind::FrontMatter, 4, 5,
         "unterminated double-quoted string"},
        // Data files, with and without a line break at the end (yaml-cpp reports the second at
        // the end of the file by itself), and after a BOM.
        {"title: ok\nexcerpt: \"x\nwebUrl: u\n", FileKind::Data, 2, 10,
         "unterminated double-quoted string"},
        {"title: ok\nexcerpt: \"x\nwebUrl: u", FileKind::Data, 2, 10,
         "unterminated double-quoted string"},
        {"\xEF\xBB\xBFtitle: ok\nexcerpt: 'x\nwebUrl: u\n", FileKind::Data, 2, 10,
         "unterminated single-quoted string"},
    };
    for (const Case& c : cases) {
        for (const ParseOptions& o : {ParseOptions{}, full}) {
            const ParseError e = expect_reject(c.text, c.kind, "dir/bad.md", o);
            EXPECT_EQ(e.line(), c.line) << c.text;
            EXPECT_EQ(e.column(), c.column) << c.text;
            EXPECT_NE(e.reason().find(c.reason), std::string::npos) << e.reason();
        }
    }
    // Closed quotes that span lines, and quotes inside plain and block scalars, are fine.
    const std::string ok =
        "---\ntitle: \"two\n  lines\"\nexcerpt: 'it''s\n  fine'\ncategory: \"a \\\" b\\\\\"\n"
        "originalUrl: it's\ntopics:\n  - \"x\"\n  - |\n    say \"hi\nwebUrl: "
        "https://example.com/x\n---\n";
    for (const ParseOptions& o : {ParseOptions{}, full}) {
        const Article a = parse_md(ok, o).article;
        EXPECT_EQ(a.title, "two lines");
        EXPECT_EQ(a.excerpt, "it's fine");
        EXPECT_EQ(a.category, "a \" b\\");
        EXPECT_EQ(a.original_url, "it's");
        EXPECT_EQ(a.topics, (std::vector<std::string>{"x", "say \"hi"}));
        EXPECT_EQ(a.web_url, "https://example.com/x");
    }
}

TEST(ParserReject, TopLevelList) {
    const ParseError e = expect_reject("---\n- a\n- b\n---\n");
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(e.reason().find("list"), std::string::npos) << e.reason();
}

TEST(ParserReject, TopLevelScalar) {
    const ParseError e = expect_reject("---\njust some text\n---\n");
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(e.reason().find("scalar"), std::string::npos) << e.reason();
}

TEST(ParserReject, EmptyFrontMatter) {
    for (const char* t :
         {"---\n---\n", "---\n\n\n---\nbody\n", "---\n# only a comment\n---\n", "---\n~\n---\n"}) {
        const ParseError e = expect_reject(t);
        EXPECT_EQ(e.line(), 2) << t;
        EXPECT_NE(e.reason().find("empty"), std::string::npos) << e.reason();
    }
}

TEST(ParserReject, NeitherTitleNorExcerpt) {
    for (const char* t : {"---\nwebUrl: https://example.com/x\n---\nBody only.\n",
                          "---\ntitle: \"\"\nexcerpt: \"   \"\n---\n", "---\ntitle:\n---\n",
                          "---\ntitle: [a, b]\n---\n"}) {
        const ParseError e = expect_reject(t);
        EXPECT_EQ(e.line(), 2) << t;
        EXPECT_NE(e.reason().find("neither a title nor an excerpt"), std::string::npos)
            << e.reason();
    }
    // Either one is enough.
    EXPECT_EQ(parse_md("---\nexcerpt: only an excerpt\n---\n").article.excerpt, "only an excerpt");
    EXPECT_EQ(parse_md("---\ntitle: only a title\n---\n").article.title, "only a title");
}

TEST(ParserReject, FileOverMaxBytes) {
    news::test::TempDir dir;
    const std::string content = md("excerpt: \"" + std::string(400, 'x') + "\"\n");
    const auto f = dir.write("big.md", content);
    ParseOptions opts;
    opts.max_file_bytes = 100;
    try {
        parse_article_file(f, "big.md", opts);
        FAIL() << "a file over max_file_bytes was accepted";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.file(), f.string());
        EXPECT_EQ(e.line(), 0);
        EXPECT_NE(e.reason().find("100"), std::string::npos) << e.reason();
    }
    // Exactly at the limit is fine; one byte less is not.
    opts.max_file_bytes = content.size();
    EXPECT_EQ(parse_article_file(f, "big.md", opts).article.title, "T");
    opts.max_file_bytes = content.size() - 1;
    EXPECT_THROW(parse_article_file(f, "big.md", opts), ParseError);
    // The text entry point applies the same limit.
    expect_reject(content, FileKind::FrontMatter, "dir/bad.md", opts);
    // A file bigger than the read buffer (64 KiB) and the limit.
    const auto g = dir.write("bigger.md", md("excerpt: \"" + std::string(200000, 'y') + "\"\n"));
    opts.max_file_bytes = 100000;
    EXPECT_THROW(parse_article_file(g, "bigger.md", opts), ParseError);
    opts.max_file_bytes = 300000;
    EXPECT_EQ(parse_article_file(g, "bigger.md", opts).article.excerpt.size(), 200000u);
}

TEST(ParserReject, MissingFile) {
    news::test::TempDir dir;
    const auto f = dir.path() / "nope.md";
    try {
        parse_article_file(f, "nope.md");
        FAIL() << "a missing file was accepted";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.file(), f.string());
        EXPECT_NE(e.reason().find("cannot open"), std::string::npos) << e.reason();
    }
}

TEST(ParserReject, NulByteIsBinary) {
    const std::string text = std::string("---\ntitle: a") + '\0' + "b\n---\n";
    ASSERT_EQ(text.size(), 19u);
    const ParseError e = expect_reject(text);
    EXPECT_NE(e.reason().find("binary"), std::string::npos) << e.reason();
    EXPECT_NE(e.reason().find("12"), std::string::npos) << e.reason();  // the offset
    // Also a NUL far into the body.
    expect_reject(md("", "body" + std::string(1, '\0')));
}

TEST(ParserReject, Utf16Bom) {
    const std::string le = std::string("\xFF\xFE-\0-\0-\0\n\0", 10);
    const ParseError e = expect_reject(le);
    EXPECT_NE(e.reason().find("UTF-16"), std::string::npos) << e.reason();
    const std::string be = std::string("\xFE\xFF\0-\0-\0-\0\n", 10);
    const ParseError e2 = expect_reject(be);
    EXPECT_NE(e2.reason().find("UTF-16"), std::string::npos) << e2.reason();
}

TEST(ParserReject, DeeplyNestedYaml) {
    for (char open : {'[', '{'}) {
        const ParseError e =
            expect_reject("---\ntitle: x\nv: " + std::string(5000, open) + "\n---\n");
        EXPECT_NE(e.reason().find("invalid YAML"), std::string::npos) << e.reason();
    }
    // Balanced but too deep.
    expect_reject("---\ntitle: x\nv: " + std::string(5000, '[') + std::string(5000, ']') +
                  "\n---\n");
    // Deep block sequences.
    std::string seqs;
    for (int i = 0; i < 5000; ++i) seqs += "- ";
    expect_reject("---\ntitle: x\nv:\n  " + seqs + "x\n---\n");
    // Deep block mappings (indentation only): rejected with a line in the file.
    std::string deep = "---\ntitle: x\n";
    for (int i = 0; i < 1000; ++i) deep += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
    deep += "---\n";
    const ParseError d = expect_reject(deep);
    EXPECT_GT(d.line(), 2);
    EXPECT_LE(d.line(), 1003);
    // 100 levels of block mappings are accepted (the deep part is simply not looked at).
    std::string ok = "---\ntitle: x\n";
    for (int i = 0; i < 100; ++i) ok += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
    ok += std::string(100, ' ') + "v\n---\n";
    EXPECT_EQ(parse_md(ok).article.title, "x");
    // Moderate nesting is fine.
    const Article a =
        parse_md("---\ntitle: x\nv: " + std::string(50, '[') + std::string(50, ']') + "\n---\n")
            .article;
    EXPECT_EQ(a.title, "x");
}

TEST(ParserReject, AliasBombFinishesQuickly) {
    // Billion laughs: 9 levels of 9 aliases each. Must neither expand nor crash; accepted
    // (with warnings) or rejected are both fine.
    std::string s =
        "---\ntitle: ok\na: &a "
        "[\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
    const std::string names = "abcdefghi";
    for (std::size_t i = 1; i < names.size(); ++i) {
        s += std::string(1, names[i]) + ": &" + names[i] + " [";
        for (int j = 0; j < 9; ++j) s += std::string(j ? "," : "") + "*" + names[i - 1];
        s += "]\n";
    }
    s += "topics: *i\nrelated: *i\nimages: *i\nexcerpt: *i\nfeaturedContent: *i\n"
         "provider: *i\npublishedDateTime: *i\nquality: *i\n---\n";
    try {
        const ParsedFile p = parse_md(s);
        EXPECT_EQ(p.article.title, "ok");
        EXPECT_TRUE(p.article.topics.empty());
        EXPECT_TRUE(p.article.related.empty());
        EXPECT_LE(p.warnings.size(), ParseOptions{}.max_warnings + 1);
    } catch (const ParseError& e) {
        SUCCEED() << e.what();
    }
}

TEST(ParserReject, SelfReferentialAliasDoesNotHang) {
    const std::string s =
        "---\ntitle: ok\ntopics: &a [*a]\nrelated: &b [*b]\nprovider: &c {name: *c}\n"
        "featuredContent: &d [*d]\nimages: &e [*e]\n---\n";
    try {
        const ParsedFile p = parse_md(s);
        EXPECT_EQ(p.article.title, "ok");
        EXPECT_TRUE(p.article.topics.empty());
    } catch (const ParseError& e) {
        SUCCEED() << e.what();
    }
}

TEST(ParserReject, TabsAsIndentation) {
    const ParseError e = expect_reject("---\ntitle: x\nprovider:\n\tname: y\n---\n");
    EXPECT_EQ(e.line(), 4);
    const ParseError e2 = expect_reject("---\ntitle: x\n\texcerpt: y\n---\n");
    EXPECT_EQ(e2.line(), 3);
    // A tab as separator after the colon is legal YAML.
    EXPECT_EQ(parse_md("---\ntitle:\tx\n---\n").article.title, "x");
}

TEST(ParserReject, InvalidUtf8AcceptedWithWarning) {
    const std::string text =
        "---\ntitle: \"Caf\xE9 \xC0\xAF ok\"\nexcerpt: \"\xED\xA0\x80\"\n"
        "topics: [\"\xFF\"]\n---\nbody \xF5 end\n";
    const ParsedFile p = parse_md(text);
    EXPECT_TRUE(has_warning(p, "UTF-8"));
    for (const auto& s : all_strings(p.article)) {
        EXPECT_TRUE(news::is_valid_utf8(s)) << s;
    }
    EXPECT_TRUE(p.article.title.starts_with("Caf")) << p.article.title;
    EXPECT_TRUE(p.article.title.ends_with(" ok")) << p.article.title;
    EXPECT_NE(p.article.title.find("\xEF\xBF\xBD"), std::string::npos);
    EXPECT_TRUE(p.article.body.starts_with("body ")) << p.article.body;
    EXPECT_TRUE(p.article.body.ends_with(" end")) << p.article.body;
    for (const auto& w : p.warnings) EXPECT_TRUE(news::is_valid_utf8(w.message));
}

TEST(ParserReject, DuplicateKeysDoNotCrash) {
    try {
        const ParsedFile p = parse_md("---\ntitle: a\ntitle: b\ntopics: [x]\ntopics: y\n---\n");
        EXPECT_TRUE(p.article.title == "a" || p.article.title == "b") << p.article.title;
    } catch (const ParseError& e) {
        EXPECT_FALSE(e.reason().empty());
    }
}

TEST(ParserReject, ControlCharactersDoNotCrash) {
    // Lone CRs, form feeds, escape and other C0 controls anywhere in the front matter.
    for (const std::string& t :
         {std::string("---\ntitle: a\rb\n---\n"),
          std::string("---\ntitle: \"a\x1b[31mred\"\n---\n"),
          std::string("---\ntitle: x\n\x0c\n---\n"), std::string("---\r---\r"),
          std::string("---\ntitle: \"\\u0000\"\nexcerpt: e\n---\n")}) {
        try {
            const ParsedFile p = parse_md(t);
            for (const auto& s : all_strings(p.article)) EXPECT_TRUE(news::is_valid_utf8(s));
        } catch (const ParseError& e) {
            EXPECT_FALSE(e.reason().empty());
        }
    }
}
