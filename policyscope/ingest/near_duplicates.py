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
    return " ".join(s.text for s in sentences if s.section == "body")


def text_signature(text: str) -> tuple[int, bytes]:
    """(n_shingles, MinHash bytes) as the store keeps them."""
    sh = shingles(text)
    return int(sh.size), signature(sh).tobytes()


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
