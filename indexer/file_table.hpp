// The file table: one row per input file (index metadata "file:<path>"), saying what was
// indexed from it (size, mtime, content hash, id) so an unchanged file is not read again, and
// its encoding in the metadata.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace news {

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

// A file an earlier run rejected (index metadata "rejected:<path>"): its size and mtime then,
// and why, so an unchanged rejected file is not read again.
struct RejectedEntry {
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    int line = 0, column = 0;
    std::string reason;
};
std::string rejected_key(const std::string& path);
std::string encode_rejected(const std::string& path, const RejectedEntry& e);
std::optional<std::pair<std::string, RejectedEntry>> decode_rejected(const std::string& s);

// The metadata key of `path`'s row.
std::string table_key(const std::string& path);
// A row as stored under table_key(path) (compact binary, file_table.cpp), and back from its
// key and value; nullopt for a row that cannot be read. The path is left out of the value when
// the key holds it whole. Rows stored as JSON by older versions are read too.
std::string encode_entry(const std::string& path, const TableEntry& e);
std::optional<std::pair<std::string, TableEntry>> decode_entry(const std::string& key,
                                                               const std::string& s);

}  // namespace news
