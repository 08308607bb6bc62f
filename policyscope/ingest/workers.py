"""Where ingest tasks run: a process pool whose tasks have a hard time limit, or this process.

concurrent.futures cannot stop one running task, and one pathological PDF must not stall a
batch of thousands. Each worker here has its own pipe, so a worker stuck past its deadline
can be killed and replaced without corrupting a shared queue.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import wait


@dataclass
class TaskResult:
    key: object
    value: object = None
    error: BaseException | None = None
    timed_out: bool = False
    seconds: float = 0.0


def _worker_main(conn, parent_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    while True:
        # If the parent dies (kill -9) no EOF may ever come: workers forked later hold the parent's
        # end of this pipe open. So check, while idle, that the parent is still there.
        while not conn.poll(1.0):
            if os.getppid() != parent_pid:
                return
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        key, fn, args = msg
        t0 = time.perf_counter()
        try:
            value = fn(*args)
            out = (key, value, None, time.perf_counter() - t0)
        except Exception as exc:  # noqa: BLE001 - reported to the parent as this task's outcome
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            out = (key, None, exc, time.perf_counter() - t0)
        try:
            conn.send(out)
        except Exception as exc:  # unpicklable result or error
            conn.send((key, None, RuntimeError(f"cannot return result: {exc}"), time.perf_counter() - t0))


def segmenter_loaded() -> bool:
    """Has this process loaded the segmenter (spaCy)? A worker forked now inherits it."""
    nlp = sys.modules.get("policyscope.nlp")
    return nlp is not None and nlp.load_segmenter.cache_info().currsize > 0


EITHER_BACKLOG = 3  # documents waiting before a worker with the segmenter takes one whole (measured: 2, 3, 9)


class _Worker:
    def __init__(self, ctx):
        self.nlp = segmenter_loaded()  # forked with the segmenter: tasks that segment cost it no load
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, os.getpid()), daemon=True)
        self.proc.start()
        child.close()
        self.task = None  # (key, deadline, started, needs_nlp)

    def kill(self) -> None:
        try:
            self.proc.kill()
        finally:
            self.proc.join(5)
            self.conn.close()


class TimedPool:
    """Run tasks on `n` worker processes, each task killed after `timeout` seconds.

    submit() queues work; results() yields TaskResult as tasks finish (in completion order).
    Tasks submitted while iterating results() are picked up too.
    """

    def __init__(self, n: int, timeout: float | None = None, start: int | None = None):
        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        self._ctx = mp.get_context(method)
        self.n = max(1, n)
        self.timeout = timeout
        self._queue: deque = deque()
        # `start` of the n workers are forked now, the others by grow(): the caller can fork a
        # first worker, give it work that needs no segmenter, load spaCy meanwhile, then fork the
        # rest with it loaded (one load for all, while a core already works).
        self._workers = [_Worker(self._ctx) for _ in range(min(self.n, start or self.n))]
        self._forks_allowed = True

    @contextmanager
    def no_forks(self):
        """While inside, a worker that dies or times out is not replaced at once (grow() replaces it)."""
        self._forks_allowed = False
        try:
            yield
        finally:
            self._forks_allowed = True

    def grow(self) -> None:
        """Fork the workers not started yet (and those lost while forks were held back)."""
        while len(self._workers) < self.n:
            self._workers.append(_Worker(self._ctx))
        self._dispatch()

    def submit(self, key, fn: Callable, *args, timeout: float | None = None, reads: str | None = None,
               needs_nlp: bool = False, first: bool = False, without_nlp: tuple | None = None, size: int = 0) -> None:
        """Queue fn(*args) (`first`: ahead of the others). `reads` names the file the task reads:
        workers here read it by its path (dask_pool.DaskPool may ship it instead). `needs_nlp`: it
        segments, so it goes to a worker forked with the segmenter loaded while there is one (any
        worker can run it: one without loads the segmenter on its first such task). `without_nlp` =
        (key, fn, args): what
        a worker without the segmenter does instead (extract a PDF whose pages another worker then
        segments and stores), so whichever worker is free takes the task in the form it suits;
        `size` (pages) says which of those documents is longest."""
        item = (key, fn, args, timeout if timeout is not None else self.timeout, needs_nlp, without_nlp, size)
        self._queue.appendleft(item) if first else self._queue.append(item)
        self._dispatch()  # an idle worker starts now, not when the caller next reads results

    def pending(self) -> int:
        return len(self._queue) + sum(w.task is not None for w in self._workers)

    def _next_for(self, w: _Worker):
        """The task worker `w` runs next, as (key, fn, args, timeout, needs_nlp), or None (it waits).

        Extracting a PDF costs about twice what segmenting and storing its pages does, so while a
        worker without the segmenter is there it extracts, and one with the segmenter stores what
        it extracted: a worker with the segmenter takes the first task that strictly needs it,
        else a whole document only when EITHER_BACKLOG or more wait, else another task; one without takes
        the first task it can do without (in that form), and one that needs the segmenter only
        when no worker will ever have it."""
        queue = self._queue
        if w.nlp:
            chosen = next((item for item in queue if item[4] and item[5] is None), None)  # pages to store
            if chosen is None:
                # A document either worker can take: left to a worker without the segmenter, which
                # extracts it while this one stores pages, unless more wait than it can take next;
                # then the latest (the shortest: the caller hands out the longest first).
                either = [item for item in queue if item[5] is not None]
                if not any(not o.nlp for o in self._workers):
                    chosen = queue[0]  # every worker has the segmenter: in order, the longest first
                elif len(either) >= EITHER_BACKLOG:
                    chosen = min(reversed(either), key=lambda item: item[6])  # the shortest
                else:
                    chosen = next((item for item in queue if item[5] is None), None)
                    if chosen is None:
                        return None
            queue.remove(chosen)
            return chosen[:5]
        either = [item for item in queue if item[5] is not None]
        if either:  # the longest document (the first of them when as long)
            item = max(either, key=lambda item: item[6])
            queue.remove(item)
            key, fn, args = item[5]
            return key, fn, args, item[3], False
        for item in queue:
            if not item[4]:
                queue.remove(item)
                return item[:5]
        if not any(o.nlp for o in self._workers) and len(self._workers) == self.n:
            return queue.popleft()[:5]
        return None

    def _dispatch(self) -> None:
        for w in self._workers:
            if w.task is None and self._queue:
                item = self._next_for(w)
                if item is None:
                    continue
                key, fn, args, timeout, needs_nlp = item
                w.conn.send((key, fn, args))
                now = time.monotonic()
                w.task = (key, now + timeout if timeout else None, now, needs_nlp)

    def results(self, poll: float | None = None) -> Iterator[TaskResult | None]:
        """poll: wait at most this long for a result; None is yielded when none came (the caller
        can do other work and ask again)."""
        while self.pending():
            self._dispatch()
            busy = [w for w in self._workers if w.task is not None]
            deadlines = [w.task[1] for w in busy if w.task[1] is not None]
            wait_for = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            if poll is not None:
                wait_for = poll if wait_for is None else min(wait_for, poll)
            ready = wait([w.conn for w in busy], timeout=wait_for)
            if poll is not None and not ready and not any(
                    w.task[1] is not None and time.monotonic() >= w.task[1] for w in busy):
                yield None
                continue
            for w in busy:
                if w.conn in ready:
                    try:
                        key, value, error, secs = w.conn.recv()
                    except (EOFError, OSError):
                        # The worker died (segfault in a native library, out of memory): report and replace.
                        key, started = w.task[0], w.task[2]
                        code = w.proc.exitcode
                        self._replace(w)
                        yield TaskResult(key, error=RuntimeError(f"the worker process died (exit code {code})"),
                                         seconds=time.monotonic() - started)
                        continue
                    w.task = None
                    self._dispatch()  # keep the worker busy while the caller handles this result
                    yield TaskResult(key, value, error, seconds=secs)
                elif w.task[1] is not None and time.monotonic() >= w.task[1]:
                    key, started = w.task[0], w.task[2]
                    self._replace(w)
                    yield TaskResult(key, timed_out=True, seconds=time.monotonic() - started)

    def _replace(self, w: _Worker) -> None:
        w.kill()
        if self._forks_allowed:
            self._workers[self._workers.index(w)] = _Worker(self._ctx)
        else:
            self._workers.remove(w)

    def close(self) -> None:
        for w in self._workers:
            try:
                w.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        for w in self._workers:
            w.proc.join(2)
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join(2)
            w.conn.close()

    def terminate(self) -> None:
        for w in self._workers:
            w.kill()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *rest):
        if exc_type is None:
            self.close()
        else:
            self.terminate()


@contextmanager
def fewer_gc_passes(*, thaw: bool = False):
    """Cyclic GC passes every 50,000 allocations instead of 700 for the length of the block. Ingest
    allocates millions of short-lived objects and almost no cycles, and each full pass walked
    everything loaded, spaCy's vocabulary included (~2% of the time here; ~6% of a cluster worker's
    task time, whose heap also holds the worker's own state). Undone at the end, for callers in a
    notebook; thaw: objects the caller froze (gc.freeze) meanwhile are thawed too."""
    old = gc.get_threshold()
    gc.set_threshold(50_000, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if thaw:
            gc.unfreeze()


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class InlinePool:
    """Same interface as TimedPool, runs each task here; the time limit is a SIGALRM (checked between
    Python bytecodes, so a native call that never returns cannot be interrupted — use --jobs 2+ for that)."""

    def __init__(self, timeout: float | None):
        self.timeout = timeout
        self._queue: list = []

    def submit(self, key, fn, *args, timeout=None, reads=None, needs_nlp=False, first=False, without_nlp=None,
               size=0):
        item = (key, fn, args, timeout if timeout is not None else self.timeout)
        self._queue.insert(0, item) if first else self._queue.append(item)

    def grow(self) -> None:
        pass

    def pending(self) -> int:
        return len(self._queue)

    def results(self) -> Iterator[TaskResult]:
        import threading
        # Signals can only be set from the main thread; elsewhere (a notebook's worker thread) run without a limit.
        use_alarm = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
        while self._queue:
            key, fn, args, timeout = self._queue.pop(0)
            t0 = time.perf_counter()

            def on_alarm(signum, frame):
                raise _Timeout()

            old = signal.signal(signal.SIGALRM, on_alarm) if (use_alarm and timeout) else None
            if old is not None:
                signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                value = fn(*args)
                res = TaskResult(key, value, seconds=time.perf_counter() - t0)
            except _Timeout:
                res = TaskResult(key, timed_out=True, seconds=time.perf_counter() - t0)
            except Exception as exc:  # noqa: BLE001 - becomes this file's outcome
                res = TaskResult(key, error=exc, seconds=time.perf_counter() - t0)
            finally:
                if old is not None:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, old)
            yield res

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._queue.clear()


class _Timeout(Exception):
    pass
