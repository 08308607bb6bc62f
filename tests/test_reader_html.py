"""read_html: main text only, furniture logged as removed, metadata from <head>."""
from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import shared_corpus as shared
from policyscope.errors import EmptyFile
from policyscope.ingest.html import read_html
from policyscope.segment import passage_spans, section_at

DOC = "0123456789ab"
FIXTURE = Path(__file__).parent / "fixtures" / "policy_page_with_furniture.html"


def paragraphs(page) -> list[str]:
    return page.text.split("\n\n")


def assert_clean_convention(text: str) -> None:
    for para in text.split("\n\n"):
        assert para and "\n" not in para and "  " not in para and para == para.strip(), repr(para)


def test_fixture_keeps_the_article_and_drops_the_furniture():
    doc = read_html(FIXTURE, DOC)
    page, = doc.pages
    assert (doc.file_type, page.page_no, page.doc_id) == ("html", 1, DOC)
    assert_clean_convention(page.text)
    assert paragraphs(page) == [
        "Adult social care reform: next steps",
        "Published 1 December 2021",
        "People should have choice and control over the care they receive. This paper sets out how we will "
        "integrate health and care around the person.",
        "What will change",
        "Personal budgets for everyone who wants one.",
        "Joint commissioning between councils and the NHS.",
        "Care should be personalised, not standardised.",
        "Spending on care, 2010 to 2020.",
        "Measure", "Year", "Cap on care costs", "2023",
        "References",
        "Department of Health (2014) Care and support statutory guidance.",
        "Glasby J (2012) Understanding health and social care.",
    ]
    for furniture in ("cookies", "Skip to", "Search", "Health Care News", "Home", "Most read", "Related content",
                      "Share on Twitter", "Open Government Licence", "Privacy", "Image credit", "dataLayer"):
        assert furniture not in page.text, furniture
    # What was removed is logged, one action per block, and is still in raw_text (the unfiltered view).
    removed = [a.text for a in page.cleanup]
    assert all(a.kind == "boilerplate" for a in page.cleanup) and all(len(t) <= 120 for t in removed)
    for block in ("We use cookies", "<nav>: Health Care News", "<header>: Example Department", "Home Care Reform",
                  "Most read", "<footer>", "Related content", "Share on Twitter", "Image credit: Example"):
        assert any(block in t for t in removed), block
    assert "Most read" in page.raw_text and "Share on Twitter" in page.raw_text
    assert "dataLayer" not in page.raw_text  # scripts are never text


def test_fixture_metadata():
    meta = read_html(FIXTURE, DOC).metadata
    assert meta["title"] == "Adult social care reform: next steps"  # og:title beats the <title> with site name
    assert meta["date"] == "2021-12-01" and meta["modified"] == "2022-02-14"
    assert meta["authors"] == "Jane Example" and meta["publisher"] == "Example Department"
    assert meta["source_url"] == "https://example.org/adult-social-care-reform"
    assert meta["language"] == "en-GB"


def test_fixture_reference_list_is_flagged():
    page = read_html(FIXTURE, DOC).pages[0]
    flags = {page.text[s:e]: section_at(page, s, e) for s, e in passage_spans(page.text)}
    assert flags["References"] == "references"
    assert flags["Glasby J (2012) Understanding health and social care."] == "references"
    assert flags["Cap on care costs"] == "body"


def test_pages_without_main_element(tmp_path):
    html = """<html><head><title>Plain page</title>
    <meta name="DC.date" content="2015-12"><meta name="author" content="Catherine Needham">
    <meta name="author" content="Jon Glasby"></head>
    <body><header><a href="/">Site</a> <a href="/a">A</a> <a href="/b">B</a></header>
    <div class="menu"><a href="/x">One</a><a href="/y">Two</a><a href="/z">Three</a></div>
    <div id="content"><p>First line<br>same paragraph.<br><br>Second block.</p>
    <p style="display:none">Hidden text.</p>
    <p>The <span class="num">2015</span><span>December</span> review.</p>
    <div class="notice">This website uses cookies. By continuing you consent to their use.</div></div>
    <footer>Copyright</footer></body></html>"""
    path = tmp_path / "plain.htm"
    path.write_text(html, encoding="utf-8")
    doc = read_html(path, DOC)
    assert doc.metadata["title"] == "Plain page" and doc.metadata["date"] == "2015-12"
    assert doc.metadata["authors"] == "Catherine Needham; Jon Glasby"
    text = doc.pages[0].text
    assert "First line same paragraph.\n\nSecond block." in text  # <br> is a space, <br><br> a new paragraph
    assert "The 2015 December review." in text  # adjacent styled spans do not run together
    for gone in ("Site", "One", "Hidden", "cookies", "Copyright"):
        assert gone not in text, gone


def test_form_wrapping_the_whole_page_is_kept(tmp_path):
    # ASP.NET pages wrap everything in one <form>; it must not take the content with it.
    body = "".join(f"<p>Paragraph {i} about integrated care and personal budgets.</p>" for i in range(10))
    path = tmp_path / "aspnet.html"
    path.write_text(f"<html><body><form id='aspnetForm'><nav><a href='/'>Home</a></nav>{body}</form></body></html>")
    text = read_html(path, DOC).pages[0].text
    assert "Paragraph 0 about integrated care" in text and "Paragraph 9" in text and "Home" not in text


def test_empty_and_content_free_pages(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    with pytest.raises(EmptyFile) as err:
        read_html(empty, DOC)
    assert err.value.path == str(empty)
    shell = tmp_path / "shell.html"
    shell.write_text("<html><body><nav><a href='/'>Home</a></nav><div id='app'></div><script>render()</script></body></html>")
    with pytest.raises(EmptyFile, match="no visible text"):
        read_html(shell, DOC)


def test_results_pickle():
    doc = read_html(FIXTURE, DOC)
    assert pickle.loads(pickle.dumps(doc)) == doc


# --- real files (read in place) ---------------------------------------------------------------
@pytest.mark.parametrize("name", ["nuffield_nhs_timeline_2000s.html", "nuffield_nhs_timeline_2010s.html"])
def test_nuffield_timeline_has_every_content_paragraph_and_no_navigation(name):
    path = shared("policy", name)
    page = read_html(path, DOC).pages[0]
    assert_clean_convention(page.text)
    # Navigation menus, footer links and image credits are gone ...
    for furniture in ("1940", "1950 1960", "Site map", "Accessibility", "Privacy policy", "T&Cs", "Torchbox",
                      "Image credit", "Tweet", "Nuffield Trust Site map"):
        assert furniture not in page.text, furniture
    # ... and every paragraph of the article is there (minus its image credit), checked independently.
    soup = BeautifulSoup(path.read_bytes(), "lxml")
    for p in soup.article.find_all("p"):
        expected = re.sub(r"\s+", " ", p.get_text()).strip()
        expected = re.split(r"\s*Image credit:", expected)[0].strip()
        if expected:
            assert expected in page.text, expected
    # Teaser headings and quotes repeated in the pop-ups appear once.
    heading = "2010 February" if "2010s" in name else "2000 July"
    assert paragraphs(page).count(heading) == 1


def test_nuffield_2010s_specific_sentences():
    page = read_html(shared("policy", "nuffield_nhs_timeline_2010s.html"), DOC).pages[0]
    paras = paragraphs(page)
    assert "The Robert Francis Inquiry report into Mid-Staffordshire NHS Foundation Trust is published." in paras
    assert ("Among many pledges on health, the Coalition Agreement promises “no more top-down reorganisations "
            "of the NHS”.") in page.text
    assert paras.count("If we fail to reform the system now, unfairness will only intensify in the years to come.") == 1
    assert "Andy Burnham, Secretary of State for Health (2010)" in paras
    assert paras[0] == "2010 February"
    assert any(a.kind == "boilerplate" and a.text.startswith("outside main content <nav>: 1940 1950")
               for a in page.cleanup)


def test_nuffield_2000s_specific_sentences():
    doc = read_html(shared("policy", "nuffield_nhs_timeline_2000s.html"), DOC)
    page = doc.pages[0]
    assert doc.metadata["title"] == "Timeline"
    assert "The NHS Plan – a 10-year modernisation programme of investment and reform." in paragraphs(page)
    assert "A new health and social care regulator, the Care Quality Commission (CQC), is created." in paragraphs(page)
    assert "Services that are flexible, integrated and responsive to peoples’ needs and wishes." in page.text
