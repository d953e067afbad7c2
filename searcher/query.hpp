// Query building for the searcher: the user's query string through Xapian's QueryParser (set
// up from the schema's field table), plus flag filters, plus the blended-ranking prior.
#pragma once

#include <xapian.h>

#include <array>
#include <map>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace news {

struct Filters {
    std::optional<double> min_quality, max_quality;
    std::optional<int64_t> since, until;  // inclusive, seconds since the epoch
    std::vector<std::string> topics;      // any of
    std::vector<std::string> providers;   // any of; name or domain
    std::vector<std::string> types;       // any of
    std::vector<std::string> categories;  // any of
    bool include_removed = false;
    bool include_stubs = false;
};

struct QueryRequest {
    std::string text;
    bool match_all = true;  // default operator AND (false: OR)
    bool spelling = true;
    // Drop stopwords ("the", "of", ...) from the query, outside phrases, unless the query is
    // nothing but stopwords or a word is written +word (docs/ranking.md). Only for an index
    // whose language has a list (english); others are parsed as before.
    bool stopwords = true;
    Xapian::termcount wildcard_limit = 200;
    Filters filters;
};

// A query matching every document. Never Xapian::Query::MatchAll: that is one object shared by
// the whole process, and Xapian 1.4's reference counts are not atomic, so copying it in two
// threads at once (`searcher serve`) corrupts its count; it was then freed under a reader and
// a later search crashed in Enquire::set_query.
inline Xapian::Query match_all() {
    return Xapian::Query(std::string());
}

// Longer query texts are refused (a pasted document is not a query; it would also make the
// parser and spelling correction do unbounded work).
inline constexpr std::size_t kMaxQueryBytes = 16384;

struct BuiltQuery {
    Xapian::Query query;  // text query with filters applied (no ranking prior)
    Xapian::Query text;   // the text part alone (match_all() when there is none)
    bool has_text = false;
    bool lenient = false;  // the parser rejected the query; it was re-read as plain words
    // Spelling: the query with its unknown words corrected, "" if none; offered only when it
    // finds clearly more articles than the query (see QueryBuilder::build).
    std::string suggestion;
    Xapian::doccount matches = 0;             // articles the query finds (counted to kSpellCount)
    Xapian::doccount suggestion_matches = 0;  // the same for the suggestion
    std::string parse_note;                   // why the query was read leniently
};

// Spelling counts stop here: "clearly more" needs no exact count beyond it.
inline constexpr Xapian::doccount kSpellCount = 1000;

// Parses a `--since`/`--until` value: ISO date or datetime (partial dates allowed), or a
// relative age like 7d / 12h (relative to `now`). Throws UsageError.
int64_t parse_time_flag(const std::string& value, bool round_up, int64_t now);

// The query-side stopword list of a stemming language: a standard English list (Snowball's)
// for "english" and "en"; empty for any other language (no stopwords are dropped).
const std::vector<std::string>& stopword_list(const std::string& language);

class QueryBuilder {
  public:
    QueryBuilder(const Xapian::Database& db, const std::string& language);
    BuiltQuery build(const QueryRequest& req);
    const Xapian::Stem& stemmer() const { return stem_; }

  private:
    void spell(const QueryRequest& req, BuiltQuery& out);

    Xapian::Database db_;
    Xapian::Stem stem_;
    Xapian::QueryParser qp_;
    Xapian::SimpleStopper stopper_;
    bool has_stopwords_ = false;
    std::shared_ptr<std::string> fp_error_ = std::make_shared<std::string>();  // see query.cpp
};

// The filter part alone (empty Query when there are no filters). Date and quality ranges are
// built from boolean bucket terms (years, months, days; quality tens) with a value check only
// in the buckets at the edges, which is much faster than a value range over every match; `db`
// bounds open-ended date ranges.
Xapian::Query filter_query(const Filters& f, const Xapian::Database& db);

// `text` with the filters applied, and removed articles and stubs hidden unless asked for.
Xapian::Query apply_filters(const Xapian::Query& text, const Filters& f,
                            const Xapian::Database& db);

// The bucketed range queries alone (exposed for tests): [lo, hi], inclusive, either open.
Xapian::Query date_range_query(std::optional<int64_t> lo, std::optional<int64_t> hi,
                               const Xapian::Database& db);
// With `db`, buckets outside the index's quality range are left out (fewer terms to merge).
Xapian::Query quality_range_query(std::optional<double> lo, std::optional<double> hi,
                                  const Xapian::Database* db = nullptr);

}  // namespace news
