// The YAML tree's own lookup (Node::get) and read(): the fast reader (yaml_simple.cpp) when
// the text is inside its subset, else yaml-cpp (yaml_full.cpp).
#include "yaml_tree.hpp"

namespace news::yaml {

const Node* Node::get(std::string_view key) const {
    if (type != Type::Map) return nullptr;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i] == key) return &values[i];
    }
    return nullptr;
}

Node read(std::string_view text, const Limits& limits) {
    if (auto n = read_simple(text)) return std::move(*n);
    return read_full(text, limits);
}

}  // namespace news::yaml
