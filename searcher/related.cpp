// `searcher related`: ranks the articles most related to a seed article from several signals
// (content, shared vocabulary, topics, time, quality, the editorial graph).
#include "related.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "date.hpp"
#include "document.hpp"
#include "errors.hpp"
#include "fold.hpp"
#include "parser.hpp"
#include "schema.hpp"
#include "text.hpp"

namespace fs = std::filesystem;

namespace news {

namespace {

struct Seed {
    std::string language;                // the index's stemming language
    std::optional<Xapian::docid> docid;  // when indexed
    Xapian::Document doc;
    std::string id;
    std::string title;
    std::vector<std::string> topics;
    std::optional<int64_t> published;
};

std::string norm_title(const std::string& t) {
    std::string out;
    for (char c : ascii_lower(t)) {
        if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80)
            out += c;
    }
    return out;
}

Seed resolve_seed(OpenedIndex& index, const std::string& spec, bool seed_files) {
    Seed s;
    s.language = index.language;
    Xapian::Database& db = index.db;
    std::optional<Xapian::docid> did = find_article(db, spec);
    std::error_code ec;
    if (!did && seed_files && fs::is_regular_file(spec, ec)) {
        const ParsedFile pf = parse_article_file(spec, fs::path(spec).filename().string());
        // An indexed article given by its file: use the indexed document (and its graph).
        did = find_docid(db, pf.article.id);
        if (!did) {
            DocumentBuilder b(index.language);
            s.doc = b.build(pf.article).doc;
            s.id = pf.article.id;
            s.title = pf.article.title;
            s.topics = pf.article.topics;
            s.published = pf.article.published;
            return s;
        }
    }
    if (!did)
        throw NotFoundError("no article with id or url '" + spec + "' in the index" +
                            (seed_files ? ", and no such file" : ""));
    s.docid = did;
    s.doc = db.get_document(*did);
    const auto d = read_data(s.doc);
    s.id = d.value("id", "");
    s.title = d.value("title", "");
    if (d.contains("topics")) s.topics = d["topics"].get<std::vector<std::string>>();
    if (d.contains("published")) s.published = d["published"].get<int64_t>();
    return s;
}

// BM25 for the content signal: the search's parameters (docs/ranking.md), so a long candidate
// is not favoured for holding more of the seed's words.
Xapian::BM25Weight related_bm25() {
    return Xapian::BM25Weight(1.2, 0, 1, 0.75, 0.5);
}

// The text terms of the index: Z + stem, no field prefix (feedback and the news-cycle probes
// use these).
bool text_stem(const std::string& t) {
    return t.size() > 1 && t[0] == 'Z' && !(t[1] >= 'A' && t[1] <= 'Z');
}

// The seed's terms the related signals use: its text stems and its title's stems (ZS...), so a
// candidate whose title has the seed's title words gains on top of sharing them in its text.
bool seed_stem(const std::string& t) {
    return text_stem(t) || t.compare(0, 2, "ZS") == 0;
}

class TextStems : public Xapian::ExpandDecider {
  public:
    bool operator()(const std::string& t) const override { return text_stem(t); }
};

// The seed's most characteristic stems with their weights, computed as Xapian's expand weight
// (TradEWeight, k = 1) would compute them with the seed as the only relevant document, from
// the seed's term list and the index's statistics. A seed that is not indexed (an article
// file) is counted as if it were (one more document, one more holder of each of its terms), so
// a file is ranked exactly like the same article indexed.
std::vector<std::pair<std::string, double>> seed_terms(const Xapian::Database& db, const Seed& seed,
                                                       unsigned limit) {
    const bool indexed = seed.docid.has_value();
    const double n_docs = static_cast<double>(db.get_doccount()) + (indexed ? 0 : 1);
    double length = 0;
    for (auto it = seed.doc.termlist_begin(); it != seed.doc.termlist_end(); ++it)
        length += it.get_wdf();
    const double avg = std::max(
        1.0, (db.get_avlength() * (n_docs - (indexed ? 0 : 1)) + (indexed ? 0 : length)) / n_docs);
    std::vector<std::pair<std::string, double>> out;
    for (auto it = seed.doc.termlist_begin(); it != seed.doc.termlist_end(); ++it) {
        const std::string t = *it;
        if (!seed_stem(t)) continue;
        const double holders = static_cast<double>(db.get_termfreq(t)) + (indexed ? 0 : 1);
        const double wdf = it.get_wdf();
        if (holders < 1 || wdf <= 0) continue;
        double tw = 3 * (n_docs - holders + 0.5) / std::max(0.5, holders - 0.5);
        if (tw < 2) tw = tw * 0.5 + 1;
        const double multiplier = 2 * wdf / (length / avg + wdf);
        out.emplace_back(t, multiplier * std::log(tw));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (out.size() > limit) out.resize(limit);
    return out;
}

// An OR of terms, each scaled by its weight over the largest (the best term counts 1).
Xapian::Query weighted_or(const std::vector<std::pair<std::string, double>>& terms) {
    if (terms.empty()) return Xapian::Query();
    double top = 0;
    for (const auto& t : terms) top = std::max(top, t.second);
    std::vector<Xapian::Query> qs;
    for (const auto& [t, w] : terms)
        qs.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(t), top > 0 ? w / top : 1);
    return Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
}

constexpr unsigned kFeedbackDocs = 5, kFeedbackTerms = 40;

// The vocabulary signal: how much of the seed's vocabulary a candidate shares, each of the
// seed's (at most `limit`) stems worth 1 / (1 + idf) whatever its frequency (a fixed weight per
// term at match time, vocabulary_query): common words of the subject count most. It measures "the
// same topic" where the content signal measures "the same subject"; the two together with time
// match editorial related lists (same topic, same weeks), content alone matches people's judgments.
std::vector<std::pair<std::string, double>> vocabulary_terms(const Xapian::Database& db,
                                                             const Seed& seed, unsigned limit) {
    const double n = std::max<double>(1, db.get_doccount());
    std::vector<std::tuple<double, std::string, double>> ranked;  // tf-idf, term, weight
    for (auto it = seed.doc.termlist_begin(); it != seed.doc.termlist_end(); ++it) {
        const std::string t = *it;
        if (!seed_stem(t)) continue;
        const double df = db.get_termfreq(t);
        if (df == 0) continue;
        const double idf = std::log(std::max(1.0, n / df));
        ranked.emplace_back((1 + std::log(it.get_wdf())) * idf, t, 1 / (1 + idf));
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& x, const auto& y) { return std::get<0>(x) > std::get<0>(y); });
    if (ranked.size() > limit) ranked.resize(limit);
    std::vector<std::pair<std::string, double>> out;
    for (auto& [score, t, w] : ranked) out.emplace_back(std::move(t), w);
    return out;
}

// The vocabulary signal as a query: each term worth its weight to a candidate that has it
// (a fixed weight filtered by the term: the weighting scheme does not enter), times `scale`.
Xapian::Query vocabulary_query(const std::vector<std::pair<std::string, double>>& terms,
                               double scale) {
    std::vector<Xapian::Query> qs;
    for (const auto& [t, w] : terms)
        qs.emplace_back(Xapian::Query::OP_FILTER,
                        Xapian::Query((new Xapian::FixedWeightPostingSource(w * scale))->release()),
                        Xapian::Query(t));
    return Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
}

// The vocabulary score of a document: the weights of the terms it has.
double vocabulary_score(const Xapian::Document& doc,
                        const std::vector<std::pair<std::string, double>>& terms) {
    double sum = 0;
    for (const auto& [t, w] : terms) {
        auto it = doc.termlist_begin();
        it.skip_to(t);
        if (it != doc.termlist_end() && *it == t) sum += w;
    }
    return sum;
}

// The first pass keeps this many nearest articles (feedback, scaling of the other signals).
constexpr unsigned kNearestDocs = 20;

template <typename Restrict>
Xapian::Query content_query(const Xapian::Database& db, const Seed& seed,
                            const RelatedOptions& opts, Restrict&& restrict, Xapian::doccount check,
                            std::vector<Xapian::docid>& nearest) {
    auto terms = seed_terms(db, seed, opts.expand_terms);
    if (terms.empty()) return Xapian::Query();
    if (opts.title_boost != 1.0) {
        Xapian::Document scratch;
        Xapian::TermGenerator tg;
        tg.set_stemmer(make_stemmer(seed.language));
        tg.set_stemming_strategy(kIndexStemStrategy);
        tg.set_document(scratch);
        tg.index_text_without_positions(seed.title);
        std::set<std::string> title;
        for (auto it = scratch.termlist_begin(); it != scratch.termlist_end(); ++it)
            title.insert(*it);
        for (auto& [t, w] : terms)
            if (title.count(t)) w *= opts.title_boost;
    }
    const Xapian::Query first = weighted_or(terms);
    Xapian::Enquire enq(db);
    enq.set_weighting_scheme(related_bm25());
    enq.set_query(restrict(first));
    const Xapian::MSet top = enq.get_mset(0, kNearestDocs, check);
    // Feedback from the best candidates only, those scoring at least half the best one's (in a
    // small index the fifth best can be about something else entirely).
    Xapian::RSet rset;
    for (auto it = top.begin(); it != top.end(); ++it) {
        if (it.get_rank() < kFeedbackDocs && it.get_weight() >= 0.5 * top.begin().get_weight())
            rset.add_document(*it);
        nearest.push_back(*it);
    }
    if (rset.empty()) return first;
    const TextStems decider;
    const Xapian::ESet eset =
        enq.get_eset(kFeedbackTerms, rset, Xapian::Enquire::USE_EXACT_TERMFREQ, &decider);
    std::vector<std::pair<std::string, double>> more;
    for (auto it = eset.begin(); it != eset.end(); ++it) more.emplace_back(*it, it.get_weight());
    if (more.empty()) return first;
    return Xapian::Query(Xapian::Query::OP_OR, first, weighted_or(more));
}

// The index's news-cycle strength, 0..1: how much articles that share a specific word cluster
// in time, compared with articles dated at random within the index's span. For up to
// kCycleTerms text stems held by kCycleMin..kCycleMax articles (rare words: names, events,
// products), found from fixed starting points spread over the alphabet, the median distance
// of their articles' dates from the median date (the median absolute deviation) is compared
// with that of random dates (a quarter of the span): 1 - MAD / (span / 4), averaged, clamped to
// 0..1. A news stream scores well above 0 (a product's or an event's articles come in weeks);
// an archive whose dates say nothing about the subject scores about 0 (a copy of CISI with
// random dates: 0.0; the azure news corpus: 0.3), and an index with one date for all 0. Kept in
// the opened index while the index is unchanged; a few milliseconds.
constexpr unsigned kCycleTerms = 150;
constexpr Xapian::doccount kCycleMin = 25, kCycleMax = 500;
double corpus_news_cycle(OpenedIndex& index) {
    Xapian::Database& db = index.db;
    const std::string lo_v = db.get_value_lower_bound(kSlotPublished),
                      hi_v = db.get_value_upper_bound(kSlotPublished);
    const std::string state = std::to_string(db.get_doccount()) + "/" +
                              std::to_string(db.get_lastdocid()) + "/" + lo_v + "/" + hi_v;
    if (index.news_cycle && index.news_cycle->first == state) return index.news_cycle->second;
    double c = 0;
    const double span_days =
        lo_v.empty() || hi_v.empty()
            ? 0
            : (Xapian::sortable_unserialise(hi_v) - Xapian::sortable_unserialise(lo_v)) / 86400;
    if (span_days > 1) {
        double sum = 0;
        unsigned n = 0;
        for (unsigned k = 0; k < kCycleTerms; ++k) {
            // Each probe reads the terms under a two-letter prefix (a remote shard sends just
            // those), and the publication days of one word's articles through a match spy
            // (one round trip, the same on one index, shards or remote shards).
            std::string prefix = "Z";
            prefix += static_cast<char>('a' + k % 26);
            prefix += static_cast<char>('a' + (k * 7 + k / 26) % 26);
            std::string word;
            int steps = 0;
            for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix) && steps < 64;
                 ++t, ++steps) {
                const Xapian::doccount df = t.get_termfreq();
                if (df >= kCycleMin && df <= kCycleMax) {
                    word = *t;
                    break;
                }
            }
            if (word.empty()) continue;
            Xapian::Enquire enq(db);
            enq.set_query(Xapian::Query(word));
            enq.set_weighting_scheme(Xapian::BoolWeight());
            Xapian::ValueCountMatchSpy days(kSlotDay);
            enq.add_matchspy(&days);
            (void)enq.get_mset(0, 0, kCycleMax);
            std::vector<double> d;  // the publication day of each article of the word
            for (auto it = days.values_begin(); it != days.values_end(); ++it) {
                if (const auto day = day_from_key(*it))
                    d.insert(d.end(), it.get_termfreq(), static_cast<double>(*day));
            }
            if (d.size() < kCycleMin) continue;
            auto median = [](std::vector<double>& v) {
                std::sort(v.begin(), v.end());
                const std::size_t h = v.size() / 2;
                return v.size() % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
            };
            const double m = median(d);
            for (double& x : d) x = std::abs(x - m);
            sum += std::clamp(1 - median(d) / (span_days / 4), -1.0, 1.0);
            ++n;
        }
        if (n >= 10) c = std::clamp(sum / n, 0.0, 1.0);
    }
    index.news_cycle = std::make_pair(state, c);
    return c;
}

// The time signal's half-life when none is given: a fiftieth of the time the index's
// articles span (at least a day), so the signal separates articles of the same weeks in a
// few years of news and of the same season in twenty years of it; 25 days for an index
// without dates.
double adaptive_half_life(const Xapian::Database& db) {
    const std::string lo = db.get_value_lower_bound(kSlotPublished),
                      hi = db.get_value_upper_bound(kSlotPublished);
    if (lo.empty() || hi.empty()) return 25;
    const double span =
        (Xapian::sortable_unserialise(hi) - Xapian::sortable_unserialise(lo)) / 86400.0;
    return std::max(1.0, span / 50);
}

Xapian::Query fixed(double w, const Xapian::Query& filter) {
    return Xapian::Query(Xapian::Query::OP_FILTER,
                         Xapian::Query((new Xapian::FixedWeightPostingSource(w))->release()),
                         filter);
}

}  // namespace

RelatedWeights parse_weights(const std::string& spec, RelatedWeights w) {
    std::string s = spec + ",";
    for (std::size_t start = 0, comma; (comma = s.find(',', start)) != std::string::npos;
         start = comma + 1) {
        const std::string item(trim(s.substr(start, comma - start)));
        if (item.empty()) continue;
        const auto eq = item.find('=');
        if (eq == std::string::npos)
            throw UsageError("--weights: expected name=value, got '" + item + "'");
        const std::string name = item.substr(0, eq), value = item.substr(eq + 1);
        char* end = nullptr;
        const double v = std::strtod(value.c_str(), &end);
        if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(v) || v < 0) {
            throw UsageError("--weights: bad value '" + value + "' for " + name);
        }
        if (name == "content")
            w.content = v;
        else if (name == "vocabulary")
            w.vocabulary = v;
        else if (name == "topics")
            w.topics = v;
        else if (name == "time")
            w.time = v;
        else if (name == "quality")
            w.quality = v;
        else if (name == "graph")
            w.graph = v;
        else
            throw UsageError("--weights: unknown signal '" + name +
                             "' (content, vocabulary, topics, time, quality, graph)");
    }
    return w;
}

namespace {

// One related-news query as named steps: the seed and what is hidden (set up), one query per
// signal (content, vocabulary, topics, graph), then the ranked match with the time and quality
// prior and each result's per-signal parts. run_related runs them in that order.
class RelatedRun {
  public:
    RelatedRun(OpenedIndex& index, const std::string& seed_spec, const RelatedOptions& opts)
        : index_(index),
          db_(index.db),
          opts_(opts),
          w_(opts.weights),
          seed_(resolve_seed(index, seed_spec, opts.seed_files)),
          seed_key_(id_key(seed_.id)) {
        std::vector<Xapian::Query> hidden{Xapian::Query(bool_term("id", seed_.id))};
        if (!opts.filters.include_removed) hidden.emplace_back(bool_term("flag", "removed"));
        if (!opts.filters.include_stubs) hidden.emplace_back(bool_term("flag", "stub"));
        hide_ = Xapian::Query(Xapian::Query::OP_OR, hidden.begin(), hidden.end());
        filters_ = filter_query(opts.filters, db_);
        // The news-cycle signals (shared vocabulary, time) count as much as the seed's subject
        // follows the news cycle in this index (news_cycle).
        cycle_ =
            opts.news_cycle ? std::clamp(*opts.news_cycle, 0.0, 1.0) : corpus_news_cycle(index);
    }

    RelatedResult run() {
        content_signal();
        vocabulary_signal();
        topic_signals();
        graph_signals();
        RelatedResult out;
        out.offset = opts_.offset;
        out.limit = opts_.limit;
        out.news_cycle = cycle_;
        out.seed = article_fields(seed_.doc);
        out.seed_indexed = seed_.docid.has_value();
        if (!seed_.docid) {
            out.seed.id = seed_.id;
            out.seed.title = seed_.title;
        }
        if (!signals_.empty()) rank(out);
        return out;
    }

  private:
    // Candidates: the signals' query with the filters, without the seed and hidden articles.
    Xapian::Query restrict(Xapian::Query q) const {
        if (!filters_.empty()) q = Xapian::Query(Xapian::Query::OP_FILTER, q, filters_);
        return Xapian::Query(Xapian::Query::OP_AND_NOT, q, hide_);
    }
    void content_signal();
    void vocabulary_signal();
    void topic_signals();
    void graph_signals();
    void rank(RelatedResult& out);
    Hit::Signals signals_of(const Xapian::MSetIterator& it, const Xapian::Document& doc,
                            const ArticleFields& a, const Prior& prior) const;

    OpenedIndex& index_;
    Xapian::Database& db_;
    const RelatedOptions& opts_;
    const RelatedWeights& w_;
    const Seed seed_;
    const std::string seed_key_;
    Xapian::Query hide_, filters_;
    double cycle_ = 0;
    std::vector<Xapian::Query> signals_;
    std::vector<Xapian::docid> nearest_;  // the content signal's first-pass best
    std::vector<std::pair<std::string, double>> vterms_;
    double vscale_ = 0;
    std::set<std::string> out_keys_, co_keys_;
    bool has_in_ = false;
};

// The seed's characteristic stems, BM25, scaled so the best candidate's content score is
// w.content. The best is taken among the first pass's nearest articles (feedback reorders them
// a little, it rarely brings a better one from elsewhere): a match over 20 documents instead of
// the whole index.
void RelatedRun::content_signal() {
    if (w_.content <= 0) return;
    const Xapian::Query content = content_query(
        db_, seed_, opts_, [&](Xapian::Query q) { return restrict(std::move(q)); },
        index_.check_at_least(kNearestDocs), nearest_);
    if (content.empty()) return;
    std::vector<Xapian::Query> ids;
    const std::string q_prefix(field("id").prefix);
    for (const Xapian::docid did : nearest_) {
        const Xapian::Document d = db_.get_document(did);
        auto t = d.termlist_begin();
        t.skip_to(q_prefix);
        if (t != d.termlist_end() && (*t).starts_with(q_prefix)) ids.emplace_back(*t);
    }
    Xapian::Enquire probe(db_);
    probe.set_weighting_scheme(related_bm25());
    probe.set_query(Xapian::Query(Xapian::Query::OP_FILTER, restrict(content),
                                  Xapian::Query(Xapian::Query::OP_OR, ids.begin(), ids.end())));
    const Xapian::MSet top = probe.get_mset(0, 1, index_.check_at_least(1));
    if (!top.empty() && top.begin().get_weight() > 0) {
        signals_.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, content,
                              w_.content / top.begin().get_weight());
    }
}

// Shared seed stems, scaled so that the best of the content signal's nearest articles scores
// w.vocabulary * cycle: the best by shared vocabulary is almost always among them, and scoring
// a few term lists costs nothing next to a match over the whole index.
void RelatedRun::vocabulary_signal() {
    if (!(w_.vocabulary * cycle_ > 0)) return;
    vterms_ = vocabulary_terms(db_, seed_, opts_.expand_terms);
    double best = 0;
    for (const Xapian::docid did : nearest_)
        best = std::max(best, vocabulary_score(db_.get_document(did), vterms_));
    if (best > 0) {
        vscale_ = w_.vocabulary * cycle_ / best;
        signals_.push_back(vocabulary_query(vterms_, vscale_));
    }
}

void RelatedRun::topic_signals() {
    if (w_.topics <= 0 || seed_.topics.empty()) return;
    for (const auto& t : seed_.topics) {
        signals_.push_back(fixed(w_.topics / static_cast<double>(seed_.topics.size()),
                                 Xapian::Query(bool_term("topic", t))));
    }
}

// The editorial graph held in the index: articles the seed lists, articles listing the seed,
// and articles listed together with the seed (half weight).
void RelatedRun::graph_signals() {
    if (w_.graph <= 0) return;
    for (const auto& k : out_links(seed_.doc)) out_keys_.insert(k);
    const std::string lt = make_term(field("links").prefix, seed_key_);
    has_in_ = db_.get_termfreq(lt) > 0;
    std::size_t referrers = 0;
    for (auto p = db_.postlist_begin(lt); p != db_.postlist_end(lt) && referrers < 100;
         ++p, ++referrers) {
        for (const auto& k : out_links(db_.get_document(*p))) {
            if (k != seed_key_ && !out_keys_.count(k)) co_keys_.insert(k);
        }
    }
    auto keyed = [&](const std::set<std::string>& keys) {
        std::vector<Xapian::Query> qs;
        for (const auto& k : keys) qs.emplace_back(make_term(field("idkey").prefix, k));
        return Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
    };
    if (!out_keys_.empty()) signals_.push_back(fixed(w_.graph, keyed(out_keys_)));
    if (has_in_) signals_.push_back(fixed(w_.graph, Xapian::Query(lt)));
    if (!co_keys_.empty()) signals_.push_back(fixed(0.5 * w_.graph, keyed(co_keys_)));
}

// The ranked match: any signal, plus the time and quality prior around the seed's date.
void RelatedRun::rank(RelatedResult& out) {
    Xapian::Query candidates(Xapian::Query::OP_OR, signals_.begin(), signals_.end());
    PriorSpec spec;
    spec.quality_weight = w_.quality;
    spec.recency_weight = seed_.published ? w_.time * cycle_ : 0.0;
    spec.half_life_days = opts_.half_life_days > 0 ? opts_.half_life_days : adaptive_half_life(db_);
    spec.anchor = seed_.published ? *seed_.published : 0;
    spec.symmetric = true;
    spec.plateau_days = opts_.plateau_days;
    const Prior prior(spec, db_);
    const Xapian::Query prior_q = prior.query();
    Xapian::Query q =
        restrict(prior_q.empty() ? candidates
                                 : Xapian::Query(Xapian::Query::OP_AND_MAYBE, candidates, prior_q));
    Xapian::Enquire enq(db_);
    enq.set_weighting_scheme(related_bm25());
    // Exact ties: by the id hash (the sort key below); over several databases also near-ties,
    // whose scores may differ from one index's in the last bits.
    enq.set_query(index_.parts.size() > 1 ? with_tie_break(q) : q);
    enq.set_sort_by_relevance_then_value(kSlotIdHash, true);
    const std::string seed_title = norm_title(seed_.title);
    // Fetch a few extra: near-duplicates of the seed (same title) are dropped.
    const Xapian::doccount want = opts_.offset + opts_.limit + 20;
    const Xapian::MSet mset = enq.get_mset(0, want, index_.check_at_least(want));
    out.parsed_query = q.get_description();
    out.total = {mset.get_matches_lower_bound(), mset.get_matches_estimated(),
                 mset.get_matches_upper_bound()};
    std::size_t skipped = 0;
    for (auto it = mset.begin(); it != mset.end() && out.results.size() < opts_.limit; ++it) {
        const Xapian::Document doc = it.get_document();
        Hit h;
        h.article = article_fields(doc);
        if (!seed_title.empty() && norm_title(h.article.title) == seed_title) continue;
        if (skipped++ < opts_.offset) continue;
        h.rank = static_cast<Xapian::doccount>(opts_.offset + out.results.size() + 1);
        h.score = it.get_weight();
        h.snippet = utf8_truncate(h.article.excerpt, 240);
        h.title_highlighted = h.article.title;
        h.signals = signals_of(it, doc, h.article, prior);
        out.results.push_back(std::move(h));
    }
}

// The parts of a result's score, per signal; content is what the others leave.
Hit::Signals RelatedRun::signals_of(const Xapian::MSetIterator& it, const Xapian::Document& doc,
                                    const ArticleFields& a, const Prior& prior) const {
    Hit::Signals s;
    if (w_.topics > 0 && !seed_.topics.empty()) {
        std::set<std::string> mine;
        for (const auto& t : a.topics) mine.insert(ascii_lower(t));
        for (const auto& t : seed_.topics) s.topics += mine.count(ascii_lower(t)) ? 1 : 0;
        s.topics *= w_.topics / static_cast<double>(seed_.topics.size());
    }
    const std::string key = id_key(a.id);
    if (out_keys_.count(key)) s.graph += w_.graph;
    if (co_keys_.count(key)) s.graph += 0.5 * w_.graph;
    if (has_in_) {
        const std::string lt = make_term(field("links").prefix, seed_key_);
        auto ti = doc.termlist_begin();
        ti.skip_to(lt);
        if (ti != doc.termlist_end() && *ti == lt) s.graph += w_.graph;
    }
    s.time = prior.time_part(doc);
    s.quality = prior.quality_part(doc);
    s.vocabulary = vscale_ > 0 ? vscale_ * vocabulary_score(doc, vterms_) : 0.0;
    const double content =
        std::max(0.0, it.get_weight() - (index_.parts.size() > 1 ? tie_break_part(doc) : 0.0) -
                          s.topics - s.graph - s.time - s.quality - s.vocabulary);
    s.content = w_.content > 0 ? content : 0.0;
    return s;
}

}  // namespace

RelatedResult run_related(OpenedIndex& index, const std::string& seed_spec,
                          const RelatedOptions& opts) {
    const auto t0 = std::chrono::steady_clock::now();
    RelatedResult out =
        with_reopen(index, [&] { return RelatedRun(index, seed_spec, opts).run(); });
    out.query = seed_spec;
    out.elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    out.missing = index.missing;
    return out;
}

}  // namespace news
