// Rendering results on standard output: text for people, JSON, JSON lines and TSV for programs.
#include "render.hpp"

#include <cstdio>
#include <iostream>

#include "errors.hpp"

namespace news {

namespace {

using nlohmann::json;

// A number as people read it: 70, 72.5; "-" for none.
std::string num(const std::optional<double>& v) {
    if (!v) return "-";
    const double d = *v;
    char buf[32];
    std::snprintf(buf, sizeof buf,
                  d == static_cast<double>(static_cast<long long>(d)) ? "%.0f" : "%.1f", d);
    return buf;
}

std::string tsv_cell(std::string s) {
    for (char& c : s) {
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    }
    return s;
}

// Turns the <mark> markers into bold (colour TTY) or plain text.
std::string render_marks(std::string s, const Style& st) {
    const std::string on = st.color ? "\033[1m" : "", off = st.color ? "\033[0m" : "";
    for (const auto& [from, to] :
         {std::pair<std::string, std::string>{"<mark>", on}, {"</mark>", off}}) {
        for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos;) {
            s.replace(p, from.size(), to);
            p += to.size();
        }
    }
    return s;
}

// Text on one line: every run of white space (new lines, tabs) one space, none at the ends.
std::string one_line(const std::string& s) {
    std::string out;
    bool space = false;
    for (const char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// "1 article", "2 articles".
std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string provider_name(const ArticleFields& a) {
    return a.provider.name.empty() ? a.provider.domain : a.provider.name;
}

void print_hit_text(const Hit& h, const Style& st, bool explain) {
    const ArticleFields& a = h.article;
    const std::string date = a.published ? a.published->substr(0, 10) : "----------";
    std::string folded;
    if (h.collapsed && *h.collapsed > 0)
        folded = "  (+" + std::to_string(*h.collapsed) + " more from this story)";
    std::printf("%3u. %s  q%s  %s%s%s%s\n", h.rank, date.c_str(), num(a.quality).c_str(),
                provider_name(a).c_str(), a.stub ? "  [stub]" : "", a.removed ? "  [removed]" : "",
                folded.c_str());
    std::printf("     %s\n", render_marks(one_line(h.title_highlighted), st).c_str());
    if (!a.url.empty()) std::printf("     %s\n", st.dim(a.url).c_str());
    if (!h.snippet.empty()) std::printf("     %s\n", render_marks(one_line(h.snippet), st).c_str());
    if (explain && h.explain) {
        std::printf("     score %.4f = bm25 %.4f + prior %.4f (docid %u)\n", h.score,
                    h.explain->bm25, h.explain->prior, h.explain->docid);
    }
    std::printf("\n");
}

// Results as JSON lines or TSV rows (formats other than text and json).
void print_hits_rows(const std::vector<Hit>& hits, Format f) {
    if (f == Format::Jsonl) {
        for (const auto& h : hits) std::cout << dumps(json(h)) << '\n';
        return;
    }
    std::cout << "rank\tscore\tpublished\tquality\tprovider\ttitle\turl\tid\n";
    for (const auto& h : hits) {
        const ArticleFields& a = h.article;
        std::cout << h.rank << '\t' << json(h.score) << '\t' << a.published.value_or("") << '\t'
                  << num(a.quality) << '\t' << tsv_cell(a.provider.name) << '\t'
                  << tsv_cell(a.title) << '\t' << tsv_cell(a.url) << '\t' << tsv_cell(a.id) << '\n';
    }
}

// "12 results", "about 40 results", "1 result": a count and its noun.
std::string counted(const Count& c, const char* one, const char* many) {
    return (c.exact() ? "" : "about ") + std::to_string(c.estimated) + " " +
           (c.estimated == 1 ? one : many);
}

// "12 results; showing 1-10 (sorted by blend, 3.2 ms)" and a blank line.
void print_head(const std::string& head, std::size_t shown, Xapian::doccount offset,
                const std::string& sort, double elapsed_ms) {
    const std::string page =
        shown ? "showing " + std::to_string(offset + 1) + "-" + std::to_string(offset + shown)
              : (offset > 0
                     ? "none on this page (offset " + std::to_string(offset) + " is past the last)"
                     : "showing none");
    std::printf("%s; %s (sorted by %s, %.1f ms)\n\n", head.c_str(), page.c_str(), sort.c_str(),
                elapsed_ms);
}

std::string search_head(const SearchResult& r) {
    const bool stories = r.collapse;  // counts are of stories
    if (!r.relaxed)
        return stories ? counted(r.total, "story", "stories")
                       : counted(r.total, "result", "results");
    const char* one = stories ? "story matches" : "article matches";
    const char* many = stories ? "stories match" : "articles match";
    const Count more = r.relaxed_total.value_or(Count{});
    if (r.matched_all.value_or(0) == 0)
        return std::string(stories ? "No story" : "No article") + " matches every word; " +
               counted(more, one, many) + " some of them";
    return counted(r.total, one, many) + " every word, and " +
           counted(more, "more matches", "more match") + " some of them";
}

void print_search_text(const SearchResult& r, const Style& st, bool explain) {
    if (r.lenient) {
        std::printf("%s\n",
                    st.dim("note: the query could not be parsed (" + r.lenient_reason.value_or("") +
                           "); searched for its words instead")
                        .c_str());
    }
    for (const auto& note : r.notes) std::printf("%s\n", st.dim("note: " + note).c_str());
    if (r.suggestion) std::printf("Did you mean: %s\n", st.bold(*r.suggestion).c_str());
    if (explain) std::printf("parsed query: %s\n", r.parsed_query.c_str());
    if (explain && r.relaxed)
        std::printf("relaxed query: %s\n", r.relaxed_query.value_or("").c_str());
    print_head(search_head(r), r.results.size(), r.offset, r.sort, r.elapsed_ms);
    bool all_words = true;
    for (const auto& h : r.results) {
        if (all_words && !h.matched_all_words.value_or(true)) {
            all_words = false;
            std::printf("%s\n\n", st.dim("-- matching only some of the words --").c_str());
        }
        print_hit_text(h, st, explain);
    }
    if (!r.facets) return;
    for (const auto& [name, values] : *r.facets) {
        std::printf("%s:", st.bold(name).c_str());
        for (const auto& v : values) std::printf("  %s (%u)", v.value.c_str(), v.count);
        std::printf("\n");
    }
}

void print_related_text(const RelatedResult& r, const Style& st, bool explain) {
    for (const auto& note : r.notes) std::printf("%s\n", st.dim("note: " + note).c_str());
    std::printf("Related to: %s\n", st.bold(one_line(r.seed.title)).c_str());
    print_head(counted(r.total, "result", "results"), r.results.size(), r.offset, "related",
               r.elapsed_ms);
    for (const auto& h : r.results) print_hit_text(h, st, false);
    if (!explain) return;
    for (const auto& h : r.results) {
        const Hit::Signals s = h.signals.value_or(Hit::Signals{});
        std::printf("%3u. content %.3f  topics %.3f  time %.3f  quality %.3f  graph %.3f\n", h.rank,
                    s.content, s.topics, s.time, s.quality, s.graph);
    }
}

void print_story_text(const StoryResult& r, const Style& st) {
    std::printf("story %s: %s, oldest first\n\n", r.story.value_or("-").c_str(),
                plural(r.articles.size(), "article", "articles").c_str());
    for (const auto& a : r.articles) {
        const std::string date = a.published ? a.published->substr(0, 16) : "----------------";
        std::printf("  %s  %-22s %s\n", date.c_str(), a.provider.name.substr(0, 22).c_str(),
                    one_line(a.title).c_str());
        const std::string& url = a.url.empty() ? a.id : a.url;
        std::printf("%20s%s\n", "", st.dim(url).c_str());  // under the provider
    }
}

void print_article_text(const ArticleResult& r, const Style& st) {
    const ArticleFields& a = r.article;
    std::printf("%s\n", st.bold(one_line(a.title)).c_str());
    std::printf(
        "id:        %s\nurl:       %s\npublished: %s\nquality:   %s   heat: %s\nprovider:  %s "
        "(%s)\n",
        a.id.c_str(), a.url.c_str(), a.published.value_or("-").c_str(), num(a.quality).c_str(),
        num(a.heat).c_str(), a.provider.name.c_str(), a.provider.domain.c_str());
    std::string topics;
    for (const auto& t : a.topics) topics += (topics.empty() ? "" : ", ") + t;
    std::printf("topics:    %s\ntype:      %s   category: %s%s%s\npath:      %s\n\n%s\n\n",
                topics.c_str(), a.type.c_str(), a.category.c_str(), a.stub ? "   [stub]" : "",
                a.removed ? "   [removed]" : "", a.path.c_str(), a.excerpt.c_str());
    // Each linked article on two lines: a mark ([stub], or [none] when it is not in the index)
    // and its title, then its URL.
    const auto more = [](std::size_t shown, std::size_t all) {
        return shown < all ? "; showing the first " + std::to_string(shown) + " (--limit)"
                           : std::string();
    };
    std::printf("related: %s%s\n", plural(r.related_count, "article", "articles").c_str(),
                more(r.related.size(), r.related_count).c_str());
    for (const auto& l : r.related) {
        const std::string name = !l.title.empty() ? l.title : l.id ? *l.id : "(not in the index)";
        std::printf("  %s %s\n", l.indexed ? (l.stub ? "[stub]" : "      ") : "[none]",
                    one_line(name).c_str());
        const std::string url = !l.url.empty() ? l.url : l.id.value_or("");
        if (!url.empty()) std::printf("         %s\n", st.dim(url).c_str());
    }
    std::printf("listed as related by %s%s\n",
                plural(r.inlink_count, "article", "articles").c_str(),
                more(r.inlinks.size(), r.inlink_count).c_str());
    for (const auto& l : r.inlinks) {
        std::printf("         %s\n", one_line(l.title).c_str());
        std::printf("         %s\n", st.dim(l.url.empty() ? l.id : l.url).c_str());
    }
}

void print_stats_text(const StatsResult& r) {
    std::printf("indexes:        %s\n", dumps(json(r.indexes)).c_str());
    std::printf("articles:       %u (+ %u stubs, %u removed)\n", r.articles, r.stubs, r.removed);
    std::printf("published:      %s .. %s\n", r.oldest.value_or("-").c_str(),
                r.newest.value_or("-").c_str());
    std::printf("schema version: %d   language: %s\n", r.schema_version, r.language.c_str());
    std::printf("size on disk:   %.1f MB\nlast update:    %s\n",
                static_cast<double>(r.size_bytes) / 1e6, r.last_update.c_str());
    for (const auto& [name, values] :
         {std::pair{"top_topics", &r.top_topics}, std::pair{"top_providers", &r.top_providers}}) {
        std::printf("%s:", name);
        for (const auto& v : *values) std::printf("  %s (%u)", v.value.c_str(), v.count);
        std::printf("\n");
    }
}

// A field-and-value row of `get` and `stats` as TSV.
void row(const std::string& field, const std::string& value) {
    std::cout << tsv_cell(field) << '\t' << tsv_cell(value) << '\n';
}

// A number for programs: every digit the JSON has.
std::string exact(const std::optional<double>& v) {
    return v ? json(*v).dump() : std::string();
}

// `partial` and one `missing_shard` row per shard left out (--allow-partial).
void partial_rows(const std::vector<MissingShard>& missing) {
    row("partial", missing.empty() ? "false" : "true");
    for (const auto& m : missing) row("missing_shard", m.index);
}

}  // namespace

Format parse_format(const std::string& name) {
    if (name == "text") return Format::Text;
    if (name == "json") return Format::Json;
    if (name == "jsonl") return Format::Jsonl;
    if (name == "tsv") return Format::Tsv;
    throw UsageError("unknown format '" + name + "' (text, json, jsonl, tsv)");
}

std::string Style::bold(const std::string& s) const {
    return color ? "\033[1m" + s + "\033[0m" : s;
}
std::string Style::dim(const std::string& s) const {
    return color ? "\033[2m" + s + "\033[0m" : s;
}

std::string dumps(const json& j, int indent) {
    return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

namespace {

// Search and related share every format but text.
template <typename Ranked, typename Text>
void render_ranked(const Ranked& r, Format f, Text&& text) {
    switch (f) {
        case Format::Json:
            std::cout << dumps(json(r), 2) << '\n';
            return;
        case Format::Jsonl:
        case Format::Tsv:
            print_hits_rows(r.results, f);
            return;
        case Format::Text:
            text();
            return;
    }
}

}  // namespace

void render(const SearchResult& r, Format f, const Style& st, bool explain) {
    render_ranked(r, f, [&] { print_search_text(r, st, explain); });
}

void render(const RelatedResult& r, Format f, const Style& st, bool explain) {
    render_ranked(r, f, [&] { print_related_text(r, st, explain); });
}

void render(const StoryResult& r, Format f, const Style& st) {
    switch (f) {
        case Format::Json:
            std::cout << dumps(json(r), 2) << '\n';
            return;
        case Format::Jsonl:
            for (const auto& a : r.articles) std::cout << dumps(json(a)) << '\n';
            return;
        case Format::Tsv:
            std::cout << "published\tprovider\ttitle\turl\tid\n";
            for (const auto& a : r.articles) {
                std::cout << a.published.value_or("") << '\t' << tsv_cell(a.provider.name) << '\t'
                          << tsv_cell(a.title) << '\t' << tsv_cell(a.url) << '\t' << tsv_cell(a.id)
                          << '\n';
            }
            return;
        case Format::Text:
            print_story_text(r, st);
            return;
    }
}

void render(const ArticleResult& r, Format f, const Style& st) {
    switch (f) {
        case Format::Json:
        case Format::Jsonl:
            std::cout << dumps(json(r), f == Format::Json ? 2 : -1) << '\n';
            return;
        case Format::Tsv: {
            const ArticleFields& a = r.article;
            std::string topics;
            for (const auto& t : a.topics) topics += (topics.empty() ? "" : ", ") + t;
            std::cout << "field\tvalue\n";
            for (const auto& [k, v] : std::initializer_list<std::pair<const char*, std::string>>{
                     {"id", a.id},
                     {"url", a.url},
                     {"title", a.title},
                     {"published", a.published.value_or("")},
                     {"quality", exact(a.quality)},
                     {"heat", exact(a.heat)},
                     {"provider", a.provider.name},
                     {"domain", a.provider.domain},
                     {"topics", topics},
                     {"type", a.type},
                     {"category", a.category},
                     {"story", a.story.value_or("")},
                     {"stub", a.stub ? "true" : "false"},
                     {"removed", a.removed ? "true" : "false"},
                     {"path", a.path},
                     {"excerpt", a.excerpt}})
                row(k, v);
            for (const auto& l : r.related) row("related", l.id.value_or(""));
            row("inlink_count", std::to_string(r.inlink_count));
            for (const auto& l : r.inlinks) row("inlink", l.id);
            partial_rows(r.missing);
            return;
        }
        case Format::Text:
            print_article_text(r, st);
            return;
    }
}

void render(const StatsResult& r, Format f, const Style&) {
    switch (f) {
        case Format::Json:
        case Format::Jsonl:
            std::cout << dumps(json(r), f == Format::Json ? 2 : -1) << '\n';
            return;
        case Format::Tsv:
            std::cout << "field\tvalue\n";
            for (const auto& i : r.indexes) row("index", i);
            row("documents", std::to_string(r.documents));
            row("articles", std::to_string(r.articles));
            row("stubs", std::to_string(r.stubs));
            row("removed", std::to_string(r.removed));
            row("schema_version", std::to_string(r.schema_version));
            row("language", r.language);
            row("last_update", r.last_update);
            row("oldest", r.oldest.value_or(""));
            row("newest", r.newest.value_or(""));
            row("size_bytes", std::to_string(r.size_bytes));
            for (const auto& v : r.top_topics) row("topic:" + v.value, std::to_string(v.count));
            for (const auto& v : r.top_providers)
                row("provider:" + v.value, std::to_string(v.count));
            partial_rows(r.missing);
            return;
        case Format::Text:
            print_stats_text(r);
            return;
    }
}

}  // namespace news
