// The searcher's read side as a library: opening indexes, running a search into the versioned
// JSON result (docs/json-output.md), get and stats. main.cpp renders and handles the CLI.
#pragma once

#include <xapian.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "errors.hpp"
#include "prior.hpp"
#include "query.hpp"

namespace news {

// Opens one or more indexes as one database (Xapian combines their statistics, so results
// equal a single merged index). Each spec is a local index directory, a sharded index
// directory or stub database file (its shards are opened one by one), or a remote shard
// `tcp://HOST:PORT` served by xapian-tcpsrv. Throws IndexError with a message naming the
// shard and saying what to do. With `allow_partial`, shards that cannot be reached or opened
// are left out (listed in `missing`) as long as one remains.
struct OpenedIndex {
    Xapian::Database db;  // every shard in use, as one
    std::string language;
    std::vector<std::string> paths;       // the shards in use (paths or tcp://HOST:PORT)
    std::vector<Xapian::Database> parts;  // the same, one database each
    std::vector<nlohmann::json> missing;  // {index, error} of shards left out
    bool allow_partial = false;
    bool any_remote = false;  // some shard is served by xapian-tcpsrv (no custom classes)
    std::shared_ptr<QueryBuilder> builder;  // made on first use, kept for batch mode
    std::shared_ptr<const Prior> prior;     // the last blend prior, kept for batch mode
    // related: the index's news-cycle strength and the index state it was measured on.
    std::optional<std::pair<std::string, double>> news_cycle;

    // Called when a query failed with a network error: finds the shards that no longer answer;
    // with allow_partial drops them and returns true (retry), else throws IndexError naming
    // them. Also throws when every shard is gone.
    bool drop_dead_shards(const std::string& error);
    // Whether every part has a uuid of its own (copies of one index directory share one).
    bool distinct_uuids() const;

    // check_at_least for a ranked match of `wanted` results. With one shard, `wanted`. With
    // several, every match is scored: Xapian 1.4.22's BM25 match over several shards can
    // prune a document that belongs in the top k (docs/scale-out.md has a reproducer), so
    // without this a sharded index would not rank exactly like a single one.
    Xapian::doccount check_at_least(Xapian::doccount wanted) const {
        return parts.size() > 1 ? std::max(wanted, db.get_doccount()) : wanted;
    }
};
// Runs `f` (a read of `index`), again after reopening when an indexer's commits discarded the
// revision being read, or without a remote shard that died (when partial answers are
// allowed); up to 5 retries. Every read of the searcher goes through it.
template <typename F>
auto with_reopen(OpenedIndex& index, F&& f) {
    for (int attempt = 0;; ++attempt) {
        try {
            return f();
        } catch (const Xapian::DatabaseModifiedError&) {
            if (attempt >= 5) throw IndexError("the index kept changing while reading; try again");
            index.db.reopen();
        } catch (const Xapian::NetworkError& e) {
            if (attempt >= 5 || !index.drop_dead_shards(e.get_description())) throw;
        }
    }
}

OpenedIndex open_indexes(const std::vector<std::string>& specs, bool allow_partial = false);

// Adds `partial` (and `missing_shards` when true) to a JSON result.
void mark_partial(nlohmann::json& out, const OpenedIndex& index);

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

inline constexpr int kJsonVersion = 1;

// Parses `--bm25 K1,B` (k1 >= 0, 0 <= b <= 1) into opts. Throws UsageError.
void parse_bm25(const std::string& spec, SearchOptions& opts);

// The weighting scheme of a search: BM25 with opts' k1 and b.
Xapian::BM25Weight bm25_weight(const SearchOptions& opts);

// Runs one search; retries after reopening when the index changed underneath
// (DatabaseModifiedError). Returns the JSON document of docs/json-output.md.
nlohmann::json run_search(OpenedIndex& index, const SearchOptions& opts);

// An indexed article by id, normalised URL, or any of its indexed URLs. Throws NotFoundError.
Xapian::docid resolve_article(const Xapian::Database& db, const std::string& id_or_url);
std::optional<Xapian::docid> find_article(const Xapian::Database& db, const std::string& id_or_url);

// One stored article with its graph: out-links (with whether each is indexed) and in-links.
nlohmann::json get_article(OpenedIndex& index, const std::string& id_or_url);

nlohmann::json index_stats(OpenedIndex& index);

// The articles of the story of `id_or_url`, oldest first (who reported first).
nlohmann::json get_story(OpenedIndex& index, const std::string& id_or_url);

// Wraps every word of a text that matches one of the query's terms (as written, or by its
// stem; a `title:` term by its word) in `start`/`end`; the text is never cut. Made once per
// query: it remembers each word's verdict (stemming is most of the cost).
class Highlighter {
  public:
    Highlighter(const Xapian::Query& query, const Xapian::Stem& stem, std::string start,
                std::string end);
    std::string operator()(const std::string& text);

  private:
    bool hit(const std::string& word);  // `word` lower-cased
    std::unordered_set<std::string> terms_;
    std::unordered_map<std::string, bool> seen_;
    Xapian::Stem stem_;
    std::string start_, end_;
};

// One text, highlighted (Highlighter).
std::string highlight(const std::string& text, const Xapian::Query& query, const Xapian::Stem& stem,
                      const std::string& start, const std::string& end);

// The display JSON of a document (stored data + normalised field names).
nlohmann::json result_fields(const Xapian::Document& doc);

}  // namespace news
