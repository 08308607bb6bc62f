"""Expand the PATH arguments of `ingest` (files, folders, globs) into the files to ingest."""
from __future__ import annotations

import glob
from pathlib import Path

PDF = {".pdf"}
HTML = {".html", ".htm", ".xhtml"}
DOCX = {".docx"}
TEXT = {".txt", ".md", ".markdown", ".text"}
TABULAR = {".csv", ".tsv", ".jsonl", ".ndjson"}
SUPPORTED = PDF | HTML | DOCX | TEXT | TABULAR
MANIFEST_NAMES = {"manifest.csv", "MANIFEST.csv"}


def file_type(path: Path) -> str | None:
    """pdf | html | docx | text | tabular, or None when unsupported."""
    ext = path.suffix.lower()
    for name, exts in (("pdf", PDF), ("html", HTML), ("docx", DOCX), ("text", TEXT), ("tabular", TABULAR)):
        if ext in exts:
            return name
    return None


def discover(paths: list[str]) -> list[Path]:
    """Files named, files inside folders (recursively), and glob matches; sorted, de-duplicated.

    Manifest files and hidden files inside folders are not documents. A named path that does
    not exist is returned as is, so that it gets its own 'failed: no such file' outcome.
    """
    found: list[Path] = []
    for arg in paths:
        matches = [Path(m) for m in sorted(glob.glob(arg, recursive=True))] if glob.has_magic(arg) else [Path(arg)]
        for p in matches:
            if p.is_dir():
                for f in sorted(p.rglob("*")):
                    if f.is_file() and not _hidden(f.relative_to(p)) and f.name not in MANIFEST_NAMES:
                        found.append(f)
            else:
                found.append(p)
    seen, out = set(), []
    for f in found:
        key = f.resolve() if f.exists() else f
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)
