"""Core records. Frozen dataclasses, no I/O: every layer above speaks in these.

Provenance travels on every object: a Page knows its document and 1-based page
number, a Sentence its page, passage and character span in the page's cleaned text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

SECTIONS = ("body", "front_matter", "references", "boilerplate")
OUTCOMES = ("ok", "skipped", "failed")
DOC_TYPES = (
    "white_paper", "statutory_guidance", "legislation", "article", "blog", "report", "debate",
    "speech", "manifesto", "other",
)
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def passage_id(doc_id: str, page_no: int, n: int) -> str:
    """`3fa9c0d12b7e:p014:g002`: document, 1-based page, passage number on the page."""
    return f"{doc_id}:p{page_no:03d}:g{n:03d}"


def sentence_id(doc_id: str, page_no: int, n: int) -> str:
    """`3fa9c0d12b7e:p014:s003`: document, 1-based page, sentence number on the page."""
    return f"{doc_id}:p{page_no:03d}:s{n:03d}"


def parse_sentence_id(sid: str) -> tuple[str, int, int]:
    """Inverse of sentence_id: (doc_id, page_no, n)."""
    m = re.fullmatch(r"([0-9a-f]{12}):p(\d+):s(\d+)", sid)
    if not m:
        raise ValueError(f"not a sentence id: {sid!r} (expected e.g. 3fa9c0d12b7e:p014:s003)")
    return m.group(1), int(m.group(2)), int(m.group(3))


def year_of(date: str | None) -> int | None:
    if not date:
        return None
    m = DATE_RE.match(date)
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class CleanupAction:
    """One thing the layout clean-up removed or repaired on a page."""

    # header | footer | page_number | doi_line | stamp | line_numbers | dehyphenated | ligature | spaces |
    # letterspacing | run_together | columns | boilerplate | markup | joined | duplicate | encoding | other
    kind: str
    text: str  # what was removed, or "before -> after" for a repair
    line: int | None = None  # 1-based line number in the raw page text, when it applies


@dataclass(frozen=True)
class Page:
    doc_id: str
    page_no: int  # 1-based, as the PDF numbers them
    raw_text: str  # what the extractor gave, untouched
    text: str  # cleaned text; passages and sentences point into this
    cleanup: tuple[CleanupAction, ...] = ()
    section: str = "body"  # page-level flag: body | front_matter | references | boilerplate
    # (char_start, char_end, section) ranges within `text` that differ from the page's section,
    # e.g. the reference list starting half-way down a page.
    section_spans: tuple[tuple[int, int, str], ...] = ()


@dataclass(frozen=True)
class Passage:
    passage_id: str
    doc_id: str
    page_no: int
    char_start: int
    char_end: int
    text: str
    section: str = "body"


@dataclass(frozen=True)
class Sentence:
    sentence_id: str
    passage_id: str
    doc_id: str
    page_no: int
    char_start: int  # into Page.text
    char_end: int
    text: str
    n_tokens: int  # word tokens (no punctuation or whitespace): the denominator for rates
    lemmas: str  # space-joined lower-case lemmas of the word tokens
    section: str = "body"


@dataclass(frozen=True)
class Document:
    doc_id: str  # first 12 hex of the file's sha256 (tabular rows: of the row's content)
    path: str
    sha256: str
    title: str | None = None
    authors: str | None = None
    publisher: str | None = None
    date: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    doc_type: str | None = None
    source_url: str | None = None
    licence: str | None = None
    n_pages: int = 0
    file_type: str = ""
    date_source: str | None = None  # manifest | pdf_metadata | file_name | column | None
    extractor: str | None = None
    metadata: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def year(self) -> int | None:
        return year_of(self.date)


@dataclass(frozen=True)
class Hit:
    concept: str
    term_id: str
    sentence_id: str
    char_start: int  # into the sentence text
    char_end: int
    matched: str


@dataclass(frozen=True)
class ExtractedDocument:
    """What a reader returns for one file: metadata found in the file plus its pages."""

    pages: tuple[Page, ...]
    file_type: str
    extractor: str
    metadata: dict = field(default_factory=dict, compare=False, hash=False)  # title/authors/date... found in the file


@dataclass(frozen=True)
class IngestOutcome:
    path: str
    outcome: str  # ok | skipped | failed
    reason: str = ""
    code: str = ""  # error code, e.g. E101, for failed/skipped
    doc_id: str | None = None
    n_pages: int = 0
    n_sentences: int = 0
    n_tokens: int = 0
    seconds: float = 0.0
