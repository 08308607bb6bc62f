"""Text lines with boxes from one pdfium text page (the pdfium backend's half of layout).

`PdfiumLines(textpage, text, actions).lines()` cuts pdfium's page text into `Line` records with
loose glyph boxes, asking pdfium for a few boxes per line and for single glyphs only where a line
needs it (letter-spaced headings, words run together, lines much wider than their characters,
rows of several columns that pdfium read as one line).
"""
from __future__ import annotations

import ctypes
import functools
import re
import struct

from policyscope.ingest.layout import merged_rows
from policyscope.ingest.layout.lines import Line, median
from policyscope.ingest.layout.spacing import (
    PENDING_HYPHEN, RUN_TOGETHER, looks_letter_spaced, respace_letters, run_together_candidates,
)
from policyscope.model import CleanupAction

class PdfiumLines:
    """Text lines with boxes from one pdfium text page.

    Per line two loose glyph boxes (font ascent to descent, advance width): the first glyph gives
    the left edge, the last letter the right edge, the row's top and bottom and the font size (a
    letter in the line's own font, not a bold run-in label, bullet or footnote mark). A line
    pdfium joined at line-end hyphens (several rows) costs two more boxes per row only when its
    rows do not step down one by one. Everything else is looked at only where the text or the
    boxes ask for it: letter-spaced lines, lower/upper-case joins, lines much wider than their
    characters (two columns or table cells on one baseline).
    """

    def __init__(self, textpage, text: str, actions: list[CleanupAction]):
        import pypdfium2.raw as c

        self.c = c
        self.tp = getattr(textpage, "raw", textpage)  # a PdfTextPage or a raw FPDF_TEXTPAGE
        self.text = text
        self.exact = c.FPDFText_CountChars(self.tp) == len(text)
        self.actions = actions
        self._box = c.FS_RECTF()
        self._box_ref = ctypes.byref(self._box)
        self._loose_box = unchecked("FPDFText_GetLooseCharBox")  # called twice per line
        self._get_rect = unchecked("FPDFText_GetRect")  # index: a C int; the four doubles by reference
        self._rect_values = tuple(ctypes.c_double() for _ in range(4))  # left, top, right, bottom
        self._rect_refs = tuple(ctypes.byref(v) for v in self._rect_values)

    # pdfium calls ---------------------------------------------------------------------------
    def char_index(self, text_index: int) -> int:
        return text_index if self.exact else self.c.FPDFText_GetCharIndexFromTextIndex(self.tp, text_index)

    def text_index(self, char_index: int) -> int:
        return char_index if self.exact else self.c.FPDFText_GetTextIndexFromCharIndex(self.tp, char_index)

    def loose(self, text_index: int) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) of a glyph's advance box; right - left is its advance width."""
        self._loose_box(self.tp, self.char_index(text_index), self._box_ref)
        left, top, right, bottom = _RECT.unpack_from(self._box)
        return left, bottom, right, top

    def rects(self, start: int, end: int, limit: int = 64) -> list[tuple[float, float, float, float]]:
        """(left, bottom, right, top) of the text rectangles covering text[start:end] (the first `limit`)."""
        l, t, r, b = self._rect_values
        refs = self._rect_refs
        get_rect = self._get_rect
        c0 = self.char_index(start)
        k = self.c.FPDFText_CountRects(self.tp, c0, self.char_index(end - 1) + 1 - c0)
        out = []
        for j in range(min(k, limit)):
            get_rect(self.tp, j, *refs)
            out.append((l.value, b.value, r.value, t.value))
        return out

    # lines ----------------------------------------------------------------------------------
    def lines(self) -> list[Line]:
        text = self.text
        loose, tp, box, box_ref = self._loose_box, self.tp, self._box, self._box_ref
        unpack = _RECT.unpack_from  # FS_RECTF: left, top, right, bottom as C floats, read in one go
        exact = self.exact
        suspicious = _suspicious_lines(text) if exact else set()  # repairs need exact char indices
        char_index = self.char_index
        out: list[Line] = []
        append = out.append
        pos = 0
        for no, seg in enumerate(text.split("\r\n"), start=1):
            body = seg.strip()
            if body:
                s0 = pos + seg.index(body[0])
                s1 = s0 + len(body)
                loose(tp, s0 if exact else char_index(s0), box_ref)
                fl, ft, fr, fb = unpack(box)
                end = s1 - 1 if body[-1].isalpha() else s0 + _last_letter(body)
                loose(tp, end if exact else char_index(end), box_ref)
                ll, lt, lr, lb = unpack(box)
                height, rise = lt - lb, abs(lt - ft)
                if rise < 0.5 * height and abs(ll - fl) >= 0.4 * rise:  # the usual case: one row
                    append(Line(body, fl, lr if lr > fr else fr, lt, lb, height if height > 0.1 else 0.1, no, lt, s0, s1))
                elif PENDING_HYPHEN not in body:
                    append(self._one_row(body, s0, s1, no, fl, fb, fr, ft, ll, lb, lr, lt))
                elif 0.5 * height < ft - lt <= 1.8 * height * body.count(PENDING_HYPHEN):
                    # Rows joined at line-end hyphens, each one line further down: no jump to look for.
                    append(Line(body, fl, lr if lr > fr else fr, ft, lb, height if height > 0.1 else 0.1, no, lt, s0, s1))
                else:
                    out.extend(self._two_rows(body, s0, s1, no, fl, fb, ft, ll, lb, lr, lt))
            pos += len(seg) + 2
        out = self._split_merged_rows(self._split_wide(out))
        if suspicious and self.exact:
            for line in out:
                if line.raw_line in suspicious and not line.vertical:
                    line.text = self._repair(line)
        return out

    def _one_row(self, body, s0, s1, no, fl, fb, fr, ft, ll, lb, lr, lt) -> Line:
        """A line whose first and last glyphs are not side by side: vertical text, or a superscript end."""
        dy, dx = abs(lt - ft), abs(ll - fl)
        if len(body) >= 4 and dy > 2.5 * dx and dy > 1.5 * (ft - fb):  # text running up/down the page
            return Line(body, min(fl, ll), max(fr, lr), max(ft, lt), min(fb, lb), max(fr - fl, lr - ll, 0.1), no,
                        max(ft, lt), s0, s1, vertical=True)
        return Line(body, fl, max(lr, fr), lt, lb, max(lt - lb, 0.1), no, lt, s0, s1)

    def _two_rows(self, body, s0, s1, no, fl, fb, ft, ll, lb, lr, lt) -> list[Line]:
        """A line pdfium joined at line-end hyphens: each mark ends a row.

        When the row after a mark is far below it (a column foot joined to the page footer) or above
        it (the head of the next column), the line is cut after that mark.
        """
        out: list[Line] = []
        start, x0, x1, top = 0, fl, 0.0, None
        mark = body.find(PENDING_HYPHEN)
        while mark >= 0 and mark + 1 < len(body):
            ml, mb, mr, mt = self.loose(s0 + mark)
            al, ab, ar, at = self.loose(s0 + mark + 1)
            height = mt - mb
            top = mt if top is None else top
            x1 = max(x1, mr)
            if mb - at > 1.0 * height or at > mt + 0.5 * height:  # not the next row down: cut here
                out.append(Line(body[start:mark + 1], x0, x1, top, mb, max(height, 0.1), no, mt,
                                s0 + start, s0 + mark + 1))
                start, x0, x1, top = mark + 1, al, 0.0, None
            mark = body.find(PENDING_HYPHEN, mark + 1)
        rest = body[start:]
        if rest.strip():
            lead = len(rest) - len(rest.lstrip())
            out.append(Line(rest.strip(), x0, max(x1, lr), lt if top is None else top, lb, max(lt - lb, 0.1), no, lt,
                            s0 + start + lead, s1))
        return out

    def _split_wide(self, lines: list[Line]) -> list[Line]:
        """Cut lines much wider than their characters (table cells, columns on one baseline) at the
        wide gaps their rects show. Width is compared per character and per point of font size."""
        if not any(ln.x1 - ln.x0 > 0.75 * ln.size * len(ln.text) + 3 * ln.size for ln in lines):
            return lines  # nothing wider than even a wide font explains: the usual page
        ratios = sorted((ln.x1 - ln.x0) / (len(ln.text) * ln.size) for ln in lines if len(ln.text) >= 20 and not ln.vertical)
        if not ratios:
            return lines
        per_char = ratios[len(ratios) // 2]
        out = []
        for ln in lines:
            expected = per_char * ln.size * len(ln.text)
            if ln.vertical or len(ln.text) < 3 or (ln.x1 - ln.x0) - expected < max(3 * ln.size, 0.3 * expected):
                out.append(ln)
            else:
                out.extend(self._cut_at_gaps(ln))
        return out

    def _cut_at_gaps(self, ln: Line) -> list[Line]:
        rects = self.rects(ln.char_start, ln.char_end)
        before = []
        for k in range(1, len(rects)):
            a, b = rects[k - 1], rects[k]
            if min(a[3], b[3]) - max(a[1], b[1]) > 0.3 * ln.size and b[0] - a[2] > 1.2 * ln.size:
                before.append(k)
        return self._cut_before(ln, rects, before)

    def _cut_before(self, ln: Line, rects: list[tuple[float, float, float, float]], before: list[int]) -> list[Line]:
        """`ln` cut into pieces before each of the rects `before` (indexes into `rects`, the line's
        text rectangles); each piece gets its own box from its first glyph and last letter."""
        cuts = []
        for k in before:
            b = rects[k]  # its first glyph: a small one (a quote mark) may sit above the rect's middle
            ci = self.c.FPDFText_GetCharIndexAtPos(self.tp, b[0] + 0.3, 0.5 * (b[1] + b[3]), 1.0, 0.5 * (b[3] - b[1]))
            if ci >= 0:
                cuts.append(self.text_index(ci) - ln.char_start)
        pieces, start = [], 0
        for cut in sorted(c for c in set(cuts) if 0 < c < len(ln.text)) + [len(ln.text)]:
            piece = ln.text[start:cut]
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if piece:
                s0 = ln.char_start + start + lead
                fl, fb, fr, ft = self.loose(s0)
                k = _last_letter(piece)
                ll, lb, lr, lt = self.loose(s0 + k)
                pieces.append(Line(piece, fl, max(lr, fr), lt, lb, max(lt - lb, 0.1), ln.raw_line, lt, s0, s0 + len(piece)))
            start = cut
        return pieces or [ln]

    def _split_merged_rows(self, lines: list[Line]) -> list[Line]:
        """Cut lines that run across the columns of a page drawn row by row (layout/merged_rows.py).

        Asked only of pages whose text is mostly in lines as wide as the page, which is every
        one-column page: a sample of MERGED_SAMPLE of those lines costs one rectangle query each,
        and the rest is looked at only when the sample shows a gutter.
        """
        flat = [ln for ln in lines if not ln.vertical]
        if len(flat) < 2 * merged_rows.MIN_LINES:
            return lines
        left, right = min(ln.x0 for ln in flat), max(ln.x1 for ln in flat)
        wide = [ln for ln in flat if ln.x1 - ln.x0 > 0.6 * (right - left)]
        if len(wide) < merged_rows.MIN_LINES or 2 * sum(len(ln.text) for ln in wide) < sum(len(ln.text) for ln in flat):
            return lines
        step = len(wide) / MERGED_SAMPLE
        sample = wide if step <= 1 else [wide[int(i * step)] for i in range(MERGED_SAMPLE)]
        # Most lines of a gutter page have a gap in it: stop as soon as too many have none.
        may_miss = len(sample) - merged_rows.lines_needed(len(sample))
        gaps = []
        for ln in sample:
            found = merged_rows.row_gaps(self.rects(ln.char_start, ln.char_end), ln.size)
            if not found:
                may_miss -= 1
                if may_miss < 0:
                    return lines
            gaps.append(found)
        strips = merged_rows.shared_strips(gaps, median([ln.size for ln in sample], 8.0))
        if not strips:
            return lines
        out: list[Line] = []
        n_cut = 0
        for ln in lines:
            # A line crosses a gutter, or holds several rows (joined at a line-end hyphen), which may
            # start in one column and go on in another.
            if ln.vertical or not (ln.top - ln.last_top > 0.5 * ln.size
                                   or any(ln.x0 < s0 and ln.x1 > s1 for s0, s1 in strips)):
                out.append(ln)
                continue
            rects = self.rects(ln.char_start, ln.char_end, limit=512)
            pieces = self._cut_before(ln, rects, merged_rows.cuts(rects, strips))
            n_cut += len(pieces) > 1
            out.extend(pieces)
        if n_cut:
            at = ", ".join(f"{(s0 + s1) / 2:.0f}" for s0, s1 in strips)
            self.actions.append(CleanupAction("columns", f"{n_cut} lines ran across {len(strips) + 1} columns "
                                                         f"(drawn row by row): cut at the gutters (x={at})"))
        return out

    # repairs that need glyph positions -----------------------------------------------------
    def _repair(self, line: Line) -> str:
        text = line.text
        if looks_letter_spaced(text):
            fixed = self._respace(line)
            if fixed and fixed != text:
                self.actions.append(CleanupAction("letterspacing", f"{text} -> {fixed}", line.raw_line))
            return fixed or text
        return self._split_run_together(line)

    def _respace(self, line: Line) -> str:
        """Rebuild a letter-spaced line from glyph advance boxes: wide gaps are word breaks.

        Only when pdfium made the spaces up (wide letter spacing); spaces drawn in the PDF are
        the author's ('à À â Â' stays as it is).
        """
        spaces = [k for k, ch in enumerate(line.text) if ch == " "]
        generated = sum(1 for k in spaces if self.c.FPDFText_IsGenerated(self.tp, line.char_start + k) == 1)
        if 2 * generated < len(spaces):
            return line.text
        glyphs, boxes = [], []
        for k, ch in enumerate(line.text):
            if not ch.isspace():
                glyphs.append(ch)
                boxes.append(self.loose(line.char_start + k))
        gaps = [b[0] - a[2] for a, b in zip(boxes, boxes[1:])]
        return respace_letters("".join(glyphs), gaps, line.size)

    def _split_run_together(self, line: Line) -> str:
        """'andWellbeing' → 'and Wellbeing' where the glyphs show a word gap but no space was emitted.

        A candidate (a lower-case letter followed by a capitalised word) is split when the two
        words were drawn separately (two text rects: a word typeset as one piece, like
        'JavaScript', is left alone whatever its kerning) and the gap before the capital is wider
        than the gap between the two glyphs before it.
        """
        text = line.text
        repaired = []
        for off in reversed(run_together_candidates(text)):
            if not (1 < off < len(text)) or not (_is_letter(text[off - 1]) and _is_letter(text[off])):
                continue
            if self.c.FPDFText_CountRects(self.tp, line.char_start + off - 1, 2) < 2:
                continue
            before2 = self.loose(line.char_start + off - 2)
            before = self.loose(line.char_start + off - 1)
            here = self.loose(line.char_start + off)
            gap, usual = here[0] - before[2], before[0] - before2[2]
            if gap - usual >= max(0.2, 0.02 * line.size) and gap < 0.5 * line.size:
                s = text.rfind(" ", 0, off) + 1
                e = text.find(" ", off)
                token = text[s:e if e >= 0 else len(text)]
                repaired.append(f"{token} -> {token[:off - s]} {token[off - s:]}")
                text = text[:off] + " " + text[off:]
        for fix in reversed(repaired):
            self.actions.append(CleanupAction("run_together", fix, line.raw_line))
        return text


def _suspicious_lines(text: str) -> set[int]:
    """Raw line numbers (1-based) worth a look at glyph positions: letter-spaced runs, camel joins.

    Two regex scans of the page (each a few tens of microseconds), instead of tests per line.
    """
    hits = [m.start() for m in _LETTER_SPACED.finditer(text)]
    hits += [m.start() for m in _CAMEL.finditer(text)]
    if not hits:
        return set()
    return {text.count("\r\n", 0, h) + 1 for h in hits}


_LETTER_SPACED = re.compile(r" \w \w \w ")  # a literal first char keeps the scan fast
_CAMEL = RUN_TOGETHER


_RECT = struct.Struct("4f")
MERGED_SAMPLE = 16  # wide lines of a page probed for a gutter inside them (layout/merged_rows.py)


@functools.cache
def unchecked(name: str, restype=ctypes.c_int):
    """The pdfium function `name`, called without ctypes converting its arguments: half the cost
    of a call through the typed binding. Pass ctypes objects (pointers, `byref`) and Python ints
    for C ints only; `restype` is its return type (a pointer type for a handle)."""
    import pypdfium2.raw as c

    untyped = ctypes.CFUNCTYPE(restype)(ctypes.cast(getattr(c, name), ctypes.c_void_p).value)
    untyped.argtypes = None
    return untyped


def _is_letter(ch: str) -> bool:
    """A letter that can start or end a word (not a spacing accent such as U+02C6 drawn over the next glyph)."""
    return ch.isalpha() and not "\u02b0" <= ch <= "\u02ff"


def _last_letter(text: str) -> int:
    """Offset of the last letter among the last few characters (else of the last character)."""
    for k in range(len(text) - 1, max(-1, len(text) - 12), -1):
        if text[k].isalpha():
            return k
    return len(text) - 1
