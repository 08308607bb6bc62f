"""Topic corpus preparation: units from the store, stopwords, phrases, pruning, re-iterable streams."""
from __future__ import annotations

import csv

import pytest

from policyscope.analyse.topics.corpus import PreparedCorpus, prepare_corpus
from policyscope.analyse.topics.settings import CorpusSettings
from policyscope.analyse.topics.stopwords import BOILERPLATE, build_stopwords, filter_terms
from policyscope.analyse.topics.units import iter_units
from policyscope.errors import TopicModelError
from policyscope.store import Store, open_store


@pytest.fixture(scope="module")
def prepared(demo_db, tmp_path_factory) -> PreparedCorpus:
    with open_store(demo_db) as store:
        return prepare_corpus(store, CorpusSettings(), tmp_path_factory.mktemp("topics_corpus"))


def test_prepared_corpus_is_aligned_and_reiterable(prepared):
    units = list(prepared.units())
    texts = list(prepared.texts())
    assert len(units) == len(texts) == len(prepared) == prepared.stats["units_modelled"] > 30
    assert [len(t) for t in texts] == [u["n_terms"] for u in units]
    assert all(len(t) >= CorpusSettings().min_unit_terms for t in texts)
    assert list(prepared.texts()) == texts  # a second pass gives the same stream
    assert list(prepared.bow()) == list(prepared.bow())
    assert prepared.stats["documents"] == 5
    vocab = set(prepared.dictionary.token2id)
    assert all(tok in vocab for t in texts for tok in t)


@pytest.fixture(scope="module")
def phrased(demo_db, tmp_path_factory) -> PreparedCorpus:
    with open_store(demo_db) as store:
        return prepare_corpus(store, CorpusSettings(phrases=True), tmp_path_factory.mktemp("topics_phrased"))


def test_stopwords_and_boilerplate_are_gone_and_phrases_are_found(prepared, phrased):
    stop = build_stopwords()
    for corpus in (prepared, phrased):
        vocab = set(corpus.dictionary.token2id)
        assert not vocab & stop
        assert {"doi", "https", "page"} <= BOILERPLATE and not vocab & BOILERPLATE
    assert not {t for t in prepared.dictionary.token2id if "_" in t}  # phrases are off by default
    phrases = {t for t in phrased.dictionary.token2id if "_" in t}
    # the seed documents are about social care and personal budgets: Phrases must find them
    assert {"social_care", "personal_budget"} <= phrases, sorted(phrases)


def test_filter_terms_keeps_content_phrases_and_unpacks_stopword_edges():
    stop = build_stopwords()
    assert filter_terms(["people_who", "health_and_social_care", "the", "2014", "budget", "doi"], stop, 2) == \
        ["people", "health_and_social_care", "budget"]


def test_units_cut_long_passages_at_sentence_boundaries(demo_db):
    with open_store(demo_db) as store:
        whole = list(iter_units(store, max_unit_tokens=10_000))
        cut = list(iter_units(store, max_unit_tokens=40))
        sentences = {r["sentence_id"]: r for r in store.iter_sentences(columns="s.sentence_id, s.n_tokens")}
    assert len(cut) > len(whole)
    assert sum(u.n_tokens for u in cut) == sum(u.n_tokens for u in whole)  # nothing lost or doubled
    chunks = [u for u in cut if ":c" in u.unit_id]
    assert chunks and all(u.unit_id.startswith(u.passage_id + ":c") for u in chunks)
    for u in cut:
        assert u.char_start < u.char_end
        assert u.n_tokens <= 40 or u.sentence_first == u.sentence_last  # only one long sentence may exceed it
    # the stream follows the store's order and every unit's sentences are known
    assert all(u.sentence_first in sentences and u.sentence_last in sentences for u in cut)


def test_reference_lists_are_not_modelled_by_default(demo_db, prepared):
    with open_store(demo_db) as store:
        refs = {r["passage_id"] for r in store.iter_passages(sections=["references"], columns="s.passage_id")}
    assert refs, "the demo corpus has a reference list"
    assert not refs & {u["passage_id"] for u in prepared.units()}


def test_sentence_units_and_settings_are_validated(demo_db, tmp_path):
    with open_store(demo_db) as store:
        pc = prepare_corpus(store, CorpusSettings(unit="sentence", min_unit_terms=3), tmp_path / "s")
        assert all(u["unit_id"] == u["sentence_first"] == u["sentence_last"] for u in pc.units())
        with pytest.raises(Exception, match="unknown modelling unit"):
            prepare_corpus(store, CorpusSettings(unit="page"), tmp_path / "x")


def test_empty_store_fails_with_a_clear_error(tmp_path):
    Store(tmp_path / "empty.db").close()
    with open_store(tmp_path / "empty.db") as store:
        with pytest.raises(TopicModelError, match="no passages to model"):
            prepare_corpus(store, CorpusSettings(), tmp_path / "c")
    assert not list((tmp_path / "c").glob("_*")), "temporary files are removed"


def test_units_csv_has_provenance(prepared):
    with open(prepared.folder / "units.csv", newline="") as fh:
        header = next(csv.reader(fh))
    assert header[:4] == ["unit_id", "doc_id", "passage_id", "page_no"] and "n_tokens" in header


def test_uk_spelling_merges_ize_and_ise():
    from policyscope.analyse.topics.stopwords import uk_spelling
    assert [uk_spelling(w) for w in ("personalization", "individualized", "realizing", "size", "citizen", "capsize")] \
        == ["personalisation", "individualised", "realising", "size", "citizen", "capsize"]


def test_american_spelling_is_one_term_with_british(prepared):
    vocab = set(prepared.dictionary.token2id)
    assert "personalisation" in vocab and "personalization" not in vocab


def test_coherence_sample_is_every_nth_unit_and_reiterable(prepared):
    import math

    from policyscope.analyse.topics.selection import coherence_per_topic
    texts = list(prepared.texts())
    sample = prepared.texts_sample(40)
    got = list(sample)
    assert got == texts[::math.ceil(len(texts) / 40)] and 20 <= len(got) <= 40
    assert list(sample) == got  # a second pass gives the same units
    assert list(prepared.texts_sample(None)) == texts == list(prepared.texts_sample(len(texts)))
    # Coherence with a cap counts co-occurrences in those units only.
    topics = [[w for w in texts[0][:5]], [w for w in texts[1][:5]]]
    capped = coherence_per_topic([topics], prepared, topn=5, max_units=40)
    full = coherence_per_topic([topics], prepared, topn=5)
    assert capped != full
