// Store-level tests of the story pass's candidate search in memory (indexer/story_candidates):
// it must answer exactly as Xapian's matcher does over the same index. (That the story pass
// gives the same stories with it as without it: test_story_related.cpp.)
#include <gtest/gtest.h>

#include <xapian.h>

#include <map>
#include <random>

#include "date.hpp"
#include "document.hpp"
#include "schema.hpp"
#include "story_candidates.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using news::test::TempDir;

namespace {

// What the story pass asks Xapian (stories.cpp, near_duplicates): the OR of words, weighed by
// BM25, among the documents of some days; the best `k`.
std::vector<Xapian::docid> xapian_top(const Xapian::Database& db,
                                      const std::vector<std::string>& words,
                                      const std::vector<std::string>& days, std::size_t k) {
    std::vector<Xapian::Query> w, d;
    for (const auto& x : words) w.emplace_back(x);
    for (const auto& x : days) d.emplace_back(news::bool_term(news::FieldId::Day, x));
    Xapian::Enquire enq(db);
    enq.set_query(Xapian::Query(Xapian::Query::OP_FILTER,
                                Xapian::Query(Xapian::Query::OP_OR, w.begin(), w.end()),
                                Xapian::Query(Xapian::Query::OP_OR, d.begin(), d.end())));
    enq.set_weighting_scheme(news::StoryWeight());
    std::vector<Xapian::docid> out;
    const Xapian::MSet m = enq.get_mset(0, static_cast<Xapian::doccount>(k));
    for (auto it = m.begin(); it != m.end(); ++it) out.push_back(*it);
    return out;
}

std::vector<Xapian::docid> memory_top(const news::CandidateIndex& index, const Xapian::Database& db,
                                      const std::vector<std::string>& words,
                                      const std::vector<std::string>& days, std::size_t k) {
    std::vector<std::pair<Xapian::doccount, std::string>> w;
    for (const auto& x : words) {
        EXPECT_EQ(index.termfreq(x), db.get_termfreq(x)) << x;
        w.emplace_back(index.termfreq(x), x);
    }
    std::vector<uint32_t> d;
    for (const auto& x : days) d.push_back(news::day_number(x));
    return index.top(w, d, db.get_doccount(), db.get_avlength(), k);
}

// Articles from a small vocabulary, so that titles share words and many weights tie (the same
// title and length), over three weeks; some without a date, some with a body (longer).
news::Article random_article(std::mt19937& rng, int n) {
    static const std::vector<std::string> vocab{
        "azure",   "cloud",    "outage", "storage", "teams",   "kubernetes", "price",   "region",
        "preview", "security", "flaw",   "patch",   "quantum", "chip",       "launch",  "ai",
        "model",   "openai",   "data",   "center",  "deal",    "billion",    "windows", "update"};
    news::Article a;
    a.id = "https://x.example/" + std::to_string(n);
    a.path = std::to_string(n) + ".md";
    const std::size_t words = 2 + rng() % 7;
    for (std::size_t i = 0; i < words; ++i) {
        if (i) a.title += ' ';
        a.title += vocab[rng() % (rng() % 3 ? 8 : vocab.size())];  // some words far more common
    }
    a.excerpt = "Said " + vocab[rng() % vocab.size()] + " and " + vocab[rng() % vocab.size()];
    if (rng() % 4 == 0) a.body = std::string(rng() % 400, 'x') + " more words here";
    if (rng() % 10) a.published = 1631577600 + static_cast<int64_t>(rng() % (21 * 86400));
    a.provider.name = std::string("p").append(std::to_string(rng() % 5));
    return a;
}

std::vector<std::string> days_around(int64_t t) {
    std::vector<std::string> out;
    for (int64_t day = t - 3 * 86400; day < t + 4 * 86400; day += 86400) {
        const std::string iso = news::format_iso8601(day);
        out.push_back(iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2));
    }
    return out;
}

// An index of `n` random articles, each noted in a CandidateIndex as it is written.
struct NotedIndex {
    TempDir d;
    std::string path = (d.path() / "idx").string();
    Xapian::WritableDatabase w{path, Xapian::DB_CREATE_OR_OVERWRITE};
    news::DocumentBuilder builder{"english"};
    news::CandidateIndex index;
    std::mt19937 rng;
    std::vector<news::Article> written;
    NotedIndex(int n, unsigned seed) : rng(seed) {
        index.start();
        for (int i = 0; i < n; ++i) {
            written.push_back(random_article(rng, i));
            auto built = builder.build(written.back());
            index.note(w.add_document(built.doc), news::candidate_doc(built.doc));
        }
    }
};

}  // namespace

// Over an index of 1,500 articles (then with some replaced and some deleted), 600 searches of
// two to four title words each: the in-memory search returns Xapian's documents in Xapian's
// order, at a cut of 51 and of 5 (ties at the cut go to the smaller docid).
TEST(StoryCandidates, AnswerAsXapianDoes) {
    NotedIndex x(1500, 7);
    auto& [d, path, w, builder, index, rng, written] = x;
    auto check = [&](const char* when) {
        w.commit();
        Xapian::Database r(path);
        index.refresh(r);
        ASSERT_TRUE(index.usable(r)) << when;
        std::size_t long_lists = 0;
        for (int q = 0; q < 300; ++q) {
            const news::Article& a = written[rng() % written.size()];
            if (!a.published) continue;
            const auto c = news::candidate_doc(builder.build(a).doc);
            std::vector<std::string> words;
            for (const auto& [term, wdf] : c.title)
                if (words.size() < 4) words.push_back(term);
            const auto days = days_around(*a.published);
            for (std::size_t k : {std::size_t{51}, std::size_t{5}}) {
                const auto want = xapian_top(r, words, days, k);
                EXPECT_EQ(memory_top(index, r, words, days, k), want)
                    << when << ": " << a.title << " (k " << k << ")";
                long_lists += want.size() == k;
            }
        }
        EXPECT_GT(long_lists, 100u) << "searches should often meet the cut";
    };
    check("as written");
    // Replaced in place (as a stub becomes an article), and deleted: read again from the index.
    for (Xapian::docid did = 3; did < 1500; did += 7) {
        written[did - 1] = random_article(rng, static_cast<int>(did) - 1);
        auto built = builder.build(written[did - 1]);
        w.replace_document(did, built.doc);
        index.stale(did);
    }
    for (Xapian::docid did = 5; did < 1500; did += 11) {
        w.delete_document(did);
        index.stale(did);
        written[did - 1].published.reset();  // (not searched for)
    }
    check("after changes");
    // A document the index was not told of: it no longer answers as Xapian would.
    w.add_document(builder.build(random_article(rng, 9999)).doc);
    w.commit();
    Xapian::Database r(path);
    index.refresh(r);
    EXPECT_FALSE(index.usable(r));
}

TEST(StoryCandidates, DaysAreEightDigits) {
    EXPECT_EQ(news::day_number("20210914"), 20210914u);
    EXPECT_EQ(news::day_number("2021091"), 0u);
    EXPECT_EQ(news::day_number("-0010914"), 0u);
    EXPECT_EQ(news::day_number("202109145"), 0u);
}

// A document noted twice under one docid (a stub that became an article) replaces the first;
// one with a day that is not 8 digits turns the search in memory off.
TEST(StoryCandidates, ANoteReplacesAndAnOddDayTurnsTheIndexOff) {
    NotedIndex x(300, 11);
    auto& [d, path, w, builder, index, rng, written] = x;
    // Three rounds on one day, sorted between them: the third finds a removed posting of the
    // same document and day before the live one.
    Xapian::Database r(path);
    for (int round = 0; round < 3; ++round) {
        for (Xapian::docid did = 1; did <= 300; did += 3) {
            written[did - 1] = random_article(rng, static_cast<int>(did) - 1);
            written[did - 1].published = 1631577600 + 86400;
            auto built = builder.build(written[did - 1]);
            w.replace_document(did, built.doc);
            index.note(did, news::candidate_doc(built.doc));
        }
        w.commit();
        r.reopen();
        index.refresh(r);
    }
    ASSERT_TRUE(index.usable(r));
    for (const auto& a : written) {
        if (!a.published) continue;
        std::vector<std::string> words;
        for (const auto& [term, wdf] : news::candidate_doc(builder.build(a).doc).title)
            if (words.size() < 4) words.push_back(term);
        const auto days = days_around(*a.published);
        EXPECT_EQ(memory_top(index, r, words, days, 51), xapian_top(r, words, days, 51)) << a.title;
    }
    Xapian::Document odd;
    odd.add_boolean_term("D123");
    index.note(r.get_lastdocid() + 1, news::candidate_doc(odd));
    w.add_document(odd);
    w.commit();
    r.reopen();
    index.refresh(r);
    EXPECT_FALSE(index.usable(r));
}
