"""The SQLite corpus store: documents, pages, passages, sentences, ingest_log and an FTS5 index.

One document is written in one transaction, so an interrupted run never leaves half a document;
re-running finishes the job. Reads are re-iterable streams (cursors), so memory does not grow
with the corpus.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from policyscope import __version__
from policyscope.errors import NotInStore, StoreError, StoreNotFound
from policyscope.model import Document, IngestOutcome, Page, Passage, Sentence

DEFAULT_DB = "policyscope.db"
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    title TEXT, authors TEXT, publisher TEXT,
    date TEXT, year INTEGER,
    doc_type TEXT, source_url TEXT, licence TEXT,
    n_pages INTEGER NOT NULL DEFAULT 0,
    n_passages INTEGER NOT NULL DEFAULT 0,
    n_sentences INTEGER NOT NULL DEFAULT 0,
    n_tokens INTEGER NOT NULL DEFAULT 0,
    file_type TEXT, extractor TEXT, date_source TEXT,
    duplicate_of TEXT,          -- doc_id of the document this one nearly duplicates (NULL if none)
    duplicate_similarity REAL,
    metadata TEXT NOT NULL DEFAULT '{}',  -- JSON: extra manifest / file / tabular columns
    ingested_at TEXT NOT NULL,
    policyscope_version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    page_no INTEGER NOT NULL,
    raw_text TEXT NOT NULL,
    text TEXT NOT NULL,
    cleanup TEXT NOT NULL DEFAULT '[]',   -- JSON list of {kind, text, line}
    section TEXT NOT NULL DEFAULT 'body',
    section_spans TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (doc_id, page_no)
);
CREATE TABLE IF NOT EXISTS passages (
    passage_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    page_no INTEGER NOT NULL,
    seq INTEGER NOT NULL,        -- order within the document
    char_start INTEGER NOT NULL, char_end INTEGER NOT NULL,
    text TEXT NOT NULL,
    section TEXT NOT NULL DEFAULT 'body'
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id, seq);
CREATE TABLE IF NOT EXISTS sentences (
    rowid INTEGER PRIMARY KEY,
    sentence_id TEXT NOT NULL UNIQUE,
    passage_id TEXT NOT NULL,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    page_no INTEGER NOT NULL,
    seq INTEGER NOT NULL,        -- order within the document
    char_start INTEGER NOT NULL, char_end INTEGER NOT NULL,
    text TEXT NOT NULL,
    n_tokens INTEGER NOT NULL,
    lemmas TEXT NOT NULL,
    section TEXT NOT NULL DEFAULT 'body'
);
CREATE INDEX IF NOT EXISTS sentences_doc ON sentences(doc_id, seq);
CREATE INDEX IF NOT EXISTS sentences_passage ON sentences(passage_id);
CREATE VIRTUAL TABLE IF NOT EXISTS sentences_fts USING fts5(
    text, content='sentences', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
-- The FTS index is filled per document with one INSERT … SELECT (write_document): about 8x
-- cheaper than a per-row AFTER INSERT trigger. Stores made before that drop the old trigger.
DROP TRIGGER IF EXISTS sentences_ai;
CREATE TRIGGER IF NOT EXISTS sentences_ad AFTER DELETE ON sentences BEGIN
    INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
CREATE TABLE IF NOT EXISTS doc_signatures (   -- MinHash of the body text, for near-duplicate detection
    doc_id TEXT PRIMARY KEY REFERENCES documents(doc_id) ON DELETE CASCADE,
    n_shingles INTEGER NOT NULL,
    signature BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS ingest_log (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    at TEXT NOT NULL,
    path TEXT NOT NULL,
    doc_id TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'skipped', 'failed')),
    code TEXT, reason TEXT,
    n_pages INTEGER, n_sentences INTEGER, n_tokens INTEGER,
    seconds REAL
);
CREATE INDEX IF NOT EXISTS ingest_log_path ON ingest_log(path);
"""

DOC_META_FIELDS = ("title", "authors", "publisher", "date", "doc_type", "source_url", "licence")


class _WriterLock:
    """An OS lock that processes writing to one store take before BEGIN IMMEDIATE.

    SQLite itself serialises writers, but a connection that finds the store locked sleeps and
    retries (1, 2, 5, 10… ms), so ingest workers lost tens of milliseconds per run waiting for
    writes that had already finished. A blocking flock wakes the next writer at once, and the
    kernel drops it if its holder dies. The lock file lives in the temp folder, named by the
    store's path. Where flock is missing (Windows) or the file cannot be made, SQLite's own retry
    is all there is."""

    _open: "weakref.WeakSet[_WriterLock]" = weakref.WeakSet()

    def __init__(self, db: Path | None):
        self.fd = None
        if db is None:  # an in-memory store has one connection: nothing to wait for
            return
        try:
            import fcntl
            import hashlib
            import tempfile
            key = hashlib.sha1(str(db.resolve()).encode()).hexdigest()[:16]
            self.fd = os.open(os.path.join(tempfile.gettempdir(), f"policyscope-{key}.lock"),
                              os.O_RDWR | os.O_CREAT, 0o666)
            self._flock = fcntl.flock
            self._ex, self._un = fcntl.LOCK_EX, fcntl.LOCK_UN
            _WriterLock._open.add(self)
        except (ImportError, OSError):
            self.fd = None

    @classmethod
    def forget_inherited(cls) -> None:
        """In a forked child: close the parent's lock descriptors. A flock belongs to the open file,
        which a fork shares, so a lock the parent held when it died would otherwise outlive it in
        its workers, and they would wait for it forever. (Workers open stores of their own.)"""
        for lock in list(cls._open):
            if lock.fd is not None:
                os.close(lock.fd)
                lock.fd = None

    def __enter__(self):
        if self.fd is not None:
            self._flock(self.fd, self._ex)
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            self._flock(self.fd, self._un)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


# Held by the checkpoint thread while it is inside SQLite, and by a fork: a worker forked while
# that thread held SQLite's internal mutexes would inherit them locked, with no thread to unlock them.
_SQLITE_OFF_MAIN_THREAD = threading.Lock()

if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_SQLITE_OFF_MAIN_THREAD.acquire, after_in_parent=_SQLITE_OFF_MAIN_THREAD.release,
                        after_in_child=_SQLITE_OFF_MAIN_THREAD.release)
    os.register_at_fork(after_in_child=_WriterLock.forget_inherited)


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class Store:
    """A policyscope SQLite store. Use as a context manager or call close()."""

    def __init__(self, path: str | Path = DEFAULT_DB, *, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreNotFound("no store at this path", path=str(self.path),
                                hint="run `policyscope ingest PATH... --db FILE` first, or pass --db")
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(self.path), timeout=60, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA wal_autocheckpoint=16384")  # bulk ingest: fewer, larger checkpoints
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.executescript(SCHEMA)
            self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            self._writer_lock = _WriterLock(None if str(self.path) == ":memory:" else self.path)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the store: {exc}", path=str(self.path),
                             hint="check that the folder exists and is writable") from exc

    # -- lifecycle ------------------------------------------------------------------------
    def close(self) -> None:
        self.conn.close()
        self._writer_lock.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def checkpointing(self, every: float = 0.25):
        """Copy committed pages from the WAL into the database from a background thread during a bulk
        write. Closing the last connection checkpoints whatever is left and waits for the disk to
        sync it (~0.15 s per 20 MB here), so doing it along the way takes that off the end of the run.
        PASSIVE checkpoints never block the writers."""
        if str(self.path) == ":memory:":
            yield
            return
        stop = threading.Event()

        def run() -> None:
            with _SQLITE_OFF_MAIN_THREAD:
                conn = sqlite3.connect(str(self.path), timeout=60, isolation_level=None, check_same_thread=False)
            try:
                while not stop.wait(every):
                    with _SQLITE_OFF_MAIN_THREAD:
                        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                pass  # a checkpoint is an optimisation: the store's own close still does it
            finally:
                with _SQLITE_OFF_MAIN_THREAD:
                    conn.close()

        thread = threading.Thread(target=run, name="policyscope-checkpoint", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    @contextmanager
    def transaction(self):
        """BEGIN IMMEDIATE … COMMIT; rolls back on any exception (incl. KeyboardInterrupt)."""
        with self._writer_lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    # -- writes ---------------------------------------------------------------------------
    def write_document(self, doc: Document, pages: Iterable[Page], passages: Iterable[Passage],
                       sentences: Iterable[Sentence], signature: tuple[int, bytes] | None = None) -> tuple[int, int]:
        """Replace everything stored for doc.doc_id with this document, atomically.

        `signature` is (n_shingles, MinHash bytes) for near-duplicate detection. Returns (n_sentences, n_tokens).
        """
        return self.write_rows(doc, [page_row(p) for p in pages],
                               [passage_row(p, i) for i, p in enumerate(passages)],
                               [sentence_row(s, i) for i, s in enumerate(sentences)], signature)

    def write_rows(self, doc: Document, pages: list[tuple], passages: list[tuple], sentences: list[tuple],
                   signature: tuple[int, bytes] | None = None) -> tuple[int, int]:
        """write_document with the pages, passages and sentences already as the rows of their tables
        (page_row, passage_row, sentence_row): what a cluster worker sends the one writer."""
        n_tokens = sum(s[8] for s in sentences)
        with self.transaction() as c:
            c.execute("DELETE FROM doc_signatures WHERE doc_id=?", (doc.doc_id,))
            c.execute("DELETE FROM sentences WHERE doc_id=?", (doc.doc_id,))
            c.execute("DELETE FROM passages WHERE doc_id=?", (doc.doc_id,))
            c.execute("DELETE FROM pages WHERE doc_id=?", (doc.doc_id,))
            c.execute("DELETE FROM documents WHERE doc_id=?", (doc.doc_id,))
            c.execute(
                """INSERT INTO documents (doc_id, sha256, path, title, authors, publisher, date, year,
                   doc_type, source_url, licence, n_pages, n_passages, n_sentences, n_tokens, file_type,
                   extractor, date_source, metadata, ingested_at, policyscope_version)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (doc.doc_id, doc.sha256, doc.path, doc.title, doc.authors, doc.publisher, doc.date, doc.year,
                 doc.doc_type, doc.source_url, doc.licence, len(pages), len(passages), len(sentences), n_tokens,
                 doc.file_type, doc.extractor, doc.date_source, json.dumps(doc.metadata, ensure_ascii=False),
                 now_iso(), __version__))
            c.executemany("INSERT INTO pages VALUES (?,?,?,?,?,?,?)", pages)
            c.executemany("INSERT INTO passages VALUES (?,?,?,?,?,?,?,?)", passages)
            c.executemany(
                """INSERT INTO sentences (sentence_id, passage_id, doc_id, page_no, seq, char_start, char_end,
                   text, n_tokens, lemmas, section) VALUES (?,?,?,?,?,?,?,?,?,?,?)""", sentences)
            c.execute("INSERT INTO sentences_fts(rowid, text) SELECT rowid, text FROM sentences WHERE doc_id=?",
                      (doc.doc_id,))
            if signature is not None:
                c.execute("INSERT INTO doc_signatures VALUES (?,?,?)", (doc.doc_id, signature[0], signature[1]))
        return len(sentences), n_tokens

    def update_metadata(self, doc_id: str, fields: dict) -> list[str]:
        """Update document metadata (manifest changes) without touching text. Returns changed field names."""
        row = self.document(doc_id)
        changed = {k: v for k, v in fields.items() if k in DOC_META_FIELDS and (v or None) != row[k]}
        if not changed:
            return []
        from policyscope.model import year_of
        sets = ", ".join(f"{k}=?" for k in changed)
        params = list(changed.values())
        if "date" in changed:
            sets += ", year=?, date_source=?"
            params += [year_of(changed["date"]), fields.get("date_source", "manifest")]
        with self.transaction() as c:
            c.execute(f"UPDATE documents SET {sets} WHERE doc_id=?", (*params, doc_id))
        return sorted(changed)

    def set_duplicate(self, doc_id: str, duplicate_of: str | None, similarity: float | None) -> None:
        with self.transaction() as c:
            c.execute("UPDATE documents SET duplicate_of=?, duplicate_similarity=? WHERE doc_id=?",
                      (duplicate_of, similarity, doc_id))

    def log_outcome(self, run_id: str, o: IngestOutcome) -> None:
        with self.transaction() as c:
            c.execute(
                """INSERT INTO ingest_log (run_id, at, path, doc_id, outcome, code, reason, n_pages,
                   n_sentences, n_tokens, seconds) VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
                (run_id, now_iso(), o.path, o.doc_id, o.outcome, o.code or None, o.reason, o.n_pages,
                 o.n_sentences, o.n_tokens, round(o.seconds, 4)))

    # -- reads ----------------------------------------------------------------------------
    def signatures(self) -> Iterator[sqlite3.Row]:
        """(doc_id, date, n_shingles, signature) for every document with a stored signature."""
        yield from self.conn.execute("SELECT g.doc_id, d.date, g.n_shingles, g.signature FROM doc_signatures g "
                                     "JOIN documents d USING (doc_id) ORDER BY g.doc_id")

    def has_document(self, doc_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM documents WHERE doc_id=?", (doc_id,)).fetchone() is not None

    def document(self, doc_id: str) -> sqlite3.Row:
        row = self.conn.execute("SELECT * FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        if row is None:
            # Allow a unique prefix, as users copy ids from tables.
            rows = self.conn.execute("SELECT * FROM documents WHERE doc_id LIKE ?", (doc_id + "%",)).fetchall()
            if len(rows) == 1:
                return rows[0]
            raise NotInStore(f"no document {doc_id!r} in the store", path=str(self.path),
                             hint="`policyscope docs` lists the documents")
        return row

    def documents(self, *, include_duplicates: bool = True) -> list[sqlite3.Row]:
        """All documents, ordered by date then title (small: one row per document)."""
        where = "" if include_duplicates else "WHERE duplicate_of IS NULL"
        return self.conn.execute(f"SELECT * FROM documents {where} ORDER BY date IS NULL, date, title").fetchall()

    def page(self, doc_id: str, page_no: int) -> sqlite3.Row:
        doc = self.document(doc_id)
        row = self.conn.execute("SELECT * FROM pages WHERE doc_id=? AND page_no=?", (doc["doc_id"], page_no)).fetchone()
        if row is None:
            raise NotInStore(f"document {doc['doc_id']} has no page {page_no} (it has {doc['n_pages']} pages)",
                             path=str(self.path))
        return row

    def sentence(self, sentence_id: str) -> sqlite3.Row:
        row = self.conn.execute(
            """SELECT s.*, d.title, d.date, d.doc_type, d.authors, d.publisher, d.source_url, d.licence, d.path
               FROM sentences s JOIN documents d USING (doc_id) WHERE s.sentence_id=?""", (sentence_id,)).fetchone()
        if row is None:
            raise NotInStore(f"no sentence {sentence_id!r} in the store", path=str(self.path),
                             hint="sentence ids look like 3fa9c0d12b7e:p014:s003")
        return row

    def passage(self, passage_id: str) -> sqlite3.Row:
        row = self.conn.execute("SELECT * FROM passages WHERE passage_id=?", (passage_id,)).fetchone()
        if row is None:
            raise NotInStore(f"no passage {passage_id!r} in the store", path=str(self.path))
        return row

    def iter_sentences(self, *, sections: Iterable[str] | None = ("body",), doc_ids: Iterable[str] | None = None,
                       include_duplicates: bool = True, columns: str = "s.*") -> Iterator[sqlite3.Row]:
        """Stream sentences in document order. sections=None streams every section."""
        sql, params = self._filtered("sentences", sections, doc_ids, include_duplicates, columns)
        yield from self.conn.execute(sql + " ORDER BY s.doc_id, s.seq", params)

    def iter_passages(self, *, sections: Iterable[str] | None = ("body",), doc_ids: Iterable[str] | None = None,
                      include_duplicates: bool = True, columns: str = "s.*") -> Iterator[sqlite3.Row]:
        sql, params = self._filtered("passages", sections, doc_ids, include_duplicates, columns)
        yield from self.conn.execute(sql + " ORDER BY s.doc_id, s.seq", params)

    def iter_sentence_batches(self, *, sections: Iterable[str] = ("body",), columns: str = "s.rowid, s.doc_id, s.text",
                              batch_size: int = 4000) -> Iterator[list[tuple]]:
        """Lists of plain tuples in storage order, for the hot loops of analysis (no join, no Row objects)."""
        sections = list(sections)
        cur = self.conn.cursor()
        cur.row_factory = None  # plain tuples: the fastest rows sqlite3 makes
        cur.execute(f"SELECT {columns} FROM sentences s WHERE s.section IN ({','.join('?' * len(sections))}) "
                    "ORDER BY s.rowid", sections)
        while True:
            rows = cur.fetchmany(batch_size)
            if not rows:
                return
            yield rows

    def _filtered(self, table, sections, doc_ids, include_duplicates, columns):
        sql = f"SELECT {columns} FROM {table} s JOIN documents d USING (doc_id) WHERE 1=1"
        params: list = []
        if sections is not None:
            sections = list(sections)
            sql += f" AND s.section IN ({','.join('?' * len(sections))})"
            params += sections
        if doc_ids is not None:
            doc_ids = list(doc_ids)
            sql += f" AND s.doc_id IN ({','.join('?' * len(doc_ids))})"
            params += doc_ids
        if not include_duplicates:
            sql += " AND d.duplicate_of IS NULL"
        return sql, params

    def search_sentences(self, fts_query: str, limit: int | None = None) -> Iterator[sqlite3.Row]:
        """Candidate sentences from the FTS5 index (an FTS5 MATCH expression)."""
        sql = ("SELECT s.* FROM sentences_fts f JOIN sentences s ON s.rowid = f.rowid "
               "WHERE sentences_fts MATCH ? ORDER BY s.doc_id, s.seq")
        if limit:
            sql += f" LIMIT {int(limit)}"
        yield from self.conn.execute(sql, (fts_query,))

    def ingest_log(self, run_id: str | None = None) -> list[sqlite3.Row]:
        if run_id:
            return self.conn.execute("SELECT * FROM ingest_log WHERE run_id=? ORDER BY id", (run_id,)).fetchall()
        return self.conn.execute("SELECT * FROM ingest_log ORDER BY id").fetchall()

    def last_outcomes(self) -> dict[str, sqlite3.Row]:
        """The latest ingest_log row per path."""
        rows = self.conn.execute(
            "SELECT * FROM ingest_log WHERE id IN (SELECT MAX(id) FROM ingest_log GROUP BY path)").fetchall()
        return {r["path"]: r for r in rows}

    def stored_outcomes(self) -> dict[str, sqlite3.Row]:
        """Per doc_id, the ingest_log row of the run that stored it (outcome ok)."""
        rows = self.conn.execute(
            "SELECT * FROM ingest_log WHERE id IN (SELECT MAX(id) FROM ingest_log WHERE outcome='ok' "
            "AND doc_id IS NOT NULL GROUP BY doc_id)").fetchall()
        return {r["doc_id"]: r for r in rows}

    def counts(self) -> dict[str, int]:
        c = self.conn
        return {t: c.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("documents", "pages", "passages", "sentences")}

    def corpus_hash(self) -> str:
        """A hash over the stored documents' content hashes: identifies the corpus a result came from."""
        import hashlib
        h = hashlib.sha256()
        for (sha,) in self.conn.execute("SELECT sha256 FROM documents ORDER BY sha256"):
            h.update(sha.encode())
        return h.hexdigest()[:16]


def open_store(path: str | Path = DEFAULT_DB, *, create: bool = False) -> Store:
    """Open an existing store for analysis (create=False raises StoreNotFound with a hint)."""
    return Store(path, create=create)


# --- rows of the page, passage and sentence tables (Store.write_rows) -------------------------
def page_row(p: Page) -> tuple:
    """(doc_id, page_no, raw_text, text, cleanup, section, section_spans), the clean-up log as
    CleanupAction's fields in JSON (asdict() deep-copies: slower)."""
    return (p.doc_id, p.page_no, p.raw_text, p.text,
            json.dumps([{"kind": a.kind, "text": a.text, "line": a.line} for a in p.cleanup], ensure_ascii=False),
            p.section, json.dumps(list(p.section_spans)))


def passage_row(p: Passage, seq: int) -> tuple:
    """(passage_id, doc_id, page_no, seq, char_start, char_end, text, section)"""
    return (p.passage_id, p.doc_id, p.page_no, seq, p.char_start, p.char_end, p.text, p.section)


def sentence_row(s: Sentence, seq: int) -> tuple:
    """(sentence_id, passage_id, doc_id, page_no, seq, char_start, char_end, text, n_tokens, lemmas, section)"""
    return (s.sentence_id, s.passage_id, s.doc_id, s.page_no, seq, s.char_start, s.char_end, s.text, s.n_tokens,
            s.lemmas, s.section)
