"""The spaCy pipeline policyscope uses for sentences, tokens and lemmas.

No trained pipeline can be downloaded here, so the default is `spacy.blank("en")` with a
rule-based sentencizer and the lookup lemmatizer from spacy-lookups-data. If a trained
English pipeline is installed (e.g. en_core_web_sm) and POLICYSCOPE_SPACY_MODEL names it,
that is used instead. The pipeline is built once per process and cached.
"""
from __future__ import annotations

import functools
import os

import numpy as np

from policyscope.spacy_import import import_spacy

spacy = import_spacy()  # without spacy.cli (0.2 s of start-up), see spacy_import.py
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, LOWER, ORTH  # noqa: E402

from policyscope.arrays import is_in_sorted, sorted_union  # noqa: E402

DEFAULT_MODEL = "blank:en"
USED_LEX_ATTRS = (LOWER, IS_PUNCT, IS_SPACE)
# Whitespace-delimited chunks the tokenizer keeps split results for. spaCy's default, 10,000, is
# full after a few hundred pages of policy text, and every chunk seen after that is split by the
# affix regexes again each time it occurs (~40% of the tokenizer's time on the benchmark corpus).
# An entry costs ~0.26 kB (measured), so the cap bounds the cache at ~50 MB however large the corpus.
TOKENIZER_CACHE_CHUNKS = 200_000


@functools.lru_cache(maxsize=4)
def load_pipeline(model: str | None = None):
    """Return a spaCy Language with sentence boundaries and lemmas.

    `model` is "blank:en" (default) or the name of an installed trained pipeline.
    """
    model = _model_name(model)
    if model.startswith("blank:"):
        nlp = _blank_pipeline(model, initialize=True)
    else:
        nlp = _trained_pipeline(model)
    return nlp


@functools.lru_cache(maxsize=4)
def load_segmenter(model: str | None = None):
    """What segmentation needs: a FastLookup for the blank pipeline, else the trained Language.

    The blank pipeline's lemmatizer is not initialised here: FastLookup reads the lookup table
    itself as a plain dict, which saves ~0.1 s in every ingest process (spaCy's Table hashes
    all 41k keys on load).
    """
    model = _model_name(model)
    if model.startswith("blank:"):
        return FastLookup(_blank_pipeline(model, initialize=False))
    return _trained_pipeline(model)


def _model_name(model: str | None) -> str:
    return model or os.environ.get("POLICYSCOPE_SPACY_MODEL") or DEFAULT_MODEL


def _blank_pipeline(model: str, *, initialize: bool):
    lang = model.split(":", 1)[1]
    config = {"nlp": {"tokenizer": {"@tokenizers": "policyscope.Tokenizer.v1"}}} if lang == "en" else {}
    nlp = spacy.blank(lang, config=config)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    if initialize:
        nlp.initialize()  # loads the lookup table from spacy-lookups-data (installed, no download)
    # Every new word form gets its lexical attributes computed by ~20 Python functions; policyscope
    # reads only these (is_word, lower_), so the others are not computed (the first pass over
    # a corpus is ~25% faster). Other attributes (like_num, is_stop, shape_…) read as unset.
    getters = nlp.vocab.lex_attr_getters
    nlp.vocab.lex_attr_getters = {a: getters[a] for a in USED_LEX_ATTRS if a in getters}
    nlp.max_length = 5_000_000
    nlp.tokenizer.max_cache_size = TOKENIZER_CACHE_CHUNKS
    return nlp


def _trained_pipeline(model: str):
    # Trained pipelines: keep only what we need, for speed.
    nlp = spacy.load(model, exclude=["ner", "textcat", "textcat_multilabel"])
    nlp.max_length = 5_000_000
    nlp.tokenizer.max_cache_size = TOKENIZER_CACHE_CHUNKS
    return nlp


class _UnlessLetters:
    """A compiled regex's bound search/finditer, answering at once for a text made only of letters.

    No prefix, suffix, infix or URL rule of spaCy's English tokenizer matches a text of letters
    alone (tests/test_segment.py checks every letter in Unicode), and those regex searches were
    ~60% of the time spaCy takes to split a word it has not seen."""

    def __init__(self, method, no_match):
        self.method, self.no_match = method, no_match
        self.__self__ = method.__self__  # spaCy serialises a tokenizer's rules from `.__self__.pattern`

    def __call__(self, text: str):
        return self.no_match if text.isalpha() else self.method(text)


@spacy.registry.tokenizers("policyscope.Tokenizer.v1")
def create_tokenizer():
    """spaCy's English tokenizer (spacy.Tokenizer.v1: the same rules and exceptions) with suffix,
    infix and URL searches skipped for words made only of letters."""
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    def tokenizer_factory(nlp):
        d = nlp.Defaults
        return Tokenizer(
            nlp.vocab, rules=d.tokenizer_exceptions,
            prefix_search=compile_prefix_regex(d.prefixes).search if d.prefixes else None,
            suffix_search=_UnlessLetters(compile_suffix_regex(d.suffixes).search, None) if d.suffixes else None,
            infix_finditer=_UnlessLetters(compile_infix_regex(d.infixes).finditer, ()) if d.infixes else None,
            token_match=d.token_match,
            url_match=_UnlessLetters(d.url_match, None) if d.url_match else None)

    return tokenizer_factory


@functools.lru_cache(maxsize=4)
def lemma_lookup_table(lang: str = "en") -> dict[str, str]:
    """spacy-lookups-data's lemma lookup table (what the lookup lemmatizer uses) as a plain dict."""
    from spacy.util import load_language_data, registry
    return load_language_data(registry.lookups.get(lang)["lemma_lookup"])


class FastLookup:
    """Tokens, sentences and lookup lemmas, as the blank pipeline gives them, several times faster.

    spaCy's lookup lemmatizer is `table.get(token.text, token.text)`, run per token through
    Python; calling the tokenizer directly, applying the sentencizer's rule to token arrays and
    looking lemmas up in the same table (memoised per word form) is faster, and also lemmatises
    capitalised words ("Integrated" → "integrate"), which spaCy's lookup leaves as they are. Used
    only for the blank pipeline; a trained pipeline runs as is.
    """

    def __init__(self, nlp):
        self.nlp = nlp
        self.sentencizer = nlp.get_pipe("sentencizer")
        self._table = lemma_lookup_table(nlp.meta.get("lang", "en"))
        self._cache: dict[str, str] = {}
        self._lemma_by_orth: dict[int, str] = {}  # the same lemmas keyed by spaCy's string hash

    def lemma(self, text: str) -> str:
        got = self._cache.get(text)
        if got is None:
            # The table is keyed by lower-case forms: a title-case "Integrated" would stay unlemmatised
            # (spaCy's own lookup does that); try the lower-case form as well.
            got = self._table.get(text) or self._table.get(text.lower()) or text
            got = got.lower()
            self._cache[text] = got
        return got

    def sentences(self, texts: list[str]) -> list[list[tuple[int, int, int, str]]]:
        """Per text, its sentences as (char_start, char_end, n_words, lemmas): what the tokenizer, the
        sentencizer and a loop over Token objects give, computed from `Doc.to_array` in bulk.

        Building a Token object per token (in the sentencizer and in the caller) was most of the cost
        of the blank pipeline. Here the texts are joined (a blank line apart; they hold no newlines) and
        tokenised by spaCy's tokenizer in one Doc per ~BATCH_CHARS characters, and the sentencizer's rule is applied
        to arrays, restarting at each text. Sentences without a word (lone punctuation) are dropped.
        `tests/test_segment.py` checks this against the sentencizer, token for token.
        """
        out: list[list[tuple[int, int, int, str]]] = []
        batch: list[str] = []
        size = 0
        for text in texts:
            if "\n" in text or text != text.strip():
                raise ValueError("FastLookup.sentences needs stripped texts without newlines")
            batch.append(text)
            size += len(text)
            if size >= BATCH_CHARS:
                out += self._sentences_of_batch(batch)
                batch, size = [], 0
        if batch:
            out += self._sentences_of_batch(batch)
        return out

    def _sentences_of_batch(self, texts: list[str]) -> list[list[tuple[int, int, int, str]]]:
        starts_c = np.zeros(len(texts), dtype=np.int64)  # char offset of each text in the joined string
        lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        starts_c[1:] = np.cumsum(lengths + len(_JOIN))[:-1]
        joined = _JOIN.join(texts)
        doc = self.nlp.tokenizer(joined)
        out: list[list] = [[] for _ in texts]
        if len(doc) == 0:
            return out
        arr = doc.to_array(_ATTRS)  # uint64: ORTH is a string hash
        orth = arr[:, 0]
        idx, length = arr[:, 3].astype(np.int64), arr[:, 4].astype(np.int64)
        is_punct, is_space = arr[:, 1].astype(bool), arr[:, 2].astype(bool)
        text_of = np.searchsorted(starts_c, idx, side="right") - 1
        joiner = idx >= (starts_c + lengths)[text_of]  # the blank line between two texts
        in_punct_chars = is_in_sorted(orth, self._punct_orths)
        # Forced starts: each text's first token.
        first = np.flatnonzero(~joiner & np.concatenate(([True], text_of[1:] != text_of[:-1])))
        first_of_text = np.full(len(texts), -1, dtype=np.int64)
        first_of_text[text_of[first]] = first
        # The sentencizer's rule: a token that is neither punctuation nor a sentence-final character
        # starts a sentence when a sentence-final character came since the previous such token (or
        # since the text's first token).
        wordish = np.flatnonzero(~(is_punct | in_punct_chars | joiner))
        finals = np.concatenate(([0], np.cumsum(in_punct_chars)))  # finals[i] = count in tokens [0, i)
        since = np.maximum(np.concatenate(([0], wordish[:-1] + 1)), first_of_text[text_of[wordish]])
        starts = sorted_union(first, wordish[finals[wordish] - finals[since] > 0])
        # A sentence runs to the next start, less the joiner tokens before it.
        ends = np.empty_like(starts)
        ends[:-1] = starts[1:]
        ends[-1] = len(doc)
        kept = np.flatnonzero(~joiner)
        last = kept[np.searchsorted(kept, ends, side="left") - 1]  # last non-joiner token before each end
        is_word = ~(is_punct | is_space)
        words_before = np.concatenate(([0], np.cumsum(is_word)))
        w0, w1 = words_before[starts], words_before[last + 1]
        lemmas = self._lemmas_of(orth[is_word].tolist())
        t_of = text_of[starts].tolist()
        base = starts_c[text_of[starts]]
        c0 = (idx[starts] - base).tolist()
        c1 = np.minimum(idx[last] + length[last] - base, lengths[text_of[starts]]).tolist()
        for t, a, b, i0, i1 in zip(t_of, c0, c1, w0.tolist(), w1.tolist()):
            if i1 > i0:
                out[t].append((a, b, i1 - i0, " ".join(lemmas[i0:i1])))
        return out

    def _lemmas_of(self, orths: list[int]) -> list[str]:
        cache = self._lemma_by_orth
        lemmas = list(map(cache.get, orths))  # one C-level pass; misses (new word forms) are rare
        if None in lemmas:
            strings = self.nlp.vocab.strings
            for i, lem in enumerate(lemmas):
                if lem is None:
                    o = orths[i]
                    lem = cache.get(o)
                    if lem is None:
                        lem = cache[o] = self.lemma(strings[o])
                    lemmas[i] = lem
        return lemmas

    @functools.cached_property
    def _punct_orths(self) -> np.ndarray:
        strings = self.nlp.vocab.strings
        return np.array(sorted(strings.add(ch) for ch in self.sentencizer.punct_chars), dtype=np.uint64)


_ATTRS = [ORTH, IS_PUNCT, IS_SPACE, IDX, LENGTH]
_JOIN = "\n\n"
# Characters tokenised per Doc. spaCy's tokenizer stops caching new words for the rest of a Doc once
# any special case ("e.g.", "'s") has been seen in it (tokenizer.pyx, _save_cached, "see #1250"), so
# one Doc per text re-splits words it has seen, and very long Docs cache almost nothing; ~12k
# characters was fastest here (cold 1.12 s vs 1.41 s one Doc per passage, 1.70 s at 200k).
BATCH_CHARS = 12_000


def fast_path(nlp):
    """A FastLookup for the blank pipeline, or None for a trained one."""
    if nlp.pipe_names == ["sentencizer", "lemmatizer"] and nlp.get_pipe("lemmatizer").mode == "lookup":
        return _fast_for(id(nlp), nlp)
    return None


@functools.lru_cache(maxsize=4)
def _fast_for(key, nlp):
    return FastLookup(nlp)


def query_lemmas(query: str) -> str:
    """A search query's words as the stored lemma strings spell them (space-joined, lower-case), so
    "Integrated Care" finds what "integrate care" finds; a word with a `*` glob stays as typed."""
    segmenter = load_segmenter()
    glob = "QQGLOB"  # keeps "*" inside one token through the tokenizer
    text = query.replace("*", glob)
    if isinstance(segmenter, FastLookup):
        words = [t.text for t in segmenter.nlp.tokenizer(text) if is_word(t)]
        lemmas = [w.lower() if glob in w else segmenter.lemma(w) for w in words]
    else:
        lemmas = [t.text.lower() if glob in t.text else (t.lemma_.lower() or t.lower_)
                  for t in segmenter(text) if is_word(t)]
    return " ".join(lemmas).replace(glob.lower(), "*")


def lemma_strings(texts: list[str]) -> list[str]:
    """Each sentence's lemma string as the store spells it (for text that did not come from the store,
    such as a hand-coded sentence), so lemma forms of a lexicon match it the same way."""
    return [query_lemmas(t.replace("*", " ")) for t in texts]


def pipeline_name(nlp) -> str:
    meta = nlp.meta
    return f"{meta.get('lang', 'en')}_{meta.get('name', 'pipeline')}-{meta.get('version', '0')} [{','.join(nlp.pipe_names)}]"


def is_word(token) -> bool:
    """Word tokens are what rates count: not punctuation, not whitespace."""
    return not (token.is_punct or token.is_space)
