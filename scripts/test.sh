#!/usr/bin/env bash
# Sets up and builds (like quickstart), then runs the whole test suite with ctest.
#   BUILD_DIR=build-asan CMAKE_ARGS="-DSANITIZE=ON" scripts/test.sh   # the sanitizer run
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j"$(nproc)"
