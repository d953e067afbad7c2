// End-to-end tests of search behaviour: ranking, spelling, batch mode, config, query options.
#include <gtest/gtest.h>

#include <cctype>
#include <cstddef>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "e2e_fixtures.hpp"

using namespace news::test::e2e;

namespace {

// ---- known items -------------------------------------------------------------------------

TEST_F(E2eSample, KnownItemsRankInTopThree) {
    const std::vector<std::pair<std::string, std::string>> items = {
        {"Tidewater hybrid",
         "2019-10-15-microsoft-previews-tidewater-hybrid-kubernetes-control-plane.md"},
        {"Qubitforge lattice",
         "2019-12-09-qubitforge-claims-127-qubit-lattice-record-coherence.md"},
        {"Flywheel GitOps",
         "2019-12-30-2019-in-review-gitops-pipelines-flywheel-platform-team.markdown"},
        {"Cobblestone certificate",
         "2020/2020-01-14-patch-tuesday-fixes-cobblestone-certificate-spoofing-bug.md"},
        {"Halcyon simulator",
         "2020/2020-07-14-azure-quantum-opens-halcyon-simulator-to-universities.yaml"},
        {"Velvet Lynx",
         "2020/2020-11-03-velvet-lynx-ransomware-wipes-misconfigured-elasticsearch.md"},
        {"Édelweiss cloud",
         "2020/2020-10-20-souverainete-numerique-projet-edelweiss-cloud-europeen.md"},
        {"Ironbark HSM", "2021/2021-02-01-azure-key-vault-adds-ironbark-managed-hsm-pools.md"},
        {"Moorhen scheduler",
         "2021/2021-02-23-moorhen-grid-aware-scheduler-low-carbon-batch-jobs.md"},
        {"Quarrystone snapshots",
         "2021/2021-04-27-press-release-quarrystone-backup-immutable-snapshots.md"},
        {"Saltmarsh phishing", "2021/2021-06-08-saltmarsh-phishing-kit-abuses-oauth-consent.md"},
        {"Wrenfield Terraform", "2021/2021-06-29-wrenfield-ai-assistant-writes-terraform.md"},
        {"Cilantro sidecars", "2021/2021-07-20-ebpf-cilantro-service-mesh-ditches-sidecars.md"},
        {"Brambleway notebook",
         "2021/2021-08-27-brambleway-notebook-flaw-exposed-database-keys.md"},
        {"Lanternfish RBAC",
         "2021/2021-10-05-lanternfish-audit-rbac-sprawl-kubernetes-clusters.md"},
        {"Fernhollow logging",
         "2021/2021-12-07-fernhollow-logging-library-remote-code-execution-patch.md"},
        {"Skerryvore cable",
         "2022/2022-03-29-skerryvore-cable-fault-slows-europe-us-cloud-traffic.json"},
        {"Quokka-2 chatbot", "2022/2022-12-06-chatbot-quokka-2-aces-practice-bar-exam.md"},
        // Codenames in two titles: the second word picks the article.
        {"Larkspur Cosmos", "2019-11-20-cosmos-db-gains-larkspur-analytical-store.md"},
        {"Larkspur vector", "2022/2022-07-05-vector-search-arrives-larkspur-analytical-store.md"},
        {"Ottermere hyperscale", "2021/2021-04-13-hyperscale-postgres-ottermere-100tb-clusters.md"},
        {"Ottermere serverless",
         "2022/2022-03-08-ottermere-serverless-postgres-general-availability-branching.md"},
    };
    for (const auto& [query, path] : items) {
        const json d = search({query, "-n", "3"});
        bool found = false;
        for (const auto& r : d["results"]) found = found || r["path"] == path;
        EXPECT_TRUE(found) << "query '" << query << "' should return " << path
                           << " in the top 3; got " << json(ids_of(d)).dump();
    }
}

TEST_F(E2eSample, CjkAndAccentedTitlesAreFound) {
    for (const auto& [query, path] : std::vector<std::pair<std::string, std::string>>{
             {"青瓷", "2021/2021-11-30-qingci-distributed-database-3-0-multi-active.md"},
             {"Sakura-Q", "2021/2021-03-04-sakura-q-quantum-error-correction-record.md"},
             {"Édelweiss",
              "2020/2020-10-20-souverainete-numerique-projet-edelweiss-cloud-europeen.md"}}) {
        const json d = search({query, "-n", "3"});
        ASSERT_FALSE(d["results"].empty()) << query;
        EXPECT_EQ(d["results"][0]["path"], path) << query;
    }
}

// ---- spelling ------------------------------------------------------------------------------

// A misspelt word that finds nothing: its correction is searched instead, and said so.
TEST_F(E2eSample, SpellingCorrectionIsSearchedWhenTheQueryFindsNothing) {
    const json d = search({"tidewatr"});
    EXPECT_EQ(d["query"], "tidewatr");
    EXPECT_EQ(d["corrected_query"], "tidewater");
    EXPECT_TRUE(d["suggestion"].is_null()) << "already searched";
    ASSERT_EQ(d["results"].size(), 1u);
    EXPECT_TRUE(contains(d["results"][0]["title"].get<std::string>(), "Tidewater"));
    ASSERT_EQ(d["notes"].size(), 1u);
    EXPECT_TRUE(contains(d["notes"][0].get<std::string>(), "showing results for 'tidewater'"));
    const json off = search({"tidewatr", "--no-spelling"});
    EXPECT_TRUE(off["suggestion"].is_null());
    EXPECT_TRUE(off["corrected_query"].is_null());
    EXPECT_TRUE(off["results"].empty());
    const json right = search({"tidewater"});
    EXPECT_TRUE(right["suggestion"].is_null());
    EXPECT_TRUE(right["corrected_query"].is_null());
    const Output text = searcher({"search", "--index", index(), "tidewatr"});
    EXPECT_TRUE(contains(text.out,
                         "note: no article matches 'tidewatr'; showing results for "
                         "'tidewater'"))
        << text.out;
}

// Regression: `search azure` matches 19 articles ("azure" is in 7 titles/excerpts) yet returns
// "suggestion": "are" and text mode prints "Did you mean: are". Xapian 1.4's
// get_spelling_suggestion offers a more frequent word within edit distance 2 even when the
// word itself is in the spelling table; the searcher passes it on unfiltered.
TEST_F(E2eSample, NoSuggestionForAWordThatIsInTheIndex) {
    for (const char* q : {"azure", "Azure"}) {
        const json d = search({q});
        EXPECT_GT(d["total"]["lower"].get<long>(), 0);
        EXPECT_TRUE(d["suggestion"].is_null()) << q << " -> " << d["suggestion"];
    }
}

// ---- lenient parsing -----------------------------------------------------------------------

TEST_F(E2eSample, LenientQueriesStillSucceed) {
    int lenient = 0;
    for (const char* q : {"\"AND OR (", "AND OR (", "cloud AND", "(cloud", "cloud NEAR",
                          "date:notadate", "quality:abc", "date:2021..2021-13"}) {
        const json d = search({"--", q});
        EXPECT_EQ(d["query"], q);
        if (d["lenient"].get<bool>()) {
            ++lenient;
            EXPECT_TRUE(d.contains("lenient_reason")) << q;
        } else {
            EXPECT_FALSE(d.contains("lenient_reason")) << q;
        }
    }
    EXPECT_GE(lenient, 2);
    const json a = search({"cloud AND"});
    EXPECT_TRUE(a["lenient"].get<bool>());
    EXPECT_GT(a["total"]["lower"].get<long>(), 0) << "the words are still searched";
    const json b = search({"date:notadate"});
    EXPECT_TRUE(b["lenient"].get<bool>());
    EXPECT_TRUE(contains(b["lenient_reason"].get<std::string>(), "notadate"))
        << b["lenient_reason"];
    const Output t = searcher({"search", "--index", index(), "cloud AND"});
    EXPECT_EQ(t.rc, 0);
    EXPECT_TRUE(contains(t.out, "note: the query could not be parsed")) << t.out;
}

// ---- batch mode ------------------------------------------------------------------------------

TEST_F(E2eSample, BatchModeOneJsonLinePerQuery) {
    const fs::path qf = dir_->path() / "queries.txt";
    {
        std::ofstream out(qf, std::ios::binary);
        out << "tidewater\n\n   \ncloud\r\nvelvet lynx\ncloud AND\n";
    }
    const Output o =
        searcher({"search", "--index", index(), "--queries", qf.string(), "-n", "3", "--timing"});
    ASSERT_EQ(o.rc, 0) << describe(o);
    const auto lines = lines_of(o.out);
    ASSERT_EQ(lines.size(), 4u) << o.out;
    const std::vector<std::string> queries{"tidewater", "cloud", "velvet lynx", "cloud AND"};
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const json d = json::parse(lines[i]);
        check_envelope(d);
        EXPECT_EQ(d["query"], queries[i]);
        EXPECT_EQ(d["limit"], 3);
        EXPECT_FALSE(d["results"].empty()) << queries[i];
    }
    EXPECT_TRUE(json::parse(lines[3])["lenient"].get<bool>());
    EXPECT_TRUE(contains(o.err, "queries 4")) << o.err;
    const Output missing =
        searcher({"search", "--index", index(), "--queries", (dir_->path() / "nope").string()});
    EXPECT_EQ(missing.rc, news::kExitUsage) << describe(missing);
}

// A batch keeps the priorkey slot in memory and filters dates and qualities in its prior
// source, whatever the sort; a single search filters by bucket terms (or reads the value
// stream): the same pages and scores either way.
TEST_F(E2eSample, BatchModeRanksLikeSingleSearches) {
    const std::vector<std::string> queries{"cloud", "kubernetes flaw", "azure security update",
                                           "database"};
    const fs::path qf = dir_->path() / "same-queries.txt";
    {
        std::ofstream out(qf, std::ios::binary);
        for (const auto& q : queries) out << q << '\n';
    }
    const std::vector<std::vector<std::string>> filters{
        {"--min-quality", "30"},
        {"--since", "2021-06-01", "--min-quality", "10"},
        {"--until", "2021-12-31", "--max-quality", "80"}};
    int results = 0;
    for (const char* sort : {"relevance", "blend", "date"}) {
        for (const auto& f : filters) {
            std::vector<std::string> args{"search",    "--index",      index(), "--queries",
                                          qf.string(), "--sort",       sort,    "-n",
                                          "4",         "--exact-count"};
            args.insert(args.end(), f.begin(), f.end());
            const Output batch = searcher(args);
            ASSERT_EQ(batch.rc, 0) << describe(batch);
            const auto lines = lines_of(batch.out);
            ASSERT_EQ(lines.size(), queries.size()) << batch.out;
            for (std::size_t i = 0; i < queries.size(); ++i) {
                std::vector<std::string> one{queries[i], "--sort", sort,
                                             "-n",       "4",      "--exact-count"};
                one.insert(one.end(), f.begin(), f.end());
                const json want = search(one);
                const json got = json::parse(lines[i]);
                const std::string what = std::string(sort) + " " + queries[i];
                EXPECT_EQ(got["total"], want["total"]) << what;
                ASSERT_EQ(got["results"].size(), want["results"].size()) << what;
                for (std::size_t r = 0; r < want["results"].size(); ++r) {
                    EXPECT_EQ(got["results"][r]["id"], want["results"][r]["id"]) << what;
                    EXPECT_NEAR(got["results"][r]["score"].get<double>(),
                                want["results"][r]["score"].get<double>(), 1e-12)
                        << what;
                    ++results;
                }
            }
        }
    }
    EXPECT_GT(results, 50);
}

// ---- config file -------------------------------------------------------------------------

TEST_F(E2eSample, ConfigFileSetsDefaultsAndFlagsWin) {
    TempDir d;
    const auto cfg = d.write("searcher.toml",
                             "# priors off: blend ranks like relevance\n[search]\n"
                             "quality-weight = 0\nrecency-weight = 0\n\n[related]\n"
                             "weights = \"content=0,topics=1,time=0,quality=0,graph=0\"\n");
    auto scores = [](const std::string& out) {
        std::vector<double> v;
        const json d = json::parse(out);
        for (const auto& r : d["results"]) v.push_back(r["score"].get<double>());
        return v;
    };
    const std::vector<std::string> q = {"search", "--index", index(), "--format", "json", "cloud"};
    auto with = [&](std::vector<std::string> pre, std::vector<std::string> post) {
        pre.insert(pre.end(), q.begin(), q.end());
        pre.insert(pre.end(), post.begin(), post.end());
        return pre;
    };
    const Output blend = searcher(q);
    ASSERT_EQ(blend.rc, news::kExitOk) << describe(blend);
    ASSERT_FALSE(scores(blend.out).empty()) << blend.out;
    const Output relevance = searcher(with({}, {"--sort", "relevance"}));
    const Output configured = searcher(with({"--config", cfg.string()}, {}));
    ASSERT_EQ(configured.rc, news::kExitOk) << describe(configured);
    EXPECT_EQ(scores(configured.out), scores(relevance.out));
    EXPECT_NE(scores(configured.out), scores(blend.out));
    // The environment variable names the default file; a flag on the command line wins.
    const Output env = news::test::run_bin(
        "/usr/bin/env",
        {"NEWSEARCH_CONFIG=" + cfg.string(), NEWS_SEARCHER_BIN, "search", "--index", index(),
         "--format", "json", "--quality-weight", "1", "--recency-weight", "1.5", "cloud"});
    ASSERT_EQ(env.rc, news::kExitOk) << describe(env);
    EXPECT_EQ(scores(env.out), scores(blend.out));
    // [related] applies to related.
    const Output rel = searcher({"--config", cfg.string(), "related", "--index", index(),
                                 "--format", "json", "--explain", kGlassSecureBeat});
    ASSERT_EQ(rel.rc, news::kExitOk) << describe(rel);
    const json related = json::parse(rel.out);
    ASSERT_FALSE(related["results"].empty());
    for (const auto& r : related["results"]) {
        EXPECT_EQ(r["signals"]["content"].get<double>(), 0.0);
        EXPECT_EQ(r["signals"]["time"].get<double>(), 0.0);
        EXPECT_GT(r["signals"]["topics"].get<double>(), 0.0);
    }
    // A bad file is a usage error naming it.
    const auto bad = d.write("bad.toml", "[search]\nno-such-option = 3\n");
    const Output o = searcher(with({"--config", bad.string()}, {}));
    EXPECT_EQ(o.rc, news::kExitUsage) << describe(o);
    EXPECT_NE(o.err.find("bad.toml"), std::string::npos) << o.err;
}

// ---- query options -------------------------------------------------------------------------

TEST_F(E2eSample, ExpandAddsFeedbackTermsAndFindsMore) {
    const json plain = search({"glasshopper", "-n", "20"});
    const json expanded = search({"glasshopper", "-n", "20", "--expand", "5"});
    EXPECT_FALSE(plain.contains("expansion"));
    ASSERT_TRUE(expanded.contains("expansion"));
    const auto terms = expanded["expansion"].get<std::vector<std::string>>();
    ASSERT_FALSE(terms.empty());
    EXPECT_LE(terms.size(), 5u);
    for (const auto& t : terms) {
        EXPECT_EQ(t[0], 'Z') << t;
        EXPECT_FALSE(std::isupper(static_cast<unsigned char>(t[1]))) << t;  // no field stems
        EXPECT_NE(t, "Zglasshopp");
    }
    std::set<std::string> before, after;
    for (const auto& r : plain["results"]) before.insert(r["id"].get<std::string>());
    for (const auto& r : expanded["results"]) after.insert(r["id"].get<std::string>());
    EXPECT_GT(after.size(), before.size());
    for (const auto& id : before) EXPECT_TRUE(after.count(id)) << id;
    // The articles that name the flaw still come first.
    for (std::size_t i = 0; i < before.size(); ++i)
        EXPECT_TRUE(before.count(expanded["results"][i]["id"].get<std::string>())) << i;
}

// --collapse keeps the partial matches of --match auto, one result per story: no story twice
// (a copy matching only some words does not repeat a story listed above), and the counts are
// of stories.
TEST_F(E2eSample, CollapseKeepsThePartialMatchesOneStoryEach) {
    auto story_of = [](const json& r) {
        return r["story"].is_null() ? r["id"].get<std::string>() : r["story"].get<std::string>();
    };
    const json all = search({"kubernetes", "security", "--match", "all", "-n", "100"});
    const json any = search({"kubernetes", "security", "--match", "any", "-n", "100"});
    const json c = search({"kubernetes", "security", "--collapse", "-n", "100"});
    ASSERT_TRUE(c["relaxed"].get<bool>());
    std::set<std::string> strict_stories, any_stories, seen;
    for (const auto& r : all["results"]) strict_stories.insert(story_of(r));
    for (const auto& r : any["results"]) any_stories.insert(story_of(r));
    ASSERT_LT(any_stories.size(), any["results"].size()) << "the sample needs a story of copies";
    for (const auto& r : c["results"]) EXPECT_TRUE(seen.insert(story_of(r)).second) << r["id"];
    EXPECT_EQ(seen, any_stories);
    EXPECT_EQ(c["total"]["lower"].get<std::size_t>(), strict_stories.size());
    EXPECT_EQ(c["matched_all"].get<std::size_t>(), strict_stories.size());
    const std::size_t tail = any_stories.size() - strict_stories.size();
    EXPECT_LE(c["relaxed_total"]["lower"].get<std::size_t>(), tail);
    EXPECT_GE(c["relaxed_total"]["upper"].get<std::size_t>(), tail);
    const json exact =
        search({"kubernetes", "security", "--collapse", "-n", "100", "--exact-count"});
    EXPECT_EQ(exact["relaxed_total"]["lower"].get<std::size_t>(), tail);
    EXPECT_EQ(exact["relaxed_total"]["upper"].get<std::size_t>(), tail);
    const Output text = searcher(
        {"search", "--index", index(), "--collapse", "-n", "100", "kubernetes", "security"});
    EXPECT_TRUE(
        contains(text.out, std::to_string(strict_stories.size()) + " stories match every word"))
        << text.out;
}

// `searcher search kubernetes -glasshopper`: a -WORD argument is the query's exclusion, as
// the README documents, not an unknown option; glued options still work.
TEST_F(E2eSample, MinusWordOnTheCommandLineExcludes) {
    const json minus = search({"kubernetes", "-glasshopper", "-n", "50"});
    const json op = search({"kubernetes NOT glasshopper", "-n", "50"});
    const json plain = search({"kubernetes", "-n", "50"});
    ASSERT_FALSE(minus["results"].empty());
    EXPECT_LT(minus["results"].size(), plain["results"].size());
    ASSERT_EQ(minus["results"].size(), op["results"].size());
    for (std::size_t i = 0; i < op["results"].size(); ++i)
        EXPECT_EQ(minus["results"][i]["id"], op["results"][i]["id"]) << i;
    for (const auto& r : minus["results"])
        EXPECT_FALSE(contains(r["title"].get<std::string>(), "Glasshopper")) << r["title"];
    // -fjson and -n5 stay options; -- still ends them.
    const Output glued = searcher({"search", "--index", index(), "-fjson", "-n5", "kubernetes"});
    ASSERT_EQ(glued.rc, news::kExitOk) << describe(glued);
    EXPECT_EQ(json::parse(glued.out)["results"].size(), 5u);
    const json dashed = search({"--", "kubernetes", "-glasshopper", "-n", "50"});
    EXPECT_EQ(dashed["query"], "kubernetes -glasshopper -n 50");
}

// A query with no words is a usage error naming it; one that only excludes says what it did.
TEST_F(E2eSample, EmptyAndExcludingQueriesAreExplained) {
    for (const char* q : {"!!!", "\xf0\x9f\x99\x82", "( ) -"}) {
        const Output o = searcher({"search", "--index", index(), q});
        EXPECT_EQ(o.rc, news::kExitUsage) << describe(o);
        EXPECT_TRUE(contains(o.err, "has no words to search for")) << o.err;
        EXPECT_TRUE(o.out.empty()) << o.out;
    }
    const Output n = searcher({"search", "--index", index(), "NOT", "kubernetes"});
    ASSERT_EQ(n.rc, news::kExitOk) << describe(n);
    EXPECT_TRUE(contains(n.out, "note: the query only excludes words")) << n.out;
}

TEST_F(E2eSample, StopwordsOptionDropsThemFromTheQuery) {
    // "whom" is in no article: every word is required, so it hides everything unless stopped
    // (the default).
    const json plain = search({"glasshopper", "-n", "20"});
    ASSERT_FALSE(plain["results"].empty());
    EXPECT_TRUE(search({"glasshopper", "whom", "--match", "all", "--stopwords", "off",
                        "--no-spelling"})["results"]
                    .empty());
    const json stopped = search({"glasshopper", "whom", "-n", "20", "--match", "all"});
    EXPECT_FALSE(contains(stopped["parsed_query"].get<std::string>(), "whom"));
    ASSERT_EQ(stopped["results"].size(), plain["results"].size());
    for (std::size_t i = 0; i < plain["results"].size(); ++i)
        EXPECT_EQ(stopped["results"][i]["id"], plain["results"][i]["id"]) << i;
    // Inside a phrase they stay.
    const json phrase = search({"\"flaw in the ingress\" OR glasshopper", "--stopwords", "on"});
    EXPECT_TRUE(contains(phrase["parsed_query"].get<std::string>(), "the@"));
}

// --match auto (the default): the articles matching every word come first, exactly as with
// --match all; when they do not fill the page, those matching only some words follow, as with
// --match any but without the first ones. Pages still concatenate without overlap or gap.
TEST_F(E2eSample, MatchAutoFollowsAllWordMatchesWithPartialOnes) {
    const std::vector<std::string> q{"kubernetes", "security", "--sort", "relevance"};
    auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = q;
        args.insert(args.end(), extra.begin(), extra.end());
        return search(args);
    };
    const json all = with({"--match", "all", "-n", "50"});
    const json any = with({"--match", "any", "-n", "50"});
    const json page = with({"-n", "50"});
    const std::size_t n_all = all["results"].size(), n_any = any["results"].size();
    ASSERT_GE(n_all, 2u);
    ASSERT_GT(n_any, n_all + 2) << "the sample needs articles with only one of the words";
    EXPECT_FALSE(all["relaxed"].get<bool>());
    EXPECT_FALSE(any["relaxed"].get<bool>());
    ASSERT_TRUE(page["relaxed"].get<bool>());
    EXPECT_EQ(page["matched_all"].get<std::size_t>(), n_all);
    // The total counts the all-word matches; the others are counted apart.
    EXPECT_EQ(page["total"]["lower"].get<std::size_t>(), n_all);
    EXPECT_EQ(page["total"]["upper"].get<std::size_t>(), n_all);
    EXPECT_EQ(page["relaxed_total"]["lower"].get<std::size_t>(), n_any - n_all);
    EXPECT_EQ(page["relaxed_total"]["upper"].get<std::size_t>(), n_any - n_all);
    ASSERT_EQ(page["results"].size(), n_any);
    std::set<std::string> strict, loose;
    for (const auto& r : all["results"]) strict.insert(r["id"].get<std::string>());
    for (const auto& r : any["results"]) loose.insert(r["id"].get<std::string>());
    std::set<std::string> seen;
    for (std::size_t i = 0; i < n_any; ++i) {
        const json& r = page["results"][i];
        const std::string id = r["id"].get<std::string>();
        EXPECT_EQ(r["rank"].get<std::size_t>(), i + 1);
        EXPECT_TRUE(seen.insert(id).second) << id;
        EXPECT_TRUE(loose.count(id)) << id;
        if (i < n_all) {
            EXPECT_EQ(id, all["results"][i]["id"]) << i;  // same order as --match all
            EXPECT_TRUE(r["matched_all_words"].get<bool>()) << i;
        } else {
            EXPECT_FALSE(strict.count(id)) << id;
            EXPECT_FALSE(r["matched_all_words"].get<bool>()) << i;
        }
    }
    // Scores descend within each part.
    for (std::size_t i = 1; i < n_any; ++i) {
        if (i == n_all) continue;
        EXPECT_GE(page["results"][i - 1]["score"].get<double>(),
                  page["results"][i]["score"].get<double>())
            << i;
    }
    // Pages of 3 concatenate to the whole list, across the boundary.
    std::vector<std::string> paged;
    for (std::size_t off = 0; off < n_any + 3; off += 3) {
        const json p = with({"-n", "3", "--offset", std::to_string(off)});
        for (const auto& r : p["results"]) paged.push_back(r["id"].get<std::string>());
        // Every page says the same about the match set (few all-word matches: all counted).
        EXPECT_TRUE(p["relaxed"].get<bool>()) << off;
        EXPECT_EQ(p.value("matched_all", 0u), n_all) << off;
        EXPECT_EQ(p["total"]["upper"].get<std::size_t>(), n_all) << off;
        EXPECT_GE(p["relaxed_total"]["upper"].get<std::size_t>(), n_any - n_all) << off;
    }
    ASSERT_EQ(paged.size(), n_any);
    for (std::size_t i = 0; i < n_any; ++i) EXPECT_EQ(paged[i], page["results"][i]["id"]) << i;
    // A page the all-word matches fill shows only them (its totals count the others too); a
    // phrase has no looser reading and is never relaxed.
    const json first = with({"-n", std::to_string(n_all)});
    ASSERT_EQ(first["results"].size(), n_all);
    for (std::size_t i = 0; i < n_all; ++i) {
        EXPECT_EQ(first["results"][i]["id"], all["results"][i]["id"]) << i;
        EXPECT_TRUE(first["results"][i]["matched_all_words"].get<bool>()) << i;
    }
    const json phrase = search({"\"kubernetes security\"", "-n", "50"});
    EXPECT_FALSE(phrase["relaxed"].get<bool>());
    // Text output marks where the partial matches start, once.
    const Output text = searcher(
        {"search", "--index", index(), "--color", "never", "-n", "50", "kubernetes", "security"});
    ASSERT_EQ(text.rc, news::kExitOk) << describe(text);
    const std::string mark = "-- matching only some of the words --";
    const auto at = text.out.find(mark);
    ASSERT_NE(at, std::string::npos) << text.out;
    EXPECT_EQ(text.out.find(mark, at + 1), std::string::npos);
    EXPECT_NE(text.out.find(std::to_string(n_all) + " articles match every word, and " +
                            std::to_string(n_any - n_all) + " more match some of them; showing 1-" +
                            std::to_string(n_any)),
              std::string::npos)
        << text.out;
    const Output strict_text = searcher({"search", "--index", index(), "--color", "never", "-n",
                                         "50", "--match", "all", "kubernetes", "security"});
    EXPECT_EQ(strict_text.out.find(mark), std::string::npos) << strict_text.out;
    // A word no article has no longer empties the result list.
    const json unknown = search({"glasshopper", "zyxwv", "-n", "20", "--no-spelling"});
    EXPECT_TRUE(unknown["relaxed"].get<bool>());
    EXPECT_EQ(unknown["matched_all"].get<int>(), 0);
    EXPECT_FALSE(unknown["results"].empty());
}

TEST_F(E2eSample, Bm25OptionChangesTheWeights) {
    auto scores = [&](std::vector<std::string> extra) {
        std::vector<std::string> args{"kubernetes", "security",  "--match", "any",
                                      "--sort",     "relevance", "-n",      "20"};
        args.insert(args.end(), extra.begin(), extra.end());
        const json d = search(args);
        std::vector<double> out;
        for (const auto& r : d["results"]) out.push_back(r["score"].get<double>());
        return out;
    };
    const auto defaults = scores({});
    ASSERT_GE(defaults.size(), 2u);
    EXPECT_EQ(scores({"--bm25", "1.2,0.75"}), defaults);  // the documented defaults
    const auto other = scores({"--bm25", "2,0.9"});
    ASSERT_EQ(other.size(), defaults.size());
    EXPECT_NE(other, defaults);
}

}  // namespace
