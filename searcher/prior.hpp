// The blended-ranking prior of the searcher: quality and recency (or closeness to a seed's
// date) added to each matched document's BM25 score, as Xapian's own posting sources or as
// one posting source of our own over a per-database value column; the tie-break prior; the
// index's newest date (the recency anchor). docs/ranking.md has the formula.
#pragma once

#include <xapian.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query.hpp"

namespace news {

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
// each database revision it meets into memory once (24 bytes a document, at most 256 MB in all)
// and reads keys from there: worth it for a process that runs many searches (batch mode, a
// server), not for a single search, which would pay the copy for one query. Keyed by the
// database's uuid, revision and size: a WritableDatabase with uncommitted changes must not be
// searched with the cache on, nor two copies of one index directory (same uuid) updated apart.
// A column is dropped when another revision of its database is met, when it was not asked for
// in the last kPriorColumnIdleLookups lookups (its index was rebuilt, compacted or closed: each
// search looks up every local database it reads), or when a new column needs its room (least
// recently used first, never one a search is reading); a database that still does not fit
// reads its value stream.
void set_prior_column_cache(bool on);
bool prior_column_cache();
// With the cache on: whether the source reads `db` (one local database, not a combination)
// from memory, copying its column now if needed. Counts as a lookup.
bool prior_column_ready(const Xapian::Database& db);

inline constexpr std::size_t kPriorColumnCacheBytes = std::size_t{256} << 20;
inline constexpr std::uint64_t kPriorColumnIdleLookups = 1000;
// The memory the columns may take together (kPriorColumnCacheBytes by default).
void set_prior_column_cache_limit(std::size_t bytes);
struct PriorColumnCacheStats {
    std::size_t columns = 0, bytes = 0;
};
PriorColumnCacheStats prior_column_cache_stats();

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
