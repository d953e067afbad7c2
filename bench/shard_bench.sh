#!/usr/bin/env bash
# shard_bench.sh -- one index vs two shards: build wall time, and query latency over one index,
# two local shards and two remote shards (xapian-tcpsrv on loopback).
#
# USAGE
#   bench/shard_bench.sh CORPUS_DIR QUERIES_FILE [RUNS=3] [WORK_DIR]
#
# Builds (each RUNS times, median wall time):
#   one       indexer --full --compact -j2 --index WORK/one CORPUS
#   2 shards  two processes at once, one per shard (as on two machines, here sharing the
#             2 cores): indexer --full --compact -j1 --shard K/2 --index WORK/two/shard-K
#             CORPUS, then a stub file WORK/two/XAPIANDB listing both
# Queries: QUERIES_FILE in batch mode (top 10, --sort relevance, no spelling; one warm-up pass,
# then RUNS timed passes; median of each pass's p50 / p95 / p99) against
#   one       --index WORK/one
#   local     --index WORK/two                      (the stub: both shards in this process)
#   remote    --index tcp://127.0.0.1:P0 --index tcp://127.0.0.1:P1 (xapian-tcpsrv per shard)
# and the same with --sort blend and a quality/date filter. Ratios are against `one`.
set -euo pipefail
export LC_ALL=C

[[ $# -ge 2 && $# -le 4 ]] || { echo "usage: $0 CORPUS_DIR QUERIES_FILE [RUNS=3] [WORK_DIR]" >&2; exit 2; }
CORPUS=$1 QUERIES=$2 RUNS=${3:-3}
REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
INDEXER=${INDEXER:-$REPO/build/indexer/indexer}
SEARCHER=${SEARCHER:-$REPO/build/searcher/searcher}
TCPSRV=${TCPSRV:-xapian-tcpsrv}
PYTHON=${PYTHON:-python3}
[[ -d $CORPUS ]] || { echo "no corpus at $CORPUS" >&2; exit 2; }
[[ -f $QUERIES ]] || { echo "no queries file $QUERIES" >&2; exit 2; }
WORK=${4:-$(mktemp -d "${TMPDIR:-/tmp}/shard_bench.XXXXXX")}
mkdir -p "$WORK"
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [[ -n $p ]] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "== shard_bench $(date -u +%FT%TZ)  $(nproc) cores  repo $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "   corpus $CORPUS ($(find "$CORPUS" -type f | wc -l) files)  queries $QUERIES ($(grep -c . "$QUERIES") lines)  runs $RUNS  work $WORK"

now() { date +%s.%N; }
calc() { awk "BEGIN {print $1}"; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

: >"$WORK/build-one" && : >"$WORK/build-two"
for ((r = 0; r < RUNS; r++)); do
    t0=$(now)
    "$INDEXER" --full --compact -q -j2 --index "$WORK/one" "$CORPUS" >/dev/null
    t1=$(now)
    mkdir -p "$WORK/two"
    "$INDEXER" --full --compact -q -j1 --shard 0/2 --index "$WORK/two/shard-0" "$CORPUS" >/dev/null &
    a=$!
    "$INDEXER" --full --compact -q -j1 --shard 1/2 --index "$WORK/two/shard-1" "$CORPUS" >/dev/null &
    b=$!
    wait "$a" && wait "$b"
    t2=$(now)
    printf 'auto shard-0\nauto shard-1\n' >"$WORK/two/XAPIANDB"
    calc "$t1 - $t0" >>"$WORK/build-one"
    calc "$t2 - $t1" >>"$WORK/build-two"
done
one=$(median <"$WORK/build-one") two=$(median <"$WORK/build-two")
printf '\nbuild (median of %d)   one index %.1f s   2 shards in 2 processes %.1f s   speed-up %.2fx\n' \
    "$RUNS" "$one" "$two" "$(calc "$one / $two")"
printf '   sizes: one %s, shard-0 %s, shard-1 %s\n' "$(du -sh "$WORK/one" | cut -f1)" \
    "$(du -sh "$WORK/two/shard-0" | cut -f1)" "$(du -sh "$WORK/two/shard-1" | cut -f1)"

# Two servers on free loopback ports.
free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
REMOTE=()
for k in 0 1; do
    port=$(free_port)
    # In its own session: on SIGTERM xapian-tcpsrv signals its whole process group.
    setsid "$TCPSRV" --interface 127.0.0.1 --port "$port" --quiet "$WORK/two/shard-$k" >/dev/null 2>&1 &
    PIDS+=($!)
    REMOTE+=(--index "tcp://127.0.0.1:$port")
done
sleep 1

run() {  # name args... -> "p50 p95 p99" medians
    local name=$1; shift
    local cmd=("$SEARCHER" search --queries "$QUERIES" -n 10 --no-spelling --timing "$@")
    "${cmd[@]}" >/dev/null 2>&1 || { echo "FAILED: ${cmd[*]}" >&2; return 1; }
    : >"$WORK/q-$name"
    for ((i = 0; i < RUNS; i++)); do
        "${cmd[@]}" 2>"$WORK/err" >/dev/null
        awk '{for (i=1;i<=NF;i++) {if ($i=="p50") a=$(i+1); if ($i=="p95") b=$(i+1); if ($i=="p99") c=$(i+1)}} END {print a, b, c}' "$WORK/err" >>"$WORK/q-$name"
    done
    local p50 p95 p99
    p50=$(cut -d' ' -f1 "$WORK/q-$name" | median)
    p95=$(cut -d' ' -f2 "$WORK/q-$name" | median)
    p99=$(cut -d' ' -f3 "$WORK/q-$name" | median)
    echo "$p50 $p95 $p99"
}
for mode in plain blend; do
    extra=(--sort relevance)
    [[ $mode == blend ]] && extra=(--sort blend --min-quality 40 --since 2020-06-01)
    echo
    echo "queries ($mode: ${extra[*]})   p50 / p95 / p99 ms (median of $RUNS passes), ratio p50 and p99 vs one"
    read -r o50 o95 o99 < <(run "$mode-one" --index "$WORK/one" "${extra[@]}")
    printf '   %-8s %8.3f %8.3f %8.3f\n' one "$o50" "$o95" "$o99"
    read -r l50 l95 l99 < <(run "$mode-local" --index "$WORK/two" "${extra[@]}")
    printf '   %-8s %8.3f %8.3f %8.3f   %.2fx %.2fx\n' local "$l50" "$l95" "$l99" \
        "$(calc "$l50 / $o50")" "$(calc "$l99 / $o99")"
    read -r r50 r95 r99 < <(run "$mode-remote" "${REMOTE[@]}" "${extra[@]}")
    printf '   %-8s %8.3f %8.3f %8.3f   %.2fx %.2fx\n' remote "$r50" "$r95" "$r99" \
        "$(calc "$r50 / $o50")" "$(calc "$r99 / $o99")"
done
