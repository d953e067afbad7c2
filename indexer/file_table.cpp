// The file table (file_table.hpp): a row's metadata key and its JSON encoding and decoding.
#include "file_table.hpp"

#include <nlohmann/json.hpp>

#include "schema.hpp"

namespace news {

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

}  // namespace news
