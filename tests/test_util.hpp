// Helpers shared by the tests: temp dirs, fixture files, running the programs, a remote shard
// (xapian-tcpsrv), and the fingerprint of an index.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <ostream>
#include <set>
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

// Whether xapian-tcpsrv (Debian package xapian-tools) is installed.
bool have_tcpsrv();

// xapian-tcpsrv serving one database on 127.0.0.1, in a session of its own (on SIGTERM it
// signals its whole process group, which must not be the test's): at a free port, or at `port`
// (to start one again where a stopped one was). The destructor stops it, so servers go away
// when a test fails.
class TcpServer {
  public:
    explicit TcpServer(const std::filesystem::path& db, unsigned port = 0);
    ~TcpServer() { stop(); }
    TcpServer(const TcpServer&) = delete;
    TcpServer& operator=(const TcpServer&) = delete;
    bool running() const { return pid_ > 0; }
    unsigned port() const { return port_; }
    std::string spec() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
    void stop();

  private:
    void start(const std::filesystem::path& db);
    pid_t pid_ = -1;
    unsigned port_ = 0;
};

// One document of an index, as the fingerprint sees it.
struct DocPrint {
    std::string data;                        // the stored data (JSON), without the dropped keys
    std::map<std::string, unsigned> terms;   // every term -> its wdf
    std::map<unsigned, std::string> values;  // every value slot -> its value
    bool operator==(const DocPrint&) const = default;
};
// Readable: data, then "term:wdf" and "slot=value" lists (non-printable bytes as \xNN).
std::string to_string(const DocPrint& d);
void PrintTo(const DocPrint& d, std::ostream* os);  // for gtest's messages

// The identity of an index, independent of docids: document id -> its data, terms with wdf
// and value slots. The data leaves out `source` (the file's absolute path) and the keys in
// `drop` (e.g. "path", relative to the root a file was indexed under; dropping it drops the
// path's P term too). Throws Xapian errors.
using Fingerprint = std::map<std::string, DocPrint>;
Fingerprint fingerprint(const std::filesystem::path& index, const std::set<std::string>& drop = {});
// The first few differences between two fingerprints ("" when equal), for failure messages.
std::string fingerprint_diff(const Fingerprint& a, const Fingerprint& b);

}  // namespace news::test
