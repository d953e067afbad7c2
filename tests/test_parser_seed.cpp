// Unit tests of the parser on the seed article's structure and on data files.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parser_helpers.hpp"
#include "test_util.hpp"

using namespace news::test::parser;

// ---- the seed's structure ------------------------------------------------------------------

TEST(ParserSeed, TopLevelFields) {
    const ParsedFile p = parse_md(kSeed);
    const Article& a = p.article;
    EXPECT_TRUE(p.warnings.empty()) << p.warnings.front().to_string();
    EXPECT_EQ(a.category, "news");
    EXPECT_EQ(a.title, "Facial Recognition Tech May Be Being Used Against Russian Protestors");
    EXPECT_EQ(a.excerpt,
              "Navalny protests using facial recognition tools, detainees claim. As massive "
              "protests sweep across the nation, activists fear Russia has been deploying facial "
              "recognition technology to clamp down on dissent.");
    ASSERT_TRUE(a.published.has_value());
    EXPECT_EQ(*a.published, 1612215420);  // 2021-02-01T21:37:00Z
    EXPECT_EQ(a.original_url, "https://www.coindesk.com/street-cameras-arrest-protesters-moscow");
    EXPECT_EQ(a.web_url, "https://www.coindesk.com/street-cameras-arrest-protesters-moscow");
    EXPECT_EQ(a.amp_web_url,
              "https://www.coindesk.com/street-cameras-arrest-protesters-moscow?amp=1");
    EXPECT_EQ(a.cdn_amp_web_url,
              "https://www-coindesk-com.cdn.ampproject.org/c/s/www.coindesk.com/"
              "street-cameras-arrest-protesters-moscow?amp=1");
    EXPECT_EQ(a.id, "https://www.coindesk.com/street-cameras-arrest-protesters-moscow");
    EXPECT_EQ(a.path, "posts/a.md");
    EXPECT_EQ(a.type, "article");
    ASSERT_TRUE(a.quality.has_value());
    EXPECT_DOUBLE_EQ(*a.quality, 74.0);
    ASSERT_TRUE(a.heat.has_value());
    EXPECT_DOUBLE_EQ(*a.heat, -1.0);
    ASSERT_TRUE(a.published_flag.has_value());
    EXPECT_FALSE(*a.published_flag);
    EXPECT_FALSE(a.removed);
    EXPECT_FALSE(a.featured);
    EXPECT_EQ(a.body, "");
    EXPECT_EQ(a.source, "");  // set by the indexer, not the parser
}

TEST(ParserSeed, ProviderTopicsImages) {
    const Article a = parse_md(kSeed).article;
    EXPECT_EQ(a.provider.name, "CoinDesk");
    EXPECT_EQ(a.provider.domain, "coindesk.com");
    ASSERT_EQ(a.provider.images.size(), 1u);
    EXPECT_EQ(a.provider.images[0].url, "https://static.coindesk.com/logo.png");
    EXPECT_EQ(a.provider.images[0].width, 64);
    EXPECT_EQ(a.provider.images[0].height, 32);
    EXPECT_EQ(a.provider.images[0].is_cached, false);

    EXPECT_EQ(a.topics, (std::vector<std::string>{"Computer Vision", "AI"}));

    ASSERT_EQ(a.images.size(), 1u);
    EXPECT_EQ(a.images[0].url,
              "https://static.coindesk.com/wp-content/uploads/2021/02/"
              "GettyImages-1024092068-1200x628.jpg");
    EXPECT_EQ(a.images[0].width, 1200);
    EXPECT_EQ(a.images[0].height, 628);
    EXPECT_EQ(a.images[0].is_cached, true);
}

TEST(ParserSeed, RelatedEntries) {
    const Article a = parse_md(kSeed).article;
    ASSERT_EQ(a.related.size(), 3u);

    const auto& v = a.related[0];
    EXPECT_EQ(v.title, "How Normal People Deployed Facial Recognition on Capitol Hill Protesters");
    EXPECT_EQ(v.excerpt,
              "Facial recognition is now freely accessible to random people on Twitter using a "
              "Polish website called Pimeyes.");
    EXPECT_EQ(v.published, at("2021-02-02T17:21:00Z"));
    EXPECT_EQ(v.web_url,
              "https://www.vice.com/en/article/4ad5k3/"
              "how-normal-people-deployed-facial-recognition-on-capitol-hill-protesters");
    EXPECT_EQ(v.id, v.web_url);
    EXPECT_EQ(v.amp_web_url,
              "https://www.vice.com/amp/en/article/4ad5k3/"
              "how-normal-people-deployed-facial-recognition-on-capitol-hill-protesters");
    EXPECT_EQ(v.cdn_amp_web_url,
              "https://www-vice-com.cdn.ampproject.org/c/s/www.vice.com/amp/en/article/4ad5k3/"
              "how-normal-people-deployed-facial-recognition-on-capitol-hill-protesters");
    EXPECT_EQ(v.type, "article");
    EXPECT_EQ(v.provider.name, "VICE");
    EXPECT_EQ(v.provider.domain, "vice.com");
    EXPECT_EQ(v.quality, 88.0);
    ASSERT_EQ(v.images.size(), 1u);
    EXPECT_EQ(v.images[0].url,
              "https://video-images.vice.com/articles/601989938019b80095f88ce7/lede/"
              "1612286477494-gettyimages-1230453278.jpeg?crop=1xw:0.8429xh;0xw,0.1571xh");
    EXPECT_EQ(v.images[0].width, 5128);
    EXPECT_EQ(v.images[0].height, 2881);
    EXPECT_EQ(v.images[0].is_cached, true);

    const auto& r = a.related[1];
    EXPECT_EQ(r.title, "Fears raised over facial recognition use at Moscow protests");
    EXPECT_EQ(r.published, at("2021-02-04T17:45:00Z"));
    // web_url as written; id normalised (scheme+host lower-cased, fragment dropped).
    EXPECT_EQ(r.web_url,
              "HTTPS://WWW.Reuters.com/article/russia-protests-tech/"
              "fears-raised-over-facial-recognition-use-at-moscow-protests-idUSL8N2KA54T#comments");
    EXPECT_EQ(r.id,
              "https://www.reuters.com/article/russia-protests-tech/"
              "fears-raised-over-facial-recognition-use-at-moscow-protests-idUSL8N2KA54T");
    EXPECT_EQ(r.amp_web_url, "https://mobile.reuters.com/article/amp/idUSL8N2KA54T");
    EXPECT_EQ(r.provider.name, "Reuters");
    EXPECT_EQ(r.provider.domain, "reuters.com");
    EXPECT_EQ(r.quality, 84.0);
    EXPECT_TRUE(r.images.empty());

    const auto& b = a.related[2];
    EXPECT_EQ(b.title,
              "Short Amazon\xE2\x80\x99s facial recognition ban. Go long on selling Rekognition "
              "to cops again");
    EXPECT_EQ(b.published, at("2021-02-04T19:11:00Z"));
    EXPECT_TRUE(b.amp_web_url.empty());
    EXPECT_TRUE(b.cdn_amp_web_url.empty());
    EXPECT_EQ(b.provider.name, "Biometric Companies");
    EXPECT_EQ(b.provider.domain, "biometricupdate.com");
    EXPECT_EQ(b.quality, 65.0);
    ASSERT_EQ(b.images.size(), 1u);
    EXPECT_EQ(b.images[0].width, 810);
    EXPECT_EQ(b.images[0].height, 405);
}

TEST(ParserSeed, SecuredIsNotKeptAnywhere) {
    const Article a = parse_md(kSeed + "\nSome body text.\n").article;
    EXPECT_EQ(a.body, "Some body text.");
    for (const auto& s : all_strings(a)) {
        EXPECT_EQ(s.find("9C04wwEc5rU12Bu3x"), std::string::npos) << s;
        EXPECT_EQ(s.find("NUDUMEn30"), std::string::npos) << s;
    }
}

TEST(ParserSeed, TheSameArticleAsDataFile) {
    // The seed's front matter, as a .yaml file (one mapping, no `---` lines).
    std::string yaml = kSeed.substr(4);          // drop the opening "---\n"
    yaml = yaml.substr(0, yaml.rfind("---\n"));  // and the closing one
    news::test::TempDir dir;
    const auto file = dir.write("seed.yaml", yaml);
    const ParsedFile p = parse_article_file(file, "seed.yaml");
    EXPECT_TRUE(p.warnings.empty());
    const Article md_article = parse_md(kSeed).article;
    EXPECT_EQ(p.article.title, md_article.title);
    EXPECT_EQ(p.article.id, md_article.id);
    EXPECT_EQ(p.article.published, md_article.published);
    EXPECT_EQ(p.article.topics, md_article.topics);
    EXPECT_EQ(p.article.related.size(), md_article.related.size());
    EXPECT_EQ(p.article.path, "seed.yaml");
}

// ---- data files ----------------------------------------------------------------------------

TEST(ParserData, FileKinds) {
    EXPECT_EQ(news::file_kind("a.md"), FileKind::FrontMatter);
    EXPECT_EQ(news::file_kind("dir/A.MD"), FileKind::FrontMatter);
    EXPECT_EQ(news::file_kind("a.markdown"), FileKind::FrontMatter);
    EXPECT_EQ(news::file_kind("a.txt"), FileKind::FrontMatter);
    EXPECT_EQ(news::file_kind("a.html"), FileKind::FrontMatter);
    EXPECT_EQ(news::file_kind("a.yaml"), FileKind::Data);
    EXPECT_EQ(news::file_kind("a.YML"), FileKind::Data);
    EXPECT_EQ(news::file_kind("a.json"), FileKind::Data);
    EXPECT_EQ(news::file_kind("a.pdf"), FileKind::Unsupported);
    EXPECT_EQ(news::file_kind("README"), FileKind::Unsupported);
    EXPECT_EQ(news::file_kind(".md"), FileKind::Unsupported);  // a dot file, no extension
    EXPECT_EQ(news::file_kind("a.md.bak"), FileKind::Unsupported);
}

TEST(ParserData, YamlFile) {
    news::test::TempDir dir;
    const auto f = dir.write("sub/a.yaml",
                             "title: \"Yaml title\"\nwebUrl: \"https://Example.com/Y\"\n"
                             "topics: [one, two]\npublishedDateTime: 2021-02-01T21:37:00Z\n");
    const ParsedFile p = parse_article_file(f, "sub/a.yaml");
    EXPECT_EQ(p.article.title, "Yaml title");
    EXPECT_EQ(p.article.id, "https://example.com/Y");
    EXPECT_EQ(p.article.topics, (std::vector<std::string>{"one", "two"}));
    EXPECT_EQ(p.article.published, 1612215420);
    EXPECT_EQ(p.article.body, "");
    EXPECT_EQ(p.article.path, "sub/a.yaml");
    // A YAML document marker at the start is fine too.
    const auto g = dir.write("b.yml", "---\ntitle: B\n");
    EXPECT_EQ(parse_article_file(g, "b.yml").article.title, "B");
}

TEST(ParserData, JsonFile) {
    news::test::TempDir dir;
    const auto f = dir.write(
        "a.json",
        R"({"title": "Json \u00e9 title", "excerpt": "x &amp; y", "quality": 74, "heat": -1,
            "removed": true, "topics": ["AI"], "webUrl": "https://example.com/j",
            "provider": {"name": "P", "domain": "www.p.com"},
            "related": [{"title": "R", "webUrl": "https://example.com/r", "quality": "5"}],
            "images": [{"url": "https://x/i.jpg", "width": 10, "height": 20, "isCached": false}]})");
    const ParsedFile p = parse_article_file(f, "a.json");
    const Article& a = p.article;
    EXPECT_TRUE(p.warnings.empty());
    EXPECT_EQ(a.title, "Json \xC3\xA9 title");
    EXPECT_EQ(a.excerpt, "x & y");
    EXPECT_EQ(a.quality, 74.0);
    EXPECT_EQ(a.heat, -1.0);
    EXPECT_TRUE(a.removed);
    EXPECT_EQ(a.topics, (std::vector<std::string>{"AI"}));
    EXPECT_EQ(a.id, "https://example.com/j");
    EXPECT_EQ(a.provider.domain, "www.p.com");
    ASSERT_EQ(a.related.size(), 1u);
    EXPECT_EQ(a.related[0].id, "https://example.com/r");
    EXPECT_EQ(a.related[0].quality, 5.0);
    ASSERT_EQ(a.images.size(), 1u);
    EXPECT_EQ(a.images[0].height, 20);
    EXPECT_EQ(a.images[0].is_cached, false);
}

TEST(ParserData, DataFileWithTopLevelListRejected) {
    const ParseError e = expect_reject("[1, 2, 3]", FileKind::Data, "x.json");
    EXPECT_EQ(e.line(), 1);
    EXPECT_NE(e.reason().find("list"), std::string::npos) << e.reason();
}

TEST(ParserData, UnsupportedKindRejected) {
    const ParseError e = expect_reject(md(""), FileKind::Unsupported, "x.pdf");
    EXPECT_NE(e.reason().find("unsupported"), std::string::npos) << e.reason();
}
