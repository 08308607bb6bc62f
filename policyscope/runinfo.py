"""run.json: what produced an output folder, so a result can be reproduced and checked.

    write_run_json(folder, parameters={...}, store=store, lexicon=lexicon, seeds={"bootstrap": 0})

records the package version, the command line, a UTC timestamp, Python and library versions, the
corpus (store path, corpus hash, every document's id and sha256 — the input file hashes), the
lexicon (name, version, file, sha256), the parameters and seeds, and the sha256 of every file
already in the folder (write run.json last). Used by track, topics and dashboards alike.
"""
from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

from policyscope import __version__

LIBRARIES = ("spacy", "spacy-lookups-data", "numpy", "pandas", "scipy", "scikit-learn", "ruptures", "plotly",
             "pyyaml", "click", "gensim", "tomotopy", "pypdfium2", "pdfplumber")
RUN_JSON = "run.json"


def library_versions(names=LIBRARIES) -> dict:
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def store_info(store) -> dict:
    docs = store.conn.execute("SELECT doc_id, sha256, path, date, duplicate_of FROM documents ORDER BY doc_id").fetchall()
    return {"path": str(store.path), "corpus_hash": store.corpus_hash(), "n_documents": len(docs),
            "documents": [{"doc_id": d[0], "sha256": d[1], "path": d[2], "date": d[3], "duplicate_of": d[4]}
                          for d in docs]}


def lexicon_info(lexicon) -> dict:
    if lexicon is None:
        return {}
    if isinstance(lexicon, dict):
        return lexicon
    fn = getattr(lexicon, "run_info", None)
    if callable(fn):
        return fn()
    return {"name": getattr(lexicon, "name", str(lexicon)), "version": getattr(lexicon, "version", None)}


def _jsonable(v):
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, Path):
        return str(v)
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [_jsonable(x) for x in v]
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return str(v)


def write_run_json(folder: str | Path, *, parameters: dict, store=None, lexicon=None, seeds: dict | None = None,
                   extra: dict | None = None) -> Path:
    """Write FOLDER/run.json and return its path. Call it after the folder's other outputs are written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    outputs = {p.name: file_sha256(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name != RUN_JSON}
    info = {
        "tool": "policyscope",
        "version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": " ".join(["policyscope"] + sys.argv[1:]) if Path(sys.argv[0]).name.startswith("policyscope")
        else " ".join(sys.argv),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "libraries": library_versions(),
        "parameters": _jsonable(parameters),
        "seeds": _jsonable(seeds or {}),
        "lexicon": _jsonable(lexicon_info(lexicon)),
        "corpus": store_info(store) if store is not None else {},
        "outputs": outputs,
    }
    if extra:
        info.update(_jsonable(extra))
    path = folder / RUN_JSON
    path.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_run_json(folder: str | Path) -> dict:
    return json.loads((Path(folder) / RUN_JSON).read_text(encoding="utf-8"))
