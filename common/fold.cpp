// Diacritic folding (fold.hpp) through a per-thread ICU transliterator, and the stemmer both
// programs make.
#include "fold.hpp"

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace news {

namespace {

// One transliterator per thread (ICU transliterators are not to be shared between threads
// while in use); made on first use, about a millisecond.
icu::Transliterator& folder() {
    thread_local std::unique_ptr<icu::Transliterator> t = [] {
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<icu::Transliterator> made(icu::Transliterator::createInstance(
            "NFD; [:Nonspacing Mark:] Remove; NFC; Latin-ASCII", UTRANS_FORWARD, status));
        if (U_FAILURE(status) || !made)
            throw std::runtime_error(std::string("ICU: cannot make the folding transliterator: ") +
                                     u_errorName(status));
        return made;
    }();
    return *t;
}

class FoldingStem : public Xapian::StemImplementation {
  public:
    explicit FoldingStem(const std::string& language) : inner_(language), language_(language) {}
    std::string operator()(const std::string& word) override {
        return inner_(fold_diacritics(word));
    }
    std::string get_description() const override { return "fold+" + language_; }

  private:
    Xapian::Stem inner_;
    std::string language_;
};

class ThreadStem : public FoldingStem {
  public:
    ThreadStem(const std::string& language, std::shared_ptr<StemTap> tap)
        : FoldingStem(language), tap_(std::move(tap)), lines_(kLines) {}
    std::string operator()(const std::string& word) override {
        if (tap_ && tap_->words) tap_->words->push_back(word);
        if (word.size() > kLong) return FoldingStem::operator()(word);
        // A direct-mapped memory of recent stems, one cache line each, small enough to stay
        // in a core's cache: a hash table of the whole vocabulary (hundreds of thousands of
        // words at 200k articles) missed the cache on most look-ups and saved little.
        Line& l = lines_[std::hash<std::string_view>{}(word) & (kLines - 1)];
        if (l.word_size == word.size() && std::memcmp(l.word, word.data(), word.size()) == 0)
            return std::string(l.stem, l.stem_size);
        std::string stem = FoldingStem::operator()(word);
        if (stem.size() <= kLong) {
            l.word_size = static_cast<unsigned char>(word.size());
            std::memcpy(l.word, word.data(), word.size());
            l.stem_size = static_cast<unsigned char>(stem.size());
            std::memcpy(l.stem, stem.data(), stem.size());
        }
        return stem;
    }

  private:
    static constexpr std::size_t kLong = 30;     // longer words and stems are not remembered
    static constexpr std::size_t kLines = 8192;  // 512 KiB
    struct alignas(64) Line {
        unsigned char word_size = 0xFF;  // no word is this long: an empty line matches nothing
        unsigned char stem_size = 0;
        char word[kLong];
        char stem[kLong];
    };
    std::shared_ptr<StemTap> tap_;
    std::vector<Line> lines_;
};

}  // namespace

std::string fold_diacritics(std::string_view word) {
    if (std::all_of(word.begin(), word.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
        return std::string(word);
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(
        icu::StringPiece(word.data(), static_cast<int32_t>(word.size())));
    folder().transliterate(u);
    std::string out;
    u.toUTF8String(out);
    // Latin-ASCII spells a few symbols with spaces (½ -> " 1/2"): a term has none.
    out.erase(std::remove(out.begin(), out.end(), ' '), out.end());
    return out.empty() ? std::string(word) : out;
}

Xapian::Stem make_stemmer(const std::string& language) {
    return Xapian::Stem(new FoldingStem(language));
}

Xapian::Stem make_thread_stemmer(const std::string& language, std::shared_ptr<StemTap> tap) {
    return Xapian::Stem(new ThreadStem(language, std::move(tap)));
}

}  // namespace news
