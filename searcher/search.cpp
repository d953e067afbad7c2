// `searcher search`: one ranked search as a sequence of steps (query, expansion, prior, rank,
// relax, facets) into a SearchResult.
#include "search.hpp"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <set>

#include "document.hpp"
#include "errors.hpp"
#include "facets.hpp"
#include "highlight.hpp"
#include "schema.hpp"
#include "text.hpp"

namespace news {

namespace {

// Expansion terms: stemmed words not already in the query.
class NewStems : public Xapian::ExpandDecider {
  public:
    explicit NewStems(const std::set<std::string>& have) : have_(have) {}
    bool operator()(const std::string& term) const override {
        // Unprefixed stems only (ZS... are title-field stems).
        return term.size() > 2 && term[0] == 'Z' && !(term[1] >= 'A' && term[1] <= 'Z') &&
               !have_.count(term);
    }

  private:
    const std::set<std::string>& have_;
};

// Automatic feedback when no article matches every word (SearchOptions::expand_auto): the
// usual pseudo-relevance feedback settings (RM3's customary 10 documents, 20 terms, and the
// added terms at half the weight of the query's).
constexpr unsigned kAutoExpandDocs = 10, kAutoExpandTerms = 20;
constexpr double kAutoExpandWeight = 0.5;
// A blend search on local databases filters dates and qualities in its prior source when the
// range is expected to keep at least this part of the index (else by bucket terms).
constexpr double kFoldShare = 0.1;

}  // namespace

void parse_bm25(const std::string& spec, SearchOptions& opts) {
    const auto comma = spec.find(',');
    auto number = [&](const std::string& v, double& out) {
        const std::string t(trim(v));
        char* end = nullptr;
        out = std::strtod(t.c_str(), &end);
        return !t.empty() && end == t.c_str() + t.size() && std::isfinite(out);
    };
    double k1 = 0, b = 0;
    if (comma == std::string::npos || !number(spec.substr(0, comma), k1) ||
        !number(spec.substr(comma + 1), b) || k1 < 0 || b < 0 || b > 1) {
        throw UsageError("--bm25: expected K1,B with K1 >= 0 and 0 <= B <= 1, got '" + spec + "'");
    }
    opts.bm25_k1 = k1;
    opts.bm25_b = b;
}

Xapian::BM25Weight bm25_weight(const SearchOptions& opts) {
    return Xapian::BM25Weight(opts.bm25_k1, 0, 1, opts.bm25_b, 0.5);
}

namespace {

// One search, as a sequence of named steps over shared state: build the query (with spelling
// correction), expand it (--expand N), set up the blend prior and range folding, rank the
// page of all-word matches, relax (--match auto: the partial matches after them), count facets,
// and assemble the typed result with snippets. run_search runs them in that order.
class SearchRun {
  public:
    SearchRun(OpenedIndex& index, const SearchOptions& opts)
        : index_(index), opts_(opts), qb_(builder(index)) {}

    SearchResult run() {
        build();
        expand();
        set_prior();
        rank();
        relax();
        count_facets();
        return assemble();
    }

  private:
    static QueryBuilder& builder(OpenedIndex& index) {
        if (!index.builder)
            index.builder = std::make_shared<QueryBuilder>(index.db, index.language);
        return *index.builder;
    }

    void build();
    void expand();
    void set_prior();
    void rank();
    void relax();
    void count_partial(const Xapian::Query& tail_text, const Xapian::Query& tail,
                       const BuiltQuery& loose);
    void count_facets();
    SearchResult assemble();
    void add_hits(const Xapian::MSet& m, Xapian::doccount rank0, bool all_words, SearchResult& out);

    Xapian::Query feedback(const Xapian::Query& text, const Xapian::Query& filtered, unsigned docs,
                           unsigned terms, double weight);
    Xapian::Enquire ranked(const Xapian::Query& text, const Xapian::Query& filtered) const;
    Xapian::Query counted(const Xapian::Query& text, const Xapian::Query& filtered) const;
    Xapian::doccount check_for(Xapian::doccount wanted) const {
        return opts_.exact_count ? index_.db.get_doccount() : index_.check_at_least(wanted);
    }
    bool all_in_memory() const;

    OpenedIndex& index_;
    const SearchOptions& opts_;
    QueryBuilder& qb_;
    // build
    QueryRequest request_;  // what is searched (maybe the corrected query)
    BuiltQuery built_;
    bool corrected_ = false;
    std::vector<std::string> notes_;  // said in the JSON's "notes" and as text notes
    SortMode sort_ = SortMode::Blend;
    // expand
    Xapian::Query matched_;       // what must match (the query, maybe expanded)
    Xapian::Query matched_text_;  // the same before the filters
    std::vector<std::string> expansion_;
    // set_prior
    std::shared_ptr<const Prior> blend_;
    Xapian::Query prior_;
    Filters unranged_;  // the filters the local prior source does not apply
    bool fold_ = false;
    double share_ = 1.0;
    bool tie_break_ = false;
    // rank and relax
    Xapian::MSet mset_;
    std::optional<Xapian::MSet> relaxed_;  // the partial matches listed on this page
    std::optional<Count> partial_;         // their count
    Xapian::Query relaxed_query_, loose_text_;
    Xapian::doccount strict_total_ = 0;
    // count_facets
    std::optional<Facets> spy_;
    std::optional<Xapian::MSet> facet_mset_;  // exact counts
};

// Parses the query; when nothing matches and the spelling suggestion finds something, searches
// the suggestion instead. Decides the sort (nothing to rank by: newest first).
void SearchRun::build() {
    request_ = opts_.request;
    built_ = qb_.build(request_);
    const std::string offered = built_.suggestion;
    corrected_ = !offered.empty() && built_.matches == 0 && built_.suggestion_matches > 0;
    if (corrected_) {
        request_.text = offered;
        request_.spelling = false;
        built_ = qb_.build(request_);
        notes_.push_back("no article matches '" + sanitize_utf8(opts_.request.text) +
                         "'; showing results for '" + sanitize_utf8(offered) + "'");
    }
    if (!built_.has_text && !std::string(trim(request_.text)).empty()) {
        throw UsageError("the query '" + sanitize_utf8(utf8_truncate(request_.text, 80)) +
                         "' has no words to search for (only punctuation or symbols)");
    }
    sort_ = opts_.sort;
    // A query that only excludes (NOT x, -x): every other article matches, with no score.
    const bool only_excludes =
        built_.has_text && built_.text.get_type() == Xapian::Query::OP_AND_NOT &&
        built_.text.get_num_subqueries() > 0 &&
        built_.text.get_subquery(0).get_type() == Xapian::Query::LEAF_MATCH_ALL;
    if (only_excludes) {
        notes_.push_back(
            "the query only excludes words: every other article matches, newest first");
    }
    if ((!built_.has_text || only_excludes) &&
        (sort_ == SortMode::Relevance || sort_ == SortMode::Blend)) {
        sort_ = SortMode::Date;
    }
    if (opts_.reverse && (sort_ == SortMode::Relevance || sort_ == SortMode::Blend)) {
        throw UsageError("--reverse applies to --sort date and --sort quality");
    }
    matched_ = built_.query;
    matched_text_ = built_.text;
}

// Pseudo-relevance feedback (docs/ranking.md): the best `terms` stems of the top `docs` results
// of `filtered` (the text query `text` with the filters), not already in the query, as one OR
// scaled by `weight`; empty when there are none.
Xapian::Query SearchRun::feedback(const Xapian::Query& text, const Xapian::Query& filtered,
                                  unsigned docs, unsigned terms, double weight) {
    Xapian::Enquire fb(index_.db);
    fb.set_weighting_scheme(bm25_weight(opts_));
    fb.set_query(filtered);
    const Xapian::MSet top = fb.get_mset(0, docs, index_.check_at_least(docs));
    Xapian::RSet rset;
    for (auto it = top.begin(); it != top.end(); ++it) rset.add_document(*it);
    std::set<std::string> have;
    for (auto t = text.get_terms_begin(); t != text.get_terms_end(); ++t) {
        have.insert(*t);
        have.insert(std::string("Z").append(qb_.stemmer()(*t)));
    }
    const NewStems decider(have);
    const Xapian::ESet eset =
        rset.empty() ? Xapian::ESet()
                     : fb.get_eset(terms, rset, Xapian::Enquire::USE_EXACT_TERMFREQ, &decider);
    std::vector<Xapian::Query> qs;
    for (auto it = eset.begin(); it != eset.end(); ++it) {
        qs.emplace_back(*it);
        expansion_.push_back(*it);
    }
    if (qs.empty()) return Xapian::Query();
    return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT,
                         Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end()), weight);
}

// --expand N: the feedback terms of the top results OR-ed into the query.
void SearchRun::expand() {
    if (opts_.expand_terms == 0 || !built_.has_text) return;
    const Xapian::Query more = feedback(built_.text, built_.query, opts_.expand_docs,
                                        opts_.expand_terms, opts_.expand_weight);
    if (more.empty()) return;
    matched_text_ = Xapian::Query(Xapian::Query::OP_OR, built_.text, more);
    matched_ = apply_filters(matched_text_, opts_.request.filters, index_.db);
}

bool SearchRun::all_in_memory() const {  // every index's prior keys are in memory (batch mode)
    if (!prior_column_cache()) return false;
    for (const auto& part : index_.parts)
        if (!prior_column_ready(part)) return false;
    return true;
}

// The blend prior, and whether the date and quality ranges are folded into the prior source.
// On local databases the prior is one posting source of our own (Prior::local_query), which
// also does the date and quality filtering when the range keeps a large part of the index
// (fewer lists to merge per match); a narrow range keeps its bucket terms, which then drive the
// match. Remote shards get Xapian's built-in sources. Either way the same documents match with
// the same scores (docs/ranking.md). Other sorts filter in the same source, without weights,
// when the process keeps the priorkey slot in memory (batch mode): then it costs less than the
// bucket terms.
void SearchRun::set_prior() {
    if (sort_ == SortMode::Blend) {
        // Recency is measured from the newest article in the index, so an archive ranks
        // sensibly too (see docs/ranking.md).
        PriorSpec spec;
        spec.quality_weight = opts_.quality_weight;
        spec.recency_weight = opts_.recency_weight;
        spec.half_life_days = opts_.half_life_days;
        spec.anchor = newest_time(index_.db);
        spec.hours_near_anchor = false;  // day keys: one posting source fewer per query
        // Building the prior (hundreds of day keys) costs about as much as a small match: a
        // batch reuses it while the spec and the index's bounds stay the same.
        if (!index_.prior || !index_.prior->reusable_for(spec, index_.db))
            index_.prior = std::make_shared<const Prior>(spec, index_.db);
        blend_ = index_.prior;
    }
    const Filters& filters = opts_.request.filters;
    unranged_ = filters;
    const bool local = !index_.any_remote && (!blend_ || blend_->has_local_source());
    share_ = has_range(filters) ? range_share(filters, index_.db) : 1.0;
    fold_ = local && has_range(filters) && share_ >= kFoldShare && (blend_ || all_in_memory());
    if (fold_) {
        unranged_.min_quality = unranged_.max_quality = std::nullopt;
        unranged_.since = unranged_.until = std::nullopt;
    }
    if (blend_) {
        prior_ = local ? blend_->local_query(fold_ ? &filters : nullptr, fold_ ? share_ : 1.0)
                       : blend_->query();
    } else if (fold_) {
        prior_ = range_source(filters, share_);  // weight 0: filters only
    }
    // Relevance and blend order exact ties by the id hash (the sort key below, highest first,
    // the order the tie-break prior gives too); date and quality fall back to the score, so
    // their ties need the tie-break prior, and so do several databases, where a score may
    // differ from one index's in its last bits (the matcher sums in another order) and flip a
    // near-tie.
    tie_break_ = sort_ == SortMode::Date || sort_ == SortMode::Quality || index_.parts.size() > 1;
}

// `text` with the filters applied, for an unweighted match (counts, facets).
Xapian::Query SearchRun::counted(const Xapian::Query& text, const Xapian::Query& filtered) const {
    if (!fold_) return filtered;
    return Xapian::Query(Xapian::Query::OP_AND, apply_filters(text, unranged_, index_.db),
                         range_source(opts_.request.filters, share_));
}

// An Enquire ranking `filtered` (`text` with the filters applied) the way this search ranks.
Xapian::Enquire SearchRun::ranked(const Xapian::Query& text, const Xapian::Query& filtered) const {
    Xapian::Enquire e(index_.db);
    e.set_weighting_scheme(bm25_weight(opts_));
    Xapian::Query q = filtered;
    if (fold_) {
        q = Xapian::Query(Xapian::Query::OP_AND, apply_filters(text, unranged_, index_.db), prior_);
    } else if (!prior_.empty()) {
        q = Xapian::Query(Xapian::Query::OP_AND_MAYBE, q, prior_);
    }
    e.set_query(tie_break_ ? with_tie_break(q) : q);
    switch (sort_) {
        case SortMode::Relevance:
        case SortMode::Blend:
            e.set_sort_by_relevance_then_value(kSlotIdHash, true);
            break;
        case SortMode::Date:
            e.set_sort_by_value_then_relevance(kSlotPublished, !opts_.reverse);
            break;
        case SortMode::Quality:
            e.set_sort_by_value_then_relevance(kSlotQuality, !opts_.reverse);
            break;
    }
    if (opts_.collapse) e.set_collapse_key(kSlotStory);
    return e;
}

// The page of articles matching as asked.
void SearchRun::rank() {
    mset_ = ranked(matched_text_, matched_)
                .get_mset(opts_.offset, opts_.limit, check_for(opts_.offset + opts_.limit));
}

// --match auto: the articles matching only some of the words follow those matching every word
// (ranked the same way among themselves), listed only after the last all-word match. They are
// also counted (and faceted) whenever the all-word matches are few (at most kRelaxCountLimit
// match), so every page of such a search reports the same totals; with more all-word matches
// only a page past the last of them is relaxed. Whether a search is relaxed depends on the
// exact all-word count only, never on the ranked match's bounds (which differ between sorts,
// --exact-count and batch mode). Only a conjunction at the top can have a looser reading (one
// word, a phrase or an explicit OR has none), so the query is parsed again only then.
void SearchRun::relax() {
    constexpr Xapian::doccount kRelaxCountLimit = 1000;
    const auto top = built_.text.get_type();
    const bool conjunction = top == Xapian::Query::OP_AND || top == Xapian::Query::OP_AND_NOT ||
                             top == Xapian::Query::OP_FILTER || top == Xapian::Query::OP_AND_MAYBE;
    const bool relaxable = opts_.relax && conjunction && built_.has_text && opts_.expand_terms == 0;
    const Xapian::doccount end = opts_.offset + opts_.limit;
    const bool exact = mset_.get_matches_lower_bound() == mset_.get_matches_upper_bound();
    if (!relaxable || !((exact && mset_.get_matches_upper_bound() < end) ||
                        mset_.get_matches_lower_bound() <= kRelaxCountLimit))
        return;
    QueryRequest any = request_;
    any.match_all = false;
    any.spelling = false;
    const BuiltQuery loose = qb_.build(any);
    const bool looser =
        loose.has_text && loose.text.get_description() != built_.text.get_description();
    std::optional<Xapian::doccount> strict;  // the exact all-word count, if relaxed
    if (looser && exact) {
        if (mset_.get_matches_upper_bound() < end ||
            mset_.get_matches_upper_bound() <= kRelaxCountLimit)
            strict = mset_.get_matches_upper_bound();
    } else if (looser) {
        // Count the all-word matches, stopping past kRelaxCountLimit: an unweighted match that
        // checks one more than the limit has exact bounds when they are at most the limit.
        Xapian::Enquire count(index_.db);
        count.set_query(counted(matched_text_, matched_));
        count.set_weighting_scheme(Xapian::BoolWeight());
        const Xapian::MSet m = count.get_mset(0, 0, kRelaxCountLimit + 1);
        if (m.get_matches_lower_bound() == m.get_matches_upper_bound() &&
            m.get_matches_upper_bound() <= kRelaxCountLimit)
            strict = m.get_matches_upper_bound();
    }
    if (!strict) return;
    strict_total_ = *strict;
    relaxed_query_ = loose.query;
    loose_text_ = loose.text;
    Xapian::Query tail_text(Xapian::Query::OP_AND_NOT, loose.text, built_.text);
    Xapian::Query tail(Xapian::Query::OP_AND_NOT, loose.query, built_.text);
    // With --collapse the all-word part lists stories: the boundary is their number, and the
    // tail leaves out every story already listed there (another copy of it may match only some
    // of the words).
    if (opts_.collapse && strict_total_ > 0) {
        Xapian::Enquire se(index_.db);
        se.set_query(counted(matched_text_, matched_));
        se.set_weighting_scheme(Xapian::BoolWeight());
        se.set_collapse_key(kSlotStory);
        const Xapian::MSet sm = se.get_mset(0, strict_total_);
        strict_total_ = static_cast<Xapian::doccount>(sm.size());
        std::vector<Xapian::Query> stories;
        for (auto it = sm.begin(); it != sm.end(); ++it)
            stories.emplace_back(bool_term("storyterm", it.get_document().get_value(kSlotStory)));
        const Xapian::Query listed(Xapian::Query::OP_OR, stories.begin(), stories.end());
        tail_text = Xapian::Query(Xapian::Query::OP_AND_NOT, tail_text, listed);
        tail = Xapian::Query(Xapian::Query::OP_AND_NOT, tail, listed);
    }
    const auto shown = static_cast<Xapian::doccount>(mset_.size());
    const Xapian::doccount from = opts_.offset > strict_total_ ? opts_.offset - strict_total_ : 0;
    const Xapian::doccount n = opts_.offset + shown < strict_total_ ? 0 : opts_.limit - shown;
    if (n > 0) {
        // No article matches every word (a question, a description): the words of the best
        // partial matches that the query lacks reorder the tail (pseudo-relevance feedback that
        // only reweights: the same articles match, counted the same). docs/ranking.md.
        if (strict_total_ == 0 && opts_.expand_auto) {
            const Xapian::Query more = feedback(loose.text, loose.query, kAutoExpandDocs,
                                                kAutoExpandTerms, kAutoExpandWeight);
            if (!more.empty()) {
                tail_text = Xapian::Query(Xapian::Query::OP_AND_MAYBE, tail_text, more);
                tail = Xapian::Query(Xapian::Query::OP_AND_MAYBE, tail, more);
            }
        }
        relaxed_ = ranked(tail_text, tail).get_mset(from, n, check_for(from + n));
    }
    count_partial(tail_text, tail, loose);
}

// How many articles (or stories, with --collapse) match only some of the words.
void SearchRun::count_partial(const Xapian::Query& tail_text, const Xapian::Query& tail,
                              const BuiltQuery& loose) {
    if (opts_.collapse) {
        // The distinct story values of the tail's articles, counted exactly (a match with no
        // results does not collapse, so its bounds would count articles).
        Xapian::Enquire count(index_.db);
        count.set_query(counted(tail_text, tail));
        count.set_weighting_scheme(Xapian::BoolWeight());
        Xapian::ValueCountMatchSpy spy(kSlotStory);
        count.add_matchspy(&spy);
        (void)count.get_mset(0, 0, index_.db.get_doccount());
        Xapian::doccount n = 0;
        for (auto it = spy.values_begin(); it != spy.values_end(); ++it) ++n;
        partial_ = Count{n, n, n};
    } else if (relaxed_ &&
               relaxed_->get_matches_lower_bound() == relaxed_->get_matches_upper_bound()) {
        // The ranked tail saw them all.
        partial_ = Count{relaxed_->get_matches_lower_bound(), relaxed_->get_matches_estimated(),
                         relaxed_->get_matches_upper_bound()};
    } else {
        // The loose reading's bounds less the all-word matches (all of them match it too), from
        // an unweighted match that checks nothing: true bounds, the same on every page that
        // does not count exactly (the ranked match's inexact bounds depend on how far it had to
        // go, and can pass the index's size).
        Xapian::Enquire count(index_.db);
        count.set_query(counted(loose.text, loose.query));
        count.set_weighting_scheme(Xapian::BoolWeight());
        const Xapian::MSet m = count.get_mset(
            0, 0, opts_.exact_count ? index_.db.get_doccount() : Xapian::doccount{0});
        auto less = [&](Xapian::doccount v) { return v > strict_total_ ? v - strict_total_ : 0; };
        partial_ = Count{less(m.get_matches_lower_bound()), less(m.get_matches_estimated()),
                         less(m.get_matches_upper_bound())};
    }
}

// Facets: counted over the whole match set in a match of their own, unsorted and unweighted.
// (Xapian 1.4's remote backend overcounts match spies in a match sorted by value, so counting
// them in the ranked match would differ between local and remote shards; see
// docs/scale-out.md.) They count the articles the total counts: those matching every word, or,
// when none does, those matching some of the words.
void SearchRun::count_facets() {
    if (opts_.facets.empty()) return;
    spy_.emplace(opts_.facets);
    Xapian::Enquire fe(index_.db);
    const bool loose = partial_ && strict_total_ == 0;
    fe.set_query(loose ? counted(loose_text_, relaxed_query_) : counted(matched_text_, matched_));
    fe.set_weighting_scheme(Xapian::BoolWeight());
    spy_->attach(fe);
    facet_mset_ = fe.get_mset(0, 0, index_.db.get_doccount());
}

Count count_of(const Xapian::MSet& m) {
    return {m.get_matches_lower_bound(), m.get_matches_estimated(), m.get_matches_upper_bound()};
}

const char* sort_name(SortMode s) {
    switch (s) {
        case SortMode::Blend:
            return "blend";
        case SortMode::Date:
            return "date";
        case SortMode::Quality:
            return "quality";
        case SortMode::Relevance:
            break;
    }
    return "relevance";
}

SearchResult SearchRun::assemble() {
    SearchResult out;
    // Valid UTF-8 whatever the query's bytes were, so the JSON can always be written.
    out.query = sanitize_utf8(opts_.request.text);
    out.parsed_query = sanitize_utf8(matched_.get_description());
    if (opts_.expand_terms > 0 || !expansion_.empty()) out.expansion = expansion_;
    out.lenient = built_.lenient;
    if (built_.lenient) out.lenient_reason = sanitize_utf8(built_.parse_note);
    // The total counts the articles that match as asked (every word, under --match auto); a
    // relaxed search's articles matching only some of the words are counted apart.
    if (partial_) {
        out.total = {strict_total_, strict_total_, strict_total_};
    } else if (facet_mset_ && !opts_.collapse) {
        out.total = count_of(*facet_mset_);
    } else {
        out.total = count_of(mset_);
    }
    out.relaxed = partial_.has_value();
    if (partial_) {
        out.matched_all = strict_total_;
        out.relaxed_total = *partial_;
        out.relaxed_query = sanitize_utf8(relaxed_query_.get_description());
    }
    if (spy_) out.facets_count = partial_ && strict_total_ == 0 ? "some_words" : "all_words";
    out.offset = opts_.offset;
    out.limit = opts_.limit;
    out.collapse = opts_.collapse;
    out.sort = sort_name(sort_);
    if (!built_.suggestion.empty()) out.suggestion = sanitize_utf8(built_.suggestion);
    if (corrected_) out.corrected_query = sanitize_utf8(request_.text);
    out.notes = notes_;
    add_hits(mset_, 0, true, out);
    if (relaxed_) add_hits(*relaxed_, strict_total_, false, out);
    if (spy_) out.facets = spy_->counts(20);
    return out;
}

// The results of one MSet, ranks from rank0 + 1, with snippets and highlighted titles.
void SearchRun::add_hits(const Xapian::MSet& m, Xapian::doccount rank0, bool all_words,
                         SearchResult& out) {
    constexpr std::size_t kSnippetBytes = 240;
    // The title is highlighted by the words of the query, the snippet by what the match used
    // (expansion terms too).
    Highlighter title_marks(built_.text, qb_.stemmer(), opts_.highlight_start, opts_.highlight_end);
    for (auto it = m.begin(); it != m.end(); ++it) {
        const Xapian::Document doc = it.get_document();
        Hit h;
        h.article = article_fields(doc);
        h.rank = rank0 + it.get_rank() + 1;
        h.score = it.get_weight();
        h.matched_all_words = all_words;
        if (opts_.collapse) h.collapsed = it.get_collapse_count();
        const std::string& excerpt = h.article.excerpt;
        const std::string& title = h.article.title;
        if (built_.has_text) {
            // Xapian picks the best-matching passage and highlights the words its term
            // generator would index, as the match saw them (it escapes HTML: decoded again).
            h.snippet = decode_html_entities(
                m.snippet(excerpt.empty() ? title : excerpt, kSnippetBytes, qb_.stemmer(), 0,
                          opts_.highlight_start, opts_.highlight_end, "…"));
            h.title_highlighted = title_marks(title);
        } else {
            h.snippet = utf8_truncate(excerpt, kSnippetBytes);
            h.title_highlighted = title;
        }
        if (opts_.explain) {
            const double p = blend_ ? blend_->weight_for(doc) : 0.0;
            h.explain = Hit::Explain{
                *it, it.get_weight() - p - (tie_break_ ? tie_break_part(doc) : 0.0), p};
        }
        out.results.push_back(std::move(h));
    }
}

}  // namespace

SearchResult run_search(OpenedIndex& index, const SearchOptions& opts) {
    const auto t0 = std::chrono::steady_clock::now();
    SearchResult out = with_reopen(index, [&] { return SearchRun(index, opts).run(); });
    out.elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    out.missing = index.missing;
    return out;
}

}  // namespace news
