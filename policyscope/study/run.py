"""`policyscope study`: the whole study, from the corpus folders to reports/study/.

    result = run_study(StudyOptions(out="reports/study"))

Steps: plan the corpus (which files, why others not) -> ingest into the study's store -> track with
each tagger (the trained detector, the lexicon and its narrow and broad variants, plain keywords) ->
series, gap, trend and crossing with intervals -> robustness variants -> coverage, quotes, change
points -> verdict -> study.html, study.md, CSVs and run.json.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from policyscope.errors import StudyError
from policyscope.study.corpus import CorpusPlan, document_types, ingest_plan, plan_corpus
from policyscope.study.coverage import coverage_gaps, coverage_table
from policyscope.study.quotes import pick_quotes
from policyscope.study.robustness import (ROBUSTNESS_COLUMNS, Variant, evaluate_variant, leave_one_document_out,
                                          standard_variants)
from policyscope.study.series import series_rows
from policyscope.study.spec import StudySpec, load_spec, source_of

HEADLINE_TAGGER = "detector"


@dataclass
class StudyOptions:
    out: str | Path = "reports/study"
    spec: str | Path | None = None  # models/study/social_care.yaml
    db: str | Path | None = None  # default OUT/study.db
    add: tuple = ()  # more folders (each with a manifest.csv) for the corpus
    only: bool = False  # only the added folders, not the spec's sources
    jobs: int | None = None
    bootstrap: int | None = None  # override the spec's
    images: bool = True  # SVG figures for study.md (needs Chromium)
    progress: bool = False


@dataclass
class StudyContext:
    spec: StudySpec
    plan: CorpusPlan
    out: Path
    db: Path
    types: pd.DataFrame = None
    tables: dict = field(default_factory=dict)  # tagger -> doc table (doc_id, year, counts, source_type, group)
    rates: dict = field(default_factory=dict)  # tagger -> {concept: ErrorRates}
    track_runs: dict = field(default_factory=dict)  # tagger -> TrackResult
    labels: dict = field(default_factory=dict)  # tagger -> "detector version" label
    notes: list = field(default_factory=list)


@dataclass
class StudyResult:
    out: Path
    files: dict
    verdict: dict
    robustness: pd.DataFrame
    notes: list
    seconds: float


def taggers(spec: StudySpec) -> dict:
    """tagger key -> (lexicon, detector) for track."""
    out = {HEADLINE_TAGGER: (spec.lexicon, None), "lexicon": (spec.lexicon, "lexicon"),
           "keyword": (spec.lexicon, "keyword")}
    for name, path in spec.lexicon_variants.items():
        out[name] = (path, "lexicon")
    return out


def track_periods(spec: StudySpec) -> str:
    from policyscope.study.series import period_bins
    return ",".join(f"{b.start}-{b.end}" for b in period_bins(spec.years, spec.period_years))


def run_track_for(ctx: StudyContext, key: str, lexicon, detector) -> None:
    from policyscope.analyse.detect.correction import ErrorRates
    from policyscope.analyse.track import TrackOptions, detector_label, run_track
    spec = ctx.spec
    folder = ctx.out / "track" / key
    opts = TrackOptions(lexicon=lexicon, detector=detector, periods=track_periods(spec), by_doc_type=True,
                        bootstrap=spec.bootstrap, seed=spec.seed, min_docs=spec.min_docs, concepts=spec.concepts)
    res = run_track(ctx.db, folder, opts)
    docs = res.docs.merge(ctx.types[["doc_id", "source", "source_type", "group"]], on="doc_id", how="inner")
    ctx.tables[key] = docs.sort_values(["year", "doc_id"], kind="stable").reset_index(drop=True)
    ctx.track_runs[key] = res
    name, version = detector_label(res.detector)
    ctx.labels[key] = f"{name} {version} (lexicon {res.lexicon.label})"
    rates_file = folder / "error_rates.csv"
    if rates_file.exists():
        er = pd.read_csv(rates_file)
        ctx.rates[key] = {r.concept: ErrorRates(r.concept, float(r.sensitivity), float(r.specificity),
                                                float(r.n_eff_positive), float(r.n_eff_negative), str(r.source))
                          for r in er.itertuples()}
    if key == HEADLINE_TAGGER and res.detector.backend not in ("hybrid", "model"):
        ctx.notes.append(f"no trained detector for lexicon {res.lexicon.label}: the headline tags with the "
                         f"{res.detector.backend} backend")


def headline_variant(ctx: StudyContext) -> Variant:
    corrected = HEADLINE_TAGGER in ctx.rates
    measure = "sentence_share_corrected" if corrected else "sentence_share"
    if not corrected:
        ctx.notes.append("the detector's error has not been measured: the study reports tagged shares, not "
                         "error-corrected ones")
    label = ("share of sentences, trained detector, corrected for its measured error" if corrected
             else "share of sentences, tagged")
    return Variant("headline", "headline", label, HEADLINE_TAGGER, measure, "pooled", ctx.spec.period_years)


def run_study(options: StudyOptions | None = None) -> StudyResult:
    t0 = time.perf_counter()
    opts = options or StudyOptions()
    spec = load_spec(opts.spec)
    if opts.bootstrap is not None:
        from dataclasses import replace
        spec = replace(spec, bootstrap=int(opts.bootstrap))
    added = tuple(source_of({"path": str(p)}) for p in opts.add)
    if opts.only and not added:
        raise StudyError("--only needs at least one folder to study", hint="policyscope study --only FOLDER")
    sources = added if opts.only else spec.sources + added
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    db = Path(opts.db) if opts.db else out / "study.db"
    plan = plan_corpus(sources)
    ctx = StudyContext(spec=spec, plan=plan, out=out, db=db)
    for s in plan.absent:
        ctx.notes.append(f"{s.path} is not on this machine: the study runs without it")
    outcomes = ingest_plan(plan, db, jobs=opts.jobs, progress=opts.progress)
    failed = [o for o in outcomes if o.outcome == "failed"]
    for o in failed:
        ctx.notes.append(f"could not read {o.path}: {o.reason}")

    from policyscope.store import open_store
    with open_store(db) as store:
        ctx.types = document_types(store, plan, spec)
    if ctx.types.empty:
        raise StudyError("none of the study's documents could be read", path=str(db))
    for key, (lexicon, detector) in taggers(spec).items():
        run_track_for(ctx, key, lexicon, detector)

    headline = headline_variant(ctx)
    present = [r.id for r in spec.source_types if (ctx.tables[HEADLINE_TAGGER]["source_type"] == r.id).any()]
    notes = {str(_shown_source(s)): s.note for s in sources}
    hd = ctx.tables[HEADLINE_TAGGER]
    type_sets = [frozenset(g["doc_id"]) for _, g in hd.groupby("source_type")]
    # a source that is exactly one source type is already a leave-one-source-type-out row
    used = [(src, notes.get(src, "")) for src, g in hd.groupby("source", sort=False)
            if frozenset(g["doc_id"]) not in type_sets]
    variants = standard_variants(spec, headline, present, set(ctx.tables), set(ctx.rates), used)
    outcomes_ = [evaluate_variant(v, ctx.tables, ctx.rates, ctx) for v in variants]
    robustness = pd.DataFrame([o.row for o in outcomes_], columns=ROBUSTNESS_COLUMNS)
    head = outcomes_[0]
    titles = ctx.tables[HEADLINE_TAGGER]
    loo = leave_one_document_out(headline, ctx.tables, ctx.rates, ctx, titles)
    robustness = pd.concat([robustness, pd.DataFrame([loo_row(loo, headline)], columns=ROBUSTNESS_COLUMNS)],
                           ignore_index=True)

    series = study_series(ctx, headline, present)
    cov = coverage_table(ctx.tables[HEADLINE_TAGGER], spec, present)
    gaps = coverage_gaps(cov, spec)
    evidence = pd.read_csv(ctx.out / "track" / HEADLINE_TAGGER / "evidence.csv", dtype={"page": "Int64"})
    quotes = pick_quotes(evidence, ctx.types, spec)
    changepoints = pd.read_csv(ctx.out / "track" / HEADLINE_TAGGER / "changepoints.csv")
    cooc = ctx.track_runs[HEADLINE_TAGGER].share
    cooc = cooc[(cooc["measure"].isin(["cooccurrence", "balance"])) & (cooc["weighting"] == "pooled")
                & (cooc["doc_type"] == "all")][["period", "concept", "measure", "value", "ci_low", "ci_high",
                                                 "n_docs", "n_passages", "thin"]]

    from policyscope.study.verdict import write_verdict
    verdict = write_verdict(spec, head, robustness, loo, cov, gaps, ctx)

    files = {"corpus": out / "corpus.csv", "coverage": out / "coverage.csv", "series": out / "series.csv",
             "robustness": out / "robustness.csv", "influence": out / "influence.csv", "quotes": out / "quotes.csv",
             "changepoints": out / "changepoints.csv", "cooccurrence": out / "cooccurrence.csv"}
    plan_table = plan.table()
    plan_table.to_csv(files["corpus"], index=False)
    cov.to_csv(files["coverage"], index=False)
    series.to_csv(files["series"], index=False)
    robustness.to_csv(files["robustness"], index=False)
    loo.to_csv(files["influence"], index=False)
    quotes.to_csv(files["quotes"], index=False)
    changepoints.to_csv(files["changepoints"], index=False)
    cooc.to_csv(files["cooccurrence"], index=False)

    from policyscope.study.page import write_pages
    page_files = write_pages(ctx, verdict=verdict, series=series, robustness=robustness, coverage=cov, gaps=gaps,
                             quotes=quotes, changepoints=changepoints, cooccurrence=cooc, influence=loo,
                             plan_table=plan_table, headline=headline, images=opts.images)
    files.update(page_files)
    seconds = time.perf_counter() - t0
    from policyscope.runinfo import write_run_json
    with open_store(db) as store:
        files["run"] = write_run_json(
            out, parameters={"spec": spec.path, "spec_name": spec.name, "spec_version": spec.version,
                             "sources": [str(s.path) for s in sources], "db": str(db),
                             "headline": vars(headline) | {"trend_years": list(spec.trend_years)},
                             "years": list(spec.years), "period_years": spec.period_years,
                             "min_docs": spec.min_docs, "min_sentences": spec.min_sentences,
                             "min_trend_periods": spec.min_trend_periods, "bootstrap": spec.bootstrap},
            store=store, lexicon=ctx.track_runs[HEADLINE_TAGGER].lexicon, seeds={"bootstrap": spec.seed},
            extra={"taggers": ctx.labels, "notes": ctx.notes, "verdict": verdict,
                   "seconds": round(seconds, 1)})
    return StudyResult(out=out, files=files, verdict=verdict, robustness=robustness, notes=ctx.notes,
                       seconds=seconds)


def _shown_source(source) -> str:
    from policyscope.study.corpus import _shown
    return _shown(source.path)


def loo_row(loo: pd.DataFrame, headline: Variant) -> dict:
    n = len(loo)
    k = int((loo["direction_holds_without"] == "yes").sum()) if n else 0
    worst = loo.iloc[0] if n else None
    note = (f"direction holds in {k} of {n} runs, each leaving one document of the trend periods out; the most "
            f"influential: {worst['title'][:60]} ({worst['date']})" if n else "no documents in the trend periods")
    return {"family": "leave one document out", "variant": "leave_one_document_out",
            "label": "every document left out in turn", "tagger": headline.tagger, "measure": headline.measure,
            "weighting": headline.weighting, "period_years": headline.period_years, "documents": "all but one",
            "n_docs": n, "gap_change": None if worst is None else float(loo["gap_change_without"].min()),
            "direction_holds": ("yes" if n and k == n else "no" if n else "cannot say"),
            "share_resamples_holding": round(k / n, 4) if n else None,
            "interval_excludes_no_change": "", "unit": "percentage points per decade (the smallest gap change)",
            "note": note}


def study_series(ctx: StudyContext, headline: Variant, present: list[str]) -> pd.DataFrame:
    """series.csv: the headline series for all documents, for each source type and each group (party)."""
    from policyscope.study.series import compute_series, period_bins
    spec = ctx.spec
    docs = ctx.tables[headline.tagger]
    bins = period_bins(spec.years, headline.period_years)
    groups = [("all", docs)] + [(t, docs[docs["source_type"] == t]) for t in present]
    groups += [(g, d) for g, d in docs.groupby("group", sort=True) if g not in present]
    rows = []
    measures = [headline.measure] + (["sentence_share"] if headline.measure != "sentence_share" else [])
    for measure in measures:
        for name, gdocs in groups:
            s = compute_series(gdocs, spec.concepts, measure, "pooled", bins, trend_years=spec.trend_years,
                               n_boot=spec.bootstrap, seed=spec.seed, min_docs=spec.min_docs,
                               min_sentences=spec.min_sentences, rates=ctx.rates.get(headline.tagger),
                               key=f"series|{name}|{measure}")
            rows += series_rows(s, variant="headline" if measure == headline.measure else "tagged", group=name,
                                measure=measure, weighting="pooled")
    return pd.DataFrame(rows)


def clean_out(out: Path) -> None:
    """Remove what an earlier study wrote (not the store)."""
    for name in ("track", "figures"):
        if (out / name).is_dir():
            shutil.rmtree(out / name)
