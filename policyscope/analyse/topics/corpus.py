"""Store → the prepared modelling corpus: lemmas, phrases, stopwords, frequency pruning.

`prepare_corpus` streams the store once into a file on disk, then re-reads that file for the phrase,
dictionary and filtering passes (never the whole corpus in memory; Phrases and the Dictionary are
bounded by their vocabulary caps), and leaves a folder:

    units.csv        one row per modelled unit: provenance, word tokens, kept terms
    tokens.txt       the unit's kept terms, one unit per line (aligned with units.csv)
    dictionary.txt   gensim Dictionary as text: term id, term, document frequency
    phrases_*.pkl    the frozen gensim Phrases models (bigrams, trigrams)
    documents.csv    doc_id, title, date, year, doc_type, authors, publisher of the modelled documents
    stats.json       what was streamed, dropped and kept

`PreparedCorpus` re-reads that folder as re-iterable streams (texts, bag-of-words, CSR chunks).
"""
from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from gensim.corpora import Dictionary
from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, FrozenPhrases, Phrases

from policyscope.analyse.topics.settings import CorpusSettings
from policyscope.analyse.topics.stopwords import BOILERPLATE, build_stopwords, filter_terms, uk_spelling
from policyscope.analyse.topics.units import UNIT_FIELDS, iter_units
from policyscope.errors import TopicModelError
from policyscope.store import Store

DOC_FIELDS = ("doc_id", "title", "date", "year", "doc_type", "authors", "publisher")


class _Lines:
    """Re-iterable token lists from a one-unit-per-line file."""

    def __init__(self, path: Path, transform=None):
        self.path, self.transform = path, transform

    def __iter__(self) -> Iterator[list[str]]:
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                tokens = line.split()
                yield self.transform(tokens) if self.transform else tokens


def prepare_corpus(store: Store, settings: CorpusSettings, folder: str | Path) -> "PreparedCorpus":
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
            for u in iter_units(store, unit=settings.unit, max_unit_tokens=settings.max_unit_tokens,
                                sections=settings.sections, include_duplicates=settings.include_duplicates):
                stats["units_streamed"] += 1
                lemmas = [t for t in u.lemmas if t.strip()]
                if settings.spelling == "uk":
                    lemmas = [uk_spelling(t) for t in lemmas]
                raw.write(" ".join(lemmas) + "\n")
                w.writerow(u.row())
        if stats["units_streamed"] == 0:
            raise TopicModelError("the store has no passages to model", path=str(store.path),
                                  hint="ingest documents first, or check --sections / --include-duplicates")
        # 2. phrases: bigrams over the lemma stream, trigrams over the bigrammed stream
        phrasers: list[FrozenPhrases] = []
        rounds = (1 + settings.trigrams) if settings.phrases else 0
        for _ in range(rounds):
            stream = _Lines(raw_path, _chain(phrasers))
            phrasers.append(Phrases(stream, min_count=settings.phrase_min_count, threshold=settings.phrase_threshold,
                                    max_vocab_size=settings.phrase_max_vocab,
                                    connector_words=ENGLISH_CONNECTOR_WORDS).freeze())
        stopwords = build_stopwords(settings.extra_stopwords)

        apply_phrases = _chain(phrasers)

        def to_terms(tokens: list[str]) -> list[str]:
            return filter_terms(apply_phrases(tokens), stopwords, settings.min_token_chars)

        # 3. raw → phrased + filtered terms, building the dictionary
        dictionary = Dictionary(prune_at=max(settings.keep_n * 20, 2_000_000))
        with open(phrased_path, "w", encoding="utf-8") as out:
            for terms in _Lines(raw_path, to_terms):
                dictionary.add_documents([terms])
                out.write(" ".join(terms) + "\n")
        dictionary.filter_extremes(no_below=settings.no_below, no_above=settings.no_above, keep_n=settings.keep_n)
        if len(dictionary) == 0:
            raise TopicModelError(
                "no terms survive frequency pruning", path=str(store.path),
                hint=f"the corpus is too small for no_below={settings.no_below}, no_above={settings.no_above}")
        # 4. keep dictionary terms; drop units with too few terms; write the aligned unit index
        n_kept_units = n_terms = n_tokens = 0
        doc_ids: set[str] = set()
        with open(phrased_path, encoding="utf-8") as src, open(units_tmp, newline="", encoding="utf-8") as ut, \
                open(folder / "tokens.txt", "w", encoding="utf-8") as tok, \
                open(folder / "units.csv", "w", newline="", encoding="utf-8") as uo:
            w = csv.writer(uo)
            w.writerow(list(UNIT_FIELDS) + ["n_terms"])
            token2id = dictionary.token2id
            for line, urow in zip(src, csv.reader(ut)):
                terms = [t for t in line.split() if t in token2id]
                if len(terms) < settings.min_unit_terms:
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


def _chain(phrasers: list[FrozenPhrases]):
    def apply(tokens: list[str]) -> list[str]:
        for ph in phrasers:
            tokens = ph[tokens]
        return tokens
    return apply


def _write_documents(store: Store, doc_ids: set[str], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(DOC_FIELDS)
        for d in store.documents():
            if d["doc_id"] in doc_ids:
                w.writerow([d[f] if d[f] is not None else "" for f in DOC_FIELDS])


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
