// Unit tests of the file table's row encoding (indexer/file_table.*): the compact binary form
// round-trips every field, rows stored as JSON by older versions are still read, and a damaged
// row is refused rather than misread.
#include <gtest/gtest.h>

#include <string>

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
            const auto back = news::decode_entry(news::encode_entry("/data/a b/é.md", e));
            ASSERT_TRUE(back.has_value()) << mtime;
            EXPECT_EQ(back->first, "/data/a b/é.md");
            expect_same(back->second, e);
        }
    }
    e.foreign = true;
    e.links = {"00ff00ff00ff00ff", "", std::string("a\0b", 3)};
    const auto back = news::decode_entry(news::encode_entry("/x", e));
    ASSERT_TRUE(back.has_value());
    expect_same(back->second, e);
}

TEST(FileTable, RowsAreCompact) {
    const news::TableEntry e = sample();
    const std::string path = "/data/2021/a.md";
    const std::string row = news::encode_entry(path, e);
    // Tag, flags, two varints of at most 10 bytes, three strings with one-byte lengths: no
    // field names.
    EXPECT_LE(row.size(), 2 + 10 + 10 + 3 + path.size() + e.hash.size() + e.id.size());
    EXPECT_EQ(row.find("mtime"), std::string::npos);
}

TEST(FileTable, JsonRowsOfOlderIndexesAreRead) {
    const std::string old =
        R"({"path":"/d/a.md","size":42,"mtime_ns":-5,"hash":"ab","id":"x","owner":false,)"
        R"("foreign":true,"links":["k1","k2"]})";
    const auto back = news::decode_entry(old);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->first, "/d/a.md");
    EXPECT_EQ(back->second.size, 42u);
    EXPECT_EQ(back->second.mtime_ns, -5);
    EXPECT_FALSE(back->second.owner);
    EXPECT_TRUE(back->second.foreign);
    EXPECT_EQ(back->second.links, (std::vector<std::string>{"k1", "k2"}));
}

TEST(FileTable, DamagedRowsAreRefused) {
    const std::string row = news::encode_entry("/data/a.md", sample());
    EXPECT_FALSE(news::decode_entry("").has_value());
    EXPECT_FALSE(news::decode_entry("{not json").has_value());
    EXPECT_FALSE(news::decode_entry(row + "x").has_value()) << "trailing bytes";
    for (std::size_t n = 1; n < row.size(); ++n)
        EXPECT_FALSE(news::decode_entry(row.substr(0, n)).has_value()) << "cut at " << n;
    std::string flags = row;
    flags[1] = '\x7f';
    EXPECT_FALSE(news::decode_entry(flags).has_value()) << "unknown flags";
    // A varint of more than 64 bits, and an over-long one (a trailing zero group).
    std::string wide = row.substr(0, 2) + std::string(9, '\xff') + '\x02';
    EXPECT_FALSE(news::decode_entry(wide).has_value());
    std::string longer = row;
    longer.replace(2, 1, std::string(1, static_cast<char>(row[2] | 0x80)) + '\x00');
    EXPECT_FALSE(news::decode_entry(longer).has_value());
    // A length that claims more bytes than the row has.
    std::string huge = row.substr(0, 2) + std::string(9, '\xff') + '\x01';
    EXPECT_FALSE(news::decode_entry(huge).has_value());
}

}  // namespace
