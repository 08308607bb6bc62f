"""The records layout clean-up works on: text lines and paragraph blocks, with positions.

Coordinates are PDF user space in points, y growing upwards (so `top > bottom`), whatever the
backend. Boxes are "loose" (font ascent to descent), so lines of one font size have one height
and the white space between two lines is comparable across the page.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Line:
    """One text line as the backend gives it (a hyphen-joined line may cover two rows)."""

    text: str
    x0: float
    x1: float
    top: float  # top of the first row
    bottom: float  # bottom of the last row
    size: float  # row height (font-size proxy)
    raw_line: int  # 1-based line number in the page's raw text, for the clean-up log
    last_top: float = 0.0  # top of the last row (== top for a one-row line)
    char_start: int = -1  # backend char index of text[0] (pdfium), for glyph probes
    char_end: int = -1  # backend char index one past the last char
    vertical: bool = False  # text running up or down the page (margin stamps, rotated labels)

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph (or heading, list item, page furniture line) of cleaned text, with its box.

    Picklable and small: pages travel between processes as lists of blocks.
    """

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    line: int  # raw line number of its first line
    kind: str = "text"  # text | margin (running head/foot band or vertical text, kept out of the columns)


def median(values: list[float], default: float = 0.0) -> float:
    if not values:
        return default
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])
