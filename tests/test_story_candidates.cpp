// Store-level tests of the story pass's candidate search in memory (indexer/story_candidates):
// it must answer exactly as Xapian's matcher does over the same index. (That the story pass
// gives the same stories with it as without it: test_story_related.cpp.)
#include <gtest/gtest.h>

#include <xapian.h>

#include <algorithm>
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

// What the story pass asks Xapian (stories.cpp, near_duplicates).
std::vector<Xapian::docid> xapian_top(const Xapian::Database& db,
                                      const std::vector<std::string>& words,
                                      const std::vector<std::string>& days, std::size_t k) {
    return news::xapian_candidates(db, words, days, k);
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

// The words a search in these tests uses: the first four of `a`'s title words (ZS terms).
std::vector<std::string> search_words(news::DocumentBuilder& builder, const news::Article& a) {
    std::vector<std::string> words;
    for (const auto& [term, wdf] : news::candidate_doc(builder.build(a).doc).title)
        if (words.size() < 4) words.push_back(term);
    return words;
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

// For every dated article written, the search in memory returns Xapian's 51 best.
void expect_every_search_as_xapian(NotedIndex& x, const Xapian::Database& r) {
    for (const auto& a : x.written) {
        if (!a.published) continue;
        const auto words = search_words(x.builder, a);
        const auto days = days_around(*a.published);
        EXPECT_EQ(memory_top(x.index, r, words, days, 51), xapian_top(r, words, days, 51))
            << a.title;
    }
}

}  // namespace

// Over an index of 1,500 articles (then with some replaced and some deleted), 600 searches of
// two to four title words each: the in-memory search returns Xapian's documents in Xapian's
// order, at a cut of 51 and of 5 (ties at the cut go to the smaller id hash).
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
            const auto words = search_words(builder, a);
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
    expect_every_search_as_xapian(x, r);
    Xapian::Document odd;
    odd.add_boolean_term("D123");
    index.note(r.get_lastdocid() + 1, news::candidate_doc(odd));
    w.add_document(odd);
    w.commit();
    r.reopen();
    index.refresh(r);
    EXPECT_FALSE(index.usable(r));
}

// Ties of weight are broken by the id hash, not by docid: the same articles written in another
// order (other docids, as shards number them) give the same candidates, in the same order, by
// both searches. With ties by docid, -j1 and -j2 builds of 200,000 articles told 37 of them
// other stories.
TEST(StoryCandidates, TiesDoNotDependOnDocids) {
    NotedIndex x(1500, 11);
    TempDir d2;
    const std::string path2 = (d2.path() / "idx").string();
    Xapian::WritableDatabase w2(path2, Xapian::DB_CREATE_OR_OVERWRITE);
    news::CandidateIndex index2;
    index2.start();
    std::vector<std::size_t> order(x.written.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937(3));
    std::map<Xapian::docid, std::size_t> article_of2;  // docid in the second index -> article
    for (std::size_t i : order) {
        auto built = x.builder.build(x.written[i]);
        const Xapian::docid did = w2.add_document(built.doc);
        index2.note(did, news::candidate_doc(built.doc));
        article_of2[did] = i;
    }
    x.w.commit();
    w2.commit();
    const Xapian::Database r1(x.path), r2(path2);
    x.index.refresh(r1);
    index2.refresh(r2);
    ASSERT_TRUE(x.index.usable(r1));
    ASSERT_TRUE(index2.usable(r2));
    auto articles = [](const std::vector<Xapian::docid>& found, auto article_of) {
        std::vector<std::size_t> out;
        for (Xapian::docid did : found) out.push_back(article_of(did));
        return out;
    };
    auto first = [](Xapian::docid did) { return std::size_t{did - 1}; };
    auto second = [&](Xapian::docid did) { return article_of2.at(did); };
    std::size_t tied_cuts = 0;
    for (int q = 0; q < 300; ++q) {
        const news::Article& a = x.written[x.rng() % x.written.size()];
        if (!a.published) continue;
        const auto words = search_words(x.builder, a);
        const auto days = days_around(*a.published);
        constexpr std::size_t k = 51;
        const auto want = articles(xapian_top(r1, words, days, k), first);
        EXPECT_EQ(articles(xapian_top(r2, words, days, k), second), want) << a.title;
        EXPECT_EQ(articles(memory_top(x.index, r1, words, days, k), first), want) << a.title;
        EXPECT_EQ(articles(memory_top(index2, r2, words, days, k), second), want) << a.title;
        // (A tie at the cut: the next document weighs as much as the last one kept.)
        std::vector<Xapian::Query> wq, dq;
        for (const auto& t : words) wq.emplace_back(t);
        for (const auto& t : days) dq.emplace_back(news::bool_term(news::FieldId::Day, t));
        Xapian::Enquire e(r1);
        e.set_query(Xapian::Query(Xapian::Query::OP_FILTER,
                                  Xapian::Query(Xapian::Query::OP_OR, wq.begin(), wq.end()),
                                  Xapian::Query(Xapian::Query::OP_OR, dq.begin(), dq.end())));
        e.set_weighting_scheme(news::StoryWeight());
        const Xapian::MSet m = e.get_mset(0, k + 1);
        if (m.size() == k + 1) tied_cuts += m[k - 1].get_weight() == m[k].get_weight();
    }
    EXPECT_GT(tied_cuts, 20u) << "searches should often meet the cut";
}

// A document noted again leaves its old postings behind, marked removed; refresh() drops them
// from a list once they are more than half of it. Twenty rounds of rewriting every document of an
// index keep the postings within twice the live ones (twenty-one times as many were noted), and the
// search still answers as Xapian does.
TEST(StoryCandidates, RemovedPostingsAreDroppedOnceMoreThanHalfAList) {
    NotedIndex x(400, 13);
    auto& [d, path, w, builder, index, rng, written] = x;
    Xapian::Database r(path);
    std::size_t noted = 0;
    auto live = [&] {
        std::size_t n = 0;
        for (const auto& a : written) {
            const auto c = news::candidate_doc(builder.build(a).doc);
            if (c.day) n += c.title.size();
        }
        return n;
    };
    noted = live();
    for (int round = 0; round < 20; ++round) {
        for (Xapian::docid did = 1; did <= written.size(); ++did) {
            written[did - 1] = random_article(rng, static_cast<int>(did) - 1);
            auto built = builder.build(written[did - 1]);
            w.replace_document(did, built.doc);
            const auto c = news::candidate_doc(built.doc);
            if (c.day) noted += c.title.size();
            index.note(did, c);
        }
        w.commit();
        r.reopen();
        index.refresh(r);
        ASSERT_TRUE(index.usable(r)) << "round " << round;
        EXPECT_LE(index.postings(), 2 * live()) << "round " << round;
    }
    EXPECT_GT(noted, 10 * index.postings()) << "the rounds should have left many removed";
    // Some removed postings are still held (below half of their lists): the searches below
    // must skip them.
    EXPECT_GT(index.postings(), live());
    expect_every_search_as_xapian(x, r);
}
