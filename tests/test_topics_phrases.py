"""Our phrase counting and applying give exactly what gensim's Phrases / FrozenPhrases give."""
from __future__ import annotations

import pytest
from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases

from policyscope.analyse.topics.phrases import PhraseApplier, learn_phrases
from policyscope.analyse.topics.units import iter_units
from policyscope.store import open_store


@pytest.fixture(scope="module")
def lemma_lines(demo_db) -> list[list[str]]:
    with open_store(demo_db) as store:
        return [list(u.lemmas) for u in iter_units(store)]


def gensim_chain(lines, **kw):
    bigrams = Phrases(lines, connector_words=ENGLISH_CONNECTOR_WORDS, **kw).freeze()
    trigrams = Phrases([bigrams[t] for t in lines], connector_words=ENGLISH_CONNECTOR_WORDS, **kw).freeze()
    return bigrams, trigrams


def ours_chain(lines, **kw):
    bigrams = learn_phrases(lines, connector_words=ENGLISH_CONNECTOR_WORDS, **kw)
    applier = PhraseApplier([bigrams])
    trigrams = learn_phrases([applier(t) for t in lines], connector_words=ENGLISH_CONNECTOR_WORDS, **kw)
    return bigrams, trigrams


@pytest.mark.parametrize("max_vocab_size", [2_000_000, 3_000])  # 3,000 makes gensim's vocabulary pruning happen
def test_learned_phrases_equal_gensims(lemma_lines, max_vocab_size):
    kw = dict(min_count=5, threshold=10.0, max_vocab_size=max_vocab_size)
    theirs, ours = gensim_chain(lemma_lines, **kw), ours_chain(lemma_lines, **kw)
    for g, o in zip(theirs, ours):
        assert o.phrasegrams == pytest.approx(g.phrasegrams)
        assert (o.threshold, o.min_count, o.delimiter) == (g.threshold, g.min_count, g.delimiter)
    assert len(ours[0].phrasegrams) > 5 and len(ours[1].phrasegrams) > 0
    assert any(p.count("_") >= 2 for p in ours[1].phrasegrams)  # trigrams (or phrases with a connector)


def test_applied_phrases_equal_gensims(lemma_lines):
    bigrams, trigrams = gensim_chain(lemma_lines, min_count=5, threshold=10.0, max_vocab_size=2_000_000)
    applier = PhraseApplier([bigrams, trigrams])
    changed = 0
    for tokens in lemma_lines:
        want = trigrams[bigrams[tokens]]
        assert applier(tokens) == want
        changed += want != tokens
    assert changed > 50


def test_connector_words_inside_and_outside_phrases():
    lines = [["quality", "of", "life", "matter"]] * 20 + [["of", "the", "care", "act", "and"]] * 20 + \
        [["care", "plan"], ["life", "of", "care"]] * 3
    kw = dict(min_count=2, threshold=0.1, max_vocab_size=1000)
    g = Phrases(lines, connector_words=ENGLISH_CONNECTOR_WORDS, **kw).freeze()
    o = learn_phrases(lines, connector_words=ENGLISH_CONNECTOR_WORDS, **kw)
    assert o.phrasegrams == pytest.approx(g.phrasegrams)
    assert "quality_of_life" in o.phrasegrams
    for tokens in lines + [["the", "quality", "of", "of", "life", "of"], [], ["of"]]:
        assert PhraseApplier([o])(tokens) == g[tokens]


@pytest.mark.parametrize("prune_at", [2_000_000, 40])
def test_dictionary_counts_equal_gensims(lemma_lines, prune_at):
    from gensim.corpora import Dictionary

    from policyscope.analyse.topics.corpus import DictionaryCounts
    docs = lemma_lines[:400]
    theirs = Dictionary(prune_at=prune_at)
    ours = DictionaryCounts(prune_at=prune_at)
    for terms in docs:
        theirs.add_documents([terms], prune_at=prune_at)
        ours.add(terms)
    got = ours.dictionary()
    assert got.token2id == theirs.token2id and len(got) > 10
    assert (got.dfs, got.cfs) == (theirs.dfs, theirs.cfs)
    assert (got.num_docs, got.num_pos, got.num_nnz) == (theirs.num_docs, theirs.num_pos, theirs.num_nnz)
    for d in (got, theirs):
        d.filter_extremes(no_below=2, no_above=0.5, keep_n=100)
    assert got.token2id == theirs.token2id
