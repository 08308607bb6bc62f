"""Lines → paragraphs (layout/paragraphs.py)."""
from __future__ import annotations

from policyscope.ingest.layout.columns import Flow
from policyscope.ingest.layout.lines import Line
from policyscope.ingest.layout.paragraphs import build_blocks
from policyscope.ingest.layout.spacing import PENDING_HYPHEN


def line(text: str, x0: float, top: float, x1: float = 510.0, size: float = 11.3) -> Line:
    return Line(text, x0, x1, top, top - size, size, 1, top)


def texts(lines: list[Line], kind: str = "page") -> list[str]:
    return [b.text for b in build_blocks([Flow(lines, kind)])]


def test_indented_first_lines_start_paragraphs():
    lines = [
        line("Social care is a local government", 96, 700),
        line("responsibility, and the new duties set", 84, 687.5),
        line("out in the Care Act.", 84, 675, x1=200),
        line("Whilst, conceptually, the goals of", 96, 662.5),
        line("making care more person-centred are clear.", 84, 650, x1=300),
    ]
    assert texts(lines) == [
        "Social care is a local government responsibility, and the new duties set out in the Care Act.",
        "Whilst, conceptually, the goals of making care more person-centred are clear.",
    ]


def test_extra_space_and_font_size_separate_headings_and_items():
    lines = [
        line("Introduction", 84, 720, x1=160, size=11.8),
        line("Personalisation and integration have become", 84, 700),
        line("familiar themes in long-term care.", 84, 687.5, x1=300),
        line("first item of a spaced list", 106, 670),
        line("second item of a spaced list", 106, 655.5),
    ]
    assert texts(lines) == [
        "Introduction",
        "Personalisation and integration have become familiar themes in long-term care.",
        "first item of a spaced list",
        "second item of a spaced list",
    ]


def test_bullets_hanging_indents_and_hyphens():
    lines = [
        line("The main findings are:", 72, 700, x1=200),
        line("• Agents reported that they understood", 72, 686),
        line("the triggers and their purpose.", 90, 672, x1=300),
        line("Lundsgaard (2005) re-", 72, 658),
        line("casts the focus of the integ-", 90, 644),
        line("ration debate.", 90, 630, x1=200),
    ]
    assert texts(lines) == [
        "The main findings are:",
        "• Agents reported that they understood the triggers and their purpose.",
        f"Lundsgaard (2005) re{PENDING_HYPHEN}casts the focus of the integ{PENDING_HYPHEN}ration debate.",
    ]


def test_superscript_on_the_same_row_joins_without_a_new_paragraph():
    lines = [line("Andreas Gal∗+, Brendan Eich∗", 120, 652, x1=256), line(", Mike Shaver∗", 258, 652, x1=322)]
    assert texts(lines) == ["Andreas Gal∗+, Brendan Eich∗, Mike Shaver∗"]


def test_a_paragraph_runs_on_into_the_next_column():
    left = [line("people receiving these felt", 48, 120, x1=288), line("more cost-effective and", 48, 108, x1=288)]
    right = [line("happier with their support.", 306, 778, x1=546), line("A new paragraph starts here.", 318, 766, x1=546)]
    blocks = build_blocks([Flow(left, "column"), Flow(right, "column")])
    assert [b.text for b in blocks][0] == "people receiving these felt more cost-effective and happier with their support."
    # Margin furniture never joins a paragraph.
    foot = [line("VerDate Sep<11>2014 16:21 Aug 05", 25, 24, x1=449, size=6)]
    assert len(build_blocks([Flow(left, "column"), Flow(foot, "margin")])) == 2
