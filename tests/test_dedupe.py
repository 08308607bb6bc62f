"""Near-duplicates: MinHash signatures, LSH candidates, exact verification, canonical choice."""
from __future__ import annotations

import hashlib
import pickle
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from policyscope.ingest import dedupe
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


# --- the definition of shingles and signatures is frozen: stored signatures must stay comparable ---

PINNED_TEXT = ("Personal budgets give people choice and control over the support they receive: "
               "café-owners’ “co-production”, 2014–15.")


def test_shingles_and_signature_values_are_pinned():
    # Computed with the first implementation. If this fails, the definition changed and every
    # stored signature (doc_signatures) is no longer comparable with new ones.
    sh = shingles(PINNED_TEXT)
    assert sh.dtype == np.uint32
    assert sh.tolist() == [172145676, 778636854, 1072321060, 1359034697, 1418599768, 1593802313, 1704587543,
                           1954548506, 2042458755, 2452890743, 2922831491, 2942733583, 3880027038, 4148934010]
    sig = signature(sh)
    assert sig.dtype == np.uint32
    assert sig[:8].tolist() == [579059575, 292689073, 1132792169, 9974818, 90290367, 66128997, 118901473, 575750498]
    assert int(sig.astype(np.uint64).sum()) == 36427254456
    assert np.array_equal(signature(PINNED_TEXT), sig)
    assert shingles("Too short").tolist() == [3804026696]
    assert signature("too short")[:4].tolist() == [1020754272, 3929477914, 483520465, 3630657435]


def reference_shingles(text: str, k: int = 5) -> np.ndarray:
    """The definition, written plainly (the first implementation)."""
    tokens = re.findall(r"\w+", text.lower())
    if not tokens:
        return np.empty(0, dtype=np.uint32)
    ids = np.array([int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little")
                    for t in tokens], dtype=np.uint64)
    n, width = max(len(ids) - k + 1, 1), min(k, len(ids))
    rolled = np.zeros(n, dtype=np.uint64)
    for j in range(width):
        rolled = rolled * np.uint64(1099511628211) + ids[j:j + n]
    rolled ^= rolled >> np.uint64(29)
    rolled *= np.uint64(0xBF58476D1CE4E5B9)
    return np.unique((rolled >> np.uint64(32)).astype(np.uint32))


def reference_signature(sh: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    a, b = dedupe._permutations(num_perm, dedupe.SEED)
    if len(sh) == 0:
        return np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)
    hashed = (a[:, None] * np.asarray(sh, dtype=np.uint64)[None, :] + b[:, None]) >> np.uint64(32)
    return hashed.min(axis=1).astype(np.uint32)


def random_texts(n: int, seed: int = 3) -> list[str]:
    """Words mixed with awkward characters: accents, curly quotes, dashes, non-breaking and zero-width
    spaces, combining marks, 'İ' (lower-cases to two characters), CJK, emoji, a lone surrogate,
    superscripts and other numerics, connector punctuation, control characters."""
    pool = list("abcXYZ019_ ,.;-'\"\t\n") + ["é", "İ", "ß", "ǅ", "’", "“", "–", "\u00a0", "\u2028", "\u0301",
                                             "日本", "。", "😀", "\ud800", "\ue000", "²", "½", "٣", "‿", "Ⅻ",
                                             "ﬁ", "\x00", "\x1c", "ＡＢ", "\u200b", "Σ"]
    rng = random.Random(seed)
    return ["".join(rng.choice(pool) for _ in range(rng.choice([0, 1, 3, 8, 20, 200, 3000]))) for _ in range(n)]


@pytest.mark.parametrize("max_replaces", [0, 1 << 20])  # the regex path and the str.replace path
def test_word_tokens_are_the_regex_tokens(monkeypatch, max_replaces):
    monkeypatch.setattr(dedupe, "_MAX_SEPARATOR_REPLACES", max_replaces)
    # Every code point, between letters, in blocks (a block's separators are each replaced on the str.replace path).
    blocks = [" x".join(map(chr, range(start, start + 2048))) for start in range(0, 0x110000, 2048)]
    for text in blocks + [PINNED_TEXT, "", "...", "ASCII only, plain."] + random_texts(300):
        expected = [t.encode("utf-8") for t in re.findall(r"\w+", text.lower())]
        assert dedupe._word_tokens(text) == expected


def test_shingles_and_signature_equal_the_plain_definition():
    texts = random_texts(300) + [PINNED_TEXT, " ".join(f"w{i}" for i in range(20000))]
    for text in texts:
        sh = shingles(text)
        assert sh.dtype == np.uint32 and np.array_equal(sh, reference_shingles(text))
        sig = signature(sh)
        assert sig.dtype == np.uint32 and np.array_equal(sig, reference_signature(sh))
    long_sh = shingles(texts[-1])
    assert long_sh.size > 2 * dedupe._CHUNK  # signed in several chunks
    assert np.array_equal(signature(long_sh, 64), reference_signature(long_sh, 64))
    for k in (1, 2, 3, 7):
        assert np.array_equal(shingles(PINNED_TEXT, k), reference_shingles(PINNED_TEXT, k))
        assert np.array_equal(shingles("two words", k), reference_shingles("two words", k))


def test_token_hash_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(dedupe, "_TOKEN_CACHE_SIZE", 50)
    dedupe._TOKEN_HASHES.clear()
    for i in range(20):
        text = " ".join(f"t{i}x{j}" for j in range(40))
        assert np.array_equal(shingles(text), reference_shingles(text))
        assert len(dedupe._TOKEN_HASHES) <= 50 + 40
    dedupe._TOKEN_HASHES.clear()
