"""The trained backends, `model` (words and neighbours) and `hybrid` (the same plus the lexicon's hits,
exclusions and cues), and the model folder they live in.

    models/detectors/<name>/
        detector.json     name, version, code version, lexicon (name, version, sha256), training-set hash,
                          settings, the gate, per backend and concept: calibration and threshold
        hybrid.npz        non-zero hashed-feature weights per concept
        model.npz
        metrics.json      written by `policyscope detect evaluate` (grouped CV + out-of-domain sets)

Speed: only sentences that pass a cheap gate (a broad regex of concept vocabulary, the lexicon's forms
and its keywords) are featurised and scored; the others get the probability measured for gated-out
sentences in training and are not tagged. The gate is part of the detector, so evaluation measures
what it misses.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from policyscope.analyse.detect.base import Detection, Hit, SentenceBatch
from policyscope.analyse.detect.classifier import ConceptClassifier, load_weights
from policyscope.analyse.detect.features import TOKEN_RE, FeatureExtractor, FeatureSettings
from policyscope.analyse.lexicon import Lexicon
from policyscope.analyse.matcher import Matcher, _lower_same_length
from policyscope.errors import DetectorError, DetectorVersionError

FORMAT = 1  # bump when the folder layout or the meaning of its numbers changes
DETECTOR_JSON = "detector.json"
METRICS_JSON = "metrics.json"

# Vocabulary a sentence about either concept nearly always contains (checked on the labelled set:
# `detect evaluate` counts coded positives outside the gate as misses). Word prefixes, "|"-separated.
GATE_WORDS = ("care|carer|health|nhs|patient|service|support|choice|choos|chose|control|budget|personal|individual|"
              "integrat|join|together|partner|commission|team|seamless|silo|co-ordinat|coordinat|co ordinat|"
              "independen|tailor|person|user|council|local authorit|disab|gp|hospital|pool|collaborat|boundar|joint|"
              "holistic|wrap|one-stop|one stop|co-produc|coproduc|co produc|co-design|codesign|co design|decide|"
              "say over|in charge|agenda|fund|organisation|organization|own")


def gate_regex(lexicon: Lexicon, concepts: list[str], words: str = GATE_WORDS) -> re.Pattern:
    """One trie-shaped regex (fast in Python's re) for the gate words and every surface form and keyword of the
    concepts; forms without a literal prefix are added as alternatives of their own."""
    from policyscope.analyse.matcher import _sequence_entries, _trie_regex
    entries = [(w, "") for w in words.split("|") if w]
    others = []
    for c in concepts:
        concept = lexicon.concept(c)
        for f in list(concept.keywords) + [f for t in concept.terms for f in t.forms if f.kind != "lemma"]:
            e = _sequence_entries(f)
            if e is None:
                others.append(f.pattern)
            else:
                entries.extend(e)
    return re.compile("|".join([r"\b" + _trie_regex(entries)] + [f"(?:{p})" for p in others]))


def gate_mask_of(rx: re.Pattern, texts: list[str]) -> np.ndarray:
    """Which sentences the gate regex matches: one search pass over the joined batch."""
    from policyscope.analyse.detect.features import _joined
    from policyscope.analyse.matcher import matching_sentences
    mask = np.zeros(len(texts), dtype=bool)
    if texts:
        low, starts = _joined(texts)
        mask[list(matching_sentences(rx, low, starts))] = True
    return mask


class TrainedDetector:
    """A fitted `model` or `hybrid` backend. `detect` returns calibrated probabilities, tags and hits."""

    def __init__(self, folder: Path, backend: str, lexicon: Lexicon, info: dict,
                 classifiers: dict[str, ConceptClassifier], matcher: Matcher | None = None):
        self.folder = folder
        self.backend = backend
        self.lexicon = lexicon
        self.info = info
        self.name = info["name"]
        self.version = info["version"]
        self.concepts = list(classifiers)
        self.classifiers = classifiers
        spec = info["backends"][backend]
        self.settings = FeatureSettings.from_dict(spec["features"])
        self.matcher = matcher or Matcher(lexicon, concepts=self.concepts)
        self.features = FeatureExtractor(lexicon, self.concepts, self.settings, matcher=self.matcher)
        self.gate = gate_regex(lexicon, self.concepts, info.get("gate", {}).get("words", GATE_WORDS))
        self.outside_prob = {c: float(spec["concepts"][c].get("outside_prob", 0.0)) for c in self.concepts}
        self.lexicon_tags = bool(spec.get("lexicon_tags", False))

    @property
    def uses_lemmas(self) -> bool:
        return self.matcher.uses_lemmas

    def label(self) -> str:
        return f"{self.name} {self.version} ({self.backend})"

    def run_info(self) -> dict:
        return {"name": self.name, "version": self.version, "backend": self.backend, "folder": str(self.folder),
                "format": self.info.get("format"), "policyscope_version": self.info.get("policyscope_version"),
                "training": self.info.get("training", {}), "lexicon": self.info.get("lexicon", {}),
                "thresholds": {c: clf.threshold for c, clf in self.classifiers.items()}}

    # -- prediction -------------------------------------------------------------------------------
    def gated(self, batch: SentenceBatch) -> np.ndarray:
        """Sentences with gate vocabulary: one search pass over the joined batch, jumping to the next sentence
        after each match."""
        return gate_mask_of(self.gate, batch.texts)

    def scores(self, batch: SentenceBatch, lex_hits=None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(gate mask, {concept: calibrated probability}) for every sentence of the batch; lex_hits: the
        Matcher's hits in the batch, when the caller has them."""
        n = len(batch)
        mask = self.gated(batch)
        prob = {c: np.full(n, self.outside_prob[c]) for c in self.concepts}
        idx = np.flatnonzero(mask)
        if idx.size:
            sets = None
            if lex_hits is not None and self.settings.use_lexicon:
                sets = [set() for _ in range(n)]
                for h in lex_hits:
                    sets[h.i].add((h.concept, h.subconcept or "-", h.term))
            X = self.features.encode(batch, idx, sets)
            for c in self.concepts:
                prob[c][idx] = self.classifiers[c].proba(X)
        return mask, prob

    def detect(self, batch: SentenceBatch) -> Detection:
        # the lexicon's hits, once: features (hybrid), tags (the lexicon as ally) and evidence all read them
        lex = self.matcher.tag_batch(batch.texts, batch.lemmas if self.uses_lemmas else None)
        mask, prob = self.scores(batch, lex)
        tagged = {c: (prob[c] >= self.classifiers[c].threshold) & mask for c in self.concepts}
        if self.lexicon_tags:  # the lexicon as ally: its hits are tags, the model adds what the rules miss
            for h in lex:
                if h.concept in tagged:
                    tagged[h.concept][h.i] = True
        hits = self._evidence(batch, tagged, lex)
        return Detection(self.concepts, prob, tagged, hits)

    # -- evidence -------------------------------------------------------------------------------
    def _evidence(self, batch: SentenceBatch, tagged: dict[str, np.ndarray], lex_hits: list) -> list[Hit]:
        """Per tagged sentence: its lexicon hits of the concept, else the word or word pair that weighs most."""
        rows = sorted({int(i) for c in self.concepts for i in np.flatnonzero(tagged[c])})
        if not rows:
            return []
        lex: dict[tuple[int, str], list] = {}
        for h in lex_hits:
            lex.setdefault((h.i, h.concept), []).append(h)
        out = []
        for i in rows:
            for c in self.concepts:
                if not tagged[c][i]:
                    continue
                found = lex.get((i, c))
                if found:
                    out += found
                else:
                    out.append(self._model_hit(i, c, batch.texts[i]))
        return out

    def _model_hit(self, i: int, concept: str, text: str) -> Hit:
        """The word or word pair of the sentence whose weight for the concept is largest."""
        toks = list(TOKEN_RE.finditer(_lower_same_length(text)))
        w = self.classifiers[concept].weights
        best = None  # (weight, start, end)
        for k, m in enumerate(toks):
            cands = [(m.group(), m.start(), m.end())]
            if self.settings.bigrams and k + 1 < len(toks):
                cands.append((f"{m.group()} {toks[k + 1].group()}", m.start(), toks[k + 1].end()))
            for gram, a, b in cands:
                wt = float(w[self.features.word_column(gram)])
                if best is None or wt > best[0]:
                    best = (wt, a, b)
        if best is None:
            return Hit(i, concept, "", "model", 0, len(text), text)
        _, a, b = best
        return Hit(i, concept, "", "model", a, b, text[a:b])


# ------------------------------------------------------------------------------------------------
# the model folder


def read_detector_json(folder: Path) -> dict:
    path = folder / DETECTOR_JSON
    if not path.exists():
        raise DetectorError("not a detector folder (no detector.json)", path=str(folder),
                            hint="train one with `policyscope detect train --labels FILE --out DIR`")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DetectorError(f"detector.json is not valid JSON: {exc}", path=str(path)) from exc
    if info.get("format") != FORMAT:
        raise DetectorVersionError(f"model folder format {info.get('format')!r} was written by policyscope "
                                   f"{info.get('policyscope_version', '?')}; this policyscope reads format {FORMAT}",
                                   path=str(folder), hint="retrain it with `policyscope detect train`")
    return info


def load_trained(folder: str | Path, backend: str, lexicon: Lexicon, matcher: Matcher | None = None) -> TrainedDetector:
    folder = Path(folder)
    info = read_detector_json(folder)
    if backend not in info.get("backends", {}):
        raise DetectorError(f"this model folder has no {backend!r} backend (it has: "
                            f"{', '.join(info.get('backends', {})) or 'none'})", path=str(folder))
    lex = info.get("lexicon", {})
    if backend == "hybrid" and (lex.get("name") != lexicon.name or lex.get("sha256") != lexicon.sha256):
        raise DetectorError(f"the hybrid detector was trained with lexicon {lex.get('name')} {lex.get('version')} "
                            f"(sha256 {str(lex.get('sha256'))[:12]}), not {lexicon.label} "
                            f"(sha256 {lexicon.sha256[:12]})", path=str(folder),
                            hint="retrain it with this lexicon (`policyscope detect train`), or use --detector lexicon")
    spec = info["backends"][backend]
    n = FeatureSettings.from_dict(spec["features"]).total_width
    weights = folder / spec["weights"]
    if not weights.exists():
        raise DetectorError(f"weights file {spec['weights']} is missing", path=str(folder))
    classifiers = {}
    for c, m in spec["concepts"].items():
        lexicon.concept(c)  # the lexicon must know every concept the detector tags
        classifiers[c] = ConceptClassifier(weights=load_weights(weights, c, n), intercept=m["intercept"],
                                           platt_a=m["platt_a"], platt_b=m["platt_b"], threshold=m["threshold"],
                                           C=m.get("C", 0.0))
    return TrainedDetector(folder, backend, lexicon, info, classifiers, matcher=matcher)
