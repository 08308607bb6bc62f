"""`track` on a Dask cluster: the store's sentences go to the workers in partitions of whole
documents, each partition is tagged there by `tag_partition`, and the hits come back to the
ordinary `run_track`, which counts and writes exactly what it writes on one machine.

Partitions hold whole documents in document order (doc_id, then sentence seq), never a document
split across two, so a tagger that looks at a sentence's neighbours sees them. Every partition goes
through `tag_partition`, which calls the same code as the local scan (track.tag_rows): swapping the
tagger is one change there.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from policyscope.analyse.lexicon import Lexicon
from policyscope.analyse.matcher import Matcher
from policyscope.analyse.track import (Tagged, TrackOptions, TrackResult, as_detector, run_track, tag_columns,
                                      tag_rows)
from policyscope.distributed.cluster import connect, engine_info, worker_threads
from policyscope.distributed.spec import ClusterSpec
from policyscope.distributed.stream import ordered_map

PARTITION_ROWS = 20_000  # sentences per partition (whole documents: a long one makes a larger partition)
TRACK_MODULES = ("pandas", "numpy")


@dataclass(frozen=True)
class TaggerRecipe:
    """How a worker builds the run's detector. A compiled Matcher does not survive pickling (its case checks
    are keyed by object id), so workers build their own, once per run (`token`); a trained detector travels
    as its fitted numbers (no shared filesystem needed for the model folder)."""

    lexicon: Lexicon
    concepts: tuple[str, ...] | None
    backend: str = "lexicon"
    trained: tuple | None = None  # (folder, info, classifiers) of a model/hybrid detector
    token: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def of(cls, tagger) -> "TaggerRecipe":
        det = as_detector(tagger)
        trained = (det.folder, det.info, det.classifiers) if det.backend in ("model", "hybrid") else None
        return cls(det.lexicon, tuple(det.concepts), det.backend, trained)

    def build(self):
        tagger = _TAGGERS.get(self.token)
        if tagger is None:
            _TAGGERS.clear()  # one run's tagger at a time per worker
            tagger = _TAGGERS[self.token] = self._make()
        return tagger

    def _make(self):
        concepts = list(self.concepts or ()) or None
        matcher = Matcher(self.lexicon, concepts=concepts)
        if self.backend == "keyword":
            from policyscope.analyse.detect.keyword import KeywordDetector
            return KeywordDetector(self.lexicon, concepts)
        if self.backend == "lexicon":
            from policyscope.analyse.detect.rules import LexiconDetector
            return LexiconDetector(self.lexicon, concepts, matcher=matcher)
        from policyscope.analyse.detect.trained import TrainedDetector
        folder, info, classifiers = self.trained
        det = TrainedDetector(folder, self.backend, self.lexicon, info, classifiers, matcher=matcher)
        det.concepts = [c for c in det.concepts if not concepts or c in concepts]
        return det


_TAGGERS: dict[str, object] = {}


def tag_partition(rows: list[tuple], recipe: TaggerRecipe) -> tuple[list[dict], int, int]:
    """One partition tagged on a worker: (hits, sentences, tokens). rows as track.tag_columns()."""
    return tag_rows(rows, recipe.build()), len(rows), sum(r[3] for r in rows)


def document_partitions(store, sections, columns: str, doc_ids: set[str] | None,
                        rows_per_partition: int = PARTITION_ROWS) -> Iterator[list[tuple]]:
    """The chosen sections' sentences in document order, cut into partitions at document boundaries
    only; column 1 must be s.doc_id."""
    sections = list(sections)
    cur = store.conn.cursor()
    cur.row_factory = None
    cur.execute(f"SELECT {columns} FROM sentences s WHERE s.section IN ({','.join('?' * len(sections))}) "
                "ORDER BY s.doc_id, s.seq", sections)
    part: list[tuple] = []
    while True:
        rows = cur.fetchmany(4000)
        if not rows:
            break
        for r in rows:
            if doc_ids is not None and r[1] not in doc_ids:
                continue
            if len(part) >= rows_per_partition and r[1] != part[-1][1]:
                yield part
                part = []
            part.append(r)
    if part:
        yield part


class ClusterTagger:
    """tag_store's stand-in for run_track: the same Tagged, computed partition by partition on the cluster."""

    def __init__(self, client, rows_per_partition: int = PARTITION_ROWS):
        self.client, self.rows_per_partition = client, rows_per_partition

    def __call__(self, store, detector, sections, doc_ids: set[str] | None = None, batch_size: int = 4000) -> Tagged:
        t0 = time.perf_counter()
        shared = self.client.scatter(TaggerRecipe.of(detector), broadcast=True)  # sent once to each worker
        parts = document_partitions(store, sections, tag_columns(detector), doc_ids, self.rows_per_partition)
        hits: list[dict] = []
        n_sent = n_tok = 0
        for part_hits, n_s, n_t in ordered_map(self.client, tag_partition, parts, shared=(shared,),
                                               window=2 * worker_threads(self.client), what="tagging partition"):
            hits.extend(part_hits)
            n_sent += n_s
            n_tok += n_t
        return Tagged(hits=hits, n_sentences_scanned=n_sent, n_tokens_scanned=n_tok,
                      seconds=time.perf_counter() - t0)


def run_track_on_cluster(db: str | Path, out: str | Path, options: TrackOptions | None, scheduler: str, *,
                         rows_per_partition: int = PARTITION_ROWS) -> TrackResult:
    """run_track with the tagging on the cluster `scheduler` names (an address or local:N)."""
    spec = ClusterSpec.parse(scheduler)
    with connect(spec, needs=TRACK_MODULES) as client:
        return run_track(db, out, options, tagger=ClusterTagger(client, rows_per_partition),
                         run_extra={"engine": engine_info(spec, client)})
