// End-to-end tests of the searcher binary's exit codes and of its answers on fixture corpora.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "e2e_fixtures.hpp"

using namespace news::test::e2e;

namespace {

// ---- searcher exit codes -------------------------------------------------------------------

TEST_F(E2eSample, SearcherUsageErrorsExitTwo) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"search", "--index", index()}, "give a query"},
        {{"search", "--index", index(), "--format", "json", "   "}, "give a query"},
        {{"search", "--index", index(), "--since", "notadate", "cloud"}, "bad date 'notadate'"},
        {{"search", "--index", index(), "--until", "2021-13-45", "cloud"}, "bad date"},
        {{"search", "--index", index(), "--facets", "topic,colour", "cloud"},
         "unknown facet 'colour'"},
        {{"search", "--index", index(), "--sort", "random", "cloud"}, "--sort"},
        {{"search", "--index", index(), "--format", "xml", "cloud"}, "--format"},
        {{"search", "--index", index(), "--bogus", "cloud"}, "--bogus"},
        {{"search", "--index", index(), "--half-life", "0", "cloud"}, "--half-life"},
        {{"search", "--index", index(), "--bm25", "1.2", "cloud"}, "--bm25"},
        {{"search", "--index", index(), "--bm25", "1.2,1.5", "cloud"}, "--bm25"},
        {{"search", "--index", index(), "--stopwords", "maybe", "cloud"}, "--stopwords"},
        {{"frobnicate"}, ""},
        {{}, ""},
    };
    for (const auto& [args, msg] : cases) {
        const Output o = searcher(args);
        EXPECT_EQ(o.rc, news::kExitUsage) << json(args).dump() << "\n" << describe(o);
        EXPECT_TRUE(contains(o.err, msg)) << json(args).dump() << "\n" << o.err;
        EXPECT_TRUE(o.out.empty() || !contains(o.out, "\"results\"")) << o.out;
    }
}

TEST_F(E2eSample, GetUnknownIdExitsFive) {
    const Output o = searcher({"get", "--index", index(), "https://nowhere.example/missing"});
    EXPECT_EQ(o.rc, news::kExitNotFound) << describe(o);
    EXPECT_TRUE(contains(o.err, "https://nowhere.example/missing")) << o.err;
    EXPECT_TRUE(o.out.empty()) << o.out;
}

// ---- searcher on fixtures: hostile queries, --match auto, batch mode ----------------------

// Hostile queries (issue "searcher"): thousands of terms, deep parentheses, a wildcard over a
// large vocabulary, an oversized query. Each either answers (exit 0, JSON) or fails cleanly
// (exit 2, one line naming the problem); none crashes or hangs (ctest's timeout bounds them).
TEST(E2eSearcher, HostileQueriesAnswerOrFailCleanly) {
    Fixture f;
    // 200 articles with 30 distinct a-words each: a vocabulary of 6,000 words under `a`.
    std::vector<std::string> vocab;
    for (int i = 0; i < 200; ++i) {
        std::string title = "Hostile query test article";
        for (int k = 0; k < 30; ++k) {
            std::string w = "aw";  // (built with += : GCC 12's -Wrestrict misfires on "aw" + ...)
            w += std::to_string(i);
            w += 'x';
            w += std::to_string(k);
            vocab.push_back(w);
            title += ' ';
            title += w;
        }
        std::string url = "https://hostile.example/", file = "h";
        url += std::to_string(i);
        file += std::to_string(i);
        file += ".md";
        f.add(file, article(title, url));
    }
    const Output built = indexer({"--index", f.index(), "--quiet", f.corpus()});
    ASSERT_EQ(built.rc, news::kExitOk) << describe(built);
    auto run = [&](const std::string& q, std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"search", "--index", f.index(), "--format", "json"};
        args.insert(args.end(), extra.begin(), extra.end());
        args.push_back("--");
        args.push_back(q);
        return searcher(args);
    };
    auto answered = [&](const Output& o, const std::string& what) {
        EXPECT_EQ(o.rc, news::kExitOk) << what << ": " << describe(o);
        if (o.rc != news::kExitOk) return json();
        return json::parse(o.out);
    };
    // Thousands of terms: every word required matches nothing; auto then ranks the articles
    // holding some of them (all 200 here), and --match any does too.
    std::string many;
    for (std::size_t i = 0; i < vocab.size() && many.size() < 15000; i += 3) many += vocab[i] + ' ';
    const json strict = answered(run(many, {"--match", "all"}), "2,000+ words, all");
    EXPECT_EQ(strict.value("total", json::object()).value("upper", 1), 0);
    const json relaxed = answered(run(many, {"-n", "5"}), "2,000+ words, auto");
    EXPECT_TRUE(relaxed.value("relaxed", false));
    EXPECT_EQ(relaxed["results"].size(), 5u);
    const json any = answered(run(many, {"--match", "any", "-n", "5"}), "2,000+ words, any");
    EXPECT_EQ(any["results"].size(), 5u);
    // Deep parentheses: parsed, or read leniently as words.
    const std::string deep = std::string(3000, '(') + vocab[0] + std::string(3000, ')');
    const json nested = answered(run(deep), "3,000 nested parentheses");
    EXPECT_FALSE(nested["results"].empty());
    const json unbalanced = answered(run(std::string(5000, '(') + vocab[1]), "5,000 open (");
    EXPECT_FALSE(unbalanced["results"].empty());
    // A wildcard over the whole vocabulary: expanded to a capped number of terms, answered.
    const json wild = answered(run("aw*"), "aw*");
    EXPECT_FALSE(wild["results"].empty());
    // Too long: a usage error naming the limit, on one line.
    const Output huge = run(std::string(20000, 'x'));
    EXPECT_EQ(huge.rc, news::kExitUsage) << describe(huge);
    EXPECT_NE(huge.err.find("limit"), std::string::npos) << huge.err;
    EXPECT_EQ(std::count(huge.err.begin(), huge.err.end(), '\n'), 1) << huge.err;
}

// --match auto relaxes a search when at most 1,000 articles match every word, counted exactly:
// the ranked match's bounds (which depend on the sort, --exact-count and batch mode) must not
// decide it. 2,000 articles; "quokka wombat" has 800 all-word matches, "numbat wallaby" 1,100,
// and for both Xapian's bounds straddle the limit.
TEST(E2eSearcher, RelaxedDependsOnTheExactAllWordCountOnly) {
    Fixture f;
    for (int i = 0; i < 2000; ++i) {
        std::string title = "Ledger report ";
        title += std::to_string(i);
        if (i < 1400) title += " quokka";
        if (i >= 600) title += " wombat";
        if (i < 1300) title += " numbat";
        if (i >= 200 && i < 1500) title += " wallaby";
        std::string url = "https://relax.example/", file = "r";
        url += std::to_string(i);
        file += std::to_string(i);
        file += ".md";
        f.add(file, article(title, url));
    }
    const Output built = indexer({"--index", f.index(), "--quiet", f.corpus()});
    ASSERT_EQ(built.rc, news::kExitOk) << describe(built);
    auto run = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"search", "--index", f.index(), "--format", "json", "-n", "3"});
        const Output o = searcher(args);
        EXPECT_EQ(o.rc, news::kExitOk) << describe(o);
        return o.rc == news::kExitOk ? json::parse(o.out) : json::object();
    };
    const fs::path qf = f.dir.path() / "queries.txt";
    news::test::write_file(qf, "quokka wombat\nnumbat wallaby\n");
    const struct {
        std::string q;
        std::size_t all_words;
    } cases[] = {{"quokka wombat", 800}, {"numbat wallaby", 1100}};
    for (const auto& c : cases) {
        // The case this guards: the all-word match's own bounds leave the count open.
        const json strict = run({c.q, "--match", "all"});
        ASSERT_FALSE(strict.empty());
        EXPECT_LE(strict["total"]["lower"].get<std::size_t>(), 1000u) << c.q;
        EXPECT_GT(strict["total"]["upper"].get<std::size_t>(), 1000u) << c.q;
        EXPECT_EQ(run({c.q, "--match", "all", "--exact-count"})["total"]["lower"], c.all_words);
        const bool want = c.all_words <= 1000;
        for (const char* sort : {"relevance", "blend", "date"}) {
            for (const bool exact : {false, true}) {
                std::vector<std::string> args{c.q, "--sort", sort};
                if (exact) args.push_back("--exact-count");
                const json d = run(args);
                const std::string what = c.q + " --sort " + sort + (exact ? " --exact-count" : "");
                ASSERT_FALSE(d.empty()) << what;
                EXPECT_EQ(d["relaxed"].get<bool>(), want) << what;
                if (want) {
                    EXPECT_EQ(d["matched_all"].get<std::size_t>(), c.all_words) << what;
                }
                // The total is the all-word count; relaxed, the others (every article has one
                // of the words) are counted apart.
                if (want) {
                    EXPECT_EQ(d["total"]["lower"].get<std::size_t>(), c.all_words) << what;
                    EXPECT_EQ(d["total"]["upper"], d["total"]["lower"]) << what;
                }
                if (want && exact) {
                    EXPECT_EQ(d["relaxed_total"]["lower"].get<std::size_t>(), 2000u - c.all_words)
                        << what;
                    EXPECT_EQ(d["relaxed_total"]["upper"], d["relaxed_total"]["lower"]) << what;
                }
                if (!want && exact) {
                    EXPECT_EQ(d["total"]["lower"].get<std::size_t>(), c.all_words) << what;
                }
            }
        }
    }
    // Every page of a relaxed search reports totals that hold (every article has a word: 2,000),
    // the same ones unless a page counted exactly: pages of all-word matches, the page across
    // the boundary, pages of partial matches only, the last page.
    for (const char* sort : {"relevance", "blend"}) {
        const json first = run({"quokka wombat", "--sort", sort});
        for (const char* offset : {"795", "799", "1500", "1997"}) {
            const json p = run({"quokka wombat", "--sort", sort, "--offset", offset});
            const std::string what = std::string(sort) + " --offset " + offset;
            EXPECT_TRUE(p["relaxed"].get<bool>()) << what;
            EXPECT_EQ(p["total"], first["total"]) << what;  // the all-word count, exact
            EXPECT_EQ(p["total"]["lower"].get<std::size_t>(), 800u) << what;
            const auto lower = p["relaxed_total"]["lower"].get<std::size_t>();
            const auto upper = p["relaxed_total"]["upper"].get<std::size_t>();
            EXPECT_LE(lower, 1200u) << what;
            EXPECT_GE(upper, 1200u) << what;
            EXPECT_LE(upper, 1200u) << what;  // never past the index's size
            if (lower != upper) {
                EXPECT_EQ(p["relaxed_total"], first["relaxed_total"]) << what;
            }
        }
    }
    // Batch mode, where every sort filters a broad range in the prior source (other bounds):
    // the same answer, facets included, as single searches.
    for (const char* sort : {"relevance", "blend", "date"}) {
        const std::vector<std::string> extra{"--sort", sort,       "--min-quality",
                                             "40",     "--facets", "year"};
        std::vector<std::string> args{"search",    "--index", f.index(), "--queries",
                                      qf.string(), "-n",      "3"};
        args.insert(args.end(), extra.begin(), extra.end());
        const Output batch = searcher(args);
        ASSERT_EQ(batch.rc, news::kExitOk) << describe(batch);
        const auto lines = lines_of(batch.out);
        ASSERT_EQ(lines.size(), 2u) << batch.out;
        for (std::size_t i = 0; i < 2; ++i) {
            std::vector<std::string> one{cases[i].q};
            one.insert(one.end(), extra.begin(), extra.end());
            const json want = run(one), got = json::parse(lines[i]);
            const std::string what = cases[i].q + " --sort " + sort + " (batch)";
            EXPECT_EQ(got["relaxed"].get<bool>(), cases[i].all_words <= 1000) << what;
            EXPECT_EQ(got["relaxed"], want["relaxed"]) << what;
            EXPECT_EQ(got.value("matched_all", 0u), want.value("matched_all", 0u)) << what;
            EXPECT_EQ(got["total"], want["total"]) << what;  // exact with facets
            EXPECT_EQ(got["facets"], want["facets"]) << what;
            ASSERT_EQ(got["results"].size(), want["results"].size()) << what;
            for (std::size_t r = 0; r < want["results"].size(); ++r)
                EXPECT_EQ(got["results"][r]["id"], want["results"][r]["id"]) << what;
        }
    }
}

// Two copies of one index directory share a uuid; updated apart, they can be at the same
// revision with other contents. Batch mode (which keeps the indexes' prior keys in memory,
// keyed by uuid) must still answer like single searches over both.
TEST(E2eSearcher, BatchOverCopiesOfOneIndexAnswersLikeSingleSearches) {
    Fixture f;
    const fs::path empty = f.dir.path() / "empty", tmpl = f.dir.path() / "tmpl";
    fs::create_directories(empty);
    const Output made = indexer({"--index", tmpl.string(), "--quiet", empty.string()});
    ASSERT_EQ(made.rc, news::kExitOk) << describe(made);
    // ia and ib differ in size; ib and ic have the same shape (documents, last docid,
    // revision) and other contents: only the uuid check tells their keys apart.
    const fs::path ia = f.dir.path() / "ia", ib = f.dir.path() / "ib", ic = f.dir.path() / "ic";
    for (const auto& copy : {ia, ib, ic}) fs::copy(tmpl, copy, fs::copy_options::recursive);
    for (int i = 0; i < 100; ++i) {
        const std::string n = std::to_string(i);
        std::string a = article("Copy test " + n + " alpha", "https://copies.example/" + n);
        // Quality i and a day of its own, so the filter and the prior both have work to do.
        a.replace(a.find("quality: 50"), 11, "quality: " + n);
        a.replace(a.find("2021-02-01"), 10,
                  "2021-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 10));
        if (i < 10) news::test::write_file(f.dir.path() / "c10" / (n + ".md"), a);
        news::test::write_file(f.dir.path() / "c100" / (n + ".md"), a);
        std::string c = article("Copy test " + n + " alpha", "https://other.example/" + n);
        c.replace(c.find("quality: 50"), 11, "quality: " + std::to_string(99 - i));
        news::test::write_file(f.dir.path() / "o100" / (n + ".md"), c);
    }
    for (const auto& [idx, dir] :
         {std::pair{ia, "c10"}, std::pair{ib, "c100"}, std::pair{ic, "o100"}}) {
        const Output o =
            indexer({"--index", idx.string(), "--quiet", (f.dir.path() / dir).string()});
        ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
    }
    const fs::path qf = f.dir.path() / "queries.txt";
    news::test::write_file(qf, "alpha\ncopy test\n");
    for (const char* sort : {"blend", "relevance"}) {
        for (const auto& order : {std::vector{ia, ib}, std::vector{ib, ia}, std::vector{ib, ic}}) {
            const std::vector<std::string> common{"--index",
                                                  order[0].string(),
                                                  "--index",
                                                  order[1].string(),
                                                  "--sort",
                                                  sort,
                                                  "--min-quality",
                                                  "30",
                                                  "-n",
                                                  "5"};
            std::vector<std::string> args{"search", "--queries", qf.string()};
            args.insert(args.end(), common.begin(), common.end());
            const Output batch = searcher(args);
            ASSERT_EQ(batch.rc, news::kExitOk) << describe(batch);
            const auto lines = lines_of(batch.out);
            ASSERT_EQ(lines.size(), 2u) << batch.out;
            for (std::size_t i = 0; i < 2; ++i) {
                std::vector<std::string> one{"search", "--format", "json",
                                             i == 0 ? "alpha" : "copy test"};
                one.insert(one.end(), common.begin(), common.end());
                const Output single = searcher(one);
                ASSERT_EQ(single.rc, news::kExitOk) << describe(single);
                const json want = json::parse(single.out), got = json::parse(lines[i]);
                const std::string what = std::string(sort) + " " + std::to_string(i);
                ASSERT_EQ(want["results"].size(), 5u) << what;
                ASSERT_EQ(got["results"].size(), want["results"].size()) << what;
                for (std::size_t r = 0; r < want["results"].size(); ++r) {
                    EXPECT_EQ(got["results"][r]["id"], want["results"][r]["id"]) << what;
                    EXPECT_NEAR(got["results"][r]["score"].get<double>(),
                                want["results"][r]["score"].get<double>(), 1e-12)
                        << what;
                }
            }
        }
    }
}

// ---- searcher on fixtures ------------------------------------------------------------------

TEST(E2eSearcher, MissingIndexExitsThreeNamingThePath) {
    TempDir dir;
    const std::string missing = (dir.path() / "no-index-here").string();
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"search", "--index", missing, "cloud"},
                                               {"stats", "--index", missing},
                                               {"get", "--index", missing, "x"}}) {
        const Output o = searcher(args);
        EXPECT_EQ(o.rc, news::kExitIndex) << describe(o);
        EXPECT_TRUE(contains(o.err, missing)) << o.err;
        EXPECT_TRUE(o.out.empty()) << o.out;
    }
}

TEST(E2eSearcher, MissingFieldsAreNullOrEmpty) {
    Fixture f;
    f.add(
        "bare.md",
        "---\ntitle: \"Bare okapi article\"\nwebUrl: \"https://bare.example/okapi\"\n---\nBody.\n");
    ASSERT_EQ(indexer({"--index", f.index(), f.corpus()}).rc, 0);
    const Output o = searcher({"search", "--index", f.index(), "--format", "json", "okapi"});
    ASSERT_EQ(o.rc, 0) << describe(o);
    const json d = json::parse(o.out);
    check_envelope(d);
    ASSERT_EQ(d["results"].size(), 1u);
    const json& r = d["results"][0];
    EXPECT_TRUE(r["published"].is_null());
    EXPECT_TRUE(r["quality"].is_null());
    EXPECT_TRUE(r["heat"].is_null());
    EXPECT_EQ(r["provider"], (json{{"name", ""}, {"domain", ""}}));
    EXPECT_EQ(r["topics"], json::array());
    EXPECT_EQ(r["excerpt"], "");
    EXPECT_EQ(r["url"], "https://bare.example/okapi");
    EXPECT_EQ(r["path"], "bare.md");
    // The snippet falls back to the title when there is no excerpt.
    EXPECT_TRUE(contains(r["snippet"].get<std::string>(), "<mark>okapi</mark>")) << r["snippet"];
    // A stats of an index with one undated article.
    const json st = json::parse(searcher({"stats", "--index", f.index(), "--format", "json"}).out);
    EXPECT_TRUE(st["oldest"].is_null());
    EXPECT_TRUE(st["newest"].is_null());
}

TEST(E2eSearcher, SeveralIndexesSearchAsOne) {
    Fixture a, b;
    a.add("a.md", article("Alpha narwhal", "https://one.example/a"));
    b.add("b.md", article("Beta narwhal", "https://two.example/b"));
    ASSERT_EQ(indexer({"--index", a.index(), a.corpus()}).rc, 0);
    ASSERT_EQ(indexer({"--index", b.index(), b.corpus()}).rc, 0);
    const Output o = searcher(
        {"search", "--index", a.index(), "--index", b.index(), "--format", "json", "narwhal"});
    ASSERT_EQ(o.rc, 0) << describe(o);
    const json d = json::parse(o.out);
    check_envelope(d);
    EXPECT_EQ(d["results"].size(), 2u);
    const json st = json::parse(
        searcher({"stats", "--index", a.index(), "--index", b.index(), "--format", "json"}).out);
    EXPECT_EQ(st["indexes"], json::array({a.index(), b.index()}));
    EXPECT_EQ(st["articles"], 2);
}

}  // namespace
