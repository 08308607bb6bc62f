"""Topics vs human codes: do policyscope's topics find what Manifesto Project coders coded?

Data: ../shared/corpus/dated-text/cmp_coded_*.csv, UK manifestos split into quasi-sentences, each
with a human CMP category code (e.g. 504 "welfare state expansion"). Uncoded rows (NA, 000) and
headings (H) are left out. Sub-codes fold into their category (202.1 -> 202); the first digit is
the CMP domain (1 external relations ... 7 social groups).

Each quasi-sentence becomes one passage in a throw-away store (one document per manifesto).
Agreement is the adjusted mutual information (AMI) between each quasi-sentence's dominant topic
and its human code: 0 = chance, 1 = the same partition. Every coded quasi-sentence is scored, the
short ones too (a unit too short to be modelled has its inferred dominant topic; one with no
vocabulary term counts as its own `no_topic` group; an empty row of the baseline, its argmax).

The headline (issue #13), in the same run, mean over seeds:
  policyscope   `topics fit --k 20` with every default setting (fit_topics, document_topics.csv)
  baseline      scikit-learn LatentDirichletAllocation(n_components=20, random_state=seed), all
                else default, on CountVectorizer(stop_words="english", min_df=2) of the raw texts
  goal          policyscope AMI >= 2 x the baseline's
Then `--candidates` (default on) fits the alternatives the default was chosen from, through the
same fit_topics path with one setting changed each: the backends, phrases, stop words, the
minimum unit length.

    python benchmarks/bench_topics_vs_human_codes.py                   # headline + candidates, seeds 1,2,3
    python benchmarks/bench_topics_vs_human_codes.py --no-candidates --seeds 1

Prints tables; takes a few minutes on two cores. Writes only to a temporary folder.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from policyscope.analyse.topics.fit import fit_topics  # noqa: E402
from policyscope.analyse.topics.settings import TopicSettings  # noqa: E402
from policyscope.model import Document, Page  # noqa: E402
from policyscope.segment import segment_pages  # noqa: E402
from policyscope.store import Store  # noqa: E402

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


def build_store(db: Path, manifestos: list[dict]) -> tuple[dict[str, str], dict[str, str]]:
    """One document per manifesto, one passage per quasi-sentence; returns passage_id -> code and
    passage_id -> text."""
    codes: dict[str, str] = {}
    texts: dict[str, str] = {}
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
                    texts[ps.passage_id] = ps.text
            store.write_document(Document(doc_id=doc_id, path=m["file"], sha256=sha, title=m["file"], date=m["date"],
                                          doc_type="manifesto", n_pages=len(pages), file_type="csv"),
                                 pages, passages, sentences)
    return codes, texts


def baseline_sklearn_lda(texts: list[str], k: int, seed: int) -> tuple[float, np.ndarray]:
    """scikit-learn's LDA with default settings on a plain count matrix of the raw texts."""
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer
    t0 = time.perf_counter()
    x = CountVectorizer(stop_words="english", min_df=2).fit_transform(texts)
    model = LatentDirichletAllocation(n_components=k, random_state=seed)  # everything else: defaults
    top = model.fit_transform(x).argmax(axis=1)
    return time.perf_counter() - t0, top


def dominant_topics(run: Path, passage_ids: list[str]) -> list[str]:
    """Each passage's dominant topic from a run's document_topics.csv (`no_topic` for a unit with
    no vocabulary term); a passage cut into several units takes its first unit's."""
    top: dict[str, str] = {}
    with open(run / "document_topics.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["topic"] == "no_topic" or r["is_top"] == "1":
                top.setdefault(r["passage_id"], r["topic"])
    return [top.get(p, "missing") for p in passage_ids]


def fit_policyscope(db: Path, work: Path, k: int, seed: int, change: dict | None = None) -> tuple[float, list, dict]:
    """`topics fit --k K --seed S` with every other setting at its default (or one `change`d):
    the real fit_topics path; the concept overlap is switched off (it does not touch the topics)."""
    settings = TopicSettings()
    settings.model.k, settings.model.seed = k, seed
    settings.labels.concept_overlap = False
    for key, value in (change or {}).items():
        group, name = key.split(".")
        setattr(getattr(settings, group), name, value)
    out = work / "run"
    if out.exists():
        shutil.rmtree(out)
    t0 = time.perf_counter()
    result = fit_topics(db, out, settings)
    return time.perf_counter() - t0, out, result.stats


CANDIDATES = [  # (name, setting changes): the defaults first, then one change at a time
    ("defaults (tomotopy, no phrases)", {}),
    ("backend lda (gensim)", {"model.backend": "lda"}),
    ("backend nmf", {"model.backend": "nmf"}),
    ("phrases on", {"corpus.phrases": True}),
    ("lda + phrases (the old default)", {"model.backend": "lda", "corpus.phrases": True}),
    ("min_unit_terms 3", {"corpus.min_unit_terms": 3}),
    ("min_unit_terms 1", {"corpus.min_unit_terms": 1}),
    ("no_below 5", {"corpus.no_below": 5}),
    ("min_token_chars 3", {"corpus.min_token_chars": 3}),
]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the dated-text folder")
    ap.add_argument("--k", type=int, default=20, help="topics (default 20, the issue's K)")
    ap.add_argument("--seeds", default="1,2,3", help="seeds (comma list)")
    ap.add_argument("--candidates", action=argparse.BooleanOptionalAction, default=True,
                    help="also fit the alternatives the default was chosen from")
    ap.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one)")
    args = ap.parse_args(argv)
    if not args.shared.exists():
        sys.exit(f"{args.shared} is absent: this benchmark needs ../shared/corpus/dated-text")
    from sklearn.metrics import adjusted_mutual_info_score as ami

    seeds = [int(x) for x in args.seeds.split(",")]
    manifestos = load_cmp(args.shared)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_topics_cmp_"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "cmp.db"
    if db.exists():
        db.unlink()
    codes, texts = build_store(db, manifestos)
    passage_ids = list(codes)
    cats = [category(codes[p]) for p in passage_ids]
    raw = [texts[p] for p in passage_ids]
    print(f"{len(passage_ids)} coded quasi-sentences in {len(manifestos)} manifestos, {len(set(cats))} human "
          f"categories; K={args.k}; seeds {seeds}; every quasi-sentence scored")

    def score(name: str, change: dict | None) -> dict:
        amis, secs, stats = [], [], {}
        for seed in seeds:
            seconds, run, stats = fit_policyscope(db, work, args.k, seed, change)
            tops = dominant_topics(run, passage_ids)
            assert "missing" not in tops, "a quasi-sentence without a row in document_topics.csv"
            amis.append(ami(cats, tops))
            secs.append(seconds)
        print(f"  done {name}: AMI {statistics.mean(amis):.3f}", file=sys.stderr, flush=True)
        return {"name": name, "ami": amis, "seconds": secs, "modelled": stats.get("units_modelled")}

    ours = score("policyscope topics fit (defaults)", None)
    base = {"name": "baseline: sklearn LDA default on CountVectorizer", "ami": [], "seconds": [], "modelled": None}
    for seed in seeds:
        seconds, top = baseline_sklearn_lda(raw, args.k, seed)
        base["ami"].append(ami(cats, top))
        base["seconds"].append(seconds)

    def ms(v):
        return f"{statistics.mean(v):.3f} ± {statistics.stdev(v):.3f}" if len(v) > 1 else f"{v[0]:.3f}"

    ratio = statistics.mean(ours["ami"]) / statistics.mean(base["ami"])
    print(f"\n{'method':<52} {'AMI (mean ± sd)':>16} {'x baseline':>10} {'s per fit':>9}")
    for r in (base, ours):
        print(f"{r['name']:<52} {ms(r['ami']):>16} {statistics.mean(r['ami']) / statistics.mean(base['ami']):>10.2f} "
              f"{statistics.mean(r['seconds']):>9.1f}")
    print(f"\ngoal: policyscope >= 2 x the baseline: {ratio:.2f}  {'met' if ratio >= 2 else 'NOT met'}")
    if args.candidates:
        print(f"\ncandidates for the default (one setting changed; same units, K={args.k}, seeds {seeds})")
        print(f"{'candidate':<32} {'AMI (mean ± sd)':>16} {'x baseline':>10} {'units modelled':>14} {'s per fit':>9}")
        for name, change in CANDIDATES:
            r = ours if not change else score(name, change)
            print(f"{name:<32} {ms(r['ami']):>16} {statistics.mean(r['ami']) / statistics.mean(base['ami']):>10.2f} "
                  f"{r['modelled'] or '':>14} {statistics.mean(r['seconds']):>9.1f}")


if __name__ == "__main__":
    main()
