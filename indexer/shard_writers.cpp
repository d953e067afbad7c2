// Writer threads, one per shard database (shard_writers.hpp).
#include "shard_writers.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace news {

ShardWriters::ShardWriters(std::vector<Xapian::WritableDatabase> shards, std::size_t queue)
    : lanes_(shards.size()), queue_(std::max<std::size_t>(1, queue)) {
    for (std::size_t i = 0; i < shards.size(); ++i) lanes_[i].db = std::move(shards[i]);
    try {
        for (auto& lane : lanes_) lane.thread = std::thread([this, &lane] { run(lane); });
    } catch (...) {  // out of threads: stop the ones started (the destructor will not run)
        stop();
        throw;
    }
}

ShardWriters::~ShardWriters() {
    stop();
}

void ShardWriters::stop() noexcept {
    {
        std::lock_guard lk(mu_);
        closing_ = true;
        abandoned_ = true;
        for (auto& lane : lanes_) lane.jobs.clear();  // an abandoned run: nothing more is written
    }
    for (auto& lane : lanes_) lane.ready.notify_one();
    for (auto& lane : lanes_) {
        if (lane.thread.joinable()) lane.thread.join();
    }
}

void ShardWriters::run(Lane& lane) {
    std::deque<Job> batch;
    while (true) {
        {
            std::unique_lock lk(mu_);
            lane.ready.wait(lk, [&] { return closing_ || !lane.jobs.empty(); });
            if (lane.jobs.empty()) return;  // closing, and nothing left to do
            batch.swap(lane.jobs);          // the lane is empty again: room for a full queue
            lane.working = true;
            if (room_waiters_) cv_done_.notify_all();  // (not idle yet: no use to sync())
        }
        const auto t0 = std::chrono::steady_clock::now();
        for (Job& job : batch) {
            try {
                if (!failed_.load() && !abandoned_.load()) {
                    if (job.commit) {
                        lane.db.commit();
                    } else if (job.edit) {
                        job.edit(lane.db);
                    } else {
                        lane.db.replace_document(job.local, job.doc);
                    }
                }
            } catch (...) {
                std::lock_guard lk(mu_);
                if (!failure_) {
                    failure_ = std::current_exception();
                    failed_ = true;
                }
                cv_done_.notify_all();  // a caller waiting for room rethrows it
            }
            // Released here, on the thread that used it (or, for a job skipped, that was
            // handed it last).
            job.doc = Xapian::Document();
            job.edit = nullptr;
        }
        batch.clear();
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::lock_guard lk(mu_);
        lane.working = false;
        busy_ += s;
        if (idle_waiters_) cv_done_.notify_all();
    }
}

void ShardWriters::rethrow_failure() {
    if (failure_) std::rethrow_exception(failure_);  // every time: nothing more is written
}

void ShardWriters::add(unsigned shard, Xapian::docid local, Xapian::Document&& doc) {
    Job job;
    job.local = local;
    job.doc = std::move(doc);
    push(shard, std::move(job));
}

void ShardWriters::edit(unsigned shard, std::function<void(Xapian::WritableDatabase&)> edit) {
    Job job;
    job.edit = std::move(edit);
    push(shard, std::move(job));
}

void ShardWriters::push(unsigned shard, Job&& job) {
    Lane& lane = lanes_.at(shard);
    bool idle;
    {
        std::unique_lock lk(mu_);
        if (!failure_ && lane.jobs.size() >= queue_) {
            ++room_waiters_;
            cv_done_.wait(lk, [&] { return failure_ || lane.jobs.size() < queue_; });
            --room_waiters_;
        }
        rethrow_failure();
        // Only a writer with nothing queued or taken waits for jobs; a busy one looks again
        // when it has done the ones it took.
        idle = lane.jobs.empty() && !lane.working;
        lane.jobs.push_back(std::move(job));
    }
    if (idle) lane.ready.notify_one();
}

void ShardWriters::sync() {
    std::unique_lock lk(mu_);
    ++idle_waiters_;
    cv_done_.wait(lk, [&] {
        for (const auto& lane : lanes_) {
            if (!lane.jobs.empty() || lane.working) return false;
        }
        return true;
    });
    --idle_waiters_;
    rethrow_failure();
}

void ShardWriters::commit(bool first_last) {
    auto post = [this](std::size_t from, std::size_t to) {
        {
            std::lock_guard lk(mu_);
            for (std::size_t i = from; i < to; ++i) {
                Job job;
                job.commit = true;
                lanes_[i].jobs.push_back(std::move(job));
            }
        }
        for (std::size_t i = from; i < to; ++i) lanes_[i].ready.notify_one();
        sync();
    };
    if (!first_last) return post(0, lanes_.size());
    post(1, lanes_.size());
    post(0, std::min<std::size_t>(1, lanes_.size()));
}

double ShardWriters::busy_seconds() const {
    std::lock_guard lk(mu_);
    return busy_;
}

}  // namespace news
