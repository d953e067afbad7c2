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
#include "schema.hpp"
#include "shards.hpp"
#include "story.hpp"
#include "text.hpp"

namespace fs = std::filesystem;

namespace news {

namespace {

using Clock = std::chrono::steady_clock;

// Adds the lifetime of the scope to `acc` (seconds).
class Stopwatch {
  public:
    explicit Stopwatch(double& acc) : acc_(acc), start_(Clock::now()) {}
    ~Stopwatch() { acc_ += std::chrono::duration<double>(Clock::now() - start_).count(); }
    Stopwatch(const Stopwatch&) = delete;
    Stopwatch& operator=(const Stopwatch&) = delete;

  private:
    double& acc_;
    Clock::time_point start_;
};

struct InputFile {
    std::string key;  // absolute, lexically normal path: the file table key
    std::string rel;  // relative to the input root it was found under
    uint64_t size = 0;
    int64_t mtime_ns = 0;
};

// One row of the file table (index metadata "file:<path>").
struct TableEntry {
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    std::string hash;
    std::string id;
    bool owner = true;  // false: a newer file with the same id owns the document
    // --shard K/N: the file's article belongs to another shard; `links` are the id keys of
    // this shard's articles it lists (they keep those articles' stubs alive here).
    bool foreign = false;
    std::vector<std::string> links;
};

std::string table_key(const std::string& path) {
    // Metadata keys share the term length limit.
    return make_term(kMetaFilePrefix, path);
}

std::string encode_entry(const std::string& path, const TableEntry& e) {
    nlohmann::json j = {{"path", path},   {"size", e.size}, {"mtime_ns", e.mtime_ns},
                        {"hash", e.hash}, {"id", e.id},     {"owner", e.owner}};
    if (e.foreign) {
        j["foreign"] = true;
        j["links"] = e.links;
    }
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::pair<std::string, TableEntry>> decode_entry(const std::string& s) {
    auto j = nlohmann::json::parse(s, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    try {
        TableEntry e;
        e.size = j.at("size").get<uint64_t>();
        e.mtime_ns = j.at("mtime_ns").get<int64_t>();
        e.hash = j.at("hash").get<std::string>();
        e.id = j.at("id").get<std::string>();
        e.owner = j.value("owner", true);
        e.foreign = j.value("foreign", false);
        if (e.foreign && j.contains("links")) e.links = j["links"].get<std::vector<std::string>>();
        return std::make_pair(j.at("path").get<std::string>(), e);
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

// Walks the inputs: regular files of a supported type, recursively, skipping hidden entries,
// following symlinks but never into a directory already visited (loops).
class Walker {
  public:
    Walker(IndexStats& stats) : stats_(stats) {}

    void add_input(const fs::path& input) {
        struct stat st {};
        if (::stat(input.c_str(), &st) != 0) {
            reject(input.string(), std::string("cannot read: ") + std::strerror(errno));
            return;
        }
        if (S_ISDIR(st.st_mode)) {
            roots_.push_back(abs(input));
            walk_dir(input, input, st);
        } else if (S_ISREG(st.st_mode)) {
            roots_.push_back(abs(input));
            add_file(input, input.filename(), st, /*explicit_arg=*/true);
        } else {
            reject(input.string(), "not a regular file or directory");
        }
    }

    std::vector<InputFile> take_files() {
        std::sort(files_.begin(), files_.end(),
                  [](const InputFile& a, const InputFile& b) { return a.key < b.key; });
        files_.erase(
            std::unique(files_.begin(), files_.end(),
                        [](const InputFile& a, const InputFile& b) { return a.key == b.key; }),
            files_.end());
        return std::move(files_);
    }
    const std::vector<std::string>& roots() const { return roots_; }

  private:
    static std::string abs(const fs::path& p) {
        std::error_code ec;
        fs::path a = fs::absolute(p, ec);
        return (ec ? p : a).lexically_normal().string();
    }

    void reject(const std::string& file, const std::string& reason) {
        stats_.rejections.push_back({file, 0, 0, reason});
        ++stats_.rejected;
    }

    void add_file(const fs::path& p, const fs::path& rel, const struct stat& st,
                  bool explicit_arg) {
        if (file_kind(p) == FileKind::Unsupported && !explicit_arg) {
            ++stats_.skipped;
            return;
        }
        InputFile f;
        f.key = abs(p);
        f.rel = rel.generic_string();
        f.size = static_cast<uint64_t>(st.st_size);
        f.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
        files_.push_back(std::move(f));
    }

    void walk_dir(const fs::path& dir, const fs::path& root, const struct stat& dir_st) {
        if (!visited_.insert({dir_st.st_dev, dir_st.st_ino}).second) return;  // loop
        std::error_code ec;
        fs::directory_iterator it(dir, ec);
        if (ec) {
            reject(dir.string(), "cannot read directory: " + ec.message());
            return;
        }
        std::vector<fs::path> entries;
        for (; it != fs::directory_iterator(); it.increment(ec)) {
            if (ec) break;
            entries.push_back(it->path());
        }
        if (ec) reject(dir.string(), "cannot list directory: " + ec.message());
        std::sort(entries.begin(), entries.end());
        for (const auto& p : entries) {
            const std::string name = p.filename().string();
            if (name.starts_with('.')) {
                ++stats_.skipped;
                continue;
            }
            struct stat st {};
            if (::stat(p.c_str(), &st) != 0) {
                const int err = errno;
                struct stat lst {};
                const bool is_link = ::lstat(p.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode);
                if (err == ENOENT && !is_link) continue;  // deleted while we were listing
                reject(p.string(), std::string(is_link ? "broken symlink: " : "cannot read: ") +
                                       std::strerror(err));
                continue;
            }
            if (S_ISDIR(st.st_mode)) {
                walk_dir(p, root, st);
            } else if (S_ISREG(st.st_mode)) {
                add_file(p, p.lexically_relative(root), st, false);
            } else {
                ++stats_.skipped;
            }
        }
    }

    IndexStats& stats_;
    std::vector<InputFile> files_;
    std::vector<std::string> roots_;
    std::set<std::pair<dev_t, ino_t>> visited_;
};

// What the story rule reads of an article (as stored in its data); stubs have nothing (they
// are stories of their own).
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

// What the story pass needs of a document.
struct TextInfo {
    StoryText story;
    std::string published;                 // value slot kSlotPublished
    std::string key;                       // id key (the XI term without its prefix)
    std::vector<std::string> title_terms;  // ZS terms: the title's stems
};

// The title words of a document: its ZS terms (the title field's stems).
std::vector<std::string> title_terms(const Xapian::Document& doc) {
    std::vector<std::string> out;
    const std::string zs = "Z" + std::string(field("title").prefix);
    auto ti = doc.termlist_begin();
    for (ti.skip_to(zs); ti != doc.termlist_end(); ++ti) {
        const std::string term = *ti;
        if (term.compare(0, zs.size(), zs) != 0) break;
        if (term.size() > zs.size() + 1) out.push_back(term);
    }
    return out;
}
std::string key_term_value(const Xapian::Document& doc) {
    const std::string xi(field("idkey").prefix);
    auto t = doc.termlist_begin();
    t.skip_to(xi);
    return t != doc.termlist_end() && (*t).starts_with(xi) ? (*t).substr(xi.size()) : std::string();
}

// What the story pass needs of `doc`, given what the story rule reads of it.
TextInfo text_info(StoryText story, const Xapian::Document& doc) {
    return {std::move(story), doc.get_value(kSlotPublished), key_term_value(doc), title_terms(doc)};
}

// What the story rule reads of documents, by docid, kept across commits: the writer records
// what it writes (the parser threads computed it), so the story pass rarely reads documents'
// data back. Documents changed any other way must be forgotten. Holds at most `cap` entries,
// evicting the oldest first (a corpus in date order finds its candidates among recent ones).
class TextCache {
  public:
    explicit TextCache(std::size_t cap = 1 << 16) : cap_(cap) {}
    const TextInfo& get(const Xapian::Database& db, Xapian::docid d) {
        auto it = map_.find(d);
        if (it == map_.end()) {
            const Xapian::Document doc = db.get_document(d);
            const nlohmann::json data = read_data(doc);
            it = insert(d, text_info(story_text_of(data), doc));
        }
        return it->second;
    }
    void put(Xapian::docid d, TextInfo info) {
        auto it = map_.find(d);
        if (it != map_.end()) {
            it->second = std::move(info);
        } else {
            insert(d, std::move(info));
        }
    }
    void forget(Xapian::docid d) { map_.erase(d); }

  private:
    std::unordered_map<Xapian::docid, TextInfo>::iterator insert(Xapian::docid d, TextInfo info) {
        while (map_.size() >= cap_ && !order_.empty()) {
            map_.erase(order_.front());
            order_.pop_front();
        }
        if (order_.size() >= 2 * cap_) {  // drop the stale entries of forgotten docids
            std::deque<Xapian::docid> live;
            for (Xapian::docid x : order_)
                if (map_.count(x)) live.push_back(x);
            order_.swap(live);
        }
        order_.push_back(d);
        return map_.emplace(d, std::move(info)).first;
    }
    std::size_t cap_;
    std::unordered_map<Xapian::docid, TextInfo> map_;
    std::deque<Xapian::docid> order_;  // insertion order (may name forgotten docids)
};

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

class Progress {
  public:
    Progress(bool on, std::size_t total) : on_(on), total_(total), start_(Clock::now()) {}
    void update(std::size_t done, uint64_t bytes, std::size_t errors, bool force = false) {
        if (!on_) return;
        const auto now = Clock::now();
        if (!force && now - last_ < std::chrono::milliseconds(250)) return;
        last_ = now;
        const double s = std::chrono::duration<double>(now - start_).count();
        const double rate = s > 0 ? static_cast<double>(done) / s : 0;
        const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
        std::fprintf(
            stderr,
            "\r\033[K%zu/%zu files (%.0f%%)  %.0f files/s  %.1f MB/s  ETA %.0fs  "
            "errors %zu",
            done, total_,
            total_ ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0, rate,
            s > 0 ? static_cast<double>(bytes) / 1e6 / s : 0.0, eta, errors);
        std::fflush(stderr);
    }
    void finish() {
        if (on_) std::fprintf(stderr, "\r\033[K");
    }

  private:
    bool on_;
    std::size_t total_;
    Clock::time_point start_;
    Clock::time_point last_{};
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
    void touch_story_of(Xapian::docid did);
    void cluster_pass();
    void assign_story(const std::vector<Xapian::docid>& group,
                      std::map<Xapian::docid, Xapian::Document>& comp,
                      std::set<Xapian::docid>& done);
    std::set<Xapian::docid> touched_;  // articles whose story must be recomputed at commit
    TextCache text_;
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
    bool in_commit_ = false;
    bool fresh_ = false;  // a new index: commit its metadata even if no file was indexed  // stubs
                          // written by commit() itself do not trigger another
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
            touched_.insert(static_cast<Xapian::docid>(std::stoul(pending.substr(a, c - a))));
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
    for (Xapian::docid d : touched_) pending += std::to_string(d) + ',';
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
        cluster_pass();
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
            touch_story_of(*did);  // its old story may split
        }
    }
    Xapian::docid did;
    if (kind == kinds_.end()) {
        did = add_doc(self, doc);  // nothing has this id: no lookup needed
    } else {
        did = db.replace_document(qterm, doc);
    }
    touched_.insert(did);
    text_.put(did, std::move(text));  // replaces what the cache knew of that docid
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
    for (auto p = db_->postlist_begin(term); p != db_->postlist_end(term); ++p) text_.forget(*p);
}

// Every article of `did`'s story is recomputed at the next commit.
void Engine::touch_story_of(Xapian::docid did) {
    touched_.insert(did);
    const std::string story = db_->get_document(did).get_value(kSlotStory);
    if (story.empty()) return;
    const std::string t = bool_term("storyterm", story);
    for (auto p = db_->postlist_begin(t); p != db_->postlist_end(t); ++p) touched_.insert(*p);
}

// The articles of document `x`'s story among its candidates (docids in match order): articles
// published within `window` seconds of it that share one of its title's rarest words (two
// tellings of one story share them; candidates come from day terms, cheap to intersect) and
// that the story rule (story.hpp) calls the same story. Empty for an article without text or
// date.
std::vector<Xapian::docid> near_duplicates(const Xapian::Database& db, Xapian::docid x,
                                           TextCache& cache, double window, const StoryRule& rule) {
    constexpr std::size_t kMaxCandidates = 1000;
    constexpr std::size_t kRareWords = 4;
    std::vector<Xapian::docid> out;
    const TextInfo xinfo = cache.get(db, x);  // a copy: later get() calls may evict the entry
    if (xinfo.story.empty() || xinfo.published.empty()) return out;  // a story of its own
    const double t = Xapian::sortable_unserialise(xinfo.published);
    std::vector<std::pair<Xapian::doccount, std::string>> words;
    for (const std::string& term : xinfo.title_terms) {
        const Xapian::doccount df = db.get_termfreq(term);
        if (df > 1) words.emplace_back(df, term);  // a word no other article has finds none
    }
    if (words.empty()) return out;
    std::sort(words.begin(), words.end());
    if (words.size() > kRareWords) words.resize(kRareWords);
    std::vector<Xapian::Query> rare, days;
    for (const auto& w : words) rare.emplace_back(w.second);
    for (double day = t - window; day < t + window + 86400; day += 86400) {
        const std::string iso = format_iso8601(static_cast<int64_t>(day));
        days.emplace_back(
            make_term(field("day").prefix, iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2)));
    }
    Xapian::Enquire enq(db);
    enq.set_query(Xapian::Query(Xapian::Query::OP_FILTER,
                                Xapian::Query(Xapian::Query::OP_OR, rare.begin(), rare.end()),
                                Xapian::Query(Xapian::Query::OP_OR, days.begin(), days.end())));
    enq.set_weighting_scheme(Xapian::BoolWeight());
    const Xapian::MSet mset = enq.get_mset(0, kMaxCandidates);
    for (auto it = mset.begin(); it != mset.end(); ++it) {
        if (*it == x) continue;
        const TextInfo& cinfo = cache.get(db, *it);
        const std::string& cdate = cinfo.published;
        if (cdate.empty() || std::abs(Xapian::sortable_unserialise(cdate) - t) > window) continue;
        if (!same_story(xinfo.story, cinfo.story, rule)) continue;
        out.push_back(*it);
    }
    return out;
}

// Stories are the connected components of "near-duplicate and published within the window";
// a story's id is the smallest id key among its articles. Components are recomputed for every
// article written or removed in this batch (and the former members of their stories), so the
// result does not depend on indexing order or on how the corpus was split into runs.
void Engine::cluster_pass() {
    constexpr std::size_t kMaxStory = 1000;
    const double window = opts_.story_window_days * 86400.0;
    std::set<Xapian::docid> done;
    const auto seeds = std::move(touched_);
    touched_.clear();
    auto load = [&](Xapian::docid d, Xapian::Document& doc) {
        try {
            doc = db_->get_document(d);
            return true;
        } catch (const Xapian::DocNotFoundError&) {
            return false;
        }
    };
    for (Xapian::docid seed : seeds) {
        if (done.count(seed)) continue;
        Xapian::Document sdoc;
        if (!load(seed, sdoc)) continue;
        std::map<Xapian::docid, Xapian::Document> comp{{seed, sdoc}};
        std::vector<Xapian::docid> queue{seed};
        while (!queue.empty() && comp.size() < kMaxStory) {
            const Xapian::docid x = queue.back();
            queue.pop_back();
            const std::vector<Xapian::docid> found =
                near_duplicates(*db_, x, text_, window, opts_.story_rule);
            for (Xapian::docid c : found) {
                if (comp.count(c)) continue;
                Xapian::Document cdoc;
                if (!load(c, cdoc)) continue;
                comp.emplace(c, std::move(cdoc));
                queue.push_back(c);
            }
        }
        // Linked articles can chain two stories through a third ("Orbital" ~ "Ignite news" ~
        // "Machine Learning updates"): in date order, each joins the first story whose first
        // article the rule calls the same story, or starts one. The order depends on dates and
        // ids only, so the result does not depend on the seed.
        std::vector<Xapian::docid> order;
        for (const auto& entry : comp) order.push_back(entry.first);
        std::sort(order.begin(), order.end(), [&](Xapian::docid a, Xapian::docid b) {
            const TextInfo &x = text_.get(*db_, a), &y = text_.get(*db_, b);
            return std::tie(x.published, x.key) < std::tie(y.published, y.key);
        });
        std::vector<std::vector<Xapian::docid>> groups;
        for (Xapian::docid d : order) {
            const StoryText mine = text_.get(*db_, d).story;  // a copy: get() may evict
            auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& group) {
                return same_story(text_.get(*db_, group.front()).story, mine, opts_.story_rule);
            });
            if (g == groups.end()) {
                groups.push_back({d});
            } else {
                g->push_back(d);
            }
        }
        for (const auto& group : groups) assign_story(group, comp, done);
    }
}

// Gives the articles of `group` (documents in `comp`) one story: the smallest id key among
// them; a multi-article story also gets its XS term.
void Engine::assign_story(const std::vector<Xapian::docid>& group,
                          std::map<Xapian::docid, Xapian::Document>& comp,
                          std::set<Xapian::docid>& done) {
    auto has_term = [&](Xapian::docid d, const std::string& term) {
        Xapian::PostingIterator p = db_->postlist_begin(term);
        if (p == db_->postlist_end(term)) return false;
        p.skip_to(d);
        return p != db_->postlist_end(term) && *p == d;
    };
    std::string story;
    for (Xapian::docid d : group) {
        const std::string k = text_.get(*db_, d).key;
        if (!k.empty() && (story.empty() || k < story)) story = k;
    }
    const bool multi = group.size() > 1;
    const std::string story_term = story.empty() ? std::string() : bool_term("storyterm", story);
    for (Xapian::docid d : group) {
        Xapian::Document& doc = comp.at(d);
        done.insert(d);
        if (story.empty()) continue;
        const std::string old = doc.get_value(kSlotStory);
        if (old == story && has_term(d, story_term) == multi) continue;
        if (!old.empty()) {
            try {
                doc.remove_term(bool_term("storyterm", old));
            } catch (const Xapian::InvalidArgumentError&) {
            }
        }
        if (multi) doc.add_boolean_term(story_term);  // singletons need no term
        doc.add_value(kSlotStory, story);
        db_->replace_document(d, doc);
        count_write();
    }
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
        touch_story_of(*did);
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
                          !touched_.empty() || !pending_stubs_.empty() || !xref_dirty_.empty() ||
                          fresh_;
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
