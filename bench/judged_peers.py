#!/usr/bin/python3
"""judged_peers.py -- the two reference rankers for judged collections (relevance_eval.py
--judged-peers), built from the same article files the indexer reads, over title and excerpt:

  fts5     SQLite FTS5, tokenize='porter unicode61', columns (title, excerpt), ranked by
           bm25(fts, 2.0, 1.0) (title weight 2, excerpt 1). A query is every token of its text
           OR-ed (a natural-language question AND-ed matches nothing): what a user of FTS5
           would write for ranked retrieval.
  xapian   plain Xapian (python3-xapian): TermGenerator with an English stemmer (its default
           STEM_SOME) over title then excerpt, QueryParser defaults (default operator OR,
           STEM_SOME, the same stemmer, no stopper), BM25Weight() defaults (k1 1, b 0.5).

Neither uses quality, dates or anything but the text: they are the baselines a new user
would set up in an afternoon. Both index into WORKDIR, rebuilt when the corpus changes.
"""

import os
import re
import sqlite3
import sys

import yaml

from related_eval import article_id, split_front_matter, text_of

TOKEN = re.compile(r"\w+", re.UNICODE)


def load_articles(corpus, files):
    """[(id, title, excerpt)] of the files that parse (as the indexer would read them)."""
    out = []
    for rel in files:
        with open(os.path.join(corpus, rel), encoding="utf-8", errors="replace") as f:
            front = split_front_matter(f.read())
        if front is None:
            continue
        try:
            fm = yaml.load(front, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            continue
        if not isinstance(fm, dict):
            continue
        out.append((article_id(fm, rel), text_of(fm.get("title")), text_of(fm.get("excerpt"))))
    return out


def build_fts5(arts, path):
    if os.path.exists(path):
        os.remove(path)
    con = sqlite3.connect(path)
    con.execute("CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, title, excerpt, "
                "tokenize='porter unicode61')")
    con.executemany("INSERT INTO fts(id, title, excerpt) VALUES (?, ?, ?)", arts)
    con.commit()
    con.close()


def search_fts5(path, queries, depth):
    con = sqlite3.connect("file:%s?mode=ro" % os.path.abspath(path), uri=True)
    out = []
    for q in queries:
        words = TOKEN.findall(q)
        if not words:
            out.append([])
            continue
        expr = " OR ".join('"%s"' % w.replace('"', '""') for w in words)
        rows = con.execute("SELECT id FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, 2.0, 1.0) "
                           "LIMIT ?", (expr, depth)).fetchall()
        out.append([r[0] for r in rows])
    con.close()
    return out


def build_xapian(arts, path):
    import shutil

    import xapian
    if os.path.exists(path):
        shutil.rmtree(path)
    db = xapian.WritableDatabase(path, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("english"))
    for i, title, excerpt in arts:
        doc = xapian.Document()
        tg.set_document(doc)
        tg.index_text(title)
        tg.increase_termpos()
        tg.index_text(excerpt)
        doc.set_data(i)
        doc.add_boolean_term("Q" + i)
        db.replace_document("Q" + i, doc)
    db.commit()
    db.close()


def search_xapian(path, queries, depth):
    import xapian
    db = xapian.Database(path)
    qp = xapian.QueryParser()
    qp.set_stemmer(xapian.Stem("english"))
    qp.set_database(db)
    out = []
    for q in queries:
        try:
            query = qp.parse_query(q)
        except xapian.QueryParserError:
            query = qp.parse_query(" ".join(TOKEN.findall(q)), 0)
        enq = xapian.Enquire(db)
        enq.set_query(query)
        enq.set_weighting_scheme(xapian.BM25Weight())
        out.append([m.document.get_data().decode("utf-8") for m in enq.get_mset(0, depth)])
    return out


PEERS = {
    "peer FTS5 bm25 (OR, title 2)": ("fts5.db", build_fts5, search_fts5),
    "peer plain Xapian BM25": ("xapian-plain", build_xapian, search_xapian),
}


def prepare(corpus, files, workdir, stale):
    """Builds (when `stale` or missing) both peers' indexes; returns {label: path}."""
    arts = None
    paths = {}
    for label, (name, build, _) in PEERS.items():
        path = os.path.join(workdir, name)
        if stale or not os.path.exists(path):
            if arts is None:
                arts = load_articles(corpus, files)
            build(arts, path)
        paths[label] = path
    return paths


def search(label, path, queries, depth):
    return PEERS[label][2](path, queries, depth)


if __name__ == "__main__":
    sys.exit("judged_peers.py is a module of relevance_eval.py (--judged-peers)")
