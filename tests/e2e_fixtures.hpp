// Shared by the end-to-end tests (test_e2e_*.cpp): running the binaries, the indexer's summary
// line, the shape checks of docs/json-output.md, the sample-corpus fixture E2eSample (indexed
// once per suite; its static members are in e2e_fixtures.cpp) and the fixture corpora.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "errors.hpp"
#include "test_util.hpp"

namespace news::test::e2e {

namespace fs = std::filesystem;
using news::test::article;
using news::test::TempDir;
using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Running the binaries

using news::test::Output;
using news::test::read_text;
using news::test::run_bin;

using news::test::describe;
using news::test::indexer;
using news::test::searcher;

inline bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

inline std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
}

inline std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t t = line.find('\t', start);
        out.push_back(line.substr(start, t == std::string::npos ? std::string::npos : t - start));
        if (t == std::string::npos) break;
        start = t + 1;
    }
    return out;
}

inline std::string strip_marks(std::string s) {
    for (const std::string m : {"<mark>", "</mark>"}) {
        for (std::size_t p; (p = s.find(m)) != std::string::npos;) s.erase(p, m.size());
    }
    return s;
}

// ---------------------------------------------------------------------------------------------
// The indexer's summary line

struct Summary {
    bool parsed = false;
    std::string mode;  // "indexed" or "dry run"
    std::map<std::string, long> n;
};

// The indexer's summary line, field by field (std::regex is avoided: GCC 12 warns inside its
// headers under the sanitizer build).
inline Summary parse_summary(const std::string& out) {
    Summary s;
    std::string line = out;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    std::string mode, rest;
    for (const char* m : {"indexed: ", "dry run: "}) {
        if (line.rfind(m, 0) == 0) {
            mode = std::string(m).substr(0, std::string(m).size() - 2);
            rest = line.substr(std::string(m).size());
        }
    }
    if (mode.empty()) return s;
    long v[10];
    double secs = 0, rate = 0, mbs = 0;
    int used = -1;
    const int got = std::sscanf(
        rest.c_str(),
        "%ld files seen, %ld unchanged, %ld added, %ld updated, %ld deleted, %ld stubs "
        "added, %ld stubs removed, %ld duplicates, %ld rejected, %ld skipped; %lfs, %lf "
        "files/s, %lf MB/s%n",
        &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &secs, &rate, &mbs,
        &used);
    if (got != 13 || used < 0) return s;
    long still = 0;  // "; N still rejected", only when some are
    if (used != static_cast<int>(rest.size())) {
        int more = -1;
        if (std::sscanf(rest.c_str() + used, "; %ld still rejected%n", &still, &more) != 1 ||
            used + more != static_cast<int>(rest.size()))
            return s;
    }
    s.parsed = true;
    s.mode = mode;
    const char* names[] = {"seen",        "unchanged",     "added",      "updated",  "deleted",
                           "stubs_added", "stubs_removed", "duplicates", "rejected", "skipped"};
    for (int i = 0; i < 10; ++i) s.n[names[i]] = v[i];
    s.n["still_rejected"] = still;
    return s;
}

// ---------------------------------------------------------------------------------------------
// Shape checks (docs/json-output.md)

// YYYY-MM-DDTHH:MM:SSZ
inline bool is_iso_utc(const std::string& t) {
    if (t.size() != 20) return false;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const char want = i == 4 || i == 7     ? '-'
                          : i == 10            ? 'T'
                          : i == 13 || i == 16 ? ':'
                          : i == 19            ? 'Z'
                                               : '0';
        if (want == '0' ? !std::isdigit(static_cast<unsigned char>(t[i])) : t[i] != want)
            return false;
    }
    return true;
}

inline std::set<std::string> keys_of(const json& obj) {
    std::set<std::string> k;
    for (const auto& [key, v] : obj.items()) k.insert(key);
    return k;
}

// The stored fields shared by search results and `get`'s "article".
inline void check_article_fields(const json& r) {
    SCOPED_TRACE(r.dump().substr(0, 300));
    ASSERT_TRUE(r.is_object());
    EXPECT_TRUE(r["id"].is_string());
    EXPECT_FALSE(r["id"].get<std::string>().empty());
    EXPECT_TRUE(r["url"].is_string());
    EXPECT_TRUE(r["title"].is_string());
    EXPECT_TRUE(r["excerpt"].is_string());
    EXPECT_TRUE(r["published"].is_null() || r["published"].is_string());
    if (r["published"].is_string()) {
        EXPECT_TRUE(is_iso_utc(r["published"].get<std::string>())) << r["published"];
    }
    EXPECT_TRUE(r["quality"].is_null() || r["quality"].is_number());
    EXPECT_TRUE(r["heat"].is_null() || r["heat"].is_number());
    EXPECT_TRUE(r["type"].is_string());
    EXPECT_TRUE(r["category"].is_string());
    ASSERT_TRUE(r["provider"].is_object());
    EXPECT_EQ(keys_of(r["provider"]), (std::set<std::string>{"name", "domain"}));
    EXPECT_TRUE(r["provider"]["name"].is_string());
    EXPECT_TRUE(r["provider"]["domain"].is_string());
    ASSERT_TRUE(r["topics"].is_array());
    for (const auto& t : r["topics"]) EXPECT_TRUE(t.is_string());
    EXPECT_TRUE(r["path"].is_string());
    EXPECT_TRUE(r["stub"].is_boolean());
    EXPECT_TRUE(r["removed"].is_boolean());
    EXPECT_TRUE(r["story"].is_null() || r["story"].is_string());
}

inline void check_result(const json& r, bool explain) {
    check_article_fields(r);
    SCOPED_TRACE(r.dump().substr(0, 300));
    std::set<std::string> expected{
        "id",      "url",   "title",   "excerpt",           "published",
        "quality", "heat",  "type",    "category",          "provider",
        "topics",  "path",  "stub",    "removed",           "story",
        "rank",    "score", "snippet", "title_highlighted", "matched_all_words"};
    if (explain) expected.insert("explain");
    if (r.contains("collapsed")) {  // --collapse (check_envelope checks that it was asked)
        expected.insert("collapsed");
        EXPECT_TRUE(r["collapsed"].is_number_unsigned());
    }
    EXPECT_EQ(keys_of(r), expected);
    EXPECT_TRUE(r["matched_all_words"].is_boolean());
    EXPECT_TRUE(r["rank"].is_number_unsigned());
    EXPECT_GE(r["rank"].get<long>(), 1);
    EXPECT_TRUE(r["score"].is_number());
    EXPECT_TRUE(r["snippet"].is_string());
    EXPECT_TRUE(r["title_highlighted"].is_string());
    if (explain) {
        const json& e = r["explain"];
        ASSERT_TRUE(e.is_object());
        EXPECT_EQ(keys_of(e), (std::set<std::string>{"docid", "bm25", "prior"}));
        EXPECT_TRUE(e["docid"].is_number_unsigned());
        EXPECT_TRUE(e["bm25"].is_number());
        EXPECT_TRUE(e["prior"].is_number());
    }
}

// The envelope of `search --format json` (and of each batch line).
inline void check_envelope(const json& d, bool explain = false, bool facets = false) {
    ASSERT_TRUE(d.is_object());
    std::set<std::string> expected{
        "version", "query",      "parsed_query",    "lenient", "total",   "offset",     "limit",
        "sort",    "suggestion", "corrected_query", "notes",   "results", "elapsed_ms", "collapse"};
    if (d.value("lenient", false)) expected.insert("lenient_reason");
    if (facets) {
        expected.insert("facets");
        expected.insert("facets_count");
        const std::string fc = d.value("facets_count", "");
        EXPECT_TRUE(fc == "all_words" || fc == "some_words") << fc;
    }
    expected.insert("partial");
    if (d.value("partial", false)) expected.insert("missing_shards");
    if (d.contains("expansion")) expected.insert("expansion");
    expected.insert("relaxed");
    if (d.value("relaxed", false)) {
        expected.insert("matched_all");
        expected.insert("relaxed_query");
        expected.insert("relaxed_total");
        EXPECT_TRUE(d["matched_all"].is_number_unsigned());
        EXPECT_TRUE(d["relaxed_query"].is_string());
        // The total counts the all-word matches, exactly; the others are counted apart.
        EXPECT_EQ(d["total"]["lower"], d["matched_all"]);
        EXPECT_EQ(d["total"]["upper"], d["matched_all"]);
        const json& rt = d["relaxed_total"];
        EXPECT_EQ(keys_of(rt), (std::set<std::string>{"lower", "estimated", "upper"}));
        EXPECT_LE(rt["lower"].get<long>(), rt["estimated"].get<long>());
        EXPECT_LE(rt["estimated"].get<long>(), rt["upper"].get<long>());
    }
    EXPECT_TRUE(d["notes"].is_array());
    for (const auto& n : d["notes"]) EXPECT_TRUE(n.is_string());
    EXPECT_TRUE(d["corrected_query"].is_null() || d["corrected_query"].is_string());
    EXPECT_EQ(keys_of(d), expected);
    EXPECT_TRUE(d["relaxed"].is_boolean());
    EXPECT_TRUE(d["partial"].is_boolean());
    EXPECT_TRUE(d["version"].is_number_integer());
    EXPECT_EQ(d["version"].get<int>(), 1);
    EXPECT_TRUE(d["query"].is_string());
    EXPECT_TRUE(d["parsed_query"].is_string());
    EXPECT_TRUE(d["lenient"].is_boolean());
    if (d.contains("lenient_reason")) {
        EXPECT_TRUE(d["lenient_reason"].is_string());
        EXPECT_FALSE(d["lenient_reason"].get<std::string>().empty());
    }
    const json& t = d["total"];
    ASSERT_TRUE(t.is_object());
    EXPECT_EQ(keys_of(t), (std::set<std::string>{"lower", "estimated", "upper"}));
    for (const char* k : {"lower", "estimated", "upper"})
        EXPECT_TRUE(t[k].is_number_unsigned()) << k;
    EXPECT_LE(t["lower"].get<long>(), t["estimated"].get<long>());
    EXPECT_LE(t["estimated"].get<long>(), t["upper"].get<long>());
    EXPECT_TRUE(d["offset"].is_number_unsigned());
    EXPECT_TRUE(d["limit"].is_number_unsigned());
    EXPECT_TRUE(d["sort"].is_string());
    EXPECT_TRUE(d["collapse"].is_boolean());
    const std::set<std::string> sorts{"blend", "relevance", "date", "quality"};
    EXPECT_TRUE(sorts.count(d["sort"].get<std::string>())) << d["sort"];
    EXPECT_TRUE(d["elapsed_ms"].is_number());
    EXPECT_GE(d["elapsed_ms"].get<double>(), 0.0);
    EXPECT_TRUE(d["suggestion"].is_null() || d["suggestion"].is_string());
    ASSERT_TRUE(d["results"].is_array());
    EXPECT_LE(d["results"].size(), d["limit"].get<std::size_t>());
    const long relaxed_upper =
        d.value("relaxed", false) ? d["relaxed_total"]["upper"].get<long>() : 0;
    EXPECT_LE(d["results"].size(),
              static_cast<std::size_t>(t["upper"].get<long>() + relaxed_upper));
    long rank = d["offset"].get<long>();
    for (const auto& r : d["results"]) {
        EXPECT_EQ(r.contains("collapsed"), d["collapse"].get<bool>());
        check_result(r, explain);
        EXPECT_EQ(r["rank"].get<long>(), ++rank) << "ranks are offset+1, offset+2, ...";
    }
    if (facets) {
        ASSERT_TRUE(d["facets"].is_object());
        for (const auto& [name, values] : d["facets"].items()) {
            EXPECT_TRUE(name == "topic" || name == "provider" || name == "type" || name == "year")
                << name;
            ASSERT_TRUE(values.is_array());
            EXPECT_LE(values.size(), 20u);
            for (const auto& v : values) {
                EXPECT_EQ(keys_of(v), (std::set<std::string>{"value", "count"}));
                EXPECT_TRUE(v["value"].is_string());
                EXPECT_TRUE(v["count"].is_number_unsigned());
                EXPECT_GE(v["count"].get<long>(), 1);
            }
        }
    }
}

inline std::vector<std::string> ids_of(const json& d) {
    std::vector<std::string> out;
    for (const auto& r : d["results"]) out.push_back(r["id"].get<std::string>());
    return out;
}

inline bool has_topic(const json& r, const std::string& topic) {
    for (const auto& t : r["topics"]) {
        if (lower(t.get<std::string>()) == lower(topic)) return true;
    }
    return false;
}

inline const json* find_facet(const json& values, const std::string& value) {
    for (const auto& v : values) {
        if (lower(v["value"].get<std::string>()) == lower(value)) return &v;
    }
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// The sample corpus, copied into a temp dir and indexed once for the suite.

inline constexpr const char* kGlassSecureBeat =
    "https://securebeat.example/2021/09/glasshopper-kubernetes-ingress-flaw-hijack-clusters.html";
inline constexpr const char* kBramblewayId =
    "https://www.cloudwire.example/news/2021/08/brambleway-notebook-flaw-exposed-database-keys";

class E2eSample : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir;
        fs::copy(fs::path(NEWS_SOURCE_DIR) / "sample-corpus", corpus(),
                 fs::copy_options::recursive);
        first_ = new Output(indexer({"--index", index(), "--report", report(), corpus()}));
    }
    static void TearDownTestSuite() {
        delete first_;
        first_ = nullptr;
        delete dir_;
        dir_ = nullptr;
    }
    void SetUp() override { ASSERT_EQ(first_->rc, news::kExitOk) << describe(*first_); }

    static std::string corpus() { return (dir_->path() / "corpus").string(); }
    static std::string index() { return (dir_->path() / "index").string(); }
    static std::string report() { return (dir_->path() / "report.json").string(); }

    // `searcher search --index INDEX --format json ARGS...`; expects exit 0 and parses stdout.
    static json search(std::vector<std::string> args, bool explain = false, bool facets = false) {
        args.insert(args.begin(), {"search", "--index", index(), "--format", "json"});
        const Output o = searcher(args);
        EXPECT_EQ(o.rc, news::kExitOk) << describe(o);
        json d = json::parse(o.out);
        check_envelope(d, explain, facets);
        return d;
    }
    static json get(const std::string& id_or_url) {
        const Output o = searcher({"get", "--index", index(), "--format", "json", id_or_url});
        EXPECT_EQ(o.rc, news::kExitOk) << describe(o);
        return json::parse(o.out);
    }
    // Every visible (not removed, not stub) article, newest first.
    static const json& all_articles() {
        static const json all = search({"--since", "1900", "-n", "1000"});
        return all;
    }

    static TempDir* dir_;
    static Output* first_;
};

// ---------------------------------------------------------------------------------------------
// Fixture corpora

struct Fixture {
    TempDir dir;
    std::string corpus() const { return (dir.path() / "corpus").string(); }
    std::string index() const { return (dir.path() / "index").string(); }
    void add(const std::string& rel, const std::string& content) const {
        dir.write("corpus/" + rel, content);
    }
};

}  // namespace news::test::e2e
