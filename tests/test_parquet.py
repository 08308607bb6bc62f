"""The Parquet dataset: export, import, readers, and track --parquet (here and on a LocalCluster), including
a corpus whose sentences do not fit the client's memory budget."""
from __future__ import annotations

import filecmp
import json
import logging
import sqlite3
import subprocess
import sys

import pytest

from conftest import REPO
from policyscope.analyse.track import TrackOptions, run_track

pa = pytest.importorskip("pyarrow", reason="Parquet needs pyarrow, in the dask extra: pip install 'policyscope[dask]'")

from policyscope.parquet import TABLES, export_parquet, import_parquet, open_dataset, schema  # noqa: E402
from policyscope.store import Store  # noqa: E402

OUTPUTS = ("concept_share.csv", "evidence.csv", "denominators.csv", "changepoints.csv")


def _export(db, folder, rows=300):
    from policyscope.analyse.lexicon import load_lexicon
    from policyscope.analyse.matcher import Matcher
    from policyscope.analyse.track import tag_rows
    lex = load_lexicon()
    m = Matcher(lex)
    with Store(db) as store:
        return export_parquet(store, folder, tag=lambda r: tag_rows(r, m), lexicon=(lex.name, lex.version),
                              rows_per_partition=rows)


@pytest.fixture(scope="module")
def dataset(demo_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pq") / "demo.parquet"
    manifest = _export(demo_db, folder)
    assert manifest["partitions"] >= 3  # small partitions: several, each of whole documents
    return folder


def test_partitions_hold_whole_documents_in_document_order(dataset, demo_db):
    import pandas as pd
    s = pd.read_parquet(dataset / "sentences")
    docs = pd.read_parquet(dataset / "documents")
    assert len(s) == sqlite3.connect(demo_db).execute("SELECT COUNT(*) FROM sentences").fetchone()[0]
    for k in range(open_dataset(dataset)["partitions"]):
        part = pd.read_parquet(dataset / "sentences" / f"part-{k:05d}.parquet")
        assert set(part["doc_id"]) == set(docs.loc[docs["partition"] == k, "doc_id"])
        assert list(zip(part["doc_id"], part["seq"])) == sorted(zip(part["doc_id"], part["seq"]))
    hits = pd.read_parquet(dataset / "hits")
    assert set(hits["concept"]) == {"personalisation", "integration"} and hits["lexicon"].iloc[0] == "social_care"


def test_dask_dataframe_reads_the_dataset(dataset):
    dd = pytest.importorskip("dask.dataframe", reason="the dask extra is not installed")
    sentences = dd.read_parquet(str(dataset / "sentences"))
    by_doc = sentences.groupby("doc_id")["n_tokens"].sum().compute()
    with_pandas = __import__("pandas").read_parquet(dataset / "sentences").groupby("doc_id")["n_tokens"].sum()
    assert by_doc.sort_index().equals(with_pandas.sort_index())


def test_import_gives_back_the_store(dataset, demo_db, tmp_path):
    db = tmp_path / "back.db"
    with Store(db) as store:
        import_parquet(dataset, store)
        import_parquet(dataset, store)  # again: documents are replaced, not doubled
    for table, key in (("documents", "doc_id"), ("pages", "doc_id, page_no"), ("passages", "passage_id"),
                       ("sentences", "sentence_id"), ("doc_signatures", "doc_id")):
        cols = "*" if table != "sentences" else ", ".join(TABLES["sentences"])
        q = f"SELECT {cols} FROM {table} ORDER BY {key}"
        assert sqlite3.connect(db).execute(q).fetchall() == sqlite3.connect(demo_db).execute(q).fetchall(), table
    q = "SELECT COUNT(*) FROM sentences_fts WHERE sentences_fts MATCH 'budget'"
    assert sqlite3.connect(db).execute(q).fetchone() == sqlite3.connect(demo_db).execute(q).fetchone()


def test_track_parquet_writes_what_track_db_writes(dataset, demo_db, tmp_path):
    from policyscope.analyse.track_parquet import run_track_parquet
    opts = TrackOptions(by="5y", by_doc_type=True, bootstrap=300)
    run_track(demo_db, tmp_path / "db", opts)
    run_track_parquet(dataset, tmp_path / "pq", opts)
    for name in OUTPUTS:
        assert filecmp.cmp(tmp_path / "db" / name, tmp_path / "pq" / name, shallow=False), name
    info = json.loads((tmp_path / "pq" / "run.json").read_text())
    assert info["corpus"]["corpus_hash"] == json.loads((tmp_path / "db" / "run.json").read_text())["corpus"]["corpus_hash"]


def test_not_a_dataset_is_a_clear_error(tmp_path):
    from policyscope.errors import ParquetDatasetError
    with pytest.raises(ParquetDatasetError, match="policyscope-parquet.json missing"):
        open_dataset(tmp_path)


# --- on a cluster, past the client's memory -------------------------------------------------
CLIENT = """
import json, sys
from policyscope.analyse.track import TrackOptions
from policyscope.analyse.track_parquet import run_track_parquet
# the lexicon's rules: the sentences were chosen so that they tag few (the client holds every hit)
run_track_parquet(sys.argv[1], sys.argv[2], TrackOptions(bootstrap=0, detector="lexicon"), scheduler=sys.argv[3])
peak = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')][0]
print(json.dumps({"peak_mb": peak / 1024}))
"""
BUDGET_MB = 60  # what the client may grow by between a 1-partition and the big dataset


def _synthetic(demo_db, folder, copies: int, docs_per_partition: int) -> int:
    """A dataset of `copies` documents made of the demo corpus's real sentences (those without a hit, and one
    with: the client holds every hit, so they stay few), each copy its own doc_id; returns the characters of
    sentence text and lemmas it holds."""
    import pyarrow.parquet as pq
    con = sqlite3.connect(demo_db)
    con.row_factory = sqlite3.Row
    doc = dict(con.execute("SELECT * FROM documents ORDER BY doc_id LIMIT 1").fetchone())
    sents = [dict(r) for r in con.execute("SELECT * FROM sentences WHERE section='body' ORDER BY doc_id, seq")]
    from policyscope.analyse.lexicon import load_lexicon
    from policyscope.analyse.matcher import Matcher
    tagged = {h.i for h in Matcher(load_lexicon()).tag_batch([s["text"] for s in sents], [s["lemmas"] for s in sents])}
    quiet = [s for i, s in enumerate(sents) if i not in tagged]
    loud = next(s for i, s in enumerate(sents) if i in tagged)
    body = quiet + [loud]
    for t in ("documents", "sentences", "pages", "passages", "hits"):
        (folder / t).mkdir(parents=True)
    chars = 0
    n_parts = (copies + docs_per_partition - 1) // docs_per_partition
    for k in range(n_parts):
        docs, rows = [], []
        for c in range(k * docs_per_partition, min(copies, (k + 1) * docs_per_partition)):
            doc_id = f"{c:012x}"
            docs.append({**{col: doc.get(col) for col in TABLES["documents"]}, "doc_id": doc_id, "sha256": doc_id * 5,
                         "date": f"{2000 + c % 20}", "year": 2000 + c % 20, "duplicate_of": None, "partition": k,
                         "doc_order": c, "n_shingles": None, "signature": None})
            for i, s in enumerate(body):
                rows.append({**{col: s[col] for col in TABLES["sentences"]}, "doc_id": doc_id, "seq": i,
                             "sentence_id": f"{doc_id}:p{s['page_no']:03d}:s{i:05d}",
                             "passage_id": f"{doc_id}:p001:g{i // 4:05d}"})
                chars += len(s["text"]) + len(s["lemmas"])
        for t, data in (("documents", docs), ("sentences", rows)):
            pq.write_table(pa.Table.from_pylist(data, schema=schema(t)), folder / t / f"part-{k:05d}.parquet")
        for t in ("pages", "passages", "hits"):
            pq.write_table(schema(t).empty_table(), folder / t / f"part-{k:05d}.parquet")
    (folder / "policyscope-parquet.json").write_text(json.dumps(
        {"format": "policyscope-parquet", "version": 1, "partitions": n_parts, "corpus_hash": "synthetic",
         "counts": {}}))
    return chars


@pytest.mark.slow
def test_a_corpus_larger_than_the_client_memory_budget_is_tracked_on_the_cluster(demo_db, tmp_path):
    pytest.importorskip("distributed", reason="the dask extra is not installed: pip install 'policyscope[dask]'")
    from distributed import Client, LocalCluster
    small, big = tmp_path / "small", tmp_path / "big"
    _synthetic(demo_db, small, copies=20, docs_per_partition=20)
    chars = _synthetic(demo_db, big, copies=2000, docs_per_partition=100)
    # Held by the client as Python strings the sentences would take at least their characters in bytes.
    assert chars / 2**20 > 3 * BUDGET_MB
    peaks = {}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster):
        for name, folder in (("small", small), ("big", big)):
            out = subprocess.run([sys.executable, "-c", CLIENT, str(folder), str(tmp_path / f"out_{name}"),
                                  cluster.scheduler_address], cwd=REPO, capture_output=True, text=True)
            assert out.returncode == 0, out.stderr[-3000:]
            peaks[name] = json.loads(out.stdout.strip().splitlines()[-1])["peak_mb"]
    assert peaks["big"] - peaks["small"] < BUDGET_MB, peaks
    import pandas as pd
    denominators = pd.read_csv(tmp_path / "out_big" / "denominators.csv")
    assert len(denominators) == 2000 and denominators["n_sentences"].sum() > 500_000
    evidence = pd.read_csv(tmp_path / "out_big" / "evidence.csv")
    assert evidence["doc_id"].nunique() == 2000  # the one loud sentence of every copy
