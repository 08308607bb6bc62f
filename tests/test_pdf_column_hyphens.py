"""Line-end hyphens inside the columns of multi-column pages, on typeset PDFs with known breaks.

The PDFs are typeset at test time (tests/typeset_columns.py: reportlab + pyphen, the dev extra)
from a demo-corpus text, in two and three columns, justified and ragged, with their content
stream in column order and in row order (the first line of every column, then the second...: the
layout that pdfium reads as one line across the gutter, which hid the columns and left
'communi- ties' pieces). Every break the typesetter made is known, so each one is checked.

A fragment is a piece of a split word left in the text: 'communi- ties', 'communi ties', or
'communi-ties' where a part is no English word. The other kind of miss, a real word joined or
kept against the source's spelling ('heart-breaking' set as 'heartbreaking'), is no fragment;
the word-bigram F1 against the source text counts it.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from policyscope.ingest.layout.english_words import english_words
from policyscope.ingest.pdf import read_pdf
from tests.test_pdf_fidelity import bigram_f1
from tests.typeset_columns import Layout, typeset_columns

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "corpus" / "2014-routledge-et-al-personalisation-give-up-or-move-on.txt"
COMPOUNDS = ("well-being", "co-production", "joined-up")
EXTRA = [  # the compounds the issue names, often enough to end lines in every column
    "Joined-up services promote well-being through co-production with the people who use them, and "
    "joined-up commissioning sustains well-being and co-production over the long term.",
    "Co-production is not a slogan: joined-up budgets, well-being boards and co-production with carers "
    "make joined-up care real, and well-being follows.",
    "What matters to people is their well-being, and services that put well-being first are joined-up ones.",
] * 3
LAYOUTS = {
    "2col": Layout(columns=2, prefer=COMPOUNDS),
    "3col": Layout(columns=3, size=9, leading=11, gutter=12, prefer=COMPOUNDS),
    "2col-rows": Layout(columns=2, order="rows", prefer=COMPOUNDS),
    "3col-rows-ragged": Layout(columns=3, order="rows", justify=False, font="Helvetica", size=8.5, leading=10,
                               gutter=9, prefer=COMPOUNDS),
    "2col-rows-soft-hyphen": Layout(columns=2, order="rows", hyphen="\u00ad", gutter=10, prefer=COMPOUNDS),
}


def paragraphs() -> list[str]:
    if not SOURCE.exists():
        pytest.skip(f"{SOURCE} is absent (the bundled demo corpus)")
    text = SOURCE.read_text(encoding="utf-8")
    paras = [" ".join(p.split()) for p in text.split("\n\n") if len(p) > 300]
    step = len(paras) // len(EXTRA)
    for i, extra in enumerate(EXTRA):  # spread through the document, so they fall in every column
        paras.insert(1 + i * (step + 1), extra)
    return paras


@pytest.fixture(scope="module")
def typeset(tmp_path_factory):
    pytest.importorskip("reportlab", reason="the dev extra (reportlab) typesets the test PDFs")
    pytest.importorskip("pyphen", reason="the dev extra (pyphen) hyphenates the test PDFs")
    folder = tmp_path_factory.mktemp("columns")
    out = {}
    paras = paragraphs()
    for name, layout in LAYOUTS.items():
        pdf = folder / f"{name}.pdf"
        out[name] = (typeset_columns(paras, pdf, layout), read_pdf(pdf))
    return out


def whole_text(doc) -> str:
    return "\n\n".join(p.text for p in doc.pages)


def fragments(text: str, breaks) -> list[str]:
    words = english_words().common
    found = []
    for b in breaks:
        left, right = re.escape(b.left), re.escape(b.right)
        for pattern in (rf"\b{left}-\s+{right}\b", rf"\b{left}\s+{right}\b"):
            if (m := re.search(pattern, text)) and not (b.left.lower() in words and b.right.lower() in words):
                found.append(m.group(0))
        if not b.compound and (b.left.lower() not in words or b.right.lower() not in words):
            if m := re.search(rf"\b{left}-{right}\b", text):
                found.append(m.group(0))
    return found


def test_the_test_pdfs_break_words_in_every_column(typeset):
    for name, (ts, _) in typeset.items():
        columns = LAYOUTS[name].columns
        assert {b.column for b in ts.breaks if not b.compound} == set(range(columns)), name
        for compound in COMPOUNDS:
            assert {b.column for b in ts.breaks if b.word.lower() == compound} >= {0, 1}, (name, compound)
        assert any(b.column_foot for b in ts.breaks), f"{name}: no word broken from one column into the next"


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_columns_are_read_in_order(typeset, name):
    ts, doc = typeset[name]
    columns = LAYOUTS[name].columns
    for page in doc.pages[:-1]:  # the last page may hold one column only
        found = [a.text for a in page.cleanup if a.kind == "columns"]
        assert any(t.startswith(f"{columns} columns read left to right") for t in found), (page.page_no, found)
        if LAYOUTS[name].order == "rows":
            assert any("drawn row by row" in t for t in found), (page.page_no, found)


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_no_fragments_and_bigram_f1(typeset, name):
    ts, doc = typeset[name]
    text = whole_text(doc)
    assert fragments(text, ts.breaks) == []
    assert "\ufffe" not in text and "\u00ad" not in text
    f1 = bigram_f1(text, ts.truth)
    assert f1 >= 0.99, f"{name}: word-bigram F1 {f1:.4f} < 0.99"


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_compounds_keep_their_hyphen(typeset, name):
    ts, doc = typeset[name]
    logged = [a.text for p in doc.pages for a in p.cleanup if a.kind == "dehyphenated"]
    for b in ts.breaks:
        if b.word.lower() in COMPOUNDS:
            site = f"{b.left}-{b.right}"
            assert f"{site} -> {site}" in logged, f"{name}: {site} at a line end on page {b.page} not kept"
    text, truth = whole_text(doc).lower(), ts.truth.lower()
    for compound in COMPOUNDS:
        assert text.count(compound) == truth.count(compound), compound


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_every_line_end_hyphen_is_logged_on_its_page(typeset, name):
    ts, doc = typeset[name]
    for b in ts.breaks:
        page = doc.pages[b.page - 1]
        logged = [a.text for a in page.cleanup if a.kind == "dehyphenated"]
        assert any(t.startswith(f"{b.left}-{b.right} -> ") for t in logged), \
            f"{name}: break {b.left}-|{b.right} (page {b.page}, column {b.column + 1}) not in the page's clean-up log"


def test_pdfplumber_reads_the_row_ordered_columns_too(tmp_path):
    # Bullets out: pdfminer reads the standard fonts' bullet glyph as '(cid:127)', another matter.
    paras = [p.replace("•", ";") for p in paragraphs()]
    pdf = tmp_path / "rows.pdf"
    ts = typeset_columns(paras, pdf, LAYOUTS["2col-rows"])
    doc = read_pdf(pdf, extractor="pdfplumber")
    text = whole_text(doc)
    assert fragments(text, ts.breaks) == []
    assert bigram_f1(text, ts.truth) >= 0.99


def test_one_column_pages_are_left_as_they_were(typeset, tmp_path):
    """The row-by-row check looks at one-column pages (they are made of wide lines) and changes nothing."""
    paras = paragraphs()[:6]
    pdf = tmp_path / "one.pdf"
    ts = typeset_columns(paras, pdf, Layout(columns=1))
    doc = read_pdf(pdf)
    assert not any(a.kind == "columns" for p in doc.pages for a in p.cleanup)
    assert fragments(whole_text(doc), ts.breaks) == []
    assert bigram_f1(whole_text(doc), ts.truth) >= 0.99
