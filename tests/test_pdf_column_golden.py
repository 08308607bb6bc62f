"""Line-end hyphens on real multi-column PDFs (../shared/corpus, read in place): golden pages.

The documents are party manifestos (no open licence) and a Federal Register issue, so a golden
file never holds their text: per reviewed page it keeps the column count, the clean-up log's
hyphen repairs (one word each) and the page's word bigrams as 8-hex-digit hashes, enough for a
word-bigram F1 against the reviewed text and nothing to read back. Each golden file also pins the
PDF's sha256 (another file skips, saying so) and the document's fragment count, which is 0.

A fragment (see `fragments`): a dangling 'communi- ties' that the PDF does not print as such on
one line; a compound of two words (or a prefix and a word) joined into no English word and no
word of the document ('samesex'); or a hyphen kept inside a word whose parts are not both words
('communi-ties'). After a deliberate change, rewrite the files with
POLICYSCOPE_REGEN_GOLDEN=1, review the pages (`policyscope show`) and the diff.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from policyscope.ingest.layout.english_words import english_words
from policyscope.ingest.layout.hyphenation import COMPOUND_PREFIXES, PREFIXES as MORE_PREFIXES
from policyscope.ingest.pdf import read_pdf
from tests.conftest import shared_corpus
from tests.test_pdf_fidelity import TOKEN

GOLDEN = Path(__file__).resolve().parent / "golden" / "columns"
CASES = {  # golden name: (file under ../shared/corpus, reviewed pages)
    "manifesto_2005_labour": ("policy/manifesto_2005_labour.pdf", [4, 11]),  # two columns
    "manifesto_2005_libdem": ("policy/manifesto_2005_libdem.pdf", [7]),  # five columns
    "manifesto_2015_conservative": ("policy/manifesto_2015_conservative.pdf", [10, 19]),  # two columns
    "manifesto_2017_conservative": ("policy/manifesto_2017_conservative.pdf", [18]),  # one column
    "manifesto_2017_libdem": ("policy/manifesto_2017_libdem.pdf", [68]),  # one column
    "manifesto_2024_conservative": ("policy/manifesto_2024_conservative.pdf", [13, 28]),  # two columns
    "federal-register-3col": ("pdf-torture/federal-register-3col.pdf", [1, 3]),  # three columns
}
SUSPENDED = {"and", "or", "to", "nor"}  # 'three- and four-year-olds'
PREFIXES = COMPOUND_PREFIXES | MORE_PREFIXES  # 'co-ordinated' is a spelling, not a split
WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")

pytestmark = pytest.mark.shared


def bigram_hashes(text: str) -> Counter:
    tokens = TOKEN.findall(text)
    return Counter(hashlib.sha1(f"{a} {b}".encode()).hexdigest()[:8] for a, b in zip(tokens, tokens[1:]))


def f1(got: Counter, want: Counter) -> float:
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(got.values()), overlap / sum(want.values())
    return 2 * p * r / (p + r)


@functools.cache
def lexicon() -> frozenset[str]:
    """Every word form of spacy-lookups-data's English lexeme table (about a million, rare ones too:
    'chiropody'), a wider net than the word list the hyphen rules use."""
    from spacy.util import load_language_data, registry
    return frozenset(load_language_data(registry.lookups.get("en")["lexeme_prob"]))


def fragments(doc) -> list[tuple[int, str, str]]:
    """(page, kind, what) for every piece of a split word left in the document's text."""
    words = english_words()
    own = Counter(WORD.findall("\n".join(p.text for p in doc.pages).lower()))
    for page in doc.pages:  # a join's own result is no evidence for it: count the other occurrences
        for action in page.cleanup:
            if action.kind == "dehyphenated" and " -> " in action.text and "-" not in action.text.split(" -> ")[1]:
                own[action.text.split(" -> ")[1].lower()] -= 1
    out = []
    for page in doc.pages:
        raw_lines = page.raw_text.replace("\r\n", "\n").split("\n")
        for m in re.finditer(r"\b([A-Za-z]+)-\s+([a-z]+)\b", page.text):
            printed = re.compile(re.escape(m.group(1)) + r"-\s+" + re.escape(m.group(2)) + r"\b")
            if m.group(2) not in SUSPENDED and not any(printed.search(line) for line in raw_lines):
                out.append((page.page_no, "dangling", m.group(0)))
        for action in page.cleanup:
            if action.kind != "dehyphenated" or " -> " not in action.text:
                continue
            site, result = action.text.split(" -> ")
            left, _, right = site.partition("-")
            joined = (left + right).lower()
            parts_are_words = left.lower() in PREFIXES or (left.lower() in words.common and right.lower() in words.common)
            if result == left + right and parts_are_words and joined not in lexicon() and own[joined] <= 0:
                out.append((page.page_no, "non-word join", action.text))
            elif result == site and not (left.lower() in words.common and right.lower() in words.common) \
                    and left.lower() not in PREFIXES and (joined in words.known or own[joined]) \
                    and not (left[:1].isupper() and right[:1].isupper()):
                out.append((page.page_no, "kept a split", action.text))
    return out


def golden_of(name: str, path: Path, doc, pages: list[int]) -> dict:
    record = {"file": CASES[name][0], "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
              "fragments": len(fragments(doc)), "pages": {}}
    for no in pages:
        page = doc.pages[no - 1]
        columns = [a.text for a in page.cleanup if a.kind == "columns" and "read left to right" in a.text]
        record["pages"][str(no)] = {
            "columns": int(columns[0].split()[0]) if columns else 1,
            "repairs": [a.text for a in page.cleanup if a.kind == "dehyphenated"],
            "bigrams": sorted(bigram_hashes(page.text).elements()),
        }
    return record


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    name = request.param
    rel, pages = CASES[name]
    path = shared_corpus(*rel.split("/"))
    doc = read_pdf(path)
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("POLICYSCOPE_REGEN_GOLDEN") == "1":
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(golden_of(name, path, doc, pages), indent=1) + "\n", encoding="utf-8")
    assert golden.exists(), f"{golden} missing: run with POLICYSCOPE_REGEN_GOLDEN=1 and review it"
    want = json.loads(golden.read_text(encoding="utf-8"))
    if hashlib.sha256(path.read_bytes()).hexdigest() != want["sha256"]:
        pytest.skip(f"{path} is not the file {golden.name} was made from (sha256 differs)")
    return name, doc, want


def test_no_fragments_in_the_whole_document(case):
    name, doc, want = case
    assert fragments(doc) == [] and want["fragments"] == 0, name


def test_reviewed_pages_keep_their_columns_and_repairs(case):
    name, doc, want = case
    for no, page_want in want["pages"].items():
        page = doc.pages[int(no) - 1]
        columns = [a.text for a in page.cleanup if a.kind == "columns" and "read left to right" in a.text]
        assert (int(columns[0].split()[0]) if columns else 1) == page_want["columns"], (name, no)
        assert [a.text for a in page.cleanup if a.kind == "dehyphenated"] == page_want["repairs"], (name, no)


def test_reviewed_pages_bigram_f1(case):
    name, doc, want = case
    for no, page_want in want["pages"].items():
        score = f1(bigram_hashes(doc.pages[int(no) - 1].text), Counter(page_want["bigrams"]))
        assert score >= 0.99, f"{name} page {no}: word-bigram F1 {score:.4f} < 0.99 against the reviewed page"


def test_golden_files_hold_no_document_text():
    for golden in GOLDEN.glob("*.json"):
        record = json.loads(golden.read_text(encoding="utf-8"))
        for page in record["pages"].values():
            assert all(re.fullmatch(r"[0-9a-f]{8}", h) for h in page["bigrams"])
            assert all(len(r) < 80 for r in page["repairs"])  # one word and its decision each
