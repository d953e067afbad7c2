// Diacritic folding of words (ICU), and the stemmer both sides use: the indexer's
// TermGenerator and the searcher's QueryParser stem the folded word, so `Telefonica` finds
// `Telefónica` and `cafe` finds `café`. Only terms are folded: stored text, snippets and
// highlighting keep the original (the snippet generator and the highlighter fold through the
// same stemmer when they compare a word with the query's terms).
#pragma once

#include <xapian.h>

#include <string>
#include <string_view>

namespace news {

// `word` with its diacritics removed and Latin letters folded to ASCII (é→e, ß→ss, æ→ae,
// ø→o, ł→l; ICU's "NFD; [:Nonspacing Mark:] Remove; NFC; Latin-ASCII"). ASCII is returned as
// it is, without calling ICU. Case is left alone (the term generator lower-cases first).
std::string fold_diacritics(std::string_view word);

// The stemmer of an index: `language`'s Snowball stemmer applied to the folded word. Throws
// Xapian::InvalidArgumentError for an unknown language, like Xapian::Stem.
Xapian::Stem make_stemmer(const std::string& language);

}  // namespace news
