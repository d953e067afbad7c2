// The web page's files (searcher/web/), embedded into the binary at build time by
// cmake/embed_assets.cmake: the server serves these and nothing else from disk.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace news {

struct WebAsset {
    const char* path;  // "/index.html", "/app.js", ...
    const unsigned char* data;
    std::size_t size;
};

const std::vector<WebAsset>& web_assets();

}  // namespace news
