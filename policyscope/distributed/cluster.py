"""Connecting to a Dask cluster: a LocalCluster of worker processes on loopback, or a running scheduler.

`connect(spec)` checks before any work is handed out that the scheduler answers, that it has
workers, and that every worker has what the job needs (the same policyscope version, the job's
packages, and, when the job reads a file by path, that file): each failure is one coded error that
names the address, the worker or the package, and what to do.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from policyscope import __version__
from policyscope.distributed.spec import ClusterSpec
from policyscope.errors import ClusterError, OptionalDependencyMissing, SchedulerUnreachable, WorkerDependencyMissing

CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler
WORKER_WAIT = 30.0  # seconds for a scheduler's first worker to appear
# The pip name of each module a job may need on the workers (what the error message tells to install).
PIP_NAMES = {"pypdfium2": "pypdfium2", "pdfplumber": "pdfplumber", "spacy": "spacy", "docx": "python-docx",
             "bs4": "beautifulsoup4", "lxml": "lxml", "pandas": "pandas", "pyarrow": "pyarrow", "gensim": "gensim",
             "numpy": "numpy"}


def require_dask() -> None:
    """OptionalDependencyMissing unless dask.distributed imports here."""
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise OptionalDependencyMissing(
            f"running on a Dask cluster needs dask.distributed, which is not installed ({exc})",
            hint="pip install 'policyscope[dask]'") from None


@contextmanager
def connect(spec: ClusterSpec, *, needs: Sequence[str] = (), paths: Sequence[str] = ()) -> Iterator:
    """A checked `distributed.Client` on the cluster `spec` names, closed (and a LocalCluster stopped) on exit.

    needs: modules every worker must import; paths: files every worker must see (a store read by path).
    """
    require_dask()
    from distributed import Client
    cluster = None
    try:
        if spec.local_workers:
            cluster = local_cluster(spec.local_workers)
            client = Client(cluster, direct_to_workers=True)
        else:
            _check_reachable(spec)
            try:
                client = Client(spec.address, timeout=CONNECT_TIMEOUT, direct_to_workers=True)
            except (OSError, TimeoutError) as exc:
                raise SchedulerUnreachable(f"no Dask scheduler answers: {exc}", path=spec.address,
                                           hint=_START_HINT) from None
    except ClusterError:
        if cluster is not None:
            cluster.close()
        raise
    try:
        _wait_for_workers(client, spec)
        check_workers(client, needs=needs, paths=paths)
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


WORKER_PRELOAD = "policyscope.distributed.worker_setup"


def local_cluster(n_workers: int):
    """The LocalCluster `--cluster local:N` starts: N worker processes on 127.0.0.1 (processes, not threads:
    the work is CPU-bound Python), one thread each like --jobs N, each importing policyscope's task modules
    when it starts (worker_setup.py, the preload docs/scale.md gives `dask worker`)."""
    require_dask()
    from distributed import LocalCluster
    return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                        dashboard_address=None, silence_logs=logging.ERROR, preload=[WORKER_PRELOAD])


_START_HINT = ("start one with `dask scheduler` and workers with `dask worker ADDRESS` (docs/scale.md), "
               "or try --cluster local:N on this machine")


def _check_reachable(spec: ClusterSpec) -> None:
    """A plain TCP connect first: an unreachable address fails in seconds with the reason, not after a retry loop."""
    host, port = spec.host_port
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SchedulerUnreachable(f"cannot reach the Dask scheduler: {reason}", path=spec.address,
                                   hint=_START_HINT) from None


def _wait_for_workers(client, spec: ClusterSpec) -> None:
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT)
    except (TimeoutError, OSError):
        raise ClusterError(f"the scheduler has no workers after {WORKER_WAIT:.0f}s", path=spec.label,
                           hint="start workers with `dask worker ADDRESS` on each machine (docs/scale.md)") from None


def check_workers(client, *, needs: Sequence[str] = (), paths: Sequence[str] = ()) -> None:
    """WorkerDependencyMissing / ClusterError naming the first worker that lacks a module, runs another
    policyscope version, or cannot see one of `paths`."""
    report = client.run(worker_report, list(needs), list(paths))
    for address, (version, missing, unseen) in sorted(report.items()):
        if version is None:
            raise WorkerDependencyMissing("policyscope is not installed on this worker", path=address,
                                          hint="pip install 'policyscope[dask]' on every worker machine")
        if version != __version__:
            raise WorkerDependencyMissing(f"the worker runs policyscope {version}, this client {__version__}",
                                          path=address, hint="install the same version on the client and workers")
        if missing:
            pip = " ".join(sorted({PIP_NAMES.get(m, m) for m in missing}))
            raise WorkerDependencyMissing(f"the worker cannot import {', '.join(missing)}", path=address,
                                          hint=f"pip install {pip} on that worker (or 'policyscope[dask]')")
        if unseen:
            raise ClusterError(f"the worker cannot read {', '.join(unseen)}", path=address,
                               hint="put the files on a filesystem every worker mounts at the same path, "
                                    "or use --ship-files (ingest) / a Parquet dataset (docs/scale.md)")


def worker_report(modules: list[str], paths: list[str]) -> tuple[str | None, list[str], list[str]]:
    """Runs on each worker: its policyscope version, the modules it cannot import, the paths it cannot read."""
    try:
        from policyscope import __version__ as version
    except ImportError:
        version = None
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    unseen = [p for p in paths if not os.access(p, os.R_OK)]
    return version, missing, unseen


def worker_threads(client) -> int:
    """Task slots on the cluster now (the sum of the workers' threads)."""
    return max(1, sum(client.nthreads().values()))


def engine_info(spec: ClusterSpec, client) -> dict:
    """For run.json: where the work ran."""
    import distributed
    workers = client.nthreads()
    return {"name": "dask.distributed", "version": distributed.__version__, "scheduler": spec.label,
            "workers": len(workers), "threads": sum(workers.values())}
