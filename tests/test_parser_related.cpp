// Unit tests of the parser's related entries: caps, duplicates, self links.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parser_helpers.hpp"

using namespace news::test::parser;

// ---- related -------------------------------------------------------------------------------

namespace {

std::string related_entry(const std::string& url, const std::string& title = "R") {
    return "  - title: \"" + title + "\"\n    webUrl: \"" + url + "\"\n";
}

}  // namespace

TEST(ParserRelated, CappedAtMaxRelated) {
    std::string rel = "related:\n";
    for (int i = 0; i < 5; ++i) rel += related_entry("https://example.com/r" + std::to_string(i));
    ParseOptions opts;
    opts.max_related = 3;
    const ParsedFile p = parse_md(md(rel), opts);
    ASSERT_EQ(p.article.related.size(), 3u);
    EXPECT_EQ(p.article.related[2].id, "https://example.com/r2");
    EXPECT_TRUE(has_warning(p, "related"));
    // Exactly at the cap: all kept, no warning.
    opts.max_related = 5;
    const ParsedFile q = parse_md(md(rel), opts);
    EXPECT_EQ(q.article.related.size(), 5u);
    EXPECT_FALSE(has_warning(q, "related"));
}

TEST(ParserRelated, TopicsCapped) {
    ParseOptions opts;
    opts.max_topics = 3;
    const ParsedFile p = parse_md(md("topics: [a, b, c, d, e]\n"), opts);
    EXPECT_EQ(p.article.topics, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_TRUE(has_warning(p, "topics"));
    const ParsedFile q = parse_md(md("topics: [a, b, c]\n"), opts);
    EXPECT_EQ(q.article.topics.size(), 3u);
    EXPECT_TRUE(q.warnings.empty());
}

TEST(ParserRelated, DuplicatesAndSelfLinksDropped) {
    const std::string self = "https://example.com/self";
    const std::string rel = "related:\n" + related_entry("https://example.com/a", "first") +
                            related_entry("HTTPS://EXAMPLE.COM/a#dup", "second") +
                            related_entry("https://Example.com/self#x", "self") +
                            related_entry("https://example.com/b", "b") +
                            related_entry("https://example.com/a", "third");
    const Article a = parse_md(md("webUrl: \"" + self + "\"\n" + rel)).article;
    ASSERT_EQ(a.related.size(), 2u);
    EXPECT_EQ(a.related[0].id, "https://example.com/a");
    EXPECT_EQ(a.related[0].title, "first");
    EXPECT_EQ(a.related[1].id, "https://example.com/b");
}

TEST(ParserRelated, SelfLinkViaOriginalUrlId) {
    const Article a = parse_md(md("originalUrl: \"https://example.com/orig\"\nrelated:\n" +
                                  related_entry("https://example.com/orig") +
                                  related_entry("https://example.com/other")))
                          .article;
    ASSERT_EQ(a.related.size(), 1u);
    EXPECT_EQ(a.related[0].id, "https://example.com/other");
}

TEST(ParserRelated, EntriesWithoutWebUrlOrNotMappingsDropped) {
    const ParsedFile p = parse_md(md("related:\n  - title: no url\n  - just text\n" +
                                     related_entry("https://example.com/ok")));
    ASSERT_EQ(p.article.related.size(), 1u);
    EXPECT_EQ(p.article.related[0].id, "https://example.com/ok");
    EXPECT_TRUE(has_warning(p, "related[0]"));
    EXPECT_TRUE(has_warning(p, "related[1]"));
}

TEST(ParserRelated, DuplicatesDoNotCountTowardsTheCap) {
    ParseOptions opts;
    opts.max_related = 2;
    const std::string rel = "related:\n" + related_entry("https://example.com/a") +
                            related_entry("https://example.com/a") +
                            related_entry("https://example.com/b");
    const ParsedFile p = parse_md(md(rel), opts);
    ASSERT_EQ(p.article.related.size(), 2u);
    EXPECT_EQ(p.article.related[1].id, "https://example.com/b");
}
