"""Mark near-duplicate documents in the store (a draft and its final version, a reprint).

Each document's MinHash signature is computed once, when it is written, and stored beside it;
marking compares stored signatures and re-reads only the candidate pairs' text, so adding a few
files to a large store does not re-read the whole corpus. The earliest-dated document of a group
is canonical; the others get `duplicate_of`, and measures count each group once unless asked to
include duplicates.
"""
from __future__ import annotations

import numpy as np

from policyscope.ingest.dedupe import MIN_SHINGLES, group_near_duplicates, shingles, signature
from policyscope.model import Sentence
from policyscope.store import Store


def body_text(sentences: list[Sentence]) -> str:
    return " ".join([s.text for s in sentences if s.section == "body"])  # join makes a list of a generator anyway


def sentences_signature(sentences: list[Sentence]) -> tuple[int, np.ndarray]:
    """(n_shingles, MinHash) of the body text of some sentences: a whole document, or a page range of it."""
    sh = shingles(body_text(sentences))
    return int(sh.size), signature(sh)


def combine_signatures(parts: list[tuple[int, np.ndarray]]) -> tuple[int, bytes]:
    """One document's (n_shingles, MinHash bytes) from its page ranges' signatures.

    The MinHash of a union is the element-wise minimum of the parts' MinHashes, so workers can sign
    page ranges in parallel; only the few shingles that straddle a range boundary are missed.
    """
    n = sum(p[0] for p in parts)
    sig = np.minimum.reduce([p[1] for p in parts]) if parts else signature("")
    return n, sig.tobytes()


def stored_text(store: Store, doc_id: str) -> str:
    return " ".join(r["text"] for r in store.iter_sentences(sections=("body",), doc_ids=[doc_id], columns="s.text"))


def mark_near_duplicates(store: Store, threshold: float = 0.8) -> list[tuple[str, str, float]]:
    """Recompute near-duplicate groups over the whole store; returns (duplicate, canonical, similarity)."""
    sigs, dates = {}, {}
    for row in store.signatures():
        if row["n_shingles"] >= MIN_SHINGLES:
            sigs[row["doc_id"]] = np.frombuffer(row["signature"], dtype=np.uint32)
            dates[row["doc_id"]] = row["date"]
    pairs = group_near_duplicates(sigs, dates, lambda ids: {d: shingles(stored_text(store, d)) for d in ids},
                                  threshold)
    found = {dup: (canon, sim) for dup, canon, sim in pairs}
    for d in store.documents():
        canon, sim = found.get(d["doc_id"], (None, None))
        if d["duplicate_of"] != canon:
            store.set_duplicate(d["doc_id"], canon, sim)
    return pairs
