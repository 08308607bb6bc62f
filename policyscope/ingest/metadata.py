"""Document metadata: manifest CSV first, then what the file says (PDF info, HTML meta), then a date in the file name."""
from __future__ import annotations

import csv
from pathlib import Path

from policyscope.errors import ManifestError
from policyscope.ingest.dates import date_from_filename, normalise_date
from policyscope.model import DATE_RE, Document, ExtractedDocument

MANIFEST_COLUMNS = ("file", "title", "authors", "publisher", "date", "doc_type", "source_url", "licence")
# Accepted spellings users (and ../shared manifests) write for the same column.
COLUMN_ALIASES = {"source": "source_url", "url": "source_url", "license": "licence", "author": "authors", "type": "doc_type"}
META_FIELDS = MANIFEST_COLUMNS[1:]


def read_manifest(path: str | Path) -> dict[str, dict]:
    """Rows keyed by file name (and by the path as written). Validates columns and dates.

    Raises ManifestError naming the file, the row and the problem.
    """
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames:
                raise ManifestError("the manifest is empty (expected a header row)", path=str(path))
            fields = [COLUMN_ALIASES.get(f.strip(), f.strip()) for f in reader.fieldnames]
            if "file" not in fields:
                raise ManifestError(f"no 'file' column (columns are: {', '.join(reader.fieldnames)})",
                                    path=str(path), hint="columns: " + ",".join(MANIFEST_COLUMNS))
            rows: dict[str, dict] = {}
            for n, raw in enumerate(reader, start=2):
                row = {COLUMN_ALIASES.get((k or "").strip(), (k or "").strip()): (v or "").strip()
                       for k, v in raw.items() if k}
                if not row.get("file"):
                    continue
                if row.get("date"):
                    norm = normalise_date(row["date"], strict=True)
                    if norm is None or not DATE_RE.match(norm):
                        raise ManifestError(f"row {n}: date {row['date']!r} is not YYYY, YYYY-MM or YYYY-MM-DD",
                                            path=str(path))
                    row["date"] = norm
                rows[row["file"]] = row
                rows.setdefault(Path(row["file"]).name, row)
            return rows
    except OSError as exc:
        raise ManifestError(f"cannot read the manifest: {exc.strerror}", path=str(path)) from exc
    except (csv.Error, UnicodeDecodeError) as exc:
        raise ManifestError(f"not a readable CSV: {exc}", path=str(path)) from exc


def manifest_row(manifests: dict[str, dict], file: Path, base: Path | None = None) -> dict:
    """The row for a file: by path relative to the manifest's folder, else by file name."""
    if not manifests:
        return {}
    if base is not None:
        try:
            rel = file.resolve().relative_to(base.resolve()).as_posix()
            if rel in manifests:
                return manifests[rel]
        except ValueError:
            pass
    return manifests.get(file.name, {})


def merge_metadata(file_name: str, manifest: dict, found_in_file: dict) -> tuple[dict, str | None]:
    """Combine sources; returns (fields, date_source). Manifest wins, then the file, then the file name."""
    out: dict = {}
    for key in META_FIELDS:
        val = (manifest.get(key) or "").strip() or found_in_file.get(key)
        if val:
            out[key] = val
    date_source = None
    if manifest.get("date"):
        date_source = "manifest"
    elif normalise_date(found_in_file.get("date")):  # lenient: a date the file states, in any spelling
        out["date"] = normalise_date(found_in_file["date"])
        date_source = found_in_file.get("date_source", "file_metadata")
    else:
        fn_date = date_from_filename(file_name)
        if fn_date:
            out["date"] = fn_date
            date_source = "file_name"
    if "date" in out and date_source is None:
        out.pop("date")
    extras = {k: v for k, v in manifest.items() if k not in MANIFEST_COLUMNS and k != "password" and v}
    extras.update({k: v for k, v in found_in_file.items() if k not in META_FIELDS and k != "date_source" and v})
    out["extra"] = extras
    return out, date_source


def document_record(*, doc_id: str, path: str, sha256: str, file_name: str, manifest: dict,
                    extracted: ExtractedDocument) -> Document:
    """The Document row for an extracted file: its manifest row, then what the file says, then its name."""
    fields, date_source = merge_metadata(file_name, manifest, dict(extracted.metadata))
    return Document(
        doc_id=doc_id, path=path, sha256=sha256, title=fields.get("title") or Path(file_name).stem,
        authors=fields.get("authors"), publisher=fields.get("publisher"), date=fields.get("date"),
        doc_type=fields.get("doc_type"), source_url=fields.get("source_url"), licence=fields.get("licence"),
        n_pages=len(extracted.pages), file_type=extracted.file_type, date_source=date_source,
        extractor=extracted.extractor, metadata=fields.get("extra", {}))
