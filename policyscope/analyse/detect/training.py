"""How a trained detector is fitted: per concept, a logistic regression on hashed features whose
regularisation is chosen by grouped cross-validation, whose scores are calibrated (Platt) on the
out-of-fold predictions, and whose threshold maximises F1 on those same out-of-fold predictions.
Nothing here ever sees a test fold: evaluation.py calls `fit_concept` on training folds only."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from policyscope.analyse.detect.classifier import ConceptClassifier, calibrate
from policyscope.errors import DetectorError


@dataclass(frozen=True)
class TrainSettings:
    """Declared defaults of the fitting recipe (recorded in the model folder)."""

    C_grid: tuple[float, ...] = (4.0, 16.0, 64.0)
    inner_folds: int = 5
    class_weight: str | None = "balanced"
    seed: int = 0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["C_grid"] = list(self.C_grid)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "TrainSettings":
        d = dict(d)
        if "C_grid" in d:
            d["C_grid"] = tuple(d["C_grid"])
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


def grouped_folds(groups: np.ndarray, y: np.ndarray, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """k folds with every group (document) wholly inside one fold, positives spread across folds."""
    from sklearn.model_selection import StratifiedGroupKFold
    n_groups = len(np.unique(groups))
    k = max(2, min(k, n_groups))
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return [(tr, te) for tr, te in splitter.split(np.zeros(len(y)), y, groups)]


def _logreg(C: float, class_weight):
    from sklearn.linear_model import LogisticRegression
    return LogisticRegression(C=C, solver="liblinear", class_weight=class_weight, max_iter=1000)


def fit_platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """sigmoid(a*s + b) fitted to out-of-fold scores (Platt scaling; nearly unregularised)."""
    from sklearn.linear_model import LogisticRegression
    if len(np.unique(y)) < 2:
        return 1.0, 0.0
    m = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000).fit(scores.reshape(-1, 1), y)
    return float(m.coef_[0, 0]), float(m.intercept_[0])


def best_f1_threshold(y: np.ndarray, p: np.ndarray, forced: np.ndarray | None = None) -> float:
    """The probability cut that maximises F1 of `p >= t` (or `forced`: rows tagged whatever their p), placed
    midway to the next lower probability."""
    if forced is not None and forced.any():
        # forced rows are tagged at every cut: give them the top probability so the sweep counts them first
        p = np.where(forced, np.inf, p)
    order = np.argsort(-p, kind="stable")
    ps, ys = p[order], y[order].astype(float)
    tp = np.cumsum(ys)
    k = np.arange(1, len(ps) + 1)
    pos = ys.sum()
    if pos == 0:
        return 1.0
    f1 = 2 * tp / (k + pos)
    # only cut between distinct probabilities
    last_of_run = np.r_[ps[1:] != ps[:-1], True]
    f1 = np.where(last_of_run, f1, -1)
    if forced is not None and forced.any():
        f1[: int(forced.sum()) - 1] = -1  # a cut cannot untag a forced row
    j = int(np.argmax(f1))
    lower = ps[j + 1] if j + 1 < len(ps) else 0.0
    if not np.isfinite(ps[j]):  # every tag is a forced one: cut above the highest model probability
        finite = ps[np.isfinite(ps)]
        return float(min(1.0, (finite.max() if finite.size else 1.0) + 1e-6))
    return float((ps[j] + lower) / 2)


def fit_concept(X, y: np.ndarray, groups: np.ndarray, settings: TrainSettings,
                concept: str = "", forced: np.ndarray | None = None) -> ConceptClassifier:
    """forced: rows tagged whatever the model says (the hybrid's lexicon hits); the threshold is chosen for
    the combined rule."""
    y = np.asarray(y).astype(int)
    if y.sum() == 0:
        raise DetectorError(f"concept {concept!r} has no positive labels in the training set",
                            hint="code sentences that are about it (see ../shared/codebook/README.md)")
    if y.sum() == len(y):
        raise DetectorError(f"concept {concept!r} has only positive labels in the training set",
                            hint="a detector needs sentences that are not about it too")
    width = X.shape[1]
    cols = np.unique(X.indices)  # only features seen in training can get a weight: fit on those columns
    X = X[:, cols]
    folds = grouped_folds(groups, y, settings.inner_folds, settings.seed)
    best = None
    for C in settings.C_grid:
        oof = np.zeros(len(y))
        for tr, te in folds:
            if len(np.unique(y[tr])) < 2:
                oof[te] = 0.0
                continue
            m = _logreg(C, settings.class_weight).fit(X[tr], y[tr])
            oof[te] = m.decision_function(X[te])
        score = _average_precision(y, oof)
        if best is None or score > best[0] + 1e-12:
            best = (score, C, oof)
    _, C, oof = best
    a, b = fit_platt(oof, y)
    threshold = best_f1_threshold(y, calibrate(oof, a, b), forced)
    final = _logreg(C, settings.class_weight).fit(X, y)
    weights = np.zeros(width, dtype=np.float64)
    weights[cols] = final.coef_.ravel()
    return ConceptClassifier(weights=weights, intercept=float(final.intercept_[0]),
                             platt_a=a, platt_b=b, threshold=threshold, C=float(C))


def _average_precision(y: np.ndarray, s: np.ndarray) -> float:
    from sklearn.metrics import average_precision_score
    return float(average_precision_score(y, s))
