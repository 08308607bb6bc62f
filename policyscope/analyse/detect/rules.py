"""The lexicon backend: the concept lexicon's terms, context cues and exclusions (analyse/matcher.py)."""
from __future__ import annotations

import numpy as np

from policyscope.analyse.detect.base import Detection, SentenceBatch
from policyscope.analyse.lexicon import Lexicon
from policyscope.analyse.matcher import Matcher


class LexiconDetector:
    backend = "lexicon"

    def __init__(self, lexicon: Lexicon, concepts: list[str] | None = None, matcher: Matcher | None = None):
        self.lexicon = lexicon
        self.matcher = matcher or Matcher(lexicon, concepts=concepts)
        self.concepts = [c.name for c in self.matcher.compiled]
        self.name = f"lexicon:{lexicon.name}"
        self.version = lexicon.version

    def label(self) -> str:
        return f"lexicon {self.lexicon.label}"

    def run_info(self) -> dict:
        return {"backend": self.backend, "name": self.name, "version": self.version}

    @property
    def uses_lemmas(self) -> bool:
        return self.matcher.uses_lemmas

    def detect(self, batch: SentenceBatch) -> Detection:
        n = len(batch)
        tagged = {c: np.zeros(n, dtype=bool) for c in self.concepts}
        hits = []
        for h in self.matcher.tag_batch(batch.texts, batch.lemmas if self.uses_lemmas else None):
            tagged[h.concept][h.i] = True
            hits.append(h)  # the Matcher's hit is the detectors' Hit
        # rules give no probability: NaN (an empty cell in evidence.csv)
        return Detection(self.concepts, {c: np.full(n, np.nan) for c in self.concepts}, tagged, hits)
