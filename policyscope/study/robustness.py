"""The same result under other reasonable choices, as the anchor studies check theirs: the concept
defined narrowly or broadly, the lexicon against the trained detector, other measures of space,
other period lengths, every source type left out (or alone), every document left out.

Each variant is one row of robustness.csv: the change per decade of each concept and of the gap, with
intervals, the period from which the rising concept stays ahead, and whether the claim's direction
holds (the waning concept falls and the gap to the rising one widens).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from policyscope.study.series import (SeriesResult, compute_series, crossing_of, period_bins, period_values, slopes,
                                      trend_of)

ROBUSTNESS_COLUMNS = ["family", "variant", "label", "tagger", "measure", "weighting", "period_years", "trend_years",
                      "documents", "n_docs", "n_trend_periods", "waning_change", "waning_ci_low", "waning_ci_high",
                      "rising_change", "rising_ci_low", "rising_ci_high", "gap_change", "gap_ci_low", "gap_ci_high",
                      "share_resamples_holding", "crossing_period", "crossing_low", "crossing_high",
                      "share_resamples_crossing", "direction_holds", "interval_excludes_no_change", "unit", "note"]


@dataclass(frozen=True)
class Variant:
    id: str
    family: str
    label: str
    tagger: str  # a key of the doc tables (detector, lexicon, narrow, broad, keyword)
    measure: str
    weighting: str = "pooled"
    period_years: int = 5
    trend_years: tuple[int, int] | None = None  # None: the study's
    drop_types: tuple[str, ...] = ()
    only_types: tuple[str, ...] = ()
    drop_sources: tuple[str, ...] = ()  # corpus sources (as corpus.csv shows them) left out
    note: str = ""

    def documents(self) -> str:
        if self.drop_sources:
            return "without " + ", ".join(self.drop_sources)
        if self.only_types:
            return "only " + ", ".join(self.only_types)
        if self.drop_types:
            return "without " + ", ".join(self.drop_types)
        return "all"


@dataclass
class Outcome:
    variant: Variant
    series: SeriesResult
    row: dict = field(default_factory=dict)


def select_docs(docs: pd.DataFrame, v: Variant) -> pd.DataFrame:
    if v.drop_sources:
        return docs[~docs["source"].isin(v.drop_sources)]
    if v.only_types:
        return docs[docs["source_type"].isin(v.only_types)]
    if v.drop_types:
        return docs[~docs["source_type"].isin(v.drop_types)]
    return docs


def holds(waning: float | None, gap: float | None) -> str:
    if waning is None or gap is None or np.isnan(waning) or np.isnan(gap):
        return "cannot say"
    return "yes" if waning < 0 and gap > 0 else "no"


def unit_of(measure: str) -> str:
    return "per 10,000 tokens per decade" if measure.startswith("rate") else "percentage points per decade"


def evaluate_variant(v: Variant, tables: dict, rates: dict, ctx) -> Outcome:
    """ctx: the study context (spec, concepts, years). tables: tagger -> doc table; rates: tagger -> error rates."""
    spec = ctx.spec
    docs = select_docs(tables[v.tagger], v)
    trend_years = v.trend_years or spec.trend_years
    series = compute_series(docs, spec.concepts, v.measure, v.weighting, period_bins(spec.years, v.period_years),
                            trend_years=trend_years, n_boot=spec.bootstrap, seed=spec.seed,
                            min_docs=spec.min_docs, min_sentences=spec.min_sentences, rates=rates.get(v.tagger),
                            key=f"{v.tagger}|{v.measure}|{v.weighting}|{v.period_years}|{v.documents()}")
    scale = 1.0 if v.measure.startswith("rate") else 100.0
    w, r = spec.waning, spec.rising
    tw = trend_of(series.point[w], series.boot[w], series, spec.min_trend_periods)
    tr = trend_of(series.point[r], series.boot[r], series, spec.min_trend_periods)
    tg = trend_of(series.gap_point(), series.gap_boot(), series, spec.min_trend_periods)
    cross = crossing_of(series, spec.min_trend_periods)
    share_holding = None
    if not tg.refused and series.boot[w].shape[0]:
        x = np.array([b.mid for b in series.bins])[series.trend_mask]
        bw = slopes(series.boot[w][:, series.trend_mask], x)
        bg = slopes(series.gap_boot()[:, series.trend_mask], x)
        ok = ~np.isnan(bw) & ~np.isnan(bg)
        share_holding = float(np.mean((bw[ok] < 0) & (bg[ok] > 0))) if ok.any() else None

    def sc(x):
        return None if x is None else round(float(x) * scale, 6)

    verdict = holds(tw.per_decade, tg.per_decade)
    sure = (verdict == "yes" and tw.ci_high is not None and tg.ci_low is not None and tw.ci_high < 0
            and tg.ci_low > 0)
    note = v.note
    if tg.refused:
        note = (note + "; " if note else "") + (f"too little text: {tg.n_periods} non-thin period(s) in the trend "
                                                f"years, {spec.min_trend_periods} needed")
    row = {"family": v.family, "variant": v.id, "label": v.label, "tagger": v.tagger, "measure": v.measure,
           "weighting": v.weighting, "period_years": v.period_years,
           "trend_years": f"{trend_years[0]}-{trend_years[1]}", "documents": v.documents(), "n_docs": int(len(docs)),
           "n_trend_periods": tg.n_periods, "waning_change": sc(tw.per_decade), "waning_ci_low": sc(tw.ci_low),
           "waning_ci_high": sc(tw.ci_high), "rising_change": sc(tr.per_decade), "rising_ci_low": sc(tr.ci_low),
           "rising_ci_high": sc(tr.ci_high), "gap_change": sc(tg.per_decade), "gap_ci_low": sc(tg.ci_low),
           "gap_ci_high": sc(tg.ci_high),
           "share_resamples_holding": None if share_holding is None else round(share_holding, 4),
           "crossing_period": cross.period or ("never" if cross.n_periods >= spec.min_trend_periods else None),
           "crossing_low": cross.low, "crossing_high": cross.high,
           "share_resamples_crossing": None if cross.share_crossing is None else round(cross.share_crossing, 4),
           "direction_holds": verdict, "interval_excludes_no_change": "yes" if sure else "no",
           "unit": unit_of(v.measure), "note": note}
    return Outcome(v, series, row)


def leave_one_document_out(headline: Variant, tables: dict, rates: dict, ctx, titles: pd.DataFrame) -> pd.DataFrame:
    """The headline's direction with each document of the trend periods left out in turn (point estimates)."""
    spec = ctx.spec
    docs = select_docs(tables[headline.tagger], headline).reset_index(drop=True)
    bins = period_bins(spec.years, headline.period_years)
    base = compute_series(docs, spec.concepts, headline.measure, headline.weighting, bins,
                          trend_years=spec.trend_years, n_boot=0, seed=spec.seed, min_docs=spec.min_docs,
                          min_sentences=spec.min_sentences, rates=rates.get(headline.tagger))
    mids = np.array([b.mid for b in bins])
    years = docs["year"].to_numpy(int)
    r = rates.get(headline.tagger) or {}
    rows = []
    w, g = spec.waning, spec.rising
    for j, b in enumerate(bins):
        if not base.trend_mask[j]:
            continue
        members = np.flatnonzero((years >= b.start) & (years <= b.end))
        for i in members:
            keep = members[members != i]
            pdocs = docs.iloc[keep]
            n_s = int(pdocs["n_sentences"].sum())
            vals = {}
            for c in spec.concepts:
                se, sp = (r[c].sensitivity, r[c].specificity) if c in r else (None, None)
                vals[c] = period_values(pdocs, c, headline.measure, headline.weighting, None, se, sp)[0] \
                    if len(keep) else np.nan
            point = {c: base.point[c].copy() for c in spec.concepts}
            mask = base.trend_mask.copy()
            if len(keep) < spec.min_docs or n_s < spec.min_sentences:
                mask[j] = False  # without it the period is thin
            for c in spec.concepts:
                point[c][j] = vals[c]
            if mask.sum() >= spec.min_trend_periods:
                sw = float(slopes(point[w][mask][None, :], mids[mask])[0])
                sg = float(slopes((point[g] - point[w])[mask][None, :], mids[mask])[0])
            else:
                sw = sg = float("nan")
            d = docs.iloc[i]
            rows.append({"doc_id": d["doc_id"], "title": d.get("title", ""), "date": d.get("date", ""),
                         "source_type": d["source_type"], "period": b.label,
                         "waning_change_without": round(100 * sw, 6), "gap_change_without": round(100 * sg, 6),
                         "direction_holds_without": holds(None if np.isnan(sw) else sw,
                                                          None if np.isnan(sg) else sg)})
    out = pd.DataFrame(rows, columns=["doc_id", "title", "date", "source_type", "period", "waning_change_without",
                                      "gap_change_without", "direction_holds_without"])
    if out.empty:
        return out
    x = mids[base.trend_mask]
    if base.trend_mask.sum() >= spec.min_trend_periods:
        g0 = float(slopes(base.gap_point()[base.trend_mask][None, :], x)[0]) * 100
    else:
        g0 = float("nan")
    out["gap_change_shift"] = (out["gap_change_without"] - g0).round(6)
    out = out.sort_values(["gap_change_shift", "doc_id"], key=lambda s: s.abs() if s.name == "gap_change_shift"
                          else s, ascending=[False, True], kind="stable").reset_index(drop=True)
    return out


def standard_variants(spec, headline: Variant, source_types: list[str], taggers: set[str],
                      corrected: set[str], sources: list[tuple[str, str]] = ()) -> list[Variant]:
    """The rows of the robustness table (the headline first), given the taggers run, those with rates and the
    corpus sources that hold documents ((shown path, note))."""
    W = headline.period_years
    out = [replace(headline, id="headline", family="headline", label="headline: " + headline.label)]
    share = "sentence_share"
    for t, label in (("narrow", "narrow lexicon (named policy instruments only)"),
                     ("lexicon", "lexicon as shipped"), ("broad", "broad lexicon (wider terms)"),
                     ("keyword", "plain keywords (personalis*, integrat*): the naive baseline")):
        if t in taggers:
            out.append(Variant(f"concept_{t}", "concept definition", label, t, share, period_years=W,
                               note="tagged share (the error of this definition was not measured)"
                               if t not in corrected else ""))
    if "lexicon" in corrected:
        out.append(Variant("detector_lexicon_corrected", "lexicon vs detector", "lexicon, error-corrected",
                           "lexicon", "sentence_share_corrected", period_years=W))
    out.append(Variant("detector_tagged", "lexicon vs detector", "trained detector, tagged (not corrected)",
                       headline.tagger, share, period_years=W))
    for m, label in (("doc_reach_corrected", "document reach, error-corrected"),
                     ("rate_corrected", "rate per 10,000 tokens, error-corrected"),
                     ("doc_reach", "document reach, tagged"), ("rate", "rate per 10,000 tokens, tagged")):
        if m.endswith("_corrected") and headline.tagger not in corrected:
            continue
        out.append(Variant(f"measure_{m}", "measure", label, headline.tagger, m, period_years=W))
    out.append(replace(headline, id="weighting_document", family="measure",
                       label="each document weighted equally (not pooled)", weighting="document"))
    for p in spec.robustness_period_years:
        out.append(replace(headline, id=f"periods_{p}y", family="periods", label=f"{p}-year periods", period_years=p))
    out.append(replace(headline, id="trend_all_years", family="trend years",
                       label=f"trend over every study year ({spec.years[0]}-{spec.years[1]})", trend_years=spec.years))
    for t in source_types:
        out.append(replace(headline, id=f"without_{t}", family="leave one source type out",
                           label=f"without {spec.source_type_phrase(t)}", drop_types=(t,)))
    if len(sources) > 1:
        for src, note in sources:
            out.append(replace(headline, id=f"without_source_{src}", family="leave one corpus source out",
                               label=f"without {note} ({src})" if note else f"without {src}",
                               drop_sources=(src,)))
    for t in source_types:
        out.append(replace(headline, id=f"only_{t}", family="one source type alone",
                           label=f"{spec.source_type_phrase(t)} alone", only_types=(t,)))
    return out
