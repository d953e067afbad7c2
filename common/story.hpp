// The story rule: whether two articles published close together tell one story (the same
// wire story on two sites, one announcement covered twice) or two (templated announcements
// that differ in the product, the region or the company they name). It compares the names an
// article mentions (its entities), not only its words; docs/ranking.md has the rule and its
// measured effect on judged pairs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace news {

// What the story rule reads of one article, from its title, excerpt and provider, in the form
// the rule compares fast (it runs for every candidate pair of the story pass).
struct StoryText {
    // Hashes of the lower-cased words of the title and excerpt, sorted, each once, with the
    // word's weight in the text vector (1 + log count; 0 for function words).
    std::vector<uint64_t> words;
    std::vector<float> weights;
    double norm = 0;  // Euclidean norm of `weights`
    // The names it mentions, and those its title mentions, numbers included (lower-cased,
    // sorted).
    std::vector<std::string> names;
    std::vector<std::string> title_names;
    std::string provider;
    bool empty() const { return words.empty(); }
    bool mentions(const std::string& word) const;
};

// Entities are found from capitalisation in context: a word written with a capital inside a
// sentence ("signed a deal with the NBA"), a word with a digit and a letter or two capitals
// ("5G", "CyberX", "EPYC"), and, when the title is in Title Case (more than 60% of its words
// other than function words start with a capital or are numbers), a title word the excerpt
// writes with a capital. Months and weekdays are not names; a number is a title name (it tells
// two stories apart) but not a name two articles can share.
StoryText story_text(const std::string& title, const std::string& excerpt,
                     const std::string& provider);

// Cosine of the two texts' word-count vectors (1 + log count), function words left out.
double text_cosine(const StoryText& a, const StoryText& b);

// The two cosines of the rule.
struct StoryRule {
    double named = 0.3;  // texts that share a name, from two providers
    double close = 0.7;  // any two texts, from one provider too
};

// One story when
//  - neither title names something the other article never mentions while the other's title
//    does the same (MySQL / PostgreSQL, Poland / Italy: a swapped name is another story), and
//  - they share a name, come from two providers (a publisher rarely covers one event twice,
//    but runs many templated posts about one product) and their texts are similar (cosine >=
//    `rule.named`), or their texts are close (cosine >= `rule.close`).
// It reads the two articles only, no corpus statistics, so stories do not depend on what else
// is indexed or in which order.
bool same_story(const StoryText& a, const StoryText& b, const StoryRule& rule = {});

}  // namespace news
