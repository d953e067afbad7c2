// indexer: the only writer of the index. See README.md and `indexer --help`.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine.hpp"
#include "errors.hpp"
#include "last_resort.hpp"
#include "schema.hpp"
#include "shards.hpp"
#include "version.hpp"

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
    g_stop.store(true);
}

void write_report(const std::string& path, const news::IndexStats& s) {
    nlohmann::json j;
    j["version"] = 1;
    auto& rej = j["rejected"] = nlohmann::json::array();
    for (const auto& r : s.rejections) {
        rej.push_back(
            {{"file", r.file}, {"line", r.line}, {"column", r.column}, {"reason", r.reason}});
    }
    auto& warn = j["warnings"] = nlohmann::json::array();
    for (const auto& w : s.warnings) {
        warn.push_back(
            {{"file", w.file}, {"line", w.line}, {"column", w.column}, {"message", w.message}});
    }
    auto& still = j["still_rejected"] = nlohmann::json::array();
    for (const auto& r : s.still_rejected) {
        still.push_back(
            {{"file", r.file}, {"line", r.line}, {"column", r.column}, {"reason", r.reason}});
    }
    j["notes"] = s.notes;
    std::ofstream out(path);
    if (!out) throw news::UsageError("cannot write report file '" + path + "'");
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    if (!out) throw news::UsageError("cannot write report file '" + path + "'");
}

// The notes (stderr, unless --quiet), the summary line (stdout) and, with --timings, where the
// writer's time went (stderr).
void print_outcome(const news::IndexOptions& opts, const news::IndexStats& s, bool quiet,
                   bool timings) {
    if (!quiet) {
        for (const auto& n : s.notes) std::fprintf(stderr, "indexer: note: %s\n", n.c_str());
        if (!s.still_rejected.empty()) {
            std::fprintf(
                stderr,
                "indexer: note: %zu %s rejected by an earlier run %s unchanged and not read "
                "again (--retry-rejected reads them; --report lists them)\n",
                s.still_rejected.size(), s.still_rejected.size() == 1 ? "file" : "files",
                s.still_rejected.size() == 1 ? "is" : "are");
        }
    }
    const std::size_t read = s.files_seen - s.unchanged - s.still_rejected.size();
    const double rate = s.elapsed_s > 0 ? static_cast<double>(read) / s.elapsed_s : 0;
    const std::string still =
        s.still_rejected.empty()
            ? std::string()
            : "; " + std::to_string(s.still_rejected.size()) + " still rejected";
    std::printf(
        "%s%s: %zu files seen, %zu unchanged, %zu added, %zu updated, %zu deleted, %zu stubs "
        "added, %zu stubs removed, %zu duplicates, %zu rejected, %zu skipped; %.2fs, %.0f "
        "files/s, %.1f MB/s%s%s\n",
        opts.dry_run ? "dry run" : "indexed", s.interrupted ? " (interrupted)" : "", s.files_seen,
        s.unchanged, s.added, s.updated, s.deleted, s.stubs_added, s.stubs_removed, s.duplicates,
        s.rejected, s.skipped, s.elapsed_s, rate,
        s.elapsed_s > 0 ? static_cast<double>(s.bytes_parsed) / 1e6 / s.elapsed_s : 0.0,
        opts.shard_count ? ("; " + std::to_string(s.foreign) + " for other shards").c_str() : "",
        still.c_str());
    std::fflush(stdout);
    if (timings) {
        const news::WriterTimes& t = s.times;
        std::fprintf(stderr,
                     "indexer: timings: writer waited for parsers %.3fs; wrote documents %.3fs; "
                     "%zu commits: stubs %.3fs, spelling %.3fs, flush %.3fs, stories %.3fs "
                     "(%zu passes, %zu in memory; %zu documents rewritten for their story, %zu "
                     "given it before being written); prune %.3fs; compact %.3fs; elapsed %.3fs\n",
                     t.wait, t.write, t.commits, t.stubs, t.spelling, t.flush, t.stories,
                     t.story_passes, t.story_passes_in_memory, t.story_rewrites,
                     t.story_set_before_writing, t.prune, t.compact, s.elapsed_s);
        if (t.writers > 1) {
            std::fprintf(stderr,
                         "indexer: timings: %u writer threads wrote and committed documents for "
                         "%.3fs in all\n",
                         t.writers, t.writer_busy);
        }
    }
}

int run(int argc, char** argv) {
    news::IndexOptions opts;
    std::vector<std::string> inputs;
    std::string index = "index";
    std::string report;
    bool quiet = false;
    std::size_t max_mib = 16;
    CLI::App app{
        "indexer: index news article files (YAML front matter) into a Xapian index.\n"
        "Incremental: unchanged files are skipped; changed files are re-indexed.",
        "indexer"};
    app.footer(
        "Examples:\n"
        "  indexer ~/news                        index a folder (recursively) into ./index\n"
        "  indexer --index ~/news-index ~/news   another index directory\n"
        "  indexer --retry-rejected ~/news       read again files an earlier run rejected\n"
        "  indexer --dry-run --report bad.json ~/news   check a corpus; write nothing\n"
        "  indexer --full --compact ~/news       rebuild from scratch, then compact\n"
        "  indexer --shards 4 ~/news             four shards and a stub file (docs/scale-out.md)\n"
        "Then: searcher search WORDS (searcher --help).\n"
        "Exit codes: 0 success; 1 finished, but some files were rejected; 2 usage error;\n"
        "            3 index error (locked, wrong schema version, unwritable, disk full);\n"
        "            4 interrupted (SIGINT/SIGTERM: work done so far is committed; re-run to\n"
        "            continue; an interrupted --full leaves the index as it was);\n"
        "            70 internal error (please report; committed work is kept).");
    app.set_version_flag(
        "--version", [] { return news::version_text("indexer"); },
        "print the version, the Xapian library's and the index schema's, and exit");
    app.add_option("paths", inputs, "article files or directories (walked recursively)")
        ->required();
    app.add_option("--index,-i", index, "index directory")->capture_default_str();
    app.add_option("--jobs,-j", opts.jobs,
                   "parser threads, beside the thread that writes (0 = all cores)")
        ->capture_default_str();
    app.add_option("--writers", opts.writers,
                   "--full: writer threads, each writing part of the index, merged at the end "
                   "(0 = as many as --jobs, at most 4; with --shards, one per shard)")
        ->capture_default_str()
        ->check(CLI::Range(0, 64));
    app.add_option("--batch", opts.batch, "commit every N document writes")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_flag("--full", opts.full,
                 "rebuild the index from scratch, beside the live one (searches keep answering "
                 "from it), and swap it in at the end");
    bool no_prune = false;
    app.add_flag("--prune", opts.prune_empty_inputs,
                 "delete the articles whose files under PATHS are gone (the default), also "
                 "under a PATH in which nothing at all is found (by default that one is spared)");
    app.add_flag("--no-prune", no_prune, "keep the articles whose files under PATHS are gone");
    app.add_flag("--retry-rejected", opts.retry_rejected,
                 "read again the files an earlier run rejected, even when they are unchanged");
    app.add_flag("--dry-run", opts.dry_run, "parse and validate only; write nothing");
    app.add_flag("--wait", opts.wait_for_lock, "wait for another writer instead of failing");
    app.add_flag("--compact", opts.compact,
                 "compact the index at the end (smaller, faster to search; best after --full)");
    std::string shard;
    app.add_option("--shards", opts.shards,
                   "write N shards (articles by id hash) and a stub file listing them; an "
                   "existing index keeps its number of shards unless rebuilt with --full")
        ->check(CLI::Range(1, 1024));
    app.add_option("--shard", shard,
                   "K/N: build only shard K of N (one machine per shard; every file is read, "
                   "only shard K's articles are written)");
    app.add_option("--report", report, "write rejected and warned files as JSON to FILE");
    app.add_option("--language", opts.language, "stemming language (fixed per index)")
        ->capture_default_str();
    app.add_option("--max-file-size", max_mib, "reject files larger than N MiB")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    app.add_flag("--quiet,-q", quiet, "no progress and no warnings on stderr (errors still)");
    bool timings = false;
    app.add_flag("--timings", timings,
                 "print where the writer's time went on stderr (also with --quiet)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? news::kExitOk : news::kExitUsage;
    }
    try {
        (void)Xapian::Stem(opts.language);
    } catch (const Xapian::InvalidArgumentError&) {
        throw news::UsageError("unknown --language '" + opts.language +
                               "' (try: " + Xapian::Stem::get_available_languages() + ")");
    }
    opts.index = index;
    if (no_prune) opts.prune = false;
    if (!shard.empty()) {
        if (opts.shards > 1)
            throw news::UsageError("--shard K/N and --shards N exclude each other");
        std::tie(opts.shard_index, opts.shard_count) = news::parse_shard_spec(shard);
    }
    for (const auto& p : inputs) opts.inputs.emplace_back(p);
    opts.parse.max_file_bytes = max_mib << 20;
    opts.progress = !quiet && ::isatty(STDERR_FILENO);
    opts.print_warnings = !quiet;
    opts.stop = &g_stop;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    const news::IndexStats s = news::run_index(opts);
    if (!report.empty()) write_report(report, s);
    print_outcome(opts, s, quiet, timings);
    if (s.interrupted) return news::kExitInterrupted;
    return s.rejected > 0 ? news::kExitRejected : news::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    news::install_last_resort();
    try {
        return run(argc, argv);
    } catch (const news::Error& e) {
        std::fprintf(stderr, "indexer: %s\n", e.what());
        return e.exit_code();
    } catch (const Xapian::Error& e) {
        std::fprintf(stderr, "indexer: index error: %s\n", e.get_description().c_str());
        return news::kExitIndex;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "indexer: internal error: %s\n", e.what());
        return news::kExitInternal;
    }
}
