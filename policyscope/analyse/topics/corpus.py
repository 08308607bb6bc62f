"""Store → the prepared modelling corpus: lemmas, phrases, stopwords, frequency pruning.

`prepare_corpus` streams the store once into a file on disk, then re-reads that file for the phrase,
dictionary and filtering passes (never the whole corpus in memory; Phrases and the Dictionary are
bounded by their vocabulary caps), and leaves a folder:

    units.csv        one row per modelled unit: provenance, word tokens, kept terms
    tokens.txt       the unit's kept terms, one unit per line (aligned with units.csv)
    short_units.csv  the units too short to be modelled (fewer than min_unit_terms kept terms), with
    short_tokens.txt their place in the stream and kept terms: they get inferred weights after the fit
    dictionary.txt   gensim Dictionary as text: term id, term, document frequency
    dtm/part-*.npy   the document-term matrix of the modelled units (CSR, DTM_UNITS rows a part), which
                     the fit streams part by part (PreparedCorpus.bow)
    phrases_*.pkl    the frozen gensim Phrases models (bigrams, trigrams)
    documents.csv    doc_id, title, date, year, doc_type, authors, publisher of the modelled documents
    stats.json       what was streamed, dropped and kept

`PreparedCorpus` re-reads that folder as re-iterable streams (texts, bag-of-words, CSR chunks).
The steps after the store pass are functions of parts of the unit stream that a cluster runs where the
parts are (topics_cluster.py): counts of parts added in order are the counts of the whole.
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
        terms_of_unit = unit_terms(settings, phrasers[-1] if phrasers else None)

        # 3. raw → phrased + filtered terms, building the dictionary
        counts = DictionaryCounts(prune_at=dictionary_prune_at(settings))
        with open(phrased_path, "w", encoding="utf-8") as out:
            for tokens in _Lines(raw_path):
                terms = terms_of_unit(tokens)
                counts.add(terms)
                out.write(" ".join(terms) + "\n")
        dictionary = pruned_dictionary(counts, settings, store)
        # 4. keep dictionary terms; units with too few terms are not modelled (they go to the short
        #    files, with their place in the stream, for the weights inferred after the fit)
        token2id = dictionary.token2id
        with open(phrased_path, encoding="utf-8") as src, open(units_tmp, newline="", encoding="utf-8") as ut, \
                CorpusWriter(folder) as writer:
            pairs = zip((line.split() for line in src), csv.reader(ut))
            while True:
                chunk = list(itertools.islice(pairs, 5000))
                if not chunk:
                    break
                writer.add(corpus_part(chunk, token2id, settings.min_unit_terms))
        stats.update(writer.stats)
        doc_ids = writer.doc_ids
        if writer.n_modelled == 0:
            raise TopicModelError("no unit keeps enough terms to be modelled", path=str(store.path),
                                  hint=f"lower min_unit_terms (now {settings.min_unit_terms}) or no_below")
        dictionary.save_as_text(str(folder / "dictionary.txt"))
        for name, ph in zip(("bigrams", "trigrams"), phrasers):
            ph.save(str(folder / f"phrases_{name}.pkl"))
        _write_documents(store, doc_ids, folder / "documents.csv")
        finish_stats(stats, dictionary, stopwords)
        with open(folder / "stats.json", "w", encoding="utf-8") as fh:
            json.dump(stats, fh, indent=2)
    finally:
        for p in (raw_path, phrased_path, folder / "_units.csv"):
            if p.exists():
                os.remove(p)
    return PreparedCorpus(folder)


def finish_stats(stats: dict, dictionary: Dictionary, stopwords) -> None:
    """stats.json's counts, in its key order, once the writer has added its own."""
    n_kept = stats["units_modelled"]
    stats.update({
            "units_modelled": n_kept, "units_too_short": stats["units_streamed"] - n_kept,
            "units_no_terms": stats.get("units_no_terms", 0),
            "documents": stats.pop("_documents"), "word_tokens": stats.pop("_word_tokens"),
            "terms": stats.pop("_terms"), "vocabulary": len(dictionary),
            "phrases_in_vocabulary": sum("_" in t for t in dictionary.token2id),
            "stopwords": len(stopwords), "boilerplate_words": sorted(BOILERPLATE),
        })


def dictionary_prune_at(settings: CorpusSettings) -> int:
    return max(settings.keep_n * 20, 2_000_000)


def pruned_dictionary(counts: "DictionaryCounts", settings: CorpusSettings, store: Store) -> Dictionary:
    dictionary = counts.dictionary()
    dictionary.filter_extremes(no_below=settings.no_below, no_above=settings.no_above, keep_n=settings.keep_n)
    if len(dictionary) == 0:
        raise TopicModelError(
            "no terms survive frequency pruning", path=str(store.path),
            hint=f"the corpus is too small for no_below={settings.no_below}, no_above={settings.no_above}")
    return dictionary


DTM_DIR = "dtm"
DTM_UNITS = 20_000  # modelled units a part of the document-term matrix


def unit_terms(settings: CorpusSettings, phraser: FrozenPhrases | None):
    """lemma tokens → the unit's terms (the last phrase model applied, stopwords and short words out)."""
    stopwords = build_stopwords(settings.extra_stopwords)
    apply_rest = PhraseApplier([phraser] if phraser is not None else [])
    terms_of = _memoised(lambda token: filter_terms([token], stopwords, settings.min_token_chars))
    return lambda tokens: [term for token in apply_rest(tokens) for term in terms_of(token)]


def corpus_part(pairs: list[tuple[list[str], list]], token2id: dict[str, int], min_unit_terms: int) -> dict:
    """Step 4 for some consecutive units, (terms, units.csv row) each: their kept terms, which are modelled
    and which too short (with their place among these units), and the modelled units' document-term
    matrix (CSR arrays; each row's term ids ascending, as gensim's doc2bow gives them)."""
    modelled, short = [], []
    indptr, indices, data = [0], [], []
    no_terms = n_terms = n_tokens = 0
    doc_ids: dict[str, None] = {}
    at_tokens = UNIT_FIELDS.index("n_tokens")
    for position, (terms, urow) in enumerate(pairs):
        kept = [t for t in terms if t in token2id]
        if len(kept) < min_unit_terms:
            short.append((" ".join(kept), list(urow) + [len(kept)], position))
            no_terms += not kept
            continue
        modelled.append((" ".join(kept), list(urow) + [len(kept)]))
        bow = sorted(Counter(token2id[t] for t in kept).items())
        indices.extend(i for i, _ in bow)
        data.extend(c for _, c in bow)
        indptr.append(len(indices))
        n_terms += len(kept)
        n_tokens += int(urow[at_tokens])
        doc_ids[urow[1]] = None
    return {"n_units": len(pairs), "modelled": modelled, "short": short, "units_no_terms": no_terms,
            "terms": n_terms, "word_tokens": n_tokens, "doc_ids": list(doc_ids),
            "dtm": (np.asarray(indptr, dtype=np.int64), np.asarray(indices, dtype=np.int32),
                    np.asarray(data, dtype=np.int32))}


class CorpusWriter:
    """Writes tokens.txt, units.csv, the short-unit files and the dtm/ parts from consecutive corpus_part()s."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        (self.folder / DTM_DIR).mkdir(exist_ok=True)
        self._files = [open(self.folder / name, "w", newline="", encoding="utf-8")
                       for name in ("tokens.txt", "units.csv", SHORT_TOKENS, SHORT_UNITS)]
        self.tok, uo, self.short_tok, short_uo = self._files
        self.units, self.short_units = csv.writer(uo), csv.writer(short_uo)
        self.units.writerow(list(UNIT_FIELDS) + ["n_terms"])
        self.short_units.writerow(list(UNIT_FIELDS) + ["n_terms", "position"])
        self.position = self.n_modelled = self.parts = 0
        self.doc_ids: set[str] = set()
        self.stats = {"units_no_terms": 0, "_terms": 0, "_word_tokens": 0}
        self._rows: list = []  # (indices, data) of modelled units not yet in a dtm part

    def add(self, part: dict) -> None:
        for line, row, position in part["short"]:
            self.short_tok.write(line + "\n")
            self.short_units.writerow(row + [self.position + position])
        indptr, indices, data = part["dtm"]
        for k, (line, row) in enumerate(part["modelled"]):
            self.tok.write(line + "\n")
            self.units.writerow(row)
            a, b = indptr[k], indptr[k + 1]
            self._rows.append((indices[a:b], data[a:b]))
            if len(self._rows) == DTM_UNITS:
                self._flush()
        self.position += part["n_units"]
        self.n_modelled += len(part["modelled"])
        self.doc_ids.update(part["doc_ids"])
        for key in ("units_no_terms",):
            self.stats[key] += part[key]
        self.stats["_terms"] += part["terms"]
        self.stats["_word_tokens"] += part["word_tokens"]

    def _flush(self) -> None:
        if not self._rows:
            return
        indptr = np.cumsum([0] + [len(i) for i, _ in self._rows], dtype=np.int64)
        with open(self.folder / DTM_DIR / f"part-{self.parts:05d}.npy", "wb") as fh:
            np.save(fh, indptr)
            np.save(fh, np.concatenate([i for i, _ in self._rows]).astype(np.int32, copy=False))
            np.save(fh, np.concatenate([d for _, d in self._rows]).astype(np.int32, copy=False))
        self.parts += 1
        self._rows = []

    def __enter__(self) -> "CorpusWriter":
        return self

    def __exit__(self, *exc) -> None:
        self._flush()
        for fh in self._files:
            fh.close()
        self.stats["units_modelled"] = self.n_modelled
        self.stats["_documents"] = len(self.doc_ids)


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

    def merge(self, other: "DictionaryCounts") -> None:
        """Add the counts of the units that follow these (another part of the stream): the same ids,
        frequencies and totals as counting both parts in one, as long as neither was pruned."""
        token2id = self.token2id
        for w in other.token2id:  # in id order: the order of first appearance
            if w not in token2id:
                token2id[w] = len(token2id)
        self.dfs.update(other.dfs)
        self.cfs.update(other.cfs)
        self.num_docs += other.num_docs
        self.num_pos += other.num_pos
        self.num_nnz += other.num_nnz

    @property
    def pruned(self) -> bool:
        """Would counting these units in one stream have pruned the vocabulary (checked before each unit)?"""
        return self.prune_at is not None and len(self.token2id) > self.prune_at

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
        """Re-iterable gensim bag-of-words vectors, one per unit, in units.csv order, read from the
        document-term matrix one part at a time (the same vectors doc2bow gives of tokens.txt)."""
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
        parts = sorted((self.corpus.folder / DTM_DIR).glob("part-*.npy"))
        if not parts:  # a corpus prepared before the matrix was kept
            d = self.corpus.dictionary
            for tokens in self.corpus.texts():
                yield d.doc2bow(tokens)
            return
        for path in parts:  # one part of the matrix in memory at a time
            indptr, indices, data = read_dtm_part(path)
            ids, counts = indices.tolist(), data.tolist()
            for a, b in zip(indptr[:-1].tolist(), indptr[1:].tolist()):
                yield list(zip(ids[a:b], counts[a:b]))


def read_dtm_part(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indptr, indices, data) of one part of the document-term matrix (CorpusWriter._flush)."""
    with open(path, "rb") as fh:
        return np.load(fh), np.load(fh), np.load(fh)


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
