"""The one small interface every topic backend implements, and the registry of backends.

A backend is fitted on a PreparedCorpus and then speaks in the corpus dictionary's term ids:

    fit(corpus)                 → self (fit_info says what was done and how long it took)
    transform(bows)             → (n_units × K) array, each row a topic distribution summing to 1
    topic_term_matrix()         → (K × V) array, each row a distribution over the dictionary's terms
    top_terms(n)                → per topic, the n heaviest (term, weight) pairs
    save(folder) / load(folder) → model files inside a run folder; load needs no store

Backends: `lda` (gensim LdaModel; LdaMulticore when workers > 1), `nmf` (scikit-learn NMF on TF-IDF),
`tomotopy` (tomotopy LDAModel, collapsed Gibbs sampling).
"""
from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from gensim.corpora import Dictionary

from policyscope.analyse.topics.settings import BACKEND_NAMES, ModelSettings
from policyscope.errors import TopicModelError

_REGISTRY = {
    "lda": "policyscope.analyse.topics.lda_gensim:GensimLda",
    "nmf": "policyscope.analyse.topics.nmf_sklearn:SklearnNmf",
    "tomotopy": "policyscope.analyse.topics.lda_tomotopy:TomotopyLda",
}
assert tuple(_REGISTRY) == BACKEND_NAMES


class TopicBackend(ABC):
    name: str = ""
    method: str = ""  # one line for people: what the model is

    def __init__(self, settings: ModelSettings, dictionary: Dictionary):
        self.settings = settings
        self.dictionary = dictionary
        self.k = settings.k
        self.fit_info: dict = {}

    @property
    def deterministic(self) -> bool:
        return self.settings.deterministic

    @abstractmethod
    def fit(self, corpus) -> "TopicBackend": ...

    @abstractmethod
    def transform(self, bows: list[list[tuple[int, float]]]) -> np.ndarray: ...

    @abstractmethod
    def topic_term_matrix(self) -> np.ndarray: ...

    @abstractmethod
    def save(self, folder: Path) -> list[str]:
        """Write model files into folder; return their names."""

    @classmethod
    @abstractmethod
    def load(cls, folder: Path, settings: ModelSettings, dictionary: Dictionary) -> "TopicBackend": ...

    def top_terms(self, n: int = 10) -> list[list[tuple[str, float]]]:
        m = self.topic_term_matrix()
        out = []
        for row in m:
            # stable order: weight descending, then term id (ties cannot depend on the sort algorithm)
            idx = np.lexsort((np.arange(row.size), -row))[:n]
            out.append([(self.dictionary[int(i)], float(row[i])) for i in idx])
        return out

    def transform_corpus(self, corpus, chunk_size: int = 2000) -> Iterator[np.ndarray]:
        """Topic distributions for every unit of a PreparedCorpus, chunk by chunk, in unit order."""
        for chunk in corpus.bow_chunks(chunk_size):
            yield self.transform(chunk)


def normalise_rows(m: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1; an all-zero row (nothing the model recognises) becomes uniform."""
    m = np.asarray(m, dtype=np.float64)
    sums = m.sum(axis=1, keepdims=True)
    out = np.divide(m, sums, out=np.full_like(m, 1.0 / m.shape[1]), where=sums > 0)
    return out


def backend_class(name: str) -> type[TopicBackend]:
    if name not in _REGISTRY:
        raise TopicModelError(f"unknown topic backend {name!r}", hint=f"use one of {', '.join(_REGISTRY)}")
    module, cls = _REGISTRY[name].split(":")
    try:
        return getattr(importlib.import_module(module), cls)
    except ImportError as exc:
        if exc.name and exc.name.split(".")[0] != "policyscope":
            raise TopicModelError(f"the {name} backend needs the {exc.name} package, which is not installed",
                                  hint=f"pip install {exc.name}, or choose another --backend") from exc
        raise


def make_backend(settings: ModelSettings, dictionary: Dictionary) -> TopicBackend:
    return backend_class(settings.backend)(settings, dictionary)


def load_backend(folder: Path, settings: ModelSettings, dictionary: Dictionary) -> TopicBackend:
    return backend_class(settings.backend).load(Path(folder), settings, dictionary)
