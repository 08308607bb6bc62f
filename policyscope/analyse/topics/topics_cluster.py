"""Topic corpus preparation on a Dask cluster; the fit itself stays on the client.

Step 1 of prepare_corpus (units from the store, their lemmas, spelling) runs on the workers, a
partition of whole documents per task, read from the store by its path (a shared filesystem); the
lines come back in store order through distributed/stream.ordered_map, so the prepared corpus is
the one a local run prepares, file for file. Phrase learning, the dictionary and the fit then stream
from the corpus files on the client: none of the backends distributes over Dask (docs/scale.md).
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from policyscope.analyse.topics.corpus import PreparedCorpus, prepare_corpus, unit_lines
from policyscope.analyse.topics.settings import CorpusSettings
from policyscope.store import Store

SENTENCES_PER_PARTITION = 20_000


def unit_lines_partition(doc_ids: list[str], db: str, settings: CorpusSettings) -> list[tuple[str, list]]:
    """On a worker: the unit lines of these documents."""
    with Store(db, create=False) as store:
        return list(unit_lines(store, settings, doc_ids))


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
    """prepare_corpus with its store pass on the cluster `scheduler` names; also returns run.json's engine entry."""
    from policyscope.distributed.cluster import connect, engine_info, worker_threads
    from policyscope.distributed.spec import ClusterSpec
    from policyscope.distributed.stream import ordered_map
    spec = ClusterSpec.parse(scheduler)
    db = str(Path(store.path).resolve())
    with connect(spec, needs=("gensim", "spacy"), paths=[db]) as client:
        parts = ordered_map(client, unit_lines_partition, document_groups(store, per_partition),
                            shared=(db, settings), window=2 * worker_threads(client), what="corpus partition")
        lines = (pair for part in parts for pair in part)
        return prepare_corpus(store, settings, folder, lines=lines), engine_info(spec, client)
