#!/usr/bin/env python3
"""story_check.py -- are an index's stories consistent?

USAGE
    /usr/bin/python3 bench/story_check.py INDEX

Every article's story is its value slot 3 (the collapse key, what `search --collapse` folds by);
articles of a story of two or more also hold the term XS<story id> (what `searcher story` lists).
The two must agree: an XS term only on articles whose story has two or more articles, and on all
of them. Prints the counts of each kind of disagreement; exit 1 when there is any. Needs
python3-xapian (Debian's /usr/bin/python3 has it).

Known (see the ingest issue's note): the story pass recomputes the articles linked to what a
batch touched, and links are found from one side, so an article that linked to a story's article
can be left holding a story that article has left.
"""
import collections
import sys

import xapian


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    db = xapian.Database(sys.argv[1])
    by_value = collections.defaultdict(list)
    xs_members = collections.Counter()
    multi_xs = wrong_xs = 0
    for did in range(1, db.get_lastdocid() + 1):
        try:
            doc = db.get_document(did)
        except xapian.DocNotFoundError:
            continue
        value = doc.get_value(3)
        xs = [t.term[2:] for t in doc.termlist() if t.term.startswith(b"XS")]
        by_value[value].append(did)
        multi_xs += len(xs) > 1
        wrong_xs += bool(xs) and xs[0] != value
        for x in xs:
            xs_members[x] += 1
    lone = sum(1 for v, ds in by_value.items() if len(ds) == 1 and xs_members.get(v, 0))
    partial = sum(1 for v, ds in by_value.items() if len(ds) > 1 and xs_members.get(v, 0) != len(ds))
    docs = sum(len(ds) for ds in by_value.values())
    print(f"documents {docs}, story ids {len(by_value)}, "
          f"stories of 2+ {sum(1 for ds in by_value.values() if len(ds) > 1)}")
    print(f"  documents with more than one XS term: {multi_xs}")
    print(f"  documents whose XS term is not their story: {wrong_xs}")
    print(f"  stories of one holding an XS term: {lone}")
    print(f"  stories of 2+ whose XS term is not on every article: {partial}")
    sys.exit(1 if multi_xs or wrong_xs or lone or partial else 0)


if __name__ == "__main__":
    main()
