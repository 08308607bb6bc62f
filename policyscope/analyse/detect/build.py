"""Train a detector and write its model folder (`policyscope detect train`)."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from policyscope import __version__
from policyscope.analyse.detect.base import MODEL_BACKENDS, SentenceBatch
from policyscope.analyse.detect.classifier import ConceptClassifier, calibrate, save_weights
from policyscope.analyse.detect.features import FeatureExtractor, FeatureSettings
from policyscope.analyse.detect.labels import LabelSet
from policyscope.analyse.detect.trained import DETECTOR_JSON, FORMAT, GATE_WORDS, gate_mask_of, gate_regex
from policyscope.analyse.detect.training import TrainSettings, fit_concept
from policyscope.analyse.lexicon import Lexicon
from policyscope.analyse.matcher import Matcher
from policyscope.errors import DetectorError


@dataclass
class Recipe:
    """Everything that decides what a training run produces (recorded in detector.json)."""

    backends: tuple[str, ...] = MODEL_BACKENDS
    features: FeatureSettings = field(default_factory=FeatureSettings)
    train: TrainSettings = field(default_factory=TrainSettings)
    gate_words: str = GATE_WORDS
    include_borderline: bool = True
    # hybrid: a sentence with a lexicon hit is always tagged; the model adds the sentences the rules miss
    lexicon_tags: bool = True

    def features_for(self, backend: str) -> FeatureSettings:
        return replace(self.features, use_lexicon=backend == "hybrid")


def label_batch(labels: LabelSet, idx: np.ndarray | None = None) -> SentenceBatch:
    from policyscope.nlp import lemma_strings
    f = labels.frame if idx is None else labels.frame.iloc[idx]
    texts = f["text"].tolist()
    if "_lemmas" not in labels.frame.columns:
        labels.frame["_lemmas"] = lemma_strings(labels.frame["text"].tolist())
        f = labels.frame if idx is None else labels.frame.iloc[idx]
    return SentenceBatch(texts, f["before"].tolist(), f["after"].tolist(), f["_lemmas"].tolist())


def gate_mask(lexicon: Lexicon, concepts: list[str], words: str, texts: list[str]) -> np.ndarray:
    return gate_mask_of(gate_regex(lexicon, concepts, words), texts)


@dataclass
class Featurized:
    """Every labelled row's feature row for one backend, and which rows pass the detector's gate."""

    X: object  # CSR, one row per labelled row
    inside: np.ndarray
    forced: dict | None = None  # concept -> rows tagged whatever the model says (the hybrid's lexicon hits)


def featurize(labels: LabelSet, lexicon: Lexicon, backend: str, recipe: Recipe,
              matcher: Matcher | None = None) -> Featurized:
    batch = label_batch(labels)
    inside = gate_mask(lexicon, labels.concepts, recipe.gate_words, batch.texts)
    fx = FeatureExtractor(lexicon, labels.concepts, recipe.features_for(backend), matcher=matcher)
    forced = None
    if backend == "hybrid" and recipe.lexicon_tags:
        m = matcher or Matcher(lexicon, concepts=labels.concepts)
        forced = {c: np.zeros(len(batch), dtype=bool) for c in labels.concepts}
        for h in m.tag_batch(batch.texts, batch.lemmas if m.uses_lemmas else None):
            forced[h.concept][h.i] = True
    return Featurized(fx.transform(batch), inside, forced)


def fit_rows(labels: LabelSet, feats: Featurized, idx: np.ndarray, recipe: Recipe
             ) -> tuple[dict[str, ConceptClassifier], dict[str, float]]:
    """Classifiers fitted on the rows `idx` that pass the gate, and per concept the positive rate of the rows
    outside the gate (their probability at prediction time)."""
    inside = feats.inside[idx]
    keep = idx[inside]
    if keep.size == 0:
        raise DetectorError("no training sentence passes the detector's gate", hint="check the labels' texts")
    out, outside = {}, {}
    for c in labels.concepts:
        y = labels.frame[c].to_numpy(int)
        forced = feats.forced[c][keep] if feats.forced else None
        out[c] = fit_concept(feats.X[keep], y[keep], labels.groups[keep], recipe.train, concept=c, forced=forced)
        rest = y[idx[~inside]]
        outside[c] = float((rest.sum() + 0.5) / (len(rest) + 1.0)) if len(rest) else 0.0
    return out, outside


def predict_rows(classifiers: dict[str, ConceptClassifier], outside: dict[str, float], feats: Featurized,
                 idx: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{concept: (probability, tagged)} for the rows idx, gate included (what a TrainedDetector would say)."""
    inside = feats.inside[idx]
    out = {}
    for c, clf in classifiers.items():
        p = np.full(len(idx), outside[c])
        if inside.any():
            p[inside] = calibrate(clf.scores(feats.X[idx[inside]]), clf.platt_a, clf.platt_b)
        tagged = (p >= clf.threshold) & inside
        if feats.forced:
            tagged |= feats.forced[c][idx]
        out[c] = (p, tagged)
    return out


def train_detector(labels: LabelSet, lexicon: Lexicon, out: str | Path, *, name: str, version: str = "1.0.0",
                   recipe: Recipe | None = None) -> Path:
    """Fit every backend of the recipe on all labelled rows and write the model folder. Returns its path."""
    recipe = recipe or Recipe()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for c in labels.concepts:
        lexicon.concept(c)
    check_no_seed_rows(labels)
    matcher = Matcher(lexicon, concepts=labels.concepts)
    idx = np.arange(len(labels))
    t0 = time.perf_counter()
    backends = {}
    for backend in recipe.backends:
        if backend not in MODEL_BACKENDS:
            raise DetectorError(f"{backend!r} is not a trainable backend (choose from {', '.join(MODEL_BACKENDS)})")
        classifiers, outside = fit_rows(labels, featurize(labels, lexicon, backend, recipe, matcher), idx, recipe)
        save_weights(out / f"{backend}.npz", classifiers)
        backends[backend] = {"weights": f"{backend}.npz", "features": recipe.features_for(backend).to_dict(),
                             "lexicon_tags": backend == "hybrid" and recipe.lexicon_tags,
                             "concepts": {c: {**clf.meta(), "outside_prob": outside[c]}
                                          for c, clf in classifiers.items()}}
    from importlib import metadata
    info = {
        "format": FORMAT, "name": name, "version": version, "policyscope_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sklearn_version": metadata.version("scikit-learn"),
        "concepts": labels.concepts, "default_backend": "hybrid" if "hybrid" in backends else recipe.backends[0],
        "lexicon": {"name": lexicon.name, "version": lexicon.version, "sha256": lexicon.sha256},
        "training": {"labels": labels.files, "fingerprint": labels.fingerprint(), "n_rows": len(labels),
                     "n_documents": int(len(set(labels.groups))),
                     "n_positive": {c: int(labels.frame[c].sum()) for c in labels.concepts},
                     "skipped_rows": len(labels.skipped)},
        "recipe": {"train": recipe.train.to_dict(), "include_borderline": recipe.include_borderline},
        "gate": {"words": recipe.gate_words},
        "backends": backends,
    }
    (out / DETECTOR_JSON).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return out


def seed_sha256s() -> set[str]:
    """sha256 of the bundled seed texts (corpus/): they never enter a training set."""
    from policyscope.analyse.lexicon import REPO_ROOT
    from policyscope.runinfo import file_sha256
    corpus = REPO_ROOT / "corpus"
    if not corpus.is_dir():
        return set()
    return {file_sha256(p) for p in corpus.iterdir() if p.is_file() and p.name != "manifest.csv"}


def check_no_seed_rows(labels: LabelSet) -> None:
    seeds = seed_sha256s()
    bad = labels.frame.loc[labels.frame["doc_sha256"].isin(seeds), "item_id"].tolist()
    if bad:
        raise DetectorError(f"{len(bad)} training row(s) come from the bundled seed texts (e.g. {bad[0]}): the seeds "
                            "are the demo corpus and the out-of-domain check, and are kept out of training",
                            path=labels.files[0]["path"], hint="pass the seed labels to `detect evaluate --test` instead")
