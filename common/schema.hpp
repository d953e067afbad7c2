// The index schema. kFields is the single source of truth: one row per FieldId with the field's
// prefix, value slot, kind and normalisation. The document writer (field_writer.hpp) writes
// terms and values from it, the searcher's query parser is set up from it, and docs/schema.md
// is checked against it by a test. Prefixes follow Xapian Omega's conventions where one exists
// (Q unique id, S title, K keyword, H host, U url, T type, Y/M/D dates) and use X... otherwise.
#pragma once

#include <xapian.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace news {

// Bump when terms, values or document data change meaning; an index with another version is
// refused until rebuilt with `indexer --full`.
inline constexpr int kSchemaVersion = 8;
inline constexpr const char* kMetaSchemaVersion = "news:schema_version";
inline constexpr const char* kMetaLanguage = "news:language";
inline constexpr const char* kMetaLastUpdate = "news:last_update";
inline constexpr const char* kMetaFilePrefix = "file:";          // file table, see docs/schema.md
inline constexpr const char* kMetaRejectedPrefix = "rejected:";  // files rejected, unchanged
inline constexpr const char* kMetaClusterPending = "news:cluster_pending";
inline constexpr const char* kMetaXrefPrefix = "xref:";  // --shard K/N links from other shards

// Every field of the index, in kFields order: code names a field by its id, never by a string.
enum class FieldId : std::uint8_t {
    Id,
    IdKey,
    Url,
    Path,
    Title,
    Excerpt,
    Body,
    Topic,
    Provider,
    Domain,
    Type,
    Category,
    Flag,
    QBucket,
    Year,
    Month,
    Day,
    Links,
    Related,
    Published,
    Quality,
    Heat,
    Story,
    StoryTerm,
    Topics,
    ProviderName,
    TypeName,
    PubDay,
    PubHour,
    QPrior,
    PriorKey,
    TieBreak,
    IdHash,
    Count_  // not a field: the number of fields
};

enum class FieldKind {
    Text,     // free text, positional, stemmed; searchable unprefixed and/or under a prefix
    Boolean,  // exact filter terms (lower-cased), never affect scores
    Value,    // a value slot (a number or bytes, see Normalise): ranges, sorts, ranking, facets
};

// What a value becomes before it is written (see normalise): a boolean field's term value, or
// a value field's slot content.
enum class Normalise {
    AsIs,    // as given: ids (already normalised; paths are case-sensitive), text, raw values
    Lower,   // white space trimmed, ASCII lower-cased
    Host,    // as Lower, and a leading "www." dropped
    Url,     // normalize_url (url.hpp)
    IdKey,   // id_key: 16 hex digits of the hash of an id
    Number,  // a number, sortable_serialise'd (value fields only)
};

struct Field {
    FieldId id;                   // its own id: row i has id i (checked below)
    std::string_view name;        // article field (or derived property)
    std::string_view query_name;  // name in the query language ("" = not addressable)
    std::string_view prefix;      // term prefix ("" = unprefixed free text)
    int slot;                     // value slot, -1 = none
    FieldKind kind;
    Normalise norm;
    // Within-document weight of an unprefixed free-text copy of the value (0 = none): a text
    // field with a prefix is indexed under it with weight 1 and, when this is set, again
    // unprefixed; a boolean field's value may also be indexed as free text.
    unsigned text_weight;
    std::string_view description;
};

// Value slots.
enum Slot : Xapian::valueno {
    kSlotPublished = 0,  // seconds since the epoch (sortable_serialise)
    kSlotQuality = 1,    // quality (sortable_serialise)
    kSlotHeat = 2,       // heat (sortable_serialise)
    kSlotStory = 3,      // story id (16 hex digits), the collapse key
    kSlotIdHash = 4,     // 8-byte hash of the id: a tie-breaker independent of docids
    kSlotTopics = 5,     // topics joined by '\x1f' (facets)
    kSlotProvider = 6,   // provider name (facets)
    kSlotType = 7,       // type (facets)
    kSlotLinks = 8,      // out-links: 8-byte big-endian id hashes, in `related` order
    // 9: unused (was a stored MinHash signature)
    kSlotDay = 10,           // publication day "YYYYMMDD" (recency prior, year facet)
    kSlotQualityPrior = 11,  // quality clamped to [0, 100] (sortable_serialise; quality prior)
    kSlotHour = 12,          // publication hour "YYYYMMDDHH" (recency prior near its anchor)
    kSlotTieBreak = 13,      // hash of the id mapped to [0, 1) (sortable_serialise)
    kSlotPriorKey = 14,      // publication time and quality in one value (prior_key)
};

// Date and quality sorts, and every ranked query over several databases, add
// kTieBreakWeight * tiebreak(d) (< 1e-9): documents whose scores tie exactly (same text, same
// date), or differ only in the last bits because the matcher summed in another order, get a
// stable order that depends on their ids only, not on docids, so a sharded index ranks like a
// single one (exactly, but for scores within 1e-9 of each other). (Relevance sorts on one
// database break exact ties by the id hash instead, highest first, the same order.)
inline constexpr double kTieBreakWeight = 1e-9;

inline constexpr unsigned kTitleWeight = 3;  // wdf multiplier of title words in the body text

inline constexpr std::array<Field, static_cast<std::size_t>(FieldId::Count_)> kFields{{
    {FieldId::Id, "id", "id", "Q", -1, FieldKind::Boolean, Normalise::AsIs, 0,
     "unique article id: normalised webUrl, else originalUrl, else relative path"},
    {FieldId::IdKey, "idkey", "", "XI", -1, FieldKind::Boolean, Normalise::IdKey, 0,
     "hash of the id (16 hex digits): finds the document an out-link points to"},
    {FieldId::Url, "url", "url", "U", -1, FieldKind::Boolean, Normalise::Url, 0,
     "normalised originalUrl when it differs from the id (`url:` matches ids too)"},
    {FieldId::Path, "path", "", "P", -1, FieldKind::Boolean, Normalise::IdKey, 0,
     "hash (16 hex digits) of the source file's path relative to the indexed root, when the "
     "path is not the id: look-ups by path"},
    {FieldId::Title, "title", "title", "S", -1, FieldKind::Text, Normalise::AsIs, kTitleWeight,
     "title; also indexed unprefixed with a higher within-document weight"},
    {FieldId::Excerpt, "excerpt", "", "", -1, FieldKind::Text, Normalise::AsIs, 1,
     "excerpt, HTML entities decoded (unprefixed)"},
    {FieldId::Body, "body", "", "", -1, FieldKind::Text, Normalise::AsIs, 1,
     "text after the front matter (unprefixed)"},
    {FieldId::Topic, "topic", "topic", "K", -1, FieldKind::Boolean, Normalise::Lower, 1,
     "each topic, lower-cased (topics are also indexed as free text)"},
    {FieldId::Provider, "provider", "provider", "XP", -1, FieldKind::Boolean, Normalise::Lower, 1,
     "provider name, lower-cased (the name is also indexed as free text)"},
    {FieldId::Domain, "domain", "provider", "H", -1, FieldKind::Boolean, Normalise::Host, 0,
     "provider domain without a leading www., lower-cased; `provider:` matches name or domain"},
    {FieldId::Type, "type", "type", "T", -1, FieldKind::Boolean, Normalise::Lower, 0,
     "type (article, video, ...), lower-cased"},
    {FieldId::Category, "category", "category", "XC", -1, FieldKind::Boolean, Normalise::Lower, 0,
     "category, lower-cased"},
    {FieldId::Flag, "flag", "is", "XF", -1, FieldKind::Boolean, Normalise::Lower, 0,
     "flags: removed, stub, featured, published (the `published:` key)"},
    {FieldId::QBucket, "qbucket", "", "XQ", -1, FieldKind::Boolean, Normalise::Lower, 0,
     "quality bucket: the quality rounded down to a multiple of 10, clamped to -10..200 "
     "(fast quality filters)"},
    {FieldId::Year, "year", "year", "Y", -1, FieldKind::Boolean, Normalise::Lower, 0,
     "publication year, YYYY (UTC)"},
    {FieldId::Month, "month", "month", "M", -1, FieldKind::Boolean, Normalise::Lower, 0,
     "publication month, YYYYMM (UTC)"},
    {FieldId::Day, "day", "day", "D", -1, FieldKind::Boolean, Normalise::Lower, 0,
     "publication day, YYYYMMDD (UTC)"},
    {FieldId::Links, "links", "links", "XR", -1, FieldKind::Boolean, Normalise::IdKey, 0,
     "hash (16 hex digits) of the id of each article this one lists as related; the postings "
     "of XR<hash(id)> are the in-links of <id>"},
    {FieldId::Related, "related", "", "", kSlotLinks, FieldKind::Value, Normalise::AsIs, 0,
     "out-links in order: 8-byte big-endian hashes of the ids this article lists as related"},
    {FieldId::Published, "published", "date", "", kSlotPublished, FieldKind::Value,
     Normalise::Number, 0, "publication time, seconds since the epoch; `date:` ranges"},
    {FieldId::Quality, "quality", "quality", "", kSlotQuality, FieldKind::Value, Normalise::Number,
     0, "quality; `quality:` ranges"},
    {FieldId::Heat, "heat", "heat", "", kSlotHeat, FieldKind::Value, Normalise::Number, 0,
     "heat (-1 = none given)"},
    {FieldId::Story, "story", "", "", kSlotStory, FieldKind::Value, Normalise::AsIs, 0,
     "story id: the id key of the story's first article (the collapse key)"},
    {FieldId::StoryTerm, "storyterm", "story", "XS", -1, FieldKind::Boolean, Normalise::Lower, 0,
     "story id, as a term, on articles of stories with two or more articles: lists a story"},
    {FieldId::Topics, "topics", "", "", kSlotTopics, FieldKind::Value, Normalise::AsIs, 0,
     "topics joined by 0x1f, for facet counts"},
    {FieldId::ProviderName, "provider_name", "", "", kSlotProvider, FieldKind::Value,
     Normalise::AsIs, 0, "provider name, for facet counts"},
    {FieldId::TypeName, "type_name", "", "", kSlotType, FieldKind::Value, Normalise::AsIs, 0,
     "type, for facet counts"},
    {FieldId::PubDay, "pubday", "", "", kSlotDay, FieldKind::Value, Normalise::AsIs, 0,
     "publication day, YYYYMMDD (UTC): the recency prior's key and the year facet"},
    {FieldId::PubHour, "pubhour", "", "", kSlotHour, FieldKind::Value, Normalise::AsIs, 0,
     "publication hour, YYYYMMDDHH (UTC): the recency prior's key near its anchor"},
    {FieldId::QPrior, "qprior", "", "", kSlotQualityPrior, FieldKind::Value, Normalise::Number, 0,
     "quality clamped to 0..100: the quality prior"},
    {FieldId::PriorKey, "priorkey", "", "", kSlotPriorKey, FieldKind::Value, Normalise::AsIs, 0,
     "publication time and quality in one short value (a flags byte, the time in 5 bytes or "
     "8, the quality in 2, 4 or 8; see prior_key): what blended search reads per match on a "
     "local index"},
    {FieldId::TieBreak, "tiebreak", "", "", kSlotTieBreak, FieldKind::Value, Normalise::Number, 0,
     "hash of the id mapped to [0, 1): a score tie-breaker (weight 1e-9) independent of docids"},
    {FieldId::IdHash, "idhash", "", "", kSlotIdHash, FieldKind::Value, Normalise::AsIs, 0,
     "hash of the id, big-endian: breaks score ties the same way in every build"},
}};

// The table has one row per FieldId, in enum order, so a field's row is found by indexing.
constexpr bool fields_in_id_order() {
    for (std::size_t i = 0; i < kFields.size(); ++i) {
        if (static_cast<std::size_t>(kFields[i].id) != i) return false;
    }
    return true;
}
static_assert(fields_in_id_order(), "kFields must list every FieldId once, in enum order");

constexpr const Field& field(FieldId id) {
    return kFields[static_cast<std::size_t>(id)];
}

// The id of the field named `name`, at compile time (an unknown name does not compile).
consteval FieldId field_id(std::string_view name) {
    for (const auto& f : kFields) {
        if (f.name == name) return f.id;
    }
    throw "unknown schema field";  // not a constant expression: a compile error
}

// A field named by a string literal, for code not yet moved to FieldId (`bool_term("id", x)`):
// the name is looked up when the call compiles, never at run time.
struct FieldName {
    FieldId id;
    consteval FieldName(const char* name) : id(field_id(name)) {}  // implicit on purpose
};
constexpr const Field& field(FieldName name) {
    return field(name.id);
}

// A term `prefix + value`, kept under Xapian's term length limit: a value that would make the
// term longer than kMaxTermBytes is cut at a character boundary and suffixed with a hash of the
// whole value, so long URLs and topics stay unique and searchable.
inline constexpr std::size_t kMaxTermBytes = 240;
std::string make_term(std::string_view prefix, std::string_view value);

// A value normalised as `norm` says (Normalise::Number takes no string: throws logic_error).
std::string normalise(Normalise norm, std::string_view value);

// The term of boolean field `f` for `value`: its prefix and the value normalised by the
// field's column (lower-cased, a URL normalised; `links` terms hold a hash of the id, which
// keeps term lists small). Throws logic_error for a field that is not boolean.
std::string bool_term(FieldId f, std::string_view value);
inline std::string bool_term(FieldName f, std::string_view value) {
    return bool_term(f.id, value);
}

// The 16-hex-digit hash of an id used by the `idkey` and `links` terms.
std::string id_key(std::string_view id);

// Quality buckets for fast range filters: floor(q / 10) clamped to [-1, 20], term XQ<10*b>.
inline constexpr double kQualityBucket = 10;
inline constexpr int kQualityBucketMin = -1;
inline constexpr int kQualityBucketMax = 20;
std::string quality_bucket_term(double bucket_start);

// The value of kSlotPriorKey: publication time and quality, the two things blended search
// needs of every match (the prior's weight, the date and quality filters), in one value stream
// instead of several, short and cheap to decode (the matcher reads every value it skips).
// Byte 0: bits 0-1 say how the time is stored (0 none; 1: 5 bytes, seconds since the epoch +
// 2^39, for years about -15,000..19,000; 2: 8 bytes, + 2^63), bits 2-3 the quality (0 none;
// 1: 2 bytes, a whole number + 32768; 2: a float's 4 bytes, when it holds the value exactly;
// 3: a double's 8). All big-endian. A typical value is 8 bytes.
std::string prior_key(std::optional<int64_t> published, std::optional<double> quality);
struct PriorKey {
    std::optional<int64_t> published;
    std::optional<double> quality;
};
// False for a value prior_key did not write.
bool parse_prior_key(std::string_view v, PriorKey& out);

// The stemming strategy both sides use (TermGenerator and QueryParser), with the folding
// stemmer of fold.hpp: every word is indexed once, as "Z" + prefix + stem(fold(word)), with
// positions (phrases and NEAR match stems), and every query word is read the same way, whatever
// its case (Xapian's STEM_SOME would leave a capitalised query word unstemmed, so a pasted
// headline's "Outages" would miss "outage"). See docs/ranking.md.
inline constexpr Xapian::TermGenerator::stem_strategy kIndexStemStrategy =
    Xapian::TermGenerator::STEM_ALL_Z;
inline constexpr Xapian::QueryParser::stem_strategy kQueryStemStrategy =
    Xapian::QueryParser::STEM_ALL_Z;
inline constexpr const char* kDefaultLanguage = "english";

}  // namespace news
