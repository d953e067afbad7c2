#!/usr/bin/python3
"""relevance_eval.py -- ranking quality of `searcher search` against graded judgments,
side by side with the SQLite FTS5 peer (bench/peer_fts5.py, bm25) on the same documents.

USAGE
  A judged collection (any corpus of our article files + TREC-style topics and qrels):
    /usr/bin/python3 bench/relevance_eval.py CORPUS_DIR --topics FILE --qrels FILE
        [--workdir DIR] [--reindex] [--indexer-args ARGS] [--run NAME=ARGS ...]
        [--no-defaults] [--no-peer] [--json FILE] [--per-query FILE]

  A proxy collection derived from the corpus itself (see DERIVED PROXY below), written to
  OUTDIR and then evaluated set by set:
    /usr/bin/python3 bench/relevance_eval.py CORPUS_DIR --derive-from-corpus OUTDIR
        [--seed 1] [--topics-per-set 500] [...same options]

  Run it with /usr/bin/python3 (Debian's Python: PyYAML with libyaml, sqlite3 with FTS5).

INPUT
  topics: one topic per line, `qid<TAB>query text` (lines starting with # and blank lines are
          ignored; a query's tabs and newlines become spaces).
  qrels:  `qid 0 docid grade` per line (whitespace-separated, TREC format), grade an integer;
          grade <= 0 is non-relevant. docid is the article id the searcher prints in its JSON
          `id` (the normalised webUrl, else originalUrl, else the path relative to CORPUS_DIR).
          A docid that is not in the corpus is still counted as relevant (it cannot be found).

WHAT IT RUNS
  1. ours: `indexer --full -q --index WORKDIR/index [ARGS] CORPUS_DIR` (exit 0 or 1 is ok),
     reused while the corpus files, the indexer binary and ARGS are unchanged (--reindex
     rebuilds). peer: `peer_fts5.py index CORPUS_DIR WORKDIR/peer.db --jobs 2`, reused likewise.
     The report's first line gives both document counts (ours: `searcher stats`) and warns
     when they differ, i.e. when the two do not search the same documents.
  2. ours: `searcher search --index WORKDIR/index --format json --limit 100 --queries Q [ARGS]`
     once per run: "ours" (the searcher's defaults, unless --no-defaults), plus every
     `--run NAME=ARGS` (ARGS: extra searcher flags, e.g. --run 'relevance=--sort relevance').
     peer: `peer_fts5.py search WORKDIR/peer.db --queries Q --limit 100 --out FILE`: the very
     pipeline (schema, query translation, bm25 weights) the speed benchmark uses. Its ids
     (raw webUrl / originalUrl / path) are normalised like ours (common/url.cpp) so both are
     judged against the same docids; a repeated id after normalisation counts once.
  3. Prints, per run: nDCG@10, MAP@100, P@10, R@100 and the ratio to the peer, with a paired
     randomization test (10,000 permutations of the per-topic AP differences, seeded) for
     MAP against the peer; and the exact commands.

METRICS (standard definitions, computed over every topic that has a relevant document in the
qrels; a topic the system returns nothing for scores 0)
  nDCG@10: DCG@10 / IDCG@10, DCG = sum_{i=1..10} (2^grade_i - 1) / log2(i + 1), IDCG the DCG
           of the qrels' grades in decreasing order; unjudged documents have grade 0.
  AP@100:  sum over ranks k <= 100 holding a relevant document of P@k, divided by the number
           of relevant documents in the qrels (grade > 0). MAP@100 = mean AP@100.

DERIVED PROXY (--derive-from-corpus OUTDIR): a judged collection made from the corpus's own
editorial data. Articles are parsed from their front matter (ids as the indexer makes them).
Eligible seeds: not `removed`, a title with >= 3 words that are not stopwords, and a title
no other article of the corpus has (case and punctuation ignored), so a known item is one
document. Three sets, each OUTDIR/<set>.topics + .qrels, with random.Random(seed):
  known-item   query = 3 of the title's non-stopword words, drawn without replacement with
               probability proportional to their idf over the corpus (title+excerpt), in
               title order, lower-cased (Azzopardi et al.'s "discriminative" simulated
               known-item queries); qrels: the article, grade 2.
  title        query = the title as written (case, punctuation and stopwords kept: a pasted
               headline); qrels: the article grade 2, and every article its `related` list
               names that is a full article of the corpus, grade 1. Seeds need >= 5 of those.
  keywords     query = up to 4 of the title's non-stopword words drawn uniformly, in title
               order, lower-cased (a short topical query); qrels as for `title`.
  Biases (read the figures with them in mind): every query is made of title words, so the
  title weight is favoured and body/excerpt-only matching is under-tested; the known item
  is the only relevant document of its topic, and its near-duplicates (syndicated copies
  with another title) count as non-relevant; `related` lists are editorial relatedness, not
  relevance to the query, and were chosen with the help of the editors' own engine (whose
  preferences they share); they hold only a few dozen articles, mostly of the same week, so
  recency helps them; unjudged documents count as non-relevant (incomplete judgments).
"""

import argparse
import hashlib
import json
import math
import os
import random
import re
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import yaml  # noqa: E402

import judged_peers  # noqa: E402
from related_eval import article_id, normalize_url, split_front_matter, text_of  # noqa: E402

INDEXER = os.environ.get("INDEXER", os.path.join(ROOT, "build", "indexer", "indexer"))
SEARCHER = os.environ.get("SEARCHER", os.path.join(ROOT, "build", "searcher", "searcher"))
PEER = os.path.join(HERE, "peer_fts5.py")
PYTHON = sys.executable or "/usr/bin/python3"
DEPTH = 100  # results per query (MAP@100)
NDCG_K = 10
PERMUTATIONS = 10000
CACHE_VERSION = 1
# What the indexer reads (README "Article format"); only for the cache signature.
ARTICLE_EXTENSIONS = (".md", ".markdown", ".txt", ".html", ".yaml", ".yml", ".json")

COMMANDS = []

# A standard English stopword list (Snowball's), used only to derive proxy queries.
STOPWORDS = frozenset("""
a about above after again against all am an and any are aren't as at be because been before
being below between both but by can't cannot could couldn't did didn't do does doesn't doing
don't down during each few for from further had hadn't has hasn't have haven't having he he'd
he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in
into is isn't it it's its itself let's me more most mustn't my myself no nor not of off on
once only or other ought our ours ourselves out over own same shan't she she'd she'll she's
should shouldn't so some such than that that's the their theirs them themselves then there
there's these they they'd they'll they're they've this those through to too under until up
very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's
which while who who's whom why why's with won't would wouldn't you you'd you'll you're you've
your yours yourself yourselves
""".split())

WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)
EDGE = re.compile(r"^\W+|[^\w+#]+$", re.UNICODE)  # punctuation at a word's ends


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def run(cmd, **kw):
    COMMANDS.append(cmd)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


# ---------------------------------------------------------------- corpus

def list_files(corpus):
    out = []
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for f in sorted(filenames):
            if not f.startswith(".") and f.lower().endswith(ARTICLE_EXTENSIONS):
                out.append(os.path.relpath(os.path.join(dirpath, f), corpus))
    return out


def corpus_signature(corpus, files):
    h = hashlib.sha256()
    for rel in files:
        st = os.stat(os.path.join(corpus, rel))
        h.update(("%s\0%d\0%d\n" % (rel, st.st_size, st.st_mtime_ns)).encode())
    return h.hexdigest()


def file_signature(path):
    st = os.stat(path)
    return "%d:%d" % (st.st_size, st.st_mtime_ns)


def load_stamp(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def prepare_ours(corpus, sig, workdir, indexer_args, reindex):
    index = os.path.join(workdir, "index")
    stamp_path = os.path.join(workdir, "index.stamp.json")
    want = {"corpus": os.path.abspath(corpus), "sig": sig, "indexer": file_signature(INDEXER),
            "args": indexer_args, "v": CACHE_VERSION}
    if not reindex and load_stamp(stamp_path) == want and os.path.isdir(index):
        log("reusing %s (same corpus, indexer and arguments; --reindex rebuilds)" % index)
        COMMANDS.append(["#", "reused:", INDEXER, "--full", "-q", "--index", index]
                        + shlex.split(indexer_args) + [corpus])
        return index
    if os.path.exists(stamp_path):
        os.remove(stamp_path)
    t0 = time.time()
    p = run([INDEXER, "--full", "-q", "--index", index] + shlex.split(indexer_args) + [corpus])
    if p.returncode not in (0, 1):
        sys.stderr.write(p.stderr.decode("utf-8", "replace")[-4000:])
        raise RuntimeError("indexer failed with exit %d" % p.returncode)
    log("indexed %s in %.1f s (exit %d)" % (corpus, time.time() - t0, p.returncode))
    with open(stamp_path, "w") as f:
        json.dump(want, f)
    return index


def prepare_peer(corpus, sig, workdir, reindex):
    db = os.path.join(workdir, "peer.db")
    stamp_path = os.path.join(workdir, "peer.stamp.json")
    want = {"corpus": os.path.abspath(corpus), "sig": sig, "peer": file_signature(PEER),
            "v": CACHE_VERSION}
    have = load_stamp(stamp_path)
    have.pop("docs", None)
    if not reindex and have == want and os.path.exists(db):
        log("reusing %s" % db)
        COMMANDS.append(["#", "reused:", PYTHON, PEER, "index", corpus, db, "--jobs", "2"])
        return db
    if os.path.exists(stamp_path):
        os.remove(stamp_path)
    t0 = time.time()
    p = run([PYTHON, PEER, "index", corpus, db, "--jobs", "2"])
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode("utf-8", "replace")[-4000:])
        raise RuntimeError("peer index failed with exit %d" % p.returncode)
    log("peer indexed %s in %.1f s" % (corpus, time.time() - t0))
    want["docs"] = json.loads(p.stdout.decode("utf-8").strip().splitlines()[-1])["docs"]
    with open(stamp_path, "w") as f:
        json.dump(want, f)
    return db


def peer_docs(workdir):
    return load_stamp(os.path.join(workdir, "peer.stamp.json")).get("docs")


def our_articles(index):
    p = run([SEARCHER, "stats", "--index", index, "--format", "json"])
    if p.returncode != 0:
        raise RuntimeError("searcher stats failed (exit %d)" % p.returncode)
    d = json.loads(p.stdout.decode("utf-8"))
    return d["articles"], d["removed"]


# ---------------------------------------------------------------- topics and qrels

def read_topics(path):
    topics = []  # [(qid, text)] in file order
    seen = set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            qid, sep, text = line.partition("\t")
            if not sep:
                raise ValueError("%s:%d: expected `qid<TAB>query`" % (path, n))
            qid = qid.strip()
            if qid in seen:
                raise ValueError("%s:%d: topic %s given twice" % (path, n, qid))
            seen.add(qid)
            topics.append((qid, " ".join(text.split())))
    return topics


def read_qrels(path):
    qrels = {}  # qid -> {docid: grade}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            parts = line.split()
            if not parts or parts[0].startswith("#"):
                continue
            if len(parts) != 4:
                raise ValueError("%s:%d: expected `qid 0 docid grade`" % (path, n))
            qid, _, docid, grade = parts
            qrels.setdefault(qid, {})[docid] = int(grade)
    return qrels


# ---------------------------------------------------------------- metrics

def ndcg(ranking, judged, k=NDCG_K):
    dcg = sum((2 ** judged.get(d, 0) - 1) / math.log2(i + 2)
              for i, d in enumerate(ranking[:k]) if judged.get(d, 0) > 0)
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def average_precision(ranking, judged, depth=DEPTH):
    nrel = sum(1 for g in judged.values() if g > 0)
    if nrel == 0:
        return 0.0
    hits, total = 0, 0.0
    for i, d in enumerate(ranking[:depth]):
        if judged.get(d, 0) > 0:
            hits += 1
            total += hits / (i + 1)
    return total / nrel


def precision(ranking, judged, k):
    return sum(1 for d in ranking[:k] if judged.get(d, 0) > 0) / k


def recall(ranking, judged, k):
    nrel = sum(1 for g in judged.values() if g > 0)
    return sum(1 for d in ranking[:k] if judged.get(d, 0) > 0) / nrel if nrel else 0.0


def evaluate(rankings, topics, qrels):
    """rankings: qid -> [docid]. Returns (summary, per-topic) over judged topics."""
    per = {}
    for qid, _ in topics:
        judged = qrels.get(qid, {})
        if not any(g > 0 for g in judged.values()):
            continue
        r = rankings.get(qid, [])
        per[qid] = {"ndcg10": ndcg(r, judged), "ap100": average_precision(r, judged),
                    "p10": precision(r, judged, 10), "r100": recall(r, judged, DEPTH),
                    "returned": len(r)}
    n = len(per)

    def mean(key):
        return sum(v[key] for v in per.values()) / n if n else 0.0
    return {"topics": n, "ndcg10": mean("ndcg10"), "map100": mean("ap100"), "p10": mean("p10"),
            "r100": mean("r100"),
            "empty": sum(1 for v in per.values() if v["returned"] == 0)}, per


def randomization_test(a, b, seed=12345):
    """Two-sided paired randomization test on the mean difference of a and b."""
    diffs = [x - y for x, y in zip(a, b)]
    if not diffs:
        return 1.0
    observed = abs(sum(diffs))
    rng = random.Random(seed)
    extreme = 0
    for _ in range(PERMUTATIONS):
        s = sum(d if rng.random() < 0.5 else -d for d in diffs)
        if abs(s) >= observed - 1e-12:
            extreme += 1
    return (extreme + 1) / (PERMUTATIONS + 1)


# ---------------------------------------------------------------- the two systems

def dedup(ids):
    seen, out = set(), []
    for i in ids:
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out


def write_queries(topics, path):
    with open(path, "w", encoding="utf-8") as f:
        for _, text in topics:
            f.write(text + "\n")


def run_ours(index, topics, qfile, args):
    cmd = [SEARCHER, "search", "--index", index, "--format", "json", "--limit", str(DEPTH),
           "--queries", qfile] + shlex.split(args)
    t0 = time.time()
    p = run(cmd)
    wall = time.time() - t0
    if p.returncode != 0:
        raise RuntimeError("searcher failed (exit %d): %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace")[-2000:]))
    lines = [ln for ln in p.stdout.decode("utf-8").split("\n") if ln.strip()]
    asked = [(q, t) for q, t in topics if t]
    if len(lines) != len(asked):
        raise RuntimeError("searcher answered %d lines for %d queries" % (len(lines), len(asked)))
    rankings, errors = {}, 0
    for (qid, text), line in zip(asked, lines):
        out = json.loads(line)
        if out.get("query") != text:
            raise RuntimeError("searcher output out of step at topic %s" % qid)
        if "error" in out:
            errors += 1
        rankings[qid] = dedup(r["id"] for r in out.get("results", []))
    return rankings, {"errors": errors, "wall_s": wall}


def run_peer(db, topics, qfile, workdir):
    out_path = os.path.join(workdir, "peer-results.jsonl")
    cmd = [PYTHON, PEER, "search", db, "--queries", qfile, "--limit", str(DEPTH),
           "--out", out_path]
    t0 = time.time()
    p = run(cmd)
    wall = time.time() - t0
    if p.returncode != 0:
        raise RuntimeError("peer search failed (exit %d): %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace")[-2000:]))
    summary = json.loads(p.stdout.decode("utf-8").strip().splitlines()[-1])
    with open(out_path, encoding="utf-8") as f:
        recs = [json.loads(ln) for ln in f if ln.strip()]
    asked = [(q, t) for q, t in topics if t]
    if len(recs) != len(asked):
        raise RuntimeError("peer answered %d lines for %d queries" % (len(recs), len(asked)))
    rankings = {}
    for (qid, text), rec in zip(asked, recs):
        if rec["query"] != text:
            raise RuntimeError("peer output out of step at topic %s" % qid)
        rankings[qid] = dedup(normalize_url(i) or i for i in rec["ids"])
    return rankings, {"errors": summary.get("errors", 0),
                      "fallbacks": summary.get("fallbacks", 0), "wall_s": wall}


# ---------------------------------------------------------------- evaluation of one set

def run_judged_peer(label, path, topics):
    asked = [(q, t) for q, t in topics if t]
    t0 = time.time()
    lists = judged_peers.search(label, path, [t for _, t in asked], DEPTH)
    rankings = {qid: dedup(normalize_url(i) or i for i in ids)
                for (qid, _), ids in zip(asked, lists)}
    return rankings, {"errors": 0, "wall_s": time.time() - t0}


def evaluate_set(name, corpus, topics_path, qrels_path, index, db, workdir, runs, per_query,
                 extra_peers=None):
    topics = read_topics(topics_path)
    qrels = read_qrels(qrels_path)
    qfile = os.path.join(workdir, "queries-%s.txt" % name)
    write_queries(topics, qfile)
    results = {}
    peer_label = "peer FTS5 bm25"
    if db is not None:
        rk, info = run_peer(db, topics, qfile, workdir)
        results[peer_label] = (rk, info)
    for label, path in (extra_peers or {}).items():
        results[label] = run_judged_peer(label, path, topics)
    if extra_peers:
        peer_label = next(iter(extra_peers))  # the reference: FTS5 with OR queries
    for label, args in runs:
        rk, info = run_ours(index, topics, qfile, args)
        results[label] = (rk, info)
    judged = [q for q, _ in topics if any(g > 0 for g in qrels.get(q, {}).values())]
    nrel = [sum(1 for g in qrels[q].values() if g > 0) for q in judged]
    print()
    print("== %s: %d topics (%d judged), %d relevant judgments (median %s per topic)" % (
        name, len(topics), len(judged), sum(nrel),
        sorted(nrel)[len(nrel) // 2] if nrel else "-"))
    print("   topics %s  qrels %s" % (topics_path, qrels_path))
    summaries, pers = {}, {}
    for label, (rk, info) in results.items():
        summaries[label], pers[label] = evaluate(rk, topics, qrels)
        summaries[label].update(info)
    has_peer = peer_label in summaries
    if has_peer:
        print("   ratios and p against: %s" % peer_label)
    header = ("| run | nDCG@10 | MAP@100 | P@10 | R@100 | MAP vs peer | p (MAP) | nDCG vs peer "
              "| p (nDCG) | empty |")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for label, s in summaries.items():
        cells = ["", "", "", ""]
        if has_peer and label != peer_label:
            q = sorted(pers[label])
            for i, (key, per_key) in enumerate((("map100", "ap100"), ("ndcg10", "ndcg10"))):
                pm = summaries[peer_label][key]
                ratio = s[key] / pm if pm > 0 else None
                pval = randomization_test([pers[label][k][per_key] for k in q],
                                          [pers[peer_label][k][per_key] for k in q])
                cells[2 * i] = "%.3f×" % ratio if ratio is not None else "-"
                cells[2 * i + 1] = "%.4f" % pval
                s[key + "_ratio"] = ratio
                s["p_%s_vs_peer" % key] = pval
        print("| %s | %.4f | %.4f | %.4f | %.4f | %s | %s | %s | %s | %d |" % (
            label, s["ndcg10"], s["map100"], s["p10"], s["r100"], cells[0], cells[1], cells[2],
            cells[3], s["empty"]))
    for label, s in summaries.items():
        if s.get("errors") or s.get("fallbacks"):
            print("   %s: %d query errors, %d fallbacks" % (label, s.get("errors", 0),
                                                            s.get("fallbacks", 0)))
    if per_query:
        with open(per_query, "a", encoding="utf-8") as f:
            for label, per in pers.items():
                for qid, v in per.items():
                    f.write(json.dumps({"set": name, "run": label, "qid": qid, **v}) + "\n")
    return summaries


# ---------------------------------------------------------------- derived proxy collection

def title_key(title):
    return " ".join(w.lower() for w in WORD.findall(title))


def query_words(text):
    """Words as a user would type them: split on white space, punctuation stripped from the
    ends only, so `7.4`, `AT&T`, `Node.js`, `open-source` and `C++` stay whole (as our
    TermGenerator and the peer's tokenizer each read them)."""
    out = []
    for tok in text.split():
        tok = EDGE.sub("", tok)
        if any(c.isalnum() for c in tok):
            out.append(tok.lower())
    return out


def content_words(title):
    return [w for w in query_words(title) if w.replace("’", "'") not in STOPWORDS]


def parse_corpus(corpus, files):
    arts = []
    for rel in files:
        with open(os.path.join(corpus, rel), encoding="utf-8", errors="replace") as f:
            fmtext = split_front_matter(f.read())
        try:
            fm = yaml.load(fmtext, Loader=yaml.CSafeLoader) if fmtext is not None else None
        except yaml.YAMLError:
            fm = None
        if not isinstance(fm, dict):
            continue
        related = []
        rv = fm.get("related")
        for r in rv if isinstance(rv, list) else []:
            if isinstance(r, dict):
                u = normalize_url(text_of(r.get("webUrl"))) or normalize_url(
                    text_of(r.get("originalUrl")))
                if u:
                    related.append(u)
        arts.append({"id": article_id(fm, rel), "title": " ".join(text_of(fm.get("title")).split()),
                     "excerpt": text_of(fm.get("excerpt")),
                     "removed": fm.get("removed") is True, "related": related})
    return arts


def derive(corpus, files, outdir, seed, per_set):
    os.makedirs(outdir, exist_ok=True)
    arts = parse_corpus(corpus, files)
    # The index holds one document per id: the later file wins, as in the indexer.
    by_id = {}
    for a in arts:
        by_id[a["id"]] = a
    arts = [a for a in arts if by_id[a["id"]] is a]
    full = {a["id"] for a in arts if not a["removed"]}
    df = {}
    for a in arts:
        for w in set(query_words(a["title"] + " " + a["excerpt"])):
            df[w] = df.get(w, 0) + 1
    n = len(arts)

    def idf(w):
        return math.log((n + 1) / (df.get(w, 0) + 0.5))
    title_count = {}
    for a in arts:
        k = title_key(a["title"])
        title_count[k] = title_count.get(k, 0) + 1
    seeds = [a for a in arts if not a["removed"] and title_count[title_key(a["title"])] == 1
             and len(content_words(a["title"])) >= 3 and not any(c.isspace() for c in a["id"])]
    log("derive: %d articles, %d eligible seeds (unique titles with >= 3 content words)"
        % (len(arts), len(seeds)))
    sets = {}

    def pick_words(words, k, rng, weights=None):
        idx = list(range(len(words)))
        chosen = []
        w = list(weights) if weights else [1.0] * len(words)
        for _ in range(min(k, len(idx))):
            total = sum(w[i] for i in idx)
            x = rng.random() * total
            for j, i in enumerate(idx):
                x -= w[i]
                if x <= 0 or j == len(idx) - 1:
                    chosen.append(i)
                    idx.pop(j)
                    break
        return [words[i] for i in sorted(chosen)]

    # (a) known-item
    rng = random.Random(seed)
    sample = rng.sample(seeds, min(per_set, len(seeds)))
    topics, qrels = [], []
    for i, a in enumerate(sample):
        words = content_words(a["title"])
        q = " ".join(pick_words(words, 3, rng, [idf(w) for w in words]))
        qid = "K%04d" % (i + 1)
        topics.append((qid, q))
        qrels.append((qid, a["id"], 2))
    sets["known-item"] = (topics, qrels)

    # (b) title and (c) keywords: the article grade 2, its related full articles grade 1.
    def related_full(a):  # (TREC docids cannot hold white space)
        return dedup(r for r in a["related"]
                     if r in full and r != a["id"] and not any(c.isspace() for c in r))
    topical = [a for a in seeds if len(related_full(a)) >= 5]
    log("derive: %d seeds with >= 5 related full articles" % len(topical))
    rng = random.Random(seed + 1)
    sample = rng.sample(topical, min(per_set, len(topical)))
    for name, prefix in (("title", "T"), ("keywords", "W")):
        topics, qrels = [], []
        for i, a in enumerate(sample):
            qid = "%s%04d" % (prefix, i + 1)
            if name == "title":
                q = a["title"]
            else:
                q = " ".join(pick_words(content_words(a["title"]), 4, rng))
            topics.append((qid, q))
            qrels.append((qid, a["id"], 2))
            qrels.extend((qid, r, 1) for r in related_full(a))
        sets[name] = (topics, qrels)

    paths = []
    for name, (topics, qrels) in sets.items():
        tp = os.path.join(outdir, name + ".topics")
        qp = os.path.join(outdir, name + ".qrels")
        with open(tp, "w", encoding="utf-8") as f:
            for qid, q in topics:
                f.write("%s\t%s\n" % (qid, q))
        with open(qp, "w", encoding="utf-8") as f:
            for qid, d, g in qrels:
                f.write("%s 0 %s %d\n" % (qid, d, g))
        log("derive: wrote %s (%d topics) and %s (%d judgments)" % (tp, len(topics), qp,
                                                                    len(qrels)))
        paths.append((name, tp, qp))
    return paths


# ---------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(
        description="nDCG@10 / MAP@100 of our searcher and the FTS5 peer on judged topics.")
    ap.add_argument("corpus", metavar="CORPUS_DIR")
    ap.add_argument("--topics", help="topics file: qid<TAB>query")
    ap.add_argument("--qrels", help="qrels file: qid 0 docid grade")
    ap.add_argument("--derive-from-corpus", metavar="OUTDIR",
                    help="derive the proxy topic sets from the corpus into OUTDIR, evaluate them")
    ap.add_argument("--seed", type=int, default=1, help="derivation: random seed (default 1)")
    ap.add_argument("--topics-per-set", type=int, default=500,
                    help="derivation: topics per set (default 500)")
    ap.add_argument("--workdir", default="/tmp/relevance_eval",
                    help="where the index, the peer database and results go")
    ap.add_argument("--reindex", action="store_true", help="rebuild the index and peer database")
    ap.add_argument("--indexer-args", default="", metavar="ARGS",
                    help="extra indexer arguments (one shell-quoted string)")
    ap.add_argument("--run", action="append", default=[], metavar="NAME=ARGS",
                    help="an extra configuration of ours: NAME=extra searcher flags (repeatable)")
    ap.add_argument("--no-defaults", action="store_true",
                    help="do not run ours with the searcher's defaults")
    ap.add_argument("--no-peer", action="store_true", help="do not run the FTS5 peer")
    ap.add_argument("--judged-peers", action="store_true",
                    help="also run the reference rankers of judged_peers.py (FTS5 bm25 with OR "
                         "queries over title and excerpt, plain Xapian BM25; needs "
                         "python3-xapian); ratios are then against the first")
    ap.add_argument("--json", metavar="FILE", help="also write the summaries as JSON")
    ap.add_argument("--per-query", metavar="FILE", help="write per-topic metrics (JSONL)")
    args = ap.parse_args(argv)

    if not os.path.isdir(args.corpus):
        ap.error("not a directory: %s" % args.corpus)
    if bool(args.topics) != bool(args.qrels):
        ap.error("--topics and --qrels go together")
    if not args.topics and not args.derive_from_corpus:
        ap.error("give --topics and --qrels, or --derive-from-corpus OUTDIR")
    runs = [] if args.no_defaults else [("ours (defaults)", "")]
    for spec in args.run:
        name, sep, extra = spec.partition("=")
        if not sep or not name:
            ap.error("--run wants NAME=ARGS, got %r" % spec)
        runs.append((name, extra))
    if not runs:
        ap.error("nothing to run for ours (--no-defaults without --run)")
    for exe in (INDEXER, SEARCHER):
        if not os.access(exe, os.X_OK):
            sys.exit("relevance_eval: no executable %s (build first, or set INDEXER/SEARCHER)"
                     % exe)
    os.makedirs(args.workdir, exist_ok=True)
    if args.per_query and os.path.exists(args.per_query):
        os.remove(args.per_query)

    corpus = os.path.abspath(args.corpus)
    files = list_files(corpus)
    sig = corpus_signature(corpus, files)
    sets = []
    if args.derive_from_corpus:
        sets += derive(corpus, files, args.derive_from_corpus, args.seed, args.topics_per_set)
    if args.topics:
        sets.append((os.path.splitext(os.path.basename(args.topics))[0], args.topics, args.qrels))
    index = prepare_ours(corpus, sig, args.workdir, args.indexer_args, args.reindex)
    db = None if args.no_peer else prepare_peer(corpus, sig, args.workdir, args.reindex)
    extra_peers = None
    if args.judged_peers:
        stamp = os.path.join(args.workdir, "judged-peers.stamp.json")
        want = {"corpus": corpus, "sig": sig, "code": file_signature(judged_peers.__file__)}
        stale = args.reindex or load_stamp(stamp) != want
        extra_peers = judged_peers.prepare(corpus, files, args.workdir, stale)
        with open(stamp, "w") as f:
            json.dump(want, f)

    print("== relevance_eval %s  corpus %s (%d files)  indexer args %r" % (
        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), corpus, len(files),
        args.indexer_args))
    articles, removed = our_articles(index)
    line = "   ours: %d articles (%d removed, hidden from search)" % (articles, removed)
    if db is not None:
        docs = peer_docs(args.workdir)
        line += "; peer: %s documents" % docs
        if docs != articles:
            line += "  ** WARNING: the two indexes do not hold the same documents **"
    print(line)
    everything = {}
    for name, tp, qp in sets:
        everything[name] = evaluate_set(name, corpus, tp, qp, index, db, args.workdir, runs,
                                        args.per_query, extra_peers)
    print()
    print("-- commands")
    for c in COMMANDS:
        print("   $ " + " ".join(shlex.quote(x) for x in c))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(everything, f, indent=1)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, ValueError, OSError) as exc:
        sys.exit("relevance_eval: %s" % exc)
