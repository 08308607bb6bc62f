"""tomotopy LDA (collapsed Gibbs sampling, C++ with SIMD).

Deterministic for a fixed seed with workers=1 (tomotopy itself warns that results may differ when
workers != 1). A Gibbs sampler keeps one topic assignment per token, so tomotopy holds the
corpus's term ids in memory while fitting (the "model" here includes them); the saved model keeps
only the topic parameters. Unit weights come from tomotopy's `infer` with a fixed number of
sampling iterations, which is deterministic too.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import tomotopy as tp
from gensim.corpora import Dictionary

from policyscope.analyse.topics.backends import TopicBackend, normalise_rows
from policyscope.analyse.topics.settings import ModelSettings

MODEL_FILE = "lda.tomotopy"


class TomotopyLda(TopicBackend):
    name = "tomotopy"
    method = "LDA, collapsed Gibbs sampling (tomotopy LDAModel)"

    def fit(self, corpus) -> "TomotopyLda":
        s = self.settings
        t0 = time.perf_counter()
        self.model = tp.LDAModel(k=s.k, alpha=s.tp_alpha, eta=s.tp_eta, seed=s.seed, min_cf=0, rm_top=0)
        self.model.optim_interval = s.tp_optim_interval
        for tokens in corpus.texts():
            self.model.add_doc(tokens, ignore_empty_words=True)
        load_seconds = time.perf_counter() - t0
        self.model.train(s.tp_iterations, workers=s.workers)
        self.fit_info = {"seconds": round(time.perf_counter() - t0, 3), "loading_seconds": round(load_seconds, 3),
                         "iterations": s.tp_iterations, "log_likelihood_per_word": float(self.model.ll_per_word),
                         "deterministic": self.deterministic}
        return self

    def _tokens(self, bow) -> list[str]:
        d = self.dictionary
        out: list[str] = []
        for i, c in bow:
            out.extend([d[int(i)]] * int(round(c)))
        return out

    def transform(self, bows) -> np.ndarray:
        docs = []
        empty = []
        for n, bow in enumerate(bows):
            doc = self.model.make_doc(self._tokens(bow))
            if len(doc.words) == 0:
                empty.append(n)
                doc = self.model.make_doc([self.model.used_vocabs[0]])  # placeholder, overwritten below
            docs.append(doc)
        if not docs:
            return np.zeros((0, self.k))
        dists, _ = self.model.infer(docs, iterations=self.settings.tp_infer_iterations, workers=1)
        out = np.array([np.asarray(d.get_topic_dist() if hasattr(d, "get_topic_dist") else d, dtype=np.float64)
                        for d in dists])
        out[empty] = 0.0
        return normalise_rows(out)

    def topic_term_matrix(self) -> np.ndarray:
        token2id = self.dictionary.token2id
        vocab = list(self.model.used_vocabs)
        cols = np.array([token2id[w] for w in vocab], dtype=np.int64)
        m = np.zeros((self.k, len(self.dictionary)))
        for t in range(self.k):
            m[t, cols] = np.asarray(self.model.get_topic_word_dist(t), dtype=np.float64)
        return normalise_rows(m)

    def save(self, folder: Path) -> list[str]:
        self.model.save(str(Path(folder) / MODEL_FILE), full=False)
        return [MODEL_FILE]

    @classmethod
    def load(cls, folder: Path, settings: ModelSettings, dictionary: Dictionary) -> "TomotopyLda":
        self = cls(settings, dictionary)
        self.model = tp.LDAModel.load(str(Path(folder) / MODEL_FILE))
        return self
