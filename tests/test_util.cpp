#include "test_util.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <xapian.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <unistd.h>

#include "document.hpp"
#include "schema.hpp"

namespace news::test {

bool have_tcpsrv() {
    return run_command("command -v xapian-tcpsrv >/dev/null") == 0;
}

namespace {
unsigned free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    unsigned port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}
}  // namespace

TcpServer::TcpServer(const std::filesystem::path& db, unsigned port) {
    for (int attempt = 0; attempt < 10 && pid_ < 0; ++attempt) {
        port_ = port ? port : free_port();
        if (port_ == 0) continue;
        start(db);
        // A port of our choice may be taken for a moment (the old server's sockets closing).
        if (pid_ < 0 && port) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

void TcpServer::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

void TcpServer::start(const std::filesystem::path& db) {
    const pid_t pid = ::fork();
    if (pid < 0) return;
    if (pid == 0) {
        ::setsid();
        std::freopen("/dev/null", "w", stdout);
        std::freopen("/dev/null", "w", stderr);
        const std::string port = std::to_string(port_);
        ::execlp("xapian-tcpsrv", "xapian-tcpsrv", "--interface", "127.0.0.1", "--port",
                 port.c_str(), "--quiet", db.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    // Wait until it answers (or died: the port was taken meanwhile; try another).
    for (int i = 0; i < 100; ++i) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) return;
        try {
            Xapian::Database d = Xapian::Remote::open("127.0.0.1", port_, 2000, 200);
            (void)d.get_doccount();
            pid_ = pid;
            return;
        } catch (const Xapian::Error&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
}

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

namespace {
// `s` with control bytes and backslashes as \xNN; with `binary`, also bytes over 0x7f.
std::string printable(const std::string& s, bool binary) {
    static const char* const kHex = "0123456789abcdef";
    std::string out;
    for (const unsigned char c : s) {
        if (c < 0x20 || c == 0x7f || c == '\\' || (binary && c > 0x7f)) {
            out.append("\\x").append(1, kHex[c >> 4]).append(1, kHex[c & 0xf]);
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}
}  // namespace

std::string to_string(const DocPrint& d) {
    std::string s = d.data;
    s.append("\n  terms:");
    for (const auto& [term, wdf] : d.terms) {
        s.append(" ").append(printable(term, false)).append(":").append(std::to_string(wdf));
    }
    s.append("\n  values:");
    for (const auto& [slot, v] : d.values) {
        s.append(" ").append(std::to_string(slot)).append("=").append(printable(v, true));
    }
    return s;
}

void PrintTo(const DocPrint& d, std::ostream* os) {
    *os << to_string(d);
}

Fingerprint fingerprint(const std::filesystem::path& index, const std::set<std::string>& drop) {
    Xapian::Database db(index.string());
    Fingerprint out;
    for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
        const Xapian::Document doc = db.get_document(*it);
        auto data = news::read_data(doc);
        data.erase("source");
        for (const auto& k : drop) data.erase(k);
        DocPrint p;
        p.data = data.dump();
        // Dropping "path" drops the path's term too (P + the same path).
        const std::string path_term =
            drop.count("path") ? std::string(news::field(news::FieldId::Path).prefix) : "";
        for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
            if (!path_term.empty() && (*t).starts_with(path_term)) continue;
            p.terms[*t] = t.get_wdf();
        }
        for (auto v = doc.values_begin(); v != doc.values_end(); ++v) {
            p.values[v.get_valueno()] = *v;
        }
        out[data.value("id", "")] = std::move(p);
    }
    return out;
}

std::string fingerprint_diff(const Fingerprint& a, const Fingerprint& b) {
    std::ostringstream s;
    int shown = 0;
    for (const auto& [id, fp] : a) {
        auto it = b.find(id);
        if (it == b.end()) {
            s << "only in first: " << id << "\n";
        } else if (it->second != fp) {
            s << "differs: " << id << "\n  first:  " << to_string(fp).substr(0, 1500)
              << "\n  second: " << to_string(it->second).substr(0, 1500) << "\n";
        } else {
            continue;
        }
        if (++shown >= 5) return s.str();
    }
    for (const auto& [id, fp] : b) {
        if (!a.count(id)) {
            s << "only in second: " << id << "\n";
            if (++shown >= 5) break;
        }
    }
    return s.str();
}

}  // namespace news::test
