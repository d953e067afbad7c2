// `searcher search` as a library: the options of a search and running one into a typed
// SearchResult. Opening indexes is in index.hpp, look-ups in lookups.hpp, rendering in render.hpp.
#pragma once

#include <xapian.h>

#include <string>
#include <vector>

#include "index.hpp"
#include "lookups.hpp"
#include "query.hpp"
#include "results.hpp"

namespace news {

enum class SortMode { Relevance, Date, Quality, Blend };

struct SearchOptions {
    QueryRequest request;
    SortMode sort = SortMode::Blend;
    bool reverse = false;
    double quality_weight = 1.0;
    double recency_weight = 1.5;
    double half_life_days = 30;
    // BM25 parameters (Xapian::BM25Weight's k1 and b; its k2 = 0, k3 = 1, min_normlen = 0.5):
    // Robertson's usual values, also SQLite FTS5's and Lucene's (docs/ranking.md).
    double bm25_k1 = 1.2;
    double bm25_b = 0.75;
    Xapian::doccount limit = 10;
    Xapian::doccount offset = 0;
    bool exact_count = false;
    // --match auto (request.match_all must be true): when fewer articles than the page needs
    // match every word, articles matching some of the words follow them.
    bool relax = false;
    std::vector<std::string> facets;  // topic, provider, type, year
    bool explain = false;
    bool collapse = false;  // one result per story (Xapian collapse key), with a count of the rest
    // Pseudo-relevance feedback: the top `expand_docs` results as relevant documents, the best
    // `expand_terms` stemmed terms of their ESet OR-ed into the query with `expand_weight`.
    unsigned expand_terms = 0;  // 0 = off
    unsigned expand_docs = 5;
    double expand_weight = 0.5;
    // --expand auto (the default): with --match auto, when no article matches every word, the
    // partial matches are reordered by feedback from the best of them (docs/ranking.md).
    bool expand_auto = true;
    std::string highlight_start = "<mark>";
    std::string highlight_end = "</mark>";
};

// Parses `--bm25 K1,B` (k1 >= 0, 0 <= b <= 1) into opts. Throws UsageError.
void parse_bm25(const std::string& spec, SearchOptions& opts);

// The weighting scheme of a search: BM25 with opts' k1 and b.
Xapian::BM25Weight bm25_weight(const SearchOptions& opts);

// Runs one search; retries after reopening when the index changed underneath
// (DatabaseModifiedError). Its JSON (to_json) is the document of docs/json-output.md.
SearchResult run_search(OpenedIndex& index, const SearchOptions& opts);

}  // namespace news
