"""Whole pipeline speed: ingest -> track -> topics -> dashboard on >= 20,000 PDF pages.

Corpus: every PDF under ../shared/corpus (the real policy PDFs and the PDF torture set),
replicated until the copies hold >= --pages pages. Each copy gets one extra trailing PDF comment
line, so its sha256 (and doc_id) differ and ingest stores it as a new document; copies keep their
original's manifest metadata (date, type, title + " [copy N]"). Copies are near-duplicates of each
other, so track and topics run with --include-duplicates: every page is counted, as if distinct.
Built once in benchmarks/.cache/pipeline/ (git-ignored) and reused; --rebuild builds it again.

Stages, each a separate `policyscope` process (whole-process wall time, so imports and start-up
count), peak memory = the largest sum of RSS over the stage's process tree (sampled every 0.1 s):

  ingest      policyscope ingest CORPUS --db DB --extractor {pdfium|pdfplumber} --jobs J
  track       policyscope track --db DB --include-duplicates --by-doc-type --out T
  topics      policyscope topics fit --db DB --k 10 --backend nmf --include-duplicates --out M
              + policyscope topics timeline M --out TL
  dashboard   policyscope dashboard --db DB --track T --topics M --topic-timeline TL --out D.html

Topic backend: NMF (scikit-learn, deterministic), the backend docs/topics.md recommends for large
corpora. On this corpus (~140,000 modelled units) fitting gensim's LDA takes minutes (LdaMulticore,
10 passes: 212 s for the fit alone); --backend lda or tomotopy measures those instead.

Variants: pdfium (the default extractor) and pdfplumber (--extractor pdfplumber) beside it; the
pdfplumber variant can run on fewer pages (--plumber-pages) and is then also shown extrapolated
linearly to --pages (marked "~").
Goal: <= 180 s for 20,000 pages on a 2-core machine, peak memory flat as the corpus grows
(--scaling runs the pdfium variant at 1/4, 1/2 and full size to show it).

Run:  .venv/bin/python benchmarks/bench_pipeline.py [--pages 20000] [--jobs 2] [--plumber-pages 2000]
                                                    [--variants pdfium,pdfplumber] [--scaling] [--rebuild]
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"
CACHE = REPO / "benchmarks" / ".cache" / "pipeline"
POLICYSCOPE = [sys.executable, "-m", "policyscope"]


# --------------------------------------------------------------------------------------
# corpus
# --------------------------------------------------------------------------------------
def source_pdfs() -> list[tuple[Path, dict, int]]:
    """(path, manifest row, pages) of every PDF under ../shared/corpus that pdfium can open."""
    import pypdfium2 as pdfium
    meta: dict[str, dict] = {}
    for manifest in SHARED.glob("*/MANIFEST.csv"):
        with open(manifest, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                meta[str(manifest.parent / row["file"])] = row
    out = []
    for pdf in sorted(SHARED.glob("**/*.pdf")):
        try:
            doc = pdfium.PdfDocument(str(pdf))
            n = len(doc)
            doc.close()
        except Exception:  # noqa: BLE001 - encrypted/corrupt torture files: still copied, they fail at ingest
            n = 0
        out.append((pdf, meta.get(str(pdf), {}), n))
    return out


def build_corpus(folder: Path, target_pages: int) -> tuple[int, int]:
    """Replicate the PDFs into `folder` until >= target_pages; returns (files, pages)."""
    sources = source_pdfs()
    if not sources:
        sys.exit(f"skipped: no PDFs under {SHARED}")
    per_copy = sum(n for _, _, n in sources)
    copies = -(-target_pages // per_copy)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    rows = []
    for c in range(copies):
        for pdf, meta, _n in sources:
            name = f"c{c:03d}-{pdf.parent.name}-{pdf.name}"
            data = pdf.read_bytes()
            (folder / name).write_bytes(data + f"\n%policyscope-benchmark copy {c}\n".encode() if c else data)
            title = meta.get("title") or pdf.stem.replace("-", " ").replace("_", " ")
            rows.append({"file": name, "title": f"{title} [copy {c}]" if c else title,
                         "publisher": meta.get("publisher", ""), "date": meta.get("date", ""),
                         "doc_type": meta.get("doc_type", "") or "report", "licence": meta.get("licence", "")})
    with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["file", "title", "publisher", "date", "doc_type", "licence"])
        w.writeheader()
        w.writerows(rows)
    return len(rows), copies * per_copy


def corpus_for(pages: int, rebuild: bool) -> tuple[Path, int, int]:
    folder = CACHE / f"corpus-{pages}"
    stamp = folder / ".built"
    if rebuild or not stamp.exists():
        t0 = time.perf_counter()
        files, total = build_corpus(folder, pages)
        stamp.write_text(f"{files} {total}\n")
        print(f"built {folder}: {files} files, {total:,} pages in {time.perf_counter() - t0:.0f}s", flush=True)
    files, total = (int(x) for x in stamp.read_text().split())
    return folder, files, total


# --------------------------------------------------------------------------------------
# measuring a process tree
# --------------------------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    out += [int(x) for x in fh.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(pid: int) -> int:
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _rss(p)
        stack += _children(p)
    return total


def run_stage(cmd: list[str], log: Path) -> tuple[float, float, int]:
    """(wall seconds, peak tree RSS in MB, exit code) of one command."""
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=REPO)
        peak = 0
        done = threading.Event()

        def sample():
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss(proc.pid))
                done.wait(0.1)

        th = threading.Thread(target=sample, daemon=True)
        th.start()
        code = proc.wait()
        done.set()
        th.join()
    return time.perf_counter() - t0, peak / 1e6, code


def pipeline(corpus: Path, work: Path, extractor: str, jobs: int, k: int, backend: str = "nmf",
             words: bool = True) -> dict:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    db = work / "bench.db"
    stages = {
        "ingest": [POLICYSCOPE + ["ingest", str(corpus), "--db", str(db), "--extractor", extractor,
                                  "--jobs", str(jobs), "--no-progress"]],
        "track": [POLICYSCOPE + ["track", "--db", str(db), "--include-duplicates", "--by-doc-type",
                                 "--out", str(work / "track")]],
        "topics": [POLICYSCOPE + ["topics", "fit", "--db", str(db), "--k", str(k), "--seed", "42", "--backend", backend,
                                  "--include-duplicates", "--workers", str(jobs), "--out", str(work / "topics"), "-q"],
                   POLICYSCOPE + ["topics", "timeline", str(work / "topics"), "--out", str(work / "timeline"),
                                  "--no-words"]],
        "dashboard": [POLICYSCOPE + ["dashboard", "--db", str(db), "--track", str(work / "track"), "--topics",
                                     str(work / "topics"), "--topic-timeline", str(work / "timeline"),
                                     "--out", str(work / "dashboard.html")] + ([] if words else ["--no-words"])],
    }
    out = {}
    for name, cmds in stages.items():
        secs, peak, code = 0.0, 0.0, 0
        for i, cmd in enumerate(cmds):
            s, p, code = run_stage(cmd, work / f"{name}{i}.log")
            secs += s
            peak = max(peak, p)
            if code:
                break
        out[name] = (secs, peak, code)
        status = "ok" if code == 0 else f"FAILED (exit {code}, see {work / name}0.log)"
        print(f"  {extractor:<10} {name:<10} {secs:7.1f}s  peak {peak:7.0f} MB  {status}", flush=True)
        if code:
            break
    out["pages"] = stored_pages(db)
    if (work / "dashboard.html").exists():
        out["dashboard_mb"] = (work / "dashboard.html").stat().st_size / 1e6
    return out


def stored_pages(db: Path) -> int:
    import sqlite3
    if not db.exists():
        return 0
    with sqlite3.connect(db) as c:
        return c.execute("SELECT COALESCE(SUM(n_pages), 0) FROM documents").fetchone()[0]


# --------------------------------------------------------------------------------------
def table(results: dict[str, dict], pages: int, plumber_scale: float | None) -> str:
    names = ["ingest", "track", "topics", "dashboard"]
    cols = list(results)
    lines = []
    head = f"{'stage':<12}" + "".join(f"{c:>26}" for c in cols)
    if plumber_scale:
        head += f"{'pdfplumber ~' + format(pages, ',') + ' p':>26}"
    lines.append(head)
    lines.append("-" * len(head))
    for n in names + ["total"]:
        row = f"{n:<12}"
        for c in cols:
            r = results[c]
            if n == "total":
                secs = sum(r[s][0] for s in names if s in r)
                peak = max((r[s][1] for s in names if s in r), default=0)
            elif n in r:
                secs, peak = r[n][0], r[n][1]
            else:
                row += f"{'-':>26}"
                continue
            row += f"{secs:>9.1f} s {peak:>7.0f} MB peak"
        if plumber_scale:
            r = results.get("pdfplumber")
            if r and (n in r or n == "total"):
                secs = (sum(r[s][0] for s in names if s in r) if n == "total" else r[n][0]) * plumber_scale
                row += f"{'~' + format(secs, '.0f') + ' s':>26}"
        lines.append(row)
    rates = "  ".join(f"{c}: {results[c]['pages']:,} pages stored, "
                      f"{results[c]['pages'] / max(sum(results[c][s][0] for s in names if s in results[c]), 1e-9):.0f}"
                      " pages/s end to end" for c in cols)
    lines.append(rates)
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=20_000)
    ap.add_argument("--plumber-pages", type=int, default=None,
                    help="Pages for the pdfplumber variant (default: --pages); shown extrapolated to --pages.")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--backend", default="nmf", help="Topic backend: nmf (default), lda or tomotopy.")
    ap.add_argument("--no-words", action="store_true", help="Dashboard without collocates/keyness panels.")
    ap.add_argument("--variants", default="pdfium,pdfplumber")
    ap.add_argument("--scaling", action="store_true", help="Also run pdfium at 1/4 and 1/2 of --pages.")
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args(argv)
    if not SHARED.exists():
        print(f"skipped: {SHARED} is absent")
        return 0
    print(f"policyscope pipeline benchmark: {os.cpu_count()} cores, --jobs {args.jobs}, "
          f"load average {os.getloadavg()[0]:.2f} at start", flush=True)
    results: dict[str, dict] = {}
    plumber_scale = None
    for variant in [v.strip() for v in args.variants.split(",") if v.strip()]:
        pages = args.pages if variant == "pdfium" else (args.plumber_pages or args.pages)
        corpus, files, total = corpus_for(pages, args.rebuild)
        print(f"{variant}: {files} files, {total:,} pages", flush=True)
        results[variant] = pipeline(corpus, CACHE / f"run-{variant}-{pages}", variant, args.jobs, args.k,
                                    args.backend, not args.no_words)
        results[variant]["corpus_pages"] = total
        if variant != "pdfium" and pages != args.pages:
            plumber_scale = args.pages / max(results[variant]["pages"], 1)
    if args.scaling:
        for frac in (4, 2):
            pages = args.pages // frac
            corpus, files, total = corpus_for(pages, args.rebuild)
            print(f"pdfium at 1/{frac}: {files} files, {total:,} pages", flush=True)
            results[f"pdfium/{frac}"] = pipeline(corpus, CACHE / f"run-pdfium-{pages}", "pdfium", args.jobs, args.k,
                                                 args.backend, not args.no_words)
    print()
    print(table(results, args.pages, plumber_scale))
    print(f"topic backend {args.backend}; load average {os.getloadavg()[0]:.2f} at end; "
          f"goal: <= 180 s for {args.pages:,} pages on 2 cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
