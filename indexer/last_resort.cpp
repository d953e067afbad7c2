// The indexer's last resort when a library aborts the process (last_resort.hpp): say what
// happened, delete a rebuild's half-built copy, exit with a documented code.
#include "last_resort.hpp"

#include <xapian.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "errors.hpp"

namespace news {

namespace fs = std::filesystem;

namespace {

struct Watched {
    std::mutex mu;
    fs::path index, staging;
    bool full = false;
};

Watched& watched() {
    static Watched w;
    return w;
}

// Less free space than this where the index is written: the disk is what failed.
constexpr std::uintmax_t kFullBelow = 1 << 20;

std::string current_exception_text() {
    const std::exception_ptr p = std::current_exception();
    if (!p) return "";
    try {
        std::rethrow_exception(p);
    } catch (const Xapian::Error& e) {
        return e.get_description();
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an unknown exception";
    }
}

[[noreturn]] void on_terminate() noexcept {
    static std::atomic_flag entered = ATOMIC_FLAG_INIT;
    if (entered.test_and_set()) {  // another thread got here first and is about to exit
        for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    const std::string what = current_exception_text();
    fs::path index, staging;
    bool full = false;
    {
        Watched& w = watched();
        std::lock_guard<std::mutex> lock(w.mu);
        index = w.index;
        staging = w.staging;
        full = w.full;
    }
    std::error_code ec;
    bool disk_full = false;
    if (!index.empty()) {
        fs::path where = staging.empty() ? index : staging;
        while (!where.empty() && !fs::exists(where, ec)) where = where.parent_path();
        const fs::space_info space = fs::space(where.empty() ? fs::path(".") : where, ec);
        disk_full = !ec && space.available < kFullBelow;
    }
    if (!staging.empty()) fs::remove_all(staging, ec);
    const std::string detail = "a library call aborted the process (std::terminate" +
                               (what.empty() ? std::string() : ": " + what) + ")";
    const std::string cause = disk_full ? storage_cause(full, std::strerror(ENOSPC)) : "";
    std::string message;
    if (!cause.empty()) {
        message = "index '" + index.string() + "': " + cause + " (" + detail + ")";
    } else {
        message = "internal error: " + detail + "; " +
                  (full ? "the index is as it was before the rebuild"
                        : "the index keeps its last committed state");
    }
    std::fprintf(stderr, "indexer: %s\n", message.c_str());
    std::fflush(stderr);
    std::_Exit(disk_full ? kExitIndex : kExitInternal);
}

}  // namespace

void install_last_resort() {
    std::set_terminate(on_terminate);
}

void last_resort_index(const fs::path& index, bool full) {
    Watched& w = watched();
    std::lock_guard<std::mutex> lock(w.mu);
    w.index = index;
    w.full = full;
}

void last_resort_staging(const fs::path& staging) {
    Watched& w = watched();
    std::lock_guard<std::mutex> lock(w.mu);
    w.staging = staging;
}

std::string storage_cause(bool full, const std::string& detail) {
    auto has = [&](int err) { return detail.find(std::strerror(err)) != std::string::npos; };
    const std::string kept = full ? "the index is as it was before the rebuild"
                                  : "the index keeps its last committed state";
    if (has(ENOSPC) || has(EDQUOT))
        return "the disk is full; " + kept + ": free some space and run the indexer again";
    if (has(EROFS) || has(EACCES) || has(EPERM))
        return "the index directory is not writable; " + kept;
    if (has(EIO)) return "an I/O error; " + kept;
    return "";
}

}  // namespace news
