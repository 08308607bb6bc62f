"""The pdfplumber backend: slower, high-fidelity, the same clean-up as pdfium.

pdfplumber (pdfminer.six) gives every glyph with its exact advance box, so lines and words are
built here from the glyphs themselves: a word break is a space glyph or a gap clearly wider than
the line's usual gap between letters; a gap that is only just wider, before a capital, is left for
the document's words to decide ('andWellbeing'). Letter-spaced headings come out whole.
The lines then go through the same layout clean-up as the pdfium backend (layout/page.py).
"""
from __future__ import annotations

import os

from policyscope.errors import CorruptFile, EmptyFile, EncryptedFile
from policyscope.ingest.layout.lines import Line
from policyscope.ingest.layout.page import PageDraft, build_draft, empty_draft
from policyscope.ingest.layout.spacing import PENDING_SPACE
from policyscope.model import CleanupAction

ENCRYPTED_MESSAGE = "encrypted: pass --password or a `password` manifest column"
MIN_WORD_GAP = 0.25  # points: the smallest white space between two glyphs that may be a word break


def extract_pages_plumber(path, first: int, last: int, *, password: str | None = None) -> list[PageDraft]:
    """Pages first..last (1-based, inclusive) with pdfplumber, cleaned like the pdfium backend."""
    import pdfplumber

    path = os.fspath(path)
    if os.path.getsize(path) == 0:
        raise EmptyFile("the file is empty (0 bytes)", path=path)
    try:
        pdf = pdfplumber.open(path, password=password or "")
    except Exception as exc:  # noqa: BLE001 - pdfplumber wraps every pdfminer error in one class
        cause = exc.args[0] if exc.args else exc
        if type(cause).__name__ in ("PDFPasswordIncorrect", "PDFEncryptionError"):
            raise EncryptedFile(ENCRYPTED_MESSAGE, path=path,
                                hint="the password given does not open it" if password else None) from None
        raise CorruptFile(f"cannot be parsed as PDF (pdfminer: {type(cause).__name__}: {cause})", path=path) from None
    try:
        n = len(pdf.pages)
        if not 1 <= first <= last <= n:
            raise ValueError(f"page range {first}..{last} outside 1..{n} of {path}")
        drafts = []
        for page_no in range(first, last + 1):
            page = pdf.pages[page_no - 1]
            try:
                drafts.append(_page_draft(page, page_no))
            finally:
                page.flush_cache()  # pdfplumber keeps every parsed object per page otherwise
        return drafts
    finally:
        pdf.close()


def _page_draft(page, page_no: int) -> PageDraft:
    width, height = float(page.width), float(page.height)
    chars = [c for c in page.chars if c["text"]]
    turned = _turn_upright(chars, width, height)
    if turned is not None:  # a page whose text runs up or down (rotated table): read it turned
        chars, width, height = turned, height, width
    actions: list[CleanupAction] = []
    lines: list[Line] = []
    raw_lines: list[str] = []
    for no, row in enumerate(_rows(chars), start=1):
        raw_lines.append("".join(c["text"] for c in row))
        text = _words(row)
        if text.strip():
            lines.append(_line(text.strip(), row, no, height))
    raw = "\n".join(raw_lines)
    if not lines:
        return empty_draft(page_no, raw, width, height, image_cover=_image_cover(page))
    return build_draft(page_no, raw, lines, width, height, actions,
                       image_cover=_image_cover(page) if len(raw) < 200 else 0.0)


def _image_cover(page) -> float:
    """Share of the page covered by its largest image (a scanned page is one big image)."""
    area = float(page.width) * float(page.height)
    best = 0.0
    for im in page.images:
        best = max(best, (im["x1"] - im["x0"]) * (im["bottom"] - im["top"]) / area if area else 0.0)
    return min(best, 1.0)


def _turn_upright(chars: list[dict], width: float, height: float) -> list[dict] | None:
    """Glyph boxes re-expressed so that text running down (or up) the page runs left to right.

    Only when most glyphs are not upright: then it is the page that is turned, not a margin stamp.
    """
    if not chars or sum(1 for c in chars if not c["upright"]) < 0.6 * len(chars):
        return None
    steps = sorted(b["top"] - a["top"] for a, b in zip(chars, chars[1:]) if not a["upright"] and not b["upright"])
    down = not steps or steps[len(steps) // 2] >= 0  # reading direction: towards the page bottom
    out = []
    for c in chars:
        if down:
            x0, x1, top, bottom = c["top"], c["bottom"], width - c["x1"], width - c["x0"]
        else:
            x0, x1, top, bottom = height - c["bottom"], height - c["top"], c["x0"], c["x1"]
        size = c["x1"] - c["x0"]  # across the turned line: the font's height (pdfminer's size is off here)
        out.append({**c, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "upright": True, "size": size})
    return out


def _rows(chars: list[dict]) -> list[list[dict]]:
    """Glyphs in content order cut into rows: a new row when the baseline moves or the text jumps
    back left or far right (the next column, a table cell)."""
    rows: list[list[dict]] = []
    row: list[dict] = []
    for c in chars:
        if row:
            p = row[-1]
            size = max(p["size"], c["size"], 1.0)
            if not c["upright"] and not p["upright"]:
                same = abs(c["x0"] - p["x0"]) < 0.5 * size  # vertical text: one column of glyphs
            else:
                same = (abs(c["bottom"] - p["bottom"]) < 0.5 * size or _superscript(p, c)) \
                    and -0.5 * size < c["x0"] - p["x1"] < 1.2 * size
            if not same:
                rows.append(row)
                row = []
        row.append(c)
    if row:
        rows.append(row)
    return rows


def _superscript(p: dict, c: dict) -> bool:
    """A raised or lowered small glyph next to the previous one (footnote marks, exponents)."""
    return min(p["size"], c["size"]) < 0.85 * max(p["size"], c["size"]) and c["top"] < p["bottom"] and c["bottom"] > p["top"]


def _words(row: list[dict]) -> str:
    """The row's text with a space at every word break.

    A space glyph, or a gap wider than the row's usual gap between letters by a tenth of the font
    size, is a word break (pdfminer's own rule). A smaller gap of at least MIN_WORD_GAP from a
    lower-case letter to a capital is marked PENDING_SPACE: two words set so tightly that no
    space was drawn ('and|Wellbeing'), or a kern inside a word; the document's words decide later.
    (Between two lower-case letters such gaps are mostly kerning, 'proper|ties': left alone.)
    Letter-spaced text has a wide usual gap, so only its word gaps break it.
    """
    gaps = [b["x0"] - a["x1"] for a, b in zip(row, row[1:]) if a["text"] != " " and b["text"] != " "]
    usual = max(sorted(gaps)[len(gaps) // 2], 0.0) if gaps else 0.0
    if usual >= 0.22 * row[0]["size"] and row[0]["text"] < "\u2e80":  # (CJK is set wide without spaces)
        usual = 0.0  # the glyphs stand a word space apart: one-letter words ('à À â Â'), not letter spacing
    out = [row[0]["text"]]
    for a, b in zip(row, row[1:]):
        if b["text"] != " " and a["text"] != " ":
            extra = b["x0"] - a["x1"] - usual
            if extra >= 0.1 * b["size"]:
                out.append(" ")
            elif extra >= MIN_WORD_GAP and a["text"].islower() and b["text"].isupper():
                out.append(PENDING_SPACE)
        out.append(b["text"])
    return "".join(out)


def _line(text: str, row: list[dict], no: int, height: float) -> Line:
    """A Line in PDF space (y up), sized by the last letter's font like the pdfium backend."""
    letters = [c for c in row if c["text"].isalpha()] or row
    last = letters[-1]
    top, bottom = height - last["top"], height - last["bottom"]
    x0 = min(c["x0"] for c in row)
    x1 = max(c["x1"] for c in row)
    vertical = not row[0]["upright"] and len(row) >= 4
    if vertical:
        top, bottom = height - min(c["top"] for c in row), height - max(c["bottom"] for c in row)
    size = float(last["size"]) if not vertical else x1 - x0
    return Line(text, x0, x1, top, bottom, max(size, 0.1), no, top, vertical=vertical)
