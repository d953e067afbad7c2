// Shared by the end-to-end reliability tests (test_reliability.cpp, test_rebuild.cpp): a
// deterministic corpus generator, child processes running the real `indexer`, looking at an
// index from outside (revision, counts, consistency check), and one generated corpus with its
// clean build.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "document.hpp"
#include "engine.hpp"
#include "errors.hpp"
#include "file_table.hpp"
#include "schema.hpp"
#include "search.hpp"
#include "test_util.hpp"

extern char** environ;

namespace news::test::reliability {

namespace fs = std::filesystem;
using news::test::Fingerprint;
using news::test::fingerprint;
using news::test::fingerprint_diff;
using news::test::TempDir;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// A deterministic corpus generator. Every article is a pure function of (seed, i, n): titles
// and excerpts from word lists, unique dates about an hour apart, topics, providers, a few
// near-duplicates of the previous article (stories), a few articles without URLs (path ids),
// and `related` entries pointing at other generated articles (before and after it, so stubs
// are created and later replaced) and at a small pool of outside articles (stubs shared by
// several referrers, described differently by each).

inline uint64_t mix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

struct Rng {
    uint64_t s;
    uint64_t next() { return s = mix64(s); }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

inline const std::vector<std::string> kWords = {
    "cloud",     "kernel",    "cluster",   "outage",     "security",  "patch",    "quantum",
    "network",   "storage",   "latency",   "compiler",   "database",  "release",  "preview",
    "vendor",    "market",    "chip",      "battery",    "satellite", "robot",    "model",
    "training",  "privacy",   "breach",    "startup",    "funding",   "merger",   "lawsuit",
    "regulator", "browser",   "mobile",    "update",     "firmware",  "exploit",  "ransomware",
    "backup",    "migration", "container", "serverless", "edge",      "router",   "fiber",
    "spectrum",  "antenna",   "driver",    "graphics",   "benchmark", "energy",   "datacenter",
    "cooling",   "analytics", "pipeline",  "workflow",   "identity",  "password", "token",
    "wallet",    "exchange",  "protocol",  "standard",   "open",      "source",   "license",
    "community"};
inline const std::vector<std::string> kTopics = {
    "AI",      "Azure",    "Kubernetes", "Security", "Quantum",     "Networking",
    "Storage", "Startups", "Hardware",   "Policy",   "Open Source", "Mobile"};
inline const std::vector<std::pair<std::string, std::string>> kProviders = {
    {"CloudWire", "cloudwire.example"},    {"Kernel Times", "kerneltimes.example"},
    {"ByteLedger", "byteledger.example"},  {"SecureBeat", "securebeat.example"},
    {"Qubit Daily", "qubitdaily.example"}, {"Edge Report", "edgereport.example"},
    {"Net Gazette", "netgazette.example"}, {"Open Ledger", "openledger.example"}};

struct GenArticle {
    std::string title, excerpt, date, url, rel;
    std::string provider_name, provider_domain;
    int quality = 0, heat = 0;
    std::vector<std::string> topics;
};

class CorpusGen {
  public:
    CorpusGen(uint64_t seed, std::size_t n) : seed_(seed), n_(n) {
        arts_.reserve(n);
        for (std::size_t i = 0; i < n; ++i) arts_.push_back(make(i));
    }

    static std::string rel_path(std::size_t i) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "d%02zu/a%05zu.md", i / 100, i);
        return buf;
    }

    const GenArticle& get(std::size_t i) const { return arts_.at(i); }

    std::string text(std::size_t i) const {
        const GenArticle& a = get(i);
        Rng r{mix64(seed_ * 7919ULL + i + 0x5151)};
        std::string s = "---\ncategory: news\n";
        s += "title: \"" + a.title + "\"\n";
        s += "excerpt: \"" + a.excerpt + "\"\n";
        s += "publishedDateTime: " + a.date + "\n";
        if (!a.url.empty()) {
            if (i % 50 == 7) {
                s += "originalUrl: \"" + a.url + "\"\n";  // no webUrl: the id is the originalUrl
            } else {
                s += "webUrl: \"" + a.url + "\"\n";
            }
        }
        s += "type: " + std::string(i % 31 == 3 ? "video" : "article") + "\n";
        s += "quality: " + std::to_string(a.quality) + "\n";
        s += "heat: " + std::to_string(a.heat) + "\n";
        s += "published: " + std::string(i % 2 ? "true" : "false") + "\n";
        s += "provider:\n  name: " + a.provider_name + "\n  domain: " + a.provider_domain + "\n";
        s += "topics:\n";
        for (const auto& t : a.topics) s += "  - " + t + "\n";
        const std::size_t nrel = r.below(5);
        if (nrel > 0) s += "related:\n";
        for (std::size_t k = 0; k < nrel; ++k) {
            if (r.below(8) == 0) {
                // An outside article: a stub, described by each referrer in its own words.
                const std::size_t o = r.below(40);
                s += "  - title: \"Outside story " + std::to_string(o) + " " +
                     kWords[r.below(kWords.size())] + "\"\n";
                s += "    excerpt: \"As told by article " + std::to_string(i) + "\"\n";
                s += "    publishedDateTime: " +
                     iso(1577836800LL + static_cast<int64_t>(o) * 86400) + "\n";
                s += "    webUrl: \"https://outside.example/story/" + std::to_string(o) + "\"\n";
                s += "    type: article\n    provider:\n      name: Outside\n      domain: "
                     "outside.example\n";
                s += "    quality: " + std::to_string(r.below(100)) + "\n";
                continue;
            }
            const long off = static_cast<long>(r.below(61)) - 30;
            const long j0 = static_cast<long>(i) + (off == 0 ? 1 : off);
            const std::size_t j = static_cast<std::size_t>(
                (j0 % static_cast<long>(n_) + static_cast<long>(n_)) % static_cast<long>(n_));
            if (j == i) continue;
            const GenArticle& b = get(j);
            if (b.url.empty()) continue;  // path ids cannot be linked to
            s += "  - title: \"" + b.title + "\"\n";
            s += "    excerpt: \"" + b.excerpt + "\"\n";
            s += "    publishedDateTime: " + b.date + "\n";
            s += "    webUrl: \"" + b.url + "\"\n";
            s += "    type: article\n    provider:\n      name: " + b.provider_name +
                 "\n      domain: " + b.provider_domain + "\n";
            s += "    quality: " + std::to_string(b.quality) + "\n";
        }
        s += "---\n";
        s += "Body of article " + std::to_string(i) + ": " + words(r, 20 + r.below(40), false) +
             ".\n";
        return s;
    }

    void write_all(const fs::path& dir) const {
        for (std::size_t i = 0; i < n_; ++i) {
            const fs::path p = dir / rel_path(i);
            if (i % 100 == 0) fs::create_directories(p.parent_path());
            std::ofstream out(p, std::ios::binary);
            out << text(i);
            if (!out) throw std::runtime_error("cannot write " + p.string());
        }
    }

    // A word of the vocabulary used in titles (for queries).
    static const std::string& word(std::size_t k) { return kWords[k % kWords.size()]; }

  private:
    GenArticle make(std::size_t i) const {
        Rng r{mix64(seed_ * 1000003ULL + i)};
        GenArticle a;
        a.rel = rel_path(i);
        const auto& p = kProviders[r.below(kProviders.size())];
        a.provider_name = p.first;
        a.provider_domain = p.second;
        // Unique times: 2020-01-01 plus i hours-and-a-bit, plus jitter smaller than the step.
        const int64_t t =
            1577836800LL + static_cast<int64_t>(i) * 3571 + static_cast<int64_t>(r.below(3000));
        a.date = iso(t);
        if (i > 0 && i % 23 == 5) {
            // A near-duplicate report of the previous article: same story.
            const GenArticle& prev = arts_.at(i - 1);
            a.title = prev.title + " again";
            a.excerpt = prev.excerpt + " " + kWords[r.below(kWords.size())];
        } else {
            a.title = words(r, 5 + r.below(5), true);
            a.excerpt = words(r, 15 + r.below(16), false) + ".";
        }
        if (i % 97 != 13) {
            a.url = "https://www." + a.provider_domain + "/" + a.date.substr(0, 4) + "/" +
                    a.date.substr(5, 2) + "/" + slug(a.title) + "-" + std::to_string(i);
        }
        a.quality = static_cast<int>(r.below(101));
        a.heat = static_cast<int>(r.below(500)) - 1;
        const std::size_t nt = 1 + r.below(3);
        for (std::size_t k = 0; k < nt; ++k) {
            const std::string& t2 = kTopics[r.below(kTopics.size())];
            if (std::find(a.topics.begin(), a.topics.end(), t2) == a.topics.end())
                a.topics.push_back(t2);
        }
        return a;
    }

    static std::string iso(int64_t t) {
        const std::time_t tt = static_cast<std::time_t>(t);
        std::tm tm{};
        gmtime_r(&tt, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return buf;
    }
    static std::string words(Rng& r, std::size_t n, bool cap) {
        std::string s;
        for (std::size_t k = 0; k < n; ++k) {
            std::string w = kWords[r.below(kWords.size())];
            if (k == 0 && cap)
                w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
            if (k) s += ' ';
            s += w;
        }
        return s;
    }
    static std::string slug(const std::string& t) {
        std::string s;
        for (char c : t)
            s += c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    }
    uint64_t seed_;
    std::size_t n_;
    std::vector<GenArticle> arts_;
};

// ---------------------------------------------------------------------------------------------
// Child processes

inline std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Child {
    pid_t pid = -1;
    fs::path out, err;
    bool reaped = false;
    int status = 0;

    // Non-blocking: true once the child has exited (status then set).
    bool poll() {
        if (reaped) return true;
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) reaped = true;
        return reaped;
    }
    // Waits up to `timeout`; on timeout the child is killed and the test fails.
    void wait(std::chrono::seconds timeout = std::chrono::seconds(240)) {
        const auto deadline = Clock::now() + timeout;
        while (!poll()) {
            if (Clock::now() > deadline) {
                ::kill(pid, SIGKILL);
                ::waitpid(pid, &status, 0);
                reaped = true;
                ADD_FAILURE() << "child " << pid << " timed out; killed";
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    int exit_code() const { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }
    bool killed_by(int sig) const { return WIFSIGNALED(status) && WTERMSIG(status) == sig; }
    std::string stdout_text() const { return read_text(out); }
    std::string stderr_text() const { return read_text(err); }
    ~Child() {
        if (pid > 0 && !reaped) {  // a failed assertion left it running
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
        }
    }
};

// Starts `argv` (searched in PATH when it has no slash); stdin /dev/null, stdout and stderr
// into files in `scratch`.
inline std::unique_ptr<Child> spawn(std::vector<std::string> argv_s, const fs::path& scratch) {
    static std::atomic<int> counter{0};
    auto c = std::make_unique<Child>();
    const int n = counter++;
    c->out = scratch / ("out" + std::to_string(n));
    c->err = scratch / ("err" + std::to_string(n));
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, c->out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, c->err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int rc = ::posix_spawnp(&c->pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        c->pid = -1;
        throw std::runtime_error("cannot start " + argv_s[0] + ": " + std::strerror(rc));
    }
    return c;
}

inline std::unique_ptr<Child> spawn_indexer(const std::vector<std::string>& args,
                                            const fs::path& scratch) {
    std::vector<std::string> argv{NEWS_INDEXER_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return spawn(argv, scratch);
}

// Runs the indexer to completion.
inline std::unique_ptr<Child> run_indexer(const std::vector<std::string>& args,
                                          const fs::path& scratch) {
    auto c = spawn_indexer(args, scratch);
    c->wait();
    return c;
}

// ---------------------------------------------------------------------------------------------
// Looking at an index from outside

// The committed revision, 0 when there is no readable index yet.
// The revision of the index at `index`; of its first shard where `index` holds shards (a
// sharded index, or the internal shards of a --full build by several writers).
inline Xapian::rev revision(const fs::path& index) {
    try {
        std::error_code ec;
        if (!fs::exists(index / "iamglass", ec) && fs::exists(index / "shard-0" / "iamglass", ec))
            return Xapian::Database((index / "shard-0").string()).get_revision();
        return Xapian::Database(index.string()).get_revision();
    } catch (const Xapian::Error&) {
        return 0;
    }
}

// Every dated, visible article, counted exactly on a freshly opened index (as `searcher` does).
inline uint64_t visible_articles(const fs::path& index) {
    news::OpenedIndex idx = news::open_indexes({index.string()});
    news::SearchOptions all;
    all.request.filters.since = 0;
    all.exact_count = true;
    all.limit = 3;
    return news::run_search(idx, all).total.lower;
}

inline Xapian::doccount doc_count(const fs::path& index) {
    try {
        return Xapian::Database(index.string()).get_doccount();
    } catch (const Xapian::Error&) {
        return 0;
    }
}

// Polls until `pred` holds or the child exits; true if `pred` held while the child ran.
template <typename Pred>
inline bool wait_until(Child& c, Pred pred,
                       std::chrono::seconds timeout = std::chrono::seconds(120)) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (pred()) return !c.poll();
        if (c.poll()) return false;
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    return false;
}

// Xapian's own structural check, then the engine's invariants: every owning file-table row has
// its document (a full one, from that file), every full document's file has an owning row
// naming it, every stub is still linked to, and every out-link of a full document resolves.
// Returns "" when consistent, else the problems found.
inline std::string check_index(const fs::path& index) {
    std::ostringstream problems;
    if (!fs::exists(index / "iamglass")) {
        // Killed before anything was committed: fine if nothing is there (see
        // KillDuringIndexCreationIsRecoverable for what a kill during creation leaves).
        std::error_code ec;
        if (!fs::exists(index) || fs::is_empty(index, ec)) return "";
        return "index directory " + index.string() +
               " has files but no iamglass (creation interrupted)\n";
    }
    // Xapian's checker, as a separate program: Xapian::Database::check() in-process trips
    // AddressSanitizer (new-delete-type-mismatch inside libxapian 1.4.22's check code).
    {
        TempDir scratch;
        auto c = spawn({"xapian-check", index.string()}, scratch.path());
        c->wait();
        if (c->exit_code() != 0) {
            problems << "xapian-check exit " << c->exit_code() << ":\n"
                     << c->stdout_text().substr(0, 2000) << c->stderr_text() << "\n";
            return problems.str();
        }
    }
    Xapian::Database db(index.string());
    std::map<std::string, std::pair<std::string, bool>> table;  // path -> (id, owner)
    const std::string prefix = news::kMetaFilePrefix;
    for (auto it = db.metadata_keys_begin(prefix); it != db.metadata_keys_end(prefix); ++it) {
        const auto row = news::decode_entry(*it, db.get_metadata(*it));
        if (!row) {
            problems << "bad file-table row " << *it << "\n";
            continue;
        }
        table[row->first] = {row->second.id, row->second.owner};
    }
    for (const auto& [path, row] : table) {
        if (!row.second) continue;
        const auto did = news::find_docid(db, row.first);
        if (!did) {
            problems << "file-table row " << path << " owns id " << row.first
                     << " but there is no such document\n";
            continue;
        }
        const auto d = news::read_data(db.get_document(*did));
        if (d.value("stub", false))
            problems << "file-table row " << path << " owns " << row.first << ", a stub\n";
        if (d.value("source", "") != path) {
            problems << "document " << row.first << " comes from " << d.value("source", "")
                     << ", but row " << path << " owns it\n";
        }
    }
    for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
        const Xapian::Document doc = db.get_document(*it);
        const auto d = news::read_data(doc);
        const std::string id = d.value("id", "");
        if (d.value("stub", false)) {
            if (db.get_termfreq(news::bool_term(news::FieldId::Links, id)) == 0)
                problems << "stub " << id << " has no referrer\n";
            continue;
        }
        const std::string source = d.value("source", "");
        auto row = table.find(source);
        if (row == table.end()) {
            problems << "document " << id << ": its file " << source << " has no file-table row\n";
        } else if (!row->second.second || row->second.first != id) {
            problems << "document " << id << ": the file-table row of " << source << " says id "
                     << row->second.first << " owner " << row->second.second << "\n";
        }
        for (const auto& key : news::out_links(doc)) {
            if (!news::find_by_key(db, key))
                problems << "document " << id << " links to missing key " << key << "\n";
        }
    }
    std::string s = problems.str();
    if (s.size() > 4000) s = s.substr(0, 4000) + "...\n";
    return s;
}

// A handful of searches (text, fields, filters, sorts): the ids of each result list, in order.
inline std::vector<std::vector<std::string>> search_ids(const fs::path& index) {
    news::OpenedIndex idx = news::open_indexes({index.string()});
    std::vector<news::SearchOptions> searches;
    auto add = [&](const std::string& text, auto tweak) {
        news::SearchOptions o;
        o.request.text = text;
        o.limit = 25;
        tweak(o);
        searches.push_back(o);
    };
    auto none = [](news::SearchOptions&) {};
    add(CorpusGen::word(0), none);
    add(CorpusGen::word(3) + " " + CorpusGen::word(7), none);
    add(CorpusGen::word(11) + " OR " + CorpusGen::word(12),
        [](auto& o) { o.sort = news::SortMode::Relevance; });
    add("title:" + CorpusGen::word(20), [](auto& o) { o.sort = news::SortMode::Quality; });
    add("", [](auto& o) { o.request.filters.topics = {"Security"}; });
    add(CorpusGen::word(5), [](auto& o) {
        o.request.filters.providers = {"cloudwire.example"};
        o.request.filters.include_stubs = true;
    });
    add("outside", [](auto& o) {
        o.request.filters.include_stubs = true;
        o.sort = news::SortMode::Relevance;
    });
    add(CorpusGen::word(30), [](auto& o) { o.collapse = true; });
    std::vector<std::vector<std::string>> out;
    for (const auto& o : searches) {
        std::vector<std::string> ids;
        for (const auto& r : news::run_search(idx, o).results) ids.push_back(r.article.id);
        out.push_back(std::move(ids));
    }
    return out;
}

inline std::vector<std::string> index_args(const fs::path& index, const fs::path& corpus,
                                           std::size_t batch, std::vector<std::string> extra = {}) {
    std::vector<std::string> a{"--index", index.string(), "--batch", std::to_string(batch), "-j2",
                               "-q"};
    a.insert(a.end(), extra.begin(), extra.end());
    a.push_back(corpus.string());
    return a;
}

// ---------------------------------------------------------------------------------------------
// One generated corpus and its clean, uninterrupted build, shared by the tests of this file.

inline constexpr std::size_t kCorpusSize = 2000;

// (ctest runs each test in a process of its own, so each builds what it uses.)
struct Shared {
    TempDir dir;
    fs::path corpus, clean;
    Fingerprint clean_fp;
    std::vector<std::vector<std::string>> clean_searches;
    bool built = false;
};

// The corpus, written on first use.
inline Shared& shared_corpus() {
    static std::unique_ptr<Shared> s = [] {
        auto p = std::make_unique<Shared>();
        p->corpus = p->dir.path() / "corpus";
        p->clean = p->dir.path() / "clean";
        CorpusGen(42, kCorpusSize).write_all(p->corpus);
        return p;
    }();
    return *s;
}

// The corpus and its clean build (one uninterrupted run, one commit), built on first use.
inline Shared& shared() {
    Shared& p = shared_corpus();
    if (!p.built) {
        auto c = run_indexer(index_args(p.clean, p.corpus, 5000), p.dir.path());
        if (c->exit_code() != 0) {
            throw std::runtime_error("clean build failed: exit " + std::to_string(c->exit_code()) +
                                     "\n" + c->stdout_text() + c->stderr_text());
        }
        p.clean_fp = fingerprint(p.clean);
        p.clean_searches = search_ids(p.clean);
        p.built = true;
    }
    return p;
}

inline void expect_equals_clean(const fs::path& index) {
    const Shared& s = shared();
    const auto fp = fingerprint(index);
    EXPECT_EQ(fp.size(), s.clean_fp.size());
    EXPECT_TRUE(fp == s.clean_fp) << fingerprint_diff(fp, s.clean_fp);
    EXPECT_EQ(search_ids(index), s.clean_searches);
}

// The generated corpus and its clean build: every article indexed, stubs for the outside
// articles, stories, every search finds something, and the clean build passes the checks.
inline void expect_sane_clean_build() {
    const Shared& s = shared();
    std::size_t full = 0, stubs = 0, stories = 0;
    for (const auto& [id, fp] : s.clean_fp) {
        (fp.data.find("\"stub\":true") != std::string::npos ? stubs : full)++;
    }
    {
        Xapian::Database db(s.clean.string());
        const std::string p(news::field(news::FieldId::StoryTerm).prefix);
        for (auto t = db.allterms_begin(p); t != db.allterms_end(p); ++t)
            stories += t.get_termfreq() > 1;
    }
    EXPECT_EQ(full, kCorpusSize);
    EXPECT_GT(stubs, 10u);
    EXPECT_GT(stories, 10u) << "near-duplicates should form stories";
    EXPECT_EQ(check_index(s.clean), "");
    for (const auto& ids : s.clean_searches) EXPECT_FALSE(ids.empty());
    EXPECT_EQ(CorpusGen(42, kCorpusSize).text(17), CorpusGen(42, kCorpusSize).text(17));
}

}  // namespace news::test::reliability
