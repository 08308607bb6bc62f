"""Features of a sentence for the trained detectors: what it says, what its neighbours say, and (for the
hybrid backend) what the lexicon finds in all three.

Each block is hashed into its own fixed-width slice of one sparse row (no vocabulary to ship or to
drift), with the weight given:

    words      words and word pairs of the sentence                                  1.0
    before     words of the sentence before                                          neighbour_weight
    after      words of the sentence after                                           neighbour_weight
    cues (hybrid only), named features:
      L=concept S=concept:sub T=term   the lexicon's hits in the sentence            1.0
      PL=concept NL=concept            ... in the sentence before / after            neighbour_weight
      X=exclusion                      an exclusion form occurs ("European integration")
      C=context                        a context cue list occurs ("care", "not_care_...")
      K=concept PK= NK=                a plain keyword occurs (sentence / before / after)
      F=first word, ANA&PL=concept     a sentence opening with "it", "this", "these" ... after a
                                       sentence about the concept (anaphora)

Rows are L2-normalised, so a long sentence does not outweigh a short one. Speed: words are hashed
by scikit-learn's HashingVectorizer, and every cue regex runs once over the whole batch joined by
NUL characters (as the Matcher does), so a batch costs a few passes of C code, not one Python loop
per sentence and pattern.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import asdict, dataclass
from itertools import accumulate

import numpy as np
import scipy.sparse as sp

from policyscope.analyse.detect.base import SentenceBatch
from policyscope.analyse.lexicon import Lexicon
from policyscope.analyse.matcher import SEP, Matcher, _lower_same_length

TOKEN_PATTERN = r"(?u)[^\W_]+"
TOKEN_RE = re.compile(TOKEN_PATTERN)
ANAPHORS = frozenset("it this these that they such both its their those there here".split())
CUE_WIDTH = 1 << 16


@dataclass(frozen=True)
class FeatureSettings:
    """Declared defaults of the feature extractor (recorded in the model folder)."""

    use_lexicon: bool = True
    bigrams: bool = True
    neighbour_weight: float = 0.5
    n_features: int = 1 << 20  # width of the words block; before/after get a quarter each
    char_ngrams: int = 0  # kept for reading older folders; character n-grams are not used

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "FeatureSettings":
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})

    @property
    def widths(self) -> tuple[int, int, int, int]:
        """(words, before, after, cues) block widths."""
        n = self.n_features
        return n, n // 4, n // 4, CUE_WIDTH

    @property
    def total_width(self) -> int:
        return sum(self.widths)


def _vectorizer(width: int, ngrams: int):
    from sklearn.feature_extraction.text import HashingVectorizer
    return HashingVectorizer(n_features=width, token_pattern=TOKEN_PATTERN, lowercase=True,
                             ngram_range=(1, ngrams), alternate_sign=False, binary=True, norm=None,
                             dtype=np.float64)


class _Scanner:
    """Runs named regexes over a NUL-joined batch once and says which sentences each matched."""

    def __init__(self, patterns: list[tuple[str, str]]):
        self.patterns = [(name, re.compile(rx)) for name, rx in patterns if rx]

    def scan(self, low_joined: str, starts: list[int]) -> list[set]:
        found: list[set] = [set() for _ in starts]
        for name, rx in self.patterns:
            for m in rx.finditer(low_joined):
                if m.end() > m.start():
                    found[bisect_right(starts, m.start()) - 1].add(name)
        return found


def _joined(texts: list[str]) -> tuple[str, list[int]]:
    low = SEP.join(_lower_same_length(t) for t in texts)
    return low, list(accumulate([len(t) + 1 for t in texts[:-1]], initial=0))


class FeatureExtractor:
    """Sentence batch -> CSR matrix (n_sentences x total_width). Deterministic: the same text, neighbours and
    lexicon give the same row."""

    def __init__(self, lexicon: Lexicon, concepts: list[str], settings: FeatureSettings,
                 matcher: Matcher | None = None):
        self.settings = settings
        self.concepts = concepts
        self.lexicon = lexicon
        self.matcher = None
        if settings.use_lexicon:
            self.matcher = matcher or Matcher(lexicon, concepts=concepts)
        w, b, a, _ = settings.widths
        self.words = _vectorizer(w, 2 if settings.bigrams else 1)
        self.before = _vectorizer(b, 1)
        self.after = _vectorizer(a, 1)
        self.keywords = _Scanner([(c, "|".join(f"(?:{f.pattern})" for f in lexicon.concept(c).keywords))
                                  for c in concepts])
        excl = [e for c in concepts for e in lexicon.concept(c).exclusions] + list(lexicon.global_exclusions)
        self.exclusions = _Scanner([(e.id, "|".join(f"(?:{f.pattern})" for f in e.forms if f.kind != "lemma"))
                                    for e in excl])
        self.contexts = _Scanner(sorted(lexicon.contexts.items()))

    # -- blocks -----------------------------------------------------------------------------------
    def cue_bags(self, batch: SentenceBatch) -> list[dict]:
        """The named features (hybrid: lexicon, exclusions, contexts, keywords, anaphora) of every sentence."""
        n = len(batch)
        bags: list[dict] = [{} for _ in range(n)]
        if self.matcher is None:
            return bags
        nw = self.settings.neighbour_weight
        here = self._lexicon_hits(batch.texts, batch.lemmas)
        prev = self._neighbour_hits(batch.prev, batch.texts, here, -1)
        nxt = self._neighbour_hits(batch.next, batch.texts, here, +1)
        low, starts = _joined(batch.texts)
        kw_here = self.keywords.scan(low, starts)
        excl = self.exclusions.scan(low, starts)
        ctx = self.contexts.scan(low, starts)
        kw_prev = self._neighbour_scan(batch.prev, batch.texts, kw_here, -1)
        kw_next = self._neighbour_scan(batch.next, batch.texts, kw_here, +1)
        for i in range(n):
            f = bags[i]
            for concept, sub, term in here[i]:
                f["L=" + concept] = 1.0
                f[f"S={concept}:{sub}"] = 1.0
                f["T=" + term] = 1.0
            prev_concepts = {c for c, _, _ in prev[i]} | kw_prev[i]
            for concept, _, _ in prev[i]:
                f["PL=" + concept] = nw
            for concept, _, _ in nxt[i]:
                f["NL=" + concept] = nw
            for e in excl[i]:
                f["X=" + e] = 1.0
            for name in ctx[i]:
                f["C=" + name] = 1.0
            for c in kw_here[i]:
                f["K=" + c] = 1.0
            for c in kw_prev[i]:
                f["PK=" + c] = 1.0
            for c in kw_next[i]:
                f["NK=" + c] = 1.0
            m = TOKEN_RE.search(batch.texts[i])
            first = m.group().lower() if m else ""
            if first in ANAPHORS:
                f["F=" + first] = 1.0
                for c in prev_concepts:
                    f["ANA&PL=" + c] = 1.0
        return bags

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

    def _neighbour_hits(self, neighbours: list[str], texts: list[str], here: list[set], step: int) -> list[set]:
        """Hits in each neighbour; a neighbour that is the adjacent sentence of the batch reuses its hits."""
        out: list = [None] * len(texts)
        todo = []
        for i, t in enumerate(neighbours):
            j = i + step
            if not t:
                out[i] = set()
            elif 0 <= j < len(texts) and texts[j] == t:
                out[i] = here[j]
            else:
                todo.append(i)
        if todo:
            hits = self._lexicon_hits([neighbours[i] for i in todo], None)
            for i, h in zip(todo, hits):
                out[i] = h
        return out

    def _neighbour_scan(self, neighbours: list[str], texts: list[str], here: list[set], step: int) -> list[set]:
        out: list = [None] * len(texts)
        todo = []
        for i, t in enumerate(neighbours):
            j = i + step
            if not t:
                out[i] = set()
            elif 0 <= j < len(texts) and texts[j] == t:
                out[i] = here[j]
            else:
                todo.append(i)
        if todo:
            low, starts = _joined([neighbours[i] for i in todo])
            for i, s in zip(todo, self.keywords.scan(low, starts)):
                out[i] = s
        return out

    # -- the matrix ---------------------------------------------------------------------------------
    def transform(self, batch: SentenceBatch) -> sp.csr_matrix:
        from sklearn.feature_extraction import FeatureHasher
        from sklearn.preprocessing import normalize
        n = len(batch)
        _, _, _, cw = self.settings.widths
        if n == 0:
            return sp.csr_matrix((0, self.settings.total_width))
        nw = self.settings.neighbour_weight
        blocks = [self.words.transform(batch.texts), nw * self.before.transform(batch.prev),
                  nw * self.after.transform(batch.next)]
        bags = self.cue_bags(batch)
        blocks.append(FeatureHasher(n_features=cw, input_type="dict", alternate_sign=False).transform(bags)
                      if any(bags) else sp.csr_matrix((n, cw)))
        X = sp.hstack(blocks, format="csr", dtype=np.float64)
        return normalize(X, norm="l2", copy=False)

    def word_column(self, gram: str) -> int:
        """Column of a lower-cased word or word pair ("joined up") in the words block, as HashingVectorizer
        hashes it (murmurhash3, seed 0): for explaining a tag."""
        from sklearn.utils import murmurhash3_32
        return abs(murmurhash3_32(gram, seed=0)) % self.settings.widths[0]
