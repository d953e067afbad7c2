// Article -> Xapian::Document (each field written once through FieldWriter), the stored
// document data, and look-ups of documents by id.
#include "document.hpp"

#include <algorithm>
#include <cmath>

#include "date.hpp"
#include "field_writer.hpp"
#include "fold.hpp"
#include "schema.hpp"
#include "story.hpp"
#include "text.hpp"
#include "url.hpp"

namespace news {

namespace {

// The 8 big-endian bytes of the hash of an id (the idhash value, one entry of `related`).
std::string hash_bytes(std::string_view id) {
    uint64_t h = hash64(id);
    std::string out(8, '\0');
    for (int i = 7; i >= 0; --i, h >>= 8)
        out[static_cast<std::size_t>(i)] = static_cast<char>(h & 0xFF);
    return out;
}

// The hash of an id mapped to [0, 1): the tie-break prior (see kSlotTieBreak).
double tie_break(std::string_view id) {
    return static_cast<double>(hash64(id) >> 11) * 0x1p-53;
}

void add_dates(FieldWriter& w, int64_t t) {
    int64_t y;
    unsigned m, d;
    civil_from_days(epoch_day(t), y, m, d);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(y));
    w.add(FieldId::Year, buf);
    std::snprintf(buf, sizeof buf, "%04lld%02u", static_cast<long long>(y), m);
    w.add(FieldId::Month, buf);
    std::snprintf(buf, sizeof buf, "%04lld%02u%02u", static_cast<long long>(y), m, d);
    w.add(FieldId::Day, buf);
    w.add(FieldId::Published, static_cast<double>(t));
    // Years 0..9999 only (an offset can push a date out of them): the keys must sort.
    if (const std::string day = day_key(t); day_from_key(day)) {
        w.add(FieldId::PubDay, day);
        w.add(FieldId::PubHour, hour_key(t));
    }
}

void add_quality(FieldWriter& w, double q) {
    w.add(FieldId::Quality, q);
    w.add(FieldId::QPrior, std::clamp(q, 0.0, 100.0));
    const double b = std::clamp(std::floor(q / kQualityBucket), double(kQualityBucketMin),
                                double(kQualityBucketMax));
    w.add(FieldId::QBucket, std::to_string(static_cast<long long>(b * kQualityBucket)));
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

DocumentBuilder::DocumentBuilder(const std::string& language) : tap_(std::make_shared<StemTap>()) {
    tg_.set_stemmer(make_thread_stemmer(language, tap_));
    tg_.set_stemming_strategy(kIndexStemStrategy);
}

// What full articles and stubs share. Free text is indexed in this order (positions follow it):
// title, excerpt, body, topics, provider name.
void DocumentBuilder::index_core(FieldWriter& w, const ArticleCore& a, const std::string& id,
                                 const std::vector<std::string>& topics, const std::string& body,
                                 std::vector<std::string>* words) {
    w.add(FieldId::Id, id);
    w.add(FieldId::IdKey, id);
    w.add(FieldId::TieBreak, tie_break(id));
    w.add(FieldId::IdHash, hash_bytes(id));
    {
        // The term generator hands every word it reads to the stemmer (STEM_ALL_Z, no
        // stopper): the words of these two fields, as a TermGenerator without a stemmer
        // would make them terms.
        static_assert(kIndexStemStrategy == Xapian::TermGenerator::STEM_ALL_Z,
                      "the stemmer is given every word only under STEM_ALL_Z or STEM_ALL");
        struct Tap {
            StemTap& t;
            ~Tap() { t.words = nullptr; }
        } tap{*tap_};
        tap_->words = words;
        w.add(FieldId::Title, a.title);
        w.add(FieldId::Excerpt, a.excerpt);
    }
    w.add(FieldId::Body, body);
    std::string joined;
    for (const auto& t : topics) {
        w.add(FieldId::Topic, t);
        if (!joined.empty()) joined += '\x1f';
        joined += t;
    }
    w.add(FieldId::Topics, joined);
    w.add(FieldId::Provider, a.provider.name);
    w.add(FieldId::ProviderName, a.provider.name);
    w.add(FieldId::Domain, a.provider.domain.empty() ? url_host(a.web_url) : a.provider.domain);
    w.add(FieldId::Type, a.type);
    w.add(FieldId::TypeName, a.type);
    if (a.published) add_dates(w, *a.published);
    if (a.quality) add_quality(w, *a.quality);
    w.add(FieldId::PriorKey, prior_key(a.published, a.quality));
}

DocumentBuilder::Built DocumentBuilder::build(const Article& a) {
    Built out;
    FieldWriter w(out.doc, tg_);
    // Spelling data: the plain (unprefixed, unstemmed) words of the title and excerpt,
    // distinct and sorted.
    std::vector<std::string> words;
    index_core(w, a, a.id, a.topics, a.body, &words);
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    for (auto& word : words)
        if (word.size() >= 3 && word.size() <= 40) out.spelling_words.push_back(std::move(word));
    // The id term already holds the normalised webUrl (or originalUrl); a U term is only
    // needed for an originalUrl that differs from the id.
    if (!a.original_url.empty() && normalize_url(a.original_url) != a.id) {
        w.add(FieldId::Url, a.original_url);
    }
    // The path `searcher get` prints finds the article (an article whose id is its path has
    // that term already).
    if (a.path != a.id) w.add(FieldId::Path, a.path);
    w.add(FieldId::Category, a.category);
    if (a.removed) w.add(FieldId::Flag, "removed");
    if (a.featured) w.add(FieldId::Flag, "featured");
    if (a.published_flag.value_or(false)) w.add(FieldId::Flag, "published");
    if (a.heat) w.add(FieldId::Heat, *a.heat);
    std::string links;
    for (const auto& r : a.related) {
        w.add(FieldId::Links, r.id);
        links += hash_bytes(r.id);
    }
    w.add(FieldId::Related, links);
    // Stories: the writer's story pass sets the story id; until then an article is a story of
    // its own (no XS term: singletons do not need one). What the story rule reads comes from
    // the stored title, excerpt and provider.
    w.add(FieldId::Story, id_key(a.id));
    out.doc.set_data(
        article_data(a).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return out;
}

Xapian::Document DocumentBuilder::build_stub(const RelatedRef& r, const std::string& from) {
    Xapian::Document doc;
    FieldWriter w(doc, tg_);
    index_core(w, r, r.id, {}, {});
    w.add(FieldId::Flag, "stub");
    // A stub is a story of its own (it has no text to compare), whether it was written as a
    // stub or an article became one: the story pass would give it this value too.
    w.add(FieldId::Story, id_key(r.id));
    doc.set_data(stub_data(r, from).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
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
    const std::string term = make_term(field(FieldId::IdKey).prefix, key);
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
    const std::string term = bool_term(FieldId::Id, id);
    Xapian::PostingIterator p = db.postlist_begin(term);
    if (p == db.postlist_end(term)) return std::nullopt;
    return *p;
}

}  // namespace news
