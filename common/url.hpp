// URL normalisation used for article ids and url terms.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace news {

// Normalises a URL for identity: trims white space, lower-cases the scheme and the host
// (user info, port, path, query are kept as written), drops the `#fragment`, a default port
// (:80 for http, :443 for https) and tracking parameters (is_tracking_param; the other
// parameters are kept in order). Text that does not look like `scheme://host...` is only
// trimmed and stripped of its fragment.
std::string normalize_url(std::string_view url);

// Whether a query parameter's name only tracks how a reader came to a page (utm_*, itm_*,
// fbclid, gclid, ...; the list is in docs/schema.md), whatever its ASCII case.
bool is_tracking_param(std::string_view name);

// What a person may have meant by a URL, for look-ups (never for ids): the normalised URL first,
// then with the other of http/https, with or without a trailing slash on the path, with or
// without a leading `www.` on the host, and their combinations; each once. Text that is not a
// `http(s)://` URL gives only its normalised self.
std::vector<std::string> url_variants(std::string_view url);

// The lower-cased host of a URL without a leading `www.`, or "" if there is none.
std::string url_host(std::string_view url);

}  // namespace news
