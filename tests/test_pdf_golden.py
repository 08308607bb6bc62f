"""Golden excerpts of real pages (pdf-torture corpus, read in place from ../shared): reading order
of multi-column pages, paragraphs, ligatures.

A golden file holds one line per paragraph of the cleaned page text: its first HEAD characters.
That pins the reading order and the paragraph breaks while staying small. After a deliberate
change, rewrite them with POLICYSCOPE_REGEN_GOLDEN=1 and review the diff.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from policyscope.ingest.pdf import extract_pages, finish_pages

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
GOLDEN = Path(__file__).resolve().parent / "golden" / "pdf"
HEAD = 40
CASES = [  # (file in pdf-torture, page, golden name, whole text instead of paragraph heads)
    ("latex-multicolumn.pdf", 1, "latex-multicolumn.p1.txt", False),
    ("federal-register-3col.pdf", 1, "federal-register-3col.p1.txt", False),
    ("tracemonkey-2col-paper.pdf", 1, "tracemonkey-2col-paper.p1.txt", False),
    ("ligatures-copy-paste.pdf", 1, "ligatures-copy-paste.p1.txt", True),
]

pytestmark = pytest.mark.shared


def torture(name: str) -> Path:
    path = SHARED / "pdf-torture" / name
    if not path.exists():
        pytest.skip(f"../shared/corpus absent: {path} not found (the real-document corpus lives beside the repository)")
    return path


def page_text(path: Path, page_no: int) -> str:
    """The cleaned text of one page, with the document's cross-page step applied."""
    from policyscope.ingest.pdf import open_pdf_info

    n = open_pdf_info(path).n_pages
    pages = finish_pages(extract_pages(path, 1, n), "0" * 12)
    return pages[page_no - 1].text


def excerpt(text: str, whole: bool) -> str:
    if whole:
        return text + "\n"
    return "".join(p[:HEAD].rstrip() + "\n" for p in text.split("\n\n"))


@pytest.mark.parametrize("name, page_no, golden, whole", CASES)
def test_page_matches_golden(name, page_no, golden, whole):
    got = excerpt(page_text(torture(name), page_no), whole)
    path = GOLDEN / golden
    if os.environ.get("POLICYSCOPE_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with POLICYSCOPE_REGEN_GOLDEN=1 and review it"
    assert len(path.read_bytes()) < 2048, "golden excerpts stay small"
    assert got == path.read_text(encoding="utf-8")


def test_three_column_reading_order():
    text = page_text(torture("federal-register-3col.pdf"), 1)
    # Column 1 ends with the SUMMARY, column 2 starts with the comment methods, column 3 with 'Comments Invited'.
    assert text.index("SUMMARY: The FAA proposes") < text.index("Federal eRulemaking Portal") < text.index("Comments Invited")
    assert "the proposed issuance of rules" in text  # the box at the top of column 1, lines joined
    assert "Soekarno-Hatta" in text  # hyphen at the page's last line, word carried back from page 2
    for furniture in ("VerDate", "jbell on", "47698"):
        assert furniture not in text


def test_two_column_reading_order_and_dehyphenation():
    text = page_text(torture("latex-multicolumn.pdf"), 1)
    assert "Donec nonummy pellentesque ante" in text  # a paragraph running on from column 1 into column 2
    assert "adipiscing elit" in text and "consectetuer" in text  # hyphenated at line ends in the PDF
    text = page_text(torture("tracemonkey-2col-paper.pdf"), 1)
    assert "more difficult to compile than statically typed ones" in text
    assert text.index("1. Introduction") < text.index("and is used for the application logic")  # left column first


def test_ligatures_map_back_to_letters():
    assert page_text(torture("ligatures-copy-paste.pdf"), 1) == "abcdeffffiflffifflststghijklmno"
