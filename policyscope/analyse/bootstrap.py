"""Percentile bootstrap intervals, resampling documents within a period (documents are the sampling unit).

Each (period, doc_type) group gets its own random stream derived from the run's seed and the
group's name, so a group's interval does not change when other groups are added or removed.
"""
from __future__ import annotations

import zlib

import numpy as np

from policyscope.analyse.measures import Ratio

LEVEL = 0.95


def group_rng(seed: int, *key: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), *(zlib.crc32(k.encode("utf-8")) for k in key)])


def bootstrap_indices(n_docs: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """(n_boot, n_docs) indexes of documents drawn with replacement."""
    return rng.integers(0, n_docs, size=(n_boot, n_docs))


def interval(ratio: Ratio, weighting: str, idx: np.ndarray | None, level: float = LEVEL) -> tuple[float, float]:
    """(low, high) percentile interval of the measure over bootstrap resamples `idx` (NaN if not estimable)."""
    if idx is None or idx.shape[0] == 0 or idx.shape[1] < 2:
        return float("nan"), float("nan")
    num = ratio.num[idx]
    den = ratio.den[idx]
    with np.errstate(invalid="ignore", divide="ignore"):
        if weighting == "pooled":
            tot = den.sum(axis=1)
            stats = np.where(tot > 0, num.sum(axis=1) / np.where(tot > 0, tot, 1), np.nan)
        else:
            r = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
            ok = (den > 0).sum(axis=1)
            stats = np.where(ok > 0, np.nansum(r, axis=1) / np.maximum(ok, 1), np.nan)
    stats = stats[~np.isnan(stats)] * ratio.scale
    if stats.size == 0:
        return float("nan"), float("nan")
    alpha = (1 - level) / 2
    lo, hi = np.quantile(stats, [alpha, 1 - alpha])
    return float(lo), float(hi)
