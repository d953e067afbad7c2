// Diacritic folding (fold.hpp) through a per-thread ICU transliterator, and the stemmer both
// programs make.
#include "fold.hpp"

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

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

}  // namespace news
