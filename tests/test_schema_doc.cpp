// docs/schema.md and the field table in common/schema.hpp must agree.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "schema.hpp"

namespace {

std::string read_doc() {
    std::ifstream in(std::string(NEWS_SOURCE_DIR) + "/docs/schema.md");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The table row of a field: the line starting with "| name |".
std::string row_of(const std::string& doc, std::string_view name) {
    const std::string start = "| " + std::string(name) + " |";
    std::istringstream lines(doc);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(start, 0) == 0) return line;
    }
    return {};
}

std::vector<std::string> cells(const std::string& row) {
    std::vector<std::string> out;
    std::size_t pos = 1;
    while (pos < row.size()) {
        const std::size_t next = row.find('|', pos);
        if (next == std::string::npos) break;
        std::string c = row.substr(pos, next - pos);
        const auto b = c.find_first_not_of(' '), e = c.find_last_not_of(' ');
        out.push_back(b == std::string::npos ? "" : c.substr(b, e - b + 1));
        pos = next + 1;
    }
    return out;
}

}  // namespace

TEST(SchemaDoc, EveryFieldIsDocumentedWithItsPrefixSlotAndQueryName) {
    const std::string doc = read_doc();
    ASSERT_FALSE(doc.empty()) << "docs/schema.md not found";
    for (const auto& f : news::kFields) {
        const std::string row = row_of(doc, f.name);
        ASSERT_FALSE(row.empty()) << "field " << f.name << " missing from docs/schema.md";
        const auto c = cells(row);
        ASSERT_GE(c.size(), 5u) << row;
        const std::string qn = f.query_name.empty()
                                   ? std::string()
                                   : std::string("`").append(f.query_name).append(":`");
        EXPECT_EQ(c[1], qn) << row;
        if (!f.prefix.empty()) {
            EXPECT_EQ(c[2], std::string("`").append(f.prefix).append("`")) << row;
        }
        EXPECT_EQ(c[3], f.slot < 0 ? "" : std::to_string(f.slot)) << row;
        const char* kind = f.kind == news::FieldKind::Text      ? "text"
                           : f.kind == news::FieldKind::Boolean ? "boolean"
                                                                : "value";
        EXPECT_EQ(c[4], kind) << row;
    }
}

TEST(SchemaDoc, DocumentsNoFieldTheTableLacks) {
    const std::string doc = read_doc();
    const auto start = doc.find("## Fields");
    const auto end = doc.find("\n## ", start + 1);
    ASSERT_NE(start, std::string::npos);
    std::istringstream lines(doc.substr(start, end - start));
    int rows = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("| ", 0) != 0 || line.rfind("| field", 0) == 0) continue;
        const std::string name = cells(line).at(0);
        bool known = false;
        for (const auto& f : news::kFields) known = known || f.name == name;
        EXPECT_TRUE(known) << "docs/schema.md documents unknown field " << name;
        ++rows;
    }
    EXPECT_EQ(rows, static_cast<int>(news::kFields.size()));
}

TEST(SchemaDoc, VersionInDocMatches) {
    const std::string doc = read_doc();
    EXPECT_NE(doc.find("Schema version: **" + std::to_string(news::kSchemaVersion) + "**"),
              std::string::npos);
}
