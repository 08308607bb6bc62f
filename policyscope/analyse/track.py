"""`track`: tag every in-scope sentence with a concept detector, count per document, and write

    concept_share.csv   one row per period x doc_type x concept x measure x weighting (value, ci_low, ci_high, ...)
    evidence.csv        one row per hit (concept, term, doc_id, title, date, doc_type, page, sentence_id, sentence, matched, ...)
    denominators.csv    one row per counted document (period, doc_type, n_sentences, n_tokens, n_passages)
    changepoints.csv    level shifts in each concept's yearly series (or why none were estimated)
    run.json            provenance (policyscope.runinfo)

Every concept_share value is a function of evidence.csv + denominators.csv (see measures.py); the
error-corrected rows (*_corrected) also of error_rates.csv (the detector's measured sensitivity and
specificity; see detect/correction.py).

The detector (analyse/detect) is the trained `hybrid` by default when the lexicon has one, else the
lexicon's rules; `--detector lexicon|keyword|model|hybrid|FOLDER` chooses. Sentences reach it in
document order with their neighbours.
Scope: documents with a date (undated ones are named in a warning), near-duplicates counted once
unless include_duplicates, sentences of the chosen sections (body by default).
"""
from __future__ import annotations

import csv
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from policyscope.analyse.bootstrap import bootstrap_indices, group_rng, interval
from policyscope.analyse.changepoints import changepoint_rows
from policyscope.analyse.lexicon import Lexicon, load_lexicon
from policyscope.analyse.detect import (SentenceBatch, detector_error_rates, detector_error_rates_measured_by,
                                        load_detector)
from policyscope.analyse.detect.correction import CORRECTED, ErrorRates, corrected_rows
from policyscope.analyse.matcher import Matcher
from policyscope.analyse.measures import MEASURES, UNITS, WEIGHTINGS, pair_name, ratios
from policyscope.analyse.periods import PeriodScheme
from policyscope.analyse.scan import ALL, DENOM_COLUMNS, UNKNOWN_TYPE, build_scope, iter_batches, resolve_sections  # noqa: F401
from policyscope.errors import AnalysisError, UsageError
from policyscope.store import open_store

EVIDENCE_COLUMNS = ["concept", "term", "doc_id", "title", "date", "doc_type", "page", "sentence_id", "sentence",
                    "matched", "subconcept", "period", "year", "passage_id", "section", "char_start", "char_end",
                    "lexicon", "lexicon_version", "probability", "detector", "detector_version"]
SHARE_COLUMNS = ["period", "period_start", "period_end", "doc_type", "concept", "measure", "weighting", "value",
                 "ci_low", "ci_high", "n_docs", "n_sentences", "n_tokens", "n_passages", "n_hits", "numerator",
                 "denominator", "thin", "unit", "lexicon", "lexicon_version", "detector", "detector_version"]
ERROR_RATE_COLUMNS = ["concept", "detector", "detector_version", "backend", "sensitivity", "specificity",
                      "n_eff_positive", "n_eff_negative", "source"]


@dataclass
class TrackOptions:
    lexicon: str | Path | None = None
    by: str = "year"
    periods: str | None = None
    by_doc_type: bool = False
    sections: tuple[str, ...] = ("body",)
    include_duplicates: bool = False
    bootstrap: int = 1000
    seed: int = 0
    min_docs: int = 3
    concepts: list[str] | None = None
    batch_size: int = 4000
    detector: str | None = None  # keyword | lexicon | model | hybrid | a model folder; None: hybrid if trained
    detector_model: str | Path | None = None  # the model folder (default models/detectors/<lexicon name>)
    correct: bool = True  # also write the error-corrected measures when the detector's error was measured
    error_rates: str | Path | None = None  # a CODED.score.json from `validate --score`: correct with your own rates

    def parameters(self, scheme: PeriodScheme) -> dict:
        return {"by": self.by, "periods": self.periods, "period_scheme": scheme.describe(),
                "detector": self.detector, "detector_model": str(self.detector_model or ""),
                "error_rates": str(self.error_rates or ""),
                "by_doc_type": self.by_doc_type, "sections": list(self.sections),
                "include_duplicates": self.include_duplicates, "bootstrap": self.bootstrap,
                "min_docs": self.min_docs, "concepts": self.concepts, "confidence_level": 0.95,
                "interval": "percentile bootstrap over documents within period (and doc_type)"}


@dataclass
class Tagged:
    """Hits and per-document counts from one pass over the store."""

    hits: list[dict]
    n_sentences_scanned: int
    n_tokens_scanned: int
    seconds: float


@dataclass
class TrackResult:
    out: Path
    share: pd.DataFrame
    docs: pd.DataFrame
    n_hits: int
    changepoints: list[dict]
    warnings: list[str]
    files: dict
    timings: dict
    lexicon: Lexicon
    detector: object = None


def as_detector(tagger):
    """A detector; a bare lexicon Matcher (as older callers pass) becomes the lexicon backend."""
    if isinstance(tagger, Matcher):
        from policyscope.analyse.detect.rules import LexiconDetector
        return LexiconDetector(tagger.lexicon, matcher=tagger)
    return tagger


def tag_columns(tagger) -> str:
    """The sentence columns tag_rows reads, in its order."""
    return "s.rowid, s.doc_id, s.text, s.n_tokens" + (", s.lemmas" if as_detector(tagger).uses_lemmas else "")


def tag_store(store, tagger, sections, doc_ids: set[str] | None = None, batch_size: int = 4000) -> Tagged:
    """Stream the chosen sections' sentences (rowid order: each document's sentences in order) through the
    detector, each batch with the neighbours of its first and last sentence from the batches either side."""
    t0 = time.perf_counter()
    detector = as_detector(tagger)
    hits: list[dict] = []
    n_sent = n_tok = 0
    prev_last = None
    batches = iter_batches(store, sections, tag_columns(detector), doc_ids, batch_size)
    rows = next(batches, None)
    while rows is not None:
        following = next(batches, None)
        n_sent += len(rows)
        n_tok += sum(r[3] for r in rows)
        hits.extend(tag_rows(rows, detector, before=prev_last, after=following[0] if following else None))
        prev_last = rows[-1]
        rows = following
    return Tagged(hits=hits, n_sentences_scanned=n_sent, n_tokens_scanned=n_tok, seconds=time.perf_counter() - t0)


def tag_rows(rows: list[tuple], tagger, *, before: tuple | None = None, after: tuple | None = None) -> list[dict]:
    """Hits in rows of tag_columns() (rowid, doc_id, text, n_tokens[, lemmas]) in document order: the one
    tagging step that the store scan here and cluster partitions (track_cluster.tag_partition) both run.
    before/after: the rows just outside the batch (their text is a neighbour when the document continues)."""
    detector = as_detector(tagger)
    texts = [r[2] for r in rows]
    doc_ids = [r[1] for r in rows]
    lemmas = [r[4] for r in rows] if detector.uses_lemmas else None
    batch = SentenceBatch.of_documents(texts, doc_ids, lemmas)
    if before is not None and rows and before[1] == rows[0][1]:
        batch.prev[0] = before[2]
    if after is not None and rows and after[1] == rows[-1][1]:
        batch.next[-1] = after[2]
    found = detector.detect(batch)
    hits = []
    for h in found.hits:
        r = rows[h.i]
        hits.append({"rowid": r[0], "doc_id": r[1], "sentence": r[2], "concept": h.concept,
                     "subconcept": h.subconcept, "term": h.term, "char_start": h.start, "char_end": h.end,
                     "matched": h.matched, "probability": round(float(found.prob[h.concept][h.i]), 6)})
    return hits


def _sentence_meta(store, rowids: list[int]) -> dict[int, tuple]:
    out = {}
    cur = store.conn.cursor()
    cur.row_factory = None
    for i in range(0, len(rowids), 900):
        chunk = rowids[i:i + 900]
        for r in cur.execute(f"SELECT rowid, sentence_id, passage_id, page_no, section, seq FROM sentences "
                             f"WHERE rowid IN ({','.join('?' * len(chunk))})", chunk):
            out[r[0]] = r[1:]
    return out


def doc_counts(docs: pd.DataFrame, evidence: pd.DataFrame, concepts: list[str], pairs) -> pd.DataFrame:
    """Per-document numerators from evidence rows (the same computation a user can redo from the CSVs)."""
    out = docs.copy().set_index("doc_id")
    for c in concepts:
        ev = evidence[evidence["concept"] == c]
        out[f"hits__{c}"] = ev.groupby("doc_id").size().reindex(out.index, fill_value=0).astype(int)
        out[f"sents__{c}"] = ev.groupby("doc_id")["sentence_id"].nunique().reindex(out.index, fill_value=0).astype(int)
    for a, b in pairs:
        pa = evidence.loc[evidence["concept"] == a, ["doc_id", "passage_id"]].drop_duplicates()
        pb = evidence.loc[evidence["concept"] == b, ["doc_id", "passage_id"]].drop_duplicates()
        both = pa.merge(pb, on=["doc_id", "passage_id"])
        out[f"cooc__{pair_name(a, b)}"] = both.groupby("doc_id").size().reindex(out.index, fill_value=0).astype(int)
    return out.reset_index()


def compute_share(docs: pd.DataFrame, concepts: list[str], pairs, *, by_doc_type: bool, n_boot: int, seed: int,
                  min_docs: int, error_rates: dict | None = None) -> pd.DataFrame:
    """concept_share rows from per-document counts (doc_counts); with error_rates (concept -> ErrorRates),
    also the error-corrected measures, their intervals from the same document resamples."""
    rows = []
    groups = [(ALL, docs)]
    if by_doc_type:
        groups += [(t, g) for t, g in docs.groupby("doc_type", sort=True)]
    for doc_type, gdocs in groups:
        for period, pdocs in gdocs.groupby("period", sort=False):
            pdocs = pdocs.reset_index(drop=True)
            n = len(pdocs)
            rng = group_rng(seed, str(period), str(doc_type))
            idx = bootstrap_indices(n, n_boot, rng) if n_boot > 0 and n >= 2 else None
            base = {"period": period, "period_start": int(pdocs["period_start"].iloc[0]),
                    "period_end": int(pdocs["period_end"].iloc[0]), "doc_type": doc_type, "n_docs": n,
                    "n_sentences": int(pdocs["n_sentences"].sum()), "n_tokens": int(pdocs["n_tokens"].sum()),
                    "n_passages": int(pdocs["n_passages"].sum()), "thin": n < min_docs}
            for r in ratios(pdocs, concepts, pairs):
                n_hits = int(pdocs[f"hits__{r.concept}"].sum()) if r.concept in concepts else None
                for w in WEIGHTINGS:
                    lo, hi = interval(r, w, idx)
                    rows.append({**base, "concept": r.concept, "measure": r.measure, "weighting": w,
                                 "value": r.value(w), "ci_low": lo, "ci_high": hi, "n_hits": n_hits,
                                 "numerator": float(r.num.sum()) if w == "pooled" else None,
                                 "denominator": float(r.den.sum()) if w == "pooled" else None,
                                 "unit": UNITS[r.measure]})
            for c in concepts:
                if not error_rates or c not in error_rates:
                    continue
                crng = group_rng(seed, str(period), str(doc_type), "corrected", c)
                for cr in corrected_rows(pdocs, c, error_rates[c], idx, crng, WEIGHTINGS):
                    rows.append({**base, "concept": c, **cr, "n_hits": int(pdocs[f"hits__{c}"].sum()),
                                 "numerator": None, "denominator": None, "unit": UNITS[cr["measure"]]})
    share = pd.DataFrame(rows)
    if share.empty:
        return pd.DataFrame(columns=SHARE_COLUMNS)
    corder = {c: i for i, c in enumerate(concepts + [pair_name(a, b) for a, b in pairs])}
    share["_t"] = share["doc_type"].map(lambda t: "" if t == ALL else t)
    share["_c"] = share["concept"].map(corder)
    share["_m"] = share["measure"].map(MEASURES.index)
    share["_w"] = share["weighting"].map(WEIGHTINGS.index)
    share = share.sort_values(["_t", "period_start", "_c", "_m", "_w"], kind="stable").drop(
        columns=["_t", "_c", "_m", "_w"])
    return share.reset_index(drop=True)


def yearly_changepoints(docs: pd.DataFrame, evidence: pd.DataFrame, concepts: list[str]) -> list[dict]:
    """Change points on each concept's yearly pooled sentence share (years with documents)."""
    series = {}
    for c in concepts:
        g = docs.groupby("year").agg(num=(f"sents__{c}", "sum"), den=("n_sentences", "sum")).sort_index()
        series[c] = [(int(y), float(r.num / r.den) if r.den else float("nan")) for y, r in g.iterrows()]
    ev_by_year: dict = defaultdict(list)
    if not evidence.empty:
        for r in evidence.drop_duplicates(["concept", "sentence_id"]).itertuples(index=False):
            ev_by_year[(r.concept, int(r.year))].append(r.sentence_id)
    return changepoint_rows(series, ev_by_year, measure="sentence_share")


@dataclass
class TrackSetup:
    """What a run counts with, from the options: the lexicon, the detector, the periods and sections."""

    lexicon: Lexicon
    matcher: Matcher
    concepts: list[str]
    pairs: list
    scheme: PeriodScheme
    sections: tuple[str, ...]
    t_start: float
    detector: object = None
    error_rates: dict = None  # concept -> ErrorRates (None: the detector's error was never measured)
    notes: list = None


def track_setup(opts: TrackOptions) -> TrackSetup:
    t_start = time.perf_counter()
    lexicon = load_lexicon(opts.lexicon)
    matcher = Matcher(lexicon, concepts=opts.concepts)
    concepts = [c.name for c in matcher.compiled]
    pairs = [p for p in lexicon.pairs if p[0] in concepts and p[1] in concepts]
    scheme = PeriodScheme(opts.by, opts.periods)
    sections = resolve_sections(opts.sections)
    if opts.bootstrap < 0:
        raise UsageError("--bootstrap must be 0 (no intervals) or a positive number of resamples")
    detector = load_detector(opts.detector, lexicon, concepts=concepts, model=opts.detector_model, matcher=matcher)
    notes = [detector.note] if detector.note else []
    rates = None
    if opts.correct and opts.error_rates:
        from policyscope.analyse.validate import error_rates_from_score
        own = error_rates_from_score(opts.error_rates)
        label = detector_label(detector)
        if own["detector"] and (own["detector"], own["detector_version"]) != label:
            notes.append(f"{opts.error_rates} measured detector {own['detector']} {own['detector_version']}, this run "
                         f"tags with {label[0]} {label[1]}: the correction assumes their error is the same")
        src = f"{opts.error_rates} (validate --score: your hand-coded sample)"
        rates = {c: ErrorRates.from_metrics(c, own["rates"][c], src) for c in concepts if c in own["rates"]}
        missing = [c for c in concepts if c not in own["rates"]]
        if missing:
            notes.append(f"{opts.error_rates} has no error rates for {', '.join(missing)}: no corrected rows for them")
    elif opts.correct:
        measured = detector_error_rates(detector.model_folder, detector.backend)
        if measured:
            how = detector_error_rates_measured_by(detector.model_folder)
            src = f"{_shown_path(detector.model_folder)}/metrics.json (detect evaluate: {how})"
            rates = {c: ErrorRates.from_metrics(c, measured[c], src) for c in concepts if c in measured}
        else:
            notes.append(f"the {detector.backend} detector's error has not been measured (no metrics.json): only "
                         "tagged shares are reported, not error-corrected ones")
    return TrackSetup(lexicon, matcher, concepts, pairs, scheme, sections, t_start, detector, rates, notes)


def _shown_path(p) -> str:
    """A path as outputs show it: relative to the working folder or the repository when inside one."""
    from policyscope.analyse.lexicon import REPO_ROOT
    p = Path(p).resolve()
    for base in (Path.cwd().resolve(), REPO_ROOT.resolve()):
        if p.is_relative_to(base):
            return str(p.relative_to(base))
    return str(p)


def detector_label(det) -> tuple[str, str]:
    """(detector, detector_version) as the output columns give them: e.g. ("social_care:hybrid", "1.0.0")."""
    if det.backend in ("keyword", "lexicon"):
        return det.backend, det.version
    return f"{det.name}:{det.backend}", det.version


def no_documents(scope, where: str) -> AnalysisError:
    return AnalysisError("no documents to count: " + (" ".join(scope.warnings()) or "the store is empty"),
                         path=where, hint="check `policyscope docs` for dates and sections")


def run_track(db: str | Path, out: str | Path, options: TrackOptions | None = None, *, store=None, tagger=None,
              run_extra: dict | None = None) -> TrackResult:
    """The whole run; returns what was written. Raises StoreNotFound / LexiconError / UsageError / AnalysisError.

    tagger: tag_store's stand-in (same arguments, same Tagged), e.g. a Dask cluster's (track_cluster.py);
    run_extra: more for run.json (the cluster it ran on)."""
    opts = options or TrackOptions()
    setup = track_setup(opts)
    own = store is None
    store = store or open_store(db)
    try:
        scope = build_scope(store, setup.scheme, setup.sections, opts.include_duplicates)
        if scope.docs.empty:
            raise no_documents(scope, str(store.path))
        in_scope = set(scope.docs["doc_id"])
        all_ids = {r[0] for r in store.conn.execute("SELECT doc_id FROM documents")}
        tagged = (tagger or tag_store)(store, setup.detector, setup.sections,
                                       None if in_scope == all_ids else in_scope, opts.batch_size)
        t_agg = time.perf_counter()
        meta = _sentence_meta(store, sorted({h["rowid"] for h in tagged.hits}))
        return write_track(out, opts, setup, scope, tagged, meta, t_agg, store=store, run_extra=run_extra)
    finally:
        if own:
            store.close()


def write_track(out: str | Path, opts: TrackOptions, setup: TrackSetup, scope, tagged: Tagged, meta: dict,
                t_agg: float, *, store=None, run_extra: dict | None = None) -> TrackResult:
    """Evidence, counts, shares and change points from the hits, written to `out` with run.json.

    meta: per hit rowid, (sentence_id, passage_id, page_no, section, seq). Without a store, run_extra
    must hold the run.json "corpus" entry."""
    lexicon, concepts, pairs, scheme = setup.lexicon, setup.concepts, setup.pairs, setup.scheme
    t_start = setup.t_start
    det = setup.detector
    det_name, det_version = detector_label(det)
    docinfo = scope.docs.set_index("doc_id")
    ev_rows = []
    for h in tagged.hits:
        sid, pid, page, section, seq = meta[h["rowid"]]
        d = docinfo.loc[h["doc_id"]]
        ev_rows.append({"concept": h["concept"], "term": h["term"], "doc_id": h["doc_id"], "title": d["title"],
                        "date": d["date"], "doc_type": d["doc_type"], "page": page, "sentence_id": sid,
                        "sentence": h["sentence"], "matched": h["matched"], "subconcept": h["subconcept"],
                        "period": d["period"], "year": int(d["year"]), "passage_id": pid, "section": section,
                        "char_start": h["char_start"], "char_end": h["char_end"], "lexicon": lexicon.name,
                        "lexicon_version": lexicon.version, "probability": h.get("probability"),
                        "detector": det_name, "detector_version": det_version, "_seq": seq})
    evidence = pd.DataFrame(ev_rows, columns=EVIDENCE_COLUMNS + ["_seq"])
    if not evidence.empty:
        evidence = evidence.sort_values(["date", "doc_id", "_seq", "char_start", "concept"], kind="stable")
    evidence = evidence.drop(columns="_seq").reset_index(drop=True)
    docs = doc_counts(scope.docs, evidence, concepts, pairs)
    share = compute_share(docs, concepts, pairs, by_doc_type=opts.by_doc_type, n_boot=opts.bootstrap,
                          seed=opts.seed, min_docs=opts.min_docs, error_rates=setup.error_rates)
    share["n_hits"] = share["n_hits"].astype("Int64")
    share["lexicon"] = lexicon.name
    share["lexicon_version"] = lexicon.version
    share["detector"] = det_name
    share["detector_version"] = det_version
    share = share[SHARE_COLUMNS]
    cps = yearly_changepoints(docs, evidence, concepts)
    t_write = time.perf_counter()

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {"concept_share": out / "concept_share.csv", "evidence": out / "evidence.csv",
             "denominators": out / "denominators.csv", "changepoints": out / "changepoints.csv"}
    if setup.error_rates:
        files["error_rates"] = out / "error_rates.csv"
        pd.DataFrame([{"concept": c, "detector": det_name, "detector_version": det_version, "backend": det.backend,
                       "sensitivity": r.sensitivity, "specificity": r.specificity, "n_eff_positive": r.n_eff_positive,
                       "n_eff_negative": r.n_eff_negative, "source": r.source}
                      for c, r in setup.error_rates.items()], columns=ERROR_RATE_COLUMNS).to_csv(
            files["error_rates"], index=False)
    elif (out / "error_rates.csv").exists():
        (out / "error_rates.csv").unlink()  # a stale file from an earlier run would mislead
    share.to_csv(files["concept_share"], index=False)
    evidence.to_csv(files["evidence"], index=False, quoting=csv.QUOTE_MINIMAL)
    docs[DENOM_COLUMNS + [c for c in docs.columns if "__" in c]].to_csv(files["denominators"], index=False)
    pd.DataFrame(cps, columns=["concept", "measure", "weighting", "break_year", "mean_before", "mean_after",
                               "years_before", "years_after", "n_years", "penalty", "method",
                               "evidence_before", "evidence_after", "note"]).to_csv(files["changepoints"],
                                                                                   index=False)
    warnings = scope.warnings() + list(setup.notes or [])
    thin = sorted({r.period for r in share.itertuples() if r.thin and r.doc_type == ALL})
    if thin:
        warnings.append(f"thin periods (fewer than {opts.min_docs} documents; read with care): {', '.join(thin)}")
    timings = {"tag_seconds": tagged.seconds, "aggregate_seconds": t_write - t_agg,
               "total_seconds": time.perf_counter() - t_start, "n_tokens": tagged.n_tokens_scanned,
               "n_sentences": tagged.n_sentences_scanned}
    from policyscope.runinfo import write_run_json
    files["run"] = write_run_json(out, parameters=opts.parameters(scheme), store=store, lexicon=lexicon,
                                  seeds={"bootstrap": opts.seed},
                                  extra={"warnings": warnings,
                                         "counts": {"documents": int(len(docs)), "hits": int(len(evidence)),
                                                    "sentences": tagged.n_sentences_scanned,
                                                    "tokens": tagged.n_tokens_scanned},
                                         "detector": {**det.run_info(), "label": det.label(),
                                                      "error_rates": {c: vars(r) for c, r in
                                                                      (setup.error_rates or {}).items()}},
                                         "excluded": {"undated": scope.undated, "duplicates": scope.duplicates,
                                                      "outside_periods": scope.outside_periods,
                                                      "no_counted_sentences": scope.empty},
                                         **(run_extra or {})})
    return TrackResult(out=out, share=share, docs=docs, n_hits=len(evidence), changepoints=cps,
                       warnings=warnings, files=files, timings=timings, lexicon=lexicon, detector=det)


def summary_table(share: pd.DataFrame, concepts: list[str]) -> tuple[list[str], list[list]]:
    """The compact terminal table: per period (all doc types, pooled), each concept's sentence share and rate."""
    s = share[(share["doc_type"] == ALL) & (share["weighting"] == "pooled")]
    headers = ["period", "docs", "tokens"]
    corrected = bool((s["measure"] == "sentence_share_corrected").any())
    for c in concepts:
        headers += [f"{c[:15]} share % [95% CI]"] + (["corrected %"] if corrected else []) + ["per 10k"]
    pair_rows = s[s["measure"] == "balance"]
    if not pair_rows.empty:
        headers.append(f"balance {pair_rows['concept'].iloc[0].split('|')[0][:15]} %")
    headers.append("")
    rows = []
    for period, g in s.groupby("period", sort=False):
        first = g.iloc[0]
        row = [period, int(first["n_docs"]), int(first["n_tokens"])]
        for c in concepts:
            ss = g[(g["concept"] == c) & (g["measure"] == "sentence_share")].iloc[0]
            rt = g[(g["concept"] == c) & (g["measure"] == "rate")].iloc[0]
            ci = "" if np.isnan(ss["ci_low"]) else f" [{100 * ss['ci_low']:.1f}-{100 * ss['ci_high']:.1f}]"
            row.append(f"{100 * ss['value']:.1f}{ci}")
            if corrected:
                cc = g[(g["concept"] == c) & (g["measure"] == "sentence_share_corrected")]
                row.append("" if cc.empty or np.isnan(cc.iloc[0]["value"]) else f"{100 * cc.iloc[0]['value']:.1f}")
            row.append(f"{rt['value']:.1f}")
        if not pair_rows.empty:
            b = g[g["measure"] == "balance"]
            row.append("" if b.empty or np.isnan(b.iloc[0]["value"]) else f"{100 * b.iloc[0]['value']:.0f}")
        row.append("thin" if bool(first["thin"]) else "")
        rows.append(row)
    return headers, rows
