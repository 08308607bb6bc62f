"""Ingest speed and memory against raw text extraction, measured in the same run.

Baselines (named, measured here on the same PDFs):
  raw-pypdfium2   pypdfium2 get_text_range() on every page, one process — the speed ceiling
  raw-pdfplumber  pdfplumber extract_text() on a sample of pages, one process
Candidates:
  ingest -j1      policyscope ingest: extraction + clean-up + segmentation + SQLite, one process
  ingest -j2      the same on two worker processes (long PDFs split by page range)
Goals: ingest -j1 >= 40% of raw-pypdfium2 pages/s; ingest -j2 >= 1.7x ingest -j1;
peak memory flat as the number of documents grows (1x vs 3x the corpus).

The baseline, -j1 and -j2 runs alternate (raw, j1, j2, raw, j1, j2, …), so a slow spell of a
shared machine falls on all of them; each row reports the median run.

Corpus: every PDF with a text layer under ../shared/corpus (policy/ and pdf-torture/) plus the
demo PDFs in corpus/. Run:  .venv/bin/python benchmarks/bench_ingest.py [--copies 1] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"


def corpus_pdfs() -> list[Path]:
    import pypdfium2 as pdfium
    if not SHARED.exists():
        sys.exit(f"skipped: {SHARED} is absent (the real-data corpus lives in ../shared beside the repository)")
    found = []
    for f in sorted(SHARED.glob("policy/*.pdf")) + sorted(SHARED.glob("pdf-torture/*.pdf")) + sorted(REPO.glob("corpus/*.pdf")):
        try:
            doc = pdfium.PdfDocument(str(f))
        except Exception:  # encrypted, empty, corrupt: not part of a speed measurement
            continue
        n = len(doc)
        chars = sum(len(doc[i].get_textpage().get_text_range()) for i in range(min(n, 3)))
        doc.close()
        if chars > 50 * min(n, 3):  # has a text layer
            found.append(f)
    return found


def replicate(pdfs: list[Path], copies: int, dest: Path) -> list[Path]:
    """Distinct files (distinct hashes) with the same content: a comment appended after %%EOF."""
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for c in range(copies):
        for f in pdfs:
            target = dest / f"c{c:02d}_{f.name}"
            if not target.exists():
                target.write_bytes(f.read_bytes() + f"\n%bench-copy-{c}\n".encode())
            out.append(target)
    return out


def raw_pypdfium2(pdfs: list[Path]) -> tuple[int, float]:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from pdfium_text_dump import text_dump  # the same loop bench_ingest_process.py runs as a fresh process
    t0 = time.perf_counter()
    pages = text_dump(pdfs)
    return pages, time.perf_counter() - t0


def raw_pdfplumber(pdfs: list[Path], max_pages: int) -> tuple[int, float]:
    import pdfplumber
    pages, t0 = 0, time.perf_counter()
    for f in pdfs:
        with pdfplumber.open(str(f)) as pdf:
            for page in pdf.pages[: max(0, max_pages - pages)]:
                page.extract_text()
                pages += 1
        if pages >= max_pages:
            break
    return pages, time.perf_counter() - t0


def child_ingest(folder: str, db: str, jobs: int, extractor: str) -> None:
    """Run in a subprocess so peak memory (this process + its workers) is measured per run. Modules
    are imported before the clock starts (spaCy too): this row is ingest itself; the whole process,
    start-up included, is benchmarks/bench_ingest_process.py's."""
    import policyscope.nlp  # noqa: F401 - imported, not loaded: loading the segmenter is ingest's work
    from policyscope.ingest.pipeline import IngestOptions, ingest_paths
    t0 = time.perf_counter()
    report = ingest_paths([folder], db, options=IngestOptions(jobs=jobs, extractor=extractor), progress=False)
    seconds = time.perf_counter() - t0
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"pages": report.n_pages, "seconds": seconds, "ok": report.count("ok"),
                      "failed": report.count("failed"), "peak_mb": max(own, kids) / 1024}))


def ingest_once(folder: Path, jobs: int, extractor: str = "pdfium") -> dict:
    """One whole-process ingest into a fresh store."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, __file__, "--child", str(folder), str(Path(tmp) / "b.db"),
                              str(jobs), extractor], capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_run(runs: list[dict]) -> dict:
    runs = sorted(runs, key=lambda r: r["seconds"])
    return runs[len(runs) // 2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=1,
                    help="copies of the corpus (default 1: every page distinct, so no warm tokenizer cache flatters us)")
    ap.add_argument("--plumber-pages", type=int, default=60, help="pages for the slow pdfplumber baseline")
    ap.add_argument("--repeat", type=int, default=3, help="runs per row; the median is reported (default 3)")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_ingest(args.child[0], args.child[1], int(args.child[2]), args.child[3])
        return
    pdfs = corpus_pdfs()
    work = Path(tempfile.mkdtemp(prefix="policyscope-bench-ingest-"))
    try:
        files = replicate(pdfs, args.copies, work / "x1")
        replicate(pdfs, 3 * args.copies, work / "x3")  # the 3x corpus, for the memory row
        print(f"corpus: {len(pdfs)} PDFs with a text layer x {args.copies} copies = {len(files)} files; "
              f"median of {args.repeat} runs per row")
        rows = []
        # The baseline, -j1 and -j2 runs alternate, so a slower spell of a shared machine falls on all three.
        raw: list[tuple[int, float]] = []
        runs: dict[int, list] = {1: [], 2: []}
        for _ in range(args.repeat):
            raw.append(raw_pypdfium2(files))
            for jobs in (1, 2):
                runs[jobs].append(ingest_once(work / "x1", jobs))
        pages, secs = sorted(raw, key=lambda r: r[1])[len(raw) // 2]
        base = pages / secs
        rows.append(("raw-pypdfium2 (baseline)", 1, pages, secs, base, None))
        p, s = raw_pdfplumber(files, args.plumber_pages)
        rows.append(("raw-pdfplumber extract_text", 1, p, s, p / s, None))
        results = {jobs: median_run(r) for jobs, r in runs.items()}
        for jobs, r in results.items():
            rows.append((f"policyscope ingest -j{jobs}", jobs, r["pages"], r["seconds"], r["pages"] / r["seconds"],
                         r["peak_mb"]))
        r3 = ingest_once(work / "x3", 2)
        rows.append(("policyscope ingest -j2, 3x corpus", 2, r3["pages"], r3["seconds"], r3["pages"] / r3["seconds"],
                     r3["peak_mb"]))
        print(f"\n{'method':<36} {'procs':>5} {'pages':>7} {'seconds':>8} {'pages/s':>8} {'vs raw':>7} {'peak MB':>8}")
        for name, procs, p, s, rate, mb in rows:
            mbs = f"{mb:8.0f}" if mb else f"{'':>8}"
            print(f"{name:<36} {procs:>5} {p:>7} {s:>8.2f} {rate:>8.1f} {rate / base:>7.2f} {mbs}")
        print("  raw-pypdfium2 runs (s): " + ", ".join(f"{x[1]:.2f}" for x in raw))
        for jobs, r in runs.items():
            print(f"  ingest -j{jobs} runs (s): " + ", ".join(f"{x['seconds']:.2f}" for x in r))
        r1, r2 = results[1], results[2]
        s1, s2 = r1["pages"] / r1["seconds"], r2["pages"] / r2["seconds"]
        print(f"\ngoal ingest -j1 >= 0.40 x raw-pypdfium2: {s1 / base:.2f}  {'met' if s1 / base >= 0.40 else 'NOT met'}")
        print(f"goal ingest -j2 >= 1.7 x ingest -j1:     {s2 / s1:.2f}  {'met' if s2 / s1 >= 1.7 else 'NOT met'}")
        peak_1x = max(r["peak_mb"] for r in runs[2])  # which process peaks varies run to run: the highest
        growth = r3["peak_mb"] / peak_1x
        print(f"peak memory 3x corpus / 1x corpus (-j2): {growth:.2f}  {'flat' if growth < 1.25 else 'GROWS'}"
              f"  ({r3['peak_mb']:.0f} MB vs {peak_1x:.0f} MB, the highest of the 1x runs)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
