"""Hand-coded sentence labels: read, check, and (for rows stored as references) rebuild their text.

A labels file is a CSV with one row per coded sentence: `item_id`, one 0/1 column per concept
(e.g. `personalisation`, `integration`), `borderline` and `note`, and either the sentence itself
(`text`, optionally `before` and `after`, its neighbours) or a reference to where it stands:
`source` (the file, relative to a corpus root such as ../shared/corpus), `doc_sha256`, `doc_id`,
`page`, `char_start`, `char_end` (into the page's cleaned text) and `text_sha1`/`norm_sha1` to
check the span. Documents that may not be redistributed are kept as references only; their text is
rebuilt by ingesting the referenced file (found under the corpus roots and checked by its sha256)
into a cache store and cutting the span out of the page again.

Every sentence's CV group is its document (`doc_id`): grouped cross-validation never puts two
sentences of one document on different sides of a split.
"""
from __future__ import annotations

import csv
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from policyscope.errors import LabelsError, LabelSpanMismatch

REFERENCE_COLUMNS = ["source", "doc_sha256", "doc_id", "row", "page", "char_start", "char_end", "text_sha1",
                     "norm_sha1", "sentence_id"]
DESIGN_COLUMNS = ["date", "doc_type", "source_group", "stratum", "population", "drawn", "weight", "round", "seed",
                  "coder"]
TEXT_COLUMNS = ["text", "before", "after"]
LABEL_COLUMNS = ["borderline", "note"]


def norm_text(text: str) -> str:
    """Letters and digits only, lower-cased: survives re-spacing and hyphen repairs."""
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass
class LabelSet:
    """Coded sentences with their text and neighbours; `frame` has item_id, group, text, before, after,
    one int column per concept, borderline, weight, stratum, source_group, date, doc_type."""

    frame: pd.DataFrame
    concepts: list[str]
    files: list[dict]  # {"path", "sha256", "n_rows"}
    skipped: list[str] = field(default_factory=list)  # why rows were left out (missing documents ...)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def groups(self) -> np.ndarray:
        return self.frame["group"].to_numpy()

    def y(self, concept: str, *, borderline: bool = True) -> np.ndarray:
        return self.frame[concept].to_numpy(int)

    def fingerprint(self) -> str:
        """sha256 over the labelled rows that were used (item id, labels, text): the training-set hash."""
        h = hashlib.sha256()
        cols = ["item_id", *self.concepts, "borderline", "text", "before", "after"]
        for row in self.frame[cols].itertuples(index=False):
            h.update("\x1f".join(str(v) for v in row).encode("utf-8"))
            h.update(b"\x1e")
        return h.hexdigest()


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise LabelsError("labels file not found", path=str(path))
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise LabelsError(f"not a readable CSV file: {exc}", path=str(path)) from exc
    if df.empty:
        raise LabelsError("the labels file has no rows", path=str(path),
                          hint="code some sentences first (docs/tracking.md, 'Coding your own sample')")
    return df


def check_columns(df: pd.DataFrame, concepts: list[str], path: str) -> None:
    allowed = {"item_id", *concepts, *LABEL_COLUMNS, *TEXT_COLUMNS, *REFERENCE_COLUMNS, *DESIGN_COLUMNS}
    unknown = [c for c in df.columns if c not in allowed]
    if unknown:
        raise LabelsError(f"unknown column(s) {', '.join(unknown)}", path=path,
                          hint=f"a labels file has item_id, {', '.join(concepts)}, borderline, note and either text "
                               f"(before, after) or a reference ({', '.join(REFERENCE_COLUMNS[:7])}); "
                               f"design columns: {', '.join(DESIGN_COLUMNS)}")
    missing = [c for c in ["item_id", *concepts] if c not in df.columns]
    if missing:
        raise LabelsError(f"missing column(s) {', '.join(missing)}", path=path,
                          hint="one 0/1 column per concept of the detector")
    if "text" not in df.columns and not {"source", "page", "char_start", "char_end"} <= set(df.columns):
        raise LabelsError("rows need either a text column or a reference (source, page, char_start, char_end)",
                          path=path)
    dup = df["item_id"][df["item_id"].duplicated()].tolist()
    if dup:
        raise LabelsError(f"duplicate item_id(s): {', '.join(dup[:5])}", path=path)
    for c in [*concepts, "borderline"]:
        if c not in df.columns:
            continue
        bad = df.loc[~df[c].isin(["0", "1"] if c in concepts else ["0", "1", ""]), "item_id"].tolist()
        if bad:
            raise LabelsError(f"column {c} must be 0 or 1; not so for item(s) {', '.join(bad[:5])}", path=path)


def default_roots() -> list[Path]:
    """Where referenced documents are looked for: $POLICYSCOPE_CORPUS_ROOTS (os.pathsep-separated), then
    ../shared/corpus beside the repository and the repository itself (seed texts live in corpus/)."""
    from policyscope.analyse.lexicon import REPO_ROOT
    roots = [Path(p) for p in os.environ.get("POLICYSCOPE_CORPUS_ROOTS", "").split(os.pathsep) if p]
    return roots + [REPO_ROOT.parent / "shared" / "corpus", REPO_ROOT]


def read_labels(paths, concepts: list[str], *, roots: list[Path] | None = None, skip_missing: bool = False,
                cache_dir: Path | None = None) -> LabelSet:
    """Read one or more labels files; rebuild referenced texts. Raises LabelsError / LabelSpanMismatch."""
    frames, files, skipped = [], [], []
    for p in [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]:
        df = _read_csv(p)
        check_columns(df, concepts, str(p))
        df = df.copy()
        df["_file"] = str(p)
        frames.append(df)
        files.append({"path": str(p), "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "n_rows": len(df)})
    df = pd.concat(frames, ignore_index=True).fillna("")
    dup = df["item_id"][df["item_id"].duplicated()].tolist()
    if dup:
        raise LabelsError(f"item_id(s) in more than one labels file: {', '.join(dup[:5])}", path=files[0]["path"])
    for c in [*TEXT_COLUMNS, *REFERENCE_COLUMNS, *DESIGN_COLUMNS, "borderline", "note"]:
        if c not in df.columns:
            df[c] = ""
    need = df["text"] == ""
    if need.any():
        found, why = resolve_references(df[need], roots or default_roots(), cache_dir=cache_dir)
        for idx, (text, before, after) in found.items():
            df.at[idx, "text"], df.at[idx, "before"], df.at[idx, "after"] = text, before, after
        missing = [i for i in df.index[need] if i not in found]
        if missing:
            if not skip_missing:
                first = why[missing[0]]
                raise LabelSpanMismatch(f"{len(missing)} labelled row(s) cannot be rebuilt; first: item "
                                        f"{df.at[missing[0], 'item_id']}: {first}",
                                        path=df.at[missing[0], "_file"],
                                        hint="pass the folder that holds the documents with --corpus-root, or "
                                             "--skip-missing to leave those rows out")
            for i in missing:
                skipped.append(f"{df.at[i, 'item_id']}: {why[i]}")
            df = df.drop(index=missing)
    if df.empty:
        raise LabelsError("no labelled rows left to use" + (f" ({skipped[0]} ...)" if skipped else ""),
                          path=files[0]["path"])
    out = pd.DataFrame({
        "item_id": df["item_id"],
        "group": [d if d else f"item:{i}" for d, i in zip(df["doc_id"], df["item_id"])],
        "text": df["text"], "before": df["before"], "after": df["after"],
        **{c: df[c].astype(int) for c in concepts},
        "borderline": df["borderline"].replace("", "0").astype(int),
        "weight": pd.to_numeric(df["weight"].replace("", "1"), errors="coerce").fillna(1.0),
        "stratum": df["stratum"], "source_group": df["source_group"], "date": df["date"], "doc_type": df["doc_type"],
        "round": df["round"], "doc_sha256": df["doc_sha256"],
    }).reset_index(drop=True)
    return LabelSet(frame=out, concepts=list(concepts), files=files, skipped=skipped)


# ------------------------------------------------------------------------------------------------
# rebuilding referenced texts


def _find_file(source: str, sha256: str, roots: list[Path]) -> Path | None:
    from policyscope.runinfo import file_sha256
    for root in roots:
        cand = root / source
        if cand.is_file() and (not sha256 or file_sha256(cand) == sha256):
            return cand
    return None


def resolve_references(rows: pd.DataFrame, roots: list[Path], *, cache_dir: Path | None = None):
    """{row index: (text, before, after)} for the rows whose span could be found, and {row index: reason}."""
    from policyscope.ingest import IngestOptions, ingest_paths
    from policyscope.store import Store
    why: dict = {}
    files: dict[str, Path] = {}
    for idx, r in rows.iterrows():
        key = r["source"]
        if key not in files:
            f = _find_file(key, r["doc_sha256"], roots)
            if f is not None:
                files[key] = f
        if key not in files:
            why[idx] = (f"document {key} (sha256 {r['doc_sha256'][:12]}...) not found under "
                        + ", ".join(str(x) for x in roots))
    found: dict = {}
    if not files:
        return found, why
    cache_dir = Path(cache_dir or os.environ.get("POLICYSCOPE_CACHE") or Path.home() / ".cache" / "policyscope")
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256((extraction_fingerprint() + "|" + "|".join(sorted(str(p.resolve()) for p in files.values())))
                         .encode()).hexdigest()[:16]
    db = cache_dir / f"labels-{key}.db"
    store = Store(db)
    try:
        plain = [str(p) for p in files.values() if p.suffix.lower() not in (".csv", ".tsv", ".jsonl", ".ndjson")]
        tabular = [str(p) for p in files.values() if str(p) not in plain]
        if plain:
            ingest_paths(plain, db, options=IngestOptions(jobs=1), store=store, progress=False)
        for t in tabular:
            ingest_paths([t], db, options=IngestOptions(jobs=1, text_column="text"), store=store, progress=False)
        body: dict[str, list] = {}
        for idx, r in rows.iterrows():
            if idx in why:
                continue
            doc_id = r["doc_id"] or r["doc_sha256"][:12]
            if doc_id not in body:
                body[doc_id] = store.conn.execute(
                    "SELECT page_no, char_start, char_end, text FROM sentences WHERE doc_id = ? AND section = 'body' "
                    "ORDER BY seq", (doc_id,)).fetchall()
            sents = body[doc_id]
            if not sents:
                why[idx] = f"document {r['source']} has no stored body sentences for doc_id {doc_id}"
                continue
            k = _locate(sents, r)
            if k is None:
                why[idx] = (f"the span {r['source']} page {r['page']} [{r['char_start']}:{r['char_end']}] no longer "
                            f"matches the coded sentence (text_sha1 {r['text_sha1'][:10]}...)")
                continue
            found[idx] = (sents[k][3], sents[k - 1][3] if k > 0 else "",
                          sents[k + 1][3] if k + 1 < len(sents) else "")
    finally:
        store.close()
    return found, why


def extraction_fingerprint() -> str:
    """The version and the source of the code that turns a file into sentences (ingest/, segment, nlp, store): a
    cached store of referenced documents is reused only while that code is unchanged."""
    import policyscope
    from policyscope import __version__
    root = Path(policyscope.__file__).parent
    h = hashlib.sha256(__version__.encode())
    for p in sorted([*root.glob("ingest/**/*.py"), root / "segment.py", root / "nlp.py", root / "store.py"]):
        h.update(p.read_bytes())
    return h.hexdigest()


def _locate(sents: list, r) -> int | None:
    """The coded sentence: the same page and span with the same text; else the same text anywhere in the
    document; else the same letters and digits (a changed clean-up may have re-spaced or repaired it)."""
    page, a, b = int(r["page"] or 0), int(r["char_start"] or -1), int(r["char_end"] or -1)
    want = r["text_sha1"]
    for k, s in enumerate(sents):
        if s[0] == page and s[1] == a and s[2] == b and (not want or sha1(s[3]) == want):
            return k
    if want:
        for k, s in enumerate(sents):
            if sha1(s[3]) == want:
                return k
    norm = r["norm_sha1"]
    if norm:
        for k, s in enumerate(sents):
            if sha1(norm_text(s[3])) == norm:
                return k
    return None
