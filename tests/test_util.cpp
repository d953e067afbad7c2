#include "test_util.hpp"

#include <sys/wait.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

namespace news::test {

TempDir::TempDir() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("newsearch-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
             "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& rel, const std::string& content) const {
    const auto p = path_ / rel;
    write_file(p, content);
    return p;
}

void write_file(const std::filesystem::path& p, const std::string& content) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + p.string());
}

std::string article(const std::string& title, const std::string& url, const std::string& extra) {
    std::string s = "---\ncategory: news\ntitle: \"" + title + "\"\nexcerpt: \"Excerpt of " +
                    title + "\"\npublishedDateTime: 2021-02-01T21:37:00Z\n";
    if (!url.empty()) s += "webUrl: \"" + url + "\"\n";
    s += "type: article\nquality: 50\nheat: -1\npublished: false\n";
    s += extra;
    s += "---\n";
    return s;
}

int run_command(const std::string& cmd, std::string* out) {
    const std::string full = cmd + " 2>&1";
    FILE* p = ::popen(full.c_str(), "r");
    if (!p) return -1;
    std::array<char, 4096> buf{};
    std::string text;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) text.append(buf.data(), n);
    const int status = ::pclose(p);
    if (out) *out = text;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {
std::string sh_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'') {
            q += "'\\''";
        } else {
            q += c;
        }
    }
    return q + "'";
}
}  // namespace

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// run_command merges the streams, so the program's go to files first.
Output run_bin(const std::string& bin, const std::vector<std::string>& args) {
    static TempDir scratch;
    static std::atomic<int> counter{0};
    const int n = counter++;
    const auto out = scratch.path() / ("out" + std::to_string(n));
    const auto err = scratch.path() / ("err" + std::to_string(n));
    std::string cmd = "( " + sh_quote(bin);
    for (const auto& a : args) cmd.append(" ").append(sh_quote(a));
    cmd.append(" </dev/null >")
        .append(sh_quote(out.string()))
        .append(" 2>")
        .append(sh_quote(err.string()))
        .append(" )");
    std::string ignored;
    Output o;
    o.rc = run_command(cmd, &ignored);
    o.out = read_text(out);
    o.err = read_text(err);
    std::filesystem::remove(out);
    std::filesystem::remove(err);
    return o;
}

Output indexer(const std::vector<std::string>& args) {
    return run_bin(NEWS_INDEXER_BIN, args);
}

Output searcher(const std::vector<std::string>& args) {
    return run_bin(NEWS_SEARCHER_BIN, args);
}

std::string describe(const Output& o) {
    return "rc=" + std::to_string(o.rc) + "\n--- stdout ---\n" + o.out.substr(0, 2000) +
           "\n--- stderr ---\n" + o.err.substr(0, 2000);
}

}  // namespace news::test
