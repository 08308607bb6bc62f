"""read_docx: paragraphs, headings and table cells; pages at explicit breaks; core properties."""
from __future__ import annotations

import datetime as dt
import pickle
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml

from policyscope.errors import CorruptFile, EmptyFile, EncryptedFile, UnsupportedFileType
from policyscope.ingest.docx import read_docx
from policyscope.segment import passage_spans, section_at

DOC = "0123456789ab"
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
MC_NS = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'


def new_document() -> docx.Document:
    d = docx.Document()
    props = d.core_properties
    props.title = "Care and support statutory guidance"
    props.author = "Department of Health"
    props.subject = "Care Act 2014"
    props.keywords = "wellbeing; integration"
    props.comments = ""
    props.created = dt.datetime(2014, 10, 23, 9, 0)
    props.modified = dt.datetime(2016, 3, 1, 12, 0)
    return d


@pytest.fixture()
def guidance(tmp_path) -> Path:
    d = new_document()
    d.add_heading("Care and support statutory guidance", level=0)
    d.add_heading("1. Promoting wellbeing", level=1)
    p = d.add_paragraph("Local authorities must promote wellbeing\twhen carrying out")
    p.add_run().add_break()  # a line break inside a paragraph is a space
    p.add_run("any of their care and support functions.")
    d.add_paragraph("Personal budgets", style="List Bullet")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Duty", "Section"
    table.cell(1, 0).text, table.cell(1, 1).text = "Integration with health", "s.3"
    table.cell(0, 0).merge(table.cell(0, 1))  # merged cells must not repeat their text
    table.cell(1, 1).add_table(rows=1, cols=1).cell(0, 0).text = "Nested cell"
    p = d.add_paragraph("Before the page break.")
    p.add_run().add_break(WD_BREAK.PAGE)
    p.add_run("After the page break.")
    d.add_heading("2. Integration", level=1)
    d.add_paragraph("Integration with the NHS is a duty.")
    d.add_heading("References", level=1)
    d.add_paragraph("Glasby J (2012) Understanding health and social care. Bristol: Policy Press.")
    d.add_heading("Annex A", level=1)
    d.add_paragraph("Annex text.")
    path = tmp_path / "guidance.docx"
    d.save(path)
    return path


def test_paragraphs_headings_and_table_cells(guidance):
    doc = read_docx(guidance, DOC)
    assert doc.file_type == "docx" and [p.page_no for p in doc.pages] == [1, 2]
    first, second = doc.pages
    assert first.text.split("\n\n") == [
        "Care and support statutory guidance",
        "1. Promoting wellbeing",
        "Local authorities must promote wellbeing when carrying out any of their care and support functions.",
        "Personal budgets",
        "Duty", "Section", "Integration with health", "s.3", "Nested cell",
        "Before the page break.",
    ]
    assert second.text.split("\n\n")[:3] == ["After the page break.", "2. Integration", "Integration with the NHS is a duty."]
    assert all(p.doc_id == DOC for p in doc.pages)
    for page in doc.pages:
        for para in page.text.split("\n\n"):
            assert "\n" not in para and "\t" not in para and "  " not in para


def test_references_heading_flags_until_the_next_top_heading(guidance):
    page = read_docx(guidance, DOC).pages[1]
    flags = {page.text[s:e]: section_at(page, s, e) for s, e in passage_spans(page.text)}
    assert flags["References"] == "references"
    assert flags["Glasby J (2012) Understanding health and social care. Bristol: Policy Press."] == "references"
    assert flags["Annex A"] == "body" and flags["Annex text."] == "body"
    assert flags["Integration with the NHS is a duty."] == "body"


def test_core_properties_become_metadata(guidance):
    meta = read_docx(guidance, DOC).metadata
    assert meta["title"] == "Care and support statutory guidance"
    assert meta["authors"] == "Department of Health"
    assert meta["date"] == "2014-10-23" and meta["modified"] == "2016-03-01"
    assert meta["subject"] == "Care Act 2014" and meta["keywords"] == "wellbeing; integration"
    assert "comments" not in meta  # empty properties are left out


def test_page_break_before_and_section_breaks(tmp_path):
    d = new_document()
    d.add_paragraph("Page one.")
    d.add_paragraph("Page two starts here.").paragraph_format.page_break_before = True
    d.add_section(WD_SECTION.CONTINUOUS)  # same page
    d.add_paragraph("Still page two.")
    d.add_section(WD_SECTION.NEW_PAGE)
    d.add_paragraph("Page three.")
    path = tmp_path / "breaks.docx"
    d.save(path)
    assert [p.text for p in read_docx(path, DOC).pages] == ["Page one.", "Page two starts here.\n\nStill page two.",
                                                           "Page three."]


def test_no_breaks_is_one_page(tmp_path):
    d = new_document()
    for i in range(3):
        d.add_paragraph(f"Paragraph {i}.")
    path = tmp_path / "one.docx"
    d.save(path)
    pages = read_docx(path, DOC).pages
    assert len(pages) == 1 and pages[0].text == "Paragraph 0.\n\nParagraph 1.\n\nParagraph 2."


def test_deleted_hidden_field_code_and_text_box_fallback_text_is_skipped(tmp_path):
    d = new_document()
    p = d.add_paragraph("Kept text.")
    p._p.append(parse_xml(f'<w:del {W_NS} w:id="1" w:author="x"><w:r><w:delText> deleted words</w:delText></w:r></w:del>'))
    p._p.append(parse_xml(f'<w:r {W_NS}><w:instrText> PAGE </w:instrText></w:r>'))
    p._p.append(parse_xml(f'<w:r {W_NS}><w:rPr><w:vanish/></w:rPr><w:t> hidden words</w:t></w:r>'))
    box = (f'<w:r {W_NS} {MC_NS}><mc:AlternateContent>'
           '<mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>Box text.</w:t></w:r></w:p>'
           '</w:txbxContent></w:drawing></mc:Choice>'
           '<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Box text.</w:t></w:r></w:p></w:txbxContent>'
           '</w:pict></mc:Fallback></mc:AlternateContent></w:r>')
    d.add_paragraph("Has a box:")._p.append(parse_xml(box))
    path = tmp_path / "tracked.docx"
    d.save(path)
    assert read_docx(path, DOC).pages[0].text == "Kept text.\n\nHas a box: Box text."


def test_broken_and_unsupported_files(tmp_path, guidance):
    cases = {
        "empty.docx": (b"", EmptyFile),
        "not-zip.docx": (b"hello, not a zip", CorruptFile),
        "truncated.docx": (guidance.read_bytes()[:2000], CorruptFile),
        "legacy.docx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, UnsupportedFileType),
        "locked.docx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64,
                        EncryptedFile),
    }
    for name, (content, error) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(error) as err:
            read_docx(path, DOC)
        assert err.value.path == str(path) and str(path) in str(err.value), name
    no_parts = tmp_path / "no-parts.docx"
    with zipfile.ZipFile(no_parts, "w") as zf:
        zf.writestr("hello.txt", "x")
    with pytest.raises(CorruptFile):
        read_docx(no_parts, DOC)
    blank = tmp_path / "blank.docx"
    new_document().save(blank)
    with pytest.raises(EmptyFile, match="no text"):
        read_docx(blank, DOC)


def test_results_pickle(guidance):
    doc = read_docx(guidance, DOC)
    assert pickle.loads(pickle.dumps(doc)) == doc
