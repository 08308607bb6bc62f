"""CSV / TSV / JSONL → one document per row, streamed (never the whole file in memory).

    rows = iter_tabular(path, text_column="text", date_column="date", id_column="pos")
    for row_key, doc in rows:
        ...
    rows.summary  # TabularSummary: rows read, documents yielded, empty-text rows skipped, ...

`iter_tabular` checks the named columns as soon as it is called (TabularColumnError names the
file, the missing column and the columns that exist) and returns a `TabularRows` iterator whose
`summary` is complete once the iterator is exhausted.

Each row's document:
- doc_id = first 12 hex of the sha256 of the row's content (all columns, as canonical JSON), so a
  row keeps its id wherever it is read from; identical rows are one document.
- metadata: "title" / "date" from title_column / date_column (date normalised to YYYY[-MM[-DD]]),
  "date_source": "column" when the date came from date_column, every other column under its
  own name (except the text column; a column whose name is one of those keys - "title", "date",
  "date_source", "row_sha256", "source_row" - is kept as "col_<name>", raw), plus "source_row"
  (1-based data row) and "row_sha256" (of the row's content).
- one page (page_no 1); Page.raw_text is the cell text as read.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import json
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from policyscope.errors import CorruptFile, EmptyFile, TabularColumnError, UnsupportedFileType
from policyscope.ingest.blocks import build_pages, normalise_newlines
from policyscope.ingest.dates import normalise_date
from policyscope.ingest.text import plain_blocks, wrap_width
from policyscope.model import ExtractedDocument

log = logging.getLogger(__name__)

TABULAR_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson")
RESERVED_KEYS = ("title", "date", "date_source", "row_sha256", "source_row")
MAX_EXAMPLES = 20
_CHUNK = 1 << 20


@dataclass
class TabularSummary:
    """What happened to the rows of one file. Complete when `done` is True."""

    path: str
    file_type: str
    encoding: str = "utf-8"
    delimiter: str | None = None
    columns: list[str] = field(default_factory=list)
    n_rows: int = 0  # data rows read (header excluded)
    n_documents: int = 0  # rows yielded as documents
    n_empty_text: int = 0  # rows skipped: the text column was empty
    n_invalid: int = 0  # JSONL lines that were not JSON objects (skipped)
    n_duplicate_keys: int = 0  # id_column values seen before (the key got "#<row>" appended)
    n_bad_dates: int = 0  # date_column values that are not dates (document has no date)
    empty_rows: list[str] = field(default_factory=list)  # first few row keys of skipped empty rows
    invalid_lines: list[int] = field(default_factory=list)  # first few line numbers of invalid JSONL lines
    done: bool = False


def iter_tabular(path, *, text_column: str, date_column: str | None = None, title_column: str | None = None,
                 id_column: str | None = None) -> TabularRows:
    """One (row_key, ExtractedDocument) per row with text; see the module docstring."""
    return TabularRows(path, text_column=text_column, date_column=date_column, title_column=title_column,
                       id_column=id_column)


class TabularRows(Iterator[tuple[str, ExtractedDocument]]):
    """Iterator over a tabular file's rows; `summary` counts what was skipped and why."""

    def __init__(self, path, *, text_column: str, date_column: str | None = None,
                 title_column: str | None = None, id_column: str | None = None):
        self.path = Path(path)
        self.where = str(self.path)
        suffix = self.path.suffix.lower()
        if suffix not in TABULAR_SUFFIXES:
            raise UnsupportedFileType(f"not a tabular file (suffix {suffix or 'none'})", path=self.where,
                                      hint="iter_tabular reads .csv, .tsv and .jsonl")
        if not self.path.exists() or self.path.stat().st_size == 0:
            raise EmptyFile("the file is empty", path=self.where)
        self.text_column, self.date_column = text_column, date_column
        self.title_column, self.id_column = title_column, id_column
        file_type = "jsonl" if suffix in (".jsonl", ".ndjson") else suffix[1:]
        self.summary = TabularSummary(path=self.where, file_type=file_type)
        self.summary.encoding = _detect_encoding(self.path, self.where)
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # long speeches exceed the 128 KiB default
        if file_type == "jsonl":
            self.summary.columns = self._jsonl_columns()
        else:
            self.summary.delimiter, self.summary.columns = self._csv_header(file_type)
        self._check_columns()
        self._rows: Iterator[tuple[str, ExtractedDocument]] | None = None

    # -- iterator protocol ---------------------------------------------------------------
    def __iter__(self) -> TabularRows:
        return self

    def __next__(self) -> tuple[str, ExtractedDocument]:
        if self._rows is None:
            self._rows = self._documents()
        return next(self._rows)

    # -- header / columns ----------------------------------------------------------------
    def _open(self):
        errors = "replace" if self.summary.encoding == "cp1252" else "strict"  # cp1252 leaves 5 bytes undefined
        return open(self.path, encoding=self.summary.encoding, errors=errors, newline="")

    def _csv_header(self, file_type: str) -> tuple[str, list[str]]:
        with self._open() as fh:
            sample = fh.read(64 * 1024)
        if not sample.strip():
            raise EmptyFile("the file has no header row", path=self.where)
        candidates = ["\t"] if file_type == "tsv" else []
        try:
            candidates.append(csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter)
        except csv.Error:
            pass
        candidates.append(",")
        first_header: list[str] = []
        for delimiter in dict.fromkeys(candidates):
            header = [h.strip() for h in next(csv.reader(sample.splitlines(), delimiter=delimiter), [])]
            first_header = first_header or header
            if self.text_column in header:
                return delimiter, header
        return candidates[0], first_header

    def _jsonl_columns(self) -> list[str]:
        with self._open() as fh:
            for line in fh:
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CorruptFile(f"first line is not JSON ({exc.msg})", path=self.where,
                                      hint="JSONL has one JSON object per line") from exc
                if not isinstance(obj, dict):
                    raise CorruptFile("first line is not a JSON object", path=self.where,
                                      hint="JSONL has one JSON object per line")
                return list(obj)
        raise EmptyFile("the file has no JSON lines", path=self.where)

    def _check_columns(self) -> None:
        columns = self.summary.columns
        named = {"text_column": self.text_column, "date_column": self.date_column,
                 "title_column": self.title_column, "id_column": self.id_column}
        for option, column in named.items():
            if column is not None and column not in columns:
                shown = ", ".join(columns[:40]) + (" ..." if len(columns) > 40 else "")
                raise TabularColumnError(
                    f"{option} {column!r} is not a column of this file; its columns are: {shown or '(none)'}",
                    path=self.where, hint=f"pass --{option.replace('_', '-')} with one of those names")

    # -- rows ----------------------------------------------------------------------------
    def _records(self) -> Iterator[dict]:
        """Each data row as a dict, streamed."""
        with self._open() as fh:
            if self.summary.file_type == "jsonl":
                for line_no, line in enumerate(fh, start=1):
                    if not line.strip():
                        continue
                    try:
                        obj = json.loads(line)
                    except json.JSONDecodeError:
                        obj = None
                    if not isinstance(obj, dict):
                        self.summary.n_invalid += 1
                        if len(self.summary.invalid_lines) < MAX_EXAMPLES:
                            self.summary.invalid_lines.append(line_no)
                        continue
                    yield obj
            else:
                reader = csv.reader(fh, delimiter=self.summary.delimiter)
                header = [h.strip() for h in next(reader, [])]
                for values in reader:
                    if not any(v.strip() for v in values):
                        continue  # a blank line is not a row
                    row = dict(zip(header, values))
                    for name in header[len(values):]:
                        row[name] = None
                    if len(values) > len(header):
                        row["_extra_fields"] = values[len(header):]
                    yield row

    def _documents(self) -> Iterator[tuple[str, ExtractedDocument]]:
        summary = self.summary
        seen_keys: set[str] = set()
        for record in self._records():
            summary.n_rows += 1
            row_no = summary.n_rows
            key = self._row_key(record, row_no, seen_keys)
            text = record.get(self.text_column)
            text = "" if text is None else normalise_newlines(str(text))
            blocks, actions = plain_blocks(text, wrap_width(text), first_page=False)
            if not blocks:
                summary.n_empty_text += 1
                if len(summary.empty_rows) < MAX_EXAMPLES:
                    summary.empty_rows.append(key)
                continue
            sha = _row_sha256(record)
            metadata = self._metadata(record, row_no, sha)
            pages = build_pages(sha[:12], [text], [blocks], [actions])
            summary.n_documents += 1
            yield key, ExtractedDocument(pages=pages, file_type=summary.file_type,
                                         extractor="policyscope.tabular", metadata=metadata)
        summary.done = True
        if summary.n_empty_text or summary.n_invalid or summary.n_duplicate_keys:
            log.info("%s: %d rows, %d documents; skipped %d empty-text rows and %d invalid lines; %d duplicate keys",
                     self.where, summary.n_rows, summary.n_documents, summary.n_empty_text, summary.n_invalid,
                     summary.n_duplicate_keys)

    def _row_key(self, record: dict, row_no: int, seen: set[str]) -> str:
        if self.id_column is None:
            return str(row_no)
        value = record.get(self.id_column)
        key = str(value).strip() if value is not None and str(value).strip() else f"#{row_no}"
        if key in seen:
            self.summary.n_duplicate_keys += 1
            key = f"{key}#{row_no}"
        seen.add(key)
        return key

    def _metadata(self, record: dict, row_no: int, sha: str) -> dict:
        metadata: dict = {}
        for name, value in record.items():
            if name == self.text_column:
                continue
            if name in RESERVED_KEYS:
                name = f"col_{name}"
            metadata[name] = None if value == "" else value
        if self.title_column:
            title = record.get(self.title_column)
            if title not in (None, ""):
                metadata["title"] = str(title).strip()
        if self.date_column:
            raw = record.get(self.date_column)
            date = normalise_date(raw)
            if date:
                metadata["date"] = date
                metadata["date_source"] = "column"
            elif raw not in (None, ""):
                self.summary.n_bad_dates += 1
        metadata["source_row"] = row_no
        metadata["row_sha256"] = sha
        return metadata


def _row_sha256(record: dict) -> str:
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _detect_encoding(path: Path, where: str) -> str:
    """utf-8-sig if the whole file is UTF-8 (checked in chunks), else cp1252 (with a logged note)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        fh.seek(0)
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8-sig"  # also strips a BOM if there is one
        except UnicodeDecodeError:
            log.info("%s: not valid UTF-8; reading it as cp1252", where)
            return "cp1252"
