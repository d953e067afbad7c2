// URL normalisation used for article ids and url terms.
#pragma once

#include <string>
#include <string_view>

namespace news {

// Normalises a URL for identity: trims white space, lower-cases the scheme and the host
// (user info, port, path, query are kept as written), drops the `#fragment`, and drops a
// default port (:80 for http, :443 for https). Text that does not look like
// `scheme://host...` is only trimmed and stripped of its fragment.
std::string normalize_url(std::string_view url);

// The lower-cased host of a URL without a leading `www.`, or "" if there is none.
std::string url_host(std::string_view url);

}  // namespace news
