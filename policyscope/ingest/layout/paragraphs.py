"""Lines → paragraphs: where one paragraph (heading, list item) ends and the next begins.

Signals, all from line boxes: a wider step down than the page's usual line pitch for that font
size, a change of font size, a line indented further than the one before, a bullet, a short
line ending a sentence. Lines of one paragraph are joined with single spaces (line-end hyphens
handled by `hyphenation.join_at_line_end`). A paragraph may continue from one column into the
next when the first ends mid-sentence and the second starts in lower case.

This runs on every line of every page, so the loop is written for speed: plain locals, no
per-line helper calls on the common path.
"""
from __future__ import annotations

import re
from collections import defaultdict

from policyscope.ingest.layout.columns import Flow
from policyscope.ingest.layout.hyphenation import join_at_line_end
from policyscope.ingest.layout.lines import Block, Line
from policyscope.ingest.layout.spacing import PENDING_HYPHEN

BULLET_START = re.compile(r"^(?:[•●○◦▪■□‣⁃∙·❖➢✓✔❱►▶\u2013\u2014\-*]\s|\(?[0-9]{1,2}[.)]\s|\(?[a-z]\)\s|\(?[ivx]{1,4}\)\s)")
BULLET_LEADS = "(0123456789-–—*abcdefghiv"  # first characters BULLET_START can match (a cheap test first)
SYMBOL_BULLETS = "•●○◦▪■□‣⁃∙·❖➢✓✔❱►▶\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf06c"  # incl. Symbol/Wingdings private-use
SENTENCE_END = ".!?:;"
CLOSERS = "\"'”’)]"
HYPHENS = "-\u00ad\u2010\u2011" + PENDING_HYPHEN
# Line ends that need more than a plain space to join (see hyphenation.join_at_line_end).
_SPECIAL_END = re.compile("[-–—/@_=?&%#~.\u00ad\u2010\u2011" + PENDING_HYPHEN + "]\n")


def ends_sentence(text: str) -> bool:
    t = text.rstrip(CLOSERS)
    return bool(t) and t[-1] in SENTENCE_END


def page_pitches(flows: list[Flow]) -> dict[int, float]:
    """The usual step from one line's top to the next one's, per font size (half-point buckets)."""
    pitches: defaultdict[int, list[float]] = defaultdict(list)
    for flow in flows:
        lines = flow.lines
        for a, b in zip(lines, lines[1:]):
            size = a.size
            if -0.05 * size < size - b.size < 0.05 * size:
                pitch = a.last_top - b.top
                if 0.8 * size < pitch < 2.5 * size:
                    pitches[int(size * 2 + 0.5)].append(pitch)
    # The lower quartile: on a page of spaced-out list items most steps include the extra space.
    usual = {k: sorted(v)[len(v) // 4] for k, v in pitches.items()}
    # Sizes measured from different letters differ a little: a bucket also takes its neighbours'.
    expected: dict[int, float] = {}
    for k, v in usual.items():
        for j in (k - 1, k, k + 1):
            if v < expected.get(j, 1e9):
                expected[j] = v
    return expected


def flow_edges(lines: list[Line]) -> tuple[float, float]:
    """Left edge (the x0 most lines share) and right edge of a flow."""
    seen: set[int] = set()
    repeated: list[int] = []
    right = 0.0
    for ln in lines:
        k = int(ln.x0 + 0.5)
        if k in seen:
            repeated.append(k)
        seen.add(k)
        if ln.x1 > right:
            right = ln.x1
    left = float(min(repeated)) if repeated else min(ln.x0 for ln in lines)
    return left, right


def starts_new_paragraph(prev: Line, cur: Line, nxt: Line | None, pitches: dict[int, float], left: float,
                         right: float) -> bool:
    """Does `cur` (the next line of the same flow) begin a new paragraph? `nxt` is the line after it."""
    size, prev_size = cur.size, prev.size
    if abs(prev_size - size) > 0.08 * (prev_size if prev_size > size else size):
        return True  # font size changes: heading, caption, quote
    pitch = prev.last_top - cur.top
    expected = pitches.get(int(size * 2 + 0.5), 1.3 * size)
    if pitch < 0.5 * size or pitch > 1.1 * expected + 0.3:
        return True  # extra space above, or a jump up/back (another text box)
    text, prev_text = cur.text, prev.text
    if text[0] in SYMBOL_BULLETS or (text[0] in BULLET_LEADS and BULLET_START.match(text) and ends_sentence(prev_text)):
        return True
    if prev_text[-1] in HYPHENS:
        return False  # a word goes on
    x0 = cur.x0
    if prev.x0 + 0.5 * size < x0 < left + 5 * size and x0 > left + 0.5 * size \
            and not (prev_text[0] in SYMBOL_BULLETS or BULLET_START.match(prev_text)) \
            and not (nxt is not None and abs(nxt.x0 - x0) < 0.3 * size and not ends_sentence(text)):
        return True  # first-line indent (not a hanging indent: after a bullet, or lines staying indented)
    if prev.x1 < right - max(2.5 * prev_size, 0.12 * (right - left)) and ends_sentence(prev_text):
        return True  # the previous line stops short after a full stop
    return False


def continues_across(prev: Line, cur: Line) -> bool:
    """Does `cur`, first line of a new column, carry on the paragraph `prev` ended in?"""
    if abs(prev.size - cur.size) > 0.08 * max(prev.size, cur.size):
        return False
    if prev.text.endswith(("-", PENDING_HYPHEN)):
        return True
    return not ends_sentence(prev.text) and cur.text[:1].islower()


def join_lines(parts: list[str]) -> str:
    """One paragraph's lines as running text."""
    if len(parts) == 1:
        return parts[0]
    joined = "\n".join(parts)
    if not _SPECIAL_END.search(joined):
        return joined.replace("\n", " ")
    text = parts[0]
    for nxt in parts[1:]:
        text = join_at_line_end(text, nxt)
    return text


def build_blocks(flows: list[Flow]) -> list[Block]:
    """Paragraph blocks of a page in reading order, lines joined with single spaces."""
    pitches = page_pitches(flows)
    blocks: list[Block] = []
    parts: list[str] = []  # the open paragraph's line texts; its box is x0, x1, top, bottom
    first = prev = None
    x0 = x1 = top = bottom = 0.0
    kind = prev_kind = ""
    for flow in flows:
        lines = flow.lines
        left, right = flow_edges(lines)
        # Only column text runs on into the next column; margin furniture never joins a paragraph.
        may_continue = flow.kind == "column" and prev_kind == "column"
        if parts and flow.kind != kind:
            blocks.append(_paragraph(parts, x0, x1, top, bottom, first, kind))
            parts = []
        prev_kind = kind = flow.kind
        last = len(lines) - 1
        for i, cur in enumerate(lines):
            if parts:
                if i > 0:
                    # Same row, to the right: a superscript or a run pdfium cut off (join on the row).
                    # (The usual next line starts below this row's bottom: one comparison rules it out.)
                    small = prev.size if prev.size < cur.size else cur.size
                    if cur.top > prev.bottom + 0.5 * small and cur.x0 >= prev.x1 - 0.5 * small \
                            and min(prev.last_top, cur.top) - max(prev.bottom, cur.bottom) > 0.5 * small:
                        tight = cur.x0 - prev.x1 < 0.15 * cur.size or cur.text[0] in ",.;:)]’”"
                        parts[-1] += ("" if tight else " ") + cur.text
                        x1, bottom = max(x1, cur.x1), min(bottom, cur.bottom)
                        prev = Line(parts[-1], prev.x0, max(prev.x1, cur.x1), prev.top, min(prev.bottom, cur.bottom),
                                    max(prev.size, cur.size), prev.raw_line, prev.last_top)
                        continue
                    new = starts_new_paragraph(prev, cur, lines[i + 1] if i < last else None, pitches, left, right)
                else:
                    new = not (may_continue and continues_across(prev, cur))
                if not new:
                    parts.append(cur.text)
                    if cur.x0 < x0:
                        x0 = cur.x0
                    if cur.x1 > x1:
                        x1 = cur.x1
                    if cur.bottom < bottom:
                        bottom = cur.bottom
                    prev = cur
                    continue
                blocks.append(_paragraph(parts, x0, x1, top, bottom, first, kind))
            parts = [cur.text]
            x0, x1, top, bottom = cur.x0, cur.x1, cur.top, cur.bottom
            first = prev = cur
    if parts:
        blocks.append(_paragraph(parts, x0, x1, top, bottom, first, kind))
    return blocks


def _paragraph(parts: list[str], x0: float, x1: float, top: float, bottom: float, first: Line, kind: str) -> Block:
    """The block of one paragraph: its lines' texts joined, its box, the size and line number of
    its first line; margin furniture keeps its kind."""
    return Block(join_lines(parts), x0, x1, top, bottom, first.size, first.raw_line,
                 "margin" if kind == "margin" else "text")
