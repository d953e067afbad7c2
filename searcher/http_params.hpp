// HTTP query parameters into the requests the CLI builds: each parameter is a `searcher`
// option without its dashes (`min-quality=60`, `topic=ai&topic=cloud`; `q` for the query,
// `id` for an article), checked here and then converted by the same resolve_* functions as
// the CLI (options.hpp), so both accept and refuse alike with the same wording.
#pragma once

#include <map>
#include <string>

#include "errors.hpp"
#include "related.hpp"
#include "search.hpp"

namespace news {

using HttpParams = std::multimap<std::string, std::string>;

// Limits of a request over HTTP (the CLI has none: a user there can only hurt themselves).
inline constexpr std::size_t kMaxParamBytes = 1024;  // `q`, `id` and every other value
inline constexpr Xapian::doccount kMaxLimit = 100;
inline constexpr Xapian::doccount kMaxOffset = 10000;
inline constexpr std::size_t kMaxParams = 64;

// A bad parameter: a UsageError that names it.
class ParamError : public UsageError {
  public:
    ParamError(std::string param, const std::string& what)
        : UsageError(param + ": " + what), param_(std::move(param)) {}
    const std::string& param() const noexcept { return param_; }

  private:
    std::string param_;
};

// /api/v1/search: the options, and `since` and `until` as given (for date_window_note, which
// names them as the CLI does). Throws UsageError (ParamError when one parameter is to blame).
struct SearchRequest {
    SearchOptions options;
    std::string since, until;
};
SearchRequest search_request(const HttpParams& p);

struct RelatedRequest {
    std::string seed;
    RelatedOptions options;
    std::string since, until;  // as given
};
// /api/v1/related: `id` and the related options; the seed is only ever an indexed article.
RelatedRequest related_request(const HttpParams& p);

// /api/v1/story, /api/v1/article: the one parameter `id`.
std::string id_request(const HttpParams& p);

// /api/v1/stats, /healthz: no parameters.
void no_params(const HttpParams& p);

}  // namespace news
