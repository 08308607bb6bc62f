"""The cross-page step for one document: drafts → `Page` records.

Drops page furniture found across pages (running.py), carries a word hyphenated across a page
break back to its page, decides every line-end hyphen with the document's own words
(hyphenation.py), assembles the page text (paragraphs separated by a blank line) and flags
front matter and references (sections.py). String work only: it runs in the main process.
"""
from __future__ import annotations

import re

from policyscope.ingest.layout.hyphenation import resolve_hyphens
from policyscope.ingest.layout.lines import Block
from policyscope.ingest.layout.page import PARAGRAPH_BREAK, PageDraft
from policyscope.ingest.layout.running import find_furniture
from policyscope.ingest.layout.sections import flag_sections
from policyscope.ingest.layout.spacing import PENDING_HYPHEN, PENDING_SPACE, resolve_spaces
from policyscope.ingest.layout.vocabulary import Vocabulary
from policyscope.model import CleanupAction, Page

_TRAILING_HYPHEN = re.compile(r"([^\W\d_]+)[-" + PENDING_HYPHEN + r"]$")
_LEADING_WORD = re.compile(r"^([^\W\d_]+)([,.;:!?)’”'\"]*)(?:\s+|$)")


def finish_document(drafts: list[PageDraft], doc_id: str) -> list[Page]:
    """All drafts of one document (any order, any chunking) → its Pages, in page order."""
    drafts = sorted(drafts, key=lambda d: d.page_no)
    pages = [list(d.blocks) for d in drafts]
    logs: list[list[CleanupAction]] = [list(d.cleanup) for d in drafts]

    for f in reversed(find_furniture(pages, [d.height for d in drafts])):
        block = pages[f.page].pop(f.block)
        logs[f.page].append(CleanupAction(f.kind, block.text, block.line))

    _join_across_pages(pages, logs)

    texts = [PARAGRAPH_BREAK.join(b.text for b in blocks) for blocks in pages]
    pending_hyphens = any(PENDING_HYPHEN in t for t in texts)
    pending_spaces = any(PENDING_SPACE in t for t in texts)
    if pending_hyphens or pending_spaces:
        vocab = Vocabulary.from_texts(texts)
        for n, text in enumerate(texts):
            if pending_hyphens and PENDING_HYPHEN in text:
                text, decisions = resolve_hyphens(text, vocab)
                logs[n].extend(CleanupAction("dehyphenated", d) for d in decisions)
            if pending_spaces and PENDING_SPACE in text:
                text, decisions = resolve_spaces(text, vocab)
                logs[n].extend(CleanupAction("run_together", d) for d in decisions)
            texts[n] = text
    paragraphs = [t.split(PARAGRAPH_BREAK) if t else [] for t in texts]  # a paragraph never holds a blank line

    flags = flag_sections(paragraphs)
    out = []
    for d, text, paras, log, (section, para_flags) in zip(drafts, texts, paragraphs, logs, flags):
        spans = _spans(paras, para_flags)
        out.append(Page(doc_id=doc_id, page_no=d.page_no, raw_text=d.raw_text, text=text,
                        cleanup=tuple(log), section=section, section_spans=spans))
    return out


def _join_across_pages(pages: list[list[Block]], logs: list[list[CleanupAction]]) -> None:
    """'…integ-' at the end of a page + 'ration of care…' on the next: the word goes back to its page."""
    for n in range(len(pages) - 1):
        ends = [i for i, b in enumerate(pages[n]) if b.kind == "text"]
        starts = [i for i, b in enumerate(pages[n + 1]) if b.kind == "text"]
        if not ends or not starts:
            continue
        i_last, i_first = ends[-1], starts[0]
        last, first = pages[n][i_last], pages[n + 1][i_first]
        if not last.text.endswith(("-", PENDING_HYPHEN)):
            continue
        head = _TRAILING_HYPHEN.search(last.text, max(0, len(last.text) - 40))
        tail = _LEADING_WORD.match(first.text)
        if not head or not tail:
            continue
        word_end = tail.group(1) + tail.group(2)
        pages[n][i_last] = _with_text(last, last.text[:-1] + PENDING_HYPHEN + word_end)
        rest = first.text[tail.end():]
        if rest:
            pages[n + 1][i_first] = _with_text(first, rest)
        else:
            pages[n + 1].pop(i_first)
        logs[n].append(CleanupAction("dehyphenated", f"{head.group(1)}- | {tail.group(1)} (word carried over from the next page)"))


def _with_text(block: Block, text: str) -> Block:
    return Block(text, block.x0, block.x1, block.top, block.bottom, block.size, block.line, block.kind)


def _spans(paragraphs: list[str], para_flags: list[tuple[int, str]]) -> tuple[tuple[int, int, str], ...]:
    """Paragraph-level section flags → (char_start, char_end, section) ranges of the page text, merged."""
    if not para_flags:
        return ()
    starts, pos = [], 0
    for p in paragraphs:
        starts.append(pos)
        pos += len(p) + len(PARAGRAPH_BREAK)
    spans: list[list] = []
    for i, section in para_flags:
        s, e = starts[i], starts[i] + len(paragraphs[i])
        if spans and spans[-1][2] == section and spans[-1][1] + len(PARAGRAPH_BREAK) == s:
            spans[-1][1] = e
        else:
            spans.append([s, e, section])
    return tuple((s, e, sec) for s, e, sec in spans)
