"""Change points: where a concept's yearly series shifts level.

Method (stated in every output row): penalised least squares on the yearly pooled series over the
years that have documents — minimise the sum of squared deviations from each segment's mean plus
a penalty per change, pen = 2 * sigma^2 * ln(n) (BIC-type), sigma estimated robustly from first
differences (MAD / 0.6745 / sqrt 2), segments at least 2 years long. This is the objective of
ruptures.Pelt(model="l2", min_size=2, jump=1); for series this short it is solved exactly by
optimal partitioning here (tests check the breaks equal ruptures'), which avoids importing
ruptures and scipy on every run. It locates shifts in level; it is not a significance test, and
with few years it says so instead of guessing.
"""
from __future__ import annotations

import math

import numpy as np

MIN_YEARS = 6
METHOD = ("penalised least squares (l2 cost, min segment 2 years; same objective as ruptures.Pelt(model='l2')), "
          "penalty 2*sigma^2*ln(n), sigma from MAD of first differences")
MIN_SIZE = 2


def optimal_partition(y: np.ndarray, pen: float, min_size: int = MIN_SIZE) -> list[int]:
    """Exact minimiser of sum of segment SSE + pen * (number of segments): segment end indexes (last = n)."""
    n = len(y)
    c1 = np.concatenate([[0.0], np.cumsum(y)])
    c2 = np.concatenate([[0.0], np.cumsum(y * y)])

    def sse(a: int, b: int) -> float:  # y[a:b]
        m = b - a
        s = c1[b] - c1[a]
        return float(c2[b] - c2[a] - s * s / m)

    best = [0.0] + [float("inf")] * n
    prev = [0] * (n + 1)
    for b in range(min_size, n + 1):
        for a in [0] + list(range(min_size, b - min_size + 1)):
            if a != 0 and best[a] == float("inf"):
                continue
            cost = best[a] + sse(a, b) + pen
            if cost < best[b]:
                best[b], prev[b] = cost, a
    bkps = []
    b = n
    while b > 0:
        bkps.append(b)
        b = prev[b]
    return sorted(bkps)


def _sigma(y: np.ndarray) -> float:
    d = np.diff(y)
    if d.size == 0:
        return 0.0
    mad = float(np.median(np.abs(d - np.median(d))))
    s = mad / 0.6745 / math.sqrt(2)
    if s == 0:
        s = float(np.std(d)) / math.sqrt(2)
    return s


def find_breaks(years: list[int], values: list[float]) -> tuple[list[int], float, str]:
    """Indexes where a new level starts, the penalty used, and a note ('' when estimated)."""
    pts = [(y, v) for y, v in zip(years, values) if v is not None and not math.isnan(v)]
    n = len(pts)
    if n < MIN_YEARS:
        return [], float("nan"), (f"series too short: {n} year(s) with documents (< {MIN_YEARS}); "
                                  "no change points estimated")
    y = np.array([v for _, v in pts], dtype=float)
    sigma = _sigma(y)
    if sigma == 0:
        return [], 0.0, "series is constant: no change points"
    pen = 2 * sigma ** 2 * math.log(n)
    bkps = optimal_partition(y, pen)
    idx = [b for b in bkps if b < n]
    return idx, pen, "" if idx else "no shift in level found at this penalty"


def changepoint_rows(series: dict[str, list[tuple[int, float]]], evidence_by_year: dict, measure: str,
                     weighting: str = "pooled", n_evidence: int = 3) -> list[dict]:
    """One row per (concept, break); a concept without breaks gets one row with the reason in `note`.

    `series`: concept -> [(year, value)] sorted by year; `evidence_by_year`: (concept, year) -> sentence ids.
    """
    rows = []
    for concept, pts in series.items():
        years = [y for y, _ in pts]
        vals = [v for _, v in pts]
        ok = [(y, v) for y, v in pts if v is not None and not math.isnan(v)]
        idx, pen, note = find_breaks(years, vals)
        base = {"concept": concept, "measure": measure, "weighting": weighting, "method": METHOD,
                "penalty": pen, "n_years": len(ok)}
        if not idx:
            rows.append({**base, "break_year": "", "mean_before": "", "mean_after": "", "years_before": "",
                         "years_after": "", "evidence_before": "", "evidence_after": "", "note": note})
            continue
        cuts = [0] + idx + [len(ok)]
        for k, b in enumerate(idx):
            before = ok[cuts[k]:b]
            after = ok[b:cuts[k + 2]]
            y_last, y_first = before[-1][0], after[0][0]
            ev_b = evidence_by_year.get((concept, y_last), [])[:n_evidence]
            ev_a = evidence_by_year.get((concept, y_first), [])[:n_evidence]
            rows.append({**base, "break_year": y_first,
                         "mean_before": float(np.mean([v for _, v in before])),
                         "mean_after": float(np.mean([v for _, v in after])),
                         "years_before": f"{before[0][0]}-{y_last}", "years_after": f"{y_first}-{after[-1][0]}",
                         "evidence_before": " ".join(ev_b), "evidence_after": " ".join(ev_a),
                         "note": "level shift located by penalised least squares; not a significance test"})
    return rows
