#include "related.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "date.hpp"
#include "document.hpp"
#include "errors.hpp"
#include "fold.hpp"
#include "parser.hpp"
#include "schema.hpp"
#include "text.hpp"

namespace fs = std::filesystem;

namespace news {

namespace {

struct Seed {
    std::optional<Xapian::docid> docid;  // when indexed
    Xapian::Document doc;
    std::string id;
    std::string title;
    std::vector<std::string> topics;
    std::optional<int64_t> published;
};

std::string norm_title(const std::string& t) {
    std::string out;
    for (char c : ascii_lower(t)) {
        if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80)
            out += c;
    }
    return out;
}

Seed resolve_seed(OpenedIndex& index, const std::string& spec) {
    Seed s;
    Xapian::Database& db = index.db;
    std::optional<Xapian::docid> did = find_article(db, spec);
    std::error_code ec;
    if (!did && fs::is_regular_file(spec, ec)) {
        const ParsedFile pf = parse_article_file(spec, fs::path(spec).filename().string());
        // An indexed article given by its file: use the indexed document (and its graph).
        did = find_docid(db, pf.article.id);
        if (!did) {
            DocumentBuilder b(index.language);
            s.doc = b.build(pf.article).doc;
            s.id = pf.article.id;
            s.title = pf.article.title;
            s.topics = pf.article.topics;
            s.published = pf.article.published;
            return s;
        }
    }
    if (!did)
        throw NotFoundError("no article with id or url '" + spec +
                            "' in the index, and no such file");
    s.docid = did;
    s.doc = db.get_document(*did);
    const auto d = read_data(s.doc);
    s.id = d.value("id", "");
    s.title = d.value("title", "");
    if (d.contains("topics")) s.topics = d["topics"].get<std::vector<std::string>>();
    if (d.contains("published")) s.published = d["published"].get<int64_t>();
    return s;
}

Xapian::Query fixed(double w, const Xapian::Query& filter) {
    return Xapian::Query(Xapian::Query::OP_FILTER,
                         Xapian::Query((new Xapian::FixedWeightPostingSource(w))->release()),
                         filter);
}

}  // namespace

RelatedWeights parse_weights(const std::string& spec, RelatedWeights w) {
    std::string s = spec + ",";
    for (std::size_t start = 0, comma; (comma = s.find(',', start)) != std::string::npos;
         start = comma + 1) {
        const std::string item(trim(s.substr(start, comma - start)));
        if (item.empty()) continue;
        const auto eq = item.find('=');
        if (eq == std::string::npos)
            throw UsageError("--weights: expected name=value, got '" + item + "'");
        const std::string name = item.substr(0, eq), value = item.substr(eq + 1);
        char* end = nullptr;
        const double v = std::strtod(value.c_str(), &end);
        if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(v) || v < 0) {
            throw UsageError("--weights: bad value '" + value + "' for " + name);
        }
        if (name == "content")
            w.content = v;
        else if (name == "topics")
            w.topics = v;
        else if (name == "time")
            w.time = v;
        else if (name == "quality")
            w.quality = v;
        else if (name == "graph")
            w.graph = v;
        else
            throw UsageError("--weights: unknown signal '" + name +
                             "' (content, topics, time, quality, graph)");
    }
    return w;
}

nlohmann::json run_related(OpenedIndex& index, const std::string& seed_spec,
                           const RelatedOptions& opts) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int attempt = 0;; ++attempt) {
        try {
            Xapian::Database& db = index.db;
            const Seed seed = resolve_seed(index, seed_spec);
            const RelatedWeights& w = opts.weights;
            const std::string seed_key = id_key(seed.id);

            // Content: the seed's stemmed terms (at most expand_terms, the most characteristic
            // by tf-idf when there are more), each worth 1 / (1 + idf) to a candidate that has
            // it, whatever its wdf or length (CoordWeight scaled per term). Counting shared
            // vocabulary, common words included, matched the editorial lists far better than
            // relevance feedback (BM25 over the seed's ESet), which the rarest terms dominate.
            std::vector<std::pair<std::string, double>> terms;  // term, weight
            {
                const double n = std::max<double>(1, db.get_doccount());
                std::vector<std::tuple<double, std::string, double>> ranked;  // tf-idf, term, w
                for (auto it = seed.doc.termlist_begin(); it != seed.doc.termlist_end(); ++it) {
                    const std::string t = *it;
                    if (t.size() <= 2 || t[0] != 'Z') continue;
                    const double df = db.get_termfreq(t);
                    if (df == 0) continue;
                    const double idf = std::log(std::max(1.0, n / df));
                    ranked.emplace_back((1 + std::log(it.get_wdf())) * idf, t, 1 / (1 + idf));
                }
                if (ranked.size() > opts.expand_terms) {
                    std::stable_sort(ranked.begin(), ranked.end(),
                                     [](const auto& x, const auto& y) {
                                         return std::get<0>(x) > std::get<0>(y);
                                     });
                    ranked.resize(opts.expand_terms);
                }
                for (auto& [score, t, tw] : ranked) terms.emplace_back(std::move(t), tw);
            }
            std::set<std::string> title_stems;
            {
                Xapian::Document scratch;
                Xapian::TermGenerator tg;
                tg.set_stemmer(make_stemmer(index.language));
                tg.set_stemming_strategy(kIndexStemStrategy);
                tg.set_document(scratch);
                tg.index_text_without_positions(seed.title);
                for (auto it = scratch.termlist_begin(); it != scratch.termlist_end(); ++it) {
                    if ((*it)[0] == 'Z') title_stems.insert(*it);
                }
            }
            std::vector<Xapian::Query> content_parts;
            for (const auto& [t, tw] : terms) {
                const double boost = title_stems.count(t) ? opts.title_boost : 1.0;
                content_parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(t),
                                           tw * boost);
            }
            std::vector<Xapian::Query> hidden{Xapian::Query(bool_term("id", seed.id))};
            if (!opts.filters.include_removed) hidden.emplace_back(bool_term("flag", "removed"));
            if (!opts.filters.include_stubs) hidden.emplace_back(bool_term("flag", "stub"));
            const Xapian::Query hide(Xapian::Query::OP_OR, hidden.begin(), hidden.end());
            const Xapian::Query filters = filter_query(opts.filters, db);
            auto restrict = [&](Xapian::Query q) {
                if (!filters.empty()) q = Xapian::Query(Xapian::Query::OP_FILTER, q, filters);
                return Xapian::Query(Xapian::Query::OP_AND_NOT, q, hide);
            };

            std::vector<Xapian::Query> signals;
            if (w.content > 0 && !content_parts.empty()) {
                Xapian::Query content(Xapian::Query::OP_OR, content_parts.begin(),
                                      content_parts.end());
                // Scale so the best candidate's content score is w.content.
                Xapian::Enquire probe(db);
                probe.set_weighting_scheme(Xapian::CoordWeight());
                probe.set_query(restrict(content));
                // Every match is scored: asked for one result, Xapian 1.4.22's matcher can
                // return a candidate below the best one for this OR of scaled CoordWeight terms
                // (seen on the sample corpus: a French seed's best content score was missed on
                // one index and found over three shards), which would scale the signal wrongly.
                const Xapian::MSet top = probe.get_mset(0, 1, db.get_doccount());
                if (!top.empty() && top.begin().get_weight() > 0) {
                    signals.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, content,
                                         w.content / top.begin().get_weight());
                }
            }
            if (w.topics > 0 && !seed.topics.empty()) {
                for (const auto& t : seed.topics) {
                    signals.push_back(fixed(w.topics / static_cast<double>(seed.topics.size()),
                                            Xapian::Query(bool_term("topic", t))));
                }
            }
            // The editorial graph held in the index.
            std::set<std::string> out_keys, co_keys;
            bool has_in = false;
            if (w.graph > 0) {
                for (const auto& k : out_links(seed.doc)) out_keys.insert(k);
                const std::string lt = make_term(field("links").prefix, seed_key);
                has_in = db.get_termfreq(lt) > 0;
                std::size_t referrers = 0;
                for (auto p = db.postlist_begin(lt); p != db.postlist_end(lt) && referrers < 100;
                     ++p, ++referrers) {
                    for (const auto& k : out_links(db.get_document(*p))) {
                        if (k != seed_key && !out_keys.count(k)) co_keys.insert(k);
                    }
                }
                auto keyed = [&](const std::set<std::string>& keys) {
                    std::vector<Xapian::Query> qs;
                    for (const auto& k : keys) qs.emplace_back(make_term(field("idkey").prefix, k));
                    return Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
                };
                if (!out_keys.empty()) signals.push_back(fixed(w.graph, keyed(out_keys)));
                if (has_in) signals.push_back(fixed(w.graph, Xapian::Query(lt)));
                if (!co_keys.empty()) signals.push_back(fixed(0.5 * w.graph, keyed(co_keys)));
            }

            nlohmann::json out;
            out["version"] = kJsonVersion;
            out["query"] = seed_spec;
            out["lenient"] = false;
            out["suggestion"] = nullptr;
            out["offset"] = opts.offset;
            out["limit"] = opts.limit;
            out["sort"] = "related";
            {
                nlohmann::json sj = result_fields(seed.doc);
                sj["indexed"] = seed.docid.has_value();
                if (!seed.docid) {
                    sj["id"] = seed.id;
                    sj["title"] = seed.title;
                }
                out["seed"] = sj;
            }
            auto& results = out["results"] = nlohmann::json::array();
            if (signals.empty()) {
                out["parsed_query"] = "";
                out["total"] = {{"lower", 0}, {"estimated", 0}, {"upper", 0}};
            } else {
                Xapian::Query candidates(Xapian::Query::OP_OR, signals.begin(), signals.end());
                PriorSpec spec;
                spec.quality_weight = w.quality;
                spec.recency_weight = seed.published ? w.time : 0.0;
                spec.half_life_days = opts.half_life_days;
                spec.anchor = seed.published ? *seed.published : 0;
                spec.symmetric = true;
                spec.plateau_days = opts.plateau_days;
                const Prior prior(spec, db);
                const Xapian::Query prior_q = prior.query();
                Xapian::Query q =
                    restrict(prior_q.empty()
                                 ? candidates
                                 : Xapian::Query(Xapian::Query::OP_AND_MAYBE, candidates, prior_q));
                Xapian::Enquire enq(db);
                enq.set_weighting_scheme(Xapian::CoordWeight());
                // Exact ties: by the id hash (the sort key below); over several databases also
                // near-ties, whose scores may differ from one index's in the last bits.
                enq.set_query(index.parts.size() > 1 ? with_tie_break(q) : q);
                enq.set_sort_by_relevance_then_value(kSlotIdHash, true);
                const std::string seed_title = norm_title(seed.title);
                // Fetch a few extra: near-duplicates of the seed (same title) are dropped.
                const Xapian::doccount want = opts.offset + opts.limit + 20;
                const Xapian::MSet mset = enq.get_mset(0, want, index.check_at_least(want));
                out["parsed_query"] = q.get_description();
                out["total"] = {{"lower", mset.get_matches_lower_bound()},
                                {"estimated", mset.get_matches_estimated()},
                                {"upper", mset.get_matches_upper_bound()}};
                std::size_t skipped = 0;
                for (auto it = mset.begin(); it != mset.end() && results.size() < opts.limit;
                     ++it) {
                    const Xapian::Document doc = it.get_document();
                    nlohmann::json r = result_fields(doc);
                    if (!seed_title.empty() &&
                        norm_title(r["title"].get<std::string>()) == seed_title)
                        continue;
                    if (skipped++ < opts.offset) continue;
                    r["rank"] = opts.offset + results.size() + 1;
                    r["score"] = it.get_weight();
                    r["snippet"] = utf8_truncate(r["excerpt"].get<std::string>(), 240);
                    r["title_highlighted"] = r["title"];
                    // Per-signal parts of the score.
                    double topics = 0;
                    if (w.topics > 0 && !seed.topics.empty()) {
                        std::set<std::string> mine;
                        for (const auto& t : r["topics"])
                            mine.insert(ascii_lower(t.get<std::string>()));
                        for (const auto& t : seed.topics)
                            topics += mine.count(ascii_lower(t)) ? 1 : 0;
                        topics *= w.topics / static_cast<double>(seed.topics.size());
                    }
                    const std::string key = id_key(r["id"].get<std::string>());
                    double graph = 0;
                    if (out_keys.count(key)) graph += w.graph;
                    if (co_keys.count(key)) graph += 0.5 * w.graph;
                    if (has_in) {
                        const std::string lt = make_term(field("links").prefix, seed_key);
                        auto ti = doc.termlist_begin();
                        ti.skip_to(lt);
                        if (ti != doc.termlist_end() && *ti == lt) graph += w.graph;
                    }
                    const double time = prior.time_part(doc), quality = prior.quality_part(doc);
                    const double content =
                        std::max(0.0, it.get_weight() -
                                          (index.parts.size() > 1 ? tie_break_part(doc) : 0.0) -
                                          topics - graph - time - quality);
                    r["signals"] = {{"content", w.content > 0 ? content : 0.0},
                                    {"topics", topics},
                                    {"time", time},
                                    {"quality", quality},
                                    {"graph", graph}};
                    results.push_back(std::move(r));
                }
            }
            out["elapsed_ms"] =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count();
            return out;
        } catch (const Xapian::DatabaseModifiedError&) {
            if (attempt >= 5) throw IndexError("the index kept changing while reading; try again");
            index.db.reopen();
        } catch (const Xapian::NetworkError& e) {
            if (attempt >= 5 || !index.drop_dead_shards(e.get_description())) throw;
        }
    }
}

}  // namespace news
