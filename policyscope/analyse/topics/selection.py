"""Choosing K: coherence (c_v and NPMI, gensim CoherenceModel) and topic diversity for each candidate.

c_v and c_npmi are computed over the modelled units themselves (sliding windows of 110 and 10
terms, gensim's defaults) for the top `coherence_topn` terms of each topic; all candidates share
one pass over the corpus per measure. Topic diversity is the share of unique terms among the top
`diversity_topn` terms of all topics (Dieng, Ruiz & Blei 2020): 1 means no two topics share a top
term, low values mean redundant topics. The chosen K maximises the mean of the three measures
after min-max scaling across the candidates (ties go to the smaller K). The table is shown so the
user can overrule the choice with --k N.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from gensim.models.coherencemodel import CoherenceModel

MEASURES = ("c_v", "c_npmi")


@dataclass
class KScore:
    k: int
    c_v: float
    c_npmi: float
    diversity: float
    score: float = float("nan")
    chosen: bool = False
    fit_seconds: float = 0.0

    def row(self) -> dict:
        return {key: (round(v, 4) if isinstance(v, float) else v) for key, v in asdict(self).items()}


def topic_diversity(topics: list[list[str]], topn: int = 25) -> float:
    words = [w for t in topics for w in t[:topn]]
    return len(set(words)) / len(words) if words else float("nan")


def coherence_per_topic(topic_sets: list[list[list[str]]], corpus, topn: int = 10,
                        max_units: int | None = None) -> dict[str, list[list[float]]]:
    """Per measure, per topic set (one per model), the coherence of each topic.

    One accumulator pass over the corpus per measure serves all topic sets. With `max_units`, the
    co-occurrence counts come from that many units evenly spaced through the corpus (gensim's
    sliding-window counting is pure Python: on 140,000 units it took 26 s of a 90 s fit).
    """
    out: dict[str, list[list[float]]] = {}
    flat = [[w for w in t[:topn]] for topics in topic_sets for t in topics]
    texts = corpus.texts_sample(max_units)
    for measure in MEASURES:
        cm = CoherenceModel(topics=flat, texts=texts, dictionary=corpus.dictionary, coherence=measure,
                            topn=topn, processes=1)
        per_topic = [float(x) if x is not None and math.isfinite(x) else float("nan")
                     for x in cm.get_coherence_per_topic()]
        sets, i = [], 0
        for topics in topic_sets:
            sets.append(per_topic[i:i + len(topics)])
            i += len(topics)
        out[measure] = sets
    return out


def score_candidates(candidates: dict[int, list[list[str]]], corpus, *, coherence_topn: int = 10,
                     diversity_topn: int = 25, fit_seconds: dict[int, float] | None = None,
                     coherence_max_units: int | None = None) -> list[KScore]:
    """candidates: K → the top-term lists of the model fitted with K topics."""
    ks = sorted(candidates)
    coh = coherence_per_topic([candidates[k] for k in ks], corpus, coherence_topn, coherence_max_units)
    scores = [KScore(k=k, c_v=float(np.nanmean(coh["c_v"][i])), c_npmi=float(np.nanmean(coh["c_npmi"][i])),
                     diversity=topic_diversity(candidates[k], diversity_topn),
                     fit_seconds=round((fit_seconds or {}).get(k, 0.0), 3))
              for i, k in enumerate(ks)]
    choose_k(scores)
    return scores


def _minmax(values: list[float]) -> list[float]:
    lo, hi = min(values), max(values)
    if not math.isfinite(lo) or hi - lo < 1e-12:
        return [1.0 for _ in values]
    return [(v - lo) / (hi - lo) for v in values]


def choose_k(scores: list[KScore]) -> int:
    cols = [_minmax([s.c_v for s in scores]), _minmax([s.c_npmi for s in scores]),
            _minmax([s.diversity for s in scores])]
    for i, s in enumerate(scores):
        s.score = float(np.mean([c[i] for c in cols]))
        s.chosen = False
    best = max(scores, key=lambda s: (round(s.score, 9), -s.k))
    best.chosen = True
    return best.k
