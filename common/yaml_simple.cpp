// The fast YAML reader (read_simple): the block-style subset that article front matter uses
// (block mappings and sequences, single-line plain / 'single' / "double" quoted scalars,
// comments) straight into a Node tree. On anything outside the subset it gives up (nullopt)
// and read() hands the whole text to yaml-cpp (yaml_full.cpp).
#include "yaml_tree.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "text.hpp"

namespace news::yaml {

namespace {

struct GiveUp {};  // outside the subset: let yaml-cpp read it

struct Line {
    std::string_view text;  // without the line break and trailing CR
    int number;             // 0-based
    int indent;             // leading spaces
};

bool is_null_word(std::string_view s) {
    return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

class Simple {
  public:
    explicit Simple(std::string_view text) {
        int number = 0;
        std::size_t pos = 0;
        while (pos <= text.size()) {
            std::size_t nl = text.find('\n', pos);
            if (nl == std::string_view::npos) nl = text.size();
            std::string_view l = text.substr(pos, nl - pos);
            if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
            std::size_t ind = 0;
            while (ind < l.size() && l[ind] == ' ') ++ind;
            const std::string_view rest = l.substr(ind);
            if (!rest.empty() && rest.front() == '\t') throw GiveUp{};
            const bool blank = rest.empty() || rest.front() == '#';
            if (!blank) {
                if (ind == 0 &&
                    (rest.starts_with("---") || rest.starts_with("...") || rest.front() == '%')) {
                    throw GiveUp{};
                }
                lines_.push_back({l, number, static_cast<int>(ind)});
            }
            ++number;
            if (nl == text.size()) break;
            pos = nl + 1;
        }
    }

    Node document() {
        if (lines_.empty()) return Node{};
        Node n = block(lines_[0].indent);
        if (cur_ != lines_.size()) throw GiveUp{};  // e.g. a less indented line after the root
        return n;
    }

  private:
    static bool is_seq_item(std::string_view content) {
        return content == "-" || content.starts_with("- ");
    }
    std::string_view content(const Line& l) const {
        return l.text.substr(static_cast<std::size_t>(l.indent));
    }

    Node block(int indent) {
        if (++depth_ > 64) throw GiveUp{};
        Node n = is_seq_item(content(lines_[cur_])) ? sequence(indent) : mapping(indent);
        --depth_;
        return n;
    }

    // A value that may follow "key:" or "-" on the next lines.
    Node nested(int parent_indent, bool seq_same_indent_ok, int line, int column) {
        if (cur_ < lines_.size()) {
            const Line& l = lines_[cur_];
            if (l.indent > parent_indent) return block(l.indent);
            if (seq_same_indent_ok && l.indent == parent_indent && is_seq_item(content(l))) {
                return block(l.indent);
            }
        }
        Node n;
        n.line = line;
        n.column = column;
        return n;  // null
    }

    Node mapping(int indent) {
        Node m;
        m.type = Type::Map;
        m.line = lines_[cur_].number;
        m.column = indent;
        while (cur_ < lines_.size()) {
            Line& l = lines_[cur_];
            if (l.indent < indent) break;
            if (l.indent > indent) throw GiveUp{};
            std::string_view c = content(l);
            if (is_seq_item(c)) break;  // belongs to the parent (sequence at key indent)
            std::string key;
            std::size_t after;  // index in c just past the ':'
            if (c.front() == '"' || c.front() == '\'') {
                std::size_t end;
                key = quoted(c, 0, end);
                if (end >= c.size() || c[end] != ':') throw GiveUp{};
                // "key":value or "key":#x is yaml-cpp's to judge; so is a key longer than its
                // 1024-character limit for implicit keys.
                if (end + 1 < c.size() && c[end + 1] != ' ') throw GiveUp{};
                if (end > 1024) throw GiveUp{};
                after = end + 1;
            } else {
                if (std::string_view("?&*!%@`|>[]{},#").find(c.front()) != std::string_view::npos) {
                    throw GiveUp{};
                }
                std::size_t colon = std::string_view::npos;
                for (std::size_t i = 0; i < c.size(); ++i) {
                    if (c[i] == ':' && (i + 1 == c.size() || c[i + 1] == ' ')) {
                        colon = i;
                        break;
                    }
                    if (c[i] == '#' && i > 0 && c[i - 1] == ' ') throw GiveUp{};
                }
                if (colon == std::string_view::npos) throw GiveUp{};
                std::string_view k = c.substr(0, colon);
                while (!k.empty() && k.back() == ' ') k.remove_suffix(1);
                if (k.find('\t') != std::string_view::npos) throw GiveUp{};
                if (k.size() > 1024) throw GiveUp{};  // yaml-cpp's limit for implicit keys
                key = std::string(k);
                after = colon + 1;
            }
            const int value_col = l.indent + static_cast<int>(after);
            std::string_view rest = c.substr(after);
            const std::size_t lead = rest.find_first_not_of(' ');
            const int line_no = l.number;
            ++cur_;
            Node value;
            if (lead == std::string_view::npos || rest[lead] == '#') {
                value = nested(indent, true, line_no, value_col);
            } else {
                if (rest[lead] != ' ' && lead == 0) throw GiveUp{};
                value =
                    inline_scalar(rest.substr(lead), line_no, value_col + static_cast<int>(lead));
                if (cur_ < lines_.size() && lines_[cur_].indent > indent)
                    throw GiveUp{};  // continuation
            }
            m.keys.push_back(std::move(key));
            m.values.push_back(std::move(value));
        }
        return m;
    }

    Node sequence(int indent) {
        Node s;
        s.type = Type::Seq;
        s.line = lines_[cur_].number;
        s.column = indent;
        while (cur_ < lines_.size()) {
            Line& l = lines_[cur_];
            if (l.indent < indent) break;
            if (l.indent > indent) throw GiveUp{};
            std::string_view c = content(l);
            if (!is_seq_item(c)) break;
            std::size_t off = 1;
            while (off < c.size() && c[off] == ' ') ++off;
            const int item_col = l.indent + static_cast<int>(off);
            if (off >= c.size() || c[off] == '#') {
                const int line_no = l.number;
                ++cur_;
                s.seq.push_back(nested(indent, false, line_no, item_col));
                continue;
            }
            const std::string_view item = c.substr(off);
            if (is_seq_item(item)) throw GiveUp{};  // "- - x"
            if (looks_like_key(item)) {
                // "- key: value": a mapping whose indentation is the item's column.
                l.indent = item_col;
                s.seq.push_back(block(item_col));
                continue;
            }
            const int line_no = l.number;
            ++cur_;
            s.seq.push_back(inline_scalar(item, line_no, item_col));
            if (cur_ < lines_.size() && lines_[cur_].indent > indent) throw GiveUp{};
        }
        return s;
    }

    static bool looks_like_key(std::string_view c) {
        if (c.front() == '"' || c.front() == '\'') {
            const char q = c.front();
            std::size_t i = 1;
            for (; i < c.size(); ++i) {
                if (q == '"' && c[i] == '\\') {
                    ++i;
                    continue;
                }
                if (c[i] == q) {
                    if (q == '\'' && i + 1 < c.size() && c[i + 1] == '\'') {
                        ++i;
                        continue;
                    }
                    break;
                }
            }
            return i + 1 < c.size() && c[i + 1] == ':' && (i + 2 == c.size() || c[i + 2] == ' ');
        }
        for (std::size_t i = 0; i < c.size(); ++i) {
            if (c[i] == ':' && (i + 1 == c.size() || c[i + 1] == ' ')) return true;
            if (c[i] == '#' && i > 0 && c[i - 1] == ' ') return false;
        }
        return false;
    }

    // A scalar that sits on one line after "key: " or "- ".
    Node inline_scalar(std::string_view v, int line, int column) {
        Node n;
        n.line = line;
        n.column = column;
        const char f = v.front();
        if (f == '"' || f == '\'') {
            std::size_t end;
            n.scalar = quoted(v, 0, end);
            std::string_view tail = v.substr(end);
            const std::size_t t = tail.find_first_not_of(' ');
            if (t != std::string_view::npos && tail[t] != '#') throw GiveUp{};
            if (t != std::string_view::npos && t == 0) throw GiveUp{};
            n.type = Type::Scalar;
            return n;
        }
        if (f == '[' || f == '{' || f == '&' || f == '*' || f == '!' || f == '|' || f == '>' ||
            f == '%' || f == '@' || f == '`' || f == '?' || f == ',' || f == ']' || f == '}') {
            throw GiveUp{};
        }
        if (f == '-' && (v.size() == 1 || v[1] == ' ')) throw GiveUp{};
        // Plain: up to a " #" comment; ": " inside is not allowed in block context.
        std::size_t end = v.size();
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (v[i] == '#' && i > 0 && (v[i - 1] == ' ' || v[i - 1] == '\t')) {
                end = i;
                break;
            }
            if (v[i] == ':' && (i + 1 == v.size() || v[i + 1] == ' ' || v[i + 1] == '\t')) {
                throw GiveUp{};
            }
            if (v[i] == '\t') throw GiveUp{};
        }
        std::string_view s = v.substr(0, end);
        while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
        if (is_null_word(s)) return n;  // null
        n.type = Type::Scalar;
        n.scalar = std::string(s);
        return n;
    }

    // A quoted scalar starting at v[start]; `end` is set just past the closing quote. Gives
    // up on anything that spans lines or uses an escape we do not decode.
    static std::string quoted(std::string_view v, std::size_t start, std::size_t& end) {
        const char q = v[start];
        std::string out;
        std::size_t i = start + 1;
        while (true) {
            if (i >= v.size()) throw GiveUp{};  // continues on the next line
            const char c = v[i];
            if (c == q) {
                if (q == '\'' && i + 1 < v.size() && v[i + 1] == '\'') {
                    out += '\'';
                    i += 2;
                    continue;
                }
                end = i + 1;
                return out;
            }
            if (q == '"' && c == '\\') {
                if (i + 1 >= v.size()) throw GiveUp{};
                const char e = v[i + 1];
                i += 2;
                switch (e) {
                    case '0':
                        out += '\0';
                        break;
                    case 'a':
                        out += '\a';
                        break;
                    case 'b':
                        out += '\b';
                        break;
                    case 't':
                        out += '\t';
                        break;
                    case 'n':
                        out += '\n';
                        break;
                    case 'v':
                        out += '\v';
                        break;
                    case 'f':
                        out += '\f';
                        break;
                    case 'r':
                        out += '\r';
                        break;
                    case 'e':
                        out += '\x1b';
                        break;
                    case ' ':
                        out += ' ';
                        break;
                    case '"':
                        out += '"';
                        break;
                    case '/':
                        out += '/';
                        break;
                    case '\\':
                        out += '\\';
                        break;
                    case 'N':
                        append_utf8(out, 0x85);
                        break;
                    case '_':
                        append_utf8(out, 0xA0);
                        break;
                    case 'L':
                        append_utf8(out, 0x2028);
                        break;
                    case 'P':
                        append_utf8(out, 0x2029);
                        break;
                    case 'x':
                    case 'u':
                    case 'U': {
                        const std::size_t len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                        if (i + len > v.size()) throw GiveUp{};
                        uint32_t cp = 0;
                        for (std::size_t k = 0; k < len; ++k) {
                            const char h = v[i + k];
                            cp <<= 4;
                            if (h >= '0' && h <= '9')
                                cp |= static_cast<uint32_t>(h - '0');
                            else if (h >= 'a' && h <= 'f')
                                cp |= static_cast<uint32_t>(h - 'a' + 10);
                            else if (h >= 'A' && h <= 'F')
                                cp |= static_cast<uint32_t>(h - 'A' + 10);
                            else
                                throw GiveUp{};
                        }
                        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) throw GiveUp{};
                        append_utf8(out, cp);
                        i += len;
                        break;
                    }
                    default:
                        throw GiveUp{};
                }
                continue;
            }
            out += c;
            ++i;
        }
    }

    std::vector<Line> lines_;
    std::size_t cur_ = 0;
    int depth_ = 0;
};

}  // namespace

std::optional<Node> read_simple(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) return std::nullopt;  // a BOM inside: yaml-cpp's call
    try {
        Simple s(text);
        return s.document();
    } catch (const GiveUp&) {
        return std::nullopt;
    }
}

}  // namespace news::yaml
