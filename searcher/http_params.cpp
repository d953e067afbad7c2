// HTTP query parameters → SearchOptions / RelatedOptions through the CLI's own conversion
// (options.hpp). Only value syntax (numbers, booleans, names) and the HTTP limits are checked
// here; everything else is resolve_search / resolve_related.
#include "http_params.hpp"

#include <cmath>
#include <cstdlib>
#include <functional>
#include <set>
#include <type_traits>

#include "options.hpp"

namespace news {

namespace {

// The parameters of one request, each read at most once; unknown ones are refused.
class Reader {
  public:
    explicit Reader(const HttpParams& p) : p_(p) {
        if (p.size() > kMaxParams)
            throw UsageError("too many parameters (at most " + std::to_string(kMaxParams) + ")");
        for (const auto& [k, v] : p) {
            if (v.size() > kMaxParamBytes)
                throw ParamError(k, "at most " + std::to_string(kMaxParamBytes) + " bytes");
            // A NUL would cut every message that quotes the value (and means nothing in a query).
            if (v.find('\0') != std::string::npos || k.find('\0') != std::string::npos)
                throw ParamError(k.substr(0, k.find('\0')), "contains a NUL byte");
        }
    }
    // The single value of `name`, if given. Throws ParamError when given twice.
    const std::string* one(const std::string& name) {
        seen_.insert(name);
        const auto n = p_.count(name);
        if (n == 0) return nullptr;
        if (n > 1) throw ParamError(name, "given more than once");
        return &p_.find(name)->second;
    }
    std::vector<std::string> all(const std::string& name) {
        seen_.insert(name);
        std::vector<std::string> out;
        auto [b, e] = p_.equal_range(name);
        for (auto it = b; it != e; ++it) out.push_back(it->second);
        return out;
    }
    void text(const std::string& name, std::string& out) {
        if (const auto* v = one(name)) out = *v;
    }
    void choice(const std::string& name, std::string& out, std::set<std::string> allowed) {
        const auto* v = one(name);
        if (!v) return;
        if (!allowed.count(*v)) {
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            throw ParamError(name, "expected one of " + list + ", got '" + *v + "'");
        }
        out = *v;
    }
    void flag(const std::string& name, bool& out) {
        const auto* v = one(name);
        if (!v) return;
        if (v->empty() || *v == "1" || *v == "true" || *v == "on" || *v == "yes") {
            out = true;
        } else if (*v == "0" || *v == "false" || *v == "off" || *v == "no") {
            out = false;
        } else {
            throw ParamError(name, "expected true or false, got '" + *v + "'");
        }
    }
    template <typename T>
    void number(const std::string& name, T& out) {
        if (const auto* v = one(name)) out = static_cast<T>(parse_double(name, *v));
    }
    void number(const std::string& name, std::optional<double>& out) {
        if (const auto* v = one(name)) out = parse_double(name, *v);
    }
    void count(const std::string& name, unsigned& out, unsigned long lo, unsigned long hi) {
        static_assert(std::is_same_v<unsigned, Xapian::doccount>);
        if (const auto* v = one(name)) out = static_cast<unsigned>(parse_count(name, *v, lo, hi));
    }
    // Every parameter was read. Throws ParamError for the first unknown one.
    void done() const {
        for (const auto& [k, v] : p_) {
            if (!seen_.count(k)) throw ParamError(k, "unknown parameter");
        }
    }

  private:
    static double parse_double(const std::string& name, const std::string& v) {
        char* end = nullptr;
        const double d = std::strtod(v.c_str(), &end);
        if (v.empty() || *end || !std::isfinite(d))
            throw ParamError(name, "expected a number, got '" + v + "'");
        return d;
    }
    static unsigned long parse_count(const std::string& name, const std::string& v,
                                     unsigned long lo, unsigned long hi) {
        const bool digits =
            !v.empty() && v.size() <= 9 && v.find_first_not_of("0123456789") == std::string::npos;
        const unsigned long n = digits ? std::strtoul(v.c_str(), nullptr, 10) : 0;
        if (!digits || n < lo || n > hi)
            throw ParamError(name, "expected a whole number from " + std::to_string(lo) + " to " +
                                       std::to_string(hi) + ", got '" + v + "'");
        return n;
    }

    const HttpParams& p_;
    std::set<std::string> seen_;
};

void read_filters(Reader& r, FilterFlags& ff) {
    r.number("min-quality", ff.min_q);
    r.number("max-quality", ff.max_q);
    r.text("since", ff.since);
    r.text("until", ff.until);
    ff.f.topics = r.all("topic");
    ff.f.providers = r.all("provider");
    ff.f.types = r.all("type");
    ff.f.categories = r.all("category");
    r.flag("include-removed", ff.f.include_removed);
    r.flag("include-stubs", ff.f.include_stubs);
}

}  // namespace

SearchRequest search_request(const HttpParams& p) {
    Reader r(p);
    SearchFlags sf;
    SearchOptions& so = sf.so;
    if (const auto* q = r.one("q")) sf.words.push_back(*q);
    r.choice("match", sf.match, {"all", "any", "auto"});
    read_filters(r, sf.filters);
    r.choice("sort", sf.sort, {"relevance", "date", "quality", "blend"});
    r.flag("reverse", so.reverse);
    r.number("half-life", so.half_life_days);
    r.number("quality-weight", so.quality_weight);
    r.number("recency-weight", so.recency_weight);
    r.text("bm25", sf.bm25);
    r.choice("stopwords", sf.stopwords, {"on", "off"});
    r.count("limit", so.limit, 0, kMaxLimit);
    r.count("offset", so.offset, 0, kMaxOffset);
    r.flag("exact-count", so.exact_count);
    r.flag("no-spelling", sf.no_spelling);
    r.text("facets", sf.facets);
    r.flag("explain", so.explain);
    r.text("expand", sf.expand);
    r.count("expand-docs", so.expand_docs, 1, 100);
    r.number("expand-weight", so.expand_weight);
    r.flag("collapse", so.collapse);
    r.done();
    resolve_search(sf);
    require_query_or_filter(sf.so);
    return {sf.so, sf.filters.since, sf.filters.until};
}

RelatedRequest related_request(const HttpParams& p) {
    Reader r(p);
    RelatedFlags rf;
    RelatedOptions& ro = rf.ro;
    r.text("id", rf.seed);
    read_filters(r, rf.filters);
    r.count("limit", ro.limit, 0, kMaxLimit);
    r.count("offset", ro.offset, 0, kMaxOffset);
    r.text("weights", rf.weights);
    r.text("half-life", rf.half_life);
    r.number("plateau", ro.plateau_days);
    r.number("title-boost", ro.title_boost);
    r.count("expand", ro.expand_terms, 0, 1000);
    r.flag("explain", ro.explain);
    r.text("news-cycle", rf.news_cycle);
    r.done();
    if (rf.seed.empty()) throw ParamError("id", "give the id or URL of an indexed article");
    resolve_related(rf);
    rf.ro.seed_files = false;
    return {rf.seed, rf.ro, rf.filters.since, rf.filters.until};
}

std::string id_request(const HttpParams& p) {
    Reader r(p);
    std::string id;
    r.text("id", id);
    r.done();
    if (id.empty()) throw ParamError("id", "give the id or URL of an indexed article");
    return id;
}

void no_params(const HttpParams& p) {
    Reader r(p);
    r.done();
}

}  // namespace news
