// Unit tests of the ordered parallel pipeline (indexer/pipeline.hpp), without files or Xapian:
// results are consumed in index order whatever order the workers finish in, the workers never
// run more than `ahead` items ahead of the consumer, a stop request ends it early with a prefix
// consumed, and exceptions from either side reach the caller once every worker has finished.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pipeline.hpp"

namespace {

using news::PipelineOptions;
using news::run_ordered;

// A producer that sleeps a pseudo-random few microseconds, so workers finish out of order.
auto jittery(std::atomic<int>* made = nullptr) {
    return [made] {
        if (made) ++*made;
        return [rng = std::mt19937(std::random_device{}())](std::size_t i) mutable {
            std::this_thread::sleep_for(std::chrono::microseconds(rng() % 200));
            return i * i;
        };
    };
}

TEST(Pipeline, ConsumesInOrderWithEveryWorkerCount) {
    for (unsigned workers : {1u, 2u, 3u, 8u}) {
        PipelineOptions o;
        o.workers = workers;
        o.ahead = 5;
        std::atomic<int> made{0};
        std::vector<std::size_t> got;
        const std::size_t n =
            run_ordered<std::size_t>(300, o, jittery(&made), [&](std::size_t i, std::size_t&& v) {
                EXPECT_EQ(i, got.size());
                got.push_back(v);
            });
        EXPECT_EQ(n, 300u);
        ASSERT_EQ(got.size(), 300u) << workers;
        for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], i * i);
        EXPECT_EQ(made.load(), static_cast<int>(workers)) << "one producer per worker thread";
    }
}

TEST(Pipeline, NoItemsIsFine) {
    PipelineOptions o;
    o.workers = 4;
    int calls = 0;
    EXPECT_EQ(
        run_ordered<std::size_t>(0, o, jittery(), [&](std::size_t, std::size_t&&) { ++calls; }),
        0u);
    EXPECT_EQ(calls, 0);
}

TEST(Pipeline, WorkersStayWithinAheadOfTheConsumer) {
    PipelineOptions o;
    o.workers = 4;
    o.ahead = 3;
    std::atomic<std::size_t> consumed{0}, max_lead{0};
    auto make = [&] {
        return [&](std::size_t i) {
            // Item i is taken only while fewer than `ahead` results wait: i < consumed + ahead.
            const std::size_t lead = i + 1 - consumed.load();
            std::size_t m = max_lead.load();
            while (lead > m && !max_lead.compare_exchange_weak(m, lead)) {
            }
            return i;
        };
    };
    run_ordered<std::size_t>(200, o, make, [&](std::size_t i, std::size_t&&) {
        std::this_thread::sleep_for(std::chrono::microseconds(50));  // a slow consumer
        consumed = i + 1;
    });
    EXPECT_LE(max_lead.load(), o.ahead);
    EXPECT_EQ(consumed.load(), 200u);
}

TEST(Pipeline, StopEndsEarlyWithAPrefixConsumed) {
    PipelineOptions o;
    o.workers = 3;
    o.ahead = 4;
    std::atomic<bool> stop{false};
    o.stop = [&] { return stop.load(); };
    std::vector<std::size_t> got;
    const std::size_t n =
        run_ordered<std::size_t>(10000, o, jittery(), [&](std::size_t i, std::size_t&&) {
            got.push_back(i);
            if (i == 41) stop = true;
        });
    EXPECT_EQ(n, 42u);
    ASSERT_EQ(got.size(), 42u);
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], i);
}

TEST(Pipeline, ConsumerExceptionStopsWorkersAndIsRethrown) {
    PipelineOptions o;
    o.workers = 2;
    o.ahead = 2;
    std::atomic<std::size_t> produced{0};
    auto make = [&] {
        return [&](std::size_t i) {
            ++produced;
            return i;
        };
    };
    EXPECT_THROW(run_ordered<std::size_t>(100000, o, make,
                                          [](std::size_t i, std::size_t&&) {
                                              if (i == 10) throw std::runtime_error("disk full");
                                          }),
                 std::runtime_error);
    EXPECT_LE(produced.load(), 10u + 1 + o.ahead) << "workers stop soon after the failure";
}

TEST(Pipeline, ProducerExceptionIsRethrownAtItsItemInOrder) {
    PipelineOptions o;
    o.workers = 3;
    o.ahead = 8;
    auto make = [] {
        return [](std::size_t i) -> std::size_t {
            if (i == 7) throw std::invalid_argument("item 7");
            return i;
        };
    };
    std::vector<std::size_t> got;
    try {
        run_ordered<std::size_t>(50, o, make,
                                 [&](std::size_t i, std::size_t&&) { got.push_back(i); });
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()), "item 7");
    }
    EXPECT_EQ(got, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6})) << "items before it consumed";
}

TEST(Pipeline, ReportsTheConsumersWaits) {
    PipelineOptions o;
    o.workers = 1;
    double waited = 0;
    int waits = 0;
    o.waited = [&](double s) {
        waited += s;
        ++waits;
    };
    auto slow = [] {
        return [](std::size_t i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            return i;
        };
    };
    run_ordered<std::size_t>(10, o, slow, [](std::size_t, std::size_t&&) {});
    EXPECT_EQ(waits, 10);
    EXPECT_GT(waited, 0.0);
}

}  // namespace

namespace {

// Items weigh 1 to 50; with max_weight 100 the items produced and not yet consumed never weigh
// more than 100 together (a heavy item alone may), whatever `ahead` allows.
TEST(Pipeline, MaxWeightBoundsWhatWaits) {
    PipelineOptions o;
    o.workers = 4;
    o.ahead = 1000;
    o.weight = [](std::size_t i) { return i % 50 + 1; };
    o.max_weight = 100;
    std::mutex mu;
    std::size_t waiting = 0, most = 0;  // weight produced and not consumed
    auto make = [&] {
        return [&](std::size_t i) {
            std::this_thread::sleep_for(std::chrono::microseconds(50));
            std::lock_guard lk(mu);
            waiting += o.weight(i);
            most = std::max(most, waiting);
            return i;
        };
    };
    std::vector<std::size_t> got;
    const std::size_t n = run_ordered<std::size_t>(400, o, make, [&](std::size_t i, std::size_t&&) {
        std::this_thread::sleep_for(std::chrono::microseconds(20));
        got.push_back(i);
        std::lock_guard lk(mu);
        waiting -= o.weight(i);
    });
    EXPECT_EQ(n, 400u);
    EXPECT_EQ(got.size(), 400u);
    EXPECT_LE(most, 100u);
    EXPECT_GT(most, 50u) << "the bound, not `ahead` or the worker count, should be what limits";
}

}  // namespace
