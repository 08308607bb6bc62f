"""Whole-process ingest speed: what a user pays, start-up, imports and per-file work included.

Each run is a fresh process on the same folder, measured from start to exit:
  baseline   `python benchmarks/pdfium_text_dump.py FOLDER`: opens every PDF with pypdfium2
             and reads the text of every page (no clean-up, no store)
  -j1        `policyscope ingest FOLDER --db NEW.db --jobs 1`: extraction, full clean-up,
             segmentation, near-duplicate signatures, SQLite + FTS, one process
  -j2        the same with --jobs 2
  --help     `policyscope --help`: start-up alone
The runs alternate (baseline, -j1, -j2, --help, baseline, ...), so a slow spell of a shared machine
falls on all of them; each row gives the median of its runs (min-max beside it), and the ratios
are the medians of the ratios within a round.

Goals (issue #13): -j1 at least 0.40 x the baseline's speed; -j2 at least 1.7 x as fast as -j1.

Corpus: the ordinary-size policy PDFs under ../shared/corpus/policy (a text layer, at most
--max-pages pages each), linked into a temporary folder.
Run:  .venv/bin/python benchmarks/bench_ingest_process.py [--rounds 5] [--max-pages 120]
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"
POLICYSCOPE = str(Path(sys.executable).with_name("policyscope"))


def ordinary_pdfs(max_pages: int) -> list[tuple[Path, int]]:
    import pypdfium2 as pdfium
    if not SHARED.exists():
        sys.exit(f"skipped: {SHARED} is absent (the real-data corpus lives in ../shared beside the repository)")
    found = []
    for f in sorted(SHARED.glob("policy/*.pdf")):
        try:
            doc = pdfium.PdfDocument(str(f))
        except Exception:  # encrypted or corrupt: not an ordinary file
            continue
        n = len(doc)
        chars = sum(len(doc[i].get_textpage().get_text_range()) for i in range(n)) if n <= max_pages else 0
        doc.close()
        if n <= max_pages and chars > 50 * n:  # a text layer (not a scan)
            found.append((f, n))
    return found


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children) of one fresh run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5, help="runs of each command, alternating (default 5)")
    ap.add_argument("--max-pages", type=int, default=120, help="largest file in the corpus, in pages (default 120)")
    args = ap.parse_args()
    pdfs = ordinary_pdfs(args.max_pages)
    work = Path(tempfile.mkdtemp(prefix="policyscope-bench-process-"))
    try:
        folder = work / "pdfs"
        folder.mkdir()
        for f, _ in pdfs:
            os.symlink(f, folder / f.name)
        pages = sum(n for _, n in pdfs)
        print(f"corpus: {len(pdfs)} policy PDFs of at most {args.max_pages} pages, {pages} pages "
              f"({min(n for _, n in pdfs)}-{max(n for _, n in pdfs)} a file); {args.rounds} alternating rounds")
        commands = {
            "baseline: pypdfium2 text dump": lambda r: [sys.executable, str(REPO / "benchmarks" / "pdfium_text_dump.py"),
                                                        str(folder)],
            "policyscope ingest -j1": lambda r: [POLICYSCOPE, "ingest", str(folder), "--db", str(work / f"j1_{r}.db"),
                                                 "--jobs", "1", "--no-progress"],
            "policyscope ingest -j2": lambda r: [POLICYSCOPE, "ingest", str(folder), "--db", str(work / f"j2_{r}.db"),
                                                 "--jobs", "2", "--no-progress"],
            "policyscope --help": lambda r: [POLICYSCOPE, "--help"],
        }
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        timed(commands["policyscope ingest -j1"]("warm"), work)  # warm the page cache and .pyc files
        for r in range(args.rounds):
            for name, cmd in commands.items():
                runs[name].append(timed(cmd(r), work))
        base = runs["baseline: pypdfium2 text dump"]
        j1, j2 = runs["policyscope ingest -j1"], runs["policyscope ingest -j2"]
        print(f"\n{'method':<32} {'wall s':>7} {'(min-max)':>13} {'CPU s':>6} {'pages/s':>8} {'vs baseline':>11}")
        for name, rs in runs.items():
            wall = statistics.median(w for w, _ in rs)
            cpu = statistics.median(c for _, c in rs)
            lo, hi = min(w for w, _ in rs), max(w for w, _ in rs)
            rate = f"{pages / wall:8.1f}" if "help" not in name else f"{'':>8}"
            vs = f"{statistics.median(b[0] / x[0] for b, x in zip(base, rs)):11.2f}" if "help" not in name else ""
            print(f"{name:<32} {wall:7.2f} {f'({lo:.2f}-{hi:.2f})':>13} {cpu:6.2f} {rate} {vs}")
        speed_j1 = statistics.median(b[0] / x[0] for b, x in zip(base, j1))
        speed_j2 = statistics.median(a[0] / b[0] for a, b in zip(j1, j2))
        print("  rounds (wall s): " + "; ".join(f"{b[0]:.2f} / {a[0]:.2f} / {c[0]:.2f}" for b, a, c in zip(base, j1, j2))
              + "  (baseline / -j1 / -j2)")
        cpu_j1 = statistics.median(b[1] / x[1] for b, x in zip(base, j1))
        print(f"  -j1 against the baseline in CPU seconds (less moved by other work on a shared machine): {cpu_j1:.3f}")
        print(f"\ngoal -j1 >= 0.40 x the baseline's speed: {speed_j1:.3f}  {'met' if speed_j1 >= 0.40 else 'NOT met'}")
        print(f"goal -j2 >= 1.7 x as fast as -j1:       {speed_j2:.3f}  {'met' if speed_j2 >= 1.7 else 'NOT met'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
