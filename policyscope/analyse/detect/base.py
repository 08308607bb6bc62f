"""What every concept detector takes and gives.

A detector reads a batch of sentences, each with its neighbours in the same document (the
sentence before and after: policy prose refers back, "this agenda", "it"), and returns per
concept a calibrated probability, a yes/no tag and the hits that `track` writes to
evidence.csv (a character span inside the sentence, so every count leads to its words).

Backends (named, replaceable, each with declared defaults):
    keyword   plain keyword matching (the naive baseline every quality figure stands beside)
    lexicon   the concept lexicon's rules (terms, context cues, exclusions)
    model     a trained classifier on words and neighbours, without the lexicon
    hybrid    the trained classifier with the lexicon's hits, exclusions and cues as features
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from policyscope.analyse.matcher import TagHit

BACKENDS = ("keyword", "lexicon", "model", "hybrid")
MODEL_BACKENDS = ("model", "hybrid")


@dataclass
class SentenceBatch:
    """Sentences in document order; prev/next are the neighbours within the same document ('' at its edges)."""

    texts: list[str]
    prev: list[str]
    next: list[str]
    lemmas: list[str] | None = None

    def __post_init__(self):
        n = len(self.texts)
        if len(self.prev) != n or len(self.next) != n or (self.lemmas is not None and len(self.lemmas) != n):
            raise ValueError("texts, prev, next (and lemmas) must have the same length")

    def __len__(self) -> int:
        return len(self.texts)

    @classmethod
    def of_documents(cls, texts: list[str], doc_ids: list[str], lemmas: list[str] | None = None) -> "SentenceBatch":
        """Neighbours from consecutive sentences with the same doc id (texts in document order)."""
        n = len(texts)
        prev = [texts[i - 1] if i and doc_ids[i - 1] == doc_ids[i] else "" for i in range(n)]
        nxt = [texts[i + 1] if i + 1 < n and doc_ids[i + 1] == doc_ids[i] else "" for i in range(n)]
        return cls(texts=list(texts), prev=prev, next=nxt, lemmas=lemmas)


# One piece of evidence in sentence `i` of a batch: the words that carry the concept (or, for a
# sentence the model tags without any lexicon term, the word or word pair that weighs most for it):
# the Matcher's own hit record, so rules and models give the same kind of evidence.
Hit = TagHit


@dataclass
class Detection:
    """A detector's answer for one batch: per concept, probabilities and tags (arrays over sentences), and the
    hits of tagged sentences (every tagged sentence has at least one)."""

    concepts: list[str]
    prob: dict[str, np.ndarray]
    tagged: dict[str, np.ndarray]
    hits: list[Hit] = field(default_factory=list)

