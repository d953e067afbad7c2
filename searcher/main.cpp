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

#include "cli.hpp"
#include "errors.hpp"
#include "lookups.hpp"
#include "options.hpp"
#include "related.hpp"
#include "render.hpp"
#include "search.hpp"
#include "serve.hpp"
#include "text.hpp"
#include "version.hpp"

namespace {

using news::FilterFlags;
using news::kWordMark;
using news::RelatedFlags;
using news::SearchFlags;
using nlohmann::json;

struct Common {
    std::vector<std::string> indexes;
    std::string format = "text";
    bool format_given = false;  // --format on the command line or in the config file
    std::string color = "auto";
    bool allow_partial = false;
};

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

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const double idx = p * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(idx);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (idx - static_cast<double>(lo));
}

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

// Each shard left out of an answer is reported once on stderr.
void warn_partial(const news::OpenedIndex& index) {
    static std::size_t reported = 0;
    for (; reported < index.missing.size(); ++reported) {
        std::fprintf(stderr, "searcher: warning: partial results without shard %s: %s\n",
                     index.missing[reported].index.c_str(), index.missing[reported].error.c_str());
    }
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
using news::kWordMark;
std::vector<std::string> mark_minus_words(std::vector<std::string> args) {
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

void add_search(CLI::App& app, Common& common, SearchFlags& sf) {
    auto* search = app.add_subcommand("search", "ranked keyword search");
    add_common(search, common);
    search->footer(
        "Examples:\n"
        "  searcher search kubernetes security\n"
        "  searcher search '\"service mesh\" NOT istio' --since 2021 --min-quality 60\n"
        "  searcher search --topic security --sort date --limit 20     (filters alone)\n"
        "  searcher search azure outage --facets topic,provider,year --format json\n"
        "  searcher search glasshopper --collapse                      (one result per story)\n"
        "  searcher search 'title:outage date:2021-01..2021-03 provider:zdnet.com'\n\n" +
        news::cli::query_language_help());
    news::SearchOptions& so = sf.so;
    search->add_option("query", sf.words,
                       "query (Xapian syntax: AND OR NOT NEAR in upper case, +word -word, "
                       "\"phrase\", word*, field:value)");
    search
        ->add_option("--match", sf.match,
                     "words required: all, any, or auto (all; when too few articles match "
                     "every word, those matching some follow)")
        ->check(CLI::IsMember({"all", "any", "auto"}))
        ->capture_default_str();
    add_filters(search, sf.filters);
    search->add_option("--sort", sf.sort, "ranking")
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
        ->add_option("--bm25", sf.bm25,
                     "BM25 parameters K1,B (term frequency saturation, length "
                     "normalisation)")
        ->capture_default_str();
    search
        ->add_option("--stopwords", sf.stopwords,
                     "drop English stopwords (the, of, ...) from the query, outside phrases")
        ->check(CLI::IsMember({"on", "off"}))
        ->capture_default_str();
    search->add_option("--limit,-n", so.limit, "results per page")->capture_default_str();
    search->add_option("--offset", so.offset, "results to skip")->capture_default_str();
    search->add_flag("--exact-count", so.exact_count, "count every match exactly (slower)");
    search->add_flag("--no-spelling", sf.no_spelling, "no \"did you mean\" suggestion");
    search->add_option("--facets", sf.facets, "comma-separated: topic,provider,type,year");
    search->add_flag("--explain", so.explain, "show the parsed query and score components");
    search
        ->add_option("--expand", sf.expand,
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
    search->add_option("--queries", sf.queries_file,
                       "batch: one query per line from FILE (- = stdin), JSONL out");
    search->add_flag("--timing", sf.timing,
                     "batch: print count, mean, p50, p95, p99 (ms) to stderr");
}

// Batch modes write JSON lines: --format jsonl, json (what scripts have always passed: each line
// is a JSON document) or no --format; text and tsv are refused. Throws UsageError.
void check_batch_format(const Common& common, const char* flag) {
    if (common.format_given && common.format != "jsonl" && common.format != "json")
        throw news::UsageError(std::string(flag) +
                               " writes JSON lines: use --format jsonl (or no --format), not "
                               "--format " +
                               common.format);
}

// `search --queries FILE`: one JSON line per query (an error line for a bad one).
int search_batch(news::OpenedIndex& index, SearchFlags& sf) {
    // Many searches in one process: the prior source's keys are worth copying into memory once
    // per index revision (the first search that needs them pays ~25 ms a million articles),
    // then each match reads them without decoding (docs/ranking.md). Copies of one index
    // directory share a uuid, which keys the copies: no cache then.
    news::set_prior_column_cache(index.distinct_uuids());
    BatchInput in(sf.queries_file, "--queries");
    std::vector<double> times;
    std::string line;
    while (in.next(line)) {
        if (std::string(news::trim(line)).empty()) continue;
        sf.so.request.text = line;
        news::SearchResult out;
        try {
            out = news::run_search(index, sf.so);
        } catch (const news::UsageError& e) {  // one bad line does not end the batch
            std::cout << news::dumps(json{
                             {"version", news::kJsonVersion}, {"query", line}, {"error", e.what()}})
                      << '\n';
            continue;
        }
        warn_partial(index);
        times.push_back(out.elapsed_ms);
        std::cout << news::dumps(json(out)) << '\n';
    }
    if (sf.timing) {
        double sum = 0;
        for (double t : times) sum += t;
        std::fprintf(stderr, "queries %zu  mean %.3f ms  p50 %.3f ms  p95 %.3f ms  p99 %.3f ms\n",
                     times.size(), times.empty() ? 0.0 : sum / static_cast<double>(times.size()),
                     percentile(times, 0.5), percentile(times, 0.95), percentile(times, 0.99));
    }
    return news::kExitOk;
}

int do_search(const Common& common, SearchFlags& sf, const news::Style& st) {
    if (!sf.queries_file.empty()) sf.words.clear();  // the batch's lines are the queries
    news::resolve_search(sf);
    if (!sf.queries_file.empty()) check_batch_format(common, "--queries");
    news::OpenedIndex index = news::open_indexes(common.indexes, common.allow_partial);
    if (!sf.queries_file.empty()) return search_batch(index, sf);
    news::require_query_or_filter(sf.so);
    news::SearchResult out = news::run_search(index, sf.so);
    if (auto note = news::date_window_note(index, sf.so.request.filters, sf.filters.since,
                                           sf.filters.until))
        out.notes.push_back(std::move(*note));
    warn_partial(index);
    news::render(out, news::parse_format(common.format), st, sf.so.explain);
    return news::kExitOk;
}

void add_related(CLI::App& app, Common& common, RelatedFlags& rf) {
    auto* related = app.add_subcommand("related", "rank the news most related to an article");
    add_common(related, common);
    related->footer(
        "ARTICLE is any form the tools print: an id, a URL (http or https, with or without a\n"
        "trailing slash or tracking parameters), the path `get` prints, or an article file.\n"
        "Examples:\n"
        "  searcher related https://www.zdnet.com/article/some-article/ --limit 5\n"
        "  searcher related ~/drafts/new-article.md --since 30d\n"
        "  searcher related --ids ids.txt > related.jsonl             (batch, JSON lines)");
    news::RelatedOptions& ro = rf.ro;
    related->add_option("article", rf.seed, "indexed article id or URL, or an article file");
    add_filters(related, rf.filters);
    related->add_option("--limit,-n", ro.limit, "results")->capture_default_str();
    related->add_option("--offset", ro.offset, "results to skip")->capture_default_str();
    related->add_option("--weights", rf.weights,
                        "signal weights (default content=1,vocabulary=2.5,topics=0.3,time=5,"
                        "quality=0,graph=2; vocabulary and time count times the index's news-cycle "
                        "strength; "
                        "0 turns one off)");
    related
        ->add_option("--half-life", rf.half_life,
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
    related
        ->add_option("--news-cycle", rf.news_cycle,
                     "how much vocabulary and time count, 0..1, or auto (measured on the index)")
        ->capture_default_str();
    related->add_option("--ids", rf.ids,
                        "batch: one article id per line from FILE (- = stdin), JSONL out");
}

int do_related(const Common& common, RelatedFlags& rf, const news::Style& st) {
    news::resolve_related(rf);
    if (!rf.ids.empty()) check_batch_format(common, "--ids");
    news::OpenedIndex index = news::open_indexes(common.indexes, common.allow_partial);
    if (rf.ids.empty()) {
        news::RelatedResult out = news::run_related(index, rf.seed, rf.ro);
        if (auto note =
                news::date_window_note(index, rf.ro.filters, rf.filters.since, rf.filters.until))
            out.notes.push_back(std::move(*note));
        warn_partial(index);
        news::render(out, news::parse_format(common.format), st, rf.ro.explain);
        return news::kExitOk;
    }
    BatchInput in(rf.ids, "--ids");
    std::string line;
    while (in.next(line)) {
        const std::string id(news::trim(line));
        if (id.empty()) continue;
        try {
            const json out = news::run_related(index, id, rf.ro);
            warn_partial(index);
            std::cout << news::dumps(out) << '\n';
        } catch (const news::NotFoundError& e) {
            std::cout << news::dumps(json{
                             {"version", news::kJsonVersion}, {"query", id}, {"error", e.what()}})
                      << '\n';
        }
    }
    return news::kExitOk;
}

// `searcher help [COMMAND]`, and a command word that is no command (with "did you mean"), are
// answered before CLI11 parses (it would say "A subcommand is required"). Returns the exit
// code when answered, -1 to go on. Throws UsageError.
int help_or_unknown_command(CLI::App& app, const std::vector<std::string>& args) {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    const std::size_t cmd = news::cli::command_position(args);
    const auto listed = [&] {
        std::string l;
        for (const auto& n : names) l += (l.empty() ? "" : ", ") + n;
        return l;
    };
    const auto unknown = [&](const std::string& word) {
        const auto guess = news::cli::did_you_mean(word, names);
        return news::UsageError("unknown command '" + word + "'" +
                                (guess ? "; did you mean '" + *guess + "'?" : "") +
                                " (commands: " + listed() + "; see searcher --help)");
    };
    if (cmd >= args.size()) {
        for (const auto& a : args)
            if (a == "--help" || a == "-h" || a == "--version")
                return -1;  // CLI11 prints the help or the version
        throw news::UsageError("give a command: " + listed() + " (see searcher --help)");
    }
    if (args[cmd] == "help") {
        std::string topic;
        for (std::size_t i = cmd + 1; i < args.size() && topic.empty(); ++i)
            if (!args[i].starts_with("-")) topic = args[i];
        if (topic.empty() || topic == "help") {
            std::cout << app.help();
            return news::kExitOk;
        }
        const auto it = std::find(names.begin(), names.end(), topic);
        if (it == names.end()) throw unknown(topic);
        std::cout << app.get_subcommand(topic)->help(app.get_name());
        return news::kExitOk;
    }
    if (std::find(names.begin(), names.end(), args[cmd]) == names.end()) throw unknown(args[cmd]);
    return -1;
}

// `serve`: the HTTP JSON API and the web page (searcher/serve.*, docs/http-api.md).
CLI::App* add_serve(CLI::App& app, Common& common, news::ServeOptions& so) {
    auto* serve = app.add_subcommand("serve", "serve the HTTP JSON API and the web page");
    serve
        ->add_option("--index,-i", common.indexes,
                     "index directory; repeat to search several as one (default ./index)")
        ->allow_extra_args(false);
    serve->add_option("--listen", so.listen, "HOST:PORT (loopback by default; port 0: any)")
        ->capture_default_str();
    serve->add_option("--threads", so.threads, "worker threads")->capture_default_str();
    serve->add_option("--cors", so.cors,
                      "allow this origin to call the API from a browser (no CORS by default)");
    serve->add_flag("--allow-partial", common.allow_partial,
                    "answer from the shards that respond when some are down (flagged as partial)");
    // The other common options mean nothing here (the API answers JSON, the page has its own
    // colours), but they may go before or after any command (cli.cpp hoists them there): so
    // `searcher --format json serve` is accepted like `searcher --format json stats`, with a
    // note that they are ignored. Hidden from --help; their values are checked in run() (CLI11
    // leaves a hidden option's name out of its messages).
    serve->add_option("--format,-f", common.format)->group("");
    serve->add_option("--color", common.color)->group("");
    serve->footer(
        "Examples:\n"
        "  searcher serve                                   http://127.0.0.1:8080/\n"
        "  searcher serve --index ~/news-index --listen 127.0.0.1:9000\n"
        "  curl 'http://127.0.0.1:8080/api/v1/search?q=azure+outage&limit=5'");
    return serve;
}

// `serve`: --format and --color (see add_serve) are checked, then ignored with a note.
int do_serve(const Common& common, const CLI::App& serve, news::ServeOptions& so) {
    if (common.color != "auto" && common.color != "always" && common.color != "never")
        throw news::UsageError(std::string("--color: expected auto, always or never, got '")
                                   .append(common.color)
                                   .append("'"));
    for (const char* name : {"--format", "--color"}) {
        if (serve.get_option(name)->count() > 0)
            std::fprintf(stderr, "searcher: note: serve ignores %s (its API always answers JSON)\n",
                         name);
    }
    so.indexes = common.indexes;
    so.allow_partial = common.allow_partial;
    return news::serve(so);
}

int run(int argc, char** argv) {
    CLI::App app{"searcher: search a news index built by `indexer`.", "searcher"};
    app.footer(
        "Common options (--index, --format, --color, --allow-partial, --config) go before or\n"
        "after the command. `searcher help COMMAND` or `searcher COMMAND --help`: its options,\n"
        "examples and (search) the query language.\n"
        "Examples:\n"
        "  searcher search kubernetes security\n"
        "  searcher --index ~/news-index search azure outage --since 30d\n"
        "  searcher get https://www.zdnet.com/article/some-article/\n"
        "  searcher story https://www.zdnet.com/article/some-article/\n"
        "  searcher related https://www.zdnet.com/article/some-article/ --limit 5\n"
        "  searcher stats --format json\n"
        "  searcher serve --listen 127.0.0.1:8080          (the web page and the HTTP API)\n"
        "Colour: --color auto (the default) colours text on a terminal unless NO_COLOR is set\n"
        "or TERM=dumb.\n"
        "Exit codes: 0 success (also with no results); 2 usage error; 3 index error (missing,\n"
        "            locked, corrupt, wrong schema version, a shard down without "
        "--allow-partial);\n"
        "            5 no such article (get, story, related); 70 internal error (please report).");
    app.set_version_flag(
        "--version", [] { return news::version_text("searcher"); },
        "print the version, the Xapian library's and the index schema's, and exit");
    app.require_subcommand(1);
    // Defaults from a config file (TOML/INI; sections [search], [related], ...: any option of
    // that subcommand, without the dashes); flags on the command line win. docs/ranking.md.
    app.set_config("--config", default_config_path(),
                   "read option defaults from FILE (TOML/INI; default $NEWSEARCH_CONFIG or "
                   "~/.config/newsearch/searcher.toml when it exists)");
    app.allow_config_extras(false);
    Common common;
    SearchFlags search_flags;
    add_search(app, common, search_flags);
    RelatedFlags related_flags;
    add_related(app, common, related_flags);
    auto* story =
        app.add_subcommand("story", "list the articles of an article's story, oldest first");
    add_common(story, common);
    std::string story_id;
    story->add_option("id", story_id, "article id, URL or path (any form the tools print)")
        ->required();
    story->footer(
        "Examples:\n"
        "  searcher story https://www.zdnet.com/article/some-article/\n"
        "  searcher story path:2021/some-article.md --format tsv");
    auto* get = app.add_subcommand("get", "show one stored article with its related links");
    add_common(get, common);
    std::string get_id;
    get->add_option("id", get_id, "article id, URL or path (any form the tools print)")->required();
    std::optional<std::size_t> get_limit;
    get->add_option("--limit,-n", get_limit,
                    "related and in-links listed (default: 10 in text; json, jsonl and tsv list "
                    "every related article and 100 in-links)");
    get->footer(
        "Examples:\n"
        "  searcher get https://www.zdnet.com/article/some-article     (http or https, with or\n"
        "                                         without the trailing slash or utm_* parameters)\n"
        "  searcher get 2021/some-article.md                           (the path it prints)\n"
        "  searcher get https://www.zdnet.com/article/some-article/ --format json");
    auto* stats = app.add_subcommand("stats", "index statistics");
    add_common(stats, common);
    stats->footer(
        "Examples:\n"
        "  searcher stats\n"
        "  searcher stats --index shard-a --index shard-b --format json");
    news::ServeOptions serve_opts;
    CLI::App* serve = add_serve(app, common, serve_opts);

    std::vector<std::string> args =
        news::cli::hoist_common_options(std::vector<std::string>(argv, argv + argc));
    if (const int rc = help_or_unknown_command(app, args); rc >= 0) return rc;
    try {
        args = mark_minus_words(std::move(args));
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
    for (const CLI::App* sub : app.get_subcommands())
        if (const CLI::Option* f = sub->get_option_no_throw("--format"))
            common.format_given = common.format_given || f->count() > 0;
    const news::Format format = news::parse_format(common.format);
    news::Style st;
    st.color = news::cli::use_color(common.color, ::isatty(STDOUT_FILENO) != 0,
                                    format == news::Format::Text, std::getenv("NO_COLOR"),
                                    std::getenv("TERM"));

    if (app.got_subcommand("search")) return do_search(common, search_flags, st);
    if (app.got_subcommand("related")) return do_related(common, related_flags, st);
    if (*serve) return do_serve(common, *serve, serve_opts);
    news::OpenedIndex index = news::open_indexes(common.indexes, common.allow_partial);
    if (*story) {
        const news::StoryResult out = news::get_story(index, story_id);
        warn_partial(index);
        news::render(out, format, st);
    } else if (*get) {
        if (!get_limit && format == news::Format::Text) get_limit = 10;
        const news::ArticleResult out = news::get_article(index, get_id, get_limit);
        warn_partial(index);
        news::render(out, format, st);
    } else {
        const news::StatsResult out = news::index_stats(index);
        warn_partial(index);
        news::render(out, format, st);
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
