"""Segmentation: the bulk sentence path gives exactly what spaCy's sentencizer and Token loop give."""
from __future__ import annotations

import functools
from pathlib import Path

import pytest
import spacy

from policyscope.model import Page
from policyscope.nlp import fast_path, load_pipeline
from policyscope.segment import _sentences_of, passage_spans, segment_pages

REPO = Path(__file__).resolve().parents[1]

TRICKY = [
    "Personal budgets were introduced in 2008. Direct payments came first!",
    "... and so on. (See below.) “Choice and control?” she asked. Yes.",
    ". . .",
    "•",
    "No full stop at the end",
    "Dr. Smith arrived at 3 p.m. The meeting began.",
    "Two  spaces  here.  And   three.",
    "Question?! Answer!!! Ellipsis… Next word",
    "Hindi पूर्ण विराम। दूसरा वाक्य। Arabic؟ next",
    "e.g. the NHS (England) — joined-up care; integration.” Then ‘quotes’.",
    "a",
    "1. First item 2. Second item",
    "Mid\u00a0no-break space. And\u2009thin.",
]


@functools.lru_cache(maxsize=1)
def spacy_as_shipped():
    """spaCy's own blank English pipeline with the sentencizer, every lexical attribute computed."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def reference(nlp, texts):
    """The blank pipeline as spaCy runs it: tokenizer + sentencizer, sentences read from Token objects."""
    fast = fast_path(nlp)
    out = []
    for doc in spacy_as_shipped().pipe(texts):
        found = []
        for sent in doc.sents:
            words = [t for t in sent if not (t.is_punct or t.is_space)]
            if words:
                last = sent[-1]
                found.append((sent[0].idx, last.idx + len(last.text), len(words),
                              " ".join(fast.lemma(t.text) for t in words)))
        out.append(found)
    return out


def demo_passages() -> list[str]:
    texts = []
    for path in sorted((REPO / "corpus").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts += [text[s:e].replace("\n", " ") for s, e in passage_spans(text)]
    return texts


def test_bulk_sentences_match_the_sentencizer_on_tricky_texts():
    nlp = load_pipeline()
    assert fast_path(nlp).sentences(TRICKY) == reference(nlp, TRICKY)


def test_bulk_sentences_match_the_sentencizer_on_the_demo_corpus():
    nlp = load_pipeline()
    texts = demo_passages()
    assert len(texts) > 100
    got = fast_path(nlp).sentences(texts)
    assert got == reference(nlp, texts)
    assert sum(len(s) for s in got) > 300


def test_bulk_sentences_across_batches(monkeypatch):
    # Texts split over several Docs give the same result as one Doc.
    import policyscope.nlp as nlp_mod
    nlp = load_pipeline()
    texts = demo_passages()[:200]
    whole = fast_path(nlp).sentences(texts)
    monkeypatch.setattr(nlp_mod, "BATCH_CHARS", 500)
    assert fast_path(nlp).sentences(texts) == whole


def test_bulk_sentences_refuse_unstripped_or_multiline_text():
    fast = fast_path(load_pipeline())
    for bad in ("two\nlines", " leading space", "trailing space "):
        with pytest.raises(ValueError):
            fast.sentences([bad])
    assert fast.sentences([]) == []


def test_segment_pages_offsets_point_into_the_page():
    text = ("Putting People First set out personal budgets.\nIt was 2007.\n\n"
            "Integration came later. The Care Act 2014 joined it up.\n\n  \n\n.")
    page = Page(doc_id="abc123def456", page_no=3, raw_text=text, text=text)
    passages, sentences = segment_pages([page])
    assert [p.passage_id for p in passages] == ["abc123def456:p003:g001", "abc123def456:p003:g002",
                                                "abc123def456:p003:g003"]
    assert [s.sentence_id for s in sentences] == [f"abc123def456:p003:s{n:03d}" for n in (1, 2, 3, 4)]
    for s in sentences:
        assert text[s.char_start:s.char_end] == s.text
    assert [s.text for s in sentences] == ["Putting People First set out personal budgets.", "It was 2007.",
                                           "Integration came later.", "The Care Act 2014 joined it up."]
    assert [s.n_tokens for s in sentences] == [7, 3, 3, 7]
    assert sentences[2].lemmas == "integration come late"  # the lookup table's lemma of "later"
    assert {s.passage_id for s in sentences[:2]} == {"abc123def456:p003:g001"}


def test_trained_pipeline_path_reads_sentences_from_the_doc():
    # The path a trained pipeline takes (no FastLookup): the same records from nlp.pipe's Docs.
    nlp = load_pipeline()
    texts = TRICKY[:4]
    docs = list(spacy_as_shipped().pipe(texts))
    got = [[(a, b, n) for a, b, n, _ in _sentences_of(doc)] for doc in docs]
    want = [[(a, b, n) for a, b, n, _ in found] for found in reference(nlp, texts)]
    assert got == want


def test_sentences_equal_spacys_on_a_first_and_a_cached_pass_and_with_a_full_cache(monkeypatch):
    texts = TRICKY + demo_passages()[:150]
    nlp = load_pipeline()
    want = reference(nlp, texts)
    from policyscope.nlp import FastLookup, _blank_pipeline
    fresh = FastLookup(_blank_pipeline("blank:en", initialize=False))
    assert fresh.sentences(texts) == want
    assert fresh.sentences(texts) == want
    import policyscope.nlp as nlp_mod
    monkeypatch.setattr(nlp_mod, "BATCH_CHARS", 500)  # many Docs
    full = FastLookup(_blank_pipeline("blank:en", initialize=False))
    full.nlp.tokenizer.max_cache_size = 50
    assert full.sentences(texts) == want


def test_segmenter_lemma_table_is_spacys_lookup_table():
    from policyscope.nlp import lemma_lookup_table, load_segmenter
    table = load_pipeline().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    plain = lemma_lookup_table()
    assert len(plain) == len(table) > 40_000
    assert all(table.get(k) == v for k, v in plain.items())
    segmenter = load_segmenter()
    texts = demo_passages()[:100]
    assert segmenter.sentences(texts) == fast_path(load_pipeline()).sentences(texts)


def test_no_english_affix_or_url_rule_matches_a_text_of_letters():
    # The tokenizer skips its suffix, infix and URL searches for words made only of letters
    # (nlp._UnlessLetters); that is exact only if no rule can match such a word. Check spaCy's own
    # English rules against every letter in Unicode, alone, doubled and beside an ASCII letter.
    import sys

    from spacy.lang.en import English
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex
    d = English.Defaults
    prefix = compile_prefix_regex(d.prefixes).search
    suffix = compile_suffix_regex(d.suffixes).search
    infix = compile_infix_regex(d.infixes).search
    letters = "".join(chr(i) for i in range(sys.maxunicode + 1) if chr(i).isalpha())
    assert len(letters) > 100_000
    for text in (letters, letters[::-1]):  # every letter beside others, in one long word each way
        assert suffix(text) is None and infix(text) is None and d.url_match(text) is None
        assert prefix(text) is None
    for c in letters:
        for text in (c, c + c, "a" + c, c + "a"):
            assert suffix(text) is None and infix(text) is None and d.url_match(text) is None, repr(text)
    tokenizer = load_pipeline().tokenizer
    assert [t.text for t in tokenizer("joined-up care's URLs www.gov.uk 10km e.g.")] == \
        [t.text for t in spacy_as_shipped().tokenizer("joined-up care's URLs www.gov.uk 10km e.g.")]


def test_sorted_set_helpers_equal_numpy():
    import numpy as np

    from policyscope.arrays import is_in_sorted as _is_in_sorted
    from policyscope.arrays import sorted_union as _sorted_union
    rng = np.random.default_rng(0)
    for _ in range(100):
        a, b = (np.unique(rng.integers(0, 40, rng.integers(0, 25))) for _ in range(2))
        assert np.array_equal(_sorted_union(a, b), np.union1d(a, b))
        members = np.unique(rng.integers(0, 2**63, 12, dtype=np.uint64))
        values = np.concatenate([rng.integers(0, 2**63, 30, dtype=np.uint64), members[:4]])
        assert np.array_equal(_is_in_sorted(values, members), np.isin(values, members))
