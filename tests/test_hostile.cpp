// A hostile corpus indexed in one run: every good article lands and is searchable, every bad
// file is reported once with a reason naming it, and nothing crashes or runs away.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xapian.h>

#include <fstream>
#include <map>

#include "document.hpp"
#include "engine.hpp"
#include "schema.hpp"
#include "search.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using news::test::article;
using news::test::TempDir;

namespace {

std::string repeat(const std::string& s, std::size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

}  // namespace

TEST(Hostile, MixedCorpusIndexesTheGoodAndReportsTheBad) {
    TempDir d;
    const std::string long_url = "https://long.example/" + repeat("segment/", 60);  // ~500 bytes
    const std::string long_topic = repeat("Very Long Topic Name ", 20);             // ~420 bytes
    std::map<std::string, std::string> good = {
        {"good/plain.md", article("Plain good article about zebras", "https://good.example/plain")},
        {"good/bom.md",
         "\xEF\xBB\xBF" + article("Bom article about yaks", "https://good.example/bom")},
        {"good/crlf.md",
         "---\r\ntitle: \"Crlf article about llamas\"\r\nwebUrl: "
         "\"https://good.example/crlf\"\r\n---\r\nBody.\r\n"},
        {"good/badutf8.md",
         article("Broken \xC3\x28 bytes about ibexes", "https://good.example/badutf8")},
        {"good/dupkeys.md",
         "---\ntitle: \"First title about okapis\"\ntitle: \"Second title\"\nwebUrl: "
         "\"https://good.example/dup\"\n---\n"},
        {"good/wrongtypes.md",
         "---\ntitle: \"Wrong types about tapirs\"\nwebUrl: \"https://good.example/wrong\"\n"
         "quality: [1, 2]\nheat: {a: 1}\npublishedDateTime: yesterday\ntopics: {x: 1}\n"
         "provider: [a]\nimages: 7\nrelated: 5\npublished: maybe\n---\n"},
        {"good/manytopics.md",
         [] {
             std::string s =
                 "---\ntitle: \"Ten thousand topics about quokkas\"\nwebUrl: "
                 "\"https://good.example/many\"\ntopics:\n";
             for (int i = 0; i < 10000; ++i) s += "  - topic" + std::to_string(i) + "\n";
             return s + "---\n";
         }()},
        {"good/longterms.md", "---\ntitle: \"Long url and topic about wombats\"\nwebUrl: \"" +
                                  long_url + "\"\ntopics:\n  - \"" + long_topic + "\"\n---\n"},
    };
    std::map<std::string, std::string> bad = {
        {"bad/empty.md", ""},
        {"bad/binary.md", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)},
        {"bad/nul.md", std::string("---\ntitle: \"x\0y\"\n---\n", 20)},
        {"bad/utf16.md", std::string("\xFF\xFE-\0-\0-\0\n\0", 10)},
        {"bad/tabs.md", "---\ntitle: \"Tabs\"\nprovider:\n\tname: x\n---\n"},
        {"bad/list.md", "---\n- a\n- b\n---\n"},
        {"bad/nested.md", "---\ntitle: " + repeat("[", 20000) + "\n---\n"},
        {"bad/bomb.md",
         "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
         "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
         "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
         "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
         "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n---\n"},
        {"bad/huge.md", "---\ntitle: \"huge\"\n---\n" + std::string(2u << 20, 'x')},
        {"bad/notitle.md", "---\nwebUrl: \"https://bad.example/notitle\"\n---\n"},
        {"bad/vanishes.md",
         article("This file is deleted before it is read", "https://bad.example/gone")},
    };
    for (const auto& [p, c] : good) d.write("c/" + p, c);
    for (const auto& [p, c] : bad) d.write("c/" + p, c);
    fs::create_directory_symlink(d.path() / "c",
                                 d.path() / "c" / "good" / "loop");  // a symlink loop

    news::IndexOptions o;
    o.index = d.path() / "idx";
    o.inputs = {d.path() / "c"};
    o.jobs = 2;
    o.print_warnings = false;
    o.parse.max_file_bytes = 1u << 20;
    o.before_read = [&](const std::string& path) {
        if (path.ends_with("vanishes.md")) fs::remove(path);
    };
    const news::IndexStats s = news::run_index(o);

    // Every bad file reported exactly once, by name, with a reason.
    std::map<std::string, int> reported;
    for (const auto& r : s.rejections) {
        EXPECT_FALSE(r.reason.empty()) << r.file;
        ++reported[fs::path(r.file).filename().string()];
    }
    for (const auto& [p, c] : bad) {
        EXPECT_EQ(reported[fs::path(p).filename().string()], 1) << p << " must be reported once";
    }
    EXPECT_EQ(s.rejected, bad.size());
    EXPECT_EQ(s.added, good.size());

    // Every good article is searchable.
    news::OpenedIndex index = news::open_indexes({(d.path() / "idx").string()});
    for (const char* word :
         {"zebras", "yaks", "llamas", "ibexes", "okapis", "tapirs", "quokkas", "wombats"}) {
        news::SearchOptions so;
        so.request.text = word;
        EXPECT_EQ(news::run_search(index, so).results.size(), 1u) << word;
    }
    // Long URL and topic: indexed under hashed terms, still found by their full values.
    news::SearchOptions so;
    so.request.filters.topics = {long_topic};
    EXPECT_EQ(news::run_search(index, so).results.size(), 1u);
    EXPECT_EQ(news::get_article(index, long_url).article.title, "Long url and topic about wombats");
    // The 10,000 topics were capped, with a warning.
    so = {};
    so.request.text = "quokkas";
    const auto r = news::run_search(index, so).results.at(0);
    EXPECT_EQ(r.article.topics.size(), news::ParseOptions{}.max_topics);
}

// A directory the indexer cannot read is reported by name and the rest is indexed. Root reads
// everything, so when the tests run as root (as in CI) the indexer runs as `nobody` instead.
TEST(Hostile, UnreadableDirectoryIsReportedRestIndexed) {
    TempDir d;
    d.write("c/ok/a.md", article("Readable article about narwhals", "https://good.example/ok"));
    d.write("c/locked/b.md", article("Unreadable article", "https://good.example/locked"));
    const fs::path locked = d.path() / "c" / "locked";
    fs::permissions(d.path(), fs::perms::all);  // nobody may create the index here
    fs::permissions(locked, fs::perms::owner_all, fs::perm_options::replace);
    const std::string index = (d.path() / "idx").string();
    const std::string report = (d.path() / "report.json").string();
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(99);
        const int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
        ::execl(NEWS_INDEXER_BIN, NEWS_INDEXER_BIN, "-q", "--index", index.c_str(), "--report",
                report.c_str(), (d.path() / "c").c_str(), static_cast<char*>(nullptr));
        ::_exit(98);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    fs::permissions(locked, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read |
                                fs::perms::group_exec | fs::perms::others_exec);
    ASSERT_TRUE(WIFEXITED(status));
    if (WEXITSTATUS(status) == 99) GTEST_SKIP() << "cannot drop privileges here";
    EXPECT_EQ(WEXITSTATUS(status), 1) << "finished, with a rejected entry";
    std::ifstream in(report);
    const auto rep = nlohmann::json::parse(in, nullptr, false);
    ASSERT_TRUE(rep.is_object());
    ASSERT_EQ(rep["rejected"].size(), 1u);
    EXPECT_EQ(rep["rejected"][0]["file"], locked.string());
    EXPECT_NE(rep["rejected"][0]["reason"].get<std::string>().find("cannot read directory"),
              std::string::npos);
    news::OpenedIndex index_db = news::open_indexes({index});
    news::SearchOptions so;
    so.request.text = "narwhals";
    EXPECT_EQ(news::run_search(index_db, so).results.size(), 1u);
    EXPECT_FALSE(news::find_article(index_db.db, "https://good.example/locked").has_value());
}
