#!/usr/bin/env bash
# The long kill test (tests/test_reliability.cpp runs a CI-sized version of it):
#
#   scripts/kill_test.sh [N_ARTICLES=50000] [KILLS=5]
#
# 1. Gets a corpus: $CORPUS if it is a non-empty directory; else, when CORPUS=PATH is given,
#    generates N_ARTICLES into PATH with gen-corpus ($GEN_CORPUS, default
#    ../shared/tools/gen-corpus next to this repository); else generates N_ARTICLES with a small
#    built-in Python generator into the work directory.
# 2. Builds a clean index in one uninterrupted run (and times it).
# 3. Runs the indexer on a second index KILLS times, each time SIGKILLing it after a random delay
#    (seeded by $SEED), and checks the index after each kill with `xapian-check` (and, when the
#    Python Xapian bindings are installed, the file table against the documents).
# 4. Re-runs to completion and compares with the clean build: `searcher stats` counts, a dozen
#    searches (`searcher search --format jsonl`, in order and sorted), and (with the Python
#    bindings) every document's terms, values and data.
#
# Environment: BUILD_DIR (default build), BATCH (indexer --batch, default 1000), JOBS (default
# nproc), SEED (default 1), WORK (work directory, default a new temp dir, removed unless
# KEEP=1). Exit status 0 when every check passed, 1 otherwise, 2 on a usage or setup error.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
repo=$(pwd)

n_articles=${1:-50000}
kills=${2:-5}
build_dir=${BUILD_DIR:-build}
batch=${BATCH:-1000}
jobs=${JOBS:-$(nproc)}
seed=${SEED:-1}
indexer="$repo/$build_dir/indexer/indexer"
searcher="$repo/$build_dir/searcher/searcher"
gen_corpus=${GEN_CORPUS:-$repo/../shared/tools/gen-corpus}

die() { echo "kill_test: $*" >&2; exit 2; }
[[ $n_articles =~ ^[0-9]+$ && $n_articles -gt 0 ]] || die "N_ARTICLES must be a positive number"
[[ $kills =~ ^[0-9]+$ ]] || die "KILLS must be a number"
[[ -x $indexer && -x $searcher ]] || die "build first: $indexer and $searcher not found (BUILD_DIR=$build_dir)"
command -v xapian-check >/dev/null || die "xapian-check not found (Debian package xapian-tools)"
command -v python3 >/dev/null || die "python3 not found"
# Normalises the searcher outputs DIR/*.raw for comparison (keys sorted, volatile keys dropped,
# one JSON value a line) into DIR/*.jsonl and, sorted, DIR/*.sorted. One Python process: a
# Python start-up per file is slow with some installations.
normalise_dir() {
    python3 - "$1" <<'PY'
import glob, json, os, sys
drop = {"elapsed_ms", "indexes", "last_update", "size_bytes"}
for raw in sorted(glob.glob(os.path.join(sys.argv[1], "*.raw"))):
    text = open(raw, encoding="utf-8").read()
    try:
        docs = [json.loads(text)] if text.strip() else []
    except ValueError:
        docs = [json.loads(l) for l in text.splitlines() if l.strip()]
    lines = []
    for d in docs:
        if isinstance(d, dict):
            for k in drop:
                d.pop(k, None)
        lines.append(json.dumps(d, sort_keys=True, ensure_ascii=False))
    base = raw[:-4]
    open(base + ".jsonl", "w", encoding="utf-8").write("".join(l + "\n" for l in lines))
    open(base + ".sorted", "w", encoding="utf-8").write("".join(l + "\n" for l in sorted(lines)))
PY
}
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }

if [[ -n ${WORK:-} ]]; then
    work=$WORK
    mkdir -p "$work"
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/kill-test.XXXXXX")
fi
cleanup() { if [[ ${KEEP:-0} != 1 && -z ${WORK:-} ]]; then rm -rf "$work"; fi; }
trap cleanup EXIT
log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Python with the Xapian bindings (python3-xapian), for the document-level checks; Debian's
# bindings are for /usr/bin/python3, which may not be the python3 first on PATH.
have_pyxapian=0
pyx=python3
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import xapian' 2>/dev/null; then have_pyxapian=1; pyx=$p; break; fi
done

# --------------------------------------------------------------------------------------------
# Corpus

gen_builtin() {  # N DIR: a small deterministic generator (same format as the real corpus)
    python3 - "$1" "$2" <<'PY'
import os, random, sys
from datetime import datetime, timedelta, timezone
n, out = int(sys.argv[1]), sys.argv[2]
words = ("azure cloud security update kubernetes microsoft google amazon data network outage "
         "patch breach ransomware quantum chip storage latency container serverless edge model "
         "training privacy regulator lawsuit merger startup funding browser mobile firmware "
         "exploit backup migration identity password protocol standard open source license "
         "community datacenter energy cooling analytics pipeline workflow compute computing "
         "developer preview release vendor market battery satellite robot").split()
topics = ["AI", "Azure", "Kubernetes", "Security", "Quantum", "Networking", "Storage",
          "Startups", "Hardware", "Policy", "Open Source", "Mobile"]
providers = [("CloudWire", "cloudwire.example"), ("Kernel Times", "kerneltimes.example"),
             ("ByteLedger", "byteledger.example"), ("SecureBeat", "securebeat.example"),
             ("Qubit Daily", "qubitdaily.example"), ("Edge Report", "edgereport.example")]
base = datetime(2018, 1, 1, tzinfo=timezone.utc)
step = max(60, int(8 * 365 * 86400 / n))

def art(i):
    r = random.Random(i * 7919 + 17)
    p = providers[r.randrange(len(providers))]
    t = base + timedelta(seconds=i * step + r.randrange(step // 2))
    if i % 23 == 5 and i > 0:
        prev = art(i - 1)
        title, excerpt = prev["title"] + " again", prev["excerpt"] + " " + r.choice(words)
    else:
        title = " ".join(r.choice(words) for _ in range(5 + r.randrange(6))).capitalize()
        excerpt = " ".join(r.choice(words) for _ in range(15 + r.randrange(20))) + "."
    url = "https://www.%s/%s/%s-%d" % (p[1], t.strftime("%Y/%m"), title.lower().replace(" ", "-"), i)
    return {"title": title, "excerpt": excerpt, "date": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "url": url, "provider": p, "quality": r.randrange(101),
            "topics": sorted(set(r.choice(topics) for _ in range(1 + r.randrange(3))))}

for i in range(n):
    a, r = art(i), random.Random(i * 104729 + 3)
    d = os.path.join(out, "%04d" % (i // 1000))
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    s = ["---", "category: news", 'title: "%s"' % a["title"], 'excerpt: "%s"' % a["excerpt"],
         "publishedDateTime: " + a["date"], 'webUrl: "%s"' % a["url"], "type: article",
         "quality: %d" % a["quality"], "heat: %d" % (r.randrange(500) - 1),
         "published: true", "provider:", "  name: " + a["provider"][0],
         "  domain: " + a["provider"][1], "topics:"] + ["  - " + t for t in a["topics"]]
    rel = r.randrange(6)
    if rel:
        s.append("related:")
    for _ in range(rel):
        if r.randrange(8) == 0:
            o = r.randrange(200)
            s += ['  - title: "Outside story %d %s"' % (o, r.choice(words)),
                  '    excerpt: "As told by article %d"' % i,
                  '    webUrl: "https://outside.example/story/%d"' % o,
                  "    type: article", "    provider: {name: Outside, domain: outside.example}"]
            continue
        j = (i + r.choice([k for k in range(-60, 61) if k])) % n
        b = art(j)
        s += ['  - title: "%s"' % b["title"], '    excerpt: "%s"' % b["excerpt"],
              "    publishedDateTime: " + b["date"], '    webUrl: "%s"' % b["url"],
              "    type: article",
              "    provider: {name: %s, domain: %s}" % b["provider"],
              "    quality: %d" % b["quality"]]
    s += ["---", " ".join(r.choice(words) for _ in range(40 + r.randrange(80))) + ".", ""]
    with open(os.path.join(d, "a%07d.md" % i), "w") as f:
        f.write("\n".join(s))
PY
}

if [[ -n ${CORPUS:-} && -d $CORPUS && -n $(ls -A "$CORPUS" 2>/dev/null) ]]; then
    corpus=$CORPUS
    log "corpus: $corpus (existing)"
elif [[ -n ${CORPUS:-} ]]; then
    [[ -x $gen_corpus ]] || die "CORPUS=$CORPUS does not exist and gen-corpus ($gen_corpus) is not there; set GEN_CORPUS"
    corpus=$CORPUS
    log "corpus: generating $n_articles articles into $corpus with $gen_corpus"
    "$gen_corpus" --count "$n_articles" --seed 2 --out "$corpus" || die "gen-corpus failed"
else
    corpus=$work/corpus
    log "corpus: generating $n_articles articles into $corpus (built-in generator)"
    gen_builtin "$n_articles" "$corpus" || die "corpus generation failed"
fi
files=$(find "$corpus" -type f -not -path '*/.*' | wc -l)
log "corpus has $files files; batch $batch, $jobs jobs, $kills kills, seed $seed"

# --------------------------------------------------------------------------------------------
# Checks

consistency() {  # INDEX: the file table against the documents (needs python3-xapian)
    ((have_pyxapian)) || return 0
    "$pyx" - "$1" <<'PY'
import json, sys, xapian
db = xapian.Database(sys.argv[1])
table, problems = {}, []
def row(key, raw):  # indexer/file_table.cpp: binary (tag 1) or, from older versions, JSON
    if raw[:1] != b"\x01":
        j = json.loads(raw)
        return j["path"], j["id"], j.get("owner", True)
    pos = 2
    def varint():
        nonlocal pos
        v = shift = 0
        while True:
            b = raw[pos]; pos += 1
            v |= (b & 0x7F) << shift; shift += 7
            if not b & 0x80:
                return v
    def string():
        nonlocal pos
        n = varint(); s = raw[pos:pos + n]; pos += n
        return s.decode("utf-8", "replace")
    flags = raw[1]
    varint(); varint()  # size, mtime
    # flag 4: the path is the key's (not repeated); flag 8: the hash is 8 raw bytes
    path = key[len(b"file:"):].decode("utf-8", "replace") if flags & 4 else string()
    if flags & 8:
        pos += 8
    else:
        string()
    id_ = string()
    return path, id_, bool(flags & 1)
for key in db.metadata_keys("file:"):
    path, id_, owner = row(key, db.get_metadata(key))
    table[path] = (id_, owner)
def docid(id_):
    for p in db.postlist(b"Q" + id_.encode()):
        return p.docid
    return None
for path, (id_, owner) in table.items():
    if not owner:
        continue
    d = docid(id_)
    if d is None:
        problems.append("row %s owns %s: no such document" % (path, id_))
        continue
    data = json.loads(db.get_document(d).get_data())
    if data.get("stub") or data.get("source") != path:
        problems.append("row %s owns %s, but the document is %s" % (path, id_, data.get("source", "a stub")))
full = 0
for p in db.postlist(b""):
    data = json.loads(db.get_document(p.docid).get_data())
    if data.get("stub"):
        continue
    full += 1
    row = table.get(data.get("source"))
    if row is None or row != (data["id"], True):
        problems.append("document %s: file-table row of %s is %r" % (data["id"], data.get("source"), row))
for p in problems[:20]:
    print("  " + p)
print("  file table: %d rows, %d full documents, %d problems" % (len(table), full, len(problems)))
sys.exit(1 if problems else 0)
PY
}

check_index() {  # INDEX LABEL
    local index=$1 label=$2
    if [[ ! -e $index/iamglass ]]; then
        log "$label: nothing committed yet (no iamglass); skipping checks"
        return
    fi
    if xapian-check "$index" >"$work/check.log" 2>&1; then
        log "$label: xapian-check: $(tail -n 1 "$work/check.log")"
    else
        fail "$label: xapian-check reported errors (see below)"
        tail -n 20 "$work/check.log"
    fi
    if ! consistency "$index"; then fail "$label: file table and documents disagree"; fi
}

queries=(
    "azure"
    "security update"
    "'\"cloud computing\"'"
    "microsoft OR google"
    "kube*"
    "title:azure"
    "network NOT azure"
    "outage --since 2019 --sort date"
    "--topic Azure --sort date"
    "--min-quality 80 --sort quality"
    "azure --include-stubs --sort relevance"
    "data --collapse"
    "cloud --match any --facets topic,provider,year --format json"
)

snapshot() {  # INDEX OUTDIR: stats and search outputs, normalised for comparison
    local index=$1 out=$2 i=0
    mkdir -p "$out"
    "$searcher" stats --index "$index" --format json >"$out/stats.raw"
    for q in "${queries[@]}"; do
        i=$((i + 1))
        eval "set -- $q"
        local fmt=(--format jsonl)
        [[ " $* " == *" --format "* ]] && fmt=()
        "$searcher" search --index "$index" --limit 50 "${fmt[@]}" "$@" >"$out/q$i.raw" 2>"$out/q$i.err"
    done
    normalise_dir "$out"
}

fingerprint() {  # INDEX OUT: id -> data (without source), terms, values
    ((have_pyxapian)) || return 0
    "$pyx" - "$1" "$2" <<'PY'
import hashlib, json, sys, xapian
db = xapian.Database(sys.argv[1])
lines = []
for p in db.postlist(b""):
    doc = db.get_document(p.docid)
    data = json.loads(doc.get_data())
    data.pop("source", None)
    h = hashlib.sha1(json.dumps(data, sort_keys=True).encode())
    for t in doc.termlist():
        h.update(t.term + b":%d " % t.wdf)
    for v in doc.values():
        h.update(b"%d=" % v.num + v.value + b" ")
    lines.append("%s %s" % (data.get("id", ""), h.hexdigest()))
lines.sort()
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
}

# --------------------------------------------------------------------------------------------
# Clean build

clean=$work/clean
killed=$work/killed
rm -rf "$clean" "$killed"
log "clean build..."
t0=$(date +%s.%N)
"$indexer" --index "$clean" --batch "$batch" -j"$jobs" -q "$corpus" >"$work/clean.out" 2>"$work/clean.err"
clean_rc=$?
t1=$(date +%s.%N)
clean_s=$(calc "$t1 - $t0")
log "clean build: exit $clean_rc in ${clean_s}s: $(cat "$work/clean.out")"
((clean_rc <= 1)) || { cat "$work/clean.err"; die "the clean build failed"; }
check_index "$clean" "clean build"

# --------------------------------------------------------------------------------------------
# Kills

RANDOM=$seed
landed=0
for ((k = 1; k <= kills; k++)); do
    # A delay up to 1.2 * clean time / kills (at least 50 ms): most kills land mid-run, a few
    # early (walking the corpus, loading the file table), and the last runs get further.
    max_ms=$(awk "BEGIN { printf \"%d\", $clean_s * 1200 / $kills }")
    ((max_ms < 100)) && max_ms=100
    delay_ms=$((50 + (RANDOM * 32768 + RANDOM) % max_ms))
    "$indexer" --index "$killed" --batch "$batch" -j"$jobs" -q "$corpus" >"$work/kill$k.out" 2>"$work/kill$k.err" &
    pid=$!
    sleep "$(calc "$delay_ms / 1000")"
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"
        wait "$pid" 2>/dev/null
        rc=$?
        state="killed (status $rc)"
        ((rc == 137)) && landed=$((landed + 1))
    else
        wait "$pid"
        rc=$?
        state="had already finished with exit $rc: $(cat "$work/kill$k.out")"
    fi
    docs=$("$searcher" stats --index "$killed" --format json 2>/dev/null |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["documents"])' 2>/dev/null || echo "?")
    log "kill $k after ${delay_ms}ms: $state; $docs documents committed"
    check_index "$killed" "after kill $k"
done
((kills == 0 || landed > 0)) || fail "no kill landed while the indexer ran"

# --------------------------------------------------------------------------------------------
# Re-run to completion and compare

log "re-run to completion..."
"$indexer" --index "$killed" --batch "$batch" -j"$jobs" -q "$corpus" >"$work/rerun.out" 2>"$work/rerun.err"
rerun_rc=$?
log "re-run: exit $rerun_rc: $(cat "$work/rerun.out")"
((rerun_rc == clean_rc)) || fail "re-run exit $rerun_rc, clean build exit $clean_rc"
check_index "$killed" "after the re-run"

log "comparing with the clean build..."
snapshot "$clean" "$work/snap-clean"
snapshot "$killed" "$work/snap-killed"
if diff -u "$work/snap-clean/stats.jsonl" "$work/snap-killed/stats.jsonl"; then
    log "stats equal: $(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print({k: d[k] for k in ("documents", "articles", "stubs", "removed")})' "$work/snap-clean/stats.jsonl")"
else
    fail "searcher stats differ"
fi
for ((i = 1; i <= ${#queries[@]}; i++)); do
    q=${queries[i - 1]}
    n=$(wc -l <"$work/snap-clean/q$i.jsonl")
    if ! cmp -s "$work/snap-clean/q$i.sorted" "$work/snap-killed/q$i.sorted"; then
        fail "search '$q': results differ"
        diff "$work/snap-clean/q$i.sorted" "$work/snap-killed/q$i.sorted" | head -n 6 | cut -c1-300
    elif ! cmp -s "$work/snap-clean/q$i.jsonl" "$work/snap-killed/q$i.jsonl"; then
        fail "search '$q': same results in a different order"
    else
        log "search '$q': $n lines, equal"
    fi
    [[ -s $work/snap-clean/q$i.err ]] && echo "  (stderr: $(head -c 200 "$work/snap-clean/q$i.err"))"
done
if ((have_pyxapian)); then
    fingerprint "$clean" "$work/fp-clean"
    fingerprint "$killed" "$work/fp-killed"
    if cmp -s "$work/fp-clean" "$work/fp-killed"; then
        log "every document equal (terms, values, data): $(wc -l <"$work/fp-clean") documents"
    else
        fail "documents differ: $(diff "$work/fp-clean" "$work/fp-killed" | grep -c '^[<>]') lines"
        diff "$work/fp-clean" "$work/fp-killed" | head -n 10
    fi
else
    log "(python3-xapian not installed: document-level comparison skipped)"
fi

if ((failures)); then
    echo "kill_test: $failures check(s) FAILED (work dir: $work${KEEP:+, kept})"
    exit 1
fi
echo "kill_test: PASS ($files files, $kills kills, $landed mid-run)"
