"""Measures of "space" from per-document counts, pooled and document-weighted.

Every measure is a ratio of per-document counts (numerator n_d, denominator d_d):

| measure          | numerator per document                         | denominator per document          | scale  |
|------------------|------------------------------------------------|-----------------------------------|--------|
| rate             | hits of the concept                            | word tokens                       | 10,000 |
| sentence_share   | sentences with >= 1 hit of the concept         | sentences                         | 1      |
| doc_reach        | 1 if the document has >= 1 hit, else 0         | 1                                 | 1      |
| balance (A|B)    | sentences with a hit of A                      | sentences with a hit of A or of B | 1      |
|                  |                                                | (counted once per concept: A + B) |        |
| cooccurrence     | passages with hits of both A and B             | passages                          | 1      |

pooled   = scale * sum(n_d) / sum(d_d) over the period's documents;
document = scale * mean(n_d / d_d) over the period's documents with d_d > 0 (each document counts once).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MEASURES = ("sentence_share", "rate", "doc_reach", "balance", "cooccurrence",
            "sentence_share_corrected", "rate_corrected", "doc_reach_corrected")  # corrected: detect/correction.py
WEIGHTINGS = ("pooled", "document")
UNITS = {"rate": "per 10,000 tokens", "sentence_share": "share of sentences", "doc_reach": "share of documents",
         "balance": "share (first concept)", "cooccurrence": "share of passages",
         "sentence_share_corrected": "share of sentences (error-corrected)",
         "rate_corrected": "per 10,000 tokens (error-corrected)",
         "doc_reach_corrected": "share of documents (error-corrected)"}
SCALE = {"rate": 10_000.0}


def pair_name(a: str, b: str) -> str:
    return f"{a}|{b}"


@dataclass(frozen=True)
class Ratio:
    """One measure for one concept (or pair) as per-document numerators and denominators."""

    concept: str
    measure: str
    num: np.ndarray
    den: np.ndarray

    @property
    def scale(self) -> float:
        return SCALE.get(self.measure, 1.0)

    def pooled(self, idx: np.ndarray | None = None) -> float:
        num, den = (self.num, self.den) if idx is None else (self.num[idx], self.den[idx])
        total = den.sum()
        return float(self.scale * num.sum() / total) if total > 0 else float("nan")

    def document(self, idx: np.ndarray | None = None) -> float:
        num, den = (self.num, self.den) if idx is None else (self.num[idx], self.den[idx])
        ok = den > 0
        if not ok.any():
            return float("nan")
        return float(self.scale * np.mean(num[ok] / den[ok]))

    def value(self, weighting: str) -> float:
        return self.pooled() if weighting == "pooled" else self.document()


def ratios(docs: pd.DataFrame, concepts: list[str], pairs: list[tuple[str, str]]) -> list[Ratio]:
    """Per-document ratios for one group of documents.

    `docs` has one row per document with n_tokens, n_sentences, n_passages and, per concept c,
    hits__c and sents__c; per pair (a, b), cooc__a|b (passages with both).
    """
    out = []
    tokens = docs["n_tokens"].to_numpy(float)
    sents = docs["n_sentences"].to_numpy(float)
    passages = docs["n_passages"].to_numpy(float)
    ones = np.ones(len(docs))
    for c in concepts:
        hits = docs[f"hits__{c}"].to_numpy(float)
        s = docs[f"sents__{c}"].to_numpy(float)
        out.append(Ratio(c, "sentence_share", s, sents))
        out.append(Ratio(c, "rate", hits, tokens))
        out.append(Ratio(c, "doc_reach", (hits > 0).astype(float), ones))
    for a, b in pairs:
        name = pair_name(a, b)
        sa = docs[f"sents__{a}"].to_numpy(float)
        sb = docs[f"sents__{b}"].to_numpy(float)
        out.append(Ratio(name, "balance", sa, sa + sb))
        out.append(Ratio(name, "cooccurrence", docs[f"cooc__{name}"].to_numpy(float), passages))
    return out
