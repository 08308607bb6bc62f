"""Topic model speed and memory: K=20 on >= 1 million tokens, every backend, the same corpus.

Corpus: the UK manifesto texts 1945-2024 in ../shared/corpus/dated-text (about 0.56M word tokens),
ingested into throw-away stores as 1 copy and as N copies (default 2, about 1.1M tokens; each copy
gets a marker line so it is a distinct document, and duplicates are modelled). The corpus is
prepared once per store (lemmas, phrases, stopwords, pruning: streamed from the store to disk) and
every configuration is fitted on the same prepared units and terms, each in a fresh process so
its peak memory is its own.

"Comparable passes": 10 sweeps over the corpus for every method that sweeps (gensim passes=10,
tomotopy 10 Gibbs iterations, MiniBatchNMF 10 passes, scikit-learn LDA max_iter=10); tomotopy is
also run with its default 500 iterations, and batch NMF runs to its own convergence. Because
equal sweeps do not mean equal quality, NPMI coherence (top-10 terms, computed on the 1-copy
corpus) is printed beside each time. Memory: peak resident memory of the fitting process above
its size right after imports (VmHWM - VmRSS), at 1 copy and at N copies — a streaming method
should not grow with the corpus.

    python benchmarks/bench_topics.py                 # 1 and 2 copies, all configurations
    python benchmarks/bench_topics.py --copies 3 --configs lda,tomotopy

Prints a table; takes several minutes on two cores. Writes only to a temporary folder.
"""
from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_SHARED = REPO.parent / "shared" / "corpus" / "dated-text"
CONFIGS = {
    # name: (backend, ModelSettings overrides, what it is)
    "lda": ("lda", {"lda_passes": 10}, "gensim LdaModel, 10 passes"),
    "lda-multicore": ("lda", {"lda_passes": 10, "workers": 2}, "gensim LdaMulticore (1 worker + master), 10 passes"),
    "tomotopy-10": ("tomotopy", {"tp_iterations": 10}, "tomotopy LDAModel, 10 Gibbs iterations"),
    "tomotopy-500": ("tomotopy", {"tp_iterations": 500}, "tomotopy LDAModel, 500 Gibbs iterations (default)"),
    "nmf": ("nmf", {}, "scikit-learn NMF on TF-IDF, batch, to convergence (default)"),
    "nmf-minibatch": ("nmf", {"nmf_batch_max_nnz": 0, "nmf_minibatch_passes": 10},
                      "scikit-learn MiniBatchNMF, streamed, 10 passes"),
    "sklearn-lda": ("sklearn", {}, "baseline: scikit-learn LatentDirichletAllocation, batch, max_iter=10"),
}


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


# --------------------------------------------------------------------------------------
# child: fit one configuration, print one JSON line
# --------------------------------------------------------------------------------------
def child(config: str, corpus_dir: str, k: int, seed: int, coherence: bool) -> None:
    import numpy as np

    from policyscope.analyse.topics.backends import make_backend
    from policyscope.analyse.topics.corpus import PreparedCorpus
    from policyscope.analyse.topics.settings import ModelSettings
    import sklearn.decomposition  # noqa: F401 - imported up front so every child starts from the same baseline
    import tomotopy  # noqa: F401
    corpus = PreparedCorpus(corpus_dir)
    _ = corpus.dictionary
    base = _status_mb("VmRSS")
    backend, overrides, _ = CONFIGS[config]
    t0 = time.perf_counter()
    if backend == "sklearn":
        from scipy.sparse import vstack
        from sklearn.decomposition import LatentDirichletAllocation
        x = vstack(list(corpus.csr_chunks(5000))).tocsr()
        model = LatentDirichletAllocation(n_components=k, learning_method="batch", max_iter=10, random_state=seed)
        model.fit(x)
        beta = model.components_ / model.components_.sum(axis=1, keepdims=True)
        top = [[corpus.dictionary[int(i)] for i in np.argsort(-row)[:10]] for row in beta]
    else:
        b = make_backend(ModelSettings(backend=backend, k=k, seed=seed, **overrides), corpus.dictionary)
        b.fit(corpus)
        top = [[t for t, _ in terms] for terms in b.top_terms(10)]
    seconds = time.perf_counter() - t0
    peak = _status_mb("VmHWM")
    out = {"config": config, "seconds": seconds, "base_mb": base, "peak_mb": peak, "extra_mb": peak - base}
    if coherence:
        from policyscope.analyse.topics.selection import coherence_per_topic
        out["c_npmi"] = float(np.nanmean(coherence_per_topic([top], _CoherenceCorpus(corpus), 10)["c_npmi"][0]))
    print(json.dumps(out))


class _CoherenceCorpus:
    """Only c_npmi (the c_v pass is slow and says the same here)."""

    def __init__(self, corpus):
        self.corpus, self.dictionary = corpus, corpus.dictionary

    def texts(self):
        return self.corpus.texts()


# --------------------------------------------------------------------------------------
# parent: stores, prepared corpora, one child per (size, configuration)
# --------------------------------------------------------------------------------------
def build_store(shared: Path, copies: int, work: Path) -> Path:
    from policyscope.ingest import IngestOptions, ingest_paths
    files = work / f"files_x{copies}"
    if files.exists():
        shutil.rmtree(files)
    files.mkdir(parents=True)
    with open(shared / "MANIFEST.csv", newline="", encoding="utf-8") as fh:
        meta = {r["file"]: r for r in csv.DictReader(fh)}
    rows = []
    for c in range(1, copies + 1):
        for src in sorted(shared.glob("manifesto_text_*.txt")):
            name = f"copy{c}_{src.name}"
            text = src.read_text(encoding="utf-8")
            (files / name).write_text(f"Benchmark copy {c}.\n\n{text}", encoding="utf-8")
            m = meta.get(src.name, {})
            rows.append({"file": name, "title": f"{m.get('title', src.stem)} [copy {c}]", "date": m.get("date", ""),
                         "doc_type": "report"})
    with open(files / "manifest.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["file", "title", "date", "doc_type"])
        w.writeheader()
        w.writerows(rows)
    db = work / f"manifestos_x{copies}.db"
    for p in work.glob(db.name + "*"):
        p.unlink()
    report = ingest_paths([str(files)], db, options=IngestOptions(jobs=1), progress=False)
    bad = [o for o in report.outcomes if o.outcome != "ok"]
    if bad:
        sys.exit(f"ingest failed: {bad[:3]}")
    return db


def prepare(db: Path, work: Path, copies: int):
    from policyscope.analyse.topics.corpus import prepare_corpus
    from policyscope.analyse.topics.settings import CorpusSettings
    from policyscope.store import open_store
    t0 = time.perf_counter()
    with open_store(db) as store:
        pc = prepare_corpus(store, CorpusSettings(include_duplicates=True), work / f"corpus_x{copies}")
    return pc, time.perf_counter() - t0


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the dated-text folder")
    ap.add_argument("--copies", type=int, default=2, help="copies of the manifesto texts in the big corpus")
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--coherence", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child, args.corpus, args.k, args.seed, args.coherence)
        return
    if not args.shared.exists():
        sys.exit(f"{args.shared} is absent: this benchmark needs ../shared/corpus/dated-text")
    configs = [c.strip() for c in args.configs.split(",")]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        sys.exit(f"unknown configurations {unknown}; known: {', '.join(CONFIGS)}")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_topics_"))
    work.mkdir(parents=True, exist_ok=True)
    sizes = [1, args.copies] if args.copies > 1 else [1]
    corpora = {}
    for copies in sizes:
        t0 = time.perf_counter()
        db = build_store(args.shared, copies, work)
        ingest_s = time.perf_counter() - t0
        pc, prep_s = prepare(db, work, copies)
        corpora[copies] = pc
        st = pc.stats
        print(f"x{copies}: {st['documents']} documents, {st['units_modelled']} units, "
              f"{st['word_tokens']:,} word tokens, {st['terms']:,} term occurrences, "
              f"vocabulary {st['vocabulary']:,}; ingest {ingest_s:.0f}s, "
              f"prepare {prep_s:.0f}s ({st['word_tokens'] / prep_s:,.0f} tokens/s)", flush=True)
    results: dict[tuple, dict] = {}
    for copies in sizes:
        for config in configs:
            cmd = [sys.executable, __file__, "--child", config, "--corpus", str(corpora[copies].folder),
                   "--k", str(args.k), "--seed", str(args.seed)]
            if copies == 1:
                cmd.append("--coherence")
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"  {config} x{copies} failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
                continue
            results[(config, copies)] = json.loads(proc.stdout.strip().splitlines()[-1])
            r = results[(config, copies)]
            print(f"  {config} x{copies}: {r['seconds']:.1f}s, +{r['extra_mb']:.0f} MB", file=sys.stderr, flush=True)
    big = sizes[-1]
    st_big = corpora[big].stats
    print(f"\nK={args.k}, seed {args.seed}; fit time and throughput on x{big} ({st_big['word_tokens']:,} word tokens, "
          f"{st_big['terms']:,} term occurrences); peak memory above the post-import baseline at x1 and x{big}; "
          f"NPMI of the top-10 terms (x1 fit)")
    header = ["config", "fit s", "words/s", "terms/s", "vs lda", "MB x1", f"MB x{big}", "c_npmi", "what"]
    lda_s = results.get(("lda", big), {}).get("seconds")
    rows = []
    for config in configs:
        r = results.get((config, big))
        r1 = results.get((config, 1), {})
        if not r:
            continue
        rows.append([config, f"{r['seconds']:.1f}", f"{st_big['word_tokens'] / r['seconds']:,.0f}",
                     f"{st_big['terms'] / r['seconds']:,.0f}",
                     f"{lda_s / r['seconds']:.1f}x" if lda_s else "", f"{r1.get('extra_mb', float('nan')):.0f}",
                     f"{r['extra_mb']:.0f}", f"{r1['c_npmi']:.3f}" if "c_npmi" in r1 else "", CONFIGS[config][2]])
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(r, widths)))


if __name__ == "__main__":
    main()
