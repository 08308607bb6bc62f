"""The units of work the ingest pipeline hands to worker processes.

A task that completes a document also stores it, in one transaction on its own process's
connection to the store, so the parent receives a few counts (`Stored`) instead of every page
and sentence: unpickling those in the parent cost as much as writing them. SQLite lets one
connection write at a time; a document's write is short, so workers rarely wait for each other.
Documents split across workers (long PDFs) are stored by the parent, which joins their parts.

On a Dask cluster (FileSource.db is None) a task returns the document as the rows of the store's
tables (`Parsed`: every text once) and the client, the one writer, stores it (`written`) in one
transaction: cluster workers may not even see the store.
Files sent to the workers as bytes (--ship-files) are read from a temporary copy (`shipped_copies`).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from multiprocessing.util import Finalize
from pathlib import Path

from policyscope.errors import EmptyFile, StoreError
from policyscope.ingest.metadata import document_record
from policyscope.ingest.pdf import extract_pages, finish_pages, has_text_layer
from policyscope.model import Document, ExtractedDocument, Page
from policyscope.segment import segment_pages
from policyscope.store import Store, page_row, passage_row, sentence_row


@dataclass(frozen=True)
class FileSource:
    """A planned file: what a task needs to build its Document record and store it."""

    path: str
    sha256: str
    doc_id: str
    db: str | None  # the store's path; None: return the records (Parsed) for the caller to store
    manifest: dict = field(default_factory=dict)  # the file's manifest row
    found: dict = field(default_factory=dict)  # metadata read while planning (a PDF's info dictionary)
    row_key: str | None = None  # tabular files: the row this document is

    @property
    def stored_path(self) -> str:
        return self.path if self.row_key is None else f"{self.path}#row={self.row_key}"


@dataclass(frozen=True)
class Stored:
    """What a task reports of a document it stored."""

    doc_id: str
    n_pages: int
    n_sentences: int
    n_tokens: int
    dated: bool


@dataclass(frozen=True)
class Parsed:
    """A document read and segmented on a cluster worker, on its way to the one writer, in a compact form:
    the rows of the store's tables (store.page_row, passage_row, sentence_row), so the writer builds no
    objects, with each passage's and sentence's text left out (None) where it is the slice of its page's
    cleaned text that its offsets name (for the readers here, always), so every text travels once.
    Pickled, that is 40% fewer bytes than the records themselves and a fifth of the time to (un)pickle."""

    document: Document
    pages: list[tuple]
    passages: list[tuple]
    sentences: list[tuple]
    signature: tuple[int, bytes]

    @classmethod
    def of(cls, document: Document, pages, passages, sentences, signature) -> "Parsed":
        text = {p.page_no: p.text for p in pages}
        return cls(document, [page_row(p) for p in pages],
                   [_without_text(passage_row(p, i), text[p.page_no], 6) for i, p in enumerate(passages)],
                   [_without_text(sentence_row(s, i), text[s.page_no], 7) for i, s in enumerate(sentences)],
                   signature)

    def rows(self) -> tuple[list[tuple], list[tuple]]:
        """The passage and sentence rows with their texts back."""
        text = {row[1]: row[3] for row in self.pages}
        return [_with_text(r, text[r[2]], 6) for r in self.passages], \
            [_with_text(r, text[r[3]], 7) for r in self.sentences]


def _without_text(row: tuple, page_text: str, at: int) -> tuple:
    # a passage row: (.., page_no, seq, char_start, char_end, text, ..): the offsets stand just before the text
    if page_text[row[at - 2]:row[at - 1]] == row[at]:
        return row[:at] + (None,) + row[at + 1:]
    return row


def _with_text(row: tuple, page_text: str, at: int) -> tuple:
    if row[at] is None:
        return row[:at] + (page_text[row[at - 2]:row[at - 1]],) + row[at + 1:]
    return row


# --- this process's connection to the store ------------------------------------------------
_STORES: dict[tuple[int, str], Store] = {}


@contextmanager
def storing_in(store: Store) -> Iterator[None]:
    """Tasks run in this process (--jobs 1, split documents) write through `store` itself."""
    key = (os.getpid(), str(store.path))
    _STORES[key] = store
    try:
        yield
    finally:
        _STORES.pop(key, None)


def store_at(db: str) -> Store:
    """This process's Store for `db`: a worker opens its own (a SQLite connection cannot cross a fork)."""
    key = (os.getpid(), db)
    store = _STORES.get(key)
    if store is None:
        store = _STORES[key] = Store(db)
        Finalize(None, store.close, exitpriority=10)  # closed when the worker process exits
    return store


def store_document(source: FileSource, extracted: ExtractedDocument, passages, sentences,
                   signatures: list) -> Stored | Parsed:
    """Write one document in one transaction (or, when source.db is None, return it as Parsed). EmptyFile
    when it has no sentence; StoreError when the store cannot take it (the batch stops: every other
    document would fail the same way)."""
    if not sentences:
        raise EmptyFile("no text found in the file", path=source.path)
    doc = document_record(doc_id=source.doc_id, path=source.stored_path, sha256=source.sha256,
                          file_name=Path(source.path).name, manifest=source.manifest, extracted=extracted)
    from policyscope.ingest.near_duplicates import combine_signatures  # numpy: not before the first fork
    signature = combine_signatures(signatures)
    if source.db is None:
        return Parsed.of(doc, extracted.pages, passages, sentences, signature)
    return _write(source.db, doc, lambda store: store.write_document(doc, extracted.pages, passages, sentences,
                                                                     signature=signature))


def _write(db: str, doc: Document, write) -> Stored:
    try:
        n_sentences, n_tokens = write(store_at(db))
    except sqlite3.Error as exc:
        raise StoreError(f"cannot write {doc.path}: {exc}", path=db,
                         hint="check the disk has room and no other program holds the store") from None
    return Stored(doc.doc_id, doc.n_pages, n_sentences, n_tokens, bool(doc.date))


def written(value, db: str):
    """A task's result with every Parsed document in it stored through this process's store at `db`."""
    if isinstance(value, Parsed):
        passages, sentences = value.rows()
        return _write(db, value.document, lambda store: store.write_rows(value.document, value.pages, passages,
                                                                         sentences, value.signature))
    if isinstance(value, list):
        return [written(v, db) for v in value]
    return value


# --- files shipped to a worker as bytes ---------------------------------------------------
_LOCAL_COPIES: dict[str, str] = {}


def readable(path: str) -> str:
    """Where this process reads `path`: a shipped copy while a task that ships it runs, else the path itself."""
    return _LOCAL_COPIES.get(path, path)


@contextmanager
def reading_as(aliases: dict[str, str] | None) -> Iterator[None]:
    """For the length of one task, read each path at another (a cluster worker: the absolute path, since its
    working folder may not be the client's)."""
    _LOCAL_COPIES.update(aliases or {})
    try:
        yield
    finally:
        for path in aliases or {}:
            _LOCAL_COPIES.pop(path, None)


@contextmanager
def shipped_copies(files: dict[str, bytes] | None) -> Iterator[None]:
    """Write shipped file contents to a private temporary folder for the length of one task. Each file keeps
    its name, since a date or title may come from it."""
    if not files:
        yield
        return
    folder = tempfile.mkdtemp(prefix="policyscope-shipped-")
    try:
        for i, (path, data) in enumerate(files.items()):
            local = os.path.join(folder, str(i), os.path.basename(path))
            os.makedirs(os.path.dirname(local))
            with open(local, "wb") as fh:
                fh.write(data)
            _LOCAL_COPIES[path] = local
        yield
    finally:
        for path in files:
            _LOCAL_COPIES.pop(path, None)
        shutil.rmtree(folder, ignore_errors=True)


# --- tasks ---------------------------------------------------------------------------------
def ingest_whole_pdf(source: FileSource, n_pages: int, password: str | None, extractor: str,
                     ocred: bool = False, read_path: str | None = None) -> Stored | Parsed | None:
    """A PDF in one task: extract, finish, segment and store it. None when it has no text layer.
    read_path: where to read the pages when it is not the file itself (the OCR'd copy)."""
    drafts = extract_pages(readable(read_path or source.path), 1, n_pages, password=password, extractor=extractor)
    if not usable_text(drafts, ocred):
        return None
    pages = finish_pages(drafts, source.doc_id)
    passages, sentences, signature = segment_chunk(pages)
    return store_document(source, pdf_document(pages, extractor, ocred, source.found), passages, sentences,
                          [signature])


def extract_whole_pdf(path: str, doc_id: str, n_pages: int, password: str | None, extractor: str,
                      ocred: bool = False) -> list[Page] | None:
    """A PDF's pages, extracted and finished, for a worker that has no segmenter loaded (it started
    before spaCy was, see pipeline.py); `store_pages` segments and stores them. None: no text layer."""
    drafts = extract_pages(readable(path), 1, n_pages, password=password, extractor=extractor)
    if not usable_text(drafts, ocred):
        return None
    return finish_pages(drafts, doc_id)


def store_pages(source: FileSource, pages: list[Page], extractor: str, ocred: bool = False) -> Stored | Parsed:
    """Segment and store the finished pages of a PDF (what `ingest_whole_pdf` does after finishing)."""
    passages, sentences, signature = segment_chunk(pages)
    return store_document(source, pdf_document(pages, extractor, ocred, source.found), passages, sentences,
                          [signature])


def extract_pdf_chunk(path: str, first: int, last: int, password: str | None, extractor: str):
    """Pages first..last of a long PDF, as drafts: the parent finishes them with the whole document's view."""
    return extract_pages(readable(path), first, last, password=password, extractor=extractor)


def segment_chunk(pages: list[Page]):
    """Passages, sentences and the MinHash signature of a page range."""
    from policyscope.ingest.near_duplicates import sentences_signature  # numpy: not before the first fork
    passages, sentences = segment_pages(pages)
    return passages, sentences, sentences_signature(sentences)


def ingest_other(source: FileSource, ftype: str) -> Stored | Parsed:
    """Read, segment and store one HTML, DOCX or text file."""
    extracted = read_other(readable(source.path), ftype, source.doc_id)
    passages, sentences, signature = segment_chunk(list(extracted.pages))
    return store_document(source, extracted, passages, sentences, [signature])


def ingest_rows(source: FileSource, rows: list[tuple[str, ExtractedDocument, str]]) -> list[Stored | Parsed]:
    """Segment and store some rows of a tabular file, each its own document; rows with no words are left out.

    The file's manifest row (publisher, doc_type, licence…) applies to every row; a row's own title
    and date win.
    """
    shared = {k: v for k, v in source.manifest.items() if k not in ("title", "date")}
    out = []
    for doc_id, extracted, row_key in rows:
        passages, sentences, signature = segment_chunk(list(extracted.pages))
        if sentences:  # punctuation only: nothing to count
            row = replace(source, doc_id=doc_id, manifest=shared, row_key=row_key)
            out.append(store_document(row, extracted, passages, sentences, [signature]))
    return out


# --- helpers -------------------------------------------------------------------------------
def pdf_document(pages: list[Page], extractor: str, ocred: bool, metadata: dict) -> ExtractedDocument:
    return ExtractedDocument(pages=tuple(pages), file_type="pdf", extractor=extractor + ("+ocr" if ocred else ""),
                             metadata=metadata)


def usable_text(drafts, ocred: bool) -> bool:
    """A text layer to ingest. After OCR any recognised text counts: the page image is still there, so
    the scan test (little text under a page-sized image) would reject a sparse but real page."""
    return any(d.n_chars for d in drafts) if ocred else has_text_layer(drafts)


def read_other(path: str, ftype: str, doc_id: str) -> ExtractedDocument:
    """Read one HTML, DOCX or text file."""
    if ftype == "html":
        from policyscope.ingest.html import read_html
        return read_html(Path(path), doc_id)
    if ftype == "docx":
        from policyscope.ingest.docx import read_docx
        return read_docx(Path(path), doc_id)
    if ftype == "text":
        from policyscope.ingest.text import read_text
        return read_text(Path(path), doc_id)
    raise ValueError(f"read_other cannot read {ftype}")
