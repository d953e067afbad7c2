#include "search.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "date.hpp"
#include "document.hpp"
#include "errors.hpp"
#include "schema.hpp"
#include "shards.hpp"
#include "text.hpp"
#include "url.hpp"

namespace fs = std::filesystem;

namespace news {

namespace {

// Facet counts over every document the matcher sees (the whole match set when check_at_least
// covers the database), with Xapian's own ValueCountMatchSpy so they work on remote shards
// too (xapian-tcpsrv knows only built-in spies). Topics are one value per document (joined by
// 0x1f): each distinct combination's count is added to each of its topics, which is exact.
// Years are counted from the publication-day slot.
class Facets {
  public:
    explicit Facets(std::vector<std::string> names) : names_(std::move(names)) {
        for (const auto& n : names_) spies_.emplace_back(slot_of(n));
    }
    void attach(Xapian::Enquire& enq) {
        for (auto& s : spies_) enq.add_matchspy(&s);
    }
    nlohmann::json to_json(std::size_t top) const {
        nlohmann::json out = nlohmann::json::object();
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
            auto& arr = out[n] = nlohmann::json::array();
            for (const auto& [k, c] : sorted) arr.push_back({{"value", k}, {"count", c}});
        }
        return out;
    }

  private:
    static Xapian::valueno slot_of(const std::string& name) {
        if (name == "topic") return kSlotTopics;
        if (name == "provider") return kSlotProvider;
        if (name == "type") return kSlotType;
        if (name == "year") return kSlotDay;
        throw UsageError("unknown facet '" + name + "' (topic, provider, type, year)");
    }
    std::vector<std::string> names_;
    std::deque<Xapian::ValueCountMatchSpy> spies_;  // the Enquire keeps pointers to them
};

// Expansion terms: stemmed words not already in the query.
class NewStems : public Xapian::ExpandDecider {
  public:
    explicit NewStems(const std::set<std::string>& have) : have_(have) {}
    bool operator()(const std::string& term) const override {
        // Unprefixed stems only (ZS... are title-field stems).
        return term.size() > 2 && term[0] == 'Z' && !(term[1] >= 'A' && term[1] <= 'Z') &&
               !have_.count(term);
    }

  private:
    const std::set<std::string>& have_;
};

}  // namespace

Highlighter::Highlighter(const Xapian::Query& query, const Xapian::Stem& stem, std::string start,
                         std::string end)
    : stem_(stem), start_(std::move(start)), end_(std::move(end)) {
    for (auto t = query.get_terms_begin(); t != query.get_terms_end(); ++t) {
        const std::string term = *t;
        if (term.empty()) continue;
        if (term.compare(0, 2, "ZS") == 0 && term.size() > 2) {  // title:word, stemmed
            terms_.insert("Z" + term.substr(2));
        } else if (term[0] == 'Z') {
            terms_.insert(term);
        } else if (term[0] == 'S' && term.size() > 1) {  // title:word
            terms_.insert(term.substr(1));
        } else if (!(term[0] >= 'A' && term[0] <= 'Z')) {
            terms_.insert(term);
        }
    }
}

bool Highlighter::hit(const std::string& word) {
    if (terms_.count(word)) return true;
    auto [at, added] = seen_.try_emplace(word, false);
    if (added) at->second = terms_.count("Z" + stem_(word)) > 0;
    return at->second;
}

namespace {

// The characters Xapian's TermGenerator (1.4) keeps inside a word between two word
// characters: apostrophes (U+2019 and U+201B read as '), '&' (AT&T) and a few more; between
// two digits, the separators of numbers (3.5, 1,000). Zero-width characters are skipped.
constexpr unsigned kIgnoredInfix = 0xFFFFFFFF;
bool zero_width(unsigned ch) {
    return ch >= 0x200b && (ch <= 0x200d || ch == 0x2060 || ch == 0xfeff);
}
unsigned word_infix(unsigned ch) {
    if (ch == '\'' || ch == '&' || ch == 0xb7 || ch == 0x5f4 || ch == 0x2027) return ch;
    if (ch == 0x2019 || ch == 0x201b) return '\'';
    return zero_width(ch) ? kIgnoredInfix : 0;
}
unsigned number_infix(unsigned ch) {
    switch (ch) {
        case ',':
        case '.':
        case ';':
        case 0x037e:
        case 0x0589:
        case 0x060d:
        case 0x07f8:
        case 0x2044:
        case 0xfe10:
        case 0xfe13:
        case 0xfe14:
            return ch;
        default:
            return zero_width(ch) ? kIgnoredInfix : 0;
    }
}
bool decimal_digit(unsigned ch) {
    return Xapian::Unicode::get_category(ch) == Xapian::Unicode::DECIMAL_DIGIT_NUMBER;
}
bool ascii_upper(unsigned ch) {
    return ch >= 'A' && ch <= 'Z';
}

}  // namespace

// Splits the text into the words the TermGenerator indexes (the rules of its parse_terms,
// without CJK n-grams, which the index does not use): initials (U.S.), words with infixes
// (o'brien, at&t, 3.5) and up to three '+' or '#' at a word's end (c++, c#).
std::string Highlighter::operator()(const std::string& text) {
    using Xapian::Utf8Iterator;
    namespace U = Xapian::Unicode;
    std::string out;
    out.reserve(text.size() + 32);
    const Utf8Iterator end;
    Utf8Iterator it(text);
    std::size_t copied = 0;  // bytes of `text` already in `out`
    std::size_t initials_failed_to = 0;
    auto offset = [&](const Utf8Iterator& i) {
        return i == end ? text.size() : static_cast<std::size_t>(i.raw() - text.data());
    };
    auto emit = [&](std::size_t from, std::size_t to, const std::string& term) {
        out.append(text, copied, from - copied);
        const bool h = hit(term);
        if (h) out += start_;
        out.append(text, from, to - from);
        if (h) out += end_;
        copied = to;
    };
    while (it != end) {
        if (!U::is_wordchar(*it)) {
            ++it;
            continue;
        }
        const std::size_t from = offset(it);
        std::string term;
        // Initials: U.S., P.T.O. A run that fails (followed by a word character) fails from
        // each of its later letters too, at the same place: not scanned again, so that a long
        // "A.A.A...x" costs linear time.
        if (ascii_upper(*it) && from >= initials_failed_to) {
            Utf8Iterator p = it;
            do {
                U::append_utf8(term, U::tolower(*p));
                ++p;
            } while (p != end && *p == '.' && ++p != end && ascii_upper(*p));
            if (term.size() > 1 && (p == end || !U::is_wordchar(*p))) {
                it = p;
                emit(from, offset(it), term);
                continue;
            }
            initials_failed_to = offset(p);
            term.clear();
        }
        bool at_end = false;
        while (true) {
            unsigned prev = 0;
            while (it != end && U::is_wordchar(*it)) {
                prev = *it;
                U::append_utf8(term, U::tolower(*it));
                ++it;
            }
            if (it == end) {
                at_end = true;
                break;
            }
            Utf8Iterator next = it;
            ++next;
            if (next == end || !U::is_wordchar(*next)) break;
            const unsigned infix =
                decimal_digit(prev) && decimal_digit(*next) ? number_infix(*it) : word_infix(*it);
            if (!infix) break;
            if (infix != kIgnoredInfix) U::append_utf8(term, infix);
            it = next;
        }
        std::size_t to = offset(it);
        if (!at_end) {  // a suffix of up to three '+' or '#', not followed by a word character
            Utf8Iterator p = it;
            std::string suffix;
            while (p != end && (*p == '+' || *p == '#') && suffix.size() <= 3) {
                suffix += static_cast<char>(*p);
                ++p;
            }
            if (!suffix.empty() && suffix.size() <= 3 && (p == end || !U::is_wordchar(*p))) {
                term += suffix;
                it = p;
                to = offset(it);
            }
        }
        emit(from, to, term);
    }
    out.append(text, copied, std::string::npos);
    return out;
}

std::string highlight(const std::string& text, const Xapian::Query& query, const Xapian::Stem& stem,
                      const std::string& start, const std::string& end) {
    return Highlighter(query, stem, start, end)(text);
}

namespace {

constexpr unsigned kRemoteTimeoutMs = 10000;        // per request
constexpr unsigned kRemoteConnectTimeoutMs = 5000;  // to connect
// Automatic feedback when no article matches every word (SearchOptions::expand_auto): the
// usual pseudo-relevance feedback settings (RM3's customary 10 documents, 20 terms, and the
// added terms at half the weight of the query's).
constexpr unsigned kAutoExpandDocs = 10, kAutoExpandTerms = 20;
constexpr double kAutoExpandWeight = 0.5;
// A blend search on local databases filters dates and qualities in its prior source when the
// range is expected to keep at least this part of the index (else by bucket terms).
constexpr double kFoldShare = 0.1;

// Opens one shard (a local database or a remote one) and checks its schema version.
// A metadata value of a freshly opened database; an indexer committing meanwhile can discard
// the revision being read (two quick commits), so reopen and read again.
std::string metadata(Xapian::Database& db, const std::string& key) {
    for (int attempt = 0;; ++attempt) {
        try {
            return db.get_metadata(key);
        } catch (const Xapian::DatabaseModifiedError&) {
            if (attempt >= 5) throw IndexError("the index kept changing while reading; try again");
            db.reopen();
        }
    }
}

Xapian::Database open_shard(const ShardLocation& loc) {
    const std::string name = loc.spec();
    Xapian::Database db;
    if (loc.remote) {
        try {
            db =
                Xapian::Remote::open(loc.host, loc.port, kRemoteTimeoutMs, kRemoteConnectTimeoutMs);
        } catch (const Xapian::NetworkError& e) {
            throw IndexError("shard '" + name + "' is unreachable (" + e.get_msg() +
                             "): start `xapian-tcpsrv` for it, or pass --allow-partial to answer "
                             "from the other shards");
        } catch (const Xapian::Error& e) {
            throw IndexError("shard '" + name + "' cannot be opened (" + e.get_description() + ")");
        }
    } else {
        if (!fs::exists(loc.path)) {
            throw IndexError("no index at '" + name + "': build one with `indexer --index " + name +
                             " PATH...` or pass --index");
        }
        // An indexer committing quickly can replace the revision being opened (two commits in
        // a row), which looks like a modified, unopenable or even corrupt database for a moment:
        // only an error that persists is reported.
        for (int attempt = 0;; ++attempt) {
            try {
                db = Xapian::Database(loc.path);
                break;
            } catch (const Xapian::DatabaseModifiedError&) {
                if (attempt >= 5)
                    throw IndexError("the index kept changing while opening it; try again");
            } catch (const Xapian::DatabaseOpeningError& e) {
                if (attempt >= 2)
                    throw IndexError("'" + name + "' is not a readable index (" + e.get_msg() +
                                     "); rebuild it with `indexer --full`");
            } catch (const Xapian::DatabaseCorruptError& e) {
                if (attempt >= 2)
                    throw IndexError("index '" + name + "' is corrupt (" + e.get_msg() +
                                     "); rebuild it with `indexer --full`");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    const std::string v = metadata(db, kMetaSchemaVersion);
    if (v != std::to_string(kSchemaVersion)) {
        throw IndexError("index '" + name + "' has schema version '" + v +
                         "', this searcher reads " + std::to_string(kSchemaVersion) +
                         "; rebuild it with `indexer --full`");
    }
    return db;
}

// The shards a --index spec stands for. Stub files (and directories holding one) are
// followed, also when a stub lists another sharded index, so every shard is opened on its own.
void add_locations(const std::string& spec, int depth, std::vector<ShardLocation>& out) {
    if (auto remote = parse_tcp_spec(spec)) {
        out.push_back(*remote);
        return;
    }
    std::error_code ec;
    const fs::path p(spec);
    std::optional<fs::path> stub;
    if (fs::is_directory(p, ec) && fs::exists(p / kStubFileName, ec) &&
        !fs::exists(p / "iamglass", ec)) {
        stub = p / kStubFileName;
    } else if (fs::is_regular_file(p, ec)) {
        // A stub file, or a single-file database (which is not text).
        std::ifstream in(p, std::ios::binary);
        char head[16] = {};
        in.read(head, sizeof head);
        const bool text = std::all_of(head, head + in.gcount(), [](char c) {
            return c == '\n' || c == '\r' || c == '\t' || static_cast<unsigned char>(c) >= 0x20;
        });
        if (text) stub = p;
    }
    if (!stub) {
        ShardLocation loc;
        loc.path = spec;
        out.push_back(loc);
        return;
    }
    if (depth > 8) throw IndexError("stub database files nested too deeply at '" + spec + "'");
    for (const auto& loc : read_stub_file(*stub)) {
        if (loc.remote) {
            out.push_back(loc);
        } else {
            add_locations(loc.path, depth + 1, out);
        }
    }
}

std::vector<ShardLocation> locations(const std::string& spec) {
    std::vector<ShardLocation> out;
    add_locations(spec, 0, out);
    return out;
}

}  // namespace

OpenedIndex open_indexes(const std::vector<std::string>& specs, bool allow_partial) {
    OpenedIndex out;
    out.allow_partial = allow_partial;
    std::string first_error;
    auto leave_out = [&](const std::string& name, const Error& e) {  // or rethrow
        if (!allow_partial) throw;
        if (first_error.empty()) first_error = e.what();
        out.missing.push_back({{"index", name}, {"error", e.what()}});
    };
    for (const auto& spec : specs) {
        std::vector<ShardLocation> locs;
        try {
            locs = locations(spec);
        } catch (const Error& e) {  // IndexError, or UsageError for a bad tcp:// spec
            leave_out(spec, e);
            continue;
        }
        for (const auto& loc : locs) {
            Xapian::Database one;
            try {
                one = open_shard(loc);
            } catch (const IndexError& e) {
                leave_out(loc.spec(), e);
                continue;
            }
            const std::string lang = metadata(one, kMetaLanguage);
            if (out.language.empty()) {
                out.language = lang;
            } else if (lang != out.language) {
                throw IndexError("indexes use different languages ('" + out.language + "' and '" +
                                 lang + "'); search them separately");
            }
            out.db.add_database(one);
            out.any_remote = out.any_remote || loc.remote;
            out.parts.push_back(one);
            out.paths.push_back(loc.spec());
        }
    }
    if (out.parts.empty()) {
        throw IndexError(out.missing.empty() ? std::string("no index given")
                                             : "no shard could be opened: " + first_error);
    }
    if (out.language.empty()) out.language = kDefaultLanguage;
    return out;
}

bool OpenedIndex::drop_dead_shards(const std::string& error) {
    std::vector<std::size_t> dead;
    std::vector<std::string> reasons;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        try {
            parts[i].keep_alive();  // a round trip for a remote shard
            (void)parts[i].get_doccount();
        } catch (const Xapian::Error& e) {
            dead.push_back(i);
            reasons.push_back(e.get_description());
        }
    }
    if (dead.empty()) {
        throw IndexError("a shard failed while answering (" + error + ")");
    }
    if (!allow_partial || dead.size() == parts.size()) {
        throw IndexError("shard '" + paths[dead.front()] + "' stopped answering (" +
                         reasons.front() + ")" +
                         (allow_partial ? std::string(": no shard is left")
                                        : ": restart it, or pass --allow-partial to answer from "
                                          "the other shards"));
    }
    for (std::size_t k = dead.size(); k-- > 0;) {
        const std::size_t i = dead[k];
        missing.push_back({{"index", paths[i]}, {"error", reasons[k]}});
        parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(i));
        paths.erase(paths.begin() + static_cast<std::ptrdiff_t>(i));
    }
    db = Xapian::Database();
    for (const auto& p : parts) db.add_database(p);
    builder.reset();
    prior.reset();
    return true;
}

bool OpenedIndex::distinct_uuids() const {
    std::set<std::string> seen;
    for (const auto& p : parts) {
        std::string uuid;
        try {
            uuid = p.get_uuid();
        } catch (const Xapian::Error&) {
            return false;
        }
        if (uuid.empty() || !seen.insert(uuid).second) return false;
    }
    return true;
}

void mark_partial(nlohmann::json& out, const OpenedIndex& index) {
    out["partial"] = !index.missing.empty();
    if (!index.missing.empty()) out["missing_shards"] = index.missing;
}

nlohmann::json result_fields(const Xapian::Document& doc) {
    const nlohmann::json d = read_data(doc);
    nlohmann::json r;
    r["id"] = d.value("id", "");
    r["url"] = d.value("url", d.value("original_url", ""));
    r["title"] = d.value("title", "");
    r["excerpt"] = d.value("excerpt", "");
    r["published"] = d.contains("published")
                         ? nlohmann::json(format_iso8601(d["published"].get<int64_t>()))
                         : nlohmann::json(nullptr);
    r["quality"] = d.contains("quality") ? d["quality"] : nlohmann::json(nullptr);
    r["heat"] = d.contains("heat") ? d["heat"] : nlohmann::json(nullptr);
    r["type"] = d.value("type", "");
    r["category"] = d.value("category", "");
    r["provider"] =
        d.contains("provider") ? d["provider"] : nlohmann::json{{"name", ""}, {"domain", ""}};
    r["topics"] = d.contains("topics") ? d["topics"] : nlohmann::json::array();
    r["path"] = d.value("path", "");
    r["stub"] = d.value("stub", false);
    r["removed"] = d.value("removed", false);
    const std::string story = doc.get_value(kSlotStory);
    r["story"] = story.empty() ? nlohmann::json(nullptr) : nlohmann::json(story);
    return r;
}

void parse_bm25(const std::string& spec, SearchOptions& opts) {
    const auto comma = spec.find(',');
    auto number = [&](const std::string& v, double& out) {
        const std::string t(trim(v));
        char* end = nullptr;
        out = std::strtod(t.c_str(), &end);
        return !t.empty() && end == t.c_str() + t.size() && std::isfinite(out);
    };
    double k1 = 0, b = 0;
    if (comma == std::string::npos || !number(spec.substr(0, comma), k1) ||
        !number(spec.substr(comma + 1), b) || k1 < 0 || b < 0 || b > 1) {
        throw UsageError("--bm25: expected K1,B with K1 >= 0 and 0 <= B <= 1, got '" + spec + "'");
    }
    opts.bm25_k1 = k1;
    opts.bm25_b = b;
}

Xapian::BM25Weight bm25_weight(const SearchOptions& opts) {
    return Xapian::BM25Weight(opts.bm25_k1, 0, 1, opts.bm25_b, 0.5);
}

nlohmann::json run_search(OpenedIndex& index, const SearchOptions& opts) {
    const auto t0 = std::chrono::steady_clock::now();
    return with_reopen(index, [&] {
        if (!index.builder)
            index.builder = std::make_shared<QueryBuilder>(index.db, index.language);
        QueryBuilder& qb = *index.builder;
        QueryRequest request = opts.request;  // what is searched (maybe the corrected query)
        BuiltQuery built = qb.build(request);
        std::vector<std::string> notes;  // said in the JSON's "notes" and as text notes
        const std::string offered = built.suggestion;
        const bool corrected =
            !offered.empty() && built.matches == 0 && built.suggestion_matches > 0;
        if (corrected) {  // nothing found, the suggestion finds something: search it
            request.text = offered;
            request.spelling = false;
            built = qb.build(request);
            notes.push_back("no article matches '" + sanitize_utf8(opts.request.text) +
                            "'; showing results for '" + sanitize_utf8(offered) + "'");
        }
        if (!built.has_text && !std::string(trim(request.text)).empty()) {
            throw UsageError("the query '" + sanitize_utf8(utf8_truncate(request.text, 80)) +
                             "' has no words to search for (only punctuation or symbols)");
        }
        SortMode sort = opts.sort;
        // A query that only excludes (NOT x, -x): every other article matches, with no score.
        const bool only_excludes =
            built.has_text && built.text.get_type() == Xapian::Query::OP_AND_NOT &&
            built.text.get_num_subqueries() > 0 &&
            built.text.get_subquery(0).get_type() == Xapian::Query::LEAF_MATCH_ALL;
        if (only_excludes) {
            notes.push_back(
                "the query only excludes words: every other article matches, newest first");
        }
        if ((!built.has_text || only_excludes) &&
            (sort == SortMode::Relevance || sort == SortMode::Blend)) {
            sort = SortMode::Date;  // nothing to rank by: newest first
        }
        if (opts.reverse && (sort == SortMode::Relevance || sort == SortMode::Blend)) {
            throw UsageError("--reverse applies to --sort date and --sort quality");
        }
        Xapian::Query matched = built.query;      // what must match (the query, maybe expanded)
        Xapian::Query matched_text = built.text;  // the same before the filters
        std::vector<std::string> expansion;
        // Pseudo-relevance feedback (docs/ranking.md): the best `terms` stems of the top `docs`
        // results of `filtered` (the text query `text` with the filters), not already in the
        // query, as one OR scaled by `weight`; empty when there are none.
        auto feedback = [&](const Xapian::Query& text, const Xapian::Query& filtered, unsigned docs,
                            unsigned terms, double weight) {
            Xapian::Enquire fb(index.db);
            fb.set_weighting_scheme(bm25_weight(opts));
            fb.set_query(filtered);
            const Xapian::MSet top = fb.get_mset(0, docs, index.check_at_least(docs));
            Xapian::RSet rset;
            for (auto it = top.begin(); it != top.end(); ++it) rset.add_document(*it);
            std::set<std::string> have;
            for (auto t = text.get_terms_begin(); t != text.get_terms_end(); ++t) {
                have.insert(*t);
                have.insert(std::string("Z").append(qb.stemmer()(*t)));
            }
            const NewStems decider(have);
            const Xapian::ESet eset =
                rset.empty()
                    ? Xapian::ESet()
                    : fb.get_eset(terms, rset, Xapian::Enquire::USE_EXACT_TERMFREQ, &decider);
            std::vector<Xapian::Query> qs;
            for (auto it = eset.begin(); it != eset.end(); ++it) {
                qs.emplace_back(*it);
                expansion.push_back(*it);
            }
            if (qs.empty()) return Xapian::Query();
            return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT,
                                 Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end()), weight);
        };
        if (opts.expand_terms > 0 && built.has_text) {
            const Xapian::Query more = feedback(built.text, built.query, opts.expand_docs,
                                                opts.expand_terms, opts.expand_weight);
            if (!more.empty()) {
                matched_text = Xapian::Query(Xapian::Query::OP_OR, built.text, more);
                matched = apply_filters(matched_text, opts.request.filters, index.db);
            }
        }
        std::shared_ptr<const Prior> blend;
        Xapian::Query prior;
        if (sort == SortMode::Blend) {
            // Recency is measured from the newest article in the index, so an archive ranks
            // sensibly too (see docs/ranking.md).
            PriorSpec spec;
            spec.quality_weight = opts.quality_weight;
            spec.recency_weight = opts.recency_weight;
            spec.half_life_days = opts.half_life_days;
            spec.anchor = newest_time(index.db);
            spec.hours_near_anchor = false;  // day keys: one posting source fewer per query
            // Building the prior (hundreds of day keys) costs about as much as a small match:
            // a batch reuses it while the spec and the index's bounds stay the same.
            if (!index.prior || !index.prior->reusable_for(spec, index.db))
                index.prior = std::make_shared<const Prior>(spec, index.db);
            blend = index.prior;
        }
        // On local databases the prior is one posting source of our own (Prior::local_query),
        // which also does the date and quality filtering when the range keeps a large part of
        // the index (fewer lists to merge per match); a narrow range keeps its bucket terms,
        // which then drive the match. Remote shards get Xapian's built-in sources. Either way
        // the same documents match with the same scores (docs/ranking.md).
        // Other sorts filter in the same source, without weights, when the process keeps the
        // priorkey slot in memory (batch mode): then it costs less than the bucket terms.
        const Filters& filters = opts.request.filters;
        Filters unranged = filters;  // the filters the local source does not apply
        const bool local = !index.any_remote && (!blend || blend->has_local_source());
        const double share = has_range(filters) ? range_share(filters, index.db) : 1.0;
        auto in_memory = [&] {  // every index's keys are in memory (batch mode)
            if (!prior_column_cache()) return false;
            for (const auto& part : index.parts)
                if (!prior_column_ready(part)) return false;
            return true;
        };
        const bool fold =
            local && has_range(filters) && share >= kFoldShare && (blend || in_memory());
        if (fold) {
            unranged.min_quality = unranged.max_quality = std::nullopt;
            unranged.since = unranged.until = std::nullopt;
        }
        if (blend) {
            prior = local ? blend->local_query(fold ? &filters : nullptr, fold ? share : 1.0)
                          : blend->query();
        } else if (fold) {
            prior = range_source(filters, share);  // weight 0: filters only
        }
        // `text` with the filters applied, for an unweighted match (counts, facets).
        auto counted = [&](const Xapian::Query& text, const Xapian::Query& filtered) {
            if (!fold) return filtered;
            return Xapian::Query(Xapian::Query::OP_AND, apply_filters(text, unranged, index.db),
                                 range_source(filters, share));
        };
        // Relevance and blend order exact ties by the id hash (the sort key below, highest
        // first, the order the tie-break prior gives too); date and
        // quality fall back to the score, so their ties need the tie-break prior, and so do
        // several databases, where a score may differ from one index's in its last bits (the
        // matcher sums in another order) and flip a near-tie.
        const bool tie_break =
            sort == SortMode::Date || sort == SortMode::Quality || index.parts.size() > 1;
        // An Enquire ranking `filtered` (`text` with the filters applied) the way this search
        // ranks.
        auto ranked = [&](const Xapian::Query& text, const Xapian::Query& filtered) {
            Xapian::Enquire e(index.db);
            e.set_weighting_scheme(bm25_weight(opts));
            Xapian::Query q = filtered;
            if (fold) {
                q = Xapian::Query(Xapian::Query::OP_AND, apply_filters(text, unranged, index.db),
                                  prior);
            } else if (!prior.empty()) {
                q = Xapian::Query(Xapian::Query::OP_AND_MAYBE, q, prior);
            }
            e.set_query(tie_break ? with_tie_break(q) : q);
            switch (sort) {
                case SortMode::Relevance:
                case SortMode::Blend:
                    e.set_sort_by_relevance_then_value(kSlotIdHash, true);
                    break;
                case SortMode::Date:
                    e.set_sort_by_value_then_relevance(kSlotPublished, !opts.reverse);
                    break;
                case SortMode::Quality:
                    e.set_sort_by_value_then_relevance(kSlotQuality, !opts.reverse);
                    break;
            }
            if (opts.collapse) e.set_collapse_key(kSlotStory);
            return e;
        };
        auto check_for = [&](Xapian::doccount wanted) {
            return opts.exact_count ? index.db.get_doccount() : index.check_at_least(wanted);
        };
        // --match auto: the articles matching only some of the words follow those matching
        // every word (ranked the same way among themselves), listed only after the last
        // all-word match. They are also counted (and faceted) whenever the all-word matches are
        // few (at most kRelaxCountLimit match), so every page of such a search reports the
        // same totals; with more all-word matches only a page past the last of them is relaxed.
        // Whether a search is relaxed depends on the exact all-word count only, never on the
        // ranked match's bounds (which differ between sorts, --exact-count and batch mode).
        // Only a conjunction at the top can have a looser reading (one word, a phrase or an
        // explicit OR has none), so the query is parsed again only then.
        constexpr Xapian::doccount kRelaxCountLimit = 1000;
        const auto top = built.text.get_type();
        const bool conjunction = top == Xapian::Query::OP_AND || top == Xapian::Query::OP_AND_NOT ||
                                 top == Xapian::Query::OP_FILTER ||
                                 top == Xapian::Query::OP_AND_MAYBE;
        const bool relaxable =
            opts.relax && conjunction && built.has_text && opts.expand_terms == 0;
        Xapian::MSet mset =
            ranked(matched_text, matched)
                .get_mset(opts.offset, opts.limit, check_for(opts.offset + opts.limit));
        std::optional<Xapian::MSet> relaxed;  // the partial matches listed on this page
        std::optional<std::array<Xapian::doccount, 3>> partial;  // their count: lower, est, upper
        Xapian::Query relaxed_query, loose_text;
        Xapian::doccount strict_total = 0;
        const bool exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
        if (relaxable && ((exact && mset.get_matches_upper_bound() < opts.offset + opts.limit) ||
                          mset.get_matches_lower_bound() <= kRelaxCountLimit)) {
            QueryRequest any = request;
            any.match_all = false;
            any.spelling = false;
            const BuiltQuery loose = qb.build(any);
            const bool looser =
                loose.has_text && loose.text.get_description() != built.text.get_description();
            std::optional<Xapian::doccount> strict;  // the exact all-word count, if relaxed
            if (looser && exact) {
                if (mset.get_matches_upper_bound() < opts.offset + opts.limit ||
                    mset.get_matches_upper_bound() <= kRelaxCountLimit)
                    strict = mset.get_matches_upper_bound();
            } else if (looser) {
                // Count the all-word matches, stopping past kRelaxCountLimit: an unweighted
                // match that checks one more than the limit has exact bounds when they are
                // at most the limit.
                Xapian::Enquire count(index.db);
                count.set_query(counted(matched_text, matched));
                count.set_weighting_scheme(Xapian::BoolWeight());
                const Xapian::MSet m = count.get_mset(0, 0, kRelaxCountLimit + 1);
                if (m.get_matches_lower_bound() == m.get_matches_upper_bound() &&
                    m.get_matches_upper_bound() <= kRelaxCountLimit)
                    strict = m.get_matches_upper_bound();
            }
            if (strict) {
                strict_total = *strict;
                relaxed_query = loose.query;
                loose_text = loose.text;
                Xapian::Query tail_text(Xapian::Query::OP_AND_NOT, loose.text, built.text);
                Xapian::Query tail(Xapian::Query::OP_AND_NOT, loose.query, built.text);
                // With --collapse the all-word part lists stories: the boundary is their
                // number, and the tail leaves out every story already listed there (another
                // copy of it may match only some of the words).
                if (opts.collapse && strict_total > 0) {
                    Xapian::Enquire se(index.db);
                    se.set_query(counted(matched_text, matched));
                    se.set_weighting_scheme(Xapian::BoolWeight());
                    se.set_collapse_key(kSlotStory);
                    const Xapian::MSet sm = se.get_mset(0, strict_total);
                    strict_total = static_cast<Xapian::doccount>(sm.size());
                    std::vector<Xapian::Query> stories;
                    for (auto it = sm.begin(); it != sm.end(); ++it)
                        stories.emplace_back(
                            bool_term("storyterm", it.get_document().get_value(kSlotStory)));
                    const Xapian::Query listed(Xapian::Query::OP_OR, stories.begin(),
                                               stories.end());
                    tail_text = Xapian::Query(Xapian::Query::OP_AND_NOT, tail_text, listed);
                    tail = Xapian::Query(Xapian::Query::OP_AND_NOT, tail, listed);
                }
                const Xapian::doccount shown = static_cast<Xapian::doccount>(mset.size());
                const Xapian::doccount from =
                    opts.offset > strict_total ? opts.offset - strict_total : 0;
                const Xapian::doccount n =
                    opts.offset + shown < strict_total ? 0 : opts.limit - shown;
                if (n > 0) {
                    // No article matches every word (a question, a description): the words
                    // of the best partial matches that the query lacks reorder the tail
                    // (pseudo-relevance feedback that only reweights: the same articles
                    // match, counted the same). docs/ranking.md.
                    if (strict_total == 0 && opts.expand_auto) {
                        const Xapian::Query more =
                            feedback(loose.text, loose.query, kAutoExpandDocs, kAutoExpandTerms,
                                     kAutoExpandWeight);
                        if (!more.empty()) {
                            tail_text = Xapian::Query(Xapian::Query::OP_AND_MAYBE, tail_text, more);
                            tail = Xapian::Query(Xapian::Query::OP_AND_MAYBE, tail, more);
                        }
                    }
                    relaxed = ranked(tail_text, tail).get_mset(from, n, check_for(from + n));
                }
                if (opts.collapse) {
                    // Stories matching only some of the words: the distinct story values of
                    // the tail's articles, counted exactly (a match with no results does not
                    // collapse, so its bounds would count articles).
                    Xapian::Enquire count(index.db);
                    count.set_query(counted(tail_text, tail));
                    count.set_weighting_scheme(Xapian::BoolWeight());
                    Xapian::ValueCountMatchSpy spy(kSlotStory);
                    count.add_matchspy(&spy);
                    (void)count.get_mset(0, 0, index.db.get_doccount());
                    Xapian::doccount n = 0;
                    for (auto it = spy.values_begin(); it != spy.values_end(); ++it) ++n;
                    partial = {n, n, n};
                } else if (relaxed && relaxed->get_matches_lower_bound() ==
                                          relaxed->get_matches_upper_bound()) {  // it saw them all
                    partial = {relaxed->get_matches_lower_bound(), relaxed->get_matches_estimated(),
                               relaxed->get_matches_upper_bound()};
                } else {
                    // The loose reading's bounds less the all-word matches (all of them match
                    // it too), from an unweighted match that checks nothing: true bounds, the
                    // same on every page that does not count exactly (the ranked match's
                    // inexact bounds depend on how far it had to go, and can pass the index's
                    // size).
                    Xapian::Enquire count(index.db);
                    count.set_query(counted(loose.text, loose.query));
                    count.set_weighting_scheme(Xapian::BoolWeight());
                    const Xapian::MSet m = count.get_mset(
                        0, 0, opts.exact_count ? index.db.get_doccount() : Xapian::doccount{0});
                    auto less = [&](Xapian::doccount v) {
                        return v > strict_total ? v - strict_total : 0;
                    };
                    partial = {less(m.get_matches_lower_bound()), less(m.get_matches_estimated()),
                               less(m.get_matches_upper_bound())};
                }
            }
        }
        // Facets: counted over the whole match set in a match of their own, unsorted and
        // unweighted. (Xapian 1.4's remote backend overcounts match spies in a match sorted by
        // value, so counting them in the ranked match would differ between local and remote
        // shards; see docs/scale-out.md.) They count the articles the total counts: those
        // matching every word, or, when none does, those matching some of the words.
        std::optional<Facets> spy;
        std::optional<Xapian::MSet> facet_mset;  // exact counts
        const bool facets_loose = partial && strict_total == 0;
        if (!opts.facets.empty()) {
            spy.emplace(opts.facets);
            Xapian::Enquire fe(index.db);
            fe.set_query(facets_loose ? counted(loose_text, relaxed_query)
                                      : counted(matched_text, matched));
            fe.set_weighting_scheme(Xapian::BoolWeight());
            spy->attach(fe);
            facet_mset = fe.get_mset(0, 0, index.db.get_doccount());
        }

        nlohmann::json out;
        out["version"] = kJsonVersion;
        // Valid UTF-8 whatever the query's bytes were, so the JSON can always be written.
        out["query"] = sanitize_utf8(opts.request.text);
        out["parsed_query"] = sanitize_utf8(matched.get_description());
        if (opts.expand_terms > 0 || !expansion.empty()) out["expansion"] = expansion;
        out["lenient"] = built.lenient;
        if (built.lenient) out["lenient_reason"] = sanitize_utf8(built.parse_note);
        // The total counts the articles that match as asked (every word, under --match auto);
        // a relaxed search's articles matching only some of the words are counted apart
        // (relaxed_total).
        if (partial) {
            out["total"] = {
                {"lower", strict_total}, {"estimated", strict_total}, {"upper", strict_total}};
        } else if (facet_mset && !opts.collapse) {
            out["total"] = {{"lower", facet_mset->get_matches_lower_bound()},
                            {"estimated", facet_mset->get_matches_estimated()},
                            {"upper", facet_mset->get_matches_upper_bound()}};
        } else {
            out["total"] = {{"lower", mset.get_matches_lower_bound()},
                            {"estimated", mset.get_matches_estimated()},
                            {"upper", mset.get_matches_upper_bound()}};
        }
        out["relaxed"] = partial.has_value();
        if (partial) {
            out["matched_all"] = strict_total;
            out["relaxed_total"] = {
                {"lower", (*partial)[0]}, {"estimated", (*partial)[1]}, {"upper", (*partial)[2]}};
            out["relaxed_query"] = sanitize_utf8(relaxed_query.get_description());
        }
        if (spy) out["facets_count"] = facets_loose ? "some_words" : "all_words";
        out["offset"] = opts.offset;
        out["limit"] = opts.limit;
        out["collapse"] = opts.collapse;
        out["sort"] = sort == SortMode::Blend     ? "blend"
                      : sort == SortMode::Date    ? "date"
                      : sort == SortMode::Quality ? "quality"
                                                  : "relevance";
        out["suggestion"] = built.suggestion.empty()
                                ? nlohmann::json(nullptr)
                                : nlohmann::json(sanitize_utf8(built.suggestion));
        out["corrected_query"] =
            corrected ? nlohmann::json(sanitize_utf8(offered)) : nlohmann::json(nullptr);
        out["notes"] = notes;
        auto& results = out["results"] = nlohmann::json::array();
        const unsigned snippet_flags = 0;
        constexpr std::size_t kSnippetBytes = 240;
        // The title is highlighted by the words of the query, the snippet by what the match
        // used (expansion terms too).
        Highlighter title_marks(built.text, qb.stemmer(), opts.highlight_start, opts.highlight_end);
        auto add_results = [&](const Xapian::MSet& m, Xapian::doccount rank0, bool all_words) {
            for (auto it = m.begin(); it != m.end(); ++it) {
                const Xapian::Document doc = it.get_document();
                nlohmann::json r = result_fields(doc);
                r["rank"] = rank0 + it.get_rank() + 1;
                r["score"] = it.get_weight();
                r["matched_all_words"] = all_words;
                if (opts.collapse) r["collapsed"] = it.get_collapse_count();
                const std::string excerpt = r["excerpt"].get<std::string>();
                const std::string title = r["title"].get<std::string>();
                if (built.has_text) {
                    // Xapian picks the best-matching passage and highlights the words its
                    // term generator would index, as the match saw them (it escapes HTML:
                    // decoded again).
                    r["snippet"] = decode_html_entities(
                        m.snippet(excerpt.empty() ? title : excerpt, kSnippetBytes, qb.stemmer(),
                                  snippet_flags, opts.highlight_start, opts.highlight_end, "…"));
                    r["title_highlighted"] = title_marks(title);
                } else {
                    r["snippet"] = utf8_truncate(excerpt, kSnippetBytes);
                    r["title_highlighted"] = title;
                }
                if (opts.explain) {
                    const double p = blend ? blend->weight_for(doc) : 0.0;
                    r["explain"] = {
                        {"docid", *it},
                        {"bm25", it.get_weight() - p - (tie_break ? tie_break_part(doc) : 0.0)},
                        {"prior", p}};
                }
                results.push_back(std::move(r));
            }
        };
        add_results(mset, 0, true);
        if (relaxed) add_results(*relaxed, strict_total, false);
        if (spy) out["facets"] = spy->to_json(20);
        out["elapsed_ms"] =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        return out;
    });
}

std::optional<Xapian::docid> find_article(const Xapian::Database& db,
                                          const std::string& id_or_url) {
    std::optional<Xapian::docid> did = find_docid(db, id_or_url);
    if (!did) did = find_docid(db, normalize_url(id_or_url));
    if (!did) {
        const std::string u = bool_term("url", id_or_url);
        auto p = db.postlist_begin(u);
        if (p != db.postlist_end(u)) did = *p;
    }
    return did;
}

Xapian::docid resolve_article(const Xapian::Database& db, const std::string& id_or_url) {
    const auto did = find_article(db, id_or_url);
    if (!did) throw NotFoundError("no article with id or url '" + id_or_url + "' in the index");
    return *did;
}

nlohmann::json get_story(OpenedIndex& index, const std::string& id_or_url) {
    return with_reopen(index, [&]() -> nlohmann::json {
        Xapian::Database& db = index.db;
        const Xapian::Document seed = db.get_document(resolve_article(db, id_or_url));
        const std::string story = seed.get_value(kSlotStory);
        std::vector<std::pair<std::string, nlohmann::json>> members;
        const std::string t = bool_term("storyterm", story);
        if (story.empty() || db.get_termfreq(t) == 0) {  // a story of one (singletons have no term)
            members.emplace_back("", result_fields(seed));
        } else {
            for (auto p = db.postlist_begin(t); p != db.postlist_end(t); ++p) {
                nlohmann::json r = result_fields(db.get_document(*p));
                std::string key =
                    r["published"].is_null() ? "~" : r["published"].get<std::string>();
                members.emplace_back(key + r["id"].get<std::string>(), std::move(r));
            }
        }
        std::sort(members.begin(), members.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        nlohmann::json out;
        out["version"] = kJsonVersion;
        out["story"] = story.empty() ? nlohmann::json(nullptr) : nlohmann::json(story);
        out["count"] = members.size();
        auto& arr = out["articles"] = nlohmann::json::array();
        for (auto& [k, r] : members) arr.push_back(std::move(r));
        return out;
    });
}

nlohmann::json get_article(OpenedIndex& index, const std::string& id_or_url) {
    return with_reopen(index, [&]() -> nlohmann::json {
        Xapian::Database& db = index.db;
        const std::optional<Xapian::docid> did = resolve_article(db, id_or_url);
        const Xapian::Document doc = db.get_document(*did);
        const nlohmann::json data = read_data(doc);
        nlohmann::json out;
        out["version"] = kJsonVersion;
        out["article"] = result_fields(doc);
        const std::string id = data.value("id", "");
        auto& outl = out["related"] = nlohmann::json::array();
        {
            for (const auto& key : out_links(doc)) {
                nlohmann::json e = {
                    {"id", nullptr}, {"indexed", false}, {"stub", false}, {"title", ""}};
                if (auto ld = find_by_key(db, key)) {
                    const auto ldata = read_data(db.get_document(*ld));
                    e["id"] = ldata.value("id", "");
                    e["indexed"] = true;
                    e["stub"] = ldata.value("stub", false);
                    e["title"] = ldata.value("title", "");
                }
                outl.push_back(std::move(e));
            }
        }
        const std::string lt = bool_term("links", id);
        out["inlink_count"] = db.get_termfreq(lt);
        auto& inl = out["inlinks"] = nlohmann::json::array();
        for (auto p = db.postlist_begin(lt); p != db.postlist_end(lt) && inl.size() < 100; ++p) {
            const auto d = read_data(db.get_document(*p));
            inl.push_back({{"id", d.value("id", "")}, {"title", d.value("title", "")}});
        }
        return out;
    });
}

nlohmann::json index_stats(OpenedIndex& index) {
    return with_reopen(index, [&] {
        Xapian::Database& db = index.db;
        nlohmann::json out;
        out["version"] = kJsonVersion;
        out["indexes"] = index.paths;
        const auto total = db.get_doccount();
        const auto stubs = db.get_termfreq(bool_term("flag", "stub"));
        out["documents"] = total;
        out["articles"] = total - stubs;
        out["stubs"] = stubs;
        out["removed"] = db.get_termfreq(bool_term("flag", "removed"));
        out["schema_version"] = kSchemaVersion;
        out["language"] = index.language;
        out["last_update"] = db.get_metadata(kMetaLastUpdate);
        const std::string lo = db.get_value_lower_bound(kSlotPublished);
        const std::string hi = db.get_value_upper_bound(kSlotPublished);
        out["oldest"] = lo.empty() ? nlohmann::json(nullptr)
                                   : nlohmann::json(format_iso8601(
                                         static_cast<int64_t>(Xapian::sortable_unserialise(lo))));
        out["newest"] = hi.empty() ? nlohmann::json(nullptr)
                                   : nlohmann::json(format_iso8601(
                                         static_cast<int64_t>(Xapian::sortable_unserialise(hi))));
        auto top = [&](const std::string& prefix) {
            std::vector<std::pair<std::string, Xapian::doccount>> v;
            for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
                std::string name = (*t).substr(prefix.size());
                if (!name.empty() && name[0] == ':') name.erase(0, 1);
                v.emplace_back(name, t.get_termfreq());
            }
            std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
                return a.second != b.second ? a.second > b.second : a.first < b.first;
            });
            if (v.size() > 10) v.resize(10);
            nlohmann::json arr = nlohmann::json::array();
            for (const auto& [k, c] : v) arr.push_back({{"value", k}, {"count", c}});
            return arr;
        };
        out["top_topics"] = top(std::string(field("topic").prefix));
        out["top_providers"] = top(std::string(field("provider").prefix));
        uintmax_t bytes = 0;
        for (const auto& p : index.paths) {
            if (p.starts_with("tcp://")) continue;  // remote: not on this disk
            std::error_code ec;
            for (auto it = fs::recursive_directory_iterator(p, ec);
                 !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (it->is_regular_file(ec)) bytes += it->file_size(ec);
            }
        }
        out["size_bytes"] = bytes;
        return out;
    });
}

}  // namespace news
