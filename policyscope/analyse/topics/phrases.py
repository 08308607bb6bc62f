"""Collocation phrases for topic modelling: gensim's Phrases model, counted and applied faster.

gensim's `Phrases` counts unigrams and phrase candidates (two words with only connector words
between them, "quality_of_life") in a per-token Python loop, and `FrozenPhrases[tokens]` applies
them through a generator per token; on a 20,000-page corpus those loops were most of the time of
preparing a topic corpus. Here:

- `learn_phrases` counts exactly what `Phrases._learn_vocab` counts (same candidates, same total
  word count, the same vocabulary pruning when it outgrows `max_vocab_size`, checked per sentence)
  with list comprehensions and `Counter.update`, then scores the candidates with gensim's own
  `Phrases.score_candidate` and returns a gensim `FrozenPhrases`: saved, loaded and applied by
  gensim as before.
- `PhraseApplier` does what `FrozenPhrases.__getitem__` does (greedy, left to right, connector
  words kept inside a phrase) for a chain of phrase models, without the per-token generator.

tests/test_topics_phrases.py checks both against gensim itself.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from gensim.models.phrases import FrozenPhrases, Phrases
from gensim.utils import prune_vocab


def learn_phrases(sentences: Iterable[list[str]], *, min_count: int, threshold: float, max_vocab_size: int,
                  connector_words: frozenset[str], delimiter: str = "_") -> FrozenPhrases:
    """The FrozenPhrases that `Phrases(sentences, ...).freeze()` gives, with the same arguments."""
    vocab, total_words, min_reduce = count_phrase_vocab(sentences, connector_words=connector_words,
                                                        max_vocab_size=max_vocab_size, delimiter=delimiter)
    return phrases_from_vocab(vocab, total_words, min_reduce, min_count=min_count, threshold=threshold,
                              max_vocab_size=max_vocab_size, connector_words=connector_words, delimiter=delimiter)


def count_phrase_vocab(sentences: Iterable[list[str]], *, connector_words: frozenset[str],
                       max_vocab_size: int | None, delimiter: str = "_") -> tuple[Counter, int, int]:
    """(vocab, total words, min_reduce) as `Phrases._learn_vocab` counts them. max_vocab_size None: never
    pruned, so that the counts of consecutive parts of a stream, added in order (Counter.update), are the
    counts of the whole stream, in the same order, whenever the whole would not have been pruned either."""
    connectors = frozenset(connector_words)
    vocab: Counter = Counter()
    total_words, min_reduce = 0, 1
    join = delimiter.join
    for tokens in sentences:
        total_words += len(tokens)
        at = [i for i, w in enumerate(tokens) if w not in connectors]
        if not at:
            continue
        if len(at) == len(tokens):
            vocab.update(tokens)
            vocab.update(map(join, zip(tokens, tokens[1:])))
        else:
            vocab.update([tokens[i] for i in at])
            vocab.update([join(tokens[a:b + 1]) for a, b in zip(at, at[1:])])
        if max_vocab_size is not None and len(vocab) > max_vocab_size:
            prune_vocab(vocab, min_reduce)
            min_reduce += 1
    return vocab, total_words, min_reduce


def phrases_from_vocab(vocab: Counter, total_words: int, min_reduce: int, *, min_count: int, threshold: float,
                       max_vocab_size: int, connector_words: frozenset[str], delimiter: str = "_") -> FrozenPhrases:
    """The frozen phrase model of counted phrase candidates (count_phrase_vocab)."""
    model = Phrases(min_count=min_count, threshold=threshold, max_vocab_size=max_vocab_size,
                    delimiter=delimiter, connector_words=frozenset(connector_words))
    model.vocab, model.corpus_word_count, model.min_reduce = dict(vocab), total_words, min_reduce
    return FrozenPhrases(_Scored(model, _export(model)))


def _export(model: Phrases) -> dict[str, float]:
    """`Phrases.export_phrases()`, scoring only candidates that can pass: with gensim's default
    scorer a phrase seen at most min_count times scores <= 0 and the threshold is positive."""
    delimiter, min_count = model.delimiter, model.min_count
    skip_rare = model.scoring.__name__ == "original_scorer" and model.threshold >= 0
    out: dict[str, float] = {}
    for token, count in model.vocab.items():
        if (skip_rare and count <= min_count) or delimiter not in token:
            continue
        unigrams = token.split(delimiter)
        phrase, score = model.score_candidate(unigrams[0], unigrams[-1], unigrams[1:-1])
        if score is not None:
            out[phrase] = score
    return out


class _Scored:
    """What FrozenPhrases reads from a trained Phrases model, with its phrases already exported."""

    def __init__(self, model: Phrases, phrasegrams: dict[str, float]):
        self.model, self.phrasegrams = model, phrasegrams
        self.threshold, self.min_count, self.delimiter = model.threshold, model.min_count, model.delimiter
        self.scoring, self.connector_words = model.scoring, model.connector_words

    def export_phrases(self) -> dict[str, float]:
        return self.phrasegrams

    def __str__(self) -> str:
        return str(self.model)


class PhraseApplier:
    """Apply a chain of FrozenPhrases (bigrams, then trigrams) to token lists, as gensim does."""

    def __init__(self, phrasers: list[FrozenPhrases]):
        self.steps = []
        for p in phrasers:
            # A phrase is only looked up when its first and last words can begin and end one: most
            # word pairs, and most units, are then passed over without building a candidate string.
            # Words may hold the delimiter themselves (a trigram model reads bigrammed text), so every
            # prefix and suffix at a delimiter counts.
            d = p.delimiter
            parts = [g.split(d) for g in p.phrasegrams]
            heads = frozenset(d.join(x[:i]) for x in parts for i in range(1, len(x)))
            tails = frozenset(d.join(x[i:]) for x in parts for i in range(1, len(x)))
            self.steps.append((p.phrasegrams, frozenset(p.connector_words), p.delimiter, p.threshold, heads, tails))

    def __call__(self, tokens: list[str]) -> list[str]:
        for grams, connectors, delimiter, threshold, heads, tails in self.steps:
            if not heads.isdisjoint(tokens):
                tokens = _apply(tokens, grams, connectors, delimiter, threshold, heads, tails)
        return tokens


def _apply(tokens: list[str], grams: dict[str, float], connectors: frozenset[str], delimiter: str,
           threshold: float, heads: frozenset[str], tails: frozenset[str]) -> list[str]:
    """gensim's `_PhrasesTransformation.analyze_sentence`, tokens only."""
    out: list[str] = []
    start = None
    between: list[str] = []
    for word in tokens:
        if word in connectors:
            if start:
                between.append(word)
            else:
                out.append(word)
            continue
        if start:
            if start in heads and word in tails:
                phrase = delimiter.join([start, *between, word]) if between else start + delimiter + word
                if grams.get(phrase, float("-inf")) > threshold:
                    out.append(phrase)
                    start, between = None, []
                    continue
            out.append(start)
            if between:
                out.extend(between)
        start, between = word, []
    if start:
        out.append(start)
        out.extend(between)
    return out
