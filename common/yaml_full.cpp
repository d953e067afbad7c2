// The full YAML reader (read_full): yaml-cpp's tree converted into a Node tree within the
// limits, with yaml-cpp's errors turned into Error, an unclosed quote it accepts reported as
// one, and empty sequence items marked where the fast reader marks them.
#include "yaml_tree.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "text.hpp"

namespace news::yaml {

namespace {

// yaml-cpp's marks count bytes and lines ('\n') of the text after a leading BOM, which it
// skips.
std::string_view without_bom(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    return text;
}

// 0-based line and column (bytes) of offset `off` in `text`.
std::pair<int, int> line_column(std::string_view text, std::size_t off) {
    off = std::min(off, text.size());
    int line = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < off; ++i) {
        if (text[i] == '\n') {
            ++line;
            start = i + 1;
        }
    }
    return {line, static_cast<int>(off - start)};
}

YAML::Node last_node(const YAML::Node& y);

// `child`'s last node, or `y` when the child does not come after `y` in the text: an alias
// to an earlier node, maybe one that contains `y` (`&a [*a]`). Scalars end the walk anyway.
YAML::Node last_node_of_child(const YAML::Node& y, const YAML::Node& child) {
    if (child.IsScalar() || child.Mark().pos > y.Mark().pos) return last_node(child);
    return y;
}

// The last node of `y` in document order: the last item of a sequence, the last value of a
// mapping (its key when the value is null). Recursive with const references: assigning to a
// YAML::Node variable would rewrite the tree.
YAML::Node last_node(const YAML::Node& y) {
    if (y.IsSequence() && y.size() > 0) return last_node_of_child(y, y[y.size() - 1]);
    if (y.IsMap() && y.size() > 0) {
        auto last = y.begin();
        for (auto it = y.begin(); it != y.end(); ++it) last = it;
        return last_node_of_child(y, last->second.IsNull() ? last->first : last->second);
    }
    return y;
}

// yaml-cpp 0.7 accepts a quoted scalar that is never closed when the text ends with a line
// break: the scalar runs to the end, swallowing every line after its opening quote (a file
// with `excerpt: "x` loses its webUrl and gets a path id). Such a scalar is the last node of
// the document, so that is the only one to check: throws Error at its opening quote when no
// closing quote follows it.
void check_last_quote_closed(std::string_view text, const YAML::Node& root) {
    const YAML::Node last = last_node(root);
    if (!last.IsScalar() || last.Mark().is_null()) return;
    std::size_t i = static_cast<std::size_t>(last.Mark().pos);
    // The mark is at the node's properties (tag, anchor) when it has any.
    while (i < text.size() && (text[i] == '!' || text[i] == '&')) {
        while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n' &&
               text[i] != '\r') {
            ++i;
        }
        while (i < text.size() &&
               (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) {
            ++i;
        }
    }
    if (i >= text.size() || (text[i] != '"' && text[i] != '\'')) return;
    const std::size_t open = i;
    const char q = text[open];
    for (i = open + 1; i < text.size(); ++i) {
        if (q == '"' && text[i] == '\\') {
            ++i;  // an escaped character, also an escaped line break
        } else if (text[i] == q) {
            if (q == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
                ++i;  // '' is a quote inside a single-quoted scalar
            } else {
                return;
            }
        }
    }
    const auto [line, column] = line_column(text, open);
    throw Error{line, column,
                std::string("unterminated ") + (q == '"' ? "double" : "single") +
                    "-quoted string: no closing " + q + " before the end of the YAML"};
}

// yaml-cpp marks an empty item of a block sequence ("-" with nothing after it on its line) at
// the token after it, often on a later line, so a warning about the null item would point at
// the next item. The item's "-" is the last thing before that token but blanks and comments.
// Returns the offset just past that "-" and the spaces after it (where the fast reader marks
// the item), or nullopt when the text before `pos` does not end that way.
std::optional<std::size_t> empty_item_offset(std::string_view text, std::size_t pos) {
    std::size_t end = std::min(pos, text.size());
    while (true) {
        const std::size_t nl = end == 0 ? std::string_view::npos : text.rfind('\n', end - 1);
        const std::size_t start = nl == std::string_view::npos ? 0 : nl + 1;
        std::string_view seg = text.substr(start, end - start);
        for (std::size_t i = 0; i < seg.size(); ++i) {
            if (seg[i] == '#' && (i == 0 || seg[i - 1] == ' ' || seg[i - 1] == '\t')) {
                seg = seg.substr(0, i);  // a comment
                break;
            }
        }
        while (!seg.empty() && (seg.back() == ' ' || seg.back() == '\t' || seg.back() == '\r')) {
            seg.remove_suffix(1);
        }
        if (seg.empty()) {  // a blank or comment line: the "-" is further up
            if (start == 0) return std::nullopt;
            end = start - 1;
            continue;
        }
        if (seg.back() != '-' || (seg.size() > 1 && seg[seg.size() - 2] != ' ')) {
            return std::nullopt;
        }
        std::size_t after = start + seg.size();
        while (after < text.size() && text[after] == ' ') ++after;
        return after;
    }
}

struct Converter {
    Converter(const Limits& l, std::string_view t) : limits(l), text(t) {}

    const Limits& limits;
    std::string_view text;  // what yaml-cpp read, without a BOM: its marks point into it
    std::size_t nodes = 0;
    std::vector<std::size_t> line_ends;  // offsets of the '\n's of `text`, computed on first use

    // The 0-based line and column of offset `off` of `text`.
    std::pair<int, int> line_column_of(std::size_t off) {
        if (line_ends.empty()) {
            for (std::size_t i = 0; i < text.size(); ++i) {
                if (text[i] == '\n') line_ends.push_back(i);
            }
            line_ends.push_back(text.size());  // marks the table as built
        }
        const auto it = std::lower_bound(line_ends.begin(), line_ends.end(), off);
        const std::size_t line = static_cast<std::size_t>(it - line_ends.begin());
        const std::size_t start = line == 0 ? 0 : line_ends[line - 1] + 1;
        return {static_cast<int>(line), static_cast<int>(off - start)};
    }

    Node convert(const YAML::Node& y, int depth) {
        if (++nodes > limits.max_nodes) {
            throw Error{y.Mark().line, y.Mark().column,
                        "document too large after expanding aliases (over " +
                            std::to_string(limits.max_nodes) + " nodes)"};
        }
        Node n;
        n.line = y.Mark().is_null() ? -1 : y.Mark().line;
        n.column = y.Mark().is_null() ? -1 : y.Mark().column;
        switch (y.Type()) {
            case YAML::NodeType::Scalar:
                n.type = Type::Scalar;
                // yaml-cpp turns the \_ and \N escapes into single Latin-1 bytes.
                n.scalar = is_valid_utf8(y.Scalar()) ? y.Scalar() : sanitize_utf8(y.Scalar());
                break;
            case YAML::NodeType::Sequence:
                if (depth >= limits.max_depth) {
                    n.type = Type::Opaque;
                    break;
                }
                n.type = Type::Seq;
                for (const auto& item : y) {
                    Node c = convert(item, depth + 1);
                    if (c.type == Type::Null && y.Style() == YAML::EmitterStyle::Block &&
                        !item.Mark().is_null()) {
                        if (const auto off = empty_item_offset(
                                text, static_cast<std::size_t>(item.Mark().pos))) {
                            std::tie(c.line, c.column) = line_column_of(*off);
                        }
                    }
                    n.seq.push_back(std::move(c));
                }
                break;
            case YAML::NodeType::Map:
                if (depth >= limits.max_depth) {
                    n.type = Type::Opaque;
                    break;
                }
                n.type = Type::Map;
                for (const auto& kv : y) {
                    // Complex (non-scalar) keys cannot name a field: keep them out of lookups.
                    std::string key = kv.first.IsScalar() ? sanitize_utf8(kv.first.Scalar())
                                                          : std::string("\x01");
                    n.keys.push_back(std::move(key));
                    n.values.push_back(convert(kv.second, depth + 1));
                }
                break;
            default:
                break;
        }
        return n;
    }
};

}  // namespace

Node read_full(std::string_view text, const Limits& limits) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::DeepRecursion& e) {
        throw Error{e.mark.is_null() ? -1 : e.mark.line, e.mark.is_null() ? -1 : e.mark.column,
                    "nesting too deep (over " + std::to_string(e.depth()) + " levels)"};
    } catch (const YAML::ParserException& e) {
        if (e.mark.is_null()) throw Error{-1, -1, e.msg};
        if (e.msg == YAML::ErrorMsg::EOF_IN_SCALAR) {
            // An unclosed quote with no line break after it: yaml-cpp reports the end of the
            // text. With a line break it accepts the text, and the check says where the quote
            // opens.
            const std::string closed = std::string(text) + "\n";
            YAML::Node again;
            try {
                again = YAML::Load(closed);
            } catch (const YAML::Exception&) {
            }
            check_last_quote_closed(without_bom(closed), again);
        }
        throw Error{e.mark.line, e.mark.column, e.msg};
    } catch (const YAML::Exception& e) {
        throw Error{-1, -1, e.what()};
    }
    check_last_quote_closed(without_bom(text), root);
    Converter c(limits, without_bom(text));
    try {
        return c.convert(root, 0);
    } catch (const YAML::Exception& e) {
        throw Error{-1, -1, e.what()};
    }
}

}  // namespace news::yaml
