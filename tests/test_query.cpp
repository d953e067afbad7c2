// Query building: the bucketed date and quality filters must select exactly what a plain value
// range selects, for random ranges over a fixture index.
#include <gtest/gtest.h>
#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "date.hpp"
#include "document.hpp"
#include "errors.hpp"
#include "highlight.hpp"
#include "prior.hpp"
#include "query.hpp"
#include "schema.hpp"
#include "search.hpp"
#include "test_util.hpp"

using news::test::TempDir;

namespace {

std::set<Xapian::docid> matches(const Xapian::Database& db, const Xapian::Query& q) {
    Xapian::Enquire e(db);
    e.set_query(q);
    std::set<Xapian::docid> out;
    const auto m = e.get_mset(0, db.get_doccount() + 1);
    for (auto it = m.begin(); it != m.end(); ++it) out.insert(*it);
    return out;
}

Xapian::Query value_range(Xapian::valueno slot, std::optional<double> lo,
                          std::optional<double> hi) {
    if (lo && hi)
        return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, Xapian::sortable_serialise(*lo),
                             Xapian::sortable_serialise(*hi));
    if (lo) return Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, Xapian::sortable_serialise(*lo));
    return Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, Xapian::sortable_serialise(*hi));
}

}  // namespace

TEST(QueryFilters, BucketedRangesEqualValueRanges) {
    TempDir d;
    Xapian::WritableDatabase db((d.path() / "idx").string(), Xapian::DB_CREATE);
    news::DocumentBuilder b("english");
    std::mt19937 rng(42);
    const int64_t start = *news::parse_iso8601("2019-11-15T00:00:00Z");
    for (int i = 0; i < 400; ++i) {
        news::Article a;
        a.id = "https://ex.com/" + std::to_string(i);
        a.title = "Article " + std::to_string(i);
        a.published = start + static_cast<int64_t>(rng() % (800u * 86400u));  // about 2 years
        if (i % 7 != 0)
            a.quality = static_cast<double>(static_cast<int>(rng() % 260) - 20) + (i % 3) * 0.5;
        db.add_document(b.build(a).doc);
    }
    db.commit();
    std::uniform_int_distribution<int64_t> t(start - 86400 * 30, start + 86400 * 830);
    for (int k = 0; k < 300; ++k) {
        std::optional<int64_t> lo, hi;
        if (k % 4 != 1) lo = t(rng);
        if (k % 4 != 2) hi = t(rng);
        if (k % 5 == 0 && lo) hi = *lo + 86400 * (k % 40);  // short ranges too
        if (!lo && !hi) lo = t(rng);
        const auto got = matches(db, news::date_range_query(lo, hi, db));
        std::optional<double> dlo, dhi;
        if (lo) dlo = static_cast<double>(*lo);
        if (hi) dhi = static_cast<double>(*hi);
        std::set<Xapian::docid> want;
        if (!(lo && hi && *lo > *hi))
            want = matches(db, value_range(news::kSlotPublished, dlo, dhi));
        ASSERT_EQ(got, want) << "date range " << (lo ? news::format_iso8601(*lo) : "-") << ".."
                             << (hi ? news::format_iso8601(*hi) : "-");
    }
    std::uniform_real_distribution<double> q(-40, 280);
    for (int k = 0; k < 300; ++k) {
        std::optional<double> lo, hi;
        if (k % 3 != 1) lo = k % 2 ? std::round(q(rng)) : q(rng);
        if (k % 3 != 2) hi = k % 2 ? std::round(q(rng)) : q(rng);
        if (!lo && !hi) lo = 40;
        const auto got = matches(db, news::quality_range_query(lo, hi));
        EXPECT_EQ(matches(db, news::quality_range_query(lo, hi, &db)), got)
            << "with the index's bounds";
        std::set<Xapian::docid> want;
        if (!(lo && hi && *lo > *hi)) want = matches(db, value_range(news::kSlotQuality, lo, hi));
        ASSERT_EQ(got, want) << "quality range " << (lo ? *lo : -1e9) << ".." << (hi ? *hi : 1e9);
    }
}

// Turns the prior column cache on or off for a scope, and off again at its end (also when an
// assertion leaves the test early), so that no other test runs with it.
namespace {
struct ColumnCache {
    explicit ColumnCache(bool on) { news::set_prior_column_cache(on); }
    ~ColumnCache() { news::set_prior_column_cache(false); }
    ColumnCache(const ColumnCache&) = delete;
    ColumnCache& operator=(const ColumnCache&) = delete;
};
}  // namespace

// The blended-ranking prior: the weight the matcher gives a document (built-in posting sources
// only) equals the formula of docs/ranking.md computed from the document's own values.
TEST(QueryPrior, MatcherWeightEqualsTheFormula) {
    TempDir d;
    Xapian::WritableDatabase db((d.path() / "idx").string(), Xapian::DB_CREATE);
    news::DocumentBuilder b("english");
    std::mt19937 rng(7);
    const int64_t start = *news::parse_iso8601("2020-01-01T00:00:00Z");
    std::vector<news::Article> arts;
    for (int i = 0; i < 300; ++i) {
        news::Article a;
        a.id = "https://ex.com/" + std::to_string(i);
        a.title = "Common words " + std::to_string(i);
        if (i % 11 != 0) a.published = start + static_cast<int64_t>(rng() % (400u * 86400u));
        if (i % 5 != 0) a.quality = static_cast<double>(static_cast<int>(rng() % 140) - 20);
        db.add_document(b.build(a).doc);
        arts.push_back(a);
    }
    db.commit();
    for (const bool symmetric : {false, true}) {
        news::PriorSpec spec;
        spec.quality_weight = 0.7;
        spec.recency_weight = 2.0;
        spec.half_life_days = 9;
        spec.anchor = start + 200 * 86400 + 5000;
        spec.symmetric = symmetric;
        spec.plateau_days = symmetric ? 1.5 : 0;
        const news::Prior prior(spec, db);
        Xapian::Enquire e(db);
        // The prior alone: the text part is scaled to nothing.
        e.set_query(Xapian::Query(
            Xapian::Query::OP_AND_MAYBE,
            Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query("Zcommon"), 0.0),
            prior.query()));
        const auto m = e.get_mset(0, 400);
        ASSERT_EQ(m.size(), 300u);
        for (auto it = m.begin(); it != m.end(); ++it) {
            const news::Article& a = arts[*it - 1];
            double want = a.quality ? 0.7 * std::clamp(*a.quality, 0.0, 100.0) / 100 : 0.0;
            if (a.published) {
                // Distance to the middle of the publication hour (within 2 days of the
                // anchor's day) or day.
                const int64_t day = news::epoch_day(*a.published);
                const bool near = std::abs(day - news::epoch_day(spec.anchor)) <= 2;
                const int64_t mid = near ? *a.published / 3600 * 3600 + 1800 : day * 86400 + 43200;
                const double dt = static_cast<double>(spec.anchor - mid) / 86400;
                const double dist = symmetric ? std::abs(dt) : std::max(0.0, dt);
                const double age = std::max(0.0, dist - spec.plateau_days);
                if (age <= 24 * spec.half_life_days) want += 2.0 * std::exp2(-age / 9);
            }
            EXPECT_NEAR(it.get_weight(), want, 1e-9) << a.id;
            EXPECT_NEAR(prior.weight_for(it.get_document()), want, 1e-9) << a.id;
        }
    }
}

// On an index that spans more than the recency map, the time sources are restricted to the
// months the map covers (the weights are the same: MatcherWeightEqualsTheFormula); a Prior is
// reusable while the spec and the index's date bounds stay the same.
TEST(QueryPrior, TimeSourcesSeeOnlyTheMapsMonthsAndPriorIsReusable) {
    TempDir d;
    Xapian::WritableDatabase db((d.path() / "idx").string(), Xapian::DB_CREATE);
    news::DocumentBuilder b("english");
    const int64_t start = *news::parse_iso8601("2019-01-01T12:00:00Z");
    auto add = [&](int i, int64_t t) {
        news::Article a;
        a.id = "https://ex.com/" + std::to_string(i);
        a.title = "Common words";
        a.published = t;
        a.quality = 50;
        db.add_document(b.build(a).doc);
        db.commit();
    };
    for (int i = 0; i < 10; ++i) add(i, start + i * 100 * 86400);  // 2019-01 .. 2021-06
    news::PriorSpec spec;
    spec.quality_weight = 1;
    spec.recency_weight = 1;
    spec.half_life_days = 5;  // reach 121 days: from 2021-02
    spec.anchor = news::newest_time(db);
    const news::Prior prior(spec, db);
    const std::string desc = prior.query().get_description();
    EXPECT_NE(desc.find("M202102"), std::string::npos) << desc;
    EXPECT_EQ(desc.find("M202101"), std::string::npos) << desc;
    EXPECT_TRUE(prior.reusable_for(spec, db));
    news::PriorSpec other = spec;
    other.half_life_days = 6;
    EXPECT_FALSE(prior.reusable_for(other, db));
    add(10, start - 86400);  // an older article: the index's bounds change
    EXPECT_FALSE(prior.reusable_for(spec, db));
    // The whole index within reach: no filter.
    spec.half_life_days = 100;
    EXPECT_EQ(news::Prior(spec, db).query().get_description().find("M20"), std::string::npos);
}

// The local prior source (one value per document) gives every document the weight the built-in
// sources give it, and with date and quality bounds keeps exactly the documents the bucket
// filters keep: the same ranked list, whichever the searcher uses.
TEST(QueryPrior, LocalSourceRanksLikeTheBuiltInSources) {
    TempDir d;
    Xapian::WritableDatabase db((d.path() / "idx").string(), Xapian::DB_CREATE);
    news::DocumentBuilder b("english");
    std::mt19937 rng(11);
    const int64_t start = *news::parse_iso8601("2021-03-01T00:00:00Z");
    const char* words[] = {"cloud", "quantum", "kernel", "storage", "network"};
    for (int i = 0; i < 500; ++i) {
        news::Article a;
        a.id = "https://ex.com/" + std::to_string(i);
        a.title = std::string(words[rng() % 5]) + " " + words[rng() % 5] + " news";
        a.excerpt = std::string(words[rng() % 5]) + " and more " + words[rng() % 5];
        if (i % 13 != 0) a.published = start + static_cast<int64_t>(rng() % (900u * 86400u));
        if (i % 6 != 0) a.quality = static_cast<double>(static_cast<int>(rng() % 160) - 20) / 1.5;
        db.add_document(b.build(a).doc);
    }
    db.commit();
    news::PriorSpec spec;
    spec.quality_weight = 1;
    spec.recency_weight = 1.5;
    spec.half_life_days = 20;  // reach 481 days: not the whole index
    spec.anchor = news::newest_time(db);
    spec.hours_near_anchor = false;
    const news::Prior prior(spec, db);
    ASSERT_TRUE(prior.has_local_source());
    auto ranked = [&](const Xapian::Query& q) {
        Xapian::Enquire e(db);
        e.set_query(q);
        e.set_sort_by_relevance_then_value(news::kSlotIdHash, true);
        std::vector<std::pair<Xapian::docid, double>> out;
        const auto m = e.get_mset(0, db.get_doccount());
        for (auto it = m.begin(); it != m.end(); ++it) out.emplace_back(*it, it.get_weight());
        return out;
    };
    const std::vector<Xapian::Query> texts{
        Xapian::Query("Zcloud"),
        Xapian::Query(Xapian::Query::OP_AND, Xapian::Query("Zcloud"), Xapian::Query("Zkernel")),
        Xapian::Query(Xapian::Query::OP_OR, Xapian::Query("Zquantum"), Xapian::Query("Znetwork")),
        Xapian::Query::MatchAll};
    std::vector<news::Filters> ranges(7);
    ranges[1].since = start + 300 * 86400 + 17;
    ranges[2].until = start + 500 * 86400;
    ranges[3].min_quality = 40;
    ranges[4].min_quality = 12.5;
    ranges[4].max_quality = 60;
    ranges[5].min_quality = 30;
    ranges[5].since = start + 100 * 86400;
    ranges[5].until = start + 700 * 86400 - 1;
    ranges[6].min_quality = 50;
    ranges[6].max_quality = 40;  // nothing
    int compared = 0;
    // From the value stream, and from the in-memory copy of the slot batch mode keeps.
    for (const bool column : {false, true}) {
        const ColumnCache cache(column);
        for (const auto& f : ranges) {
            news::Filters unranged = f;
            unranged.min_quality = unranged.max_quality = std::nullopt;
            unranged.since = unranged.until = std::nullopt;
            for (const auto& t : texts) {
                const auto want = ranked(Xapian::Query(
                    Xapian::Query::OP_AND_MAYBE, news::apply_filters(t, f, db), prior.query()));
                // Filtered by the source, or by the bucket terms with the source as the prior.
                const auto folded = ranked(Xapian::Query(Xapian::Query::OP_AND,
                                                         news::apply_filters(t, unranged, db),
                                                         prior.local_query(&f, 0.5)));
                const auto prior_only =
                    ranked(Xapian::Query(Xapian::Query::OP_AND_MAYBE, news::apply_filters(t, f, db),
                                         prior.local_query(nullptr, 1)));
                for (const auto* got : {&folded, &prior_only}) {
                    ASSERT_EQ(got->size(), want.size()) << t.get_description();
                    for (std::size_t i = 0; i < want.size(); ++i) {
                        EXPECT_EQ((*got)[i].first, want[i].first)
                            << t.get_description() << " " << i;
                        // The matcher may sum a document's parts in another order: last bits.
                        EXPECT_NEAR((*got)[i].second, want[i].second, 1e-12) << i;
                    }
                }
                // Without a prior, the weightless source keeps the same documents as the
                // bucket terms, with the text's weights.
                const auto plain = ranked(news::apply_filters(t, f, db));
                const auto by_source = ranked(Xapian::Query(Xapian::Query::OP_AND,
                                                            news::apply_filters(t, unranged, db),
                                                            news::range_source(f, 0.5)));
                EXPECT_EQ(by_source, plain) << t.get_description();
                compared += static_cast<int>(want.size());
            }
        }
    }
    EXPECT_GT(compared, 2000);
    EXPECT_GT(news::range_share(ranges[3], db), 0.2);
    EXPECT_LT(news::range_share(ranges[3], db), 0.8);
    EXPECT_EQ(news::range_share(ranges[6], db), 0.0);
    EXPECT_EQ(news::range_share(ranges[0], db), 1.0);
    // Hour keys near the anchor have no local source.
    spec.hours_near_anchor = true;
    EXPECT_FALSE(news::Prior(spec, db).has_local_source());
}

// The in-memory copy of the priorkey slot belongs to one revision: a reader reopened after a
// commit sees the new and changed documents' keys, not the old copy.
TEST(QueryPrior, ColumnFollowsTheRevision) {
    TempDir d;
    const std::string path = (d.path() / "idx").string();
    Xapian::WritableDatabase w(path, Xapian::DB_CREATE);
    news::DocumentBuilder b("english");
    const int64_t t0 = *news::parse_iso8601("2024-05-01T00:00:00Z");
    auto add = [&](int i, double quality) {
        news::Article a;
        a.id = "https://ex.com/" + std::to_string(i);
        a.title = "cloud news";
        a.published = t0 + i * 86400;
        a.quality = quality;
        const auto built = b.build(a);
        w.replace_document(news::bool_term(news::FieldId::Id, a.id), built.doc);
    };
    for (int i = 0; i < 20; ++i) add(i, 10 + i);
    w.commit();
    const ColumnCache cache(true);
    news::Filters f;
    f.min_quality = 25;
    auto ids = [&](const Xapian::Database& db) {
        Xapian::Enquire e(db);
        e.set_query(Xapian::Query(Xapian::Query::OP_AND, Xapian::Query("Zcloud"),
                                  news::range_source(f, 0.5)));
        std::set<Xapian::docid> out;
        const auto m = e.get_mset(0, 100);
        for (auto it = m.begin(); it != m.end(); ++it) out.insert(*it);
        return out;
    };
    Xapian::Database r(path);
    EXPECT_TRUE(news::prior_column_ready(r));
    EXPECT_EQ(ids(r).size(), 5u);  // qualities 25..29
    add(3, 90);                    // raised above the bound
    add(25, 50);                   // a new document
    add(28, 5);                    // a new one below it
    w.commit();
    r.reopen();
    const auto after = ids(r);
    news::set_prior_column_cache(false);
    EXPECT_FALSE(news::prior_column_ready(r));
    EXPECT_EQ(after.size(), 7u);
    EXPECT_EQ(after, ids(r)) << "the copy and the value stream agree";
}

// Each rebuild gives an index a new uuid: the columns of the indexes a process no longer reads
// must go, not stay until they fill the cache and nothing new is cached.
TEST(QueryPrior, ColumnCacheLetsGoOfIndexesNoLongerRead) {
    TempDir d;
    news::DocumentBuilder b("english");
    const int64_t t0 = *news::parse_iso8601("2024-05-01T00:00:00Z");
    std::vector<Xapian::Database> rebuilt;  // one index rebuilt five times
    for (int n = 0; n < 5; ++n) {
        const std::string path = (d.path() / ("idx" + std::to_string(n))).string();
        Xapian::WritableDatabase w(path, Xapian::DB_CREATE);
        for (int i = 0; i < 20; ++i) {
            news::Article a;
            a.id = "https://ex.com/" + std::to_string(i);
            a.title = "cloud news";
            a.published = t0 + i * 86400;
            a.quality = i;
            w.add_document(b.build(a).doc);
        }
        w.commit();
        rebuilt.emplace_back(path);
    }
    const ColumnCache cache(true);
    struct Limit {
        ~Limit() { news::set_prior_column_cache_limit(news::kPriorColumnCacheBytes); }
    } limit;
    ASSERT_TRUE(news::prior_column_ready(rebuilt[0]));
    const std::size_t one = news::prior_column_cache_stats().bytes;
    ASSERT_GT(one, 0u);
    // Room for two columns: every rebuild is still cached, the oldest column making room.
    news::set_prior_column_cache_limit(2 * one);
    for (std::size_t n = 1; n < rebuilt.size(); ++n) {
        EXPECT_TRUE(news::prior_column_ready(rebuilt[n])) << "rebuild " << n;
        EXPECT_LE(news::prior_column_cache_stats().bytes, 2 * one);
    }
    // With room to spare, a column not asked for in kPriorColumnIdleLookups lookups goes.
    news::set_prior_column_cache_limit(news::kPriorColumnCacheBytes);
    for (std::size_t n = 0; n < rebuilt.size(); ++n)
        EXPECT_TRUE(news::prior_column_ready(rebuilt[n])) << n;
    EXPECT_EQ(news::prior_column_cache_stats().columns, rebuilt.size());
    for (std::uint64_t k = 0; k <= news::kPriorColumnIdleLookups; ++k)
        ASSERT_TRUE(news::prior_column_ready(rebuilt.back()));
    EXPECT_EQ(news::prior_column_cache_stats().columns, 1u);
    EXPECT_EQ(news::prior_column_cache_stats().bytes, one);
}

// Dates outside years 0..9999 have no day key, so the built-in sources give them no time part;
// nor does the local source, even with the anchor among them.
TEST(QueryPrior, DatesWithoutDayKeysGetNoTimePartFromEitherSource) {
    TempDir d;
    Xapian::WritableDatabase db((d.path() / "idx").string(), Xapian::DB_CREATE);
    news::DocumentBuilder b("english");
    const int64_t far = *news::parse_iso8601("2021-03-01T00:00:00Z") + 9000LL * 365 * 86400;
    for (int i = 0; i < 3; ++i) {
        news::Article a;
        a.id = "https://ex.com/far" + std::to_string(i);
        a.title = "cloud news";
        a.published = far + i * 86400;
        db.add_document(b.build(a).doc);
    }
    db.commit();
    news::PriorSpec spec;
    spec.recency_weight = 1;
    spec.half_life_days = 10;
    spec.anchor = far + 86400;
    spec.hours_near_anchor = false;
    const news::Prior prior(spec, db);
    ASSERT_TRUE(prior.has_local_source());
    auto weights = [&](const Xapian::Query& q) {
        Xapian::Enquire e(db);
        e.set_query(q);
        std::map<Xapian::docid, double> out;
        const auto m = e.get_mset(0, 10);
        for (auto it = m.begin(); it != m.end(); ++it) out[*it] = it.get_weight();
        return out;
    };
    const auto text_only = weights(Xapian::Query("Zcloud"));
    ASSERT_EQ(text_only.size(), 3u);
    for (const auto& q : {prior.query(), prior.local_query(nullptr, 1)}) {
        EXPECT_EQ(weights(Xapian::Query(Xapian::Query::OP_AND_MAYBE, Xapian::Query("Zcloud"), q)),
                  text_only);
    }
}

TEST(QueryPrior, NoWeightsNoQuery) {
    TempDir d;
    Xapian::WritableDatabase db((d.path() / "idx").string(), Xapian::DB_CREATE);
    news::PriorSpec spec;
    EXPECT_TRUE(news::Prior(spec, db).query().empty());
}

// ---- query-side stopwords ---------------------------------------------------------------------

namespace {

std::set<std::string> query_terms(const Xapian::Query& q) {
    return {q.get_terms_begin(), q.get_terms_end()};
}

// A small index: one article whose text lacks "whom" and "the".
Xapian::Database stopword_fixture(const TempDir& d) {
    Xapian::WritableDatabase db((d.path() / "idx").string(), Xapian::DB_CREATE);
    news::DocumentBuilder b("english");
    news::Article a;
    a.id = "https://ex.com/kestrel";
    a.title = "Kestrel cluster outage";
    db.add_document(b.build(a).doc);
    a.id = "https://ex.com/other";
    a.title = "State of the art storage";
    db.add_document(b.build(a).doc);
    db.commit();
    return Xapian::Database((d.path() / "idx").string());
}

}  // namespace

TEST(QueryStopwords, DroppedFromTheQueryOnlyWhenAsked) {
    TempDir d;
    const Xapian::Database db = stopword_fixture(d);
    news::QueryBuilder qb(db, "english");
    news::QueryRequest req;
    EXPECT_TRUE(req.stopwords) << "on by default";
    req.stopwords = false;
    req.spelling = false;
    req.text = "the kestrel outage whom";
    const auto off = query_terms(qb.build(req).text);
    EXPECT_TRUE(off.count("Zthe") && off.count("Zwhom")) << qb.build(req).text.get_description();
    req.stopwords = true;
    const news::BuiltQuery on = qb.build(req);
    EXPECT_EQ(query_terms(on.text), (std::set<std::string>{"Zkestrel", "Zoutag"}))
        << on.text.get_description();
    // With every word required, the stopwords the article lacks no longer exclude it.
    Xapian::Enquire e(db);
    e.set_query(on.query);
    EXPECT_EQ(e.get_mset(0, 10).size(), 1u);
    req.stopwords = false;
    e.set_query(qb.build(req).query);
    EXPECT_EQ(e.get_mset(0, 10).size(), 0u);
}

TEST(QueryStopwords, KeptInPhrasesWithPlusAndWhenTheQueryIsOnlyStopwords) {
    TempDir d;
    const Xapian::Database db = stopword_fixture(d);
    news::QueryBuilder qb(db, "english");
    news::QueryRequest req;
    req.spelling = false;
    req.stopwords = true;
    req.text = "\"state of the art\" storage";
    const news::BuiltQuery phrase = qb.build(req);
    EXPECT_TRUE(query_terms(phrase.text).count("Zof") && query_terms(phrase.text).count("Zthe"))
        << phrase.text.get_description();
    Xapian::Enquire e(db);
    e.set_query(phrase.query);
    EXPECT_EQ(e.get_mset(0, 10).size(), 1u);
    req.text = "+the storage";
    EXPECT_TRUE(query_terms(qb.build(req).text).count("Zthe"));
    req.text = "the of";
    const auto only = query_terms(qb.build(req).text);
    EXPECT_TRUE(only.count("Zthe") && only.count("Zof"));
    // Capitalised words are stopped too (the stopper sees the lower-cased word), and stemmed.
    req.text = "The Kestrel";
    EXPECT_EQ(query_terms(qb.build(req).text), (std::set<std::string>{"Zkestrel"}));
}

TEST(QueryStopwords, OnlyEnglishHasAList) {
    EXPECT_FALSE(news::stopword_list("english").empty());
    EXPECT_TRUE(news::stopword_list("french").empty());
    TempDir d;
    const Xapian::Database db = stopword_fixture(d);
    news::QueryBuilder qb(db, "french");
    news::QueryRequest req;
    req.spelling = false;
    req.stopwords = true;
    req.text = "the kestrel";
    EXPECT_EQ(query_terms(qb.build(req).text).size(), 2u);
}

// ---- BM25 parameters --------------------------------------------------------------------------

TEST(Bm25, ParsesK1AndBAndRejectsTheRest) {
    news::SearchOptions o;
    EXPECT_EQ(o.bm25_k1, 1.2);
    EXPECT_EQ(o.bm25_b, 0.75);
    news::parse_bm25(" 1.5 , 0.6 ", o);
    EXPECT_EQ(o.bm25_k1, 1.5);
    EXPECT_EQ(o.bm25_b, 0.6);
    news::parse_bm25("0,1", o);
    EXPECT_EQ(o.bm25_k1, 0.0);
    EXPECT_EQ(o.bm25_b, 1.0);
    for (const char* bad : {"", "1.2", "1.2,", ",0.5", "a,0.5", "1,b", "-1,0.5", "1,-0.1", "1,1.5",
                            "1,0.5,3", "inf,0.5", "nan,0.5"}) {
        news::SearchOptions p;
        EXPECT_THROW(news::parse_bm25(bad, p), news::UsageError) << bad;
        EXPECT_EQ(p.bm25_k1, 1.2) << bad;
    }
}

namespace {

// A new, empty index at `path` that the searcher opens (schema version and language set).
Xapian::WritableDatabase new_index(const std::string& path) {
    Xapian::WritableDatabase db(path, Xapian::DB_CREATE);
    db.set_metadata(news::kMetaSchemaVersion, std::to_string(news::kSchemaVersion));
    db.set_metadata(news::kMetaLanguage, "english");
    return db;
}

}  // namespace

TEST(Bm25, LengthNormalisationFollowsB) {
    TempDir d;
    const std::string path = (d.path() / "idx").string();
    {
        Xapian::WritableDatabase db = new_index(path);
        news::DocumentBuilder b("english");
        news::Article a;
        a.id = "https://ex.com/short";
        a.title = "Kestrel";
        db.add_document(b.build(a).doc);
        a.id = "https://ex.com/long";
        a.title = "Kestrel";
        a.excerpt = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi";
        db.add_document(b.build(a).doc);
        a.id = "https://ex.com/none";
        a.title = "Falcon";
        a.excerpt = "";
        db.add_document(b.build(a).doc);
        db.commit();
    }
    news::OpenedIndex index = news::open_indexes({path});
    news::SearchOptions o;
    o.sort = news::SortMode::Relevance;
    o.request.text = "kestrel";
    o.request.spelling = false;
    auto scores = [&](const std::string& bm25) {
        news::parse_bm25(bm25, o);
        const nlohmann::json d = news::run_search(index, o);
        std::map<std::string, double> out;
        for (const auto& r : d["results"])
            out[r["id"].get<std::string>()] = r["score"].get<double>();
        return out;
    };
    // b = 0: document length does not matter; the same wdf scores the same.
    auto s = scores("1,0");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_NEAR(s["https://ex.com/short"], s["https://ex.com/long"], 1e-9);
    // b = 1: the shorter document scores higher, and more so than at the default b = 0.5.
    s = scores("1,1");
    const double gap_full = s["https://ex.com/short"] - s["https://ex.com/long"];
    EXPECT_GT(gap_full, 1e-3);
    s = scores("1,0.5");
    const double gap_half = s["https://ex.com/short"] - s["https://ex.com/long"];
    EXPECT_GT(gap_half, 1e-3);
    EXPECT_LT(gap_half, gap_full);
}

// The title highlighter splits a text into the words Xapian's TermGenerator indexes: for each
// word the term generator makes of a title, a query for that word (as written, or by its stem)
// marks spans that the term generator reads as exactly that word, and at least one.
TEST(Highlighter, MarksTheWordsTheTermGeneratorIndexes) {
    const std::vector<std::string> titles{
        "O'Brien\u2019s C++ and C# tips for AT&T",
        "Python 3.5 ships: 1,000 users, 2;3 and U.S. news from the U.N",
        "fish+chips, C++++ overflow, x+ and F# at the end: C++",
        "Zero\u200bwidth joins, na\u00efve caf\u00e9 \u00fcber-fast",
        "\u201cQuoted\u201d (parenthesised) P.T.O. e.g. i.e. A.B",
        "CJK \u6771\u4eac\u90fd news, Stra\u00dfe and \u0130stanbul",
        "A.B.C.d, X.Y.Zebra, Q.R.S.T and U.Sx"};
    const Xapian::Stem stem("english");
    auto words_of = [&](const std::string& text) {
        Xapian::Document doc;
        Xapian::TermGenerator tg;
        tg.set_stemming_strategy(Xapian::TermGenerator::STEM_NONE);  // the words themselves
        tg.set_document(doc);
        tg.index_text(text);
        std::vector<std::string> out;
        for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) out.push_back(*t);
        return out;
    };
    int checked = 0;
    for (const auto& title : titles) {
        for (const auto& word : words_of(title)) {
            std::vector<Xapian::Query> queries{Xapian::Query(word)};
            if (const std::string s = stem(word); !s.empty() && !std::isdigit(word[0]))
                queries.emplace_back("Z" + s);
            for (const auto& q : queries) {
                const std::string marked = news::highlight(title, q, stem, "[[", "]]");
                const std::string what = title + " / " + q.get_description() + " -> " + marked;
                // Unmarked, the text is unchanged.
                std::string plain = marked;
                for (const char* m : {"[[", "]]"})
                    for (auto at = plain.find(m); at != std::string::npos; at = plain.find(m))
                        plain.erase(at, 2);
                EXPECT_EQ(plain, title) << what;
                int spans = 0;
                for (auto at = marked.find("[["); at != std::string::npos;
                     at = marked.find("[[", at + 2)) {
                    const auto close = marked.find("]]", at);
                    ASSERT_NE(close, std::string::npos) << what;
                    const std::string span = marked.substr(at + 2, close - at - 2);
                    // A stem can mark another form of the word: compare stems then.
                    const auto got = words_of(span);
                    ASSERT_EQ(got.size(), 1u) << what << " span '" << span << "'";
                    if (q.get_description() == Xapian::Query(word).get_description()) {
                        EXPECT_EQ(got[0], word) << what;
                    } else {
                        EXPECT_EQ(stem(got[0]), stem(word)) << what;
                    }
                    ++spans;
                }
                EXPECT_GE(spans, 1) << what;
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 60);
    // Nothing is marked for a word the text does not have.
    EXPECT_EQ(news::highlight(titles[0], Xapian::Query("brien"), stem, "[[", "]]"), titles[0]);
    EXPECT_EQ(news::highlight(titles[0], Xapian::Query("o"), stem, "[[", "]]"), titles[0]);
    EXPECT_EQ(news::highlight(titles[2], Xapian::Query("x"), stem, "[[", "]]"), titles[2]);
    EXPECT_EQ(news::highlight(titles[1], Xapian::Query("3"), stem, "[[", "]]"), titles[1]);
}

// Reopening while an indexer commits quickly: glass reads a table's root block before checking
// its revision, so a revision that two quick commits discarded can throw DatabaseCorruptError
// ("Expected block N to be level 1, not 0") for a moment. The server saw it as a 503 in about
// 2% of runs of Serve.AnswersEveryRequestWhileAnIndexerCommits. refresh() and with_reopen()
// retry it like a DatabaseModifiedError.
TEST(Reopen, QuickCommitsNeverLookCorruptToReaders) {
    TempDir d;
    const std::string path = (d.path() / "idx").string();
    {
        Xapian::WritableDatabase db = new_index(path);
        // Enough articles for tables of two levels (a root block above the leaves).
        news::DocumentBuilder b("english");
        for (int i = 0; i < 2000; ++i) {
            news::Article a;
            a.id = "https://ex.com/" + std::to_string(i);
            a.title = "Kestrel number " + std::to_string(i);
            a.excerpt = "Word" + std::to_string(i) + " and word" + std::to_string(i * 7);
            db.add_document(b.build(a).doc);
        }
        db.commit();
    }
    std::atomic<bool> stop{false};
    std::atomic<int> commits{0};
    std::mutex mu;
    std::string failure;
    auto fail = [&](const std::string& what) {
        std::lock_guard<std::mutex> lock(mu);
        if (failure.empty()) failure = what;
    };
    std::thread writer([&] {
        try {
            // Without fsync: quick commits, whatever the disk (the race needs two in a row).
            Xapian::WritableDatabase db(path, Xapian::DB_OPEN | Xapian::DB_NO_SYNC);
            news::DocumentBuilder b("english");
            for (int i = 0; !stop; ++i) {
                news::Article a;
                a.id = "https://ex.com/" + std::to_string(i % 2000);
                a.title = "Kestrel number " + std::to_string(i);
                a.excerpt = "Word" + std::to_string(i) + " and word" + std::to_string(i * 7);
                db.replace_document(news::bool_term(news::FieldId::Id, a.id), b.build(a).doc);
                db.set_metadata("test:n", std::to_string(i));
                db.commit();
                ++commits;
            }
        } catch (const Xapian::Error& e) {
            fail("writer: " + e.get_description());
        }
    });
    // Readers outnumber the cores, so that one is now and then descheduled while reopening.
    std::atomic<int> reads{0};
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    std::vector<std::thread> readers;
    for (int r = 0; r < 6; ++r) {
        readers.emplace_back([&] {
            try {
                news::OpenedIndex index = news::open_indexes({path});
                while (std::chrono::steady_clock::now() < until) {
                    news::refresh(index);
                    reads += news::with_reopen(index, [&] {
                        return static_cast<int>(index.db.get_termfreq("Zkestrel") > 0);
                    });
                }
            } catch (const Xapian::Error& e) {
                fail(e.get_description());
            } catch (const std::exception& e) {
                fail(e.what());
            }
        });
    }
    for (auto& t : readers) t.join();
    stop = true;
    writer.join();
    EXPECT_EQ(failure, "") << "after " << commits << " commits and " << reads << " reads";
    EXPECT_GT(commits.load(), 300);  // (the writer did commit while they read)
}
