// The story pass's candidate search in memory (story_candidates.hpp).
#include "story_candidates.hpp"

#include <algorithm>
#include <cmath>

#include "schema.hpp"

namespace news {

namespace {
// Xapian 1.4's BM25Weight defaults.
constexpr double kK1 = 1, kK3 = 1, kB = 0.5, kMinNormlen = 0.5;
constexpr int kGrain = 32;  // parts are multiples of 2^-kGrain

double grain(double x, double (*round)(double)) {
    return std::ldexp(round(std::ldexp(x, kGrain)), -kGrain);
}
}  // namespace

StoryWeight::StoryWeight() {
    need_stat(TERMFREQ);
    need_stat(COLLECTION_SIZE);
    need_stat(AVERAGE_LENGTH);
    need_stat(WDF);
    need_stat(DOC_LENGTH);
    need_stat(WDF_MAX);
    need_stat(DOC_LENGTH_MIN);
}

// BM25's term weight, as Xapian's BM25Weight computes it (each word once in the query).
double StoryWeight::term_weight(Xapian::doccount docs, Xapian::doccount tf, double factor) {
    constexpr double wqf = 1;
    double tw = (docs - tf + 0.5) / (tf + 0.5);
    if (tw < 2) tw = tw * 0.5 + 1;  // (Xapian's guard for words in over a third of documents)
    double w = std::log(tw) * factor;
    w *= (kK3 + 1) * wqf / (kK3 + wqf);
    return w * (kK1 + 1);
}

double StoryWeight::part(double term_weight, double len_factor, Xapian::termcount wdf,
                         Xapian::termcount length) {
    const double normlen = std::max(length * len_factor, kMinNormlen);
    const double w = wdf;
    return grain(term_weight * (w / (kK1 * (normlen * kB + (1 - kB)) + w)), std::nearbyint);
}

void StoryWeight::init(double factor) {
    term_weight_ = term_weight(get_collection_size(), get_termfreq(), factor);
    const double avlen = get_average_length();
    len_factor_ = avlen != 0 ? 1 / avlen : 0;
}

// An upper bound of get_sumpart (BM25's: at the largest wdf and the shortest length that can
// hold it), rounded up.
double StoryWeight::get_maxpart() const {
    const Xapian::termcount wdf = get_wdf_upper_bound();
    const double normlen =
        std::max(std::max(wdf, get_doclength_lower_bound()) * len_factor_, kMinNormlen);
    const double w = wdf;
    return grain(term_weight_ * (w / (kK1 * (normlen * kB + (1 - kB)) + w)), std::ceil) +
           std::ldexp(1.0, -kGrain);
}

uint32_t day_number(std::string_view v) {
    if (v.size() != 8) return 0;
    uint32_t n = 0;
    for (char c : v) {
        if (c < '0' || c > '9') return 0;
        n = n * 10 + static_cast<uint32_t>(c - '0');
    }
    return n;
}

std::vector<Xapian::docid> xapian_candidates(const Xapian::Database& db,
                                             const std::vector<std::string>& words,
                                             const std::vector<std::string>& days, std::size_t k) {
    std::vector<Xapian::Query> rare, day_terms;
    for (const auto& w : words) rare.emplace_back(w);
    for (const auto& d : days) day_terms.emplace_back(bool_term(FieldId::Day, d));
    Xapian::Enquire enq(db);
    enq.set_query(Xapian::Query(
        Xapian::Query::OP_FILTER, Xapian::Query(Xapian::Query::OP_OR, rare.begin(), rare.end()),
        Xapian::Query(Xapian::Query::OP_OR, day_terms.begin(), day_terms.end())));
    enq.set_weighting_scheme(StoryWeight());  // more, and rarer, shared words first
    enq.set_sort_by_relevance_then_value(kSlotIdHash, false);
    std::vector<Xapian::docid> out;
    const Xapian::MSet mset = enq.get_mset(0, static_cast<Xapian::doccount>(k));
    for (auto it = mset.begin(); it != mset.end(); ++it) out.push_back(*it);
    return out;
}

CandidateDoc candidate_doc(const Xapian::Document& doc) {
    CandidateDoc c;
    c.id_hash = doc.get_value(kSlotIdHash);
    const std::string zs = std::string("Z").append(field(FieldId::Title).prefix);
    const std::string_view d = field(FieldId::Day).prefix;
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
        const std::string term = *t;
        const Xapian::termcount wdf = t.get_wdf();
        c.length += wdf;
        if (term.size() > zs.size() + 1 && term.compare(0, zs.size(), zs) == 0) {
            c.title.emplace_back(term, wdf);
        } else if (term.size() > d.size() && term.compare(0, d.size(), d) == 0 && !c.day &&
                   !c.odd_day) {  // (no other prefix starts with D; words are Z...)
            c.day = day_number(std::string_view(term).substr(d.size()));
            c.odd_day = c.day == 0;
        }
    }
    return c;
}

void CandidateIndex::remove(Xapian::docid d) {
    if (d >= docs_.size() || !docs_[d].present) return;
    Doc& doc = docs_[d];
    for (uint32_t id : doc.terms) {
        --df_[id];
        if (!doc.day) continue;
        // (Found by a binary search where the list is sorted: removals stay cheap in the lists
        // of words most titles have.)
        List& list = lists_[id];
        auto& ps = list.postings;
        const Posting key{doc.day, d, 0, 0};
        const auto sorted_end = ps.begin() + static_cast<std::ptrdiff_t>(list.sorted);
        auto it = std::lower_bound(ps.begin(), sorted_end, key);
        while (it != sorted_end && it->day == doc.day && it->doc == d && !it->wdf) ++it;
        if (it == sorted_end || it->doc != d || it->day != doc.day) {
            it = std::find_if(sorted_end, ps.end(),
                              [&](const Posting& p) { return p.doc == d && p.wdf; });
        }
        if (it != ps.end() && it->wdf) {
            it->wdf = 0;
            ++list.dead;
        }
    }
    --count_;
    total_ -= doc.length;
    doc = Doc{};
}

void CandidateIndex::note(Xapian::docid d, const CandidateDoc& c) {
    if (!on_) return;
    remove(d);
    if (d >= docs_.size()) docs_.resize(std::max<std::size_t>(d + 1, docs_.size() * 3 / 2));
    Doc& doc = docs_[d];
    doc.present = true;
    doc.length = c.length;
    ++count_;
    total_ += c.length;
    odd_ = odd_ || c.odd_day;
    doc.day = c.day;  // (no day: no search finds it)
    doc.id_hash = c.id_hash;
    for (const auto& [term, wdf] : c.title) {
        auto [it, fresh] = term_ids_.try_emplace(term, static_cast<uint32_t>(lists_.size()));
        if (fresh) {
            lists_.emplace_back();
            df_.push_back(0);
        }
        ++df_[it->second];
        doc.terms.push_back(it->second);
        if (!doc.day) continue;
        List& list = lists_[it->second];
        const Posting p{c.day, d, wdf, c.length};
        // (Usually appended in order, as a corpus in date order is; refresh() sorts the rest.)
        const bool in_order = list.sorted == list.postings.size() &&
                              (list.postings.empty() || !(p < list.postings.back()));
        if (!in_order && list.sorted == list.postings.size()) unsorted_.push_back(it->second);
        list.postings.push_back(p);
        if (in_order) list.sorted = list.postings.size();
    }
}

void CandidateIndex::refresh(const Xapian::Database& reader) {
    if (!on_) return;
    std::sort(stale_.begin(), stale_.end());
    stale_.erase(std::unique(stale_.begin(), stale_.end()), stale_.end());
    for (Xapian::docid d : stale_) {
        try {
            note(d, candidate_doc(reader.get_document(d)));
        } catch (const Xapian::DocNotFoundError&) {
            remove(d);
        }
    }
    stale_.clear();
    for (uint32_t id : unsorted_) {  // the new tail sorted, then merged
        List& list = lists_[id];
        auto& ps = list.postings;
        const auto mid = ps.begin() + static_cast<std::ptrdiff_t>(list.sorted);
        std::sort(mid, ps.end());
        std::inplace_merge(ps.begin(), mid, ps.end());
        list.sorted = ps.size();
    }
    unsorted_.clear();
    for (List& list : lists_) {  // dropping the removed documents' postings
        if (list.dead * 2 <= list.postings.size()) continue;
        std::erase_if(list.postings, [](const Posting& p) { return p.wdf == 0; });
        list.sorted = list.postings.size();
        list.dead = 0;
    }
}

bool CandidateIndex::usable(const Xapian::Database& reader, Xapian::doccount extra_docs,
                            Xapian::totallength extra_length) const {
    return on_ && !odd_ && stale_.empty() && unsorted_.empty() &&
           count_ == reader.get_doccount() + extra_docs &&
           total_ == reader.get_total_length() + extra_length;
}

std::vector<Xapian::docid> CandidateIndex::top(
    const std::vector<std::pair<Xapian::doccount, std::string>>& words,
    const std::vector<uint32_t>& days, Xapian::doccount docs, double avlen, std::size_t k) const {
    const double len_factor = avlen != 0 ? 1 / avlen : 0;
    struct Hit {
        Xapian::docid doc;
        uint32_t word;
        double part;
    };
    std::vector<Hit> hits;
    for (uint32_t w = 0; w < words.size(); ++w) {
        const auto found = term_ids_.find(words[w].second);
        if (found == term_ids_.end()) continue;
        const double tw = StoryWeight::term_weight(docs, words[w].first, 1.0);
        const auto& list = lists_[found->second].postings;
        for (uint32_t day : days) {
            auto lo = std::lower_bound(list.begin(), list.end(), Posting{day, 0, 0, 0});
            for (; lo != list.end() && lo->day == day; ++lo) {
                if (!lo->wdf) continue;  // (removed)
                hits.push_back(
                    {lo->doc, w, StoryWeight::part(tw, len_factor, lo->wdf, lo->length)});
            }
        }
    }
    std::sort(hits.begin(), hits.end(), [](const Hit& x, const Hit& y) {
        return x.doc != y.doc ? x.doc < y.doc : x.word < y.word;
    });
    std::vector<std::pair<double, Xapian::docid>> scored;
    for (std::size_t i = 0; i < hits.size();) {
        double sum = 0;
        const Xapian::docid d = hits[i].doc;
        for (; i < hits.size() && hits[i].doc == d; ++i) sum += hits[i].part;
        scored.emplace_back(sum, d);
    }
    const auto better = [this](const auto& x, const auto& y) {
        if (x.first != y.first) return x.first > y.first;
        const std::string& hx = docs_[x.second].id_hash;
        const std::string& hy = docs_[y.second].id_hash;
        return hx != hy ? hx < hy : x.second < y.second;
    };
    const std::size_t n = std::min(k, scored.size());
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(n), scored.end(),
                      better);
    std::vector<Xapian::docid> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back(scored[i].second);
    return out;
}

}  // namespace news
