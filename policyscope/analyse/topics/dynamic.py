"""How a topic's words change across periods: per-period re-estimation from the fitted model.

This is not a dynamic topic model. gensim's LdaSeqModel re-fits topics chained across time slices
and is known to take days on tens of thousands of documents, so it is not used. Instead, with the
fitted model held fixed, each term occurrence in a unit is shared among topics in proportion to
θ_uk·β_kw (the unit's topic weight times the topic's term weight: the E-step responsibility), and
these expected counts are summed per period. A topic's top terms in a period are its heaviest
expected counts there. The method cannot invent new topics or split one over time; it shows which
of a topic's words carried it in each period. One pass over the prepared corpus per group of
periods; memory is bounded by MAX_CELLS (periods × K × V floats held at once).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from policyscope.analyse.topics.corpus import bow_to_csr
from policyscope.analyse.topics.labels import ranked_terms
from policyscope.analyse.topics.periods import period_of

MAX_CELLS = 10_000_000
WORD_COLUMNS = ["period", "topic", "label", "rank", "term", "weight", "expected_count", "in_overall_top", "n_docs",
                "thin"]


def expected_counts(counts, theta: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """(K × V) expected topic-term counts for a chunk: Σ_u c_uw · θ_uk β_kw / Σ_k' θ_uk' β_k'w."""
    coo = counts.tocoo()
    z = np.einsum("ik,ki->i", theta[coo.row], beta[:, coo.col])
    y = coo.copy()
    y.data = coo.data / np.maximum(z, 1e-300)
    return np.asarray((y.T.tocsr() @ theta).T) * beta


def topic_words_by_period(corpus, unit_topics: np.ndarray, beta: np.ndarray, labels: list[str], *, scheme,
                          n_terms: int = 10, min_docs: int = 3, chunk_size: int = 2000) -> pd.DataFrame:
    """One row per period × topic × rank: the term, its share of the topic's expected counts in the period."""
    k, v = beta.shape
    documents = corpus.documents()
    unit_period: list[str | None] = []
    period_docs: dict[str, set] = {}
    period_start: dict[str, int] = {}
    for u in corpus.units():
        p = period_of(documents.get(u["doc_id"], {}).get("date"), scheme)
        unit_period.append(p.label if p else None)
        if p:
            period_docs.setdefault(p.label, set()).add(u["doc_id"])
            period_start[p.label] = p.start
    periods = sorted(period_docs, key=lambda p: (period_start[p], p))
    overall_top = [set(ranked_terms(beta[t], n_terms)) for t in range(k)]
    group_size = max(1, MAX_CELLS // max(k * v, 1))
    rows = []
    for g in range(0, len(periods), group_size):
        group = periods[g:g + group_size]
        slot = {p: i for i, p in enumerate(group)}
        acc = np.zeros((len(group), k, v), dtype=np.float64)
        start = 0
        for chunk in corpus.bow_chunks(chunk_size):
            end = start + len(chunk)
            counts = bow_to_csr(chunk, v)
            theta = np.asarray(unit_topics[start:end], dtype=np.float64)
            where = np.array([slot.get(unit_period[i], -1) if unit_period[i] else -1 for i in range(start, end)])
            for s in np.unique(where[where >= 0]):
                sel = np.flatnonzero(where == s)
                acc[s] += expected_counts(counts[sel], theta[sel], beta)
            start = end
        for p, s in slot.items():
            n_docs = len(period_docs[p])
            for t in range(k):
                row = acc[s, t]
                total = row.sum()
                if total <= 0:
                    continue
                for rank, w in enumerate(ranked_terms(row, n_terms), start=1):
                    rows.append([p, t + 1, labels[t], rank, corpus.dictionary[w], round(float(row[w] / total), 6),
                                 round(float(row[w]), 3), w in overall_top[t], n_docs, n_docs < min_docs])
    return pd.DataFrame(rows, columns=WORD_COLUMNS)
