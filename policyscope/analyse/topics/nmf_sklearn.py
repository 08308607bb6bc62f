"""scikit-learn NMF on TF-IDF weighted unit-term counts.

TF-IDF uses the prepared dictionary's document frequencies (smoothed idf, l2-normalised rows, as
scikit-learn's TfidfTransformer defaults), so it can be applied chunk by chunk. Small corpora are
factorised in one batch (NMF, coordinate descent); above `nmf_batch_max_nnz` non-zeros the matrix
is never assembled: MiniBatchNMF streams chunks for `nmf_minibatch_passes` passes. Both are
deterministic for a fixed seed and unit order. Topic weights are the rows of W scaled to sum to 1.
"""
from __future__ import annotations

import pickle
import time
from pathlib import Path

import numpy as np
from gensim.corpora import Dictionary
from scipy.sparse import diags, vstack
from sklearn.decomposition import NMF, MiniBatchNMF
from sklearn.preprocessing import normalize

from policyscope.analyse.topics.backends import TopicBackend, normalise_rows
from policyscope.analyse.topics.corpus import bow_to_csr
from policyscope.analyse.topics.settings import ModelSettings

MODEL_FILE = "nmf.pkl"


class SklearnNmf(TopicBackend):
    name = "nmf"
    method = "NMF on TF-IDF (scikit-learn)"

    def _idf(self) -> np.ndarray:
        n = self.dictionary.num_docs
        df = np.zeros(len(self.dictionary))
        for i, c in self.dictionary.dfs.items():
            if i < df.size:
                df[i] = c
        return np.log((1 + n) / (1 + df)) + 1.0

    def _tfidf(self, counts):
        return normalize(counts @ diags(self.idf), norm="l2", copy=False)

    def fit(self, corpus) -> "SklearnNmf":
        s = self.settings
        t0 = time.perf_counter()
        self.idf = self._idf()
        nnz_bound = int(corpus.stats.get("terms", 0))  # term occurrences ≥ non-zeros
        if nnz_bound <= s.nmf_batch_max_nnz:
            x = vstack([self._tfidf(m) for m in corpus.csr_chunks(5000)]).tocsr()
            self.model = NMF(n_components=s.k, init=s.nmf_init, max_iter=s.nmf_max_iter, random_state=s.seed)
            self.model.fit(x)
            algorithm, iters = "batch NMF (coordinate descent)", int(self.model.n_iter_)
        else:
            self.model = MiniBatchNMF(n_components=s.k, init=s.nmf_init, batch_size=s.nmf_minibatch_size,
                                      random_state=s.seed)
            for _ in range(s.nmf_minibatch_passes):
                for m in corpus.csr_chunks(s.nmf_minibatch_size):
                    self.model.partial_fit(self._tfidf(m))
            algorithm, iters = "MiniBatchNMF (streamed chunks)", s.nmf_minibatch_passes
        self.fit_info = {"seconds": round(time.perf_counter() - t0, 3), "algorithm": algorithm,
                         "iterations_or_passes": iters, "deterministic": True}
        return self

    @property
    def deterministic(self) -> bool:
        return True

    def transform(self, bows) -> np.ndarray:
        x = self._tfidf(bow_to_csr(list(bows), len(self.dictionary)))
        return normalise_rows(self.model.transform(x))

    def topic_term_matrix(self) -> np.ndarray:
        return normalise_rows(self.model.components_)

    def save(self, folder: Path) -> list[str]:
        with open(Path(folder) / MODEL_FILE, "wb") as fh:
            pickle.dump({"model": self.model, "idf": self.idf}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        return [MODEL_FILE]

    @classmethod
    def load(cls, folder: Path, settings: ModelSettings, dictionary: Dictionary) -> "SklearnNmf":
        self = cls(settings, dictionary)
        with open(Path(folder) / MODEL_FILE, "rb") as fh:
            data = pickle.load(fh)  # noqa: S301 - our own model file, written by save()
        self.model, self.idf = data["model"], data["idf"]
        return self
