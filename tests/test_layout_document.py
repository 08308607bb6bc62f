"""The cross-page step: furniture out, hyphens decided with the document's words, sections
(layout/document.py), on hand-made page drafts."""
from __future__ import annotations

from policyscope.ingest.layout.document import finish_document
from policyscope.ingest.layout.lines import Block
from policyscope.ingest.layout.page import PageDraft
from policyscope.ingest.layout.spacing import PENDING_HYPHEN as MARK
from policyscope.model import CleanupAction

H = 842.0


def draft(page_no: int, *texts: str) -> PageDraft:
    blocks = [Block(f"Running head of the journal {170 + page_no}", 72, 520, 800, 790, 9, 1)]
    blocks += [Block(t, 72, 520, 700 - 60 * i, 650 - 60 * i, 10, 2 + i) for i, t in enumerate(texts)]
    blocks.append(Block(str(170 + page_no), 290, 310, 40, 30, 9, 20))
    return PageDraft(page_no, "raw", tuple(blocks), (CleanupAction("columns", "1 gutter"),), 595, H, 500)


def test_finish_document():
    drafts = [
        draft(2, "Care and integration of services matter.", f"More person{MARK}centred support and the integ-"),
        draft(1, "Integration is hard; person-centred care is harder.", f"The integ{MARK}ration of health and care."),
        draft(3, "ration of care with health.", "References", "Allen, K. (2022) Personalisation."),
    ]
    pages = finish_document(drafts, "abcdefabcdef")
    assert [p.page_no for p in pages] == [1, 2, 3] and all(p.doc_id == "abcdefabcdef" for p in pages)
    assert pages[0].text == ("Integration is hard; person-centred care is harder.\n\n"
                             "The integration of health and care.")
    # A word hyphenated across the page break goes back to page 2; its hyphen is decided with the document's words.
    assert pages[1].text.endswith("More person-centred support and the integration")
    assert pages[2].text.startswith("of care with health.")
    kinds = [a.kind for a in pages[1].cleanup]
    assert kinds[0] == "columns" and "header" in kinds and "page_number" in kinds and "dehyphenated" in kinds
    assert pages[2].section == "body"
    refs = [s for s in pages[2].section_spans if s[2] == "references"]
    assert refs and pages[2].text[refs[0][0]:].startswith("References")
