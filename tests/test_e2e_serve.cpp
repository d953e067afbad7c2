// End-to-end tests of `searcher serve` over HTTP: every endpoint, status codes and error
// wording equal to the CLI's, JSON bodies equal to the CLI's for the same request, the page's
// files and nothing else, CORS, shutdown on SIGTERM, and requests answered while an indexer
// commits.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "e2e_fixtures.hpp"

using namespace news::test::e2e;

namespace {

// `searcher serve ARGS... --listen 127.0.0.1:0`, its port read from its first line; stopped
// with SIGTERM (and its exit code checked) when the object dies.
class Server {
  public:
    explicit Server(std::vector<std::string> args) {
        args.insert(args.begin(), {NEWS_SEARCHER_BIN, "serve"});
        args.insert(args.end(), {"--listen", "127.0.0.1:0"});
        int out[2];
        if (::pipe(out) != 0) throw std::runtime_error("pipe");
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            ::close(out[0]);
            ::close(out[1]);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        std::string line;
        char c;
        while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
        ::close(out[0]);
        const auto colon = line.rfind(':');
        if (line.rfind("listening on http://", 0) != 0 || colon == std::string::npos)
            throw std::runtime_error("server did not start: '" + line + "'");
        port_ = std::stoi(line.substr(colon + 1));
    }
    ~Server() {
        if (pid_ > 0) stop();
    }
    // SIGTERM; returns the exit status (-1 when it did not exit within 10 s).
    int stop() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        for (int i = 0; i < 1000; ++i) {
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return -1;
    }
    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    httplib::Client client() const {
        httplib::Client c("127.0.0.1", port_);
        c.set_read_timeout(30, 0);
        c.set_url_encode(false);  // the paths below are encoded as a browser would
        return c;
    }

  private:
    pid_t pid_ = -1;
    int port_ = 0;
};

struct Reply {
    int status = 0;
    json body;
    std::string raw;
    httplib::Headers headers;
};

Reply http_get(const Server& s, const std::string& path) {
    auto c = s.client();
    auto r = c.Get(path);
    Reply out;
    if (!r) {
        out.status = -1;
        return out;
    }
    out.status = r->status;
    out.raw = r->body;
    out.headers = r->headers;
    if (r->get_header_value("Content-Type").rfind("application/json", 0) == 0)
        out.body = json::parse(r->body);
    return out;
}

std::string enc(const std::string& s) {
    return httplib::detail::encode_query_param(s);
}

// The CLI's JSON for the same request, without the timings.
json cli_json(std::vector<std::string> args) {
    args.insert(args.begin() + 1, {"--format", "json"});
    const Output o = searcher(args);
    EXPECT_EQ(o.rc, 0) << describe(o);
    json j = json::parse(o.out);
    j.erase("elapsed_ms");
    return j;
}

json without_timing(json j) {
    j.erase("elapsed_ms");
    return j;
}

// The CLI's error message for a request (stderr less "searcher: ").
std::string cli_error(const std::vector<std::string>& args, int want_rc) {
    const Output o = searcher(args);
    EXPECT_EQ(o.rc, want_rc) << describe(o);
    std::string e = o.err;
    while (!e.empty() && e.back() == '\n') e.pop_back();
    const std::string prefix = "searcher: ";
    if (e.rfind(prefix, 0) == 0) e = e.substr(prefix.size());
    return e;
}

class ServeSample : public E2eSample {
  protected:
    static void SetUpTestSuite() {
        E2eSample::SetUpTestSuite();
        server_ = new Server({"--index", index()});
    }
    static void TearDownTestSuite() {
        const int rc = server_->stop();
        delete server_;
        server_ = nullptr;
        E2eSample::TearDownTestSuite();
        EXPECT_EQ(rc, 0) << "SIGTERM: a clean exit";
    }
    static Server* server_;
};
Server* ServeSample::server_ = nullptr;

TEST_F(ServeSample, SearchJsonEqualsTheCli) {
    const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
        {"q=kubernetes+security", {"kubernetes security"}},
        {"q=kubernetes&limit=3&offset=2", {"kubernetes", "--limit", "3", "--offset", "2"}},
        {"q=glasshopper&collapse=1", {"glasshopper", "--collapse"}},
        {"q=cloud&facets=topic,provider,year", {"cloud", "--facets", "topic,provider,year"}},
        {"topic=security&sort=date", {"--topic", "security", "--sort", "date"}},
        {"q=outage&match=any&sort=quality&reverse=1",
         {"outage", "--match", "any", "--sort", "quality", "--reverse"}},
        {"q=security&since=2021-01-01&until=2021-12-31&min-quality=60",
         {"security", "--since", "2021-01-01", "--until", "2021-12-31", "--min-quality", "60"}},
        {"q=kubernetes+flaw&expand=5&explain=true",
         {"kubernetes flaw", "--expand", "5", "--explain"}},
        {"q=" + enc("\"service mesh\" NOT istio"), {"\"service mesh\" NOT istio"}},
        {"q=kubernets", {"kubernets"}},
        {"q=cloud&provider=securebeat&topic=security&topic=cloud&exact-count=1",
         {"cloud", "--provider", "securebeat", "--topic", "security", "--topic", "cloud",
          "--exact-count"}},
    };
    for (const auto& [query, args] : cases) {
        SCOPED_TRACE(query);
        const Reply r = http_get(*server_, "/api/v1/search?" + query);
        ASSERT_EQ(r.status, 200) << r.raw;
        check_envelope(r.body, r.body["results"].size() && r.body["results"][0].contains("explain"),
                       r.body.contains("facets"));
        std::vector<std::string> cli{"search", "--index", index()};
        cli.insert(cli.end(), args.begin(), args.end());
        EXPECT_EQ(without_timing(r.body), cli_json(cli));
    }
}

TEST_F(ServeSample, RelatedStoryArticleStatsEqualTheCli) {
    const std::string id = kGlassSecureBeat;
    Reply r = http_get(*server_, "/api/v1/related?id=" + enc(id) + "&limit=5");
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_FALSE(r.body["results"].empty());
    EXPECT_EQ(without_timing(r.body), cli_json({"related", "--index", index(), id, "-n", "5"}));
    r = http_get(*server_,
                 "/api/v1/related?id=" + enc(id) + "&topic=security&weights=" + enc("time=0"));
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(without_timing(r.body), cli_json({"related", "--index", index(), id, "--topic",
                                                "security", "--weights", "time=0"}));
    r = http_get(*server_, "/api/v1/story?id=" + enc(id));
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_GE(r.body["count"].get<int>(), 2);
    EXPECT_EQ(r.body, cli_json({"story", "--index", index(), id}));
    r = http_get(*server_, "/api/v1/article?id=" + enc(kBramblewayId));
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body["article"]["id"], kBramblewayId);
    EXPECT_EQ(r.body, cli_json({"get", "--index", index(), kBramblewayId}));
    r = http_get(*server_, "/api/v1/stats");
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body["articles"], 48);
    EXPECT_EQ(r.body, cli_json({"stats", "--index", index()}));
    r = http_get(*server_, "/healthz");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body["status"], "ok");
}

// A date window outside the index: the CLI's note, in the same JSON.
TEST_F(ServeSample, DateWindowOutsideTheIndexHasTheCliNote) {
    Reply r = http_get(*server_, "/api/v1/search?q=security&since=2999");
    ASSERT_EQ(r.status, 200) << r.raw;
    ASSERT_EQ(r.body["notes"].size(), 1u) << r.raw;
    EXPECT_TRUE(contains(r.body["notes"][0].get<std::string>(), "--since 2999")) << r.raw;
    EXPECT_EQ(without_timing(r.body),
              cli_json({"search", "--index", index(), "security", "--since", "2999"}));
    const std::string id = kGlassSecureBeat;
    r = http_get(*server_, "/api/v1/related?id=" + enc(id) + "&until=1990-06");
    ASSERT_EQ(r.status, 200) << r.raw;
    ASSERT_EQ(r.body["notes"].size(), 1u) << r.raw;
    EXPECT_EQ(without_timing(r.body),
              cli_json({"related", "--index", index(), id, "--until", "1990-06"}));
}

TEST_F(ServeSample, BadParametersAre400NamingThem) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"/api/v1/search?q=a&limit=abc", "limit"},
        {"/api/v1/search?q=a&limit=101", "limit"},
        {"/api/v1/search?q=a&offset=-1", "offset"},
        {"/api/v1/search?q=a&sort=random", "sort"},
        {"/api/v1/search?q=a&match=most", "match"},
        {"/api/v1/search?q=a&min-quality=high", "min-quality"},
        {"/api/v1/search?q=a&collapse=maybe", "collapse"},
        {"/api/v1/search?q=a&bogus=1", "bogus"},
        {"/api/v1/search?q=a&limit=1&limit=2", "limit"},
        {"/api/v1/search?q=" + std::string(2000, 'a'), "q"},
        {"/api/v1/search?q=a%00b", "q"},
        {"/api/v1/related?id=%FF%00", "id"},
        {"/api/v1/related?limit=3", "id"},
        {"/api/v1/story", "id"},
        {"/api/v1/article?id=x&format=text", "format"},
        {"/api/v1/stats?x=1", "x"},
    };
    for (const auto& [path, param] : cases) {
        SCOPED_TRACE(path.substr(0, 100));
        const Reply r = http_get(*server_, path);
        EXPECT_EQ(r.status, 400) << r.raw;
        EXPECT_EQ(r.body["parameter"], param) << r.raw;
        EXPECT_TRUE(contains(r.body["error"].get<std::string>(), param)) << r.raw;
        EXPECT_EQ(r.body["version"], 1);
    }
}

TEST_F(ServeSample, ErrorsHaveTheCliWording) {
    // Checks of resolve_search and the query pipeline: the same message as the CLI's.
    const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
        {"", {}},
        {"q=a&expand=lots", {"a", "--expand", "lots"}},
        {"q=a&facets=colour", {"a", "--facets", "colour"}},
        {"q=a&since=yesterday", {"a", "--since", "yesterday"}},
        {"q=a&bm25=2", {"a", "--bm25", "2"}},
        {"q=!!!", {"!!!"}},
    };
    for (const auto& [query, args] : cases) {
        SCOPED_TRACE(query);
        const Reply r = http_get(*server_, "/api/v1/search?" + query);
        EXPECT_EQ(r.status, 400) << r.raw;
        std::vector<std::string> cli{"search", "--index", index()};
        cli.insert(cli.end(), args.begin(), args.end());
        EXPECT_EQ(r.body["error"], cli_error(cli, news::kExitUsage));
    }
    Reply r = http_get(*server_, "/api/v1/article?id=" + enc("https://nowhere.example/x"));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.body["error"],
              cli_error({"get", "--index", index(), "https://nowhere.example/x"}, 5));
    r = http_get(*server_, "/api/v1/story?id=nope");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.body["error"], cli_error({"story", "--index", index(), "nope"}, 5));
}

// The server reads no file a request names: not as a related seed, not as a page.
TEST_F(ServeSample, NoPathReachesTheFileSystem) {
    const fs::path file = fs::directory_iterator(corpus())->path();
    Reply r = http_get(*server_, "/api/v1/related?id=" + enc(file.string()));
    EXPECT_EQ(r.status, 404) << r.raw;
    for (const std::string path :
         {"/etc/passwd", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/index", "/web/app.js",
          "/api/v1/", "/api/v2/search?q=a", "/CMakeLists.txt"}) {
        r = http_get(*server_, path);
        EXPECT_EQ(r.status, 404) << path << " " << r.raw;
        EXPECT_FALSE(contains(r.raw, "root:")) << path;
    }
    auto c = server_->client();
    auto post = c.Post("/api/v1/search", "q=a", "application/x-www-form-urlencoded");
    ASSERT_TRUE(post);
    EXPECT_EQ(post->status, 405);
    EXPECT_EQ(post->get_header_value("Allow"), "GET");
    auto del = c.Delete("/api/v1/search?q=a");
    ASSERT_TRUE(del);
    EXPECT_EQ(del->status, 405);
}

TEST_F(ServeSample, ThePageAndItsFilesAreEmbedded) {
    const Reply page = http_get(*server_, "/");
    ASSERT_EQ(page.status, 200);
    EXPECT_TRUE(contains(page.raw, "<!doctype html>")) << page.raw.substr(0, 100);
    EXPECT_EQ(page.raw, read_text(fs::path(NEWS_SOURCE_DIR) / "searcher/web/index.html"));
    for (const std::string f : {"app.js", "style.css"}) {
        const Reply r = http_get(*server_, "/" + f);
        EXPECT_EQ(r.status, 200) << f;
        EXPECT_EQ(r.raw, read_text(fs::path(NEWS_SOURCE_DIR) / "searcher/web" / f)) << f;
    }
    bool csp = false;
    for (const auto& [k, v] : page.headers) {
        if (k == "Content-Security-Policy") csp = contains(v, "script-src 'self'");
    }
    EXPECT_TRUE(csp);
    EXPECT_EQ(page.headers.count("Access-Control-Allow-Origin"), 0u) << "no CORS by default";
}

// DNS rebinding: a server on loopback answers only requests addressed to a loopback name.
TEST_F(ServeSample, OnLoopbackOnlyLoopbackHostNamesAreAnswered) {
    auto c = server_->client();
    for (const std::string host : {"localhost", "localhost:8080", "127.0.0.1", "[::1]:80"}) {
        auto r = c.Get("/api/v1/stats", {{"Host", host}});
        ASSERT_TRUE(r) << host;
        EXPECT_EQ(r->status, 200) << host;
    }
    for (const std::string host : {"evil.example", "evil.example:8080", "127.0.0.1.evil.example"}) {
        auto r = c.Get("/api/v1/search?q=azure", {{"Host", host}});
        ASSERT_TRUE(r) << host;
        EXPECT_EQ(r->status, 403) << host;
        EXPECT_FALSE(contains(r->body, "\"results\"")) << host;
        EXPECT_TRUE(contains(r->body, "Host header")) << r->body;
    }
}

TEST(Serve, CorsOnlyWhenAsked) {
    Fixture fx;
    fx.add("a.md", article("Alpha outage", "https://a.example/1"));
    ASSERT_EQ(indexer({"--index", fx.index(), fx.corpus()}).rc, 0);
    Server s({"--index", fx.index(), "--cors", "https://app.example"});
    const Reply r = http_get(s, "/api/v1/search?q=alpha");
    ASSERT_EQ(r.status, 200) << r.raw;
    ASSERT_EQ(r.body["results"].size(), 1u);
    auto it = r.headers.find("Access-Control-Allow-Origin");
    ASSERT_NE(it, r.headers.end());
    EXPECT_EQ(it->second, "https://app.example");
    EXPECT_EQ(s.stop(), 0);
}

// 503 with the CLI's wording while the index cannot be opened; answers once it exists.
TEST(Serve, MissingIndexIs503UntilBuilt) {
    Fixture fx;
    Server s({"--index", fx.index()});
    Reply r = http_get(s, "/api/v1/search?q=alpha");
    EXPECT_EQ(r.status, 503) << r.raw;
    EXPECT_EQ(r.body["error"], cli_error({"search", "--index", fx.index(), "alpha"}, 3));
    EXPECT_EQ(http_get(s, "/healthz").status, 503);
    EXPECT_EQ(http_get(s, "/api/v1/search?q=a&limit=x").status, 400) << "parameters first";
    fx.add("a.md", article("Alpha outage", "https://a.example/1"));
    ASSERT_EQ(indexer({"--index", fx.index(), fx.corpus()}).rc, 0);
    r = http_get(s, "/api/v1/search?q=alpha");
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body["results"].size(), 1u);
}

// Article text is returned as data: markup in a title stays in the JSON string as is.
TEST(Serve, HostileArticleIsJustData) {
    Fixture fx;
    const std::string title = "<script>window.pwned=1</script> Zebra <img src=x onerror=alert(1)>";
    fx.add("h.md",
           "---\ntitle: \"" + title +
               "\"\nexcerpt: \"<img src=x onerror=alert(2)> zebra excerpt\"\n"
               "webUrl: https://h.example/1\npublishedDateTime: 2021-02-01T10:00:00Z\n---\n");
    ASSERT_EQ(indexer({"--index", fx.index(), fx.corpus()}).rc, 0);
    Server s({"--index", fx.index()});
    const Reply r = http_get(s, "/api/v1/search?q=zebra");
    ASSERT_EQ(r.status, 200) << r.raw;
    ASSERT_EQ(r.body["results"].size(), 1u);
    EXPECT_EQ(r.body["results"][0]["title"], title);
}

// Every request is answered while an indexer commits (incremental runs, then a --full one).
void hammer_while(const Server& s, const std::function<void()>& work, std::atomic<int>& failed,
                  std::atomic<int>& ok, std::string& first_failure) {
    std::atomic<bool> done{false};
    std::mutex m;
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
        clients.emplace_back([&, t] {
            auto c = s.client();
            const char* paths[] = {"/api/v1/search?q=outage&facets=topic",
                                   "/api/v1/search?topic=cloud&sort=date", "/api/v1/stats",
                                   "/api/v1/search?q=alpha+zebra&collapse=1"};
            for (int i = 0; !done && i < 100000; ++i) {
                auto r = c.Get(paths[(i + t) % 4]);
                if (r && r->status == 200) {
                    ++ok;
                    continue;
                }
                ++failed;
                std::lock_guard<std::mutex> lock(m);
                if (first_failure.empty())
                    first_failure =
                        r ? std::to_string(r->status) + " " + r->body : std::string("no response");
            }
        });
    }
    work();
    done = true;
    for (auto& c : clients) c.join();
}

// PREFIX + N + ".md" (appended in steps: GCC 12 warns of a bogus overlap for "a" + to_string).
std::string md_name(const char* prefix, int n) {
    std::string s(prefix);
    s += std::to_string(n);
    s += ".md";
    return s;
}

std::string outage_article(int i, int gen) {
    return article(
        "Alpha outage number " + std::to_string(i) + " generation " + std::to_string(gen),
        "https://a.example/" + std::to_string(i), "topics: [cloud]\n");
}

TEST(Serve, AnswersEveryRequestWhileAnIndexerCommits) {
    Fixture fx;
    for (int i = 0; i < 200; ++i) fx.add(md_name("a", i), outage_article(i, 0));
    ASSERT_EQ(indexer({"--index", fx.index(), fx.corpus()}).rc, 0);
    Server s({"--index", fx.index(), "--threads", "8"});
    std::atomic<int> failed{0}, ok{0};
    std::string first_failure;
    hammer_while(
        s,
        [&] {
            for (int gen = 1; gen <= 6; ++gen) {
                for (int i = 0; i < 200; i += 3) fx.add(md_name("a", i), outage_article(i, gen));
                fx.add(md_name("new", gen), outage_article(1000 + gen, gen));
                const Output o = indexer({"--index", fx.index(), "--batch", "20", fx.corpus()});
                ASSERT_EQ(o.rc, 0) << describe(o);
            }
        },
        failed, ok, first_failure);
    EXPECT_EQ(failed, 0) << first_failure;
    EXPECT_GT(ok, 20);
    // The server answers from the latest commit.
    const Reply r = http_get(s, "/api/v1/search?q=generation+6&match=all&limit=100");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body["total"]["estimated"], 67 + 1) << r.raw.substr(0, 300);
}

// `indexer --full` builds beside the live index and swaps it in (renameat2 RENAME_EXCHANGE),
// then deletes the old one: the server opens the new directory by path when the inode of
// --index changes, and retries a read whose directory was deleted (index.cpp, refresh).
TEST(Serve, AnswersEveryRequestWhileAFullIndexerRuns) {
    Fixture fx;
    for (int i = 0; i < 200; ++i) fx.add(md_name("a", i), outage_article(i, 0));
    ASSERT_EQ(indexer({"--index", fx.index(), fx.corpus()}).rc, 0);
    Server s({"--index", fx.index(), "--threads", "8"});
    std::atomic<int> failed{0}, ok{0};
    std::string first_failure;
    hammer_while(
        s,
        [&] {
            for (int i = 0; i < 200; ++i) fx.add(md_name("a", i), outage_article(i, 1));
            const Output o =
                indexer({"--index", fx.index(), "--full", "--batch", "20", fx.corpus()});
            ASSERT_EQ(o.rc, 0) << describe(o);
        },
        failed, ok, first_failure);
    EXPECT_EQ(failed, 0) << first_failure;
    const Reply r = http_get(s, "/api/v1/search?q=generation+1&match=all&limit=1");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body["total"]["estimated"], 200);
}

}  // namespace

namespace {

// The files and directories the process `pid` holds open (its descriptors' targets).
std::vector<std::string> open_files(pid_t pid) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e :
         fs::directory_iterator(fs::path("/proc") / std::to_string(pid) / "fd", ec)) {
        const auto target = fs::read_symlink(e.path(), ec);
        if (!ec) out.push_back(target.string());
    }
    return out;
}

// Deleted files under `dir` the server still holds open: disk space an old index keeps taken.
std::vector<std::string> deleted_files_held(const Server& s, const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& f : open_files(s.pid())) {
        if (f.rfind(dir.string(), 0) == 0 && f.ends_with(" (deleted)")) out.push_back(f);
    }
    return out;
}

// Concurrent requests until the server's pool holds a handle per core (at most 2; each holds
// the shard directory `shard` open): the idle ones must let go of an index swapped out too.
void fill_pool(const Server& s, const fs::path& shard) {
    const auto want =
        static_cast<std::ptrdiff_t>(std::clamp(std::thread::hardware_concurrency(), 1u, 2u));
    auto handles = [&] {
        const auto files = open_files(s.pid());
        return std::count(files.begin(), files.end(), fs::canonical(shard).string());
    };
    for (int round = 0; round < 50 && handles() < want; ++round) {
        std::vector<std::thread> clients;
        for (int t = 0; t < 4; ++t) {
            clients.emplace_back([&] {
                auto c = s.client();
                for (int i = 0; i < 10; ++i) (void)c.Get("/api/v1/search?q=outage&facets=topic");
            });
        }
        for (auto& c : clients) c.join();
    }
    EXPECT_GE(handles(), want) << "the pool holds fewer handles than cores";
}

// `indexer --compact` on a sharded index swaps each shard-N directory (the --index directory
// stays): every handle of the pool, the idle ones too, opens the new ones and lets go of the
// old ones, whose disk space is then released.
TEST(Serve, LetsGoOfShardDirectoriesSwappedByCompact) {
    Fixture fx;
    for (int i = 0; i < 60; ++i) fx.add(md_name("a", i), outage_article(i, 0));
    ASSERT_EQ(indexer({"--index", fx.index(), "--shards", "2", fx.corpus()}).rc, 0);
    Server s({"--index", fx.index(), "--threads", "8"});
    fill_pool(s, fs::path(fx.index()) / "shard-0");
    fx.add("new.md", article("Zanzibar compaction", "https://z.example/1"));
    const Output o = indexer({"--index", fx.index(), "--compact", fx.corpus()});
    ASSERT_EQ(o.rc, 0) << describe(o);
    Reply r = http_get(s, "/api/v1/search?q=zanzibar");
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body["results"].size(), 1u);
    r = http_get(s, "/api/v1/stats");
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body["articles"], 61);
    EXPECT_EQ(deleted_files_held(s, fx.dir.path()), std::vector<std::string>{});
}

// A stub file elsewhere lists the shard directories of an index that `indexer --full --shards 2`
// rebuilds and swaps in: neither the --index path (the stub) nor its inode changes, the
// directories it lists do.
TEST(Serve, SeesTheShardsOfAStubFileRebuiltByFull) {
    Fixture fx;
    for (int i = 0; i < 60; ++i) fx.add(md_name("a", i), outage_article(i, 0));
    ASSERT_EQ(indexer({"--index", fx.index(), "--shards", "2", fx.corpus()}).rc, 0);
    const fs::path stub = fx.dir.write("all.stub", "auto index/shard-0\nauto index/shard-1\n");
    Server s({"--index", stub.string(), "--threads", "8"});
    fill_pool(s, fs::path(fx.index()) / "shard-0");
    for (int i = 0; i < 50; ++i) fx.add(md_name("a", i), outage_article(i, 1));
    for (int i = 50; i < 60; ++i) fs::remove(fs::path(fx.corpus()) / md_name("a", i));
    const Output o =
        indexer({"--index", fx.index(), "--full", "--shards", "2", "--quiet", fx.corpus()});
    ASSERT_EQ(o.rc, 0) << describe(o);
    Reply r = http_get(s, "/api/v1/search?q=generation+1&match=all&limit=1");
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body["total"]["estimated"], 50);
    r = http_get(s, "/api/v1/stats");
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body["articles"], 50);
    EXPECT_EQ(deleted_files_held(s, fx.dir.path()), std::vector<std::string>{});
}

// Asks `path` until `done` holds for the answer, for at most `seconds`; the last answer.
Reply ask_until(const Server& s, const std::string& path,
                const std::function<bool(const Reply&)>& done, int seconds = 45) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    Reply r;
    do {
        r = http_get(s, path);
        if (done(r)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } while (std::chrono::steady_clock::now() < end);
    return r;
}

bool complete(const Reply& r) {
    return r.status == 200 && !r.body.value("partial", true);
}

// With --allow-partial, a shard left out because it could not be read is taken back once it
// can: the answers are whole again (docs/http-api.md: tried again after 1 s, 2 s, 4 s ...).
TEST(Serve, TakesBackALocalShardThatBecomesReadable) {
    Fixture fx;
    for (int i = 0; i < 40; ++i) fx.add(md_name("a", i), outage_article(i, 0));
    ASSERT_EQ(indexer({"--index", fx.index(), "--shards", "2", fx.corpus()}).rc, 0);
    const fs::path version = fs::path(fx.index()) / "shard-1" / "iamglass";
    const fs::path aside = fx.dir.path() / "iamglass.aside";
    fs::rename(version, aside);
    Server s({"--index", fx.index(), "--allow-partial"});
    const std::string path = "/api/v1/search?q=outage&limit=1";
    Reply r = http_get(s, path);
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_TRUE(r.body["partial"].get<bool>());
    ASSERT_EQ(r.body["missing_shards"].size(), 1u) << r.raw;
    EXPECT_TRUE(contains(r.body["missing_shards"][0]["index"].get<std::string>(), "shard-1"))
        << r.raw;
    EXPECT_LT(r.body["total"]["estimated"].get<int>(), 40);
    fs::rename(aside, version);
    r = ask_until(s, path, complete);
    ASSERT_TRUE(complete(r)) << r.raw;
    EXPECT_FALSE(r.body.contains("missing_shards")) << r.raw;
    EXPECT_EQ(r.body["total"]["estimated"], 40);
    r = http_get(s, "/api/v1/stats");
    EXPECT_EQ(r.body["articles"], 40) << r.raw;
}

// A remote shard (xapian-tcpsrv) that stops is left out with --allow-partial, from the first
// request on, and taken back when it is served again.
TEST(Serve, TakesBackARemoteShardThatComesBack) {
    if (!news::test::have_tcpsrv())
        GTEST_SKIP() << "xapian-tcpsrv not installed (Debian package xapian-tools)";
    Fixture fx;
    for (int i = 0; i < 40; ++i) fx.add(md_name("a", i), outage_article(i, 0));
    ASSERT_EQ(indexer({"--index", fx.index(), "--shards", "2", fx.corpus()}).rc, 0);
    const fs::path shard1 = fs::path(fx.index()) / "shard-1";
    auto remote = std::make_unique<news::test::TcpServer>(shard1);
    ASSERT_TRUE(remote->running());
    const std::string spec = remote->spec();
    const unsigned port = remote->port();
    Server s({"--index", (fs::path(fx.index()) / "shard-0").string(), "--index", spec,
              "--allow-partial"});
    const std::string path = "/api/v1/search?q=outage&limit=1";
    Reply r = http_get(s, path);
    ASSERT_TRUE(complete(r)) << r.raw;
    EXPECT_EQ(r.body["total"]["estimated"], 40);
    remote->stop();
    r = http_get(s, path);
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_TRUE(r.body["partial"].get<bool>()) << r.raw;
    ASSERT_EQ(r.body["missing_shards"].size(), 1u) << r.raw;
    EXPECT_EQ(r.body["missing_shards"][0]["index"], spec);
    remote = std::make_unique<news::test::TcpServer>(shard1, port);
    ASSERT_TRUE(remote->running()) << "could not serve shard-1 again on port " << port;
    r = ask_until(s, path, complete);
    ASSERT_TRUE(complete(r)) << r.raw;
    EXPECT_EQ(r.body["total"]["estimated"], 40);
}

}  // namespace
