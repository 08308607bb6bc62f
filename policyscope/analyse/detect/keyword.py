"""The naive baseline: plain keyword matching (each concept's `keywords` forms, e.g. personalis*, integrat*),
with no context cues and no exclusions. Every quality figure is reported beside it."""
from __future__ import annotations

import re

import numpy as np

from policyscope.analyse.detect.base import Detection, Hit, SentenceBatch
from policyscope.analyse.lexicon import Lexicon
from policyscope.analyse.matcher import _lower_same_length


class KeywordDetector:
    backend = "keyword"

    def __init__(self, lexicon: Lexicon, concepts: list[str] | None = None):
        self.lexicon = lexicon
        self.concepts = concepts or lexicon.concept_names
        self._rx = {c: re.compile("|".join(f"(?:{f.pattern})" for f in lexicon.concept(c).keywords))
                    for c in self.concepts}
        self.name = f"keyword:{lexicon.name}"
        self.version = lexicon.version

    uses_lemmas = False

    def label(self) -> str:
        return f"plain keywords of {self.lexicon.label}"

    def run_info(self) -> dict:
        return {"backend": self.backend, "name": self.name, "version": self.version,
                "keywords": {c: [f.source for f in self.lexicon.concept(c).keywords] for c in self.concepts}}

    def detect(self, batch: SentenceBatch) -> Detection:
        n = len(batch)
        tagged = {c: np.zeros(n, dtype=bool) for c in self.concepts}
        hits: list[Hit] = []
        for i, text in enumerate(batch.texts):
            low = _lower_same_length(text)
            for c in self.concepts:
                for m in self._rx[c].finditer(low):
                    if m.end() > m.start():
                        tagged[c][i] = True
                        hits.append(Hit(i, c, "", "keyword", m.start(), m.end(), text[m.start():m.end()]))
        # rules give no probability: NaN (an empty cell in evidence.csv)
        return Detection(self.concepts, {c: np.full(n, np.nan) for c in self.concepts}, tagged, hits)
