"""A fitted linear classifier per concept, stored without pickle: hashed-feature weights (npz), an intercept,
a Platt calibration of its scores and the decision threshold, so a model folder loads with any
scikit-learn version and predicts with a sparse dot product."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class ConceptClassifier:
    weights: np.ndarray  # dense float64, n_features
    intercept: float
    platt_a: float  # calibrated p = sigmoid(platt_a * score + platt_b)
    platt_b: float
    threshold: float  # tag when calibrated p >= threshold
    C: float  # the regularisation chosen by cross-validation (recorded, not needed to predict)

    def scores(self, X) -> np.ndarray:
        """Decision values of feature rows: a scipy matrix (training) or features.Encoded (tagging)."""
        if hasattr(X, "vals"):
            return X.dot(self.weights) + self.intercept
        return np.asarray(X @ self.weights).ravel() + self.intercept

    def proba(self, X) -> np.ndarray:
        return calibrate(self.scores(X), self.platt_a, self.platt_b)

    def meta(self) -> dict:
        return {"intercept": self.intercept, "platt_a": self.platt_a, "platt_b": self.platt_b,
                "threshold": self.threshold, "C": self.C, "n_nonzero_weights": int(np.count_nonzero(self.weights))}


def calibrate(scores: np.ndarray, a: float, b: float) -> np.ndarray:
    z = np.clip(a * scores + b, -40, 40)
    return 1.0 / (1.0 + np.exp(-z))


def save_weights(path: Path, classifiers: dict[str, ConceptClassifier]) -> None:
    """Only the non-zero weights, as (index, value) arrays per concept: a few hundred kB. Written as an .npz
    whose zip entries carry a fixed date, so the same fit gives the same bytes."""
    import io
    import zipfile
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for c, clf in classifiers.items():
            idx = np.flatnonzero(clf.weights).astype(np.int32)
            for name, arr in ((f"{c}__index", idx), (f"{c}__value", clf.weights[idx].astype(np.float32))):
                buf = io.BytesIO()
                np.save(buf, arr, allow_pickle=False)
                zf.writestr(zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0)), buf.getvalue(),
                            compress_type=zipfile.ZIP_DEFLATED)


def load_weights(path: Path, concept: str, n_features: int) -> np.ndarray:
    with np.load(path, allow_pickle=False) as z:
        idx = z[f"{concept}__index"]
        val = z[f"{concept}__value"]
    w = np.zeros(n_features, dtype=np.float64)
    w[idx] = val
    return w
