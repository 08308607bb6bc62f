"""Reading order of multi-column pages from line boxes (layout/columns.py)."""
from __future__ import annotations

from policyscope.ingest.layout.columns import find_gutters, reading_order
from policyscope.ingest.layout.lines import Line


def line(text: str, x0: float, x1: float, top: float, size: float = 10.0) -> Line:
    return Line(text, x0, x1, top, top - size, size, 1, top)


def two_columns(rows: int = 12) -> list[Line]:
    """A title across the page, then two columns drawn row by row (left, right, left, right...)."""
    out = [line("A title across both columns of the page", 60, 520, 780, 16)]
    for r in range(rows):
        top = 740 - 12 * r
        out.append(line(f"left {r} text of the first column here", 60, 280, top))
        out.append(line(f"right {r} text of the second column", 300, 520, top))
    out.append(line("a footnote across the page at the bottom", 60, 520, 500))
    return out


def test_two_columns_are_read_one_after_the_other():
    lines = two_columns()
    gutters = find_gutters(lines)
    assert len(gutters) == 1 and 280 <= gutters[0][0] < gutters[0][1] <= 300
    flows = reading_order(lines, gutters, 842)
    texts = [ln.text.split()[0] for f in flows for ln in f.lines]
    assert texts == ["A"] + ["left"] * 12 + ["right"] * 12 + ["a"]
    assert [f.kind for f in flows] == ["full", "column", "column", "full"]


def test_three_columns():
    lines = [line(f"col{c} row{r} some words", 45 + 180 * c, 210 + 180 * c, 700 - 10 * r, 9) for r in range(15) for c in range(3)]
    gutters = find_gutters(lines)
    assert len(gutters) == 2
    texts = [ln.text[:4] for f in reading_order(lines, gutters, 792) for ln in f.lines]
    assert texts == ["col0"] * 15 + ["col1"] * 15 + ["col2"] * 15


def test_single_column_page_keeps_backend_order():
    lines = [line(f"line {i} of a single wide column of running text", 72, 520, 700 - 14 * i) for i in range(20)]
    lines.append(line("short last line.", 72, 160, 400))
    assert find_gutters(lines) == []
    flows = reading_order(lines, [], 842)
    assert len(flows) == 1 and flows[0].lines == lines


def test_running_head_in_the_margin_band_stays_out_of_the_columns():
    lines = two_columns()
    head = line("Personalisation, participation and care 159", 386, 547, 810, 9)
    flows = reading_order(lines + [head], find_gutters(lines + [head]), 842)
    assert flows[0].kind == "margin" and flows[0].lines == [head]


def test_vertical_margin_stamp_goes_last():
    lines = two_columns()
    stamp = Line("jbell on DSKJLSW7X2PROD with PROPOSALS", 18, 23, 124, 18, 5, 9, 124, vertical=True)
    flows = reading_order(lines + [stamp], find_gutters(lines + [stamp]), 842)
    assert flows[-1].kind == "margin" and flows[-1].lines == [stamp]
