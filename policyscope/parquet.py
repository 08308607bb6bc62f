"""The store as a partitioned Parquet dataset, for corpora past one SQLite writer (pyarrow, the `dask` extra).

    DIR/policyscope-parquet.json    format, version, partitions, row counts, corpus hash, hits' lexicon
    DIR/documents/part-00000.parquet   one row per document (+ its MinHash signature, `partition`, `doc_order`)
    DIR/pages/part-00000.parquet       pages of the same documents
    DIR/passages/part-00000.parquet
    DIR/sentences/part-00000.parquet   in document order (doc_id, seq)
    DIR/hits/part-00000.parquet        the export lexicon's hits in every section (concept, term, span...)

Partition k of every table holds the same documents, whole (a document is never split), in doc_id
order, about `rows_per_partition` sentences each: a worker reads one partition and sees every
sentence of its documents with its neighbours. pandas (`pd.read_parquet(DIR / "sentences")`),
DuckDB (`read_parquet('DIR/sentences/*.parquet')`) and dask.dataframe (`dd.read_parquet`) read the
folders directly. `import_parquet` writes a dataset back into a SQLite store, a partition per
transaction, so an interrupted import leaves whole documents and a rerun finishes it.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from policyscope import __version__
from policyscope.errors import OptionalDependencyMissing, ParquetDatasetError
from policyscope.model import IngestOutcome
from policyscope.store import Store

MANIFEST = "policyscope-parquet.json"
FORMAT_VERSION = 1
ROWS_PER_PARTITION = 50_000
DOCUMENT_COLUMNS = ("doc_id", "sha256", "path", "title", "authors", "publisher", "date", "year", "doc_type",
                    "source_url", "licence", "n_pages", "n_passages", "n_sentences", "n_tokens", "file_type",
                    "extractor", "date_source", "duplicate_of", "duplicate_similarity", "metadata", "ingested_at",
                    "policyscope_version")
TABLES = {  # table -> columns (the store's, plus what a partition reader needs)
    "documents": DOCUMENT_COLUMNS + ("n_shingles", "signature", "partition", "doc_order"),
    "pages": ("doc_id", "page_no", "raw_text", "text", "cleanup", "section", "section_spans"),
    "passages": ("passage_id", "doc_id", "page_no", "seq", "char_start", "char_end", "text", "section"),
    "sentences": ("sentence_id", "passage_id", "doc_id", "page_no", "seq", "char_start", "char_end", "text",
                  "n_tokens", "lemmas", "section"),
    "hits": ("doc_id", "sentence_id", "passage_id", "page_no", "section", "concept", "subconcept", "term",
             "char_start", "char_end", "matched", "lexicon", "lexicon_version"),
}
_INT = {"year", "n_pages", "n_passages", "n_sentences", "n_tokens", "page_no", "seq", "char_start", "char_end",
        "n_shingles", "partition", "doc_order"}
_FLOAT = {"duplicate_similarity"}
_BINARY = {"signature"}


def require_pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise OptionalDependencyMissing("Parquet datasets need pyarrow, which is not installed",
                                        hint="pip install 'policyscope[dask]'") from None
    return pyarrow


def schema(table: str):
    pa = require_pyarrow()
    cols = TABLES[table]
    return pa.schema([(c, pa.int64() if c in _INT else pa.float64() if c in _FLOAT else
                       pa.binary() if c in _BINARY else pa.string()) for c in cols])


def part_name(k: int) -> str:
    return f"part-{k:05d}.parquet"


# --- export ---------------------------------------------------------------------------------
def export_parquet(store: Store, folder: str | Path, *, tag: Callable[[list[tuple]], list[dict]] | None = None,
                   lexicon: tuple[str, str] | None = None, rows_per_partition: int = ROWS_PER_PARTITION) -> dict:
    """Write the store to `folder` as the dataset above; returns its manifest.

    tag: hits of rows (index, doc_id, text, n_tokens, lemmas), as analyse.track.tag_rows gives them, for
    the hits table (None: an empty one); lexicon: its (name, version)."""
    import pyarrow.parquet as pq
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()) and not (folder / MANIFEST).exists():
        raise ParquetDatasetError("the folder exists and is not a policyscope Parquet dataset; refusing to "
                                  "write into it", path=str(folder), hint="choose a new folder")
    name, version = lexicon or (None, None)
    groups = _partitions(store, rows_per_partition)
    order = {d["doc_id"]: i for i, d in enumerate(store.documents(include_duplicates=True))}
    for table in TABLES:
        (folder / table).mkdir(parents=True, exist_ok=True)
        for old in (folder / table).glob("part-*.parquet"):
            old.unlink()
    counts = dict.fromkeys(TABLES, 0)
    sigs = {r[0]: (r[1], r[2]) for r in store.conn.execute("SELECT doc_id, n_shingles, signature FROM doc_signatures")}
    for k, doc_ids in enumerate(groups):
        marks = ",".join("?" * len(doc_ids))
        tables: dict[str, list[dict]] = {}
        docs = []
        for d in store.conn.execute(f"SELECT * FROM documents WHERE doc_id IN ({marks}) ORDER BY doc_id", doc_ids):
            n_sh, sig = sigs.get(d["doc_id"], (None, None))
            docs.append({**{c: d[c] for c in DOCUMENT_COLUMNS}, "n_shingles": n_sh, "signature": sig,
                         "partition": k, "doc_order": order[d["doc_id"]]})
        tables["documents"] = docs
        for table in ("pages", "passages", "sentences"):
            key = "page_no" if table == "pages" else "seq"
            cols = TABLES[table]
            tables[table] = [dict(zip(cols, r)) for r in store.conn.execute(
                f"SELECT {', '.join(cols)} FROM {table} WHERE doc_id IN ({marks}) ORDER BY doc_id, {key}", doc_ids)]
        rows = [(i, s["doc_id"], s["text"], s["n_tokens"], s["lemmas"]) for i, s in enumerate(tables["sentences"])]
        found = tag(rows) if tag else []
        tables["hits"] = [_hit_row(h, tables["sentences"][h["rowid"]], name, version) for h in found]
        for table, rows_ in tables.items():
            pq.write_table(_arrow(table, rows_), folder / table / part_name(k))
            counts[table] += len(rows_)
    manifest = {"format": "policyscope-parquet", "version": FORMAT_VERSION, "policyscope_version": __version__,
                "partitions": len(groups), "rows_per_partition": rows_per_partition, "counts": counts,
                "corpus_hash": store.corpus_hash(), "source": str(store.path),
                "hits_lexicon": {"name": name, "version": version}}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _partitions(store: Store, rows_per_partition: int) -> list[list[str]]:
    """doc_ids in doc_id order, cut into groups of about rows_per_partition sentences, whole documents."""
    groups: list[list[str]] = [[]]
    size = 0
    for doc_id, n in store.conn.execute("SELECT doc_id, n_sentences FROM documents ORDER BY doc_id"):
        if groups[-1] and size + n > rows_per_partition:
            groups.append([])
            size = 0
        groups[-1].append(doc_id)
        size += n
    return [g for g in groups if g]


def _hit_row(h: dict, s: dict, name, version) -> dict:
    return {"doc_id": s["doc_id"], "sentence_id": s["sentence_id"], "passage_id": s["passage_id"],
            "page_no": s["page_no"], "section": s["section"], "concept": h["concept"], "subconcept": h["subconcept"],
            "term": h["term"], "char_start": h["char_start"], "char_end": h["char_end"], "matched": h["matched"],
            "lexicon": name, "lexicon_version": version}


def _arrow(table: str, rows: list[dict]):
    pa = require_pyarrow()
    sch = schema(table)
    return pa.Table.from_pylist(rows, schema=sch) if rows else sch.empty_table()


# --- reading --------------------------------------------------------------------------------
def open_dataset(folder: str | Path) -> dict:
    """The dataset's manifest; ParquetDatasetError for anything else."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.exists():
        raise ParquetDatasetError(f"not a policyscope Parquet dataset ({MANIFEST} missing)", path=str(folder),
                                  hint="write one with `policyscope store export --db FILE --parquet DIR`")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != "policyscope-parquet" or manifest.get("version") != FORMAT_VERSION:
        raise ParquetDatasetError(f"unsupported dataset format {manifest.get('format')} v{manifest.get('version')}",
                                  path=str(folder), hint=f"this policyscope reads version {FORMAT_VERSION}")
    return manifest


def read_partition(folder: str | Path, table: str, k: int, columns=None) -> list[dict]:
    import pyarrow.parquet as pq
    return pq.read_table(Path(folder) / table / part_name(k), columns=columns).to_pylist()


def documents_in_store_order(folder: str | Path, columns=None) -> list[dict]:
    """Every document row (small: one per document), in the order the SQLite store lists them."""
    import pyarrow.parquet as pq
    docs = pq.read_table(Path(folder) / "documents", columns=columns).to_pylist()
    return sorted(docs, key=lambda d: d["doc_order"])


# --- import ---------------------------------------------------------------------------------
def import_parquet(folder: str | Path, store: Store, *, run_id: str = "parquet-import") -> dict:
    """Write every document of the dataset into `store` (replacing ones with the same doc_id), one
    partition per transaction; returns the row counts written."""
    manifest = open_dataset(folder)
    require_pyarrow()
    counts = dict.fromkeys(("documents", "pages", "passages", "sentences"), 0)
    for k in range(manifest["partitions"]):
        parts = {t: read_partition(folder, t, k) for t in counts}
        ids = [d["doc_id"] for d in parts["documents"]]
        with store.transaction() as c:
            for doc_id in ids:
                for t in ("doc_signatures", "sentences", "passages", "pages", "documents"):
                    c.execute(f"DELETE FROM {t} WHERE doc_id=?", (doc_id,))
            c.executemany(f"INSERT INTO documents ({', '.join(DOCUMENT_COLUMNS)}) VALUES "
                          f"({','.join('?' * len(DOCUMENT_COLUMNS))})",
                          ([d[col] for col in DOCUMENT_COLUMNS] for d in parts["documents"]))
            c.executemany("INSERT INTO doc_signatures VALUES (?,?,?)",
                          ((d["doc_id"], d["n_shingles"], d["signature"]) for d in parts["documents"]
                           if d["signature"] is not None))
            for t in ("pages", "passages", "sentences"):
                cols = TABLES[t]
                c.executemany(f"INSERT INTO {t} ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                              ([r[col] for col in cols] for r in parts[t]))
            for doc_id in ids:
                c.execute("INSERT INTO sentences_fts(rowid, text) SELECT rowid, text FROM sentences WHERE doc_id=?",
                          (doc_id,))
        for d in parts["documents"]:
            store.log_outcome(run_id, IngestOutcome(d["path"], "ok", f"imported from {folder}", "", d["doc_id"],
                                                    d["n_pages"], d["n_sentences"], d["n_tokens"]))
        for t in counts:
            counts[t] += len(parts[t])
    return counts
