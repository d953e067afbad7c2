// `searcher related`: rank the articles most related to a seed article (indexed, or a file),
// from content similarity, shared topics, closeness in time, quality and the editorial graph.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "query.hpp"
#include "search.hpp"

namespace news {

// Defaults tuned on the public corpus's editorial related lists (bench/related_eval.py): the
// time signal is the strongest, quality hurt, topics barely mattered (most articles share one).
struct RelatedWeights {
    double content = 1.0;     // the seed's characteristic stems, BM25 (best match scaled to 1)
    double vocabulary = 2.5;  // shared seed stems, 1 / (1 + idf) each (best match scaled to 1)
    double topics = 0.3;      // fraction of the seed's topics a candidate shares
    double time = 5.0;        // 0.5^(max(0, |dt| - plateau) / half_life) around the seed's date
    double quality = 0.0;     // min(quality, 100) / 100
    double graph = 2.0;       // listed by the seed / lists the seed (1), co-listed with it (0.5)
};

// Parses "content=1,topics=0.5,..." over the defaults. Throws UsageError.
RelatedWeights parse_weights(const std::string& spec, RelatedWeights base = {});

struct RelatedOptions {
    Filters filters;
    RelatedWeights weights;
    double half_life_days = 0;   // 0: a fiftieth of the index's time span (adaptive_half_life)
    double plateau_days = 0;     // no time decay within this many days of the seed
    unsigned expand_terms = 80;  // at most this many seed terms (by tf-idf) in the content signal
    double title_boost = 1.0;    // weight multiplier of seed title terms in the content query
    // The vocabulary and time signals count weight x news_cycle: the index's measured news-cycle
    // strength (0..1, docs/ranking.md) unless given here.
    std::optional<double> news_cycle;
    Xapian::doccount limit = 10;
    Xapian::doccount offset = 0;
    bool explain = false;
    // Whether a seed that is no indexed id or URL may be an article file to read (the CLI);
    // the HTTP server turns it off so no request reaches the file system.
    bool seed_files = true;
};

// `seed`: an indexed id or URL, or a path to an article file (parsed; it need not be indexed).
// Its JSON (to_json) is that of docs/json-output.md (the search shape plus `seed` and per-result
// `signals`). Throws NotFoundError, UsageError, IndexError.
RelatedResult run_related(OpenedIndex& index, const std::string& seed, const RelatedOptions& opts);

}  // namespace news
