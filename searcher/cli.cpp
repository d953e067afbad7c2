// Command-line conventions of `searcher` (cli.hpp): pure functions over the arguments, the
// environment and the field table, so they are unit-tested without running the program.
#include "cli.hpp"

#include <algorithm>
#include <numeric>

#include "schema.hpp"

namespace news::cli {

namespace {

constexpr std::string_view kConfig = "--config";

bool is_option(const std::string& a) {
    return a.size() > 1 && a[0] == '-';
}

// The option `a` is written as, when it is `opt` ("--index", "--index=X", "-i", "-iX"), and
// whether its value is the next argument.
bool matches(const std::string& a, std::string_view opt, bool takes_value, bool& value_next) {
    value_next = false;
    if (a == opt) {
        value_next = takes_value;
        return true;
    }
    if (!takes_value) return false;
    if (opt.starts_with("--"))
        return a.starts_with(opt) && a.size() > opt.size() && a[opt.size()] == '=';
    return a.size() > opt.size() && a.starts_with(opt);  // -iIDX, -fjson
}

// Whether `a` (an option) is followed by its value as the next argument.
bool value_follows(const std::string& a) {
    bool next = false;
    if (matches(a, kConfig, true, next)) return next;
    for (const auto& o : common_options()) {
        if (matches(a, o.name, o.takes_value, next)) return next;
    }
    return false;
}

// Optimal string alignment distance: insertions, deletions, substitutions and transpositions
// of two neighbours each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

// Words joined by spaces into lines of at most `width` columns, the first starting with
// `indent`, the others with as many spaces.
std::string wrap(const std::vector<std::string>& words, const std::string& indent,
                 std::size_t width = 90) {
    std::string out, line = indent;
    for (const auto& w : words) {
        if (line.size() > indent.size() && line.size() + 1 + w.size() > width) {
            out += line + "\n";
            line = std::string(indent.size(), ' ');  // continued under the first word
        }
        if (line.size() > indent.size()) line += ' ';
        line += w;
    }
    if (line.size() > indent.size()) out += line + "\n";
    return out;
}

}  // namespace

const std::vector<CommonOption>& common_options() {
    static const std::vector<CommonOption> options{{"--index", true},  {"-i", true},
                                                   {"--format", true}, {"-f", true},
                                                   {"--color", true},  {"--allow-partial", false}};
    return options;
}

std::size_t command_position(const std::vector<std::string>& args) {
    for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--") return args.size();
        if (!is_option(args[i])) return i;
        if (value_follows(args[i])) ++i;
    }
    return args.size();
}

std::vector<std::string> hoist_common_options(std::vector<std::string> args) {
    const std::size_t cmd = command_position(args);
    if (cmd >= args.size()) return args;
    std::vector<std::string> before, common, config, after;
    for (std::size_t i = 1; i < cmd; ++i) {
        bool next = false, is_common = false;
        for (const auto& o : common_options()) {
            if (matches(args[i], o.name, o.takes_value, next)) {
                is_common = true;
                break;
            }
        }
        std::vector<std::string>& to = is_common ? common : before;
        to.push_back(args[i]);
        if ((is_common ? next : value_follows(args[i])) && i + 1 < cmd) to.push_back(args[++i]);
    }
    bool dashes = false;
    for (std::size_t i = cmd + 1; i < args.size(); ++i) {
        bool next = false;
        dashes = dashes || args[i] == "--";
        if (!dashes && matches(args[i], kConfig, true, next)) {
            config.push_back(args[i]);
            if (next && i + 1 < args.size()) config.push_back(args[++i]);
            continue;
        }
        after.push_back(args[i]);
    }
    std::vector<std::string> out{args[0]};
    for (auto* part : {&before, &config}) out.insert(out.end(), part->begin(), part->end());
    out.push_back(args[cmd]);
    for (auto* part : {&common, &after}) out.insert(out.end(), part->begin(), part->end());
    return out;
}

std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string>& candidates) {
    if (word.empty()) return std::nullopt;
    std::optional<std::string> best;
    std::size_t best_d = word.size() <= 4 ? 1 : 2;
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (d <= best_d && (!best || d < best_d)) {
            best = c;
            best_d = d;
        }
    }
    if (best || word.size() < 2) return best;
    std::optional<std::string> prefix_of;
    for (const auto& c : candidates) {
        if (!c.starts_with(word)) continue;
        if (prefix_of) return std::nullopt;  // two commands begin so
        prefix_of = c;
    }
    return prefix_of;
}

bool use_color(std::string_view mode, bool is_tty, bool text, const char* no_color,
               const char* term) {
    if (mode == "always") return true;
    if (mode != "auto" || !is_tty || !text) return false;
    if (no_color && *no_color) return false;
    return !(term && std::string_view(term) == "dumb");
}

std::string query_language_help() {
    std::vector<std::string> words, exact, ranges, seen;
    for (const auto& f : kFields) {
        const std::string qn(f.query_name);
        if (qn.empty() || std::find(seen.begin(), seen.end(), qn) != seen.end()) continue;
        seen.push_back(qn);
        if (f.kind == FieldKind::Text) {
            words.push_back(qn + ":WORDS");
        } else if (f.kind == FieldKind::Boolean) {
            exact.push_back(qn + ":VALUE");
        } else {
            ranges.push_back(qn + ":A..B");
        }
    }
    std::string out =
        "Query language (docs/ranking.md):\n"
        "  word word      every word first, then articles with some (--match); stemmed and\n"
        "                 folded (Outages finds outage, Telefonica finds Telefónica)\n"
        "  \"a phrase\"     the words in this order\n"
        "  word*          words beginning so\n"
        "  +word -word    required, excluded\n"
        "  AND OR NOT XOR NEAR   in upper case (lower-case and, or, not are words); ( ) groups\n"
        "Fields (from the index schema, docs/schema.md):\n";
    out += wrap(words, "  words:  ");
    out += wrap(exact, "  exact:  ");
    out += wrap(ranges, "  ranges: ");
    out +=
        "          (open ends A.. and ..B; dates also as date:2021, date:2021-02)\n"
        "          is: takes removed, stub, featured or published\n";
    return out;
}

}  // namespace news::cli
