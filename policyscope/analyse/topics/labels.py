"""What a topic is called and shown by: top terms, distinctive terms, a short label, representative units.

- top terms: the heaviest terms of the topic-term distribution;
- distinctive terms: ranked by relevance (Sievert & Shirley 2014) with lambda = 0.6,
  lambda·log p(w|k) + (1 − lambda)·log(p(w|k) / p(w)), which demotes terms frequent everywhere;
- label: the first `label_terms` distinctive terms, skipping terms whose words another chosen term
  already covers ("social_care" after "social_care_service"), joined by " / ";
- representative passages: among units at least `min_weight` about the topic (and of at least
  `passage_min_tokens` word tokens, so headings are not picked), those holding the most of the
  topic's text: weight × kept terms. A short unit can get a high weight from two or three words; this
  prefers passages that say a lot about the topic. At most `per_document` per document while other
  documents remain; ties broken by corpus order. If no unit reaches `min_weight`, the best below it
  are used.
"""
from __future__ import annotations

import heapq

import numpy as np

RELEVANCE_LAMBDA = 0.6
CANDIDATES_PER_TOPIC = 60


def ranked_terms(weights: np.ndarray, n: int) -> list[int]:
    return [int(i) for i in np.lexsort((np.arange(weights.size), -weights))[:n]]


def relevance(topic_term: np.ndarray, p_w: np.ndarray, lam: float = RELEVANCE_LAMBDA) -> np.ndarray:
    """Relevance of every term to every topic; terms absent from the modelled units get -inf."""
    eps = 1e-12
    rel = lam * np.log(topic_term + eps) + (1 - lam) * np.log((topic_term + eps) / (p_w[None, :] + eps))
    rel[:, p_w <= 0] = -np.inf
    return rel


def auto_label(terms: list[str], n: int = 3) -> str:
    chosen: list[set[str]] = []
    out: list[str] = []
    for t in terms:
        words = set(t.split("_"))
        if any(words <= c or c <= words for c in chosen):
            continue
        chosen.append(words)
        out.append(t.replace("_", " "))
        if len(out) == n:
            break
    return " / ".join(out)


class RepresentativePicker:
    """Keeps, while units stream past, the best candidate units per topic (memory: K × a few dozen)."""

    def __init__(self, k: int, min_tokens: int, min_weight: float = 0.6, keep: int = CANDIDATES_PER_TOPIC):
        self.k, self.min_tokens, self.min_weight, self.keep = k, min_tokens, min_weight, keep
        self.heaps: list[list] = [[] for _ in range(k)]
        self.seen = 0

    def update(self, weights: np.ndarray, units: list[dict]) -> None:
        for row, unit in zip(weights, units):
            order = self.seen
            self.seen += 1
            if unit["n_tokens"] < self.min_tokens:
                continue
            n_terms = unit.get("n_terms", unit["n_tokens"])
            for t in range(self.k):
                w = float(row[t])
                # heap of (rank key, -order): the smallest is evicted; earlier units win ties
                key = (w >= self.min_weight, w * n_terms)
                item = (key, -order, w, unit)
                h = self.heaps[t]
                if len(h) < self.keep:
                    heapq.heappush(h, item)
                elif item[:2] > h[0][:2]:
                    heapq.heapreplace(h, item)

    def pick(self, n: int, per_document: int) -> list[list[tuple[float, dict]]]:
        """Per topic up to n (weight, unit): units above min_weight first (at most per_document from one
        document while others remain, then any), and only then units below it."""
        out = []
        for h in self.heaps:
            ranked = sorted(h, key=lambda it: (it[0], it[1]), reverse=True)
            chosen: dict[str, tuple[int, float, dict]] = {}
            per_doc: dict[str, int] = {}
            for above in (True, False):
                for capped in (True, False):
                    for pos, (key, _, w, unit) in enumerate(ranked):
                        if len(chosen) == n:
                            break
                        if key[0] != above or unit["unit_id"] in chosen:
                            continue
                        if capped and per_doc.get(unit["doc_id"], 0) >= per_document:
                            continue
                        chosen[unit["unit_id"]] = (pos, w, unit)
                        per_doc[unit["doc_id"]] = per_doc.get(unit["doc_id"], 0) + 1
            out.append([(w, u) for _, w, u in sorted(chosen.values(), key=lambda c: c[0])])
        return out
