#!/usr/bin/python3
"""story_pairs_eval.py -- the story pass on people's judgments, at corpus scale.

Usage:
  bench/story_pairs_eval.py CORPUS_DIR [--pairs tests/fixtures/story_pairs/pairs.tsv]
                            [--indexer build/indexer/indexer] [--workdir DIR] [--label NAME]

Indexes CORPUS_DIR (for example the azure news corpus, ../shared/corpus/azure-news.tar.xz
unpacked) with `indexer --full -q`, then reads every article's story id (value slot 3) with
python3-xapian and scores the judged pairs of PAIRS (label, webUrl A, webUrl B): a "same" pair
must share a story, a "different" pair must not. Prints precision and recall, and the shape of
the stories over the whole corpus (how many articles are in a story of two or more, the
largest story), which the pairs alone cannot show: a rule that joins too freely makes giant
stories out of chains of near-duplicates.

The unit test StoryPairs.JudgedPairsAreSplitAndJoinedAsPeopleSaid scores the same pairs on an
index of the fixture's 172 articles only; here the other 4,800 articles of the corpus are
candidates too, so a pair can also be joined through a third article.

Run it with two indexers (--indexer) to compare rules side by side.
"""
import argparse
import collections
import os
import subprocess
import sys
import tempfile
import time

import xapian

STORY_SLOT = 3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--pairs", default=os.path.join(os.path.dirname(__file__), "..", "tests",
                                                    "fixtures", "story_pairs", "pairs.tsv"))
    ap.add_argument("--indexer", default="build/indexer/indexer")
    ap.add_argument("--workdir")
    ap.add_argument("--label", default="")
    a = ap.parse_args()
    work = a.workdir or tempfile.mkdtemp(prefix="story-pairs-")
    index = os.path.join(work, "index")
    t0 = time.time()
    rc = subprocess.run([a.indexer, "--full", "-q", "--index", index, a.corpus]).returncode
    if rc not in (0, 1):
        sys.exit("indexer failed with exit %d" % rc)
    took = time.time() - t0
    db = xapian.Database(index)
    story_of, members = {}, collections.Counter()
    for term in db.allterms("Q"):
        docid = next(iter(db.postlist(term.term))).docid
        doc = db.get_document(docid)
        story = doc.get_value(STORY_SLOT)
        url = term.term[1:].decode("utf-8", "replace")
        story_of[url] = story
        members[story] += 1
    tp = fp = fn = tn = 0
    for line in open(a.pairs, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.rstrip("\n").split("\t")
        same = cols[0] == "same"
        sa, sb = story_of.get(cols[1]), story_of.get(cols[2])
        if sa is None or sb is None:
            print("not in the index: %s / %s" % (cols[1], cols[2]), file=sys.stderr)
            continue
        joined = sa == sb
        tp += same and joined
        fp += (not same) and joined
        fn += same and not joined
        tn += (not same) and not joined
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    in_stories = sum(n for n in members.values() if n > 1)
    sizes = sorted((n for n in members.values() if n > 1), reverse=True)
    print("%s pairs: precision %.3f (%d of %d), recall %.3f (%d of %d); articles %d, in stories "
          "of 2+ %d (%.1f%%), stories of 2+ %d, largest %s; index %.1f s"
          % (a.label, p, tp, tp + fp, r, tp, tp + fn, len(story_of), in_stories,
             100.0 * in_stories / max(1, len(story_of)), len(sizes), sizes[:5], took))


if __name__ == "__main__":
    main()
