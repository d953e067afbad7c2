// The story pass of the indexer: after a batch is written, the stories of the articles it
// touched (and of their stories' former members) are recomputed with the story rule
// (common/story.hpp): candidates from the index, linked articles grouped, story ids and XS
// terms written back. What the rule reads of each article is cached across commits.
#pragma once

#include <xapian.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "article.hpp"
#include "document.hpp"
#include "story.hpp"
#include "story_candidates.hpp"

namespace news {

// What the story rule reads of an article (as stored in its data); stubs have nothing (they
// are stories of their own).
StoryText story_text_of(const Article& a);
StoryText story_text_of(const nlohmann::json& data);

// What the story pass needs of a document.
struct TextInfo {
    StoryText story;
    std::string published;                 // value slot kSlotPublished
    std::string key;                       // id key (the XI term without its prefix)
    std::vector<std::string> title_terms;  // ZS terms: the title's stems
    std::string story_id;                  // value slot kSlotStory as written
    bool story_term = false;               // the document holds the XS term of `story_id`
};

// What the story pass needs of `doc`, given what the story rule reads of it.
TextInfo text_info(StoryText story, const Xapian::Document& doc);

// What the story rule reads of documents, by docid, kept across commits: the writer records
// what it writes (the parser threads computed it), so the story pass rarely reads documents'
// data back. Documents changed any other way must be forgotten. Holds at most `cap` entries,
// evicting the oldest first (a corpus in date order finds its candidates among recent ones).
// Safe to share between threads: entries are immutable and shared, so an eviction never frees
// one a caller holds; a miss reads the document from the caller's own database, or from one
// shared by several threads under `read_mu` (Xapian objects are not thread-safe: even a
// document read counts references to its database).
class TextCache {
  public:
    using Entry = std::shared_ptr<const TextInfo>;
    explicit TextCache(std::size_t cap = 1 << 16) : cap_(std::max<std::size_t>(1, cap)) {}
    // What the rule reads of `d`; a miss is read from `db`, which must show `d` as it is now.
    Entry get(const Xapian::Database& db, Xapian::docid d, std::mutex* read_mu = nullptr) {
        {
            // Hits only read (the search threads of a story pass share the cache).
            std::shared_lock<std::shared_mutex> lock(mu_);
            if (auto p = pinned_.find(d); p != pinned_.end()) return p->second;
            auto it = map_.find(d);
            if (it != map_.end()) return it->second.entry;
        }
        std::unique_lock<std::mutex> reading;
        if (read_mu) reading = std::unique_lock<std::mutex>(*read_mu);
        std::shared_ptr<const TextInfo> info;
        {
            const Xapian::Document doc = db.get_document(d);
            info = std::make_shared<const TextInfo>(text_info(story_text_of(read_data(doc)), doc));
        }
        if (reading) reading.unlock();
        std::lock_guard<std::shared_mutex> lock(mu_);
        auto it = map_.find(d);  // another thread may have read it meanwhile
        return it != map_.end() ? it->second.entry : insert(d, std::move(info));
    }
    // With `pin`, the entry is never evicted until unpin_all() (a document not written yet,
    // which could not be read back).
    void put(Xapian::docid d, TextInfo info, bool pin = false) {
        auto e = std::make_shared<const TextInfo>(std::move(info));
        std::lock_guard<std::shared_mutex> lock(mu_);
        map_.erase(d);
        if (pin || pinned_.count(d)) {
            pinned_[d] = std::move(e);
        } else {
            insert(d, std::move(e));
        }
    }
    // The pinned entries become ordinary ones (the newest), evicted in their turn.
    void unpin_all() {
        std::lock_guard<std::shared_mutex> lock(mu_);
        std::vector<std::pair<Xapian::docid, Entry>> all(pinned_.begin(), pinned_.end());
        pinned_.clear();
        std::sort(all.begin(), all.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& [d, e] : all) insert(d, std::move(e));
    }
    void forget(Xapian::docid d) {
        std::lock_guard<std::shared_mutex> lock(mu_);
        map_.erase(d);
        pinned_.erase(d);
    }
    // The story the pass wrote for `d` (kept only while `d` is cached).
    void set_story(Xapian::docid d, const std::string& story, bool term) {
        std::lock_guard<std::shared_mutex> lock(mu_);
        auto changed = [&](const Entry& old) {
            auto e = std::make_shared<TextInfo>(*old);
            e->story_id = story;
            e->story_term = term;
            return e;
        };
        if (auto p = pinned_.find(d); p != pinned_.end()) {
            p->second = changed(p->second);
            return;
        }
        auto it = map_.find(d);
        if (it == map_.end()) return;
        it->second.entry = changed(it->second.entry);
    }

  private:
    struct Slot {
        Entry entry;
        uint64_t seq;  // its place in order_ (an older place of the same docid is stale)
    };
    Entry insert(Xapian::docid d, Entry info) {  // with mu_ held; `d` not in map_
        while (map_.size() >= cap_ && !order_.empty()) {
            const auto [old, seq] = order_.front();
            order_.pop_front();
            auto it = map_.find(old);
            if (it != map_.end() && it->second.seq == seq) map_.erase(it);
        }
        if (order_.size() >= 2 * cap_) {  // drop the stale places of forgotten or re-put docids
            std::deque<std::pair<Xapian::docid, uint64_t>> live;
            for (const auto& [x, seq] : order_) {
                auto it = map_.find(x);
                if (it != map_.end() && it->second.seq == seq) live.emplace_back(x, seq);
            }
            order_.swap(live);
        }
        order_.emplace_back(d, ++seq_);
        return map_.emplace(d, Slot{std::move(info), seq_}).first->second.entry;
    }
    std::size_t cap_;
    std::shared_mutex mu_;
    std::unordered_map<Xapian::docid, Slot> map_;
    std::unordered_map<Xapian::docid, Entry> pinned_;       // not in map_, never evicted
    std::deque<std::pair<Xapian::docid, uint64_t>> order_;  // insertion order, oldest first
    uint64_t seq_ = 0;
};

// Where the story pass's changes to documents go. By default (no `apply`) each is made on the
// pass's own thread; a --full build with writer threads hands them to the thread that owns the
// document's shard (ShardWriters::edit), so that they are made in parallel, and `settle` waits
// for them.
// The pass reads the database again only after settle().
// Documents the caller holds back until the pass is done (StoryPass::hold) are changed in
// place instead, through `held`, which returns the document the caller will write.
struct DocEdits {
    using Edit = std::function<void(Xapian::WritableDatabase&, Xapian::docid)>;
    std::function<void(Xapian::docid, Edit)> apply;
    std::function<void()> settle;
    std::function<Xapian::Document&(Xapian::docid)> held;
};

// The candidate search from memory (story_candidates.hpp) and the reader's statistics, when it
// answers as that reader would; none otherwise.
struct InMemoryCandidates {
    const CandidateIndex* index = nullptr;
    Xapian::doccount docs = 0;
    double avlen = 0;
};

class StoryPass {
  public:
    StoryPass(double window_days, const StoryRule& rule, std::size_t cache = 1 << 16,
              bool in_memory = true)
        : window_days_(window_days), rule_(rule), in_memory_(in_memory), text_(cache) {}

    // `did`'s story is recomputed at the next run().
    void touch(Xapian::docid did) { touched_.insert(did); }
    // Every article of `did`'s story is recomputed at the next run().
    void touch_story_of(const Xapian::Database& db, Xapian::docid did);
    const std::set<Xapian::docid>& touched() const { return touched_; }
    // What the writer wrote for `did` (replaces what the cache knew of that docid).
    void put(Xapian::docid did, TextInfo info) {
        text_.put(did, std::move(info), held_.count(did) > 0);
    }
    // Document `did` (noted and put here) is held back by the caller, which writes it only
    // after the next run(): the pass gives it its story through DocEdits::held, which spares
    // writing it twice. Only while the pass searches candidates in memory (in_memory()), which
    // then counts the held documents in; the caller writes them before anything else reads the
    // database for them.
    void hold(Xapian::docid did) { held_.insert(did); }
    bool holds_any() const { return !held_.empty(); }
    // The held documents were written (or dropped).
    void release() {
        held_.clear();
        text_.unpin_all();
    }
    // The index is empty: from now on the candidate searches can be answered from memory
    // (story_candidates.hpp), if every document written is noted here.
    void index_is_empty() {
        if (in_memory_) candidates_.start();
    }
    // Document `did` was written: what the candidate search reads of it.
    void note(Xapian::docid did, const CandidateDoc& c) { candidates_.note(did, c); }
    // Whether run() will search candidates in memory, reading nothing but `db` (which then
    // need not be committed first: one commit holds a batch and its stories).
    bool in_memory(const Xapian::Database& db);
    // Whether the last run() searched candidates in memory.
    bool searched_in_memory() const { return searched_in_memory_; }
    // Story changes made so far: documents rewritten, and held documents changed in place.
    std::size_t rewrites() const { return rewrites_; }
    std::size_t set_before_writing() const { return set_before_writing_; }
    // Documents holding `term` are about to change some other way: read them again when needed.
    void forget_term(const Xapian::Database& db, const std::string& term);
    // Recomputes the stories of the touched articles, whose candidates are searched in
    // `threads` threads. Unless in_memory(db), `open_reader` opens the committed state of `db`
    // read-only (what is searched for candidates: the pass writes only story values and boolean
    // terms, which no candidate search reads), which must hold every write, once per thread;
    // in memory, the threads read `db` in turns (nothing else may use it meanwhile). `wrote` is
    // called for each document changed; the changes are made through `edits`.
    void run(Xapian::WritableDatabase& db, const std::function<Xapian::Database()>& open_reader,
             unsigned threads, const std::function<void()>& wrote, const DocEdits& edits = {});

  private:
    using Links = std::unordered_map<Xapian::docid, std::vector<Xapian::docid>>;
    void find_links(const std::vector<Xapian::docid>& seeds,
                    const std::function<Xapian::Database()>& open_reader,
                    const Xapian::Database& reader, unsigned threads, const InMemoryCandidates& mem,
                    Links& links);
    void group(Xapian::WritableDatabase& db, const std::set<Xapian::docid>& comp,
               const Links& links, const std::function<void()>& wrote);
    void assign(Xapian::WritableDatabase& db, const std::vector<Xapian::docid>& group,
                const std::function<void()>& wrote);
    void repair_left_stories(Xapian::WritableDatabase& db, const std::function<void()>& wrote,
                             const DocEdits& edits);
    Xapian::totallength held_length() const;  // of the held documents, as noted
    // Makes the changes assign() queued, through `edits`, and waits for them.
    void apply_edits(Xapian::WritableDatabase& db, const DocEdits& edits);

    double window_days_;
    StoryRule rule_;
    bool in_memory_;
    bool searched_in_memory_ = false;
    std::size_t rewrites_ = 0;
    std::size_t set_before_writing_ = 0;
    CandidateIndex candidates_;
    std::set<Xapian::docid> touched_;  // articles whose story must be recomputed
    std::set<std::string> left_;       // stories (ids) some article left in this pass
    // By assign(), not made yet: each a change to one document.
    std::vector<std::pair<Xapian::docid, std::function<void(Xapian::Document&)>>> queued_;
    std::set<Xapian::docid> held_;  // documents the caller writes after the pass (hold())
    TextCache text_;
};

}  // namespace news
