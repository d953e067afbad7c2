#include "story.hpp"

#include <xapian.h>

#include <algorithm>
#include <array>
#include <limits>
#include <set>
#include <string_view>

#include "schema.hpp"
#include "text.hpp"

namespace news {

namespace {

uint64_t mix(uint64_t x) {  // splitmix64 finaliser
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

}  // namespace

std::vector<std::string> words_of(const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    for (Xapian::Utf8Iterator it(text); it != Xapian::Utf8Iterator(); ++it) {
        const unsigned ch = *it;
        if (Xapian::Unicode::is_wordchar(ch)) {
            Xapian::Unicode::append_utf8(cur, Xapian::Unicode::tolower(ch));
        } else if (!cur.empty()) {
            out.push_back(std::move(cur));
            cur.clear();
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

Signature minhash(const std::string& text) {
    const auto words = words_of(text);
    if (words.empty()) return {};
    std::vector<uint64_t> shingles;
    if (words.size() == 1) {
        shingles.push_back(hash64(words[0]));
    } else {
        for (std::size_t i = 0; i + 1 < words.size(); ++i) {
            shingles.push_back(hash64(words[i] + ' ' + words[i + 1]));
        }
    }
    Signature sig(kMinHashes, std::numeric_limits<uint32_t>::max());
    for (uint64_t h : shingles) {
        for (int i = 0; i < kMinHashes; ++i) {
            const auto v = static_cast<uint32_t>(
                mix(h ^ (0x5851F42D4C957F2DULL * static_cast<uint64_t>(i + 1))) >> 32);
            if (v < sig[static_cast<std::size_t>(i)]) sig[static_cast<std::size_t>(i)] = v;
        }
    }
    return sig;
}

namespace {

constexpr std::array<std::string_view, 53> kFunctionWords{
    "a",    "an",   "and",   "are",  "as",    "at",    "be",   "by",    "for",   "from", "has",
    "have", "in",   "into",  "is",   "it",    "its",   "now",  "of",    "on",    "or",   "s",
    "that", "the",  "their", "this", "to",    "was",   "will", "with",  "new",   "says", "said",
    "how",  "what", "why",   "who",  "after", "over",  "up",   "out",   "about", "more", "can",
    "than", "you",  "your",  "our",  "could", "would", "may",  "might", "should"};

// Stems of the title's words other than function words ("lets" and "let" are one word here).
std::set<std::string> content_words(const std::string& title) {
    thread_local const Xapian::Stem stem("english");  // Stem is not thread-safe
    std::set<std::string> out;
    for (auto& w : words_of(title)) {
        if (std::find(kFunctionWords.begin(), kFunctionWords.end(), w) == kFunctionWords.end()) {
            out.insert(stem(w));
        }
    }
    return out;
}

}  // namespace

bool titles_compatible(const std::string& a, const std::string& b) {
    const auto wa = content_words(a), wb = content_words(b);
    std::size_t only_a = 0, only_b = 0;
    for (const auto& w : wa) only_a += wb.count(w) == 0;
    for (const auto& w : wb) only_b += wa.count(w) == 0;
    return only_a == 0 || only_b == 0;
}

double similarity(const Signature& a, const Signature& b) {
    if (a.empty() || a.size() != b.size()) return 0;
    std::size_t same = 0;
    for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
    return static_cast<double>(same) / static_cast<double>(a.size());
}

}  // namespace news
