// Time and progress for the indexer: a stopwatch that adds a scope's duration to a total
// (--timings), and the progress line on stderr (on a TTY, off with --quiet).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace news {

using Clock = std::chrono::steady_clock;

// Adds the lifetime of the scope to `acc` (seconds).
class Stopwatch {
  public:
    explicit Stopwatch(double& acc) : acc_(acc), start_(Clock::now()) {}
    ~Stopwatch() { acc_ += std::chrono::duration<double>(Clock::now() - start_).count(); }
    Stopwatch(const Stopwatch&) = delete;
    Stopwatch& operator=(const Stopwatch&) = delete;

  private:
    double& acc_;
    Clock::time_point start_;
};

// The progress line: files done of all, rate, throughput, ETA and errors, at most 4 times a
// second (and when forced), erased by finish().
class Progress {
  public:
    Progress(bool on, std::size_t total) : on_(on), total_(total), start_(Clock::now()) {}
    void update(std::size_t done, uint64_t bytes, std::size_t errors, bool force = false);
    void finish();

  private:
    bool on_;
    std::size_t total_;
    Clock::time_point start_;
    Clock::time_point last_{};
};

}  // namespace news
