// Highlighting: marks the words of a text that match a query's terms, splitting words as
// Xapian's TermGenerator does, so a marked word is one the match saw.
#include "highlight.hpp"

#include <xapian/unicode.h>

namespace news {

Highlighter::Highlighter(const Xapian::Query& query, const Xapian::Stem& stem, std::string start,
                         std::string end)
    : stem_(stem), start_(std::move(start)), end_(std::move(end)) {
    for (auto t = query.get_terms_begin(); t != query.get_terms_end(); ++t) {
        const std::string term = *t;
        if (term.empty()) continue;
        if (term.compare(0, 2, "ZS") == 0 && term.size() > 2) {  // title:word, stemmed
            terms_.insert(std::string("Z").append(term, 2));
        } else if (term[0] == 'Z') {
            terms_.insert(term);
        } else if (term[0] == 'S' && term.size() > 1) {  // title:word
            terms_.insert(term.substr(1));
        } else if (!(term[0] >= 'A' && term[0] <= 'Z')) {
            terms_.insert(term);
        }
    }
}

bool Highlighter::hit(const std::string& word) {
    if (terms_.count(word)) return true;
    auto [at, added] = seen_.try_emplace(word, false);
    if (added) at->second = terms_.count(std::string("Z").append(stem_(word))) > 0;
    return at->second;
}

namespace {

// The characters Xapian's TermGenerator (1.4) keeps inside a word between two word
// characters: apostrophes (U+2019 and U+201B read as '), '&' (AT&T) and a few more; between
// two digits, the separators of numbers (3.5, 1,000). Zero-width characters are skipped.
constexpr unsigned kIgnoredInfix = 0xFFFFFFFF;
bool zero_width(unsigned ch) {
    return ch >= 0x200b && (ch <= 0x200d || ch == 0x2060 || ch == 0xfeff);
}
unsigned word_infix(unsigned ch) {
    if (ch == '\'' || ch == '&' || ch == 0xb7 || ch == 0x5f4 || ch == 0x2027) return ch;
    if (ch == 0x2019 || ch == 0x201b) return '\'';
    return zero_width(ch) ? kIgnoredInfix : 0;
}
unsigned number_infix(unsigned ch) {
    switch (ch) {
        case ',':
        case '.':
        case ';':
        case 0x037e:
        case 0x0589:
        case 0x060d:
        case 0x07f8:
        case 0x2044:
        case 0xfe10:
        case 0xfe13:
        case 0xfe14:
            return ch;
        default:
            return zero_width(ch) ? kIgnoredInfix : 0;
    }
}
bool decimal_digit(unsigned ch) {
    return Xapian::Unicode::get_category(ch) == Xapian::Unicode::DECIMAL_DIGIT_NUMBER;
}
bool ascii_upper(unsigned ch) {
    return ch >= 'A' && ch <= 'Z';
}

}  // namespace

// Splits the text into the words the TermGenerator indexes (the rules of its parse_terms,
// without CJK n-grams, which the index does not use): initials (U.S.), words with infixes
// (o'brien, at&t, 3.5) and up to three '+' or '#' at a word's end (c++, c#).
std::string Highlighter::operator()(const std::string& text) {
    using Xapian::Utf8Iterator;
    namespace U = Xapian::Unicode;
    std::string out;
    out.reserve(text.size() + 32);
    const Utf8Iterator end;
    Utf8Iterator it(text);
    std::size_t copied = 0;  // bytes of `text` already in `out`
    std::size_t initials_failed_to = 0;
    auto offset = [&](const Utf8Iterator& i) {
        return i == end ? text.size() : static_cast<std::size_t>(i.raw() - text.data());
    };
    auto emit = [&](std::size_t from, std::size_t to, const std::string& term) {
        out.append(text, copied, from - copied);
        const bool h = hit(term);
        if (h) out += start_;
        out.append(text, from, to - from);
        if (h) out += end_;
        copied = to;
    };
    while (it != end) {
        if (!U::is_wordchar(*it)) {
            ++it;
            continue;
        }
        const std::size_t from = offset(it);
        std::string term;
        // Initials: U.S., P.T.O. A run that fails (followed by a word character) fails from
        // each of its later letters too, at the same place: not scanned again, so that a long
        // "A.A.A...x" costs linear time.
        if (ascii_upper(*it) && from >= initials_failed_to) {
            Utf8Iterator p = it;
            do {
                U::append_utf8(term, U::tolower(*p));
                ++p;
            } while (p != end && *p == '.' && ++p != end && ascii_upper(*p));
            if (term.size() > 1 && (p == end || !U::is_wordchar(*p))) {
                it = p;
                emit(from, offset(it), term);
                continue;
            }
            initials_failed_to = offset(p);
            term.clear();
        }
        bool at_end = false;
        while (true) {
            unsigned prev = 0;
            while (it != end && U::is_wordchar(*it)) {
                prev = *it;
                U::append_utf8(term, U::tolower(*it));
                ++it;
            }
            if (it == end) {
                at_end = true;
                break;
            }
            Utf8Iterator next = it;
            ++next;
            if (next == end || !U::is_wordchar(*next)) break;
            const unsigned infix =
                decimal_digit(prev) && decimal_digit(*next) ? number_infix(*it) : word_infix(*it);
            if (!infix) break;
            if (infix != kIgnoredInfix) U::append_utf8(term, infix);
            it = next;
        }
        std::size_t to = offset(it);
        if (!at_end) {  // a suffix of up to three '+' or '#', not followed by a word character
            Utf8Iterator p = it;
            std::string suffix;
            while (p != end && (*p == '+' || *p == '#') && suffix.size() <= 3) {
                suffix += static_cast<char>(*p);
                ++p;
            }
            if (!suffix.empty() && suffix.size() <= 3 && (p == end || !U::is_wordchar(*p))) {
                term += suffix;
                it = p;
                to = offset(it);
            }
        }
        emit(from, to, term);
    }
    out.append(text, copied, std::string::npos);
    return out;
}

std::string highlight(const std::string& text, const Xapian::Query& query, const Xapian::Stem& stem,
                      const std::string& start, const std::string& end) {
    return Highlighter(query, stem, start, end)(text);
}

}  // namespace news
