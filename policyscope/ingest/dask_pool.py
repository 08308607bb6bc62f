"""Ingest tasks on a Dask cluster, behind the interface of workers.TimedPool (submit / grow / pending / results).

The pipeline plans files and records outcomes exactly as with --jobs; only where tasks run changes:
- each task is a `distributed` future, consumed with `as_completed` as it finishes; the pipeline
  keeps at most two tasks per worker thread in flight, so the client's memory stays flat;
- the workers return each document as the rows of the store's tables (tasks.Parsed), which the client
  fetches from the worker directly (not through the scheduler) and stores (workers.py's workers store
  themselves); while a task runs, cyclic GC passes are rarer, as in the pipeline on one machine;
- an error that is the file's own outcome (InputFileError: corrupt, encrypted, empty) comes back as
  a value; any other error is retried (`retries`) and then becomes the file's failed outcome with
  the worker's address and message. A worker that dies is replaced by its nanny and its tasks are
  rescheduled by the scheduler (`distributed.scheduler.allowed-failures` deaths per task at most);
- the per-file time limit counts from the moment the task is handed to the cluster: the timed-out
  task is cancelled and the worker running it restarted, since a running task cannot be stopped.
"""
from __future__ import annotations

import gc
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

from policyscope.distributed.cluster import connect, worker_threads
from policyscope.distributed.spec import ClusterSpec
from policyscope.errors import InputFileError
from policyscope.ingest import tasks
from policyscope.ingest.workers import TaskResult, fewer_gc_passes

# What the ingest tasks import on a worker (checked before the first task: a missing one is named).
INGEST_MODULES = ("pypdfium2", "spacy", "docx", "bs4", "lxml")
SHIPPED_KEEP = 8  # recently shipped files kept scattered, for the page ranges of one split PDF


class TaskFailedOnWorker(Exception):
    """An unexpected error on a worker, with the worker's address (kept picklable: one message string)."""


def run_task(fn: Callable, args: tuple, shipped: dict[str, bytes] | None = None,
             aliases: dict[str, str] | None = None):
    """Runs on a worker: the task, with its file from the shipped bytes when there are any, else at its
    absolute path (`aliases`).

    Returns (value, error, seconds): an InputFileError is the file's outcome and is returned, not raised,
    so the scheduler does not retry it. Anything else is raised again, naming this worker, and retried."""
    t0 = time.perf_counter()
    try:
        with fewer_gc_passes(), tasks.reading_as(aliases), tasks.shipped_copies(shipped):
            return fn(*args), None, time.perf_counter() - t0
    except InputFileError as exc:
        return None, exc, time.perf_counter() - t0
    except Exception as exc:  # noqa: BLE001 - retried by the scheduler, then the file's outcome
        raise TaskFailedOnWorker(f"on worker {_worker_address()}: {type(exc).__name__}: {exc}") from None


def _worker_address() -> str:
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


def warm_up() -> int:
    """Runs on each worker at connect: import what the tasks use and load the segmenter while the client
    plans the first files; what is loaded then is frozen out of later GC passes."""
    import pypdfium2  # noqa: F401
    from policyscope.ingest import near_duplicates, pdf  # noqa: F401
    from policyscope.nlp import load_segmenter
    load_segmenter()
    gc.freeze()
    return os.getpid()


def cluster_pool(scheduler: str, timeout: float | None, *, retries: int = 2, ship_files: bool = False,
                 files: list[Path] = (), extractor: str = "pdfium") -> "DaskPool":
    """Connect to the cluster `scheduler` names (address or local:N) and check it can run this ingest:
    the workers import what the tasks need and, unless files are shipped, can read the files by path."""
    spec = ClusterSpec.parse(scheduler)
    needs = INGEST_MODULES + (("pdfplumber",) if extractor == "pdfplumber" else ())
    # A sample of the files: a worker that cannot see one of them cannot see the shared filesystem.
    paths = [] if ship_files else [str(Path(f).resolve()) for f in list(files)[:3] if Path(f).exists()]
    conn = connect(spec, needs=needs, paths=paths)
    client = conn.__enter__()
    return DaskPool(client, conn, timeout, retries=retries, ship_files=ship_files, label=spec.label)


class DaskPool:
    writes_here = False  # tasks return records; the pipeline stores them in this process

    def __init__(self, client, connection, timeout: float | None, *, retries: int, ship_files: bool, label: str):
        from distributed import as_completed
        self.client, self._connection, self.label = client, connection, label
        self.timeout, self.retries, self.ship_files = timeout, retries, ship_files
        self.n = worker_threads(client)
        self._done = as_completed(loop=client.loop)  # this client's loop, not the default client's
        self._live: dict = {}  # future -> (key, deadline, submitted)
        self._ready: deque = deque()  # finished, not yet reported
        self._shipped: dict[str, object] = {}  # path -> scattered bytes (a future), most recent last
        self.open = True
        # One warm-up task pinned to each worker: they load the segmenter while the client reads ahead.
        self._warm = [client.submit(warm_up, pure=False, workers=[w], allow_other_workers=False)
                      for w in client.scheduler_info()["workers"]]

    def submit(self, key, fn: Callable, *args, timeout: float | None = None, reads: str | None = None,
               needs_nlp: bool = False, first: bool = False, without_nlp: tuple | None = None, size: int = 0) -> None:
        """Queue fn(*args) on the cluster, as workers.TimedPool.submit does here.

        The routing arguments of the local pool mostly do not apply: every cluster worker loads the
        segmenter at connect (warm_up), so `needs_nlp` changes nothing and the task always runs in
        its whole form (`without_nlp`, the extract-only form for a worker forked before spaCy, is
        never used); `size` is left to the scheduler. `first` asks the scheduler to run the task
        ahead of those queued (a higher priority)."""
        shipped = {reads: self._ship(reads)} if (self.ship_files and reads) else None
        aliases = {reads: os.path.abspath(reads)} if (reads and not shipped and not os.path.isabs(reads)) else None
        future = self.client.submit(run_task, fn, args, shipped, aliases, pure=False, retries=self.retries,
                                    priority=1 if first else 0,
                                    key=f"{fn.__name__}-{key[0]}-{key[1]}-{key[2]}-{os.urandom(4).hex()}")
        limit = timeout if timeout is not None else self.timeout
        now = time.monotonic()
        self._live[future] = (key, now + limit if limit else None, now)
        self._done.add(future)

    def grow(self) -> None:
        """Nothing to start: the cluster's workers are up (and the scheduler adds any that join)."""

    def _ship(self, path: str):
        """The file's bytes scattered to the cluster once, shared by every task that reads it."""
        future = self._shipped.pop(path, None)
        if future is None:
            with open(path, "rb") as fh:
                future = self.client.scatter(fh.read(), hash=False)
        self._shipped[path] = future
        while len(self._shipped) > SHIPPED_KEEP:
            self._shipped.pop(next(iter(self._shipped)))  # tasks already holding it keep it alive
        return future

    def pending(self) -> int:
        return len(self._live)

    def results(self) -> Iterator[TaskResult]:
        # Finished futures wait in self._ready: the caller may stop iterating after any one result.
        while self._live:
            if not self._ready:
                self._ready.extend(self._next_done())
            while self._ready:
                future = self._ready.popleft()
                entry = self._live.pop(future, None)
                if entry is not None:  # not a task already reported as timed out
                    yield self._result(future, entry)
            yield from self._expired()

    def _next_done(self) -> list:
        """Futures that finished, waiting at most until the nearest deadline."""
        deadlines = [d for _, d, _ in self._live.values() if d is not None]
        if not deadlines:
            return self._done.next_batch(block=True)
        if not self._done.has_ready():
            from distributed import wait
            try:
                # wait() runs on the default client's loop: make it ours (a process may hold another Client)
                with self.client.as_current():
                    wait(list(self._live), timeout=max(0.01, min(deadlines) - time.monotonic()),
                         return_when="FIRST_COMPLETED")
            except TimeoutError:
                return []
        # One is done: as_completed delivers it in a moment (blocking here, not spinning, leaves the
        # cores to the workers).
        return self._done.next_batch(block=True)

    def _result(self, future, entry) -> TaskResult:
        key, _, submitted = entry
        if future.status == "finished":
            value, error, seconds = future.result()
            return TaskResult(key, value, error, seconds=seconds)
        try:
            exc = future.exception()
        except BaseException as cancelled:  # noqa: BLE001 - CancelledError: the cluster dropped the task
            exc = RuntimeError(f"the cluster cancelled the task ({type(cancelled).__name__})")
        if type(exc).__name__ == "KilledWorker":
            exc = RuntimeError(f"the worker process died each time it ran this task ({exc})")
        return TaskResult(key, error=exc, seconds=time.monotonic() - submitted)

    def _expired(self) -> Iterator[TaskResult]:
        now = time.monotonic()
        late = [f for f, (_, d, _) in self._live.items() if d is not None and now >= d]
        if not late:
            return
        late_keys = {f.key for f in late}
        stuck = [addr for addr, keys in self.client.processing().items() if late_keys & set(keys)]
        for future in late:
            key, _, submitted = self._live.pop(future)
            future.cancel()
            yield TaskResult(key, timed_out=True, seconds=now - submitted)
        if stuck:
            self.client.restart_workers(stuck)  # the only way to stop a task that is running

    def close(self) -> None:
        if self.open:
            self.open = False
            self._live.clear()
            self._shipped.clear()
            self._warm.clear()
            self._connection.__exit__(None, None, None)

    def terminate(self) -> None:
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
