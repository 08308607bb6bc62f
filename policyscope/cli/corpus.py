"""Commands over the corpus store: ingest, docs, show."""
from __future__ import annotations

import json

import click

from policyscope.cli.options import chosen_cluster, cluster_options, db_option
from policyscope.cli.tables import print_table
from policyscope.errors import UsageError
from policyscope.ingest.options import DEFAULT_TIMEOUT, IngestOptions


@click.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False),
              help="Metadata CSV: file,title,authors,publisher,date,doc_type,source_url,licence "
                   "(default: a manifest.csv beside the files).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: one per core; 1 runs in this process).")
@click.option("--extractor", type=click.Choice(["pdfium", "pdfplumber"]), default="pdfium", show_default=True,
              help="PDF backend: pdfium is fast; pdfplumber is slower, high-fidelity.")
@click.option("--password", help="Password for encrypted PDFs (or a `password` manifest column).")
@click.option("--ocr", is_flag=True, help="OCR scanned PDFs with OCRmyPDF + Tesseract when installed.")
@click.option("--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True,
              help="Per-file time limit in seconds, so one pathological file cannot stall the batch.")
@click.option("--text-column", default="text", show_default=True, help="CSV/JSONL: the column holding the text.")
@click.option("--date-column", help="CSV/JSONL: the column holding the date.")
@click.option("--title-column", help="CSV/JSONL: the column holding the title.")
@click.option("--id-column", help="CSV/JSONL: a column that identifies rows (default: row number).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@cluster_options
@click.option("--ship-files", is_flag=True,
              help="On a cluster: send each file's bytes to the workers (default: workers read it by its path "
                   "on a filesystem they share with this machine).")
def ingest(paths, db, manifest, jobs, extractor, password, ocr, timeout, text_column, date_column, title_column,
           id_column, progress, scheduler, cluster, ship_files):
    """Ingest files, folders and globs into the store: one outcome per file (ok, skipped, failed).

    \b
    Examples:
      policyscope ingest corpus/ --db policyscope.db
      policyscope ingest 'reports/**/*.pdf' --manifest meta.csv --jobs 2
      policyscope ingest speeches.csv --text-column text --date-column date --title-column speaker
      policyscope ingest corpus/ --db policyscope.db --cluster local:2
      policyscope ingest /shared/pdfs --db policyscope.db --scheduler tcp://10.0.0.5:8786
      policyscope ingest corpus/ --db policyscope.db --scheduler tcp://10.0.0.5:8786 --ship-files

    Exits 0 when the batch ran, even if some files were skipped or failed; the summary and the
    store's ingest_log say why for each file. On a cluster (docs/scale.md) the workers read and
    segment, and this process writes every document to the store.
    """
    options = IngestOptions(jobs=jobs, extractor=extractor, password=password, ocr=ocr, timeout=timeout,
                            text_column=text_column, date_column=date_column, title_column=title_column,
                            id_column=id_column, scheduler=chosen_cluster(scheduler, cluster),
                            ship_files=ship_files)
    if ship_files and not options.scheduler:
        raise UsageError("--ship-files sends files to cluster workers: give --scheduler or --cluster too")
    from policyscope.ingest.pipeline import ingest_paths  # the readers and the segmenter: only when ingesting
    report = ingest_paths(list(paths), db, manifest=manifest, options=options, progress=progress)
    rows = [(o.outcome, o.path, o.doc_id or "", o.n_pages or "", o.n_sentences or "", o.reason)
            for o in report.outcomes]
    print_table(["outcome", "file", "doc_id", "pages", "sentences", "reason"], rows)
    pages = report.n_pages
    rate = f", {pages / report.seconds:.0f} pages/s" if report.seconds and pages else ""
    click.echo(f"\n{report.count('ok')} ok, {report.count('skipped')} skipped, {report.count('failed')} failed "
               f"in {report.seconds:.1f}s{rate} -> {db} (run {report.run_id})")
    for dup, canon, sim in report.duplicates:
        click.echo(f"near-duplicate: {dup} ~ {canon} (similarity {sim:.2f}); counted once unless --include-duplicates")


@click.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def docs(db, as_json):
    """List the documents in the store: date, type, pages, tokens, last ingest outcome.

    \b
    Example:
      policyscope docs --db policyscope.db
    """
    from policyscope.store import open_store
    with open_store(db) as store:
        stored = store.stored_outcomes()
        rows = []
        for d in store.documents():
            how = stored.get(d["doc_id"])
            flags = []
            if d["duplicate_of"]:
                flags.append(f"near-duplicate of {d['duplicate_of']}")
            if not d["date"]:
                flags.append("no date")
            rows.append({"doc_id": d["doc_id"], "date": d["date"] or "", "doc_type": d["doc_type"] or "",
                         "pages": d["n_pages"], "sentences": d["n_sentences"], "tokens": d["n_tokens"],
                         "title": d["title"] or "", "licence": d["licence"] or "",
                         "outcome": how["outcome"] if how else "ok", "ingested": how["at"] if how else "",
                         "flags": "; ".join(flags)})
        failed = [r for r in store.last_outcomes().values()
                  if r["outcome"] != "ok" and not (r["doc_id"] and store.has_document(r["doc_id"]))]
    if as_json:
        click.echo(json.dumps({"documents": rows, "not_stored": [dict(r) for r in failed]}, indent=2))
        return
    print_table(["doc_id", "date", "doc_type", "pages", "sentences", "tokens", "outcome", "title", "flags"],
                [[r[k] for k in ("doc_id", "date", "doc_type", "pages", "sentences", "tokens", "outcome", "title",
                                 "flags")] for r in rows], max_width={"title": 48})
    if failed:
        click.echo(f"\nnot in the store ({len(failed)} files):")
        print_table(["outcome", "file", "reason"], [(r["outcome"], r["path"], r["reason"]) for r in failed])


@click.command()
@click.argument("doc_id")
@click.option("--page", "-p", "page_no", type=int, default=1, show_default=True, help="1-based page number.")
@db_option
@click.option("--raw", is_flag=True, help="Print the extractor's raw text instead of the cleaned text.")
def show(doc_id, page_no, db, raw):
    """Print a page's cleaned text and what the clean-up removed or repaired.

    \b
    Example:
      policyscope show 3fa9c0d12b7e --page 2 --db policyscope.db
    """
    from policyscope.store import open_store
    with open_store(db) as store:
        doc = store.document(doc_id)
        page = store.page(doc["doc_id"], page_no)
    click.echo(f"{doc['title']} ({doc['date'] or 'no date'}) — {doc['doc_id']} page {page_no} of {doc['n_pages']}"
               f" [{page['section']}]")
    click.echo("-" * 72)
    click.echo(page["raw_text"] if raw else page["text"])
    actions = json.loads(page["cleanup"])
    click.echo("-" * 72)
    if not actions:
        click.echo("clean-up: nothing removed or repaired")
        return
    click.echo(f"clean-up ({len(actions)} actions):")
    for a in actions:
        line = f"line {a['line']}: " if a.get("line") else ""
        click.echo(f"  {a['kind']:<14} {line}{a['text']}")


COMMANDS = [ingest, docs, show]
