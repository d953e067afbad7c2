// Rebuilding beside the live index (`indexer --full`): the lock on the live index for the whole
// build, the staging directory, the atomic swap at the end, and the clean-up after a failed or
// interrupted rebuild, which leaves the live index as it was.
#include "rebuild.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine_impl.hpp"
#include "last_resort.hpp"

namespace news {

namespace fs = std::filesystem;

fs::path live_path(const fs::path& index) {
    std::error_code ec;
    fs::path p = fs::absolute(index, ec);
    if (ec) p = index;
    fs::path r = fs::weakly_canonical(p, ec);
    if (ec) r = p;
    r = r.lexically_normal();
    while (!r.has_filename() && r.has_relative_path()) r = r.parent_path();  // "idx/"
    return r;
}

std::string why_not_swappable(const fs::path& live) {
    struct stat l {
    }, p{};
    const fs::path parent = live.parent_path();
    if (::stat(live.c_str(), &l) != 0 || ::stat(parent.c_str(), &p) != 0)
        return std::string("cannot stat it: ") + std::strerror(errno);
    if (l.st_dev != p.st_dev)
        return "it is a mount point (or on another file system than its parent)";
    if (::access(parent.c_str(), W_OK) != 0)
        return "its parent directory '" + parent.string() + "' is not writable";
    return "";
}

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
        if (ec) {
            throw IndexError("cannot move '" + live.string() + "' aside: " + ec.message());
        }
        fs::rename(fresh, live, ec);
        if (ec) {  // put the old one back: `live` must not be left without an index
            const std::string why = ec.message();
            fs::rename(old, live, ec);
            throw IndexError("cannot move '" + fresh.string() + "' to '" + live.string() +
                             "': " + why +
                             (ec ? "; the old index is at '" + old.string() + "'" : std::string()));
        }
        fs::rename(old, fresh, ec);
        return;
    }
    throw IndexError("cannot swap '" + fresh.string() + "' and '" + live.string() +
                     "': " + std::strerror(err));
}

namespace {

void sync_path(const fs::path& p, bool dir) {
    const int fd = ::open(p.c_str(), (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int err = errno;
        if (fd >= 0) ::close(fd);
        throw IndexError("cannot sync '" + p.string() + "' to disk: " + std::strerror(err));
    }
    ::close(fd);
}

}  // namespace

void sync_dir(const fs::path& dir) {
    sync_path(dir, true);
}

std::size_t sync_tree(const fs::path& dir) {
    std::error_code ec;
    std::size_t n = 0;
    fs::recursive_directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        const auto st = it->symlink_status(ec);
        if (ec) break;
        const bool is_dir = fs::is_directory(st);
        if (!is_dir && !fs::is_regular_file(st)) continue;
        sync_path(it->path(), is_dir);
        ++n;
    }
    if (ec) throw IndexError("cannot sync '" + dir.string() + "' to disk: " + ec.message());
    sync_path(dir, true);
    return n + 1;
}

namespace detail {

// Takes the live index's write lock for the whole rebuild (another indexer run must not write
// the index that is about to be replaced), and clears the staging directory, which only a
// killed rebuild can have left (this run holds the lock).
bool Engine::begin_rebuild(const fs::path& lock_dir) {
    if (const std::string why = why_not_swappable(live_); !why.empty()) {
        stats_.notes.push_back("rebuilt in place, not beside the index (" + why +
                               "): searches failed while it ran");
        return false;
    }
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
    last_resort_staging(staging_);
    return true;
}

void Engine::close_all() {
    if (writers_) {
        stats_.times.writer_busy = writers_->busy_seconds();
        writers_.reset();  // joins the writer threads (what they still hold is dropped)
    }
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
    carry_over_other_files(live_, staging_);
    sync_tree(staging_);  // (its commits did not sync: DB_NO_SYNC, index_store.cpp)
    replace_dir(staging_, live_);
    bool swap_synced = true;
    try {
        sync_dir(live_.parent_path());  // the swap itself
    } catch (const IndexError&) {
        // The new index is in place and readers see it. A power cut could still undo the swap,
        // so the old index stays whole (at staging_, which the next run removes) rather than
        // failing the run that built the new one.
        swap_synced = false;
    }
    rebuilding_ = false;
    std::error_code ec;
    if (swap_synced) fs::remove_all(staging_, ec);  // the old index
    last_resort_staging({});
    if (live_lock_) live_lock_->close();
    live_lock_.reset();
}

// Files in the index directory `from` that are not the index's own (a README beside the index,
// as in this repository's `index/`) go into the directory `to` that replaces it. Throws
// IndexError when one cannot be copied (before the swap, so nothing is lost).
void Engine::carry_over_other_files(const fs::path& from, const fs::path& to) {
    auto ours = [](const std::string& name) {
        return name.ends_with(".glass") || name.ends_with(".tmp") || name == "iamglass" ||
               name == "flintlock" || name == kStubFileName ||
               (name.starts_with("shard-") &&
                name.find_first_not_of("0123456789", 6) == std::string::npos);
    };
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(from, ec)) {
        const std::string name = e.path().filename().string();
        if (ours(name) || fs::exists(to / name)) continue;
        fs::copy(e.path(), to / name, fs::copy_options::recursive | fs::copy_options::copy_symlinks,
                 ec);
        if (ec) {
            throw IndexError("cannot keep '" + e.path().string() +
                             "' with the new index: " + ec.message());
        }
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
        writers_.reset();
        db_.reset();
        shards_.clear();
    }
    std::error_code ec;
    fs::remove_all(staging_, ec);
    last_resort_staging({});
    try {
        if (live_lock_) live_lock_->close();
    } catch (...) {
    }
    live_lock_.reset();
}

}  // namespace detail

}  // namespace news
