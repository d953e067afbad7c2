// The versioned JSON of every searcher result (docs/json-output.md): one to_json per result
// type, and reading an article's display fields from its stored document.
#include "date.hpp"
#include "document.hpp"
#include "results.hpp"
#include "schema.hpp"

namespace news {

namespace {

using nlohmann::json;

template <typename T>
json or_null(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

// Adds `partial` (and `missing_shards` when some shard was left out).
void put_partial(json& j, const std::vector<MissingShard>& missing) {
    j["partial"] = !missing.empty();
    if (missing.empty()) return;
    json arr = json::array();
    for (const auto& m : missing) arr.push_back({{"index", m.index}, {"error", m.error}});
    j["missing_shards"] = std::move(arr);
}

}  // namespace

void to_json(json& j, const Count& c) {
    j = {{"lower", c.lower}, {"estimated", c.estimated}, {"upper", c.upper}};
}

void to_json(json& j, const FacetValue& v) {
    j = {{"value", v.value}, {"count", v.count}};
}

ArticleFields article_fields(const Xapian::Document& doc) {
    const json d = read_data(doc);
    ArticleFields a;
    a.id = d.value("id", "");
    a.url = d.value("url", d.value("original_url", ""));
    a.title = d.value("title", "");
    a.excerpt = d.value("excerpt", "");
    if (d.contains("published")) a.published = format_iso8601(d["published"].get<int64_t>());
    if (d.contains("quality")) a.quality = d["quality"].get<double>();
    if (d.contains("heat")) a.heat = d["heat"].get<double>();
    a.type = d.value("type", "");
    a.category = d.value("category", "");
    if (d.contains("provider")) {
        a.provider.name = d["provider"].value("name", "");
        a.provider.domain = d["provider"].value("domain", "");
    }
    if (d.contains("topics")) a.topics = d["topics"].get<std::vector<std::string>>();
    a.path = d.value("path", "");
    a.stub = d.value("stub", false);
    a.removed = d.value("removed", false);
    const std::string story = doc.get_value(kSlotStory);
    if (!story.empty()) a.story = story;
    return a;
}

void to_json(json& j, const ArticleFields& a) {
    j = {{"id", a.id},
         {"url", a.url},
         {"title", a.title},
         {"excerpt", a.excerpt},
         {"published", or_null(a.published)},
         {"quality", or_null(a.quality)},
         {"heat", or_null(a.heat)},
         {"type", a.type},
         {"category", a.category},
         {"provider", {{"name", a.provider.name}, {"domain", a.provider.domain}}},
         {"topics", a.topics},
         {"path", a.path},
         {"stub", a.stub},
         {"removed", a.removed},
         {"story", or_null(a.story)}};
}

void to_json(json& j, const Hit& h) {
    to_json(j, h.article);
    j["rank"] = h.rank;
    j["score"] = h.score;
    j["snippet"] = h.snippet;
    j["title_highlighted"] = h.title_highlighted;
    if (h.matched_all_words) j["matched_all_words"] = *h.matched_all_words;
    if (h.collapsed) j["collapsed"] = *h.collapsed;
    if (h.explain)
        j["explain"] = {
            {"docid", h.explain->docid}, {"bm25", h.explain->bm25}, {"prior", h.explain->prior}};
    if (h.signals) {
        const Hit::Signals& s = *h.signals;
        j["signals"] = {{"content", s.content}, {"vocabulary", s.vocabulary}, {"topics", s.topics},
                        {"time", s.time},       {"quality", s.quality},       {"graph", s.graph}};
    }
}

void to_json(json& j, const SearchResult& r) {
    j = json::object();
    j["version"] = kJsonVersion;
    j["query"] = r.query;
    j["parsed_query"] = r.parsed_query;
    if (r.expansion) j["expansion"] = *r.expansion;
    j["lenient"] = r.lenient;
    if (r.lenient_reason) j["lenient_reason"] = *r.lenient_reason;
    j["total"] = r.total;
    j["relaxed"] = r.relaxed;
    if (r.matched_all) j["matched_all"] = *r.matched_all;
    if (r.relaxed_total) j["relaxed_total"] = *r.relaxed_total;
    if (r.relaxed_query) j["relaxed_query"] = *r.relaxed_query;
    if (r.facets_count) j["facets_count"] = *r.facets_count;
    j["offset"] = r.offset;
    j["limit"] = r.limit;
    j["collapse"] = r.collapse;
    j["sort"] = r.sort;
    j["suggestion"] = or_null(r.suggestion);
    j["corrected_query"] = or_null(r.corrected_query);
    j["notes"] = r.notes;
    j["results"] = r.results;
    if (r.facets) {
        json f = json::object();
        for (const auto& [name, values] : *r.facets) f[name] = values;
        j["facets"] = std::move(f);
    }
    j["elapsed_ms"] = r.elapsed_ms;
    put_partial(j, r.missing);
}

void to_json(json& j, const RelatedResult& r) {
    j = json::object();
    j["version"] = kJsonVersion;
    j["query"] = r.query;
    j["lenient"] = false;
    j["suggestion"] = nullptr;
    j["offset"] = r.offset;
    j["limit"] = r.limit;
    j["sort"] = "related";
    j["news_cycle"] = r.news_cycle;
    j["seed"] = r.seed;
    j["seed"]["indexed"] = r.seed_indexed;
    j["parsed_query"] = r.parsed_query;
    j["total"] = r.total;
    j["results"] = r.results;
    j["notes"] = r.notes;
    j["elapsed_ms"] = r.elapsed_ms;
    put_partial(j, r.missing);
}

void to_json(json& j, const StoryResult& r) {
    j = {{"version", kJsonVersion},
         {"story", or_null(r.story)},
         {"count", r.articles.size()},
         {"articles", r.articles}};
    put_partial(j, r.missing);
}

void to_json(json& j, const ArticleResult& r) {
    j = json::object();
    j["version"] = kJsonVersion;
    j["article"] = r.article;
    json out = json::array();
    for (const auto& l : r.related)
        out.push_back({{"id", or_null(l.id)},
                       {"indexed", l.indexed},
                       {"stub", l.stub},
                       {"title", l.title},
                       {"url", l.url}});
    j["related"] = std::move(out);
    j["related_count"] = r.related_count;
    j["inlink_count"] = r.inlink_count;
    json in = json::array();
    for (const auto& l : r.inlinks)
        in.push_back({{"id", l.id}, {"title", l.title}, {"url", l.url}});
    j["inlinks"] = std::move(in);
    put_partial(j, r.missing);
}

void to_json(json& j, const StatsResult& r) {
    j = json::object();
    j["version"] = kJsonVersion;
    j["indexes"] = r.indexes;
    j["documents"] = r.documents;
    j["articles"] = r.articles;
    j["stubs"] = r.stubs;
    j["removed"] = r.removed;
    j["schema_version"] = r.schema_version;
    j["language"] = r.language;
    j["last_update"] = r.last_update;
    j["oldest"] = or_null(r.oldest);
    j["newest"] = or_null(r.newest);
    j["top_topics"] = r.top_topics;
    j["top_providers"] = r.top_providers;
    j["size_bytes"] = r.size_bytes;
    put_partial(j, r.missing);
}

}  // namespace news
