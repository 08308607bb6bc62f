"""Concept tracking speed: tag + aggregate against a plain compiled-regex baseline, in the same run,
and KWIC latency, on a store of >= 20 million tokens.

Store: the UK manifesto plain texts in ../shared/corpus/dated-text (1945-2024) ingested with
`policyscope ingest` (one process), then replicated inside SQLite under new doc_ids until the
store holds >= --tokens word tokens (sentences, passages, FTS index and all). Built once and
cached in benchmarks/.cache/ (git-ignored *.db); --rebuild builds it again.

Methods (one core, one process, same store, same sentences: body sections):
  baseline regex      for each sentence: one compiled regex `\\b(?:personali[sz]\\w*|integrat\\w*)`
                      (re.I), findall — the simplest possible tagger
  baseline batched    the same regex over NUL-joined batches of lower-cased sentences
  tag                 policyscope's matcher: the full social_care lexicon (all terms, context cues,
                      exclusions, lemma forms) -> hits with spans
  track               tag + aggregate: scope, tagging, evidence, per-document counts, every measure
                      for every year x concept, pooled and document-weighted, change points, writing
                      concept_share/evidence/denominators/changepoints/run.json (--bootstrap 0)
  track + bootstrap   the same with 1000 bootstrap resamples (for information)
Goal: track >= 1,000,000 tokens/s; KWIC word/phrase queries < 1 s.

Run:  .venv/bin/python benchmarks/bench_track.py [--tokens 20000000] [--rebuild]
"""
from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared" / "corpus" / "dated-text"
CACHE = REPO / "benchmarks" / ".cache"


def build_store(db: Path, target_tokens: int) -> None:
    from policyscope.ingest import IngestOptions, ingest_paths
    from policyscope.store import Store
    files = sorted(SHARED.glob("manifesto_text_*.txt"))
    if not files:
        sys.exit(f"skipped: no manifesto texts under {SHARED}")
    tmp = db.with_suffix(".building.db")
    for p in (tmp, Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm")):
        p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    report = ingest_paths([str(f) for f in files], tmp, manifest=SHARED / "MANIFEST.csv",
                          options=IngestOptions(jobs=1), progress=False)
    ok = report.count("ok")
    print(f"ingested {ok}/{len(files)} manifesto texts in {time.perf_counter() - t0:.0f}s", flush=True)
    with Store(tmp) as st:
        c = st.conn
        base_tokens = c.execute("SELECT SUM(n_tokens) FROM sentences").fetchone()[0]
        copies = -(-target_tokens // base_tokens)
        print(f"base: {base_tokens:,} tokens; replicating x{copies}", flush=True)
        originals = [r[0] for r in c.execute("SELECT doc_id FROM documents")]
        c.execute("PRAGMA synchronous=OFF")
        for k in range(1, copies):
            with st.transaction():
                for old in originals:
                    new = hashlib.sha256(f"{old}:{k}".encode()).hexdigest()[:12]
                    c.execute("""INSERT INTO documents SELECT ?, sha256 || ':' || ?, path || '#copy' || ?, title, authors,
                                 publisher, date, year, doc_type, source_url, licence, n_pages, n_passages, n_sentences,
                                 n_tokens, file_type, extractor, date_source, NULL, NULL, metadata, ingested_at,
                                 policyscope_version FROM documents WHERE doc_id=?""", (new, k, k, old))
                    c.execute("""INSERT INTO pages SELECT ?, page_no, raw_text, text, cleanup, section, section_spans
                                 FROM pages WHERE doc_id=?""", (new, old))
                    c.execute("""INSERT INTO passages SELECT ? || substr(passage_id, 13), ?, page_no, seq, char_start,
                                 char_end, text, section FROM passages WHERE doc_id=?""", (new, new, old))
                    c.execute("""INSERT INTO sentences (sentence_id, passage_id, doc_id, page_no, seq, char_start,
                                 char_end, text, n_tokens, lemmas, section)
                                 SELECT ? || substr(sentence_id, 13), ? || substr(passage_id, 13), ?, page_no, seq,
                                 char_start, char_end, text, n_tokens, lemmas, section FROM sentences WHERE doc_id=?""",
                              (new, new, new, old))
            print(f"  copy {k + 1}/{copies}", flush=True)
        total = c.execute("SELECT SUM(n_tokens) FROM sentences").fetchone()[0]
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    tmp.rename(db)
    print(f"store: {total:,} tokens in {time.perf_counter() - t0:.0f}s -> {db}", flush=True)


def sentences_body(store, batch=4000):
    cur = store.conn.cursor()
    cur.row_factory = None
    cur.execute("SELECT text, n_tokens FROM sentences WHERE section='body' ORDER BY rowid")
    while True:
        rows = cur.fetchmany(batch)
        if not rows:
            return
        yield rows


def baseline(store) -> tuple[int, int, float]:
    rx = re.compile(r"\b(?:personali[sz]\w*|integrat\w*)", re.I)
    t0 = time.perf_counter()
    n_tok = n_hits = 0
    for rows in sentences_body(store):
        for text, nt in rows:
            n_tok += nt
            n_hits += len(rx.findall(text))
    return n_tok, n_hits, time.perf_counter() - t0


def baseline_batched(store) -> tuple[int, int, float]:
    rx = re.compile(r"\b(?:personali[sz]\w*|integrat\w*)")
    t0 = time.perf_counter()
    n_tok = n_hits = 0
    for rows in sentences_body(store):
        n_tok += sum(r[1] for r in rows)
        n_hits += len(rx.findall("\x00".join(r[0] for r in rows).lower()))
    return n_tok, n_hits, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", type=int, default=20_000_000)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="runs per method (the best is reported)")
    args = ap.parse_args()
    if not SHARED.exists():
        sys.exit(f"skipped: {SHARED} is absent (the real-data corpus lives in ../shared beside the repository)")
    CACHE.mkdir(parents=True, exist_ok=True)
    db = CACHE / f"track_bench_{args.tokens // 1_000_000}M.db"
    if args.rebuild or not db.exists():
        db.unlink(missing_ok=True)
        build_store(db, args.tokens)

    from policyscope.analyse.kwic import kwic
    from policyscope.analyse.lexicon import load_lexicon
    from policyscope.analyse.matcher import Matcher
    from policyscope.analyse.track import TrackOptions, run_track, tag_store
    from policyscope.store import open_store

    results = []

    def best(fn):
        runs = [fn() for _ in range(args.repeat)]
        return min(runs, key=lambda r: r[-1])

    with open_store(db) as store:
        n_docs = store.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        print(f"store {db.name}: {n_docs} documents", flush=True)
        tok, hits, sec = best(lambda: baseline(store))
        results.append(("baseline regex (per sentence)", tok, sec, f"{hits:,} matches"))
        tok2, hits2, sec2 = best(lambda: baseline_batched(store))
        results.append(("baseline regex (batched)", tok2, sec2, f"{hits2:,} matches"))
        lex = load_lexicon()
        matcher = Matcher(lex)
        matcher.nlp  # noqa: B018 - load spaCy before timing (lemma hits re-tokenise one sentence)

        def tag():
            t = tag_store(store, matcher, ("body",))
            return t.n_tokens_scanned, len(t.hits), t.seconds
        tok3, hits3, sec3 = best(tag)
        results.append(("policyscope tag (full lexicon)", tok3, sec3, f"{hits3:,} hits"))
        out = Path(tempfile.mkdtemp(prefix="bench_track_"))

        def track(n_boot):
            def run():
                t0 = time.perf_counter()
                r = run_track(db, out, TrackOptions(bootstrap=n_boot), store=store)
                return r.timings["n_tokens"], r.n_hits, time.perf_counter() - t0
            return run
        tok4, hits4, sec4 = best(track(0))
        results.append(("policyscope track = tag + aggregate", tok4, sec4, f"{hits4:,} hits, all outputs written"))
        tok5, hits5, sec5 = track(1000)()
        results.append(("policyscope track --bootstrap 1000", tok5, sec5, "for information"))
        shutil.rmtree(out, ignore_errors=True)

        kwic_rows = []
        for label, kw in [("word: integration", dict(query="integration")),
                          ("word: personalisation (absent here)", dict(query="personalisation")),
                          ("glob: personal budget*", dict(query="personal budget*")),
                          ("phrase: integrated care", dict(query="integrated care")),
                          ("phrase + sort left: joined up", dict(query="joined up", sort="left")),
                          ("concept: personalisation", dict(concept="personalisation", lexicon=lex)),
                          ("concept: integration", dict(concept="integration", lexicon=lex)),
                          ("regex: integrat\\w+ care", dict(query=r"integrat\w+ care", regex=True))]:
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                r = kwic(store, **kw)
                times.append(time.perf_counter() - t0)
            kwic_rows.append((label, len(r.lines), r.n_candidates, statistics.median(times)))

    base_rate = results[0][1] / results[0][2]
    print("\nTagging and aggregation (one core; best of %d runs)" % args.repeat)
    print(f"{'method':40s} | {'tokens':>12s} | {'seconds':>8s} | {'tokens/s':>12s} | {'ratio to baseline':>17s} | note")
    print("-" * 120)
    for name, tok, sec, note in results:
        rate = tok / sec
        print(f"{name:40s} | {tok:12,d} | {sec:8.2f} | {rate:12,.0f} | {rate / base_rate:17.2f} | {note}")
    print("\nKWIC latency (median of 3)")
    print(f"{'query':34s} | {'lines':>7s} | {'candidates':>10s} | {'seconds':>7s}")
    print("-" * 68)
    for label, n, cand, sec in kwic_rows:
        print(f"{label:34s} | {n:7,d} | {cand:10,d} | {sec:7.3f}")
    goal = results[3][1] / results[3][2]
    print(f"\ngoal track >= 1,000,000 tokens/s: {'met' if goal >= 1e6 else 'NOT met'} ({goal:,.0f}); "
          f"KWIC word/phrase < 1 s: {'met' if all(s < 1 for l, _, _, s in kwic_rows[:5]) else 'NOT met'}")


if __name__ == "__main__":
    main()
