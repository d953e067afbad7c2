// End-to-end tests of the command-line conventions (issue 20): `searcher help [COMMAND]`,
// "did you mean" for a misspelt command, common options before or after the command, --help
// with examples and the query language, NO_COLOR and TERM=dumb, and `indexer --help`.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "e2e_fixtures.hpp"
#include "schema.hpp"

using namespace news::test::e2e;

namespace {

TEST_F(E2eSample, HelpListsTheCommandsAndEachCommandsHelp) {
    const Output top = searcher({"help"});
    ASSERT_EQ(top.rc, news::kExitOk) << describe(top);
    for (const char* s : {"Usage: searcher", "search", "related", "story", "get", "stats",
                          "Examples:", "NO_COLOR", "Exit codes"})
        EXPECT_TRUE(contains(top.out, s)) << s << "\n" << top.out;
    EXPECT_EQ(searcher({"--help"}).out, top.out);
    const Output get = searcher({"help", "get"});
    ASSERT_EQ(get.rc, news::kExitOk) << describe(get);
    EXPECT_TRUE(contains(get.out, "Usage: searcher get")) << get.out;
    EXPECT_TRUE(contains(get.out, "Examples:")) << get.out;
    EXPECT_EQ(searcher({"get", "--help"}).out, get.out);
    // search --help: examples, operators, and every field of the query language (the field
    // table's query names).
    const Output s = searcher({"help", "search"});
    ASSERT_EQ(s.rc, news::kExitOk) << describe(s);
    for (const char* w : {"Examples:", "NEAR", "\"a phrase\"", "word*"})
        EXPECT_TRUE(contains(s.out, w)) << w << "\n" << s.out;
    for (const auto& f : news::kFields) {
        if (f.query_name.empty()) continue;
        std::string needle = " ";
        needle.append(f.query_name).append(":");
        EXPECT_TRUE(contains(s.out, needle)) << f.query_name;
    }
    for (const char* cmd : {"related", "story", "stats"}) {
        const Output o = searcher({"help", cmd});
        EXPECT_EQ(o.rc, news::kExitOk) << describe(o);
        EXPECT_TRUE(contains(o.out, "Examples:")) << cmd << "\n" << o.out;
    }
}

TEST_F(E2eSample, MisspeltOrMissingCommandIsAUsageErrorWithAGuess) {
    const Output typo = searcher({"searhc", "--index", index(), "security"});
    EXPECT_EQ(typo.rc, news::kExitUsage) << describe(typo);
    EXPECT_TRUE(contains(typo.err, "unknown command 'searhc'; did you mean 'search'?")) << typo.err;
    EXPECT_TRUE(typo.out.empty()) << typo.out;
    const Output far = searcher({"frobnicate"});
    EXPECT_EQ(far.rc, news::kExitUsage) << describe(far);
    EXPECT_TRUE(contains(far.err, "unknown command 'frobnicate'")) << far.err;
    EXPECT_FALSE(contains(far.err, "did you mean")) << far.err;
    const Output help_typo = searcher({"help", "stast"});
    EXPECT_EQ(help_typo.rc, news::kExitUsage) << describe(help_typo);
    EXPECT_TRUE(contains(help_typo.err, "did you mean 'stats'?")) << help_typo.err;
    const Output none = searcher({"--index", index()});
    EXPECT_EQ(none.rc, news::kExitUsage) << describe(none);
    EXPECT_TRUE(contains(none.err, "give a command: search, related, story, get, stats"))
        << none.err;
}

TEST_F(E2eSample, CommonOptionsGoBeforeOrAfterTheCommand) {
    const Output after =
        searcher({"search", "security", "--index", index(), "--format", "tsv", "--color", "never"});
    ASSERT_EQ(after.rc, news::kExitOk) << describe(after);
    ASSERT_TRUE(contains(after.out, "rank\tscore")) << after.out;
    const auto rows = [](const std::string& tsv) {  // without the scores' last digits
        std::vector<std::string> ids;
        for (const auto& l : lines_of(tsv)) ids.push_back(split_tabs(l).back());
        return ids;
    };
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"--index", index(), "--format", "tsv", "--color", "never", "search", "security"},
             {"-i", index(), "-ftsv", "search", "security"},
             {"--format=tsv", "search", "--index", index(), "security"}}) {
        const Output o = searcher(args);
        ASSERT_EQ(o.rc, news::kExitOk) << json(args).dump() << "\n" << describe(o);
        EXPECT_EQ(rows(o.out), rows(after.out)) << json(args).dump();
    }
    const Output stats = searcher({"--format", "json", "stats", "--index", index()});
    ASSERT_EQ(stats.rc, news::kExitOk) << describe(stats);
    EXPECT_TRUE(json::parse(stats.out).contains("articles")) << stats.out;
    // --config after the command, like the others.
    TempDir t;
    t.write("c.toml", "[search]\nlimit = 2\n");
    const std::string cfg = (t.path() / "c.toml").string();
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"search", "--index", index(), "--format", "json", "security", "--config", cfg},
             {"--config", cfg, "search", "--index", index(), "--format", "json", "security"}}) {
        const Output o = searcher(args);
        ASSERT_EQ(o.rc, news::kExitOk) << json(args).dump() << "\n" << describe(o);
        EXPECT_EQ(json::parse(o.out)["results"].size(), 2u) << json(args).dump();
    }
}

// --format and --color mean nothing to serve (its API answers JSON), but common options may go
// before or after any command: accepted there too, with a note that they are ignored.
TEST_F(E2eSample, ServeTakesTheCommonOptionsAndSaysItIgnoresThem) {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"--format", "json", "serve", "--index", index(), "--listen", "nowhere"},
             {"--color=never", "-i", index(), "serve", "--listen", "nowhere"},
             {"serve", "--listen", "nowhere", "-fjson", "--index", index()}}) {
        const Output o = searcher(args);
        EXPECT_EQ(o.rc, news::kExitUsage) << json(args).dump() << "\n" << describe(o);
        EXPECT_TRUE(contains(o.err, "--listen: expected HOST:PORT")) << describe(o);
        const std::string flag = contains(json(args).dump(), "color") ? "--color" : "--format";
        EXPECT_TRUE(contains(o.err, "searcher: note: serve ignores " + flag)) << describe(o);
    }
    Output bad = searcher({"--format", "xml", "serve", "--listen", "nowhere"});
    EXPECT_EQ(bad.rc, news::kExitUsage) << describe(bad);
    EXPECT_TRUE(contains(bad.err, "searcher: unknown format 'xml'")) << describe(bad);
    bad = searcher({"serve", "--color", "sometimes", "--listen", "nowhere"});
    EXPECT_EQ(bad.rc, news::kExitUsage) << describe(bad);
    EXPECT_TRUE(contains(bad.err, "searcher: --color: expected auto, always or never"))
        << describe(bad);
}

// On a terminal (`script` gives the searcher one), --color auto colours text unless NO_COLOR
// is set or TERM is dumb.
TEST_F(E2eSample, ColourOnATerminalUnlessNoColorOrDumb) {
    if (run_bin("script", {"-qec", "true", "/dev/null"}).rc != 0)
        GTEST_SKIP() << "no `script` to run the searcher on a terminal";
    const auto on_tty = [&](const std::string& env) {
        const std::string cmd = "env " + env + " '" + std::string(NEWS_SEARCHER_BIN) +
                                "' search --index '" + index() + "' security -n 2";
        return run_bin("script", {"-qec", cmd, "/dev/null"});
    };
    const Output plain_term = on_tty("-u NO_COLOR TERM=xterm");
    ASSERT_EQ(plain_term.rc, news::kExitOk) << describe(plain_term);
    EXPECT_TRUE(contains(plain_term.out, "\033[")) << plain_term.out;
    for (const char* env : {"NO_COLOR=1 TERM=xterm", "-u NO_COLOR TERM=dumb"}) {
        const Output o = on_tty(env);
        ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
        EXPECT_TRUE(contains(o.out, "security") || contains(o.out, "Security")) << o.out;
        EXPECT_FALSE(contains(o.out, "\033[")) << env << "\n" << o.out;
    }
}

TEST(E2eIndexerCli, HelpHasExamples) {
    const Output o = indexer({"--help"});
    ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
    for (const char* s : {"Usage: indexer", "Examples:", "indexer ~/news", "Exit codes"})
        EXPECT_TRUE(contains(o.out, s)) << s << "\n" << o.out;
}

}  // namespace
