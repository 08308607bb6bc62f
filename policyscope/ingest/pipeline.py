"""`ingest`: files in, documents in the store out, and exactly one outcome per file.

The parent process discovers, hashes and plans files, and records outcomes; workers extract,
clean up, segment and store whole documents (tasks.py), the longest first. A long PDF is split
by page range when the rest of the batch cannot keep the other workers busy, and the parent
joins and stores its parts. Each document is written in one transaction.

With `IngestOptions.scheduler` the same plan runs on a Dask cluster (dask_pool.py): the workers
return records and this process, the one writer, stores each document in one transaction.
"""
from __future__ import annotations

import gc
import hashlib
import heapq
import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

from policyscope.errors import (CorruptFile, EmptyFile, ExtractionTimeout, InputFileError, NoTextLayer,
                                StoreError, UnsupportedFileType, UsageError)
from policyscope.ingest import tasks
from policyscope.ingest.discover import MANIFEST_NAMES, discover, file_type
from policyscope.ingest.metadata import manifest_row, merge_metadata, read_manifest
from policyscope.ingest.options import DEFAULT_TIMEOUT, IngestOptions  # noqa: F401 (part of this module's API)
from policyscope.ingest.pdf import finish_pages, open_pdf_info
from policyscope.ingest import workers
from policyscope.ingest.workers import InlinePool, TaskResult, TimedPool, default_jobs, fewer_gc_passes
from policyscope.model import IngestOutcome
from policyscope.store import Store

TABULAR_BATCH = 200  # rows per segmentation task
LOOKAHEAD = 64  # files prepared ahead of the pool, so the longest can go first


@dataclass
class IngestReport:
    run_id: str
    outcomes: list[IngestOutcome] = field(default_factory=list)
    seconds: float = 0.0
    duplicates: list[tuple[str, str, float]] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(o.outcome == outcome for o in self.outcomes)

    @property
    def n_pages(self) -> int:
        return sum(o.n_pages for o in self.outcomes if o.outcome == "ok")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class _Job:
    """One file in flight."""

    index: int
    path: Path
    ftype: str
    sha: str
    doc_id: str
    manifest: dict
    started: float
    password: str | None = None
    info_meta: dict = field(default_factory=dict)
    n_pages: int = 0
    waiting: int = 0  # tasks outstanding for the current stage
    drafts: dict = field(default_factory=dict)
    segments: dict = field(default_factory=dict)
    pages: list = field(default_factory=list)
    ocr_done: bool = False
    pdf_path: Path | None = None  # the OCR'd copy, once made
    # tabular files
    rows_new: int = 0
    rows_known: int = 0
    rows_empty: int = 0
    n_sentences: int = 0
    n_tokens: int = 0
    reading_done: bool = False
    row_batches: int = 0


def ingest_paths(paths: list[str], db: str | Path = "policyscope.db", *, manifest: str | Path | None = None,
                 options: IngestOptions | None = None, progress: bool | None = None,
                 store: Store | None = None) -> IngestReport:
    """Ingest files, folders and globs into the store at `db`. One outcome per file, also in ingest_log.

    Raises only for problems with the whole batch (unreadable manifest, unwritable store);
    problems with one file become that file's outcome.
    """
    opts = options or IngestOptions()
    if opts.scheduler and opts.jobs:
        raise UsageError("--jobs sets this machine's process pool; on a cluster the workers decide",
                         hint="give --jobs or a scheduler, not both")
    jobs = opts.jobs or default_jobs()
    manifests = _ManifestIndex(manifest)
    files = discover(paths)
    own_store = store is None
    store = store or Store(db)
    if str(store.path) == ":memory:":
        jobs = 1  # workers write through their own connection, which cannot reach this process's memory
    report = IngestReport(run_id=time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6])
    t0 = time.perf_counter()
    bar = _progress_bar(len(files), progress)
    pool = None
    try:
        if opts.scheduler:
            from policyscope.ingest.dask_pool import cluster_pool
            pool = cluster_pool(opts.scheduler, opts.timeout, retries=opts.retries, ship_files=opts.ship_files,
                                files=files, extractor=opts.extractor)
            jobs = pool.n
        runner = _Runner(store, opts, manifests, report, bar, files)
        with fewer_gc_passes(thaw=True):
            # One file with work per worker, so each starts as soon as the pool is up; the rest are read
            # ahead while they work, and the longest of those goes next. Here, the first worker is
            # forked before spaCy is loaded, so the second core is not idle while the parent loads it
            # (0.3-0.4 s of every run's start). On a cluster nothing is forked: the workers load the
            # segmenter themselves (dask_pool.warm_up) and this process, which only plans and stores,
            # never does.
            runner.read_ahead(limit=jobs)
            gc.freeze()  # what exists now is not walked by GC passes, nor copied into workers by them
            on_cluster = pool is not None
            if on_cluster:
                pass
            elif jobs == 1:
                if runner.waiting:
                    _load_segmenter()
                pool = InlinePool(opts.timeout)
            else:
                # A first worker is forked before spaCy is loaded and starts on PDFs at once, with
                # tasks that need no segmenter (extract and finish; another worker segments and
                # stores the pages). Meanwhile this process loads spaCy, then forks the other workers
                # with it: one load for all, and no core idle while it happens.
                pool = TimedPool(jobs, opts.timeout, start=1)
            with store.checkpointing(), pool, tasks.storing_in(store):
                runner.start(pool)
                if not on_cluster and not workers.segmenter_loaded() and (runner.waiting or runner.pool.pending()):
                    # spaCy loads in a thread while this one keeps the first worker fed: its first
                    # task ends well before the load does (0.2 s against ~1 s), and it would idle.
                    loader = threading.Thread(target=_load_segmenter, name="policyscope-load-segmenter")
                    with pool.no_forks():  # forking while another thread imports can deadlock the child
                        loader.start()
                        runner.run_until(pool, lambda: not loader.is_alive())
                        loader.join()
                    gc.freeze()
                pool.grow()  # the other workers, forked with spaCy loaded (a cluster's are all up already)
                runner.run(pool)
        order = {str(f): i for i, f in enumerate(files)}
        report.outcomes.sort(key=lambda o: order.get(o.path, len(order)))  # input order, not completion order
        if any(o.outcome == "ok" for o in report.outcomes):
            from policyscope.ingest.near_duplicates import mark_near_duplicates  # numpy, loaded by now anyway
            report.duplicates = mark_near_duplicates(store, opts.dedupe_threshold)
    finally:
        if pool is not None and getattr(pool, "open", False):
            pool.terminate()  # a cluster connected but never entered (an error while reading ahead)
        if bar is not None:
            bar.close()
        if own_store:
            store.close()
    report.seconds = time.perf_counter() - t0
    return report


def _load_segmenter() -> None:
    from policyscope.segment import segmenter
    segmenter()


class _ManifestIndex:
    """Manifest rows by file: an explicit --manifest, else a manifest.csv in the file's folder."""

    def __init__(self, explicit: str | Path | None):
        self.explicit = read_manifest(explicit) if explicit else None
        self.explicit_base = Path(explicit).parent if explicit else None
        self._beside: dict[Path, dict] = {}

    def row_for(self, path: Path) -> dict:
        if self.explicit is not None:
            return manifest_row(self.explicit, path, self.explicit_base)
        folder = path.parent
        if folder not in self._beside:
            self._beside[folder] = {}
            for name in MANIFEST_NAMES:
                if (folder / name).is_file():
                    self._beside[folder] = read_manifest(folder / name)
                    break
        return manifest_row(self._beside[folder], path, folder)


class _Runner:
    """Plans files, hands tasks to the pool, and turns results into outcomes.

    Files are prepared (hashed, checked, PDFs opened for their page count) up to LOOKAHEAD ahead
    of the pool, and the longest waiting document is handed out first, so a long PDF does not
    start last and hold one core while the others idle. A PDF is split into page ranges only
    when the documents still waiting cannot keep the other workers busy while it is read.
    """

    def __init__(self, store: Store, opts: IngestOptions, manifests: _ManifestIndex, report: IngestReport, bar,
                 files: list[Path]):
        self.store, self.opts, self.manifests, self.report, self.bar = store, opts, manifests, report, bar
        self.files = files
        self.next_file = 0  # files[:next_file] are prepared
        self.jobs: dict[int, _Job] = {}
        self.waiting: list[tuple[int, int, _Job]] = []  # heap of (-pages, index, job): prepared, not submitted
        self.waiting_pages = 0
        self.pool = None
        self.workers = 1

    @property
    def unprepared(self) -> int:
        return len(self.files) - self.next_file

    # -- planning ----------------------------------------------------------------------
    def read_ahead(self, limit: int = LOOKAHEAD) -> None:
        """Prepare files until `limit` of them wait to be handed out. Needs no pool."""
        while self.unprepared and len(self.waiting) < limit:
            index = self.next_file
            self.next_file += 1
            job = self._prepare(index, self.files[index])
            if job is not None:
                heapq.heappush(self.waiting, (-job.n_pages, index, job))
                self.waiting_pages += job.n_pages

    def start(self, pool) -> None:
        """Hand the files read so far to `pool`: every worker started has work at once."""
        self.pool = pool
        self.workers = getattr(pool, "n", 1)
        self._feed(depth=self.workers)

    def run(self, pool) -> None:
        """Hand every file's work to `pool`, longest first, and record each outcome."""
        if self.pool is not pool:
            self.start(pool)
        while True:
            self.read_ahead()
            self._feed()
            if not pool.pending():
                if self.waiting or self.unprepared:
                    continue
                return
            self._drain_one()

    def run_until(self, pool, done) -> None:
        """As run(), until done() is true or nothing is left to hand out (pool.results polls, so a
        wait for a result never outlasts done())."""
        results = 0  # each extracted PDF leaves a store task queued for a worker that is not up yet
        while not done():
            self.read_ahead()
            self._feed(depth=2 * self.workers + results)
            if not pool.pending():
                return
            for res in pool.results(poll=0.02):
                if res is not None:
                    self._on_result(res)
                    results += 1
                break

    def _feed(self, depth: int | None = None) -> None:
        """Hand out the longest waiting documents while the pool holds fewer than `depth` tasks
        (default: one running and one queued per worker, so a worker never waits for this process)."""
        depth = depth or 2 * self.workers
        while self.waiting and self.pool.pending() < depth:
            _, _, job = heapq.heappop(self.waiting)
            self.waiting_pages -= job.n_pages
            self._submit(job)

    def _drain_one(self) -> None:
        for res in self.pool.results():
            self._on_result(res)
            return

    def _prepare(self, index: int, path: Path) -> _Job | None:
        """The file checked, hashed and (a PDF) opened; None when its outcome is already known."""
        started = time.perf_counter()
        try:
            if not path.exists():
                raise InputFileError("no such file", path=str(path))
            if not os.access(path, os.R_OK):
                raise InputFileError("not readable (permission denied)", path=str(path))
            ftype = file_type(path)
            if ftype is None:
                raise UnsupportedFileType(f"unsupported file type {path.suffix or '(no extension)'!r}",
                                          path=str(path), hint="policyscope reads PDF, HTML, DOCX, TXT/Markdown, CSV/JSONL")
            if path.stat().st_size == 0:
                raise EmptyFile("empty file (0 bytes)", path=str(path))
            sha = sha256_file(path)
            row = self.manifests.row_for(path)
        except InputFileError as exc:
            self._finish_failed(str(path), exc, started)
            return None
        job = _Job(index, path, ftype, sha, sha[:12], row, started,
                   password=row.get("password") or self.opts.password)
        if ftype == "tabular":
            return job  # its rows are read, checked and handed out in batches when its turn comes
        if self.store.has_document(job.doc_id):
            self._already_stored(job)
            return None
        self.jobs[index] = job
        if ftype == "pdf" and not self._open_pdf(job):
            return None
        return job

    def _source(self, job: _Job, *, for_task: bool = True) -> tasks.FileSource:
        # Cluster workers return records for this process to store (the pool does not write here).
        db = self.db if (not for_task or getattr(self.pool, "writes_here", True)) else None
        return tasks.FileSource(str(job.path), job.sha, job.doc_id, db, job.manifest, job.info_meta)

    @property
    def db(self) -> str:
        return str(self.store.path)

    def _open_pdf(self, job: _Job) -> bool:
        """Page count and metadata of the job's PDF (or of its OCR'd copy); False when it cannot be read."""
        try:
            info = open_pdf_info(str(job.pdf_path or job.path), password=job.password)
        except InputFileError as exc:
            self._fail(job, exc)
            return False
        except Exception as exc:  # noqa: BLE001 - an unparseable file is this file's outcome
            self._fail(job, CorruptFile(f"cannot open: {type(exc).__name__}: {exc}", path=str(job.path)))
            return False
        job.info_meta = dict(info.metadata)
        job.n_pages = info.n_pages
        if job.n_pages == 0:
            self._fail(job, EmptyFile("the PDF has no pages", path=str(job.path)))
            return False
        return True

    def _submit(self, job: _Job) -> None:
        if job.ftype == "tabular":
            self._plan_tabular(job)
        elif job.ftype != "pdf":
            job.waiting = 1
            self.pool.submit((job.index, "read", 0), tasks.ingest_other, self._source(job), job.ftype,
                             reads=str(job.path), needs_nlp=True)
        elif not self._should_split(job):
            job.waiting = 1
            # A worker without the segmenter (forked before spaCy was loaded) extracts the pages
            # instead; they come back here and go to a worker that has it, to be stored. A cluster
            # pool always runs the whole-document form (its workers load the segmenter at connect).
            pages = ((job.index, "pages", 0), tasks.extract_whole_pdf,
                     (str(job.pdf_path or job.path), job.doc_id, job.n_pages, job.password, self.opts.extractor,
                      job.ocr_done))
            read_path = str(job.pdf_path) if job.pdf_path else None  # the OCR'd copy, not the scan
            self.pool.submit((job.index, "whole", 0), tasks.ingest_whole_pdf, self._source(job), job.n_pages,
                             job.password, self.opts.extractor, job.ocr_done, read_path,
                             reads=read_path or str(job.path), needs_nlp=True, without_nlp=pages, size=job.n_pages)
        else:
            # Page ranges extracted in parallel, finished here (cross-page work), segmented in parallel.
            step = max(1, self.opts.chunk_pages)
            starts = list(range(1, job.n_pages + 1, step))
            job.drafts, job.waiting = {}, len(starts)
            for first in starts:
                last = min(job.n_pages, first + step - 1)
                path = str(job.pdf_path or job.path)
                self.pool.submit((job.index, "extract", first), tasks.extract_pdf_chunk, path, first, last,
                                 job.password, self.opts.extractor, reads=path)

    def _should_split(self, job: _Job) -> bool:
        """Split a long PDF when the documents still waiting hold fewer pages than the other workers
        could read meanwhile: at the end of a batch, or a batch of one long report."""
        if self.workers < 2 or job.n_pages <= max(1, self.opts.chunk_pages):
            return False
        if self.unprepared:
            return False  # more files to come keep the other workers busy
        return job.n_pages * (self.workers - 1) > self.waiting_pages

    def _plan_tabular(self, job: _Job) -> None:
        from policyscope.ingest.tabular import iter_tabular
        o = self.opts
        self.jobs[job.index] = job
        batch: list = []
        try:
            rows = iter_tabular(job.path, text_column=o.text_column, date_column=o.date_column,
                                title_column=o.title_column, id_column=o.id_column)
            for row_key, extracted in rows:
                doc_id = extracted.pages[0].doc_id  # the row's content hash (see tabular.py)
                if self.store.has_document(doc_id):
                    job.rows_known += 1
                    continue
                batch.append((doc_id, extracted, row_key))
                if len(batch) >= TABULAR_BATCH:
                    self._submit_rows(job, batch)
                    batch = []
                    while self.pool.pending() > 4 * self.workers:
                        self._drain_one()
            job.rows_empty = rows.summary.n_empty_text + rows.summary.n_invalid
        except InputFileError as exc:
            job.reading_done = True
            self._fail(job, exc)
            return
        except Exception as exc:  # noqa: BLE001
            job.reading_done = True
            self._fail(job, CorruptFile(f"cannot read rows: {type(exc).__name__}: {exc}", path=str(job.path)))
            return
        if batch:
            self._submit_rows(job, batch)
        job.reading_done = True
        if job.waiting == 0:
            self._finish_tabular(job)

    def _submit_rows(self, job: _Job, batch: list) -> None:
        job.waiting += 1
        job.row_batches += 1
        self.pool.submit((job.index, "rows", job.row_batches), tasks.ingest_rows, self._source(job), batch,
                         needs_nlp=True)

    # -- results ---------------------------------------------------------------------
    def _on_result(self, res: TaskResult) -> None:
        index, stage, part = res.key
        job = self.jobs.get(index)
        if job is None:  # the file already failed on another part
            return
        if res.timed_out:
            self._fail(job, ExtractionTimeout(
                f"extraction timed out after {self.opts.timeout:.0f}s", path=str(job.path),
                hint="raise the limit with --timeout, or inspect the file with `policyscope show`"))
            return
        if res.error is not None:
            exc = res.error
            if isinstance(exc, StoreError):
                raise exc  # the store cannot take documents: the whole batch stops, as it would here
            if not isinstance(exc, InputFileError):
                exc = CorruptFile(f"cannot read: {type(exc).__name__}: {exc}", path=str(job.path))
            elif exc.path is None:
                exc.path = str(job.path)
            self._fail(job, exc)
            return
        try:
            value = tasks.written(res.value, self.db)  # records a cluster worker sent back, stored here
        except InputFileError as exc:
            self._fail(job, exc)
            return
        job.waiting -= 1
        if stage == "pages":
            if value is None:
                self._no_text_layer(job)
            else:  # first in the queue: the pages are held in memory until stored
                job.waiting = 1
                self.pool.submit((job.index, "whole", 0), tasks.store_pages, self._source(job), value,
                                 self.opts.extractor, job.ocr_done, needs_nlp=True, first=True)
        elif stage in ("read", "whole"):
            if value is None:
                self._no_text_layer(job)
            else:
                self._stored(job, value)
        elif stage == "extract":
            job.drafts[part] = value
            if job.waiting == 0:
                self._after_extract(job)
        elif stage == "segment":
            job.segments[part] = value
            if job.waiting == 0:
                self._store_split(job)
        elif stage == "rows":
            for stored in value:
                job.rows_new += 1
                job.n_sentences += stored.n_sentences
                job.n_tokens += stored.n_tokens
            if job.waiting == 0 and job.reading_done:
                self._finish_tabular(job)

    def _no_text_layer(self, job: _Job) -> None:
        if self.opts.ocr and not job.ocr_done:
            self._ocr_then_extract(job)
            return
        what = "OCR found no text" if job.ocr_done else "the PDF has no text layer"
        self._fail(job, NoTextLayer(
            f"scanned: OCR needed ({what})", path=str(job.path),
            hint=None if job.ocr_done else "re-run with --ocr, which needs `pip install 'policyscope[ocr]'` and Tesseract"))

    def _after_extract(self, job: _Job) -> None:
        drafts = [d for k in sorted(job.drafts) for d in job.drafts[k]]
        if not tasks.usable_text(drafts, job.ocr_done):
            self._no_text_layer(job)
            return
        job.pages = finish_pages(drafts, job.doc_id)
        job.drafts = {}
        step = max(1, self.opts.chunk_pages)
        chunks = [job.pages[i:i + step] for i in range(0, len(job.pages), step)]
        job.segments, job.waiting = {}, len(chunks)
        for k, chunk in enumerate(chunks):
            self.pool.submit((job.index, "segment", k), tasks.segment_chunk, chunk, needs_nlp=True)

    def _store_split(self, job: _Job) -> None:
        """A split PDF's parts joined and stored here, in one transaction."""
        parts = [job.segments[k] for k in sorted(job.segments)]
        passages = [p for part in parts for p in part[0]]
        sentences = [s for part in parts for s in part[1]]
        extracted = tasks.pdf_document(job.pages, self.opts.extractor, job.ocr_done, job.info_meta)
        try:
            stored = tasks.store_document(self._source(job, for_task=False), extracted, passages, sentences,
                                          [p[2] for p in parts])
        except InputFileError as exc:
            self._fail(job, exc)
            return
        self._stored(job, stored)

    def _ocr_then_extract(self, job: _Job) -> None:
        from policyscope.ingest.ocr import ocr_pdf
        try:
            job.pdf_path = ocr_pdf(job.path, password=job.password, timeout=self.opts.timeout)
        except InputFileError as exc:
            self._fail(job, exc)
            return
        job.ocr_done = True
        if self._open_pdf(job):
            self._submit(job)

    # -- outcomes ------------------------------------------------------------------
    def _stored(self, job: _Job, stored: tasks.Stored) -> None:
        reason = "" if stored.dated else "no date: left out of timelines (add one in the manifest)"
        self._finish(job, IngestOutcome(str(job.path), "ok", reason, "", job.doc_id, stored.n_pages,
                                        stored.n_sentences, stored.n_tokens))

    def _finish_tabular(self, job: _Job) -> None:
        parts = [f"{job.rows_new} new documents"]
        if job.rows_known:
            parts.append(f"{job.rows_known} unchanged")
        if job.rows_empty:
            parts.append(f"{job.rows_empty} empty or invalid rows skipped")
        outcome = "ok" if job.rows_new else "skipped"
        self._finish(job, IngestOutcome(str(job.path), outcome, ", ".join(parts), "", None, 0,
                                        job.n_sentences, job.n_tokens))

    def _already_stored(self, job: _Job) -> None:
        fields, date_source = merge_metadata(job.path.name, job.manifest, {})
        changed = []
        if job.manifest:
            update = {k: v for k, v in fields.items() if k != "extra" and job.manifest.get(k)}
            update["date_source"] = date_source
            changed = self.store.update_metadata(job.doc_id, update)
        reason = "unchanged: already in the store"
        if changed:
            reason += f"; metadata updated ({', '.join(changed)})"
        row = self.store.document(job.doc_id)
        self._finish(job, IngestOutcome(str(job.path), "skipped", reason, "", job.doc_id, row["n_pages"],
                                        row["n_sentences"], row["n_tokens"]))

    def _fail(self, job: _Job, exc: InputFileError) -> None:
        self.jobs.pop(job.index, None)
        self._finish_failed(str(job.path), exc, job.started, doc_id=None)

    def _finish_failed(self, path: str, exc: InputFileError, started: float, doc_id=None) -> None:
        msg = exc.message + (f"; {exc.hint}" if exc.hint else "")
        o = IngestOutcome(path, getattr(exc, "outcome", "failed"), msg, exc.code, doc_id,
                          seconds=time.perf_counter() - started)
        self._record(o)

    def _finish(self, job: _Job, o: IngestOutcome) -> None:
        self.jobs.pop(job.index, None)
        self._record(replace(o, seconds=time.perf_counter() - job.started))

    def _record(self, o: IngestOutcome) -> None:
        self.store.log_outcome(self.report.run_id, o)
        self.report.outcomes.append(o)
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"{self.report.n_pages} pages", refresh=False)


def _progress_bar(total: int, progress: bool | None):
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress or total == 0:
        return None
    from tqdm import tqdm
    return tqdm(total=total, unit="file", desc="ingest", file=sys.stderr, dynamic_ncols=True)
