// The indexer engine's class, shared by the files that implement it: engine.cpp (the
// per-file decision and the run), index_store.cpp (databases, shards, commit, compaction)
// and stubs.cpp (articles known only from other articles' `related` lists). Not part of the
// indexer's interface (engine.hpp).
#pragma once

#include "engine.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xapian.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "date.hpp"
#include "document.hpp"
#include "errors.hpp"
#include "file_table.hpp"
#include "progress.hpp"
#include "rebuild.hpp"
#include "schema.hpp"
#include "shard_writers.hpp"
#include "shards.hpp"
#include "stories.hpp"
#include "text.hpp"
#include "walker.hpp"

namespace news::detail {

namespace fs = std::filesystem;

// A failure to take an index's write lock: another writer holds it ("locked by another
// indexer"), or the lock file cannot be created (a read-only or full disk), said as such.
inline IndexError lock_error(const std::string& path, const Xapian::DatabaseLockError& e) {
    if (e.get_msg().find("already locked") != std::string::npos) {
        return IndexError("index '" + path +
                          "' is locked by another indexer; wait for it to finish or use --wait");
    }
    return IndexError("cannot open index '" + path + "' for writing: " + e.get_description());
}

// What a worker hands to the writer for one file.
struct Result {
    bool ok = false;
    Rejection error;
    bool content_error = false;  // the error is about the file's content (not reading it)
    std::string hash;
    Article article;
    std::vector<Diagnostic> warnings;
    std::optional<Xapian::Document> doc;
    std::vector<std::string> spelling;
    TextInfo text;        // for the story pass
    CandidateDoc search;  // for the story pass's candidate search
};

class Engine {
  public:
    explicit Engine(const IndexOptions& opts)
        : opts_(opts),
          live_(live_path(opts.index)),
          staging_(staging_path(live_)),
          builder_(opts.language) {}
    ~Engine() { discard_rebuild(); }
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    IndexStats run();
    // A --full run that rebuilds the index where it is (a mount point, or no index yet with
    // one writer) and has started to: the index then holds what the rebuild has committed.
    bool rebuilding_in_place() const { return rebuilding_in_place_; }

  private:
    // The steps of run() (engine.cpp).
    std::vector<const InputFile*> files_to_parse(const std::vector<InputFile>& files,
                                                 std::unordered_set<std::string>& seen);
    void parse_and_apply(const std::vector<const InputFile*>& work);
    void prune(const Walker& walker, const std::unordered_set<std::string>& seen);
    void finish_index();

    void open_db();
    // --full over an existing index (rebuild.cpp): built in staging_, swapped in at the end.
    bool begin_rebuild(const fs::path& lock_dir);
    void clear_in_place(const fs::path& index, bool has_glass, unsigned existing);
    void finish_rebuild();
    void carry_over_other_files(const fs::path& from, const fs::path& to);
    void discard_rebuild() noexcept;
    void close_all();
    // Where this run writes: the index, or the staging directory of a rebuild.
    const fs::path& root() const { return rebuilding_ ? staging_ : opts_.index; }
    Xapian::WritableDatabase open_one(const fs::path& path, int flags);
    void check_shard_meta(Xapian::WritableDatabase& db, const std::string& path,
                          const std::string& shard);
    void load_state();
    Xapian::WritableDatabase& meta() { return shards_.front(); }
    unsigned threads() const {  // --jobs, 0 = all cores
        return opts_.jobs ? opts_.jobs : std::max(1u, std::thread::hardware_concurrency());
    }
    // `links`: the id keys of the article's `related` entries (its link terms' values).
    Xapian::docid add_doc(const std::string& key, Xapian::Document&& doc,
                          const std::vector<std::string>& links);
    // The database of all shards, for anything but add_doc: first waits until the writer
    // threads (if any) have written every document handed to them.
    // Held documents (hold_) are written first.
    Xapian::WritableDatabase& db() {
        release_held();
        return written_db();
    }
    // The same, without the held documents: for reads that do not concern them.
    Xapian::WritableDatabase& written_db() {
        if (writers_) writers_->sync();
        return *db_;
    }
    void release_held();
    // How many writer threads a --full build of `n` shards uses (shard_writers.hpp): one per
    // shard; a build of one index uses several internal shards, merged at the end (merge()).
    unsigned full_build_writers(unsigned n) const;
    void start_writers();
    void merge();
    void commit_all();
    bool mine(const std::string& key) const {
        return opts_.shard_count == 0 || shard_for_key(key, opts_.shard_count) == opts_.shard_index;
    }
    bool referenced(const std::string& key);
    void want_stub(const std::string& key, const RelatedRef& r, const std::string& from);
    void apply_foreign(const InputFile& f, Result&& r);
    void drop_foreign_links(const std::string& path, const TableEntry& e,
                            const std::unordered_set<std::string>& keep);
    Result process(const InputFile& f, DocumentBuilder& builder) const;
    void apply(const InputFile& f, Result&& r);
    void reject(const InputFile& f, Result&& r);
    void dry_run_apply(const InputFile& f, const std::string& id);
    void write_article(const Article& a, Xapian::Document& doc,
                       const std::vector<std::string>& spelling, TextInfo&& text,
                       const CandidateDoc& search);
    void forget_text(const std::string& term);
    bool remove_article(const std::string& id);
    void maybe_remove_stub(const std::string& key);
    std::optional<std::pair<Xapian::Document, std::string>> stub_from_referrer(
        const std::string& key);
    void promote_duplicate(const std::string& id, const std::string& except_key,
                           const std::string& why = "the file that held it is gone");
    void count_write();
    void commit();
    void compact();
    bool stopping() const { return opts_.stop && opts_.stop->load(); }
    void report_rejection(const Rejection& r);

    enum class Kind { Full, Stub };
    struct DocKind {
        Kind kind;
        std::string from;  // stubs: id of the referrer whose `related` entry describes it
    };
    void put_stub(const std::string& key, const RelatedRef& r, const std::string& from,
                  bool exists);
    void flush_stubs();
    // Stubs wanted by this batch, written just before it commits (most in a fresh build turn
    // out to be full articles by then, so they are never written at all). Ordered by term so
    // docids do not depend on hash order.
    struct PendingStub {
        RelatedRef ref;
        std::string from;
    };
    std::map<std::string, PendingStub> pending_stubs_;
    std::vector<std::unordered_map<std::string, Xapian::termcount>> spelling_;  // per shard
    // --shard K/N: articles of other shards that list an article of this one, by id key:
    // source path -> referrer id (metadata "xref:<key>").
    std::map<std::string, std::map<std::string, std::string>> xref_;
    std::set<std::string> xref_dirty_;

    const IndexOptions& opts_;
    StoryPass stories_{opts_.story_window_days, opts_.story_rule, opts_.story_cache,
                       opts_.story_candidates_in_memory};
    IndexStats stats_;
    fs::path live_;            // the index directory as the swaps see it (live_path())
    fs::path staging_;         // see staging_path()
    bool rebuilding_ = false;  // writing to staging_
    bool rebuilding_in_place_ = false;
    std::optional<Xapian::WritableDatabase> live_lock_;  // holds the live index's lock meanwhile
    std::optional<Xapian::WritableDatabase> db_;         // all shards as one
    std::vector<Xapian::WritableDatabase> shards_;
    std::unique_ptr<ShardWriters> writers_;  // --full: a thread per shard writes new documents
    bool merge_shards_ = false;              // shards_ are internal: merged into one at the end
    std::vector<std::string> shard_paths_;   // the same, as directories (same order)
    unsigned nshards_ = 1;
    std::vector<Xapian::docid> next_local_;  // per shard: the next unused docid in it
    // New documents held back until the batch's story pass (add_doc, release_held()).
    struct Held {
        unsigned shard;
        Xapian::docid local;
        Xapian::Document doc;
    };
    bool hold_ = false;
    std::vector<Held> held_;
    std::unordered_set<std::string> held_keys_;                // their id keys
    std::unordered_map<Xapian::docid, std::size_t> held_at_;   // docid -> index in held_
    std::unordered_set<std::string> held_links_;               // the keys they link to
    DocumentBuilder builder_;                                  // the writer's own, for stubs
    std::unordered_map<std::string, TableEntry> table_;        // key path -> entry
    std::unordered_map<std::string, RejectedEntry> rejected_;  // key path -> last rejection
    std::set<std::string> rejected_dirty_;                     // rows to write or erase
    std::unordered_map<std::string, std::string> owner_;       // id -> key path owning it
    // Ids some file holds without owning them (a newer file with the same id won), maybe stale.
    std::unordered_set<std::string> dup_ids_;
    std::unordered_set<uint64_t> added_ids_;  // hashes of the ids this run added
    std::unordered_map<std::string, const InputFile*> dry_owner_;  // --dry-run: id -> file
    std::unordered_set<std::string> dirty_;                        // table keys to write at commit
    std::unordered_set<std::string> erased_;                       // table keys to delete at commit
    std::unordered_map<std::string, DocKind> kinds_;               // id key -> kind; use kinds()
    bool kinds_loaded_ = false;
    // Every indexed id's kind, read from the index at first use: a run that changes nothing
    // never needs it (a tenth of a no-change re-run's time at 200k articles).
    std::unordered_map<std::string, DocKind>& kinds() {
        if (!kinds_loaded_) load_kinds();
        return kinds_;
    }
    void load_kinds();

    std::size_t pending_writes_ = 0;
    bool in_commit_ = false;  // stubs written by commit() itself do not trigger another
    bool fresh_ = false;      // a new index: commit its metadata even if no file was indexed
    std::size_t committed_docs_ = 0;
    double commit_s_ = 0;  // time spent in commit() so far
};

}  // namespace news::detail
