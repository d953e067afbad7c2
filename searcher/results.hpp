// The searcher's results as types: what search, related, story, get and stats return. Their
// JSON (docs/json-output.md, version kJsonVersion) is made by to_json in results_json.cpp;
// text and TSV by render.cpp. A field added here reaches every format through those two.
#pragma once

#include <xapian.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "article.hpp"  // Provider

namespace news {

inline constexpr int kJsonVersion = 1;

// An article as results show it (its stored data and story).
struct ArticleFields {
    std::string id, url, title, excerpt;
    std::optional<std::string> published;  // ISO 8601, UTC
    std::optional<double> quality, heat;
    std::string type, category;
    Provider provider;  // name and domain (no images)
    std::vector<std::string> topics;
    std::string path;
    bool stub = false, removed = false;
    std::optional<std::string> story;  // the collapse key
};

// Reads an article's display fields from its document.
ArticleFields article_fields(const Xapian::Document& doc);

// A match count: exact when lower == upper.
struct Count {
    Xapian::doccount lower = 0, estimated = 0, upper = 0;
    bool exact() const { return lower == upper; }
};

struct FacetValue {
    std::string value;
    Xapian::doccount count = 0;
};
using FacetCounts = std::map<std::string, std::vector<FacetValue>>;  // by facet name

// Shards left out of an answer (--allow-partial).
struct MissingShard {
    std::string index, error;
};

// One ranked result of search or related.
struct Hit {
    ArticleFields article;
    Xapian::doccount rank = 0;  // 1-based, across pages
    double score = 0;
    std::string snippet, title_highlighted;
    std::optional<bool> matched_all_words;      // search only
    std::optional<Xapian::doccount> collapsed;  // search --collapse: copies folded into it
    struct Explain {
        Xapian::docid docid = 0;
        double bm25 = 0, prior = 0;
    };
    std::optional<Explain> explain;  // search --explain
    struct Signals {
        double content = 0, vocabulary = 0, topics = 0, time = 0, quality = 0, graph = 0;
    };
    std::optional<Signals> signals;  // related
};

struct SearchResult {
    std::string query, parsed_query;
    std::optional<std::vector<std::string>> expansion;  // with --expand N, or when auto added some
    bool lenient = false;
    std::optional<std::string> lenient_reason;
    Count total;  // the articles matching as asked (or stories, with collapse)
    bool relaxed = false;
    // When relaxed: the all-word count, the count of the partial matches, the looser query.
    std::optional<Xapian::doccount> matched_all;
    std::optional<Count> relaxed_total;
    std::optional<std::string> relaxed_query;
    std::optional<std::string> facets_count;  // "all_words" or "some_words"
    Xapian::doccount offset = 0, limit = 0;
    bool collapse = false;
    std::string sort;
    std::optional<std::string> suggestion, corrected_query;
    std::vector<std::string> notes;
    std::vector<Hit> results;
    std::optional<FacetCounts> facets;
    double elapsed_ms = 0;
    std::vector<MissingShard> missing;  // partial when not empty
};

struct RelatedResult {
    std::string query;  // the seed as given
    Xapian::doccount offset = 0, limit = 0;
    double news_cycle = 0;
    ArticleFields seed;
    bool seed_indexed = false;
    std::string parsed_query;
    Count total;
    std::vector<Hit> results;
    double elapsed_ms = 0;
    std::vector<std::string> notes;  // as search's: said in the JSON's "notes" and as text notes
    std::vector<MissingShard> missing;
};

struct StoryResult {
    std::optional<std::string> story;
    std::vector<ArticleFields> articles;  // oldest first
    std::vector<MissingShard> missing;
};

struct ArticleResult {  // `get`
    ArticleFields article;
    struct OutLink {
        std::optional<std::string> id;  // null when the target is not indexed
        bool indexed = false, stub = false;
        std::string title, url;  // url: the target's stored URL ("" when not indexed)
    };
    std::vector<OutLink> related;   // in the article's order (the first --limit)
    std::size_t related_count = 0;  // the whole list
    Xapian::doccount inlink_count = 0;
    struct InLink {
        std::string id, title, url;
    };
    std::vector<InLink> inlinks;  // the first 100 (or --limit)
    std::vector<MissingShard> missing;
};

struct StatsResult {
    std::vector<std::string> indexes;
    Xapian::doccount documents = 0, articles = 0, stubs = 0, removed = 0;
    int schema_version = 0;
    std::string language, last_update;
    std::optional<std::string> oldest, newest;
    std::vector<FacetValue> top_topics, top_providers;
    std::uintmax_t size_bytes = 0;
    std::vector<MissingShard> missing;
};

void to_json(nlohmann::json& j, const Count& c);
void to_json(nlohmann::json& j, const FacetValue& v);
void to_json(nlohmann::json& j, const ArticleFields& a);
void to_json(nlohmann::json& j, const Hit& h);
void to_json(nlohmann::json& j, const SearchResult& r);
void to_json(nlohmann::json& j, const RelatedResult& r);
void to_json(nlohmann::json& j, const StoryResult& r);
void to_json(nlohmann::json& j, const ArticleResult& r);
void to_json(nlohmann::json& j, const StatsResult& r);

}  // namespace news
