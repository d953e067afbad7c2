// Article files -> Article. Front-matter files (.md .markdown .txt .html) hold YAML between
// `---` lines; data files (.yaml .yml .json) hold one mapping. A file either becomes an
// Article (possibly with warnings) or a ParseError naming the file, line, column and reason.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "article.hpp"

namespace news {

struct ParseOptions {
    std::size_t max_file_bytes = 16u << 20;  // larger files are rejected unread
    std::size_t max_related = 500;           // entries past this are dropped with a warning
    std::size_t max_topics = 200;
    std::size_t max_images = 100;
    std::size_t max_warnings = 50;  // per file; further ones are summarised in one line
    bool yaml_fast_path = true;     // false: always read with yaml-cpp (tests compare both)
};

enum class FileKind { FrontMatter, Data, Unsupported };

// By extension (case-insensitive).
FileKind file_kind(const std::filesystem::path& p);

struct ParsedFile {
    Article article;
    std::vector<Diagnostic> warnings;
};

// `display` names the file in messages; `rel_path` becomes Article::path (and the id when the
// article has no URL). Throws ParseError.
ParsedFile parse_article_text(std::string_view content, FileKind kind, const std::string& display,
                              const std::string& rel_path, const ParseOptions& opts = {});

// Reads the file (refusing it past opts.max_file_bytes) and parses it. Throws ParseError,
// also for I/O errors.
ParsedFile parse_article_file(const std::filesystem::path& file, const std::string& rel_path,
                              const ParseOptions& opts = {});

// Reads a whole file, refusing one larger than max_bytes. Throws ParseError.
std::string read_file_limited(const std::filesystem::path& file, std::size_t max_bytes);

}  // namespace news
