"""Concept detection: quality on sentences nobody tuned to, and speed, each against its baseline in the
same run.

Quality (the figures in docs/tracking.md and the README): `policyscope detect evaluate` on the shipped
model folder's recipe: 5-fold cross-validation grouped by document over the hand-coded training
sentences (models/labels/social_care_train.csv, rounds 1-4; their texts are rebuilt from ../shared/corpus
and, for rounds 2-4, from --corpus-root if given, else those rows are left out and the table says so),
leave-one-collection-out cross-validation (each coding round's source group predicted by detectors
refitted without it), the five seed texts as the out-of-domain set and, when its documents are under a
--corpus-root, the round-5 held-out set (models/labels/social_care_heldout_round5.csv: 505 sentences of
28 documents drawn and coded after the detector was frozen); the plain-keyword baseline and the lexicon
are scored on the same rows in the same run. Precision, recall, F1 with 95% intervals (documents
resampled), with and without borderline rows.

Speed: a store of the whole shared corpus (policy/, dated-text/ manifesto texts, Manifesto Project
quasi-sentences and the Hansard sample), then whole-process `policyscope track` with
--detector lexicon (the baseline: today's lexicon-only tracking) and with the default hybrid
detector, alternating, median of --repeat runs. Goal: hybrid <= 1.5x lexicon. And the detector's
tagging throughput in one process (sentences per minute; goal >= 200,000 on 2 cores).

Run:  .venv/bin/python benchmarks/bench_detect.py [--corpus-root DIR ...] [--repeat 5] [--skip-quality]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared" / "corpus"
CACHE = REPO / "benchmarks" / ".cache"
POLICYSCOPE = [str(Path(sys.executable).parent / "policyscope")]  # the console script users run


# the held-out label sets scored when their documents are under a --corpus-root: (set name, labels, sources)
FURTHER_SETS = [("heldout", "social_care_heldout_round5.csv", "sources_round5.csv")]


def _any_found(roots: list[Path], sources: str) -> bool:
    """Whether any document of a round is under the given roots (the set is only read when some are)."""
    import csv
    path = REPO / "models" / "labels" / sources
    if not path.exists():
        return False
    with open(path, newline="", encoding="utf-8") as fh:
        names = [r["file"] for r in csv.DictReader(fh)]
    return any((root / n).is_file() for root in roots for n in names)


def quality(roots: list[Path]) -> None:
    from policyscope.analyse.detect.evaluation import collections_table, evaluate, metrics_table
    from policyscope.analyse.detect.labels import default_roots, read_labels
    from policyscope.analyse.lexicon import load_lexicon
    from policyscope.cli.tables import print_table
    lex = load_lexicon()
    train = read_labels(REPO / "models/labels/social_care_train.csv", lex.concept_names,
                        roots=roots + default_roots(), skip_missing=True)
    seeds = read_labels(REPO / "models/labels/social_care_seeds.csv", lex.concept_names)
    tests = {"seeds": seeds}
    read = []
    for name, labels, sources in FURTHER_SETS:
        if _any_found(roots, sources):
            tests[name] = read_labels(REPO / "models" / "labels" / labels, lex.concept_names,
                                      roots=roots + default_roots(), skip_missing=True)
            read.append(f"{len(tests[name])} {name} sentences ({len(tests[name].skipped)} left out)")
        else:
            read.append(f"no {name} sentences (the documents of {sources} are not under --corpus-root)")
    print(f"\n== quality: {len(train)} training sentences ({len(train.skipped)} left out: their documents are not "
          f"under the corpus roots), {len(seeds)} seed-text sentences, " + ", ".join(read) + "\n")
    with tempfile.TemporaryDirectory() as tmp:
        import shutil
        folder = Path(tmp) / "det"
        shutil.copytree(REPO / "models/detectors/social_care", folder)  # metrics.json is written here, not shipped
        t0 = time.perf_counter()
        m = evaluate(folder, train, lex, tests=tests, cv_by=["round", "source_group"])
        print(f"evaluated in {time.perf_counter() - t0:.0f}s (4 backends, 2 trained ones refitted per fold)")
    for variant in ("all", "no_borderline"):
        headers, rows = metrics_table(m, variant)
        print(f"\n{'with' if variant == 'all' else 'without'} borderline rows (baseline: keyword)")
        print_table(headers, rows)
    print("\nleft out one round/source_group at a time, with borderline rows (baseline: keyword)")
    print_table(*collections_table(m, "all"))


def corpus_store(db: Path) -> None:
    if db.exists():
        return
    tmp = db.with_suffix(".building.db")
    for p in (tmp, Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm")):
        p.unlink(missing_ok=True)
    dated = SHARED / "dated-text"
    steps = [[str(SHARED / "policy"), "--manifest", str(SHARED / "policy" / "MANIFEST.csv")],
             [*map(str, sorted(dated.glob("manifesto_text_*.txt"))), "--manifest", str(dated / "MANIFEST.csv")],
             [*map(str, sorted(dated.glob("cmp_coded_*.csv"))), "--text-column", "text", "--manifest",
              str(dated / "MANIFEST.csv")],
             [str(dated / "hoc_parlspeech_v2_sample_shared.csv"), "--text-column", "text", "--date-column", "date",
              "--title-column", "speaker"]]
    for args in steps:
        subprocess.run(POLICYSCOPE + ["ingest", *args, "--db", str(tmp)], check=True, capture_output=True)
    tmp.rename(db)


def speed(repeat: int) -> None:
    import sqlite3
    CACHE.mkdir(parents=True, exist_ok=True)
    db = CACHE / "shared_corpus_track.db"
    corpus_store(db)
    n_sent, n_docs = sqlite3.connect(db).execute(
        "SELECT COUNT(*), COUNT(DISTINCT doc_id) FROM sentences WHERE section='body'").fetchone()
    print(f"\n== speed: whole-process track on the shared corpus ({n_docs:,} documents, {n_sent:,} body sentences), "
          f"{repeat} alternating runs each\n")
    times: dict[str, list[float]] = {"lexicon": [], "hybrid": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            for det in times:
                t0 = time.perf_counter()
                subprocess.run(POLICYSCOPE + ["track", "--db", str(db), "--detector", det, "--out", f"{tmp}/{det}"],
                               check=True, capture_output=True)
                times[det].append(time.perf_counter() - t0)
    base = statistics.median(times["lexicon"])
    rows = []
    for det, ts in times.items():
        med = statistics.median(ts)
        rows.append([f"track --detector {det}" + (" (baseline)" if det == "lexicon" else ""), f"{med:.2f}",
                     f"{min(ts):.2f}-{max(ts):.2f}", f"{med / base:.2f}x"])
    from policyscope.cli.tables import print_table
    print_table(["run", "median s", "range s", "vs lexicon"], rows)
    print("goal: hybrid <= 1.50x lexicon-only")
    # tagging throughput in this process: the default detector on every body sentence, in document order
    from policyscope.analyse.detect import load_detector
    from policyscope.analyse.lexicon import load_lexicon
    from policyscope.analyse.track import tag_store
    from policyscope.store import open_store
    det = load_detector(None, load_lexicon())
    with open_store(db) as st:
        tag_store(st, det, ("body",))  # warm: the first pass fills the per-word column caches
        t0 = time.perf_counter()
        tagged = tag_store(st, det, ("body",))
        dt = time.perf_counter() - t0
    print(f"\ntagging with {det.label()} in one process: {tagged.n_sentences_scanned:,} sentences in {dt:.2f}s = "
          f"{tagged.n_sentences_scanned / dt * 60:,.0f} sentences/min (goal >= 200,000 on 2 cores)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus-root", action="append", default=[],
                    help="folder holding the round-2 documents (models/labels/sources_round2.csv)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument("--skip-speed", action="store_true")
    args = ap.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"skipped: {SHARED} is absent (the benchmark reads the shared corpus in place)")
    roots = [Path(r) for r in args.corpus_root] + [Path(p) for p in os.environ.get(
        "POLICYSCOPE_CORPUS_ROOTS", "").split(os.pathsep) if p]
    if not args.skip_quality:
        quality(roots)
    if not args.skip_speed:
        speed(args.repeat)


if __name__ == "__main__":
    main()
