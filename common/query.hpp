// Query building for the searcher: the user's query string through Xapian's QueryParser (set
// up from the schema's field table), plus flag filters, plus the blended-ranking prior.
#pragma once

#include <xapian.h>

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
    bool lenient = false;    // the parser rejected the query; it was re-read as plain words
    std::string suggestion;  // spelling-corrected query string, "" if none
    std::string parse_note;  // why the query was read leniently
};

// Parses a `--since`/`--until` value: ISO date or datetime (partial dates allowed), or a
// relative age like 7d / 12h (relative to `now`). Throws UsageError.
int64_t parse_time_flag(const std::string& value, bool round_up, int64_t now);

class QueryBuilder {
  public:
    QueryBuilder(const Xapian::Database& db, const std::string& language);
    BuiltQuery build(const QueryRequest& req);
    const Xapian::Stem& stemmer() const { return stem_; }

  private:
    Xapian::Database db_;
    Xapian::Stem stem_;
    Xapian::QueryParser qp_;
    std::shared_ptr<std::string> fp_error_ = std::make_shared<std::string>();  // see query.cpp
};

// The filter part alone (empty Query when there are no filters). Date and quality ranges are
// built from boolean bucket terms (years, months, days; quality tens) with a value check only
// in the buckets at the edges, which is much faster than a value range over every match; `db`
// bounds open-ended date ranges.
Xapian::Query filter_query(const Filters& f, const Xapian::Database& db);

// The bucketed range queries alone (exposed for tests): [lo, hi], inclusive, either open.
Xapian::Query date_range_query(std::optional<int64_t> lo, std::optional<int64_t> hi,
                               const Xapian::Database& db);
Xapian::Query quality_range_query(std::optional<double> lo, std::optional<double> hi);

// Blended ranking: a posting source adding `quality_weight * min(q,qmax)/qmax` and
// `recency_weight * 0.5^(age / half_life)` to each matching document. See docs/ranking.md.
class BlendSource : public Xapian::PostingSource {
  public:
    // `symmetric`: the time part decays with |t - now| (closeness to a date, for related
    // news) instead of with the age before `now`.
    BlendSource(double quality_weight, double recency_weight, double half_life_s, double now,
                double quality_max = 100.0, bool symmetric = false, double plateau_s = 0);
    BlendSource* clone() const override;
    std::string name() const override { return "news::BlendSource"; }
    void init(const Xapian::Database& db) override;
    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override { return dbsize_; }
    Xapian::doccount get_termfreq_max() const override { return dbsize_; }
    void next(double min_wt) override;
    void skip_to(Xapian::docid did, double min_wt) override;
    bool check(Xapian::docid did, double min_wt) override;
    bool at_end() const override;
    Xapian::docid get_docid() const override;
    double get_weight() const override;
    std::string get_description() const override;

    // The same formula for a document's values (for --explain), and its two parts.
    double weight_for(const Xapian::Document& doc) const;
    double quality_part(const Xapian::Document& doc) const;
    double time_part(const Xapian::Document& doc) const;

  private:
    double component(const std::string& quality_value, const std::string& date_value) const;
    double qw_, rw_, half_life_, now_, qmax_;
    bool symmetric_;
    double plateau_;  // no decay within this distance of `now`
    Xapian::Database db_;
    Xapian::doccount dbsize_ = 0;
    Xapian::ValueIterator dates_;
    mutable Xapian::ValueIterator quality_;
    bool started_ = false;
};

}  // namespace news
