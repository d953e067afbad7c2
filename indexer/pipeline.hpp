// An ordered parallel pipeline: items 0..n-1 are produced in N worker threads and consumed in
// index order on the calling thread, with a bounded number of results waiting, stoppable. The
// indexer parses files this way and writes them in file order; nothing here knows about files
// or Xapian (tests/test_pipeline.cpp tests it alone).
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace news {

struct PipelineOptions {
    unsigned workers = 1;    // producer threads (at least 1)
    std::size_t ahead = 64;  // results produced but not yet consumed, at most (at least 1)
    // Polled between items: once true, no more items are handed out, and consumption ends at
    // the first item that was not produced.
    std::function<bool()> stop;
    // Told how long the consumer waited for each item (seconds).
    std::function<void(double)> waited;
    // With max_weight > 0: items taken but not yet consumed weigh at most max_weight in all
    // (the next item is taken anyway when nothing else is waiting).
    std::function<std::size_t(std::size_t)> weight;
    std::size_t max_weight = 0;
};

// Runs the pipeline. `make_worker()` is called once in each worker thread and returns that
// thread's producer, a callable Result(std::size_t i) (so a thread can keep state of its own);
// `consume(i, Result&&)` is called on the calling thread for i = 0, 1, ... in order. Returns the
// number of items consumed (n unless stopped). An exception from consume stops the workers; an
// exception from a producer is rethrown at its item, in order; either is rethrown here once
// every worker has finished.
template <typename Result, typename MakeWorker, typename Consume>
std::size_t run_ordered(std::size_t n, const PipelineOptions& opts, MakeWorker make_worker,
                        Consume consume) {
    struct Slot {
        std::optional<Result> result;
        std::exception_ptr error;
        bool ready = false;
    };
    const std::size_t cap = std::max<std::size_t>(1, opts.ahead);
    std::vector<Slot> slots(std::min(cap, std::max<std::size_t>(n, 1)));
    std::mutex mu;  // guards everything below and the slots
    std::condition_variable cv_work, cv_done;
    std::size_t next_take = 0;  // the next item a worker takes
    std::size_t consumed = 0;   // items consumed
    std::size_t weight = 0;     // of the items taken and not consumed (max_weight)
    auto weighs = [&](std::size_t i) -> std::size_t {
        return opts.max_weight && opts.weight ? opts.weight(i) : 0;
    };
    auto light_enough = [&] {
        return !opts.max_weight || next_take == consumed ||
               weight + weighs(next_take) <= opts.max_weight;
    };
    unsigned running = std::max(1u, opts.workers);
    auto stopping = [&] { return opts.stop && opts.stop(); };

    auto worker = [&] {
        std::exception_ptr setup_error;
        std::optional<decltype(make_worker())> produce;
        try {
            produce.emplace(make_worker());
        } catch (...) {
            setup_error = std::current_exception();
        }
        while (true) {
            std::size_t i;
            {
                std::unique_lock lk(mu);
                cv_work.wait(lk, [&] {
                    return stopping() || next_take >= n ||
                           (next_take < consumed + slots.size() && light_enough());
                });
                if (stopping() || next_take >= n) break;
                i = next_take++;
                weight += weighs(i);
            }
            Slot s;
            if (setup_error) {
                s.error = setup_error;
            } else {
                try {
                    s.result.emplace((*produce)(i));
                } catch (...) {
                    s.error = std::current_exception();
                }
            }
            s.ready = true;
            {
                std::lock_guard lk(mu);
                slots[i % slots.size()] = std::move(s);
            }
            cv_done.notify_all();
        }
        {
            std::lock_guard lk(mu);
            --running;
        }
        cv_done.notify_all();
    };

    std::vector<std::thread> threads;
    std::exception_ptr failure;
    try {
        for (unsigned t = 0; t < std::max(1u, opts.workers); ++t) threads.emplace_back(worker);
        for (std::size_t i = 0; i < n; ++i) {
            Slot s;
            {
                const auto t0 = std::chrono::steady_clock::now();
                std::unique_lock lk(mu);
                cv_done.wait(lk, [&] {
                    return slots[i % slots.size()].ready ||
                           (i >= next_take && (stopping() || running == 0));
                });
                if (opts.waited)
                    opts.waited(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
                                    .count());
                if (!slots[i % slots.size()].ready) break;
                s = std::move(slots[i % slots.size()]);
                slots[i % slots.size()] = Slot{};
            }
            if (s.error) std::rethrow_exception(s.error);
            consume(i, std::move(*s.result));
            {
                std::lock_guard lk(mu);
                consumed = i + 1;
                weight -= weighs(i);
            }
            cv_work.notify_all();
            if (stopping()) break;
        }
    } catch (...) {
        failure = std::current_exception();
    }
    std::size_t done;
    {
        std::lock_guard lk(mu);
        next_take = n;  // no more work for anyone
        done = consumed;
    }
    cv_work.notify_all();
    for (auto& t : threads) t.join();
    if (failure) std::rethrow_exception(failure);
    return done;
}

}  // namespace news
