// A small YAML document tree, and the two ways we build it:
//  - a fast reader for the block-style subset that article front matter uses (block mappings
//    and sequences, single-line plain / 'single' / "double" quoted scalars, comments):
//    yaml_simple.cpp;
//  - yaml-cpp, for everything else (flow style, anchors and aliases, tags, block scalars,
//    multi-line scalars) and for every error message: yaml_full.cpp.
// The fast reader never guesses: on anything outside its subset it gives up and yaml-cpp
// reads the whole text, so both paths give the same tree (tests/test_parser_paths.cpp checks this).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace news::yaml {

enum class Type { Null, Scalar, Map, Seq, Opaque };

struct Node {
    Type type = Type::Null;
    std::string scalar;             // Scalar
    std::vector<std::string> keys;  // Map: keys in document order ...
    std::vector<Node> values;       // ... and their values (parallel vectors: a std::pair
                                    // of an incomplete Node does not compile with clang)
    std::vector<Node> seq;          // Seq
    int line = -1;                  // 0-based within the YAML text
    int column = -1;

    // The first value under `key` of a Map; nullptr when absent or not a map.
    const Node* get(std::string_view key) const;
    bool is_null() const { return type == Type::Null; }
};

// The fast path. nullopt when the text is outside the subset (not an error).
std::optional<Node> read_simple(std::string_view text);

struct Limits {
    int max_depth = 8;               // deeper content becomes Opaque (the schema needs 5)
    std::size_t max_nodes = 200000;  // alias expansion past this is an error (a real
                                     // article with 500 related entries has ~15,000)
};

// A syntax error from yaml-cpp (0-based line/column; -1 when unknown) or a limit hit.
struct Error {
    int line = -1;
    int column = -1;
    std::string message;
};

// The full YAML parser. Throws Error.
Node read_full(std::string_view text, const Limits& limits = {});

// read_simple, else read_full.
Node read(std::string_view text, const Limits& limits = {});

}  // namespace news::yaml
