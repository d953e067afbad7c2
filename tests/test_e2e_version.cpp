// End-to-end tests of `--version` on both programs: it needs no other argument, prints the
// release, the Xapian library's version and the index schema version, and writes nothing.
#include <gtest/gtest.h>
#include <xapian.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "errors.hpp"
#include "schema.hpp"
#include "test_util.hpp"
#include "version.hpp"

namespace fs = std::filesystem;
using news::test::describe;
using news::test::Output;

namespace {

// The three lines news::version_text documents, checked field by field (not by calling it).
void expect_version_output(const Output& o, const std::string& program) {
    ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
    EXPECT_EQ(o.err, "");
    const std::string expected = program + " " + news::project_version() + "\nXapian " +
                                 Xapian::version_string() + "\nindex schema " +
                                 std::to_string(news::kSchemaVersion) + "\n";
    EXPECT_EQ(o.out, expected);
}

TEST(E2eVersion, ProjectVersionIsMajorMinorPatch) {
    EXPECT_TRUE(std::regex_match(news::project_version(), std::regex(R"(\d+\.\d+\.\d+)")))
        << news::project_version();
}

TEST(E2eVersion, IndexerNeedsNoPaths) {
    expect_version_output(news::test::indexer({"--version"}), "indexer");
}

TEST(E2eVersion, IndexerWithOtherOptionsWritesNothing) {
    news::test::TempDir t;
    const fs::path index = t.path() / "index";
    const fs::path corpus = t.path() / "corpus";
    t.write("corpus/a.md", news::test::article("Alpha", "https://news.example/alpha"));
    expect_version_output(
        news::test::indexer({"--index", index.string(), corpus.string(), "--version"}), "indexer");
    EXPECT_FALSE(fs::exists(index)) << "--version indexes nothing";
}

TEST(E2eVersion, SearcherNeedsNoSubcommand) {
    expect_version_output(news::test::searcher({"--version"}), "searcher");
}

TEST(E2eVersion, SearcherNeedsNoIndex) {
    news::test::TempDir t;
    expect_version_output(
        news::test::searcher({"--version", "stats", "--index", (t.path() / "none").string()}),
        "searcher");
}

TEST(E2eVersion, HelpListsTheFlag) {
    for (const Output& o : {news::test::indexer({"--help"}), news::test::searcher({"--help"})}) {
        EXPECT_EQ(o.rc, news::kExitOk) << describe(o);
        EXPECT_NE(o.out.find("--version"), std::string::npos) << o.out;
    }
}

}  // namespace
