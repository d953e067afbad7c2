// Command-line conventions of `searcher`, as pure functions main.cpp applies before and after
// CLI11 parses: the command word and `help`, "did you mean" for a misspelt command, common
// options before or after the command, colour (NO_COLOR, TERM=dumb), and the help texts made
// from the field table.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace news::cli {

// An option every subcommand takes, which may also come before the command word.
struct CommonOption {
    std::string_view name;  // "--index", "-i"
    bool takes_value;
};
// --index/-i, --format/-f, --color, --allow-partial.
const std::vector<CommonOption>& common_options();

// The position in args (args[0] is the program) of the command word: the first argument that
// is neither an option nor the value of one (top-level options that take a value are
// --config and the common options), nor after "--". args.size() when there is none.
std::size_t command_position(const std::vector<std::string>& args);

// `searcher --index IDX --format json search azure` as CLI11 reads it: the common options
// written before the command word are moved to just after it (where every subcommand defines
// them), and `--config FILE` written after it to just before it (where the program defines
// it), each with its value, in order. Arguments after "--" stay. Nothing moves when there is
// no command word.
std::vector<std::string> hoist_common_options(std::vector<std::string> args);

// The candidate closest to `word` by edit distance (a transposition counts 1), if it is close
// enough to be a slip: at most 1 edit for words up to 4 letters, else 2 (ties: the first); or
// the only candidate that `word` begins (at least 2 letters: `sea` for `search`).
std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string>& candidates);

// Colour in text output: `always`; never with `never`; with `auto`, only on a terminal, for
// text, and when neither NO_COLOR (set and not empty, https://no-color.org) nor TERM=dumb says
// otherwise. `no_color` and `term` are those variables (nullptr when unset).
bool use_color(std::string_view mode, bool is_tty, bool text, const char* no_color,
               const char* term);

// The query language for `searcher search --help`: the fields, from the field table kFields
// (each query name once, grouped by what it takes), and the operators.
std::string query_language_help();

}  // namespace news::cli
