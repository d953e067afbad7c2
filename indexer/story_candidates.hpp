// The story pass's candidate search in memory: the title words (ZS terms) of every document of
// the index, with what Xapian's BM25 reads of each (wdf, document length) and the document's
// day (its D term), kept as the indexer writes them. It answers the search the pass otherwise
// runs through Xapian's matcher (stories.cpp, near_duplicates) with the same documents in the
// same order: the same weights (StoryWeight), computed from the same statistics of the same
// reader, and ties broken as the matcher is told to (by id hash, then docid). The matcher's
// fixed cost per search (opening eleven posting lists, weights, statistics) was most of the
// pass's CPU at 200,000 articles.
//
// It is exact only while it holds every document of the index: it is kept from the first
// document a run writes into an empty index, each change made other than by writing a new
// document marks the documents concerned to be read again from the committed index, and a pass
// uses it only when its document count and total length equal the reader's; otherwise the pass
// searches with Xapian, as it always can.
#pragma once

#include <xapian.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace news {

// The weight of the candidate search: BM25 with Xapian's default parameters, each word's part
// rounded to a multiple of 2^-32. Sums of such parts are exact in any order, so the in-memory
// search and Xapian's matcher (whose tree of ORs adds a document's parts in an order of its own,
// which changed the last bit of near-equal weights and so their order) give every document the
// same weight; near-ties (within 2^-32) become ties, broken by id hash (xapian_candidates).
class StoryWeight : public Xapian::Weight {
  public:
    StoryWeight();
    // One word's weight in the search, from the database's statistics (BM25's idf).
    static double term_weight(Xapian::doccount docs, Xapian::doccount tf, double factor);
    // One word's part of a document's weight.
    static double part(double term_weight, double len_factor, Xapian::termcount wdf,
                       Xapian::termcount length);

    StoryWeight* clone() const override { return new StoryWeight; }
    void init(double factor) override;
    std::string name() const override { return "news::StoryWeight"; }
    double get_sumpart(Xapian::termcount wdf, Xapian::termcount length,
                       Xapian::termcount) const override {
        return part(term_weight_, len_factor_, wdf, length);
    }
    double get_maxpart() const override;
    double get_sumextra(Xapian::termcount, Xapian::termcount) const override { return 0; }
    double get_maxextra() const override { return 0; }

  private:
    double term_weight_ = 0;
    double len_factor_ = 0;
};

// What the candidate search reads of one document.
struct CandidateDoc {
    std::vector<std::pair<std::string, Xapian::termcount>> title;  // ZS terms and their wdf
    Xapian::termcount length = 0;  // the document's length (the sum of its wdf, as Xapian's)
    uint32_t day = 0;              // its D term's YYYYMMDD; 0 if it has none
    bool odd_day = false;          // a D term that is not 8 digits (the index is then not used)
    std::string id_hash;           // value slot kSlotIdHash: breaks ties of weight
};

// The candidate search through Xapian's matcher: the OR of `words` (terms) among the documents
// of `days` ("YYYYMMDD"), weighed by StoryWeight; the best `k`, ties by the id hash (value slot
// kSlotIdHash, ascending), then by docid. (Ties by docid alone made the stories depend on how
// docids were laid out: -j1 and -j2 builds of 200,000 generated articles, whose shards number
// documents differently, gave 37 articles other stories; 10,500 of their searches had a tie at
// the cut.)
std::vector<Xapian::docid> xapian_candidates(const Xapian::Database& db,
                                             const std::vector<std::string>& words,
                                             const std::vector<std::string>& days, std::size_t k);

// What the candidate search reads of `doc` (a document as written, or read from an index).
CandidateDoc candidate_doc(const Xapian::Document& doc);

// The D term's value of a day written as "YYYYMMDD"; 0 if it is not 8 digits.
uint32_t day_number(std::string_view yyyymmdd);

class CandidateIndex {
  public:
    // Keeps the index from now on: the database it mirrors must be empty.
    void start() {
        *this = CandidateIndex();
        on_ = true;
    }
    bool on() const { return on_; }
    // Document `d` was written as `c` (replacing what `d` held).
    void note(Xapian::docid d, const CandidateDoc& c);
    // Document `d` changed some other way (or was deleted): read it again before the next search.
    void stale(Xapian::docid d) {
        if (on_) stale_.push_back(d);
    }
    // Reads the stale documents from `reader` (the committed index) and readies the search.
    void refresh(const Xapian::Database& reader);
    // Whether the search answers as Xapian would over `reader` (after refresh()), with
    // `extra_docs` documents of total length `extra_length` noted here but not written yet.
    bool usable(const Xapian::Database& reader, Xapian::doccount extra_docs = 0,
                Xapian::totallength extra_length = 0) const;
    // The length of document `d` as noted (0 if it is not here).
    Xapian::termcount length(Xapian::docid d) const {
        return d < docs_.size() && docs_[d].present ? docs_[d].length : 0;
    }
    // The postings held, removed documents' included until refresh() drops them.
    std::size_t postings() const {
        std::size_t n = 0;
        for (const List& list : lists_) n += list.postings.size();
        return n;
    }
    // How many documents hold `term` (a ZS term), as Xapian's get_termfreq would say.
    Xapian::doccount termfreq(const std::string& term) const {
        const auto it = term_ids_.find(term);
        return it == term_ids_.end() ? 0 : df_[it->second];
    }

    // The `k` best documents for the OR of `words` (terms, weighed by StoryWeight over a
    // database of `docs` documents of average length `avlen`, each word's term frequency
    // given) among documents published on one of `days`, best first, ties as
    // xapian_candidates breaks them: what it returns. Safe to call from several threads
    // between refresh() calls.
    std::vector<Xapian::docid> top(
        const std::vector<std::pair<Xapian::doccount, std::string>>& words,
        const std::vector<uint32_t>& days, Xapian::doccount docs, double avlen,
        std::size_t k) const;

  private:
    struct Posting {
        uint32_t day;
        Xapian::docid doc;
        Xapian::termcount wdf;
        Xapian::termcount length;
        bool operator<(const Posting& o) const { return day != o.day ? day < o.day : doc < o.doc; }
    };
    struct Doc {
        bool present = false;
        Xapian::termcount length = 0;
        uint32_t day = 0;             // 0: no postings
        std::vector<uint32_t> terms;  // into lists_ and df_
        std::string id_hash;
    };
    // A posting list: sorted by (day, docid) up to `sorted`; a removed document's posting stays,
    // with wdf 0 (no title word has that), until more than half of the list is such.
    struct List {
        std::vector<Posting> postings;
        std::size_t sorted = 0;
        std::size_t dead = 0;
    };
    void remove(Xapian::docid d);

    bool on_ = false;
    bool odd_ = false;               // some document had a D term that is not 8 digits
    std::vector<Doc> docs_;          // by docid
    Xapian::doccount count_ = 0;     // documents present
    Xapian::totallength total_ = 0;  // the sum of their lengths
    std::unordered_map<std::string, uint32_t> term_ids_;
    std::vector<List> lists_;           // by term id; sorted by refresh()
    std::vector<Xapian::doccount> df_;  // by term id
    std::vector<uint32_t> unsorted_;    // term ids of lists changed since
    std::vector<Xapian::docid> stale_;
};

}  // namespace news
