// Rendering results on standard output: one renderer per result type, each one switch over the
// output formats (text for people, json, jsonl and tsv for programs).
#pragma once

#include <string>

#include "results.hpp"

namespace news {

enum class Format { Text, Json, Jsonl, Tsv };

// "text", "json", "jsonl" or "tsv". Throws UsageError.
Format parse_format(const std::string& name);

// Text styling: bold and dim on a colour terminal, plain otherwise.
struct Style {
    bool color = false;
    std::string bold(const std::string& s) const;
    std::string dim(const std::string& s) const;
};

// JSON text; invalid UTF-8 (from a query or a file name) becomes U+FFFD, never an error.
std::string dumps(const nlohmann::json& j, int indent = -1);

// json: the whole result; jsonl: one line per result (article, for story); tsv: a header
// and one row per result (get and stats: field and value rows); text: for people.
void render(const SearchResult& r, Format f, const Style& st, bool explain);
void render(const RelatedResult& r, Format f, const Style& st, bool explain);
void render(const StoryResult& r, Format f, const Style& st);
void render(const ArticleResult& r, Format f, const Style& st);
void render(const StatsResult& r, Format f, const Style& st);

}  // namespace news
