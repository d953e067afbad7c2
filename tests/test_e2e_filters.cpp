// End-to-end tests of search filters, facets, pagination and sort orders.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "e2e_fixtures.hpp"

using namespace news::test::e2e;

namespace {

// ---- filters -------------------------------------------------------------------------------

// Runs BASE+FILTER and checks the result set is exactly the results of BASE that satisfy PRED.
void expect_filter(const json& base, const std::vector<std::string>& args,
                   const std::function<bool(const json&)>& pred, const json& filtered) {
    SCOPED_TRACE(json(args).dump());
    std::set<std::string> expected, actual;
    for (const auto& r : base["results"]) {
        if (pred(r)) expected.insert(r["id"].get<std::string>());
    }
    for (const auto& r : filtered["results"]) {
        EXPECT_TRUE(pred(r)) << "result does not satisfy the filter: " << r.dump().substr(0, 400);
        actual.insert(r["id"].get<std::string>());
    }
    EXPECT_FALSE(expected.empty()) << "a filter test needs matching articles";
    EXPECT_EQ(actual, expected);
    EXPECT_EQ(filtered["total"]["lower"].get<std::size_t>(), actual.size());
    EXPECT_EQ(filtered["total"]["upper"].get<std::size_t>(), actual.size());
}

TEST_F(E2eSample, FiltersRestrictResultsExactly) {
    const json& all = all_articles();
    ASSERT_EQ(all["results"].size(), 47u) << "48 articles, 1 removed";
    struct Case {
        std::vector<std::string> args;
        std::function<bool(const json&)> pred;
    };
    const std::vector<Case> cases = {
        {{"--topic", "Kubernetes"}, [](const json& r) { return has_topic(r, "kubernetes"); }},
        {{"--topic", "quantum computing"},
         [](const json& r) { return has_topic(r, "Quantum Computing"); }},
        {{"--topic", "AI", "--topic", "Databases"},
         [](const json& r) { return has_topic(r, "ai") || has_topic(r, "databases"); }},
        {{"--provider", "Kernel Times"},
         [](const json& r) { return r["provider"]["name"] == "Kernel Times"; }},
        {{"--provider", "kerneltimes.example"},
         [](const json& r) { return r["provider"]["domain"] == "kerneltimes.example"; }},
        {{"--provider", "CloudWire", "--topic", "Azure"},
         [](const json& r) {
             return r["provider"]["name"] == "CloudWire" && has_topic(r, "azure");
         }},
        {{"--type", "video"}, [](const json& r) { return r["type"] == "video"; }},
        {{"--since", "2021-03", "--until", "2021-06"},
         [](const json& r) {
             const std::string p = r["published"].get<std::string>();
             return p >= "2021-03-01T00:00:00Z" && p <= "2021-06-30T23:59:59Z";
         }},
        // Both bounds inclusive, to the second.
        {{"--since", "2021-09-14T12:00:00Z", "--until", "2021-09-15T06:20:00Z"},
         [](const json& r) {
             const std::string p = r["published"].get<std::string>();
             return p >= "2021-09-14T12:00:00Z" && p <= "2021-09-15T06:20:00Z";
         }},
        {{"--until", "2019"},
         [](const json& r) { return r["published"].get<std::string>() < "2020"; }},
        {{"--min-quality", "100"}, [](const json& r) { return r["quality"].get<double>() >= 100; }},
        {{"--min-quality", "50", "--max-quality", "60"},
         [](const json& r) {
             return r["quality"].get<double>() >= 50 && r["quality"].get<double>() <= 60;
         }},
    };
    for (const auto& c : cases) {
        std::vector<std::string> args = c.args;
        args.insert(args.end(), {"-n", "1000"});
        expect_filter(all, c.args, c.pred, search(args));
    }
    // Documented counts of the corpus.
    EXPECT_EQ(search({"--min-quality", "100", "-n", "100"})["results"].size(), 12u);
    EXPECT_EQ(search({"--provider", "Kernel Times", "-n", "100"})["results"].size(), 4u);
    EXPECT_EQ(search({"--type", "video"})["results"].size(), 1u);
    const json two = search({"--since", "2021-09-14T12:00:00Z", "--until", "2021-09-15T06:20:00Z"});
    EXPECT_EQ(two["results"].size(), 2u) << "TechDaily 13:40 and CloudWire 06:20 (on the bound)";
}

TEST_F(E2eSample, FiltersCombineWithATextQuery) {
    const json base = search({"kubernetes", "-n", "1000"});
    const json f = search({"kubernetes", "--provider", "SecureBeat", "-n", "1000"});
    expect_filter(
        base, {"--provider", "SecureBeat"},
        [](const json& r) { return r["provider"]["name"] == "SecureBeat"; }, f);
    const json g = search({"kubernetes", "--since", "2021-09-15", "-n", "1000"});
    expect_filter(
        base, {"--since", "2021-09-15"},
        [](const json& r) { return r["published"].get<std::string>() >= "2021-09-15"; }, g);
}

// Regression: an empty range dropped the filter instead of matching nothing. `search cloud --since
// 2022
// --until 2020` returns all 9 "cloud" matches (parsed_query has no VALUE_RANGE left), and
// `--min-quality 90 --max-quality 10` alone returns all 47 articles. Xapian builds an empty
// Query for OP_VALUE_RANGE with begin > end, and an empty subquery vanishes from OP_AND /
// OP_FILTER. Expected: no results (or a usage error, exit 2).
TEST_F(E2eSample, EmptyRangeMatchesNothing) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"cloud", "--since", "2022", "--until", "2020"},
             {"--since", "2022", "--until", "2020"},
             {"--min-quality", "90", "--max-quality", "10"},
             {"cloud", "--min-quality", "90", "--max-quality", "10"}}) {
        std::vector<std::string> a{"search", "--index", index(), "--format", "json"};
        a.insert(a.end(), args.begin(), args.end());
        const Output o = searcher(a);
        if (o.rc == news::kExitUsage) continue;  // rejecting the empty range is fine too
        ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
        const json d = json::parse(o.out);
        EXPECT_EQ(d["total"]["upper"], 0) << json(args).dump();
        EXPECT_TRUE(d["results"].empty()) << json(args).dump();
    }
}

TEST_F(E2eSample, RemovedArticleHiddenUnlessIncluded) {
    const json hidden = search({"Brackenridge"});
    EXPECT_EQ(hidden["total"]["upper"], 0);
    EXPECT_TRUE(hidden["results"].empty());
    const json shown = search({"Brackenridge", "--include-removed"});
    ASSERT_EQ(shown["results"].size(), 1u);
    EXPECT_TRUE(shown["results"][0]["removed"].get<bool>());
    EXPECT_EQ(shown["results"][0]["path"],
              "2020/2020-12-15-hyperscaler-price-war-will-stall-brackenridge-report.md");
    for (const auto& r : all_articles()["results"]) EXPECT_FALSE(r["removed"].get<bool>());
    const json with = search({"--since", "1900", "-n", "1000", "--include-removed"});
    EXPECT_EQ(with["results"].size(), all_articles()["results"].size() + 1);
    // The query language's `is:removed` finds it once removed articles are included.
    const json flagged = search({"is:removed", "--include-removed"});
    ASSERT_EQ(flagged["results"].size(), 1u);
    EXPECT_TRUE(flagged["results"][0]["removed"].get<bool>());
}

TEST_F(E2eSample, StubsHiddenUnlessIncluded) {
    const json with = search({"--since", "1900", "-n", "1000", "--include-stubs"});
    std::size_t stubs = 0;
    for (const auto& r : with["results"]) {
        if (!r["stub"].get<bool>()) continue;
        ++stubs;
        EXPECT_EQ(r["path"], "") << "a stub has no source file";
    }
    EXPECT_EQ(stubs, 6u);
    EXPECT_EQ(with["results"].size(), all_articles()["results"].size() + 6);
}

// ---- facets --------------------------------------------------------------------------------

TEST_F(E2eSample, FacetsCountTheWholeMatchSet) {
    const json d = search(
        {"--topic", "Kubernetes", "--facets", "topic,provider,type,year", "-n", "1"}, false, true);
    const long n = d["total"]["lower"].get<long>();
    EXPECT_EQ(d["total"]["upper"].get<long>(), n) << "facets make the count exact";
    EXPECT_EQ(n, 12);
    EXPECT_EQ(d["results"].size(), 1u) << "facets do not change the page";
    const json& f = d["facets"];
    EXPECT_EQ(keys_of(f), (std::set<std::string>{"topic", "provider", "type", "year"}));
    const json* k = find_facet(f["topic"], "Kubernetes");
    ASSERT_NE(k, nullptr) << f["topic"].dump();
    EXPECT_EQ((*k)["count"].get<long>(), n) << "a topic filter's own facet equals the total";
    for (const char* name : {"provider", "type", "year"}) {
        long sum = 0;
        for (const auto& v : f[name]) sum += v["count"].get<long>();
        EXPECT_EQ(sum, n) << name << ": every match has exactly one value";
    }
    for (const auto& v : f["topic"]) EXPECT_LE(v["count"].get<long>(), n);
    // Ordering: by count (then value); years newest first.
    for (const char* name : {"topic", "provider", "type"}) {
        for (std::size_t i = 1; i < f[name].size(); ++i) {
            EXPECT_GE(f[name][i - 1]["count"].get<long>(), f[name][i]["count"].get<long>()) << name;
        }
    }
    for (std::size_t i = 1; i < f["year"].size(); ++i) {
        EXPECT_GT(f["year"][i - 1]["value"].get<std::string>(),
                  f["year"][i]["value"].get<std::string>());
    }
}

TEST_F(E2eSample, FacetCountsEqualFilteredTotals) {
    const json d =
        search({"cloud", "--facets", "topic,provider,type,year", "-n", "2"}, false, true);
    const json& f = d["facets"];
    ASSERT_FALSE(f["topic"].empty());
    for (const auto& v : f["topic"]) {
        const json g =
            search({"cloud", "--topic", v["value"].get<std::string>(), "--exact-count", "-n", "1"});
        EXPECT_EQ(g["total"]["lower"], v["count"]) << "topic " << v["value"];
    }
    for (const auto& v : f["provider"]) {
        const json g = search(
            {"cloud", "--provider", v["value"].get<std::string>(), "--exact-count", "-n", "1"});
        EXPECT_EQ(g["total"]["lower"], v["count"]) << "provider " << v["value"];
    }
    for (const auto& v : f["year"]) {
        const std::string y = v["value"].get<std::string>();
        const json g = search({"cloud", "--since", y, "--until", y, "--exact-count", "-n", "1"});
        EXPECT_EQ(g["total"]["lower"], v["count"]) << "year " << y;
    }
    // The counts do not depend on the page.
    const json other =
        search({"cloud", "--facets", "topic,provider,type,year", "-n", "50", "--offset", "3"},
               false, true);
    EXPECT_EQ(other["facets"], f);
    EXPECT_FALSE(search({"cloud"}).contains("facets"));
}

// Regression: a facet named twice (`--facets topic,topic`) was counted twice: with `--topic
// Kubernetes` (12 matches) the topic facet says {"value": "Kubernetes", "count": 24}. main.cpp
// pushed the name twice into SearchOptions::facets and the counter counted once per listed name.
TEST_F(E2eSample, RepeatedFacetNameCountsOnce) {
    const json d =
        search({"--topic", "Kubernetes", "--facets", "topic,topic", "-n", "1"}, false, true);
    const json* k = find_facet(d["facets"]["topic"], "Kubernetes");
    ASSERT_NE(k, nullptr);
    EXPECT_EQ((*k)["count"], d["total"]["lower"]);
}

// ---- pagination and sorting ----------------------------------------------------------------

TEST_F(E2eSample, PagesNeverOverlapAndConcatenate) {
    for (const auto& base :
         std::vector<std::vector<std::string>>{{"--since", "1900"},
                                               {"security", "--match", "any"},
                                               {"kubernetes", "--sort", "relevance"}}) {
        SCOPED_TRACE(json(base).dump());
        std::vector<std::string> a = base;
        a.insert(a.end(), {"-n", "30"});
        const std::vector<std::string> first = ids_of(search(a));
        ASSERT_GE(first.size(), 10u);
        std::vector<std::string> pages;
        std::set<std::string> seen;
        for (std::size_t off = 0; off < first.size(); off += 4) {
            std::vector<std::string> p = base;
            p.insert(p.end(), {"-n", "4", "--offset", std::to_string(off)});
            const json d = search(p);
            EXPECT_EQ(d["offset"], off);
            EXPECT_EQ(d["limit"], 4);
            for (const auto& id : ids_of(d)) {
                EXPECT_TRUE(seen.insert(id).second) << "overlap: " << id;
                pages.push_back(id);
            }
        }
        pages.resize(std::min(pages.size(), first.size()));
        EXPECT_EQ(pages, first);
    }
    const json past = search({"cloud", "--offset", "1000"});
    EXPECT_TRUE(past["results"].empty());
    EXPECT_GT(past["total"]["lower"].get<long>(), 0);
}

TEST_F(E2eSample, SortOrders) {
    auto published = [](const json& d) {
        std::vector<std::string> v;
        for (const auto& r : d["results"]) v.push_back(r["published"].get<std::string>());
        return v;
    };
    auto quality = [](const json& d) {
        std::vector<double> v;
        for (const auto& r : d["results"]) v.push_back(r["quality"].get<double>());
        return v;
    };
    for (const auto& q : std::vector<std::vector<std::string>>{{"security"}, {"--since", "1900"}}) {
        SCOPED_TRACE(json(q).dump());
        auto with = [&](std::vector<std::string> extra) {
            std::vector<std::string> a = q;
            a.insert(a.end(), extra.begin(), extra.end());
            a.insert(a.end(), {"-n", "100"});
            return search(a);
        };
        const json date = with({"--sort", "date"});
        EXPECT_EQ(date["sort"], "date");
        ASSERT_GE(date["results"].size(), 5u);
        auto p = published(date);
        EXPECT_TRUE(std::is_sorted(p.rbegin(), p.rend())) << "--sort date: newest first";
        p = published(with({"--sort", "date", "--reverse"}));
        EXPECT_TRUE(std::is_sorted(p.begin(), p.end())) << "--sort date --reverse: oldest first";
        const json qual = with({"--sort", "quality"});
        EXPECT_EQ(qual["sort"], "quality");
        auto v = quality(qual);
        EXPECT_TRUE(std::is_sorted(v.rbegin(), v.rend())) << "--sort quality: best first";
        v = quality(with({"--sort", "quality", "--reverse"}));
        EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
    }
    // Relevance and blend: score non-increasing.
    for (const char* s : {"relevance", "blend"}) {
        const json d = search({"kubernetes security", "--match", "any", "--sort", s, "-n", "100"});
        EXPECT_EQ(d["sort"], s);
        for (std::size_t i = 1; i < d["results"].size(); ++i) {
            EXPECT_GE(d["results"][i - 1]["score"].get<double>(),
                      d["results"][i]["score"].get<double>())
                << s;
        }
    }
    // Without a text query there is nothing to rank by: newest first.
    EXPECT_EQ(search({"--topic", "Azure"})["sort"], "date");
}

// --reverse flips date and quality order; for relevance and blend it is a usage error (a
// "least relevant first" list is not something a reader wants, and Xapian cannot produce it
// without ranking everything).
TEST_F(E2eSample, ReverseWithRelevanceIsAUsageError) {
    for (const char* s : {"relevance", "blend"}) {
        const Output o =
            searcher({"search", "--index", index(), "cloud", "--sort", s, "--reverse"});
        EXPECT_EQ(o.rc, 2) << describe(o);
        EXPECT_NE(o.err.find("--reverse"), std::string::npos) << describe(o);
    }
}

}  // namespace
