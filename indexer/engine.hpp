// The indexing engine: walks the inputs, parses in N threads, and applies the results in file
// order through one writer. Used by the `indexer` program and by the store-level tests.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "article.hpp"
#include "parser.hpp"
#include "story.hpp"

namespace news {

struct IndexOptions {
    std::filesystem::path index = "index";
    std::vector<std::filesystem::path> inputs;
    unsigned jobs = 0;         // 0 = all cores
    unsigned writers = 0;      // --full: writer threads (0 = as many as jobs, at most 4)
    std::size_t batch = 5000;  // commit every N written documents
    bool full = false;         // rebuild from scratch
    bool prune = true;         // delete documents whose files under `inputs` are gone
    // ... also under an input in which nothing at all was found (by default such an input is
    // taken for an unmounted disk and spared; `indexer --prune` given explicitly sets this).
    bool prune_empty_inputs = false;
    bool dry_run = false;        // parse and validate only
    bool wait_for_lock = false;  // wait instead of failing when another writer holds the lock
    bool compact = false;        // compact the index at the end of the run
    // Read again the files an earlier run rejected even when they are unchanged (by default an
    // unchanged rejected file is not re-read: its error was reported when it was rejected).
    bool retry_rejected = false;
    // --shards N: the index directory holds N shards (shard-0 .. shard-N-1) and a Xapian stub
    // file listing them; articles go to the shard of their id hash. 0 = keep the layout an
    // existing index has (a new index is a single database).
    unsigned shards = 0;
    // --shard K/N: this index is shard K of N built on its own (one machine per shard): every
    // file is read, only articles of shard K are written. shard_count 0 = off.
    unsigned shard_index = 0;
    unsigned shard_count = 0;
    bool progress = false;       // live progress on stderr
    bool print_warnings = true;  // warnings on stderr as they come (errors always)
    std::string language = "english";
    double story_window_days = 7;  // articles further apart in time are other stories
    StoryRule story_rule;          // when two articles are one story (story.hpp)
    // Test hook: how many articles the story pass keeps what the rule reads of (stories do not
    // depend on it; a small cache makes the pass re-read documents).
    std::size_t story_cache = 1 << 16;
    // The story pass searches candidates in memory when it can (story_candidates.hpp); off:
    // always through Xapian (tests compare the two).
    bool story_candidates_in_memory = true;
    ParseOptions parse;
    // Set from a signal handler: stop handing out work, commit, return.
    const std::atomic<bool>* stop = nullptr;
    // Test hook: called (from a parser thread) just before a file is read.
    std::function<void(const std::string& path)> before_read;
    // Test hook: called after each commit with the number of documents committed so far.
    std::function<void(std::size_t)> after_commit;
    // Test hook: called before each story pass (which may throw, as a failing pass would).
    std::function<void()> before_story_pass;
};

struct Rejection {
    std::string file;
    int line = 0;
    int column = 0;
    std::string reason;
};

// Where the writer thread's time went (seconds; `indexer --timings`). The parser threads run
// alongside; `wait` is the writer idling for them.
struct WriterTimes {
    double wait = 0;      // waiting for the next parsed file
    double write = 0;     // adding, replacing and deleting documents (Xapian buffers them)
    double stubs = 0;     // writing the batch's stubs
    double spelling = 0;  // adding the batch's spelling words
    double flush = 0;     // WritableDatabase::commit(): writing the buffered changes to disk
    double stories = 0;   // the story pass (near-duplicate search, story ids)
    double prune = 0;     // --prune
    double compact = 0;   // --compact
    std::size_t commits = 0;
    std::size_t story_passes = 0;            // story passes that had articles to regroup
    std::size_t story_passes_in_memory = 0;  // of which searched candidates in memory
    // Story changes: made to documents already written (each rewritten), and made to new
    // documents held back until their batch's pass (written once, with their story).
    std::size_t story_rewrites = 0;
    std::size_t story_set_before_writing = 0;
    unsigned writers = 1;    // --full: writer threads (shard_writers.hpp)
    double writer_busy = 0;  // their time adding documents and committing, summed
};

struct IndexStats {
    std::size_t files_seen = 0;
    std::size_t unchanged = 0;
    std::size_t added = 0;
    std::size_t updated = 0;
    std::size_t deleted = 0;
    std::size_t stubs_added = 0;
    std::size_t stubs_removed = 0;
    std::size_t rejected = 0;
    std::size_t duplicates = 0;  // files whose id another, newer file owns
    std::size_t skipped = 0;     // not an article file type (by extension), or hidden
    std::size_t warned_files = 0;
    std::size_t foreign = 0;  // --shard K/N: parsed files whose article belongs to another shard
    uint64_t bytes_parsed = 0;
    double elapsed_s = 0;
    WriterTimes times;
    bool interrupted = false;
    std::vector<Rejection> rejections;
    // Files an earlier run rejected, unchanged since, so not read again (see retry_rejected),
    // with the error they were rejected for.
    std::vector<Rejection> still_rejected;
    std::vector<Diagnostic> warnings;
    std::vector<std::string> notes;  // e.g. duplicate ids: which file won
};

// Runs one indexing pass. Throws IndexError (lock, schema, unwritable) and UsageError.
IndexStats run_index(const IndexOptions& opts);

}  // namespace news
