"""Topics vs human codes: do the topic backends find what Manifesto Project coders coded?

Data: ../shared/corpus/dated-text/cmp_coded_*.csv, UK manifestos split into quasi-sentences, each
with a human CMP category code (e.g. 504 "welfare state expansion"). Uncoded rows (NA, 000) and
headings (H) are left out. Sub-codes fold into their category (202.1 -> 202); the first digit is
the CMP domain (1 external relations ... 7 social groups).

Each quasi-sentence becomes one passage in a throw-away store (one document per manifesto), so
the backends see it through the normal pipeline (store -> lemmas, phrases, stopwords, pruning).
Every backend is fitted on exactly the same units and terms; so is the baseline, scikit-learn's
LatentDirichletAllocation with default settings (only n_components=K and random_state are set).
Agreement is the adjusted mutual information between each unit's argmax topic and its human
code (and its domain): 0 = chance, 1 = the same partition. Mean and spread over seeds.

    python benchmarks/bench_topics_vs_human_codes.py                  # K = 7 and 20, seeds 1,2,3
    python benchmarks/bench_topics_vs_human_codes.py --k 7,20,56 --seeds 1

Prints a table; takes a few minutes on two cores. Writes only to a temporary folder.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from policyscope.analyse.topics.backends import make_backend  # noqa: E402
from policyscope.analyse.topics.corpus import prepare_corpus  # noqa: E402
from policyscope.analyse.topics.settings import CorpusSettings, ModelSettings  # noqa: E402
from policyscope.model import Document, Page  # noqa: E402
from policyscope.segment import segment_pages  # noqa: E402
from policyscope.store import Store, open_store  # noqa: E402

DEFAULT_SHARED = REPO.parent / "shared" / "corpus" / "dated-text"
SKIP_CODES = {"", "NA", "H", "000", "0"}
ROWS_PER_PAGE = 100


def load_cmp(folder: Path) -> list[dict]:
    """[{file, date, party, rows: [(text, code)]}] for every coded manifesto file, coded rows only."""
    out = []
    for path in sorted(folder.glob("cmp_coded_*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        coded = [(" ".join(r["text"].split()), r["cmp_code"].strip()) for r in rows]
        coded = [(t, c) for t, c in coded if t and c not in SKIP_CODES]
        raw_date = rows[0]["date"] if rows else ""
        date = f"{raw_date[:4]}-{raw_date[4:6]}" if len(raw_date) == 6 else raw_date[:4]
        out.append({"file": path.name, "date": date, "party": rows[0].get("party", "") if rows else "", "rows": coded})
    return out


def category(code: str) -> str:
    return code.split(".")[0]


def domain(code: str) -> str:
    return code[0]


def build_store(db: Path, manifestos: list[dict]) -> dict[str, str]:
    """One document per manifesto, one passage per quasi-sentence; returns passage_id -> code."""
    codes: dict[str, str] = {}
    with Store(db) as store:
        for m in manifestos:
            blob = "\n".join(t for t, _ in m["rows"]).encode()
            sha = hashlib.sha256(m["file"].encode() + blob).hexdigest()
            doc_id = sha[:12]
            pages = []
            page_codes = []
            for p, start in enumerate(range(0, len(m["rows"]), ROWS_PER_PAGE), start=1):
                chunk = m["rows"][start:start + ROWS_PER_PAGE]
                text = "\n\n".join(t for t, _ in chunk)
                pages.append(Page(doc_id=doc_id, page_no=p, raw_text=text, text=text))
                page_codes.append([c for _, c in chunk])
            passages, sentences = segment_pages(pages)
            by_page: dict[int, list] = {}
            for ps in passages:
                by_page.setdefault(ps.page_no, []).append(ps)
            for p, plist in by_page.items():
                assert len(plist) == len(page_codes[p - 1]), "one passage per quasi-sentence"
                for ps, code in zip(plist, page_codes[p - 1]):
                    codes[ps.passage_id] = code
            store.write_document(Document(doc_id=doc_id, path=m["file"], sha256=sha, title=m["file"], date=m["date"],
                                          doc_type="manifesto", n_pages=len(pages), file_type="csv"),
                                 pages, passages, sentences)
    return codes


def fit_sklearn_lda(corpus, k: int, seed: int):
    from scipy.sparse import vstack
    from sklearn.decomposition import LatentDirichletAllocation
    x = vstack(list(corpus.csr_chunks(5000))).tocsr()
    t0 = time.perf_counter()
    model = LatentDirichletAllocation(n_components=k, random_state=seed)  # everything else: defaults
    model.fit(x)
    seconds = time.perf_counter() - t0
    return seconds, model.transform(x).argmax(axis=1)


def fit_backend(corpus, backend: str, k: int, seed: int):
    s = ModelSettings(backend=backend, k=k, seed=seed)
    b = make_backend(s, corpus.dictionary)
    t0 = time.perf_counter()
    b.fit(corpus)
    seconds = time.perf_counter() - t0
    top = np.concatenate([w.argmax(axis=1) for w in b.transform_corpus(corpus)])
    return seconds, top


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the dated-text folder")
    ap.add_argument("--k", default="7,20", help="topic counts (comma list)")
    ap.add_argument("--seeds", default="1,2,3", help="seeds (comma list)")
    ap.add_argument("--backends", default="lda,nmf,tomotopy,sklearn-lda-default")
    ap.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one)")
    args = ap.parse_args(argv)
    if not args.shared.exists():
        sys.exit(f"{args.shared} is absent: this benchmark needs ../shared/corpus/dated-text")
    from sklearn.metrics import adjusted_mutual_info_score as ami

    ks = [int(x) for x in args.k.split(",")]
    seeds = [int(x) for x in args.seeds.split(",")]
    backends = [b.strip() for b in args.backends.split(",")]
    manifestos = load_cmp(args.shared)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_topics_cmp_"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "cmp.db"
    if db.exists():
        db.unlink()
    codes = build_store(db, manifestos)
    settings = CorpusSettings(min_unit_terms=3, max_unit_tokens=100_000)  # a quasi-sentence is never cut
    with open_store(db) as store:
        corpus = prepare_corpus(store, settings, work / "corpus")
    units = list(corpus.units())
    human = [codes[u["passage_id"]] for u in units]
    cats, doms = [category(c) for c in human], [domain(c) for c in human]
    st = corpus.stats
    print(f"{sum(len(m['rows']) for m in manifestos)} coded quasi-sentences in {len(manifestos)} manifestos; "
          f"{len(units)} modelled (>= {settings.min_unit_terms} terms), {st['terms']} term occurrences, "
          f"{st['word_tokens']} word tokens, vocabulary {st['vocabulary']}; "
          f"{len(set(cats))} human categories, {len(set(doms))} domains")
    results = []
    for k in ks:
        for backend in backends:
            amis_c, amis_d, secs = [], [], []
            for seed in seeds:
                if backend == "sklearn-lda-default":
                    seconds, top = fit_sklearn_lda(corpus, k, seed)
                else:
                    seconds, top = fit_backend(corpus, backend, k, seed)
                amis_c.append(ami(cats, top))
                amis_d.append(ami(doms, top))
                secs.append(seconds)
            row = {"backend": backend, "k": k, "ami_category": amis_c, "ami_domain": amis_d, "seconds": secs}
            results.append(row)
            print(f"  done {backend} K={k}: AMI {statistics.mean(amis_c):.3f}", file=sys.stderr, flush=True)

    def ms(v):
        return f"{statistics.mean(v):.3f} ± {statistics.stdev(v):.3f}" if len(v) > 1 else f"{v[0]:.3f}"

    print(f"\nAMI between argmax topic and human CMP code; mean ± sd over seeds {seeds}; "
          f"fit time and throughput (term occurrences / s, word tokens / s) per fit")
    header = ["backend", "K", "AMI category", "AMI domain", "fit s", "terms/s", "words/s"]
    rows = [[r["backend"], r["k"], ms(r["ami_category"]), ms(r["ami_domain"]), f"{statistics.mean(r['seconds']):.2f}",
             f"{st['terms'] / statistics.mean(r['seconds']):,.0f}",
             f"{st['word_tokens'] / statistics.mean(r['seconds']):,.0f}"] for r in results]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(r, widths)))
    print("\nsettings: lda = gensim LdaModel passes 10, iterations 100; nmf = scikit-learn NMF on TF-IDF; "
          "tomotopy = LDAModel 500 Gibbs iterations; sklearn-lda-default = LatentDirichletAllocation() "
          "(batch variational Bayes, max_iter 10) with n_components=K; same units and terms for all")


if __name__ == "__main__":
    main()
