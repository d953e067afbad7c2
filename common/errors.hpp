// Typed errors shared by both programs. Each carries the process exit code it maps to; the
// programs translate them into a message and that code exactly once, in main().
#pragma once

#include <stdexcept>
#include <string>

namespace news {

// Documented exit codes (README "Exit codes", `--help` of both programs).
enum ExitCode : int {
    kExitOk = 0,
    kExitRejected = 1,     // indexer: finished, but some files were rejected
    kExitUsage = 2,        // bad command line, bad flag value
    kExitIndex = 3,        // index missing, locked, corrupt, wrong schema, unwritable
    kExitInterrupted = 4,  // indexer: SIGINT/SIGTERM; committed work is kept
    kExitNotFound = 5,     // searcher get/related: no such article
    kExitInternal = 70,    // a bug: please report
};

class Error : public std::runtime_error {
  public:
    Error(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
    int exit_code() const noexcept { return code_; }

  private:
    int code_;
};

class UsageError : public Error {
  public:
    explicit UsageError(const std::string& what) : Error(what, kExitUsage) {}
};

class IndexError : public Error {
  public:
    explicit IndexError(const std::string& what) : Error(what, kExitIndex) {}
};

class NotFoundError : public Error {
  public:
    explicit NotFoundError(const std::string& what) : Error(what, kExitNotFound) {}
};

// A file that cannot become an article. `line`/`column` are 1-based, 0 when unknown.
class ParseError : public Error {
  public:
    ParseError(std::string file, int line, int column, std::string reason);
    const std::string& file() const noexcept { return file_; }
    int line() const noexcept { return line_; }
    int column() const noexcept { return column_; }
    const std::string& reason() const noexcept { return reason_; }

  private:
    std::string file_;
    int line_;
    int column_;
    std::string reason_;
};

// "file:line:column: reason" (line/column left out when unknown).
std::string format_location(const std::string& file, int line, int column,
                            const std::string& reason);

}  // namespace news
