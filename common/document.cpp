#include "document.hpp"

#include <algorithm>
#include <cmath>

#include "date.hpp"
#include "fold.hpp"
#include "schema.hpp"
#include "story.hpp"
#include "text.hpp"
#include "url.hpp"

namespace news {

namespace {

void add_value_number(Xapian::Document& doc, Xapian::valueno slot, double v) {
    doc.add_value(slot, Xapian::sortable_serialise(v));
}

void add_date_terms(Xapian::Document& doc, int64_t t) {
    int64_t y;
    unsigned m, d;
    civil_from_days(epoch_day(t), y, m, d);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(y));
    doc.add_boolean_term(make_term(field("year").prefix, buf));
    std::snprintf(buf, sizeof buf, "%04lld%02u", static_cast<long long>(y), m);
    doc.add_boolean_term(make_term(field("month").prefix, buf));
    std::snprintf(buf, sizeof buf, "%04lld%02u%02u", static_cast<long long>(y), m, d);
    doc.add_boolean_term(make_term(field("day").prefix, buf));
}

void put_core(nlohmann::json& j, const ArticleCore& a) {
    j["title"] = a.title;
    j["excerpt"] = a.excerpt;
    if (!a.web_url.empty()) j["url"] = a.web_url;
    if (!a.amp_web_url.empty()) j["amp_url"] = a.amp_web_url;
    if (a.published) j["published"] = *a.published;
    if (a.quality) j["quality"] = *a.quality;
    if (!a.type.empty()) j["type"] = a.type;
    if (!a.provider.name.empty() || !a.provider.domain.empty()) {
        j["provider"] = {{"name", a.provider.name}, {"domain", a.provider.domain}};
    }
    if (!a.images.empty()) j["image"] = a.images.front().url;
}

}  // namespace

DocumentBuilder::DocumentBuilder(const std::string& language) {
    tg_.set_stemmer(make_stemmer(language));
    tg_.set_stemming_strategy(kIndexStemStrategy);
}

void DocumentBuilder::index_core(Xapian::Document& doc, const ArticleCore& a, const std::string& id,
                                 const std::vector<std::string>& topics, const std::string& body) {
    doc.add_boolean_term(bool_term("id", id));
    doc.add_boolean_term(bool_term("idkey", id));
    {
        uint64_t h = hash64(id);
        // In [0, 1): the tie-break prior (see kSlotTieBreak).
        doc.add_value(kSlotTieBreak,
                      Xapian::sortable_serialise(static_cast<double>(h >> 11) * 0x1p-53));
        std::string key(8, '\0');
        for (int i = 7; i >= 0; --i, h >>= 8)
            key[static_cast<std::size_t>(i)] = static_cast<char>(h & 0xFF);
        doc.add_value(kSlotIdHash, key);
    }
    tg_.set_document(doc);
    if (!a.title.empty()) {
        tg_.index_text(a.title, 1, std::string(field("title").prefix));
        tg_.increase_termpos();
        tg_.index_text(a.title, kTitleWeight);
        tg_.increase_termpos();
    }
    if (!a.excerpt.empty()) {
        tg_.index_text(a.excerpt);
        tg_.increase_termpos();
    }
    if (!body.empty()) {
        tg_.index_text(body);
        tg_.increase_termpos();
    }
    std::string joined;
    for (const auto& t : topics) {
        tg_.index_text(t);
        tg_.increase_termpos();
        doc.add_boolean_term(bool_term("topic", t));
        if (!joined.empty()) joined += '\x1f';
        joined += t;
    }
    if (!joined.empty()) doc.add_value(kSlotTopics, joined);
    if (!a.provider.name.empty()) doc.add_value(kSlotProvider, a.provider.name);
    if (!a.type.empty()) doc.add_value(kSlotType, a.type);
    if (!a.provider.name.empty()) {
        tg_.index_text(a.provider.name);
        tg_.increase_termpos();
        doc.add_boolean_term(bool_term("provider", a.provider.name));
    }
    std::string domain = a.provider.domain;
    if (domain.empty()) domain = url_host(a.web_url);
    if (!domain.empty()) doc.add_boolean_term(bool_term("domain", domain));
    if (!a.type.empty()) doc.add_boolean_term(bool_term("type", a.type));
    if (a.published) {
        add_date_terms(doc, *a.published);
        add_value_number(doc, kSlotPublished, static_cast<double>(*a.published));
        // Years 0..9999 only (an offset can push a date out of them): the keys must sort.
        if (const std::string day = day_key(*a.published); day_from_key(day)) {
            doc.add_value(kSlotDay, day);
            doc.add_value(kSlotHour, hour_key(*a.published));
        }
    }
    if (a.quality) {
        add_value_number(doc, kSlotQuality, *a.quality);
        add_value_number(doc, kSlotQualityPrior, std::clamp(*a.quality, 0.0, 100.0));
        const double b = std::clamp(std::floor(*a.quality / kQualityBucket),
                                    double(kQualityBucketMin), double(kQualityBucketMax));
        doc.add_boolean_term(quality_bucket_term(b * kQualityBucket));
    }
    doc.add_value(kSlotPriorKey, prior_key(a.published, a.quality));
}

DocumentBuilder::Built DocumentBuilder::build(const Article& a) {
    Built out;
    Xapian::Document& doc = out.doc;
    index_core(doc, a, a.id, a.topics, a.body);
    // Spelling data: the plain (unprefixed, unstemmed) words of the title and excerpt.
    {
        Xapian::Document scratch;
        Xapian::TermGenerator words;
        words.set_document(scratch);
        words.index_text_without_positions(a.title);
        words.index_text_without_positions(a.excerpt);
        for (auto it = scratch.termlist_begin(); it != scratch.termlist_end(); ++it) {
            std::string w = *it;
            if (w.size() >= 3 && w.size() <= 40) out.spelling_words.push_back(std::move(w));
        }
    }
    // The id term already holds the normalised webUrl (or originalUrl); a U term is only
    // needed for an originalUrl that differs from the id.
    if (!a.original_url.empty() && normalize_url(a.original_url) != a.id) {
        doc.add_boolean_term(bool_term("url", a.original_url));
    }
    if (!a.category.empty()) doc.add_boolean_term(bool_term("category", a.category));
    if (a.removed) doc.add_boolean_term(bool_term("flag", "removed"));
    if (a.featured) doc.add_boolean_term(bool_term("flag", "featured"));
    if (a.published_flag.value_or(false)) doc.add_boolean_term(bool_term("flag", "published"));
    if (a.heat) add_value_number(doc, kSlotHeat, *a.heat);
    std::string links;
    for (const auto& r : a.related) {
        doc.add_boolean_term(bool_term("links", r.id));
        uint64_t h = hash64(r.id);
        char be[8];
        for (int i = 7; i >= 0; --i, h >>= 8) be[i] = static_cast<char>(h & 0xFF);
        links.append(be, 8);
    }
    if (!links.empty()) doc.add_value(kSlotLinks, links);
    // Stories: the writer's story pass sets the story id; until then an article is a story of
    // its own (no XS term: singletons do not need one). What the story rule reads comes from
    // the stored title, excerpt and provider.
    doc.add_value(kSlotStory, id_key(a.id));
    doc.set_data(article_data(a).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    tg_.set_document(Xapian::Document());  // the builder keeps no reference to what it built
    return out;
}

Xapian::Document DocumentBuilder::build_stub(const RelatedRef& r, const std::string& from) {
    Xapian::Document doc;
    index_core(doc, r, r.id, {}, {});
    doc.add_boolean_term(bool_term("flag", "stub"));
    // A stub is a story of its own (it has no text to compare), whether it was written as a
    // stub or an article became one: the story pass would give it this value too.
    doc.add_value(kSlotStory, id_key(r.id));
    doc.set_data(stub_data(r, from).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    tg_.set_document(Xapian::Document());
    return doc;
}

nlohmann::json article_data(const Article& a) {
    nlohmann::json j;
    j["id"] = a.id;
    put_core(j, a);
    if (!a.original_url.empty()) j["original_url"] = a.original_url;
    if (a.heat) j["heat"] = *a.heat;
    if (!a.category.empty()) j["category"] = a.category;
    if (!a.topics.empty()) j["topics"] = a.topics;
    j["path"] = a.path;
    if (!a.source.empty()) j["source"] = a.source;
    if (a.removed) j["removed"] = true;
    if (a.featured) j["featured"] = true;
    if (a.published_flag) j["published_flag"] = *a.published_flag;
    return j;
}

nlohmann::json stub_data(const RelatedRef& r, const std::string& from) {
    nlohmann::json j;
    j["id"] = r.id;
    put_core(j, r);
    j["stub"] = true;
    if (!from.empty()) j["from"] = from;
    return j;
}

std::vector<std::string> out_links(const Xapian::Document& doc) {
    std::vector<std::string> out;
    const std::string v = doc.get_value(kSlotLinks);
    for (std::size_t i = 0; i + 8 <= v.size(); i += 8) {
        uint64_t h = 0;
        for (std::size_t k = 0; k < 8; ++k) h = (h << 8) | static_cast<unsigned char>(v[i + k]);
        out.push_back(hex64(h));
    }
    return out;
}

std::optional<Xapian::docid> find_by_key(const Xapian::Database& db, const std::string& key) {
    const std::string term = make_term(field("idkey").prefix, key);
    Xapian::PostingIterator p = db.postlist_begin(term);
    if (p == db.postlist_end(term)) return std::nullopt;
    return *p;
}

nlohmann::json read_data(const Xapian::Document& doc) {
    auto j = nlohmann::json::parse(doc.get_data(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return nlohmann::json::object();
    return j;
}

std::optional<Xapian::docid> find_docid(const Xapian::Database& db, const std::string& id) {
    const std::string term = bool_term("id", id);
    Xapian::PostingIterator p = db.postlist_begin(term);
    if (p == db.postlist_end(term)) return std::nullopt;
    return *p;
}

}  // namespace news
