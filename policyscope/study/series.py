"""A study's numbers from per-document counts: each concept's series over periods, the gap between the
two concepts, the direction of change and the period from which the rising concept stays ahead, each
with a percentile interval from one shared set of resamples.

Resampling: within each period its documents are drawn with replacement (documents are the sampling
unit, as in `track`); for the error-corrected measures each replicate also draws the detector's
sensitivity and specificity once (Beta, as detect/correction.py), the same for every period, because a
detector's error does not change from one year to the next. Every derived number (gap, slope,
crossing) is computed in each replicate from that replicate's period values, so their intervals carry
the same uncertainty.

Thin periods (fewer than min_docs documents or min_sentences sentences) get a value and a flag but
never enter a trend or a crossing; a series with fewer than min_trend_periods non-thin periods in the
trend years gets no trend at all ("refused").
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from policyscope.analyse.bootstrap import bootstrap_indices, group_rng
from policyscope.analyse.detect.correction import CORRECTED, ErrorRates, corrected_values

TAGGED = ("sentence_share", "doc_reach", "rate")
STUDY_MEASURES = TAGGED + CORRECTED
SCALE = {"rate": 10_000.0}


@dataclass(frozen=True)
class Bin:
    label: str
    start: int
    end: int

    @property
    def mid(self) -> float:
        return (self.start + self.end) / 2


def period_bins(years: tuple[int, int], width: int) -> list[Bin]:
    """Periods of `width` years from the first study year on (the last one cut at the last year)."""
    first, last = years
    out = []
    start = first
    while start <= last:
        end = min(start + width - 1, last)
        out.append(Bin(str(start) if start == end else f"{start}-{end}", start, end))
        start += width
    return out


def period_values(docs: pd.DataFrame, concept: str, measure: str, weighting: str, idx: np.ndarray | None = None,
                  se=None, sp=None) -> np.ndarray:
    """The measure for one period's documents: shape (1,) without idx, (R,) for resamples idx (R, n_docs)."""
    sents = docs[f"sents__{concept}"].to_numpy(float)
    n_sents = docs["n_sentences"].to_numpy(float)
    hits = docs[f"hits__{concept}"].to_numpy(float)
    tokens = docs["n_tokens"].to_numpy(float)
    take = (lambda a: a[None, :]) if idx is None else (lambda a: a[idx])
    if measure in CORRECTED:
        return corrected_values(take(sents), take(n_sents), take(hits), take(tokens), se, sp, weighting)[measure]
    num, den = {"sentence_share": (sents, n_sents), "rate": (hits, tokens),
                "doc_reach": ((hits > 0).astype(float), np.ones_like(hits))}[measure]
    num, den = take(num), take(den)
    scale = SCALE.get(measure, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if weighting == "pooled":
            tot = den.sum(1)
            return np.where(tot > 0, scale * num.sum(1) / np.where(tot > 0, tot, 1), np.nan)
        ok = den > 0
        r = np.where(ok, num / np.where(ok, den, 1), 0.0)
        return np.where(ok.sum(1) > 0, scale * r.sum(1) / np.maximum(ok.sum(1), 1), np.nan)


@dataclass
class SeriesResult:
    """Period values of both concepts (point and resamples) for one set of documents and one measure."""

    bins: list[Bin]
    concepts: list[str]  # [waning, rising]
    point: dict  # concept -> (P,) values
    boot: dict  # concept -> (B, P) resampled values (B may be 0)
    n_docs: np.ndarray
    n_sentences: np.ndarray
    n_tokens: np.ndarray
    thin: np.ndarray  # (P,) bool
    trend_mask: np.ndarray  # (P,) bool: non-thin periods whose middle year is in the trend years

    def gap_point(self) -> np.ndarray:
        return self.point[self.concepts[1]] - self.point[self.concepts[0]]

    def gap_boot(self) -> np.ndarray:
        return self.boot[self.concepts[1]] - self.boot[self.concepts[0]]


def compute_series(docs: pd.DataFrame, concepts: list[str], measure: str, weighting: str, bins: list[Bin], *,
                   trend_years: tuple[int, int], n_boot: int, seed: int, min_docs: int, min_sentences: int,
                   rates: dict | None = None, key: str = "") -> SeriesResult:
    """docs: one row per document with year, n_sentences, n_tokens and per concept hits__c, sents__c.
    rates: concept -> ErrorRates, required for the corrected measures."""
    if measure in CORRECTED and not (rates and all(c in rates for c in concepts)):
        raise ValueError(f"{measure} needs the detector's measured error rates for {', '.join(concepts)}")
    P = len(bins)
    point = {c: np.full(P, np.nan) for c in concepts}
    boot = {c: np.full((n_boot, P), np.nan) for c in concepts}
    n_docs, n_sent, n_tok = np.zeros(P, int), np.zeros(P, int), np.zeros(P, int)
    draws = {}
    if measure in CORRECTED and n_boot:
        for c in concepts:
            r: ErrorRates = rates[c]
            draws[c] = r.draws(n_boot, group_rng(seed, key, "error-rates", c))
    years = docs["year"].to_numpy(int)
    for j, b in enumerate(bins):
        pdocs = docs[(years >= b.start) & (years <= b.end)]
        n = len(pdocs)
        n_docs[j], n_sent[j], n_tok[j] = n, int(pdocs["n_sentences"].sum()), int(pdocs["n_tokens"].sum())
        if n == 0:
            continue
        idx = bootstrap_indices(n, n_boot, group_rng(seed, key, b.label)) if n_boot else None
        for c in concepts:
            se, sp = (rates[c].sensitivity, rates[c].specificity) if measure in CORRECTED else (None, None)
            point[c][j] = period_values(pdocs, c, measure, weighting, None, se, sp)[0]
            if idx is not None:
                bse, bsp = draws.get(c, (None, None))
                boot[c][:, j] = period_values(pdocs, c, measure, weighting, idx, bse, bsp)
    thin = (n_docs < min_docs) | (n_sent < min_sentences)
    mids = np.array([b.mid for b in bins])
    trend_mask = ~thin & (mids >= trend_years[0]) & (mids <= trend_years[1])
    return SeriesResult(bins, list(concepts), point, boot, n_docs, n_sent, n_tok, thin, trend_mask)


def _quantiles(a: np.ndarray) -> tuple[float, float]:
    a = a[~np.isnan(a)]
    if a.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(a, [0.025, 0.975])
    return float(lo), float(hi)


def slopes(values: np.ndarray, x: np.ndarray) -> np.ndarray:
    """OLS slope of each row of values (R, P) on x (P,), per decade. NaN values are left out row by row."""
    values = np.atleast_2d(values)
    ok = ~np.isnan(values)
    xb = np.where(ok, x[None, :], 0.0)
    n = ok.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = xb.sum(1) / n
        my = np.where(ok, values, 0.0).sum(1) / n
        dx = np.where(ok, x[None, :] - mx[:, None], 0.0)
        dy = np.where(ok, values - my[:, None], 0.0)
        s = (dx * dy).sum(1) / (dx * dx).sum(1)
    return np.where(n >= 2, 10.0 * s, np.nan)


@dataclass
class Trend:
    """Change per decade over the non-thin periods of the trend years (None: refused, too little text)."""

    per_decade: float | None
    ci_low: float | None
    ci_high: float | None
    share_negative: float | None  # share of resamples with a falling trend
    n_periods: int

    @property
    def refused(self) -> bool:
        return self.per_decade is None


def trend_of(point: np.ndarray, boot: np.ndarray, series: SeriesResult, min_periods: int) -> Trend:
    mask = series.trend_mask
    k = int(mask.sum())
    if k < min_periods:
        return Trend(None, None, None, None, k)
    x = np.array([b.mid for b in series.bins])[mask]
    est = float(slopes(point[mask][None, :], x)[0])
    if boot.shape[0]:
        bs = slopes(boot[:, mask], x)
        lo, hi = _quantiles(bs)
        neg = float(np.mean(bs[~np.isnan(bs)] < 0)) if np.any(~np.isnan(bs)) else None
    else:
        lo = hi = neg = None
    return Trend(est, lo, hi, neg, k)


def first_lasting_lead(gap: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Per row of gap (R, P): the index of the first usable period from which gap > 0 in every later usable
    period (-1: the rising concept never stays ahead)."""
    gap = np.atleast_2d(gap)
    out = np.full(gap.shape[0], -1)
    cols = np.flatnonzero(usable)
    if cols.size == 0:
        return out
    ahead = gap[:, cols] > 0
    # from the right: ahead in this period and every later one
    lasting = np.flip(np.cumprod(np.flip(ahead, 1), 1), 1).astype(bool)
    any_ = lasting.any(1)
    first = np.argmax(lasting, 1)
    out[any_] = cols[first[any_]]
    return out


@dataclass
class Crossing:
    """From which period the rising concept stays above the waning one (over non-thin periods)."""

    period: str | None  # None: it never stays ahead (or the data cannot say)
    start: int | None
    low: str | None  # the 2.5% and 97.5% percentiles of the crossing period over resamples that cross
    high: str | None
    share_crossing: float | None  # share of resamples in which it stays ahead from some period on
    ahead_from_first: bool  # ahead already in the first usable period (no crossing inside the data)
    n_periods: int


def crossing_of(series: SeriesResult, min_periods: int) -> Crossing:
    usable = ~series.thin & ~np.isnan(series.gap_point())
    k = int(usable.sum())
    if k < min_periods:
        return Crossing(None, None, None, None, None, False, k)
    j = int(first_lasting_lead(series.gap_point(), usable)[0])
    first_usable = int(np.flatnonzero(usable)[0])
    boot = series.gap_boot()
    low = high = share = None
    if boot.shape[0]:
        bj = first_lasting_lead(np.where(np.isnan(boot), -np.inf, boot), usable)
        share = float(np.mean(bj >= 0))
        crossed = bj[bj >= 0]
        if crossed.size:
            starts = np.array([series.bins[i].start for i in crossed])
            lo_s, hi_s = np.quantile(starts, [0.025, 0.975], method="inverted_cdf")
            low = next(b.label for b in series.bins if b.start == lo_s)
            high = next(b.label for b in series.bins if b.start == hi_s)
    if j < 0:
        return Crossing(None, None, low, high, share, False, k)
    b = series.bins[j]
    return Crossing(b.label, b.start, low, high, share, j == first_usable, k)


def series_rows(series: SeriesResult, *, variant: str, group: str, measure: str, weighting: str) -> list[dict]:
    """Tidy rows: one per period x (each concept and the gap)."""
    rows = []
    names = series.concepts + ["gap"]
    for j, b in enumerate(series.bins):
        for name in names:
            if name == "gap":
                val, arr = series.gap_point()[j], series.gap_boot()[:, j]
            else:
                val, arr = series.point[name][j], series.boot[name][:, j]
            lo, hi = _quantiles(arr) if arr.size else (float("nan"), float("nan"))
            rows.append({"variant": variant, "group": group, "period": b.label, "period_start": b.start,
                         "period_end": b.end, "concept": name, "measure": measure, "weighting": weighting,
                         "value": float(val), "ci_low": lo, "ci_high": hi, "n_docs": int(series.n_docs[j]),
                         "n_sentences": int(series.n_sentences[j]), "n_tokens": int(series.n_tokens[j]),
                         "thin": bool(series.thin[j]), "in_trend": bool(series.trend_mask[j])})
    return rows
