// `searcher serve`: the HTTP JSON API (/api/v1/...) and the web page, read-only over one or
// more indexes; each worker reads through its own handle, brought to the latest commit before
// every request. docs/http-api.md.
#pragma once

#include <string>
#include <vector>

namespace news {

struct ServeOptions {
    std::vector<std::string> indexes;
    std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free one
    unsigned threads = 32;                  // worker threads (one connection each at a time)
    std::string cors;                       // an origin allowed to call the API, or none
    bool allow_partial = false;
};

// Serves until SIGINT or SIGTERM; prints "listening on http://HOST:PORT" on stdout once
// ready. Returns the exit code. Throws UsageError for a bad --listen or a port in use.
int serve(const ServeOptions& opts);

}  // namespace news
