"""The spaCy pipeline policyscope uses for sentences, tokens and lemmas.

No trained pipeline can be downloaded here, so the default is `spacy.blank("en")` with a
rule-based sentencizer and the lookup lemmatizer from spacy-lookups-data. If a trained
English pipeline is installed (e.g. en_core_web_sm) and POLICYSCOPE_SPACY_MODEL names it,
that is used instead. The pipeline is built once per process and cached.
"""
from __future__ import annotations

import functools
import os

import spacy

DEFAULT_MODEL = "blank:en"


@functools.lru_cache(maxsize=4)
def load_pipeline(model: str | None = None):
    """Return a spaCy Language with sentence boundaries and lemmas.

    `model` is "blank:en" (default) or the name of an installed trained pipeline.
    """
    model = model or os.environ.get("POLICYSCOPE_SPACY_MODEL") or DEFAULT_MODEL
    if model.startswith("blank:"):
        nlp = spacy.blank(model.split(":", 1)[1])
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()  # loads the lookup table from spacy-lookups-data (installed, no download)
    else:
        # Trained pipelines: keep only what we need, for speed.
        nlp = spacy.load(model, exclude=["ner", "textcat", "textcat_multilabel"])
    nlp.max_length = 5_000_000
    return nlp


class FastLookup:
    """Tokens, sentences and lookup lemmas, as the blank pipeline gives them, at about 3x its speed.

    spaCy's lookup lemmatizer is `table.get(token.text, token.text)`, run per token through
    Python; calling the tokenizer and sentencizer directly and looking lemmas up in the same
    table (memoised per word form) is faster, and also lemmatises capitalised words ("Integrated"
    → "integrate"), which spaCy's lookup leaves as they are. Used only for the blank pipeline; a
    trained pipeline runs as is.
    """

    def __init__(self, nlp):
        self.nlp = nlp
        self.sentencizer = nlp.get_pipe("sentencizer")
        self._table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        self._cache: dict[str, str] = {}

    def lemma(self, text: str) -> str:
        got = self._cache.get(text)
        if got is None:
            # The table is keyed by lower-case forms: a title-case "Integrated" would stay unlemmatised
            # (spaCy's own lookup does that); try the lower-case form as well.
            got = self._table.get(text) or self._table.get(text.lower()) or text
            got = got.lower()
            self._cache[text] = got
        return got

    def pipe(self, texts, batch_size: int = 128):
        sentencizer = self.sentencizer
        for doc in self.nlp.tokenizer.pipe(texts, batch_size=batch_size):
            yield sentencizer(doc)


def fast_path(nlp):
    """A FastLookup for the blank pipeline, or None for a trained one."""
    if nlp.pipe_names == ["sentencizer", "lemmatizer"] and nlp.get_pipe("lemmatizer").mode == "lookup":
        return _fast_for(id(nlp), nlp)
    return None


@functools.lru_cache(maxsize=4)
def _fast_for(key, nlp):
    return FastLookup(nlp)


def pipeline_name(nlp) -> str:
    meta = nlp.meta
    return f"{meta.get('lang', 'en')}_{meta.get('name', 'pipeline')}-{meta.get('version', '0')} [{','.join(nlp.pipe_names)}]"


def is_word(token) -> bool:
    """Word tokens are what rates count: not punctuation, not whitespace."""
    return not (token.is_punct or token.is_space)


def word_lemmas(span) -> list[str]:
    return [t.lemma_.lower() or t.lower_ for t in span if is_word(t)]
