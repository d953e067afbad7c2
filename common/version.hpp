// What `--version` prints, the same for both programs: the release (from CMake), the Xapian
// library the program runs with (not the headers it was built against) and the index schema
// version it reads and writes. Header-only: version_config.hpp is generated into the build tree
// (common/CMakeLists.txt), so no common/*.cpp depends on it (scripts/fuzz.sh compiles those
// without CMake).
#pragma once

#include <xapian.h>

#include <string>
#include <string_view>

#include "schema.hpp"
#include "version_config.hpp"

namespace news {

// The release, e.g. "0.1.0" (generated from the CMake project version).
inline const char* project_version() noexcept {
    return kProjectVersion;
}

// Three lines, no trailing newline:
//   indexer 0.1.0
//   Xapian 1.4.22
//   index schema 6
// The first line has the form help2man and packagers expect: program name, space, version.
inline std::string version_text(std::string_view program) {
    std::string out(program);
    out += ' ';
    out += kProjectVersion;
    out += "\nXapian ";
    out += Xapian::version_string();
    out += "\nindex schema ";
    out += std::to_string(kSchemaVersion);
    return out;
}

}  // namespace news
