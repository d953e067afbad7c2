// End-to-end tests of the searcher's text output and formats (issue 20): one line per snippet,
// plurals, paging past the end, URLs in `story` and in `get`'s related list (with --limit),
// every subcommand answering every --format or refusing it, and a note when a date window lies
// outside the index's dates.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "e2e_fixtures.hpp"

using namespace news::test::e2e;

namespace {

// A related entry: `- title: T / webUrl: U` under `related:`.
std::string related_list(int n) {
    std::string s = "related:\n";
    for (int i = 0; i < n; ++i) {
        s += "  - title: \"Listed wombat article " + std::to_string(i) +
             "\"\n    webUrl: \"https://listed.example/wombat-" + std::to_string(i) + "\"\n";
    }
    return s;
}

// An article whose excerpt spans lines, one that lists 12 others, and articles dated in 2021
// only (article() dates them 2021-02-01).
struct TextFixture : Fixture {
    TextFixture() {
        add("multi.md", article("Wombat burrows  span\tmiles", "https://ex.example/multi", ""));
        // The excerpt, with new lines and runs of spaces (article() writes its own excerpt).
        add("lines.md",
            "---\ntitle: \"Numbat sightings rise\"\nexcerpt: \"First numbat line.\\r\\n\\r\\n"
            "Second   numbat\\tline.\"\npublishedDateTime: 2021-02-01T10:00:00Z\n"
            "webUrl: \"https://ex.example/lines\"\n---\nBody text\nover   two lines about "
            "numbat.\n");
        add("hub.md",
            article("Hub article about wombats", "https://ex.example/hub", related_list(12)));
        const Output o = indexer({"--index", index(), corpus()});
        EXPECT_EQ(o.rc, news::kExitOk) << describe(o);
    }
    Output run(std::vector<std::string> args) const {
        args.insert(args.begin() + 1, {"--index", index()});
        return searcher(args);
    }
};

TEST(E2eText, SnippetsAndTitlesAreOneLineEach) {
    TextFixture f;
    const Output o = f.run({"search", "numbat"});
    ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
    const auto lines = lines_of(o.out);
    // The hit: a head line, the title, the URL, the snippet, a blank line.
    std::size_t at = 0;
    while (at < lines.size() && !contains(lines[at], "1. 2021-02-01")) ++at;
    ASSERT_LT(at + 3, lines.size()) << o.out;
    EXPECT_EQ(lines[at + 1], "     Numbat sightings rise");
    EXPECT_EQ(lines[at + 2], "     https://ex.example/lines");
    EXPECT_TRUE(contains(lines[at + 3], "First numbat line. Second numbat line.")) << o.out;
    EXPECT_EQ(lines[at + 4], "") << o.out;
    const Output w = f.run({"search", "burrows"});
    EXPECT_TRUE(contains(w.out, "\n     Wombat burrows span miles\n")) << w.out;
}

TEST(E2eText, CountsAreInTheRightNumber) {
    TextFixture f;
    const Output one = f.run({"search", "numbat"});
    EXPECT_TRUE(contains(one.out, "1 result;")) << one.out;
    EXPECT_FALSE(contains(one.out, "1 results")) << one.out;
    const Output story = f.run({"story", "https://ex.example/lines"});
    ASSERT_EQ(story.rc, news::kExitOk) << describe(story);
    EXPECT_TRUE(contains(story.out, ": 1 article, oldest first")) << story.out;
    EXPECT_FALSE(contains(story.out, "(s)")) << story.out;
    const Output stub = f.run({"get", "https://listed.example/wombat-3"});
    ASSERT_EQ(stub.rc, news::kExitOk) << describe(stub);
    EXPECT_TRUE(contains(stub.out, "related: 0 articles\n")) << stub.out;
    EXPECT_TRUE(contains(stub.out, "listed as related by 1 article\n")) << stub.out;
}

TEST(E2eText, PagingPastTheEndSaysSo) {
    TextFixture f;
    const Output s = f.run({"search", "wombat", "--offset", "50"});
    ASSERT_EQ(s.rc, news::kExitOk) << describe(s);
    EXPECT_TRUE(contains(s.out, "none on this page (offset 50 is past the last)")) << s.out;
    EXPECT_FALSE(contains(s.out, "showing 51")) << s.out;
    const Output r = f.run({"related", "https://ex.example/hub", "--offset", "100"});
    ASSERT_EQ(r.rc, news::kExitOk) << describe(r);
    EXPECT_TRUE(contains(r.out, "none on this page (offset 100 is past the last)")) << r.out;
}

TEST(E2eText, StoryAndGetPrintUrlsAndGetHonoursLimit) {
    TextFixture f;
    const Output story = f.run({"story", "https://ex.example/hub"});
    ASSERT_EQ(story.rc, news::kExitOk) << describe(story);
    EXPECT_TRUE(contains(story.out, "https://ex.example/hub\n")) << story.out;
    // Text: the first 10 of 12, each with its URL, and says how to see more.
    const Output get = f.run({"get", "https://ex.example/hub"});
    ASSERT_EQ(get.rc, news::kExitOk) << describe(get);
    EXPECT_TRUE(contains(get.out, "related: 12 articles; showing the first 10 (--limit)"))
        << get.out;
    EXPECT_TRUE(
        contains(get.out, "Listed wombat article 9\n         https://listed.example/wombat-9\n"))
        << get.out;
    EXPECT_FALSE(contains(get.out, "wombat-10")) << get.out;
    const Output two = f.run({"get", "https://ex.example/hub", "--limit", "2"});
    EXPECT_TRUE(contains(two.out, "showing the first 2 (--limit)")) << two.out;
    EXPECT_TRUE(contains(two.out, "wombat-1\n")) << two.out;
    EXPECT_FALSE(contains(two.out, "wombat-2")) << two.out;
    const Output all = f.run({"get", "https://ex.example/hub", "--limit", "20"});
    EXPECT_TRUE(contains(all.out, "related: 12 articles\n")) << all.out;
    EXPECT_TRUE(contains(all.out, "wombat-11")) << all.out;
    // JSON: every related entry unless --limit, and their count either way.
    const json j = json::parse(f.run({"get", "https://ex.example/hub", "--format", "json"}).out);
    EXPECT_EQ(j["related"].size(), 12u);
    EXPECT_EQ(j["related_count"], 12);
    EXPECT_EQ(j["related"][11]["url"], "https://listed.example/wombat-11");
    const json j3 = json::parse(
        f.run({"get", "https://ex.example/hub", "--format", "json", "--limit", "3"}).out);
    EXPECT_EQ(j3["related"].size(), 3u);
    EXPECT_EQ(j3["related_count"], 12);
}

// Every subcommand answers every format (parseable as that format), except the batch modes,
// which write JSON lines (with --format jsonl, json or none) and refuse text and tsv.
TEST(E2eText, EverySubcommandHonoursEveryFormatOrRefusesIt) {
    TextFixture f;
    const std::vector<std::vector<std::string>> commands{{"search", "wombat"},
                                                         {"related", "https://ex.example/hub"},
                                                         {"story", "https://ex.example/hub"},
                                                         {"get", "https://ex.example/hub"},
                                                         {"stats"}};
    for (const auto& cmd : commands) {
        for (const std::string fmt : {"text", "json", "jsonl", "tsv"}) {
            std::vector<std::string> args = cmd;
            args.insert(args.end(), {"--format", fmt});
            const Output o = f.run(args);
            SCOPED_TRACE(json(args).dump());
            ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
            ASSERT_FALSE(o.out.empty());
            if (fmt == "json") {
                EXPECT_TRUE(json::parse(o.out).is_object());
                EXPECT_GT(lines_of(o.out).size(), 1u) << "pretty-printed";
            } else if (fmt == "jsonl") {
                for (const auto& line : lines_of(o.out)) EXPECT_TRUE(json::parse(line).is_object());
            } else if (fmt == "tsv") {
                const auto lines = lines_of(o.out);
                const std::size_t cols = split_tabs(lines.at(0)).size();
                EXPECT_GE(cols, 2u);
                for (const auto& line : lines) EXPECT_EQ(split_tabs(line).size(), cols) << line;
            } else {
                EXPECT_FALSE(json::accept(o.out)) << "text, not JSON";
            }
        }
    }
    TempDir t;
    t.write("q.txt", "wombat\n");
    t.write("ids.txt", "https://ex.example/hub\n");
    const std::string q = (t.path() / "q.txt").string(), ids = (t.path() / "ids.txt").string();
    for (const auto& batch : std::vector<std::vector<std::string>>{{"search", "--queries", q},
                                                                   {"related", "--ids", ids}}) {
        const Output plain = f.run(batch);
        ASSERT_EQ(plain.rc, news::kExitOk) << describe(plain);
        EXPECT_TRUE(json::parse(lines_of(plain.out).at(0)).is_object());
        for (const std::string fmt : {"jsonl", "json"}) {  // json: what scripts always passed
            std::vector<std::string> args = batch;
            args.insert(args.end(), {"--format", fmt});
            const Output o = f.run(args);
            EXPECT_EQ(o.rc, news::kExitOk) << describe(o);
            const auto got = lines_of(o.out), want = lines_of(plain.out);
            ASSERT_EQ(got.size(), want.size()) << "JSON lines either way";
            for (std::size_t i = 0; i < got.size(); ++i) {
                json g = json::parse(got[i]), w = json::parse(want[i]);
                g.erase("elapsed_ms");
                w.erase("elapsed_ms");
                EXPECT_EQ(g, w) << "JSON lines either way";
            }
        }
        for (const std::string fmt : {"text", "tsv"}) {
            std::vector<std::string> args = batch;
            args.insert(args.end(), {"--format", fmt});
            const Output o = f.run(args);
            EXPECT_EQ(o.rc, news::kExitUsage) << json(args).dump() << "\n" << describe(o);
            EXPECT_TRUE(contains(o.err, "use --format jsonl")) << o.err;
            EXPECT_TRUE(o.out.empty()) << o.out;
        }
    }
}

TEST(E2eText, ADateWindowOutsideTheIndexSaysSo) {
    TextFixture f;  // every article is dated 2021-02-01
    const Output recent = f.run({"search", "wombat", "--since", "30d"});
    ASSERT_EQ(recent.rc, news::kExitOk) << describe(recent);
    EXPECT_TRUE(contains(recent.out, "note: --since 30d starts ")) << recent.out;
    EXPECT_TRUE(contains(recent.out, "after the newest article in the index (2021-02-01)"))
        << recent.out;
    const json j =
        json::parse(f.run({"search", "wombat", "--until", "2019", "--format", "json"}).out);
    ASSERT_EQ(j["notes"].size(), 1u) << j.dump(2);
    EXPECT_EQ(j["notes"][0],
              "--until 2019 ends 2019-12-31, before the oldest article in the index (2021-02-01)");
    // related, in text and JSON.
    const Output rel = f.run({"related", "https://ex.example/hub", "--since", "7d"});
    ASSERT_EQ(rel.rc, news::kExitOk) << describe(rel);
    EXPECT_TRUE(contains(rel.out, "note: --since 7d starts ")) << rel.out;
    const json rj = json::parse(
        f.run({"related", "https://ex.example/hub", "--until", "2020-06", "--format", "json"}).out);
    ASSERT_EQ(rj["notes"].size(), 1u) << rj.dump(2);
    EXPECT_TRUE(contains(rj["notes"][0].get<std::string>(), "--until 2020-06 ends 2020-06-30"))
        << rj["notes"];
    EXPECT_TRUE(
        json::parse(f.run({"related", "https://ex.example/hub", "--format", "json"}).out)["notes"]
            .empty());
    // A window that holds articles says nothing.
    const json in = json::parse(
        f.run({"search", "wombat", "--since", "2021-01", "--until", "2021-03", "--format", "json"})
            .out);
    EXPECT_TRUE(in["notes"].empty()) << in.dump(2);
    EXPECT_FALSE(in["results"].empty());
}

}  // namespace
