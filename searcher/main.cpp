// searcher: the read side. See README.md and `searcher --help`.
#include <unistd.h>
#include <cctype>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "errors.hpp"
#include "related.hpp"
#include "search.hpp"
#include "text.hpp"

namespace {

using nlohmann::json;

struct Common {
    std::vector<std::string> indexes;
    std::string format = "text";
    std::string color = "auto";
    bool allow_partial = false;
};

// JSON text of `j`; invalid UTF-8 (from a query or a file name) becomes U+FFFD, never an error.
std::string dumps(const json& j, int indent = -1) {
    return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

// A batch input: FILE, or standard input for "-". Throws UsageError.
class BatchInput {
  public:
    BatchInput(const std::string& path, const char* flag) {
        if (path == "-") return;
        file_.open(path);
        if (!file_)
            throw news::UsageError(std::string("cannot read ") + flag + " file '" + path + "'");
        in_ = &file_;
    }
    bool next(std::string& line) {
        if (!std::getline(*in_, line)) return false;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return true;
    }

  private:
    std::ifstream file_;
    std::istream* in_ = &std::cin;
};

struct Style {
    bool color = false;
    std::string bold(const std::string& s) const { return color ? "\033[1m" + s + "\033[0m" : s; }
    std::string dim(const std::string& s) const { return color ? "\033[2m" + s + "\033[0m" : s; }
};

std::string num(const json& v) {
    if (v.is_null()) return "-";
    const double d = v.get<double>();
    char buf[32];
    std::snprintf(buf, sizeof buf,
                  d == static_cast<double>(static_cast<long long>(d)) ? "%.0f" : "%.1f", d);
    return buf;
}

std::string tsv_cell(std::string s) {
    for (char& c : s) {
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    }
    return s;
}

// Turns the <mark> markers into bold (colour TTY) or plain text.
std::string render_marks(std::string s, const Style& st) {
    const std::string on = st.color ? "\033[1m" : "", off = st.color ? "\033[0m" : "";
    for (const auto& [from, to] :
         {std::pair<std::string, std::string>{"<mark>", on}, {"</mark>", off}}) {
        for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos;) {
            s.replace(p, from.size(), to);
            p += to.size();
        }
    }
    return s;
}

void print_result_text(const json& r, const Style& st, bool explain) {
    const std::string date =
        r["published"].is_null() ? "----------" : r["published"].get<std::string>().substr(0, 10);
    std::string provider = r["provider"].value("name", "");
    if (provider.empty()) provider = r["provider"].value("domain", "");
    std::string folded;
    if (r.contains("collapsed") && r["collapsed"].get<long long>() > 0) {
        folded =
            "  (+" + std::to_string(r["collapsed"].get<long long>()) + " more from this story)";
    }
    std::printf("%3lld. %s  q%s  %s%s%s%s\n", r["rank"].get<long long>(), date.c_str(),
                num(r["quality"]).c_str(), provider.c_str(),
                r["stub"].get<bool>() ? "  [stub]" : "",
                r["removed"].get<bool>() ? "  [removed]" : "", folded.c_str());
    std::printf(
        "     %s\n",
        render_marks(r.value("title_highlighted", r["title"].get<std::string>()), st).c_str());
    if (!r["url"].get<std::string>().empty())
        std::printf("     %s\n", st.dim(r["url"].get<std::string>()).c_str());
    const std::string snip = r.value("snippet", "");
    if (!snip.empty()) std::printf("     %s\n", render_marks(snip, st).c_str());
    if (explain && r.contains("explain")) {
        std::printf("     score %.4f = bm25 %.4f + prior %.4f (docid %lld)\n",
                    r["score"].get<double>(), r["explain"]["bm25"].get<double>(),
                    r["explain"]["prior"].get<double>(), r["explain"]["docid"].get<long long>());
    }
    std::printf("\n");
}

void print_search(const json& out, const std::string& format, const Style& st, bool explain) {
    if (format == "json") {
        std::cout << dumps(out, 2) << '\n';
        return;
    }
    if (format == "jsonl") {
        for (const auto& r : out["results"]) std::cout << dumps(r) << '\n';
        return;
    }
    if (format == "tsv") {
        std::cout << "rank\tscore\tpublished\tquality\tprovider\ttitle\turl\tid\n";
        for (const auto& r : out["results"]) {
            std::cout << r["rank"] << '\t' << r["score"] << '\t'
                      << (r["published"].is_null() ? "" : r["published"].get<std::string>()) << '\t'
                      << num(r["quality"]) << '\t' << tsv_cell(r["provider"].value("name", ""))
                      << '\t' << tsv_cell(r["title"].get<std::string>()) << '\t'
                      << tsv_cell(r["url"].get<std::string>()) << '\t'
                      << tsv_cell(r["id"].get<std::string>()) << '\n';
        }
        return;
    }
    if (out["lenient"].get<bool>()) {
        std::printf("%s\n",
                    st.dim("note: the query could not be parsed (" +
                           out.value("lenient_reason", "") + "); searched for its words instead")
                        .c_str());
    }
    for (const auto& note : out.value("notes", json::array()))
        std::printf("%s\n", st.dim("note: " + note.get<std::string>()).c_str());
    if (!out["suggestion"].is_null())
        std::printf("Did you mean: %s\n", st.bold(out["suggestion"].get<std::string>()).c_str());
    if (explain) std::printf("parsed query: %s\n", out["parsed_query"].get<std::string>().c_str());
    if (explain && out.value("relaxed", false))
        std::printf("relaxed query: %s\n", out["relaxed_query"].get<std::string>().c_str());
    // "12 results", "about 40 results", "1 result": a count and its noun.
    auto count = [](const json& t, const char* one, const char* many) {
        const auto e = t["estimated"].get<long long>();
        return (t["lower"] == t["upper"] ? "" : "about ") + std::to_string(e) + " " +
               (e == 1 ? one : many);
    };
    const auto n = out["results"].size();
    const auto off = out["offset"].get<std::size_t>();
    std::string head;
    const bool stories = out.value("collapse", false);  // counts are of stories
    if (out.value("relaxed", false)) {
        const auto all = out["matched_all"].get<long long>();
        const json& more = out["relaxed_total"];
        const char* one = stories ? "story matches" : "article matches";
        const char* many = stories ? "stories match" : "articles match";
        head = all == 0 ? std::string(stories ? "No story" : "No article") +
                              " matches every word; " + count(more, one, many) + " some of them"
                        : count(out["total"], one, many) + " every word, and " +
                              count(more, "more matches", "more match") + " some of them";
    } else {
        head = stories ? count(out["total"], "story", "stories")
                       : count(out["total"], "result", "results");
    }
    const std::string page =
        n ? "showing " + std::to_string(off + 1) + "-" + std::to_string(off + n)
          : (off > 0 ? "none on this page (offset " + std::to_string(off) + " is past the last)"
                     : "showing none");
    std::printf("%s; %s (sorted by %s, %.1f ms)\n\n", head.c_str(), page.c_str(),
                out["sort"].get<std::string>().c_str(), out["elapsed_ms"].get<double>());
    bool all_words = true;
    for (const auto& r : out["results"]) {
        if (all_words && !r.value("matched_all_words", true)) {
            all_words = false;
            std::printf("%s\n\n", st.dim("-- matching only some of the words --").c_str());
        }
        print_result_text(r, st, explain);
    }
    if (out.contains("facets")) {
        for (const auto& [name, values] : out["facets"].items()) {
            std::printf("%s:", st.bold(name).c_str());
            for (const auto& v : values)
                std::printf("  %s (%lld)", v["value"].get<std::string>().c_str(),
                            v["count"].get<long long>());
            std::printf("\n");
        }
    }
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const double idx = p * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(idx);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (idx - static_cast<double>(lo));
}

news::SortMode parse_sort(const std::string& s) {
    if (s == "relevance") return news::SortMode::Relevance;
    if (s == "date") return news::SortMode::Date;
    if (s == "quality") return news::SortMode::Quality;
    return news::SortMode::Blend;
}

// Filter flags shared by every subcommand that ranks (search, related).
struct FilterFlags {
    news::Filters f;
    std::optional<double> min_q, max_q;
    std::string since, until;
};

void add_filters(CLI::App* app, FilterFlags& ff) {
    app->add_option("--min-quality", ff.min_q, "only articles with quality >= Q");
    app->add_option("--max-quality", ff.max_q, "only articles with quality <= Q");
    app->add_option("--since", ff.since,
                    "published on or after (YYYY[-MM[-DD]], ISO datetime, or an age: 7d, 12h)");
    app->add_option("--until", ff.until,
                    "published on or before (same forms; partial dates are inclusive)");
    app->add_option("--topic", ff.f.topics, "topic (repeatable: any of)")->allow_extra_args(false);
    app->add_option("--provider", ff.f.providers, "provider name or domain (repeatable: any of)")
        ->allow_extra_args(false);
    app->add_option("--type", ff.f.types, "type, e.g. article or video (repeatable)")
        ->allow_extra_args(false);
    app->add_option("--category", ff.f.categories, "category (repeatable)")
        ->allow_extra_args(false);
    app->add_flag("--include-removed", ff.f.include_removed, "also show articles marked removed");
    app->add_flag("--include-stubs", ff.f.include_stubs,
                  "also show stubs (articles known only from related lists)");
}

news::Filters resolve_filters(const FilterFlags& ff) {
    news::Filters f = ff.f;
    f.min_quality = ff.min_q;
    f.max_quality = ff.max_q;
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    if (!ff.since.empty()) f.since = news::parse_time_flag(ff.since, false, now);
    if (!ff.until.empty()) f.until = news::parse_time_flag(ff.until, true, now);
    return f;
}

bool has_filter(const news::Filters& f) {
    return f.min_quality || f.max_quality || f.since || f.until || !f.topics.empty() ||
           !f.providers.empty() || !f.types.empty() || !f.categories.empty();
}

void add_common(CLI::App* app, Common& c) {
    app->add_option("--index,-i", c.indexes,
                    "index directory; repeat to search several as one (default ./index)")
        ->allow_extra_args(false);
    app->add_option("--format,-f", c.format, "output format")
        ->check(CLI::IsMember({"text", "json", "jsonl", "tsv"}))
        ->capture_default_str();
    app->add_option("--color", c.color, "colour in text output")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
    app->add_flag("--allow-partial", c.allow_partial,
                  "answer from the shards that respond when some are down (flagged as partial)");
}

// A result with `partial` set; each shard left out is reported once on stderr.
json marked(json out, const news::OpenedIndex& index) {
    static std::size_t reported = 0;
    news::mark_partial(out, index);
    for (; reported < index.missing.size(); ++reported) {
        std::fprintf(stderr, "searcher: warning: partial results without shard %s: %s\n",
                     index.missing[reported]["index"].get<std::string>().c_str(),
                     index.missing[reported]["error"].get<std::string>().c_str());
    }
    return out;
}

std::string default_config_path() {
    if (const char* env = std::getenv("NEWSEARCH_CONFIG"); env && *env) return env;
    std::string base;
    if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) {
        base = x;
    } else if (const char* h = std::getenv("HOME"); h && *h) {
        base = std::string(h) + "/.config";
    } else {
        return {};
    }
    return base + "/newsearch/searcher.toml";
}

// `searcher search kubernetes -docker`: an argument of `search` written -WORD (two or more
// letters, no digits or punctuation, so not an option such as -n10, -i PATH or -fjson) is the
// query's exclusion of WORD, not an unknown option. CLI11 would reject it, so it is marked with a
// leading kWordMark, which makes it a positional argument; the query words drop the mark.
constexpr char kWordMark = '\x1f';
std::vector<std::string> mark_minus_words(int argc, char** argv) {
    std::vector<std::string> args(argv, argv + argc);
    auto minus_word = [](const std::string& a) {
        if (a.size() < 3 || a[0] != '-' || a[1] == '-') return false;
        for (const char* f : {"-ftext", "-fjson", "-fjsonl", "-ftsv"})  // -f FORMAT, glued
            if (a == f) return false;
        for (std::size_t i = 1; i < a.size(); ++i) {
            const unsigned char c = static_cast<unsigned char>(a[i]);
            if (!(std::isalpha(c) || c >= 0x80)) return false;
        }
        return true;
    };
    std::size_t i = 1;
    while (i < args.size() && args[i] != "search" && args[i] != "--") ++i;
    if (i >= args.size() || args[i] != "search") return args;
    for (++i; i < args.size() && args[i] != "--"; ++i) {
        if (minus_word(args[i])) args[i].insert(args[i].begin(), kWordMark);
    }
    return args;
}

int run(int argc, char** argv) {
    CLI::App app{"searcher: search a news index built by `indexer`."};
    app.footer(
        "Exit codes: 0 success (also with no results); 2 usage error; 3 index error (missing,\n"
        "            locked, corrupt, wrong schema version, a shard down without "
        "--allow-partial);\n"
        "            5 no such article (get, story, related).");
    app.require_subcommand(1);
    // Defaults from a config file (TOML/INI; sections [search], [related], ...: any option of
    // that subcommand, without the dashes); flags on the command line win. docs/ranking.md.
    app.set_config("--config", default_config_path(),
                   "read option defaults from FILE (TOML/INI; default $NEWSEARCH_CONFIG or "
                   "~/.config/newsearch/searcher.toml when it exists)");
    app.allow_config_extras(false);
    Common common;

    // search
    auto* search = app.add_subcommand("search", "ranked keyword search");
    add_common(search, common);
    news::SearchOptions so;
    std::vector<std::string> words;
    std::string match = "auto", sort = "blend", queries_file, facets, bm25 = "1.2,0.75",
                stopwords = "on";
    bool no_spelling = false, timing = false;
    FilterFlags search_filters;
    search->add_option("query", words,
                       "query (Xapian syntax: AND OR NOT NEAR in upper case, +word -word, "
                       "\"phrase\", word*, field:value)");
    search
        ->add_option("--match", match,
                     "words required: all, any, or auto (all; when too few articles match "
                     "every word, those matching some follow)")
        ->check(CLI::IsMember({"all", "any", "auto"}))
        ->capture_default_str();
    add_filters(search, search_filters);
    search->add_option("--sort", sort, "ranking")
        ->check(CLI::IsMember({"relevance", "date", "quality", "blend"}))
        ->capture_default_str();
    search->add_flag("--reverse", so.reverse, "reverse the sort order");
    search->add_option("--half-life", so.half_life_days, "blend: recency half-life in days")
        ->capture_default_str();
    search->add_option("--quality-weight", so.quality_weight, "blend: weight of the quality prior")
        ->capture_default_str();
    search->add_option("--recency-weight", so.recency_weight, "blend: weight of the recency prior")
        ->capture_default_str();
    search
        ->add_option("--bm25", bm25,
                     "BM25 parameters K1,B (term frequency saturation, length "
                     "normalisation)")
        ->capture_default_str();
    search
        ->add_option("--stopwords", stopwords,
                     "drop English stopwords (the, of, ...) from the query, outside phrases")
        ->check(CLI::IsMember({"on", "off"}))
        ->capture_default_str();
    search->add_option("--limit,-n", so.limit, "results per page")->capture_default_str();
    search->add_option("--offset", so.offset, "results to skip")->capture_default_str();
    search->add_flag("--exact-count", so.exact_count, "count every match exactly (slower)");
    search->add_flag("--no-spelling", no_spelling, "no \"did you mean\" suggestion");
    search->add_option("--facets", facets, "comma-separated: topic,provider,type,year");
    search->add_flag("--explain", so.explain, "show the parsed query and score components");
    std::string expand = "auto";
    search
        ->add_option("--expand", expand,
                     "pseudo-relevance feedback: auto (reorder the partial matches by the words "
                     "of the best ones when no article matches every word), N (add N terms of "
                     "the top results to every query), or 0 (off)")
        ->capture_default_str();
    search->add_option("--expand-docs", so.expand_docs, "expansion: top results used")
        ->capture_default_str()
        ->check(CLI::Range(1, 100));
    search->add_option("--expand-weight", so.expand_weight, "expansion: weight of the added terms")
        ->capture_default_str();
    search->add_flag("--collapse", so.collapse,
                     "one result per story (syndicated copies folded), with the number folded");
    search->add_option("--queries", queries_file,
                       "batch: one query per line from FILE (- = stdin), JSONL out");
    search->add_flag("--timing", timing, "batch: print count, mean, p50, p95, p99 (ms) to stderr");

    // related
    auto* related = app.add_subcommand("related", "rank the news most related to an article");
    add_common(related, common);
    news::RelatedOptions ro;
    FilterFlags related_filters;
    std::string related_seed, related_ids, weights;
    related->add_option("article", related_seed, "indexed article id or URL, or an article file");
    add_filters(related, related_filters);
    related->add_option("--limit,-n", ro.limit, "results")->capture_default_str();
    related->add_option("--offset", ro.offset, "results to skip")->capture_default_str();
    related->add_option("--weights", weights,
                        "signal weights (default content=1,vocabulary=2.5,topics=0.3,time=5,"
                        "quality=0,graph=2; vocabulary and time count times the index's news-cycle "
                        "strength; "
                        "0 turns one off)");
    std::string related_half_life = "auto";
    related
        ->add_option("--half-life", related_half_life,
                     "time signal: half-life in days around the seed's date, or auto (a "
                     "fiftieth of the time the index spans)")
        ->capture_default_str();
    related
        ->add_option("--plateau", ro.plateau_days,
                     "time signal: no decay within this many days of the seed")
        ->capture_default_str();
    related
        ->add_option("--title-boost", ro.title_boost,
                     "content signal: weight of the seed's title words")
        ->capture_default_str();
    related->add_option("--expand", ro.expand_terms, "content signal: at most this many seed terms")
        ->capture_default_str();
    related->add_flag("--explain", ro.explain, "show each result's signals");
    std::string news_cycle = "auto";
    related
        ->add_option("--news-cycle", news_cycle,
                     "how much vocabulary and time count, 0..1, or auto (measured on the index)")
        ->capture_default_str();
    related->add_option("--ids", related_ids,
                        "batch: one article id per line from FILE (- = stdin), JSONL out");

    // story
    auto* story =
        app.add_subcommand("story", "list the articles of an article's story, oldest first");
    add_common(story, common);
    std::string story_id;
    story->add_option("id", story_id, "article id or URL")->required();

    // get
    auto* get = app.add_subcommand("get", "show one stored article with its related links");
    add_common(get, common);
    std::string get_id;
    get->add_option("id", get_id, "article id or URL")->required();

    // stats
    auto* stats = app.add_subcommand("stats", "index statistics");
    add_common(stats, common);

    try {
        std::vector<std::string> args = mark_minus_words(argc, argv);
        std::vector<char*> ptrs;
        for (auto& a : args) ptrs.push_back(a.data());
        app.parse(static_cast<int>(ptrs.size()), ptrs.data());
    } catch (const CLI::ConfigError& e) {
        throw news::UsageError("config file '" + app.get_config_ptr()->as<std::string>() +
                               "': " + e.what());
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? news::kExitOk : news::kExitUsage;
    }
    if (common.indexes.empty()) common.indexes.push_back("index");
    Style st;
    st.color = common.color == "always" ||
               (common.color == "auto" && ::isatty(STDOUT_FILENO) && common.format == "text");

    if (*search) {
        so.request.match_all = match != "any";
        so.relax = match == "auto";
        so.request.spelling = !no_spelling;
        so.request.stopwords = stopwords == "on";
        so.expand_auto = expand == "auto";
        if (!so.expand_auto) {
            char* end = nullptr;
            const unsigned long n = std::strtoul(expand.c_str(), &end, 10);
            if (expand.empty() || *end || expand[0] == '-' || n > 1000)
                throw news::UsageError(
                    "--expand: expected auto or a number of terms 0..1000, "
                    "got '" +
                    expand + "'");
            so.expand_terms = static_cast<unsigned>(n);
        }
        news::parse_bm25(bm25, so);
        so.sort = parse_sort(sort);
        so.request.filters = resolve_filters(search_filters);
        if (!facets.empty()) {
            std::string f = facets + ",";
            for (std::size_t s = 0, c; (c = f.find(',', s)) != std::string::npos; s = c + 1) {
                std::string name(news::trim(f.substr(s, c - s)));
                if (name.empty()) continue;
                if (name != "topic" && name != "provider" && name != "type" && name != "year") {
                    throw news::UsageError("unknown facet '" + name +
                                           "' (use topic, provider, type, year)");
                }
                if (std::find(so.facets.begin(), so.facets.end(), name) == so.facets.end())
                    so.facets.push_back(name);
            }
        }
        if (!(so.half_life_days > 0) || !std::isfinite(so.half_life_days))
            throw news::UsageError("--half-life must be a positive number");
        for (const double w : {so.quality_weight, so.recency_weight, so.expand_weight}) {
            if (!(w >= 0) || !std::isfinite(w))
                throw news::UsageError(
                    "--quality-weight, --recency-weight and --expand-weight must be >= 0");
        }
        news::OpenedIndex index = news::open_indexes(common.indexes, common.allow_partial);
        if (!queries_file.empty()) {
            // Many searches in one process: the prior source's keys are worth copying into
            // memory once per index revision (the first search that needs them pays ~25 ms a
            // million articles), then each match reads them without decoding (docs/ranking.md).
            // Copies of one index directory share a uuid, which keys the copies: no cache then.
            news::set_prior_column_cache(index.distinct_uuids());
            BatchInput in(queries_file, "--queries");
            std::vector<double> times;
            std::string line;
            while (in.next(line)) {
                if (std::string(news::trim(line)).empty()) continue;
                so.request.text = line;
                json out;
                try {
                    out = marked(news::run_search(index, so), index);
                } catch (const news::UsageError& e) {  // one bad line does not end the batch
                    std::cout << dumps(json{{"version", news::kJsonVersion},
                                            {"query", line},
                                            {"error", e.what()}})
                              << '\n';
                    continue;
                }
                times.push_back(out["elapsed_ms"].get<double>());
                std::cout << dumps(out) << '\n';
            }
            if (timing) {
                double sum = 0;
                for (double t : times) sum += t;
                std::fprintf(
                    stderr, "queries %zu  mean %.3f ms  p50 %.3f ms  p95 %.3f ms  p99 %.3f ms\n",
                    times.size(), times.empty() ? 0.0 : sum / static_cast<double>(times.size()),
                    percentile(times, 0.5), percentile(times, 0.95), percentile(times, 0.99));
            }
            return news::kExitOk;
        }
        for (const auto& w : words) {
            if (!so.request.text.empty()) so.request.text += ' ';
            so.request.text += w[0] == kWordMark ? w.substr(1) : w;
        }
        if (std::string(news::trim(so.request.text)).empty() && !has_filter(so.request.filters)) {
            throw news::UsageError("give a query, or at least one filter (e.g. --topic, --since)");
        }
        print_search(marked(news::run_search(index, so), index), common.format, st, so.explain);
        return news::kExitOk;
    }
    if (*related) {
        ro.filters = resolve_filters(related_filters);
        if (!weights.empty()) ro.weights = news::parse_weights(weights);
        if (news_cycle != "auto") {
            char* end = nullptr;
            const double c = std::strtod(news_cycle.c_str(), &end);
            if (news_cycle.empty() || *end || !(c >= 0 && c <= 1))
                throw news::UsageError("--news-cycle must be auto or a number from 0 to 1");
            ro.news_cycle = c;
        }
        if (related_half_life != "auto") {
            char* end = nullptr;
            ro.half_life_days = std::strtod(related_half_life.c_str(), &end);
            if (related_half_life.empty() || *end || !(ro.half_life_days > 0) ||
                !std::isfinite(ro.half_life_days))
                throw news::UsageError("--half-life must be auto or a positive number");
        }
        if (related_seed.empty() == related_ids.empty()) {
            throw news::UsageError("related: give one article (id, URL or file), or --ids FILE");
        }
        news::OpenedIndex index = news::open_indexes(common.indexes, common.allow_partial);
        if (!related_ids.empty()) {
            BatchInput in(related_ids, "--ids");
            std::string line;
            while (in.next(line)) {
                const std::string id(news::trim(line));
                if (id.empty()) continue;
                try {
                    std::cout << dumps(marked(news::run_related(index, id, ro), index)) << '\n';
                } catch (const news::NotFoundError& e) {
                    std::cout << dumps(json{{"version", news::kJsonVersion},
                                            {"query", id},
                                            {"error", e.what()}})
                              << '\n';
                }
            }
            return news::kExitOk;
        }
        const json out = marked(news::run_related(index, related_seed, ro), index);
        if (common.format == "text") {
            const json& seed = out["seed"];
            std::printf("Related to: %s\n", st.bold(seed["title"].get<std::string>()).c_str());
        }
        print_search(out, common.format, st, false);
        if (ro.explain && common.format == "text") {
            for (const auto& r : out["results"]) {
                const auto& sg = r["signals"];
                std::printf(
                    "%3lld. content %.3f  topics %.3f  time %.3f  quality %.3f  graph %.3f\n",
                    r["rank"].get<long long>(), sg["content"].get<double>(),
                    sg["topics"].get<double>(), sg["time"].get<double>(),
                    sg["quality"].get<double>(), sg["graph"].get<double>());
            }
        }
        return news::kExitOk;
    }
    news::OpenedIndex index = news::open_indexes(common.indexes, common.allow_partial);
    if (*story) {
        const json out = marked(news::get_story(index, story_id), index);
        if (common.format == "json") {
            std::cout << dumps(out, 2) << '\n';
        } else if (common.format == "jsonl") {
            for (const auto& r : out["articles"]) std::cout << dumps(r) << '\n';
        } else if (common.format == "tsv") {
            std::cout << "published\tprovider\ttitle\turl\tid\n";
            for (const auto& r : out["articles"]) {
                std::cout << (r["published"].is_null() ? "" : r["published"].get<std::string>())
                          << '\t' << tsv_cell(r["provider"].value("name", "")) << '\t'
                          << tsv_cell(r["title"].get<std::string>()) << '\t'
                          << tsv_cell(r["url"].get<std::string>()) << '\t'
                          << tsv_cell(r["id"].get<std::string>()) << '\n';
            }
        } else {
            std::printf("story %s: %zu article(s), oldest first\n\n",
                        out["story"].is_null() ? "-" : out["story"].get<std::string>().c_str(),
                        out["articles"].size());
            for (const auto& r : out["articles"]) {
                const std::string date = r["published"].is_null()
                                             ? "----------------"
                                             : r["published"].get<std::string>().substr(0, 16);
                std::printf("  %s  %-22s %s\n", date.c_str(),
                            r["provider"].value("name", "").substr(0, 22).c_str(),
                            r["title"].get<std::string>().c_str());
            }
        }
        return news::kExitOk;
    }
    if (*get) {
        const json out = marked(news::get_article(index, get_id), index);
        if (common.format != "text") {
            std::cout << dumps(out, common.format == "json" ? 2 : -1) << '\n';
            return news::kExitOk;
        }
        const json& a = out["article"];
        std::printf("%s\n", st.bold(a["title"].get<std::string>()).c_str());
        std::printf(
            "id:        %s\nurl:       %s\npublished: %s\nquality:   %s   heat: %s\nprovider:  %s "
            "(%s)\n",
            a["id"].get<std::string>().c_str(), a["url"].get<std::string>().c_str(),
            a["published"].is_null() ? "-" : a["published"].get<std::string>().c_str(),
            num(a["quality"]).c_str(), num(a["heat"]).c_str(),
            a["provider"].value("name", "").c_str(), a["provider"].value("domain", "").c_str());
        std::string topics;
        for (const auto& t : a["topics"])
            topics += (topics.empty() ? "" : ", ") + t.get<std::string>();
        std::printf("topics:    %s\ntype:      %s   category: %s%s%s\npath:      %s\n\n%s\n\n",
                    topics.c_str(), a["type"].get<std::string>().c_str(),
                    a["category"].get<std::string>().c_str(),
                    a["stub"].get<bool>() ? "   [stub]" : "",
                    a["removed"].get<bool>() ? "   [removed]" : "",
                    a["path"].get<std::string>().c_str(), a["excerpt"].get<std::string>().c_str());
        std::printf("related (%zu):\n", out["related"].size());
        for (const auto& r : out["related"]) {
            std::printf(
                "  %s %s\n",
                r["indexed"].get<bool>() ? (r["stub"].get<bool>() ? "[stub]" : "      ") : "[none]",
                r["title"].get<std::string>().empty() ? r["id"].get<std::string>().c_str()
                                                      : r["title"].get<std::string>().c_str());
        }
        std::printf("listed as related by %lld article(s)\n", out["inlink_count"].get<long long>());
        for (const auto& r : out["inlinks"])
            std::printf("  %s\n", r["title"].get<std::string>().c_str());
        return news::kExitOk;
    }
    const json out = marked(news::index_stats(index), index);
    if (common.format != "text") {
        std::cout << dumps(out, common.format == "json" ? 2 : -1) << '\n';
        return news::kExitOk;
    }
    std::printf("indexes:        %s\n", dumps(out["indexes"]).c_str());
    std::printf("articles:       %lld (+ %lld stubs, %lld removed)\n",
                out["articles"].get<long long>(), out["stubs"].get<long long>(),
                out["removed"].get<long long>());
    std::printf("published:      %s .. %s\n",
                out["oldest"].is_null() ? "-" : out["oldest"].get<std::string>().c_str(),
                out["newest"].is_null() ? "-" : out["newest"].get<std::string>().c_str());
    std::printf("schema version: %d   language: %s\n", out["schema_version"].get<int>(),
                out["language"].get<std::string>().c_str());
    std::printf("size on disk:   %.1f MB\nlast update:    %s\n",
                static_cast<double>(out["size_bytes"].get<uintmax_t>()) / 1e6,
                out["last_update"].get<std::string>().c_str());
    for (const char* k : {"top_topics", "top_providers"}) {
        std::printf("%s:", k);
        for (const auto& v : out[k])
            std::printf("  %s (%lld)", v["value"].get<std::string>().c_str(),
                        v["count"].get<long long>());
        std::printf("\n");
    }
    return news::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const news::Error& e) {
        std::fprintf(stderr, "searcher: %s\n", e.what());
        return e.exit_code();
    } catch (const Xapian::DatabaseLockError& e) {
        std::fprintf(stderr, "searcher: index is locked: %s\n", e.get_msg().c_str());
        return news::kExitIndex;
    } catch (const Xapian::Error& e) {
        std::fprintf(stderr, "searcher: index error: %s\n", e.get_description().c_str());
        return news::kExitIndex;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "searcher: internal error: %s\n", e.what());
        return news::kExitInternal;
    }
}
