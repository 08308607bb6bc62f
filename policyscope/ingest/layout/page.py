"""One page: backend lines → reading order → paragraphs, as a picklable `PageDraft`.

The draft keeps its paragraphs as positioned blocks, so the cross-page step (`document.py`) can
drop running headers/footers and decide line-end hyphens with the whole document's words.
"""
from __future__ import annotations

from dataclasses import dataclass

from policyscope.ingest.layout.columns import find_gutters, reading_order
from policyscope.ingest.layout.hyphenation import resolve_hyphens
from policyscope.ingest.layout.vocabulary import Vocabulary
from policyscope.ingest.layout.lines import Block, Line
from policyscope.ingest.layout.paragraphs import build_blocks
from policyscope.ingest.layout.running import margin_line_numbers
from policyscope.ingest.layout.spacing import char_actions, needs_normalising, normalise_chars, resolve_spaces
from policyscope.model import CleanupAction

PARAGRAPH_BREAK = "\n\n"


@dataclass(frozen=True)
class PageDraft:
    """A page after extraction and per-page clean-up, before the cross-page step.

    `blocks` are the paragraphs in reading order with their boxes (PDF points, y up); their text
    may still hold U+FFFE where a line-end hyphen waits for the document-wide decision.
    `text` is the page's cleaned text on its own (hyphens decided with this page's words).
    Blocks may also hold U+FFF9 where a gap between two glyphs may or may not be a word space.
    """

    page_no: int  # 1-based, as the PDF numbers its pages
    raw_text: str  # the extractor's text, untouched
    blocks: tuple[Block, ...]
    cleanup: tuple[CleanupAction, ...]
    width: float
    height: float
    n_chars: int  # non-space characters the extractor found (text-layer test)
    image_cover: float = 0.0  # share of the page under its largest image (measured on pages with little text)

    @property
    def text(self) -> str:
        joined = PARAGRAPH_BREAK.join(b.text for b in self.blocks)
        vocab = Vocabulary.from_texts([joined])
        return resolve_spaces(resolve_hyphens(joined, vocab)[0], vocab)[0]


def build_draft(page_no: int, raw_text: str, lines: list[Line], width: float, height: float,
                actions: list[CleanupAction], image_cover: float = 0.0) -> PageDraft:
    """Order the lines (columns), group them into paragraphs, and wrap up the page."""
    numbered = margin_line_numbers(lines)
    if numbered:
        drop = {id(ln) for ln in numbered}
        lines = [ln for ln in lines if id(ln) not in drop]
        actions.append(CleanupAction("other", f"{len(numbered)} margin line numbers "
                                              f"({numbered[0].text}..{numbered[-1].text}) removed", numbered[0].raw_line))
    gutters = find_gutters(lines)
    flows = reading_order(lines, gutters, height)
    if gutters:
        actions.append(CleanupAction("columns", f"{len(gutters) + 1} columns read left to right "
                                                f"(gutters at x={', '.join(f'{(a + b) / 2:.0f}' for a, b in gutters)})"))
    blocks = build_blocks(flows)
    if needs_normalising(raw_text):  # once per paragraph, after the glyph-position repairs
        counts: dict[str, int] = {}
        blocks = [_normalised(b, counts) for b in blocks]
        actions.extend(char_actions(counts))
    n_chars = len(raw_text) - raw_text.count(" ") - raw_text.count("\r") - raw_text.count("\n")
    return PageDraft(page_no, raw_text, tuple(blocks), tuple(actions), width, height, n_chars, image_cover)


def _normalised(block: Block, counts: dict[str, int]) -> Block:
    """`block` with its characters normalised (the same block when nothing changes)."""
    text = normalise_chars(block.text, counts)
    if text == block.text:
        return block
    return Block(text, block.x0, block.x1, block.top, block.bottom, block.size, block.line, block.kind)


def empty_draft(page_no: int, raw_text: str, width: float, height: float, image_cover: float = 0.0) -> PageDraft:
    n_chars = len("".join(raw_text.split()))
    return PageDraft(page_no, raw_text, (), (), width, height, n_chars, image_cover)
