"""Page furniture: running headers and footers, page numbers, DOI / download-stamp lines.

Works on the blocks of all pages of one document (string work and a few comparisons, no
extraction). Only blocks at the top or bottom of a page are candidates. A candidate is
furniture when

* its text, with digits masked, recurs at about the same height on several pages (running
  headers/footers, also when they alternate between odd and even pages or carry the page number);
* it is a page number ('12', 'Page 12', '12 of 40', 'xii', '- 12 -');
* it is a DOI, "Published online by ...", "Downloaded from ...", a JSTOR-style stamp, a
  browser print header/footer (date-time stamp, URL with 'n/N') or a journal citation line.

`margin_line_numbers` is the one per-page test: the 1, 2, 3... printed down the margin of a
transcript or a draft bill, which would otherwise interleave with the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from policyscope.ingest.layout.lines import Block, Line

EDGE_BLOCKS = 3  # candidates: this many blocks from the top and from the bottom of a page
REPEAT_EDGE = 2  # ...of which the outermost two may be running heads/feet found by repetition
MAX_FURNITURE_CHARS = 250
Y_TOLERANCE = 6.0  # points: the same running header sits at the same height on every page

PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.|seite|pagina)\s*)?[-–—(\[]?\s*(?:(?!(?:19|20)\d\d\b)\d{1,5}|[ivxlcdm]{1,7})\s*[-–—)\]]?"
    r"(?:\s*(?:of|/|von|de)\s*\d{1,4})?$", re.IGNORECASE)
DOI_LINE = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/|doi\.org/)10\.\d{4,9}/\S+(?:\s+published online.*)?$",
                      re.IGNORECASE)
# Stamps: phrases anywhere in the block (checked with `in`, cheap) and patterns at its start.
STAMP_PHRASES = ("published online by", "downloaded from", "this content downloaded", "all use subject to",
                 "provided by", "brought to you by")
STAMP_START = re.compile(
    r"(?:accessed\s+(?:on\s+)?\d|printed (?:on|from)\b|\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}"
    r"|https?://\S+\s+\d{1,4}/\d{1,4}$)", re.IGNORECASE)
# A journal's citation line on an article's first page: 'Social Policy & Society (2023) 22:1, 172–186'.
JOURNAL_LINE = re.compile(r"^[^\W\d].{2,90}\((?:19|20)\d{2}\),?\s*(?:vol\.?\s*)?\d+\s*(?:[:(]\s*\d+\)?)?,?\s*(?:pp?\.\s*)?"
                          r"\d+\s*[–—-]\s*\d+\.?$", re.IGNORECASE)


@dataclass(frozen=True)
class Furniture:
    page: int  # index into the list of pages
    block: int  # index into that page's blocks
    kind: str  # header | footer | page_number | doi_line | stamp


def furniture_key(text: str) -> str:
    """Text with digits masked, case/spacing folded and page numbers at either end dropped.

    '173 Kerry Allen et al.' → 'kerry allen et al.'; 'Annual Report 2023 | 7' → 'annual report #'.
    """
    tokens = _DIGITS.sub("#", text.lower()).split()
    while tokens and tokens[-1] in _NUMBER_TOKENS:
        tokens.pop()
    start = 0
    while start < len(tokens) and tokens[start] in _NUMBER_TOKENS:
        start += 1
    return " ".join(tokens[start:]) or " ".join(tokens)


_DIGITS = re.compile(r"\d+")
_NUMBER_TOKENS = frozenset({"#", "#.", "#/#", "#,", "(#)", "[#]", "|", "•", "·", "-", "–", "—", ":", "page", "p.", "of", "/"})


def _edge_indices(blocks: list[Block], height: float) -> tuple[list[int], list[int]]:
    """Candidate blocks of a page, outermost first: the top-most and bottom-most few by position,
    plus margin blocks (running head/foot bands, vertical stamps) wherever they are."""
    order = sorted((i for i in range(len(blocks)) if blocks[i].kind != "margin"), key=lambda i: -blocks[i].top)
    top, bottom = set(order[:EDGE_BLOCKS]), set(order[-EDGE_BLOCKS:])
    for i, b in enumerate(blocks):
        if b.kind == "margin":
            (top if b.bottom > 0.5 * height else bottom).add(i)
    keep = [i for i in range(len(blocks)) if len(blocks[i].text) <= MAX_FURNITURE_CHARS]
    return (sorted((i for i in keep if i in top), key=lambda i: -blocks[i].top),
            sorted((i for i in keep if i in bottom), key=lambda i: -blocks[i].top))


def pattern_kind(text: str) -> str | None:
    """The furniture kind a block's text alone gives away, or None."""
    t = text.strip()
    if PAGE_NUMBER.match(t):
        return "page_number"
    if DOI_LINE.match(t):
        return "doi_line"
    low = t.lower()
    if any(p in low for p in STAMP_PHRASES) or STAMP_START.match(t):
        return "stamp"
    if JOURNAL_LINE.match(t):
        return "header"
    return None


def find_furniture(pages: list[list[Block]], heights: list[float]) -> list[Furniture]:
    """All furniture blocks of a document."""
    n = len(pages)
    edges = [_edge_indices(blocks, h) for blocks, h in zip(pages, heights)]
    found: dict[tuple[int, int], str] = {}

    # 1. Repetition across pages, same masked text at about the same height.
    seen: dict[str, list[tuple[int, int, float]]] = {}
    for p, (top, bottom) in enumerate(edges):
        if len(pages[p]) < 2:
            continue  # a page's only paragraph is its text, however often it recurs
        margin = [i for i in top + bottom if pages[p][i].kind == "margin"]
        for i in dict.fromkeys(top[:REPEAT_EDGE] + bottom[-REPEAT_EDGE:] + margin):
            if not _stands_apart(pages[p], i):
                continue
            key = furniture_key(pages[p][i].text)
            if key:
                seen.setdefault(key, []).append((p, i, pages[p][i].top))
    for key, hits in seen.items():
        # Running heads and feet sit in the outer eighth of the page; a heading repeated at the
        # same place lower down (an 'Our commitment to you' box on every chapter page) is text.
        hits = [h for h in hits if h[2] > 0.88 * heights[h[0]] or pages[h[0]][h[1]].bottom < 0.12 * heights[h[0]]]
        for group in _height_groups(hits):
            on = sorted({p for p, _, _ in group})
            n_pages = len(on)
            # Through the document (a tenth of its pages at least), or in a run of pages (a chapter's
            # running head); 2 of 6 pages are the odd/even heads of a short paper.
            spread = n_pages >= 3 and (n_pages >= 0.1 * n or on[-1] - on[0] < 3 * n_pages)
            if spread or (n_pages >= 2 and 3 * n_pages >= n):
                for p, i, top in group:
                    found[(p, i)] = "header" if top > 0.5 * heights[p] else "footer"

    # 2. Patterns: page numbers among the two outermost blocks, DOI lines and stamps among all edge blocks.
    for p, (top, bottom) in enumerate(edges):
        outermost = set(top[:2] + bottom[-2:])
        for i in dict.fromkeys(top + bottom):
            kind = pattern_kind(pages[p][i].text)
            if kind == "page_number" and i in outermost:
                found[(p, i)] = kind  # more precise than "header" for a bare number
            elif kind in ("doi_line", "stamp") or (kind == "header" and (p, i) not in found and i in outermost):
                found[(p, i)] = kind

    return [Furniture(p, i, kind) for (p, i), kind in sorted(found.items())]


def _height_groups(hits: list[tuple[int, int, float]]) -> list[list[tuple[int, int, float]]]:
    """Split occurrences of one text into groups at about the same height."""
    groups: list[list[tuple[int, int, float]]] = []
    for hit in sorted(hits, key=lambda h: h[2]):
        if groups and hit[2] - groups[-1][-1][2] <= Y_TOLERANCE:
            groups[-1].append(hit)
        else:
            groups.append([hit])
    return groups


def _stands_apart(blocks: list[Block], i: int) -> bool:
    """Is there white space between this block and the text beyond it (below a head, above a foot)?

    A running head is set off from the body; the first line of a body that starts high on the
    page ('We will:' on every page of a manifesto) is not.
    """
    b = blocks[i]
    if b.kind == "margin":
        return True
    middle = 0.5 * (b.top + b.bottom)
    highest_below, lowest_above = -1e9, 1e9
    for o in blocks:
        if o is b or o.kind == "margin":
            continue
        if o.top < middle and o.top > highest_below:
            highest_below = o.top
        if o.bottom > middle and o.bottom < lowest_above:
            lowest_above = o.bottom
    return max(b.bottom - highest_below, lowest_above - b.top) >= 0.6 * b.size


def margin_line_numbers(lines: list[Line]) -> list[Line]:
    """Lines that are margin line numbers: at least five small integers in one column beside the
    text (left or right of every other line), counting up down the page."""
    numbers = [ln for ln in lines if len(ln.text) <= 3 and ln.text.isdigit()]
    if len(numbers) < 5:
        return []
    others = [ln for ln in lines if not (len(ln.text) <= 3 and ln.text.isdigit())]
    if not others:
        return []
    left_edge, right_edge = min(ln.x0 for ln in others), max(ln.x1 for ln in others)
    column = [ln for ln in numbers if ln.x1 <= left_edge + 1.0 or ln.x0 >= right_edge - 1.0]
    if len(column) < 5:
        return []
    values = [int(ln.text) for ln in sorted(column, key=lambda ln: -ln.top)]
    rising = sum(1 for a, b in zip(values, values[1:]) if b == a + 1)
    return column if rising >= 0.8 * (len(values) - 1) else []
