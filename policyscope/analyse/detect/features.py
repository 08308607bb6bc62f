"""Features of a sentence for the trained detectors: what it says, what its neighbours say, and (for the
hybrid backend) what the lexicon finds in all three.

Every feature has a name, hashed (CRC-32) into one fixed-width space: no vocabulary to ship or to
drift. Names and values:

    w=TOKEN, and word pairs           words and word pairs of the sentence (a pair's    1.0
                                      column is mixed from its two words' columns)
    c=TOKEN                           words of the sentences before and after          neighbour_weight
    hybrid only:
      L=concept S=concept:sub T=term  the lexicon's hits in the sentence               1.0
      PL=concept NL=concept           ... in the sentence before / after               neighbour_weight
      K=concept PK= NK=               a plain keyword occurs (sentence / before / after) 1.0
      F=first word, ANA&PL=concept    a sentence opening with "it", "this", "these" ... after a
                                      sentence about the concept (anaphora)           1.0
      KCTX=concept KNOCTX=concept     a plain keyword occurs, and a care / health / public-service
                                      word is (is not) in the sentence or a neighbour  1.0
                                      ("integration" in a talk about health and social care
                                      partnerships is the concept even where the sentence itself
                                      names no care word; "integration" in a manifesto's Europe
                                      chapter is not)

(The lexicon's exclusions and context cues act through its hits; as features of their own they made
no difference in grouped cross-validation and cost a regex pass each, so they are not used.)

The word features of a row (w=, word pairs, c=) are L2-normalised, so a long sentence does not
outweigh a short one; the named hybrid features keep their values (`normalise_cues=False`), so a
lexicon hit or a keyword weighs as much in a 90-word transcript sentence as in a 10-word
bullet. (Normalising them with the words made a hit fade with sentence length: in round-3
development, on conversational transcripts, that cost the detector most of its integration recall.) An encoded batch is three
flat arrays (row pointers, columns, values): training turns it into a scipy matrix for
scikit-learn; prediction takes dot products with the weights directly, so tagging imports neither.
Speed: cue regexes run once over the whole batch joined by NUL characters (as the Matcher does), and
a sentence that is also another row's neighbour is tokenised once.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import asdict, dataclass
from itertools import accumulate

import numpy as np

from policyscope.analyse.detect.base import SentenceBatch
from policyscope.analyse.lexicon import Lexicon
from policyscope.analyse.matcher import SEP, Matcher, _lower_same_length, matching_sentences

TOKEN_RE = re.compile(r"[^\W_]+")
ANAPHORS = frozenset("it this these that they such both its their those there here".split())
PAIR_MIX = 1_000_003  # mixes two word columns into a word-pair column
CACHE_LIMIT = 500_000  # feature names whose column is remembered (bounded memory on any corpus)
# Words that put a sentence (or its neighbour) in a care / health / public-service setting (KCTX= features)
CARE_CONTEXT = re.compile(
    r"\b(?:care|carers?|health\w*|nhs|social services?|social work\w*|patients?|hospitals?|gps?|nurs\w+|"
    r"disab\w+|older people|mental health|public services?|councils?|local authorit\w+|commission\w*|"
    r"wellbeing|well-being|clinic\w*|hscps?|ijbs?|partnerships?|providers?|practitioners?|professionals?)\b")


@dataclass(frozen=True)
class FeatureSettings:
    """Declared defaults of the feature extractor (recorded in the model folder)."""

    use_lexicon: bool = True
    bigrams: bool = True
    neighbour_weight: float = 0.5
    neighbour_words: bool = True  # c= features (the words of the sentences either side)
    n_features: int = 1 << 21  # width of the hashed space
    keyword_context: bool = True  # KCTX= / KNOCTX= features (keyword with / without care words around it)
    normalise_cues: bool = False  # L2-normalise the named hybrid features together with the words

    # what a model folder written before a setting existed was fitted with
    LEGACY = {"keyword_context": False, "normalise_cues": True}

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "FeatureSettings":
        known = set(cls.__dataclass_fields__)
        return cls(**{**cls.LEGACY, **{k: v for k, v in d.items() if k in known}})

    @property
    def total_width(self) -> int:
        return self.n_features


@dataclass
class Encoded:
    """Feature rows of a batch: row k's entries are cols[indptr[k]:indptr[k+1]] with the values in vals (a
    column may occur twice when two names hash to it), each row L2-normalised over its entries."""

    indptr: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    width: int

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def row_ids(self) -> np.ndarray:
        return np.repeat(np.arange(len(self)), np.diff(self.indptr))

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """Each row's dot product with a weight vector. bincount adds each row's entries in order, so a row
        gets the same value whatever batch it came in (reduceat's vectorised sums depend on alignment)."""
        if not self.cols.size:
            return np.zeros(len(self))
        return np.bincount(self.row_ids(), weights=self.vals * weights[self.cols], minlength=len(self))

    def tocsr(self):
        import scipy.sparse as sp
        X = sp.csr_matrix((self.vals, self.cols, self.indptr), shape=(len(self), self.width))
        X.sum_duplicates()  # entries of one column add up, as in dot()
        return X


class _Scanner:
    """Runs named regexes over a NUL-joined batch once and says which sentences each matched."""

    def __init__(self, patterns: list[tuple[str, str]]):
        self.patterns = [(name, re.compile(rx)) for name, rx in patterns if rx]

    def scan(self, low_joined: str, starts: list[int]) -> list[set]:
        found: list[set] = [set() for _ in starts]
        for name, rx in self.patterns:
            for i in matching_sentences(rx, low_joined, starts):  # one match per sentence is all a feature needs
                found[i].add(name)
        return found


def column(name: str, width: int) -> int:
    """The hashed column of a feature name (CRC-32: stable across platforms and versions)."""
    return zlib.crc32(name.encode("utf-8")) % width


def _joined(texts: list[str]) -> tuple[str, list[int]]:
    low = SEP.join(_lower_same_length(t) for t in texts)
    return low, list(accumulate([len(t) + 1 for t in texts[:-1]], initial=0))


class FeatureExtractor:
    """Sentence batch -> encoded feature rows. Deterministic: the same text, neighbours and lexicon give the
    same row, whether the sentence comes in a document stream or alone with its neighbours' texts."""

    def __init__(self, lexicon: Lexicon, concepts: list[str], settings: FeatureSettings,
                 matcher: Matcher | None = None):
        self.settings = settings
        self.concepts = concepts
        self.lexicon = lexicon
        self.matcher = None
        if settings.use_lexicon:
            self.matcher = matcher or Matcher(lexicon, concepts=concepts)
        self.keywords = _Scanner([(c, "|".join(f"(?:{f.pattern})" for f in lexicon.concept(c).keywords))
                                  for c in concepts])
        self._cols: dict[str, int] = {}
        self._by_prefix: dict[str, dict[str, int]] = {}

    def col(self, name: str) -> int:
        c = self._cols.get(name)
        if c is None:
            if len(self._cols) >= CACHE_LIMIT:
                self._cols.clear()
            c = self._cols[name] = column(name, self.settings.n_features)
        return c

    # -- lexicon and keyword cues ----------------------------------------------------------------
    def lexicon_hits(self, texts: list[str], lemmas: list[str] | None) -> list[set]:
        """Per sentence, the (concept, sub-concept, term) of the lexicon's hits: what the L/S/T features read."""
        found: list[set] = [set() for _ in texts]
        if self.matcher is None:
            return found
        idx = [i for i, t in enumerate(texts) if t]
        if not idx:
            return found
        sub = [texts[i] for i in idx]
        sub_lem = [lemmas[i] for i in idx] if lemmas is not None and self.matcher.uses_lemmas else None
        for h in self.matcher.tag_batch(sub, sub_lem):
            found[idx[h.i]].add((h.concept, h.subconcept or "-", h.term))
        return found

    def _keyword_sets(self, texts: list[str]) -> list[set]:
        if not texts:
            return []
        low, starts = _joined(texts)
        return self.keywords.scan(low, starts)

    def _neighbours(self, batch: SentenceBatch, rows, which: str, own: list, compute) -> list:
        """For each row, `own`'s value for its neighbour (`prev`/`next`) when that neighbour is the adjacent
        sentence of the batch (the usual case in a document stream), else `compute` on the neighbour's text."""
        step = -1 if which == "prev" else 1
        texts = batch.texts
        neigh = batch.prev if which == "prev" else batch.next
        out: list = [None] * len(rows)
        todo: dict[str, list[int]] = {}
        for k, i in enumerate(rows):
            t = neigh[i]
            j = i + step
            if not t:
                out[k] = set()
            elif 0 <= j < len(texts) and texts[j] == t:
                out[k] = own[j]
            else:
                todo.setdefault(t, []).append(k)
        if todo:
            for t, v in zip(todo, compute(list(todo))):
                for k in todo[t]:
                    out[k] = v
        return out

    def cue_bags(self, batch: SentenceBatch, rows, lexicon_hits: list[set] | None = None) -> list[dict]:
        """The named hybrid features of the sentences `rows` of the batch; lexicon_hits: lexicon_hits() of the
        whole batch, when the caller has them already."""
        bags: list[dict] = [{} for _ in rows]
        if self.matcher is None:
            return bags
        nw = self.settings.neighbour_weight
        hits = lexicon_hits if lexicon_hits is not None else self.lexicon_hits(batch.texts, batch.lemmas)
        kws = self._keyword_sets(batch.texts)
        prev = self._neighbours(batch, rows, "prev", hits, lambda ts: self.lexicon_hits(ts, None))
        nxt = self._neighbours(batch, rows, "next", hits, lambda ts: self.lexicon_hits(ts, None))
        kw_prev = self._neighbours(batch, rows, "prev", kws, self._keyword_sets)
        kw_next = self._neighbours(batch, rows, "next", kws, self._keyword_sets)
        care = self._care_context(batch, rows, kws) if self.settings.keyword_context else None
        for k, i in enumerate(rows):
            f = bags[k]
            for concept, sub, term in hits[i]:
                f["L=" + concept] = 1.0
                f[f"S={concept}:{sub}"] = 1.0
                f["T=" + term] = 1.0
            prev_concepts = {c for c, _, _ in prev[k]} | kw_prev[k]
            for concept, _, _ in prev[k]:
                f["PL=" + concept] = nw
            for concept, _, _ in nxt[k]:
                f["NL=" + concept] = nw
            for c in kws[i]:
                f["K=" + c] = 1.0
                if care is not None:
                    f[("KCTX=" if care[k] else "KNOCTX=") + c] = 1.0
            for c in kw_prev[k]:
                f["PK=" + c] = 1.0
            for c in kw_next[k]:
                f["NK=" + c] = 1.0
            m = TOKEN_RE.search(batch.texts[i])
            first = m.group().lower() if m else ""
            if first in ANAPHORS:
                f["F=" + first] = 1.0
                for c in prev_concepts:
                    f["ANA&PL=" + c] = 1.0
        return bags

    def _care_context(self, batch: SentenceBatch, rows, kws: list[set]) -> list[bool]:
        """For each row with a keyword: is there a care word in it or in a sentence either side?"""
        seen: dict[str, bool] = {}

        def has(t: str) -> bool:
            got = seen.get(t)
            if got is None:
                got = seen[t] = bool(t) and CARE_CONTEXT.search(_lower_same_length(t)) is not None
            return got

        return [bool(kws[i]) and (has(batch.texts[i]) or has(batch.prev[i] or "") or has(batch.next[i] or ""))
                for i in rows]

    # -- encoding ----------------------------------------------------------------------------------
    def _columns(self, prefix: str, names: list[str]) -> list[int]:
        """Columns of prefix+name for each name (one cache per prefix; only new names are hashed)."""
        cache = self._by_prefix.get(prefix)
        if cache is None or len(cache) >= CACHE_LIMIT:
            cache = self._by_prefix[prefix] = {}
        missing = [t for t in names if t not in cache]
        if missing:
            width = self.settings.n_features
            for t in missing:
                cache[t] = column(prefix + t, width)
        return [cache[t] for t in names]

    def encode(self, batch: SentenceBatch, rows=None, lexicon_hits: list[set] | None = None) -> Encoded:
        """Feature rows of the sentences `rows` of the batch (default: all), in that order.

        A row is a list of (column, value) entries, L2-normalised over its entries; two names that hash to
        one column are two entries (their dot products add up, as in the scipy matrix training builds)."""
        rows = range(len(batch)) if rows is None else [int(i) for i in rows]
        nw = self.settings.neighbour_weight
        words_of: dict[str, list[str]] = {}  # a sentence that is also a neighbour is tokenised once
        roles: dict[tuple[str, str], list[int]] = {}

        def words(t: str) -> list[str]:
            got = words_of.get(t)
            if got is None:
                got = words_of[t] = list(dict.fromkeys(TOKEN_RE.findall(_lower_same_length(t))))
            return got

        width = self.settings.n_features

        def cols_of(role: str, t: str) -> list[int]:
            got = roles.get((role, t))
            if got is None:
                if role == "b":  # a word pair's column from its words' columns: no string to build and hash
                    wc = cols_of("w", t)
                    got = list(dict.fromkeys([(a * PAIR_MIX + b) % width for a, b in zip(wc, wc[1:])]))
                else:
                    got = self._columns(role + "=", words(t))
                roles[(role, t)] = got
            return got

        bigrams, neighbour_words = self.settings.bigrams, self.settings.neighbour_words
        bags = self.cue_bags(batch, rows, lexicon_hits)
        col = self.col
        indptr, cols, vals = [0], [], []
        word_ends = []  # where each row's word entries end (its named features follow)
        for k, i in enumerate(rows):
            t = batch.texts[i]
            w = cols_of("w", t)
            b = cols_of("b", t) if bigrams else []
            cols += w
            cols += b
            vals += [1.0] * (len(w) + len(b))
            if neighbour_words:
                for t in (batch.prev[i], batch.next[i]):
                    if t:
                        c = cols_of("c", t)
                        cols += c
                        vals += [nw] * len(c)
            word_ends.append(len(cols))
            for name, v in bags[k].items():
                cols.append(col(name))
                vals.append(v)
            indptr.append(len(cols))
        indptr_a = np.asarray(indptr, dtype=np.int64)
        vals_a = np.asarray(vals, dtype=np.float64)
        lengths = np.diff(indptr_a)
        if vals_a.size:
            ids = np.repeat(np.arange(len(lengths)), lengths)
            if self.settings.normalise_cues:
                scaled = np.ones(len(vals_a), dtype=bool)
            else:  # only the word entries of each row are normalised
                pos = np.arange(len(vals_a)) - indptr_a[:-1][ids]
                scaled = pos < (np.asarray(word_ends, dtype=np.int64) - indptr_a[:-1])[ids]
            norms = np.sqrt(np.bincount(ids, weights=np.where(scaled, vals_a, 0.0) ** 2, minlength=len(lengths)))
            norms[norms == 0] = 1.0
            vals_a = np.where(scaled, vals_a / norms[ids], vals_a)
        return Encoded(indptr_a, np.asarray(cols, dtype=np.int64), vals_a, self.settings.n_features)

    def transform(self, batch: SentenceBatch, rows=None, lexicon_hits: list[set] | None = None):
        """The encoded rows as a scipy CSR matrix (for fitting with scikit-learn)."""
        return self.encode(batch, rows, lexicon_hits).tocsr()

    def word_column(self, gram: str) -> int:
        """Column of a lower-cased word or word pair ("joined up") of the sentence: for explaining a tag."""
        a, _, b = gram.partition(" ")
        width = self.settings.n_features
        if not b:
            return column("w=" + a, width)
        return (column("w=" + a, width) * PAIR_MIX + column("w=" + b, width)) % width
