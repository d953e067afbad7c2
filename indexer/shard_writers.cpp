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
        for (auto& lane : lanes_) lane.jobs.clear();  // an abandoned run: nothing more is written
    }
    cv_work_.notify_all();
    for (auto& lane : lanes_) {
        if (lane.thread.joinable()) lane.thread.join();
    }
}

void ShardWriters::run(Lane& lane) {
    while (true) {
        Job job;
        {
            std::unique_lock lk(mu_);
            cv_work_.wait(lk, [&] { return closing_ || !lane.jobs.empty(); });
            if (lane.jobs.empty()) return;  // closing, and nothing left to do
            job = std::move(lane.jobs.front());
            lane.jobs.pop_front();
            lane.working = true;
        }
        cv_done_.notify_all();  // room in the queue
        const auto t0 = std::chrono::steady_clock::now();
        std::exception_ptr error;
        try {
            if (!failed_.load()) {
                if (job.commit) {
                    lane.db.commit();
                } else if (job.edit) {
                    job.edit(lane.db);
                } else {
                    lane.db.replace_document(job.local, job.doc);
                }
            }
        } catch (...) {
            error = std::current_exception();
        }
        job.doc = Xapian::Document();  // released on this thread, which last used it
        job.edit = nullptr;
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        {
            std::lock_guard lk(mu_);
            lane.working = false;
            busy_ += s;
            if (error && !failure_) {
                failure_ = error;
                failed_ = true;
            }
        }
        cv_done_.notify_all();
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
    {
        std::unique_lock lk(mu_);
        cv_done_.wait(lk, [&] { return failure_ || lane.jobs.size() < queue_; });
        rethrow_failure();
        lane.jobs.push_back(std::move(job));
    }
    cv_work_.notify_all();
}

void ShardWriters::sync() {
    std::unique_lock lk(mu_);
    cv_done_.wait(lk, [&] {
        for (const auto& lane : lanes_) {
            if (!lane.jobs.empty() || lane.working) return false;
        }
        return true;
    });
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
        cv_work_.notify_all();
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
