"""Blocks → pages: the page building the non-PDF readers (text, HTML, DOCX, tabular) share.

`Block` is a paragraph-to-be; `build_pages` joins each page's blocks into cleaned text and
attaches section spans; `flag_sections` flags reader-forced sections and reference lists (after a
"References" heading, or a trailing run of citation-like paragraphs). Also the small text helpers
the readers share: `squash` (inside-a-paragraph form), `snippet` (for cleanup log entries),
`normalise_newlines` and `is_cookie_notice`.

Cleaned-text convention (segment.py relies on it): paragraphs separated by one blank line,
single spaces inside a paragraph, no hard line breaks.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from policyscope.model import CleanupAction, Page

SNIPPET = 120  # cleanup log entries quote at most this many characters


# --------------------------------------------------------------------------------------
# blocks → pages
# --------------------------------------------------------------------------------------
@dataclass
class Block:
    """One paragraph-to-be, before it is placed in a page's cleaned text."""

    text: str
    heading: int | None = None  # 1 = top level; None = body text (or a heading of unknown level)
    pseudo_heading: bool = False  # looks like a heading (bold line, short standalone line) but level unknown
    list_item: bool = False
    section: str | None = None  # forced flag from the reader, e.g. "boilerplate"
    line: int | None = None  # 1-based line in the page's raw text, when known


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")  # soft hyphen, zero-width chars, BOM


def squash(text: str) -> str:
    """Inside-a-paragraph form: no line breaks, single spaces, trimmed."""
    text = _INVISIBLE.sub("", text)
    text = text.replace("\r", " ").replace("\n", " ").replace("\f", " ").replace("\v", " ")
    return _SPACES.sub(" ", text).strip()


def snippet(text: str, limit: int = SNIPPET) -> str:
    text = squash(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_pages(doc_id: str, raw_pages: Sequence[str], page_blocks: Sequence[Sequence[Block]],
                cleanups: Sequence[Sequence[CleanupAction]], first_page_no: int = 1) -> tuple[Page, ...]:
    """Join each page's blocks into cleaned text and attach section flags (see flag_sections)."""
    sections = flag_sections(page_blocks)
    pages = []
    for i, (raw, blocks, flags, cleanup) in enumerate(zip(raw_pages, page_blocks, sections, cleanups)):
        parts: list[str] = []
        spans: list[tuple[int, int, str]] = []
        pos = 0
        for block, flag in zip(blocks, flags):
            if not block.text:
                continue
            if parts:
                pos += 2  # the "\n\n" between paragraphs
            start, end = pos, pos + len(block.text)
            parts.append(block.text)
            pos = end
            if flag != "body":
                if spans and spans[-1][2] == flag and spans[-1][1] + 2 == start:
                    spans[-1] = (spans[-1][0], end, flag)  # extend the run across the paragraph break
                else:
                    spans.append((start, end, flag))
        text = "\n\n".join(parts)
        section = "body"
        if len(spans) == 1 and spans[0][0] == 0 and spans[0][1] == len(text):
            section, spans = spans[0][2], []  # the whole page has one flag: say it at page level
        pages.append(Page(doc_id=doc_id, page_no=first_page_no + i, raw_text=raw, text=text,
                          cleanup=tuple(cleanup), section=section, section_spans=tuple(spans)))
    return tuple(pages)


# --------------------------------------------------------------------------------------
# section flags
# --------------------------------------------------------------------------------------
_REFERENCES_HEADING = re.compile(
    r"^(?:[0-9IVX]{1,4}[.)]?\s+)?(?:references?|reference list|bibliography|works cited|literature cited"
    r"|references and notes|notes and references|sources and references)\s*:?$",
    re.IGNORECASE,
)
# Headings that close a reference list when its own level is unknown (plain text, bold lines).
_BACK_MATTER_HEADING = re.compile(
    r"^(?:[0-9IVX]{1,4}[.)]?\s+)?(?:appendi(?:x|ces)|annex(?:es)?|acknowledge?ments?|about the authors?"
    r"|supplementary (?:material|information)|glossary)\b",
    re.IGNORECASE,
)
# A reference-list entry: "Surname, A (2009) ...", "Surname A, Other B (2009)", "12 Ham C, Imison C, ..."
_CITATION = re.compile(
    r"^(?:[-•*▪]\s*|\[?\d{1,3}[.)\]]?\s+)?(?:"
    r"[A-Z][\w'’\-]+[,\s][^()\n]{0,120}?\(\s*(?:19|20)\d{2}[a-z]?\s*[),]"  # author-year (Harvard)
    r"|[A-Z][\w'’\-]+\s+[A-Z]{1,3}[,.]\s"  # Vancouver: surname + initials
    r")"
)
MIN_HEADLESS_REFERENCES = 8  # a trailing run this long of citation-like paragraphs is a reference list


def is_references_heading(text: str) -> bool:
    return len(text) <= 60 and bool(_REFERENCES_HEADING.match(text.strip()))


def flag_sections(page_blocks: Sequence[Sequence[Block]]) -> list[list[str]]:
    """Section flag for each block: reader-forced flags, then reference lists.

    A reference list runs from a "References"/"Bibliography" heading to the end of the document,
    unless a heading of the same or a higher level follows (for headings of unknown level:
    a top-level heading or an appendix/acknowledgements-type heading). With no such heading,
    a trailing run of citation-like paragraphs is flagged instead.
    """
    flat = [b for blocks in page_blocks for b in blocks]
    flags = [b.section or "body" for b in flat]
    found = False
    level: int | None = None
    in_refs = False
    for i, block in enumerate(flat):
        text = block.text.strip()
        if not block.list_item and is_references_heading(text):  # short by construction: a heading
            in_refs, found, level = True, True, block.heading
            if flags[i] == "body":
                flags[i] = "references"
            continue
        if in_refs:
            if block.heading is not None and block.heading <= (level or 1):
                in_refs = False
            elif (block.heading is not None or block.pseudo_heading or len(text) <= 80) and _BACK_MATTER_HEADING.match(text):
                in_refs = False
        if in_refs and flags[i] == "body":
            flags[i] = "references"
    if not found:
        _flag_headless_references(flat, flags)
    out, k = [], 0
    for blocks in page_blocks:
        out.append(flags[k:k + len(blocks)])
        k += len(blocks)
    return out


def _flag_headless_references(flat: Sequence[Block], flags: list[str]) -> None:
    """Flag a reference list that has no heading: a long run of citation-like paragraphs at the end."""
    body = [i for i, b in enumerate(flat) if b.text and flags[i] == "body"]
    run_start, n_cites, misses = None, 0, 0
    for i in reversed(body):
        if _CITATION.match(flat[i].text):
            run_start, n_cites, misses = i, n_cites + 1, 0
        else:
            misses += 1
            # Allow a stray running header between entries, and a few closing lines after the list.
            if misses > (3 if n_cites == 0 else 2):
                break
    if run_start is not None and n_cites >= MIN_HEADLESS_REFERENCES:
        for i in body:
            if i >= run_start:
                flags[i] = "references"


# --------------------------------------------------------------------------------------
# small text helpers
# --------------------------------------------------------------------------------------
def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")


_COOKIE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_COOKIE_ACTION = re.compile(r"\b(?:accept|consent|we use|this (?:site|website) uses|cookie (?:settings|policy|preferences))\b",
                            re.IGNORECASE)


def is_cookie_notice(text: str) -> bool:
    return len(text) <= 600 and bool(_COOKIE.search(text)) and bool(_COOKIE_ACTION.search(text))
