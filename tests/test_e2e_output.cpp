// End-to-end tests of the searcher's output: stats, search formats, get, the JSON doc.
#include <gtest/gtest.h>

#include <cstddef>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "e2e_fixtures.hpp"
#include "schema.hpp"

using namespace news::test::e2e;

namespace {

// ---- stats -------------------------------------------------------------------------------

TEST_F(E2eSample, StatsJsonCounts) {
    const Output o = searcher({"stats", "--index", index(), "--format", "json"});
    ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
    const json st = json::parse(o.out);
    EXPECT_EQ(keys_of(st), (std::set<std::string>{"version", "indexes", "documents", "articles",
                                                  "stubs", "removed", "schema_version", "language",
                                                  "last_update", "oldest", "newest", "top_topics",
                                                  "partial", "top_providers", "size_bytes"}));
    EXPECT_EQ(st["version"], 1);
    EXPECT_EQ(st["indexes"], json::array({index()}));
    EXPECT_EQ(st["articles"], 48);
    EXPECT_EQ(st["stubs"], 6);
    EXPECT_EQ(st["documents"], 54);
    EXPECT_EQ(st["removed"], 1);
    EXPECT_EQ(st["schema_version"], news::kSchemaVersion);
    EXPECT_EQ(st["language"], "english");
    EXPECT_TRUE(is_iso_utc(st["last_update"].get<std::string>())) << st["last_update"];
    EXPECT_TRUE(is_iso_utc(st["oldest"].get<std::string>()));
    EXPECT_EQ(st["newest"], "2022-12-20T08:00:00Z");
    EXPECT_LE(st["oldest"].get<std::string>(), "2019-10-15T16:02:00Z");
    EXPECT_GT(st["size_bytes"].get<long>(), 0);
    ASSERT_TRUE(st["top_topics"].is_array());
    ASSERT_FALSE(st["top_topics"].empty());
    EXPECT_LE(st["top_topics"].size(), 10u);
    EXPECT_EQ(st["top_topics"][0]["value"], "security");
    EXPECT_EQ(st["top_topics"][0]["count"], 21);
    ASSERT_FALSE(st["top_providers"].empty());
    EXPECT_EQ(st["top_providers"][0]["value"], "securebeat");
    EXPECT_EQ(st["top_providers"][0]["count"], 7);
    for (const char* k : {"top_topics", "top_providers"}) {
        long prev = 1L << 30;
        for (const auto& v : st[k]) {
            EXPECT_LE(v["count"].get<long>(), prev) << k;
            prev = v["count"].get<long>();
        }
    }
}

TEST_F(E2eSample, StatsTextAndJsonl) {
    const Output t = searcher({"stats", "--index", index()});
    ASSERT_EQ(t.rc, 0) << describe(t);
    EXPECT_TRUE(contains(t.out, "48 (+ 6 stubs, 1 removed)")) << t.out;
    EXPECT_TRUE(contains(t.out, "language: english")) << t.out;
    const Output l = searcher({"stats", "--index", index(), "--format", "jsonl"});
    ASSERT_EQ(l.rc, 0) << describe(l);
    ASSERT_EQ(lines_of(l.out).size(), 1u) << l.out;
    EXPECT_EQ(json::parse(l.out)["articles"], 48);
}

// `stats --format tsv`: field and value rows (it printed JSON before), agreeing with the JSON.
TEST_F(E2eSample, StatsTsvIsFieldValueRows) {
    const Output o = searcher({"stats", "--index", index(), "--format", "tsv"});
    ASSERT_EQ(o.rc, 0) << describe(o);
    const json st = json::parse(searcher({"stats", "--index", index(), "--format", "json"}).out);
    const auto lines = lines_of(o.out);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0], "field\tvalue");
    std::map<std::string, std::string> rows;
    std::size_t topics = 0;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto cells = split_tabs(lines[i]);
        ASSERT_EQ(cells.size(), 2u) << lines[i];
        if (cells[0].rfind("topic:", 0) == 0) ++topics;
        rows[cells[0]] = cells[1];
    }
    EXPECT_EQ(rows["index"], index());
    EXPECT_EQ(rows["articles"], "48");
    EXPECT_EQ(rows["stubs"], "6");
    EXPECT_EQ(rows["partial"], "false");
    EXPECT_EQ(rows["newest"], st["newest"].get<std::string>());
    EXPECT_EQ(topics, st["top_topics"].size());
    const json& top = st["top_topics"][0];
    EXPECT_EQ(rows["topic:" + top["value"].get<std::string>()],
              std::to_string(top["count"].get<long>()));
}

// ---- search: shape and formats -----------------------------------------------------------

TEST_F(E2eSample, SearchJsonShape) {
    const json d = search({"kubernetes", "-n", "5"});
    EXPECT_EQ(d["query"], "kubernetes");
    EXPECT_EQ(d["offset"], 0);
    EXPECT_EQ(d["limit"], 5);
    EXPECT_EQ(d["sort"], "blend");
    EXPECT_FALSE(d["lenient"].get<bool>());
    EXPECT_EQ(d["results"].size(), 5u);
    EXPECT_GE(d["total"]["lower"].get<long>(), 5);
    EXPECT_TRUE(contains(d["parsed_query"].get<std::string>(), "kubernet")) << d["parsed_query"];
    for (const auto& r : d["results"]) {
        EXPECT_FALSE(r["stub"].get<bool>());
        EXPECT_FALSE(r["removed"].get<bool>());
        EXPECT_FALSE(r["path"].get<std::string>().empty());
    }
}

TEST_F(E2eSample, SearchExplainAddsScoreComponents) {
    const json d = search({"glasshopper", "--explain"}, /*explain=*/true);
    ASSERT_FALSE(d["results"].empty());
    for (const auto& r : d["results"]) {
        const double sum = r["explain"]["bm25"].get<double>() + r["explain"]["prior"].get<double>();
        EXPECT_NEAR(r["score"].get<double>(), sum, 1e-9);
        EXPECT_GT(r["explain"]["prior"].get<double>(), 0.0);
    }
    const json date = search({"glasshopper", "--explain", "--sort", "date"}, true);
    for (const auto& r : date["results"]) {
        EXPECT_EQ(r["explain"]["prior"].get<double>(), 0.0);
        EXPECT_NEAR(r["explain"]["bm25"].get<double>(), r["score"].get<double>(), 1e-9);
    }
}

TEST_F(E2eSample, HighlightMarkersInSnippetAndTitle) {
    const json d = search({"GlassHopper", "-n", "4"});
    ASSERT_EQ(d["results"].size(), 4u);
    for (const auto& r : d["results"]) {
        EXPECT_TRUE(contains(r["snippet"].get<std::string>(), "<mark>GlassHopper</mark>"))
            << r["snippet"];
        EXPECT_TRUE(contains(r["title_highlighted"].get<std::string>(), "<mark>GlassHopper</mark>"))
            << r["title_highlighted"];
        EXPECT_FALSE(contains(r["title"].get<std::string>(), "<mark>"));
        EXPECT_FALSE(contains(r["excerpt"].get<std::string>(), "<mark>"));
    }
    const json t = search({"tidewater"});
    ASSERT_EQ(t["results"].size(), 1u);
    EXPECT_EQ(
        t["results"][0]["title_highlighted"],
        "Microsoft previews ‘<mark>Tidewater</mark>’ hybrid control plane for on-prem Kubernetes");
    // No text query: nothing to highlight; the snippet is the (truncated) excerpt.
    const json f = search({"--topic", "Kubernetes", "-n", "3"});
    for (const auto& r : f["results"]) {
        EXPECT_EQ(r["title_highlighted"], r["title"]);
        EXPECT_FALSE(contains(r["snippet"].get<std::string>(), "<mark>"));
        EXPECT_EQ(r["excerpt"].get<std::string>().rfind(
                      r["snippet"].get<std::string>().substr(0, 100), 0),
                  0u);
    }
}

// Regression: title_highlighted was Xapian's snippet of the title, which can drop words. Query
// `azure` (or `cloud`, `database`, `ai`): for "Our 2022 ‘Gallimaufry’: the year in cloud, AI and
// security" title_highlighted is "Our 2022 ‘Gallimaufry’: the year in cloud, AI" (" and
// security" lost); query `ai`: "🤖 Chatbot “Quokka-2” aces …" loses its leading "🤖 ".
// The text output prints title_highlighted, so the truncated title is what users see.
TEST_F(E2eSample, TitleHighlightedIsTheWholeTitle) {
    for (const char* q : {"azure", "cloud", "ai", "security", "database"}) {
        const json d = search({q, "-n", "50"});
        for (const auto& r : d["results"]) {
            EXPECT_EQ(strip_marks(r["title_highlighted"].get<std::string>()),
                      r["title"].get<std::string>())
                << "query " << q;
        }
    }
}

TEST_F(E2eSample, HtmlEntitiesAreDecodedInExcerptAndSnippet) {
    const json d = search({"cilantro"});
    ASSERT_EQ(d["results"].size(), 1u);
    const auto& r = d["results"][0];
    for (const char* k : {"excerpt", "snippet"}) {
        const std::string s = r[k].get<std::string>();
        EXPECT_TRUE(contains(s, "project’s")) << k << ": " << s;
        EXPECT_TRUE(contains(s, "30% & halves")) << k << ": " << s;
        EXPECT_FALSE(contains(s, "&#8217;")) << k;
        EXPECT_FALSE(contains(s, "&amp;")) << k;
        EXPECT_FALSE(contains(s, "&nbsp;")) << k;
    }
}

TEST_F(E2eSample, JsonlIsOneResultObjectPerLine) {
    const json d = search({"kubernetes", "-n", "7"});
    const Output o =
        searcher({"search", "--index", index(), "--format", "jsonl", "kubernetes", "-n", "7"});
    ASSERT_EQ(o.rc, 0) << describe(o);
    const auto lines = lines_of(o.out);
    ASSERT_EQ(lines.size(), d["results"].size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const json r = json::parse(lines[i]);
        check_result(r, false);
        EXPECT_EQ(r["id"], d["results"][i]["id"]);
        EXPECT_EQ(r["rank"], i + 1);
    }
    const Output none =
        searcher({"search", "--index", index(), "--format", "jsonl", "zzznomatchzzz"});
    EXPECT_EQ(none.rc, 0);
    EXPECT_TRUE(none.out.empty()) << none.out;
}

TEST_F(E2eSample, TsvHasHeaderAndOneRowPerResult) {
    const json d = search({"security", "-n", "6"});
    const Output o =
        searcher({"search", "--index", index(), "--format", "tsv", "security", "-n", "6"});
    ASSERT_EQ(o.rc, 0) << describe(o);
    const auto lines = lines_of(o.out);
    ASSERT_EQ(lines.size(), d["results"].size() + 1);
    EXPECT_EQ(lines[0], "rank\tscore\tpublished\tquality\tprovider\ttitle\turl\tid");
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto cells = split_tabs(lines[i]);
        ASSERT_EQ(cells.size(), 8u) << lines[i];
        const json& r = d["results"][i - 1];
        EXPECT_EQ(cells[0], std::to_string(i));
        EXPECT_EQ(cells[2], r["published"].is_null() ? "" : r["published"].get<std::string>());
        EXPECT_EQ(cells[4], r["provider"]["name"].get<std::string>());
        EXPECT_EQ(cells[5], r["title"].get<std::string>());
        EXPECT_EQ(cells[7], r["id"].get<std::string>());
    }
}

TEST_F(E2eSample, TextOutputIsReadable) {
    const Output o = searcher({"search", "--index", index(), "tidewater"});
    ASSERT_EQ(o.rc, 0) << describe(o);
    EXPECT_TRUE(contains(o.out, "1 result; showing 1-1 (sorted by blend")) << o.out;
    EXPECT_TRUE(contains(o.out, "  1. 2019-10-15  q88  CloudWire")) << o.out;
    EXPECT_TRUE(contains(o.out, "Microsoft previews ‘Tidewater’ hybrid control plane")) << o.out;
    EXPECT_TRUE(contains(o.out, "https://www.cloudwire.example/")) << o.out;
    EXPECT_FALSE(contains(o.out, "<mark>")) << "markers are rendered, not printed";
    EXPECT_FALSE(contains(o.out, "\033[")) << "no colour when stdout is not a terminal";
    const Output none = searcher({"search", "--index", index(), "zzznomatchzzz"});
    EXPECT_EQ(none.rc, 0);
    EXPECT_TRUE(contains(none.out, "0 results")) << none.out;
    const Output facets = searcher({"search", "--index", index(), "cloud", "--facets", "type"});
    EXPECT_EQ(facets.rc, 0);
    EXPECT_TRUE(contains(facets.out, "type:  article (")) << facets.out;
}

// ---- get -------------------------------------------------------------------------------------

TEST_F(E2eSample, GetById) {
    const json g = get(kGlassSecureBeat);
    EXPECT_EQ(keys_of(g), (std::set<std::string>{"version", "article", "related", "related_count",
                                                 "inlink_count", "inlinks", "partial"}));
    EXPECT_EQ(g["version"], 1);
    check_article_fields(g["article"]);
    EXPECT_EQ(g["article"]["id"], kGlassSecureBeat);
    EXPECT_EQ(g["article"]["path"],
              "2021/2021-09-14-glasshopper-kubernetes-ingress-flaw-hijack-clusters.md");
    EXPECT_EQ(g["article"]["published"], "2021-09-14T08:05:00Z");
    EXPECT_EQ(g["article"]["quality"].get<double>(), 128);
    // Related: 6 entries, one of them the stub of an outside guide.
    ASSERT_EQ(g["related"].size(), 6u);
    EXPECT_EQ(g["related_count"], 6);
    int stubs = 0;
    for (const auto& r : g["related"]) {
        EXPECT_EQ(keys_of(r), (std::set<std::string>{"id", "indexed", "stub", "title", "url"}));
        EXPECT_TRUE(r["indexed"].get<bool>());
        EXPECT_FALSE(r["title"].get<std::string>().empty());
        EXPECT_TRUE(r["url"].get<std::string>().starts_with("https://")) << r;
        if (r["stub"].get<bool>()) {
            ++stubs;
            EXPECT_EQ(r["id"],
                      "https://www.clusterguard.example/guides/ingress-hardening-ten-settings");
        }
    }
    EXPECT_EQ(stubs, 1);
    // In-links: the other three GlassHopper articles list it, among others.
    EXPECT_GT(g["inlink_count"].get<long>(), 0);
    EXPECT_EQ(g["inlinks"].size(), g["inlink_count"].get<std::size_t>());
    std::set<std::string> inl;
    for (const auto& l : g["inlinks"]) {
        EXPECT_EQ(keys_of(l), (std::set<std::string>{"id", "title", "url"}));
        inl.insert(l["id"].get<std::string>());
    }
    EXPECT_TRUE(
        inl.count("https://techdaily.example/2021/09/14/"
                  "critical-glasshopper-flaw-kubernetes-ingress-controllers/"));
    // Every in-link lists this article as related.
    for (const auto& id : inl) {
        const json other = get(id);
        bool lists = false;
        for (const auto& r : other["related"]) lists = lists || r["id"] == kGlassSecureBeat;
        EXPECT_TRUE(lists) << id;
    }
}

TEST_F(E2eSample, GetByUrl) {
    for (const char* url :
         {kBramblewayId,
          "https://www.cloudwire.example/news/2021/08/"
          "brambleway-notebook-flaw-exposed-database-keys?utm_source=rss&utm_medium=feed"}) {
        const json g = get(url);
        EXPECT_EQ(g["article"]["id"], kBramblewayId) << url;
        EXPECT_EQ(g["article"]["published"], "2021-08-27T14:38:00Z") << "07:38-07:00 is 14:38 UTC";
        EXPECT_GT(g["inlink_count"].get<long>(), 0);
    }
    // AMP URLs are stored but not indexed (unique terms cost index space).
    const Output amp = searcher({"get", "--index", index(),
                                 "https://www.cloudwire.example/amp/news/2021/08/"
                                 "brambleway-notebook-flaw-exposed-database-keys"});
    EXPECT_EQ(amp.rc, news::kExitNotFound) << describe(amp);
    // No webUrl: the id is the originalUrl; no URL at all: the relative path.
    EXPECT_EQ(get("https://www.dcdigest.example/features/"
                  "moorhen-grid-aware-scheduler-low-carbon-batch-jobs")["article"]["path"],
              "2021/2021-02-23-moorhen-grid-aware-scheduler-low-carbon-batch-jobs.md");
    const json q = get("2021/2021-04-27-press-release-quarrystone-backup-immutable-snapshots.md");
    EXPECT_EQ(q["article"]["url"], "");
    EXPECT_EQ(q["article"]["quality"].get<double>(), 0);
    EXPECT_EQ(q["inlink_count"], 0);
}

TEST_F(E2eSample, GetFormats) {
    const Output t = searcher({"get", "--index", index(), kGlassSecureBeat});
    ASSERT_EQ(t.rc, 0) << describe(t);
    EXPECT_TRUE(contains(t.out, "Critical ‘GlassHopper’ flaw")) << t.out;
    EXPECT_TRUE(contains(t.out, "related: 6 articles\n")) << t.out;
    EXPECT_TRUE(contains(t.out, "listed as related by ")) << t.out;
    const Output l = searcher({"get", "--index", index(), "--format", "jsonl", kGlassSecureBeat});
    ASSERT_EQ(l.rc, 0) << describe(l);
    EXPECT_EQ(lines_of(l.out).size(), 1u);
    EXPECT_EQ(json::parse(l.out), get(kGlassSecureBeat));
}

// `get --format tsv`: field and value rows, one `related` row per out-link, in order.
TEST_F(E2eSample, GetTsvIsFieldValueRows) {
    const Output o = searcher({"get", "--index", index(), "--format", "tsv", kGlassSecureBeat});
    ASSERT_EQ(o.rc, 0) << describe(o);
    const json g = get(kGlassSecureBeat);
    const auto lines = lines_of(o.out);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0], "field\tvalue");
    std::map<std::string, std::string> rows;
    std::vector<std::string> related;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto cells = split_tabs(lines[i]);
        ASSERT_EQ(cells.size(), 2u) << lines[i];
        if (cells[0] == "related") related.push_back(cells[1]);
        rows[cells[0]] = cells[1];
    }
    EXPECT_EQ(rows["id"], g["article"]["id"].get<std::string>());
    EXPECT_EQ(rows["title"], g["article"]["title"].get<std::string>());
    EXPECT_EQ(rows["published"], g["article"]["published"].get<std::string>());
    EXPECT_EQ(rows["inlink_count"], std::to_string(g["inlink_count"].get<long>()));
    EXPECT_EQ(rows["quality"], g["article"]["quality"].dump());
    EXPECT_EQ(rows["partial"], "false");
    ASSERT_EQ(related.size(), g["related"].size());
    for (std::size_t i = 0; i < related.size(); ++i) {
        const json& id = g["related"][i]["id"];
        EXPECT_EQ(related[i], id.is_null() ? "" : id.get<std::string>()) << i;
    }
}

// ---- the documentation -----------------------------------------------------------------------

// docs/json-output.md names every key the binaries emit (as `key` in a table or the text).
TEST_F(E2eSample, JsonOutputDocNamesEveryKey) {
    const std::string doc = read_text(fs::path(NEWS_SOURCE_DIR) / "docs" / "json-output.md");
    ASSERT_FALSE(doc.empty()) << "docs/json-output.md is missing";
    std::set<std::string> keys;
    std::function<void(const json&)> collect = [&](const json& j) {
        if (j.is_object()) {
            for (const auto& [k, v] : j.items()) {
                keys.insert(k);
                collect(v);
            }
        } else if (j.is_array()) {
            for (const auto& v : j) collect(v);
        }
    };
    collect(search({"cloud AND", "--explain", "--facets", "topic,provider,type,year", "-n", "2"},
                   true, true));
    collect(get(kGlassSecureBeat));
    collect(json::parse(searcher({"stats", "--index", index(), "--format", "json"}).out));
    ASSERT_GT(keys.size(), 40u);
    for (const auto& k : keys) {
        // Facet names are keys too; they are documented as `topic`, `provider`, ... as well.
        EXPECT_TRUE(contains(doc, "`" + k + "`"))
            << "docs/json-output.md does not mention `" << k << "`";
    }
}

}  // namespace
