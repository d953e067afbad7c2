#!/usr/bin/python3
"""related_eval.py -- offline evaluation of `searcher related` against editorial related lists.

Usage:
  bench/related_eval.py CORPUS_DIR [--sample 500] [--seed 1] [--workdir DIR]
                        [--weights SPEC ...] [--half-life DAYS] [--expand N]
                        [--with-graph] [--reindex] [--json FILE]

What it does:
  1. Copies CORPUS_DIR to WORKDIR/corpus with every top-level `related:` block removed from
     the YAML front matter (the `related:` line and the following indented / list-item lines,
     up to the next top-level key or the closing `---`); every other byte is kept.  The
     editorial graph in the index then cannot leak the answers.
  2. Indexes the copy: indexer --full -q --index WORKDIR/index WORKDIR/corpus  (exit 0/1 ok).
     Steps 1-2 are skipped when WORKDIR already holds an index built from the same corpus
     files by the same indexer binary (see WORKDIR/stamp.json; --reindex forces a rebuild).
  3. From the ORIGINAL files, draws random.Random(seed).sample of articles that have >= 10
     related entries whose normalised webUrl is the id of another article of the corpus.
     Truth set of a seed = those related ids (the seed itself excluded).
  4. Runs `searcher related --ids FILE -n 10 --format json` in batch mode for:
       ours (graph off)   --weights graph=0               (our defaults, graph disabled)
       (a) mlt            plain Xapian more-like-this, in Python (python3-xapian) on the same
                          index: the seed as the RSet, the 80 best text terms of its ESet
                          (unprefixed words and Z stems) OR-ed, BM25, seed/stubs/removed out
       (a') content only  --weights content=1,topics=0,time=0,quality=0,graph=0 (our content
                          signal alone, for reference)
       (b) topic+time     computed in Python from the parsed corpus: candidates sharing >= 1
                          topic with the seed, ranked by shared topics desc, |dt| asc
       (b') engine        --weights content=0,topics=1,time=1,quality=0,graph=0 (for reference)
     plus every --weights SPEC given.  A SPEC is the searcher's weights string and may also
     carry `half-life=DAYS` and `expand=N` items, e.g.
       --weights content=1,topics=0.3,time=0.2,quality=0,graph=0,half-life=30,expand=80
     --with-graph also indexes the ORIGINAL corpus (WORKDIR/index-graph) and runs our default
     weights with the graph on: the graph holds the answers, so that figure is NOT a fair
     score (reported and flagged as leaky).
  5. Prints per configuration P@10, R@10 (hits / |truth|), MRR (1/rank of the first hit in
     the top 10, 0 if none), seeds evaluated, errors, median ms per seed (the searcher's own
     elapsed_ms) and wall ms per seed (batch wall clock / seeds), ratios vs the baselines and
     sanity counters (empty / short result lists, the seed or its duplicates in its results,
     duplicate ids in a list).
  6. Prints the exact commands run.

Stdlib only (+ PyYAML with the libyaml loader).  Exit 0 on success, 2 on usage error, 1 on
a failure (indexer/searcher crash, too few eligible articles).
"""
import argparse
import hashlib
import json
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
INDEXER = os.path.join(ROOT, "build", "indexer", "indexer")
SEARCHER = os.path.join(ROOT, "build", "searcher", "searcher")

K = 10
MIN_TRUTH = 10
OURS_GRAPH_OFF = "graph=0"
MLT = "content=1,topics=0,time=0,quality=0,graph=0"
TOPIC_TIME_ENGINE = "content=0,topics=1,time=1,quality=0,graph=0"
CACHE_VERSION = 2

COMMANDS = []  # every external command run, for the report


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------- ids (common/url.cpp)

_WS = " \t\r\n\f\v"


def normalize_url(url):
    """Python port of news::normalize_url (common/url.cpp)."""
    u = url.strip(_WS)
    h = u.find("#")
    if h != -1:
        u = u[:h]
    colon = u.find("://")
    if colon <= 0:
        return u
    for i, c in enumerate(u[:colon]):
        ok = ("a" <= c <= "z") or ("A" <= c <= "Z") or (i > 0 and (("0" <= c <= "9") or c in "+-."))
        if not ok:
            return u
    scheme = u[:colon].lower()  # ascii_lower: only A-Z (the scheme is ASCII by the check above)
    auth_start = colon + 3
    ends = [p for p in (u.find("/", auth_start), u.find("?", auth_start)) if p != -1]
    auth_end = min(ends) if ends else len(u)
    authority = u[auth_start:auth_end]
    userinfo = ""
    at = authority.rfind("@")
    if at != -1:
        userinfo = authority[: at + 1]
        authority = authority[at + 1:]
    host = "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in authority)
    if (scheme == "http" and host.endswith(":80")) or (scheme == "https" and host.endswith(":443")):
        host = host[: host.rfind(":")]
    return scheme + "://" + userinfo + host + u[auth_end:]


def text_of(v):
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, (int, float, bool)):
        return str(v)
    return ""


def article_id(fm, rel_path):
    i = normalize_url(text_of(fm.get("webUrl")))
    if not i:
        i = normalize_url(text_of(fm.get("originalUrl")))
    if not i:
        i = rel_path
    return i


def to_epoch(v):
    if v is None:
        return None
    if isinstance(v, datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=timezone.utc)
        return v.timestamp()
    s = text_of(v).strip()
    if not s:
        return None
    try:
        d = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.timestamp()


# ---------------------------------------------------------------- corpus

def list_files(corpus):
    out = []
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames.sort()
        for f in sorted(filenames):
            if f.endswith(".md"):
                out.append(os.path.relpath(os.path.join(dirpath, f), corpus))
    return out


def split_front_matter(text):
    """Returns (yaml_text, start_offset_of_yaml, end_offset_of_yaml) or None."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or lines[0].rstrip("\r \t") != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r \t") == "---":
            return "\n".join(lines[1:i])
    return None


def strip_related(data):
    """Removes every top-level `related:` block from the front matter of `data` (bytes).

    Textual: the `related:` line and the following lines that are indented or list items are
    dropped, up to the next top-level key, top-level comment or the closing `---`.  Blank lines
    inside the block are dropped with it; blank lines just before the next key are kept.
    Everything else is byte-identical.  Returns (new_bytes, blocks_removed)."""
    lines = data.split(b"\n")
    first = lines[0][3:] if lines[0].startswith(b"\xef\xbb\xbf") else lines[0]
    if first.rstrip(b"\r \t") != b"---":
        return data, 0
    out = [lines[0]]
    removed = 0
    i = 1
    n = len(lines)
    in_block = False
    pending_blank = []
    while i < n:
        line = lines[i]
        bare = line.rstrip(b"\r")
        if bare.rstrip(b" \t") == b"---" and not bare.startswith((b" ", b"\t")):
            out.extend(pending_blank)
            out.extend(lines[i:])  # closing delimiter and body untouched
            return b"\n".join(out), removed
        if in_block:
            if bare.strip(b" \t") == b"":
                pending_blank.append(line)
                i += 1
                continue
            if bare.startswith((b" ", b"\t")) or bare == b"-" or bare.startswith((b"- ", b"-\t")):
                pending_blank = []  # blank lines inside the block go with it
                i += 1
                continue
            in_block = False
            out.extend(pending_blank)
            pending_blank = []
        if bare.startswith(b"related:") or bare.startswith(b"related :") or bare.startswith(b'"related":') \
                or bare.startswith(b"'related':"):
            in_block = True
            removed += 1
            i += 1
            continue
        out.append(line)
        i += 1
    # no closing delimiter: leave the file as it was
    return data, 0


def corpus_signature(corpus, files):
    h = hashlib.sha256()
    for rel in files:
        st = os.stat(os.path.join(corpus, rel))
        h.update(("%s\0%d\0%d\n" % (rel, st.st_size, st.st_mtime_ns)).encode())
    return h.hexdigest()


def binary_signature(path):
    st = os.stat(path)
    return "%d:%d" % (st.st_size, st.st_mtime_ns)


def run_indexer(corpus_dir, index_dir):
    cmd = [INDEXER, "--full", "-q", "--index", index_dir, corpus_dir]
    COMMANDS.append(cmd)
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in (0, 1):
        sys.stderr.write(p.stderr.decode("utf-8", "replace")[-4000:])
        raise RuntimeError("indexer failed with exit %d" % p.returncode)
    log("  indexed %s in %.1fs (exit %d)" % (corpus_dir, time.time() - t0, p.returncode))
    return p.returncode


def prepare_index(corpus, files, sig, workdir, with_graph, reindex):
    """Builds WORKDIR/corpus (related stripped) + WORKDIR/index, and optionally
    WORKDIR/index-graph from the original corpus.  Reuses them when the stamp matches."""
    stamp_path = os.path.join(workdir, "stamp.json")
    stamp = {}
    if os.path.exists(stamp_path) and not reindex:
        try:
            with open(stamp_path) as f:
                stamp = json.load(f)
        except (OSError, ValueError):
            stamp = {}
    want = {"corpus": os.path.abspath(corpus), "sig": sig, "indexer": binary_signature(INDEXER)}
    work_corpus = os.path.join(workdir, "corpus")
    index = os.path.join(workdir, "index")
    graph_index = os.path.join(workdir, "index-graph")
    same = all(stamp.get(k) == v for k, v in want.items())
    info = {"stripped_files": stamp.get("stripped_files"), "reused": False}
    if same and stamp.get("index_ok") and os.path.isdir(index):
        log("reusing %s (same corpus and indexer; --reindex to rebuild)" % index)
        COMMANDS.append(["#", "reused:", INDEXER, "--full", "-q", "--index", index, work_corpus])
        info["reused"] = True
    else:
        stamp = dict(want)
        log("copying the corpus without related lists to %s ..." % work_corpus)
        if os.path.exists(work_corpus):
            shutil.rmtree(work_corpus)
        stripped = 0
        for rel in files:
            src = os.path.join(corpus, rel)
            dst = os.path.join(work_corpus, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(src, "rb") as f:
                data = f.read()
            new, nblocks = strip_related(data)
            stripped += 1 if nblocks else 0
            with open(dst, "wb") as f:
                f.write(new)
            shutil.copystat(src, dst)
        stamp["stripped_files"] = stripped
        info["stripped_files"] = stripped
        log("  %d files, %d had a related block removed" % (len(files), stripped))
        if os.path.exists(index):
            shutil.rmtree(index)
        run_indexer(work_corpus, index)
        stamp["index_ok"] = True
        stamp.pop("graph_ok", None)
        with open(stamp_path, "w") as f:
            json.dump(stamp, f)
    if with_graph:
        if stamp.get("graph_ok") and os.path.isdir(graph_index):
            log("reusing %s" % graph_index)
            COMMANDS.append(["#", "reused:", INDEXER, "--full", "-q", "--index", graph_index, corpus])
        else:
            if os.path.exists(graph_index):
                shutil.rmtree(graph_index)
            run_indexer(corpus, graph_index)
            stamp["graph_ok"] = True
            with open(stamp_path, "w") as f:
                json.dump(stamp, f)
    return index, graph_index, info


def load_corpus(corpus, files, sig, workdir):
    """Parses the ORIGINAL files' front matter (cached in WORKDIR/meta.json by signature).
    Returns a list of dicts: path, id, title, topics (lower-cased), t (epoch or None),
    removed, related (normalised related webUrls, in order)."""
    cache = os.path.join(workdir, "meta.json")
    if os.path.exists(cache):
        try:
            with open(cache) as f:
                c = json.load(f)
            if c.get("sig") == sig and c.get("v") == CACHE_VERSION:
                return c["articles"], c["bad"]
        except (OSError, ValueError):
            pass
    log("parsing the front matter of %d files (cached afterwards) ..." % len(files))
    arts, bad = [], []
    for rel in files:
        with open(os.path.join(corpus, rel), encoding="utf-8", errors="replace") as f:
            fmtext = split_front_matter(f.read())
        try:
            fm = yaml.load(fmtext, Loader=yaml.CSafeLoader) if fmtext is not None else None
        except yaml.YAMLError:
            fm = None
        if not isinstance(fm, dict):
            bad.append(rel)
            continue
        topics = []
        tv = fm.get("topics")
        if isinstance(tv, str):
            tv = [tv]
        for t in tv if isinstance(tv, list) else []:
            t = " ".join(text_of(t).split()).lower()
            if t and t not in topics:
                topics.append(t)
        related = []
        rv = fm.get("related")
        for r in rv if isinstance(rv, list) else []:
            if isinstance(r, dict):
                u = normalize_url(text_of(r.get("webUrl")))
                if u:
                    related.append(u)
        arts.append({
            "path": rel,
            "id": article_id(fm, rel),
            "title": text_of(fm.get("title")),
            "topics": topics,
            "t": to_epoch(fm.get("publishedDateTime")),
            "removed": bool(fm.get("removed")) if isinstance(fm.get("removed"), bool) else False,
            "related": related,
        })
    with open(cache, "w") as f:
        json.dump({"sig": sig, "v": CACHE_VERSION, "articles": arts, "bad": bad}, f)
    return arts, bad


def pick_sample(arts, n, seed):
    ids = {a["id"] for a in arts}
    eligible = []
    seen_seed_ids = set()
    for a in arts:
        if a["id"] in seen_seed_ids:  # duplicate ids: one seed per id (the index holds one)
            continue
        truth = []
        for r in a["related"]:
            if r in ids and r != a["id"] and r not in truth:
                truth.append(r)
        if len(truth) >= MIN_TRUTH:
            eligible.append((a, truth))
            seen_seed_ids.add(a["id"])
    rng = random.Random(seed)
    if len(eligible) < n:
        raise RuntimeError("only %d eligible seeds, %d asked" % (len(eligible), n))
    return rng.sample(eligible, n), len(eligible)


# ---------------------------------------------------------------- configurations

def parse_spec(spec, default_hl, default_expand):
    """'content=1,...,half-life=30,expand=80' -> (weights string, half-life, expand)."""
    items, hl, ex = [], default_hl, default_expand
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        k, _, v = item.partition("=")
        k = k.strip()
        if k in ("half-life", "hl", "half_life"):
            hl = float(v)
        elif k == "expand":
            ex = int(v)
        else:
            items.append(item)
    return ",".join(items), hl, ex


def run_searcher(index, ids_file, weights, half_life, expand):
    cmd = [SEARCHER, "related", "--index", index, "--ids", ids_file, "-n", str(K), "--format", "json"]
    if weights:
        cmd += ["--weights", weights]
    if half_life is not None:
        cmd += ["--half-life", "%g" % half_life]
    if expand is not None:
        cmd += ["--expand", str(expand)]
    COMMANDS.append(cmd)
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.time() - t0
    if p.returncode != 0:
        raise RuntimeError("searcher failed (exit %d): %s\n  %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace")[-2000:], " ".join(map(shlex.quote, cmd))))
    out = []
    for line in p.stdout.split(b"\n"):  # not str.splitlines(): U+2028 etc. occur in titles
        if line.strip():
            out.append(json.loads(line))
    return out, wall


def engine_config(label, index, ids_file, seeds, weights, hl, ex, titles):
    rows, wall = run_searcher(index, ids_file, weights, hl, ex)
    if len(rows) != len(seeds):
        raise RuntimeError("%s: %d output lines for %d seeds" % (label, len(rows), len(seeds)))
    lists, ms, errors, notes = [], [], 0, []
    for (a, _), row in zip(seeds, rows):
        if row.get("query") != a["id"]:
            raise RuntimeError("%s: output out of order (%r vs %r)" % (label, row.get("query"), a["id"]))
        if "error" in row:
            errors += 1
            notes.append("error for %s: %s" % (a["id"], row["error"]))
            lists.append(None)
            continue
        lists.append([r.get("id") for r in row.get("results", [])])
        if "elapsed_ms" in row:
            ms.append(float(row["elapsed_ms"]))
    return {"lists": lists, "ms": ms, "wall": wall, "errors": errors, "notes": notes}


def python_topic_time(seeds, arts):
    """Baseline (b): candidates sharing >= 1 topic with the seed, by shared topics desc, then
    |dt| asc (undated last), then id.  Removed articles and the seed's id are excluded, as in
    the engine."""
    cands = [a for a in arts if not a["removed"]]
    by_topic = {}
    for i, a in enumerate(cands):
        for t in a["topics"]:
            by_topic.setdefault(t, []).append(i)
    lists, ms = [], []
    t_start = time.time()
    for a, _ in seeds:
        t0 = time.time()
        shared = {}
        for t in a["topics"]:
            for i in by_topic.get(t, ()):
                shared[i] = shared.get(i, 0) + 1
        scored = []
        seen = set()
        for i, s in shared.items():
            c = cands[i]
            if c["id"] == a["id"]:
                continue
            dt = abs(c["t"] - a["t"]) if (c["t"] is not None and a["t"] is not None) else float("inf")
            scored.append((-s, dt, c["id"]))
        scored.sort()
        top = []
        for _, _, cid in scored:
            if cid in seen:
                continue
            seen.add(cid)
            top.append(cid)
            if len(top) == K:
                break
        lists.append(top)
        ms.append((time.time() - t0) * 1000)
    return {"lists": lists, "ms": ms, "wall": time.time() - t_start, "errors": 0, "notes": []}


def python_mlt(seeds, index):
    """Baseline (a): plain Xapian more-like-this (python3-xapian): ESet of the seed document,
    nothing else.  Returns None when the bindings are not installed."""
    try:
        import xapian  # noqa: PLC0415 (optional dependency: Debian's python3-xapian)
    except ImportError:
        log("python3-xapian not installed: baseline (a) skipped")
        return None
    db = xapian.Database(index)

    class TextTerms(xapian.ExpandDecider):
        def __call__(self, term):
            t = term.decode("utf-8", "replace") if isinstance(term, bytes) else term
            return len(t) > 1 and (t[0].islower() or t[0].isdigit() or (t[0] == "Z" and not t[1].isupper()))

    decider = TextTerms()
    hide = xapian.Query(xapian.Query.OP_OR, [xapian.Query("XFstub"), xapian.Query("XFremoved")])
    lists, ms = [], []
    t_start = time.time()
    for a, _ in seeds:
        t0 = time.time()
        qterm = "Q" + a["id"]
        pl = [p.docid for p in db.postlist(qterm)]
        if not pl:
            lists.append([])
            ms.append((time.time() - t0) * 1000)
            continue
        enq = xapian.Enquire(db)
        rset = xapian.RSet()
        rset.add_document(pl[0])
        eset = enq.get_eset(80, rset, decider)
        terms = [xapian.Query(e.term) for e in eset]
        q = xapian.Query(xapian.Query.OP_AND_NOT, xapian.Query(xapian.Query.OP_OR, terms),
                         xapian.Query(xapian.Query.OP_OR, [xapian.Query(qterm), hide]))
        enq.set_query(q)
        top = []
        for m in enq.get_mset(0, K):
            d = json.loads(m.document.get_data().decode("utf-8", "replace") or "{}")
            top.append(d.get("id", ""))
        lists.append(top)
        ms.append((time.time() - t0) * 1000)
    return {"lists": lists, "ms": ms, "wall": time.time() - t_start, "errors": 0, "notes": []}


def score(result, seeds, id_title):
    p, r, rr = [], [], []
    empty = short = self_hits = dup_lists = same_title = 0
    for (a, truth), lst in zip(seeds, result["lists"]):
        if lst is None:
            continue
        tset = set(truth)
        top = lst[:K]
        hits = 0
        first = 0
        for rank, rid in enumerate(top, 1):
            if rid in tset:
                hits += 1
                if not first:
                    first = rank
        p.append(hits / K)
        r.append(hits / len(tset))
        rr.append(1.0 / first if first else 0.0)
        if not top:
            empty += 1
        elif len(top) < K:
            short += 1
        if a["id"] in top:
            self_hits += 1
        if len(set(top)) != len(top):
            dup_lists += 1
        st = " ".join(a["title"].lower().split())
        if st and any(" ".join(id_title.get(x, "").lower().split()) == st for x in top):
            same_title += 1
    n = len(p)
    mean = (lambda xs: sum(xs) / len(xs)) if n else (lambda xs: float("nan"))
    return {
        "p10": mean(p), "r10": mean(r), "mrr": mean(rr), "seeds": n, "errors": result["errors"],
        "ms_median": statistics.median(result["ms"]) if result["ms"] else float("nan"),
        "wall_ms_per_seed": 1000.0 * result["wall"] / max(1, len(seeds)),
        "empty": empty, "short": short, "self_in_results": self_hits, "dup_ids_lists": dup_lists,
        "same_title_as_seed": same_title, "notes": result["notes"][:5],
    }


# ---------------------------------------------------------------- main

def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("corpus")
    ap.add_argument("--sample", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", default="/tmp/related_eval")
    ap.add_argument("--weights", action="append", default=[], metavar="SPEC",
                    help="extra configuration (repeatable): weights, optionally with half-life=D,expand=N")
    ap.add_argument("--half-life", type=float, default=None, help="default --half-life for every engine run")
    ap.add_argument("--expand", type=int, default=None, help="default --expand for every engine run")
    ap.add_argument("--with-graph", action="store_true", help="also run our defaults with the graph on (leaky)")
    ap.add_argument("--reindex", action="store_true", help="rebuild the work corpus and index")
    ap.add_argument("--no-baselines", action="store_true", help="skip the baselines (tuning)")
    ap.add_argument("--json", metavar="FILE", help="also write the metrics as JSON")
    args = ap.parse_args(argv[1:])
    if args.sample < 1:
        ap.error("--sample must be positive")
    if not os.path.isdir(args.corpus):
        ap.error("not a directory: %s" % args.corpus)
    for b in (INDEXER, SEARCHER):
        if not os.access(b, os.X_OK):
            log("missing binary %s (cmake --build %s/build)" % (b, ROOT))
            return 1
    corpus = os.path.abspath(args.corpus)
    workdir = os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)

    files = list_files(corpus)
    sig = corpus_signature(corpus, files)
    index, graph_index, info = prepare_index(corpus, files, sig, workdir, args.with_graph, args.reindex)
    arts, bad = load_corpus(corpus, files, sig, workdir)
    seeds, n_eligible = pick_sample(arts, args.sample, args.seed)
    id_title = {}
    for a in arts:
        id_title.setdefault(a["id"], a["title"])
    ids_file = os.path.join(workdir, "seeds-%d-%d.txt" % (args.seed, args.sample))
    with open(ids_file, "w") as f:
        for a, _ in seeds:
            f.write(a["id"] + "\n")
    truth_sizes = [len(t) for _, t in seeds]
    log("%d articles parsed (%d unparsable), %d eligible seeds, sample %d (seed %d), |truth| median %g"
        % (len(arts), len(bad), n_eligible, len(seeds), args.seed, statistics.median(truth_sizes)))

    configs = []  # (label, kind, payload)
    configs.append(("ours (defaults, graph off)", "engine", (index, OURS_GRAPH_OFF)))
    if not args.no_baselines:
        configs.append(("(a) more-like-this [python]", "mlt", None))
        configs.append(("(a') content signal only", "engine", (index, MLT)))
        configs.append(("(b) topic+time [python]", "python", None))
        configs.append(("(b') topic+time [engine]", "engine", (index, TOPIC_TIME_ENGINE)))
    for spec in args.weights:
        configs.append((spec, "engine", (index, spec)))
    if args.with_graph:
        configs.append(("ours (defaults, GRAPH ON) *leaky*", "engine", (graph_index, "")))

    results = []
    for label, kind, payload in configs:
        if kind == "python":
            res = python_topic_time(seeds, arts)
        elif kind == "mlt":
            res = python_mlt(seeds, index)
            if res is None:
                continue
        else:
            idx, spec = payload
            w, hl, ex = parse_spec(spec, args.half_life, args.expand)
            res = engine_config(label, idx, ids_file, seeds, w, hl, ex, id_title)
        m = score(res, seeds, id_title)
        m["label"] = label
        results.append(m)
        log("  %-45s P@10 %.4f  R@10 %.4f  MRR %.4f" % (label[:45], m["p10"], m["r10"], m["mrr"]))

    # ------------------------------------------------------------ report
    print("related evaluation: corpus %s, %d articles, %d eligible seeds (>= %d related in corpus)"
          % (corpus, len(arts), n_eligible, MIN_TRUTH))
    print("sample %d seeds (random.Random(%d)), |truth| min %d / median %g / max %d; index %s%s"
          % (len(seeds), args.seed, min(truth_sizes), statistics.median(truth_sizes), max(truth_sizes),
             index, " (reused)" if info["reused"] else ""))
    print()
    w = max(28, max(len(m["label"]) for m in results))
    hdr = "%-*s %6s %6s %6s %5s %4s %7s %7s" % (w, "configuration", "P@10", "R@10", "MRR", "seeds", "err",
                                              "ms(med)", "wall/sd")
    print(hdr)
    print("-" * len(hdr))
    for m in results:
        print("%-*s %6.4f %6.4f %6.4f %5d %4d %7.2f %7.2f" % (
            w, m["label"], m["p10"], m["r10"], m["mrr"], m["seeds"], m["errors"], m["ms_median"],
            m["wall_ms_per_seed"]))
    print()
    base = {m["label"]: m for m in results}
    a_m = base.get("(a) more-like-this [python]")
    b_m = base.get("(b) topic+time [python]")
    if a_m or b_m:
        print("ratios of P@10 (R@10, MRR) vs the baselines:")
        for m in results:
            if m is a_m or m is b_m:
                continue
            parts = []
            for name, bm in (("(a)", a_m), ("(b)", b_m)):
                if bm and bm["p10"] > 0:
                    parts.append("vs %s %.2fx (%.2fx, %.2fx)" % (
                        name, m["p10"] / bm["p10"], m["r10"] / bm["r10"] if bm["r10"] else float("nan"),
                        m["mrr"] / bm["mrr"] if bm["mrr"] else float("nan")))
            print("  %-*s %s" % (w, m["label"], "  ".join(parts)))
        print()
    target = base["ours (defaults, graph off)"]["p10"]
    print("target P@10 >= 0.33 with graph off: ours %.4f -> %s" % (target, "MET" if target >= 0.33 else "NOT met"))
    graph_off = [m for m in results if "GRAPH ON" not in m["label"] and not m["label"].startswith("(")]
    if len(graph_off) > 1:
        best = max(graph_off, key=lambda m: m["p10"])
        print("best graph-off configuration: %s (P@10 %.4f)" % (best["label"], best["p10"]))
    if args.with_graph:
        print("NOTE: the GRAPH ON row uses the original related lists, i.e. the answers: not a fair score.")
    print()
    print("sanity (per configuration: empty lists / lists < %d / seed id in its results / duplicate ids in a "
          "list / a result with the seed's title / errors):" % K)
    for m in results:
        print("  %-*s %d / %d / %d / %d / %d / %d" % (w, m["label"], m["empty"], m["short"], m["self_in_results"],
                                                     m["dup_ids_lists"], m["same_title_as_seed"], m["errors"]))
        for n in m["notes"]:
            print("      " + n)
    print()
    print("commands:")
    for c in COMMANDS:
        print("  " + " ".join(shlex.quote(x) if x != "#" else x for x in c))
    print("  # (b) topic+time [python]: computed in-process from the parsed front matter")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"sample": len(seeds), "seed": args.seed, "eligible": n_eligible, "results": results,
                       "commands": [" ".join(map(shlex.quote, c)) for c in COMMANDS]}, f, indent=1)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except RuntimeError as e:
        log("related_eval: %s" % e)
        sys.exit(1)
