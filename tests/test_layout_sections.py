"""Front matter and reference-list flags (layout/sections.py)."""
from __future__ import annotations

from policyscope.ingest.layout.sections import flag_sections, is_contents_page, is_cover_page

COVER = [
    "Article", "Personalisation, Participation and Care", "Powell, Jason",
    "Available at https://clock.uclan.ac.uk/5429/",
    "It is advisable to refer to the publisher's version if you intend to cite from the work.",
    "For more information about UCLan's research in this area go to http://www.uclan.ac.uk/researchgroups/",
    "All outputs in CLoK are protected by Intellectual Property Rights law, including Copyright law.",
]


def test_cover_contents_references_and_copyright():
    pages = [
        COVER,
        ["© The Author(s), 2022. Published by Cambridge University Press.", "Introduction", "Body text here."],
        ["Contents", "Executive Summary 4", "Part 1 Introduction 6", "Appendix 1: Sampling 22"],
        ["Body text continues.", "References", "Allen, K. (2022) Personalisation. Social Policy & Society."],
        ["Barnes, M. (2017) Care. London: Sage.", "Needham, C. (2018) Integration."],
        ["Appendix 1: Topic guide", "Questions asked in the interviews."],
    ]
    flags = flag_sections(pages)
    assert flags[0] == ("front_matter", [])
    assert flags[1] == ("body", [(0, "front_matter")])
    assert flags[2] == ("front_matter", [])
    assert flags[3] == ("body", [(1, "references"), (2, "references")])
    assert flags[4] == ("references", [])
    assert flags[5] == ("body", [])


def test_cover_and_contents_detectors_need_several_cues():
    assert is_cover_page(COVER)
    assert not is_cover_page(["A paper about repositories of care records.", "Body text."])
    assert not is_contents_page(["Contents of this chapter are about care.", "More text."])
