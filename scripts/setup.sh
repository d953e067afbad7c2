#!/usr/bin/env bash
# Installs the Debian packages the project needs (only those missing), then configures and
# builds into build/ (or $BUILD_DIR). Idempotent: a second run only rebuilds what changed.
#   BUILD_DIR=build-asan CMAKE_ARGS="-DSANITIZE=ON" scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# help2man: the man pages, made at build time from --help (packaging/CMakeLists.txt).
scripts/install-packages.sh g++ cmake make pkg-config libxapian-dev xapian-tools libyaml-cpp-dev \
    libcli11-dev libgtest-dev nlohmann-json3-dev libicu-dev help2man libcpp-httplib-dev \
    libjemalloc-dev

build_dir="${BUILD_DIR:-build}"
# shellcheck disable=SC2086
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
