"""Topic corpus preparation on a Dask cluster; the fit itself stays on the client.

Every step of prepare_corpus that reads units runs on the workers, a partition of whole documents per
task: the units and their lemmas from the store (read by its path: a shared filesystem), the phrase
candidates' counts (with --phrases), the terms of every unit and their vocabulary counts, and at the
end each unit's kept terms and the partition's document-term matrix. A partition's lemma lines and
terms stay in its worker's memory between the steps (Dask spills them to the worker's disk under
memory pressure); what comes to the client is counts the size of a vocabulary, added in partition
order (so they are the counts of one pass over the stream: the same ids, frequencies and phrases), and
at the end the partitions' outputs one at a time, written in order by the same CorpusWriter as a
local run. The prepared corpus is the one a local run prepares, file for file.

Only if the counts would have been pruned in one pass (a vocabulary past phrase_max_vocab or the
dictionary's prune_at, millions of distinct words) is the result of a pass order-dependent; then the
lemma lines come to the client in order and it prepares the corpus itself, as before.

The fit streams the document-term matrix part by part from the run folder (docs/scale.md says why no
backend here distributes over Dask).
"""
from __future__ import annotations


import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS

from policyscope.analyse.topics.corpus import (CorpusWriter, DictionaryCounts, PreparedCorpus, _write_documents,
                                               corpus_part, dictionary_prune_at, finish_stats, prepare_corpus,
                                               pruned_dictionary, unit_lines, unit_terms)
from policyscope.analyse.topics.phrases import PhraseApplier, count_phrase_vocab, phrases_from_vocab
from policyscope.analyse.topics.settings import CorpusSettings
from policyscope.analyse.topics.stopwords import build_stopwords
from policyscope.errors import TopicModelError
from policyscope.store import Store

SENTENCES_PER_PARTITION = 20_000


# --- on the workers ------------------------------------------------------------------------
def unit_lines_partition(doc_ids: list[str], db: str, settings: CorpusSettings) -> tuple[list[str], list[list]]:
    """The lemma lines and units.csv rows of these documents' units."""
    with Store(db, create=False) as store:
        pairs = list(unit_lines(store, settings, doc_ids))
    return [line for line, _ in pairs], [row for _, row in pairs]


def phrase_counts(part: tuple[list[str], list]) -> tuple[Counter, int]:
    vocab, total, _ = count_phrase_vocab((line.split() for line in part[0]), connector_words=ENGLISH_CONNECTOR_WORDS,
                                         max_vocab_size=None)
    return vocab, total


def apply_phraser(part: tuple[list[str], list], phraser) -> tuple[list[str], list]:
    apply = PhraseApplier([phraser])
    return [" ".join(apply(line.split())) for line in part[0]], part[1]


def partition_terms(part: tuple[list[str], list], settings: CorpusSettings, phraser) -> tuple[list, list, DictionaryCounts]:
    """Every unit's terms (the last phrase model applied, stopwords out) and their vocabulary counts."""
    terms_of = unit_terms(settings, phraser)
    counts = DictionaryCounts(prune_at=None)
    terms = []
    for line in part[0]:
        t = terms_of(line.split())
        counts.add(t)
        terms.append(t)
    return terms, part[1], counts


def terms_counts(part: tuple) -> DictionaryCounts:
    return part[2]


def partition_corpus(part: tuple, token2id: dict[str, int], min_unit_terms: int) -> dict:
    """The partition's kept terms, modelled and short units and document-term matrix (corpus.corpus_part)."""
    return corpus_part(list(zip(part[0], part[1])), token2id, min_unit_terms)


def n_units(part: tuple) -> int:
    return len(part[1])


# --- on the client -------------------------------------------------------------------------
def document_groups(store: Store, per_partition: int = SENTENCES_PER_PARTITION) -> Iterator[list[str]]:
    """doc_ids in doc_id order (the order units stream in), cut into groups of about per_partition sentences."""
    group: list[str] = []
    size = 0
    for doc_id, n in store.conn.execute("SELECT doc_id, n_sentences FROM documents ORDER BY doc_id"):
        if group and size + n > per_partition:
            yield group
            group, size = [], 0
        group.append(doc_id)
        size += n
    if group:
        yield group


def prepare_corpus_on_cluster(store: Store, settings: CorpusSettings, folder: str | Path, scheduler: str, *,
                              per_partition: int = SENTENCES_PER_PARTITION) -> tuple[PreparedCorpus, dict]:
    """prepare_corpus with its passes over the units on the cluster `scheduler` names; also returns
    run.json's engine entry (with `prepared_on`: "workers", or "client" after the fallback above)."""
    from policyscope.distributed.cluster import connect, engine_info
    from policyscope.distributed.spec import ClusterSpec
    spec = ClusterSpec.parse(scheduler)
    settings.validate()
    db = str(Path(store.path).resolve())
    with connect(spec, needs=("gensim", "spacy"), paths=[db]) as client:
        corpus = _on_workers(client, store, settings, Path(folder), db, per_partition)
        where = "workers"
        if corpus is None:
            corpus, where = _on_client(client, store, settings, folder, db, per_partition), "client"
        return corpus, engine_info(spec, client) | {"prepared_on": where}


def _in_order(client, fn, parts: list, *args) -> Iterator:
    """fn(part, *args) for every held partition, on the workers at once; the results in partition order,
    each released once read (the client holds one at a time)."""
    futures = [client.submit(fn, p, *args, pure=False, retries=2) for p in parts]
    for i, f in enumerate(futures):
        yield f.result()
        futures[i] = None
        f.release()


def _on_workers(client, store: Store, settings: CorpusSettings, folder: Path, db: str, per_partition: int):
    """The prepared corpus, or None when a pass over the whole stream would have pruned its counts."""
    folder.mkdir(parents=True, exist_ok=True)
    groups = list(document_groups(store, per_partition))
    parts = [client.submit(unit_lines_partition, g, db, settings, pure=False, retries=2) for g in groups]
    streamed = sum(_in_order(client, n_units, parts))
    if streamed == 0:
        raise TopicModelError("the store has no passages to model", path=str(store.path),
                              hint="ingest documents first, or check --sections / --include-duplicates")
    phrasers = []
    if settings.phrases:
        learn = dict(min_count=settings.phrase_min_count, threshold=settings.phrase_threshold,
                     max_vocab_size=settings.phrase_max_vocab, connector_words=ENGLISH_CONNECTOR_WORDS)
        for step in range(2 if settings.trigrams else 1):
            if step:  # the trigram counts are over the bigrammed lines
                bigrams = client.scatter(phrasers[0], broadcast=True)
                parts = [client.submit(apply_phraser, p, bigrams, pure=False, retries=2) for p in parts]
            vocab, total = Counter(), 0
            for v, n in _in_order(client, phrase_counts, parts):
                vocab.update(v)  # in partition order: the order of first appearance
                total += n
                if len(vocab) > settings.phrase_max_vocab:
                    return None
            phrasers.append(phrases_from_vocab(vocab, total, 1, **learn))
            del vocab
    last = client.scatter(phrasers[-1], broadcast=True) if phrasers else None
    terms = [client.submit(partition_terms, p, settings, last, pure=False, retries=2) for p in parts]
    del parts  # the scheduler keeps them until the terms are computed
    counts = DictionaryCounts(prune_at=dictionary_prune_at(settings))
    for part_counts in _in_order(client, terms_counts, terms):
        counts.merge(part_counts)
        if counts.pruned:
            return None
    dictionary = pruned_dictionary(counts, settings, store)
    del counts
    token2id = client.scatter(dictionary.token2id, broadcast=True)
    stats: dict = {"units_streamed": streamed, "units_empty": 0}
    with CorpusWriter(folder) as writer:
        for part in _in_order(client, partition_corpus, terms, token2id, settings.min_unit_terms):
            writer.add(part)
    if writer.n_modelled == 0:
        raise TopicModelError("no unit keeps enough terms to be modelled", path=str(store.path),
                              hint=f"lower min_unit_terms (now {settings.min_unit_terms}) or no_below")
    stats.update(writer.stats)
    dictionary.save_as_text(str(folder / "dictionary.txt"))
    for name, ph in zip(("bigrams", "trigrams"), phrasers):
        ph.save(str(folder / f"phrases_{name}.pkl"))
    _write_documents(store, writer.doc_ids, folder / "documents.csv")
    finish_stats(stats, dictionary, build_stopwords(settings.extra_stopwords))
    with open(folder / "stats.json", "w", encoding="utf-8") as fh:
        json.dump(stats, fh, indent=2)
    return PreparedCorpus(folder)


def _on_client(client, store: Store, settings: CorpusSettings, folder, db: str, per_partition: int):
    """The lemma lines from the workers in order (a bounded window), the rest of the passes here."""
    from policyscope.distributed.cluster import worker_threads
    from policyscope.distributed.stream import ordered_map

    def pairs():
        for lines, rows in ordered_map(client, unit_lines_partition, document_groups(store, per_partition),
                                       shared=(db, settings), window=2 * worker_threads(client),
                                       what="corpus partition"):
            yield from zip(lines, rows)
    return prepare_corpus(store, settings, folder, lines=pairs())



