// Typed errors (errors.hpp): the file:line:column location format of rejection messages and
// ParseError's construction.
#include "errors.hpp"

#include "text.hpp"

namespace news {

std::string format_location(const std::string& file, int line, int column,
                            const std::string& reason) {
    std::string out = file;
    if (line > 0) {
        out += ':' + std::to_string(line);
        if (column > 0) out += ':' + std::to_string(column);
    }
    out += ": ";
    out += reason;
    return out;
}

// Reasons may quote the file's bytes (yaml-cpp's messages do): keep them valid UTF-8.
ParseError::ParseError(std::string file, int line, int column, std::string reason)
    : Error(format_location(file, line, column, sanitize_utf8(reason)), kExitRejected),
      file_(std::move(file)),
      line_(line),
      column_(column),
      reason_(sanitize_utf8(reason)) {}

}  // namespace news
