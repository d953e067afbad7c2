// Look-ups by article (get, story) and index statistics, as typed results.
#pragma once

#include <xapian.h>

#include <optional>
#include <string>

#include "index.hpp"
#include "query.hpp"
#include "results.hpp"

namespace news {

// An indexed article by any form the tools print: its id; a URL it is known by (webUrl or
// originalUrl), as pasted: http or https, with or without a trailing slash or a leading `www.`,
// with tracking parameters; or its file's path relative to the indexed root (`get`'s `path:`
// line, with or without the label). resolve_article throws NotFoundError.
Xapian::docid resolve_article(const Xapian::Database& db, const std::string& id_or_url);
std::optional<Xapian::docid> find_article(const Xapian::Database& db, const std::string& id_or_url);

// One stored article with its graph: out-links (with whether each is indexed; the first
// `limit`, all without one) and in-links (the first `limit`, at most 100).
ArticleResult get_article(OpenedIndex& index, const std::string& id_or_url,
                          std::optional<std::size_t> limit = std::nullopt);

StatsResult index_stats(OpenedIndex& index);

// When a date filter leaves out every article because its window lies after the newest or
// before the oldest publication date in the index: a note saying so, naming the flag as
// given (`since_flag`, `until_flag`: "30d", "2021-02"). nullopt otherwise.
std::optional<std::string> date_window_note(OpenedIndex& index, const Filters& filters,
                                            const std::string& since_flag,
                                            const std::string& until_flag);

// The articles of the story of `id_or_url`, oldest first (who reported first).
StoryResult get_story(OpenedIndex& index, const std::string& id_or_url);

}  // namespace news
