#include "story.hpp"

#include <xapian.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <string_view>

namespace news {

namespace {

constexpr std::array<std::string_view, 56> kFunctionWords{
    "a",   "an",    "and",    "are",  "as",    "at",   "be",   "by",    "for",   "from",
    "has", "have",  "in",     "into", "is",    "it",   "its",  "now",   "of",    "on",
    "or",  "s",     "that",   "the",  "their", "this", "to",   "was",   "will",  "with",
    "new", "says",  "said",   "how",  "what",  "why",  "who",  "after", "over",  "up",
    "out", "about", "more",   "can",  "than",  "you",  "your", "our",   "could", "would",
    "may", "might", "should", "vs",   "via",   "we"};

constexpr std::array<std::string_view, 19> kCalendarWords{
    "january",   "february", "march",    "april",    "june",   "july",    "august",
    "september", "october",  "november", "december", "monday", "tuesday", "wednesday",
    "thursday",  "friday",   "saturday", "sunday",   "sept"};  // "may" is a function word

bool in(std::string_view w, const auto& list) {
    return std::find(list.begin(), list.end(), w) != list.end();
}

// One word of a text as written, lower-cased, and whether it opens a sentence.
struct Token {
    std::string lower;
    bool capital = false;  // first letter upper or title case
    bool special = false;  // a digit, or two capitals ("5G", "CyberX", "NBA")
    bool first = false;    // first word of a sentence (or of a " - " / " | " clause)
};

std::vector<Token> tokens_of(const std::string& text) {
    std::vector<Token> out;
    Token cur;
    int capitals = 0;
    bool digit = false, boundary = true, space = false, stop = false;
    auto flush = [&] {
        if (cur.lower.empty()) return;
        cur.special = digit || capitals >= 2;
        out.push_back(std::move(cur));
        cur = Token{};
        capitals = 0;
        digit = false;
        space = stop = false;
    };
    for (Xapian::Utf8Iterator it(text); it != Xapian::Utf8Iterator(); ++it) {
        const unsigned ch = *it;
        if (Xapian::Unicode::is_wordchar(ch)) {
            if (cur.lower.empty()) {
                boundary = boundary || (space && stop);
                cur.first = boundary;
                boundary = false;
            }
            const auto cat = Xapian::Unicode::get_category(ch);
            const bool upper = cat == Xapian::Unicode::UPPERCASE_LETTER ||
                               cat == Xapian::Unicode::TITLECASE_LETTER;
            if (cur.lower.empty()) cur.capital = upper;
            capitals += upper;
            digit = digit || cat == Xapian::Unicode::DECIMAL_DIGIT_NUMBER;
            Xapian::Unicode::append_utf8(cur.lower, Xapian::Unicode::tolower(ch));
            continue;
        }
        flush();
        if (ch == '\n') boundary = true;
        if (Xapian::Unicode::is_whitespace(ch)) space = true;
        if (ch == '.' || ch == '!' || ch == '?' || ch == ':' || ch == ';' || ch == '|' ||
            ch == '-' || ch == 0x2013 || ch == 0x2014)
            stop = true;
    }
    flush();
    return out;
}

// A title is in Title Case when most of its content words start with a capital or a digit;
// its capitals then say nothing about names.
bool title_case(const std::vector<Token>& title) {
    std::size_t content = 0, capitalised = 0;
    for (const auto& t : title) {
        if (in(t.lower, kFunctionWords)) continue;
        ++content;
        capitalised += t.capital || t.special;
    }
    return content > 0 && 10 * capitalised > 6 * content;
}

bool may_name(const Token& t) {
    return !in(t.lower, kFunctionWords) && !in(t.lower, kCalendarWords);
}

}  // namespace

StoryText story_text(const std::string& title, const std::string& excerpt,
                     const std::string& provider) {
    const auto tt = tokens_of(title), et = tokens_of(excerpt);
    std::map<std::string, uint32_t> counts;
    for (const auto* list : {&tt, &et})
        for (const auto& t : *list) ++counts[t.lower];
    StoryText out;
    out.provider = provider;
    out.words.assign(counts.begin(), counts.end());
    auto index_of = [&](const std::string& w) {
        auto it = std::lower_bound(out.words.begin(), out.words.end(), w,
                                   [](const auto& p, const std::string& s) { return p.first < s; });
        return static_cast<uint32_t>(it - out.words.begin());
    };
    std::set<uint32_t> names, title_names;
    std::set<std::string> excerpt_capitals;
    for (const auto& t : et) {
        if (!may_name(t)) continue;
        if (t.capital) excerpt_capitals.insert(t.lower);
        if (t.special || (t.capital && !t.first)) names.insert(index_of(t.lower));
    }
    const bool titled = title_case(tt);
    for (const auto& t : tt) {
        if (!may_name(t)) continue;
        const bool name = t.special ||
                          (titled ? excerpt_capitals.count(t.lower) > 0 : t.capital && !t.first) ||
                          names.count(index_of(t.lower)) > 0;
        if (!name) continue;
        names.insert(index_of(t.lower));
        title_names.insert(index_of(t.lower));
    }
    out.entities.assign(names.begin(), names.end());
    out.title_entities.assign(title_names.begin(), title_names.end());
    return out;
}

namespace {

bool has_word(const StoryText& t, const std::string& w) {
    return std::binary_search(t.words.begin(), t.words.end(), std::make_pair(w, 0u),
                              [](const auto& x, const auto& y) { return x.first < y.first; });
}

// Whether `a`'s title names something `b` never mentions.
bool names_missing(const StoryText& a, const StoryText& b) {
    for (uint32_t i : a.title_entities)
        if (!has_word(b, a.words[i].first)) return true;
    return false;
}

}  // namespace

double text_cosine(const StoryText& a, const StoryText& b) {
    auto weight = [](const std::pair<std::string, uint32_t>& w) {
        return in(w.first, kFunctionWords) ? 0.0 : 1.0 + std::log(static_cast<double>(w.second));
    };
    double dot = 0, na = 0, nb = 0;
    auto i = a.words.begin();
    auto j = b.words.begin();
    while (i != a.words.end() || j != b.words.end()) {
        if (j == b.words.end() || (i != a.words.end() && i->first < j->first)) {
            const double w = weight(*i++);
            na += w * w;
        } else if (i == a.words.end() || j->first < i->first) {
            const double w = weight(*j++);
            nb += w * w;
        } else {
            const double wa = weight(*i++), wb = weight(*j++);
            dot += wa * wb;
            na += wa * wa;
            nb += wb * wb;
        }
    }
    return na > 0 && nb > 0 ? dot / std::sqrt(na * nb) : 0.0;
}

bool same_story(const StoryText& a, const StoryText& b, const StoryRule& rule) {
    if (a.empty() || b.empty()) return false;
    if (names_missing(a, b) && names_missing(b, a)) return false;
    const double cosine = text_cosine(a, b);
    if (cosine >= rule.close) return true;
    if (cosine < rule.named || (!a.provider.empty() && a.provider == b.provider)) return false;
    for (uint32_t i : a.entities)
        for (uint32_t k : b.entities)
            if (b.words[k].first == a.words[i].first) return true;
    return false;
}

}  // namespace news
