"""Store → the prepared modelling corpus: lemmas, phrases, stopwords, frequency pruning.

`prepare_corpus` streams the store once into a file on disk, then re-reads that file for the phrase,
dictionary and filtering passes (never the whole corpus in memory; Phrases and the Dictionary are
bounded by their vocabulary caps), and leaves a folder:

    units.csv        one row per modelled unit: provenance, word tokens, kept terms
    tokens.txt       the unit's kept terms, one unit per line (aligned with units.csv)
    short_units.csv  the units too short to be modelled (fewer than min_unit_terms kept terms), with
    short_tokens.txt their place in the stream and kept terms: they get inferred weights after the fit
    dictionary.txt   gensim Dictionary as text: term id, term, document frequency
    phrases_*.pkl    the frozen gensim Phrases models (bigrams, trigrams)
    documents.csv    doc_id, title, date, year, doc_type, authors, publisher of the modelled documents
    stats.json       what was streamed, dropped and kept

`PreparedCorpus` re-reads that folder as re-iterable streams (texts, bag-of-words, CSR chunks).
"""
from __future__ import annotations

import csv
import itertools
import json
import math
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from gensim.corpora import Dictionary
from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, FrozenPhrases

from policyscope.analyse.topics.phrases import PhraseApplier, learn_phrases
from policyscope.analyse.topics.settings import CorpusSettings
from policyscope.analyse.topics.stopwords import BOILERPLATE, build_stopwords, filter_terms, uk_spelling
from policyscope.analyse.topics.units import UNIT_FIELDS, iter_units
from policyscope.errors import TopicModelError
from policyscope.store import Store

DOC_FIELDS = ("doc_id", "title", "date", "year", "doc_type", "authors", "publisher")
SHORT_UNITS = "short_units.csv"  # units with fewer than min_unit_terms kept terms: not modelled
SHORT_TOKENS = "short_tokens.txt"  # ...and their kept terms (possibly none), aligned


class _Lines:
    """Re-iterable token lists from a one-unit-per-line file."""

    def __init__(self, path: Path):
        self.path = path

    def __iter__(self) -> Iterator[list[str]]:
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                yield line.split()


def unit_lines(store: Store, settings: CorpusSettings, doc_ids=None) -> Iterator[tuple[str, list]]:
    """(the unit's lemma line, its units.csv row) for every unit, in store order: step 1 of
    prepare_corpus, which a cluster runs per partition of whole documents (topics_cluster.py)."""
    spell = _memoised(uk_spelling) if settings.spelling == "uk" else str
    for u in iter_units(store, unit=settings.unit, max_unit_tokens=settings.max_unit_tokens,
                        sections=settings.sections, include_duplicates=settings.include_duplicates, doc_ids=doc_ids):
        yield " ".join(map(spell, u.lemmas)), u.row()


def prepare_corpus(store: Store, settings: CorpusSettings, folder: str | Path, *, lines=None) -> "PreparedCorpus":
    """lines: unit_lines' stand-in (the same pairs in the same order), e.g. computed on a cluster."""
    settings.validate()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    raw_path, phrased_path = folder / "_raw.txt", folder / "_phrased.txt"
    stats: dict = {"units_streamed": 0, "units_empty": 0}
    try:
        # 1. store → raw lemma lines (+ the unit index)
        units_tmp = folder / "_units.csv"
        with open(raw_path, "w", encoding="utf-8") as raw, open(units_tmp, "w", newline="", encoding="utf-8") as ut:
            w = csv.writer(ut)
            for line, row in (lines if lines is not None else unit_lines(store, settings)):
                stats["units_streamed"] += 1
                raw.write(line + "\n")
                w.writerow(row)
        if stats["units_streamed"] == 0:
            raise TopicModelError("the store has no passages to model", path=str(store.path),
                                  hint="ingest documents first, or check --sections / --include-duplicates")
        # 2. phrases: bigrams over the lemma stream, trigrams over the bigrammed stream (kept on disk)
        phrasers: list[FrozenPhrases] = []
        if settings.phrases:
            learn = dict(min_count=settings.phrase_min_count, threshold=settings.phrase_threshold,
                         max_vocab_size=settings.phrase_max_vocab, connector_words=ENGLISH_CONNECTOR_WORDS)
            phrasers.append(learn_phrases(_Lines(raw_path), **learn))
            if settings.trigrams:
                bigrammed = PhraseApplier(phrasers[:1])
                with open(phrased_path, "w", encoding="utf-8") as out:
                    for tokens in _Lines(raw_path):
                        out.write(" ".join(bigrammed(tokens)) + "\n")
                os.replace(phrased_path, raw_path)
                phrasers.append(learn_phrases(_Lines(raw_path), **learn))
        stopwords = build_stopwords(settings.extra_stopwords)
        # raw_path now holds the lemma stream with every phrase model but the last already applied
        apply_rest = PhraseApplier(phrasers[-1:] if settings.trigrams else phrasers)
        terms_of = _memoised(lambda token: filter_terms([token], stopwords, settings.min_token_chars))

        # 3. raw → phrased + filtered terms, building the dictionary
        counts = DictionaryCounts(prune_at=max(settings.keep_n * 20, 2_000_000))
        with open(phrased_path, "w", encoding="utf-8") as out:
            for tokens in _Lines(raw_path):
                terms = [term for token in apply_rest(tokens) for term in terms_of(token)]
                counts.add(terms)
                out.write(" ".join(terms) + "\n")
        dictionary = counts.dictionary()
        dictionary.filter_extremes(no_below=settings.no_below, no_above=settings.no_above, keep_n=settings.keep_n)
        if len(dictionary) == 0:
            raise TopicModelError(
                "no terms survive frequency pruning", path=str(store.path),
                hint=f"the corpus is too small for no_below={settings.no_below}, no_above={settings.no_above}")
        # 4. keep dictionary terms; units with too few terms are not modelled (they go to the short
        #    files, with their place in the stream, for the weights inferred after the fit)
        n_kept_units = n_terms = n_tokens = 0
        doc_ids: set[str] = set()
        with open(phrased_path, encoding="utf-8") as src, open(units_tmp, newline="", encoding="utf-8") as ut, \
                open(folder / "tokens.txt", "w", encoding="utf-8") as tok, \
                open(folder / "units.csv", "w", newline="", encoding="utf-8") as uo, \
                open(folder / SHORT_TOKENS, "w", encoding="utf-8") as short_tok, \
                open(folder / SHORT_UNITS, "w", newline="", encoding="utf-8") as short_uo:
            w = csv.writer(uo)
            w.writerow(list(UNIT_FIELDS) + ["n_terms"])
            short_w = csv.writer(short_uo)
            short_w.writerow(list(UNIT_FIELDS) + ["n_terms", "position"])
            token2id = dictionary.token2id
            for position, (line, urow) in enumerate(zip(src, csv.reader(ut))):
                terms = [t for t in line.split() if t in token2id]
                if len(terms) < settings.min_unit_terms:
                    short_tok.write(" ".join(terms) + "\n")
                    short_w.writerow(urow + [len(terms), position])
                    stats["units_no_terms"] = stats.get("units_no_terms", 0) + (not terms)
                    continue
                tok.write(" ".join(terms) + "\n")
                w.writerow(urow + [len(terms)])
                n_kept_units += 1
                n_terms += len(terms)
                n_tokens += int(urow[UNIT_FIELDS.index("n_tokens")])
                doc_ids.add(urow[1])
        if n_kept_units == 0:
            raise TopicModelError("no unit keeps enough terms to be modelled", path=str(store.path),
                                  hint=f"lower min_unit_terms (now {settings.min_unit_terms}) or no_below")
        dictionary.save_as_text(str(folder / "dictionary.txt"))
        for name, ph in zip(("bigrams", "trigrams"), phrasers):
            ph.save(str(folder / f"phrases_{name}.pkl"))
        _write_documents(store, doc_ids, folder / "documents.csv")
        stats.update({
            "units_modelled": n_kept_units, "units_too_short": stats["units_streamed"] - n_kept_units,
            "units_no_terms": stats.get("units_no_terms", 0),
            "documents": len(doc_ids), "word_tokens": n_tokens, "terms": n_terms, "vocabulary": len(dictionary),
            "phrases_in_vocabulary": sum("_" in t for t in dictionary.token2id),
            "stopwords": len(stopwords), "boilerplate_words": sorted(BOILERPLATE),
        })
        with open(folder / "stats.json", "w", encoding="utf-8") as fh:
            json.dump(stats, fh, indent=2)
    finally:
        for p in (raw_path, phrased_path, folder / "_units.csv"):
            if p.exists():
                os.remove(p)
    return PreparedCorpus(folder)


def _memoised(fn):
    """A one-argument function with its results kept (a corpus has far fewer word forms than tokens)."""
    cache: dict = {}

    def call(x):
        got = cache.get(x)
        if got is None:
            got = cache[x] = fn(x)
        return got
    return call


def _write_documents(store: Store, doc_ids: set[str], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(DOC_FIELDS)
        for d in store.documents():
            if d["doc_id"] in doc_ids:
                w.writerow([d[f] if d[f] is not None else "" for f in DOC_FIELDS])


class DictionaryCounts:
    """What gensim's `Dictionary.add_documents([terms])` builds, document by document, with the counting
    done by Counter in C: the same ids (a document's new terms numbered in sorted order), document and
    collection frequencies and totals, and the same `prune_at` pruning (checked before each document)."""

    def __init__(self, prune_at: int | None = 2_000_000):
        self.prune_at = prune_at
        self.token2id: dict[str, int] = {}
        self.dfs: Counter = Counter()
        self.cfs: Counter = Counter()
        self.num_docs = self.num_pos = self.num_nnz = 0

    def add(self, terms: list[str]) -> None:
        if self.prune_at is not None and len(self.token2id) > self.prune_at:
            self._prune()
        distinct = dict.fromkeys(terms)
        token2id = self.token2id
        new = [w for w in distinct if w not in token2id]
        if new:
            for w in sorted(new):
                token2id[w] = len(token2id)
        self.dfs.update(distinct.keys())  # keys, not the mapping: each distinct term counts once
        self.cfs.update(terms)
        self.num_docs += 1
        self.num_pos += len(terms)
        self.num_nnz += len(distinct)

    def dictionary(self) -> Dictionary:
        d = Dictionary(prune_at=self.prune_at)
        ids = self.token2id
        d.token2id = dict(ids)
        d.dfs = {ids[w]: n for w, n in self.dfs.items()}
        d.cfs = {ids[w]: n for w, n in self.cfs.items()}
        d.num_docs, d.num_pos, d.num_nnz = self.num_docs, self.num_pos, self.num_nnz
        return d

    def _prune(self) -> None:
        d = self.dictionary()
        d.filter_extremes(no_below=0, no_above=1.0, keep_n=self.prune_at)
        self.token2id = dict(d.token2id)
        id2token = {i: w for w, i in d.token2id.items()}
        self.dfs = Counter({id2token[i]: n for i, n in d.dfs.items()})
        self.cfs = Counter({id2token[i]: n for i, n in d.cfs.items()})


class PreparedCorpus:
    """A prepared corpus folder, read back as re-iterable streams."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        if not (self.folder / "tokens.txt").exists():
            raise TopicModelError("not a prepared topic corpus (tokens.txt missing)", path=str(self.folder))
        self._dictionary: Dictionary | None = None
        with open(self.folder / "stats.json", encoding="utf-8") as fh:
            self.stats = json.load(fh)

    def __len__(self) -> int:
        return int(self.stats["units_modelled"])

    @property
    def dictionary(self) -> Dictionary:
        if self._dictionary is None:
            self._dictionary = Dictionary.load_from_text(str(self.folder / "dictionary.txt"))
        return self._dictionary

    @property
    def n_terms(self) -> int:
        return len(self.dictionary)

    def texts(self) -> _Lines:
        """Re-iterable token lists (the kept terms of each unit)."""
        return _Lines(self.folder / "tokens.txt")

    def texts_sample(self, max_units: int | None) -> "_Lines | _Every":
        """The texts of at most `max_units` units, evenly spaced through the corpus (every n-th unit,
        from the first): the same units on every run. All texts when the corpus is that small."""
        if max_units is None or len(self) <= max_units:
            return self.texts()
        return _Every(self.texts(), math.ceil(len(self) / max_units))

    def bow(self) -> "_Bow":
        """Re-iterable gensim bag-of-words vectors, one per unit, in units.csv order."""
        return _Bow(self)

    def units(self) -> Iterator[dict]:
        with open(self.folder / "units.csv", newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                row["page_no"] = int(row["page_no"])
                row["n_tokens"] = int(row["n_tokens"])
                row["n_terms"] = int(row["n_terms"])
                yield row

    def short_units(self) -> Iterator[dict]:
        """The units not modelled (too few kept terms), in stream order, with `position` (their index
        among all streamed units). Empty for a corpus prepared before they were kept."""
        path = self.folder / SHORT_UNITS
        if not path.exists():
            return
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for key in ("page_no", "n_tokens", "n_terms", "position"):
                    row[key] = int(row[key])
                yield row

    def short_bow(self) -> Iterator[list[tuple[int, int]]]:
        """Bag-of-words of the short units (aligned with `short_units`); [] for a unit with no kept term."""
        path = self.folder / SHORT_TOKENS
        if not path.exists():
            return
        d = self.dictionary
        for tokens in _Lines(path):
            yield d.doc2bow(tokens)

    def documents(self) -> dict[str, dict]:
        with open(self.folder / "documents.csv", newline="", encoding="utf-8") as fh:
            return {r["doc_id"]: r for r in csv.DictReader(fh)}

    def bow_chunks(self, size: int) -> Iterator[list]:
        chunk: list = []
        for b in self.bow():
            chunk.append(b)
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def csr_chunks(self, size: int) -> Iterator:
        """Count matrices (scipy CSR, units × terms) of up to `size` units each."""
        for chunk in self.bow_chunks(size):
            yield bow_to_csr(chunk, self.n_terms)

    def phrasers(self) -> list[FrozenPhrases]:
        return [FrozenPhrases.load(str(self.folder / f"phrases_{n}.pkl")) for n in ("bigrams", "trigrams")
                if (self.folder / f"phrases_{n}.pkl").exists()]


class _Every:
    """Every `step`-th item of a re-iterable stream, itself re-iterable."""

    def __init__(self, stream, step: int):
        self.stream, self.step = stream, step

    def __iter__(self):
        return itertools.islice(iter(self.stream), 0, None, self.step)


class _Bow:
    def __init__(self, corpus: PreparedCorpus):
        self.corpus = corpus

    def __len__(self) -> int:
        return len(self.corpus)

    def __iter__(self):
        d = self.corpus.dictionary
        for tokens in self.corpus.texts():
            yield d.doc2bow(tokens)


def bow_to_csr(chunk: list, n_terms: int):
    from scipy.sparse import csr_matrix
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for doc in chunk:
        for i, c in doc:
            indices.append(i)
            data.append(c)
        indptr.append(len(indices))
    return csr_matrix((np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int32),
                       np.asarray(indptr, dtype=np.int64)), shape=(len(chunk), n_terms))
