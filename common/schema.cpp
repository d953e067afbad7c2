#include "schema.hpp"

#include <stdexcept>

#include "text.hpp"
#include "url.hpp"

namespace news {

const Field& field(std::string_view name) {
    for (const auto& f : kFields) {
        if (f.name == name) return f;
    }
    throw std::logic_error("unknown schema field: " + std::string(name));
}

std::string make_term(std::string_view prefix, std::string_view value) {
    std::string term(prefix);
    // Omega's convention: a value starting with a capital letter is separated by ':' so the
    // prefix boundary stays unambiguous.
    if (!prefix.empty() && !value.empty() && value[0] >= 'A' && value[0] <= 'Z') term += ':';
    if (term.size() + value.size() <= kMaxTermBytes) {
        term.append(value);
        return term;
    }
    const std::size_t keep = kMaxTermBytes - term.size() - 17;
    term += utf8_truncate(value, keep);
    term += '#';
    term += hex64(hash64(value));
    return term;
}

std::string id_key(std::string_view id) {
    return hex64(hash64(id));
}

std::string quality_bucket_term(double bucket_start) {
    return make_term(field("qbucket").prefix, std::to_string(static_cast<long long>(bucket_start)));
}

std::string bool_term(std::string_view field_name, std::string_view value) {
    const Field& f = field(field_name);
    std::string v;
    if (field_name == "id") {
        v = std::string(value);  // ids are already normalised; paths are case-sensitive
    } else if (field_name == "links" || field_name == "idkey") {
        v = id_key(value);
    } else if (field_name == "url") {
        v = normalize_url(value);
    } else if (field_name == "domain") {
        v = ascii_lower(trim(value));
        if (v.starts_with("www.")) v.erase(0, 4);
    } else {
        v = ascii_lower(trim(value));
    }
    return make_term(f.prefix, v);
}

}  // namespace news
