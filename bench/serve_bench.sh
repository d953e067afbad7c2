#!/usr/bin/env bash
# serve_bench.sh -- `searcher serve` under load on loopback, beside the in-process limit.
#
# USAGE
#   bench/serve_bench.sh INDEX_DIR QUERIES_FILE [SECONDS=60]
#
# INDEX_DIR an index built by `indexer` (e.g. the 200k generated corpus:
# ../shared/tools/gen-corpus --count 200000 --seed 1), QUERIES_FILE one query per line
# (../shared/bench/queries.txt). Read-only: the index is not written.
#
# 1. The in-process limit: `searcher search --queries QUERIES --timing` (batch mode, one
#    untimed warm-up pass first), mean per-query time; limit = cores / mean.
# 2. The server (--threads 32, loopback, a free port) and wrk (Debian's `wrk`): a 5 s warm-up,
#    at 32 connections (every worker opens its index handle), then SECONDS split in three equal runs at 1, 8 and 32 connections, each request
#    GET /api/v1/search?q=QUERY&limit=10 with the queries in turn. Requests/s, p50 and p99
#    latency, errors (non-2xx and socket errors), and the server's RSS at the start and end
#    of the SECONDS (and its peak, sampled each second).
# Targets (issue 19): at 8 connections >= 70% of the in-process limit; p99 <= 50 ms at 32
# connections; 0 errors; RSS flat (end within +-10% of start).
set -euo pipefail
export LC_ALL=C

[[ $# -ge 2 && $# -le 3 ]] || { echo "usage: $0 INDEX_DIR QUERIES_FILE [SECONDS=60]" >&2; exit 2; }
INDEX=$1 QUERIES=$2 SECONDS_TOTAL=${3:-60}
REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
SEARCHER=${SEARCHER:-$REPO/build/searcher/searcher}
[[ -d $INDEX ]] || { echo "no index at $INDEX" >&2; exit 2; }
[[ -f $QUERIES ]] || { echo "no queries file $QUERIES" >&2; exit 2; }
[[ $SECONDS_TOTAL =~ ^[0-9]+$ && $SECONDS_TOTAL -ge 3 && $SECONDS_TOTAL -le 600 ]] ||
    { echo "SECONDS must be 3..600" >&2; exit 2; }
command -v wrk >/dev/null || "$REPO/scripts/install-packages.sh" wrk
CORES=$(nproc)
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
    if [[ -n $SERVER_PID ]]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== serve_bench: index $INDEX, $(grep -c . "$QUERIES") queries, $CORES cores, ${SECONDS_TOTAL}s under load"

# 1. In-process limit (batch mode).
"$SEARCHER" search --index "$INDEX" --queries "$QUERIES" >/dev/null 2>&1  # warm-up
"$SEARCHER" search --index "$INDEX" --queries "$QUERIES" --timing >/dev/null 2>"$WORK/timing"
MEAN_MS=$(awk '{for (i = 1; i < NF; ++i) if ($i == "mean") print $(i + 1)}' "$WORK/timing")
LIMIT=$(awk -v c="$CORES" -v m="$MEAN_MS" 'BEGIN {printf "%.0f", c / (m / 1000)}')
echo "in-process: mean ${MEAN_MS} ms/query (batch); limit = $CORES / mean = ${LIMIT} queries/s"

# 2. The server on a free loopback port.
"$SEARCHER" serve --index "$INDEX" --listen 127.0.0.1:0 --threads 32 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 100); do grep -q listening "$WORK/serve.out" && break; sleep 0.1; done
BASE=$(sed -n 's/^listening on //p' "$WORK/serve.out")
[[ $BASE == http://127.0.0.1:* ]] || { echo "server did not start" >&2; cat "$WORK/serve.err" >&2; exit 1; }

# The queries URL-encoded into wrk's request script, taken in turn (each thread from its own
# starting point).
python3 - "$QUERIES" >"$WORK/queries.lua" <<'PY'
import sys, urllib.parse
qs = [l.strip() for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
print("local q = {")
for q in qs:
    print('  "%s",' % urllib.parse.quote(q, safe=""))
print("}")
print("""local i = math.random(#q)
request = function()
  i = i % #q + 1
  return wrk.format("GET", "/api/v1/search?limit=10&q=" .. q[i])
end""")
PY

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
to_ms() {  # wrk's "1.23ms", "456.00us", "1.20s"
    awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v / 1000; else if (v ~ /ms$/) printf "%.2f", v + 0;
        else if (v ~ /m$/) printf "%.2f", v * 60000; else printf "%.2f", v * 1000 }'
}
run_wrk() {  # CONNECTIONS SECONDS -> one table row
    local c=$1 s=$2 threads=$(( $1 < 2 ? 1 : 2 ))
    wrk -t"$threads" -c"$c" -d"${s}s" --timeout 10s --latency -s "$WORK/queries.lua" "$BASE" >"$WORK/wrk.$c" 2>&1
    local rps p50 p99 non2xx sock
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.$c")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$WORK/wrk.$c")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$WORK/wrk.$c")")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$WORK/wrk.$c")
    sock=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$WORK/wrk.$c")
    local total=$(( ${non2xx:-0} + ${sock:-0} ))
    printf "%11s %12s %9s %9s %8s %12s\n" "$c" "$rps" "$p50" "$p99" "$total" \
        "$(awk -v r="$rps" -v l="$LIMIT" 'BEGIN {printf "%.0f%%", 100 * r / l}')"
}

# Warm-up at the most connections, so that every worker has opened its index handle before
# the RSS at the start is read.
wrk -t2 -c32 -d5s -s "$WORK/queries.lua" "$BASE" >/dev/null 2>&1
RSS_START=$(rss_kb)
PEAK=$RSS_START
( while kill -0 "$SERVER_PID" 2>/dev/null; do rss_kb; sleep 1; done ) >"$WORK/rss" 2>/dev/null &
SAMPLER=$!
EACH=$(( SECONDS_TOTAL / 3 ))
printf "%11s %12s %9s %9s %8s %12s\n" connections "requests/s" "p50 ms" "p99 ms" errors "of limit"
for c in 1 8 32; do run_wrk "$c" "$EACH"; done
RSS_END=$(rss_kb)
kill "$SAMPLER" 2>/dev/null || true
PEAK=$(sort -n "$WORK/rss" | tail -1)
echo "server RSS: start $((RSS_START / 1024)) MiB, end $((RSS_END / 1024)) MiB ($(awk -v a="$RSS_START" -v b="$RSS_END" 'BEGIN {printf "%+.1f%%", 100 * (b - a) / a}')), peak $((${PEAK:-0} / 1024)) MiB"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" && echo "server stopped cleanly (SIGTERM, exit 0)"
SERVER_PID=""
