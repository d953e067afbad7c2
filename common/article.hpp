// The article model: what one article file (or one entry of another article's `related` list)
// means, independent of YAML and of Xapian.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace news {

struct Image {
    std::string url;
    std::optional<int64_t> width;
    std::optional<int64_t> height;
    std::optional<bool> is_cached;
};

struct Provider {
    std::string name;
    std::string domain;
    std::vector<Image> images;
};

// Fields shared by full articles and by the entries of a `related` list.
struct ArticleCore {
    std::string title;
    std::string excerpt;
    std::optional<int64_t> published;  // seconds since the epoch, UTC
    std::string web_url;
    std::string amp_web_url;
    std::string cdn_amp_web_url;
    std::string type;
    std::optional<double> quality;
    Provider provider;
    std::vector<Image> images;
};

struct RelatedRef : ArticleCore {
    std::string id;  // normalised webUrl (the id a full article with that url has)
};

struct Article : ArticleCore {
    std::string id;      // normalised webUrl, else originalUrl, else relative path
    std::string path;    // source file, relative to the indexed root
    std::string source;  // source file, absolute (set by the indexer; not parsed)
    std::string category;
    std::string original_url;
    std::optional<double> heat;
    std::optional<bool> published_flag;  // the `published:` key (not the date)
    bool removed = false;
    bool featured = false;  // featuredContent present and not false/empty
    std::string body;       // text after the front matter
    std::vector<std::string> topics;
    std::vector<RelatedRef> related;
    // `secured` is read past and never kept: it is opaque and never indexed.
};

struct Diagnostic {
    std::string file;
    int line = 0;  // 1-based, 0 when unknown
    int column = 0;
    std::string message;
    std::string to_string() const;
};

}  // namespace news
