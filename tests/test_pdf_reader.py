"""The PDF reader's API and its outcomes on hard files (pdf-torture corpus, read in place)."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from policyscope.errors import CorruptFile, EmptyFile, EncryptedFile
from policyscope.ingest.pdf import (
    PageDraft, extract_pages, finish_pages, has_text_layer, open_pdf_info, pdf_date, read_pdf,
)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ALLEN = REPO / "corpus" / "2022-allen-et-al-personalisation-integration-sps.pdf"


def torture(name: str) -> Path:
    path = SHARED / "pdf-torture" / name
    if not path.exists():
        pytest.skip(f"../shared/corpus absent: {path} not found (the real-document corpus lives beside the repository)")
    return path


def demo_pdf() -> Path:
    if not ALLEN.exists():
        pytest.skip(f"{ALLEN.name} is absent: run scripts/typeset_demo_pdfs.py to make it")
    return ALLEN


# --- API on the bundled demo article ---------------------------------------------------------
def test_open_pdf_info_reads_page_count_and_metadata():
    info = open_pdf_info(demo_pdf())
    assert info.n_pages == 8
    assert info.metadata["date"] == "2022-12-15"  # CreationDate
    assert info.metadata["title"].startswith("‘They Made an Excellent Start")
    assert "Kerry Allen" in info.metadata["authors"]
    assert set(info.metadata) <= {"title", "authors", "date", "subject", "producer"}


@pytest.mark.parametrize("value, date", [
    ("D:20221215000000+00'00'", "2022-12-15"), ("D:201104", "2011-04"), ("D:2011", "2011"),
    ("D:20111399", "2011"), ("20080512", "2008-05-12"), ("garbage", None), (None, None),
])
def test_pdf_date(value, date):
    assert pdf_date(value) == date


def test_chunks_are_picklable_and_independent_of_chunking():
    pdf = demo_pdf()
    whole = extract_pages(pdf, 1, 8)
    chunked = extract_pages(pdf, 1, 3) + extract_pages(pdf, 4, 8)
    assert [d.page_no for d in chunked] == list(range(1, 9))
    assert pickle.loads(pickle.dumps(chunked)) == chunked
    assert finish_pages(whole, "abcdefabcdef") == finish_pages(chunked, "abcdefabcdef")
    assert all(isinstance(d, PageDraft) and d.raw_text for d in whole)


def test_read_pdf_and_page_text_conventions():
    doc = read_pdf(demo_pdf())
    assert (doc.file_type, doc.extractor, len(doc.pages)) == ("pdf", "pdfium", 8)
    page = doc.pages[2]
    assert page.page_no == 3 and "\r\n" in page.raw_text
    for paragraph in page.text.split("\n\n"):
        assert paragraph and "\n" not in paragraph and paragraph == paragraph.strip()
    with pytest.raises(ValueError, match="outside 1..8"):
        extract_pages(demo_pdf(), 5, 9)
    with pytest.raises(ValueError, match="unknown PDF extractor"):
        extract_pages(demo_pdf(), 1, 1, extractor="tesseract")


# --- torture files --------------------------------------------------------------------------


@pytest.mark.shared
@pytest.mark.parametrize("name, password, n_pages, snippet", [
    ("password-user-test.pdf", "test", 4, "Backup4all"),
    ("encrypted-aes256.pdf", "foo", 1, "Secret!"),
])
def test_encrypted_files_need_their_password(name, password, n_pages, snippet):
    path = torture(name)
    with pytest.raises(EncryptedFile, match="encrypted: pass --password or a `password` manifest column") as err:
        open_pdf_info(path)
    assert err.value.code == "E104" and name in str(err.value)
    with pytest.raises(EncryptedFile, match="the password given does not open it"):
        open_pdf_info(path, password="wrong")
    for extractor in ("pdfium", "pdfplumber"):
        doc = read_pdf(path, password=password, extractor=extractor)
        assert len(doc.pages) == n_pages and snippet in doc.pages[0].text
        assert has_text_layer(extract_pages(path, 1, 1, password=password, extractor=extractor))


@pytest.mark.shared
def test_empty_and_unparseable_files(tmp_path):
    with pytest.raises(EmptyFile, match="0 bytes") as err:
        open_pdf_info(torture("zero-bytes.pdf"))
    assert err.value.code == "E102"
    with pytest.raises(EmptyFile):
        extract_pages(torture("zero-bytes.pdf"), 1, 1, extractor="pdfplumber")
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4\nthis is not really a PDF at all\n" * 20)
    with pytest.raises(CorruptFile, match=r"cannot be parsed as PDF \(pdfium: .*\)") as err:
        open_pdf_info(junk)
    assert err.value.code == "E103" and "junk.pdf" in str(err.value)


@pytest.mark.shared
@pytest.mark.parametrize("name, snippet", [
    ("corrupted-stream.pdf", "Beautiful is better than ugly."),  # damaged stream: pdfium recovers the text
    ("xref-keyword-missing.pdf", "Reduced test-case"),  # no xref keyword: pdfium rebuilds the table
])
def test_damaged_files_are_repaired_by_pdfium(name, snippet):
    doc = read_pdf(torture(name))
    assert snippet in doc.pages[0].text


@pytest.mark.shared
def test_text_layer_detection():
    scan = torture("scanned-no-text-layer.pdf")  # one page image plus a 'pdf.js' stamp
    assert not has_text_layer(extract_pages(scan, 1, 1))
    assert not has_text_layer(extract_pages(scan, 1, 1, extractor="pdfplumber"))
    ocr = torture("scanned-with-ocr-layer.pdf")
    drafts = extract_pages(ocr, 1, open_pdf_info(ocr).n_pages)
    assert has_text_layer(drafts) and "Vicksburg" in " ".join(d.text for d in drafts).replace("VICKSBURG", "Vicksburg")
    assert not has_text_layer([])


@pytest.mark.shared
@pytest.mark.parametrize("name, snippet", [
    ("rotated-page-table.pdf", "Alabama 18,870"),  # /Rotate 90, dense table
    ("arabic-rtl-rotated.pdf", "habibi"),  # RTL script, pages turned 0/90/180/270
    ("japanese-cjk.pdf", "宇宙塵をたべ"),  # CID fonts
    ("french-diacritics.pdf", "à À â Â ä Ä ç Ç é É"),  # accents from combining glyphs, letters a word space apart
    ("line-numbered-transcript.pdf", "SUPREME COURT"),
])
def test_hard_scripts_and_layouts_give_text(name, snippet):
    doc = read_pdf(torture(name))
    assert snippet in " ".join(p.text for p in doc.pages)
    assert all(p.text or not p.raw_text.strip() for p in doc.pages)


@pytest.mark.shared
def test_long_document_page_count_and_german_text():
    path = torture("long-german-117pages.pdf")
    info = open_pdf_info(path)
    assert info.n_pages == 117 and info.metadata["title"] == "Geometrie und Topologie"
    pages = finish_pages(extract_pages(path, 1, info.n_pages), "0" * 12)
    assert len(pages) == 117 and [p.page_no for p in pages] == list(range(1, 118))
    text = " ".join(p.text for p in pages)
    assert "Topologie" in text and "ü" in text and "\ufffe" not in text
