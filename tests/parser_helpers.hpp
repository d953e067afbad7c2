// Shared by the parser's unit tests (test_parser_*.cpp): the seed article, parsing and
// rejection helpers, and warning lookups.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "article.hpp"
#include "date.hpp"
#include "errors.hpp"
#include "parser.hpp"

namespace news::test::parser {

using news::Article;
using news::Diagnostic;
using news::FileKind;
using news::parse_article_file;
using news::parse_article_text;
using news::ParsedFile;
using news::ParseError;
using news::ParseOptions;

// Modelled on /work/shared/format/seed-article.md (structure copied, shortened to 3 related
// entries; provider images added to the main provider to exercise Provider::images; the
// Reuters entry's webUrl is written in mixed case with a fragment to exercise id
// normalisation).
inline const char* const kSecured =
    "9C04wwEc5rU12Bu3x+5VIN5zo3O8R5bcUtmMLog2hk1YL1WNgFev9wzkDGKtQqgCSjo4vnCjZS+9Fyzf5QsiS3y==;"
    "NUDUMEn30/anisxSgyCkwQ==";

inline const std::string kSeed = std::string(R"(---
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

inline ParsedFile parse_md(const std::string& text, const ParseOptions& opts = {}) {
    return parse_article_text(text, FileKind::FrontMatter, "posts/a.md", "posts/a.md", opts);
}

// A small valid front-matter file with `extra` lines inside the front matter.
inline std::string md(const std::string& extra, const std::string& body = "") {
    return "---\ntitle: \"T\"\n" + extra + "---\n" + body;
}

inline int64_t at(const char* iso) {
    const auto t = news::parse_iso8601(iso);
    EXPECT_TRUE(t.has_value()) << iso;
    return t.value_or(0);
}

// Runs the parser expecting a ParseError; returns it (or a dummy after a test failure).
inline ParseError expect_reject(const std::string& text, FileKind kind = FileKind::FrontMatter,
                                const std::string& display = "dir/bad.md",
                                const ParseOptions& opts = {}) {
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

inline bool has_warning(const ParsedFile& p, const std::string& needle) {
    return std::any_of(p.warnings.begin(), p.warnings.end(), [&](const Diagnostic& d) {
        return d.message.find(needle) != std::string::npos;
    });
}

inline const Diagnostic* find_warning(const ParsedFile& p, const std::string& needle) {
    for (const auto& d : p.warnings) {
        if (d.message.find(needle) != std::string::npos) return &d;
    }
    return nullptr;
}

// Every string the parser produced, for "is X kept anywhere?" checks.
inline std::vector<std::string> all_strings(const Article& a) {
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

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
        s.replace(p, from.size(), to);
    }
    return s;
}

}  // namespace news::test::parser
