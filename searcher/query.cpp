// Query building for the searcher: the query text through the pipeline of docs/ranking.md
// (operators, wildcards over stems, only-minus queries, stopwords, spelling) into a Xapian
// query set up from the field table, and the filters (topic, provider, dates, quality, flags).
#include "query.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <mutex>

#include "date.hpp"
#include "errors.hpp"
#include "fold.hpp"
#include "schema.hpp"
#include "text.hpp"

namespace news {

namespace {

// `provider:` maps to several boolean fields (name and domain): OR of their terms.
class BoolFieldProcessor : public Xapian::FieldProcessor {
  public:
    explicit BoolFieldProcessor(std::vector<FieldId> fields) : fields_(std::move(fields)) {}
    Xapian::Query operator()(const std::string& value) override {
        std::vector<Xapian::Query> terms;
        for (const FieldId f : fields_) terms.emplace_back(bool_term(f, value));
        if (terms.size() == 1) return terms.front();
        return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
    }

  private:
    std::vector<FieldId> fields_;
};

// A query that matches nothing but is not empty (Query::MatchNothing is the empty query, which
// an AND or FILTER would simply drop).
Xapian::Query match_nothing() {
    return Xapian::Query(Xapian::Query::OP_AND_NOT, match_all(), match_all());
}

Xapian::Query value_range(Xapian::valueno slot, std::optional<double> lo,
                          std::optional<double> hi) {
    // Xapian turns an inverted range into an empty query, which an AND would then drop:
    // an impossible range must match nothing instead.
    if (lo && hi && *lo > *hi) return match_nothing();
    if (lo && hi) {
        return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, Xapian::sortable_serialise(*lo),
                             Xapian::sortable_serialise(*hi));
    }
    if (lo) return Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, Xapian::sortable_serialise(*lo));
    if (hi) return Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, Xapian::sortable_serialise(*hi));
    return match_all();
}

std::pair<std::string, std::optional<std::string>> split_range(const std::string& v) {
    const auto dots = v.find("..");
    if (dots == std::string::npos) return {v, std::nullopt};
    return {v.substr(0, dots), v.substr(dots + 2)};
}

// Field processors report a bad value through `error` instead of throwing: Xapian 1.4 leaks
// the parser's partial state when a FieldProcessor throws. The builder checks it after parsing.
using ErrorSlot = std::shared_ptr<std::string>;

// `date:2021`, `date:2021-02`, `date:2021-01-01..2021-02-28`, `date:2021..`, `date:..2021-06`.
class DateFieldProcessor : public Xapian::FieldProcessor {
  public:
    explicit DateFieldProcessor(ErrorSlot error) : error_(std::move(error)) {}
    Xapian::Query operator()(const std::string& value) override {
        auto [a, b] = split_range(value);
        bool bad = false;
        auto parse = [&](const std::string& s, bool up) -> std::optional<double> {
            if (s.empty()) return std::nullopt;
            auto t = parse_partial_date(s, up);
            if (!t) {
                *error_ = "bad date '" + s + "' (use YYYY, YYYY-MM or YYYY-MM-DD)";
                bad = true;
                return std::nullopt;
            }
            return static_cast<double>(*t);
        };
        const auto lo = parse(a, false);
        const auto hi = parse(b ? *b : a, true);
        if (bad) return match_nothing();
        return value_range(kSlotPublished, lo, hi);
    }

  private:
    ErrorSlot error_;
};

// `quality:60..`, `quality:..80`, `quality:60..80`, `quality:75`.
class NumberFieldProcessor : public Xapian::FieldProcessor {
  public:
    NumberFieldProcessor(Xapian::valueno slot, ErrorSlot error)
        : slot_(slot), error_(std::move(error)) {}
    Xapian::Query operator()(const std::string& value) override {
        auto [a, b] = split_range(value);
        bool bad = false;
        auto parse = [&](const std::string& s) -> std::optional<double> {
            if (s.empty()) return std::nullopt;
            char* end = nullptr;
            const double v = std::strtod(s.c_str(), &end);
            if (end != s.c_str() + s.size() || !std::isfinite(v)) {
                *error_ = "bad number '" + utf8_truncate(s, 40) + "'";
                bad = true;
                return std::nullopt;
            }
            return v;
        };
        const auto lo = parse(a);
        const auto hi = parse(b ? *b : a);
        if (bad) return match_nothing();
        return value_range(slot_, lo, hi);
    }

  private:
    Xapian::valueno slot_;
    ErrorSlot error_;
};

Xapian::Query any_of(FieldId f, const std::vector<std::string>& values) {
    std::vector<Xapian::Query> qs;
    for (const auto& v : values) qs.emplace_back(bool_term(f, v));
    return Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
}

// Words of the query as plain terms: what a lenient reading keeps of a rejected query.
std::string plain_words(const std::string& text) {
    std::string out;
    for (Xapian::Utf8Iterator it(text); it != Xapian::Utf8Iterator(); ++it) {
        const unsigned ch = *it;
        if (Xapian::Unicode::is_wordchar(ch)) {
            Xapian::Unicode::append_utf8(out, ch);
        } else if (!out.empty() && out.back() != ' ') {
            out += ' ';
        }
    }
    return out;
}

bool is_operator(const std::string& word) {  // as written: operators are upper case only
    return word == "AND" || word == "OR" || word == "NOT" || word == "NEAR" || word == "XOR";
}

// The free-text words of a query with their byte ranges (not operators, not field values,
// not inside quotes): what spelling correction may replace.
struct WordSpan {
    std::size_t start, size;
    std::string lower;
};
std::vector<WordSpan> word_spans(const std::string& text) {
    std::vector<WordSpan> out;
    bool in_quote = false, in_value = false;
    std::size_t start = 0;
    std::string cur;
    auto flush = [&](std::size_t end) {
        if (!cur.empty() && !in_quote && !in_value && !is_operator(cur)) {
            std::string lower;
            for (Xapian::Utf8Iterator it(cur); it != Xapian::Utf8Iterator(); ++it)
                Xapian::Unicode::append_utf8(lower, Xapian::Unicode::tolower(*it));
            out.push_back({start, end - start, std::move(lower)});
        }
        cur.clear();
    };
    for (Xapian::Utf8Iterator it(text); it != Xapian::Utf8Iterator(); ++it) {
        const std::size_t at = static_cast<std::size_t>(it.raw() - text.data());
        const unsigned ch = *it;
        if (Xapian::Unicode::is_wordchar(ch)) {
            if (cur.empty()) start = at;
            Xapian::Unicode::append_utf8(cur, ch);
            continue;
        }
        if (ch == ':' && !cur.empty()) {  // field:value
            cur.clear();
            in_value = true;
            continue;
        }
        flush(at);
        if (ch == '"') in_quote = !in_quote;
        if (ch == ' ' || ch == '\t') in_value = false;
    }
    flush(text.size());
    return out;
}

// The first character of a word, folded.
std::string first_letter(const std::string& word) {
    const std::string f = fold_diacritics(word);
    Xapian::Utf8Iterator it(f);
    if (it == Xapian::Utf8Iterator()) return {};
    std::string out;
    Xapian::Unicode::append_utf8(out, *it);
    return out;
}

// Xapian's parser reads a query made only of `-word`s as those words wanted (it drops a '-'
// with nothing to subtract from): `-kubernetes` would find the Kubernetes articles. Written so,
// it is rewritten to `NOT (kubernetes OR ...)`, which FLAG_PURE_NOT reads as every article
// without them.
std::string only_minus_words(const std::string& text) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == ' ' || text[i] == '\t') {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
        const std::string token = text.substr(i, j - i);
        i = j;
        if (token.size() < 2 || token[0] != '-') return text;
        for (Xapian::Utf8Iterator it(token.substr(1)); it != Xapian::Utf8Iterator(); ++it)
            if (!Xapian::Unicode::is_wordchar(*it)) return text;
        words.push_back(token.substr(1));
    }
    if (words.empty()) return text;
    std::string out = "NOT (";
    for (std::size_t k = 0; k < words.size(); ++k) out += (k ? " OR " : "") + words[k];
    return out + ")";
}

// The query field a wildcard of the field `name` is rewritten to (see rewrite_wildcards).
std::string wildcard_field(std::string_view name) {
    return "zwildcard" + std::string(name);
}

// Wildcards over stems. The index holds only stems ("Z" + prefix + stem, kIndexStemStrategy),
// but Xapian's parser expands `word*` over unstemmed terms, which the index does not have. So
// an unquoted `word*` (or `title:word*`) is rewritten to a field whose prefix is "Z" (+ the
// field's prefix), and the pattern is the typed word folded and lower-cased, cut to its stem
// when the stem is shorter (`kubernetes*` expands over the stems starting with `kubernet`,
// which `kubernetes` stems to; `secur*` over those starting with `secur`).
std::string rewrite_wildcards(const std::string& text, const Xapian::Stem& stem) {
    std::string out;
    bool in_quote = false;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == ' ' || text[i] == '\t') {
            out += text[i++];
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
        std::string token = text.substr(i, j - i);
        i = j;
        const auto quotes = std::count(token.begin(), token.end(), '"');
        const bool was_quoted = in_quote;
        if (quotes % 2) in_quote = !in_quote;
        if (was_quoted || quotes) {
            out += token;
            continue;
        }
        std::size_t lead = 0;
        while (lead < token.size() &&
               (token[lead] == '+' || token[lead] == '-' || token[lead] == '('))
            ++lead;
        std::size_t end = token.size();
        while (end > lead && token[end - 1] == ')') --end;
        std::string core = token.substr(lead, end - lead);
        if (core.size() < 2 || core.back() != '*') {
            out += token;
            continue;
        }
        core.pop_back();
        std::string name;
        if (const auto colon = core.find(':'); colon != std::string::npos) {
            name = core.substr(0, colon);
            core.erase(0, colon + 1);
            const auto* f = std::find_if(kFields.begin(), kFields.end(), [&](const Field& fl) {
                return fl.kind == FieldKind::Text && fl.query_name == name && !name.empty();
            });
            if (f == kFields.end()) {
                out += token;
                continue;
            }
        }
        std::string word;
        bool ok = !core.empty();
        for (Xapian::Utf8Iterator it(core); ok && it != Xapian::Utf8Iterator(); ++it) {
            if (!Xapian::Unicode::is_wordchar(*it)) ok = false;
            Xapian::Unicode::append_utf8(word, Xapian::Unicode::tolower(*it));
        }
        if (!ok) {
            out += token;
            continue;
        }
        word = fold_diacritics(word);
        const std::string s = stem(word);
        if (!s.empty() && s.size() < word.size() && word.compare(0, s.size(), s) == 0) word = s;
        out += token.substr(0, lead) + wildcard_field(name) + ":" + word + "*" + token.substr(end);
    }
    return out;
}

// The window of a positional query (OP_PHRASE, OP_NEAR), which Xapian 1.4 does not expose but
// writes in its description: "(ZScloud@1 PHRASE 2 ZSservic@2)". 0 when not found (Xapian then
// uses the number of terms).
Xapian::termcount positional_window(const Xapian::Query& q) {
    const std::string d = q.get_description();
    for (const char* word : {" PHRASE ", " NEAR "}) {
        const std::size_t at = d.find(word);
        if (at == std::string::npos) continue;
        return static_cast<Xapian::termcount>(
            std::strtoul(d.c_str() + at + std::strlen(word), nullptr, 10));
    }
    return 0;
}

// The stems of a text field that is also free text (the title: `ZS…`) are indexed without
// positions (schema 8; FieldWriter): the free-text copy (kTitleWeight) holds them. So a phrase or
// NEAR over such a field's stems (`title:"cloud services"`, `title:(a NEAR b)`) is read as those
// stems (AND: the weight the phrase had) filtered by the same phrase over the unprefixed stems.
// It can match a title holding both words apart when the excerpt or body holds the phrase. A
// NEAR or phrase mixing fielded and plain stems (`title:azure NEAR teams`: the prefix binds to
// the first word) is read the same way: the fielded words in the field, and all of the words
// near each other in the text, each weighing what it did in the NEAR. Other queries are returned
// as they are.
Xapian::Query field_phrases_over_free_text(const Xapian::Query& q, bool& changed) {
    const auto op = q.get_type();
    const std::size_t n = q.get_num_subqueries();
    if (op == Xapian::Query::OP_PHRASE || op == Xapian::Query::OP_NEAR) {
        std::vector<Xapian::Query> weighted, text;  // every word weighs, as in the phrase
        bool fielded = false;
        for (std::size_t i = 0; i < n; ++i) {
            const Xapian::Query sub = q.get_subquery(i);
            if (sub.get_type() != Xapian::Query::LEAF_TERM) return q;
            const std::string term = *sub.get_terms_begin();
            const auto f = std::find_if(kFields.begin(), kFields.end(), [&](const Field& f) {
                return f.kind == FieldKind::Text && !f.prefix.empty() && f.text_weight > 0 &&
                       term.size() > f.prefix.size() + 1 && term[0] == 'Z' &&
                       term.compare(1, f.prefix.size(), f.prefix) == 0;
            });
            if (f != kFields.end()) {
                fielded = true;
                text.emplace_back(std::string("Z").append(term, 1 + f->prefix.size()));
            } else if (term.size() > 1 && term[0] == 'Z' && !(term[1] >= 'A' && term[1] <= 'Z')) {
                text.push_back(sub);  // a plain stem (prefixes are upper case)
            } else {
                return q;
            }
            weighted.push_back(sub);
        }
        if (!fielded) return q;
        changed = true;
        return Xapian::Query(Xapian::Query::OP_FILTER,
                             Xapian::Query(Xapian::Query::OP_AND, weighted.begin(), weighted.end()),
                             Xapian::Query(op, text.begin(), text.end(), positional_window(q)));
    }
    switch (op) {  // operators without parameters: rebuilt from their rewritten subqueries
        case Xapian::Query::OP_AND:
        case Xapian::Query::OP_OR:
        case Xapian::Query::OP_AND_NOT:
        case Xapian::Query::OP_XOR:
        case Xapian::Query::OP_AND_MAYBE:
        case Xapian::Query::OP_FILTER:
        case Xapian::Query::OP_SYNONYM:
        case Xapian::Query::OP_MAX:
            break;
        default:
            return q;
    }
    bool any = false;
    std::vector<Xapian::Query> subs;
    for (std::size_t i = 0; i < n; ++i)
        subs.push_back(field_phrases_over_free_text(q.get_subquery(i), any));
    if (!any) return q;
    changed = true;
    return Xapian::Query(op, subs.begin(), subs.end());
}

}  // namespace

int64_t parse_time_flag(const std::string& value, bool round_up, int64_t now) {
    if (auto age = parse_relative_age(value)) return now - *age;
    if (auto t = parse_partial_date(value, round_up)) return *t;
    throw UsageError("bad date '" + value +
                     "': use YYYY, YYYY-MM, YYYY-MM-DD, an ISO datetime, or an age like 7d, 12h");
}

namespace {

Xapian::Query any(std::vector<Xapian::Query>& qs) {
    if (qs.empty()) return match_nothing();
    return Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
}

std::string ymd(int64_t y, unsigned m, unsigned d, int parts) {
    char buf[16];
    if (parts == 1) std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(y));
    if (parts == 2) std::snprintf(buf, sizeof buf, "%04lld%02u", static_cast<long long>(y), m);
    if (parts == 3)
        std::snprintf(buf, sizeof buf, "%04lld%02u%02u", static_cast<long long>(y), m, d);
    return buf;
}

}  // namespace

Xapian::Query quality_range_query(std::optional<double> lo, std::optional<double> hi,
                                  const Xapian::Database* db) {
    if (lo && hi && *lo > *hi) return match_nothing();
    // Buckets of kQualityBucket; the lowest and highest are open-ended.
    auto bucket = [](double q) {
        return static_cast<int>(std::clamp(std::floor(q / kQualityBucket),
                                           double(kQualityBucketMin), double(kQualityBucketMax)));
    };
    int b_lo = lo ? bucket(*lo) : kQualityBucketMin, b_hi = hi ? bucket(*hi) : kQualityBucketMax;
    if (db) {
        // No bucket beyond the index's own quality range can match: an end past it is open.
        const std::string lb = db->get_value_lower_bound(kSlotQuality),
                          ub = db->get_value_upper_bound(kSlotQuality);
        if (lb.empty() || ub.empty()) return match_nothing();  // no article has a quality
        const double q_lo = Xapian::sortable_unserialise(lb),
                     q_hi = Xapian::sortable_unserialise(ub);
        if ((lo && *lo > q_hi) || (hi && *hi < q_lo)) return match_nothing();
        if (hi && *hi >= q_hi) hi.reset();
        if (lo && *lo <= q_lo) lo.reset();
        b_lo = std::max(b_lo, bucket(q_lo));
        b_hi = std::min(b_hi, bucket(q_hi));
    }
    std::vector<Xapian::Query> parts;
    for (int b = b_lo; b <= b_hi; ++b) {
        const double start = b == kQualityBucketMin ? -HUGE_VAL : b * kQualityBucket;
        const double end =
            b == kQualityBucketMax ? HUGE_VAL : (b + 1) * kQualityBucket;  // exclusive
        const Xapian::Query term(quality_bucket_term(b * kQualityBucket));
        const bool inside = (!lo || *lo <= start) && (!hi || *hi >= end);
        parts.push_back(inside ? term
                               : Xapian::Query(Xapian::Query::OP_FILTER, term,
                                               value_range(kSlotQuality, lo, hi)));
    }
    return any(parts);
}

Xapian::Query date_range_query(std::optional<int64_t> lo_in, std::optional<int64_t> hi_in,
                               const Xapian::Database& db) {
    if (lo_in && hi_in && *lo_in > *hi_in) return match_nothing();
    const std::string lb = db.get_value_lower_bound(kSlotPublished),
                      ub = db.get_value_upper_bound(kSlotPublished);
    if (lb.empty() || ub.empty()) return match_nothing();  // no dated article at all
    const auto idx_lo = static_cast<int64_t>(Xapian::sortable_unserialise(lb));
    const auto idx_hi = static_cast<int64_t>(Xapian::sortable_unserialise(ub));
    int64_t lo = std::max(lo_in.value_or(idx_lo), idx_lo),
            hi = std::min(hi_in.value_or(idx_hi), idx_hi);
    if (lo > hi) return match_nothing();
    // An end that reaches past the index's dates may as well reach to a year boundary: no
    // article lies beyond, and whole years are single terms (`--since 2020-06` then needs the
    // months of 2020 and a few year terms, not every day up to the newest article).
    auto year_start = [](int64_t t) {
        int64_t y;
        unsigned m, d;
        civil_from_days(t >= 0 ? t / 86400 : (t - 86399) / 86400, y, m, d);
        return y;
    };
    if (!hi_in || *hi_in >= idx_hi) hi = days_from_civil(year_start(idx_hi) + 1, 1, 1) * 86400 - 1;
    if (!lo_in || *lo_in <= idx_lo) lo = days_from_civil(year_start(idx_lo), 1, 1) * 86400;
    std::optional<double> vlo, vhi;
    if (lo_in) vlo = static_cast<double>(*lo_in);
    if (hi_in) vhi = static_cast<double>(*hi_in);
    const Xapian::Query exact = value_range(kSlotPublished, vlo, vhi);
    auto day_of = [](int64_t t) { return t >= 0 ? t / 86400 : (t - 86399) / 86400; };
    std::vector<Xapian::Query> parts;
    // Walk from the first to the last day, taking the largest bucket that fits.
    int64_t day = day_of(lo);
    const int64_t last = day_of(hi);
    while (day <= last) {
        int64_t y;
        unsigned m, d;
        civil_from_days(day, y, m, d);
        const int64_t year_end = days_from_civil(y + 1, 1, 1) - 1;
        const int64_t month_end =
            (m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1)) - 1;
        const bool day_inside = day * 86400 >= lo && (day + 1) * 86400 - 1 <= hi;
        if (m == 1 && d == 1 && day_inside && year_end <= last &&
            (year_end + 1) * 86400 - 1 <= hi) {
            parts.emplace_back(bool_term(FieldId::Year, ymd(y, m, d, 1)));
            day = year_end + 1;
        } else if (d == 1 && day_inside && month_end <= last && (month_end + 1) * 86400 - 1 <= hi) {
            parts.emplace_back(bool_term(FieldId::Month, ymd(y, m, d, 2)));
            day = month_end + 1;
        } else if (day_inside) {
            parts.emplace_back(bool_term(FieldId::Day, ymd(y, m, d, 3)));
            ++day;
        } else {  // an edge day: check the value
            parts.emplace_back(Xapian::Query::OP_FILTER,
                               Xapian::Query(bool_term(FieldId::Day, ymd(y, m, d, 3))), exact);
            ++day;
        }
        if (parts.size() > 2000) return exact;  // pathological span: fall back to the value range
    }
    return any(parts);
}

Xapian::Query filter_query(const Filters& f, const Xapian::Database& db) {
    std::vector<Xapian::Query> parts;
    if (f.min_quality || f.max_quality)
        parts.push_back(quality_range_query(f.min_quality, f.max_quality, &db));
    if (f.since || f.until) parts.push_back(date_range_query(f.since, f.until, db));
    if (!f.topics.empty()) parts.push_back(any_of(FieldId::Topic, f.topics));
    if (!f.providers.empty()) {
        std::vector<Xapian::Query> qs{any_of(FieldId::Provider, f.providers),
                                      any_of(FieldId::Domain, f.providers)};
        parts.emplace_back(Xapian::Query::OP_OR, qs.begin(), qs.end());
    }
    if (!f.types.empty()) parts.push_back(any_of(FieldId::Type, f.types));
    if (!f.categories.empty()) parts.push_back(any_of(FieldId::Category, f.categories));
    if (parts.empty()) return Xapian::Query();
    return Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
}

const std::vector<std::string>& stopword_list(const std::string& language) {
    // Snowball's English stop list (snowballstem.org/algorithms/english/stop.txt).
    static const std::vector<std::string> english{
        "a",         "about",      "above",   "after",    "again",     "against",   "all",
        "am",        "an",         "and",     "any",      "are",       "aren't",    "as",
        "at",        "be",         "because", "been",     "before",    "being",     "below",
        "between",   "both",       "but",     "by",       "can't",     "cannot",    "could",
        "couldn't",  "did",        "didn't",  "do",       "does",      "doesn't",   "doing",
        "don't",     "down",       "during",  "each",     "few",       "for",       "from",
        "further",   "had",        "hadn't",  "has",      "hasn't",    "have",      "haven't",
        "having",    "he",         "he'd",    "he'll",    "he's",      "her",       "here",
        "here's",    "hers",       "herself", "him",      "himself",   "his",       "how",
        "how's",     "i",          "i'd",     "i'll",     "i'm",       "i've",      "if",
        "in",        "into",       "is",      "isn't",    "it",        "it's",      "its",
        "itself",    "let's",      "me",      "more",     "most",      "mustn't",   "my",
        "myself",    "no",         "nor",     "not",      "of",        "off",       "on",
        "once",      "only",       "or",      "other",    "ought",     "our",       "ours",
        "ourselves", "out",        "over",    "own",      "same",      "shan't",    "she",
        "she'd",     "she'll",     "she's",   "should",   "shouldn't", "so",        "some",
        "such",      "than",       "that",    "that's",   "the",       "their",     "theirs",
        "them",      "themselves", "then",    "there",    "there's",   "these",     "they",
        "they'd",    "they'll",    "they're", "they've",  "this",      "those",     "through",
        "to",        "too",        "under",   "until",    "up",        "very",      "was",
        "wasn't",    "we",         "we'd",    "we'll",    "we're",     "we've",     "were",
        "weren't",   "what",       "what's",  "when",     "when's",    "where",     "where's",
        "which",     "while",      "who",     "who's",    "whom",      "why",       "why's",
        "with",      "won't",      "would",   "wouldn't", "you",       "you'd",     "you'll",
        "you're",    "you've",     "your",    "yours",    "yourself",  "yourselves"};
    static const std::vector<std::string> none;
    return language == "english" || language == "en" ? english : none;
}

QueryBuilder::QueryBuilder(const Xapian::Database& db, const std::string& language)
    : db_(db), stem_(make_stemmer(language)) {
    for (const auto& w : stopword_list(language)) stopper_.add(w);
    has_stopwords_ = !stopword_list(language).empty();
    qp_.set_database(db_);
    qp_.set_stemmer(stem_);
    qp_.set_stemming_strategy(kQueryStemStrategy);
    qp_.add_prefix(wildcard_field(""), "Z");  // see rewrite_wildcards
    // Set up from the field table: text prefixes, boolean filters (fields sharing a query name
    // are OR'ed), and value fields with ranges.
    std::vector<std::pair<std::string, std::vector<FieldId>>> bools;
    for (const auto& f : kFields) {
        if (f.query_name.empty()) continue;
        const std::string qn(f.query_name);
        if (f.kind == FieldKind::Text) {
            qp_.add_prefix(qn, std::string(f.prefix));
            qp_.add_prefix(wildcard_field(qn), std::string("Z").append(f.prefix));
        } else if (f.kind == FieldKind::Boolean) {
            auto it = std::find_if(bools.begin(), bools.end(),
                                   [&](const auto& b) { return b.first == qn; });
            if (it == bools.end()) {
                bools.push_back({qn, {f.id}});
            } else {
                it->second.push_back(f.id);
            }
        } else if (f.id == FieldId::Published) {
            qp_.add_boolean_prefix(qn, (new DateFieldProcessor(fp_error_))->release());
        } else {
            qp_.add_boolean_prefix(
                qn, (new NumberFieldProcessor(static_cast<Xapian::valueno>(f.slot), fp_error_))
                        ->release());
        }
    }
    for (auto& [qn, fields] : bools) {
        // `url:` also matches ids: the id term is the normalised webUrl, which has no U term.
        if (qn == field(FieldId::Url).query_name) fields.push_back(FieldId::Id);
        qp_.add_boolean_prefix(qn, (new BoolFieldProcessor(fields))->release());
    }
}

BuiltQuery QueryBuilder::build(const QueryRequest& req) {
    BuiltQuery out;
    const std::string text(trim(req.text));
    if (text.size() > kMaxQueryBytes) {
        throw UsageError("the query is " + std::to_string(text.size()) + " bytes; the limit is " +
                         std::to_string(kMaxQueryBytes));
    }
    qp_.set_default_op(req.match_all ? Xapian::Query::OP_AND : Xapian::Query::OP_OR);
    qp_.set_stopper(req.stopwords && has_stopwords_ ? &stopper_ : nullptr);
    qp_.set_max_expansion(req.wildcard_limit, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
    if (!text.empty()) {
        // Operators (AND OR NOT NEAR XOR) in upper case only: lower-case ones are words, so a
        // question ("should I migrate to cosmos or dynamo") is not read as a boolean query.
        const unsigned flags = Xapian::QueryParser::FLAG_DEFAULT |
                               Xapian::QueryParser::FLAG_WILDCARD |
                               Xapian::QueryParser::FLAG_PURE_NOT;
        const std::string parsed_text = rewrite_wildcards(only_minus_words(text), stem_);
        fp_error_->clear();
        try {
            out.text = qp_.parse_query(parsed_text, flags);
            if (!fp_error_->empty()) {  // a bad field value: read the query leniently
                out.lenient = true;
                out.parse_note = *fp_error_;
                out.text = qp_.parse_query(plain_words(text), 0);
            }
        } catch (const Xapian::QueryParserError& e) {
            out.lenient = true;
            out.parse_note = e.get_msg();
            out.text = qp_.parse_query(plain_words(text), 0);
        }
        bool changed = false;
        out.text = field_phrases_over_free_text(out.text, changed);
        out.has_text = !out.text.empty();
    }
    if (!out.has_text) out.text = match_all();
    out.query = apply_filters(out.text, req.filters, db_);
    if (req.spelling && out.has_text) spell(req, out);
    return out;
}

// Spelling: each word of the query that the index does not know (no stem of it is indexed),
// that is not a stopword and has at least 4 letters, is replaced by the spelling table's
// nearest word (Xapian's edit distance: 1 for a 4-letter word, else 2) that begins with the
// same letter (as Lucene's spell checker requires: `Zürich` is not "corrected" to `rich`). The
// corrected query is offered only when it finds articles and the query none, or clearly more
// than the query (at least twice as many and 5 more), counted with the same filters and the
// same words required.
void QueryBuilder::spell(const QueryRequest& req, BuiltQuery& out) {
    const std::string text(trim(req.text));
    std::string corrected;
    std::size_t copied = 0;
    for (const WordSpan& w : word_spans(text)) {
        std::size_t letters = 0;
        for (Xapian::Utf8Iterator it(w.lower); it != Xapian::Utf8Iterator(); ++it) ++letters;
        if (letters < 4) continue;
        if (std::any_of(w.lower.begin(), w.lower.end(),
                        [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        if (req.stopwords && has_stopwords_ && stopper_(w.lower)) continue;
        if (db_.get_termfreq(std::string("Z").append(stem_(w.lower))) > 0) continue;
        const std::string s = db_.get_spelling_suggestion(w.lower, letters == 4 ? 1 : 2);
        if (s.empty() || s == w.lower || first_letter(s) != first_letter(w.lower)) continue;
        corrected.append(text, copied, w.start - copied);
        corrected += s;
        copied = w.start + w.size;
    }
    if (corrected.empty()) return;
    corrected.append(text, copied, std::string::npos);
    QueryRequest again = req;
    again.text = corrected;
    again.spelling = false;
    const BuiltQuery fixed = build(again);
    if (!fixed.has_text) return;
    auto count = [&](const Xapian::Query& q) {
        Xapian::Enquire e(db_);
        e.set_query(q);
        e.set_weighting_scheme(Xapian::BoolWeight());
        return e.get_mset(0, 0, kSpellCount).get_matches_estimated();
    };
    out.matches = count(out.query);
    out.suggestion_matches = count(fixed.query);
    const Xapian::doccount n = out.matches, s = out.suggestion_matches;
    if (s > 0 && (n == 0 || (s >= 2 * n && s >= n + 5))) out.suggestion = corrected;
}

Xapian::Query apply_filters(const Xapian::Query& text, const Filters& f,
                            const Xapian::Database& db) {
    Xapian::Query q = text;
    const Xapian::Query filters = filter_query(f, db);
    if (!filters.empty()) q = Xapian::Query(Xapian::Query::OP_FILTER, q, filters);
    std::vector<Xapian::Query> hidden;
    if (!f.include_removed) hidden.emplace_back(bool_term(FieldId::Flag, "removed"));
    if (!f.include_stubs) hidden.emplace_back(bool_term(FieldId::Flag, "stub"));
    if (!hidden.empty()) {
        q = Xapian::Query(Xapian::Query::OP_AND_NOT, q,
                          Xapian::Query(Xapian::Query::OP_OR, hidden.begin(), hidden.end()));
    }
    return q;
}

}  // namespace news
