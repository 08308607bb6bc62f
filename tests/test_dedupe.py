"""Near-duplicates: MinHash signatures, LSH candidates, exact verification, canonical choice."""
from __future__ import annotations

import pickle
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from policyscope.ingest.dedupe import (
    NUM_PERM, estimate_jaccard, exact_jaccard, find_near_duplicates, lsh_bands, lsh_candidates, shingles, signature,
)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def seed_texts() -> dict[str, str]:
    folder = SHARED / "seeds"
    if not folder.exists():
        pytest.skip(f"{folder} is absent: the real-data corpus lives in ../shared beside the repository")
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def edit_sentences(text: str, share: float, seed: int = 1) -> str:
    """Change one word in `share` of the sentences (a light edit: a redraft, a corrected reprint)."""
    sents = sentences(text)
    rng = np.random.default_rng(seed)
    for i in rng.choice(len(sents), size=max(1, int(share * len(sents))), replace=False):
        words = sents[i].split()
        words[len(words) // 2] = "amended"
        sents[i] = " ".join(words)
    return " ".join(sents)


def test_signature_shape_determinism_and_estimate():
    text = "Personal budgets give people choice and control over the support they receive every day."
    sig = signature(text)
    assert sig.dtype == np.uint32 and sig.shape == (NUM_PERM,)
    assert np.array_equal(sig, signature(text)) and np.array_equal(sig, signature(shingles(text)))
    assert np.array_equal(pickle.loads(pickle.dumps(sig)), sig)
    assert estimate_jaccard(sig, signature(text.upper())) == 1.0  # case does not matter
    assert np.all(signature("") == 0xFFFFFFFF) and shingles("...").size == 0
    assert shingles("too short").size == 1  # fewer words than a shingle: one shingle


def test_signatures_match_across_processes():
    # Workers compute signatures; Python's hash() is salted per process, ours must not be.
    text = "Integration of public services has been the Holy Grail for government in recent years."
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from policyscope.ingest.dedupe import signature; "
            "print(','.join(map(str, signature(sys.argv[2]))))")
    out = subprocess.run([sys.executable, "-c", code, str(REPO), text], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "12345"})
    assert out.stdout.strip() == ",".join(map(str, signature(text)))


def test_lightly_edited_copy_is_found_and_unrelated_seeds_are_not():
    texts = seed_texts()
    original = texts["2014-routledge-et-al-personalisation-give-up-or-move-on"]
    draft = edit_sentences(original, 0.10)
    docs = [(name[:12], name[:4], text) for name, text in texts.items()]
    docs.append(("zz-redraft01", "2014-06", draft))
    found = find_near_duplicates(docs)
    assert len(found) == 1
    dup, canonical, similarity = found[0]
    assert (dup, canonical) == ("zz-redraft01", "2014-routled")  # the earlier-dated one is canonical
    assert similarity == pytest.approx(exact_jaccard(shingles(draft), shingles(original)), abs=1e-4)
    assert 0.8 <= similarity < 1.0
    # Unrelated seed documents share almost no 5-word shingles.
    names = list(texts)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert exact_jaccard(shingles(texts[a]), shingles(texts[b])) < 0.01


def test_replacing_whole_sentences_costs_more_similarity():
    # 10% of sentences replaced outright moves ~12% of shingles on each side: Jaccard ~0.76,
    # below the default 0.8 - found at 0.7.
    texts = seed_texts()
    original = texts["2014-routledge-et-al-personalisation-give-up-or-move-on"]
    sents, donor = sentences(original), sentences(texts["2011-powell-personalisation-participation-care"])
    for k, i in enumerate(range(0, len(sents), 10)):
        sents[i] = donor[20 + k]
    rewritten = " ".join(sents)
    docs = [("a-original00", "2014", original), ("b-rewrite000", "2015", rewritten)]
    assert find_near_duplicates(docs, threshold=0.8) == []
    (dup, canonical, similarity), = find_near_duplicates(docs, threshold=0.7)
    assert (dup, canonical) == ("b-rewrite000", "a-original00") and 0.7 <= similarity < 0.8


def test_canonical_is_earliest_dated_then_lowest_id_and_groups_chain():
    base = " ".join(f"word{i} appears in sentence {i // 10} of the strategy." for i in range(400))
    v2 = base.replace("word10 ", "changed10 ").replace("word200 ", "changed200 ")
    v3 = v2.replace("word300 ", "changed300 ")
    docs = [("c3", "2020-05", v3), ("b2", None, v2), ("a1", "2020-05", base), ("d4", "2019", "Something else entirely.")]
    found = find_near_duplicates(iter(docs))  # a one-shot iterator works too
    # a1 and c3 share the earliest date: the lower doc_id wins; undated b2 never beats a dated document.
    # b2 joins through the chain a1 ~ b2 ~ c3 and is reported with its own similarity to a1.
    assert [(d, c) for d, c, _ in found] == [("b2", "a1"), ("c3", "a1")]
    assert all(0.8 <= sim < 1 for _, _, sim in found)
    assert find_near_duplicates([("x", "2020", base), ("y", "2019", v2)])[0][:2] == ("x", "y")


def test_lsh_scales_without_all_pairs():
    rng = np.random.default_rng(7)
    vocab = np.array([f"w{i}" for i in range(20000)])
    docs = [(f"d{i:05d}", "2020", " ".join(vocab[rng.integers(0, len(vocab), 300)])) for i in range(1500)]
    planted = set()
    for i in range(0, 1500, 100):  # 15 lightly edited copies
        words = docs[i][2].split()
        for k in range(0, len(words), 75):
            words[k] = "edited"
        docs.append((f"x{i:05d}", "2021", " ".join(words)))
        planted.add((f"x{i:05d}", docs[i][0]))
    start = time.perf_counter()
    found = find_near_duplicates(docs)
    assert {(d, c) for d, c, _ in found} == planted
    assert time.perf_counter() - start < 10
    sigs = {doc_id: signature(text) for doc_id, _, text in docs[:1500]}
    assert len(lsh_candidates(sigs)) < 50  # random documents rarely share a bucket: far from 1500*1499/2


def test_many_exact_copies_stay_linear_and_short_texts_are_not_compared():
    text = " ".join(f"Paragraph {i} of the white paper on adult social care reform." for i in range(40))
    docs = [(f"copy{i:04d}", "2021", text) for i in range(1000)] + [("aaa-first", "2020", text)]
    docs += [(f"short{i}", "2020", "Answer the question.") for i in range(50)]
    start = time.perf_counter()
    found = find_near_duplicates(docs)
    assert time.perf_counter() - start < 5
    assert len(found) == 1000 and {c for _, c, _ in found} == {"aaa-first"} and {s for _, _, s in found} == {1.0}
    assert find_near_duplicates(docs[-50:]) == []  # identical interjections are not drafts of one another
    assert len(find_near_duplicates(docs[-50:], min_shingles=1)) == 49


def test_band_choice_favours_recall():
    bands, rows = lsh_bands(0.8)
    assert bands * rows <= NUM_PERM
    chance = 1 - (1 - 0.8 ** rows) ** bands
    assert chance >= 0.98  # a pair exactly at the threshold almost always becomes a candidate
    assert 1 - (1 - 0.3 ** rows) ** bands < 0.01  # a pair far below it almost never does
