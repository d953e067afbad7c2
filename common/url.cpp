// URL normalisation (url.hpp) for article ids and url terms, and a URL's host.
#include "url.hpp"

#include "text.hpp"

namespace news {

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
    out.append(u.substr(auth_end));
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

}  // namespace news
