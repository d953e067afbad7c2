// The blend prior (prior.hpp): its day and quality keys, the per-database value column behind
// the local posting source, range filtering inside that source, and the tie-break.
#include "prior.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <mutex>

#include "date.hpp"
#include "errors.hpp"
#include "fold.hpp"
#include "schema.hpp"
#include "text.hpp"

namespace news {

std::array<std::string, 4> Prior::bounds(const Xapian::Database& db) {
    return {db.get_value_lower_bound(kSlotDay), db.get_value_upper_bound(kSlotDay),
            db.get_value_lower_bound(kSlotPublished), db.get_value_upper_bound(kSlotPublished)};
}

bool Prior::reusable_for(const PriorSpec& spec, const Xapian::Database& db) const {
    return spec == spec_ && bounds(db) == bounds_;
}

Prior::Prior(const PriorSpec& spec, const Xapian::Database& db) : spec_(spec), bounds_(bounds(db)) {
    if (spec_.recency_weight <= 0 || spec_.half_life_days <= 0) {
        query_ = make_query();
        return;
    }
    constexpr int64_t kNearDays = 2;
    const auto reach = static_cast<int64_t>(
        std::min(1e6, std::ceil(spec_.plateau_days + 24 * spec_.half_life_days)) + 1);
    const int64_t a_day = epoch_day(spec_.anchor);
    // The index's day range bounds the map; without usable bounds, the reach does.
    const auto lo = day_from_key(bounds_[0]).value_or(a_day - reach);
    const auto hi = day_from_key(bounds_[1]).value_or(a_day + reach);
    // Only days of years 0..9999 have keys in the index (a document dated outside them gets
    // no time part from the built-in sources), so the map and the table stop there too.
    const int64_t key_min = days_from_civil(0, 1, 1), key_max = days_from_civil(9999, 12, 31);
    const int64_t first = std::max({lo, a_day - reach, key_min});
    // Recency: anything after the anchor counts as new (age 0).
    const int64_t last = std::min(spec_.symmetric ? std::min(hi, a_day + reach) : hi, key_max);
    auto weight = [&](int64_t mid) {
        const double dt = static_cast<double>(spec_.anchor - mid) / 86400.0;
        const double dist = spec_.symmetric ? std::abs(dt) : std::max(0.0, dt);
        const double age = std::max(0.0, dist - spec_.plateau_days);
        return spec_.recency_weight * std::exp2(-age / spec_.half_life_days);
    };
    // Keys ascend with the day (years 0..9999, the only ones the index holds): each goes in at
    // the end of its map.
    auto table = std::make_shared<std::vector<double>>();
    day_first_ = first;
    for (int64_t day = first; day <= last; ++day) {
        const int64_t start = day * 86400;
        if (spec_.hours_near_anchor && std::abs(day - a_day) <= kNearDays) {
            for (int64_t h = 0; h < 24; ++h) {
                hour_weights_.emplace_hint(hour_weights_.end(), hour_key(start + h * 3600),
                                           weight(start + h * 3600 + 1800));
            }
            table->push_back(0);  // unused: no local source with hour keys
        } else {
            const double w = weight(start + 43200);
            day_weights_.emplace_hint(day_weights_.end(), day_key(start), w);
            table->push_back(w);
        }
    }
    day_table_ = std::move(table);
    // The time sources read a value for every document they are asked about, and the matcher
    // asks about every match; most matches of a large archive lie before the map's first day
    // and get nothing from it. Restricted to the whole months around the map's days (boolean
    // month and year terms, checked before the values), they skip those documents. Scores do
    // not change: a document outside the filter had no key in the map, i.e. a time part of 0.
    if (first <= last && (first > lo || last < hi)) {
        auto month_start = [](int64_t day) {
            int64_t y;
            unsigned m, d;
            civil_from_days(day, y, m, d);
            return days_from_civil(y, m, 1);
        };
        auto month_end = [](int64_t day) {
            int64_t y;
            unsigned m, d;
            civil_from_days(day, y, m, d);
            return (m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1)) - 1;
        };
        time_filter_ =
            date_range_query(month_start(first) * 86400, (month_end(last) + 1) * 86400 - 1, db);
    }
    query_ = make_query();
}

namespace {

// The priorkey slot of one database revision, decoded into memory (see
// set_prior_column_cache): one entry per docid, so the source reads a document's key without
// decoding the value stream from the previous match up to it.
struct PriorColumn {
    struct Entry {
        int64_t published = 0;
        double quality = 0;
        uint8_t flags = 0;  // kHasKey | kHasTime | kHasQuality
    };
    static constexpr uint8_t kHasKey = 1, kHasTime = 2, kHasQuality = 4;
    std::vector<Entry> entries;  // by docid; entries[0] is unused
    std::string uuid;
    std::size_t bytes() const { return entries.size() * sizeof(Entry); }
};

std::atomic<bool> g_column_cache{false};
std::mutex g_column_mutex;
// The columns of the database revisions met (several shards, a reopened database), by uuid,
// revision and shape. A copied index directory keeps its uuid, so two copies updated apart
// can reach the same revision: the shape (last docid, documents, keyed documents) is part of
// the key so that they never share a column of another size; the searcher also keeps the
// cache off when two of its indexes share a uuid (OpenedIndex::distinct_uuids).
struct CachedColumn {
    std::shared_ptr<const PriorColumn> column;
    std::uint64_t last_use = 0;  // g_lookups when it was last asked for
};
std::map<std::string, CachedColumn> g_columns;
std::size_t g_column_bytes = 0;  // held by g_columns
std::uint64_t g_lookups = 0;     // prior_column calls with the cache on
// All columns together: 24 bytes a docid, so about 11M docids by default. Past that, the
// columns least recently used make room unless a search is reading them; else a database's keys
// are read from its value stream as without the cache.
std::size_t g_max_column_bytes = kPriorColumnCacheBytes;

void drop_column(std::map<std::string, CachedColumn>::iterator it) {
    g_column_bytes -= it->second.column->bytes();
    g_columns.erase(it);
}

// Columns of databases no longer read: those of other revisions of `uuid` (a reopened
// database), and any not asked for in the last kPriorColumnIdleLookups lookups (an index that
// was rebuilt, compacted or closed: each search asks for the column of every local database it
// reads). Called with g_column_mutex held.
void drop_unused_columns(const std::string& uuid, const std::string& keep) {
    for (auto it = g_columns.begin(); it != g_columns.end();) {
        const auto next = std::next(it);
        if (it->first != keep && (it->second.column->uuid == uuid ||
                                  g_lookups - it->second.last_use > kPriorColumnIdleLookups))
            drop_column(it);
        it = next;
    }
}

// Makes room for `bytes` more under the limit by dropping the columns least recently used that
// no search holds now. False when that is not enough.
bool make_room(std::size_t bytes) {
    while (g_column_bytes + bytes > g_max_column_bytes) {
        auto lru = g_columns.end();
        for (auto it = g_columns.begin(); it != g_columns.end(); ++it) {
            if (it->second.column.use_count() > 1) continue;  // being read
            if (lru == g_columns.end() || it->second.last_use < lru->second.last_use) lru = it;
        }
        if (lru == g_columns.end()) return false;
        drop_column(lru);
    }
    return true;
}

std::shared_ptr<const PriorColumn> prior_column(const Xapian::Database& db) {
    if (!g_column_cache.load(std::memory_order_relaxed)) return nullptr;
    const Xapian::docid last = db.get_lastdocid();
    const std::size_t bytes = (static_cast<std::size_t>(last) + 1) * sizeof(PriorColumn::Entry);
    const Xapian::doccount keyed = db.get_value_freq(kSlotPriorKey);
    std::string uuid, id;
    try {
        uuid = db.get_uuid();
        id = uuid + "@" + std::to_string(db.get_revision()) + "/" + std::to_string(last) + "/" +
             std::to_string(db.get_doccount()) + "/" + std::to_string(keyed);
    } catch (const Xapian::UnimplementedError&) {
        return nullptr;  // no revision to key the copy by (not a local database)
    }
    if (uuid.empty()) return nullptr;
    std::lock_guard lock(g_column_mutex);
    ++g_lookups;
    drop_unused_columns(uuid, id);
    if (auto it = g_columns.find(id); it != g_columns.end()) {
        it->second.last_use = g_lookups;
        return it->second.column;
    }
    if (bytes > g_max_column_bytes || !make_room(bytes)) return nullptr;
    auto col = std::make_shared<PriorColumn>();
    col->uuid = uuid;
    col->entries.resize(static_cast<std::size_t>(last) + 1);
    Xapian::doccount seen = 0;  // entries with a key
    PriorKey key;
    for (auto v = db.valuestream_begin(kSlotPriorKey); v != db.valuestream_end(kSlotPriorKey);
         ++v) {
        const Xapian::docid did = v.get_docid();
        if (did > last) break;
        auto& e = col->entries[did];
        e.flags = PriorColumn::kHasKey;
        ++seen;
        if (!parse_prior_key(*v, key)) continue;  // a key with no parts, as the stream reads it
        if (key.published) {
            e.flags |= PriorColumn::kHasTime;
            e.published = *key.published;
        }
        if (key.quality) {
            e.flags |= PriorColumn::kHasQuality;
            e.quality = *key.quality;
        }
    }
    if (seen != keyed) return nullptr;  // not the revision its statistics describe
    g_column_bytes += col->bytes();
    g_columns.emplace(id, CachedColumn{col, g_lookups});
    return col;
}

// Prior::local_query's posting source: the prior's weight from one value per document
// (kSlotPriorKey), optionally keeping only documents inside date and quality bounds. The
// weight is computed exactly as the built-in sources of Prior::query() compute it (the same
// products, summed the same way), so both rank identically. It reads the value stream, or the
// revision's in-memory column when the process keeps one.
class PriorSource : public Xapian::PostingSource {
  public:
    struct Setup {
        double quality_factor = 0;  // quality_weight / 100, 0 = no quality part
        int64_t day_first = 0;
        std::shared_ptr<const std::vector<double>> days;  // weight by day from day_first
        double time_max = 0;
        bool filter = false;  // keep only documents inside the bounds below
        std::optional<double> min_quality, max_quality;
        std::optional<int64_t> since, until;
        double share = 1;  // expected part of the documents kept
    };
    explicit PriorSource(std::shared_ptr<const Setup> setup) : s_(std::move(setup)) {}

    PostingSource* clone() const override { return new PriorSource(s_); }
    void init(const Xapian::Database& db) override {
        col_ = prior_column(db);
        if (col_) {
            pos_ = 0;
            last_ =
                std::min(static_cast<Xapian::docid>(col_->entries.size() - 1), db.get_lastdocid());
        } else {
            it_ = db.valuestream_begin(kSlotPriorKey);
            end_ = db.valuestream_end(kSlotPriorKey);
        }
        started_ = false;
        with_key_ = db.get_value_freq(kSlotPriorKey);
        double q_max = 0;
        if (s_->quality_factor > 0) {
            const std::string ub = db.get_value_upper_bound(kSlotQualityPrior);
            if (!ub.empty()) q_max = s_->quality_factor * Xapian::sortable_unserialise(ub);
        }
        set_maxweight(q_max + s_->time_max);
    }
    Xapian::doccount get_termfreq_min() const override { return s_->filter ? 0 : with_key_; }
    Xapian::doccount get_termfreq_est() const override {
        if (!s_->filter) return with_key_;
        return static_cast<Xapian::doccount>(std::clamp(
            std::round(static_cast<double>(with_key_) * s_->share), 0.0, double(with_key_)));
    }
    Xapian::doccount get_termfreq_max() const override { return with_key_; }

    void next(double) override {
        if (started_) {
            if (col_) {
                ++pos_;
            } else {
                ++it_;
            }
        }
        started_ = true;
        settle();
    }
    void skip_to(Xapian::docid did, double) override {
        started_ = true;
        if (col_) {
            pos_ = std::max(pos_, did);
        } else {
            it_.skip_to(did);
        }
        settle();
    }
    bool check(Xapian::docid did, double) override {
        started_ = true;
        if (col_) {
            pos_ = did;
            return load();  // false: no key or outside the bounds, the next call moves on
        }
        if (!it_.check(did)) return false;  // no key: not a match (and no position to keep)
        if (it_ == end_) return true;
        return load();  // false: `did` is outside the bounds, the next call moves on
    }
    bool at_end() const override { return started_ && (col_ ? pos_ > last_ : it_ == end_); }
    Xapian::docid get_docid() const override { return col_ ? pos_ : it_.get_docid(); }
    double get_weight() const override {
        double w = 0;
        if (s_->quality_factor > 0 && key_.quality)
            w = s_->quality_factor * std::clamp(*key_.quality, 0.0, 100.0);
        double t = 0;
        if (key_.published && s_->days) {
            const int64_t i = epoch_day(*key_.published) - s_->day_first;
            if (i >= 0 && i < static_cast<int64_t>(s_->days->size()))
                t = (*s_->days)[static_cast<std::size_t>(i)];
        }
        return w + t;
    }

  private:
    // Reads the current key; true when the document has one (always, on the value stream)
    // inside the bounds.
    bool load() {
        if (col_) {
            if (pos_ > last_) return false;
            const auto& e = col_->entries[pos_];
            if (!(e.flags & PriorColumn::kHasKey)) return false;
            key_.published =
                e.flags & PriorColumn::kHasTime ? std::optional(e.published) : std::nullopt;
            key_.quality =
                e.flags & PriorColumn::kHasQuality ? std::optional(e.quality) : std::nullopt;
        } else if (!parse_prior_key(*it_, key_)) {
            key_ = {};
        }
        if (!s_->filter) return true;
        const Setup& s = *s_;
        if (s.min_quality || s.max_quality) {
            if (!key_.quality) return false;
            if (s.min_quality && !(*key_.quality >= *s.min_quality)) return false;
            if (s.max_quality && !(*key_.quality <= *s.max_quality)) return false;
        }
        if (s.since || s.until) {
            if (!key_.published) return false;
            if (s.since && *key_.published < *s.since) return false;
            if (s.until && *key_.published > *s.until) return false;
        }
        return true;
    }
    void settle() {  // forward to the first document inside the bounds
        if (col_) {
            while (pos_ <= last_ && !load()) ++pos_;
        } else {
            while (it_ != end_ && !load()) ++it_;
        }
    }

    std::shared_ptr<const Setup> s_;
    std::shared_ptr<const PriorColumn> col_;
    Xapian::docid pos_ = 0, last_ = 0;
    Xapian::ValueIterator it_, end_;
    bool started_ = false;
    Xapian::doccount with_key_ = 0;
    PriorKey key_;
};

}  // namespace

bool prior_column_cache() {
    return g_column_cache.load(std::memory_order_relaxed);
}

void set_prior_column_cache(bool on) {
    g_column_cache.store(on, std::memory_order_relaxed);
    if (!on) {
        std::lock_guard lock(g_column_mutex);
        g_columns.clear();
        g_column_bytes = 0;
    }
}

void set_prior_column_cache_limit(std::size_t bytes) {
    std::lock_guard lock(g_column_mutex);
    g_max_column_bytes = bytes;
}

PriorColumnCacheStats prior_column_cache_stats() {
    std::lock_guard lock(g_column_mutex);
    return {g_columns.size(), g_column_bytes};
}

bool prior_column_ready(const Xapian::Database& db) {
    return prior_column(db) != nullptr;
}

bool has_range(const Filters& f) {
    return f.min_quality || f.max_quality || f.since || f.until;
}

double range_share(const Filters& f, const Xapian::Database& db) {
    auto share = [&](Xapian::valueno slot, std::optional<double> lo, std::optional<double> hi) {
        if (!lo && !hi) return 1.0;
        const std::string lb = db.get_value_lower_bound(slot), ub = db.get_value_upper_bound(slot);
        if (lb.empty() || ub.empty()) return 0.0;
        const double a = Xapian::sortable_unserialise(lb), b = Xapian::sortable_unserialise(ub);
        const double from = std::max(a, lo.value_or(a)), to = std::min(b, hi.value_or(b));
        if (from > to) return 0.0;
        if (!(b > a)) return 1.0;
        return std::clamp((to - from) / (b - a), 0.0, 1.0);
    };
    auto as_double = [](std::optional<int64_t> t) {
        return t ? std::optional<double>(static_cast<double>(*t)) : std::nullopt;
    };
    return share(kSlotQuality, f.min_quality, f.max_quality) *
           share(kSlotPublished, as_double(f.since), as_double(f.until));
}

Xapian::Query Prior::local_query(const Filters* ranges, double share) const {
    auto setup = std::make_shared<PriorSource::Setup>();
    if (spec_.quality_weight > 0) setup->quality_factor = spec_.quality_weight / 100.0;
    if (!day_weights_.empty()) {
        setup->day_first = day_first_;
        setup->days = day_table_;
        setup->time_max = *std::max_element(day_table_->begin(), day_table_->end());
    }
    if (ranges && has_range(*ranges)) {
        setup->filter = true;
        setup->min_quality = ranges->min_quality;
        setup->max_quality = ranges->max_quality;
        setup->since = ranges->since;
        setup->until = ranges->until;
        setup->share = share;
    }
    return Xapian::Query((new PriorSource(std::move(setup)))->release());
}

Xapian::Query range_source(const Filters& ranges, double share) {
    auto setup = std::make_shared<PriorSource::Setup>();
    setup->filter = true;
    setup->min_quality = ranges.min_quality;
    setup->max_quality = ranges.max_quality;
    setup->since = ranges.since;
    setup->until = ranges.until;
    setup->share = share;
    return Xapian::Query((new PriorSource(std::move(setup)))->release());
}

Xapian::Query Prior::make_query() const {
    std::vector<Xapian::Query> parts;
    if (spec_.quality_weight > 0) {
        parts.emplace_back(
            Xapian::Query::OP_SCALE_WEIGHT,
            Xapian::Query((new Xapian::ValueWeightPostingSource(kSlotQualityPrior))->release()),
            spec_.quality_weight / 100.0);
    }
    std::vector<Xapian::Query> time;
    for (const auto& [slot, weights] :
         {std::make_pair(kSlotHour, &hour_weights_), std::make_pair(kSlotDay, &day_weights_)}) {
        if (weights->empty()) continue;
        auto* source = new Xapian::ValueMapPostingSource(slot);
        for (const auto& [key, w] : *weights) source->add_mapping(key, w);
        time.emplace_back(source->release());
    }
    if (!time.empty()) {
        Xapian::Query t = time.size() == 1
                              ? time.front()
                              : Xapian::Query(Xapian::Query::OP_OR, time.begin(), time.end());
        if (!time_filter_.empty()) t = Xapian::Query(Xapian::Query::OP_FILTER, t, time_filter_);
        parts.push_back(std::move(t));
    }
    if (parts.empty()) return {};
    if (parts.size() == 1) return parts.front();
    return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
}

double Prior::quality_part(const Xapian::Document& doc) const {
    if (spec_.quality_weight <= 0) return 0;
    const std::string v = doc.get_value(kSlotQualityPrior);
    return v.empty() ? 0.0 : Xapian::sortable_unserialise(v) * (spec_.quality_weight / 100.0);
}

double Prior::time_part(const Xapian::Document& doc) const {
    if (auto it = hour_weights_.find(doc.get_value(kSlotHour)); it != hour_weights_.end())
        return it->second;
    if (auto it = day_weights_.find(doc.get_value(kSlotDay)); it != day_weights_.end())
        return it->second;
    return 0;
}

Xapian::Query with_tie_break(const Xapian::Query& q) {
    return Xapian::Query(
        Xapian::Query::OP_AND_MAYBE, q,
        Xapian::Query(
            Xapian::Query::OP_SCALE_WEIGHT,
            Xapian::Query((new Xapian::ValueWeightPostingSource(kSlotTieBreak))->release()),
            kTieBreakWeight));
}

double tie_break_part(const Xapian::Document& doc) {
    const std::string v = doc.get_value(kSlotTieBreak);
    return v.empty() ? 0.0 : Xapian::sortable_unserialise(v) * kTieBreakWeight;
}

int64_t newest_time(const Xapian::Database& db) {
    const std::string v = db.get_value_upper_bound(kSlotPublished);
    if (!v.empty()) return static_cast<int64_t>(Xapian::sortable_unserialise(v));
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace news
