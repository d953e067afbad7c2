// The options of `search` and `related` as their front ends give them (strings, as typed), and
// their one conversion into SearchOptions / RelatedOptions with the checks and error wording of
// the searcher. The CLI (main.cpp, through CLI11) and the HTTP server (http_params.cpp) fill
// these structs and call the same resolve_* functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "query.hpp"
#include "related.hpp"
#include "search.hpp"

namespace news {

// `searcher search kubernetes -docker`: a query word written -WORD is marked with a leading
// kWordMark on the command line (so CLI11 takes it as a positional); resolve_search drops it.
inline constexpr char kWordMark = '\x1f';

// Filter flags shared by every subcommand that ranks (search, related).
struct FilterFlags {
    Filters f;  // topics, providers, types, categories, include_removed, include_stubs
    std::optional<double> min_q, max_q;
    std::string since, until;
};

// `search`: its flags, turned into SearchOptions by resolve_search.
struct SearchFlags {
    SearchOptions so;  // the flags that need no conversion are set here directly
    std::vector<std::string> words;
    std::string match = "auto", sort = "blend", queries_file, facets, bm25 = "1.2,0.75",
                stopwords = "on", expand = "auto";
    bool no_spelling = false, timing = false;
    FilterFlags filters;
};

// `related`: its flags, turned into RelatedOptions by resolve_related.
struct RelatedFlags {
    RelatedOptions ro;
    FilterFlags filters;
    std::string seed, ids, weights, half_life = "auto", news_cycle = "auto";
};

// "relevance", "date", "quality", anything else: blend (the CLI checks the name first).
SortMode parse_sort(const std::string& s);
// "topic, year" into the facet names, each once. Throws UsageError.
std::vector<std::string> parse_facets(const std::string& spec);
// The filters with --since/--until resolved against the current time. Throws UsageError.
Filters resolve_filters(const FilterFlags& ff);
// Whether any filter that restricts the match is set (a search needs a query or one).
bool has_filter(const Filters& f);

// The parsed flags checked and turned into options (sf.so). Throws UsageError.
void resolve_search(SearchFlags& sf);
// Same for related (rf.ro). Throws UsageError.
void resolve_related(RelatedFlags& rf);
// A single search needs words or a filter. Throws UsageError.
void require_query_or_filter(const SearchOptions& so);

}  // namespace news
