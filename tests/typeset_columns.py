"""Typeset multi-column test PDFs with known line-end hyphen breaks (reportlab + pyphen, dev extra).

`typeset_columns(paragraphs, path, layout)` sets paragraphs in N columns per page the way a
manifesto or a journal does (justified or ragged, hyphenated with pyphen's en_GB patterns, real
compound hyphens such as 'well-being' allowed to end a line, a running head and page number) and
returns what a perfect extractor should recover plus every line-end break it made, so a test can
check that each one came back as the right word.

Deterministic: the same paragraphs and layout give the same PDF bytes (no timestamps, invariant).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

TOKEN = re.compile(r"\S+")
CORE = re.compile(r"^([(‘“'\"]*)([A-Za-z]+(?:-[A-Za-z]+)*)([^A-Za-z]*)$")  # punctuation, word, punctuation


@dataclass(frozen=True)
class Layout:
    columns: int = 2
    font: str = "Times-Roman"
    size: float = 10.0
    leading: float = 12.0
    gutter: float = 18.0
    margin: float = 56.0
    justify: bool = True
    hyphen: str = "-"  # the glyph drawn at a soft line-end break ('-' or U+00AD)
    head: str = "Test Manifesto 2019"  # running head ('' for none); page numbers at the foot
    order: str = "columns"  # content-stream order: "columns" (column by column) or "rows" (row by row across columns)
    prefer: tuple[str, ...] = ()  # compounds broken at their hyphen wherever that ends a line at least half full
    page_width: float = 595.27
    page_height: float = 841.89


@dataclass(frozen=True)
class Break:
    page: int
    column: int  # 0-based
    left: str  # the word part before the line end, without its hyphen
    right: str  # the word part after it, up to its first non-letter ('as' of 'commissioner-|as-expert')
    compound: bool  # a real hyphen ('well-' + 'being'), kept in the text
    column_foot: bool  # the last line of its column: the word goes on in the next column or page

    @property
    def word(self) -> str:
        return self.left + ("-" if self.compound else "") + self.right


@dataclass
class Typeset:
    truth: str  # paragraphs, one per line
    breaks: list[Break] = field(default_factory=list)
    pages: int = 0


def _pieces(token: str, dic) -> list[tuple[str, str, bool]]:
    """Ways to break `token` at a line end: (left incl. its hyphen, right, compound), longest left first."""
    m = CORE.match(token)
    if not m:
        return []
    lead, word, tail = m.groups()
    out = []
    if "-" in word:  # a real compound breaks after its own hyphen only
        k = 0
        while (k := word.find("-", k + 1)) > 0:
            out.append((lead + word[:k + 1], word[k + 1:] + tail, True))
    elif sum(ch.isupper() for ch in word) < 2:  # like layout programs: no soft breaks in 'DPULOs', 'NHS'
        for left, right in dic.iterate(word):
            if len(left) >= 2 and len(right) >= 3:
                out.append((lead + left + "-", right + tail, False))
    return sorted(out, key=lambda p: -len(p[0]))


def _lines(words: list[str], width: float, layout: Layout, dic, widthof) -> list[tuple[list[str], tuple | None]]:
    """Greedy line breaking; a line is (its words, the break at its end or None)."""
    space = widthof(" ")
    lines: list[tuple[list[str], tuple | None]] = []
    cur: list[str] = []
    words = list(words)
    while words:
        w = words.pop(0)
        trial = cur + [w]
        room = width - widthof(" ".join(cur)) - space
        core = CORE.match(w)
        if cur and core and core.group(2) in layout.prefer and room < width / 2:
            left = core.group(1) + core.group(2)[:core.group(2).index("-") + 1]
            if widthof(left) <= room:
                lines.append((cur + [left], (left[len(core.group(1)):-1], w[len(left):], True)))
                cur = []
                words.insert(0, w[len(left):])
                continue
        if widthof(" ".join(trial)) <= width or not cur:
            cur = trial
            continue
        for left, right, compound in _pieces(w, dic):
            shown = left if compound else left[:-1] + layout.hyphen
            if widthof(shown) <= room:
                lines.append((cur + [shown], (left[:-1].lstrip("(‘“'\""), right, compound)))
                cur = []
                words.insert(0, right)
                break
        else:
            lines.append((cur, None))
            cur = [w]
    if cur:
        lines.append((cur, None))
    return lines


def typeset_columns(paragraphs: list[str], path: Path, layout: Layout = Layout()) -> Typeset:
    import pyphen
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    dic = pyphen.Pyphen(lang="en_GB")

    def widthof(s: str) -> float:
        return stringWidth(s, layout.font, layout.size)

    inner = layout.page_width - 2 * layout.margin
    col_w = (inner - (layout.columns - 1) * layout.gutter) / layout.columns
    top = layout.page_height - layout.margin - 2 * layout.leading
    bottom = layout.margin + 2 * layout.leading
    per_column = int((top - bottom) / layout.leading)

    c = canvas.Canvas(str(path), pagesize=(layout.page_width, layout.page_height), invariant=1)
    c.setTitle("Typeset column test")
    out = Typeset(truth="".join(p + "\n" for p in paragraphs))
    # Every line of every paragraph, with a blank line's worth of space between paragraphs.
    rows: list[tuple[list[str], tuple | None, bool]] = []  # words, break, last line of its paragraph
    for p in paragraphs:
        lines = _lines(TOKEN.findall(p), col_w, layout, dic, widthof)
        rows.extend((ws, br, i == len(lines) - 1) for i, (ws, br) in enumerate(lines))
        rows.append(([], None, True))
    page, column, line_no = 1, 0, 0
    placed: list[tuple[int, int, int, list[str], bool]] = []  # page, line, column, words, justified
    for words, br, last in rows:
        if not words and line_no == 0:
            continue  # no paragraph gap at the head of a column
        if line_no == per_column:
            line_no, column = 0, column + 1
            if column == layout.columns:
                page, column = page + 1, 0
            if not words:
                continue
        if words:
            placed.append((page, line_no, column, words, layout.justify and not last))
        if br:
            foot = line_no == per_column - 1
            out.breaks.append(Break(page, column, br[0], re.match(r"[A-Za-z]*", br[1]).group(0), br[2], foot))
        line_no += 1
    if layout.order == "rows":
        placed.sort(key=lambda p: p[:3])
    for n in range(1, page + 1):
        c.setFont(layout.font, layout.size)
        if layout.head:
            c.drawString(layout.margin, layout.page_height - layout.margin, layout.head)
        c.drawCentredString(layout.page_width / 2, layout.margin, str(n))
        for _, line, col, words, justify in (p for p in placed if p[0] == n):
            x = layout.margin + col * (col_w + layout.gutter)
            _draw(c, words, x, top - line * layout.leading, col_w, layout, justify, widthof)
        c.showPage()
    c.save()
    out.pages = page
    return out


def _draw(c, words: list[str], x: float, y: float, width: float, layout: Layout, justify: bool, widthof) -> None:
    if not justify or len(words) == 1:
        c.drawString(x, y, " ".join(words))
        return
    natural = sum(widthof(w) for w in words)
    gap = (width - natural) / (len(words) - 1)
    for w in words:  # word by word, like a justifying layout program
        c.drawString(x, y, w)
        x += widthof(w) + gap
