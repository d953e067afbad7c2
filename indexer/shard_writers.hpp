// Writer threads for a --full build: one thread per shard database, so that the Xapian work of
// adding documents (inverting them, writing their term and position lists) and of committing
// runs on as many cores as there are shards. The engine decides everything (docids, which shard,
// duplicates, stubs) on its own thread and hands each new document to its shard's thread; before
// it reads or changes a database any other way it waits until every queue is empty (sync()), so
// that a database is only ever used by one thread at a time.
#pragma once

#include <xapian.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace news {

class ShardWriters {
  public:
    // One thread for each of `shards` (the handles are shared with the caller, which must not use
    // them except between sync() and the next add() or edit()). At most `queue` jobs wait per
    // shard, besides the ones its thread has taken.
    ShardWriters(std::vector<Xapian::WritableDatabase> shards, std::size_t queue = 256);
    ~ShardWriters();
    ShardWriters(const ShardWriters&) = delete;
    ShardWriters& operator=(const ShardWriters&) = delete;

    // Adds `doc` to shard `shard` at docid `local` (that shard's own numbering). The handle must
    // be the only one to its document (moved in), since Xapian's reference counts are not atomic.
    // Blocks while that shard's queue is full. Rethrows the first failure of any writer.
    void add(unsigned shard, Xapian::docid local, Xapian::Document&& doc);
    // Queues `edit` to shard `shard`'s thread, which calls it with its database: a change to a
    // document already written (the story pass's story ids), made on the thread that owns the
    // shard, in order with that shard's other jobs. Blocks while the queue is full; rethrows
    // the first failure of any writer (a failed edit is one).
    void edit(unsigned shard, std::function<void(Xapian::WritableDatabase&)> edit);
    // Returns once every queued job is done. Rethrows the first failure of any writer.
    void sync();
    // Commits every shard, each on its own thread, in parallel; with `first_last`, the first
    // after the others (it holds the file table: after a crash in between, the others may hold
    // documents the table does not list yet, which the next run re-indexes, rather than the
    // other way round). A build beside the index, which a crash discards, needs no order.
    void commit(bool first_last = true);
    // Time the writer threads spent writing (seconds, summed over threads).
    double busy_seconds() const;

  private:
    struct Job {
        Xapian::docid local = 0;
        Xapian::Document doc;
        std::function<void(Xapian::WritableDatabase&)> edit;  // or this, if set
        bool commit = false;
    };
    // A writer takes every job waiting in its lane at once and does them without the lock: the
    // engine, when a lane is full, sleeps until its writer takes the lot, and a writer is woken
    // only once it has gone idle. Where the writers are the slower side (a --full build), neither
    // wakes the other per document: waking per document cost a 200k -j2 build about 500,000
    // context switches.
    struct Lane {
        Xapian::WritableDatabase db;
        std::deque<Job> jobs;
        bool working = false;           // jobs taken from `jobs` are being done
        std::condition_variable ready;  // jobs, or closing: this lane's thread waits on it
        std::thread thread;
    };
    void run(Lane& lane);
    void stop() noexcept;    // drops what is queued and joins the threads
    void rethrow_failure();  // with mu_ held
    void push(unsigned shard, Job&& job);

    mutable std::mutex mu_;
    std::condition_variable cv_done_;  // room in a lane, or a lane idle: the caller waits on it
    unsigned room_waiters_ = 0;        // callers waiting on cv_done_ for room in a lane
    unsigned idle_waiters_ = 0;        // and for every lane to be idle (sync())
    std::vector<Lane> lanes_;
    std::size_t queue_;
    bool closing_ = false;
    std::atomic<bool> abandoned_{false};  // stop(): jobs already taken are not done either
    std::exception_ptr failure_;
    std::atomic<bool> failed_{false};  // failure_ was set: writers stop writing
    double busy_ = 0;
};

}  // namespace news
