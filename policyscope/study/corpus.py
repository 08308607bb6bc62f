"""The study's corpus: which files of each source are read (and why others are not), their ingest into
the study's store, and each document's source type.

    plan = plan_corpus(spec.sources)      # one PlannedFile per file found, included or not, with the reason
    ingest_plan(plan, db)                 # the ordinary ingest, one batch per source (idempotent: reruns skip)
    types = source_types(store, plan, spec)   # doc_id -> (source_type, group)
"""
from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from policyscope.errors import StudyError
from policyscope.study.spec import Source, StudySpec

PLAN_COLUMNS = ["file", "source", "included", "reason", "title", "date", "doc_type", "licence", "source_type"]


@dataclass
class PlannedFile:
    path: Path
    source: Source
    included: bool
    reason: str = ""
    manifest_row: dict = field(default_factory=dict)


@dataclass
class CorpusPlan:
    files: list[PlannedFile]
    absent: list[Source]  # optional sources that are not on this machine

    def included(self, source: Source) -> list[Path]:
        return [f.path for f in self.files if f.source is source and f.included]

    def table(self) -> pd.DataFrame:
        rows = [{"file": _shown(f.path), "source": _shown(f.source.path), "included": f.included, "reason": f.reason,
                 "title": f.manifest_row.get("title", ""), "date": f.manifest_row.get("date", ""),
                 "doc_type": f.manifest_row.get("doc_type", ""), "licence": f.manifest_row.get("licence", ""),
                 "source_type": f.manifest_row.get("source_type", "") or (f.source.source_type or "")}
                for f in self.files]
        rows += [{"file": "", "source": _shown(s.path), "included": False,
                  "reason": "source absent on this machine (optional): skipped", "title": "", "date": "",
                  "doc_type": "", "licence": "", "source_type": ""} for s in self.absent]
        return pd.DataFrame(rows, columns=PLAN_COLUMNS)


def _shown(p: Path) -> str:
    from policyscope.study.spec import REPO_ROOT
    try:
        return str(Path(p).resolve().relative_to(REPO_ROOT.resolve()))
    except ValueError:
        try:
            return "../" + str(Path(p).resolve().relative_to(REPO_ROOT.resolve().parent))
        except ValueError:
            return str(p)


def source_manifest(source: Source) -> Path | None:
    from policyscope.ingest.discover import MANIFEST_NAMES
    if source.manifest is not None:
        return source.manifest
    folder = source.path if source.path.is_dir() else source.path.parent
    for name in sorted(MANIFEST_NAMES):
        if (folder / name).is_file():
            return folder / name
    return None


def plan_corpus(sources) -> CorpusPlan:
    """Every file of every source, included unless the source's include/exclude patterns leave it out.
    A required source that is missing is an error; an optional one is listed as absent."""
    from policyscope.ingest.discover import discover
    from policyscope.ingest.metadata import read_manifest
    files, absent, seen = [], [], {}  # seen: resolved path -> index in files
    for source in sources:
        if not source.path.exists():
            if source.optional:
                absent.append(source)
                continue
            raise StudyError("no such file or folder in the study's sources", path=str(source.path),
                             hint="fix the path in the study file or on the command line")
        manifest = source_manifest(source)
        rows = read_manifest(manifest) if manifest else {}
        for path in discover([str(source.path)]):
            key = path.resolve()
            if key in seen and (files[seen[key]].included or path != source.path):
                continue  # the first source to read a file owns it; a source naming the file itself takes it
            name = path.name
            row = rows.get(name, {})
            if source.include and not any(fnmatch.fnmatch(name, g) for g in source.include):
                planned = PlannedFile(path, source, False, "not matched by the source's include patterns "
                                      f"({', '.join(source.include)})", row)
            elif any(fnmatch.fnmatch(name, g) for g in source.exclude):
                planned = PlannedFile(path, source, False, source.exclude_reason or "excluded by the source's "
                                      "exclude patterns", row)
            else:
                planned = PlannedFile(path, source, True, "" if row or not manifest else
                                      "no manifest row: date and type from the file itself", row)
            if key in seen:
                files[seen[key]] = planned
            else:
                seen[key] = len(files)
                files.append(planned)
    if not any(f.included for f in files):
        raise StudyError("the study's sources hold no documents to read",
                         path=", ".join(str(s.path) for s in sources),
                         hint="add a folder of documents with a manifest.csv (docs/study.md)")
    return CorpusPlan(files, absent)


def ingest_plan(plan: CorpusPlan, db: Path, *, jobs: int | None = None, progress: bool = False) -> list:
    """Ingest every included file, one batch per source (its manifest, its table columns). Files already in
    the store are skipped; a file that cannot be read is that file's failed outcome, and the rest go on."""
    from policyscope.ingest.options import IngestOptions
    from policyscope.ingest.pipeline import ingest_paths
    outcomes = []
    sources = []
    for f in plan.files:
        if f.included and f.source not in sources:
            sources.append(f.source)
    for source in sources:
        paths = [str(p) for p in plan.included(source)]
        opts = IngestOptions(jobs=jobs)
        for key in ("text_column", "date_column", "title_column", "id_column"):
            if getattr(source, key):
                setattr(opts, key, getattr(source, key))
        report = ingest_paths(paths, db, manifest=source_manifest(source), options=opts, progress=progress)
        outcomes.extend(report.outcomes)
    return outcomes


def _field(doc: dict, meta: dict, name: str) -> str:
    v = doc.get(name)
    if v in (None, ""):
        v = meta.get(name, "")
    return str(v or "")


def classify(doc: dict, meta: dict, spec: StudySpec, forced: str | None = None) -> tuple[str, str]:
    """(source_type, group) of one document: a `source_type` manifest column, else the source's, else the first
    matching rule. group is the type, or 'type: value' for a rule with `by` (manifestos by party)."""
    wanted = meta.get("source_type") or forced
    rules = {r.id: r for r in spec.source_types}
    rule = rules.get(wanted) if wanted else None
    if wanted and rule is None:
        return wanted, wanted
    if rule is None:
        doc_type = _field(doc, meta, "doc_type")
        for r in spec.source_types:
            by_type = bool(r.doc_types) and doc_type in r.doc_types
            by_words = bool(r.words) and any(w in _field(doc, meta, f).lower() for f in r.fields for w in r.words)
            if by_type or by_words or r.otherwise:
                rule = r
                break
    if rule is None:
        return "other", "other"
    group = rule.id
    if rule.by:
        value = _field(doc, meta, rule.by).strip()
        group = f"{rule.id}: {value}" if value else rule.id
    return rule.id, group


def document_types(store, plan: CorpusPlan, spec: StudySpec) -> pd.DataFrame:
    """One row per stored document that came from an included file: doc_id, path, source_type, group, publisher,
    licence. Documents in the store from elsewhere (an earlier study's sources) are not part of this study."""
    by_path = {str(f.path.resolve()): f for f in plan.files if f.included}
    rows = []
    for d in store.documents(include_duplicates=True):
        doc = dict(d)
        file = str(doc["path"]).split("#row=")[0]  # a table's rows are documents of one file
        try:
            planned = by_path.get(str(Path(file).resolve()))
        except OSError:
            planned = None
        if planned is None:
            continue
        meta = json.loads(doc.get("metadata") or "{}")
        stype, group = classify(doc, meta, spec, planned.source.source_type)
        rows.append({"doc_id": doc["doc_id"], "path": _shown(Path(doc["path"])),
                     "source": _shown(planned.source.path), "source_type": stype,
                     "group": group, "publisher": doc.get("publisher") or "", "licence": doc.get("licence") or "",
                     "source_url": doc.get("source_url") or ""})
    return pd.DataFrame(rows, columns=["doc_id", "path", "source", "source_type", "group", "publisher", "licence",
                                       "source_url"])
