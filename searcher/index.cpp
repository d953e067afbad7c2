// Opening the indexes a search reads: local directories, sharded indexes (stub files) and
// remote shards, with their schema and language checked; dropping shards that die mid-search.
#include "index.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "schema.hpp"
#include "shards.hpp"

namespace fs = std::filesystem;

namespace news {

namespace {

constexpr unsigned kRemoteTimeoutMs = 10000;        // per request
constexpr unsigned kRemoteConnectTimeoutMs = 5000;  // to connect

// A metadata value of a freshly opened database; an indexer committing meanwhile can discard
// the revision being read (two quick commits), so reopen and read again.
std::string metadata(Xapian::Database& db, const std::string& key) {
    for (int attempt = 0;; ++attempt) {
        try {
            if (attempt > 0) db.reopen();  // (which can meet the same race)
            return db.get_metadata(key);
        } catch (const Xapian::DatabaseModifiedError&) {
            if (attempt >= 5) throw IndexError("the index kept changing while reading; try again");
        } catch (const Xapian::DatabaseError&) {  // (see refresh())
            if (attempt >= 5) throw;
        }
    }
}

// Opens one shard (a local database or a remote one) and checks its schema version.
// An open descriptor of the directory `path` (closed with the last copy), and the path that
// opens files through it; nullptr and `path` itself when it is no directory (a single-file
// database) or /proc is not there.
std::pair<std::shared_ptr<const int>, std::string> pin_directory(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return {nullptr, path};
    auto holder = std::shared_ptr<const int>(new int(fd), [](const int* p) {
        ::close(*p);
        delete p;
    });
    const std::string via = "/proc/self/fd/" + std::to_string(fd);
    struct stat a {
    }, b{};
    if (::stat(via.c_str(), &a) != 0 || ::fstat(fd, &b) != 0 || a.st_ino != b.st_ino)
        return {nullptr, path};
    return {std::move(holder), via};
}

Xapian::Database open_shard(const ShardLocation& loc, std::shared_ptr<const int>& dir_fd) {
    const std::string name = loc.spec();
    Xapian::Database db;
    if (loc.remote) {
        try {
            db =
                Xapian::Remote::open(loc.host, loc.port, kRemoteTimeoutMs, kRemoteConnectTimeoutMs);
        } catch (const Xapian::NetworkError& e) {
            throw IndexError("shard '" + name + "' is unreachable (" + e.get_msg() +
                             "): start `xapian-tcpsrv` for it, or pass --allow-partial to answer "
                             "from the other shards");
        } catch (const Xapian::Error& e) {
            throw IndexError("shard '" + name + "' cannot be opened (" + e.get_description() + ")");
        }
    } else {
        if (!fs::exists(loc.path)) {
            throw IndexError("no index at '" + name + "': build one with `indexer --index " + name +
                             " PATH...` or pass --index");
        }
        // An indexer committing quickly can replace the revision being opened (two commits in
        // a row), which looks like a modified, unopenable or even corrupt database for a moment:
        // only an error that persists is reported.
        for (int attempt = 0;; ++attempt) {
            try {
                auto [fd, via] = pin_directory(loc.path);
                db = Xapian::Database(via);
                dir_fd = std::move(fd);
                break;
            } catch (const Xapian::DatabaseModifiedError&) {
                if (attempt >= 5)
                    throw IndexError("the index kept changing while opening it; try again");
            } catch (const Xapian::DatabaseOpeningError& e) {
                if (attempt >= 2)
                    throw IndexError("'" + name + "' is not a readable index (" + e.get_msg() +
                                     "); rebuild it with `indexer --full`");
            } catch (const Xapian::DatabaseCorruptError& e) {
                if (attempt >= 2)
                    throw IndexError("index '" + name + "' is corrupt (" + e.get_msg() +
                                     "); rebuild it with `indexer --full`");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    const std::string v = metadata(db, kMetaSchemaVersion);
    if (v != std::to_string(kSchemaVersion)) {
        throw IndexError("index '" + name + "' has schema version '" + v +
                         "', this searcher reads " + std::to_string(kSchemaVersion) +
                         "; rebuild it with `indexer --full`");
    }
    return db;
}

// (device, inode) of a local path, (0, 0) for a remote spec or a path that does not exist.
DiskId identity(const std::string& path) {
    struct stat st {};
    if (path.starts_with("tcp://") || ::stat(path.c_str(), &st) != 0) return {0, 0};
    return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

DiskId identity(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return {0, 0};
    return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

using OnDisk = std::vector<std::pair<std::string, DiskId>>;

// The shards a --index spec stands for. Stub files (and directories holding one) are
// followed, also when a stub lists another sharded index, so every shard is opened on its own;
// each stub file read is added to `stubs` with its identity (taken before reading it).
void add_locations(const std::string& spec, int depth, std::vector<ShardLocation>& out,
                   OnDisk& stubs) {
    if (auto remote = parse_tcp_spec(spec)) {
        out.push_back(*remote);
        return;
    }
    std::error_code ec;
    const fs::path p(spec);
    std::optional<fs::path> stub;
    if (fs::is_directory(p, ec) && fs::exists(p / kStubFileName, ec) &&
        !fs::exists(p / "iamglass", ec)) {
        stub = p / kStubFileName;
    } else if (fs::is_regular_file(p, ec)) {
        // A stub file, or a single-file database (which is not text).
        std::ifstream in(p, std::ios::binary);
        char head[16] = {};
        in.read(head, sizeof head);
        const bool text = std::all_of(head, head + in.gcount(), [](char c) {
            return c == '\n' || c == '\r' || c == '\t' || static_cast<unsigned char>(c) >= 0x20;
        });
        if (text) stub = p;
    }
    if (!stub) {
        ShardLocation loc;
        loc.path = spec;
        out.push_back(loc);
        return;
    }
    if (depth > 8) throw IndexError("stub database files nested too deeply at '" + spec + "'");
    stubs.emplace_back(stub->string(), identity(stub->string()));
    for (const auto& loc : read_stub_file(*stub)) {
        if (loc.remote) {
            out.push_back(loc);
        } else {
            add_locations(loc.path, depth + 1, out, stubs);
        }
    }
}

std::vector<ShardLocation> locations(const std::string& spec, OnDisk& stubs) {
    std::vector<ShardLocation> out;
    add_locations(spec, 0, out, stubs);
    return out;
}

}  // namespace

OpenedIndex open_indexes(const std::vector<std::string>& specs, bool allow_partial) {
    OpenedIndex out;
    out.allow_partial = allow_partial;
    out.specs = specs;
    for (const auto& spec : specs) out.on_disk.emplace_back(spec, identity(spec));
    std::string first_error;
    auto leave_out = [&](const std::string& name, const Error& e) {  // or rethrow
        if (!allow_partial) throw;
        if (first_error.empty()) first_error = e.what();
        out.missing.push_back({name, e.what()});
    };
    for (const auto& spec : specs) {
        std::vector<ShardLocation> locs;
        try {
            locs = locations(spec, out.on_disk);
        } catch (const Error& e) {  // IndexError, or UsageError for a bad tcp:// spec
            leave_out(spec, e);
            continue;
        }
        for (const auto& loc : locs) {
            Xapian::Database one;
            std::shared_ptr<const int> dir_fd;
            // What the path named before opening (a shard left out is watched too: it may come
            // back), then what was opened.
            if (!loc.remote) out.on_disk.emplace_back(loc.path, identity(loc.path));
            try {
                one = open_shard(loc, dir_fd);
            } catch (const IndexError& e) {
                leave_out(loc.spec(), e);
                continue;
            }
            if (dir_fd) out.on_disk.back().second = identity(*dir_fd);
            const std::string lang = metadata(one, kMetaLanguage);
            if (out.language.empty()) {
                out.language = lang;
            } else if (lang != out.language) {
                throw IndexError("indexes use different languages ('" + out.language + "' and '" +
                                 lang + "'); search them separately");
            }
            out.db.add_database(one);
            out.any_remote = out.any_remote || loc.remote;
            out.parts.push_back(one);
            if (dir_fd) out.dir_fds.push_back(std::move(dir_fd));
            out.paths.push_back(loc.spec());
        }
    }
    if (out.parts.empty()) {
        throw IndexError(out.missing.empty() ? std::string("no index given")
                                             : "no shard could be opened: " + first_error);
    }
    if (out.language.empty()) out.language = kDefaultLanguage;
    return out;
}

bool replaced_on_disk(const OpenedIndex& index, DiskIds* now) {
    for (const auto& [path, was] : index.on_disk) {
        DiskId is;
        if (!now) {
            is = identity(path);
        } else if (auto it = now->find(path); it != now->end()) {
            is = it->second;
        } else {
            is = now->emplace(path, identity(path)).first->second;
        }
        if (is != was) return true;
    }
    return false;
}

void reopen_by_path(OpenedIndex& index) {
    OpenedIndex fresh = open_indexes(index.specs, index.allow_partial);
    index = std::move(fresh);
}

void refresh(OpenedIndex& index) {
    if (replaced_on_disk(index)) return reopen_by_path(index);
    // reopen() itself reads the latest revision, which two quick commits can discard while it
    // does (DatabaseModifiedError): try again, then open afresh. Glass reads a table's root
    // block before checking its revision, so a discarded revision can also look corrupt for a
    // moment ("Expected block N to be level 1, not 0"): the same. Corruption that persists is
    // reported by the fresh open (open_shard).
    for (int attempt = 0;; ++attempt) {
        try {
            index.db.reopen();
            return;
        } catch (const Xapian::DatabaseModifiedError&) {
            if (attempt >= 5) return reopen_by_path(index);
        } catch (const Xapian::DatabaseOpeningError&) {  // the directory read was deleted
            return reopen_by_path(index);
        } catch (const Xapian::DatabaseError&) {  // ("EOF reading block N" too)
            if (attempt >= 5) return reopen_by_path(index);
        } catch (const Xapian::NetworkError& e) {  // a remote shard stopped answering
            if (attempt >= 5 || !index.drop_dead_shards(e.get_description())) throw;
        }
    }
}

bool OpenedIndex::drop_dead_shards(const std::string& error) {
    std::vector<std::size_t> dead;
    std::vector<std::string> reasons;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        try {
            parts[i].keep_alive();  // a round trip for a remote shard
            (void)parts[i].get_doccount();
        } catch (const Xapian::Error& e) {
            dead.push_back(i);
            reasons.push_back(e.get_description());
        }
    }
    if (dead.empty()) {
        throw IndexError("a shard failed while answering (" + error + ")");
    }
    if (!allow_partial || dead.size() == parts.size()) {
        throw IndexError("shard '" + paths[dead.front()] + "' stopped answering (" +
                         reasons.front() + ")" +
                         (allow_partial ? std::string(": no shard is left")
                                        : ": restart it, or pass --allow-partial to answer from "
                                          "the other shards"));
    }
    for (std::size_t k = dead.size(); k-- > 0;) {
        const std::size_t i = dead[k];
        missing.push_back({paths[i], reasons[k]});
        parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(i));
        paths.erase(paths.begin() + static_cast<std::ptrdiff_t>(i));
    }
    db = Xapian::Database();
    for (const auto& p : parts) db.add_database(p);
    builder.reset();
    prior.reset();
    return true;
}

bool OpenedIndex::distinct_uuids() const {
    std::set<std::string> seen;
    for (const auto& p : parts) {
        std::string uuid;
        try {
            uuid = p.get_uuid();
        } catch (const Xapian::Error&) {
            return false;
        }
        if (uuid.empty() || !seen.insert(uuid).second) return false;
    }
    return true;
}

}  // namespace news
