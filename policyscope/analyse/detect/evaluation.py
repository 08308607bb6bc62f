"""How good is each backend on sentences it has not seen? (`policyscope detect evaluate`)

* Cross-validation grouped by document: the labelled rows are split into folds with every document
  wholly inside one fold; the trained backends are refitted on the other folds (their C, calibration
  and threshold chosen by an inner grouped CV on those folds only) and predict the held-out fold. The
  keyword baseline and the lexicon need no fitting and are scored on the same rows in the same run.
* Leave one collection out (`--cv-by COLUMN`, e.g. round and source_group): each fold holds out every row
  of one value of the column(s) (say, all practitioner transcripts of one coding round), so the figures
  say how the detector does on a kind of document it was not trained on, which grouped CV by document
  cannot (documents of one collection share vocabulary and prevalence). Pooled and per value.
* Out-of-domain sets (`--test`, e.g. the seed texts): the model folder's detectors, fitted on all the
  training rows, predict them.

Figures per set x backend x concept: precision, recall, F1 with 95% bootstrap intervals (documents
resampled), with and without borderline rows; and the design-weighted sensitivity and specificity (each
row weighted by its stratum's population / drawn) that the error-corrected shares in `track` use: from
the leave-one-collection-out predictions when `--cv-by` is given (a user's corpus is a collection the
detector was not trained on), else from the grouped cross-validation.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from policyscope import __version__
from policyscope.analyse.detect.base import BACKENDS, MODEL_BACKENDS
from policyscope.analyse.detect.build import Recipe, check_no_seed_rows, featurize, fit_rows, label_batch, predict_rows
from policyscope.analyse.detect.labels import LabelSet
from policyscope.analyse.detect.trained import METRICS_JSON, load_trained, read_detector_json
from policyscope.analyse.detect.training import TrainSettings, grouped_folds
from policyscope.analyse.lexicon import Lexicon
from policyscope.analyse.matcher import Matcher
from policyscope.errors import DetectorError


@dataclass
class Predictions:
    """Tags per backend and concept for every row of one label set (index-aligned with labels.frame)."""

    tagged: dict[str, dict[str, np.ndarray]]
    prob: dict[str, dict[str, np.ndarray]]


def rule_predictions(labels: LabelSet, lexicon: Lexicon, matcher: Matcher) -> Predictions:
    from policyscope.analyse.detect.keyword import KeywordDetector
    from policyscope.analyse.detect.rules import LexiconDetector
    batch = label_batch(labels)
    tagged, prob = {}, {}
    for det in (KeywordDetector(lexicon, labels.concepts), LexiconDetector(lexicon, labels.concepts, matcher=matcher)):
        d = det.detect(batch)
        tagged[det.backend] = d.tagged
        prob[det.backend] = d.prob
    return Predictions(tagged, prob)


# the label columns a leave-one-collection-out evaluation may split on
COLLECTION_COLUMNS = ("round", "source_group", "doc_type", "stratum")


def collection_keys(labels: LabelSet, columns: list[str]) -> np.ndarray:
    """Each row's collection: its values of `columns` joined with "/" (e.g. "2/practitioner")."""
    bad = [c for c in columns if c not in COLLECTION_COLUMNS]
    if bad:
        raise DetectorError(f"cannot leave collections out by {bad[0]!r}",
                            hint=f"use one or more of: {', '.join(COLLECTION_COLUMNS)}")
    keys = labels.frame[list(columns)].astype(str).agg("/".join, axis=1).to_numpy()
    if len(set(keys)) < 2:
        raise DetectorError(f"the labels have a single {'/'.join(columns)} value ({keys[0]!r}): no collection "
                            "can be left out", path=labels.files[0]["path"] if labels.files else None,
                            hint="fill the column(s) in the labels file, or leave out --cv-by")
    return keys


def leave_one_out_splits(keys: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """One (train, test) split per collection: the test side is every row of that collection."""
    return [(np.flatnonzero(keys != k), np.flatnonzero(keys == k)) for k in sorted(set(keys))]


def cross_validated(labels: LabelSet, lexicon: Lexicon, recipe: Recipe, *, folds: int = 5, seed: int = 0,
                    progress=None, splits: list[tuple[np.ndarray, np.ndarray]] | None = None) -> Predictions:
    """Out-of-fold predictions of the trained backends, grouped by document (or on the given splits), plus the
    rule backends."""
    check_no_seed_rows(labels)
    matcher = Matcher(lexicon, concepts=labels.concepts)
    preds = rule_predictions(labels, lexicon, matcher)
    n = len(labels)
    strata = sum(labels.frame[c].to_numpy(int) << k for k, c in enumerate(labels.concepts))
    splits = splits if splits is not None else grouped_folds(labels.groups, strata, folds, seed)
    for backend in recipe.backends:
        tagged = {c: np.zeros(n, dtype=bool) for c in labels.concepts}
        prob = {c: np.zeros(n) for c in labels.concepts}
        feats = featurize(labels, lexicon, backend, recipe, matcher)  # a row's features never depend on the fold
        for k, (tr, te) in enumerate(splits):
            if progress:
                progress(f"{backend}: fold {k + 1}/{len(splits)}")
            classifiers, outside = fit_rows(labels, feats, tr, recipe)
            for c, (p, t) in predict_rows(classifiers, outside, feats, te).items():
                prob[c][te] = p
                tagged[c][te] = t
        preds.tagged[backend] = tagged
        preds.prob[backend] = prob
    return preds


def folder_predictions(folder: Path, labels: LabelSet, lexicon: Lexicon, backends) -> Predictions:
    matcher = Matcher(lexicon, concepts=labels.concepts)
    preds = rule_predictions(labels, lexicon, matcher)
    batch = label_batch(labels)
    for b in backends:
        det = load_trained(folder, b, lexicon, matcher=matcher)
        d = det.detect(batch)
        preds.tagged[b] = {c: d.tagged[c] for c in labels.concepts}
        preds.prob[b] = {c: d.prob[c] for c in labels.concepts}
    return preds


# ------------------------------------------------------------------------------------------------
# figures


def prf(y: np.ndarray, t: np.ndarray, w: np.ndarray | None = None) -> dict:
    w = np.ones(len(y)) if w is None else w
    tp = float((w * (y & t)).sum())
    fp = float((w * (~y & t)).sum())
    fn = float((w * (y & ~t)).sum())
    tn = float((w * (~y & ~t)).sum())
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    return {"precision": p, "recall": r, "f1": f1, "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def group_bootstrap(groups: np.ndarray, n_boot: int, seed: int) -> list[np.ndarray]:
    """Row indexes of n_boot resamples of whole documents (drawn with replacement)."""
    uniq, inv = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inv == g) for g in range(len(uniq))]
    rng = np.random.default_rng(seed)
    return [np.concatenate([members[g] for g in rng.integers(0, len(uniq), len(uniq))]) for _ in range(n_boot)]


def scores(labels: LabelSet, preds: Predictions, *, n_boot: int = 1000, seed: int = 0, weighted: bool = False) -> dict:
    """{backend: {concept: {all: {...}, no_borderline: {...}}}} with 95% intervals."""
    f = labels.frame
    boots = group_bootstrap(labels.groups, n_boot, seed) if n_boot else []
    keep_sets = {"all": np.ones(len(f), dtype=bool), "no_borderline": f["borderline"].to_numpy(int) == 0}
    w = f["weight"].to_numpy(float) if weighted else None
    out: dict = {}
    for backend, per in preds.tagged.items():
        out[backend] = {}
        for c, t in per.items():
            y = f[c].to_numpy(int).astype(bool)
            res = {}
            for name, keep in keep_sets.items():
                base = prf(y[keep], t[keep], None if w is None else w[keep])
                base["n"] = int(keep.sum())
                base["n_positive"] = int(y[keep].sum())
                stats = {"precision": [], "recall": [], "f1": []}
                for b in boots:
                    b = b[keep[b]]
                    m = prf(y[b], t[b], None if w is None else w[b])
                    for k in stats:
                        stats[k].append(m[k])
                for k, vals in stats.items():
                    v = np.array(vals, dtype=float)
                    v = v[~np.isnan(v)]
                    base[f"{k}_low"], base[f"{k}_high"] = ((float(np.quantile(v, 0.025)), float(np.quantile(v, 0.975)))
                                                           if v.size else (float("nan"), float("nan")))
                res[name] = base
            out[backend][c] = res
    return out


def error_rates(labels: LabelSet, preds: Predictions) -> dict:
    """Design-weighted sensitivity and specificity per backend and concept (rows weighted to the pool they were
    drawn from), with Kish effective sample sizes for the uncertainty the corrected shares carry."""
    f = labels.frame
    w = f["weight"].to_numpy(float)
    out: dict = {}
    for backend, per in preds.tagged.items():
        out[backend] = {}
        for c, t in per.items():
            y = f[c].to_numpy(int).astype(bool)
            m = prf(y, t, w)
            pos, neg = w[y], w[~y]
            n_pos = float(pos.sum() ** 2 / (pos ** 2).sum()) if pos.size else 0.0
            n_neg = float(neg.sum() ** 2 / (neg ** 2).sum()) if neg.size else 0.0
            sens = m["tp"] / (m["tp"] + m["fn"]) if m["tp"] + m["fn"] else float("nan")
            spec = m["tn"] / (m["tn"] + m["fp"]) if m["tn"] + m["fp"] else float("nan")
            out[backend][c] = {"sensitivity": sens, "specificity": spec, "precision": m["precision"],
                               "recall": m["recall"], "n_eff_positive": n_pos, "n_eff_negative": n_neg,
                               "n_rows": int(len(y)), "weighted": {k: m[k] for k in ("tp", "fp", "fn", "tn")}}
    return out


def evaluate(folder: str | Path, train: LabelSet, lexicon: Lexicon, *, tests: dict[str, LabelSet] | None = None,
             folds: int = 5, seed: int = 0, n_boot: int = 1000, progress=None, cv_by: list[str] | None = None) -> dict:
    """Grouped CV on `train` with the folder's recipe (and, with cv_by, leave-one-collection-out CV), the folder's
    fitted detectors on each test set; writes and returns metrics.json."""
    folder = Path(folder)
    info = read_detector_json(folder)
    backends = [b for b in MODEL_BACKENDS if b in info["backends"]]
    from policyscope.analyse.detect.features import FeatureSettings
    first = info["backends"][backends[0]]["features"]
    recipe = Recipe(backends=tuple(backends), features=FeatureSettings.from_dict(first),
                    train=TrainSettings.from_dict(info["recipe"]["train"]), gate_words=info["gate"]["words"])
    keys = collection_keys(train, cv_by) if cv_by else None  # refuse a bad column before any fitting
    t0 = time.perf_counter()
    cv = cross_validated(train, lexicon, recipe, folds=folds, seed=seed, progress=progress)
    sets = {"cv": {"description": f"{folds}-fold cross-validation grouped by document over the training labels",
                   "n_rows": len(train), "n_documents": int(len(set(train.groups))),
                   "labels": train.files, "fingerprint": train.fingerprint(),
                   "scores": scores(train, cv, n_boot=n_boot, seed=seed),
                   "scores_weighted": scores(train, cv, n_boot=n_boot, seed=seed, weighted=True)}}
    if keys is not None:
        loco = cross_validated(train, lexicon, recipe, seed=seed, progress=progress, splits=leave_one_out_splits(keys))
        per_value = {}
        for k in sorted(set(keys)):
            part = subset(train, keys == k)
            per_value[k] = {"n_rows": len(part), "n_documents": int(len(set(part.groups))),
                            "scores": scores(part, subset_predictions(loco, keys == k), n_boot=n_boot, seed=seed)}
        sets[cv_set_name(cv_by)] = {
            "description": f"leave one {'/'.join(cv_by)} out: each collection predicted by detectors refitted on "
                           "all the others (pooled; per collection under 'collections')",
            "n_rows": len(train), "n_documents": int(len(set(train.groups))), "labels": train.files,
            "fingerprint": train.fingerprint(), "scores": scores(train, loco, n_boot=n_boot, seed=seed),
            "collections": per_value}
    for name, ls in (tests or {}).items():
        preds = folder_predictions(folder, ls, lexicon, backends)
        sets[name] = {"description": f"held-out set {name}: the model folder's detectors (fitted on all training "
                                     "labels) predict it", "n_rows": len(ls), "n_documents": int(len(set(ls.groups))),
                      "labels": ls.files, "fingerprint": ls.fingerprint(),
                      "scores": scores(ls, preds, n_boot=n_boot, seed=seed)}
    # the rates the corrected shares use: from leave-one-collection-out when measured (a user's corpus is a
    # collection the detector was not trained on), else from grouped CV by document
    rates = {"error_rates": error_rates(train, cv), "error_rates_measured_by": "grouped cross-validation by document"}
    if keys is not None:
        rates = {"error_rates": error_rates(train, loco), "error_rates_measured_by": f"leave one {'/'.join(cv_by)} out",
                 "error_rates_grouped_cv": rates["error_rates"]}
    metrics = {"created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "policyscope_version": __version__,
               "detector": {"name": info["name"], "version": info["version"],
                            "training_fingerprint": info["training"]["fingerprint"]},
               "lexicon": {"name": lexicon.name, "version": lexicon.version, "sha256": lexicon.sha256},
               "cv": {"folds": folds, "seed": seed, "grouping": "document"}, "bootstrap": n_boot,
               "backends": [b for b in BACKENDS if b in cv.tagged],
               "sets": sets, **rates,
               "seconds": round(time.perf_counter() - t0, 1)}
    (folder / METRICS_JSON).write_text(json.dumps(_clean(metrics), indent=2) + "\n", encoding="utf-8")
    return metrics


def cv_set_name(columns: list[str]) -> str:
    return "cv_by_" + "+".join(columns)


def subset(labels: LabelSet, keep: np.ndarray) -> LabelSet:
    return LabelSet(frame=labels.frame[keep].reset_index(drop=True), concepts=labels.concepts, files=labels.files)


def subset_predictions(preds: Predictions, keep: np.ndarray) -> Predictions:
    return Predictions({b: {c: t[keep] for c, t in per.items()} for b, per in preds.tagged.items()},
                       {b: {c: p[keep] for c, p in per.items()} for b, per in preds.prob.items()})


def _clean(v):
    if isinstance(v, float):
        return None if v != v else round(v, 6)
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


def metrics_table(metrics: dict, variant: str = "all") -> tuple[list[str], list[list]]:
    headers = ["set", "concept", "backend", "precision [95% CI]", "recall [95% CI]", "F1 [95% CI]", "n", "positives"]
    rows = []

    def fmt(d, k):
        v, lo, hi = d.get(k), d.get(f"{k}_low"), d.get(f"{k}_high")
        if v is None:
            return ""
        ci = f" [{lo:.2f}-{hi:.2f}]" if lo is not None and hi is not None else ""
        return f"{v:.3f}{ci}"
    for set_name, s in metrics["sets"].items():
        concepts = list(next(iter(s["scores"].values())))
        for c in concepts:
            for b in metrics["backends"]:
                if b not in s["scores"]:
                    continue
                d = s["scores"][b][c][variant]
                rows.append([set_name, c, b, fmt(d, "precision"), fmt(d, "recall"), fmt(d, "f1"), d["n"],
                             d["n_positive"]])
    return headers, rows


def collections_table(metrics: dict, variant: str = "all") -> tuple[list[str], list[list]]:
    """Per left-out collection: F1 of every backend per concept (the leave-one-collection-out sets)."""
    backends = metrics["backends"]
    headers = ["set", "collection", "concept", "n", "positives", *[f"{b} F1" for b in backends]]
    rows = []
    for set_name, s in metrics["sets"].items():
        for k, part in s.get("collections", {}).items():
            for c in next(iter(part["scores"].values())):
                d = part["scores"][backends[0]][c][variant]
                rows.append([set_name, k, c, d["n"], d["n_positive"],
                             *[("" if part["scores"][b][c][variant]["f1"] is None
                                else f"{part['scores'][b][c][variant]['f1']:.3f}") for b in backends]])
    return headers, rows
