"""read_text: .txt and Markdown → pages of cleaned text, with clean-up log and section flags."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from tests.conftest import shared_corpus as shared
from policyscope.errors import CorruptFile, EmptyFile, UnsupportedFileType
from policyscope.ingest.dates import normalise_date
from policyscope.ingest.text import read_text
from policyscope.segment import passage_spans, section_at

DOC = "0123456789ab"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def assert_clean_convention(text: str) -> None:
    """Paragraphs separated by one blank line; no line breaks or double spaces inside a paragraph."""
    for para in text.split("\n\n"):
        assert para and "\n" not in para and "  " not in para and para == para.strip(), repr(para)


def section_of(page, needle: str) -> str:
    start = page.text.index(needle)
    span = next(s for s in passage_spans(page.text) if s[0] <= start < s[1])
    return section_at(page, *span)


WRAPPED = """Integration of public services has been the Holy Grail for government in recent years. But,
just as the Grail could not be acquired by any ordinary knight, so integration cannot be achieved
by traditional administrative means and will continue to frustrate the aspirations of their archi-
tects for many years to come.
Methods
We interviewed twenty-eight senior leaders and opinion formers in high profile organisations in
care policy and asked each of them about choice and control in the design of local services.

Many people find that they can better:
  1. Integrate services with each other
  2. Integrate services with ordinary life
"""


def test_hard_wrapped_lines_join_into_paragraphs(tmp_path):
    doc = read_text(write(tmp_path, "wrapped.txt", WRAPPED), DOC)
    page = doc.pages[0]
    assert doc.file_type == "text" and len(doc.pages) == 1 and page.page_no == 1 and page.doc_id == DOC
    assert_clean_convention(page.text)
    paras = page.text.split("\n\n")
    assert paras[0].startswith("Integration of public services") and paras[0].endswith("for many years to come.")
    assert "their architects for many" in paras[0]  # the line-end hyphen is mended ...
    assert any(a.kind == "dehyphenated" and "archi- tects" in a.text for a in page.cleanup)  # ... and logged
    assert paras[1] == "Methods"  # a short line that ended early is its own paragraph
    assert paras[2].startswith("We interviewed") and paras[2].endswith("local services.")
    assert paras[3:] == ["Many people find that they can better:", "1. Integrate services with each other",
                         "2. Integrate services with ordinary life"]
    assert page.raw_text == WRAPPED


def test_line_endings_form_feeds_and_pages(tmp_path):
    raw = "First page text.\r\n\r\nStill page one.\fSecond page.\r\n\fThird page.\f"
    doc = read_text(write(tmp_path, "pages.txt", raw.encode()), DOC)
    assert [p.page_no for p in doc.pages] == [1, 2, 3]  # the trailing form feed makes no page
    assert doc.pages[0].text == "First page text.\n\nStill page one."
    assert doc.pages[1].text == "Second page." and doc.pages[2].text == "Third page."
    assert "\r" not in doc.pages[0].raw_text


def test_encoding_fallbacks_are_logged(tmp_path):
    doc = read_text(write(tmp_path, "win.txt", b"Caf\xe9 culture and \x93care\x94 \x96 a note."), DOC)
    page = doc.pages[0]
    assert page.text == "Café culture and “care” – a note."
    assert doc.metadata["encoding"] == "cp1252"
    assert page.cleanup[0].kind == "encoding" and "cp1252" in page.cleanup[0].text
    bom = read_text(write(tmp_path, "bom.txt", b"\xef\xbb\xbfPersonal budgets."), DOC)
    assert bom.pages[0].text == "Personal budgets." and bom.metadata["encoding"] == "utf-8-sig"
    utf16 = read_text(write(tmp_path, "u16.txt", "Direct payments.".encode("utf-16")), DOC)
    assert utf16.pages[0].text == "Direct payments."


def test_errors_name_the_file(tmp_path):
    for name, content, error in [("empty.txt", b"", EmptyFile), ("blank.md", b" \n\n\t\n", EmptyFile),
                                 ("binary.txt", b"abc\x00\x01\x02def", CorruptFile),
                                 ("only-markup.md", b"<!-- nothing -->\n\n---\n", EmptyFile),
                                 ("report.pdf", b"%PDF-1.4", UnsupportedFileType)]:
        path = write(tmp_path, name, content)
        with pytest.raises(error) as err:
            read_text(path, DOC)
        assert err.value.path == str(path) and str(path) in str(err.value) and err.value.code.startswith("E1")


MARKDOWN = """<!-- converted by a tool -->
# Neighbourhood health guidelines

Date published: 29 January, 2025

**Why a new approach** is *needed*: see the [10 Year Health Plan](https://example.org/plan "plan")
and ![a chart](chart.png) the \\(ICBs\\) and __local authorities__.

- Integrated working is the norm
- Care closer to home

| Component | Lead |
|-----------|------|
| Population health | ICB |

> Neighbourhood health reinforces a new way of working.

Setext heading
--------------

## References

1. Darzi A (2024) Independent investigation of the NHS in England.
2. NHS England (2019) The NHS Long Term Plan.

## Appendix 1

Case studies from three places.
"""


def test_markdown_syntax_is_stripped_and_logged(tmp_path):
    doc = read_text(write(tmp_path, "guidance.md", MARKDOWN), DOC)
    page = doc.pages[0]
    assert doc.file_type == "markdown"
    assert doc.metadata["title"] == "Neighbourhood health guidelines"
    assert doc.metadata["date"] == "2025-01-29"
    assert_clean_convention(page.text)
    paras = page.text.split("\n\n")
    assert paras[0] == "Neighbourhood health guidelines"
    assert ("Why a new approach is needed: see the 10 Year Health Plan and the (ICBs) and local authorities."
            in paras)
    assert "Integrated working is the norm" in paras and "Care closer to home" in paras
    assert "Component Lead" in paras and "Population health ICB" in paras
    assert "Neighbourhood health reinforces a new way of working." in paras
    assert "Setext heading" in paras
    for syntax in ("**", "__", "#", "](", "![", "|", "<!--", "\\(", "> ", "---"):
        assert syntax not in page.text, syntax
    logged = " ".join(a.text for a in page.cleanup)
    assert all(a.kind == "markup" for a in page.cleanup)
    for kind in ("HTML comment", "emphasis", "links", "images", "table pipes", "list bullets", "heading marks"):
        assert kind in logged, kind
    assert all(len(a.text) <= 120 for a in page.cleanup)
    assert page.raw_text == MARKDOWN


def test_references_heading_flags_the_list_until_the_next_heading_of_its_level(tmp_path):
    page = read_text(write(tmp_path, "guidance.md", MARKDOWN), DOC).pages[0]
    assert section_of(page, "References") == "references"
    assert section_of(page, "Darzi A (2024)") == "references"
    assert section_of(page, "NHS England (2019)") == "references"
    assert section_of(page, "Appendix 1") == "body"  # the next level-2 heading ends the list
    assert section_of(page, "Case studies") == "body"
    assert section_of(page, "Care closer to home") == "body"
    (start, end, flag), = page.section_spans
    assert flag == "references" and page.text[start:end].startswith("References")
    assert page.text[start:end].endswith("The NHS Long Term Plan.")


def test_plain_text_references_run_to_the_end_unless_back_matter_follows(tmp_path):
    raw = ("Body paragraph about personal budgets.\n\nREFERENCES\n\nGlasby J (2012) Understanding care.\n\n"
           "Powell J (2011) Personalisation.\n\nAcknowledgements\n\nWe thank the participants.\n")
    page = read_text(write(tmp_path, "paper.txt", raw), DOC).pages[0]
    assert section_of(page, "Body paragraph") == "body"
    assert section_of(page, "Glasby J") == "references" and section_of(page, "Powell J") == "references"
    assert section_of(page, "We thank") == "body"


def test_results_pickle(tmp_path):
    doc = read_text(write(tmp_path, "guidance.md", MARKDOWN), DOC)
    assert pickle.loads(pickle.dumps(doc)) == doc


@pytest.mark.parametrize("raw, expected", [
    ("200106", "2001-06"), ("2001-06-07", "2001-06-07"), ("7 June 2001", "2001-06-07"), ("June 2001", "2001-06"),
    ("29 January, 2025", "2025-01-29"), ("2019-10-21T10:00:00Z", "2019-10-21"), ("D:20010607120000Z", "2001-06-07"),
    ("11/01/1989", "1989-01-11"), ("1989", "1989"), ("2014-13", None), ("not a date", None), ("", None),
    (2017, "2017"), ("2014/01/31", "2014-01-31"), ("7 June 2001 10:00", "2001-06-07"), ("Jan 2014", "2014-01"),
])
def test_normalise_date(raw, expected):
    assert normalise_date(raw) == expected


# --- real files (read in place) ---------------------------------------------------------------
def test_seed_breadcrumbs_are_flagged_boilerplate():
    page = read_text(shared("seeds", "2010-duffy-integration-through-personalisation.txt"), DOC).pages[0]
    assert page.text.startswith("1. Home\n\n2. Library\n\n3. Integration through Personalisation\n\n")
    assert section_of(page, "1. Home") == "boilerplate" and section_of(page, "2. Library") == "boilerplate"
    assert section_of(page, "Author: Simon Duffy") == "body"
    assert section_of(page, "Integration of public services has been the Holy Grail") == "body"


def test_seed_reference_list_without_heading_is_flagged():
    page = read_text(shared("seeds", "2011-powell-personalisation-participation-care.txt"), DOC).pages[0]
    assert section_of(page, "Association of Directors of Social Services (2009)") == "references"
    assert section_of(page, "Wiener J, Tilly J, Cuellar AE (2003)") == "references"
    assert section_of(page, "Self-assessment is the cornerstone of personalisation") == "body"
    assert section_of(page, "The personalization agenda means a major shift") == "body"


def test_seed_hard_wrapped_article_becomes_running_text():
    doc = read_text(shared("seeds", "2022-allen-et-al-personalisation-integration-sps.txt"), DOC)
    page = doc.pages[0]
    assert doc.metadata["text_layout"].startswith("hard-wrapped")
    assert_clean_convention(page.text)
    paras = page.text.split("\n\n")
    assert any(p.startswith("Personalisation and integration have become familiar themes in long-term care "
                            "policy in the UK and across OECD countries (Gadsby et al., 2013; Gori et al., 2016). "
                            "The policy goal of personalisation broadly seeks to enable people who use care "
                            "services to participate in and design their own support.") for p in paras)
    assert "approaches focussed on structural integration distract resource from planning personalised delivery" in page.text
    assert "Methods" in paras and "• What mechanisms existed for local authorities and health providers to integrate?" in paras


def test_manifesto_sentence_per_line_keeps_lines_apart():
    page = read_text(shared("dated-text", "manifesto_text_2017-06-liberal_democrats.txt"), DOC).pages[0]
    paras = page.text.split("\n\n")
    assert "Britain is better off in the EU." in paras
    assert "Liberal Democrats campaigned for the UK to remain in the EU." in paras


def test_converted_markdown_loses_its_syntax_and_keeps_its_words():
    doc = read_text(shared("policy", "nhse_neighbourhood_health_guidelines_2025_26.md"), DOC)
    page = doc.pages[0]
    assert doc.metadata["date"] == "2025-01-29"
    assert "This document sets out guidelines to help integrated care boards (ICBs), local authorities" in page.text
    assert "\\(" not in page.text and "**" not in page.text

    bmj = read_text(shared("policy", "bmjopen_2022_integrated_healthcare_systems_review.md"), DOC)
    page = bmj.pages[0]
    assert "title" not in bmj.metadata  # its only H1 is the converter's "Document Outline"
    assert section_of(page, "REFERENCES") == "references"
    assert section_of(page, "Ham C, Imison C, Goodwin N, et al. The case for integrated care") == "references"
    assert section_of(page, "Document Outline") == "body"  # a level-1 heading ends the list
    # A sentence broken by a blank line in the conversion is one paragraph again.
    assert "Identifying and understanding the factors that influence the functioning of" in page.text
