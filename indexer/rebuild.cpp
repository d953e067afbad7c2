// Rebuilding beside the live index (`indexer --full`): the lock on the live index for the whole
// build, the staging directory, the atomic swap at the end, and the clean-up after a failed or
// interrupted rebuild, which leaves the live index as it was.
#include "rebuild.hpp"

#include <fcntl.h>
#include <stdio.h>

#include <cerrno>
#include <cstring>

#include "engine_impl.hpp"

namespace news {

namespace fs = std::filesystem;

fs::path staging_path(const fs::path& live) {
    fs::path p = live;
    if (!p.has_filename()) p = p.parent_path();  // "idx/"
    fs::path parent = p.parent_path();
    if (parent.empty()) parent = ".";
    return parent / std::string(".").append(p.filename().string()).append(".rebuild");
}

void replace_dir(const fs::path& fresh, const fs::path& live) {
    if (::renameat2(AT_FDCWD, fresh.c_str(), AT_FDCWD, live.c_str(), RENAME_EXCHANGE) == 0) return;
    const int err = errno;
    std::error_code ec;
    if ((err == EINVAL || err == ENOSYS || err == ENOTSUP) && fs::exists(live, ec)) {
        const fs::path old = fresh.string() + ".old";
        fs::remove_all(old, ec);
        fs::rename(live, old, ec);
        if (!ec) fs::rename(fresh, live, ec);
        if (!ec) fs::rename(old, fresh, ec);
        if (!ec) return;
        throw IndexError("cannot move '" + fresh.string() + "' to '" + live.string() +
                         "': " + ec.message());
    }
    throw IndexError("cannot swap '" + fresh.string() + "' and '" + live.string() +
                     "': " + std::strerror(err));
}

namespace detail {

// Takes the live index's write lock for the whole rebuild (another indexer run must not write
// the index that is about to be replaced), and clears the staging directory, which only a
// killed rebuild can have left (this run holds the lock).
void Engine::begin_rebuild(const fs::path& lock_dir) {
    try {
        live_lock_.emplace(lock_dir.string(),
                           Xapian::DB_OPEN | (opts_.wait_for_lock ? Xapian::DB_RETRY_LOCK : 0));
    } catch (const Xapian::DatabaseLockError& e) {
        throw lock_error(lock_dir.string(), e);
    } catch (const Xapian::Error&) {
        // Unreadable: it is being replaced anyway (no writer can hold it either).
    }
    std::error_code ec;
    fs::remove_all(staging_, ec);
    if (ec) {
        throw IndexError("cannot remove the leftover rebuild '" + staging_.string() +
                         "': " + ec.message());
    }
    rebuilding_ = true;
}

void Engine::close_all() {
    if (db_) db_->close();
    db_.reset();
    for (auto& sh : shards_) sh.close();
    shards_.clear();
}

// The rebuilt index replaces the live one in one step; then the old one is deleted while this
// run still holds its lock (an indexer waiting for that lock then fails to open it, rather than
// writing into a directory that is gone).
void Engine::finish_rebuild() {
    close_all();
    carry_over_other_files();
    replace_dir(staging_, opts_.index);
    rebuilding_ = false;
    std::error_code ec;
    fs::remove_all(staging_, ec);  // the old index
    if (live_lock_) live_lock_->close();
    live_lock_.reset();
}

// Files in the index directory that are not the index's own (a README beside the index, as in
// this repository's `index/`) move into the new index directory with it.
void Engine::carry_over_other_files() {
    auto ours = [](const std::string& name) {
        return name.ends_with(".glass") || name.ends_with(".tmp") || name == "iamglass" ||
               name == "flintlock" || name == kStubFileName || name.starts_with("shard-");
    };
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(opts_.index, ec)) {
        const std::string name = e.path().filename().string();
        if (ours(name) || fs::exists(staging_ / name, ec)) continue;
        fs::copy(e.path(), staging_ / name,
                 fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
    }
}

// A rebuild that failed or was interrupted: the live index stays as it was; the half-built
// copy goes (it may be what filled the disk).
void Engine::discard_rebuild() noexcept {
    if (!rebuilding_) return;
    rebuilding_ = false;
    try {
        close_all();
    } catch (...) {  // e.g. the disk is full: the copy is deleted anyway
        db_.reset();
        shards_.clear();
    }
    std::error_code ec;
    fs::remove_all(staging_, ec);
    try {
        if (live_lock_) live_lock_->close();
    } catch (...) {
    }
    live_lock_.reset();
}

}  // namespace detail

}  // namespace news
