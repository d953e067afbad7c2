#!/usr/bin/env bash
# Sets up and builds (like quickstart), installs what the browser test needs (node, Debian's
# chromium, puppeteer-core), then runs the whole test suite with ctest.
#   BUILD_DIR=build-asan CMAKE_ARGS="-DSANITIZE=ON" scripts/test.sh   # the sanitizer run
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"

# The browser test (ctest -L browser): node and Debian's chromium, before CMake looks for node.
command -v npm >/dev/null || scripts/install-packages.sh nodejs npm
scripts/install-packages.sh chromium
scripts/setup.sh

# puppeteer-core from the lock file, into the build dir (not the tree); again only when the
# lock file changed.
mkdir -p "$build_dir/browser"
if ! cmp -s tests/browser/package-lock.json "$build_dir/browser/package-lock.json" ||
    [ ! -d "$build_dir/browser/node_modules/puppeteer-core" ]; then
    cp tests/browser/package.json tests/browser/package-lock.json "$build_dir/browser/"
    (cd "$build_dir/browser" && npm ci --no-audit --no-fund --loglevel=error)
fi
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)"
