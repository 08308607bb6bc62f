"""One contract for every topic backend: fit, transform, topic terms, save/load, and reproducibility."""
from __future__ import annotations

import numpy as np
import pytest

from policyscope.analyse.topics.backends import BACKEND_NAMES, backend_class, load_backend, make_backend
from policyscope.analyse.topics.corpus import prepare_corpus
from policyscope.analyse.topics.settings import CorpusSettings, ModelSettings
from policyscope.errors import TopicModelError, UsageError
from policyscope.store import open_store

K = 4
# Small but real settings: a few passes keep the whole contract under a few seconds per backend.
FAST = dict(k=K, seed=7, lda_passes=4, lda_iterations=50, tp_iterations=100, tp_infer_iterations=30, nmf_max_iter=200)


@pytest.fixture(scope="module")
def corpus(demo_db, tmp_path_factory):
    with open_store(demo_db) as store:
        return prepare_corpus(store, CorpusSettings(), tmp_path_factory.mktemp("topics_backends"))


def _weights(backend, corpus) -> np.ndarray:
    return np.vstack(list(backend.transform_corpus(corpus, chunk_size=50)))


@pytest.fixture(scope="module", params=BACKEND_NAMES)
def fitted(request, corpus):
    if request.param == "tomotopy":
        pytest.importorskip("tomotopy", reason="the tomotopy backend needs the tomotopy package")
    settings = ModelSettings(backend=request.param, **FAST)
    return make_backend(settings, corpus.dictionary).fit(corpus)


def test_contract_shapes_and_distributions(fitted, corpus):
    w = _weights(fitted, corpus)
    assert w.shape == (len(corpus), K)
    assert np.all(w >= 0) and np.allclose(w.sum(axis=1), 1.0)
    beta = fitted.topic_term_matrix()
    assert beta.shape == (K, len(corpus.dictionary))
    assert np.all(beta >= 0) and np.allclose(beta.sum(axis=1), 1.0)
    # transform is a function of the unit, not of where it sits: one unit alone gets (nearly) the same weights
    one = fitted.transform([next(iter(corpus.bow()))])
    assert one.shape == (1, K) and np.allclose(one.sum(), 1.0)
    assert fitted.fit_info["seconds"] >= 0 and fitted.method


def test_contract_top_terms(fitted, corpus):
    top = fitted.top_terms(8)
    assert len(top) == K
    vocab = corpus.dictionary.token2id
    for terms in top:
        assert len(terms) == 8 and all(t in vocab for t, _ in terms)
        weights = [w for _, w in terms]
        assert weights == sorted(weights, reverse=True)
    assert len({tuple(t for t, _ in terms) for terms in top}) == K, "topics must differ"


def test_contract_save_and_load_give_the_same_model(fitted, corpus, tmp_path):
    files = fitted.save(tmp_path)
    assert files and all((tmp_path / f).exists() for f in files)
    loaded = load_backend(tmp_path, fitted.settings, corpus.dictionary)
    assert loaded.top_terms(10) == fitted.top_terms(10)
    np.testing.assert_allclose(_weights(loaded, corpus), _weights(fitted, corpus), atol=1e-6)


def test_contract_same_seed_same_topics(fitted, corpus):
    assert fitted.deterministic
    again = make_backend(fitted.settings, corpus.dictionary).fit(corpus)
    assert again.top_terms(10) == fitted.top_terms(10)
    np.testing.assert_array_equal(again.topic_term_matrix(), fitted.topic_term_matrix())
    np.testing.assert_array_equal(_weights(again, corpus), _weights(fitted, corpus))


def test_lda_multicore_is_flagged_not_reproducible(corpus):
    b = make_backend(ModelSettings(backend="lda", workers=2, **FAST), corpus.dictionary)
    assert not b.deterministic
    b.fit(corpus)
    assert b.fit_info["implementation"] == "LdaMulticore" and b.fit_info["deterministic"] is False


def test_unknown_backend_and_bad_settings_fail_clearly():
    with pytest.raises(TopicModelError, match="unknown topic backend"):
        backend_class("bert")
    with pytest.raises(UsageError, match="k must be at least 2"):
        ModelSettings(k=1).validate()
    with pytest.raises(UsageError, match="LdaMulticore cannot learn alpha"):
        ModelSettings(lda_alpha="auto", workers=2).validate()
