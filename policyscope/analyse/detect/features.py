"""Features of a sentence for the trained detectors: what it says, what its neighbours say, and (for the
hybrid backend) what the lexicon finds in all three.

Each sentence becomes a bag of named features, hashed into a fixed-width sparse vector (no vocabulary to
ship or to drift). Groups, with the weight each feature gets:

    w=TOKEN, b=TOKEN_TOKEN    words and word pairs of the sentence                     1.0
    c=NGRAM                   character 4-grams inside words (PDF noise: "joinedup")    char_weight
    p=TOKEN, n=TOKEN          words of the sentence before / after                      neighbour_weight
    lexicon (hybrid only):
    L=concept  S=concept:sub  T=term    the lexicon's hits in the sentence               1.0
    PL=concept NL=concept               ... in the sentence before / after               neighbour_weight
    X=exclusion                         an exclusion form occurs ("European integration") 1.0
    C=context                           a context cue list occurs ("care", "not_care_...") 1.0
    K=concept PK= NK=                   a plain keyword occurs (sentence / before / after) 1.0

Rows are L2-normalised, so a long sentence does not outweigh a short one.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp

from policyscope.analyse.detect.base import SentenceBatch
from policyscope.analyse.lexicon import Lexicon
from policyscope.analyse.matcher import Matcher, _lower_same_length

TOKEN_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class FeatureSettings:
    """Declared defaults of the feature extractor (recorded in the model folder)."""

    use_lexicon: bool = True
    bigrams: bool = True
    char_ngrams: int = 4  # 0: none
    char_weight: float = 0.5
    neighbour_weight: float = 0.5
    n_features: int = 1 << 20

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "FeatureSettings":
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})


def tokens(text: str) -> list[re.Match]:
    return list(TOKEN_RE.finditer(_lower_same_length(text)))


class FeatureExtractor:
    """Sentence batch -> CSR matrix (n_sentences x n_features). Deterministic: the same text gives the same row."""

    def __init__(self, lexicon: Lexicon, concepts: list[str], settings: FeatureSettings,
                 matcher: Matcher | None = None):
        self.settings = settings
        self.concepts = concepts
        self.lexicon = lexicon
        self.matcher = matcher if settings.use_lexicon else None
        if settings.use_lexicon and self.matcher is None:
            self.matcher = Matcher(lexicon, concepts=concepts)
        self._keywords = {c: re.compile("|".join(f"(?:{f.pattern})" for f in lexicon.concept(c).keywords))
                          for c in concepts}
        excl = []
        for c in concepts:
            excl += list(lexicon.concept(c).exclusions)
        excl += list(lexicon.global_exclusions)
        self._exclusions = [(e.id, re.compile("|".join(f"(?:{f.pattern})" for f in e.forms if f.kind != "lemma")))
                            for e in excl if any(f.kind != "lemma" for f in e.forms)]
        self._contexts = [(name, re.compile(rx)) for name, rx in sorted(lexicon.contexts.items())]

    # -- the bag of named features of one sentence ----------------------------------------------
    def _word_features(self, low: str, prefix_w: str, prefix_b: str | None, weight: float, out: dict) -> None:
        toks = TOKEN_RE.findall(low)
        for t in toks:
            out[prefix_w + t] = weight
        if prefix_b is not None:
            for a, b in zip(toks, toks[1:]):
                out[prefix_b + a + "_" + b] = weight
        n = self.settings.char_ngrams
        if n and prefix_b is not None:
            cw = self.settings.char_weight
            for t in toks:
                if len(t) > n:
                    padded = f"<{t}>"
                    for k in range(len(padded) - n + 1):
                        out["c=" + padded[k:k + n]] = cw

    def _keyword_features(self, low: str, prefix: str, out: dict) -> None:
        for c, rx in self._keywords.items():
            if rx.search(low):
                out[prefix + c] = 1.0

    def bags(self, batch: SentenceBatch) -> list[dict]:
        s = self.settings
        nw = s.neighbour_weight
        lex_here = lex_prev = lex_next = None
        if self.matcher is not None:
            lex_here = self._lexicon_hits(batch.texts, batch.lemmas)
            lex_prev = self._lexicon_hits(batch.prev, None)
            lex_next = self._lexicon_hits(batch.next, None)
        out = []
        for i, text in enumerate(batch.texts):
            low = _lower_same_length(text)
            f: dict[str, float] = {}
            self._word_features(low, "w=", "b=" if s.bigrams else None, 1.0, f)
            if batch.prev[i]:
                self._word_features(_lower_same_length(batch.prev[i]), "p=", None, nw, f)
            if batch.next[i]:
                self._word_features(_lower_same_length(batch.next[i]), "n=", None, nw, f)
            if self.matcher is not None:
                for concept, sub, term in lex_here[i]:
                    f["L=" + concept] = 1.0
                    f[f"S={concept}:{sub}"] = 1.0
                    f["T=" + term] = 1.0
                for concept, _, _ in lex_prev[i]:
                    f["PL=" + concept] = nw
                for concept, _, _ in lex_next[i]:
                    f["NL=" + concept] = nw
                for eid, rx in self._exclusions:
                    if rx.search(low):
                        f["X=" + eid] = 1.0
                for name, rx in self._contexts:
                    if rx.search(low):
                        f["C=" + name] = 1.0
                self._keyword_features(low, "K=", f)
                if batch.prev[i]:
                    self._keyword_features(_lower_same_length(batch.prev[i]), "PK=", f)
                if batch.next[i]:
                    self._keyword_features(_lower_same_length(batch.next[i]), "NK=", f)
            out.append(f)
        return out

    def _lexicon_hits(self, texts: list[str], lemmas: list[str] | None) -> list[set]:
        found: list[set] = [set() for _ in texts]
        idx = [i for i, t in enumerate(texts) if t]
        if not idx:
            return found
        sub = [texts[i] for i in idx]
        sub_lem = [lemmas[i] for i in idx] if lemmas is not None and self.matcher.uses_lemmas else None
        for h in self.matcher.tag_batch(sub, sub_lem):
            found[idx[h.i]].add((h.concept, h.subconcept or "-", h.term))
        return found

    # -- hashing ------------------------------------------------------------------------------------
    def transform(self, batch: SentenceBatch) -> sp.csr_matrix:
        return hash_bags(self.bags(batch), self.settings.n_features)


def hash_bags(bags: list[dict], n_features: int) -> sp.csr_matrix:
    """Named features -> L2-normalised CSR rows (sklearn's FeatureHasher: murmurhash3, stable across versions)."""
    from sklearn.feature_extraction import FeatureHasher
    from sklearn.preprocessing import normalize
    hasher = FeatureHasher(n_features=n_features, input_type="dict", alternate_sign=False)
    X = hasher.transform(bags) if bags else sp.csr_matrix((0, n_features))
    return normalize(X.tocsr().astype(np.float64), norm="l2", copy=False)
