// Unit tests for searcher/cli.{hpp,cpp}: the command word, common options before or after it,
// "did you mean", colour and the query-language help made from the field table.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli.hpp"
#include "schema.hpp"

using news::cli::command_position;
using news::cli::did_you_mean;
using news::cli::hoist_common_options;
using news::cli::use_color;
using Args = std::vector<std::string>;

TEST(Cli, CommandPositionSkipsOptionsAndTheirValues) {
    EXPECT_EQ(command_position({"searcher", "search", "x"}), 1u);
    EXPECT_EQ(command_position({"searcher", "--index", "search", "get", "x"}), 3u);
    EXPECT_EQ(command_position({"searcher", "--index=IDX", "-fjson", "-i", "I", "get"}), 5u);
    EXPECT_EQ(command_position({"searcher", "--config", "f.toml", "--allow-partial", "stats"}), 4u);
    EXPECT_EQ(command_position({"searcher", "--help"}), 2u);
    EXPECT_EQ(command_position({"searcher", "--", "search"}), 3u);
    EXPECT_EQ(command_position({"searcher"}), 1u);
}

TEST(Cli, CommonOptionsBeforeTheCommandMoveAfterIt) {
    EXPECT_EQ(hoist_common_options({"searcher", "--index", "IDX", "search", "azure"}),
              (Args{"searcher", "search", "--index", "IDX", "azure"}));
    EXPECT_EQ(hoist_common_options({"searcher", "-i", "A", "--format=json", "--color", "never",
                                    "--allow-partial", "-fjsonl", "get", "x"}),
              (Args{"searcher", "get", "-i", "A", "--format=json", "--color", "never",
                    "--allow-partial", "-fjsonl", "x"}));
    // Other options stay where they are; --config written after the command moves before it.
    EXPECT_EQ(hoist_common_options({"searcher", "--help", "search", "x", "--config", "c.toml"}),
              (Args{"searcher", "--help", "--config", "c.toml", "search", "x"}));
    EXPECT_EQ(hoist_common_options({"searcher", "stats", "--config=c.toml", "-i", "I"}),
              (Args{"searcher", "--config=c.toml", "stats", "-i", "I"}));
    // After "--" nothing is an option; without a command nothing moves.
    EXPECT_EQ(hoist_common_options({"searcher", "search", "--", "--config", "x"}),
              (Args{"searcher", "search", "--", "--config", "x"}));
    EXPECT_EQ(hoist_common_options({"searcher", "--index", "I"}),
              (Args{"searcher", "--index", "I"}));
    // Options of the command after it are left alone.
    EXPECT_EQ(hoist_common_options({"searcher", "search", "--limit", "3", "-i", "I", "x"}),
              (Args{"searcher", "search", "--limit", "3", "-i", "I", "x"}));
}

TEST(Cli, DidYouMeanCatchesSlipsOnly) {
    const std::vector<std::string> cmds{"search", "related", "story", "get", "stats"};
    EXPECT_EQ(did_you_mean("searhc", cmds), "search");  // a transposition
    EXPECT_EQ(did_you_mean("serch", cmds), "search");
    EXPECT_EQ(did_you_mean("relatd", cmds), "related");
    EXPECT_EQ(did_you_mean("stat", cmds), "stats");
    EXPECT_EQ(did_you_mean("gte", cmds), "get");
    EXPECT_EQ(did_you_mean("rel", cmds), "related");    // the only command beginning so
    EXPECT_EQ(did_you_mean("st", cmds), std::nullopt);  // story and stats both do
    EXPECT_EQ(did_you_mean("frobnicate", cmds), std::nullopt);
    EXPECT_EQ(did_you_mean("", cmds), std::nullopt);
    EXPECT_EQ(did_you_mean("x", cmds), std::nullopt);
}

TEST(Cli, ColourHonoursNoColorAndDumbTerminals) {
    EXPECT_TRUE(use_color("auto", true, true, nullptr, "xterm-256color"));
    EXPECT_TRUE(use_color("auto", true, true, "", nullptr));  // NO_COLOR empty: not set
    EXPECT_FALSE(use_color("auto", true, true, "1", "xterm"));
    EXPECT_FALSE(use_color("auto", true, true, nullptr, "dumb"));
    EXPECT_FALSE(use_color("auto", false, true, nullptr, "xterm"));  // not a terminal
    EXPECT_FALSE(use_color("auto", true, false, nullptr, "xterm"));  // not text
    EXPECT_FALSE(use_color("never", true, true, nullptr, "xterm"));
    EXPECT_TRUE(use_color("always", false, false, "1", "dumb"));  // asked for
}

TEST(Cli, QueryLanguageHelpListsEveryQueryFieldOfTheTable) {
    const std::string help = news::cli::query_language_help();
    for (const auto& f : news::kFields) {
        if (f.query_name.empty()) continue;
        std::string needle = " ";  // (" " + name + ":" trips GCC 12's -Wrestrict)
        needle.append(f.query_name).append(":");
        EXPECT_NE(help.find(needle), std::string::npos) << f.query_name << "\n" << help;
    }
    for (const char* op : {"AND", "OR", "NOT", "NEAR", "XOR", "\"a phrase\"", "word*", "-word"})
        EXPECT_NE(help.find(op), std::string::npos) << op;
    EXPECT_NE(help.find("date:A..B"), std::string::npos);
    EXPECT_NE(help.find("title:WORDS"), std::string::npos);
}
