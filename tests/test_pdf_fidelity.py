"""Fidelity on the two typeset demo articles: what comes out of the PDF body vs the golden text.

tests/golden/<stem>.body.txt holds, one block per line, exactly what a perfect extractor should
recover from the body (everything but running headers, footers, page numbers, DOI footer).
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from policyscope.ingest.pdf import read_pdf

REPO = Path(__file__).resolve().parents[1]
DEMOS = ["2011-powell-personalisation-participation-care", "2022-allen-et-al-personalisation-integration-sps"]
TOKEN = re.compile(r"\w+(?:[’'\-]\w+)*")
# Page furniture the PDFs carry on every article page (see scripts/typeset_demo_pdfs.py).
FURNITURE = {
    DEMOS[0]: ["British Journal of Health Care Management  •  April 2011", "Personalisation, participation and care 1"],
    DEMOS[1]: ["Kerry Allen et al.", "Published online by Cambridge University Press",
               "Personalisation and Integration in Adult Social Care 1", "Social Policy & Society (2023) 22:1"],
}


def bigram_f1(predicted: str, golden: str) -> float:
    """F1 of word bigrams over the whole text (order matters; paragraph breaks do not)."""
    p_tok, g_tok = TOKEN.findall(predicted), TOKEN.findall(golden)
    p, g = Counter(zip(p_tok, p_tok[1:])), Counter(zip(g_tok, g_tok[1:]))
    overlap = sum((p & g).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def demo(stem: str) -> tuple[Path, str]:
    pdf, golden = REPO / "corpus" / f"{stem}.pdf", REPO / "tests" / "golden" / f"{stem}.body.txt"
    if not pdf.exists() or not golden.exists():
        pytest.skip(f"{pdf.name} or its golden text is absent: run scripts/typeset_demo_pdfs.py to make them")
    return pdf, golden.read_text(encoding="utf-8")


@pytest.fixture(scope="module", params=["pdfium", "pdfplumber"])
def extracted(request):
    out = {}
    for stem in DEMOS:
        pdf, golden = demo(stem)
        out[stem] = (read_pdf(pdf, extractor=request.param), golden)
    return out


@pytest.mark.parametrize("stem", DEMOS)
def test_body_text_matches_the_golden_text(extracted, stem):
    doc, golden = extracted[stem]
    text = "\n\n".join(p.text for p in doc.pages)
    f1 = bigram_f1(text, golden)
    assert f1 >= 0.99, f"{stem} ({doc.extractor}): word-bigram F1 {f1:.4f} < 0.99"


@pytest.mark.parametrize("stem", DEMOS)
def test_no_running_heads_footers_or_page_numbers_left(extracted, stem):
    doc, golden = extracted[stem]
    for page in doc.pages:
        for paragraph in page.text.split("\n\n"):
            assert not re.fullmatch(r"\d{1,4}", paragraph.strip()), f"page number left on page {page.page_no}"
            assert "doi.org/10.1017" not in paragraph or page.page_no == 1 and "doi.org" in golden
        for furniture in FURNITURE[stem]:
            assert furniture not in page.text, f"{furniture!r} left on page {page.page_no}"
        # The repository footer is body text on the cover page only.
        if stem == DEMOS[0] and page.page_no > 1:
            assert "Available at https://clock.uclan.ac.uk/5429/" not in page.text
    kinds = Counter(a.kind for p in doc.pages for a in p.cleanup)
    assert kinds["header"] >= 4 and (kinds["footer"] + kinds["doi_line"] + kinds["stamp"]) >= 4
    if stem == DEMOS[1]:
        assert kinds["page_number"] >= 1  # '172' alone at the foot of the first page


@pytest.mark.parametrize("stem", DEMOS)
def test_no_hyphen_split_fragments_left(extracted, stem):
    doc, golden = extracted[stem]
    golden_words = set(TOKEN.findall(golden.lower()))
    text = "\n\n".join(p.text for p in doc.pages)
    for m in re.finditer(r"(\w+)-\s+([a-z]\w*)", text):
        assert (m.group(1) + m.group(2)).lower() not in golden_words, f"hyphen fragment left: {m.group(0)!r}"
    for m in re.finditer(r"\b(\w+)-(\w+)\b", text):
        joined = (m.group(1) + m.group(2)).lower()
        assert not (joined in golden_words and m.group(0).lower() not in golden.lower()), f"kept a soft hyphen: {m.group(0)!r}"
    assert "\ufffe" not in text and "\ufff9" not in text


def test_sections_and_repairs_on_the_demo_articles(extracted):
    powell, _ = extracted[DEMOS[0]]
    allen, _ = extracted[DEMOS[1]]
    assert powell.pages[0].section == "front_matter"  # the repository cover page
    refs = [p for p in powell.pages if p.section == "references" or any(s[2] == "references" for s in p.section_spans)]
    assert refs and refs[-1].page_no == len(powell.pages)
    assert any(s[2] == "front_matter" for s in allen.pages[0].section_spans)  # the copyright block
    repaired = {a.text for p in allen.pages for a in p.cleanup if a.kind == "run_together"}
    assert any("andWellbeing" in r for r in repaired) and any("theCare" in r for r in repaired)
    assert "Health and Wellbeing Boards" in " ".join(p.text for p in allen.pages)
    assert allen.metadata["date"] == "2022-12-15" and "Allen" in allen.metadata["authors"]
