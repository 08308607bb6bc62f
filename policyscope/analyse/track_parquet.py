"""`track --parquet DIR`: the same outputs as `track --db`, computed partition by partition.

Each partition of the dataset (policyscope/parquet.py: whole documents, in document order) is read
where it is counted, on a cluster worker when a scheduler is named, else here one at a time: the
sentences are tagged by track_cluster.tag_partition and the per-document denominators (sentences,
tokens, passages in the counted sections) are summed there. Only hits and per-document counts come
back, so the client never holds the corpus's sentences; track.write_track then counts and writes
exactly what run_track writes for the same store.
"""
from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

from policyscope.analyse.scan import scope_of
from policyscope.analyse.track import Tagged, TrackOptions, TrackResult, no_documents, track_setup, write_track
from policyscope.analyse.track_cluster import TaggerRecipe, tag_partition
from policyscope.parquet import documents_in_store_order, open_dataset, read_partition

SENTENCE_COLUMNS = ["sentence_id", "passage_id", "doc_id", "page_no", "seq", "text", "n_tokens", "lemmas", "section"]
DOC_COLUMNS = ["doc_id", "sha256", "path", "title", "date", "year", "doc_type", "duplicate_of", "partition",
               "doc_order"]


def count_partition(folder: str, k: int, sections: tuple[str, ...], doc_ids: list[str], recipe: TaggerRecipe) -> dict:
    """On a worker: partition k's hits (with their sentence's provenance) and per-document denominators,
    for the documents `doc_ids` of that partition that can be in scope."""
    wanted, keep = set(doc_ids), set(sections)
    rows = [s for s in read_partition(folder, "sentences", k, columns=SENTENCE_COLUMNS)
            if s["section"] in keep and s["doc_id"] in wanted]
    counts: dict[str, list] = {}
    for s in rows:
        c = counts.setdefault(s["doc_id"], [0, 0, set()])
        c[0] += 1
        c[1] += s["n_tokens"]
        c[2].add(s["passage_id"])
    hits, n_sent, n_tok = tag_partition([(i, s["doc_id"], s["text"], s["n_tokens"], s["lemmas"])
                                         for i, s in enumerate(rows)], recipe)
    for h in hits:
        s = rows[h["rowid"]]
        h["meta"] = (s["sentence_id"], s["passage_id"], s["page_no"], s["section"], s["seq"])
    return {"counts": {d: (n, t, len(p)) for d, (n, t, p) in counts.items()}, "hits": hits,
            "n_sentences": n_sent, "n_tokens": n_tok}


def run_track_parquet(folder: str | Path, out: str | Path, options: TrackOptions | None = None, *,
                      scheduler: str | None = None) -> TrackResult:
    """track on a Parquet dataset, on the cluster `scheduler` names (address or local:N) or in this process."""
    opts = options or TrackOptions()
    setup = track_setup(opts)
    folder = str(Path(folder).resolve())
    manifest = open_dataset(folder)
    docs = documents_in_store_order(folder, columns=DOC_COLUMNS)
    by_partition: dict[int, list[str]] = defaultdict(list)
    for d in docs:  # what can be counted is known before counting: dated, not a duplicate, in a period
        if (d["duplicate_of"] and not opts.include_duplicates) or d["year"] is None:
            continue
        if setup.scheme.period(int(d["year"])) is not None:
            by_partition[d["partition"]].append(d["doc_id"])
    recipe = TaggerRecipe.of(setup.detector)
    args = [(folder, k, setup.sections, by_partition[k]) for k in range(manifest["partitions"]) if by_partition[k]]
    t0 = time.perf_counter()
    run_extra = {"source": {"parquet": folder, "partitions": manifest["partitions"]},
                 "corpus": _corpus_info(folder, manifest, docs)}
    if scheduler:
        results, engine = _on_cluster(scheduler, args, recipe, folder)
        run_extra["engine"] = engine
        return _finish(results, opts, setup, docs, out, t0, folder, run_extra)
    return _finish((count_partition(*a, recipe) for a in args), opts, setup, docs, out, t0, folder, run_extra)


def _on_cluster(scheduler: str, args: list[tuple], recipe: TaggerRecipe, folder: str):
    """Results of count_partition for every partition, consumed in order as they complete on the cluster."""
    from policyscope.distributed.cluster import connect, engine_info, worker_threads
    from policyscope.distributed.spec import ClusterSpec
    from policyscope.distributed.stream import ordered_map
    spec = ClusterSpec.parse(scheduler)

    def results():
        with connect(spec, needs=("pyarrow", "pandas"), paths=[folder]) as client:
            shared = client.scatter(recipe, broadcast=True)
            engine.update(engine_info(spec, client))
            yield from ordered_map(client, _count, args, shared=(shared,), window=2 * worker_threads(client),
                                   what="partition")
    engine: dict = {}
    return results(), engine


def _count(a: tuple, recipe: TaggerRecipe) -> dict:
    return count_partition(*a, recipe)


def _finish(results, opts: TrackOptions, setup, docs: list[dict], out, t0: float, folder: str,
            run_extra: dict) -> TrackResult:
    counts: dict[str, tuple] = {}
    hits: list[dict] = []
    meta: dict[int, tuple] = {}
    n_sent = n_tok = 0
    for r in results:
        counts.update(r["counts"])
        for h in r["hits"]:
            h["rowid"] = len(meta)  # a run-wide id for the hit's sentence provenance
            meta[h["rowid"]] = h.pop("meta")
            hits.append(h)
        n_sent += r["n_sentences"]
        n_tok += r["n_tokens"]
    scope = scope_of(docs, counts, setup.scheme, opts.include_duplicates)
    if scope.docs.empty:
        raise no_documents(scope, folder)
    tagged = Tagged(hits=hits, n_sentences_scanned=n_sent, n_tokens_scanned=n_tok, seconds=time.perf_counter() - t0)
    return write_track(out, opts, setup, scope, tagged, meta, time.perf_counter(), run_extra=run_extra)


def _corpus_info(folder: str, manifest: dict, docs: list[dict]) -> dict:
    """run.json's corpus entry, as runinfo.store_info gives it for a store."""
    rows = sorted(docs, key=lambda d: d["doc_id"])
    return {"path": folder, "corpus_hash": manifest["corpus_hash"], "n_documents": len(rows),
            "documents": [{"doc_id": d["doc_id"], "sha256": d["sha256"], "path": d["path"], "date": d["date"],
                           "duplicate_of": d["duplicate_of"]} for d in rows]}
