// Sharded indexes (issue "scale out"): one fixture corpus built as a single index, as 3 shards
// by one process (--shards 3) and as 3 shards built one by one (--shard K/3), searched as
// local shards and as remote shards served by xapian-tcpsrv (started by the test on
// 127.0.0.1 with ephemeral ports). Search (filters, every sort, facets, pagination) and
// related must return the same ids in the same order with scores equal within 1e-6 relative;
// a shard that is down gives an error naming it, or with --allow-partial a flagged answer.
#include <gtest/gtest.h>
#include <xapian.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "document.hpp"
#include "engine.hpp"
#include "errors.hpp"
#include "schema.hpp"
#include "shards.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using news::test::Output;
using news::test::TempDir;
using nlohmann::json;

namespace {

using news::test::describe;
using news::test::indexer;
using news::test::searcher;

using news::test::have_tcpsrv;
using news::test::TcpServer;

// A corpus: the bundled sample corpus plus generated articles with shared words, dates,
// qualities, topics, providers and related lists (so rankings have ties and stubs exist).
void write_corpus(const fs::path& dir) {
    fs::create_directories(dir);
    fs::copy(fs::path(NEWS_SOURCE_DIR) / "sample-corpus", dir / "sample",
             fs::copy_options::recursive);
    const std::vector<std::string> words = {
        "cloud",  "quantum", "network", "security", "storage", "data",    "kernel",
        "outage", "patch",   "release", "policy",   "market",  "chip",    "model",
        "edge",   "latency", "billing", "region",   "backup",  "cluster", "migration"};
    const std::vector<std::string> topics = {"Cloud", "Security", "AI", "Hardware", "Policy"};
    const std::vector<std::string> providers = {"Alpha Wire", "Beta News", "Gamma Daily",
                                                "Delta Post"};
    std::mt19937 rng(20261126);
    auto pick = [&](const auto& v) { return v[rng() % v.size()]; };
    for (int i = 0; i < 150; ++i) {
        std::string title;
        for (int w = 0; w < 5; ++w) {
            if (w) title += ' ';
            title += pick(words);
        }
        std::string excerpt;
        for (int w = 0; w < 18; ++w) {
            if (w) excerpt += ' ';
            excerpt += pick(words);
        }
        const std::string url = "https://gen.example/a" + std::to_string(i);
        // Dates: some share a day (date-only) or a second, to exercise ties.
        const int day = 1 + static_cast<int>(rng() % 28);
        const int month = 1 + static_cast<int>(rng() % 12);
        char date[64];
        if (i % 7 == 0) {
            std::snprintf(date, sizeof date, "2022-%02d-%02d", month, day);
        } else {
            std::snprintf(date, sizeof date, "2022-%02d-%02dT%02d:%02d:00Z", month, day,
                          static_cast<int>(rng() % 24), static_cast<int>(rng() % 4) * 15);
        }
        std::string fm = "---\ntitle: \"" + title + "\"\nexcerpt: \"" + excerpt + "\"\nwebUrl: \"" +
                         url + "\"\npublishedDateTime: " + date +
                         "\ntype: " + (i % 9 == 0 ? "video" : "article") +
                         "\nquality: " + std::to_string(10 * (rng() % 10)) +
                         "\nprovider:\n  name: " + pick(providers) + "\ntopics:\n  - " +
                         pick(topics) + "\n  - " + pick(topics) + "\n";
        if (i % 3 == 0) {
            fm += "related:\n";
            for (int r = 0; r < 3; ++r) {
                const unsigned target = rng() % 200;  // some are not in the corpus: stubs
                fm += "  - title: \"Related " + std::to_string(target) +
                      " cloud\"\n    webUrl: \"https://gen.example/a" + std::to_string(target) +
                      "\"\n    publishedDateTime: 2022-06-01\n";
            }
        }
        fm += "---\n";
        news::test::write_file(dir / "gen" / ("a" + std::to_string(i) + ".md"), fm);
    }
}

// Every document by id: terms, values and data (optionally without the story fields).
using Docs = std::map<std::string, std::tuple<std::vector<std::string>,
                                              std::map<Xapian::valueno, std::string>, std::string>>;
Docs documents(const std::vector<fs::path>& dbs, bool without_story = false) {
    Docs out;
    for (const auto& p : dbs) {
        Xapian::Database db(p.string());
        for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
            const Xapian::Document d = db.get_document(*it);
            std::vector<std::string> terms;
            for (auto t = d.termlist_begin(); t != d.termlist_end(); ++t) {
                if (without_story && (*t).starts_with(news::field(news::FieldId::StoryTerm).prefix))
                    continue;
                terms.push_back(*t);
            }
            std::map<Xapian::valueno, std::string> values;
            for (auto v = d.values_begin(); v != d.values_end(); ++v) {
                if (without_story && v.get_valueno() == news::kSlotStory) continue;
                values[v.get_valueno()] = *v;
            }
            const std::string id = news::read_data(d).value("id", "");
            EXPECT_EQ(out.count(id), 0u) << "id in two shards: " << id;
            out[id] = {terms, values, d.get_data()};
        }
    }
    return out;
}

void expect_same_docs(const Docs& a, const Docs& b, const std::string& what) {
    EXPECT_EQ(a.size(), b.size()) << what;
    std::size_t shown = 0;
    for (const auto& [id, doc] : a) {
        auto it = b.find(id);
        if (it == b.end()) {
            ADD_FAILURE() << what << ": missing " << id;
        } else if (it->second != doc) {
            ADD_FAILURE() << what << ": differs: " << id;
        } else {
            continue;
        }
        if (++shown > 5) break;
    }
}

std::vector<fs::path> shard_dirs(const fs::path& index, unsigned n) {
    std::vector<fs::path> v;
    for (unsigned i = 0; i < n; ++i) v.push_back(index / news::shard_dir_name(i));
    return v;
}

// The corpus built four ways, once for the suite.
class Shards : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir();
        write_corpus(corpus());
        for (const auto& args :
             std::vector<std::vector<std::string>>{{"--index", one()},
                                                   {"--shards", "3", "--index", three()},
                                                   {"--shard", "0/3", "--index", part(0)},
                                                   {"--shard", "1/3", "--index", part(1)},
                                                   {"--shard", "2/3", "--index", part(2)}}) {
            std::vector<std::string> a = args;
            a.insert(a.begin(), "-q");
            a.push_back(corpus());
            const Output o = indexer(a);
            ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
        }
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static std::string corpus() { return (dir_->path() / "corpus").string(); }
    static std::string one() { return (dir_->path() / "one").string(); }
    static std::string three() { return (dir_->path() / "three").string(); }
    static std::string part(int k) {
        return (dir_->path() / ("part" + std::to_string(k))).string();
    }
    static TempDir* dir_;
};
TempDir* Shards::dir_ = nullptr;

std::vector<std::string> with_indexes(const std::vector<std::string>& indexes,
                                      std::vector<std::string> args) {
    for (const auto& i : indexes) {
        args.push_back("--index");
        args.push_back(i);
    }
    args.push_back("--format");
    args.push_back("json");
    return args;
}

json run_json(const std::vector<std::string>& args) {
    const Output o = searcher(args);
    EXPECT_EQ(o.rc, news::kExitOk) << describe(o);
    if (o.rc != news::kExitOk) return json::object();
    return json::parse(o.out);
}

// Same ids in the same order, scores within 1e-6 relative, same facets and exact totals.
void expect_same_results(const json& want, const json& got, const std::string& what) {
    ASSERT_TRUE(want.contains("results")) << what;
    ASSERT_TRUE(got.contains("results")) << what;
    const json& a = want["results"];
    const json& b = got["results"];
    ASSERT_EQ(a.size(), b.size()) << what;
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i]["id"], b[i]["id"]) << what << " rank " << i + 1;
        const double x = a[i]["score"].get<double>(), y = b[i]["score"].get<double>();
        EXPECT_LE(std::abs(x - y), 1e-6 * std::max(1.0, std::abs(x)))
            << what << " rank " << i + 1 << ": " << x << " vs " << y;
    }
    if (want.contains("facets")) {
        EXPECT_EQ(want["facets"], got["facets"]) << what;
    }
    if (want["total"]["lower"] == want["total"]["upper"] &&
        got["total"]["lower"] == got["total"]["upper"]) {
        EXPECT_EQ(want["total"], got["total"]) << what;
    }
    EXPECT_FALSE(got.value("partial", true)) << what;
}

const std::vector<std::vector<std::string>> kSearches = {
    {"search", "cloud"},
    {"search", "cloud security", "--sort", "relevance"},
    {"search", "cloud OR quantum", "--sort", "date"},
    {"search", "cloud OR quantum", "--sort", "date", "--reverse"},
    {"search", "data OR storage", "--sort", "quality"},
    {"search", "network", "--min-quality", "40", "--since", "2022-03-01"},
    {"search", "kernel OR patch", "--topic", "security", "--provider", "beta news"},
    {"search", "--topic", "cloud", "-n", "20"},  // filters alone: newest first
    {"search", "cloud", "--type", "video", "--until", "2022-09-30"},
    {"search", "cloud OR network OR data", "--facets", "topic,provider,type,year", "--exact-count",
     "-n", "20"},
    {"search", "cloud OR network", "-n", "7", "--offset", "7"},
    {"search", "cloud OR network", "-n", "7", "--offset", "14", "--sort", "date"},
    {"search", "\"cloud traffic\""},
    {"search", "title:cloud"},
    {"search", "cloud", "--include-stubs", "-n", "30"},
};

TEST_F(Shards, ShardedIndexHoldsExactlyTheDocumentsOfOneIndex) {
    const Docs single = documents({one()});
    EXPECT_GT(single.size(), 190u);
    expect_same_docs(single, documents(shard_dirs(three(), 3)), "--shards 3");
    // Built one shard at a time: the same, except that stories do not span shards.
    expect_same_docs(documents({one()}, true), documents({part(0), part(1), part(2)}, true),
                     "--shard K/3");
    // Each shard holds the articles of its id hash, and stubs exist.
    for (unsigned k = 0; k < 3; ++k) {
        for (const auto& [id, doc] : documents({shard_dirs(three(), 3)[k]}))
            EXPECT_EQ(news::shard_for_id(id, 3), k) << id;
    }
    Xapian::Database db(one());
    EXPECT_GT(db.get_termfreq(news::bool_term(news::FieldId::Flag, "stub")), 0u);
    // The stub file is a Xapian stub database: Xapian opens the directory as all shards.
    EXPECT_EQ(Xapian::Database(three()).get_doccount(), db.get_doccount());
}

TEST_F(Shards, SearchIsTheSameOnOneIndexLocalShardsAndRemoteShards) {
    if (!have_tcpsrv()) GTEST_SKIP() << "xapian-tcpsrv not installed (Debian package xapian-tools)";
    std::vector<std::unique_ptr<TcpServer>> servers;
    std::vector<std::string> remote;
    for (const auto& d : shard_dirs(three(), 3)) {
        servers.push_back(std::make_unique<TcpServer>(d));
        ASSERT_TRUE(servers.back()->running()) << "could not start xapian-tcpsrv for " << d;
        remote.push_back(servers.back()->spec());
    }
    const std::vector<std::pair<std::string, std::vector<std::string>>> setups = {
        {"stub dir", {three()}},
        {"shard dirs",
         {shard_dirs(three(), 3)[0].string(), shard_dirs(three(), 3)[1].string(),
          shard_dirs(three(), 3)[2].string()}},
        {"--shard K/N", {part(0), part(1), part(2)}},
        {"remote", remote},
        {"mixed", {shard_dirs(three(), 3)[0].string(), remote[1], remote[2]}},
    };
    for (const auto& s : kSearches) {
        const json want = run_json(with_indexes({one()}, s));
        ASSERT_FALSE(want["results"].empty()) << s[1];
        for (const auto& [name, idx] : setups) {
            expect_same_results(want, run_json(with_indexes(idx, s)), name + ": " + s[1]);
        }
    }
    // Collapse by story: stories span shards only when one process built them.
    const json want = run_json(with_indexes({one()}, {"search", "cloud", "--collapse"}));
    for (const auto& idx : {std::vector<std::string>{three()}, remote}) {
        expect_same_results(want, run_json(with_indexes(idx, {"search", "cloud", "--collapse"})),
                            "collapse");
    }
    // Related: seeds with text, topics, dates and graph links.
    // (Many seeds: long OR queries are where Xapian 1.4.22's pruning over shards errs.)
    const json seeds = run_json(with_indexes(
        {one()}, {"search", "cloud OR security OR quantum OR model OR network", "-n", "40"}));
    ASSERT_GE(seeds["results"].size(), 30u);
    for (const auto& r : seeds["results"]) {
        const std::string id = r["id"];
        const json rw = run_json(with_indexes({one()}, {"related", id, "-n", "10"}));
        ASSERT_FALSE(rw["results"].empty()) << id;
        for (const auto& [name, idx] : setups) {
            expect_same_results(rw, run_json(with_indexes(idx, {"related", id, "-n", "10"})),
                                name + ": related " + id);
        }
    }
}

TEST_F(Shards, ADownShardIsNamedOrLeftOutWithAllowPartial) {
    if (!have_tcpsrv()) GTEST_SKIP() << "xapian-tcpsrv not installed (Debian package xapian-tools)";
    std::vector<std::unique_ptr<TcpServer>> servers;
    std::vector<std::string> remote;
    for (const auto& d : shard_dirs(three(), 3)) {
        servers.push_back(std::make_unique<TcpServer>(d));
        ASSERT_TRUE(servers.back()->running());
        remote.push_back(servers.back()->spec());
    }
    servers[1]->stop();
    const std::vector<std::string> q = {"search", "cloud OR network", "-n", "50"};
    Output o = searcher(with_indexes(remote, q));
    EXPECT_EQ(o.rc, news::kExitIndex) << describe(o);
    EXPECT_NE(o.err.find(remote[1]), std::string::npos) << o.err;
    EXPECT_NE(o.err.find("--allow-partial"), std::string::npos) << o.err;
    EXPECT_TRUE(o.out.empty());

    auto args = with_indexes(remote, q);
    args.push_back("--allow-partial");
    o = searcher(args);
    ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
    const json d = json::parse(o.out);
    EXPECT_TRUE(d["partial"].get<bool>());
    ASSERT_EQ(d["missing_shards"].size(), 1u);
    EXPECT_EQ(d["missing_shards"][0]["index"], remote[1]);
    EXPECT_NE(o.err.find(remote[1]), std::string::npos) << "a warning names the shard";
    ASSERT_FALSE(d["results"].empty());
    for (const auto& r : d["results"])
        EXPECT_NE(news::shard_for_id(r["id"].get<std::string>(), 3), 1u) << r["id"];
    // Nothing left: an error even with --allow-partial.
    servers[0]->stop();
    servers[2]->stop();
    o = searcher(args);
    EXPECT_EQ(o.rc, news::kExitIndex) << describe(o);

    // A local shard that is missing: the same, naming its path.
    TempDir t;
    fs::copy(three(), t.path() / "idx", fs::copy_options::recursive);
    fs::remove_all(t.path() / "idx" / "shard-2");
    o = searcher(with_indexes({(t.path() / "idx").string()}, q));
    EXPECT_EQ(o.rc, news::kExitIndex) << describe(o);
    EXPECT_NE(o.err.find("shard-2"), std::string::npos) << o.err;
    args = with_indexes({(t.path() / "idx").string()}, q);
    args.push_back("--allow-partial");
    o = searcher(args);
    ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
    EXPECT_TRUE(json::parse(o.out)["partial"].get<bool>());
}

// Incremental runs keep a sharded index equal to a fresh single build, both ways of sharding.
TEST(ShardsIncremental, UpdatesDeletesAndPruneMatchAFreshBuild) {
    TempDir d;
    const fs::path corpus = d.path() / "corpus";
    write_corpus(corpus);
    const std::string three = (d.path() / "three").string();
    auto build = [&](std::vector<std::string> args) {
        args.insert(args.begin(), "-q");
        args.push_back(corpus.string());
        const Output o = indexer(args);
        ASSERT_TRUE(o.rc == news::kExitOk) << describe(o);
    };
    build({"--shards", "3", "--index", three});
    for (int k = 0; k < 3; ++k)
        build({"--shard", std::to_string(k) + "/3", "--index",
               (d.path() / ("p" + std::to_string(k))).string()});
    // Change: a referrer loses its related list, one article is deleted, one rewritten, one new.
    const fs::path gen = corpus / "gen";
    for (int i = 0; i < 150; i += 3) {
        if (i % 2 == 0) continue;
        std::string name = "a";
        name += std::to_string(i);
        name += ".md";
        std::string text = news::test::read_text(gen / name);
        text.resize(text.find("related:\n"));
        text += "---\n";
        news::test::write_file(gen / name, text);
    }
    fs::remove(gen / "a4.md");
    fs::remove(gen / "a5.md");
    news::test::write_file(gen / "a7.md", news::test::article("Rewritten cloud kernel story",
                                                              "https://gen.example/a7"));
    news::test::write_file(
        gen / "new.md",
        news::test::article("Brand new quantum network item", "https://gen.example/new",
                            "related:\n  - title: \"Only here\"\n    webUrl: "
                            "\"https://gen.example/only-here\"\n"));
    build({"--prune", "--index", three});
    for (int k = 0; k < 3; ++k)
        build({"--prune", "--shard", std::to_string(k) + "/3", "--index",
               (d.path() / ("p" + std::to_string(k))).string()});
    build({"--index", (d.path() / "fresh").string()});
    const Docs fresh = documents({d.path() / "fresh"});
    expect_same_docs(fresh, documents(shard_dirs(three, 3)), "--shards 3 after changes");
    expect_same_docs(documents({d.path() / "fresh"}, true),
                     documents({d.path() / "p0", d.path() / "p1", d.path() / "p2"}, true),
                     "--shard K/3 after changes");
    EXPECT_EQ(fresh.count("https://gen.example/only-here"), 1u);
    // --full --shard K/3 over those shards (built beside each, new documents held until their
    // story pass, swapped in) gives what a first --shard K/3 build of the corpus gives, stories
    // included: each shard's story pass sees the same articles either way.
    std::vector<fs::path> rebuilt, first;
    for (int k = 0; k < 3; ++k) {
        const std::string spec = std::to_string(k) + "/3";
        rebuilt.push_back(d.path() / ("p" + std::to_string(k)));
        first.push_back(d.path() / ("q" + std::to_string(k)));
        build({"--full", "--shard", spec, "--index", rebuilt.back().string()});
        build({"--shard", spec, "--index", first.back().string()});
    }
    expect_same_docs(documents(first), documents(rebuilt), "--full --shard K/3 over the shards");
}

TEST(ShardsLayout, MismatchesAreRefusedWithAdvice) {
    TempDir d;
    d.write("c/a.md", news::test::article("Alpha", "https://x.example/a"));
    const std::string c = (d.path() / "c").string(), idx = (d.path() / "idx").string();
    ASSERT_EQ(indexer({"-q", "--index", idx, c}).rc, news::kExitOk);
    Output o = indexer({"-q", "--shards", "2", "--index", idx, c});
    EXPECT_EQ(o.rc, news::kExitIndex) << describe(o);
    EXPECT_NE(o.err.find("--full --shards 2"), std::string::npos) << o.err;
    // --full converts it; the old single database's files are gone.
    o = indexer({"-q", "--full", "--shards", "2", "--index", idx, c});
    ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
    EXPECT_FALSE(fs::exists(fs::path(idx) / "iamglass"));
    EXPECT_TRUE(fs::exists(fs::path(idx) / news::kStubFileName));
    o = indexer({"-q", "--shards", "3", "--index", idx, c});
    EXPECT_EQ(o.rc, news::kExitIndex) << describe(o);
    // An incremental run without --shards keeps the layout.
    o = indexer({"-q", "--index", idx, c});
    EXPECT_EQ(o.rc, news::kExitOk) << describe(o);
    o = searcher({"search", "alpha", "--index", idx, "--format", "json"});
    ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
    EXPECT_EQ(json::parse(o.out)["results"].size(), 1u);
    // Back to one database.
    o = indexer({"-q", "--full", "--shards", "1", "--index", idx, c});
    ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
    EXPECT_FALSE(fs::exists(fs::path(idx) / news::kStubFileName));
    EXPECT_FALSE(fs::exists(fs::path(idx) / "shard-0"));
    // --shard K/N: the index remembers which shard it is.
    const std::string p = (d.path() / "p").string();
    ASSERT_EQ(indexer({"-q", "--shard", "0/3", "--index", p, c}).rc, news::kExitOk);
    o = indexer({"-q", "--shard", "1/3", "--index", p, c});
    EXPECT_EQ(o.rc, news::kExitIndex) << describe(o);
    EXPECT_NE(o.err.find("shard 0/3"), std::string::npos) << o.err;
    for (const std::string bad : {"3/3", "1", "a/b", "0/0", "-1/2"}) {
        o = indexer({"-q", "--shard", bad, "--index", p, c});
        EXPECT_EQ(o.rc, news::kExitUsage) << bad << describe(o);
    }
    o = indexer({"-q", "--shard", "0/2", "--shards", "2", "--index", p, c});
    EXPECT_EQ(o.rc, news::kExitUsage) << describe(o);
}

TEST(ShardSpecs, ParseAndAssign) {
    EXPECT_EQ(news::parse_shard_spec("2/5"), std::make_pair(2u, 5u));
    EXPECT_THROW(news::parse_shard_spec("5/5"), news::UsageError);
    EXPECT_THROW(news::parse_shard_spec("2/"), news::UsageError);
    EXPECT_EQ(news::shard_for_id("anything", 1), 0u);
    std::vector<int> count(4);
    for (int i = 0; i < 4000; ++i) ++count[news::shard_for_id("https://x/" + std::to_string(i), 4)];
    for (int c : count) EXPECT_GT(c, 800);  // roughly even
    const auto t = news::parse_tcp_spec("tcp://127.0.0.1:7000");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->host, "127.0.0.1");
    EXPECT_EQ(t->port, 7000u);
    EXPECT_EQ(t->spec(), "tcp://127.0.0.1:7000");
    EXPECT_EQ(news::parse_tcp_spec("tcp://[::1]:80")->host, "::1");
    EXPECT_FALSE(news::parse_tcp_spec("/some/path"));
    EXPECT_THROW(news::parse_tcp_spec("tcp://host"), news::UsageError);
    EXPECT_THROW(news::parse_tcp_spec("tcp://host:99999"), news::UsageError);
    TempDir d;
    const auto stub =
        d.write("XAPIANDB", "# shards\nauto shard-0\n\nglass /abs/shard-1\nremote :h.example:33\n");
    const auto locs = news::read_stub_file(stub);
    ASSERT_EQ(locs.size(), 3u);
    EXPECT_EQ(locs[0].path, (d.path() / "shard-0").string());
    EXPECT_EQ(locs[1].path, "/abs/shard-1");
    EXPECT_TRUE(locs[2].remote);
    EXPECT_EQ(locs[2].spec(), "tcp://h.example:33");
    const auto bad = d.write("bad", "auto a\nremote ssh host xapian-progsrv db\n");
    try {
        news::read_stub_file(bad);
        ADD_FAILURE() << "no error";
    } catch (const news::IndexError& e) {
        EXPECT_NE(std::string(e.what()).find(":2:"), std::string::npos) << e.what();
    }
}

}  // namespace

namespace {

// Xapian 1.4.22 can prune a document out of a BM25 top-k when several shards are searched
// (docs/scale-out.md); the searcher scores every match then. This corpus and these seeds
// (the bundled sample corpus in 3 shards; related news of every article) are known to hit it.
TEST(ShardsXapianPruning, RelatedOverSampleCorpusShardsMatchesOneIndex) {
    TempDir d;
    const std::string one = (d.path() / "one").string(), three = (d.path() / "three").string();
    const std::string corpus = (fs::path(NEWS_SOURCE_DIR) / "sample-corpus").string();
    ASSERT_EQ(indexer({"-q", "--index", one, corpus}).rc, news::kExitOk);
    ASSERT_EQ(indexer({"-q", "--shards", "3", "--index", three, corpus}).rc, news::kExitOk);
    const json all = run_json(
        with_indexes({one}, {"search", "--include-stubs", "--since", "1990", "-n", "100"}));
    ASSERT_GE(all["results"].size(), 40u);
    for (const auto& r : all["results"]) {
        if (r["stub"].get<bool>()) continue;
        const std::string id = r["id"];
        expect_same_results(run_json(with_indexes({one}, {"related", id, "-n", "10"})),
                            run_json(with_indexes({three}, {"related", id, "-n", "10"})),
                            "related " + id);
    }
}

}  // namespace

namespace {

// The list of articles whose story must be recomputed survives in any shard: a crash after
// one shard's commit and before another's leaves it where the next run finds it.
TEST(ShardsCrashSafety, PendingStoriesAreFoundInAnyShard) {
    TempDir d;
    write_corpus(d.path() / "corpus");
    const std::string idx = (d.path() / "idx").string();
    const std::string corpus = (d.path() / "corpus").string();
    ASSERT_EQ(indexer({"-q", "--shards", "2", "--index", idx, corpus}).rc, news::kExitOk);
    const Docs before = documents(shard_dirs(idx, 2));
    // Simulate the crash: shard 1 committed a batch (its stories not yet recomputed: a story
    // value is stale) and the pending list; shard 0 did not.
    Xapian::docid victim = 0;
    std::string id;
    {
        Xapian::WritableDatabase s1((fs::path(idx) / "shard-1").string(), Xapian::DB_OPEN);
        auto it = s1.postlist_begin("");
        ASSERT_NE(it, s1.postlist_end(""));
        const Xapian::docid local = *it;
        Xapian::Document doc = s1.get_document(local);
        id = news::read_data(doc).value("id", "");
        doc.add_value(news::kSlotStory, "stale");
        s1.replace_document(local, doc);
        victim = (local - 1) * 2 + 1 + 1;  // global docid in the 2-shard index
        s1.set_metadata(news::kMetaClusterPending, std::to_string(victim) + ",");
        s1.commit();
    }
    ASSERT_EQ(std::get<1>(documents(shard_dirs(idx, 2)).at(id)).at(news::kSlotStory), "stale");
    ASSERT_EQ(indexer({"-q", "--index", idx, corpus}).rc, news::kExitOk);
    const Docs after = documents(shard_dirs(idx, 2));
    expect_same_docs(before, after, "after the recovered story pass");
    Xapian::Database s1((fs::path(idx) / "shard-1").string());
    EXPECT_EQ(s1.get_metadata(news::kMetaClusterPending), "");
}

}  // namespace
