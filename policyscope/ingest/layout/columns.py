"""Reading order of multi-column pages, from line boxes alone.

A gutter is a vertical strip that (almost) no column-width line crosses, with aligned column
text on both sides. Lines that cross a gutter (titles, headings across columns, page furniture)
are full-width: they cut the page into bands, and inside each band the columns are read left to
right, each top to bottom. Pages without a gutter keep the backend's order.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from policyscope.ingest.layout.lines import Line, median

MIN_COLUMN_LINES = 4  # lines that must start at a column's left edge for it to count


def find_gutters(lines: list[Line]) -> list[tuple[float, float]]:
    """x-ranges (left, right) of the gutters between text columns; [] for a single-column page."""
    lines = [ln for ln in lines if not ln.vertical]
    if len(lines) < 2 * MIN_COLUMN_LINES:
        return []
    left = min([ln.x0 for ln in lines])
    right = max([ln.x1 for ln in lines])
    span = right - left
    if span <= 0:
        return []
    column_width = 0.55 * span
    narrow = [ln for ln in lines if ln.x1 - ln.x0 < column_width and len(ln.text) > 2]
    # Column text dominates a multi-column page; a few short lines on a one-column page do not.
    if len(narrow) < 2 * MIN_COLUMN_LINES or \
            sum([len(ln.text) for ln in narrow]) < 0.5 * sum([len(ln.text) for ln in lines]):
        return []
    size = median([ln.size for ln in narrow], 8.0)
    tolerance = max(2, len(narrow) // 20)  # centred short lines (title block, headings) may cross a gutter
    events = sorted([(ln.x0, 1) for ln in narrow] + [(ln.x1, -1) for ln in narrow])
    gutters: list[tuple[float, float]] = []
    depth, low_since = 0, None
    for x, step in events:
        before = depth
        depth += step
        if before > tolerance >= depth:
            low_since = x
        elif before <= tolerance < depth and low_since is not None:
            if x - low_since >= 0.6 * size and left < low_since and x < right:
                gutters.append((low_since, x))
            low_since = None
    return [g for g in gutters if _is_real_gutter(g, narrow, size)]


def _is_real_gutter(gutter: tuple[float, float], narrow: list[Line], size: float) -> bool:
    """Enough lines on both sides, and an aligned left edge for the next column."""
    g0, g1 = gutter
    starts = left_side = right_side = 0
    for ln in narrow:
        if ln.x1 <= g0 + 0.5:
            left_side += 1
        elif ln.x0 >= g1 - 0.5:
            right_side += 1
            if ln.x0 - g1 < 1.5 * size:
                starts += 1
    return starts >= MIN_COLUMN_LINES and left_side >= MIN_COLUMN_LINES and right_side >= MIN_COLUMN_LINES


MARGIN_BAND = 0.08  # share of the page height at the top and bottom where running heads and feet sit


@dataclass(slots=True)
class Flow:
    """Lines read one after the other: a column of a band, full-width lines, or margin furniture."""

    lines: list[Line]
    kind: str  # column | full | margin | page (a page without columns, in the backend's order)


def margin_lines(lines: list[Line], height: float) -> set[int]:
    """ids of lines in the top/bottom bands that stand apart from the text next to them.

    A running head is followed by white space; the last line of a column reaching into the band
    is not, so it stays with its column.
    """
    out: set[int] = set()
    if not height:
        return out
    head_y, foot_y = (1 - MARGIN_BAND) * height, MARGIN_BAND * height
    # Only lines near the bands can be the text right next to a band line.
    near = [ln for ln in lines if ln.top > head_y - 3 * ln.size or ln.bottom < foot_y + 3 * ln.size]
    for ln in near:
        in_head, in_foot = ln.bottom > head_y, ln.top < foot_y
        if not (in_head or in_foot):
            continue
        close = False
        for other in near:
            if other is ln or other.x1 < ln.x0 or other.x0 > ln.x1:
                continue
            gap = ln.bottom - other.top if in_head else other.bottom - ln.top
            if 0 <= gap < 0.8 * max(ln.size, other.size):
                close = True
                break
        if not close:
            out.add(id(ln))
    return out


def reading_order(lines: list[Line], gutters: list[tuple[float, float]], height: float = 0.0) -> list[Flow]:
    """Lines grouped into flows, in reading order.

    Without gutters the whole page is one flow in the backend's order. With gutters, lines in the
    top and bottom margin bands (running heads, page numbers, footers) are kept out of the columns,
    so that a paragraph can run on from the foot of one column to the head of the next.
    """
    if not lines:
        return []
    vertical = [ln for ln in lines if ln.vertical]
    if vertical and len(vertical) <= 0.3 * len(lines):  # stamps up the margin, not a rotated page
        lines = [ln for ln in lines if not ln.vertical]
        return reading_order(lines, gutters, height) + [Flow(vertical, "margin")]
    if not gutters:
        return [Flow(lines, "page")]
    flows: list[Flow] = []
    band: defaultdict[int, list[Line]] = defaultdict(list)
    full: list[Line] = []
    margin = margin_lines(lines, height)
    marked = [ln for ln in lines if id(ln) in margin] if margin else []
    head = [ln for ln in marked if ln.bottom > 0.5 * height]
    foot = [ln for ln in marked if ln.bottom <= 0.5 * height]

    def flush_band() -> None:
        nonlocal full
        if len(band) == 1:  # one column only, e.g. the short last line of a full-width paragraph
            full.extend(next(iter(band.values())))
        elif band:
            if full:
                flows.append(Flow(full, "full"))
                full = []
            for col in sorted(band):
                flows.append(Flow(band[col], "column"))
        band.clear()

    if head:
        flows.append(Flow(sorted(head, key=lambda ln: -ln.top), "margin"))
    crossings = [(g0 - 1.0, g1 + 1.0) for g0, g1 in gutters]
    mids = [0.5 * (g0 + g1) for g0, g1 in gutters]
    body = [ln for ln in lines if id(ln) not in margin] if margin else lines
    for line in sorted(body, key=lambda ln: -ln.top):
        col = _column_of(line.x0, line.x1, crossings, mids)
        if col is None:
            flush_band()
            full.append(line)
        else:
            band[col].append(line)
    flush_band()
    if full:
        flows.append(Flow(full, "full"))
    if foot:
        flows.append(Flow(sorted(foot, key=lambda ln: -ln.top), "margin"))
    return flows


def _column_of(x0: float, x1: float, crossings: list[tuple[float, float]], mids: list[float]) -> int | None:
    """The column (0, 1, ...) a line from x0 to x1 belongs to by its centre, None when it crosses a
    gutter (starts left of (g0 - 1) and ends right of (g1 + 1), the pairs in `crossings`).
    Plain loops: this runs for every line of every column page."""
    for left, right in crossings:
        if x0 < left and x1 > right:
            return None
    centre = 0.5 * (x0 + x1)
    col = 0
    for mid in mids:
        if centre > mid:
            col += 1
    return col
