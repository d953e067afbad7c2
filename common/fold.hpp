// Diacritic folding of words (ICU), and the stemmer both sides use: the indexer's
// TermGenerator and the searcher's QueryParser stem the folded word, so `Telefonica` finds
// `Telefónica` and `cafe` finds `café`. Only terms are folded: stored text, snippets and
// highlighting keep the original (the snippet generator and the highlighter fold through the
// same stemmer when they compare a word with the query's terms).
#pragma once

#include <xapian.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace news {

// `word` with its diacritics removed and Latin letters folded to ASCII (é→e, ß→ss, æ→ae,
// ø→o, ł→l; ICU's "NFD; [:Nonspacing Mark:] Remove; NFC; Latin-ASCII"). ASCII is returned as
// it is, without calling ICU. Case is left alone (the term generator lower-cases first).
std::string fold_diacritics(std::string_view word);

// The stemmer of an index: `language`'s Snowball stemmer applied to the folded word. Throws
// Xapian::InvalidArgumentError for an unknown language, like Xapian::Stem.
Xapian::Stem make_stemmer(const std::string& language);

// Where a thread's stemmer (make_thread_stemmer) also puts each word it is given, while
// `words` is set: the lower-cased words a TermGenerator reads, in order, with repeats.
struct StemTap {
    std::vector<std::string>* words = nullptr;
};

// make_stemmer for one thread's TermGenerator (the indexer's DocumentBuilder): the same
// stems, recent ones remembered (512 KiB, direct-mapped: a frequent word is stemmed about
// once, not once per occurrence), and each word handed to `tap` as well. Not to be shared
// between threads.
Xapian::Stem make_thread_stemmer(const std::string& language, std::shared_ptr<StemTap> tap);

}  // namespace news
