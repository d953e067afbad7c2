// Story clustering primitives: MinHash signatures of an article's title+excerpt word pairs and
// the title check that tells a retold story from a templated announcement.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace news {

using Signature = std::vector<uint32_t>;  // kMinHashes values; empty when there is no text

// Lower-cased words of `text` (Unicode word characters), in order.
std::vector<std::string> words_of(const std::string& text);

Signature minhash(const std::string& text);
// Whether two titles can name the same story: after dropping function words and stemming, the
// words only one title has must all be on one side (a shortened or extended headline). A word
// swapped for another is not allowed: "Private Link for Azure Database for MySQL" and "... for
// MariaDB" are two announcements, not one story told twice (precision over recall).
bool titles_compatible(const std::string& a, const std::string& b);

// Estimated Jaccard similarity: the fraction of equal MinHash values (0 when either is empty).
double similarity(const Signature& a, const Signature& b);

}  // namespace news
