// The searcher's read side as a library: opening indexes, running a search into the versioned
// JSON result (docs/json-output.md), get and stats. main.cpp renders and handles the CLI.
#pragma once

#include <xapian.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "query.hpp"

namespace news {

// Opens one or more indexes as one database (Xapian combines their statistics, so results
// equal a single merged index). Throws IndexError with a message saying what to do.
struct OpenedIndex {
    Xapian::Database db;
    std::string language;
    std::vector<std::string> paths;
    std::shared_ptr<QueryBuilder> builder;  // made on first use, kept for batch mode
};
OpenedIndex open_indexes(const std::vector<std::string>& paths);

enum class SortMode { Relevance, Date, Quality, Blend };

struct SearchOptions {
    QueryRequest request;
    SortMode sort = SortMode::Blend;
    bool reverse = false;
    double quality_weight = 1.0;
    double recency_weight = 1.5;
    double half_life_days = 30;
    Xapian::doccount limit = 10;
    Xapian::doccount offset = 0;
    bool exact_count = false;
    std::vector<std::string> facets;  // topic, provider, type, year
    bool explain = false;
    bool collapse = false;  // one result per story (Xapian collapse key), with a count of the rest
    std::string highlight_start = "<mark>";
    std::string highlight_end = "</mark>";
};

inline constexpr int kJsonVersion = 1;

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

// `text` with every word that matches one of the query's terms (as written, or by its stem)
// wrapped in `start`/`end`; the text is never cut.
std::string highlight(const std::string& text, const Xapian::Query& query, const Xapian::Stem& stem,
                      const std::string& start, const std::string& end);

// The display JSON of a document (stored data + normalised field names).
nlohmann::json result_fields(const Xapian::Document& doc);

}  // namespace news
