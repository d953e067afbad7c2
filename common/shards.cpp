// Sharded indexes (shards.hpp): an article's shard, --shard and tcp specs, shard directory
// names, and reading and writing Xapian stub database files.
#include "shards.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "errors.hpp"
#include "schema.hpp"
#include "text.hpp"

namespace fs = std::filesystem;

namespace news {

unsigned shard_for_key(std::string_view key, unsigned n) {
    if (n <= 1) return 0;
    uint64_t h = 0;
    for (char c : key) {
        unsigned v;
        if (c >= '0' && c <= '9')
            v = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = static_cast<unsigned>(c - 'a' + 10);
        else
            continue;
        h = (h << 4) | v;
    }
    return static_cast<unsigned>(h % n);
}

unsigned shard_for_id(std::string_view id, unsigned n) {
    return shard_for_key(id_key(id), n);
}

namespace {
bool parse_uint(std::string_view s, unsigned& out) {
    if (s.empty()) return false;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}
}  // namespace

std::pair<unsigned, unsigned> parse_shard_spec(std::string_view spec) {
    const auto slash = spec.find('/');
    unsigned k = 0, n = 0;
    if (slash == std::string_view::npos || !parse_uint(spec.substr(0, slash), k) ||
        !parse_uint(spec.substr(slash + 1), n) || n == 0 || k >= n || n > 1024) {
        throw UsageError("--shard: expected K/N with 0 <= K < N <= 1024, got '" +
                         std::string(spec) + "'");
    }
    return {k, n};
}

std::string shard_dir_name(unsigned i) {
    return "shard-" + std::to_string(i);
}

std::string ShardLocation::spec() const {
    if (!remote) return path;
    const bool v6 = host.find(':') != std::string::npos;
    return "tcp://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<ShardLocation> parse_tcp_spec(std::string_view spec) {
    constexpr std::string_view kScheme = "tcp://";
    if (!spec.starts_with(kScheme)) return std::nullopt;
    std::string_view rest = spec.substr(kScheme.size());
    while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    ShardLocation loc;
    loc.remote = true;
    const auto colon = rest.rfind(':');
    std::string_view host = colon == std::string_view::npos ? rest : rest.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (colon == std::string_view::npos || host.empty() ||
        !parse_uint(rest.substr(colon + 1), loc.port) || loc.port == 0 || loc.port > 65535) {
        throw UsageError("bad remote index '" + std::string(spec) + "': expected tcp://HOST:PORT");
    }
    loc.host = std::string(host);
    return loc;
}

std::vector<ShardLocation> read_stub_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw IndexError("cannot read stub database file '" + file.string() +
                         "': " + std::strerror(errno));
    }
    std::vector<ShardLocation> out;
    std::string line;
    int lineno = 0;
    const fs::path base = file.parent_path();
    while (std::getline(in, line)) {
        ++lineno;
        if (lineno > 100000 || line.size() > 4096) {
            throw IndexError(file.string() + ":" + std::to_string(lineno) +
                             ": not a stub database file (too long)");
        }
        const std::string_view l = trim(line);
        if (l.empty() || l.front() == '#') continue;
        const auto sp = l.find_first_of(" \t");
        const std::string_view type = l.substr(0, sp);
        const std::string_view arg = sp == std::string_view::npos ? "" : trim(l.substr(sp + 1));
        auto bad = [&](const std::string& why) {
            return IndexError(file.string() + ":" + std::to_string(lineno) + ": " + why);
        };
        if (arg.empty()) throw bad("expected `auto PATH`, `glass PATH` or `remote :HOST:PORT`");
        ShardLocation loc;
        if (type == "auto" || type == "glass") {
            fs::path p(arg);
            loc.path = (p.is_absolute() ? p : base / p).lexically_normal().string();
        } else if (type == "remote") {
            if (arg.front() != ':')
                throw bad("only TCP remotes (`remote :HOST:PORT`) are supported");
            try {
                loc = *parse_tcp_spec("tcp://" + std::string(arg.substr(1)));
            } catch (const UsageError&) {
                throw bad("bad remote '" + std::string(arg) + "': expected `remote :HOST:PORT`");
            }
        } else {
            throw bad("unsupported database type '" + std::string(type) + "'");
        }
        out.push_back(std::move(loc));
    }
    if (out.empty())
        throw IndexError("stub database file '" + file.string() + "' lists no databases");
    return out;
}

void write_stub_file(const fs::path& file, const std::vector<std::string>& dirs) {
    const fs::path tmp = file.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << "# Xapian stub database file: the shards of this index (written by indexer)\n";
        for (const auto& d : dirs) out << "auto " << d << "\n";
        out.flush();
        if (!out) throw IndexError("cannot write stub database file '" + tmp.string() + "'");
    }
    std::error_code ec;
    fs::rename(tmp, file, ec);
    if (ec) {
        throw IndexError("cannot write stub database file '" + file.string() +
                         "': " + ec.message());
    }
}

}  // namespace news
