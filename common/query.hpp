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

// Longer query texts are refused (a pasted document is not a query; it would also make the
// parser and spelling correction do unbounded work).
inline constexpr std::size_t kMaxQueryBytes = 16384;

struct BuiltQuery {
    Xapian::Query query;  // text query with filters applied (no ranking prior)
    Xapian::Query text;   // the text part alone (MatchAll when there is none)
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

// Blended ranking priors, added to each document the query matches (see docs/ranking.md):
//   quality part: quality_weight * clamp(quality, 0, 100) / 100
//   time part:    recency_weight * 0.5 ^ (max(0, days - plateau_days) / half_life_days)
// `days` is the distance in days from the anchor time to the middle of the document's
// publication hour (when it was published within 2 days of the anchor's day) or day (further
// away): before the anchor only (recency, for search) or on either side (`symmetric`,
// closeness to a seed's date, for related news). Built only from Xapian's own posting sources
// (ValueWeightPostingSource over `qprior`, ValueMapPostingSource over `pubhour` and `pubday`),
// so the same query runs on local, sharded and remote (xapian-tcpsrv) databases, and the
// matcher keeps its top-k optimisations (each source declares its maximum weight).
struct PriorSpec {
    double quality_weight = 0;
    double recency_weight = 0;
    double half_life_days = 30;
    int64_t anchor = 0;  // seconds since the epoch
    bool symmetric = false;
    double plateau_days = 0;
    // Hour keys within 2 days of the anchor (finer, one more posting source per query), or
    // day keys everywhere.
    bool hours_near_anchor = true;

    bool operator==(const PriorSpec&) const = default;
};

class Prior {
  public:
    // Weights are listed for the days the index spans (its pubday value bounds), as far as
    // plateau + 24 half-lives from the anchor (0.5^24 < 1e-7): further days get no time prior.
    Prior(const PriorSpec& spec, const Xapian::Database& db);
    // The prior as a query to combine with OP_AND_MAYBE; empty when both weights are 0.
    // Built once, in the constructor (hundreds of map entries): a Prior that is kept (batch
    // mode, see reusable_for) costs nothing more per query.
    const Xapian::Query& query() const { return query_; }
    // True when this prior is the one Prior(spec, db) would build now: same spec and the same
    // value bounds of `db` (the only things its keys and its month filter depend on).
    bool reusable_for(const PriorSpec& spec, const Xapian::Database& db) const;
    double quality_part(const Xapian::Document& doc) const;
    double time_part(const Xapian::Document& doc) const;
    double weight_for(const Xapian::Document& doc) const {
        return quality_part(doc) + time_part(doc);
    }
    const PriorSpec& spec() const { return spec_; }

    // The same prior as one posting source of our own (a subclass of Xapian::PostingSource)
    // that reads a single value per document, kSlotPriorKey, instead of the built-in sources'
    // two value slots and the month terms: the same weights, at about half the cost per match.
    // xapian-tcpsrv cannot run a class it does not know, so it is for local databases only, and
    // for priors without hour keys (has_local_source()).
    // With `ranges` (their date and quality bounds are used, nothing else), the source also
    // keeps only the documents inside them, the same documents filter_query()'s bucket terms
    // keep: the query must then be ANDed with it (it is the filter), else combined with
    // OP_AND_MAYBE. `share` is the part of the index the ranges are expected to keep (the
    // matcher's estimate, see range_share()).
    bool has_local_source() const { return hour_weights_.empty(); }
    Xapian::Query local_query(const Filters* ranges, double share) const;

  private:
    static std::array<std::string, 4> bounds(const Xapian::Database& db);
    Xapian::Query make_query() const;

    PriorSpec spec_;
    std::array<std::string, 4> bounds_;  // what is read from the database (pubday, published)
    std::map<std::string, double> hour_weights_, day_weights_;
    // The day weights again, by day number from day_first_ (for the local source).
    int64_t day_first_ = 0;
    std::shared_ptr<const std::vector<double>> day_table_;
    Xapian::Query time_filter_;  // the months the time sources cover, when not every month
    Xapian::Query query_;
};

// Off by default. On, the local prior source (Prior::local_query) copies the priorkey slot of
// each database revision it meets into memory once (24 bytes a document, at most 256 MB in all;
// a database past that reads its value stream) and reads keys from there: worth it for a
// process that runs many searches (batch mode, a server), not for a single search, which would
// pay the copy for one query. Keyed by the database's uuid, revision and size: a
// WritableDatabase with uncommitted changes must not be searched with the cache on, nor two
// copies of one index directory (same uuid) updated apart.
void set_prior_column_cache(bool on);
bool prior_column_cache();
// With the cache on: whether the source reads `db` (one local database, not a combination)
// from memory, copying its column now if needed.
bool prior_column_ready(const Xapian::Database& db);

// The local prior source without weights (a weight of 0 everywhere): the documents inside
// `ranges`' date and quality bounds, the same ones filter_query's bucket terms and value checks
// keep. `share` is the expected part of the index kept (range_share), for the matcher's
// estimates. Local databases only (a remote server cannot run it).
Xapian::Query range_source(const Filters& ranges, double share);

// True when `f` has a date or quality bound (what Prior::local_query can filter by).
bool has_range(const Filters& f);
// The part of the index's documents that the date and quality bounds of `f` keep, assuming
// dates and qualities spread evenly between the index's bounds: an estimate, for the matcher's
// choice of which list to drive by and for the searcher's choice of filtering by the local
// prior source (broad ranges) or by bucket terms (narrow ones, which then drive the match).
double range_share(const Filters& f, const Xapian::Database& db);

// `q` with the tie-break prior added (kTieBreakWeight x the tiebreak slot, a built-in
// ValueWeightPostingSource): exact score ties are ordered by id hash.
Xapian::Query with_tie_break(const Xapian::Query& q);
// The part of a document's score the tie-break prior adds (< 1e-9).
double tie_break_part(const Xapian::Document& doc);

// The anchor for search's recency prior: the newest publication time in the index (so an
// archive ranks sensibly too), or now when the index has no dates.
int64_t newest_time(const Xapian::Database& db);

}  // namespace news
