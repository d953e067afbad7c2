#include "engine.hpp"

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

namespace {

// What a worker hands to the writer for one file.
struct Result {
    bool ok = false;
    Rejection error;
    std::string hash;
    Article article;
    std::vector<Diagnostic> warnings;
    std::optional<Xapian::Document> doc;
    std::vector<std::string> spelling;
    TextInfo text;  // for the story pass
};

class Engine {
  public:
    explicit Engine(const IndexOptions& opts) : opts_(opts), builder_(opts.language) {}

    IndexStats run();

  private:
    void open_db();
    Xapian::WritableDatabase open_one(const fs::path& path, int flags);
    void check_shard_meta(Xapian::WritableDatabase& db, const std::string& path,
                          const std::string& shard);
    void load_state();
    Xapian::WritableDatabase& meta() { return shards_.front(); }
    Xapian::docid add_doc(const std::string& key, const Xapian::Document& doc);
    void commit_all();
    bool mine(const std::string& key) const {
        return opts_.shard_count == 0 || shard_for_key(key, opts_.shard_count) == opts_.shard_index;
    }
    bool referenced(const std::string& key) const;
    void want_stub(const std::string& key, const RelatedRef& r, const std::string& from);
    void apply_foreign(const InputFile& f, Result&& r);
    void drop_foreign_links(const std::string& path, const TableEntry& e,
                            const std::unordered_set<std::string>& keep);
    Result process(const InputFile& f, DocumentBuilder& builder) const;
    void apply(const InputFile& f, Result&& r);
    void write_article(const Article& a, Xapian::Document& doc,
                       const std::vector<std::string>& spelling, TextInfo&& text);
    void forget_text(const std::string& term);
    bool remove_article(const std::string& id);
    void maybe_remove_stub(const std::string& key);
    std::optional<std::pair<Xapian::Document, std::string>> stub_from_referrer(
        const std::string& key);
    void promote_duplicate(const std::string& id, const std::string& except_key,
                           const std::string& why = "the file that held it is gone");
    void count_write();
    void commit();
    void compact();
    bool stopping() const { return opts_.stop && opts_.stop->load(); }
    void report_rejection(const Rejection& r);

    enum class Kind { Full, Stub };
    struct DocKind {
        Kind kind;
        std::string from;  // stubs: id of the referrer whose `related` entry describes it
    };
    void put_stub(const std::string& key, const RelatedRef& r, const std::string& from,
                  bool exists);
    void flush_stubs();
    // Stubs wanted by this batch, written just before it commits (most in a fresh build turn
    // out to be full articles by then, so they are never written at all). Ordered by term so
    // docids do not depend on hash order.
    struct PendingStub {
        RelatedRef ref;
        std::string from;
    };
    std::map<std::string, PendingStub> pending_stubs_;
    std::vector<std::unordered_map<std::string, Xapian::termcount>> spelling_;  // per shard
    // --shard K/N: articles of other shards that list an article of this one, by id key:
    // source path -> referrer id (metadata "xref:<key>").
    std::map<std::string, std::map<std::string, std::string>> xref_;
    std::set<std::string> xref_dirty_;

    const IndexOptions& opts_;
    StoryPass stories_{opts_.story_window_days, opts_.story_rule};
    IndexStats stats_;
    std::optional<Xapian::WritableDatabase> db_;  // all shards as one
    std::vector<Xapian::WritableDatabase> shards_;
    unsigned nshards_ = 1;
    std::vector<Xapian::docid> next_local_;               // per shard: the next unused docid in it
    DocumentBuilder builder_;                             // the writer's own, for stubs
    std::unordered_map<std::string, TableEntry> table_;   // key path -> entry
    std::unordered_map<std::string, std::string> owner_;  // id -> key path owning it
    // Ids some file holds without owning them (a newer file with the same id won), maybe stale.
    std::unordered_set<std::string> dup_ids_;
    std::unordered_set<std::string> dirty_;           // table keys to write at commit
    std::unordered_set<std::string> erased_;          // table keys to delete at commit
    std::unordered_map<std::string, DocKind> kinds_;  // id key -> kind
    std::size_t pending_writes_ = 0;
    bool in_commit_ = false;  // stubs written by commit() itself do not trigger another
    bool fresh_ = false;      // a new index: commit its metadata even if no file was indexed
    std::size_t committed_docs_ = 0;
    double commit_s_ = 0;  // time spent in commit() so far
};

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
    } catch (const Xapian::DatabaseLockError&) {
        throw IndexError("index '" + path +
                         "' is locked by another indexer; wait for it to finish or use --wait");
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
    const fs::path index = opts_.index;
    std::error_code ec;
    const fs::path stub = index / kStubFileName;
    const bool has_stub = fs::exists(stub, ec);
    const bool has_glass = fs::exists(index / "iamglass", ec);
    unsigned existing = 0;  // shards of an existing sharded index
    if (has_stub) {
        for (const auto& loc : read_stub_file(stub)) {
            if (loc.remote) {
                throw IndexError("index '" + index.string() + "' lists a remote shard (" +
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
            throw IndexError("index '" + index.string() + "' has " + std::to_string(existing) +
                             " shards, not " + std::to_string(opts_.shards) +
                             "; rebuild it with --full to change the number of shards");
        }
        n = existing;
    } else if (has_glass && opts_.shards > 1) {
        throw IndexError("index '" + index.string() +
                         "' is not sharded; rebuild it with --full --shards " +
                         std::to_string(opts_.shards));
    } else {
        n = opts_.shards ? opts_.shards : 1;
    }
    if (opts_.shard_count && n > 1) {
        throw UsageError(
            opts_.shards ? std::string("--shard K/N builds one shard; it does not go with --shards")
                         : "index '" + index.string() + "' has " + std::to_string(n) +
                               " shards; --shard K/N builds a single shard index");
    }
    if (opts_.full && ((n > 1 && has_glass) || (has_stub && (n == 1 || existing > n)))) {
        // Switching layout deletes the old one: first make sure no other writer holds it (a
        // writer of the old layout locks other files than the new layout's).
        std::vector<fs::path> old;
        if (has_glass) old.push_back(index);
        for (unsigned i = 0; i < existing; ++i) old.push_back(index / shard_dir_name(i));
        for (const auto& p : old) {
            if (!fs::exists(p / "iamglass", ec)) continue;
            try {
                Xapian::WritableDatabase probe(
                    p.string(),
                    Xapian::DB_OPEN | (opts_.wait_for_lock ? Xapian::DB_RETRY_LOCK : 0));
                probe.close();
            } catch (const Xapian::DatabaseLockError&) {
                throw IndexError(
                    "index '" + p.string() +
                    "' is locked by another indexer; wait for it to finish or use --wait");
            } catch (const Xapian::Error&) {
                // Unreadable: it is being replaced anyway.
            }
        }
    }
    if (opts_.full) {
        // The other layout's files would shadow or confuse the new one.
        if (n > 1 && has_glass) {
            for (const auto& e : fs::directory_iterator(index, ec)) {
                const std::string name = e.path().filename().string();
                if (name.ends_with(".glass") || name == "iamglass" || name == "flintlock")
                    fs::remove(e.path(), ec);
            }
        }
        if (n == 1 && has_stub) fs::remove(stub, ec);
        // Shards beyond the new count (all of them when going back to one database).
        for (unsigned i = n > 1 ? n : 0; i < existing; ++i)
            fs::remove_all(index / shard_dir_name(i), ec);
    }
    int flags = opts_.full ? Xapian::DB_CREATE_OR_OVERWRITE : Xapian::DB_CREATE_OR_OPEN;
    if (opts_.wait_for_lock) flags |= Xapian::DB_RETRY_LOCK;
    nshards_ = n;
    if (n == 1) {
        shards_.push_back(open_one(index, flags));
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
            check_shard_meta(shards_.back(), dir.string(),
                             std::to_string(i) + "/" + std::to_string(n));
            db_->add_database(shards_.back());
            next_local_.push_back(shards_.back().get_lastdocid() + 1);
            dirs.push_back(shard_dir_name(i));
        }
        bool same = false;
        if (has_stub) {
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
}

// A new document goes to the shard of its id: with several shards, at the next unused docid
// of that shard (Xapian interleaves the docids of sub-databases: docid d lives in shard
// (d - 1) % N), since add_document would pick shards round-robin.
Xapian::docid Engine::add_doc(const std::string& key, const Xapian::Document& doc) {
    if (nshards_ == 1) return db_->add_document(doc);
    const unsigned s = shard_for_key(key, nshards_);
    const Xapian::docid local = next_local_[s]++;
    const Xapian::docid global = (local - 1) * nshards_ + s + 1;
    db_->replace_document(global, doc);
    return global;
}

// Shard 0 holds the file table, so it commits last: after a crash in between, the other
// shards may hold documents the table does not list yet, which the next run re-indexes
// (upserts by id) instead of losing them.
void Engine::commit_all() {
    for (auto it = shards_.rbegin(); it != shards_.rend(); ++it) it->commit();
}

bool Engine::referenced(const std::string& key) const {
    if (db_->get_termfreq(make_term(field("links").prefix, key)) > 0) return true;
    auto x = xref_.find(key);
    return x != xref_.end() && !x->second.empty();
}

// A `related` entry of article `from` names the article with id key `key`: it needs a stub
// unless a full article (or a stub described by a referrer with a smaller id) holds the key.
// The referrer with the smallest id describes a stub, so its details do not depend on the
// order files were indexed in.
void Engine::want_stub(const std::string& key, const RelatedRef& r, const std::string& from) {
    if (!mine(key)) return;  // --shard K/N: another shard's article
    auto k = kinds_.find(key);
    if (k != kinds_.end() && !(k->second.kind == Kind::Stub && from <= k->second.from)) return;
    auto p = pending_stubs_.find(key);
    if (p == pending_stubs_.end()) {
        pending_stubs_.emplace(key, PendingStub{r, from});
    } else if (from <= p->second.from) {
        p->second = PendingStub{r, from};
    }
}

void Engine::load_state() {
    Xapian::WritableDatabase& db = *db_;
    Xapian::WritableDatabase& m = meta();
    for (auto it = m.metadata_keys_begin(kMetaFilePrefix);
         it != m.metadata_keys_end(kMetaFilePrefix); ++it) {
        auto e = decode_entry(m.get_metadata(*it));
        if (!e) continue;
        if (e->second.owner) {
            owner_[e->second.id] = e->first;
        } else if (!e->second.foreign && !e->second.id.empty()) {
            dup_ids_.insert(e->second.id);
        }
        table_.emplace(std::move(e->first), std::move(e->second));
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
    std::unordered_set<Xapian::docid> stubs;
    const std::string stub_term = bool_term("flag", "stub");
    for (auto p = db.postlist_begin(stub_term); p != db.postlist_end(stub_term); ++p)
        stubs.insert(*p);
    const std::string xi(field("idkey").prefix);
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

// `builder` belongs to the calling thread (TermGenerator and Stem are not thread-safe).
Result Engine::process(const InputFile& f, DocumentBuilder& builder) const {
    Result r;
    try {
        if (opts_.before_read) opts_.before_read(f.key);
        const std::string content = read_file_limited(f.key, opts_.parse.max_file_bytes);
        r.hash = hex64(hash64(content));
        ParsedFile parsed =
            parse_article_text(content, file_kind(f.key), f.key, f.rel, opts_.parse);
        r.article = std::move(parsed.article);
        r.article.source = f.key;
        r.warnings = std::move(parsed.warnings);
        // --shard K/N: another shard's article is not written here; only its links are kept.
        if (!opts_.dry_run && mine(id_key(r.article.id))) {
            auto built = builder.build(r.article);
            r.doc = std::move(built.doc);
            r.spelling = std::move(built.spelling_words);
            r.text = text_info(story_text_of(r.article), *r.doc);
        }
        r.ok = true;
    } catch (const ParseError& e) {
        r.error = {e.file(), e.line(), e.column(), e.reason()};
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

// Rewrites the index compactly (xapian-compact): smaller and faster to search. The compacted
// copy is built beside the index and swapped in; the old one is removed only after the swap.
void Engine::compact() {
    std::vector<fs::path> dirs;
    if (nshards_ == 1) {
        dirs.push_back(opts_.index);
    } else {
        for (unsigned i = 0; i < nshards_; ++i) dirs.push_back(opts_.index / shard_dir_name(i));
    }
    db_->close();
    db_.reset();
    for (auto& sh : shards_) sh.close();
    shards_.clear();
    for (const fs::path& index : dirs) {
        const fs::path tmp = index.string() + ".compact-tmp";
        const fs::path old = index.string() + ".compact-old";
        std::error_code ec;
        fs::remove_all(tmp, ec);
        fs::remove_all(old, ec);
        try {
            // Docids are kept: with shards they say which shard a document is in.
            Xapian::Database(index.string()).compact(tmp.string(), Xapian::DBCOMPACT_NO_RENUMBER);
        } catch (const Xapian::Error& e) {
            fs::remove_all(tmp, ec);
            throw IndexError("cannot compact index '" + index.string() +
                             "': " + e.get_description());
        }
        fs::rename(index, old);
        fs::rename(tmp, index);
        fs::remove_all(old, ec);
    }
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
    {
        Stopwatch sw(tm.stubs);
        flush_stubs();
    }
    // Stories are recomputed on the committed state (searching a database with pending changes
    // is slow). The articles to recompute are saved with the first commit, so a crash between
    // the two leaves them to the next run.
    // With shards, every shard keeps the list: whichever commits, the next run finds it.
    std::string pending;
    for (Xapian::docid d : stories_.touched()) pending += std::to_string(d) + ',';
    for (auto& sh : shards_) sh.set_metadata(kMetaClusterPending, pending);
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
    {
        Stopwatch sw(tm.flush);
        commit_all();
    }
    {
        Stopwatch sw(tm.stories);
        stories_.run(*db_, [this] { count_write(); });
    }
    for (auto& sh : shards_) sh.set_metadata(kMetaClusterPending, "");
    {
        Stopwatch sw(tm.flush);
        commit_all();
    }
    in_commit_ = false;
    committed_docs_ += pending_writes_;
    pending_writes_ = 0;
    if (opts_.after_commit) opts_.after_commit(committed_docs_);
}

void Engine::write_article(const Article& a, Xapian::Document& doc,
                           const std::vector<std::string>& spelling, TextInfo&& text) {
    Xapian::WritableDatabase& db = *db_;
    const std::string qterm = bool_term("id", a.id);
    std::vector<std::string> old_links;
    const std::string self = id_key(a.id);
    auto kind = kinds_.find(self);
    if (kind != kinds_.end() && kind->second.kind == Kind::Full) {
        if (auto did = find_docid(db, a.id)) {
            old_links = out_links(db.get_document(*did));
            stories_.touch_story_of(*db_, *did);  // its old story may split
        }
    }
    Xapian::docid did;
    if (kind == kinds_.end()) {
        did = add_doc(self, doc);  // nothing has this id: no lookup needed
    } else {
        did = db.replace_document(qterm, doc);
    }
    stories_.touch(did);
    stories_.put(did, std::move(text));
    kinds_[self] = {Kind::Full, {}};
    pending_stubs_.erase(self);
    std::unordered_set<std::string> new_links;
    for (const auto& r : a.related) {
        const std::string t = id_key(r.id);
        new_links.insert(t);
        want_stub(t, r, a.id);
    }
    auto& words = spelling_[shard_for_key(self, nshards_)];
    for (const auto& w : spelling) ++words[w];
    for (const auto& l : old_links) {
        if (!new_links.count(l)) maybe_remove_stub(l);
    }
}

// The documents holding `term` are about to change other than by write_article.
void Engine::forget_text(const std::string& term) {
    stories_.forget_term(*db_, term);
}

void Engine::flush_stubs() {
    auto pending = std::move(pending_stubs_);
    pending_stubs_.clear();
    for (auto& [t, p] : pending) {
        auto k = kinds_.find(t);
        if (k != kinds_.end() && (k->second.kind == Kind::Full || k->second.from < p.from))
            continue;
        if (!referenced(t)) continue;  // the referrer left
        put_stub(t, p.ref, p.from, k != kinds_.end());
    }
}

void Engine::put_stub(const std::string& key, const RelatedRef& r, const std::string& from,
                      bool exists) {
    Xapian::Document stub = builder_.build_stub(r, from);
    if (exists) {
        forget_text(make_term(field("idkey").prefix, key));
        db_->replace_document(make_term(field("idkey").prefix, key), stub);
    } else {
        add_doc(key, stub);
        ++stats_.stubs_added;
    }
    kinds_[key] = {Kind::Stub, from};
    count_write();
}

// Called when an article stopped listing the article with id key `key` (or was removed).
void Engine::maybe_remove_stub(const std::string& key) {
    auto k = kinds_.find(key);
    if (k == kinds_.end() || k->second.kind != Kind::Stub) return;
    const std::string lt = make_term(field("links").prefix, key);
    const std::string t = make_term(field("idkey").prefix, key);
    if (!referenced(key)) {
        forget_text(t);
        db_->delete_document(t);
        kinds_.erase(k);
        ++stats_.stubs_removed;
        count_write();
        return;
    }
    // Still listed; if its describing referrer was the one that left, describe it anew.
    const std::string from = k->second.from;
    bool from_still_links = false;
    if (auto x = xref_.find(key); x != xref_.end()) {
        for (const auto& [path, rid] : x->second)
            from_still_links = from_still_links || rid == from;
    }
    if (auto fd = find_docid(*db_, from); fd && !from_still_links) {
        const Xapian::Document fdoc = db_->get_document(*fd);
        for (auto ti = fdoc.termlist_begin(); ti != fdoc.termlist_end(); ti.skip_to(lt)) {
            from_still_links = *ti == lt;
            break;
        }
    }
    if (!from_still_links) {
        if (auto stub = stub_from_referrer(key)) {
            forget_text(t);
            db_->replace_document(t, stub->first);
            k->second.from = stub->second;
            count_write();
        }
    }
}

// Rebuilds the stub of `id` from the `related` entry of the referrer with the smallest id
// (its source file is parsed again: stub details are not kept once a full article replaced
// them). Returns the stub and the referrer's id.
std::optional<std::pair<Xapian::Document, std::string>> Engine::stub_from_referrer(
    const std::string& key) {
    const std::string lt = make_term(field("links").prefix, key);
    struct Referrer {
        std::string id, source, rel;
        bool operator<(const Referrer& o) const { return id < o.id; }
    };
    std::vector<Referrer> referrers;
    for (auto p = db_->postlist_begin(lt); p != db_->postlist_end(lt); ++p) {
        auto data = read_data(db_->get_document(*p));
        referrers.push_back(
            {data.value("id", ""), data.value("source", ""), data.value("path", "")});
    }
    if (auto x = xref_.find(key); x != xref_.end()) {  // articles of other shards
        for (const auto& [path, rid] : x->second)
            referrers.push_back({rid, path, fs::path(path).filename().string()});
    }
    std::sort(referrers.begin(), referrers.end());
    for (const auto& [rid, source, rel] : referrers) {
        if (source.empty()) continue;
        try {
            const ParsedFile pf = parse_article_file(source, rel, opts_.parse);
            for (const auto& r : pf.article.related) {
                if (id_key(r.id) == key) return std::make_pair(builder_.build_stub(r, rid), rid);
            }
        } catch (const ParseError&) {
            // The referrer's file changed or vanished; try the next referrer.
        }
    }
    return std::nullopt;
}

bool Engine::remove_article(const std::string& id) {
    const std::string t = bool_term("id", id);
    const std::string key = id_key(id);
    auto k = kinds_.find(key);
    if (k == kinds_.end() || k->second.kind != Kind::Full) return false;
    auto did = find_docid(*db_, id);
    std::vector<std::string> links;
    if (did) {
        links = out_links(db_->get_document(*did));
        stories_.touch_story_of(*db_, *did);
    }
    // Still listed by other articles: it lives on as a stub.
    std::optional<std::pair<Xapian::Document, std::string>> stub;
    if (referenced(key)) stub = stub_from_referrer(key);
    forget_text(t);
    if (stub) {
        db_->replace_document(t, stub->first);
        k->second = {Kind::Stub, stub->second};
        ++stats_.stubs_added;
    } else {
        db_->delete_document(t);
        kinds_.erase(k);
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
    write_article(r.article, *r.doc, r.spelling, std::move(r.text));
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

void Engine::apply(const InputFile& f, Result&& r) {
    if (!r.ok) {
        ++stats_.rejected;
        report_rejection(r.error);
        stats_.rejections.push_back(std::move(r.error));
        return;  // the old document, if any, stays, and so does its table row
    }
    if (!r.warnings.empty()) {
        ++stats_.warned_files;
        for (auto& w : r.warnings) {
            if (opts_.print_warnings)
                std::fprintf(stderr, "indexer: warning: %s\n", w.to_string().c_str());
            stats_.warnings.push_back(std::move(w));
        }
    }
    if (opts_.dry_run) {
        ++stats_.added;
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
    const auto k = kinds_.find(id_key(a.id));
    if (k != kinds_.end() && k->second.kind == Kind::Full) existed = true;
    write_article(a, *r.doc, r.spelling, std::move(r.text));
    table_[f.key] = fresh;
    dirty_.insert(f.key);
    owner_[a.id] = f.key;
    if (was_foreign) drop_foreign_links(f.key, *was_foreign, {});
    if (existed) {
        ++stats_.updated;
    } else {
        ++stats_.added;
    }
    count_write();
}

IndexStats Engine::run() {
    const auto start = Clock::now();
    Walker walker(stats_);
    for (const auto& in : opts_.inputs) walker.add_input(in);
    for (const auto& r : stats_.rejections) report_rejection(r);
    std::vector<InputFile> files = walker.take_files();
    stats_.files_seen = files.size();

    if (!opts_.dry_run) {
        open_db();
        if (!opts_.full) load_state();
    }

    // Which files need parsing.
    std::vector<const InputFile*> work;
    std::unordered_set<std::string> seen;
    for (const auto& f : files) {
        seen.insert(f.key);
        if (!opts_.dry_run && !opts_.full) {
            auto e = table_.find(f.key);
            if (e != table_.end() && e->second.size == f.size && e->second.mtime_ns == f.mtime_ns) {
                ++stats_.unchanged;
                continue;
            }
        }
        work.push_back(&f);
    }

    unsigned jobs = opts_.jobs ? opts_.jobs : std::max(1u, std::thread::hardware_concurrency());
    const std::size_t n = work.size();
    const std::size_t cap = std::max<std::size_t>(64, jobs * 16);
    std::vector<std::optional<Result>> ring(cap);
    std::mutex mu;
    std::condition_variable cv_work, cv_write;
    std::size_t next_take = 0, applied = 0;
    unsigned running = jobs;

    auto worker = [&] {
        // Each parser thread's own, released when it returns (not thread_local: nothing of a
        // run outlives it).
        DocumentBuilder builder(opts_.language);
        // The single writer is the bottleneck of a build: when parser threads and the writer
        // compete for the cores, the kernel should prefer the writer (parsers run ahead
        // anyway, as far as the ring lets them).
        // (Relative to the process's own niceness; failure just leaves it as it is.)
        if (!opts_.dry_run) {
            const auto tid = static_cast<id_t>(::gettid());
            errno = 0;
            const int nice = ::getpriority(PRIO_PROCESS, tid);
            if (errno == 0) (void)::setpriority(PRIO_PROCESS, tid, std::min(19, nice + 5));
        }
        while (true) {
            std::size_t i;
            {
                std::unique_lock lk(mu);
                cv_work.wait(
                    lk, [&] { return stopping() || next_take >= n || next_take < applied + cap; });
                if (stopping() || next_take >= n) break;
                i = next_take++;
            }
            Result r = process(*work[i], builder);
            {
                std::lock_guard lk(mu);
                ring[i % cap] = std::move(r);
            }
            cv_write.notify_one();
        }
        {
            std::lock_guard lk(mu);
            --running;
        }
        cv_write.notify_one();
    };
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < jobs; ++t) threads.emplace_back(worker);

    Progress progress(opts_.progress, n);
    std::exception_ptr failure;
    try {
        for (std::size_t i = 0; i < n; ++i) {
            std::optional<Result> r;
            {
                Stopwatch sw(stats_.times.wait);
                std::unique_lock lk(mu);
                cv_write.wait(lk, [&] {
                    return ring[i % cap].has_value() ||
                           (i >= next_take && (stopping() || running == 0));
                });
                if (!ring[i % cap].has_value()) break;
                r = std::move(ring[i % cap]);
                ring[i % cap].reset();
            }
            stats_.bytes_parsed += work[i]->size;
            {
                const double c0 = commit_s_;
                {
                    Stopwatch sw(stats_.times.write);
                    apply(*work[i], std::move(*r));
                }
                stats_.times.write -= commit_s_ - c0;  // the commits it ran count on their own
            }
            {
                std::lock_guard lk(mu);
                applied = i + 1;
            }
            cv_work.notify_all();
            progress.update(i + 1, stats_.bytes_parsed, stats_.rejected);
            if (stopping()) break;
        }
    } catch (...) {
        failure = std::current_exception();
    }
    {
        std::lock_guard lk(mu);
        next_take = n;  // no more work for anyone
    }
    cv_work.notify_all();
    for (auto& t : threads) t.join();
    progress.finish();
    if (failure) std::rethrow_exception(failure);

    stats_.interrupted = stopping();
    if (db_ && opts_.prune && !stats_.interrupted) {
        const double c0 = commit_s_;
        const auto p0 = Clock::now();
        const auto& roots = walker.roots();
        std::vector<std::string> gone;
        for (const auto& [key, e] : table_) {
            if (seen.count(key)) continue;
            const bool under = std::any_of(roots.begin(), roots.end(), [&](const std::string& r) {
                return key == r || (key.size() > r.size() && key.compare(0, r.size(), r) == 0 &&
                                    (r.back() == '/' || key[r.size()] == '/'));
            });
            if (under) gone.push_back(key);
        }
        std::sort(gone.begin(), gone.end());
        for (const auto& key : gone) {
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
    if (db_) {
        // Nothing to write (a no-change run): leave the index untouched.
        const bool work = pending_writes_ > 0 || !dirty_.empty() || !erased_.empty() ||
                          !stories_.touched().empty() || !pending_stubs_.empty() ||
                          !xref_dirty_.empty() || fresh_;
        if (work || opts_.full) commit();
        if (opts_.compact && !stats_.interrupted) {
            Stopwatch sw(stats_.times.compact);
            compact();
        }
    }
    stats_.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
    return stats_;
}

}  // namespace

IndexStats run_index(const IndexOptions& opts) {
    Engine engine(opts);
    try {
        return engine.run();
    } catch (const Xapian::DatabaseLockError& e) {
        throw IndexError("index '" + opts.index.string() + "' is locked: " + e.get_msg());
    } catch (const Xapian::Error& e) {
        throw IndexError("index '" + opts.index.string() + "': " + e.get_description());
    }
}

}  // namespace news
