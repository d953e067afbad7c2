// The HTML5 named character reference table (generated into html_entities.cpp by
// scripts/gen_html_entities.py from the WHATWG list) and its lookup.
#pragma once

#include <span>
#include <string_view>

namespace news {

struct HtmlEntity {
    // The key exactly as the standard spells it, without the '&': "ntilde;", and for the
    // 106 legacy names HTML5 also accepts without a semicolon, a second key "ntilde".
    std::string_view name;
    char32_t cp1;
    char32_t cp2;  // 0 unless the reference stands for two code points (&NotEqualTilde;)
};

// Every key of the standard's list, sorted by byte.
std::span<const HtmlEntity> html_entities();
// The entry whose key is exactly `key` (case-sensitive, ';' included if wanted), or nullptr.
// Binary search over a constant table: no allocation, no start-up cost.
const HtmlEntity* find_html_entity(std::string_view key);

}  // namespace news
