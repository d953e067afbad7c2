// Unit tests for common/parser.{hpp,cpp}: the seed's structure field by field, the quirks of
// real files, and the rejections (ParseError with file, line and reason).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "article.hpp"
#include "date.hpp"
#include "errors.hpp"
#include "parser.hpp"
#include "test_util.hpp"
#include "text.hpp"
#include "yaml_tree.hpp"

using news::Article;
using news::Diagnostic;
using news::FileKind;
using news::parse_article_file;
using news::parse_article_text;
using news::ParsedFile;
using news::ParseError;
using news::ParseOptions;

namespace {

// Modelled on /work/shared/format/seed-article.md (structure copied, shortened to 3 related
// entries; provider images added to the main provider to exercise Provider::images; the
// Reuters entry's webUrl is written in mixed case with a fragment to exercise id
// normalisation).
const char* const kSecured =
    "9C04wwEc5rU12Bu3x+5VIN5zo3O8R5bcUtmMLog2hk1YL1WNgFev9wzkDGKtQqgCSjo4vnCjZS+9Fyzf5QsiS3y==;"
    "NUDUMEn30/anisxSgyCkwQ==";

const std::string kSeed = std::string(R"(---
category: news
title: "Facial Recognition Tech May Be Being Used Against Russian Protestors"
excerpt: "Navalny protests using facial recognition tools, detainees claim. As massive protests sweep across the nation, activists fear Russia has been deploying facial recognition technology to clamp down on dissent."
publishedDateTime: 2021-02-01T21:37:00Z
originalUrl: "https://www.coindesk.com/street-cameras-arrest-protesters-moscow"
webUrl: "https://www.coindesk.com/street-cameras-arrest-protesters-moscow"
ampWebUrl: "https://www.coindesk.com/street-cameras-arrest-protesters-moscow?amp=1"
cdnAmpWebUrl: "https://www-coindesk-com.cdn.ampproject.org/c/s/www.coindesk.com/street-cameras-arrest-protesters-moscow?amp=1"
type: article
quality: 74
heat: -1
published: false

provider:
  name: CoinDesk
  domain: coindesk.com
  images:
    - url: "https://static.coindesk.com/logo.png"
      width: 64
      height: 32
      isCached: false

topics:
  - Computer Vision
  - AI

images:
  - url: "https://static.coindesk.com/wp-content/uploads/2021/02/GettyImages-1024092068-1200x628.jpg"
    width: 1200
    height: 628
    isCached: true

related:
  - title: "How Normal People Deployed Facial Recognition on Capitol Hill Protesters"
    excerpt: "Facial recognition is now freely accessible to random people on Twitter using a Polish website called Pimeyes."
    publishedDateTime: 2021-02-02T17:21:00Z
    webUrl: "https://www.vice.com/en/article/4ad5k3/how-normal-people-deployed-facial-recognition-on-capitol-hill-protesters"
    ampWebUrl: "https://www.vice.com/amp/en/article/4ad5k3/how-normal-people-deployed-facial-recognition-on-capitol-hill-protesters"
    cdnAmpWebUrl: "https://www-vice-com.cdn.ampproject.org/c/s/www.vice.com/amp/en/article/4ad5k3/how-normal-people-deployed-facial-recognition-on-capitol-hill-protesters"
    type: article
    provider:
      name: VICE
      domain: vice.com
    quality: 88
    images:
      - url: "https://video-images.vice.com/articles/601989938019b80095f88ce7/lede/1612286477494-gettyimages-1230453278.jpeg?crop=1xw:0.8429xh;0xw,0.1571xh"
        width: 5128
        height: 2881
        isCached: true
  - title: "Fears raised over facial recognition use at Moscow protests"
    excerpt: "Russian authorities are deploying facial recognition cameras to identify protesters during rallies in support of Kremlin critic Alexei Navalny in Moscow, human rights groups said, warning that the technology is being used to stifle peaceful dissent."
    publishedDateTime: 2021-02-04T17:45:00Z
    webUrl: "HTTPS://WWW.Reuters.com/article/russia-protests-tech/fears-raised-over-facial-recognition-use-at-moscow-protests-idUSL8N2KA54T#comments"
    ampWebUrl: "https://mobile.reuters.com/article/amp/idUSL8N2KA54T"
    cdnAmpWebUrl: "https://mobile-reuters-com.cdn.ampproject.org/c/s/mobile.reuters.com/article/amp/idUSL8N2KA54T"
    type: article
    provider:
      name: Reuters
      domain: reuters.com
    quality: 84
  - title: "Short Amazon’s facial recognition ban. Go long on selling Rekognition to cops again"
    excerpt: "Will Amazon begin selling its facial recognition technology to any governmental body when its self-imposed moratorium ends."
    publishedDateTime: 2021-02-04T19:11:00Z
    webUrl: "https://www.biometricupdate.com/202102/short-amazons-facial-recognition-ban-go-long-on-selling-rekognition-to-cops-again"
    type: article
    provider:
      name: Biometric Companies
      domain: biometricupdate.com
    quality: 65
    images:
      - url: "https://d1sr9z1pdl3mb7.cloudfront.net/wp-content/uploads/2020/06/11110622/amazon-biometric-facial-recognition.jpg"
        width: 810
        height: 405
        isCached: true

secured: ")") + kSecured + R"("
---
)";

ParsedFile parse_md(const std::string& text, const ParseOptions& opts = {}) {
    return parse_article_text(text, FileKind::FrontMatter, "posts/a.md", "posts/a.md", opts);
}

// A small valid front-matter file with `extra` lines inside the front matter.
std::string md(const std::string& extra, const std::string& body = "") {
    return "---\ntitle: \"T\"\n" + extra + "---\n" + body;
}

int64_t at(const char* iso) {
    const auto t = news::parse_iso8601(iso);
    EXPECT_TRUE(t.has_value()) << iso;
    return t.value_or(0);
}

// Runs the parser expecting a ParseError; returns it (or a dummy after a test failure).
ParseError expect_reject(const std::string& text, FileKind kind = FileKind::FrontMatter,
                         const std::string& display = "dir/bad.md", const ParseOptions& opts = {}) {
    try {
        parse_article_text(text, kind, display, "dir/bad.md", opts);
    } catch (const ParseError& e) {
        EXPECT_EQ(e.file(), display);
        EXPECT_FALSE(e.reason().empty());
        EXPECT_EQ(e.exit_code(), news::kExitRejected);
        return e;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected ParseError, got another exception: " << e.what();
        return ParseError("", -1, -1, "");
    }
    ADD_FAILURE() << "expected ParseError, but the file was accepted";
    return ParseError("", -1, -1, "");
}

bool has_warning(const ParsedFile& p, const std::string& needle) {
    return std::any_of(p.warnings.begin(), p.warnings.end(), [&](const Diagnostic& d) {
        return d.message.find(needle) != std::string::npos;
    });
}

const Diagnostic* find_warning(const ParsedFile& p, const std::string& needle) {
    for (const auto& d : p.warnings) {
        if (d.message.find(needle) != std::string::npos) return &d;
    }
    return nullptr;
}

// Every string the parser produced, for "is X kept anywhere?" checks.
std::vector<std::string> all_strings(const Article& a) {
    std::vector<std::string> out = {a.id,
                                    a.path,
                                    a.source,
                                    a.category,
                                    a.original_url,
                                    a.body,
                                    a.title,
                                    a.excerpt,
                                    a.web_url,
                                    a.amp_web_url,
                                    a.cdn_amp_web_url,
                                    a.type,
                                    a.provider.name,
                                    a.provider.domain};
    auto add_images = [&](const std::vector<news::Image>& imgs) {
        for (const auto& i : imgs) out.push_back(i.url);
    };
    add_images(a.images);
    add_images(a.provider.images);
    for (const auto& t : a.topics) out.push_back(t);
    for (const auto& r : a.related) {
        for (const auto* s : {&r.id, &r.title, &r.excerpt, &r.web_url, &r.amp_web_url,
                              &r.cdn_amp_web_url, &r.type, &r.provider.name, &r.provider.domain}) {
            out.push_back(*s);
        }
        add_images(r.images);
        add_images(r.provider.images);
    }
    return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
        s.replace(p, from.size(), to);
    }
    return s;
}

}  // namespace

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
