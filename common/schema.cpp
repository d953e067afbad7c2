// The schema's functions: terms (length limit, Omega's ':' rule), normalisation per the field
// table's column, id keys, quality buckets and the prior key's encoding.
#include "schema.hpp"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "text.hpp"
#include "url.hpp"

namespace news {

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
    return bool_term(FieldId::QBucket, std::to_string(static_cast<long long>(bucket_start)));
}

std::string normalise(Normalise norm, std::string_view value) {
    switch (norm) {
        case Normalise::AsIs:
            return std::string(value);
        case Normalise::Lower:
            return ascii_lower(trim(value));
        case Normalise::Host: {
            std::string v = ascii_lower(trim(value));
            if (v.starts_with("www.")) v.erase(0, 4);
            return v;
        }
        case Normalise::Url:
            return normalize_url(value);
        case Normalise::IdKey:
            return id_key(value);
        case Normalise::Number:
            break;
    }
    throw std::logic_error("normalise: a number field takes a number, not text");
}

std::string bool_term(FieldId id, std::string_view value) {
    const Field& f = field(id);
    if (f.kind != FieldKind::Boolean) {
        throw std::logic_error(
            std::string("bool_term: field ").append(f.name).append(" is not boolean"));
    }
    return make_term(f.prefix, normalise(f.norm, value));
}

namespace {

void put_be(std::string& out, uint64_t u, int bytes) {
    for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8)
        out += static_cast<char>((u >> shift) & 0xFF);
}

uint64_t get_be(std::string_view v, std::size_t pos, int bytes) {
    uint64_t u = 0;
    for (int i = 0; i < bytes; ++i) u = (u << 8) | static_cast<unsigned char>(v[pos + i]);
    return u;
}

}  // namespace

std::string prior_key(std::optional<int64_t> published, std::optional<double> quality) {
    constexpr int64_t kShort = int64_t{1} << 39;
    unsigned time_kind = 0, quality_kind = 0;
    if (published) time_kind = (*published >= -kShort && *published < kShort) ? 1 : 2;
    if (quality) {
        const double q = *quality;
        // Whole numbers as 2 bytes (not -0.0, whose sign they would lose).
        if (q >= -32768 && q <= 32767 && std::floor(q) == q && !(q == 0 && std::signbit(q))) {
            quality_kind = 1;
        } else if (static_cast<double>(static_cast<float>(q)) == q) {
            quality_kind = 2;
        } else {
            quality_kind = 3;
        }
    }
    std::string out(1, static_cast<char>(time_kind | (quality_kind << 2)));
    if (time_kind == 1) {
        put_be(out, static_cast<uint64_t>(*published + kShort), 5);
    } else if (time_kind == 2) {
        put_be(out, static_cast<uint64_t>(*published) ^ (uint64_t{1} << 63), 8);
    }
    if (quality_kind == 1) {
        put_be(out, static_cast<uint64_t>(static_cast<int64_t>(*quality) + 32768), 2);
    } else if (quality_kind == 2) {
        const auto f = static_cast<float>(*quality);
        uint32_t bits;
        std::memcpy(&bits, &f, sizeof bits);
        put_be(out, bits, 4);
    } else if (quality_kind == 3) {
        uint64_t bits;
        std::memcpy(&bits, &*quality, sizeof bits);
        put_be(out, bits, 8);
    }
    return out;
}

bool parse_prior_key(std::string_view v, PriorKey& out) {
    out = {};
    if (v.empty()) return false;
    const auto flags = static_cast<unsigned char>(v[0]);
    const unsigned time_kind = flags & 3, quality_kind = (flags >> 2) & 3;
    static constexpr std::size_t kTimeBytes[] = {0, 5, 8, 0}, kQualityBytes[] = {0, 2, 4, 8};
    if (flags > 15 || time_kind == 3 ||
        v.size() != 1 + kTimeBytes[time_kind] + kQualityBytes[quality_kind]) {
        return false;
    }
    std::size_t pos = 1;
    if (time_kind == 1) {
        out.published = static_cast<int64_t>(get_be(v, pos, 5)) - (int64_t{1} << 39);
    } else if (time_kind == 2) {
        out.published = static_cast<int64_t>(get_be(v, pos, 8) ^ (uint64_t{1} << 63));
    }
    pos += kTimeBytes[time_kind];
    if (quality_kind == 1) {
        out.quality = static_cast<double>(static_cast<int64_t>(get_be(v, pos, 2)) - 32768);
    } else if (quality_kind == 2) {
        const auto bits = static_cast<uint32_t>(get_be(v, pos, 4));
        float f;
        std::memcpy(&f, &bits, sizeof f);
        out.quality = static_cast<double>(f);
    } else if (quality_kind == 3) {
        const uint64_t bits = get_be(v, pos, 8);
        double d;
        std::memcpy(&d, &bits, sizeof d);
        out.quality = d;
    }
    return true;
}

}  // namespace news
