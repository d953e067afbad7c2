// Reading article files: the front matter (or data file) as YAML, each key checked and
// normalised into an Article, with warnings for what is kept in part and a ParseError (file,
// line, column, reason) for what cannot be indexed.
#include "parser.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <unordered_set>

#include "date.hpp"
#include "errors.hpp"
#include "text.hpp"
#include "url.hpp"
#include "yaml_tree.hpp"

namespace news {

std::string Diagnostic::to_string() const {
    return format_location(file, line, column, message);
}

FileKind file_kind(const std::filesystem::path& p) {
    const std::string ext = ascii_lower(p.extension().string());
    if (ext == ".md" || ext == ".markdown" || ext == ".txt" || ext == ".html" || ext == ".htm") {
        return FileKind::FrontMatter;
    }
    if (ext == ".yaml" || ext == ".yml" || ext == ".json") return FileKind::Data;
    return FileKind::Unsupported;
}

namespace {

// Where the YAML text sits in the file, so yaml-cpp's marks become file lines.
struct Ctx {
    const std::string& file;
    int line_offset;  // file line of YAML line 0, minus 1
    const ParseOptions& opts;
    std::vector<Diagnostic>& warnings;
    std::size_t dropped = 0;

    void warn(const yaml::Node& at, const std::string& msg) {
        if (warnings.size() >= opts.max_warnings) {
            ++dropped;
            return;
        }
        const bool known = at.line >= 0;
        warnings.push_back(
            {file, known ? at.line + 1 + line_offset : 0, known ? at.column + 1 : 0, msg});
    }
};

const char* kind_name(const yaml::Node& n) {
    switch (n.type) {
        case yaml::Type::Seq:
            return "a list";
        case yaml::Type::Map:
            return "a mapping";
        case yaml::Type::Scalar:
            return "a scalar";
        case yaml::Type::Null:
            return "null";
        default:
            return "a deeply nested value";
    }
}

const yaml::Node kAbsent{};

// The value under `key` of mapping `m`; a null node when absent.
const yaml::Node& child(const yaml::Node& m, const char* key) {
    const yaml::Node* v = m.get(key);
    return v ? *v : kAbsent;
}

bool present(const yaml::Node& n) {
    return n.type != yaml::Type::Null;
}

std::string get_text(const yaml::Node& m, const char* key, Ctx& ctx, const std::string& where) {
    const yaml::Node& n = child(m, key);
    if (!present(n)) return {};
    if (!(n.type == yaml::Type::Scalar)) {
        ctx.warn(n, where + key + ": expected text, got " + kind_name(n) + "; ignored");
        return {};
    }
    return n.scalar;
}

std::optional<double> parse_number(std::string_view s) {
    const std::string t(trim(s));
    if (t.empty() || t.size() > 64) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(t.c_str(), &end);
    if (end != t.c_str() + t.size() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::optional<double> get_number(const yaml::Node& m, const char* key, Ctx& ctx,
                                 const std::string& where) {
    const yaml::Node& n = child(m, key);
    if (!present(n)) return std::nullopt;
    if ((n.type == yaml::Type::Scalar)) {
        if (auto v = parse_number(n.scalar)) return v;
        ctx.warn(
            n, where + key + ": '" + utf8_truncate(n.scalar, 40) + "' is not a number; left unset");
    } else {
        ctx.warn(n, where + key + ": expected a number, got " + kind_name(n) + "; left unset");
    }
    return std::nullopt;
}

std::optional<int64_t> get_integer(const yaml::Node& m, const char* key, Ctx& ctx,
                                   const std::string& where) {
    auto v = get_number(m, key, ctx, where);
    if (!v) return std::nullopt;
    if (*v < -1e15 || *v > 1e15) {
        ctx.warn(child(m, key), where + key + ": out of range; left unset");
        return std::nullopt;
    }
    return static_cast<int64_t>(*v);
}

std::optional<bool> parse_bool(std::string_view s) {
    const std::string t = ascii_lower(trim(s));
    if (t == "true" || t == "yes" || t == "on" || t == "1") return true;
    if (t == "false" || t == "no" || t == "off" || t == "0") return false;
    return std::nullopt;
}

std::optional<bool> get_bool(const yaml::Node& m, const char* key, Ctx& ctx,
                             const std::string& where) {
    const yaml::Node& n = child(m, key);
    if (!present(n)) return std::nullopt;
    if ((n.type == yaml::Type::Scalar)) {
        if (auto v = parse_bool(n.scalar)) return v;
    }
    ctx.warn(n, where + key + ": expected true or false; left unset");
    return std::nullopt;
}

std::optional<int64_t> get_date(const yaml::Node& m, const char* key, Ctx& ctx,
                                const std::string& where) {
    const yaml::Node& n = child(m, key);
    if (!present(n)) return std::nullopt;
    if ((n.type == yaml::Type::Scalar)) {
        if (auto t = parse_iso8601(trim(n.scalar))) return t;
        ctx.warn(n, where + key + ": '" + utf8_truncate(n.scalar, 60) +
                        "' is not an ISO 8601 date; article kept without a date");
    } else {
        ctx.warn(n, where + key + ": expected a date, got " + kind_name(n) +
                        "; article kept without a date");
    }
    return std::nullopt;
}

std::string clean_text(const std::string& s) {
    return std::string(trim(decode_html_entities(s)));
}

std::vector<Image> get_images(const yaml::Node& m, const char* key, Ctx& ctx,
                              const std::string& where) {
    std::vector<Image> out;
    const yaml::Node& n = child(m, key);
    if (!present(n)) return out;
    if (n.type != yaml::Type::Seq) {
        ctx.warn(n, where + key + ": expected a list of images; ignored");
        return out;
    }
    std::size_t i = 0;
    for (const auto& item : n.seq) {
        if (out.size() >= ctx.opts.max_images) {
            ctx.warn(n, where + key + ": more than " + std::to_string(ctx.opts.max_images) +
                            " images; the rest ignored");
            break;
        }
        const std::string w = where + key + "[" + std::to_string(i++) + "].";
        if (item.type != yaml::Type::Map) {
            ctx.warn(item, w.substr(0, w.size() - 1) + ": expected a mapping; ignored");
            continue;
        }
        Image img;
        img.url = std::string(trim(get_text(item, "url", ctx, w)));
        img.width = get_integer(item, "width", ctx, w);
        img.height = get_integer(item, "height", ctx, w);
        img.is_cached = get_bool(item, "isCached", ctx, w);
        if (!img.url.empty()) out.push_back(std::move(img));
    }
    return out;
}

Provider get_provider(const yaml::Node& m, Ctx& ctx, const std::string& where) {
    Provider p;
    const yaml::Node& n = child(m, "provider");
    if (!present(n)) return p;
    if ((n.type == yaml::Type::Scalar)) {  // lenient: `provider: Reuters`
        p.name = std::string(trim(n.scalar));
        return p;
    }
    if (n.type != yaml::Type::Map) {
        ctx.warn(n, where + "provider: expected a mapping; ignored");
        return p;
    }
    const std::string w = where + "provider.";
    p.name = clean_text(get_text(n, "name", ctx, w));
    p.domain = ascii_lower(trim(get_text(n, "domain", ctx, w)));
    p.images = get_images(n, "images", ctx, w);
    return p;
}

void get_core(const yaml::Node& m, ArticleCore& a, Ctx& ctx, const std::string& where) {
    a.title = clean_text(get_text(m, "title", ctx, where));
    a.excerpt = clean_text(get_text(m, "excerpt", ctx, where));
    a.published = get_date(m, "publishedDateTime", ctx, where);
    a.web_url = std::string(trim(get_text(m, "webUrl", ctx, where)));
    a.amp_web_url = std::string(trim(get_text(m, "ampWebUrl", ctx, where)));
    a.cdn_amp_web_url = std::string(trim(get_text(m, "cdnAmpWebUrl", ctx, where)));
    a.type = ascii_lower(trim(get_text(m, "type", ctx, where)));
    a.quality = get_number(m, "quality", ctx, where);
    a.provider = get_provider(m, ctx, where);
    a.images = get_images(m, "images", ctx, where);
}

std::vector<std::string> get_topics(const yaml::Node& m, Ctx& ctx) {
    std::vector<std::string> out;
    const yaml::Node& n = child(m, "topics");
    if (!present(n)) return out;
    std::unordered_set<std::string> seen;
    auto add = [&](const yaml::Node& t) {
        if (t.type != yaml::Type::Scalar) {
            ctx.warn(t, std::string("topics: expected text, got ") + kind_name(t) + "; ignored");
            return;
        }
        std::string topic = clean_text(t.scalar);
        if (topic.empty()) return;
        if (seen.insert(ascii_lower(topic)).second) out.push_back(std::move(topic));
    };
    if ((n.type == yaml::Type::Scalar)) {  // lenient: a single topic given as a scalar
        add(n);
        return out;
    }
    if (n.type != yaml::Type::Seq) {
        ctx.warn(n, "topics: expected a list of topics; ignored");
        return out;
    }
    for (const auto& t : n.seq) {
        if (out.size() >= ctx.opts.max_topics) {
            ctx.warn(n, "topics: more than " + std::to_string(ctx.opts.max_topics) +
                            " topics; the rest ignored");
            break;
        }
        add(t);
    }
    return out;
}

std::vector<RelatedRef> get_related(const yaml::Node& m, const std::string& self_id, Ctx& ctx) {
    std::vector<RelatedRef> out;
    const yaml::Node& n = child(m, "related");
    if (!present(n)) return out;
    if (n.type != yaml::Type::Seq) {
        ctx.warn(n, "related: expected a list; ignored");
        return out;
    }
    std::unordered_set<std::string> seen;
    std::size_t i = 0;
    for (const auto& item : n.seq) {
        if (out.size() >= ctx.opts.max_related) {
            ctx.warn(n, "related: more than " + std::to_string(ctx.opts.max_related) +
                            " entries; the rest ignored");
            break;
        }
        const std::string w = "related[" + std::to_string(i++) + "].";
        if (item.type != yaml::Type::Map) {
            ctx.warn(item, w.substr(0, w.size() - 1) + ": expected a mapping; ignored");
            continue;
        }
        RelatedRef r;
        get_core(item, r, ctx, w);
        r.id = normalize_url(r.web_url);
        if (r.id.empty()) {
            ctx.warn(item, w.substr(0, w.size() - 1) + ": no webUrl, cannot be linked; ignored");
            continue;
        }
        if (r.id == self_id || !seen.insert(r.id).second) continue;  // self-links, repeats
        out.push_back(std::move(r));
    }
    return out;
}

struct Split {
    std::string_view yaml;
    std::string_view body;
    int yaml_first_line;  // 1-based file line of the first YAML line
};

// Finds the front matter: the first non-blank line must be `---`; it ends at the next line
// that is `---` or `...` (trailing white space and CR allowed on both).
Split split_front_matter(std::string_view text, const std::string& display) {
    std::size_t pos = 0;
    int line = 1;
    auto next_line = [&](std::string_view& out) {
        if (pos >= text.size()) return false;
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        out = text.substr(pos, nl - pos);
        pos = nl < text.size() ? nl + 1 : nl;
        return true;
    };
    std::string_view l;
    bool found = false;
    while (next_line(l)) {
        const std::string_view t = trim(l);
        if (t.empty()) {
            ++line;
            continue;
        }
        found = t == "---";
        break;
    }
    if (!found) {
        throw ParseError(display, line, 0,
                         "no front matter: the file must start with a line '---' followed by "
                         "YAML and a closing '---'");
    }
    const int open_line = line;
    const std::size_t yaml_start = pos;
    ++line;
    while (true) {
        const std::size_t line_start = pos;
        if (!next_line(l)) break;
        std::string_view t = l;
        while (!t.empty() && (t.back() == '\r' || t.back() == ' ' || t.back() == '\t')) {
            t.remove_suffix(1);
        }
        if (t == "---" || t == "...") {
            return {text.substr(yaml_start, line_start - yaml_start), text.substr(pos),
                    open_line + 1};
        }
        ++line;
    }
    throw ParseError(display, open_line, 0,
                     "front matter is not closed: no line '---' or '...' after this one");
}

}  // namespace

ParsedFile parse_article_text(std::string_view content, FileKind kind, const std::string& display,
                              const std::string& rel_path, const ParseOptions& opts) {
    if (content.size() > opts.max_file_bytes) {
        throw ParseError(display, 0, 0,
                         "file is " + std::to_string(content.size()) +
                             " bytes, over the limit of " + std::to_string(opts.max_file_bytes));
    }
    if (content.size() >= 2 && ((content[0] == '\xFF' && content[1] == '\xFE') ||
                                (content[0] == '\xFE' && content[1] == '\xFF'))) {
        throw ParseError(display, 1, 1, "file is UTF-16 encoded; convert it to UTF-8");
    }
    if (const auto nul = content.find('\0'); nul != std::string_view::npos) {
        throw ParseError(display, 0, 0, "binary file: NUL byte at offset " + std::to_string(nul));
    }
    if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);

    ParsedFile out;
    std::string sanitized;
    if (!is_valid_utf8(content)) {
        out.warnings.push_back(
            {display, 0, 0, "invalid UTF-8; the bad bytes were replaced with U+FFFD"});
        sanitized = sanitize_utf8(content);
        content = sanitized;
    }

    Split split{content, {}, 1};
    if (kind == FileKind::FrontMatter) split = split_front_matter(content, display);
    if (kind == FileKind::Unsupported) {
        throw ParseError(display, 0, 0,
                         "unsupported file type (expected .md .markdown .txt "
                         ".html .yaml .yml .json)");
    }

    yaml::Node root;
    try {
        root = opts.yaml_fast_path ? yaml::read(split.yaml) : yaml::read_full(split.yaml);
    } catch (const yaml::Error& e) {
        const bool known = e.line >= 0;
        std::string reason = "invalid YAML: " + e.message;
        if (known) {  // yaml-cpp's message for a tab in the indentation does not say so
            std::size_t pos = 0;
            for (int l = 0; l < e.line && pos != std::string_view::npos; ++l) {
                pos = split.yaml.find('\n', pos);
                if (pos != std::string_view::npos) ++pos;
            }
            if (pos != std::string_view::npos && pos < split.yaml.size()) {
                const std::string_view line =
                    split.yaml.substr(pos, split.yaml.find('\n', pos) - pos);
                const auto first = line.find_first_not_of(' ');
                if (first != std::string_view::npos && line[first] == '\t') {
                    reason += " (tabs are not allowed in YAML indentation)";
                }
            }
        }
        throw ParseError(display, known ? e.line + split.yaml_first_line : 0,
                         known ? e.column + 1 : 0, reason);
    }
    if (root.is_null()) {
        throw ParseError(display, split.yaml_first_line, 0, "front matter is empty");
    }
    if (root.type != yaml::Type::Map) {
        throw ParseError(display, root.line + split.yaml_first_line, root.column + 1,
                         std::string("top level is ") + kind_name(root) + ", expected a mapping");
    }

    Ctx ctx{display, split.yaml_first_line - 1, opts, out.warnings};
    Article& a = out.article;
    {
        get_core(root, a, ctx, "");
        a.path = rel_path;
        a.category = ascii_lower(trim(get_text(root, "category", ctx, "")));
        a.original_url = std::string(trim(get_text(root, "originalUrl", ctx, "")));
        a.heat = get_number(root, "heat", ctx, "");
        a.published_flag = get_bool(root, "published", ctx, "");
        a.removed = get_bool(root, "removed", ctx, "").value_or(false);
        {
            const yaml::Node& f = child(root, "featuredContent");
            if (present(f)) {
                a.featured = f.type == yaml::Type::Scalar
                                 ? parse_bool(f.scalar).value_or(!f.scalar.empty())
                                 : (f.keys.size() + f.seq.size()) > 0;
            }
        }
        a.id = normalize_url(a.web_url);
        if (a.id.empty()) a.id = normalize_url(a.original_url);
        if (a.id.empty()) a.id = rel_path;
        a.topics = get_topics(root, ctx);
        a.related = get_related(root, a.id, ctx);
    }
    if (a.title.empty() && a.excerpt.empty()) {
        throw ParseError(display, split.yaml_first_line, 0,
                         "article has neither a title nor an excerpt");
    }
    if (kind == FileKind::FrontMatter) a.body = std::string(trim(split.body));
    if (ctx.dropped > 0) {
        out.warnings.push_back(
            {display, 0, 0, std::to_string(ctx.dropped) + " more warnings not shown"});
    }
    return out;
}

std::string read_file_limited(const std::filesystem::path& file, std::size_t max_bytes) {
    const std::string display = file.string();
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(display.c_str(), "rb"),
                                                      &std::fclose);
    if (!f) throw ParseError(display, 0, 0, std::string("cannot open: ") + std::strerror(errno));
    std::string data;
    char buf[1 << 16];
    while (true) {
        const std::size_t n = std::fread(buf, 1, sizeof buf, f.get());
        if (n > 0) {
            if (data.size() + n > max_bytes) {
                throw ParseError(display, 0, 0,
                                 "file is larger than the limit of " + std::to_string(max_bytes) +
                                     " bytes (--max-file-size)");
            }
            data.append(buf, n);
        }
        if (n < sizeof buf) {
            if (std::ferror(f.get())) {
                throw ParseError(display, 0, 0, std::string("read error: ") + std::strerror(errno));
            }
            break;
        }
    }
    return data;
}

ParsedFile parse_article_file(const std::filesystem::path& file, const std::string& rel_path,
                              const ParseOptions& opts) {
    const std::string data = read_file_limited(file, opts.max_file_bytes);
    return parse_article_text(data, file_kind(file), file.string(), rel_path, opts);
}

}  // namespace news
