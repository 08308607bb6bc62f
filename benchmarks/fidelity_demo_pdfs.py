"""Extraction fidelity on the two typeset demo articles: word-bigram F1 of the cleaned body text
against its ground truth (tests/golden/<stem>.body.txt), per backend, with the same measure the
fidelity test asserts (>= 0.99). Baseline beside it: pypdfium2's raw page text, no clean-up.

Run:  .venv/bin/python benchmarks/fidelity_demo_pdfs.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import pypdfium2 as pdfium

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from policyscope.ingest.pdf import read_pdf  # noqa: E402
from tests.test_pdf_fidelity import DEMOS, bigram_f1  # noqa: E402


def raw_text(pdf: Path) -> str:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def main() -> None:
    print(f"{'document':<55} {'raw pypdfium2':>13} {'pdfium':>8} {'pdfplumber':>10}")
    for stem in DEMOS:
        pdf, golden = REPO / "corpus" / f"{stem}.pdf", (REPO / "tests" / "golden" / f"{stem}.body.txt").read_text()
        scores = [bigram_f1(raw_text(pdf), golden)]
        for backend in ("pdfium", "pdfplumber"):
            body = "\n".join(p.text for p in read_pdf(pdf, extractor=backend).pages)
            scores.append(bigram_f1(body, golden))
        print(f"{stem:<55} {scores[0]:>13.4f} {scores[1]:>8.4f} {scores[2]:>10.4f}")


if __name__ == "__main__":
    main()
