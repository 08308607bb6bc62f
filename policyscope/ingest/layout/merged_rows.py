"""Columns the backend read across: a row of two or three columns given as one text line.

Some PDFs draw their columns row by row (the first line of each column, then the second line of
each...). pdfium then gives one text line per row, running across the gutter with a made-up
space there, so the columns are never seen, the reading order interleaves them, and a word
hyphenated at the end of a column line is followed by the next column's text ('communi- ties'
pieces far apart). The gutter shows in the text rectangles of those lines: a strip of the page
that a wide gap between two rectangles of one row covers on most lines, with a column's worth of
text on both sides. This module finds such strips from rectangles alone; the backend cuts the
lines there (pdfium_lines.py), and the usual column detection and hyphen repair take over.

Rectangles are (left, bottom, right, top) in PDF points, y up.
"""
from __future__ import annotations

MIN_LINES = 6  # sampled lines that must have a gap in the strip
MIN_SHARE = 0.6  # ...and their share of the sampled lines
MIN_GAP = 0.8  # a gap counts from this many font sizes (a word space is about 0.25)
MIN_COLUMN = 10.0  # width of the text on each side of a gap, in font sizes (most table cells are narrower)

Rect = tuple[float, float, float, float]


def same_row(a: Rect, b: Rect) -> bool:
    """Do two rectangles share a row (their heights overlap)? A superscript overlaps its row."""
    return a[1] < b[3] and b[1] < a[3]


def row_gaps(rects: list[Rect], size: float) -> list[tuple[float, float, float, float]]:
    """(gap left, gap right, width of the text just left of it, just right of it) for every gap of
    at least MIN_GAP font sizes between consecutive rectangles of one row. The text beside a gap
    runs to the row's end or its next such gap: a column's line, or a table cell."""
    out = []
    row_start = 0
    for i in range(1, len(rects) + 1):
        if i < len(rects) and same_row(rects[i - 1], rects[i]):
            continue
        row = rects[row_start:i]  # one row, in the backend's order
        at = [k for k in range(1, len(row)) if row[k][0] - row[k - 1][2] >= MIN_GAP * size]
        bounds = [0] + at + [len(row)]
        for j, k in enumerate(at):
            left = row[bounds[j]:k]
            right = row[k:bounds[j + 2]]
            out.append((row[k - 1][2], row[k][0], max(r[2] for r in left) - min(r[0] for r in left),
                        max(r[2] for r in right) - min(r[0] for r in right)))
        row_start = i
    return out


def lines_needed(n_sampled: int) -> int:
    """How many of the sampled lines must have a gap in a strip for it to count."""
    return max(MIN_LINES, int(MIN_SHARE * n_sampled + 0.999))


def shared_strips(gaps_per_line: list[list[tuple[float, float, float, float]]], size: float) -> list[tuple[float, float]]:
    """x-ranges that a gap covers on most lines (MIN_SHARE of them, at least MIN_LINES), with a
    column of text (MIN_COLUMN font sizes, median over those lines) on both sides.
    `gaps_per_line` holds `row_gaps` of each sampled line."""
    n = len(gaps_per_line)
    need = lines_needed(n)
    if n < need:
        return []
    events = []
    for gaps in gaps_per_line:
        for g0, g1, _, _ in gaps:
            events.append((g0, 1))
            events.append((g1, -1))
    events.sort(key=lambda e: (e[0], -e[1]))
    # Runs of x where at least `need` gaps overlap; of each run, the stretch where most do (the
    # gutter proper: a ragged column's short lines open gaps further left).
    strips, depth, run, best = [], 0, False, (0, 0.0, 0.0)
    for i, (x, step) in enumerate(events):
        depth += step
        if step > 0 and depth >= need:
            run = True
            if depth > best[0]:
                best = (depth, x, events[i + 1][0])
            elif depth == best[0] and x == best[2]:
                best = (depth, best[1], events[i + 1][0])
        elif step < 0 and depth < need and run:
            if best[2] > best[1]:
                strips.append((best[1], best[2]))
            run, best = False, (0, 0.0, 0.0)
    return [s for s in strips if _columns_beside(s, gaps_per_line, size)]


def _columns_beside(strip: tuple[float, float], gaps_per_line, size: float) -> bool:
    lefts, rights = [], []
    for gaps in gaps_per_line:
        for g0, g1, left_text, right_text in gaps:
            if g0 < strip[1] and g1 > strip[0]:
                lefts.append(left_text)
                rights.append(right_text)
                break
    if not lefts:
        return False
    lefts.sort()
    rights.sort()
    return lefts[len(lefts) // 2] >= MIN_COLUMN * size and rights[len(rights) // 2] >= MIN_COLUMN * size


def cuts(rects: list[Rect], strips: list[tuple[float, float]]) -> list[int]:
    """Indexes of the rectangles a line must be cut before: after a gap that overlaps a strip, and
    where the line moves to another row (pdfium joins rows at a line-end hyphen, and a row's last
    column then runs on into the first column of the next row)."""
    out = []
    for k in range(1, len(rects)):
        a, b = rects[k - 1], rects[k]
        if not same_row(a, b):
            out.append(k)
        elif b[0] > a[2] and any(a[2] < s1 and b[0] > s0 for s0, s1 in strips):
            out.append(k)
    return out
