"""Shares corrected for a detector's measured error (Rogan-Gladen), with intervals that carry both the
document bootstrap and the uncertainty of the error rates.

A detector tags a share p of sentences. If it finds a true concept sentence with probability Se
(sensitivity, = recall) and wrongly tags another sentence with probability 1 - Sp (specificity Sp),
the share of sentences truly about the concept is

    pi = (p - (1 - Sp)) / (Se - (1 - Sp))            clipped to [0, 1]   (Rogan & Gladen 1978)

Se and Sp come from `policyscope detect evaluate` (grouped cross-validation, each coded sentence
weighted back to the pool it was drawn from) and are taken as the same in the corpus being tracked:
`policyscope validate` measures them on a sample of your own corpus.

Measures (pooled = from the period's summed counts; document = the mean of each document's value):

    sentence_share_corrected   pi
    rate_corrected             rate * pi / p   (hits scaled by the share of tagged sentences that are real;
                                               0 when nothing is tagged)
    doc_reach_corrected        mean over documents of 1 - (1 - PPV)^t_d, where t_d is the document's tagged
                               sentences and PPV = min(1, Se * pi / p) the period's share of tagged sentences
                               that are real: the chance that at least one of them is. Documents whose every
                               concept sentence was missed cannot be told from sentence-level rates and are
                               not added back (a lower bound when Se < 1).

Intervals: in each bootstrap replicate the period's documents are resampled (the same resamples as the
tagged measures) and Se, Sp are drawn from Beta(k + 1, n - k + 1), n the Kish effective number of coded
positives (negatives) and k = Se * n (Sp * n); the 2.5% and 97.5% percentiles are reported.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CORRECTED = ("sentence_share_corrected", "rate_corrected", "doc_reach_corrected")


@dataclass(frozen=True)
class ErrorRates:
    concept: str
    sensitivity: float
    specificity: float
    n_eff_positive: float
    n_eff_negative: float
    source: str  # where they were measured

    @classmethod
    def from_metrics(cls, concept: str, d: dict, source: str) -> "ErrorRates":
        return cls(concept, float(d["sensitivity"]), float(d["specificity"]), float(d["n_eff_positive"]),
                   float(d["n_eff_negative"]), source)

    def draws(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        se = rng.beta(self.sensitivity * self.n_eff_positive + 1, (1 - self.sensitivity) * self.n_eff_positive + 1, n)
        sp = rng.beta(self.specificity * self.n_eff_negative + 1, (1 - self.specificity) * self.n_eff_negative + 1, n)
        return se, sp


def rogan_gladen(p, se, sp):
    """True share from the tagged share p (arrays broadcast); NaN where Se + Sp <= 1 (no information)."""
    p, se, sp = np.asarray(p, float), np.asarray(se, float), np.asarray(sp, float)
    denom = se + sp - 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        pi = (p + sp - 1.0) / denom
    return np.where(denom > 0, np.clip(pi, 0.0, 1.0), np.nan)


def corrected_values(sents, n_sents, hits, tokens, se, sp, weighting: str) -> dict[str, np.ndarray]:
    """The three corrected measures for R resamples at once: per-document arrays of shape (R, n_docs), and
    se, sp of shape (R,). Returns {measure: array (R,)}."""
    sents, n_sents, hits, tokens = (np.atleast_2d(np.asarray(a, float)) for a in (sents, n_sents, hits, tokens))
    se, sp = np.atleast_1d(np.asarray(se, float)), np.atleast_1d(np.asarray(sp, float))
    with np.errstate(invalid="ignore", divide="ignore"):
        tot_s, tot_n, tot_t = sents.sum(1), n_sents.sum(1), tokens.sum(1)
        p = np.where(tot_n > 0, tot_s / np.where(tot_n > 0, tot_n, 1), np.nan)
        pi = rogan_gladen(p, se, sp)
        ppv = np.where(p > 0, np.minimum(1.0, se * pi / np.where(p > 0, p, 1)), 0.0)
        ppv = np.where(np.isnan(ppv), 0.0, ppv)
        reach = np.mean(1.0 - (1.0 - ppv[:, None]) ** sents, axis=1)
        if weighting == "pooled":
            rate = np.where(tot_t > 0, 10_000.0 * hits.sum(1) / np.where(tot_t > 0, tot_t, 1), np.nan)
            rate_c = np.where(p > 0, rate * pi / np.where(p > 0, p, 1), np.where(p == 0, 0.0, np.nan))
            return {"sentence_share_corrected": pi, "rate_corrected": rate_c, "doc_reach_corrected": reach}
        ok = n_sents > 0
        pd_ = np.where(ok, sents / np.where(ok, n_sents, 1), np.nan)
        pid = rogan_gladen(pd_, se[:, None], sp[:, None])
        scale = np.where(pd_ > 0, pid / np.where(pd_ > 0, pd_, 1), 0.0)
        has_t = tokens > 0
        rate_d = np.where(has_t, 10_000.0 * hits / np.where(has_t, tokens, 1), np.nan) * scale
        share_d = np.where(ok, pid, np.nan)
        n_ok, n_t = ok.sum(1), has_t.sum(1)
        share_c = np.where(n_ok > 0, np.nansum(share_d, 1) / np.maximum(n_ok, 1), np.nan)
        rate_dc = np.where(n_t > 0, np.nansum(np.where(has_t, rate_d, 0.0), 1) / np.maximum(n_t, 1), np.nan)
    return {"sentence_share_corrected": share_c, "rate_corrected": rate_dc, "doc_reach_corrected": reach}


def corrected_rows(pdocs, concept: str, rates: ErrorRates, idx: np.ndarray | None, rng: np.random.Generator,
                   weightings) -> list[dict]:
    """[{measure, weighting, value, ci_low, ci_high}] for one period's documents (a doc_counts frame); idx are
    the bootstrap resamples of its documents (None: no interval)."""
    cols = [pdocs[f"sents__{concept}"], pdocs["n_sentences"], pdocs[f"hits__{concept}"], pdocs["n_tokens"]]
    arrays = [c.to_numpy(float) for c in cols]
    se_b, sp_b = rates.draws(idx.shape[0], rng) if idx is not None else (None, None)
    out = []
    for w in weightings:
        point = corrected_values(*arrays, rates.sensitivity, rates.specificity, w)
        boot = corrected_values(*(a[idx] for a in arrays), se_b, sp_b, w) if idx is not None else None
        for m in CORRECTED:
            lo = hi = float("nan")
            if boot is not None:
                arr = boot[m][~np.isnan(boot[m])]
                if arr.size:
                    lo, hi = (float(x) for x in np.quantile(arr, [0.025, 0.975]))
            out.append({"measure": m, "weighting": w, "value": float(point[m][0]), "ci_low": lo, "ci_high": hi})
    return out
