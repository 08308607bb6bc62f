"""What a user can set for an ingest run: a plain record, importable without the pipeline's
dependencies (the CLI builds it before anything heavy is loaded)."""
from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TIMEOUT = 300.0  # seconds per file


@dataclass
class IngestOptions:
    jobs: int | None = None  # None: one per core; 1: in this process
    extractor: str = "pdfium"  # pdfium | pdfplumber
    password: str | None = None
    ocr: bool = False
    timeout: float | None = DEFAULT_TIMEOUT
    # Page-range size when a long PDF is split across workers (only when the rest of the batch cannot
    # keep the other workers busy meanwhile: _Runner._should_split). Each range costs a pickling round trip.
    chunk_pages: int = 64
    text_column: str = "text"
    date_column: str | None = None
    title_column: str | None = None
    id_column: str | None = None
    dedupe_threshold: float = 0.8
    # A Dask cluster instead of --jobs: a scheduler address (tcp://host:port) or local:N (a LocalCluster
    # of N worker processes). None: this machine's process pool, and dask is never imported.
    scheduler: str | None = None
    ship_files: bool = False  # cluster only: send file contents to the workers instead of their paths
    retries: int = 2  # cluster only: reruns of a task that raised an unexpected error
