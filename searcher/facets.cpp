// Facet counts of a search (topic, provider, type, year) from Xapian match spies.
#include "facets.hpp"

#include <algorithm>
#include <map>

#include "errors.hpp"
#include "schema.hpp"

namespace news {

Xapian::valueno Facets::slot_of(const std::string& name) {
    if (name == "topic") return kSlotTopics;
    if (name == "provider") return kSlotProvider;
    if (name == "type") return kSlotType;
    if (name == "year") return kSlotDay;
    throw UsageError("unknown facet '" + name + "' (topic, provider, type, year)");
}

FacetCounts Facets::counts(std::size_t top) const {
    FacetCounts out;
    for (std::size_t i = 0; i < names_.size(); ++i) {
        const std::string& n = names_[i];
        std::map<std::string, std::size_t> counts;
        const Xapian::ValueCountMatchSpy& spy = spies_[i];
        for (auto it = spy.values_begin(); it != spy.values_end(); ++it) {
            const std::string v = *it;
            const auto c = static_cast<std::size_t>(it.get_termfreq());
            if (n == "topic") {
                for (std::size_t start = 0; start < v.size();) {
                    std::size_t end = v.find('\x1f', start);
                    if (end == std::string::npos) end = v.size();
                    counts[v.substr(start, end - start)] += c;
                    start = end + 1;
                }
            } else if (n == "year") {
                if (v.size() >= 4) counts[v.substr(0, 4)] += c;
            } else if (!v.empty()) {
                counts[v] += c;
            }
        }
        std::vector<std::pair<std::string, std::size_t>> sorted(counts.begin(), counts.end());
        std::sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) {
            if (n == "year") return a.first > b.first;
            return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        if (sorted.size() > top) sorted.resize(top);
        auto& values = out[n];
        for (const auto& [k, c] : sorted) values.push_back({k, static_cast<Xapian::doccount>(c)});
    }
    return out;
}

}  // namespace news
