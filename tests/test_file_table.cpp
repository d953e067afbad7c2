// Unit tests of the file table's row encoding (indexer/file_table.*): the compact binary form
// round-trips every field, rows stored as JSON by older versions are still read, and a damaged
// row is refused rather than misread.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>

#include "file_table.hpp"

namespace {

news::TableEntry sample() {
    news::TableEntry e;
    e.size = 123456789012ULL;
    e.mtime_ns = 1700000000123456789LL;
    e.hash = "0123456789abcdef";
    e.id = "https://example.com/a?b=c";
    return e;
}

// A row read back from the metadata as the indexer stores it: under table_key(path).
std::optional<std::pair<std::string, news::TableEntry>> round_trip(const std::string& path,
                                                                   const news::TableEntry& e) {
    return news::decode_entry(news::table_key(path), news::encode_entry(path, e));
}

void expect_same(const news::TableEntry& a, const news::TableEntry& b) {
    EXPECT_EQ(a.size, b.size);
    EXPECT_EQ(a.mtime_ns, b.mtime_ns);
    EXPECT_EQ(a.hash, b.hash);
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.owner, b.owner);
    EXPECT_EQ(a.foreign, b.foreign);
    EXPECT_EQ(a.links, b.links);
}

TEST(FileTable, RowsRoundTrip) {
    news::TableEntry e = sample();
    for (const int64_t mtime :
         {int64_t{0}, int64_t{-1}, int64_t{-1700000000123456789LL}, INT64_MAX, INT64_MIN}) {
        e.mtime_ns = mtime;
        for (const bool owner : {true, false}) {
            e.owner = owner;
            const auto back = round_trip("/data/a b/é.md", e);
            ASSERT_TRUE(back.has_value()) << mtime;
            EXPECT_EQ(back->first, "/data/a b/é.md");
            expect_same(back->second, e);
        }
    }
    e.foreign = true;
    e.links = {"00ff00ff00ff00ff", "", std::string("a\0b", 3)};
    const auto back = round_trip("/x", e);
    ASSERT_TRUE(back.has_value());
    expect_same(back->second, e);
    // A hash that is not 16 hex digits (none is written today) is kept as written.
    for (const std::string hash : {"ab", "", "0123456789ABCDEF", "0123456789abcdeg"}) {
        e.hash = hash;
        const auto other = round_trip("/x", e);
        ASSERT_TRUE(other.has_value()) << hash;
        EXPECT_EQ(other->second.hash, hash);
    }
}

TEST(FileTable, RowsLeaveTheirPathToTheKey) {
    const news::TableEntry e = sample();
    const std::string path = "/data/2021/some-article.md";
    const std::string row = news::encode_entry(path, e);
    EXPECT_EQ(row.find("some-article"), std::string::npos) << "the key holds the path";
    // The key is what says the path: the same row under another file's key is that file's.
    const auto moved = news::decode_entry(news::table_key("/elsewhere/b.md"), row);
    ASSERT_TRUE(moved.has_value());
    EXPECT_EQ(moved->first, "/elsewhere/b.md");
    EXPECT_FALSE(news::decode_entry("rejected:/data/a.md", row).has_value()) << "not a file key";
    // A path too long for a key is hashed in the key, so the row carries it.
    const std::string long_path = "/data/" + std::string(300, 'x') + ".md";
    ASSERT_NE(news::table_key(long_path), "file:" + long_path);
    const std::string long_row = news::encode_entry(long_path, e);
    EXPECT_NE(long_row.find(long_path), std::string::npos);
    const auto back = news::decode_entry(news::table_key(long_path), long_row);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->first, long_path);
    expect_same(back->second, e);
}

TEST(FileTable, RowsAreCompact) {
    const news::TableEntry e = sample();
    const std::string path = "/data/2021/a.md";
    const std::string row = news::encode_entry(path, e);
    // Tag, flags, two varints of at most 10 bytes, the hash's 8 bytes and the id with a one-byte
    // length: no field names, no path (the key has it), no hex.
    EXPECT_LE(row.size(), 2 + 10 + 10 + 8 + 1 + e.id.size());
    EXPECT_EQ(row.find("mtime"), std::string::npos);
}

TEST(FileTable, JsonRowsOfOlderIndexesAreRead) {
    const std::string old =
        R"({"path":"/d/a.md","size":42,"mtime_ns":-5,"hash":"ab","id":"x","owner":false,)"
        R"("foreign":true,"links":["k1","k2"]})";
    const auto back = news::decode_entry(news::table_key("/d/a.md"), old);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->first, "/d/a.md");
    EXPECT_EQ(back->second.size, 42u);
    EXPECT_EQ(back->second.mtime_ns, -5);
    EXPECT_FALSE(back->second.owner);
    EXPECT_TRUE(back->second.foreign);
    EXPECT_EQ(back->second.links, (std::vector<std::string>{"k1", "k2"}));
}

// A binary row as schema 7 wrote it (the path and the hex hash as strings), byte for byte.
TEST(FileTable, BinaryRowsOfSchema7AreRead) {
    const std::string old = std::string("\x01\x01\x2a\x09", 4) + "\x07/d/a.md" +
                            "\x10"
                            "0123456789abcdef" +
                            "\x01x";
    const auto back = news::decode_entry(news::table_key("/d/a.md"), old);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->first, "/d/a.md");
    EXPECT_EQ(back->second.size, 42u);
    EXPECT_EQ(back->second.mtime_ns, -5);
    EXPECT_EQ(back->second.hash, "0123456789abcdef");
    EXPECT_EQ(back->second.id, "x");
    EXPECT_TRUE(back->second.owner);
    EXPECT_FALSE(back->second.foreign);
    // Written again, it is the shorter form, and reads back the same.
    const std::string now = news::encode_entry("/d/a.md", back->second);
    EXPECT_LT(now.size(), old.size());
    const auto again = news::decode_entry(news::table_key("/d/a.md"), now);
    ASSERT_TRUE(again.has_value());
    expect_same(again->second, back->second);
}

TEST(FileTable, DamagedRowsAreRefused) {
    const std::string key = news::table_key("/data/a.md");
    const std::string row = news::encode_entry("/data/a.md", sample());
    EXPECT_FALSE(news::decode_entry(key, "").has_value());
    EXPECT_FALSE(news::decode_entry(key, "{not json").has_value());
    EXPECT_FALSE(news::decode_entry(key, row + "x").has_value()) << "trailing bytes";
    for (std::size_t n = 1; n < row.size(); ++n)
        EXPECT_FALSE(news::decode_entry(key, row.substr(0, n)).has_value()) << "cut at " << n;
    std::string flags = row;
    flags[1] = '\x7f';
    EXPECT_FALSE(news::decode_entry(key, flags).has_value()) << "unknown flags";
    // A varint of more than 64 bits, and an over-long one (a trailing zero group).
    std::string wide = row.substr(0, 2) + std::string(9, '\xff') + '\x02';
    EXPECT_FALSE(news::decode_entry(key, wide).has_value());
    std::string longer = row;
    longer.replace(2, 1, std::string(1, static_cast<char>(row[2] | 0x80)) + '\x00');
    EXPECT_FALSE(news::decode_entry(key, longer).has_value());
    // A size varint of 64 bits and nothing after it.
    std::string huge = row.substr(0, 2) + std::string(9, '\xff') + '\x01';
    EXPECT_FALSE(news::decode_entry(key, huge).has_value());
    // A path (no flag 4) whose length claims more bytes than the row has.
    const std::string path_too_long = std::string("\x01\x01\x01\x00\x7f", 5) + "ab";
    EXPECT_FALSE(news::decode_entry(key, path_too_long).has_value());
    EXPECT_TRUE(news::decode_entry(
                    key, std::string("\x01\x01\x01\x00\x02", 5) + "ab" + std::string("\x00\x00", 2))
                    .has_value())
        << "the same row with its length right (an empty hash and id) is read";
}

}  // namespace
