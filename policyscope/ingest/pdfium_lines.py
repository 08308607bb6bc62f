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

from policyscope.ingest.layout.lines import Line
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

    def rects(self, start: int, end: int) -> list[tuple[float, float, float, float]]:
        """(left, bottom, right, top) of the text rectangles covering text[start:end]."""
        c, tp = self.c, self.tp
        l, t, r, b = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        c0 = self.char_index(start)
        k = c.FPDFText_CountRects(tp, c0, self.char_index(end - 1) + 1 - c0)
        out = []
        for j in range(min(k, 64)):
            c.FPDFText_GetRect(tp, j, l, t, r, b)
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
        out = self._split_wide(out)
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
        cuts = []
        for a, b in zip(rects, rects[1:]):
            same_row = min(a[3], b[3]) - max(a[1], b[1]) > 0.3 * ln.size
            if same_row and b[0] - a[2] > 1.2 * ln.size:
                ci = self.c.FPDFText_GetCharIndexAtPos(self.tp, b[0] + 0.3, 0.5 * (b[1] + b[3]), 1.0, 1.0)
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
