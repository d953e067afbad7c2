// Highlighting query words in titles (snippets are highlighted by Xapian's MSet::snippet).
#pragma once

#include <xapian.h>

#include <string>
#include <unordered_map>
#include <unordered_set>

namespace news {

// Wraps every word of a text that matches one of the query's terms (as written, or by its
// stem; a `title:` term by its word) in `start`/`end`; the text is never cut. Made once per
// query: it remembers each word's verdict (stemming is most of the cost).
class Highlighter {
  public:
    Highlighter(const Xapian::Query& query, const Xapian::Stem& stem, std::string start,
                std::string end);
    std::string operator()(const std::string& text);

  private:
    bool hit(const std::string& word);  // `word` lower-cased
    std::unordered_set<std::string> terms_;
    std::unordered_map<std::string, bool> seen_;
    Xapian::Stem stem_;
    std::string start_, end_;
};

// One text, highlighted (Highlighter).
std::string highlight(const std::string& text, const Xapian::Query& query, const Xapian::Stem& stem,
                      const std::string& start, const std::string& end);

}  // namespace news
