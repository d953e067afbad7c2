// The story pass of the indexer (stories.hpp): what the story rule reads of each article,
// candidates from the index, grouping into stories, and the story ids and XS terms written
// back.
#include "stories.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "date.hpp"
#include "document.hpp"
#include "schema.hpp"

namespace news {

StoryText story_text_of(const Article& a) {
    return story_text(a.title, a.excerpt, a.provider.name);
}

StoryText story_text_of(const nlohmann::json& data) {
    if (data.value("stub", false)) return {};
    const auto p = data.find("provider");
    const std::string provider =
        p != data.end() && p->is_object() ? p->value("name", std::string()) : std::string();
    return story_text(data.value("title", ""), data.value("excerpt", ""), provider);
}

namespace {

// The title words of a document: its ZS terms (the title field's stems).
std::vector<std::string> title_terms(const Xapian::Document& doc) {
    std::vector<std::string> out;
    const std::string zs = std::string("Z").append(field(FieldId::Title).prefix);
    auto ti = doc.termlist_begin();
    for (ti.skip_to(zs); ti != doc.termlist_end(); ++ti) {
        const std::string term = *ti;
        if (term.compare(0, zs.size(), zs) != 0) break;
        if (term.size() > zs.size() + 1) out.push_back(term);
    }
    return out;
}
std::string key_term_value(const Xapian::Document& doc) {
    const std::string xi(field(FieldId::IdKey).prefix);
    auto t = doc.termlist_begin();
    t.skip_to(xi);
    return t != doc.termlist_end() && (*t).starts_with(xi) ? (*t).substr(xi.size()) : std::string();
}

}  // namespace

TextInfo text_info(StoryText story, const Xapian::Document& doc) {
    TextInfo info{std::move(story), doc.get_value(kSlotPublished), key_term_value(doc),
                  title_terms(doc), doc.get_value(kSlotStory),     false};
    if (!info.story_id.empty()) {
        const std::string xs = bool_term("storyterm", info.story_id);
        auto t = doc.termlist_begin();
        t.skip_to(xs);
        info.story_term = t != doc.termlist_end() && *t == xs;
    }
    return info;
}

namespace {

// The articles of document `x`'s story among its candidates (docids in match order): the 50
// articles published within `window` seconds of it that best match its title's four rarest
// words that some other article has (two tellings of one story share them; the window comes
// from day terms, cheap to intersect), kept when the story rule (story.hpp) calls them the
// same story. Empty for an article without text or date.
// `db` is searched; what the rule reads of an article the cache does not hold is read from
// `texts` (the writable database once the pass has written: the reader's story fields would be
// stale). `dfs`, if given, remembers the term frequencies read from `db`, which must not
// change while it is used (one reader, not reopened). `texts_mu`, if given, is held to read
// `texts` (shared by several threads).
using TermFreqs = std::unordered_map<std::string, Xapian::doccount>;
// `mem`, if it has an index, answers the search instead of `db` (the same documents in the same
// order).
std::vector<Xapian::docid> near_duplicates(const Xapian::Database& db,
                                           const Xapian::Database& texts, Xapian::docid x,
                                           TextCache& cache, double window, const StoryRule& rule,
                                           const InMemoryCandidates& mem, TermFreqs* dfs = nullptr,
                                           std::mutex* texts_mu = nullptr) {
    constexpr std::size_t kMaxCandidates = 50;
    constexpr std::size_t kRareWords = 4;
    std::vector<Xapian::docid> out;
    const TextCache::Entry xe = cache.get(texts, x, texts_mu);
    const TextInfo& xinfo = *xe;
    if (xinfo.story.empty() || xinfo.published.empty()) return out;  // a story of its own
    const double t = Xapian::sortable_unserialise(xinfo.published);
    std::vector<std::pair<Xapian::doccount, std::string>> words;
    for (const std::string& term : xinfo.title_terms) {
        Xapian::doccount df;
        if (mem.index) {
            df = mem.index->termfreq(term);
        } else if (dfs) {
            auto [it, fresh] = dfs->try_emplace(term, 0);
            if (fresh) it->second = db.get_termfreq(term);
            df = it->second;
        } else {
            df = db.get_termfreq(term);
        }
        if (df > 1) words.emplace_back(df, term);  // a word no other article has finds none
    }
    if (words.empty()) return out;
    std::sort(words.begin(), words.end());
    if (words.size() > kRareWords) words.resize(kRareWords);
    std::vector<std::string> days;  // the D terms' values
    for (double day = t - window; day < t + window + 86400; day += 86400)
        days.push_back(day_key(static_cast<int64_t>(day)));
    std::vector<Xapian::docid> found;
    if (mem.index) {
        std::vector<uint32_t> day_numbers;
        for (const auto& d : days) day_numbers.push_back(day_number(d));
        found = mem.index->top(words, day_numbers, mem.docs, mem.avlen, kMaxCandidates + 1);
    } else {
        std::vector<std::string> terms;
        for (const auto& w : words) terms.push_back(w.second);
        found = xapian_candidates(db, terms, days, kMaxCandidates + 1);  // x itself is one
    }
    for (const Xapian::docid c : found) {
        if (c == x) continue;
        const TextCache::Entry ce = cache.get(texts, c, texts_mu);
        const TextInfo& cinfo = *ce;
        const std::string& cdate = cinfo.published;
        if (cdate.empty() || std::abs(Xapian::sortable_unserialise(cdate) - t) > window) continue;
        if (!same_story(xinfo.story, cinfo.story, rule)) continue;
        out.push_back(c);
    }
    return out;
}

}  // namespace

void StoryPass::touch_story_of(const Xapian::Database& db, Xapian::docid did) {
    touched_.insert(did);
    const std::string story = db.get_document(did).get_value(kSlotStory);
    if (story.empty()) return;
    const std::string t = bool_term(FieldId::StoryTerm, story);
    for (auto p = db.postlist_begin(t); p != db.postlist_end(t); ++p) touched_.insert(*p);
}

bool StoryPass::in_memory(const Xapian::Database& db) {
    candidates_.refresh(db);
    return candidates_.usable(db, static_cast<Xapian::doccount>(held_.size()), held_length());
}

Xapian::totallength StoryPass::held_length() const {
    Xapian::totallength n = 0;
    for (Xapian::docid d : held_) n += candidates_.length(d);
    return n;
}

void StoryPass::forget_term(const Xapian::Database& db, const std::string& term) {
    for (auto p = db.postlist_begin(term); p != db.postlist_end(term); ++p) {
        text_.forget(*p);
        candidates_.stale(*p);
    }
}

// The links of `seeds` (what near_duplicates finds for each), into `links`: in `threads`
// threads when there are enough, each searching a reader of its own (Xapian objects are not
// shared between threads), or, searching in memory, all reading `reader` in turns for what the
// text cache lacks (rarely: the candidates are recent articles); the results do not depend on
// the thread count.
void StoryPass::find_links(const std::vector<Xapian::docid>& seeds,
                           const std::function<Xapian::Database()>& open_reader,
                           const Xapian::Database& reader, unsigned threads,
                           const InMemoryCandidates& mem, Links& links) {
    constexpr std::size_t kPerThread = 64;  // fewer seeds are not worth a thread
    const double window = window_days_ * 86400.0;
    std::vector<std::vector<Xapian::docid>> found(seeds.size());
    const auto n = static_cast<unsigned>(
        std::min<std::size_t>(std::max(1u, threads), seeds.size() / kPerThread + 1));
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mu;
    std::mutex read_mu;
    std::mutex* const shared = mem.index ? &read_mu : nullptr;
    auto work = [&](const Xapian::Database& r) {
        try {
            // (Title words repeat: their frequencies read once per reader took an eighth off
            // the candidate searches at 200,000 articles.)
            TermFreqs dfs;
            for (std::size_t i; (i = next++) < seeds.size();)
                found[i] = near_duplicates(r, r, seeds[i], text_, window, rule_, mem, &dfs, shared);
        } catch (...) {
            std::lock_guard<std::mutex> lock(error_mu);
            if (!error) error = std::current_exception();
            next = seeds.size();
        }
    };
    std::vector<std::thread> pool;
    try {
        for (unsigned k = 1; k < n; ++k) {
            if (shared) {
                pool.emplace_back(work, std::cref(reader));
            } else {
                pool.emplace_back(work, open_reader());
            }
        }
    } catch (...) {
        next = seeds.size();
        for (auto& t : pool) t.join();
        throw;
    }
    work(reader);
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
    for (std::size_t i = 0; i < seeds.size(); ++i) links.emplace(seeds[i], std::move(found[i]));
}

// Recomputes the stories of the articles written or removed in this batch (and of the former
// members of their stories): the articles linked to them by the story rule, transitively, are
// split into stories in date order (see the grouping below); a story's id is the id key of its
// first article. Thread count, shards and file order do not change the result; how a
// corpus was split into runs can, since links are found from one side (docs/ranking.md,
// "Stories").
void StoryPass::run(Xapian::WritableDatabase& db,
                    const std::function<Xapian::Database()>& open_reader, unsigned threads,
                    const std::function<void()>& wrote, const DocEdits& edits) {
    constexpr std::size_t kMaxStory = 1000;
    constexpr std::size_t kPrefetchRounds = 4;
    const double window = window_days_ * 86400.0;
    // Each article's links, found once per pass: the closures of several seeds overlap (links
    // are found from one side, so a closure is not always a whole component), and writing story
    // values does not change what an article links to.
    Links links;
    queued_.clear();  // (left by a pass that failed)
    // Seeds in id order, not docid order (a sharded index has other docids).
    std::vector<std::pair<std::string, Xapian::docid>> by_key;
    for (Xapian::docid d : touched_) {
        try {
            by_key.emplace_back(text_.get(db, d)->key, d);
        } catch (const Xapian::DocNotFoundError&) {
        }
    }
    touched_.clear();
    std::sort(by_key.begin(), by_key.end());
    std::vector<Xapian::docid> seeds;
    for (const auto& kd : by_key) seeds.push_back(kd.second);
    // From memory, the pass reads only `db` (whose writes it may not have committed); otherwise
    // it searches the committed state. In threads either way: in memory, the passes of a 200k
    // --full -j2 build went from 10.5-11.0 s to 9.2-9.3 s (with day keys made without snprintf
    // and repair_left_stories scanning the held documents once).
    InMemoryCandidates mem;
    searched_in_memory_ = in_memory(db);
    if (searched_in_memory_) {
        // (With no held documents, these are the database's statistics, as Xapian computes
        // them: Database::get_avlength.)
        const Xapian::doccount docs =
            db.get_doccount() + static_cast<Xapian::doccount>(held_.size());
        const Xapian::totallength total = db.get_total_length() + held_length();
        mem = {&candidates_, docs, docs ? static_cast<double>(total) / double(docs) : 0.0};
    } else if (!held_.empty()) {
        throw std::logic_error("the story pass cannot search documents not written yet");
    }
    Xapian::Database reader = mem.index ? Xapian::Database(db) : open_reader();
    find_links(seeds, open_reader, reader, threads, mem, links);
    // The articles the seeds link to need their own links for the closure below: found here in
    // waves, in threads, rather than one by one on this thread as the closure meets them (a
    // --full build of 200,000 generated articles went from 117-122 s to 95-105 s on 2 cores).
    // An article's links do not depend on when they are found (the pass writes nothing before
    // the grouping), so the stories are the same; the closure still finds any it needs beyond
    // these waves.
    std::vector<Xapian::docid> wave;
    for (std::size_t round = 0, found = 0; round < kPrefetchRounds; ++round) {
        wave.clear();
        std::unordered_set<Xapian::docid> queued;
        for (const auto& [from, to] : links) {
            for (Xapian::docid c : to)
                if (!links.count(c) && queued.insert(c).second) wave.push_back(c);
        }
        found += wave.size();
        if (wave.empty() || found > 4 * seeds.size() + kMaxStory) break;
        std::sort(wave.begin(), wave.end());  // (the order does not matter; sorted to be tidy)
        find_links(wave, open_reader, reader, threads, mem, links);
    }
    auto exists = [&](Xapian::docid d) {  // (and cached)
        try {
            (void)text_.get(db, d);  // (cached for the grouping and assign)
            return true;
        } catch (const Xapian::DocNotFoundError&) {
            return false;
        }
    };
    // Every article reachable from the seeds through links, each one's links found once. Links
    // are found from one side (the candidate search is capped and the rule reads dates), so the
    // closures of two seeds can share an article without containing each other: they are merged
    // below into the components of the undirected link graph, each grouped once, or the second
    // closure would regroup an article of the first and leave the rest of its story behind.
    std::vector<Xapian::docid> reached;
    std::unordered_map<Xapian::docid, Xapian::docid> parent;  // union-find over `reached`
    auto root = [&](Xapian::docid x) {
        while (parent[x] != x) x = parent[x] = parent[parent[x]];
        return x;
    };
    // The links the grouping reads: the seeds' and those of the articles the closure explored
    // (not those the waves above found for articles beyond a closure's kMaxStory cut, which
    // would make the stories depend on how far the waves went).
    std::unordered_set<Xapian::docid> used(seeds.begin(), seeds.end());
    for (Xapian::docid seed : seeds) {
        if (parent.count(seed) || !exists(seed)) continue;
        parent[seed] = seed;
        reached.push_back(seed);
        std::vector<Xapian::docid> queue{seed};
        std::size_t explored = 0;
        while (!queue.empty() && explored++ < kMaxStory) {
            const Xapian::docid x = queue.back();
            queue.pop_back();
            used.insert(x);
            auto found = links.find(x);
            if (found == links.end()) {
                // The writer may have committed on its own (XAPIAN_FLUSH_THRESHOLD) since the
                // reader was opened; the story writes do not change what a search finds.
                std::vector<Xapian::docid> near;
                for (int attempt = 0;; ++attempt) {
                    try {
                        near = near_duplicates(reader, db, x, text_, window, rule_, mem);
                        break;
                    } catch (const Xapian::DatabaseModifiedError&) {
                        if (attempt >= 3) throw;
                        reader.reopen();
                    }
                }
                found = links.emplace(x, std::move(near)).first;
            }
            for (Xapian::docid c : found->second) {
                if (!exists(c)) continue;
                if (!parent.count(c)) {
                    parent[c] = c;
                    reached.push_back(c);
                    queue.push_back(c);
                }
                parent[root(c)] = root(x);
            }
        }
    }
    std::erase_if(links, [&](const auto& l) { return !used.count(l.first); });
    std::map<Xapian::docid, std::vector<Xapian::docid>> components;  // by root
    for (Xapian::docid d : reached) components[root(d)].push_back(d);
    // The story changes are queued and made together: in a --full build by the writer threads,
    // in parallel (41,910 changes took 9.5 s on this thread in a 200k build). The grouping
    // reads no document it already changed (the components are disjoint), so it reads nothing
    // stale from the database meanwhile.
    constexpr std::size_t kMaxQueued = 4096;
    for (const auto& [r, members] : components) {
        group(db, std::set<Xapian::docid>(members.begin(), members.end()), links, wrote);
        if (queued_.size() >= kMaxQueued) apply_edits(db, edits);
    }
    apply_edits(db, edits);
    repair_left_stories(db, wrote, edits);
}

void StoryPass::apply_edits(Xapian::WritableDatabase& db, const DocEdits& edits) {
    if (queued_.empty()) return;
    decltype(queued_) queued;
    queued.swap(queued_);
    for (auto& [d, change] : queued) {
        if (held_.count(d)) {  // not written yet: changed where it waits
            change(edits.held(d));
            ++set_before_writing_;
            continue;
        }
        ++rewrites_;
        DocEdits::Edit edit = [change = std::move(change)](Xapian::WritableDatabase& w,
                                                           Xapian::docid did) {
            Xapian::Document doc = w.get_document(did);
            change(doc);
            w.replace_document(did, doc);
        };
        if (edits.apply) {
            edits.apply(d, std::move(edit));
        } else {
            edit(db, d);
        }
    }
    if (edits.settle) edits.settle();
}

// Splits one component of the link graph into stories and assigns them.
void StoryPass::group(Xapian::WritableDatabase& db, const std::set<Xapian::docid>& comp,
                      const Links& links, const std::function<void()>& wrote) {
    // Linked articles can chain two stories through a third ("Orbital" ~ "Ignite news" ~
    // "Machine Learning updates"): in date order, each joins the first story whose first
    // article it is linked with (the rule matched the two directly), or starts one. The
    // order depends on dates and ids only, so the result does not depend on the seed.
    std::map<Xapian::docid, std::set<Xapian::docid>> linked;
    for (Xapian::docid d : comp) {
        const auto l = links.find(d);
        if (l == links.end()) continue;
        for (Xapian::docid c : l->second) {
            if (!comp.count(c)) continue;
            linked[d].insert(c);
            linked[c].insert(d);
        }
    }
    // Copies of the sort keys: a cache look-up can evict the entry another one returned.
    std::vector<std::tuple<std::string, std::string, Xapian::docid>> dated;
    for (Xapian::docid d : comp) {
        const TextCache::Entry t = text_.get(db, d);
        dated.emplace_back(t->published, t->key, d);
    }
    std::sort(dated.begin(), dated.end());
    std::vector<Xapian::docid> order;
    for (const auto& t : dated) order.push_back(std::get<2>(t));
    std::vector<std::vector<Xapian::docid>> groups;
    std::map<Xapian::docid, std::size_t> group_of_first;
    for (Xapian::docid d : order) {
        std::size_t best = groups.size();
        for (Xapian::docid c : linked[d]) {
            const auto g = group_of_first.find(c);
            if (g != group_of_first.end()) best = std::min(best, g->second);
        }
        if (best == groups.size()) {
            group_of_first.emplace(d, groups.size());
            groups.push_back({d});
        } else {
            groups[best].push_back(d);
        }
    }
    for (const auto& g : groups) assign(db, g, wrote);
}

// Articles of an earlier pass's story that this pass did not reach keep its id and XS term
// while the articles that were regrouped leave it. What remains of each story that lost
// articles is made a story again: its id becomes the id key of the first of the articles still
// holding its term (the rule for every story), and one article left alone is a story of its own
// without a term. So a story id always names the articles holding its term, and every article
// of a story of two or more holds it.
void StoryPass::repair_left_stories(Xapian::WritableDatabase& db,
                                    const std::function<void()>& wrote, const DocEdits& edits) {
    for (int round = 0; round < 4 && !left_.empty(); ++round) {
        std::set<std::string> left;
        left.swap(left_);
        // The held documents holding the term of each story that lost articles (what they hold
        // is known only here), found in one scan: a scan per story took an eighth of the pass.
        // (Each story's changes below move its holders only, possibly into another story of
        // `left`: the holders of the rest are kept up to date.)
        std::map<std::string, std::set<Xapian::docid>> held_holders;
        for (Xapian::docid d : held_) {
            const TextCache::Entry e = text_.get(db, d);
            if (e->story_term && left.count(e->story_id)) held_holders[e->story_id].insert(d);
        }
        for (const std::string& story : left) {
            const std::string term = bool_term(FieldId::StoryTerm, story);
            std::vector<Xapian::docid> holders;
            for (auto p = db.postlist_begin(term); p != db.postlist_end(term); ++p)
                holders.push_back(*p);
            if (auto h = held_holders.find(story); h != held_holders.end())
                holders.insert(holders.end(), h->second.begin(), h->second.end());
            if (holders.empty()) continue;
            assign(db, holders, wrote);
            apply_edits(db, edits);  // (the next story's holders are read from the database)
            if (auto h = held_holders.find(story); h != held_holders.end()) {
                const std::set<Xapian::docid> moved = std::move(h->second);
                held_holders.erase(h);
                for (Xapian::docid d : moved) {
                    const TextCache::Entry e = text_.get(db, d);
                    if (e->story_term && left.count(e->story_id))
                        held_holders[e->story_id].insert(d);
                }
            }
        }
    }
    left_.clear();
}

// Gives the articles of `group` one story: the id key of its first article (the earliest
// published; ties: the smallest key); a multi-article story also gets its XS term. Only
// documents whose story changes are rewritten (the cache knows what each holds); the changes
// are queued for apply_edits().
// (Named after its first article, a story keeps its id when a later article joins it; with
// the smallest key, such a join changed the id users had seen. It saves few writes: most new
// ids of older articles come from a later pass regrouping them, docs/benchmarks.md.)
void StoryPass::assign(Xapian::WritableDatabase& db, const std::vector<Xapian::docid>& group,
                       const std::function<void()>& wrote) {
    std::string story, first;  // the first article's key and its publication date
    for (Xapian::docid d : group) {
        const TextCache::Entry e = text_.get(db, d);
        if (e->key.empty()) continue;
        if (story.empty() || std::tie(e->published, e->key) < std::tie(first, story)) {
            story = e->key;
            first = e->published;
        }
    }
    const bool multi = group.size() > 1;
    const std::string story_term =
        story.empty() ? std::string() : bool_term(FieldId::StoryTerm, story);
    for (Xapian::docid d : group) {
        if (story.empty()) continue;
        std::string old;  // the story of the XS term the document holds, if any
        {
            const TextCache::Entry info = text_.get(db, d);
            if (info->story_id == story && info->story_term == multi) continue;
            if (info->story_term) old = info->story_id;
        }
        if (!old.empty() && (old != story || !multi)) left_.insert(old);  // it left `old`
        queued_.emplace_back(d, [old, story, story_term, multi](Xapian::Document& doc) {
            if (!old.empty()) {
                try {
                    doc.remove_term(bool_term(FieldId::StoryTerm, old));
                } catch (const Xapian::InvalidArgumentError&) {  // (the cache is kept exact)
                }
            }
            if (multi) doc.add_boolean_term(story_term);  // singletons need no term
            doc.add_value(kSlotStory, story);
        });
        text_.set_story(d, story, multi);
        wrote();
    }
}

}  // namespace news
