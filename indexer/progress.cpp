// The indexer's progress line on stderr (progress.hpp): files, rate, throughput, ETA and
// errors, redrawn at most every 250 ms, cleared at the end.
#include "progress.hpp"

#include <cstdio>

namespace news {

void Progress::update(std::size_t done, uint64_t bytes, std::size_t errors, bool force) {
    if (!on_) return;
    const auto now = Clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    const double s = std::chrono::duration<double>(now - start_).count();
    const double rate = s > 0 ? static_cast<double>(done) / s : 0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
    std::fprintf(stderr,
                 "\r\033[K%zu/%zu files (%.0f%%)  %.0f files/s  %.1f MB/s  ETA %.0fs  "
                 "errors %zu",
                 done, total_,
                 total_ ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0,
                 rate, s > 0 ? static_cast<double>(bytes) / 1e6 / s : 0.0, eta, errors);
    std::fflush(stderr);
}

void Progress::finish() {
    if (on_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace news
