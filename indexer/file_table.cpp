// The file table (file_table.hpp): a row's metadata key and its encoding (compact binary; JSON
// rows of older indexes are still read).
#include "file_table.hpp"

#include <nlohmann/json.hpp>

#include "schema.hpp"

namespace news {

std::string table_key(const std::string& path) {
    // Metadata keys share the term length limit.
    return make_term(kMetaFilePrefix, path);
}

namespace {

// A row is stored in a compact binary form: kBinaryTag, a flags byte, the size and the mtime
// (zigzag) as varints, then the path (unless kPathInKey), the hash (8 raw bytes if kHashBinary,
// else a length-prefixed string) and the id as a length-prefixed string, and for a foreign row
// the count of its links and each link. The table is stored uncompressed (Xapian keeps metadata
// in the postlist table), so every byte counts: at 200,000 files the path, already in the key
// unless the key was hashed, was 18 MB. Rows written before were JSON objects (they start with
// '{'): still read, rewritten in the binary form when their file changes.
constexpr char kBinaryTag = '\x01';
constexpr unsigned char kOwner = 1, kForeign = 2, kPathInKey = 4, kHashBinary = 8;
constexpr unsigned char kAllFlags = kOwner | kForeign | kPathInKey | kHashBinary;

// The path a row's key holds: the key with its prefix cut off, if that path's key is this key
// (nullopt for a key of another kind, or one table_key would write otherwise). A hashed key
// (a path too long for a key) can pass this check as the path "cut#hash"; the encoder never
// sets kPathInKey for one, so only a damaged row would be misread so.
std::optional<std::string> path_in_key(const std::string& key) {
    const std::string prefix = kMetaFilePrefix;
    if (key.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
    std::string path = key.substr(prefix.size());
    if (table_key(path) != key) return std::nullopt;
    return path;
}

// 16 lower-case hex digits (what hex64 makes) as 8 bytes, and back.
bool is_hex64(const std::string& s) {
    if (s.size() != 16) return false;
    for (const char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}
int hex_digit(char c) {
    return c <= '9' ? c - '0' : c - 'a' + 10;
}
void put_hex64(std::string& out, const std::string& hex) {
    for (std::size_t i = 0; i < 16; i += 2)
        out += static_cast<char>(hex_digit(hex[i]) << 4 | hex_digit(hex[i + 1]));
}
std::string hex_of(const std::string& bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (const char b : bytes) {
        out += kDigits[static_cast<unsigned char>(b) >> 4];
        out += kDigits[static_cast<unsigned char>(b) & 0xF];
    }
    return out;
}

void put_varint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}
void put_string(std::string& out, const std::string& s) {
    put_varint(out, s.size());
    out += s;
}

// Reads from a row, refusing anything past its end.
class Reader {
  public:
    explicit Reader(const std::string& s) : s_(s) {}
    bool varint(uint64_t& v) {
        v = 0;
        for (unsigned shift = 0; shift < 64; shift += 7) {
            if (pos_ >= s_.size()) return false;
            const auto b = static_cast<unsigned char>(s_[pos_++]);
            if (shift == 63 && b > 1) return false;  // more than 64 bits
            if (shift > 0 && b == 0) return false;   // an over-long encoding
            v |= static_cast<uint64_t>(b & 0x7F) << shift;
            if (!(b & 0x80)) return true;
        }
        return false;
    }
    bool string(std::string& out) {
        uint64_t n = 0;
        if (!varint(n) || n > s_.size() - pos_) return false;
        out.assign(s_, pos_, n);
        pos_ += n;
        return true;
    }
    bool bytes(std::size_t n, std::string& out) {
        if (n > s_.size() - pos_) return false;
        out.assign(s_, pos_, n);
        pos_ += n;
        return true;
    }
    bool byte(unsigned char& b) {
        if (pos_ >= s_.size()) return false;
        b = static_cast<unsigned char>(s_[pos_++]);
        return true;
    }
    bool done() const { return pos_ == s_.size(); }

  private:
    const std::string& s_;
    std::size_t pos_ = 0;
};

std::optional<std::pair<std::string, TableEntry>> decode_json(const std::string& s) {
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

}  // namespace

std::string encode_entry(const std::string& path, const TableEntry& e) {
    const bool path_in_key = table_key(path) == std::string(kMetaFilePrefix).append(path);
    const bool hash_binary = is_hex64(e.hash);
    std::string out(1, kBinaryTag);
    out += static_cast<char>((e.owner ? kOwner : 0) | (e.foreign ? kForeign : 0) |
                             (path_in_key ? kPathInKey : 0) | (hash_binary ? kHashBinary : 0));
    put_varint(out, e.size);
    const auto m = static_cast<uint64_t>(e.mtime_ns);
    put_varint(out, (m << 1) ^ (e.mtime_ns < 0 ? ~uint64_t{0} : 0));  // zigzag
    if (!path_in_key) put_string(out, path);
    if (hash_binary) {
        put_hex64(out, e.hash);
    } else {
        put_string(out, e.hash);
    }
    put_string(out, e.id);
    if (e.foreign) {
        put_varint(out, e.links.size());
        for (const auto& l : e.links) put_string(out, l);
    }
    return out;
}

std::optional<std::pair<std::string, TableEntry>> decode_entry(const std::string& key,
                                                               const std::string& s) {
    if (s.empty()) return std::nullopt;
    if (s[0] != kBinaryTag) return decode_json(s);
    Reader r(s);
    unsigned char tag = 0, flags = 0;
    uint64_t mtime = 0, links = 0;
    std::pair<std::string, TableEntry> out;
    TableEntry& e = out.second;
    if (!r.byte(tag) || !r.byte(flags) || (flags & ~kAllFlags) || !r.varint(e.size) ||
        !r.varint(mtime))
        return std::nullopt;
    if (flags & kPathInKey) {
        auto path = path_in_key(key);
        if (!path) return std::nullopt;
        out.first = std::move(*path);
    } else if (!r.string(out.first)) {
        return std::nullopt;
    }
    if (flags & kHashBinary) {
        if (!r.bytes(8, e.hash)) return std::nullopt;
        e.hash = hex_of(e.hash);
    } else if (!r.string(e.hash)) {
        return std::nullopt;
    }
    if (!r.string(e.id)) return std::nullopt;
    e.mtime_ns = static_cast<int64_t>((mtime >> 1) ^ (~(mtime & 1) + 1));
    e.owner = flags & kOwner;
    e.foreign = flags & kForeign;
    if (e.foreign) {
        if (!r.varint(links) || links > s.size()) return std::nullopt;
        e.links.resize(links);
        for (auto& l : e.links)
            if (!r.string(l)) return std::nullopt;
    }
    if (!r.done()) return std::nullopt;
    return out;
}

std::string rejected_key(const std::string& path) {
    return make_term(kMetaRejectedPrefix, path);
}

// Rejected rows are few and read once per run: JSON, readable with any tool.
std::string encode_rejected(const std::string& path, const RejectedEntry& e) {
    const nlohmann::json j = {{"path", path},   {"size", e.size},     {"mtime_ns", e.mtime_ns},
                              {"line", e.line}, {"column", e.column}, {"reason", e.reason}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::pair<std::string, RejectedEntry>> decode_rejected(const std::string& s) {
    const auto j = nlohmann::json::parse(s, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    try {
        RejectedEntry e;
        e.size = j.at("size").get<uint64_t>();
        e.mtime_ns = j.at("mtime_ns").get<int64_t>();
        e.line = j.value("line", 0);
        e.column = j.value("column", 0);
        e.reason = j.value("reason", "");
        return std::make_pair(j.at("path").get<std::string>(), e);
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

}  // namespace news
