// The indexer's last resort when a library aborts the process (last_resort.hpp): say what
// happened, delete a rebuild's half-built copy, exit with a documented code.
#include "last_resort.hpp"

#include <xapian.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

#include "errors.hpp"

namespace news {

namespace fs = std::filesystem;

namespace {

struct Watched {
    std::mutex mu;
    fs::path index, staging;
    bool in_place = false;
};

Watched& watched() {  // never destroyed: the handler may run during static destruction
    static Watched* w = new Watched;
    return *w;
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

// What is left of the index, in words, and the message.
std::string report(const fs::path& index, const fs::path& staging, bool in_place, bool disk_full,
                   const std::string& what) {
    const std::string kept = what_the_index_keeps(!staging.empty(), in_place);
    const std::string detail = "a library call aborted the process (std::terminate" +
                               (what.empty() ? std::string() : ": " + what) + ")";
    if (disk_full) {
        return "index '" + index.string() + "': the disk is full; " + kept +
               ": free some space and run the indexer again (" + detail + ")";
    }
    return "internal error: " + detail + "; " + kept;
}

[[noreturn]] void on_terminate() noexcept {
    static std::atomic_flag entered = ATOMIC_FLAG_INIT;
    thread_local bool here = false;
    if (here) std::_Exit(kExitInternal);  // the handler itself failed
    here = true;
    if (entered.test_and_set()) {  // another thread got here first and is about to exit
        for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    try {
        const std::string what = current_exception_text();
        fs::path index, staging;
        bool in_place = false;
        {
            Watched& w = watched();
            std::lock_guard<std::mutex> lock(w.mu);
            index = w.index;
            staging = w.staging;
            in_place = w.in_place;
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
        const std::string message = report(index, staging, in_place, disk_full, what);
        std::fprintf(stderr, "indexer: %s\n", message.c_str());
        std::fflush(stderr);
        std::_Exit(disk_full ? kExitIndex : kExitInternal);
    } catch (...) {
        std::_Exit(kExitInternal);
    }
}

}  // namespace

void install_last_resort() {
    std::set_terminate(on_terminate);
}

void last_resort_index(const fs::path& index, bool rebuilding_in_place) {
    Watched& w = watched();
    std::lock_guard<std::mutex> lock(w.mu);
    w.index = index;
    w.in_place = rebuilding_in_place;
}

std::string what_the_index_keeps(bool rebuilt_beside, bool rebuilt_in_place) {
    if (rebuilt_beside) return "the index is as it was before the rebuild";
    if (rebuilt_in_place)
        return "the index holds what the rebuild had committed: run indexer --full again";
    return "the index keeps its last committed state";
}

void last_resort_staging(const fs::path& staging) {
    Watched& w = watched();
    std::lock_guard<std::mutex> lock(w.mu);
    w.staging = staging;
}

}  // namespace news
