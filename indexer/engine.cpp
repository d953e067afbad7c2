// The indexer engine: the per-file decision (a file added, changed, gone, or holding an id
// another file holds) and the run (walk, parse in parallel, write in order, commit, prune).
#include "engine.hpp"
#include "engine_impl.hpp"
#include "last_resort.hpp"
#include "pipeline.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xapian.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "date.hpp"
#include "document.hpp"
#include "errors.hpp"
#include "file_table.hpp"
#include "progress.hpp"
#include "schema.hpp"
#include "shards.hpp"
#include "stories.hpp"
#include "text.hpp"
#include "walker.hpp"

namespace fs = std::filesystem;

namespace news {

namespace detail {

// `builder` belongs to the calling thread (TermGenerator and Stem are not thread-safe).
Result Engine::process(const InputFile& f, DocumentBuilder& builder) const {
    Result r;
    bool parsing = false;  // a ParseError then is about the file's content
    try {
        if (opts_.before_read) opts_.before_read(f.key);
        const std::string content = read_file_limited(f.key, opts_.parse.max_file_bytes);
        r.hash = hex64(hash64(content));
        parsing = true;
        ParsedFile parsed =
            parse_article_text(content, file_kind(f.key), f.key, f.rel, opts_.parse);
        parsing = false;
        r.article = std::move(parsed.article);
        r.article.source = f.key;
        r.warnings = std::move(parsed.warnings);
        // --shard K/N: another shard's article is not written here; only its links are kept.
        if (!opts_.dry_run && mine(id_key(r.article.id))) {
            auto built = builder.build(r.article);
            r.doc = std::move(built.doc);
            r.spelling = std::move(built.spelling_words);
            r.text = text_info(story_text_of(r.article), *r.doc);
            r.search = candidate_doc(*r.doc);
        }
        r.ok = true;
    } catch (const ParseError& e) {
        r.error = {e.file(), e.line(), e.column(), e.reason()};
        r.content_error = parsing;
    } catch (const Xapian::Error& e) {
        r.error = {f.key, 0, 0, "cannot index: " + e.get_description()};
    } catch (const std::bad_alloc&) {
        r.error = {f.key, 0, 0, "out of memory while parsing"};
    } catch (const std::exception& e) {
        r.error = {f.key, 0, 0, std::string("internal error while parsing: ") + e.what()};
    }
    return r;
}

void Engine::report_rejection(const Rejection& r) {
    std::fprintf(stderr, "indexer: error: %s\n",
                 format_location(r.file, r.line, r.column, r.reason).c_str());
}

// `doc` is moved out (to a writer thread, with parallel writers).
void Engine::write_article(const Article& a, Xapian::Document& doc,
                           const std::vector<std::string>& spelling, TextInfo&& text,
                           const CandidateDoc& search) {
    const std::string qterm = bool_term("id", a.id);
    std::vector<std::string> links;  // the keys of its `related` entries, in order
    links.reserve(a.related.size());
    for (const auto& r : a.related) links.push_back(id_key(r.id));
    std::vector<std::string> old_links;
    const std::string self = id_key(a.id);
    auto kind = kinds().find(self);
    if (kind != kinds().end() && kind->second.kind == Kind::Full) {
        if (auto did = find_docid(db(), a.id)) {
            old_links = out_links(db().get_document(*did));
            stories_.touch_story_of(db(), *did);  // its old story may split
        }
    }
    Xapian::docid did;
    if (kind == kinds().end()) {
        did = add_doc(self, std::move(doc), links);  // nothing has this id: no lookup needed
    } else if (kind->second.kind == Kind::Stub && !held_keys_.count(self) &&
               written_db().get_termfreq(qterm) > 0) {
        // (Stubs are written at a commit and released with it: one is held only within it.
        // Replacing a document that exists takes no new docid, which the held documents'
        // numbering would not know of.)
        did = written_db().replace_document(qterm, doc);
    } else {
        did = db().replace_document(qterm, doc);
    }
    stories_.touch(did);
    stories_.put(did, std::move(text));
    stories_.note(did, search);
    kinds()[self] = {Kind::Full, {}};
    pending_stubs_.erase(self);
    std::unordered_set<std::string> new_links;
    for (std::size_t i = 0; i < a.related.size(); ++i) {
        new_links.insert(links[i]);
        want_stub(links[i], a.related[i], a.id);
    }
    // Internal shards are merged at the end, which adds up their spelling tables: all of it
    // goes to the first, rather than the words of each shard's articles to each (a word in both
    // was written twice: the spelling took 1.7-1.8 s of a 200k -j2 build, 0.6 s at -j1).
    auto& words = spelling_[merge_shards_ ? 0 : shard_for_key(self, nshards_)];
    for (const auto& w : spelling) ++words[w];
    for (const auto& l : old_links) {
        if (!new_links.count(l)) maybe_remove_stub(l);
    }
}

// The documents holding `term` are about to change other than by write_article.
void Engine::forget_text(const std::string& term) {
    stories_.forget_term(db(), term);
}

bool Engine::remove_article(const std::string& id) {
    const std::string t = bool_term("id", id);
    const std::string key = id_key(id);
    auto k = kinds().find(key);
    if (k == kinds().end() || k->second.kind != Kind::Full) return false;
    auto did = find_docid(db(), id);
    std::vector<std::string> links;
    if (did) {
        links = out_links(db().get_document(*did));
        stories_.touch_story_of(db(), *did);
    }
    // Still listed by other articles: it lives on as a stub.
    std::optional<std::pair<Xapian::Document, std::string>> stub;
    if (referenced(key)) stub = stub_from_referrer(key);
    forget_text(t);
    if (stub) {
        db().replace_document(t, stub->first);
        k->second = {Kind::Stub, stub->second};
        ++stats_.stubs_added;
    } else {
        db().delete_document(t);
        kinds().erase(k);
    }
    ++stats_.deleted;
    owner_.erase(id);
    count_write();
    for (const auto& l : links) maybe_remove_stub(l);
    return true;
}

// The file owning `id` is gone: a file that lost the id to it takes over, if any.
void Engine::promote_duplicate(const std::string& id, const std::string& except_key,
                               const std::string& why) {
    std::string best;
    for (const auto& [key, e] : table_) {
        if (key == except_key || e.owner || e.id != id) continue;
        const auto& b = best.empty() ? e : table_.at(best);
        if (best.empty() || e.mtime_ns > b.mtime_ns || (e.mtime_ns == b.mtime_ns && key > best)) {
            best = key;
        }
    }
    if (best.empty()) return;
    InputFile f;
    f.key = best;
    const TableEntry& e = table_.at(best);
    f.size = e.size;
    f.mtime_ns = e.mtime_ns;
    const auto data = fs::path(best);
    f.rel = data.filename().string();
    Result r = process(f, builder_);
    if (!r.ok || r.article.id != id) {
        // Changed since; forget it so the next run parses it afresh.
        table_.erase(best);
        erased_.insert(best);
        return;
    }
    write_article(r.article, *r.doc, r.spelling, std::move(r.text), r.search);
    table_[best].owner = true;
    dirty_.insert(best);
    owner_[id] = best;
    stats_.notes.push_back(best + ": now holds id " + id + " (" + why + ")");
    count_write();
}

// --shard K/N: the article of `f` belongs to another shard. It is not written here; only its
// links to this shard's articles are kept (they keep stubs alive and may describe them).
void Engine::apply_foreign(const InputFile& f, Result&& r) {
    const Article& a = r.article;
    auto entry = table_.find(f.key);
    std::optional<TableEntry> old;
    if (entry != table_.end()) old = entry->second;
    if (old && !old->foreign && old->owner) {
        // The file held an article of this shard: it changed id and left.
        remove_article(old->id);
        promote_duplicate(old->id, f.key);
    }
    TableEntry fresh{f.size, f.mtime_ns, r.hash, a.id, /*owner=*/false, /*foreign=*/true, {}};
    std::unordered_set<std::string> keep;
    for (const auto& ref : a.related) {
        const std::string key = id_key(ref.id);
        if (!mine(key) || !keep.insert(key).second) continue;
        fresh.links.push_back(key);
        xref_[key][f.key] = a.id;
        xref_dirty_.insert(key);
        want_stub(key, ref, a.id);
    }
    table_[f.key] = fresh;
    dirty_.insert(f.key);
    if (old && old->foreign)
        drop_foreign_links(f.key, *old, old->id == a.id ? keep : decltype(keep){});
    ++stats_.foreign;
}

// Forgets the links a foreign file (as it was: `e`) made, except to the keys in `keep`.
void Engine::drop_foreign_links(const std::string& path, const TableEntry& e,
                                const std::unordered_set<std::string>& keep) {
    for (const auto& key : e.links) {
        if (keep.count(key)) continue;
        auto x = xref_.find(key);
        if (x != xref_.end()) {
            auto p = x->second.find(path);
            if (p != x->second.end() && p->second == e.id) {
                x->second.erase(p);
                xref_dirty_.insert(key);
            }
        }
        maybe_remove_stub(key);
    }
}

// A file that could not become an article: reported; the old document, if any, stays, and so
// does its table row. What is wrong with its content is remembered: not read again while
// unchanged (unless --retry-rejected). Errors reading it or over a limit are not: a chmod or a
// larger --max-file-size changes them without changing the file.
void Engine::reject(const InputFile& f, Result&& r) {
    ++stats_.rejected;
    report_rejection(r.error);
    if (db_ && r.content_error) {
        rejected_[f.key] = {f.size, f.mtime_ns, r.error.line, r.error.column, r.error.reason};
        rejected_dirty_.insert(f.key);
    } else if (rejected_.erase(f.key)) {
        rejected_dirty_.insert(f.key);
    }
    stats_.rejections.push_back(std::move(r.error));
}

void Engine::apply(const InputFile& f, Result&& r) {
    if (!r.ok) {
        reject(f, std::move(r));
        return;
    }
    if (rejected_.erase(f.key)) rejected_dirty_.insert(f.key);
    if (!r.warnings.empty()) {
        ++stats_.warned_files;
        for (auto& w : r.warnings) {
            if (opts_.print_warnings)
                std::fprintf(stderr, "indexer: warning: %s\n", w.to_string().c_str());
            stats_.warnings.push_back(std::move(w));
        }
    }
    if (opts_.dry_run) {
        dry_run_apply(f, r.article.id);
        return;
    }
    const Article& a = r.article;
    auto entry = table_.find(f.key);
    if (entry != table_.end() && entry->second.hash == r.hash && !opts_.full) {
        entry->second.size = f.size;  // touched, not changed
        entry->second.mtime_ns = f.mtime_ns;
        dirty_.insert(f.key);
        ++stats_.unchanged;
        return;
    }
    if (opts_.shard_count && !mine(id_key(a.id))) {
        apply_foreign(f, std::move(r));
        return;
    }
    std::optional<TableEntry> was_foreign;  // --shard K/N: its article moved to this shard
    if (entry != table_.end() && entry->second.foreign) was_foreign = entry->second;
    bool existed = false;
    if (entry != table_.end() && entry->second.owner) {
        existed = true;
        if (entry->second.id != a.id) {
            const std::string old_id = entry->second.id;
            entry->second.owner = false;
            entry->second.id.clear();
            if (remove_article(old_id)) --stats_.deleted;  // this file was updated, not deleted
            promote_duplicate(old_id, f.key);
        }
    }
    TableEntry fresh{f.size, f.mtime_ns, r.hash, a.id, true, false, {}};
    auto own = owner_.find(a.id);
    if (own != owner_.end() && own->second == f.key && dup_ids_.count(a.id)) {
        // The file holding the id changed, and another file has the id too: the newer one holds
        // it (ties: the larger path), as in a --full run, even if this file just became older.
        std::string best;
        for (const auto& [key, e] : table_) {
            if (key == f.key || e.foreign || e.id != a.id) continue;
            if (best.empty() || e.mtime_ns > table_.at(best).mtime_ns ||
                (e.mtime_ns == table_.at(best).mtime_ns && key > best))
                best = key;
        }
        if (!best.empty() && (table_.at(best).mtime_ns > f.mtime_ns ||
                              (table_.at(best).mtime_ns == f.mtime_ns && best > f.key))) {
            fresh.owner = false;
            table_[f.key] = fresh;
            dirty_.insert(f.key);
            promote_duplicate(a.id, f.key, "it is newer than " + f.key);
            if (owner_.at(a.id) != f.key) {
                ++stats_.duplicates;
                stats_.notes.push_back(f.key + ": duplicate id " + a.id + "; kept the newer " +
                                       best);
                return;
            }
            fresh.owner = true;  // the other file could not be read any more: this one keeps it
        }
    }
    if (own != owner_.end() && own->second != f.key) {
        const std::string other_key = own->second;
        const TableEntry& other = table_.at(other_key);
        const bool other_wins =
            other.mtime_ns > f.mtime_ns || (other.mtime_ns == f.mtime_ns && other_key > f.key);
        if (other_wins) {
            fresh.owner = false;
            table_[f.key] = fresh;
            dirty_.insert(f.key);
            dup_ids_.insert(a.id);
            if (was_foreign) drop_foreign_links(f.key, *was_foreign, {});
            ++stats_.duplicates;
            stats_.notes.push_back(f.key + ": duplicate id " + a.id + "; kept the newer " +
                                   other_key);
            return;
        }
        table_[other_key].owner = false;
        dirty_.insert(other_key);
        dup_ids_.insert(a.id);
        ++stats_.duplicates;
        stats_.notes.push_back(other_key + ": duplicate id " + a.id + "; replaced by the newer " +
                               f.key);
        existed = true;
    }
    const auto k = kinds().find(id_key(a.id));
    if (k != kinds().end() && k->second.kind == Kind::Full) existed = true;
    write_article(a, *r.doc, r.spelling, std::move(r.text), r.search);
    table_[f.key] = fresh;
    dirty_.insert(f.key);
    owner_[a.id] = f.key;
    if (was_foreign) drop_foreign_links(f.key, *was_foreign, {});
    if (!existed) {
        ++stats_.added;
        added_ids_.insert(hash64(a.id));
    } else if (!added_ids_.count(hash64(a.id))) {
        ++stats_.updated;
    }  // else a newer file with an id this run added: counted as a duplicate, not an update
    count_write();
}

// --dry-run: what a real run would count, without an index (as if it were empty): duplicate
// ids resolved the same way (the newer file holds the id; ties: the larger path).
void Engine::dry_run_apply(const InputFile& f, const std::string& id) {
    auto [it, fresh] = dry_owner_.try_emplace(id, &f);
    if (fresh) {
        ++stats_.added;
        return;
    }
    ++stats_.duplicates;
    const InputFile& other = *it->second;
    if (other.mtime_ns > f.mtime_ns || (other.mtime_ns == f.mtime_ns && other.key > f.key)) {
        stats_.notes.push_back(f.key + ": duplicate id " + id + "; kept the newer " + other.key);
    } else {
        stats_.notes.push_back(other.key + ": duplicate id " + id + "; replaced by the newer " +
                               f.key);
        it->second = &f;
    }
}

namespace {

// The single writer is the bottleneck of a build: when parser threads and the writer compete
// for the cores, the kernel should prefer the writer (parsers run ahead anyway, as far as the
// ring lets them). Lowers the calling thread's priority, relative to the process's own
// niceness; failure just leaves it as it is.
void lower_thread_priority() {
    const auto tid = static_cast<id_t>(::gettid());
    errno = 0;
    const int nice = ::getpriority(PRIO_PROCESS, tid);
    if (errno == 0) (void)::setpriority(PRIO_PROCESS, tid, std::min(19, nice + 5));
}

// Whether the table key `key` is one of `roots` or lies under one of them.
bool under_roots(const std::string& key, const std::vector<std::string>& roots) {
    return std::any_of(roots.begin(), roots.end(), [&](const std::string& r) {
        return key == r || (key.size() > r.size() && key.compare(0, r.size(), r) == 0 &&
                            (r.back() == '/' || key[r.size()] == '/'));
    });
}

}  // namespace

IndexStats Engine::run() {
    const auto start = Clock::now();
    // A path that does not exist is a mistake on the command line, not a file to reject: the run
    // stops before it creates or changes anything.
    for (const auto& in : opts_.inputs) {
        struct stat st {};
        if (::stat(in.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR))
            throw UsageError("no such file or directory: '" + in.string() + "'");
    }
    // The index is opened and its state read on a thread of its own while the inputs are walked:
    // at 200,000 files each takes about half a second, most of a run that changes nothing. The
    // two share nothing (the walk fills the walker and stats_, the opening the index members).
    std::exception_ptr open_error;
    std::thread opener;
    if (!opts_.dry_run) {
        opener = std::thread([this, &open_error] {
            try {
                // With --wait, another run's --full can swap a new index in while this one waits
                // for the old one's lock: the lock it then gets is not the new index's.
                struct stat before {
                }, after{};
                const bool existed = ::stat(live_.c_str(), &before) == 0;
                open_db();
                if (existed && (::stat(live_.c_str(), &after) != 0 ||
                                after.st_ino != before.st_ino || after.st_dev != before.st_dev)) {
                    throw IndexError("index '" + opts_.index.string() +
                                     "' was replaced by a rebuild (indexer --full) while this run "
                                     "waited for it; run again");
                }
                if (!opts_.full) load_state();
            } catch (...) {
                open_error = std::current_exception();
            }
        });
    }
    Walker walker(stats_);
    if (!opts_.dry_run) {
        walker.exclude_dir(opts_.index);
        walker.exclude_dir(staging_);
    }
    try {
        for (const auto& in : opts_.inputs) walker.add_input(in);
    } catch (...) {
        if (opener.joinable()) opener.join();
        throw;
    }
    if (opener.joinable()) opener.join();
    for (const auto& r : stats_.rejections) report_rejection(r);
    if (open_error) std::rethrow_exception(open_error);
    std::vector<InputFile> files = walker.take_files();
    stats_.files_seen = files.size();

    std::unordered_set<std::string> seen;
    const std::vector<const InputFile*> work = files_to_parse(files, seen);
    if (db_ && !work.empty()) (void)kinds();  // before anything is written
    parse_and_apply(work);

    stats_.interrupted = stopping();
    if (db_ && opts_.prune && !stats_.interrupted) prune(walker, seen);
    if (db_) finish_index();
    stats_.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
    return stats_;
}

// The files of this run that need parsing: all of them, except (unless --full or --dry-run)
// those whose size and mtime match their file table row, which count as unchanged, and those an
// earlier run rejected and that are unchanged since (unless --retry-rejected). Every file's key
// goes into `seen`.
std::vector<const InputFile*> Engine::files_to_parse(const std::vector<InputFile>& files,
                                                     std::unordered_set<std::string>& seen) {
    std::vector<const InputFile*> work;
    for (const auto& f : files) {
        seen.insert(f.key);
        if (!opts_.dry_run && !opts_.full) {
            auto r = rejected_.find(f.key);
            if (!opts_.retry_rejected && r != rejected_.end() && r->second.size == f.size &&
                r->second.mtime_ns == f.mtime_ns) {
                stats_.still_rejected.push_back(
                    {f.key, r->second.line, r->second.column, r->second.reason});
                continue;
            }
            auto e = table_.find(f.key);
            if (e != table_.end() && e->second.size == f.size && e->second.mtime_ns == f.mtime_ns) {
                ++stats_.unchanged;
                // Back as it was indexed (a restore): no longer rejected.
                if (r != rejected_.end()) {
                    rejected_dirty_.insert(f.key);
                    rejected_.erase(r);
                }
                continue;
            }
        }
        work.push_back(&f);
    }
    return work;
}

// Parses `work` in --jobs threads and applies the results in file order on this thread (the
// only writer), through the ordered pipeline (pipeline.hpp): parsers run at most a bounded
// number of files ahead of the writer; a stop request ends the run after the files already
// taken; an exception from applying stops the parsers and is rethrown once they have finished.
void Engine::parse_and_apply(const std::vector<const InputFile*>& work) {
    const unsigned jobs = threads();
    PipelineOptions po;
    po.workers = jobs;
    // With parallel writers, parsing is the next bottleneck: the parsers keep going while the
    // writers commit and the story pass runs (4,096 parsed articles of a news corpus take about 80
    // MB). At 200,000 articles, -j2 --writers 2: the writer waited 30 s for parsers with 32 slots,
    // 0.7 s with 4,096, and the build took 105 s instead of 119 s. The same where the writer
    // holds new documents until the story pass (hold_), whose commits are bursts: a 200k -j1
    // build took 89-93 s with 64 slots, 61-63 s with 4,096.
    po.ahead = writers_ || hold_ ? 4096 : std::max<std::size_t>(64, std::size_t{jobs} * 16);
    // and at most 256 MiB of files (a corpus of large files must not fill the memory).
    po.weight = [&work](std::size_t i) { return static_cast<std::size_t>(work[i]->size); };
    po.max_weight = std::size_t{256} << 20;
    po.stop = [this] { return stopping(); };
    po.waited = [this](double s) { stats_.times.wait += s; };
    Progress progress(opts_.progress, work.size());
    // Each parser thread's own document builder, released when it returns (not thread_local:
    // nothing of a run outlives it).
    auto make_parser = [this, &work] {
        if (!opts_.dry_run) lower_thread_priority();
        return [this, &work, builder = std::make_unique<DocumentBuilder>(opts_.language)](
                   std::size_t i) { return process(*work[i], *builder); };
    };
    auto write = [&](std::size_t i, Result&& r) {
        stats_.bytes_parsed += work[i]->size;
        const double c0 = commit_s_;
        {
            Stopwatch sw(stats_.times.write);
            apply(*work[i], std::move(r));
        }
        stats_.times.write -= commit_s_ - c0;  // the commits it ran count on their own
        progress.update(i + 1, stats_.bytes_parsed, stats_.rejected);
    };
    try {
        (void)run_ordered<Result>(work.size(), po, make_parser, write);
    } catch (...) {
        progress.finish();
        throw;
    }
    progress.finish();
}

// --prune: the files of the table under this run's input roots that the walk did not see
// (`seen`) are gone. Their rows are dropped and their articles removed (or their foreign
// links dropped), in path order.
void Engine::prune(const Walker& walker, const std::unordered_set<std::string>& seen) {
    // A root under which the walk found nothing at all is more likely an unmounted disk or a
    // folder being rewritten than a corpus deleted on purpose: its articles are kept (unless
    // --prune was given explicitly), and a note says so.
    std::vector<std::string> roots, empty;
    for (const auto& r : walker.roots()) {
        const bool found = std::any_of(seen.begin(), seen.end(),
                                       [&](const std::string& k) { return under_roots(k, {r}); });
        (found || opts_.prune_empty_inputs ? roots : empty).push_back(r);
    }
    for (const auto& r : empty) {
        const auto n = std::count_if(table_.begin(), table_.end(),
                                     [&](const auto& e) { return under_roots(e.first, {r}); });
        if (n > 0) {
            stats_.notes.push_back(
                "nothing found under " + r + ": its " + std::to_string(n) +
                (n == 1 ? " file was" : " files were") +
                " not pruned (an unmounted disk?); --prune given explicitly or --full drops them");
        }
    }
    auto gone = [&](const std::string& key) {
        return !seen.count(key) && under_roots(key, roots) &&
               !under_roots(key, walker.unreadable());
    };
    const double c0 = commit_s_;
    const auto p0 = Clock::now();
    std::vector<std::string> vanished;
    for (const auto& [key, e] : table_) {
        if (gone(key)) vanished.push_back(key);
    }
    std::sort(vanished.begin(), vanished.end());
    for (auto r = rejected_.begin(); r != rejected_.end();) {
        if (gone(r->first)) {
            rejected_dirty_.insert(r->first);
            r = rejected_.erase(r);
        } else {
            ++r;
        }
    }
    for (const auto& key : vanished) {
        const TableEntry e = table_.at(key);
        table_.erase(key);
        dirty_.erase(key);
        erased_.insert(key);
        if (e.owner) {
            remove_article(e.id);
            promote_duplicate(e.id, key);
        } else if (e.foreign) {
            drop_foreign_links(key, e, {});
        }
    }
    stats_.times.prune += std::chrono::duration<double>(Clock::now() - p0).count() -
                          (commit_s_ - c0);  // the commits it ran count on their own
}

// The end of a run with an index: the last commit (none when nothing changed, so a no-change
// run leaves the index untouched; always with --full), then --compact unless interrupted.
void Engine::finish_index() {
    const bool work = pending_writes_ > 0 || !dirty_.empty() || !erased_.empty() ||
                      !stories_.touched().empty() || !pending_stubs_.empty() ||
                      !xref_dirty_.empty() || !rejected_dirty_.empty() || fresh_;
    if (rebuilding_ && stats_.interrupted) {
        discard_rebuild();
        stats_.notes.push_back(
            "the --full rebuild was interrupted: the index is as it was before "
            "it; run --full again to rebuild it");
        return;
    }
    if (work || opts_.full) commit();
    if (merge_shards_) {
        Stopwatch sw(stats_.times.compact);
        merge();  // which compacts as well
    } else if (opts_.compact && !stats_.interrupted) {
        Stopwatch sw(stats_.times.compact);
        compact();
    }
    if (rebuilding_ && stopping()) {  // SIGINT during the last commit, the merge or compaction
        discard_rebuild();
        stats_.interrupted = true;
        stats_.notes.push_back(
            "the --full rebuild was interrupted: the index is as it was before "
            "it; run --full again to rebuild it");
        return;
    }
    if (rebuilding_) finish_rebuild();
}

}  // namespace detail

namespace {

// What a user should know when writing the index failed because of the disk, or "": what
// happened, and what the index holds: its last commit (commits are atomic), the old index (a
// --full rebuild beside it), or what a --full rebuilt in place had committed.
std::string storage_cause(const IndexOptions& opts, bool in_place, const std::string& detail) {
    auto has = [&](int err) { return detail.find(std::strerror(err)) != std::string::npos; };
    const std::string kept = what_the_index_keeps(opts.full && !in_place, in_place);
    if (has(ENOSPC) || has(EDQUOT))
        return "the disk is full; " + kept + ": free some space and run the indexer again";
    if (has(EROFS) || has(EACCES) || has(EPERM))
        return "the index directory is not writable; " + kept;
    if (has(EIO)) return "an I/O error; " + kept;
    return "";
}

IndexError index_error(const IndexOptions& opts, bool in_place, const std::string& detail) {
    const std::string cause = storage_cause(opts, in_place, detail);
    if (cause.empty()) return IndexError(detail);
    return IndexError("index '" + opts.index.string() + "': " + cause + " (" + detail + ")");
}

}  // namespace

IndexStats run_index(const IndexOptions& opts) {
    last_resort_index(opts.index, false);
    detail::Engine engine(opts);
    try {
        return engine.run();
    } catch (const Xapian::DatabaseLockError& e) {
        throw index_error(opts, engine.rebuilding_in_place(),
                          detail::lock_error(opts.index.string(), e).what());
    } catch (const Xapian::Error& e) {
        throw index_error(opts, engine.rebuilding_in_place(),
                          "index '" + opts.index.string() + "': " + e.get_description());
    } catch (const fs::filesystem_error& e) {
        throw index_error(opts, engine.rebuilding_in_place(), e.what());
    } catch (const IndexError& e) {
        throw index_error(opts, engine.rebuilding_in_place(), e.what());
    }
}

}  // namespace news
