"""Mark near-duplicate documents in the store (a draft and its final version, a reprint).

The earliest-dated document of a group is canonical; the others get `duplicate_of`, and
measures count each group once unless asked to include duplicates.
"""
from __future__ import annotations

from policyscope.store import Store


def document_text(store: Store, doc_id: str) -> str:
    return " ".join(r["text"] for r in store.iter_sentences(sections=("body",), doc_ids=[doc_id], columns="s.text"))


class _DocumentTexts:
    """Re-iterable (doc_id, date, text) stream: dedupe then keeps only signatures in memory."""

    def __init__(self, store: Store):
        self.store = store

    def __iter__(self):
        for d in self.store.documents():
            yield d["doc_id"], d["date"], document_text(self.store, d["doc_id"])


def mark_near_duplicates(store: Store, threshold: float = 0.8) -> list[tuple[str, str, float]]:
    """Recompute near-duplicate groups over the whole store; returns (duplicate, canonical, similarity)."""
    from policyscope.ingest.dedupe import find_near_duplicates
    pairs = find_near_duplicates(_DocumentTexts(store), threshold=threshold)
    found = {dup: (canon, sim) for dup, canon, sim in pairs}
    for d in store.documents():
        canon, sim = found.get(d["doc_id"], (None, None))
        if d["duplicate_of"] != canon:
            store.set_duplicate(d["doc_id"], canon, sim)
    return pairs
