"""The verdict: what the data show about the claim, in a few sentences a journalist could quote, how
strongly, and what would change the conclusion. Every number in it comes from the study's tables.

Strength (stated with the verdict):
    cannot say     the headline series has too few non-thin periods for a trend
    not supported  the headline direction does not hold (the waning concept does not fall, or the gap
                   to the rising one does not widen)
    strong         it holds, its 95% intervals exclude no change, and >= 80% of the robustness checks
                   that could be computed agree
    moderate       it holds and >= 60% of the checks agree
    weak           it holds in the headline but in fewer than 60% of the checks
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd


def _pct(x) -> str:
    return f"{100 * x:.1f}%" if x is not None and not math.isnan(x) else "n/a"


def _pp(x) -> str:
    return f"{x:+.1f}" if x is not None and not (isinstance(x, float) and math.isnan(x)) else "n/a"


def _moved(end) -> str:
    return "fell" if end[3] < end[1] else "rose" if end[3] > end[1] else "stayed"


def strength(head_row: dict, robustness: pd.DataFrame) -> tuple[str, int, int]:
    checks = robustness[(robustness["variant"] != "headline") & robustness["direction_holds"].isin(["yes", "no"])]
    n, k = len(checks), int((checks["direction_holds"] == "yes").sum())
    if head_row["direction_holds"] == "cannot say":
        return "cannot say", k, n
    if head_row["direction_holds"] == "no":
        return "not supported", k, n
    f = k / n if n else 0.0
    if head_row["interval_excludes_no_change"] == "yes" and f >= 0.8:
        return "strong", k, n
    return ("moderate" if f >= 0.6 else "weak"), k, n


def endpoint_values(series, concept: str) -> tuple[str, float, str, float] | None:
    """(first period, value, last period, value) over the non-thin periods of the trend years."""
    cols = np.flatnonzero(series.trend_mask)
    if cols.size < 2:
        return None
    a, b = cols[0], cols[-1]
    return (series.bins[a].label, float(series.point[concept][a]), series.bins[b].label,
            float(series.point[concept][b]))


def write_verdict(spec, head, robustness: pd.DataFrame, loo: pd.DataFrame, coverage: pd.DataFrame,
                  gaps: list[str], ctx) -> dict:
    row = head.row
    series = head.series
    level, k, n = strength(row, robustness)
    w, r = spec.waning, spec.rising
    n_docs = int(ctx.tables[head.variant.tagger]["doc_id"].nunique())
    measure = ("share of sentences about each concept, corrected for the detector's measured error"
               if head.variant.measure.endswith("_corrected") else "share of sentences tagged with each concept")
    sentences = []
    if level == "cannot say":
        sentences.append(f"The corpus holds too little dated text to test the claim: {row['n_trend_periods']} "
                         f"period(s) of {spec.trend_years[0]}-{spec.trend_years[1]} have enough documents "
                         f"(at least {spec.min_docs} and {spec.min_sentences} sentences), "
                         f"{spec.min_trend_periods} are needed.")
    else:
        ew, er = endpoint_values(series, w), endpoint_values(series, r)
        if ew and er:
            sentences.append(
                f"Across {n_docs} dated documents, {measure}: {w} {_moved(ew)} from {_pct(ew[1])} in {ew[0]} to "
                f"{_pct(ew[3])} in {ew[2]}, while {r} {_moved(er)} from {_pct(er[1])} to {_pct(er[3])}.")
        sentences.append(
            f"Over {spec.trend_years[0]}-{spec.trend_years[1]} {w} changed by {_pp(row['waning_change'])} "
            f"percentage points per decade (95% interval {_pp(row['waning_ci_low'])} to {_pp(row['waning_ci_high'])}) "
            f"and the lead of {r} over {w} by {_pp(row['gap_change'])} (95% interval {_pp(row['gap_ci_low'])} to "
            f"{_pp(row['gap_ci_high'])}).")
        cross = row["crossing_period"]
        if cross and cross != "never":
            first = head.series.bins[int(np.flatnonzero(~head.series.thin)[0])].label if (~head.series.thin).any() \
                else cross
            if cross == first:
                sentences.append(f"{r.capitalize()} is ahead of {w} from the first period with enough text "
                                 f"({cross}) on: the data hold no crossing.")
            else:
                rng = (f" (95% interval {row['crossing_low']} to {row['crossing_high']})"
                       if row["crossing_low"] else "")
                yearly = robustness[robustness["variant"] == "periods_1y"]
                by_year = ""
                if len(yearly) and isinstance(yearly["crossing_period"].iloc[0], str) and \
                        yearly["crossing_period"].iloc[0] != "never":
                    by_year = f"; counted by single years, since {yearly['crossing_period'].iloc[0]}"
                sentences.append(f"{r.capitalize()} has stayed ahead of {w} since {cross}{rng}{by_year}.")
        elif cross == "never":
            sentences.append(f"{r.capitalize()} does not stay ahead of {w} in any run of periods up to the last.")
        verdict_word = {"strong": "The data support the claim, robustly",
                        "moderate": "The data support the claim, but not under every reasonable choice",
                        "weak": "The data lean towards the claim, but the finding does not survive most checks",
                        "not supported": "The data do not support the claim"}[level]
        sentences.append(f"{verdict_word}: the direction holds in {k} of {n} robustness checks.")
        rests = robustness[robustness["family"].isin(["leave one source type out", "leave one corpus source out"])
                           & (robustness["direction_holds"] != row["direction_holds"])]
        if len(rests) and row["direction_holds"] == "yes":
            sentences.append("It rests on " + " and ".join(
                lab.removeprefix("without ") for lab in rests["label"]) + ": without them the direction does not "
                "hold.")
    failed = robustness[(robustness["variant"] != "headline") & (robustness["direction_holds"] == "no")]
    would_change = []
    if len(failed):
        would_change.append("the direction fails " + "; ".join(failed["label"].head(6)) +
                            (f" and {len(failed) - 6} more" if len(failed) > 6 else ""))
    if len(loo):
        flips = loo[loo["direction_holds_without"] != row["direction_holds"]]
        if len(flips):
            would_change.append(f"leaving out any one of {len(flips)} document(s) flips it (most influential: "
                                f"{flips['title'].iloc[0][:70]}, {flips['date'].iloc[0]})")
    if gaps:
        would_change.append("the corpus lacks: " + "; ".join(gaps))
    limits = ("Source types enter the corpus at different times, so part of any change can be a change in what "
              "was collected rather than in what was said; the per-source-type rows of the robustness table "
              "show how much. ")
    return {"strength": level, "checks_holding": k, "checks": n, "text": " ".join(sentences),
            "would_change": would_change, "limits": limits, "measure": head.variant.measure,
            "headline": row}
