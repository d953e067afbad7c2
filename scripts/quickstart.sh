#!/usr/bin/env bash
# Quick start: set up and build, index the bundled sample corpus into ./index, run a search.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo
echo "\$ build/indexer/indexer --index index sample-corpus"
build/indexer/indexer --index index sample-corpus
echo
echo "\$ build/searcher/searcher search --index index kubernetes security --limit 5"
build/searcher/searcher search --index index kubernetes security --limit 5
