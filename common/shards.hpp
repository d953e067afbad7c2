// Sharded indexes: which shard an article belongs to, and Xapian stub database files (the
// list of shards a sharded index is made of). See docs/scale-out.md.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace news {

// The shard of an article among `n`: its id hash (id_key, 16 hex digits) modulo n. Stable:
// the same id lands in the same shard on every machine and in every run.
unsigned shard_for_key(std::string_view id_key, unsigned n);
unsigned shard_for_id(std::string_view id, unsigned n);

// `--shard K/N`: K in [0, N). Throws UsageError for anything else.
std::pair<unsigned, unsigned> parse_shard_spec(std::string_view spec);

inline constexpr const char* kStubFileName = "XAPIANDB";  // Xapian opens DIR/XAPIANDB
inline constexpr const char* kMetaShard = "news:shard";   // "K/N" in each shard of N

// The directory of shard `i` inside a sharded index directory.
std::string shard_dir_name(unsigned i);

// One line of a stub database file.
struct ShardLocation {
    bool remote = false;
    std::string path;  // local: absolute or relative to the stub file's directory
    std::string host;  // remote (TCP)
    unsigned port = 0;
    std::string spec() const;  // what a user would pass to --index: a path or tcp://host:port
};

// Reads a Xapian stub database file: lines `auto PATH`, `glass PATH` (relative paths are
// relative to the stub file's directory) and `remote :HOST:PORT` (TCP); blank lines and lines
// starting with '#' are ignored. Throws IndexError naming the file and line for anything else
// (a stub of stubs, `remote PROGRAM`, an unknown backend).
std::vector<ShardLocation> read_stub_file(const std::filesystem::path& file);

// Writes a stub file listing local shard directories (relative to the file's directory),
// atomically (a temporary file renamed over it).
void write_stub_file(const std::filesystem::path& file, const std::vector<std::string>& dirs);

// `tcp://HOST:PORT` (HOST may be a name, an IPv4 address or [IPv6]); nullopt if `spec` does
// not start with tcp://; throws UsageError when it does but is malformed.
std::optional<ShardLocation> parse_tcp_spec(std::string_view spec);

}  // namespace news
