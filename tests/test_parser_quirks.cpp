// Unit tests of the parser on the quirks of real files and the warnings it gives.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "parser_helpers.hpp"

using namespace news::test::parser;

// ---- quirks --------------------------------------------------------------------------------

TEST(ParserQuirks, Utf8Bom) {
    const ParsedFile p = parse_md("\xEF\xBB\xBF" + md("excerpt: e\n", "Body"));
    EXPECT_EQ(p.article.title, "T");
    EXPECT_EQ(p.article.body, "Body");
    EXPECT_TRUE(p.warnings.empty());
}

TEST(ParserQuirks, CrlfLineEndings) {
    const std::string crlf = replace_all(kSeed + "\nBody line 1\nBody line 2\n", "\n", "\r\n");
    const ParsedFile p = parse_md(crlf);
    const Article& a = p.article;
    EXPECT_TRUE(p.warnings.empty());
    EXPECT_EQ(a.title, "Facial Recognition Tech May Be Being Used Against Russian Protestors");
    EXPECT_EQ(a.category, "news");
    EXPECT_EQ(a.type, "article");
    EXPECT_EQ(a.published, 1612215420);
    EXPECT_EQ(a.quality, 74.0);
    EXPECT_EQ(a.topics, (std::vector<std::string>{"Computer Vision", "AI"}));
    EXPECT_EQ(a.provider.domain, "coindesk.com");
    ASSERT_EQ(a.related.size(), 3u);
    EXPECT_EQ(a.related[2].provider.name, "Biometric Companies");
    EXPECT_TRUE(a.body.starts_with("Body line 1"));
    EXPECT_TRUE(a.body.ends_with("Body line 2"));
    for (const auto& s : all_strings(a)) {
        // No string except the body (which keeps its own line ends inside) holds a CR.
        if (s.starts_with("Body line 1")) continue;
        EXPECT_EQ(s.find('\r'), std::string::npos) << s;
    }
}

TEST(ParserQuirks, CrlfWarningLinesAreFileLines) {
    const std::string crlf = "---\r\ntitle: x\r\nexcerpt: y\r\nquality: high\r\n---\r\n";
    const ParsedFile p = parse_md(crlf);
    const Diagnostic* w = find_warning(p, "quality");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->line, 4);
}

TEST(ParserQuirks, DateWithOffset) {
    const Article a = parse_md(md("publishedDateTime: 2021-08-27T07:38:00-07:00\n")).article;
    ASSERT_TRUE(a.published.has_value());
    EXPECT_EQ(news::format_iso8601(*a.published), "2021-08-27T14:38:00Z");
    const Article q = parse_md(md("publishedDateTime: \"2021-08-27T20:08:00+0530\"\n")).article;
    EXPECT_EQ(q.published, a.published);
}

TEST(ParserQuirks, FractionalSecondsAndDateOnly) {
    const Article f = parse_md(md("publishedDateTime: 2021-02-01T21:37:00.123Z\n")).article;
    EXPECT_EQ(f.published, 1612215420);
    const Article d = parse_md(md("publishedDateTime: 2021-02-01\n")).article;
    ASSERT_TRUE(d.published.has_value());
    EXPECT_EQ(news::format_iso8601(*d.published), "2021-02-01T00:00:00Z");
    const Article s = parse_md(md("publishedDateTime: \" 2021-02-01 21:37:00 \"\n")).article;
    EXPECT_EQ(s.published, 1612215420);
}

TEST(ParserQuirks, IdFallsBackToOriginalUrlThenPath) {
    const Article o = parse_md(md("originalUrl: \"HTTPS://Example.COM/Orig#x\"\n")).article;
    EXPECT_EQ(o.id, "https://example.com/Orig");
    EXPECT_EQ(o.original_url, "HTTPS://Example.COM/Orig#x");
    EXPECT_EQ(o.web_url, "");

    const Article e =
        parse_md(md("webUrl: \"\"\noriginalUrl: \"https://example.com/orig\"\n")).article;
    EXPECT_EQ(e.id, "https://example.com/orig");
    const Article n = parse_md(md("webUrl:\noriginalUrl: \"https://example.com/orig\"\n")).article;
    EXPECT_EQ(n.id, "https://example.com/orig");

    const ParsedFile p = parse_article_text(md("excerpt: e\n"), FileKind::FrontMatter,
                                            "/abs/x/Posts/B.md", "Posts/B.md");
    EXPECT_EQ(p.article.id, "Posts/B.md");
    EXPECT_EQ(p.article.path, "Posts/B.md");

    const Article w = parse_md(md("webUrl: \" https://Example.com/W \"\noriginalUrl: "
                                  "\"https://example.com/orig\"\n"))
                          .article;
    EXPECT_EQ(w.id, "https://example.com/W");
    EXPECT_EQ(w.web_url, "https://Example.com/W");  // trimmed, otherwise as written
}

TEST(ParserQuirks, RemovedFeaturedAndVideo) {
    const Article a = parse_md(md("removed: true\nfeaturedContent: true\ntype: video\n")).article;
    EXPECT_TRUE(a.removed);
    EXPECT_TRUE(a.featured);
    EXPECT_EQ(a.type, "video");
    EXPECT_EQ(parse_md(md("type: Video\n")).article.type, "video");

    const Article b = parse_md(md("removed: false\nfeaturedContent: false\n")).article;
    EXPECT_FALSE(b.removed);
    EXPECT_FALSE(b.featured);
    // featuredContent: present and not false/empty.
    EXPECT_TRUE(parse_md(md("featuredContent: {kind: banner}\n")).article.featured);
    EXPECT_TRUE(parse_md(md("featuredContent: [a]\n")).article.featured);
    EXPECT_TRUE(parse_md(md("featuredContent: \"homepage\"\n")).article.featured);
    EXPECT_FALSE(parse_md(md("featuredContent: \"\"\n")).article.featured);
    EXPECT_FALSE(parse_md(md("featuredContent: []\n")).article.featured);
    EXPECT_FALSE(parse_md(md("featuredContent: {}\n")).article.featured);
    EXPECT_FALSE(parse_md(md("featuredContent:\n")).article.featured);
    EXPECT_FALSE(parse_md(md("")).article.featured);
    EXPECT_FALSE(parse_md(md("")).article.removed);
}

TEST(ParserQuirks, PublishedFlag) {
    EXPECT_EQ(parse_md(md("published: true\n")).article.published_flag, true);
    EXPECT_EQ(parse_md(md("published: false\n")).article.published_flag, false);
    EXPECT_EQ(parse_md(md("")).article.published_flag, std::nullopt);
    const ParsedFile p = parse_md(md("published: maybe\n"));
    EXPECT_EQ(p.article.published_flag, std::nullopt);
    EXPECT_TRUE(has_warning(p, "published"));
}

TEST(ParserQuirks, UnicodeTitlesIntact) {
    const std::string cjk = "日本語のニュース：顔認識技術";
    const std::string emoji = "🚀 Launch day 🎉 👩‍💻";
    const std::string accents = "Café Müller — señor Zoë Ångström";
    const Article a = parse_md("---\ntitle: \"" + cjk + "\"\nexcerpt: " + emoji +
                               "\ntopics:\n  - " + accents + "\n  - 中文\n---\n" + emoji + "\n")
                          .article;
    EXPECT_EQ(a.title, cjk);
    EXPECT_EQ(a.excerpt, emoji);
    EXPECT_EQ(a.topics, (std::vector<std::string>{accents, "中文"}));
    EXPECT_EQ(a.body, emoji);
    const Article b = parse_md("---\ntitle: " + accents + "\n---\n").article;
    EXPECT_EQ(b.title, accents);
}

TEST(ParserQuirks, SingleScalarTopic) {
    const Article a = parse_md(md("topics: AI\n")).article;
    EXPECT_EQ(a.topics, (std::vector<std::string>{"AI"}));
}

TEST(ParserQuirks, TopicsDeduplicatedCaseInsensitively) {
    const Article a = parse_md(md("topics: [AI, ai, Robots, \"\", AI ]\n")).article;
    EXPECT_EQ(a.topics, (std::vector<std::string>{"AI", "Robots"}));
}

TEST(ParserQuirks, QualityAsNumericString) {
    const ParsedFile p = parse_md(md("quality: \"74\"\nheat: \" 3.5 \"\n"));
    EXPECT_EQ(p.article.quality, 74.0);
    EXPECT_EQ(p.article.heat, 3.5);
    EXPECT_TRUE(p.warnings.empty());
}

TEST(ParserQuirks, HtmlEntitiesDecoded) {
    const Article a = parse_md(md("excerpt: \"AT&amp;T&nbsp;said it&#8217;s &lt;fine&gt;\"\n"
                                  "provider:\n  name: \"Ben &amp; Jerry&#x2019;s\"\n"
                                  "topics: [\"R&amp;D\"]\n"))
                          .article;
    EXPECT_EQ(a.excerpt, "AT&T said it\xE2\x80\x99s <fine>");
    EXPECT_EQ(a.provider.name, "Ben & Jerry\xE2\x80\x99s");
    EXPECT_EQ(a.topics, (std::vector<std::string>{"R&D"}));
    EXPECT_EQ(parse_md("---\ntitle: \"Q&amp;A\"\n---\n").article.title, "Q&A");
}

TEST(ParserQuirks, Html5NamedEntitiesDecoded) {
    const Article a = parse_md(
                          "---\ntitle: \"Espa&ntilde;a &amp; the Fran&ccedil;ais &hellip;\"\n"
                          "excerpt: \"M&aacute;s &copy 2024\"\n---\n")
                          .article;
    EXPECT_EQ(a.title,
              "Espa\xC3\xB1"
              "a & the Fran\xC3\xA7"
              "ais \xE2\x80\xA6");
    EXPECT_EQ(a.excerpt, "M\xC3\xA1s &copy 2024");  // no ';': left as written
}

TEST(ParserQuirks, EntityOnlyTitleCountsAsEmpty) {
    // clean_text() decodes entities before trimming, so `&nbsp;` around a title/excerpt does not
    // survive as a space, and a title of just "&nbsp;" is empty: with no excerpt either, the
    // file is rejected.
    EXPECT_EQ(parse_md("---\ntitle: \"&nbsp;Hello&nbsp;\"\n---\n").article.title, "Hello");
    expect_reject("---\ntitle: \"&nbsp;\"\n---\n");
}

TEST(ParserQuirks, BodyAfterFrontMatterKept) {
    const std::string body = "# Heading\n\nParagraph with *markdown*.\n\n---\n\nAfter a rule.";
    const Article a = parse_md(md("excerpt: e\n", "\n" + body + "\n\n")).article;
    EXPECT_EQ(a.body, body);
}

TEST(ParserQuirks, NoNewlineAfterClosingLine) {
    const Article a = parse_md("---\ntitle: x\n---").article;
    EXPECT_EQ(a.title, "x");
    EXPECT_EQ(a.body, "");
}

TEST(ParserQuirks, DotsAsClosingLine) {
    const Article a = parse_md("---\ntitle: x\nexcerpt: y\n...\nThe body.\n").article;
    EXPECT_EQ(a.title, "x");
    EXPECT_EQ(a.excerpt, "y");
    EXPECT_EQ(a.body, "The body.");
}

TEST(ParserQuirks, ClosingLineWithTrailingSpaceAndLeadingBlankLines) {
    const Article a = parse_md("\n\n---  \ntitle: x\n---   \t\nbody\n").article;
    EXPECT_EQ(a.title, "x");
    EXPECT_EQ(a.body, "body");
}

TEST(ParserQuirks, IndentedDashesInsideBlockScalarDoNotClose) {
    const Article a =
        parse_md("---\ntitle: x\nexcerpt: |\n  line one\n  ---\n  line two\n---\nB\n").article;
    EXPECT_EQ(a.excerpt, "line one\n---\nline two");
    EXPECT_EQ(a.body, "B");
}

TEST(ParserQuirks, UnknownKeysIgnored) {
    const ParsedFile p =
        parse_md(md("fooBar: {nested: [1, 2, {deep: true}]}\nx-custom: 7\n"
                    "Title: \"Not the title\"\nexcerpt: e\n"));
    EXPECT_EQ(p.article.title, "T");
    EXPECT_EQ(p.article.excerpt, "e");
    for (const auto& s : all_strings(p.article)) {
        EXPECT_EQ(s.find("Not the title"), std::string::npos);
    }
}

TEST(ParserQuirks, ProviderAsScalar) {
    const Article a = parse_md(md("provider: \" Reuters \"\n")).article;
    EXPECT_EQ(a.provider.name, "Reuters");
    EXPECT_EQ(a.provider.domain, "");
}

TEST(ParserQuirks, ProviderDomainLowerCased) {
    EXPECT_EQ(parse_md(md("provider:\n  name: X\n  domain: \" CoinDesk.COM \"\n"))
                  .article.provider.domain,
              "coindesk.com");
}

TEST(ParserQuirks, CategoryLowerCased) {
    EXPECT_EQ(parse_md(md("category: \" News \"\n")).article.category, "news");
}

TEST(ParserQuirks, ImagesWithoutUrlDroppedAndBadFieldsWarned) {
    const ParsedFile p =
        parse_md(md("images:\n"
                    "  - url: \"https://x/1.jpg\"\n"
                    "    width: wide\n"
                    "  - width: 10\n"
                    "  - just-a-string\n"
                    "  - url: \"https://x/2.jpg\"\n"
                    "    isCached: yes\n"));
    ASSERT_EQ(p.article.images.size(), 2u);
    EXPECT_EQ(p.article.images[0].url, "https://x/1.jpg");
    EXPECT_EQ(p.article.images[0].width, std::nullopt);
    EXPECT_EQ(p.article.images[0].is_cached, std::nullopt);
    EXPECT_EQ(p.article.images[1].url, "https://x/2.jpg");
    EXPECT_EQ(p.article.images[1].is_cached, true);
    EXPECT_TRUE(has_warning(p, "width"));
    EXPECT_TRUE(has_warning(p, "images[2]"));
}

TEST(ParserQuirks, ImagesCapped) {
    std::string imgs = "images:\n";
    for (int i = 0; i < 6; ++i) imgs += "  - url: \"https://x/" + std::to_string(i) + ".jpg\"\n";
    ParseOptions opts;
    opts.max_images = 4;
    const ParsedFile p = parse_md(md(imgs), opts);
    EXPECT_EQ(p.article.images.size(), 4u);
    EXPECT_TRUE(has_warning(p, "images"));
}

// ---- warnings ------------------------------------------------------------------------------

TEST(ParserWarnings, UnparseableDateNamesFileAndLine) {
    const std::string text =
        "---\n"                              // 1
        "title: x\n"                         // 2
        "excerpt: y\n"                       // 3
        "publishedDateTime: last Tuesday\n"  // 4
        "---\n";
    const ParsedFile p = parse_article_text(text, FileKind::FrontMatter, "news/x.md", "x.md");
    EXPECT_EQ(p.article.published, std::nullopt);
    EXPECT_EQ(p.article.title, "x");  // kept
    const Diagnostic* w = find_warning(p, "publishedDateTime");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->file, "news/x.md");
    EXPECT_EQ(w->line, 4);
    EXPECT_GT(w->column, 0);
    EXPECT_NE(w->message.find("last Tuesday"), std::string::npos) << w->message;
    EXPECT_TRUE(w->to_string().starts_with("news/x.md:4:")) << w->to_string();
}

TEST(ParserWarnings, LineAccountsForBlankLinesAndBom) {
    const std::string text =
        "\xEF\xBB\xBF\n"                   // 1 (BOM + blank)
        "\n"                               // 2
        "---\n"                            // 3
        "title: x\n"                       // 4
        "publishedDateTime: 2021-02-30\n"  // 5
        "---\n";
    const ParsedFile p = parse_md(text);
    const Diagnostic* w = find_warning(p, "publishedDateTime");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->line, 5);
    EXPECT_EQ(p.article.published, std::nullopt);
}

TEST(ParserWarnings, ImpossibleDateAndNonScalarDate) {
    const ParsedFile p = parse_md(md("publishedDateTime: [2021, 2, 1]\n"));
    EXPECT_EQ(p.article.published, std::nullopt);
    EXPECT_TRUE(has_warning(p, "publishedDateTime"));
}

TEST(ParserWarnings, NonNumericQualityIsUnset) {
    for (const char* q : {"high", "\"74%\"", "nan", "1e400", "[74]", "{a: 1}", "\"\""}) {
        const ParsedFile p = parse_md(md(std::string("quality: ") + q + "\n"));
        EXPECT_EQ(p.article.quality, std::nullopt) << q;
        const Diagnostic* w = find_warning(p, "quality");
        ASSERT_NE(w, nullptr) << q;
        EXPECT_EQ(w->line, 3) << q;
        EXPECT_EQ(w->file, "posts/a.md");
    }
    // Absent or null: unset without a warning.
    EXPECT_TRUE(parse_md(md("quality:\n")).warnings.empty());
    EXPECT_EQ(parse_md(md("quality: ~\n")).article.quality, std::nullopt);
}

TEST(ParserWarnings, WrongShapesAreWarnedNotFatal) {
    const ParsedFile p =
        parse_md(md("excerpt: [a, b]\nprovider: [x]\ntopics: {a: b}\n"
                    "related: \"nope\"\nimages: 5\n"));
    EXPECT_EQ(p.article.title, "T");
    EXPECT_EQ(p.article.excerpt, "");
    EXPECT_TRUE(p.article.topics.empty());
    EXPECT_TRUE(p.article.related.empty());
    EXPECT_TRUE(p.article.images.empty());
    EXPECT_TRUE(has_warning(p, "excerpt"));
    EXPECT_TRUE(has_warning(p, "provider"));
    EXPECT_TRUE(has_warning(p, "topics"));
    EXPECT_TRUE(has_warning(p, "related"));
    EXPECT_TRUE(has_warning(p, "images"));
}

TEST(ParserWarnings, WarningsCappedWithASummary) {
    std::string imgs = "images:\n";
    for (int i = 0; i < 10; ++i)
        imgs += "  - url: \"https://x/" + std::to_string(i) + "\"\n    width: w\n";
    ParseOptions opts;
    opts.max_warnings = 3;
    const ParsedFile p = parse_md(md(imgs), opts);
    ASSERT_EQ(p.warnings.size(), 4u);
    EXPECT_NE(p.warnings.back().message.find("7 more"), std::string::npos)
        << p.warnings.back().message;
    EXPECT_EQ(p.article.images.size(), 10u);
}
