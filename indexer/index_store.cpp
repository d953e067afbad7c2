// The index store of the indexer engine: opening (or creating) the database and its shards,
// checking their metadata, the docid interleave across shards, loading the file table, commit
// order and compaction.
#include "engine_impl.hpp"
#include "last_resort.hpp"

namespace news::detail {

Xapian::WritableDatabase Engine::open_one(const fs::path& dir, int flags) {
    const std::string path = dir.string();
    try {
        std::error_code ec;
        fs::create_directories(dir, ec);
        try {
            return Xapian::WritableDatabase(path, flags);
        } catch (const Xapian::DatabaseNotFoundError&) {
            // A run killed while creating the index leaves table files but no revision file
            // (iamglass): nothing was ever committed, so start afresh instead of failing forever.
            if (fs::exists(dir / "iamglass", ec)) throw;
            for (const auto& e : fs::directory_iterator(dir, ec)) {
                const std::string name = e.path().filename().string();
                if (name.ends_with(".glass") || name.ends_with(".tmp") || name == "flintlock") {
                    fs::remove(e.path(), ec);
                }
            }
            return Xapian::WritableDatabase(path, flags);
        }
    } catch (const Xapian::DatabaseLockError& e) {
        throw lock_error(path, e);
    } catch (const Xapian::Error& e) {
        throw IndexError("cannot open index '" + path + "' for writing: " + e.get_description());
    }
}

// Schema version, language and shard identity of one database: set on a new one, checked on
// an existing one.
void Engine::check_shard_meta(Xapian::WritableDatabase& db, const std::string& path,
                              const std::string& shard) {
    const std::string version = db.get_metadata(kMetaSchemaVersion);
    if (version.empty()) {
        if (db.get_doccount() > 0) {
            throw IndexError("index '" + path +
                             "' was not written by this indexer; rebuild it with --full");
        }
        db.set_metadata(kMetaSchemaVersion, std::to_string(kSchemaVersion));
        db.set_metadata(kMetaLanguage, opts_.language);
        db.set_metadata(kMetaShard, shard);
        fresh_ = true;
        return;
    }
    if (version != std::to_string(kSchemaVersion)) {
        throw IndexError("index '" + path + "' has schema version " + version +
                         ", this indexer writes version " + std::to_string(kSchemaVersion) +
                         "; rebuild it with --full");
    }
    if (db.get_metadata(kMetaLanguage) != opts_.language) {
        throw IndexError("index '" + path + "' was built with language '" +
                         db.get_metadata(kMetaLanguage) + "', not '" + opts_.language +
                         "'; rebuild it with --full to change it");
    }
    const std::string have = db.get_metadata(kMetaShard);
    if (have != shard) {
        auto describe = [](const std::string& s) {
            return s.empty() ? std::string("a whole index") : "shard " + s;
        };
        throw IndexError("index '" + path + "' is " + describe(have) + ", not " + describe(shard) +
                         "; rebuild it with --full to change its sharding");
    }
}

void Engine::open_db() {
    const fs::path live = opts_.index;
    std::error_code ec;
    const bool has_stub = fs::exists(live / kStubFileName, ec);
    bool has_glass = fs::exists(live / "iamglass", ec);
    unsigned existing = 0;  // shards of an existing sharded index
    if (has_stub) {
        for (const auto& loc : read_stub_file(live / kStubFileName)) {
            if (loc.remote) {
                throw IndexError("index '" + live.string() + "' lists a remote shard (" +
                                 loc.spec() + "): build each shard where it lives");
            }
            ++existing;
        }
    }
    unsigned n;
    if (opts_.full) {
        n = opts_.shards ? opts_.shards : (existing ? existing : 1);
    } else if (existing) {
        if (opts_.shards && opts_.shards != existing) {
            throw IndexError("index '" + live.string() + "' has " + std::to_string(existing) +
                             " shards, not " + std::to_string(opts_.shards) +
                             "; rebuild it with --full to change the number of shards");
        }
        n = existing;
    } else if (has_glass && opts_.shards > 1) {
        throw IndexError("index '" + live.string() +
                         "' is not sharded; rebuild it with --full --shards " +
                         std::to_string(opts_.shards));
    } else {
        n = opts_.shards ? opts_.shards : 1;
    }
    if (opts_.shard_count && n > 1) {
        throw UsageError(
            opts_.shards ? std::string("--shard K/N builds one shard; it does not go with --shards")
                         : "index '" + live.string() + "' has " + std::to_string(n) +
                               " shards; --shard K/N builds a single shard index");
    }
    // --full builds a new index beside where it will be, too: an empty index there holds the
    // lock meanwhile (and is what a killed build leaves). Parallel writers need that, and a
    // build beside the index is faster with any number: its commits are not synced one by one,
    // and its new documents wait for their stories (hold_ below): with one writer (-j1), a
    // first 200k build went from 78-84 s to 61-63 s. A killed first build now starts again
    // rather than going on from its last commit, as with several writers.
    // (Only for the default layout, one index: a killed first --full --shards N build keeps
    // its shards in place, so that the next run carries on. Not where the index directory
    // exists and cannot be swapped, a mount point: that is built in place, by one writer.)
    const unsigned writers = full_build_writers(n);
    if (opts_.full && !opts_.dry_run && !opts_.shard_count && n == 1 && !has_stub && !has_glass &&
        (!fs::exists(live, ec) || why_not_swappable(live).empty())) {
        // (Searchable, with no articles: schema, language and "a whole index" set.)
        Xapian::WritableDatabase empty = open_one(live, Xapian::DB_CREATE_OR_OPEN);
        check_shard_meta(empty, live.string(), "");
        empty.commit();
        empty.close();
        has_glass = true;
    }
    // --full over an index that exists builds beside it and swaps it in at the end, so that
    // searches keep answering from the old index until then (whatever its layout was).
    if (opts_.full && (has_stub || has_glass) &&
        !begin_rebuild(has_stub ? live / shard_dir_name(0) : live)) {
        clear_in_place(live, has_glass, existing);
    }
    rebuilding_in_place_ = opts_.full && !rebuilding_;
    if (rebuilding_in_place_) last_resort_index(opts_.index, true);
    const fs::path index = root();
    int flags = opts_.full ? Xapian::DB_CREATE_OR_OVERWRITE : Xapian::DB_CREATE_OR_OPEN;
    if (opts_.wait_for_lock) flags |= Xapian::DB_RETRY_LOCK;
    // A copy built beside the index is discarded if the run fails or is killed, so its commits
    // need not reach the disk one by one: finish_rebuild() syncs the whole copy once, before the
    // swap. (Each commit's fsyncs were about 3 s of a 200,000-article build's 17 s of flushes.)
    if (rebuilding_) flags |= Xapian::DB_NO_SYNC;
    // One index built by several writers: as internal shards of the staging directory, merged
    // into one index at the end (merge()).
    merge_shards_ = n == 1 && writers > 1 && rebuilding_;
    if (merge_shards_) n = writers;
    nshards_ = n;
    if (n == 1) {
        shards_.push_back(open_one(index, flags));
        shard_paths_.push_back(index.string());
        const std::string part = opts_.shard_count ? std::to_string(opts_.shard_index) + "/" +
                                                         std::to_string(opts_.shard_count)
                                                   : std::string();
        check_shard_meta(shards_[0], index.string(), part);
        db_.emplace(shards_[0]);
    } else {
        db_.emplace();
        std::vector<std::string> dirs;
        for (unsigned i = 0; i < n; ++i) {
            const fs::path dir = index / shard_dir_name(i);
            shards_.push_back(open_one(dir, flags));
            shard_paths_.push_back(dir.string());
            check_shard_meta(shards_.back(), dir.string(),
                             std::to_string(i) + "/" + std::to_string(n));
            db_->add_database(shards_.back());
            next_local_.push_back(shards_.back().get_lastdocid() + 1);
            dirs.push_back(shard_dir_name(i));
        }
        const fs::path stub = index / kStubFileName;
        bool same = merge_shards_;  // internal shards: no stub file lists them
        if (has_stub && !rebuilding_) {
            try {
                const auto locs = read_stub_file(stub);
                same = locs.size() == n;
                for (unsigned i = 0; same && i < n; ++i)
                    same = locs[i].path == (index / dirs[i]).lexically_normal().string();
            } catch (const IndexError&) {
            }
        }
        if (!same) write_stub_file(stub, dirs);
    }
    spelling_.resize(n);
    // Every document of this index will be written by this run, which can then keep the story
    // pass's candidate search in memory.
    const bool empty = db_->get_doccount() == 0;
    if (empty) stories_.index_is_empty();
    if (opts_.full && n > 1 && rebuilding_) start_writers();
    // A batch's new documents wait for its story pass, which gives them their stories before
    // they are written (rather than rewriting 38,000 of 200,000 just written: Xapian reads back
    // every term and position of a document to add one term). Only where the pass can search
    // them in memory, and only in a build beside the index (a crash discards it: held
    // documents are not in any commit); written by the writer threads, or by this thread into
    // one database (-j1).
    hold_ = (writers_ || nshards_ == 1) && rebuilding_ && empty && opts_.story_candidates_in_memory;
    if (hold_ && nshards_ == 1) next_local_.assign(1, db_->get_lastdocid() + 1);
    if (opts_.writers > 1 && !writers_) {
        stats_.notes.push_back(
            "--writers " + std::to_string(opts_.writers) +
            " was not used: writer threads write --full builds beside the index, of one index " +
            "or --shards N (one per shard), not --shard K/N");
    }
    // This run holds the index's lock now: a staging directory left by a killed --full is no
    // other writer's.
    if (!rebuilding_) fs::remove_all(staging_, ec);
}

// --full where the index cannot be rebuilt beside itself (why_not_swappable): the old layout's
// files go, since they would shadow or confuse the new one; the databases themselves are
// overwritten when opened. Another writer of the old layout (which locks other files than the
// new layout's) must not hold it.
void Engine::clear_in_place(const fs::path& index, bool has_glass, unsigned existing) {
    std::error_code ec;
    std::vector<fs::path> old;
    if (has_glass) old.push_back(index);
    for (unsigned i = 0; i < existing; ++i) old.push_back(index / shard_dir_name(i));
    for (const auto& p : old) {
        if (!fs::exists(p / "iamglass", ec)) continue;
        try {
            Xapian::WritableDatabase probe(
                p.string(), Xapian::DB_OPEN | (opts_.wait_for_lock ? Xapian::DB_RETRY_LOCK : 0));
            probe.close();
        } catch (const Xapian::DatabaseLockError& e) {
            throw lock_error(p.string(), e);
        } catch (const Xapian::Error&) {
            // Unreadable: it is being replaced anyway.
        }
    }
    const unsigned n = opts_.shards ? opts_.shards : (existing ? existing : 1);
    if (n > 1 && has_glass) {
        for (const auto& e : fs::directory_iterator(index, ec)) {
            const std::string name = e.path().filename().string();
            if (name.ends_with(".glass") || name == "iamglass" || name == "flintlock")
                fs::remove(e.path(), ec);
        }
    }
    if (n == 1 && existing) fs::remove(index / kStubFileName, ec);
    for (unsigned i = n > 1 ? n : 0; i < existing; ++i)
        fs::remove_all(index / shard_dir_name(i), ec);
}

// A new document goes to the shard of its id: with several shards, at the next unused docid
// of that shard (Xapian interleaves the docids of sub-databases: docid d lives in shard
// (d - 1) % N), since add_document would pick shards round-robin.
// One database holding documents back numbers them itself, as add_document would (the next
// docid after both its last one and those held).
Xapian::docid Engine::add_doc(const std::string& key, Xapian::Document&& doc,
                              const std::vector<std::string>& links) {
    if (nshards_ == 1 && !hold_) return db_->add_document(doc);
    const unsigned s = nshards_ == 1 ? 0 : shard_for_key(key, nshards_);
    if (nshards_ == 1) next_local_[0] = std::max(next_local_[0], db_->get_lastdocid() + 1);
    const Xapian::docid local = next_local_[s]++;
    const Xapian::docid global = (local - 1) * nshards_ + s + 1;
    if (hold_) {
        // (From the article, not the document's term list: walking that cost this thread
        // about 1.4 s of a 200k build.)
        held_links_.insert(links.begin(), links.end());
        held_keys_.insert(key);
        held_at_[global] = held_.size();
        held_.push_back({s, local, std::move(doc)});
        stories_.hold(global);
    } else if (writers_) {
        writers_->add(s, local, std::move(doc));
    } else {
        db_->replace_document(global, doc);
    }
    return global;
}

// The held documents (add_doc) go to the writer threads, or are written here, with what the
// story pass gave them.
void Engine::release_held() {
    if (!stories_.holds_any() && held_.empty()) return;
    for (auto& h : held_) {
        if (writers_) {
            writers_->add(h.shard, h.local, std::move(h.doc));
        } else {
            shards_[h.shard].replace_document(h.local, h.doc);
        }
    }
    held_.clear();
    held_at_.clear();
    held_keys_.clear();
    held_links_.clear();
    stories_.release();
}

// Shard 0 holds the file table, so it commits last: after a crash in between, the other
// shards may hold documents the table does not list yet, which the next run re-indexes
// (upserts by id) instead of losing them. (Not in a build beside the index: see below.)
void Engine::commit_all() {
    if (writers_) {
        // (In a build beside the index, which a crash discards, all at once: shard 0 committing
        // alone after the others left a core idle at every commit.)
        writers_->commit(!rebuilding_);
        return;
    }
    for (auto it = shards_.rbegin(); it != shards_.rend(); ++it) it->commit();
}

// Parallel writers pay off only where a build writes many new documents and reads little back:
// --full. They need a build beside the live index (a killed build must not leave half of one
// where it is searched); --shard K/N and --dry-run write one shard or none. One writer per
// shard (up to 64 shards; more are written by the engine's thread alone, as before), and a
// build of one index uses as many writers as parser threads, at most 4 (each writer's part is
// merged at the end; only 1 and 2 writers were measured, on 2 cores: docs/benchmarks.md).
unsigned Engine::full_build_writers(unsigned n) const {
    if (!opts_.full || opts_.dry_run || opts_.shard_count) return 1;
    if (n > 1) return n <= 64 ? n : 1;
    const unsigned w = opts_.writers ? opts_.writers : std::min(threads(), 4u);
    return std::max(1u, w);
}

void Engine::start_writers() {
    writers_ = std::make_unique<ShardWriters>(shards_);
    stats_.times.writers = static_cast<unsigned>(shards_.size());
}

// The internal shards of a --full build by several writers become one index in the staging
// directory: Xapian's compactor merges them (renumbering docids, which nothing stored refers
// to: story ids are article ids, and the story pass is done), so the result is compacted too.
void Engine::merge() {
    const fs::path top = staging_;
    const fs::path out = top / ".merged";
    std::error_code ec;
    fs::remove_all(out, ec);
    close_all();
    try {
        Xapian::Database all;
        for (const auto& p : shard_paths_) all.add_database(Xapian::Database(p));
        // A metadata key several shards hold gets one of their values (Xapian's default):
        // schema, language and the last update are equal, the file table is only in shard 0,
        // and the shard identity, which differs, is cleared below.
        all.compact(out.string());
        for (const auto& p : shard_paths_) fs::remove_all(p);
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(out)) files.push_back(e.path());
        for (const auto& f : files) fs::rename(f, top / f.filename());
        fs::remove(out);
        Xapian::WritableDatabase merged(top.string(), Xapian::DB_OPEN);
        merged.set_metadata(kMetaShard, "");  // a whole index, not shard 0 of N
        merged.commit();
        merged.close();
    } catch (const Xapian::Error& e) {
        throw IndexError("cannot merge the writers' indexes into '" + top.string() +
                         "': " + e.get_description());
    } catch (const fs::filesystem_error& e) {
        throw IndexError("cannot merge the writers' indexes into '" + top.string() +
                         "': " + e.what());
    }
    merge_shards_ = false;
    nshards_ = 1;
    shard_paths_ = {top.string()};
}

void Engine::load_state() {
    Xapian::WritableDatabase& m = meta();
    for (auto it = m.metadata_keys_begin(kMetaFilePrefix);
         it != m.metadata_keys_end(kMetaFilePrefix); ++it) {
        auto e = decode_entry(*it, m.get_metadata(*it));
        if (!e) continue;
        if (e->second.owner) {
            owner_[e->second.id] = e->first;
        } else if (!e->second.foreign && !e->second.id.empty()) {
            dup_ids_.insert(e->second.id);
        }
        table_.emplace(std::move(e->first), std::move(e->second));
    }
    for (auto it = m.metadata_keys_begin(kMetaRejectedPrefix);
         it != m.metadata_keys_end(kMetaRejectedPrefix); ++it) {
        if (auto r = decode_rejected(m.get_metadata(*it)))
            rejected_.emplace(std::move(r->first), std::move(r->second));
    }
    for (auto& sh : shards_) {  // an interrupted commit (every shard keeps the list)
        const std::string pending = sh.get_metadata(kMetaClusterPending);
        for (std::size_t a = 0, c; (c = pending.find(',', a)) != std::string::npos; a = c + 1) {
            stories_.touch(static_cast<Xapian::docid>(std::stoul(pending.substr(a, c - a))));
        }
    }
    for (auto it = m.metadata_keys_begin(kMetaXrefPrefix);
         it != m.metadata_keys_end(kMetaXrefPrefix); ++it) {
        auto j = nlohmann::json::parse(m.get_metadata(*it), nullptr, false);
        if (!j.is_object()) continue;
        auto& refs = xref_[(*it).substr(std::strlen(kMetaXrefPrefix))];
        for (const auto& [path, rid] : j.items()) {
            if (rid.is_string()) refs[path] = rid.get<std::string>();
        }
    }
}

// Read at the first use, before this run writes anything (see kinds()).
void Engine::load_kinds() {
    kinds_loaded_ = true;
    if (!db_ || opts_.full) return;  // --full starts from an empty index
    Xapian::WritableDatabase& db = *db_;
    std::unordered_set<Xapian::docid> stubs;
    const std::string stub_term = bool_term(FieldId::Flag, "stub");
    for (auto p = db.postlist_begin(stub_term); p != db.postlist_end(stub_term); ++p)
        stubs.insert(*p);
    const std::string xi(field(FieldId::IdKey).prefix);
    for (auto t = db.allterms_begin(xi); t != db.allterms_end(xi); ++t) {
        auto p = db.postlist_begin(*t);
        if (p == db.postlist_end(*t)) continue;
        const std::string key = (*t).substr(xi.size());
        if (stubs.count(*p)) {
            kinds_[key] = {Kind::Stub, read_data(db.get_document(*p)).value("from", "")};
        } else {
            kinds_[key] = {Kind::Full, {}};
        }
    }
}

// Rewrites the index compactly (xapian-compact): smaller and faster to search. The compacted
// copy is built beside the index and swapped in; the old one is removed only after the swap.
void Engine::compact() {
    const fs::path top = rebuilding_ ? staging_ : live_;
    std::vector<fs::path> dirs;
    if (nshards_ == 1) {
        dirs.push_back(top);
    } else {
        for (unsigned i = 0; i < nshards_; ++i) dirs.push_back(top / shard_dir_name(i));
    }
    // The writable handles stay open, holding the lock, until the compacted copies are in
    // place: another indexer must not commit to what is about to be replaced.
    for (const fs::path& index : dirs) {
        const fs::path tmp = index.string() + ".compact-tmp";
        std::error_code ec;
        fs::remove_all(tmp, ec);
        fs::remove_all(index.string() + ".compact-old", ec);  // left by an older version
        try {
            // Docids are kept: with shards they say which shard a document is in.
            Xapian::Database(index.string()).compact(tmp.string(), Xapian::DBCOMPACT_NO_RENUMBER);
        } catch (const Xapian::Error& e) {
            fs::remove_all(tmp, ec);
            throw IndexError("cannot compact index '" + index.string() +
                             "': " + e.get_description());
        }
        if (nshards_ == 1) carry_over_other_files(index, tmp);
        replace_dir(tmp, index);  // tmp now holds the uncompacted copy
        fs::remove_all(tmp, ec);
    }
    close_all();
}

void Engine::count_write() {
    if (++pending_writes_ >= opts_.batch && !in_commit_) commit();
}

void Engine::commit() {
    if (!db_) return;
    in_commit_ = true;
    Stopwatch whole(commit_s_);
    WriterTimes& tm = stats_.times;
    ++tm.commits;
    if (writers_) {
        Stopwatch sw(tm.flush);  // waiting for the writer threads to write what they hold
        writers_->sync();
    }
    {
        Stopwatch sw(tm.stubs);
        flush_stubs();
        // The batch's last stubs went to the writer threads; the metadata, spelling and commit
        // below use the same shard databases.
        if (writers_) writers_->sync();
    }
    // Stories are recomputed on the committed state (searching a database with pending changes
    // is slow), unless the pass searches in memory (story_candidates.hpp): then before the one
    // commit, and the story edits are made to documents not yet committed, which is cheaper
    // (Xapian reads their positions from memory; a 200k build went from a median of 81.7 s to
    // 73.0 s). Not with shards in place: shard 0 commits last and keeps the list below until
    // its commit, which one commit of every shard would lose.
    // The articles to recompute are saved in the index until the pass is done, so a crash
    // leaves them to the next run (not in a build beside the index, which a crash discards):
    // with the pass after a first commit, in that commit; with the pass first, in any commit
    // Xapian makes on its own meanwhile (every XAPIAN_FLUSH_THRESHOLD changes, or when an error
    // unwinds the run and the database is closed). With shards, every shard keeps the list:
    // whichever commits, the next run finds it. (One pass at the end of a --full build instead
    // of one per batch took 7 times as long at 200,000 articles: 221 s against 31 s.)
    // (Held documents are counted in; if the pass cannot search in memory, they are written
    // first, and it searches as without them.)
    bool stories_first = false;
    if (rebuilding_ || nshards_ == 1) {
        stories_first = stories_.in_memory(written_db());
        if (!stories_first && stories_.holds_any()) stories_first = stories_.in_memory(db());
    }
    if (!stories_first) (void)db();  // (writes the held documents and waits for them)
    if (!rebuilding_) {
        std::string pending;
        for (Xapian::docid d : stories_.touched()) pending += std::to_string(d) + ',';
        for (auto& sh : shards_) sh.set_metadata(kMetaClusterPending, pending);
    }
    {
        Stopwatch sw(tm.spelling);
        for (std::size_t i = 0; i < spelling_.size(); ++i) {
            for (const auto& [word, n] : spelling_[i]) shards_[i].add_spelling(word, n);
            spelling_[i].clear();
        }
    }
    for (const auto& key : erased_) meta().set_metadata(table_key(key), "");
    for (const auto& key : dirty_) {
        auto it = table_.find(key);
        if (it != table_.end()) meta().set_metadata(table_key(key), encode_entry(key, it->second));
    }
    erased_.clear();
    dirty_.clear();
    for (const auto& key : rejected_dirty_) {
        auto r = rejected_.find(key);
        meta().set_metadata(rejected_key(key),
                            r == rejected_.end() ? std::string() : encode_rejected(key, r->second));
    }
    rejected_dirty_.clear();
    for (const auto& key : xref_dirty_) {
        auto x = xref_.find(key);
        nlohmann::json j = nlohmann::json::object();
        if (x != xref_.end()) {
            for (const auto& [path, rid] : x->second) j[path] = rid;
            if (x->second.empty()) xref_.erase(x);
        }
        meta().set_metadata(make_term(kMetaXrefPrefix, key),
                            j.empty()
                                ? std::string()
                                : j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    xref_dirty_.clear();
    const std::string now = format_iso8601(std::chrono::duration_cast<std::chrono::seconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
    for (auto& sh : shards_) sh.set_metadata(kMetaLastUpdate, now);
    if (!stories_first) {
        Stopwatch sw(tm.flush);
        commit_all();
    }
    {
        Stopwatch sw(tm.stories);
        // The candidate searches read the committed state through a reader: the same terms and
        // statistics (the pass writes only story values and boolean terms), without the
        // writer's pending changes, which make every search slower as the pass writes.
        auto open_reader = [this] {
            Xapian::Database reader;
            for (const auto& p : shard_paths_) reader.add_database(Xapian::Database(p));
            return reader;
        };
        // In a --full build the writer threads make the pass's changes, each in its shard.
        DocEdits edits;
        if (writers_) {
            edits.apply = [this](Xapian::docid d, DocEdits::Edit edit) {
                const unsigned s = (d - 1) % nshards_;
                const Xapian::docid local = (d - 1) / nshards_ + 1;
                writers_->edit(s, [edit = std::move(edit), local](Xapian::WritableDatabase& w) {
                    edit(w, local);
                });
            };
            edits.settle = [this] { writers_->sync(); };
        }
        if (hold_) {
            edits.held = [this](Xapian::docid d) -> Xapian::Document& {
                return held_[held_at_.at(d)].doc;
            };
        }
        const bool any = !stories_.touched().empty();
        if (opts_.before_story_pass) opts_.before_story_pass();
        stories_.run(
            written_db(), open_reader, threads(), [this] { count_write(); }, edits);
        if (any) {
            ++tm.story_passes;
            tm.story_passes_in_memory += stories_.searched_in_memory();
        }
        tm.story_rewrites = stories_.rewrites();
        tm.story_set_before_writing = stories_.set_before_writing();
    }
    {
        Stopwatch sw(tm.write);  // (the held documents, to the writer threads or written here)
        release_held();
    }
    if (!rebuilding_) {
        for (auto& sh : shards_) sh.set_metadata(kMetaClusterPending, "");
    }
    {
        Stopwatch sw(tm.flush);
        commit_all();
    }
    in_commit_ = false;
    committed_docs_ += pending_writes_;
    pending_writes_ = 0;
    if (opts_.after_commit) opts_.after_commit(committed_docs_);
}

}  // namespace news::detail
