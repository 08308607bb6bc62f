"""gensim LDA (online variational Bayes): LdaModel single-process, LdaMulticore when workers > 1.

LdaModel with a fixed random_state and the store's fixed unit order is deterministic. LdaMulticore
splits chunks across worker processes and merges their statistics in arrival order, so its topics
can differ between runs with the same seed: use it for speed, not for reproducible results.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from gensim.corpora import Dictionary
from gensim.models import LdaModel, LdaMulticore

from policyscope.analyse.topics.backends import TopicBackend, normalise_rows
from policyscope.analyse.topics.settings import ModelSettings

MODEL_FILE = "lda.gensim"


class GensimLda(TopicBackend):
    name = "lda"
    method = "LDA, online variational Bayes (gensim LdaModel)"

    def fit(self, corpus) -> "GensimLda":
        s = self.settings
        t0 = time.perf_counter()
        common = dict(corpus=corpus.bow(), id2word=self.dictionary, num_topics=s.k, passes=s.lda_passes,
                      iterations=s.lda_iterations, chunksize=s.lda_chunksize, eta=s.lda_eta,
                      random_state=s.seed, eval_every=None, dtype=np.float64)
        if s.workers > 1:
            self.method = "LDA, online variational Bayes (gensim LdaMulticore)"
            # LdaMulticore's `workers` are extra processes beside this one.
            self.model = LdaMulticore(workers=s.workers - 1 or 1, alpha=s.lda_alpha, **common)
        else:
            self.model = LdaModel(alpha=s.lda_alpha, update_every=1, **common)
        self.fit_info = {"seconds": round(time.perf_counter() - t0, 3), "passes": s.lda_passes,
                         "iterations": s.lda_iterations, "implementation": type(self.model).__name__,
                         "deterministic": self.deterministic}
        return self

    def transform(self, bows) -> np.ndarray:
        # inference() draws its starting point from the model's RandomState: reseed so that the
        # same units in the same chunks always get the same weights.
        self.model.random_state = np.random.RandomState(self.settings.seed)
        gamma, _ = self.model.inference(list(bows))
        return normalise_rows(gamma)

    def topic_term_matrix(self) -> np.ndarray:
        return normalise_rows(self.model.get_topics())

    def save(self, folder: Path) -> list[str]:
        folder = Path(folder)
        self.model.save(str(folder / MODEL_FILE))
        return sorted(p.name for p in folder.glob(MODEL_FILE + "*"))

    @classmethod
    def load(cls, folder: Path, settings: ModelSettings, dictionary: Dictionary) -> "GensimLda":
        self = cls(settings, dictionary)
        self.model = LdaModel.load(str(Path(folder) / MODEL_FILE))
        self.model.id2word = dictionary
        return self
