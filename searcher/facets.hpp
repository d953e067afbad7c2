// Facet counts of a search: topic, provider, type and year, counted by Xapian match spies.
#pragma once

#include <xapian.h>

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "results.hpp"

namespace news {

// Facet counts over every document the matcher sees (the whole match set when check_at_least
// covers the database), with Xapian's own ValueCountMatchSpy so they work on remote shards
// too (xapian-tcpsrv knows only built-in spies). Topics are one value per document (joined by
// 0x1f): each distinct combination's count is added to each of its topics, which is exact.
// Years are counted from the publication-day slot.
class Facets {
  public:
    explicit Facets(const std::vector<std::string>& names) {
        for (const auto& n : names) {  // each once
            if (std::find(names_.begin(), names_.end(), n) != names_.end()) continue;
            names_.push_back(n);
            spies_.emplace_back(slot_of(n));
        }
    }
    void attach(Xapian::Enquire& enq) {
        for (auto& s : spies_) enq.add_matchspy(&s);
    }
    // The `top` most frequent values of each facet (years: the newest), by facet name.
    FacetCounts counts(std::size_t top) const;

  private:
    static Xapian::valueno slot_of(const std::string& name);  // throws UsageError
    std::vector<std::string> names_;
    std::deque<Xapian::ValueCountMatchSpy> spies_;  // the Enquire keeps pointers to them
};

}  // namespace news
