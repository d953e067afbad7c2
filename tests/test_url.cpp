// Unit tests for common/url.{hpp,cpp}: URL normalisation (article ids, url terms) and hosts.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "url.hpp"

using news::normalize_url;
using news::url_host;

using news::is_tracking_param;
using news::url_variants;

// ---- normalize_url -------------------------------------------------------------------------

TEST(NormalizeUrl, AlreadyNormalIsUnchanged) {
    const std::string u = "https://www.coindesk.com/street-cameras-arrest-protesters-moscow";
    EXPECT_EQ(normalize_url(u), u);
    const std::string q = "https://www.coindesk.com/street-cameras-arrest-protesters-moscow?amp=1";
    EXPECT_EQ(normalize_url(q), q);
}

TEST(NormalizeUrl, TrimsWhiteSpace) {
    EXPECT_EQ(normalize_url("  https://example.com/a  "), "https://example.com/a");
    EXPECT_EQ(normalize_url("\thttps://example.com/a\r\n"), "https://example.com/a");
    EXPECT_EQ(normalize_url(""), "");
    EXPECT_EQ(normalize_url("   "), "");
}

TEST(NormalizeUrl, LowerCasesSchemeAndHostButNotPathOrQuery) {
    EXPECT_EQ(normalize_url("HTTPS://WWW.Example.COM/Path/To/Page.HTML?Q=Ab&X=Y"),
              "https://www.example.com/Path/To/Page.HTML?Q=Ab&X=Y");
    EXPECT_EQ(normalize_url("Http://Example.com"), "http://example.com");
    // The `www.` is kept: ids are not host-rewritten.
    EXPECT_EQ(normalize_url("https://WWW.X.com/"), "https://www.x.com/");
    // A query straight after the host.
    EXPECT_EQ(normalize_url("https://Example.com?Q=A"), "https://example.com?Q=A");
    // The seed's mixed-case paths stay as written.
    EXPECT_EQ(normalize_url("https://www.govtech.com/products/Using-Facial-Recognition.html?AMP"),
              "https://www.govtech.com/products/Using-Facial-Recognition.html?AMP");
}

TEST(NormalizeUrl, DropsFragment) {
    EXPECT_EQ(normalize_url("https://example.com/a#section-2"), "https://example.com/a");
    EXPECT_EQ(normalize_url("https://example.com/a?x=1#frag"), "https://example.com/a?x=1");
    EXPECT_EQ(normalize_url("https://example.com/a#"), "https://example.com/a");
    EXPECT_EQ(normalize_url("https://Example.com#top"), "https://example.com");
    // Everything after the first '#' goes, even if it looks like a query.
    EXPECT_EQ(normalize_url("https://example.com/a#f?x=1"), "https://example.com/a");
}

TEST(NormalizeUrl, DropsDefaultPortsOnly) {
    EXPECT_EQ(normalize_url("http://example.com:80/x"), "http://example.com/x");
    EXPECT_EQ(normalize_url("https://example.com:443/x"), "https://example.com/x");
    EXPECT_EQ(normalize_url("HTTPS://Example.com:443"), "https://example.com");
    EXPECT_EQ(normalize_url("http://example.com:80?q=1"), "http://example.com?q=1");
    // Not the default for that scheme: kept.
    EXPECT_EQ(normalize_url("http://example.com:443/x"), "http://example.com:443/x");
    EXPECT_EQ(normalize_url("https://example.com:80/x"), "https://example.com:80/x");
    EXPECT_EQ(normalize_url("https://example.com:8443/x"), "https://example.com:8443/x");
    EXPECT_EQ(normalize_url("http://example.com:8080/x"), "http://example.com:8080/x");
    EXPECT_EQ(normalize_url("http://example.com:180/x"), "http://example.com:180/x");
    EXPECT_EQ(normalize_url("https://example.com:4430/x"), "https://example.com:4430/x");
    // A path segment that looks like a port is not touched.
    EXPECT_EQ(normalize_url("http://example.com/a:80"), "http://example.com/a:80");
}

TEST(NormalizeUrl, KeepsUserInfoAsWritten) {
    EXPECT_EQ(normalize_url("https://User:PassWord@Example.COM/x"),
              "https://User:PassWord@example.com/x");
    EXPECT_EQ(normalize_url("http://u@Example.com:80/x"), "http://u@example.com/x");
}

TEST(NormalizeUrl, AtSignInPathOrQueryIsNotUserInfo) {
    EXPECT_EQ(normalize_url("https://Example.com/@User/Post"), "https://example.com/@User/Post");
    EXPECT_EQ(normalize_url("https://Example.com?mail=A@B.com"),
              "https://example.com?mail=A@B.com");
}

TEST(NormalizeUrl, NonUrlsAreOnlyTrimmedAndStrippedOfFragment) {
    EXPECT_EQ(normalize_url("  posts/2021/My-Article.md  "), "posts/2021/My-Article.md");
    EXPECT_EQ(normalize_url("Some/Path#frag"), "Some/Path");
    EXPECT_EQ(normalize_url("mailto:Someone@Example.COM"), "mailto:Someone@Example.COM");
    EXPECT_EQ(normalize_url("WWW.Example.COM/Path"), "WWW.Example.COM/Path");
    EXPECT_EQ(normalize_url("://Example.COM/x"), "://Example.COM/x");            // empty scheme
    EXPECT_EQ(normalize_url("1http://Example.COM/x"), "1http://Example.COM/x");  // bad scheme
    EXPECT_EQ(normalize_url("ht tp://Example.COM/x"), "ht tp://Example.COM/x");
    EXPECT_EQ(normalize_url("#only-a-fragment"), "");
}

TEST(NormalizeUrl, DropsTrackingParameters) {
    // The InfoQ article the azure corpus holds twice, once with its tracking parameters.
    EXPECT_EQ(normalize_url("https://www.infoq.com/news/2020/06/azure-cosmosdb-new-updates/"
                            "?useSponsorshipSuggestions=true&itm_source=presentations_about_"
                            "architecture-design&itm_medium=link&itm_campaign=architecture-design"),
              "https://www.infoq.com/news/2020/06/azure-cosmosdb-new-updates/");
    EXPECT_EQ(normalize_url("https://example.com/a?utm_source=x"), "https://example.com/a");
    EXPECT_EQ(normalize_url("https://example.com/a?fbclid=IwAR0&gclid=x"), "https://example.com/a");
    // The other parameters stay, in order, as written.
    EXPECT_EQ(normalize_url("https://example.com/a?id=7&utm_medium=rss&Page=2"),
              "https://example.com/a?id=7&Page=2");
    EXPECT_EQ(normalize_url("https://example.com/a?UTM_Source=x&id=7#frag"),
              "https://example.com/a?id=7");
    EXPECT_EQ(normalize_url("https://Example.com?utm_campaign=y"), "https://example.com");
    // A query without tracking parameters is not rewritten, even an odd one.
    EXPECT_EQ(normalize_url("https://example.com/a?x=1&&y"), "https://example.com/a?x=1&&y");
    EXPECT_EQ(normalize_url("https://example.com/a?"), "https://example.com/a?");
    // Names that only look alike are kept; so is a tracking name in a value or the path.
    EXPECT_EQ(normalize_url("https://example.com/utm_source?utm=1&xutm_source=2&q=utm_source"),
              "https://example.com/utm_source?utm=1&xutm_source=2&q=utm_source");
    // Not a URL: only trimmed.
    EXPECT_EQ(normalize_url("posts/a.md?utm_source=x"), "posts/a.md?utm_source=x");
}

TEST(IsTrackingParam, NamesAndPrefixes) {
    for (const char* n : {"utm_source", "UTM_MEDIUM", "utm_content", "itm_source", "fbclid",
                          "gclid", "msclkid", "mc_eid", "useSponsorshipSuggestions"})
        EXPECT_TRUE(is_tracking_param(n)) << n;
    for (const char* n : {"", "utm_", "utm", "id", "p", "ArticleID", "mod", "source", "amp"})
        EXPECT_FALSE(is_tracking_param(n)) << n;
}

// ---- url_variants ----------------------------------------------------------------------------

TEST(UrlVariants, SchemeSlashAndWwwFewestChangesFirst) {
    const auto v = url_variants(" HTTP://www.ZDNet.com/article/x?utm_source=a");
    ASSERT_EQ(v.size(), 8u);
    EXPECT_EQ(v[0], "http://www.zdnet.com/article/x");
    EXPECT_EQ(v[1], "https://www.zdnet.com/article/x");
    EXPECT_EQ(v[2], "http://www.zdnet.com/article/x/");
    EXPECT_EQ(v[3], "http://zdnet.com/article/x");
    EXPECT_EQ(v[7], "https://zdnet.com/article/x/");
    // A trailing slash is taken off; the query stays after the path.
    const auto w = url_variants("https://example.com/a/?id=1");
    EXPECT_NE(std::find(w.begin(), w.end(), "https://example.com/a?id=1"), w.end());
    EXPECT_NE(std::find(w.begin(), w.end(), "http://www.example.com/a/?id=1"), w.end());
    // A bare host gains a "/" (and "/" is never taken away).
    const auto h = url_variants("https://example.com");
    EXPECT_NE(std::find(h.begin(), h.end(), "https://example.com/"), h.end());
    const auto r = url_variants("https://example.com/");
    EXPECT_EQ(std::count(r.begin(), r.end(), "https://example.com"), 0);
}

TEST(UrlVariants, NotAWebUrlIsOnlyItself) {
    EXPECT_EQ(url_variants("posts/a.md"), std::vector<std::string>{"posts/a.md"});
    EXPECT_EQ(url_variants("ftp://example.com/a"), std::vector<std::string>{"ftp://example.com/a"});
}

TEST(NormalizeUrl, OtherSchemes) {
    EXPECT_EQ(normalize_url("FTP://Files.Example.com/Pub"), "ftp://files.example.com/Pub");
    EXPECT_EQ(normalize_url("svn+SSH://Host/Repo"), "svn+ssh://host/Repo");
    // The default-port rule is per scheme: ftp keeps :80.
    EXPECT_EQ(normalize_url("ftp://host:80/x"), "ftp://host:80/x");
}

TEST(NormalizeUrl, UnicodePathsAreKeptByteForByte) {
    const std::string u = "https://Example.com/新闻/Café?q=🚀";
    EXPECT_EQ(normalize_url(u), "https://example.com/新闻/Café?q=🚀");
}

TEST(NormalizeUrl, IsIdempotent) {
    for (const char* u : {"  HTTPS://WWW.Example.COM:443/Path?Q=1#frag  ", "http://u:p@Host.com:80",
                          "posts/a.md", "mailto:x@Y.com", "https://example.com:8443/A#B", "", "#x",
                          "https://Example.com?Q=A", "http://[::1]:80/x"}) {
        const std::string once = normalize_url(u);
        EXPECT_EQ(normalize_url(once), once) << "input: '" << u << "'";
    }
}

TEST(NormalizeUrl, EquivalentSpellingsGiveOneId) {
    const std::string id = normalize_url("https://www.reuters.com/article/idUSL8N2KA54T");
    EXPECT_EQ(normalize_url("HTTPS://WWW.REUTERS.COM/article/idUSL8N2KA54T"), id);
    EXPECT_EQ(normalize_url("https://www.reuters.com:443/article/idUSL8N2KA54T#comments"), id);
    EXPECT_EQ(normalize_url(" https://www.Reuters.com/article/idUSL8N2KA54T "), id);
    // ... but a different path case is a different page.
    EXPECT_NE(normalize_url("https://www.reuters.com/ARTICLE/idUSL8N2KA54T"), id);
}

// ---- url_host ------------------------------------------------------------------------------

TEST(UrlHost, Basics) {
    EXPECT_EQ(url_host("https://www.coindesk.com/street-cameras"), "coindesk.com");
    EXPECT_EQ(url_host("https://coindesk.com/x"), "coindesk.com");
    EXPECT_EQ(url_host("HTTPS://WWW.CoinDesk.COM/X"), "coindesk.com");
    EXPECT_EQ(url_host("https://mobile.reuters.com/article/amp/idUSL8N2KA54T"),
              "mobile.reuters.com");
    EXPECT_EQ(url_host("https://example.com"), "example.com");
    EXPECT_EQ(url_host("https://example.com?x=1"), "example.com");
    EXPECT_EQ(url_host("https://example.com#frag"), "example.com");
    EXPECT_EQ(url_host("  https://www.example.com/  "), "example.com");
}

TEST(UrlHost, StripsOnlyALeadingWww) {
    EXPECT_EQ(url_host("https://sub.www.example.com/"), "sub.www.example.com");
    EXPECT_EQ(url_host("https://wwwexample.com/"), "wwwexample.com");
    EXPECT_EQ(url_host("https://www2.example.com/"), "www2.example.com");
    EXPECT_EQ(url_host("https://www.www.example.com/"), "www.example.com");
}

TEST(UrlHost, StripsPort) {
    EXPECT_EQ(url_host("http://example.com:8080/x"), "example.com");
    EXPECT_EQ(url_host("https://www.example.com:443/x"), "example.com");
    EXPECT_EQ(url_host("http://www.example.com:8080"), "example.com");
}

TEST(UrlHost, StripsUserInfo) {
    EXPECT_EQ(url_host("https://user:pw@www.example.com/x"), "example.com");
    EXPECT_EQ(url_host("https://user:pw@Example.com:8443/x"), "example.com");
    EXPECT_EQ(url_host("https://a@b@example.com/x"), "example.com");
}

TEST(UrlHost, NoHost) {
    EXPECT_EQ(url_host(""), "");
    EXPECT_EQ(url_host("posts/2021/a.md"), "");
    EXPECT_EQ(url_host("example.com"), "");
    EXPECT_EQ(url_host("www.example.com/path"), "");
    EXPECT_EQ(url_host("mailto:a@example.com"), "");
    EXPECT_EQ(url_host("https:///path-only"), "");
}

TEST(UrlHost, Ipv6Literal) {
    // With a port the bracketed address survives.
    EXPECT_EQ(url_host("http://[::1]:8080/x"), "[::1]");
    // Without a port, the colons inside the brackets are not mistaken for a port separator.
    EXPECT_EQ(url_host("http://[2001:db8::1]/x"), "[2001:db8::1]");
}
