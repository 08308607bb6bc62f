"""Running headers/footers, page numbers and stamps found across pages (layout/running.py)."""
from __future__ import annotations

import pytest

from policyscope.ingest.layout.lines import Block
from policyscope.ingest.layout.running import find_furniture, furniture_key, pattern_kind

H = 842.0


def block(text: str, top: float, kind: str = "text") -> Block:
    return Block(text, 72.0, 520.0, top, top - 10.0, 10.0, 1, kind)


WORDS = "care support budgets councils providers carers health integration markets outcomes".split()


def body(n: int) -> list[Block]:
    return [block(f"Paragraph about {WORDS[(n + i) % 10]} and {WORDS[(3 * n + i) % 10]}.", 700.0 - 80 * i)
            for i in range(6)]


def test_odd_even_headers_with_page_numbers_and_a_doi_footer():
    pages, heights = [], []
    for n in range(172, 180):
        head = f"Personalisation and Integration in Adult Social Care {n}" if n % 2 else f"{n} Kerry Allen et al."
        pages.append([block(head, 797.0), *body(n),
                      block("https://doi.org/10.1017/S1474746422000392 Published online by Cambridge University Press", 27.0)])
        heights.append(H)
    found = {(f.page, f.block): f.kind for f in find_furniture(pages, heights)}
    for p, blocks in enumerate(pages):
        assert found[(p, 0)] == "header", blocks[0].text
        assert found[(p, len(blocks) - 1)] == "doi_line"
        assert all((p, i) not in found for i in range(1, len(blocks) - 1)), "body text must stay"


def test_alternating_header_on_two_of_six_pages_and_a_first_page_journal_line():
    pages = [[block("Social Policy & Society (2023) 22:1, 172–186", 789.0), *body(0), block("172", 44.0)]]
    for n in range(1, 6):
        head = "British Journal of Health Care Management • April 2011" if n % 2 else "Personalisation, participation and care"
        pages.append([block(f"{head} {157 + n}", 800.0), *body(n)])
    found = {(f.page, f.block): f.kind for f in find_furniture(pages, [H] * 6)}
    assert found[(0, 0)] == "header"  # the journal's citation line
    assert found[(0, 7)] == "page_number"
    assert all(found[(p, 0)] == "header" for p in range(1, 6))


def test_a_heading_repeated_inside_the_page_is_text_and_a_lone_block_stays():
    pages = [[block("Our commitment to you:", 714.0), *body(n)] for n in range(5)]
    assert find_furniture(pages, [H] * 5) == []
    # Every page holding one same line (a 4-page specimen) keeps it.
    assert find_furniture([[block("habibi", 778.0)] for _ in range(4)], [H] * 4) == []


def test_margin_blocks_are_candidates_wherever_they_sit():
    stamp = "jbell on DSKJLSW7X2PROD with PROPOSALS"
    pages = [[*body(n), Block(stamp, 23.0, 18.0, 124.0, 18.0, 5.0, 9, "margin")] for n in range(4)]
    found = find_furniture(pages, [792.0] * 4)
    assert [(f.page, f.kind) for f in found] == [(p, "footer") for p in range(4)]


@pytest.mark.parametrize("text, kind", [
    ("12", "page_number"), ("Page 3 of 10", "page_number"), ("- 7 -", "page_number"), ("xii", "page_number"),
    ("doi:10.1017/S1474746422000392", "doi_line"),
    ("https://doi.org/10.1136/bmjopen-2021-049296", "doi_line"),
    ("Downloaded from https://academic.oup.com/ by guest on 1 May 2024", "stamp"),
    ("2/13/26, 3:28 PM Digital, data and analytics - Annual Impact Report", "stamp"),
    ("https://www.transformationpartners.nhs.uk/annual-impact-report-2023-24/ 1/10", "stamp"),
    ("Social Policy & Society (2023) 22:1, 172–186", "header"),
    ("The Care Act 2014 set new duties for local authorities.", None),
])
def test_pattern_kinds(text, kind):
    assert pattern_kind(text) == kind


def test_furniture_key_masks_page_numbers():
    assert furniture_key("173 Kerry Allen et al.") == furniture_key("Kerry Allen et al. 175") == "kerry allen et al."
    assert furniture_key("1 | individual funding requests") == "individual funding requests"


def test_margin_line_numbers_of_a_transcript():
    from policyscope.ingest.layout.lines import Line
    from policyscope.ingest.layout.running import margin_line_numbers

    text = [Line(f"line {i} of the transcript text", 120, 500, 720 - 26 * i, 712 - 26 * i, 9, i, 720 - 26 * i) for i in range(25)]
    numbers = [Line(str(i + 1), 91 if i >= 9 else 98, 103, 724 - 26 * i, 716 - 26 * i, 9, 30 + i, 724 - 26 * i)
               for i in range(25)]
    assert margin_line_numbers(text + numbers) == numbers
    # Numbers inside the text (a table column) are not margin line numbers.
    table = [Line(str(v), 300, 320, 700 - 12 * i, 690 - 12 * i, 9, i, 700 - 12 * i) for i, v in enumerate([5, 17, 3, 9, 12])]
    assert margin_line_numbers(text + table) == []
