// Helpers shared by the tests: temp dirs and fixture files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace news::test {

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    // Writes `content` to path()/rel (creating folders) and returns the full path.
    std::filesystem::path write(const std::string& rel, const std::string& content) const;

  private:
    std::filesystem::path path_;
};

// A minimal valid article in the seed's format; `extra` is appended inside the front matter.
std::string article(const std::string& title, const std::string& url,
                    const std::string& extra = "");

// Runs a shell command, returns its exit code; stdout+stderr captured into `out`.
int run_command(const std::string& cmd, std::string* out = nullptr);

std::string read_text(const std::filesystem::path& p);
// Writes `content` to `p`, creating its folders. Throws std::runtime_error.
void write_file(const std::filesystem::path& p, const std::string& content);

// What a program printed and its exit code.
struct Output {
    int rc = -1;
    std::string out;  // stdout
    std::string err;  // stderr
};

// Runs `bin args...` with stdin from /dev/null; stdout and stderr are captured separately.
Output run_bin(const std::string& bin, const std::vector<std::string>& args);
// The project's binaries (NEWS_INDEXER_BIN, NEWS_SEARCHER_BIN), and an Output for a failure
// message.
Output indexer(const std::vector<std::string>& args);
Output searcher(const std::vector<std::string>& args);
std::string describe(const Output& o);

}  // namespace news::test
