// End-to-end tests of forgiving look-ups (issue 20): `get`, `story` and `related` accept every
// form the tools print (id, URL, `path:`), a URL as people paste it (trailing slash or not,
// http or https, tracking parameters), and an article written with and without tracking
// parameters is one article.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "e2e_fixtures.hpp"

using namespace news::test::e2e;

namespace {

constexpr const char* kOutage = "https://www.zdnet.com/article/azure-ad-outage-what-went-wrong/";

// Two files of one article (the second with tracking parameters, as the azure corpus holds
// InfoQ's cosmos db article), an article with no URL (its id is its path), and one on another
// subject in the same story window.
struct LookupFixture : Fixture {
    LookupFixture() {
        add("2020/outage.md", article("Azure AD outage: what went wrong", kOutage,
                                      "provider: {name: ZDNet, domain: zdnet.com}\n"));
        add("2020/outage-tracked.md",
            article("Azure AD outage: what went wrong",
                    std::string(kOutage) + "?utm_source=rss&utm_medium=feed&fbclid=IwAR0x",
                    "provider: {name: ZDNet, domain: zdnet.com}\n"));
        add("notes/local-note.md", article("A local note about the outage", ""));
        add("2020/other.md", article("Cosmos DB gets serverless pricing",
                                     "http://example.com/cosmos?id=7&utm_campaign=x"));
        const Output o = indexer({"--index", index(), corpus()});
        EXPECT_EQ(o.rc, news::kExitOk) << describe(o);
    }
    Output get(const std::string& spec, const std::string& format = "json") const {
        return searcher({"get", "--index", index(), "--format", format, spec});
    }
};

std::string id_of(const Output& o) {
    if (o.rc != news::kExitOk) return "exit " + std::to_string(o.rc) + ": " + o.err;
    return json::parse(o.out)["article"]["id"].get<std::string>();
}

TEST(E2eLookups, OneArticleWithAndWithoutTrackingParameters) {
    LookupFixture f;
    const Output o = searcher({"search", "--index", f.index(), "--format", "json", "--match", "all",
                               "azure", "outage", "went", "wrong"});
    ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
    const json d = json::parse(o.out);
    ASSERT_EQ(d["results"].size(), 1u) << d.dump(2);
    EXPECT_EQ(d["results"][0]["id"], kOutage);
    // The other article's id keeps its own parameter and drops the tracking one.
    EXPECT_EQ(id_of(f.get("http://example.com/cosmos?id=7")), "http://example.com/cosmos?id=7");
}

TEST(E2eLookups, GetAcceptsAUrlAsPeoplePasteIt) {
    LookupFixture f;
    const std::string bare = "https://www.zdnet.com/article/azure-ad-outage-what-went-wrong";
    for (const std::string& spec : std::vector<std::string>{
             kOutage, bare, "http://www.zdnet.com/article/azure-ad-outage-what-went-wrong/",
             "http://www.zdnet.com/article/azure-ad-outage-what-went-wrong",
             std::string(kOutage) + "?utm_source=x", bare + "?utm_source=x&gclid=abc",
             "https://zdnet.com/article/azure-ad-outage-what-went-wrong/",
             "  HTTPS://WWW.ZDNET.COM/article/azure-ad-outage-what-went-wrong/#comments  "}) {
        EXPECT_EQ(id_of(f.get(spec)), kOutage) << spec;
    }
    // The other parameters still count: another query is another page.
    const Output other = f.get(std::string(kOutage) + "?page=2");
    EXPECT_EQ(other.rc, news::kExitNotFound) << describe(other);
    // And the path is not guessed at.
    const Output near = f.get("https://www.zdnet.com/article/azure-ad-outage-what-went");
    EXPECT_EQ(near.rc, news::kExitNotFound) << describe(near);
}

// `get` prints a `path:` line; what it prints finds the article again, with or without the label.
TEST(E2eLookups, GetAcceptsThePathItPrints) {
    LookupFixture f;
    const Output text = f.get(kOutage, "text");
    ASSERT_EQ(text.rc, news::kExitOk) << describe(text);
    std::string path;
    for (const auto& line : lines_of(text.out)) {
        if (line.rfind("path:", 0) == 0) path = line.substr(line.find_first_not_of(' ', 5));
    }
    ASSERT_FALSE(path.empty()) << text.out;
    for (const std::string& spec :
         std::vector<std::string>{path, "path:" + path, "path: " + path, "./" + path})
        EXPECT_EQ(id_of(f.get(spec)), kOutage) << spec;
    // An article without a URL: its id is its path.
    EXPECT_EQ(id_of(f.get("path: notes/local-note.md")), "notes/local-note.md");
    const Output none = f.get("path: notes/missing.md");
    EXPECT_EQ(none.rc, news::kExitNotFound) << describe(none);
    EXPECT_TRUE(contains(none.err, "notes/missing.md")) << none.err;
}

TEST(E2eLookups, StoryAndRelatedAcceptTheSameForms) {
    LookupFixture f;
    // The path of the file that holds the id (of the two, the one modified last).
    const Output g = f.get(kOutage);
    ASSERT_EQ(g.rc, news::kExitOk) << describe(g);
    const std::string path = json::parse(g.out)["article"]["path"].get<std::string>();
    for (const std::string& spec :
         std::vector<std::string>{"http://www.zdnet.com/article/azure-ad-outage-what-went-wrong",
                                  std::string(kOutage) + "?utm_source=x", "path:" + path}) {
        const Output s = searcher({"story", "--index", f.index(), "--format", "json", spec});
        ASSERT_EQ(s.rc, news::kExitOk) << spec << "\n" << describe(s);
        bool found = false;
        const json story = json::parse(s.out);
        for (const auto& a : story["articles"]) found = found || a["id"] == kOutage;
        EXPECT_TRUE(found) << s.out;
        const Output r = searcher({"related", "--index", f.index(), "--format", "json", spec});
        ASSERT_EQ(r.rc, news::kExitOk) << spec << "\n" << describe(r);
        const json related = json::parse(r.out);
        for (const auto& h : related["results"]) EXPECT_NE(h["id"], kOutage);
    }
}

}  // namespace
