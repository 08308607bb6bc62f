"""Ingest on a Dask LocalCluster against this machine's process pool, measured in the same run.

Baselines (named, measured here on the same PDFs):
  ingest -j1        policyscope ingest --jobs 1 (one process)
  ingest -j2        policyscope ingest --jobs 2 (two forked workers, workers.TimedPool)
Candidates:
  cluster local:1   policyscope ingest --cluster local:1 (a LocalCluster of one worker process)
  cluster local:2   policyscope ingest --cluster local:2
Goals: local:2 >= 0.80 x ingest -j2 pages/s; local:1 >= 0.90 x ingest -j1 pages/s.

What is timed, the same for every row: each run is a fresh process; the modules are imported and the
engine is started before the clock, and the clock covers the ingest call on the ready engine.
  -jN      the segmenter (spaCy) is loaded in the process before the clock, so the pool's workers are
           forked with it (as the -j2 pool's second worker always is); `start s` is that load.
  local:N  the LocalCluster --cluster local:N starts (distributed.cluster.local_cluster: N worker
           processes, each importing the task modules and loading the segmenter when it starts, the
           preload docs/scale.md gives `dask worker`); `start s` is that start. The clock then covers
           connecting, the worker checks, planning, the tasks and the client writing every document.
The `with start` column adds `start s` to the ingest: what a run pays from a cold engine (imports
still outside). The four kinds of run alternate (j1, j2, c1, c2, j1, ...) so a slow spell of a shared
machine falls on all of them; each row reports the median run and the min-max of its runs, and the
ratios are medians of the ratios within a round. Also: the per-task overhead of the Dask pool against
TimedPool (tiny tasks, round trip each), and client peak memory on a synthetic 5,000- and 20,000-page
run (real pages, distinct bytes) on local:2: flat when the 20,000-page peak is within 25% of the 5,000's.

Corpus: every PDF with a text layer under ../shared/corpus (policy/ and pdf-torture/) plus the
demo PDFs. Run:  .venv/bin/python benchmarks/bench_dask.py [--repeat 5] [--synthetic-pages 20000 | 0 to skip]
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import REPO, corpus_pdfs, median_run, replicate  # noqa: E402

KINDS = {"ingest -j1": {"jobs": 1}, "ingest -j2": {"jobs": 2}, "cluster local:1": {"scheduler": "local:1"},
         "cluster local:2": {"scheduler": "local:2"}}


def peak_mb() -> float:
    return [int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")][0] / 1024


def child_ingest(folder: str, db: str, kind: str) -> None:
    """In a fresh process: one ingest on a ready engine; prints pages, seconds, the engine's start and this
    (the client) process's peak memory."""
    import policyscope.nlp  # noqa: F401 - spaCy imported before the clock, in every row
    from policyscope.ingest import IngestOptions, ingest_paths
    options, cluster = dict(KINDS[kind]), None
    t0 = time.perf_counter()
    if "scheduler" in options:
        from policyscope.distributed.cluster import local_cluster
        cluster = local_cluster(int(options["scheduler"].split(":")[1]))
        options["scheduler"] = cluster.scheduler_address
    else:
        policyscope.nlp.load_segmenter()  # the pool's workers are forked with it
    start = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = ingest_paths([folder], db, options=IngestOptions(**options), progress=False)
    seconds = time.perf_counter() - t0
    if cluster is not None:
        cluster.close()
    print(json.dumps({"pages": report.n_pages, "seconds": seconds, "start_seconds": start, "ok": report.count("ok"),
                      "failed": report.count("failed"), "client_peak_mb": peak_mb()}))


def ingest_once(folder: Path, kind: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, __file__, "--child", str(folder), str(Path(tmp) / "b.db"), kind],
                             capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def task_overhead(n: int = 400) -> dict[str, float]:
    """Milliseconds per tiny task, submitted through each pool's interface one after another (round trip)."""
    import os
    from contextlib import nullcontext
    from distributed import Client
    from policyscope.distributed.cluster import local_cluster
    from policyscope.ingest.dask_pool import DaskPool
    from policyscope.ingest.workers import TimedPool

    def per_task(pool) -> float:
        for _ in range(20):  # warm
            pool.submit((0, "x", 0), os.getpid)
            list(pool.results())
        t0 = time.perf_counter()
        for i in range(n):
            pool.submit((i, "x", 0), os.getpid)
            list(pool.results())
        return 1000 * (time.perf_counter() - t0) / n

    out = {}
    with TimedPool(1, timeout=60) as pool:
        out["TimedPool (1 worker)"] = per_task(pool)
    with local_cluster(1) as cluster, Client(cluster, direct_to_workers=True) as client:
        out["DaskPool (local:1)"] = per_task(DaskPool(client, nullcontext(), 60, retries=2, ship_files=False,
                                                      label="local:1"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="runs per row; the median is reported (default 5)")
    ap.add_argument("--synthetic-pages", type=int, default=20_000, help="pages of the memory run (default 20000; 0: no memory run)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_ingest(*args.child)
        return
    pdfs = corpus_pdfs()
    work = Path(tempfile.mkdtemp(prefix="policyscope-bench-dask-"))
    try:
        files = replicate(pdfs, 1, work / "x1")
        runs: dict[str, list] = {k: [] for k in KINDS}
        for _ in range(args.repeat):
            for kind in KINDS:
                runs[kind].append(ingest_once(work / "x1", kind))
        med = {k: median_run(r) for k, r in runs.items()}
        rate = {k: r["pages"] / r["seconds"] for k, r in med.items()}

        def ratio(a: str, b: str, cold: bool = False) -> float:
            """Median over rounds of a's pages/s over b's (b's seconds / a's)."""
            t = (lambda r: r["seconds"] + r["start_seconds"]) if cold else (lambda r: r["seconds"])
            return statistics.median(t(y) / t(x) for x, y in zip(runs[a], runs[b]))

        print(f"corpus: {len(files)} PDFs, {med['ingest -j1']['pages']} pages; {args.repeat} alternating rounds; "
              "seconds: the ingest call on a ready engine (median, min-max); start s: the engine's start (median)\n")
        print(f"{'method':<16} {'pages':>5} {'seconds':>7} {'(min-max)':>13} {'pages/s':>8} {'vs -j1':>6} {'vs -j2':>6} "
              f"{'start s':>7} {'with start':>10} {'client MB':>9}")
        for k, r in med.items():
            lo, hi = min(x["seconds"] for x in runs[k]), max(x["seconds"] for x in runs[k])
            start = statistics.median(x["start_seconds"] for x in runs[k])
            cold = statistics.median(x["pages"] / (x["seconds"] + x["start_seconds"]) for x in runs[k])
            print(f"{k:<16} {r['pages']:>5} {r['seconds']:>7.2f} {f'({lo:.2f}-{hi:.2f})':>13} {rate[k]:>8.1f} "
                  f"{ratio(k, 'ingest -j1'):>6.2f} {ratio(k, 'ingest -j2'):>6.2f} {start:>7.2f} {cold:>8.1f}/s "
                  f"{r['client_peak_mb']:>9.0f}")
        for k, r in runs.items():
            print(f"  {k} runs (s): " + ", ".join(f"{x['seconds']:.2f}" for x in r))
        g2, g1 = ratio("cluster local:2", "ingest -j2"), ratio("cluster local:1", "ingest -j1")
        print(f"\ngoal local:2 >= 0.80 x ingest -j2: {g2:.2f}  {'met' if g2 >= 0.80 else 'NOT met'}"
              f"   (with start: {ratio('cluster local:2', 'ingest -j2', cold=True):.2f})")
        print(f"goal local:1 >= 0.90 x ingest -j1: {g1:.2f}  {'met' if g1 >= 0.90 else 'NOT met'}"
              f"   (with start: {ratio('cluster local:1', 'ingest -j1', cold=True):.2f})")

        print("\nper-task overhead (a tiny task's round trip, one at a time):")
        for name, ms in task_overhead().items():
            print(f"  {name:<22} {ms:6.2f} ms")

        if not args.synthetic_pages:
            return
        pages_per_copy = med["ingest -j1"]["pages"]
        copies = -(-args.synthetic_pages // pages_per_copy)
        big = replicate(pdfs, copies, work / "big")
        quarter = work / "quarter"
        quarter.mkdir()
        for f in big[: len(big) // 4]:
            (quarter / f.name).symlink_to(f)
        print(f"\nclient memory on local:2 (synthetic: {copies} copies of the corpus, distinct bytes):")
        flat = {}
        for name, folder in (("1/4", quarter), ("all", work / "big")):
            r = ingest_once(folder, "cluster local:2")
            flat[name] = r
            print(f"  {r['pages']:>6} pages  {r['seconds']:7.1f} s  {r['pages'] / r['seconds']:6.1f} pages/s  "
                  f"client peak {r['client_peak_mb']:.0f} MB  ({r['ok']} ok, {r['failed']} failed)")
        growth = flat["all"]["client_peak_mb"] / flat["1/4"]["client_peak_mb"]
        print(f"client peak {flat['all']['pages']} / {flat['1/4']['pages']} pages: {growth:.2f}  "
              f"{'flat' if growth < 1.25 else 'GROWS'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
