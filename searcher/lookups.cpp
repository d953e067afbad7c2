// Look-ups by article: get (an article with its links), story (its story's articles), stats
// (the index as a whole), and finding an article by id or URL.
#include "lookups.hpp"

#include <algorithm>
#include <filesystem>

#include "date.hpp"
#include "document.hpp"
#include "schema.hpp"
#include "text.hpp"
#include "url.hpp"

namespace fs = std::filesystem;

namespace news {

std::optional<Xapian::docid> find_article(const Xapian::Database& db,
                                          const std::string& id_or_url) {
    if (auto did = find_docid(db, id_or_url)) return did;
    // Every form the tools print: an id, a URL (also as another page's link or originalUrl),
    // or the `path:` line of `get` (with or without its label).
    std::string_view spec = trim(id_or_url);
    if (spec.starts_with("path:")) spec = trim(spec.substr(5));
    if (spec.empty()) return std::nullopt;
    // A URL as people paste it: http or https, with or without a trailing slash or `www.`, with
    // tracking parameters (normalize_url drops them).
    const std::vector<std::string> variants = url_variants(spec);
    for (const FieldId f : {FieldId::Id, FieldId::Url}) {
        for (const auto& v : variants) {
            const std::string t = bool_term(f, v);
            if (auto p = db.postlist_begin(t); p != db.postlist_end(t)) return *p;
        }
    }
    const std::string_view path = spec.substr(spec.starts_with("./") ? 2 : 0);
    if (auto did = find_docid(db, std::string(path))) return did;
    // The P term holds a hash of the path: the stored path confirms it.
    const std::string t = bool_term(FieldId::Path, path);
    for (auto p = db.postlist_begin(t); p != db.postlist_end(t); ++p) {
        if (read_data(db.get_document(*p)).value("path", "") == path) return *p;
    }
    return std::nullopt;
}

Xapian::docid resolve_article(const Xapian::Database& db, const std::string& id_or_url) {
    const auto did = find_article(db, id_or_url);
    if (!did) throw NotFoundError("no article with id or url '" + id_or_url + "' in the index");
    return *did;
}

StoryResult get_story(OpenedIndex& index, const std::string& id_or_url) {
    StoryResult out = with_reopen(index, [&] {
        Xapian::Database& db = index.db;
        const Xapian::Document seed = db.get_document(resolve_article(db, id_or_url));
        const std::string story = seed.get_value(kSlotStory);
        StoryResult r;
        if (!story.empty()) r.story = story;
        const std::string t = bool_term("storyterm", story);
        if (story.empty() || db.get_termfreq(t) == 0) {  // a story of one (singletons have no term)
            r.articles.push_back(article_fields(seed));
            return r;
        }
        std::vector<std::pair<std::string, ArticleFields>> members;  // by (date, id)
        for (auto p = db.postlist_begin(t); p != db.postlist_end(t); ++p) {
            ArticleFields a = article_fields(db.get_document(*p));
            members.emplace_back(a.published.value_or("~") + a.id, std::move(a));
        }
        std::sort(members.begin(), members.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& m : members) r.articles.push_back(std::move(m.second));
        return r;
    });
    out.missing = index.missing;
    return out;
}

ArticleResult get_article(OpenedIndex& index, const std::string& id_or_url,
                          std::optional<std::size_t> limit) {
    ArticleResult out = with_reopen(index, [&] {
        Xapian::Database& db = index.db;
        const Xapian::Document doc = db.get_document(resolve_article(db, id_or_url));
        ArticleResult r;
        r.article = article_fields(doc);
        const std::vector<std::string> keys = out_links(doc);
        r.related_count = keys.size();
        for (const auto& key : keys) {
            if (limit && r.related.size() >= *limit) break;
            ArticleResult::OutLink l;
            if (auto ld = find_by_key(db, key)) {
                const auto ldata = read_data(db.get_document(*ld));
                l.id = ldata.value("id", "");
                l.indexed = true;
                l.stub = ldata.value("stub", false);
                l.title = ldata.value("title", "");
                l.url = ldata.value("url", "");
            }
            r.related.push_back(std::move(l));
        }
        const std::string lt = bool_term("links", read_data(doc).value("id", ""));
        r.inlink_count = db.get_termfreq(lt);
        const std::size_t inlinks = std::min<std::size_t>(limit.value_or(100), 100);
        for (auto p = db.postlist_begin(lt); p != db.postlist_end(lt) && r.inlinks.size() < inlinks;
             ++p) {
            const auto d = read_data(db.get_document(*p));
            r.inlinks.push_back({d.value("id", ""), d.value("title", ""), d.value("url", "")});
        }
        return r;
    });
    out.missing = index.missing;
    return out;
}

namespace {

// The ten most frequent values of a boolean prefix (by count, then name).
std::vector<FacetValue> top_values(const Xapian::Database& db, const std::string& prefix) {
    std::vector<FacetValue> v;
    for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
        std::string name = (*t).substr(prefix.size());
        if (!name.empty() && name[0] == ':') name.erase(0, 1);
        v.push_back({name, t.get_termfreq()});
    }
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
        return a.count != b.count ? a.count > b.count : a.value < b.value;
    });
    if (v.size() > 10) v.resize(10);
    return v;
}

// The bytes of the local index directories (remote shards are not on this disk).
std::uintmax_t disk_bytes(const std::vector<std::string>& paths) {
    std::uintmax_t bytes = 0;
    for (const auto& p : paths) {
        if (p.starts_with("tcp://")) continue;
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(p, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (it->is_regular_file(ec)) bytes += it->file_size(ec);
        }
    }
    return bytes;
}

std::optional<std::string> bound_time(const std::string& v) {
    if (v.empty()) return std::nullopt;
    return format_iso8601(static_cast<int64_t>(Xapian::sortable_unserialise(v)));
}

}  // namespace

StatsResult index_stats(OpenedIndex& index) {
    StatsResult out = with_reopen(index, [&] {
        Xapian::Database& db = index.db;
        StatsResult r;
        r.indexes = index.paths;
        r.documents = db.get_doccount();
        r.stubs = db.get_termfreq(bool_term("flag", "stub"));
        r.articles = r.documents - r.stubs;
        r.removed = db.get_termfreq(bool_term("flag", "removed"));
        r.schema_version = kSchemaVersion;
        r.language = index.language;
        r.last_update = db.get_metadata(kMetaLastUpdate);
        r.oldest = bound_time(db.get_value_lower_bound(kSlotPublished));
        r.newest = bound_time(db.get_value_upper_bound(kSlotPublished));
        r.top_topics = top_values(db, std::string(field("topic").prefix));
        r.top_providers = top_values(db, std::string(field("provider").prefix));
        r.size_bytes = disk_bytes(index.paths);
        return r;
    });
    out.missing = index.missing;
    return out;
}

std::optional<std::string> date_window_note(OpenedIndex& index, const Filters& filters,
                                            const std::string& since_flag,
                                            const std::string& until_flag) {
    if (!filters.since && !filters.until) return std::nullopt;
    const auto [oldest, newest] = with_reopen(index, [&] {
        return std::pair{index.db.get_value_lower_bound(kSlotPublished),
                         index.db.get_value_upper_bound(kSlotPublished)};
    });
    if (oldest.empty() || newest.empty()) return std::nullopt;  // no dated article
    const auto day = [](int64_t t) { return format_iso8601(t).substr(0, 10); };
    const auto time = [](const std::string& v) {
        return static_cast<int64_t>(Xapian::sortable_unserialise(v));
    };
    if (filters.since && *filters.since > time(newest))
        return "--since " + since_flag + " starts " + day(*filters.since) +
               ", after the newest article in the index (" + day(time(newest)) + ")";
    if (filters.until && *filters.until < time(oldest))
        return "--until " + until_flag + " ends " + day(*filters.until) +
               ", before the oldest article in the index (" + day(time(oldest)) + ")";
    return std::nullopt;
}

}  // namespace news
