#!/usr/bin/env bash
# Installs the Debian packages the project needs (only those missing), then configures and
# builds into build/ (or $BUILD_DIR). Idempotent: a second run only rebuilds what changed.
#   BUILD_DIR=build-asan CMAKE_ARGS="-DSANITIZE=ON" scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# help2man: the man pages, made at build time from --help (packaging/CMakeLists.txt).
scripts/install-packages.sh g++ cmake make pkg-config libxapian-dev xapian-tools libyaml-cpp-dev \
    libcli11-dev libgtest-dev nlohmann-json3-dev libicu-dev help2man libcpp-httplib-dev

# The browser test (ctest -L browser): node, Debian's chromium, and puppeteer-core below.
command -v npm >/dev/null || scripts/install-packages.sh nodejs npm
scripts/install-packages.sh chromium

build_dir="${BUILD_DIR:-build}"
# shellcheck disable=SC2086
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j"$(nproc)"

# puppeteer-core for the browser test, from the lock file, into the build dir (not the tree);
# again only when the lock file changed.
mkdir -p "$build_dir/browser"
if ! cmp -s tests/browser/package-lock.json "$build_dir/browser/package-lock.json" ||
    [ ! -d "$build_dir/browser/node_modules/puppeteer-core" ]; then
    cp tests/browser/package.json tests/browser/package-lock.json "$build_dir/browser/"
    (cd "$build_dir/browser" && npm ci --no-audit --no-fund --loglevel=error)
fi
