// The opened index a searcher reads (one or more databases as one), and the retry helper every
// read goes through.
#pragma once

#include <xapian.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "errors.hpp"
#include "prior.hpp"
#include "query.hpp"
#include "results.hpp"

namespace news {

// (device, inode) of a file or directory; (0, 0) for none (a remote shard, a missing path).
using DiskId = std::pair<std::uint64_t, std::uint64_t>;
// What paths name now, each looked up once: replaced_on_disk over many handles of one index.
using DiskIds = std::unordered_map<std::string, DiskId>;

// Opens one or more indexes as one database (Xapian combines their statistics, so results
// equal a single merged index). Each spec is a local index directory, a sharded index
// directory or stub database file (its shards are opened one by one), or a remote shard
// `tcp://HOST:PORT` served by xapian-tcpsrv. Throws IndexError with a message naming the
// shard and saying what to do. With `allow_partial`, shards that cannot be reached or opened
// are left out (listed in `missing`) as long as one remains.
struct OpenedIndex {
    Xapian::Database db;             // every shard in use, as one
    std::vector<std::string> specs;  // as given to open_indexes, to open them again by path
    // Every local path the handle depends on, with the identity of what it named when the
    // handle was opened: each --index spec, each stub file read, and each shard directory
    // opened (its identity that of the descriptor held, dir_fds) or left out because it was
    // missing (0, 0). `indexer --full` and `--compact` swap a new directory in under the same
    // path, at the --index path or below it (a sharded index's shard-N directories, or the
    // directories a stub file elsewhere lists); replaced_on_disk compares them all.
    std::vector<std::pair<std::string, DiskId>> on_disk;
    std::string language;
    std::vector<std::string> paths;       // the shards in use (paths or tcp://HOST:PORT)
    std::vector<Xapian::Database> parts;  // the same, one database each
    // Each local shard directory, held open: its database was opened through the descriptor
    // (/proc/self/fd/N), so every file of it comes from one directory even when `indexer --full`
    // swaps another one in under the same path while it is being opened.
    std::vector<std::shared_ptr<const int>> dir_fds;
    std::vector<MissingShard> missing;  // shards left out
    bool allow_partial = false;
    bool any_remote = false;  // some shard is served by xapian-tcpsrv (no custom classes)
    std::shared_ptr<QueryBuilder> builder;  // made on first use, kept for batch mode
    std::shared_ptr<const Prior> prior;     // the last blend prior, kept for batch mode
    // related: the index's news-cycle strength and the index state it was measured on.
    std::optional<std::pair<std::string, double>> news_cycle;

    // Called when a query failed with a network error: finds the shards that no longer answer;
    // with allow_partial drops them and returns true (retry), else throws IndexError naming
    // them. Also throws when every shard is gone.
    bool drop_dead_shards(const std::string& error);
    // Whether every part has a uuid of its own (copies of one index directory share one).
    bool distinct_uuids() const;

    // check_at_least for a ranked match of `wanted` results. With one shard, `wanted`. With
    // several, every match is scored: Xapian 1.4.22's BM25 match over several shards can
    // prune a document that belongs in the top k (docs/scale-out.md has a reproducer), so
    // without this a sharded index would not rank exactly like a single one.
    Xapian::doccount check_at_least(Xapian::doccount wanted) const {
        return parts.size() > 1 ? std::max(wanted, db.get_doccount()) : wanted;
    }
};
OpenedIndex open_indexes(const std::vector<std::string>& specs, bool allow_partial = false);

// Whether some path `index` depends on (OpenedIndex::on_disk) now names another directory or
// file than the one it opened: `indexer --full` or `--compact` swapped a new copy in (at the
// --index path or at a shard directory below it), or a shard directory that was missing is
// back. `now`, when given, remembers what each path names across calls.
bool replaced_on_disk(const OpenedIndex& index, DiskIds* now = nullptr);
// Opens `index` again from its specs (a fresh handle on whatever the paths name now).
void reopen_by_path(OpenedIndex& index);
// Brings a long-lived handle to the latest commit before a read: opened again by path when the
// index was replaced on disk (or its old revision's files are gone), else reopen(); a remote
// shard that stopped answering is left out as drop_dead_shards says (or IndexError).
void refresh(OpenedIndex& index);

// Runs `f` (a read of `index`), again after reopening when an indexer's commits discarded the
// revision being read (which can look corrupt for a moment, see refresh()) or its directory was
// swapped out and deleted (`indexer --full`), or without a remote shard that died (when partial
// answers are allowed); up to 5 retries. Every read of the searcher goes through it.
template <typename F>
auto with_reopen(OpenedIndex& index, F&& f) {
    for (int attempt = 0;; ++attempt) {
        try {
            return f();
        } catch (const Xapian::DatabaseModifiedError&) {
            if (attempt >= 5) throw IndexError("the index kept changing while reading; try again");
            refresh(index);
        } catch (const Xapian::DatabaseOpeningError&) {  // its files were deleted under it
            if (attempt >= 5 || index.specs.empty()) throw;
            reopen_by_path(index);
        } catch (const Xapian::DatabaseError&) {  // a discarded revision (refresh())
            if (attempt >= 5) throw;
            refresh(index);
        } catch (const Xapian::NetworkError& e) {
            if (attempt >= 5 || !index.drop_dead_shards(e.get_description())) throw;
        }
    }
}

}  // namespace news
