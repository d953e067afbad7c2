// Small text utilities: UTF-8 hygiene, HTML entities, case folding for terms, hashing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace news {

// Appends the UTF-8 encoding of code point `cp` (<= U+10FFFF).
void append_utf8(std::string& out, uint32_t cp);

// True if `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);
// Replaces every ill-formed sequence with U+FFFD, so the result is always valid UTF-8.
std::string sanitize_utf8(std::string_view s);
// Decodes HTML character references: every HTML5 named one (&amp; &ntilde; &NotEqualTilde;,
// see html_entities.hpp) and numeric ones (&#8217; &#x2019;). The ';' is required: the legacy
// forms HTML5 also reads without it (&amp &copy) are left as written, like unknown names
// (&foo;), wrong case (&AmP;) and malformed references, since in feed text "&copy=2" or
// "&notes" is more often literal. U+00A0 (&nbsp; &#160;) becomes a plain space. One level only.
std::string decode_html_entities(std::string_view s);
// Trims ASCII white space at both ends.
std::string_view trim(std::string_view s);
// ASCII lower-casing (terms of ids, hosts, types are compared ASCII-case-insensitively).
std::string ascii_lower(std::string_view s);
// Truncates to at most `max_bytes` without cutting a UTF-8 character in two.
std::string utf8_truncate(std::string_view s, std::size_t max_bytes);

// 64-bit FNV-1a: stable across platforms and runs (used in terms and in the file table).
uint64_t hash64(std::string_view s);
std::string hex64(uint64_t v);

}  // namespace news
