// URL normalisation (url.hpp) for article ids and url terms, and a URL's host.
#include "url.hpp"

#include <algorithm>
#include <array>

#include "text.hpp"

namespace news {

namespace {

// Query parameters that say how a reader came to a page, not which page it is (docs/schema.md,
// "Article ids"): names starting with these, compared without regard to ASCII case...
constexpr std::array<std::string_view, 2> kTrackingPrefixes{"utm_", "itm_"};
// ...and these whole names: click ids of ad networks and mailers, Google Analytics' linker,
// and InfoQ's sponsorship markers (seen on its article URLs beside itm_*).
constexpr std::array<std::string_view, 13> kTrackingNames{"fbclid",
                                                          "gclid",
                                                          "gclsrc",
                                                          "dclid",
                                                          "msclkid",
                                                          "yclid",
                                                          "igshid",
                                                          "mc_cid",
                                                          "mc_eid",
                                                          "_ga",
                                                          "_gl",
                                                          "usesponsorshipsuggestions",
                                                          "topicpagesponsorship"};

// `rest` is what follows the host: path, then maybe ?query. The query without its tracking
// parameters (and the '?' when none is left); unchanged, as written, when it has none.
std::string drop_tracking(std::string_view rest) {
    const auto q = rest.find('?');
    if (q == std::string_view::npos) return std::string(rest);
    const std::string_view query = rest.substr(q + 1);
    std::string kept;  // the other parameters, in order (empty ones left out)
    bool dropped = false;
    for (std::size_t s = 0; s <= query.size();) {
        std::size_t e = query.find('&', s);
        if (e == std::string_view::npos) e = query.size();
        const std::string_view param = query.substr(s, e - s);
        if (is_tracking_param(param.substr(0, param.find('=')))) {
            dropped = true;
        } else if (!param.empty()) {
            if (!kept.empty()) kept += '&';
            kept.append(param);
        }
        s = e + 1;
    }
    if (!dropped) return std::string(rest);
    std::string out(rest.substr(0, q));
    if (!kept.empty()) out += '?' + kept;
    return out;
}

}  // namespace

bool is_tracking_param(std::string_view name) {
    const std::string n = ascii_lower(name);
    for (const auto p : kTrackingPrefixes)
        if (n.size() > p.size() && n.starts_with(p)) return true;
    for (const auto t : kTrackingNames)
        if (n == t) return true;
    return false;
}

std::string normalize_url(std::string_view url) {
    std::string_view u = trim(url);
    if (const auto hash = u.find('#'); hash != std::string_view::npos) u = u.substr(0, hash);
    const auto colon = u.find("://");
    if (colon == std::string_view::npos || colon == 0) return std::string(u);
    for (std::size_t i = 0; i < colon; ++i) {
        const char c = u[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
        if (!ok) return std::string(u);
    }
    const std::string scheme = ascii_lower(u.substr(0, colon));
    const std::size_t auth_start = colon + 3;
    std::size_t auth_end = u.find_first_of("/?", auth_start);
    if (auth_end == std::string_view::npos) auth_end = u.size();
    std::string_view authority = u.substr(auth_start, auth_end - auth_start);
    std::string userinfo;
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        userinfo = std::string(authority.substr(0, at + 1));
        authority = authority.substr(at + 1);
    }
    std::string host = ascii_lower(authority);
    if ((scheme == "http" && host.ends_with(":80")) ||
        (scheme == "https" && host.ends_with(":443"))) {
        host.erase(host.rfind(':'));
    }
    std::string out = scheme + "://" + userinfo + host;
    out += drop_tracking(u.substr(auth_end));
    return out;
}

std::string url_host(std::string_view url) {
    const std::string n = normalize_url(url);
    const auto colon = n.find("://");
    if (colon == std::string::npos) return {};
    std::size_t start = colon + 3;
    std::size_t end = n.find_first_of("/?", start);
    if (end == std::string::npos) end = n.size();
    std::string host = n.substr(start, end - start);
    if (const auto at = host.rfind('@'); at != std::string::npos) host.erase(0, at + 1);
    if (host.starts_with('[')) {  // IPv6 literal: [addr] or [addr]:port
        const auto close = host.find(']');
        return close == std::string::npos ? host : host.substr(0, close + 1);
    }
    if (const auto port = host.rfind(':'); port != std::string::npos) host.erase(port);
    if (host.starts_with("www.")) host.erase(0, 4);
    return host;
}

std::vector<std::string> url_variants(std::string_view url) {
    const std::string n = normalize_url(url);
    std::vector<std::string> out{n};
    std::string scheme;
    if (n.starts_with("http://")) scheme = "http";
    if (n.starts_with("https://")) scheme = "https";
    if (scheme.empty()) return out;
    const std::size_t host_start = scheme.size() + 3;
    std::size_t host_end = n.find_first_of("/?", host_start);
    if (host_end == std::string::npos) host_end = n.size();
    std::string host = n.substr(host_start, host_end - host_start);
    std::string path = n.substr(host_end);
    std::string query;
    if (const auto q = path.find('?'); q != std::string::npos) {
        query = path.substr(q);
        path.erase(q);
    }
    const std::string other_scheme = scheme == "http" ? "https" : "http";
    const std::string other_host = host.starts_with("www.") ? host.substr(4) : "www." + host;
    std::string other_path = path;
    if (other_path.size() > 1 && other_path.back() == '/') {
        other_path.pop_back();
    } else if (!other_path.ends_with('/')) {
        other_path += '/';
    }
    // Fewest changes first: scheme (1), trailing slash (2), www (4), then their combinations.
    for (const unsigned change : {1u, 2u, 4u, 3u, 5u, 6u, 7u}) {
        const std::string v = ((change & 1) ? other_scheme : scheme) + "://" +
                              ((change & 4) ? other_host : host) +
                              ((change & 2) ? other_path : path) + query;
        if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
    return out;
}

}  // namespace news
