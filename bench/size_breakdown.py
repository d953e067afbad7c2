#!/usr/bin/env python3
"""size_breakdown.py -- what each class of terms costs on disk in an index.

USAGE
    /usr/bin/python3 bench/size_breakdown.py INDEX [DOCS=20000] [WORKDIR=/tmp/size_breakdown]

Copies the first DOCS documents of INDEX into fresh databases, once as they are and once per
variant with one class of terms (or their positions) left out, compacts each copy like
`indexer --compact` does and prints the size of every table. The difference from the `as is`
row is what that class costs. Needs python3-xapian (Debian's /usr/bin/python3 has it).

The variants are diagnostics, not options of the indexer: leaving positions out breaks phrase
queries, leaving `Z` terms out breaks stemmed matching, and so on.

On a schema 8 index (the title's ZS stems have no positions) the "title field (ZS) without
positions" row equals the "as is" row.

The documents are not all of an index: its metadata (the file table, one row per source file)
is kept, uncompressed, in the postlist table. Its size in the whole index is printed first.
"""
import os
import shutil
import sys
import time

import xapian


def copy(src, out, ndocs, keep):
    """Copies documents 1..ndocs of src into out; keep(term) -> 'all' | 'nopos' | None."""
    shutil.rmtree(out, ignore_errors=True)
    db = xapian.WritableDatabase(out, xapian.DB_CREATE_OR_OVERWRITE)
    copied = 0
    for did in range(1, src.get_lastdocid() + 1):
        if copied == ndocs:
            break
        try:
            doc = src.get_document(did)
        except xapian.DocNotFoundError:
            continue
        new = xapian.Document()
        for v in doc.values():
            new.add_value(v.num, v.value)
        for t in doc.termlist():
            how = keep(t.term)
            if how is None:
                continue
            positions = list(src.positionlist(did, t.term)) if how == "all" else []
            for p in positions:
                new.add_posting(t.term, p, 0)  # positions only; the wdf is set below
            new.add_term(t.term, t.wdf)
        new.set_data(doc.get_data())
        db.add_document(new)
        copied += 1
    db.commit()
    db.close()
    compacted = out + ".compact"
    shutil.rmtree(compacted, ignore_errors=True)
    xapian.Database(out).compact(compacted)
    shutil.rmtree(out)
    sizes = {}
    for name in os.listdir(compacted):
        if name.endswith(".glass"):
            sizes[name[: -len(".glass")]] = os.path.getsize(os.path.join(compacted, name))
    shutil.rmtree(compacted)
    return copied, sizes


def prefix_of(term):
    """The term's prefix as docs/schema.md lists it ('' for plain words; 'ZS' for a title stem)."""
    if term.startswith(b"Z"):
        return "Z" + prefix_of(term[1:])
    i = 0
    while i < len(term) and 65 <= term[i] <= 90:  # A-Z
        i += 1
    p = term[:i].decode()
    if p.startswith("X"):
        return p[:2]
    return p


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) > 1 else 2)
    index = sys.argv[1]
    ndocs = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    work = sys.argv[3] if len(sys.argv) > 3 else "/tmp/size_breakdown"
    os.makedirs(work, exist_ok=True)
    src = xapian.Database(index)

    variants = [
        ("as is", lambda t: "all"),
        ("no positions at all", lambda t: "nopos"),
        ("title field (ZS) without positions", lambda t: "nopos" if prefix_of(t) == "ZS" else "all"),
        ("no stemmed terms (Z...)", lambda t: None if prefix_of(t).startswith("Z") else "all"),
        ("no title field (S, ZS)", lambda t: None if prefix_of(t) in ("S", "ZS") else "all"),
        ("no link terms (XR)", lambda t: None if prefix_of(t) == "XR" else "all"),
        ("no id terms (Q, XI)", lambda t: None if prefix_of(t) in ("Q", "XI") else "all"),
    ]
    meta_keys = meta_bytes = 0
    for key in src.metadata_keys():
        meta_keys += 1
        meta_bytes += len(key) + len(src.get_metadata(key))
    print(f"== size_breakdown {index}: metadata (file table and the rest), whole index: {meta_keys} "
          f"keys, {meta_bytes // 1024} KiB of keys and values, stored uncompressed")
    print(f"== first {ndocs} documents, compacted; sizes in KiB")
    base_total = None
    tables = ["postlist", "termlist", "position", "docdata", "spelling"]
    print(f"{'variant':38s} {'total':>8s} {'vs as is':>9s}  " + " ".join(f"{t:>9s}" for t in tables))
    for name, keep in variants:
        t0 = time.time()
        copied, sizes = copy(src, os.path.join(work, "copy"), ndocs, keep)
        total = sum(sizes.values())
        if base_total is None:
            base_total = total
        delta = (total - base_total) / base_total * 100
        row = " ".join(f"{sizes.get(t, 0) // 1024:9d}" for t in tables)
        print(f"{name:38s} {total // 1024:8d} {delta:+8.1f}%  {row}   ({copied} docs, {time.time() - t0:.0f}s)",
              flush=True)


if __name__ == "__main__":
    main()
