#!/usr/bin/python3
"""peer_fts5.py -- the *peer* pipeline for our benchmarks: SQLite FTS5 + PyYAML.

This is the pipeline a user might pick instead of ours: walk a directory of
news articles (YAML front matter + optional Markdown body), parse them with
PyYAML's C loader, store them in SQLite and full-text search them with FTS5
(porter stemming, BM25 ranking with the title weighted up).  It is written the
way a competent user would write it in an afternoon -- standard library plus
PyYAML, no exotic tuning -- so that benchmarks compare our C++/Xapian engine
against a realistic alternative, not a straw man.

Requirements: python3 (>= 3.8), its sqlite3 module built with FTS5, PyYAML with
libyaml (yaml.CSafeLoader).  On Debian: apt-get install python3-yaml.
Run it with /usr/bin/python3 (Debian's Python has both).

USAGE
  Index (the database file is deleted and rebuilt from scratch):
    /usr/bin/python3 bench/peer_fts5.py index CORPUS_DIR DB_PATH [--jobs N]
  prints one JSON line to stdout:
    {"files", "indexed", "errors", "docs", "replaced", "elapsed_s",
     "files_per_s", "mb_per_s", "parse_s", "write_s", "optimize_s", "db_bytes",
     "jobs"}

  Search (every line of FILE is one query; blank lines are skipped):
    /usr/bin/python3 bench/peer_fts5.py search DB_PATH --queries FILE
        [--limit 10] [--min-quality Q] [--since YYYY-MM-DD] [--repeat 1]
        [--out results.jsonl]
  prints one JSON line to stdout:
    {"queries", "distinct", "repeat", "limit", "p50_ms", "p95_ms", "p99_ms",
     "mean_ms", "max_ms", "errors", "fallbacks", "empty"}

INPUT FORMAT
  *.md, *.markdown, *.txt, *.html: "---" line, YAML mapping, "---" line, then
              the body (the files our indexer reads as front matter + body).
  *.yaml/yml: one YAML mapping (body taken from a "body" key if present).
  *.json    : one JSON object (parsed with the json module; body likewise).
  Other file extensions are ignored.  Files that fail to read/parse, or whose
  front matter is missing or is not a mapping, are counted as errors and
  reported on stderr with their path.
  Fields used: title, excerpt, publishedDateTime, quality, heat, type,
  provider{name}, topics[], webUrl, originalUrl (other fields are ignored).
  Document id = webUrl, else originalUrl, else the path relative to CORPUS_DIR.
  Files are processed in sorted path order; when two files have the same id
  the later one wins (upsert), like replace_document() on a unique id term.

SCHEMA
  articles(id TEXT PRIMARY KEY, title, excerpt, body,
           published INTEGER  -- publishedDateTime as unix seconds UTC, or NULL
           quality REAL, heat REAL, type, provider  -- provider.name
           topics TEXT)         -- topics joined with ", "
  fts: FTS5 *external-content* table over articles(title, excerpt, body,
       topics), tokenize='porter unicode61', kept in sync with triggers
       (the recipe from the SQLite FTS5 documentation), so text is stored once
       and snippet()/highlight() still work.  NB: fts rows are keyed on the
       implicit rowid of articles; do not VACUUM the database (VACUUM may
       renumber implicit rowids); rebuild it instead.

TIMINGS (index)
  elapsed_s  wall clock, from the directory walk to the database being closed
             (includes the final FTS5 'optimize').
  parse_s    time spent reading + parsing files, summed over all workers (so
             with --jobs N it can exceed elapsed_s).
  write_s    wall time the main process spent inserting/committing.
  mb_per_s   input bytes / 1e6 / elapsed_s.

QUERY TRANSLATION (search)
  "quoted phrase" -> FTS5 phrase; AND / OR / NOT (upper case) and parentheses
  are kept as operators; every other bare word is quoted as a token ("c++" ->
  "c++"), so punctuation can never be an FTS5 syntax error; a word or phrase
  with no letter or digit ("-", "&", a dash in a pasted headline) is dropped, as
  the tokenizer would find nothing in it and match nothing; adjacent operands
  are joined with an explicit AND.  If FTS5 still rejects the expression
  (e.g. a leading NOT, a dangling operator), the query is retried with all its
  words OR'ed, and counted in "fallbacks".  Queries that still fail count in
  "errors".  Ranking: ORDER BY bm25(fts, 10.0, 1.0, 1.0, 2.0) (title x10,
  topics x2), then LIMIT.  Filters: a.quality >= ? and a.published >= ?
  (articles without a date/quality are excluded when the filter is on).
  Each query is timed with time.perf_counter() around translate + execute +
  fetchall; percentiles are linearly interpolated.
"""

import argparse
import datetime as dt
import json
import os
import re
import sqlite3
import sys
import time

try:
    import yaml
    YAML_LOADER = yaml.CSafeLoader  # the libyaml-backed loader; required
except (ImportError, AttributeError) as exc:  # fail loudly, never fall back
    sys.exit("peer_fts5: PyYAML with libyaml (yaml.CSafeLoader) is required: %s"
             % exc)

EXTENSIONS = (".md", ".markdown", ".txt", ".html", ".yaml", ".yml", ".json")
FRONT_MATTER_EXTENSIONS = (".md", ".markdown", ".txt", ".html")  # front matter + body
BATCH = 1000  # rows per transaction
UTC = dt.timezone.utc

# ---------------------------------------------------------------- parsing --

# Front matter: first line "---", then YAML up to the next line that is "---".
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?(.*)\Z",
                          re.S | re.M)


def to_unix(value):
    """publishedDateTime -> unix seconds UTC (int) or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        s = value.strip()
        if not s:
            return None
        try:
            value = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            try:
                value = dt.date.fromisoformat(s[:10])
            except ValueError:
                return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # PyYAML may hand back naive UTC datetimes
            value = value.replace(tzinfo=UTC)
        return int(value.timestamp())
    if isinstance(value, dt.date):
        return int(dt.datetime(value.year, value.month, value.day,
                               tzinfo=UTC).timestamp())
    return None


def to_real(value):
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def to_text(value):
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def parse_file(job):
    """Worker: (abs_path, rel_path) -> (rel_path, nbytes, seconds, row, err).

    Runs in the Pool workers; must stay a top-level function (pickling)."""
    path, rel = job
    t0 = time.perf_counter()
    nbytes = 0
    try:
        with open(path, "rb") as f:
            raw = f.read()
        nbytes = len(raw)
        text = raw.decode("utf-8-sig")
        ext = os.path.splitext(path)[1].lower()
        body = ""
        if ext in FRONT_MATTER_EXTENSIONS:
            m = FRONT_MATTER.match(text)
            if not m:
                raise ValueError("no '---' front matter block")
            meta = yaml.load(m.group(1), Loader=YAML_LOADER)
            body = m.group(2).strip()
        elif ext == ".json":
            meta = json.loads(text)
        else:
            meta = yaml.load(text, Loader=YAML_LOADER)
        if not isinstance(meta, dict):
            raise ValueError("front matter is not a mapping (got %s)"
                             % type(meta).__name__)
        if not body and isinstance(meta.get("body"), str):
            body = meta["body"].strip()
        provider = meta.get("provider")
        if isinstance(provider, dict):
            provider = provider.get("name")
        topics = meta.get("topics")
        if isinstance(topics, (list, tuple)):
            topics = ", ".join(to_text(t) for t in topics if t is not None)
        doc_id = (meta.get("webUrl") or meta.get("originalUrl") or rel)
        row = (to_text(doc_id),
               to_text(meta.get("title")),
               to_text(meta.get("excerpt")),
               body,
               to_unix(meta.get("publishedDateTime")),
               to_real(meta.get("quality")),
               to_real(meta.get("heat")),
               None if meta.get("type") is None else to_text(meta["type"]),
               None if provider is None else to_text(provider),
               to_text(topics))
        return rel, nbytes, time.perf_counter() - t0, row, None
    except Exception as exc:  # noqa: BLE001 -- any failure = skipped file
        msg = "%s: %s" % (type(exc).__name__, str(exc).replace("\n", " ")[:300])
        return rel, nbytes, time.perf_counter() - t0, None, msg


def walk(corpus):
    """Sorted list of (abs_path, rel_path) for files with known extensions."""
    jobs = []
    for root, dirs, files in os.walk(corpus):
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(EXTENSIONS):
                path = os.path.join(root, name)
                jobs.append((path, os.path.relpath(path, corpus)))
    return jobs


# ------------------------------------------------------------------ index --

SCHEMA = """
CREATE TABLE articles(
    id        TEXT PRIMARY KEY,
    title     TEXT,
    excerpt   TEXT,
    body      TEXT,
    published INTEGER,          -- unix seconds, UTC
    quality   REAL,
    heat      REAL,
    type      TEXT,
    provider  TEXT,
    topics    TEXT
);
CREATE VIRTUAL TABLE fts USING fts5(
    title, excerpt, body, topics,
    content='articles', content_rowid='rowid',
    tokenize='porter unicode61'
);
-- Keep the external-content index in sync (recipe from the FTS5 docs).
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
  INSERT INTO fts(rowid, title, excerpt, body, topics)
  VALUES (new.rowid, new.title, new.excerpt, new.body, new.topics);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
  INSERT INTO fts(fts, rowid, title, excerpt, body, topics)
  VALUES ('delete', old.rowid, old.title, old.excerpt, old.body, old.topics);
END;
CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
  INSERT INTO fts(fts, rowid, title, excerpt, body, topics)
  VALUES ('delete', old.rowid, old.title, old.excerpt, old.body, old.topics);
  INSERT INTO fts(rowid, title, excerpt, body, topics)
  VALUES (new.rowid, new.title, new.excerpt, new.body, new.topics);
END;
"""

# Later files with an already-seen id replace the earlier row (and, through
# the update trigger, its index entry).
UPSERT = """
INSERT INTO articles(id, title, excerpt, body, published, quality, heat,
                     type, provider, topics)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(id) DO UPDATE SET
    title=excluded.title, excerpt=excluded.excerpt, body=excluded.body,
    published=excluded.published, quality=excluded.quality,
    heat=excluded.heat, type=excluded.type, provider=excluded.provider,
    topics=excluded.topics
"""


def remove_db(path):
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


def cmd_index(args):
    if not os.path.isdir(args.corpus):
        sys.exit("peer_fts5: not a directory: %s" % args.corpus)
    if args.jobs < 1:
        sys.exit("peer_fts5: --jobs must be >= 1")
    t_start = time.perf_counter()
    jobs = walk(args.corpus)

    remove_db(args.db)
    # isolation_level=None: we issue BEGIN/COMMIT ourselves.
    con = sqlite3.connect(args.db, isolation_level=None)
    con.executescript(SCHEMA)

    files = indexed = errors = nbytes = 0
    parse_s = write_s = 0.0
    pending = 0
    seen = set()
    replaced = 0

    pool = None
    if args.jobs > 1:
        import multiprocessing
        pool = multiprocessing.Pool(args.jobs)
        results = pool.imap(parse_file, jobs, chunksize=64)
    else:
        results = map(parse_file, jobs)  # same code path, in-process

    try:
        for rel, size, seconds, row, err in results:
            files += 1
            nbytes += size
            parse_s += seconds
            if err is not None:
                errors += 1
                print("peer_fts5: skipped %s: %s" % (rel, err), file=sys.stderr)
                continue
            t0 = time.perf_counter()
            if pending == 0:
                con.execute("BEGIN")
            con.execute(UPSERT, row)
            pending += 1
            if pending >= BATCH:
                con.execute("COMMIT")
                pending = 0
            write_s += time.perf_counter() - t0
            indexed += 1
            if row[0] in seen:
                replaced += 1
            else:
                seen.add(row[0])
        t0 = time.perf_counter()
        if pending:
            con.execute("COMMIT")
        write_s += time.perf_counter() - t0
    finally:
        if pool is not None:
            pool.close()
            pool.join()

    t0 = time.perf_counter()
    con.execute("INSERT INTO fts(fts) VALUES('optimize')")
    optimize_s = time.perf_counter() - t0
    docs = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    elapsed = time.perf_counter() - t_start
    db_bytes = sum(os.path.getsize(args.db + s) for s in ("", "-wal")
                   if os.path.exists(args.db + s))
    print(json.dumps({
        "files": files,
        "indexed": indexed,
        "errors": errors,
        "docs": docs,
        "replaced": replaced,
        "elapsed_s": round(elapsed, 3),
        "files_per_s": round(files / elapsed, 1) if elapsed else None,
        "mb_per_s": round(nbytes / 1e6 / elapsed, 2) if elapsed else None,
        "parse_s": round(parse_s, 3),
        "write_s": round(write_s, 3),
        "optimize_s": round(optimize_s, 3),
        "db_bytes": db_bytes,
        "jobs": args.jobs,
    }))
    return 0


# ----------------------------------------------------------------- search --

QUERY_TOKEN = re.compile(r'"([^"]*)"?|(\()|(\))|([^\s"()]+)')
OPERATORS = ("AND", "OR", "NOT")


def fts_quote(text):
    return '"' + text.replace('"', '""') + '"'


def lex(line):
    """Query line -> list of (kind, text); kind in phrase/word/op/lp/rp."""
    out = []
    for m in QUERY_TOKEN.finditer(line):
        phrase, lp, rp, word = m.groups()
        if phrase is not None:
            if any(c.isalnum() for c in phrase):
                out.append(("phrase", phrase))
        elif lp:
            out.append(("lp", "("))
        elif rp:
            out.append(("rp", ")"))
        elif word in OPERATORS:
            out.append(("op", word))
        elif any(c.isalnum() for c in word):
            out.append(("word", word))
        # else: punctuation alone ("-", "&", an en dash): unicode61 finds no token in it,
        # and an empty FTS5 phrase would make the whole AND match nothing.
    return out


def to_match(line):
    """Primary translation: phrases kept, operators kept, words quoted,
    explicit AND between adjacent operands."""
    parts = []
    prev_operand = False  # did the previous token end an operand?
    for kind, text in lex(line):
        starts_operand = kind in ("phrase", "word", "lp")
        if starts_operand and prev_operand:
            parts.append("AND")
        if kind in ("phrase", "word"):
            parts.append(fts_quote(text))
        else:
            parts.append(text)
        prev_operand = kind in ("phrase", "word", "rp")
    return " ".join(parts)


def to_fallback(line):
    """Fallback: every word (from bare words and phrases) OR'ed."""
    words = []
    for kind, text in lex(line):
        if kind in ("phrase", "word"):
            words.extend(text.split())
    return " OR ".join(fts_quote(w) for w in words)


# --fetch: the page's stored fields, highlighted title and excerpt snippet (FTS5's highlight()
# and snippet() need the MATCH in the same statement; the rowid list keeps it to the page).
FETCH_SQL = ("SELECT a.rowid, a.id, a.title, a.excerpt, a.published, a.quality, a.heat, a.type, "
             "a.provider, a.topics, highlight(fts, 0, '[', ']'), "
             "snippet(fts, 1, '[', ']', '…', 32) "
             "FROM fts JOIN articles a ON a.rowid = fts.rowid "
             "WHERE fts MATCH ? AND fts.rowid IN (%s)")


def percentile(sorted_vals, p):
    if not sorted_vals:
        return None
    k = (len(sorted_vals) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


def cmd_search(args):
    if not os.path.exists(args.db):
        sys.exit("peer_fts5: no such database: %s" % args.db)
    with open(args.queries, encoding="utf-8") as f:
        queries = [ln.strip() for ln in f if ln.strip()]

    where = ["fts MATCH ?"]
    extra = []
    if args.min_quality is not None:
        where.append("a.quality >= ?")
        extra.append(args.min_quality)
    if args.since is not None:
        since = dt.datetime.strptime(args.since, "%Y-%m-%d").replace(tzinfo=UTC)
        where.append("a.published >= ?")
        extra.append(int(since.timestamp()))
    sql = ("SELECT a.id, bm25(fts, 10.0, 1.0, 1.0, 2.0) AS score, a.rowid "
           "FROM fts JOIN articles a ON a.rowid = fts.rowid "
           "WHERE " + " AND ".join(where) + " ORDER BY score LIMIT ?")

    con = sqlite3.connect("file:%s?mode=ro" % os.path.abspath(args.db),
                          uri=True)
    out = open(args.out, "w", encoding="utf-8") if args.out else None

    timings = []
    errors = fallbacks = empty = 0
    for rep in range(args.repeat):
        for q in queries:
            used_fallback = False
            err = None
            rows = []
            t0 = time.perf_counter()
            expr = to_match(q)
            try:
                rows = con.execute(sql, [expr] + extra + [args.limit]).fetchall()
            except sqlite3.OperationalError:
                used_fallback = True
                expr = to_fallback(q)
                try:
                    rows = con.execute(sql, [expr] + extra
                                       + [args.limit]).fetchall()
                except sqlite3.Error as exc:
                    err = str(exc)
            if args.fetch and rows:
                # The page as a reader gets it: the stored fields, the title and a snippet of the
                # excerpt with the matched words marked (what `searcher search` returns), for the
                # page's rows only.
                marks = ",".join("?" * len(rows))
                got = {r[0]: r for r in con.execute(
                    FETCH_SQL % marks, [expr] + [r[2] for r in rows])}
                page = [got.get(r[2]) for r in rows]
                if rep == 0 and out is not None:
                    fetched = page
            elapsed = time.perf_counter() - t0
            timings.append(elapsed * 1000.0)
            if rep == 0:  # count per distinct query, not per repetition
                fallbacks += used_fallback
                errors += err is not None
                empty += err is None and not rows
                if out is not None:
                    rec = {"query": q, "match": expr, "fallback": used_fallback,
                           "ids": [r[0] for r in rows],
                           "scores": [round(r[1], 4) for r in rows]}
                    if args.fetch and rows:
                        rec["snippets"] = [p[-1] if p else None for p in fetched]
                    if err is not None:
                        rec["error"] = err
                    out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    if out is not None:
        out.close()
    con.close()

    s = sorted(timings)

    def r3(x):
        return None if x is None else round(x, 3)

    print(json.dumps({
        "queries": len(timings),
        "distinct": len(queries),
        "repeat": args.repeat,
        "limit": args.limit,
        "min_quality": args.min_quality,
        "since": args.since,
        "fetch": args.fetch,
        "p50_ms": r3(percentile(s, 50)),
        "p95_ms": r3(percentile(s, 95)),
        "p99_ms": r3(percentile(s, 99)),
        "mean_ms": r3(sum(s) / len(s)) if s else None,
        "max_ms": r3(s[-1]) if s else None,
        "errors": errors,
        "fallbacks": fallbacks,
        "empty": empty,
    }))
    return 0


# ------------------------------------------------------------------- main --

def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Peer pipeline: PyYAML (CSafeLoader) + SQLite FTS5.")
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("index", help="(re)build DB_PATH from CORPUS_DIR")
    p.add_argument("corpus", metavar="CORPUS_DIR")
    p.add_argument("db", metavar="DB_PATH")
    p.add_argument("--jobs", type=int, default=1,
                   help="parser processes (default 1 = parse in-process)")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="time the queries in FILE")
    p.add_argument("db", metavar="DB_PATH")
    p.add_argument("--queries", required=True, metavar="FILE")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--min-quality", type=float, default=None)
    p.add_argument("--since", default=None, metavar="YYYY-MM-DD")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--fetch", action="store_true",
                   help="also read the page's fields, highlighted title and snippet, as "
                        "`searcher search` returns them (timed)")
    p.add_argument("--out", default=None, metavar="FILE",
                   help="write per-query results as JSONL (first repetition)")
    p.set_defaults(func=cmd_search)

    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
