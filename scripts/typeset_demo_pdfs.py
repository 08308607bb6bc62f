#!/usr/bin/env python3
"""Typeset the two academic demo articles as journal-style PDFs, with golden text.

The demo corpus has the two academic articles only as noisy PDF-to-text output
(``tests/golden/seeds/*.txt``).  This script rebuilds realistic PDFs from them,
so that the PDF ingestion can be tested against a known ground truth:

1. **Derive** the clean content of each article from its seed text with small
   deterministic rules: paragraphs broken across lines and pages are rejoined,
   running headers/footers, page numbers, DOI / "Published online" lines and
   link-only lines are dropped, letter-spaced headings ('I n t roduc t ion')
   and run-together words ('andWellbeing') are repaired.  The result is a list
   of blocks (title, authors, heading, paragraph, quote, bullet, reference,
   cover, front-matter, ...).
2. **Typeset** the blocks with reportlab (A4) the way the journals print them:
   Allen et al. 2022 (Social Policy & Society) in one column, Powell 2011
   (British Journal of Health Care Management) in two columns after its
   repository cover page; justified text hyphenated with pyphen (en_GB), with
   real compound hyphens ('self-directed', 'co-opted', ...) at some line ends too;
   alternating running headers with the real journal page numbers; a DOI or
   repository footer on every article page; letter-spaced section headings
   (Allen); a few word pairs kerned so tightly that no space is seen.
3. **Write the golden text**: the text of the blocks, one block per line, in
   reading order -- what a perfect extractor should recover from the PDF body
   (everything except running headers, footers and page numbers).

Run from the repository root::

    .venv/bin/python scripts/typeset_demo_pdfs.py [--source DIR]

It writes (overwriting; reruns are byte-identical)::

    corpus/2011-powell-personalisation-participation-care.pdf
    corpus/2022-allen-et-al-personalisation-integration-sps.pdf
    tests/golden/2011-powell-personalisation-participation-care.body.txt
    tests/golden/2022-allen-et-al-personalisation-integration-sps.body.txt

Needs reportlab and pyphen (the ``dev`` extra).  Only the built-in PDF fonts
(Times, Helvetica) are used, so nothing is embedded or downloaded.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field, replace
from itertools import takewhile
from pathlib import Path
from typing import Callable, Iterable

import pyphen
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT / "tests" / "golden" / "seeds"
DEFAULT_PDF_DIR = ROOT / "corpus"
DEFAULT_GOLDEN_DIR = ROOT / "tests" / "golden"

POWELL = "2011-powell-personalisation-participation-care"
ALLEN = "2022-allen-et-al-personalisation-integration-sps"

PAGE_W, PAGE_H = A4
TIGHT_GAP = 0.3  # pt: the word space drawn for a tightly kerned pair (no space glyph)


# ---------------------------------------------------------------------------
# Content model
# ---------------------------------------------------------------------------


@dataclass
class Block:
    """One unit of content: what the golden text has as one line."""

    kind: str  # title/authors/heading/paragraph/quote/bullet/reference/cover/front-matter
    text: str
    role: str = ""  # typographic role (picks the style); defaults to kind
    spans: tuple[tuple[int, int, str], ...] = ()  # (start, end, "italic"|"bold")
    tight: frozenset[int] = frozenset()  # offsets of spaces drawn as a 0.3pt gap
    force_breaks: frozenset[int] = frozenset()  # offsets of real hyphens to end a line at
    group: str = ""  # consecutive blocks with one group are drawn in one box

    @property
    def style_key(self) -> str:
        return self.role or self.kind


def golden_text(blocks: Iterable[Block]) -> str:
    return "".join(block.text + "\n" for block in blocks)


# ---------------------------------------------------------------------------
# Text clean-up helpers shared by both documents
# ---------------------------------------------------------------------------

URL_ONLY = re.compile(r"^(?:https?://|mailto:)\S+$")
DOI_FOOTER = re.compile(r"^https?://doi\.org/\S+(?: Published online by .*)?$")
PAGE_NUMBER = re.compile(r"^\d{1,4}$")
CAMEL_JOIN = re.compile(r"\b(and|the|of|to|in|for|on|with)([A-Z][a-z]{2,})\b")
COMPOUND_PREFIXES = {"co", "self", "non", "re", "de", "pre", "post", "bio", "multi", "cross", "mini", "micro"}


def squash_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def ends_sentence(text: str) -> bool:
    core = text.rstrip().rstrip("’”'\"")
    return bool(core) and core[-1] in ".?!:"


def continues(previous: str, following: str) -> bool:
    """Is ``following`` the rest of a paragraph cut off after ``previous``?"""
    if not previous or ends_sentence(previous):
        return False
    return following[:1].islower() or following[:1] == "(" or previous.rstrip()[-1] in ",;(–—"


def is_running_text(line: str) -> bool:
    words = line.split()
    return len(line.strip()) >= 60 and sum(map(len, words)) / len(words) >= 3.5


def vocabulary(text: str) -> set[str]:
    """Lower-cased words of the running text, ignoring the fragments of words
    hyphenated at line ends.  Running text: lines of 60+ characters with words
    of 3.5+ characters on average, which leaves out (letter-spaced) headings."""
    text = re.sub(r"\w+-\n\w+", " ", text)
    text = "\n".join(line for line in text.splitlines() if is_running_text(line))
    return {word.lower() for word in re.findall(r"[A-Za-z]+", text)}


def keep_line_end_hyphen(head: str, tail: str, vocab: set[str]) -> bool:
    """Decide whether 'head-' + newline + 'tail' is a real hyphen or a soft one."""
    if head[-1:].isdigit() or tail[:1].isdigit():
        return True  # a page range such as '30-31'
    if (head + tail).lower() in vocab:
        return False  # the word occurs unbroken elsewhere: a soft hyphen
    if head.lower() in COMPOUND_PREFIXES:
        return True
    return head.lower() in vocab and tail.lower() in vocab  # 'service-delivery'


def join_lines(lines: list[str], vocab: set[str]) -> str:
    """Join the lines of one paragraph, undoing line-end hyphenation."""
    text = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        head = re.search(r"(\w+)-$", text)
        tail = re.match(r"\w+", line)
        if head and tail:
            text = text if keep_line_end_hyphen(head[1], tail[0], vocab) else text[:-1]
            text += line
        elif text.endswith("/"):
            text += line  # '2018/' + '19)'
        else:
            text = f"{text} {line}" if text else line
    return squash_spaces(text)


def repair_letter_spacing(heading: str, vocab: set[str]) -> str:
    """'Persona l i sa t ion and in tegra t ion : defin i t i ona l' -> 'Personalisation and integration: definitional'.

    Re-groups the space-separated pieces so that as few words as possible
    remain, where a word is a group of pieces spelling a known word of the
    document (or a run of unknown pieces, at a penalty).  Pieces are only ever
    joined, never split, so a heading without letter-spacing is unchanged.
    """
    pieces = heading.split()
    known = [p.lower() in vocab for p in pieces]
    best: list[tuple[float, int]] = [(0.0, 0)] + [(float("inf"), 0)] * len(pieces)
    for end in range(1, len(pieces) + 1):
        for start in range(end):
            group = pieces[start:end]
            word = "".join(group)
            if len(group) == 1:
                cost = 1.0 if known[start] or not word.isalpha() else 2.0
            elif not all(p.isalpha() for p in group):
                continue
            elif word.lower() in vocab:
                cost = 1.0
            elif not any(known[start:end]):
                cost = 2.0  # a run of unknown pieces: probably one word we have not seen
            else:
                continue
            if best[start][0] + cost < best[end][0]:
                best[end] = (best[start][0] + cost, start)
    words, end = [], len(pieces)
    while end:
        start = best[end][1]
        words.append("".join(pieces[start:end]))
        end = start
    return re.sub(r"\s+([:;,.])", r"\1", " ".join(reversed(words)))


def split_joined_words(text: str, fixes: dict[str, str]) -> tuple[str, frozenset[int]]:
    """Insert the lost space in run-together words; return the text and where those spaces are.

    The returned offsets mark the spaces to typeset as a tight 0.3pt gap: in the
    original PDF these words were kerned so tightly that the space got lost.
    """
    for joined, repaired in fixes.items():
        text = text.replace(joined, repaired.replace(" ", "\x00"))
    text = CAMEL_JOIN.sub(lambda m: f"{m[1]}\x00{m[2]}", text)
    offsets = frozenset(i for i, ch in enumerate(text) if ch == "\x00")
    return text.replace("\x00", " "), offsets


def strip_markdown(text: str) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """Remove autolink brackets, link targets and */** emphasis; keep the emphasis as spans."""
    text = re.sub(r"<((?:https?://)[^>\s]+)>", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    spans, out, pos = [], [], 0
    for m in re.finditer(r"\*\*(.+?)\*\*|\*(.+?)\*", text):
        out.append(text[pos : m.start()])
        start = sum(map(len, out))
        inner = m[1] if m[1] is not None else m[2]
        out.append(inner)
        spans.append((start, start + len(inner), "bold" if m[1] is not None else "italic"))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), tuple(spans)


def find_phrase(blocks: list[Block], phrase: str, kinds: set[str]) -> tuple[int, int]:
    """Index of the first block of one of ``kinds`` containing ``phrase``, and the offset."""
    for index, block in enumerate(blocks):
        if block.kind in kinds and (offset := block.text.find(phrase)) >= 0:
            return index, offset
    raise ValueError(f"phrase not found: {phrase!r}")


def mark_tight_pairs(blocks: list[Block], phrases: Iterable[str]) -> None:
    """Typeset the space of the first body occurrence of each two-word phrase as a tight gap."""
    for phrase in phrases:
        index, offset = find_phrase(blocks, phrase, {"paragraph"})
        space = offset + phrase.index(" ")
        blocks[index].tight = blocks[index].tight | {space}


def force_hyphen_breaks(blocks: list[Block], words: Iterable[str]) -> None:
    """Ask for a line break right after the real hyphen of these compounds, wherever they occur.

    The line breaker takes such a break only where the line is nearly full
    anyway (``LineBreaker.FORCED_FILL``), so that the text stays well set.
    """
    pattern = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, words)))
    for block in blocks:
        if block.kind in {"paragraph", "quote", "bullet"}:
            hyphens = {m.start() + m[0].index("-") for m in pattern.finditer(block.text)}
            block.force_breaks = block.force_breaks | hyphens


def split_paragraphs(lines: list[str]) -> list[list[str]]:
    """Group lines into paragraphs at blank lines.

    A line starting with a space begins a page in this PDF-to-text output: it
    starts a new paragraph when the previous line ended one.
    """
    groups: list[list[str]] = [[]]
    for line in lines:
        if not line.strip():
            groups.append([])
        elif line.startswith(" ") and groups[-1] and not continues(groups[-1][-1], line.strip()):
            groups.append([line])
        else:
            groups[-1].append(line)
    return [group for group in groups if group]


def merge_broken(groups: list[list[str]]) -> list[list[str]]:
    """Rejoin paragraphs that a page or column break split in two."""
    merged: list[list[str]] = []
    for group in groups:
        if merged and continues(merged[-1][-1].strip(), group[0].strip()):
            merged[-1] = merged[-1] + group
        else:
            merged.append(list(group))
    return merged


# ---------------------------------------------------------------------------
# Allen et al. 2022: derive the content
# ---------------------------------------------------------------------------

ALLEN_FRONT = [  # the seed starts at the abstract; title and authors from the article record
    Block(
        "title",
        "‘They Made an Excellent Start…but After a While, It Started to Die Out’, Tensions in "
        "Combining Personalisation and Integration in English Adult Social Care",
    ),
    Block("authors", "Kerry Allen, Emily Burn, Kelly Hall, Catherine Mangan and Catherine Needham"),
    Block("front-matter", "University of Birmingham, Birmingham, UK", role="affiliation"),
    Block("front-matter", "Corresponding author: Kerry Allen; Email: k.allen@bham.ac.uk", role="affiliation"),
]
ALLEN_RUNNING_HEADERS = {"Personalisation and Integration in Adult Social Care", "Kerry Allen et al."}
ALLEN_JOURNAL_LINE = re.compile(r"^Social Policy & Society \(\d{4}\) ")
ALLEN_JOINED_WORDS = {"Ohwell": "Oh well", "‘openmarket’": "‘open market’"}  # plus CAMEL_JOIN
ALLEN_LEVEL1_HEADINGS = {"Methods"}  # letter-spaced in print, but not in the seed
ALLEN_QUOTE_END = re.compile(r"\((?:Local authority|National stakeholder|Care provider)\)$")
ALLEN_QUOTE_STARTS = ("The vision is for integrated care",)
ALLEN_FORCED_BREAKS = (  # compounds whose real hyphen may end a line (see force_hyphen_breaks)
    "person-centred", "long-term", "co-production", "co-produce", "self-directed", "self-care",
    "well-being", "policy-makers", "not-for-profit", "values-based", "community-based", "health-driven",
)


def allen_noise(line: str) -> bool:
    text = line.strip()
    return bool(
        PAGE_NUMBER.match(text)
        or DOI_FOOTER.match(text)
        or URL_ONLY.match(text)
        or text in ALLEN_RUNNING_HEADERS
        or ALLEN_JOURNAL_LINE.match(text)
    )


def take_copyright_block(lines: list[str]) -> tuple[list[str], list[str]]:
    """Split off the '© The Author(s) ...' block (it runs up to the next blank line)."""
    start = next(i for i, line in enumerate(lines) if line.startswith("©"))
    end = next(i for i in range(start, len(lines)) if not lines[i].strip())
    return lines[start:end], lines[:start] + lines[end:]


def normalise_ellipses(text: str) -> str:
    text = text.replace(": : :", "…")  # the journal's math-font ellipsis
    text = re.sub(r"\(\s*…\s*\)", "(…)", text)
    return re.sub(r"‘\s+…", "‘…", text)


def derive_allen(raw: str) -> list[Block]:
    copyright_lines, lines = take_copyright_block(raw.splitlines())
    lines = ["" if allen_noise(line) else line for line in lines]
    vocab = vocabulary("\n".join(lines))
    groups = merge_broken(split_paragraphs(lines))

    blocks = [replace(block) for block in ALLEN_FRONT]
    abstract, *body = groups
    blocks.append(Block("paragraph", normalise_ellipses(join_lines(abstract, vocab)), role="abstract"))
    blocks.append(Block("front-matter", join_lines(copyright_lines, vocab), role="copyright"))
    for group in body:
        blocks.extend(allen_blocks(group, vocab))

    for block in blocks:
        if block.kind in {"paragraph", "quote", "bullet"}:
            block.text, block.tight = split_joined_words(block.text, ALLEN_JOINED_WORDS)
    force_hyphen_breaks(blocks, ALLEN_FORCED_BREAKS)
    return blocks


def allen_blocks(group: list[str], vocab: set[str]) -> list[Block]:
    """Classify one paragraph group of the Allen seed (it may hold several bullet items)."""
    if group[0].lstrip().startswith("•"):
        items: list[list[str]] = []
        for line in group:
            if line.lstrip().startswith("•"):
                items.append([line.lstrip()[1:]])
            else:
                items[-1].append(line)
        return [Block("bullet", join_lines(item, vocab)) for item in items]

    text = normalise_ellipses(join_lines(group, vocab))
    if len(group) == 1 and len(text) < 90 and not ends_sentence(text):
        repaired = repair_letter_spacing(text, vocab)
        level1 = repaired != text or text in ALLEN_LEVEL1_HEADINGS
        return [Block("heading", repaired, role="heading" if level1 else "subheading")]
    if ALLEN_QUOTE_END.search(text) or text.startswith(ALLEN_QUOTE_STARTS):
        return [Block("quote", text)]
    return [Block("paragraph", text)]


# ---------------------------------------------------------------------------
# Powell 2011: derive the content
# ---------------------------------------------------------------------------

POWELL_TITLE = "Personalisation, participation and care"
POWELL_FRONT_MATTER = ("Jason Powell is Reader", "Email:", "Submitted for peer review")
POWELL_PULL_QUOTE = "The personalization agenda offers an opportunity to make social care (and other services)"
POWELL_KEY_POINTS = "KEY POINTS"
POWELL_END_MARK = "BJHCM"  # the journal's end-of-article mark; the reference list follows
POWELL_THEMES_SECTION = "Future research themes"
POWELL_TIGHT_PAIRS = ("In Control", "Personal Budgets", "direct payments")
POWELL_FORCED_BREAKS = (
    "co-production", "self-directed", "self-assessment", "user-led", "long-term",
    "well-being", "cost-effective", "day-to-day", "front-line", "person-focused",
)
POWELL_FIXES = {
    "orcid iconORCID:": "ORCID:",  # alt text of the ORCID logo on the cover page
    "ii) Eligibility": "(ii) Eligibility",  # opening parenthesis lost in the PDF-to-text output
}
BULLET = re.compile(r"^(?:-|■)\s+")


def powell_fix(text: str) -> str:
    for wrong, right in POWELL_FIXES.items():
        text = text.replace(wrong, right)
    return text


def markdown_block(kind: str, text: str, **extra) -> Block:
    clean, spans = strip_markdown(squash_spaces(text))
    return Block(kind, clean, spans=spans, **extra)


def derive_powell(raw: str) -> list[Block]:
    paragraphs = [powell_fix(line.strip()) for line in raw.splitlines() if line.strip()]
    title_at = paragraphs.index(POWELL_TITLE)
    end_at = paragraphs.index(POWELL_END_MARK)

    blocks = powell_cover(paragraphs[:title_at])
    blocks += [
        Block("title", POWELL_TITLE),
        Block("authors", paragraphs[title_at + 1]),
        Block("heading", paragraphs[title_at + 2], role="abstract-heading"),
        markdown_block("paragraph", paragraphs[title_at + 3], role="abstract"),
    ]
    body, front_matter = powell_body(paragraphs[title_at + 4 : end_at])
    blocks += front_matter + body
    blocks.append(Block("heading", "References"))
    references = merge_broken([[BULLET.sub("", p)] for p in paragraphs[end_at + 1 :]])
    blocks += [markdown_block("reference", " ".join(ref)) for ref in references]

    mark_tight_pairs(blocks, POWELL_TIGHT_PAIRS)
    force_hyphen_breaks(blocks, POWELL_FORCED_BREAKS)
    return blocks


def powell_cover(paragraphs: list[str]) -> list[Block]:
    """The repository (CLoK) cover page: label, title, author, link, citation, notices."""
    roles = ["cover-label", "cover-title", "cover-author", "cover-link"]
    blocks = []
    for index, text in enumerate(paragraphs):
        role = roles[index] if index < len(roles) else "cover"
        if index == len(paragraphs) - 1:
            role = "cover-rights"
        blocks.append(markdown_block("cover", text, role=role))
    return blocks


def powell_body(paragraphs: list[str]) -> tuple[list[Block], list[Block]]:
    """Body blocks in reading order, and the author note moved to the front matter.

    The author note, a pull quote and the key-points box interrupt paragraphs in
    the seed; the floats are put back after the paragraph they interrupted.
    """
    front_matter: list[Block] = []
    floats: list[Block] = []
    pieces: list[list[str]] = []  # paragraph texts, rejoined across breaks
    pending: dict[int, list[Block]] = {}  # floats to emit after piece i

    index = 0
    while index < len(paragraphs):
        text = paragraphs[index]
        index += 1
        if text.startswith(POWELL_FRONT_MATTER):
            front_matter.append(Block("front-matter", text, role="author-note"))
        elif text.startswith(POWELL_PULL_QUOTE):
            floats.append(Block("quote", text, role="pull-quote"))
        elif text == POWELL_KEY_POINTS:
            floats.append(Block("heading", text, role="box-heading", group="key-points"))
            while index < len(paragraphs) and BULLET.match(paragraphs[index]):
                item = BULLET.sub("", paragraphs[index])
                floats.append(Block("bullet", item, role="box-bullet", group="key-points"))
                index += 1
        elif pieces and continues(pieces[-1][-1], text):
            pieces[-1].append(text)
        else:
            if floats:
                pending.setdefault(len(pieces) - 1, []).extend(floats)
                floats = []
            pieces.append([text])
    pending.setdefault(len(pieces) - 1, []).extend(floats)

    blocks: list[Block] = []
    section = ""
    for i, piece in enumerate(pieces):
        text = " ".join(piece)
        block = powell_classify(text, section)
        if block.kind == "heading" and block.role == "heading":
            section = block.text
        blocks.append(block)
        blocks.extend(pending.get(i, []))
    return blocks, front_matter


def powell_classify(text: str, section: str) -> Block:
    if BULLET.match(text):
        role = "theme" if section == POWELL_THEMES_SECTION else "bullet"
        return markdown_block("bullet", BULLET.sub("", text), role=role)
    if len(text) < 70 and not ends_sentence(text):
        role = "subheading" if text.startswith("(") else "heading"
        return Block("heading", text, role=role)
    return markdown_block("paragraph", text)


# ---------------------------------------------------------------------------
# Typography: styles, words, line breaking
# ---------------------------------------------------------------------------

FAMILIES = {
    "Times": {
        "regular": "Times-Roman",
        "italic": "Times-Italic",
        "bold": "Times-Bold",
        "bolditalic": "Times-BoldItalic",
    },
    "Helvetica": {
        "regular": "Helvetica",
        "italic": "Helvetica-Oblique",
        "bold": "Helvetica-Bold",
        "bolditalic": "Helvetica-BoldOblique",
    },
}


@dataclass(frozen=True)
class Style:
    family: str = "Times"
    variant: str = "regular"
    size: float = 10.0
    leading: float = 12.5
    align: str = "justify"  # justify | left | center | right
    first_indent: float = 0.0
    left: float = 0.0
    right: float = 0.0
    hang: float = 0.0  # extra indent of all lines but the first (reference lists)
    before: float = 0.0
    after: float = 0.0
    char_space: float = 0.0  # tracking with the Tc operator (extractors see one word)
    letter_spacing: float = 0.0  # tracking with TJ kerning (extractors see separate letters)
    hyphenate: bool = True
    keep_with_next: bool = False
    marker: str = ""  # list items: "disc" or "square"; boxes: "rules" (else a shaded box)
    gray: float = 0.0

    def font(self, variant: str = "regular") -> str:
        parts = {self.variant, variant} - {"regular"}
        key = "bolditalic" if parts == {"bold", "italic"} else (parts.pop() if parts else "regular")
        return FAMILIES[self.family][key]

    @property
    def tracking(self) -> float:
        return self.char_space + self.letter_spacing

    def space_width(self) -> float:
        return stringWidth(" ", self.font(), self.size) + self.tracking


def font_runs(chars: Iterable[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """Group (char, variant, gap before) into (text, variant, gap before) runs drawn in one go."""
    runs: list[list] = []
    for ch, variant, gap in chars:
        if runs and runs[-1][1] == variant and not gap:
            runs[-1][0] += ch
        else:
            runs.append([ch, variant, gap])
    return [tuple(run) for run in runs]


@dataclass(frozen=True)
class Word:
    """A breakable unit: its characters, each with a font variant and a gap before it."""

    text: str
    variants: tuple[str, ...]
    gaps: tuple[float, ...]
    breaks: tuple[tuple[int, str], ...] = ()  # (split index, "soft"|"hard"|"url")
    forced: int = -1  # split index of a forced break after a real hyphen

    def runs(self) -> list[tuple[str, str, float]]:
        return font_runs(zip(self.text, self.variants, self.gaps))

    def width(self, style: Style) -> float:
        return sum(
            gap + stringWidth(text, style.font(variant), style.size) + style.tracking * len(text)
            for text, variant, gap in self.runs()
        )

    def split(self, index: int, kind: str) -> tuple["Word", "Word"]:
        head = Word(self.text[:index], self.variants[:index], self.gaps[:index])
        if kind == "soft":
            head = Word(head.text + "-", head.variants + head.variants[-1:], head.gaps + (0.0,))
        tail = Word(
            self.text[index:],
            self.variants[index:],
            self.gaps[index:],
            tuple((i - index, k) for i, k in self.breaks if i > index),
            self.forced - index if self.forced > index else -1,
        )
        return head, tail


URL_TOKEN = re.compile(r"https?://|www\.")


class Hyphenator:
    def __init__(self, lang: str = "en_GB"):
        self.dic = pyphen.Pyphen(lang=lang, left=2, right=3)

    def break_points(self, token: str) -> tuple[tuple[int, str], ...]:
        if URL_TOKEN.search(token):
            start = token.find("//") + 2
            return tuple((i + 1, "url") for i, ch in enumerate(token[:-1]) if ch == "/" and i > start)
        hard = tuple((m.end(), "hard") for m in re.finditer(r"(?<=[A-Za-z])-(?=[A-Za-z])", token))
        if hard:
            return hard
        m = re.fullmatch(r"([^A-Za-z]*)([A-Za-z]+)([^A-Za-z]*)", token)
        if not m or len(m[2]) < 6 or m[2].isupper():
            return ()
        return tuple((len(m[1]) + p, "soft") for p in self.dic.positions(m[2]))


def block_words(block: Block, style: Style, hyphenator: Hyphenator) -> list[Word]:
    """Cut a block's text into words; tightly kerned pairs become one unbreakable word."""
    variants = [style.variant] * len(block.text)
    for start, end, variant in block.spans:
        variants[start:end] = [variant] * (end - start)

    words: list[Word] = []
    chars: list[tuple[str, str, float, int]] = []  # (char, variant, gap before, text offset)
    gap = 0.0
    for offset, ch in enumerate(block.text + " "):
        if ch == " " and offset in block.tight:
            gap = TIGHT_GAP
            continue
        if ch == " ":
            if chars:
                words.append(make_word(chars, style, hyphenator, block.force_breaks))
            chars, gap = [], 0.0
            continue
        chars.append((ch, variants[offset], gap, offset))
        gap = 0.0
    return words


def make_word(chars, style: Style, hyphenator: Hyphenator, force_breaks: frozenset[int]) -> Word:
    text = "".join(c[0] for c in chars)
    gaps = tuple(c[2] for c in chars)
    breaks = hyphenator.break_points(text) if style.hyphenate and not any(gaps) else ()
    forced = next((i + 1 for i, c in enumerate(chars) if c[3] in force_breaks), -1)
    return Word(text, tuple(c[1] for c in chars), gaps, breaks, forced)


@dataclass
class Line:
    words: list[Word]
    indent: float
    avail: float
    last: bool = False


class LineBreaker:
    """Greedy first-fit line breaking with hyphenation, as most journals' software does it."""

    SHRINK = 0.85  # a word space may shrink to this fraction
    LOOSE = 0.25  # hyphenate when the spaces would otherwise stretch by more than this
    MAX_HYPHENS = 2  # consecutive hyphenated lines
    FORCED_FILL = 0.85  # a forced break is taken only if the line is this full

    def __init__(self, style: Style, width: float):
        self.style = style
        self.width = width
        self.space = style.space_width()

    def geometry(self, line_no: int) -> tuple[float, float]:
        s = self.style
        indent = s.left + (s.first_indent if line_no == 0 else s.hang)
        return indent, self.width - indent - s.right

    def natural(self, words: list[Word], space: float) -> float:
        return sum(w.width(self.style) for w in words) + space * max(0, len(words) - 1)

    def fits(self, words: list[Word], avail: float) -> bool:
        return self.natural(words, self.space * self.SHRINK) <= avail + 0.01

    def too_loose(self, words: list[Word], avail: float) -> bool:
        if len(words) < 2:
            return True
        stretch = (avail - self.natural(words, self.space)) / (len(words) - 1)
        return stretch > self.LOOSE * self.space

    def split(self, line: list[Word], word: Word, avail: float, soft_ok: bool):
        for index, kind in sorted(word.breaks, reverse=True):
            if kind == "soft" and not (soft_ok and self.too_loose(line, avail)):
                continue
            head, tail = word.split(index, kind)
            if self.fits(line + [head], avail):
                return head, tail
        return None

    def forced_split(self, line: list[Word], word: Word, avail: float):
        head, tail = word.split(word.forced, "hard")
        if self.fits(line + [head], avail) and self.natural(line + [head], self.space) > self.FORCED_FILL * avail:
            return head, tail
        return None

    def break_lines(self, words: list[Word]) -> list[Line]:
        lines: list[Line] = []
        queue = list(reversed(words))
        current: list[Word] = []
        hyphenated = 0
        while queue:
            indent, avail = self.geometry(len(lines))
            word = queue.pop()
            if word.forced > 0:
                forced = self.forced_split(current, word, avail)
                if forced:
                    current.append(forced[0])
                    queue.append(forced[1])
                    lines.append(Line(current, indent, avail))
                    current, hyphenated = [], 0
                    continue
                word = replace(word, forced=-1)
            if self.fits(current + [word], avail):
                current.append(word)
                continue
            parts = self.split(current, word, avail, hyphenated < self.MAX_HYPHENS)
            if parts:
                current.append(parts[0])
                queue.append(parts[1])
                hyphenated = hyphenated + 1 if parts[0].text.endswith("-") else 0
            elif not current:
                current.append(word)  # longer than the line: let it overflow
            else:
                queue.append(word)
                hyphenated = 0
            lines.append(Line(current, indent, avail))
            current = []
        if current:
            indent, avail = self.geometry(len(lines))
            lines.append(Line(current, indent, avail, last=True))
        elif lines:
            lines[-1].last = True
        return lines


def draw_line(c: rl_canvas.Canvas, line: Line, x: float, baseline: float, style: Style) -> None:
    """Draw one line; word spaces are real space glyphs, stretched with the word-space operator."""
    space = style.space_width()
    widths = [w.width(style) for w in line.words]
    natural = sum(widths) + space * (len(widths) - 1)
    extra = 0.0
    if style.align == "justify" and not line.last and len(widths) > 1:
        extra = (line.avail - natural) / (len(widths) - 1)
    x += line.indent
    if style.align == "center":
        x += (line.avail - natural) / 2
    elif style.align == "right":
        x += line.avail - natural

    chars: list[tuple[str, str, float]] = []  # the line's characters, spaces between words
    for index, word in enumerate(line.words):
        chars += zip(word.text, word.variants, word.gaps)
        if index < len(line.words) - 1:
            chars.append((" ", word.variants[-1], 0.0))

    c.setFillGray(style.gray)
    for text, variant, gap in font_runs(chars):
        x += gap
        font = style.font(variant)
        if style.letter_spacing:
            draw_letter_spaced(c, x, baseline, text, font, style.size, style.letter_spacing)
        else:
            c.setFont(font, style.size)
            c.drawString(x, baseline, text, charSpace=style.char_space, wordSpace=extra or None)
        x += stringWidth(text, font, style.size) + style.tracking * len(text) + extra * text.count(" ")
    c.setFillGray(0)


def draw_letter_spaced(
    c: rl_canvas.Canvas, x: float, y: float, text: str, font: str, size: float, spacing: float
) -> None:
    """Draw text with ``spacing`` pt after every glyph, as kerning in a TJ array.

    This is how typesetting software writes letter-spaced headings.  Unlike the
    Tc character-spacing operator (which pdfium folds into the glyph advance),
    the kerned gaps make pdfium see separate letters: 'I n t r o d u c t i o n'.
    reportlab has no public API for TJ arrays, hence the raw operator.
    """
    kern = -spacing * 1000 / size
    items = " ".join(f"({c._escape(ch.encode('cp1252'))}) {kern:.1f}" for ch in text)
    text_object = c.beginText(x, y)
    text_object.setFont(font, size)
    text_object._code.append(f"[{items}] TJ")
    c.drawText(text_object)


def draw_marker(c: rl_canvas.Canvas, style: Style, x: float, baseline: float) -> None:
    size = style.size * 0.34
    cx, cy = x + style.left - size - 5, baseline + style.size * 0.3
    c.setFillGray(style.gray)
    if style.marker == "square":
        c.rect(cx - size / 2, cy - size / 2, size, size, stroke=0, fill=1)
    else:
        c.circle(cx, cy, size * 0.45, stroke=0, fill=1)
    c.setFillGray(0)


# ---------------------------------------------------------------------------
# Page layout: frames, flowing blocks, boxes
# ---------------------------------------------------------------------------


@dataclass
class Frame:
    x: float
    top: float
    bottom: float
    width: float
    y: float = field(default=0.0)

    def __post_init__(self):
        self.y = self.y or self.top

    @property
    def at_top(self) -> bool:
        return self.y >= self.top - 0.01


@dataclass
class Meta:
    title: str
    author: str
    subject: str
    keywords: str
    date: str  # YYYYMMDD: the CreationDate


@dataclass
class JournalDesign:
    """Geometry, styles and page furniture of one journal."""

    styles: dict[str, Style]
    page_frames: Callable[[str], list[Frame]]  # page kind -> frames
    decorate: Callable[[rl_canvas.Canvas, str, int | None], None]  # (canvas, page kind, page no)
    first_page_number: int
    numbered_from: int = 0  # index of the first page that has a journal page number
    body_style: str = "paragraph"


class Typesetter:
    """Flows blocks through the frames of successive pages of one PDF."""

    def __init__(self, path: Path, design: JournalDesign, meta: Meta):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.c = rl_canvas.Canvas(str(path), pagesize=A4, invariant=1, pageCompression=1)
        self.c.setTitle(meta.title)
        self.c.setAuthor(meta.author)
        self.c.setSubject(meta.subject)
        self.c.setKeywords(meta.keywords)
        self.c.setCreator("policyscope scripts/typeset_demo_pdfs.py")
        self.c.setDateFormatter(lambda *_: f"D:{meta.date}000000+00'00'")
        self.design = design
        self.hyphenator = Hyphenator()
        self.page_index = -1
        self.frames: list[Frame] = []
        self.frame: Frame | None = None

    # pages and frames -----------------------------------------------------

    def page_number(self) -> int | None:
        if self.page_index < self.design.numbered_from:
            return None
        return self.design.first_page_number + self.page_index - self.design.numbered_from

    def new_page(self, kind: str = "body") -> None:
        if self.page_index >= 0:
            self.c.showPage()
        self.page_index += 1
        self.design.decorate(self.c, kind, self.page_number())
        self.frames = self.design.page_frames(kind)
        self.frame = self.frames.pop(0)

    def next_frame(self) -> None:
        if self.frames:
            self.frame = self.frames.pop(0)
        else:
            self.new_page("body")

    def start_columns(self, kind: str, gap: float = 14.0) -> None:
        """Continue on this page in the frames of ``kind``, below what has been set."""
        top = self.frame.y - gap
        self.frames = [replace(f, top=top, y=top) for f in self.design.page_frames(kind)]
        self.frame = self.frames.pop(0)

    def finish(self) -> None:
        self.c.showPage()
        self.c.save()

    # blocks ----------------------------------------------------------------

    def lines_for(self, block: Block, width: float, indent: bool = True) -> tuple[Style, list[Line]]:
        style = self.design.styles[block.style_key]
        if not indent:
            style = replace(style, first_indent=0.0)
        words = block_words(block, style, self.hyphenator)
        return style, LineBreaker(style, width).break_lines(words)

    def flow(self, blocks: list[Block]) -> None:
        index = 0
        while index < len(blocks):
            block = blocks[index]
            after_heading = index > 0 and blocks[index - 1].kind == "heading"
            if block.group:
                group = list(takewhile(lambda b: b.group == block.group, blocks[index:]))
                self.box(group, self.design.styles["box"])
                index += len(group)
                continue
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if block.style_key == "pull-quote":
                self.box([block], self.design.styles["pull-quote-box"])
            else:
                self.paragraph(block, following, indent=not after_heading)
            index += 1

    def paragraph(self, block: Block, following: Block | None, indent: bool = True) -> None:
        style, lines = self.lines_for(block, self.frame.width, indent)
        before = 0.0 if self.frame.at_top else style.before
        needed = before + min(len(lines), 2) * style.leading  # no single-line orphans
        if style.keep_with_next and following is not None:
            body = self.design.styles[self.design.body_style]
            needed = before + len(lines) * style.leading + style.after + 2 * body.leading
        if self.frame.y - needed < self.frame.bottom:
            self.next_frame()
            before = 0.0
        self.frame.y -= before
        for line_no, line in enumerate(lines):
            if self.frame.y - style.leading < self.frame.bottom - 0.01:
                self.next_frame()
            baseline = self.baseline(style)
            draw_line(self.c, line, self.frame.x, baseline, style)
            if style.marker and line_no == 0:
                draw_marker(self.c, style, self.frame.x, baseline)
            self.frame.y -= style.leading
        self.frame.y -= style.after

    def baseline(self, style: Style) -> float:
        return self.frame.y - (style.leading - style.size) / 2 - style.size * 0.78

    def box(self, blocks: list[Block], box: Style) -> None:
        """Blocks inside a shaded or ruled box that is kept in one piece."""
        pad = box.left
        inner = self.frame.width - 2 * pad
        laid = [(b, *self.lines_for(b, inner)) for b in blocks]
        height = 2 * pad + sum(
            (s.before if i else 0) + len(lines) * s.leading + (s.after if i < len(laid) - 1 else 0)
            for i, (_, s, lines) in enumerate(laid)
        )
        before = 0.0 if self.frame.at_top else box.before
        if self.frame.y - before - height < self.frame.bottom:
            self.next_frame()
            before = 0.0
        self.frame.y -= before
        x, top = self.frame.x, self.frame.y
        if box.marker == "rules":
            self.c.setLineWidth(1.2)
            self.c.line(x, top, x + self.frame.width, top)
            self.c.line(x, top - height, x + self.frame.width, top - height)
        else:
            self.c.setFillGray(box.gray)
            self.c.rect(x, top - height, self.frame.width, height, stroke=0, fill=1)
            self.c.setFillGray(0)
        self.frame.y -= pad
        for i, (_, style, lines) in enumerate(laid):
            self.frame.y -= style.before if i else 0
            for line_no, line in enumerate(lines):
                baseline = self.baseline(style)
                draw_line(self.c, line, x + pad, baseline, style)
                if style.marker and line_no == 0:
                    draw_marker(self.c, style, x + pad, baseline)
                self.frame.y -= style.leading
            self.frame.y -= style.after if i < len(laid) - 1 else 0
        self.frame.y = top - height - box.after

    def foot_block(self, block: Block, bottom: float, rule: bool = True) -> float:
        """Set a block upwards from ``bottom`` (first-page copyright notes); return its top."""
        style, lines = self.lines_for(block, self.frame.width)
        top = bottom + len(lines) * style.leading
        saved, self.frame.y = self.frame.y, top
        for line in lines:
            draw_line(self.c, line, self.frame.x, self.baseline(style), style)
            self.frame.y -= style.leading
        self.frame.y = saved
        if rule:
            self.c.setLineWidth(0.4)
            self.c.line(self.frame.x, top + 3, self.frame.x + 60, top + 3)
        return top + 3


def draw_text(
    c: rl_canvas.Canvas, x: float, y: float, text: str, font: str, size: float, align: str = "left", gray: float = 0.0
) -> None:
    """One line of page furniture (running header, footer, page number)."""
    width = stringWidth(text, font, size)
    x = {"left": x, "right": x - width, "center": x - width / 2}[align]
    c.setFillGray(gray)
    c.setFont(font, size)
    c.drawString(x, y, text)
    c.setFillGray(0)


# ---------------------------------------------------------------------------
# Allen et al. 2022: Social Policy & Society (Cambridge University Press)
# ---------------------------------------------------------------------------

ALLEN_DOI = "10.1017/S1474746422000392"
ALLEN_MARGIN_X = 84.0
ALLEN_TEXT_W = PAGE_W - 2 * ALLEN_MARGIN_X
ALLEN_RUNNING_TITLE = "Personalisation and Integration in Adult Social Care"
ALLEN_RUNNING_AUTHORS = "Kerry Allen et al."

ALLEN_STYLES = {
    "title": Style(variant="bold", size=15, leading=18.5, align="left", hyphenate=False, after=10),
    "authors": Style(size=11.5, leading=14, align="left", hyphenate=False, after=6),
    "affiliation": Style(variant="italic", size=8.5, leading=10.5, align="left", hyphenate=False, after=1),
    "abstract": Style(size=9, leading=11.5, before=12, after=4),
    "copyright": Style(size=6.8, leading=8.2, align="justify"),
    "heading": Style(
        variant="bold", size=10.5, leading=13, align="left", hyphenate=False,
        before=15, after=5, letter_spacing=1.9, keep_with_next=True,
    ),
    "subheading": Style(
        variant="italic", size=10, leading=12.5, align="left", hyphenate=False, before=10, after=3, keep_with_next=True
    ),
    "paragraph": Style(size=10, leading=12.5, first_indent=12),
    "quote": Style(size=9, leading=11.2, left=18, right=18, before=5, after=5),
    "bullet": Style(size=10, leading=12.5, left=22, marker="disc", before=1, after=1),
}


def allen_frames(kind: str) -> list[Frame]:
    top = PAGE_H - (96 if kind == "first" else 70)
    return [Frame(ALLEN_MARGIN_X, top, 64, ALLEN_TEXT_W)]


def allen_decorate(c: rl_canvas.Canvas, kind: str, number: int | None) -> None:
    left, right = ALLEN_MARGIN_X, PAGE_W - ALLEN_MARGIN_X
    head_y = PAGE_H - 52
    if kind == "first":
        draw_text(c, left, PAGE_H - 60, "Social Policy & Society (2023) 22:1, 172–186", "Times-Roman", 8.5)
        draw_text(c, PAGE_W / 2, 44, str(number), "Times-Roman", 8.5, align="center")
    elif number % 2 == 0:
        draw_text(c, left, head_y, str(number), "Times-Roman", 9)
        draw_text(c, left + 30, head_y, ALLEN_RUNNING_AUTHORS, "Times-Italic", 9)
    else:
        draw_text(c, right - 30, head_y, ALLEN_RUNNING_TITLE, "Times-Italic", 9, align="right")
        draw_text(c, right, head_y, str(number), "Times-Roman", 9, align="right")
    footer = f"https://doi.org/{ALLEN_DOI} Published online by Cambridge University Press"
    draw_text(c, PAGE_W / 2, 22, footer, "Helvetica", 6.5, align="center", gray=0.35)


ALLEN_DESIGN = JournalDesign(ALLEN_STYLES, allen_frames, allen_decorate, first_page_number=172)
ALLEN_META = Meta(
    title=ALLEN_FRONT[0].text,
    author="Kerry Allen, Emily Burn, Kelly Hall, Catherine Mangan, Catherine Needham",
    subject=f"Social Policy & Society 22(1): 172–186 (2023); doi:{ALLEN_DOI}",
    keywords="personalisation; integration; adult social care; policy conflict",
    date="20221215",  # published online 15 December 2022
)


def typeset_allen(blocks: list[Block], path: Path) -> None:
    ts = Typesetter(path, ALLEN_DESIGN, ALLEN_META)
    ts.new_page("first")
    copyright_block = next(b for b in blocks if b.role == "copyright")
    ts.frame.bottom = ts.foot_block(copyright_block, bottom=58) + 10
    ts.flow([b for b in blocks if b is not copyright_block])
    ts.finish()


# ---------------------------------------------------------------------------
# Powell 2011: British Journal of Health Care Management, repository copy
# ---------------------------------------------------------------------------

POWELL_MARGIN_X = 48.0
POWELL_GUTTER = 18.0
POWELL_TEXT_W = PAGE_W - 2 * POWELL_MARGIN_X
POWELL_COLUMN_W = (POWELL_TEXT_W - POWELL_GUTTER) / 2
POWELL_JOURNAL_LINE = "British Journal of Health Care Management  •  April 2011  •  Vol 17 No 4"
POWELL_FOOTER = "Available at https://clock.uclan.ac.uk/5429/"

SANS = "Helvetica"
POWELL_STYLES = {
    "cover-label": Style(SANS, "bold", 11, 14, align="left", hyphenate=False, after=18),
    "cover-title": Style(SANS, "bold", 20, 24, align="left", hyphenate=False, after=10),
    "cover-author": Style(SANS, "regular", 12, 15, align="left", hyphenate=False, after=22),
    "cover-link": Style(SANS, "regular", 10.5, 13, align="left", hyphenate=False, after=22),
    "cover": Style(SANS, "regular", 10, 13.5, align="left", hyphenate=False, after=12),
    "cover-rights": Style(SANS, "regular", 8.5, 11, align="left", hyphenate=False, before=120),
    "title": Style(SANS, "bold", 21, 25, align="left", hyphenate=False, after=6),
    "authors": Style(SANS, "regular", 12, 15, align="left", hyphenate=False, after=14),
    "abstract-heading": Style(SANS, "bold", 8.5, 11, align="left", hyphenate=False, char_space=0.6, after=2),
    "abstract": Style(SANS, "regular", 9.5, 12.5, after=8),
    "author-note": Style("Times", "italic", 8, 10, align="left", hyphenate=False),
    "heading": Style(SANS, "bold", 10.5, 13, align="left", hyphenate=False, before=11, after=3, keep_with_next=True),
    "subheading": Style(SANS, "bold", 9, 11.5, align="left", hyphenate=False, before=7, after=2, keep_with_next=True),
    "paragraph": Style("Times", "regular", 9.5, 11.6, first_indent=10),
    "bullet": Style("Times", "regular", 9.5, 11.6, left=12, marker="disc", before=1, after=1),
    "theme": Style("Times", "bold", 9.5, 11.6, left=12, marker="square", before=4, after=2),
    "pull-quote": Style(SANS, "italic", 11, 14, align="left", hyphenate=False),
    "pull-quote-box": Style(left=7, before=9, after=9, marker="rules"),
    "box": Style(left=8, before=9, after=9, gray=0.9),
    "box-heading": Style(SANS, "bold", 9, 12, align="left", hyphenate=False, char_space=0.5, after=3),
    "box-bullet": Style(SANS, "regular", 8.3, 10.4, align="left", left=10, marker="disc", after=2),
    "reference": Style("Times", "regular", 7.6, 9.2, align="left", hang=9, after=1.5),
}


def powell_frames(kind: str) -> list[Frame]:
    if kind == "cover":
        return [Frame(72, PAGE_H - 96, 72, PAGE_W - 144)]
    top = PAGE_H - 64
    if kind == "first":
        return [Frame(POWELL_MARGIN_X, PAGE_H - 80, 60, POWELL_TEXT_W)]
    right_x = POWELL_MARGIN_X + POWELL_COLUMN_W + POWELL_GUTTER
    return [Frame(POWELL_MARGIN_X, top, 60, POWELL_COLUMN_W), Frame(right_x, top, 60, POWELL_COLUMN_W)]


def powell_decorate(c: rl_canvas.Canvas, kind: str, number: int | None) -> None:
    if kind == "cover":
        return
    left, right = POWELL_MARGIN_X, PAGE_W - POWELL_MARGIN_X
    head_y = PAGE_H - 40
    if kind == "first" or number % 2 == 1:
        text = POWELL_JOURNAL_LINE if kind == "first" else "Personalisation, participation and care"
        draw_text(c, right - 26, head_y, text, SANS, 8, align="right", gray=0.25)
        draw_text(c, right, head_y, str(number), "Helvetica-Bold", 9, align="right")
    else:
        draw_text(c, left, head_y, str(number), "Helvetica-Bold", 9)
        draw_text(c, left + 26, head_y, POWELL_JOURNAL_LINE, SANS, 8, gray=0.25)
    c.setLineWidth(0.5)
    c.line(left, head_y - 6, right, head_y - 6)
    draw_text(c, PAGE_W / 2, 30, POWELL_FOOTER, SANS, 6.5, align="center", gray=0.35)


POWELL_DESIGN = JournalDesign(POWELL_STYLES, powell_frames, powell_decorate, first_page_number=157, numbered_from=1)
POWELL_META = Meta(
    title="Personalisation, participation and care",
    author="Jason Powell",
    subject="British Journal of Health Care Management 17(4): 157–164 (2011); repository copy, CLoK 5429",
    keywords="personalisation; personal budgets; individual budgets; social care",
    date="20110401",
)


def is_front_matter(block: Block) -> bool:
    return block.kind in {"title", "authors", "front-matter"} or block.role in {"abstract-heading", "abstract"}


def typeset_powell(blocks: list[Block], path: Path) -> None:
    """Cover page; then title, author and abstract across the page; then two columns."""
    cover = [b for b in blocks if b.kind == "cover"]
    front = [b for b in blocks if is_front_matter(b)]
    body = [b for b in blocks if b.kind != "cover" and not is_front_matter(b)]

    ts = Typesetter(path, POWELL_DESIGN, POWELL_META)
    ts.new_page("cover")
    ts.flow(cover)
    ts.new_page("first")
    ts.flow(front)
    ts.c.setLineWidth(0.6)
    ts.c.line(ts.frame.x, ts.frame.y - 4, ts.frame.x + ts.frame.width, ts.frame.y - 4)
    ts.start_columns("body", gap=16)
    ts.flow(body)
    ts.finish()


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

DOCUMENTS = {
    POWELL: (derive_powell, typeset_powell),
    ALLEN: (derive_allen, typeset_allen),
}


def build(stem: str, source: Path, pdf_dir: Path, golden_dir: Path) -> list[Block]:
    derive, typeset = DOCUMENTS[stem]
    blocks = derive((source / f"{stem}.txt").read_text(encoding="utf-8"))
    typeset(blocks, pdf_dir / f"{stem}.pdf")
    golden_dir.mkdir(parents=True, exist_ok=True)
    (golden_dir / f"{stem}.body.txt").write_text(golden_text(blocks), encoding="utf-8")
    return blocks


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder with the seed .txt files")
    parser.add_argument("--pdf-dir", type=Path, default=DEFAULT_PDF_DIR, help="where to write the PDFs")
    parser.add_argument("--golden-dir", type=Path, default=DEFAULT_GOLDEN_DIR, help="where to write *.body.txt")
    args = parser.parse_args(argv)
    for stem in DOCUMENTS:
        blocks = build(stem, args.source, args.pdf_dir, args.golden_dir)
        print(f"{stem}: {len(blocks)} blocks -> {args.pdf_dir / (stem + '.pdf')}")


if __name__ == "__main__":
    main()
