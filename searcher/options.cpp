// The conversion of search and related flags into their options, shared by the CLI and the
// HTTP server so both check alike and say the same.
#include "options.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include "errors.hpp"
#include "text.hpp"

namespace news {

SortMode parse_sort(const std::string& s) {
    if (s == "relevance") return SortMode::Relevance;
    if (s == "date") return SortMode::Date;
    if (s == "quality") return SortMode::Quality;
    return SortMode::Blend;
}

std::vector<std::string> parse_facets(const std::string& spec) {
    std::vector<std::string> out;
    std::string f = spec + ",";
    for (std::size_t s = 0, c; (c = f.find(',', s)) != std::string::npos; s = c + 1) {
        std::string name(trim(f.substr(s, c - s)));
        if (name.empty()) continue;
        if (name != "topic" && name != "provider" && name != "type" && name != "year")
            throw UsageError("unknown facet '" + name + "' (use topic, provider, type, year)");
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
    return out;
}

Filters resolve_filters(const FilterFlags& ff) {
    Filters f = ff.f;
    f.min_quality = ff.min_q;
    f.max_quality = ff.max_q;
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    if (!ff.since.empty()) f.since = parse_time_flag(ff.since, false, now);
    if (!ff.until.empty()) f.until = parse_time_flag(ff.until, true, now);
    return f;
}

bool has_filter(const Filters& f) {
    return f.min_quality || f.max_quality || f.since || f.until || !f.topics.empty() ||
           !f.providers.empty() || !f.types.empty() || !f.categories.empty();
}

void resolve_search(SearchFlags& sf) {
    SearchOptions& so = sf.so;
    so.request.match_all = sf.match != "any";
    so.relax = sf.match == "auto";
    so.request.spelling = !sf.no_spelling;
    so.request.stopwords = sf.stopwords == "on";
    so.expand_auto = sf.expand == "auto";
    if (!so.expand_auto) {
        char* end = nullptr;
        const unsigned long n = std::strtoul(sf.expand.c_str(), &end, 10);
        if (sf.expand.empty() || *end || sf.expand[0] == '-' || n > 1000)
            throw UsageError("--expand: expected auto or a number of terms 0..1000, got '" +
                             sf.expand + "'");
        so.expand_terms = static_cast<unsigned>(n);
    }
    parse_bm25(sf.bm25, so);
    so.sort = parse_sort(sf.sort);
    so.request.filters = resolve_filters(sf.filters);
    so.facets = parse_facets(sf.facets);
    if (!(so.half_life_days > 0) || !std::isfinite(so.half_life_days))
        throw UsageError("--half-life must be a positive number");
    for (const double w : {so.quality_weight, so.recency_weight, so.expand_weight}) {
        if (!(w >= 0) || !std::isfinite(w))
            throw UsageError("--quality-weight, --recency-weight and --expand-weight must be >= 0");
    }
    so.request.text.clear();
    for (const auto& w : sf.words) {
        if (!so.request.text.empty()) so.request.text += ' ';
        so.request.text += !w.empty() && w[0] == kWordMark ? w.substr(1) : w;
    }
}

void require_query_or_filter(const SearchOptions& so) {
    if (std::string(trim(so.request.text)).empty() && !has_filter(so.request.filters))
        throw UsageError("give a query, or at least one filter (e.g. --topic, --since)");
}

void resolve_related(RelatedFlags& rf) {
    RelatedOptions& ro = rf.ro;
    ro.filters = resolve_filters(rf.filters);
    if (!rf.weights.empty()) ro.weights = parse_weights(rf.weights);
    if (rf.news_cycle != "auto") {
        char* end = nullptr;
        const double c = std::strtod(rf.news_cycle.c_str(), &end);
        if (rf.news_cycle.empty() || *end || !(c >= 0 && c <= 1))
            throw UsageError("--news-cycle must be auto or a number from 0 to 1");
        ro.news_cycle = c;
    }
    if (rf.half_life != "auto") {
        char* end = nullptr;
        ro.half_life_days = std::strtod(rf.half_life.c_str(), &end);
        if (rf.half_life.empty() || *end || !(ro.half_life_days > 0) ||
            !std::isfinite(ro.half_life_days))
            throw UsageError("--half-life must be auto or a positive number");
    }
    if (rf.seed.empty() == rf.ids.empty())
        throw UsageError("related: give one article (id, URL or file), or --ids FILE");
}

}  // namespace news
