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

std::string prior_key(std::optional<int64_t> published, std::optional<double> quality) {
    std::string out(1, static_cast<char>((published ? 1 : 0) | (quality ? 2 : 0)));
    if (published) {
        const uint64_t u = static_cast<uint64_t>(*published) ^ (uint64_t{1} << 63);
        for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((u >> shift) & 0xFF);
    }
    if (quality) out += Xapian::sortable_serialise(*quality);
    return out;
}

bool parse_prior_key(std::string_view v, PriorKey& out) {
    out = {};
    if (v.empty()) return false;
    const auto flags = static_cast<unsigned char>(v[0]);
    if (flags > 3) return false;
    std::size_t pos = 1;
    if (flags & 1) {
        if (v.size() < 9) return false;
        uint64_t u = 0;
        for (std::size_t i = 1; i < 9; ++i) u = (u << 8) | static_cast<unsigned char>(v[i]);
        out.published = static_cast<int64_t>(u ^ (uint64_t{1} << 63));
        pos = 9;
    }
    if (flags & 2) {
        if (pos >= v.size()) return false;
        out.quality = Xapian::sortable_unserialise(std::string(v.substr(pos)));
    } else if (pos != v.size()) {
        return false;
    }
    return true;
}

}  // namespace news
