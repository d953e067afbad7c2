// The story rule (story.hpp): what it reads of an article (its words and the names it
// mentions) and whether two articles tell one story.
#include "story.hpp"

#include <xapian.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <string_view>

#include "text.hpp"

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
    bool capital = false;   // first letter upper or title case
    bool special = false;   // a digit and a letter, or two capitals ("5G", "CyberX", "NBA")
    bool first = false;     // first word of a sentence (or of a " - " / " | " clause)
    bool number = false;    // digits only
    bool function = false;  // in kFunctionWords
    bool calendar = false;  // in kCalendarWords
};

std::vector<Token> tokens_of(const std::string& text) {
    std::vector<Token> out;
    Token cur;
    int capitals = 0;
    bool digit = false, letter = false, boundary = true, space = false, stop = false;
    auto flush = [&] {
        if (cur.lower.empty()) return;
        cur.special = (digit && letter) || capitals >= 2;  // "2020" or "1" is no name
        cur.number = digit && !letter;
        // Looked up once here: the rule asks up to four times per word.
        cur.function = in(cur.lower, kFunctionWords);
        cur.calendar = !cur.function && in(cur.lower, kCalendarWords);
        out.push_back(std::move(cur));
        cur = Token{};
        capitals = 0;
        digit = letter = false;
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
            letter = letter || cat == Xapian::Unicode::UPPERCASE_LETTER ||
                     cat == Xapian::Unicode::LOWERCASE_LETTER ||
                     cat == Xapian::Unicode::TITLECASE_LETTER ||
                     cat == Xapian::Unicode::OTHER_LETTER;
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
        if (t.function) continue;
        ++content;
        capitalised += t.capital || t.special || t.number;
    }
    return content > 0 && 10 * capitalised > 6 * content;
}

bool may_name(const Token& t) {
    return !t.function && !t.calendar;
}

}  // namespace

StoryText story_text(const std::string& title, const std::string& excerpt,
                     const std::string& provider) {
    const auto tt = tokens_of(title), et = tokens_of(excerpt);
    std::map<uint64_t, std::pair<uint32_t, bool>> counts;  // hash -> count, function word
    for (const auto* list : {&tt, &et})
        for (const auto& t : *list) {
            auto& c = counts[hash64(t.lower)];
            ++c.first;
            c.second = t.function;
        }
    StoryText out;
    out.provider = provider;
    double sq = 0;
    for (const auto& [h, c] : counts) {
        const float w = c.second ? 0.0F : static_cast<float>(1.0 + std::log(double(c.first)));
        out.words.push_back(h);
        out.weights.push_back(w);
        sq += double(w) * double(w);
    }
    out.norm = std::sqrt(sq);
    std::set<std::string> names, title_names, excerpt_capitals;
    for (const auto& t : et) {
        if (!may_name(t)) continue;
        if (t.capital) excerpt_capitals.insert(t.lower);
        if (t.special || (t.capital && !t.first)) names.insert(t.lower);
    }
    const bool titled = title_case(tt);
    for (const auto& t : tt) {
        if (!may_name(t)) continue;
        // A number in a title tells two stories apart ("Windows 10" / "Windows 11", "AZ-900" /
        // "AZ-204") but sharing one ("$1 bln" / "$1.5 billion") makes no story.
        if (t.number) {
            title_names.insert(t.lower);
            continue;
        }
        const bool name = t.special ||
                          (titled ? excerpt_capitals.count(t.lower) > 0 : t.capital && !t.first) ||
                          names.count(t.lower) > 0;
        if (!name) continue;
        names.insert(t.lower);
        title_names.insert(t.lower);
    }
    out.names.assign(names.begin(), names.end());
    out.title_names.assign(title_names.begin(), title_names.end());
    return out;
}

bool StoryText::mentions(const std::string& word) const {
    return std::binary_search(words.begin(), words.end(), hash64(word));
}

namespace {

// Whether `a`'s title names something `b` never mentions.
bool names_missing(const StoryText& a, const StoryText& b) {
    for (const auto& name : a.title_names)
        if (!b.mentions(name)) return true;
    return false;
}

bool share_a_name(const StoryText& a, const StoryText& b) {
    auto i = a.names.begin();
    auto j = b.names.begin();
    while (i != a.names.end() && j != b.names.end()) {
        if (*i == *j) return true;
        if (*i < *j) {
            ++i;
        } else {
            ++j;
        }
    }
    return false;
}

}  // namespace

double text_cosine(const StoryText& a, const StoryText& b) {
    if (a.norm <= 0 || b.norm <= 0) return 0.0;
    double dot = 0;
    std::size_t i = 0, j = 0;
    while (i < a.words.size() && j < b.words.size()) {
        if (a.words[i] == b.words[j]) {
            dot += double(a.weights[i++]) * double(b.weights[j++]);
        } else if (a.words[i] < b.words[j]) {
            ++i;
        } else {
            ++j;
        }
    }
    return dot / (a.norm * b.norm);
}

bool same_story(const StoryText& a, const StoryText& b, const StoryRule& rule) {
    if (a.empty() || b.empty()) return false;
    if (names_missing(a, b) && names_missing(b, a)) return false;
    const double cosine = text_cosine(a, b);
    if (cosine >= rule.close) return true;
    if (cosine < rule.named || (!a.provider.empty() && a.provider == b.provider)) return false;
    return share_a_name(a, b);
}

}  // namespace news
