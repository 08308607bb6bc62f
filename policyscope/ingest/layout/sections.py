"""Section flags: front matter (cover pages, copyright and licence blocks, contents pages) and the
reference list, so counts can leave them out.

Works on the cleaned paragraphs of every page of one document. The reference list starts at a
heading such as 'References' or 'Bibliography' (usually half-way down a page) and runs to the end
of the document or to an appendix heading.
"""
from __future__ import annotations

import re

REFERENCES_HEADING = re.compile(
    r"^(?:\d{1,2}\.?\s+)?(?:references|bibliography|reference list|works cited|literature cited|"
    r"notes and references|references and notes|sources|literatur(?:verzeichnis)?|endnotes)\s*:?$",
    re.IGNORECASE)
AFTER_REFERENCES = re.compile(r"^(?:appendix|appendices|annex|supplementary (?:material|information))\b", re.IGNORECASE)
CONTENTS_HEADING = re.compile(r"^(?:table of )?contents$", re.IGNORECASE)
COPYRIGHT_BLOCK = re.compile(
    r"^(?:©|\(c\)\s|copyright\b|crown copyright|this is an open access article|published by\b|"
    r"all rights reserved|this (?:publication|document|work) is licensed under|"
    r"this article is distributed under|open government licen[cs]e|isbn\b|issn\b)", re.IGNORECASE)
# Cues of a repository / publisher cover sheet, looked for (as plain substrings) in its first pages.
COVER_CUES = (
    "refer to the publisher's version", "refer to the publisher’s version", "are protected by intellectual property",
    "this is the author's", "this is the author’s", "accepted manuscript", "author accepted", "repository",
    "copyright and moral rights", "terms and conditions", "please cite", "available at http", "for more information about",
    "orcid", "this version is available", "eprint", "usage guidelines", "takedown", "full text available",
)
_TRAILING_PAGE_NO = re.compile(r"(?:\.{2,}|\s)\s*\d{1,4}$")


def is_cover_page(paragraphs: list[str]) -> bool:
    """A repository or publisher cover sheet: at least three different cover cues."""
    text = "\n".join(paragraphs).lower()
    return sum(1 for cue in COVER_CUES if cue in text) >= 3


def is_contents_page(paragraphs: list[str]) -> bool:
    if not paragraphs or not any(CONTENTS_HEADING.match(p.strip()) for p in paragraphs[:4]):
        return False
    numbered = sum(1 for p in paragraphs if _TRAILING_PAGE_NO.search(p.strip()))
    return numbered >= 0.4 * len(paragraphs)


def flag_sections(pages: list[list[str]]) -> list[tuple[str, list[tuple[int, str]]]]:
    """For each page: its section, and (paragraph index, section) for paragraphs that differ.

    `pages` are the cleaned paragraphs of each page. Paragraph-level flags become
    Page.section_spans once the page text is assembled.
    """
    out: list[tuple[str, list[tuple[int, str]]]] = []
    in_references = False
    for n, paragraphs in enumerate(pages):
        if n < 2 and paragraphs and is_cover_page(paragraphs):
            out.append(("front_matter", []))
            continue
        if is_contents_page(paragraphs):
            out.append(("front_matter", []))
            continue
        flags: list[str] = []
        for para in paragraphs:
            stripped = para.strip()
            if in_references and AFTER_REFERENCES.match(stripped) and len(stripped) < 80:
                in_references = False
            elif not in_references and len(stripped) < 40 and REFERENCES_HEADING.match(stripped):
                in_references = True
            if in_references:
                flags.append("references")
            elif COPYRIGHT_BLOCK.match(stripped):
                flags.append("front_matter")
            else:
                flags.append("body")
        out.append(_page_flag(flags))
    return out


def _page_flag(flags: list[str]) -> tuple[str, list[tuple[int, str]]]:
    """The page's majority-free flag: 'references' if the page is all references, else 'body' with spans."""
    if flags and all(f == "references" for f in flags):
        return "references", []
    if flags and all(f == "front_matter" for f in flags):
        return "front_matter", []
    return "body", [(i, f) for i, f in enumerate(flags) if f != "body"]
