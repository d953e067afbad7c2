#!/usr/bin/python3
"""related_judged.py -- `searcher related` judged by people: query-by-document on a judged
collection (article files + queries.tsv + qrels.txt, the format of ../shared/relevance/),
side by side with a plain Xapian more-like-this in the same run.

USAGE
  /usr/bin/python3 bench/related_judged.py CORPUS_DIR --qrels FILE [--workdir DIR]
      [--min-relevant 6] [--run NAME=ARGS ...] [--no-defaults] [--reindex]

WHAT IT MEASURES
  For each query of the qrels with at least --min-relevant relevant documents (6), the seed is
  its relevant document with the lowest id in the qrels' order (a rule that depends on no
  ranker), and the targets are its other relevant documents: what a reader of the seed would
  want next, as people judged it. P@10 (and P@5, MAP@100 over the targets) of the list each
  system returns for the seed, the seed itself never counted.

  ours      `searcher related --ids FILE --format json -n 100 [ARGS]` over
            `indexer --full -q` of the corpus (defaults, plus each --run).
  mlt       plain Xapian more-like-this (python3-xapian): the seed as the only document of an
            RSet, the 40 best terms of its ESet OR-ed, BM25Weight() defaults, over an index of
            title and excerpt made with TermGenerator defaults (bench/judged_peers.py).

  A paired randomization test (10,000 permutations) on per-seed P@10 against mlt.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import judged_peers  # noqa: E402
import relevance_eval as R  # noqa: E402
from related_eval import normalize_url  # noqa: E402

DEPTH = 100


def seeds_and_targets(qrels, min_relevant):
    out = []  # [(qid, seed, set(targets))]
    for qid, judged in qrels.items():
        rel = [d for d, g in judged.items() if g > 0]  # dict keeps the file's order
        if len(rel) < min_relevant:
            continue
        out.append((qid, rel[0], set(rel[1:])))
    return out


def mlt(path, seeds, depth):
    import xapian
    db = xapian.Database(path)
    lists = []
    for _, seed, _ in seeds:
        post = db.postlist("Q" + seed)
        did = next(iter(post)).docid
        rset = xapian.RSet()
        rset.add_document(did)
        enq = xapian.Enquire(db)
        enq.set_query(xapian.Query.MatchAll)
        eset = enq.get_eset(40, rset)
        q = xapian.Query(xapian.Query.OP_OR, [xapian.Query(t.term) for t in eset])
        enq.set_query(xapian.Query(xapian.Query.OP_AND_NOT, q, xapian.Query("Q" + seed)))
        enq.set_weighting_scheme(xapian.BM25Weight())
        lists.append([m.document.get_data().decode("utf-8") for m in enq.get_mset(0, depth)])
    return lists


def ours(index, seeds, workdir, args):
    ids = os.path.join(workdir, "seeds.txt")
    with open(ids, "w", encoding="utf-8") as f:
        for _, seed, _ in seeds:
            f.write(seed + "\n")
    cmd = [R.SEARCHER, "related", "--index", index, "--format", "json", "-n", str(DEPTH),
           "--ids", ids] + shlex.split(args)
    R.COMMANDS.append(cmd)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError("searcher related failed (%d): %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace")[-2000:]))
    lines = [json.loads(ln) for ln in p.stdout.decode("utf-8").splitlines() if ln.strip()]
    if len(lines) != len(seeds):
        raise RuntimeError("searcher answered %d lines for %d seeds" % (len(lines), len(seeds)))
    return [[r["id"] for r in d.get("results", [])] for d in lines]


def scores(lists, seeds):
    per = []
    for ranked, (_, seed, targets) in zip(lists, seeds):
        ranked = [normalize_url(i) or i for i in ranked if (normalize_url(i) or i) != seed]
        judged = {t: 1 for t in targets}
        per.append({"p10": R.precision(ranked, judged, 10), "p5": R.precision(ranked, judged, 5),
                    "ap": R.average_precision(ranked, judged)})
    return per


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--qrels", required=True)
    ap.add_argument("--workdir", default="/tmp/related_judged")
    ap.add_argument("--min-relevant", type=int, default=6)
    ap.add_argument("--run", action="append", default=[], metavar="NAME=ARGS")
    ap.add_argument("--no-defaults", action="store_true")
    ap.add_argument("--reindex", action="store_true")
    a = ap.parse_args(argv)
    os.makedirs(a.workdir, exist_ok=True)
    corpus = os.path.abspath(a.corpus)
    files = R.list_files(corpus)
    sig = R.corpus_signature(corpus, files)
    index = R.prepare_ours(corpus, sig, a.workdir, "", a.reindex)
    stamp = os.path.join(a.workdir, "judged-peers.stamp.json")
    want = {"corpus": corpus, "sig": sig, "code": R.file_signature(judged_peers.__file__)}
    stale = a.reindex or R.load_stamp(stamp) != want
    peers = judged_peers.prepare(corpus, files, a.workdir, stale)
    with open(stamp, "w") as f:
        json.dump(want, f)
    seeds = seeds_and_targets(R.read_qrels(a.qrels), a.min_relevant)
    runs = [] if a.no_defaults else [("ours (defaults)", "")]
    for spec in a.run:
        name, _, extra = spec.partition("=")
        runs.append((name, extra))
    results = {}
    t0 = time.time()
    results["plain Xapian more-like-this"] = scores(
        mlt(peers["peer plain Xapian BM25"], seeds, DEPTH), seeds)
    for name, args in runs:
        results[name] = scores(ours(index, seeds, a.workdir, args), seeds)
    print("== related_judged %s  corpus %s  %d seeds (queries with >= %d relevant)  %.1f s" % (
        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), corpus, len(seeds), a.min_relevant,
        time.time() - t0))
    base = results["plain Xapian more-like-this"]
    print("| run | P@10 | P@5 | MAP@100 | P@10 vs mlt | p (P@10) |")
    print("|---|---|---|---|---|---|")
    for name, per in results.items():
        p10 = sum(x["p10"] for x in per) / len(per)
        p5 = sum(x["p5"] for x in per) / len(per)
        m = sum(x["ap"] for x in per) / len(per)
        b10 = sum(x["p10"] for x in base) / len(base)
        ratio = pval = ""
        if per is not base:
            ratio = "%.3f×" % (p10 / b10) if b10 else "-"
            pval = "%.4f" % R.randomization_test([x["p10"] for x in per],
                                                 [x["p10"] for x in base])
        print("| %s | %.4f | %.4f | %.4f | %s | %s |" % (name, p10, p5, m, ratio, pval))
    print("-- commands")
    for c in R.COMMANDS:
        print("   $ " + " ".join(shlex.quote(x) for x in c))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, ValueError, OSError) as exc:
        sys.exit("related_judged: %s" % exc)
