"""Validity of a detector (the lexicon, or the trained hybrid `track` uses): draw a stratified sample for
hand coding, then score the coding.

Sample. Sentences in scope are split by period and into three strata: `tagged` (the detector tags
the concept: exactly what `track` counts), `near` (not tagged, but containing a word of the concept's
terms: where misses
hide) and `other` (the rest). Half the sample goes to tagged sentences, 30% to near misses and
20% to the rest, spread evenly over periods (unused places move to other cells). Each row
carries its sampling weight (sentences in its stratum and period / sentences drawn from it), so
precision and recall estimate the whole corpus, not the sample.

Score. Coders fill `code` with 1 (a real mention of the concept in the lexicon's sense) or 0.
precision = sum w [tagged & code] / sum w [tagged]; recall = sum w [tagged & code] / sum w [code];
F1 = their harmonic mean; 95% intervals by a stratified bootstrap over coded rows (within
stratum x period), per concept, per period and overall; also the weighted sensitivity and
specificity, which `track --error-rates CODED.score.json` uses to correct shares for the error
measured on your own corpus. Scoring with --detector re-tags the coded sentences (with their
neighbours, from the store) by that detector, so one coded sample compares detectors. Results are
stored with the lexicon's and detector's name and version in the store's `validation` table and in
CODED.score.json beside the file.
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from policyscope.analyse.lexicon import Lexicon, load_lexicon
from policyscope.analyse.periods import PeriodScheme
from policyscope.analyse.scan import build_scope, iter_batches, resolve_sections
from policyscope.errors import AnalysisError, UsageError
from policyscope.citation import sentence_citation

SAMPLE_COLUMNS = ["sentence_id", "concept", "tagged", "period", "title", "date", "page", "sentence", "matched",
                  "code", "stratum", "weight", "doc_id", "doc_type", "terms", "citation", "lexicon",
                  "lexicon_version", "seed", "detector", "detector_version", "probability"]
SHARES = {"tagged": 0.5, "near": 0.3, "other": 0.2}
STOP = {"and", "the", "of", "for", "with", "their", "own", "to", "in", "on", "more", "what", "matters", "people",
        "person", "care", "health", "social", "services", "service", "support", "new", "up"}
TRUE = {"1", "y", "yes", "true", "t", "x"}
FALSE = {"0", "n", "no", "false", "f"}

VALIDATION_SCHEMA = """
CREATE TABLE IF NOT EXISTS validation (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    lexicon TEXT NOT NULL, lexicon_version TEXT NOT NULL,
    concept TEXT NOT NULL, period TEXT NOT NULL,
    n_coded INTEGER NOT NULL, n_tagged INTEGER NOT NULL, n_positive INTEGER NOT NULL,
    precision REAL, precision_low REAL, precision_high REAL,
    recall REAL, recall_low REAL, recall_high REAL,
    f1 REAL, f1_low REAL, f1_high REAL,
    coded_file TEXT, coded_sha256 TEXT
);
"""
VALIDATION_ADDED = {"detector": "TEXT", "detector_version": "TEXT", "sensitivity": "REAL", "specificity": "REAL"}


def near_miss_regex(lexicon: Lexicon, concept: str) -> re.Pattern | None:
    """Words (>= 5 letters, not generic) from the concept's term forms, as stems."""
    stems = set()
    for t in lexicon.concept(concept).terms:
        for f in t.forms:
            for seq in f.variants:
                for w in seq:
                    w = w.lower().rstrip("*")
                    w = re.sub(r"(isation|ization|ised|ized|ising|izing|ise|ize|ation|ed|ing|s)$", "", w)
                    if len(w) >= 5 and w not in STOP and w.isalpha():
                        stems.add(w)
    if not stems:
        return None
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, stems), key=len, reverse=True)) + r")", re.I)


@dataclass
class SampleResult:
    path: Path
    n_rows: int
    cells: pd.DataFrame  # period, stratum, population, drawn, weight


def _allocate(n: int, populations: dict[str, int]) -> dict[str, int]:
    """Spread n over cells evenly, capped by each cell's population; leftovers go to cells with room."""
    alloc = {k: 0 for k in populations}
    left = n
    while left > 0:
        room = [k for k in populations if alloc[k] < populations[k]]
        if not room:
            break
        each = max(1, left // len(room))
        for k in room:
            take = min(each, populations[k] - alloc[k], left)
            alloc[k] += take
            left -= take
            if left == 0:
                break
    return alloc


def draw_sample(store, concept: str, n: int, out: str | Path, *, lexicon: Lexicon | None = None, seed: int = 0,
                by: str = "year", periods: str | None = None, sections=("body",),
                include_duplicates: bool = False, detector: str | None = None,
                detector_model=None) -> SampleResult:
    if n < 1:
        raise UsageError("--sample must be at least 1")
    lexicon = lexicon or load_lexicon()
    from policyscope.analyse.detect import load_detector
    from policyscope.analyse.track import detector_label, tag_store
    det = load_detector(detector, lexicon, concepts=[concept], model=detector_model)
    det_name, det_version = detector_label(det)
    sections = resolve_sections(sections)
    scope = build_scope(store, PeriodScheme(by, periods), sections, include_duplicates)
    if scope.docs.empty:
        raise AnalysisError("no dated documents in scope to sample from", path=str(store.path))
    docinfo = scope.docs.set_index("doc_id")
    near = near_miss_regex(lexicon, concept)
    # the detector's tags, in document order with neighbours: exactly what track counts
    tagged = tag_store(store, det, sections, set(docinfo.index))
    matched: dict[int, list] = defaultdict(list)
    for h in tagged.hits:
        if h["concept"] == concept:
            matched[h["rowid"]].append(h)
    # population rowids per (period, stratum)
    pop: dict[tuple[str, str], list[int]] = defaultdict(list)
    for rows in iter_batches(store, sections, "s.rowid, s.doc_id, s.text", set(docinfo.index)):
        for r in rows:
            period = docinfo.at[r[1], "period"]
            if r[0] in matched:
                stratum = "tagged"
            elif near is not None and near.search(r[2]):
                stratum = "near"
            else:
                stratum = "other"
            pop[(period, stratum)].append(r[0])
    rng = np.random.default_rng(seed)
    cells = []
    chosen: list[tuple[int, str, str, float]] = []
    for stratum, share in SHARES.items():
        n_s = int(round(n * share)) if stratum != "other" else n - sum(
            int(round(n * SHARES[s])) for s in ("tagged", "near"))
        populations = {p: len(ids) for (p, st), ids in pop.items() if st == stratum}
        alloc = _allocate(n_s, populations)
        for period, k in alloc.items():
            ids = pop[(period, stratum)]
            if k == 0:
                continue
            pick = rng.choice(len(ids), size=k, replace=False)
            weight = len(ids) / k
            cells.append({"period": period, "stratum": stratum, "population": len(ids), "drawn": k, "weight": weight})
            chosen.extend((ids[j], stratum, period, weight) for j in sorted(pick))
    order = rng.permutation(len(chosen))  # shuffled, so coders meet tagged and untagged sentences mixed
    rowids = [c[0] for c in chosen]
    meta = {}
    for i in range(0, len(rowids), 900):
        chunk = rowids[i:i + 900]
        for r in store.conn.execute(f"SELECT rowid, sentence_id, doc_id, page_no, text FROM sentences WHERE rowid IN "
                                    f"({','.join('?' * len(chunk))})", chunk):
            meta[r[0]] = tuple(r)[1:]
    docs = {d["doc_id"]: d for d in store.documents(include_duplicates=True)}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=SAMPLE_COLUMNS)
        w.writeheader()
        for k in order:
            rowid, stratum, period, weight = chosen[k]
            sid, doc_id, page, text = meta[rowid]
            d = docs[doc_id]
            hs = matched.get(rowid, [])
            prob = hs[0].get("probability") if hs else None
            w.writerow({"sentence_id": sid, "concept": concept, "tagged": int(bool(hs)), "period": period,
                        "title": d["title"] or "", "date": d["date"] or "", "page": page, "sentence": text,
                        "matched": " | ".join(h["matched"] for h in hs), "code": "", "stratum": stratum,
                        "weight": f"{weight:.6g}", "doc_id": doc_id, "doc_type": d["doc_type"] or "",
                        "terms": " ".join(h["term"] for h in hs), "citation": sentence_citation(d, page, sid),
                        "lexicon": lexicon.name, "lexicon_version": lexicon.version, "seed": seed,
                        "detector": det_name, "detector_version": det_version,
                        "probability": "" if prob is None or prob != prob else prob})
    return SampleResult(path=out, n_rows=len(chosen), cells=pd.DataFrame(cells))


# ------------------------------------------------------------------------------------------------
# scoring


def _prf(tagged: np.ndarray, code: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    tp = float(np.sum(w * (tagged & code)))
    fp = float(np.sum(w * (tagged & ~code)))
    fn = float(np.sum(w * (~tagged & code)))
    p = tp / (tp + fp) if tp + fp > 0 else float("nan")
    r = tp / (tp + fn) if tp + fn > 0 else float("nan")
    f = 2 * p * r / (p + r) if (p == p and r == r and p + r > 0) else float("nan")
    return p, r, f


def _score_group(g: pd.DataFrame, n_boot: int, rng: np.random.Generator) -> dict:
    tagged = g["tagged"].to_numpy(bool)
    code = g["code_bool"].to_numpy(bool)
    w = g["weight"].to_numpy(float)
    p, r, f = _prf(tagged, code, w)
    neg = w[~code]
    spec = float(np.sum(neg * ~tagged[~code]) / neg.sum()) if neg.size and neg.sum() > 0 else float("nan")
    pos = w[code]
    out = {"n_coded": len(g), "n_tagged": int(tagged.sum()), "n_positive": int(code.sum()),
           "precision": p, "recall": r, "f1": f, "sensitivity": r, "specificity": spec,
           "n_eff_positive": float(pos.sum() ** 2 / (pos ** 2).sum()) if pos.size else 0.0,
           "n_eff_negative": float(neg.sum() ** 2 / (neg ** 2).sum()) if neg.size else 0.0}
    cells = [np.flatnonzero(m) for m in
             [(g["_cell"] == c).to_numpy() for c in g["_cell"].unique()]]
    stats = []
    for _ in range(n_boot):
        idx = np.concatenate([rng.choice(c, size=len(c), replace=True) for c in cells])
        stats.append(_prf(tagged[idx], code[idx], w[idx]))
    stats = np.array(stats, dtype=float) if stats else np.empty((0, 3))
    for k, name in enumerate(("precision", "recall", "f1")):
        col = stats[:, k] if stats.size else np.array([])
        col = col[~np.isnan(col)]
        lo, hi = (np.quantile(col, [0.025, 0.975]) if col.size else (float("nan"), float("nan")))
        out[f"{name}_low"], out[f"{name}_high"] = float(lo), float(hi)
    return out


def read_coded(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise UsageError(f"coded file not found: {path}")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    need = ["sentence_id", "concept", "tagged", "period", "code"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise AnalysisError(f"the coded file lacks column(s) {', '.join(missing)}", path=str(path),
                            hint="score the CSV that `policyscope validate --sample` wrote, with `code` filled in")
    return df


def retag(store, coded: pd.DataFrame, detector: str | None, lexicon: Lexicon | None, detector_model=None):
    """The coded sentences tagged again by `detector`, each with its neighbours from the store."""
    from policyscope.analyse.detect import SentenceBatch, load_detector
    from policyscope.analyse.track import detector_label
    lexicon = lexicon or load_lexicon()
    det = load_detector(detector, lexicon, model=detector_model)
    ids = coded["sentence_id"].tolist()
    texts, prev, nxt, lemmas = [], [], [], []
    for sid in ids:
        r = store.sentence(sid)  # raises NotInStore naming the sentence id
        around = {q[0]: q[1] for q in store.conn.execute(
            "SELECT seq, text FROM sentences WHERE doc_id = ? AND section = ? AND seq BETWEEN ? AND ? ORDER BY seq",
            (r["doc_id"], r["section"], r["seq"] - 1, r["seq"] + 1))}
        texts.append(r["text"])
        prev.append(around.get(r["seq"] - 1, ""))
        nxt.append(around.get(r["seq"] + 1, ""))
        lemmas.append(r["lemmas"])
    d = det.detect(SentenceBatch(texts, prev, nxt, lemmas))
    tagged = [bool(d.tagged[c][i]) if c in d.tagged else False for i, c in enumerate(coded["concept"])]
    return tagged, detector_label(det)


def score_coded(path: str | Path, *, store=None, n_boot: int = 2000, seed: int = 0,
                lexicon: Lexicon | None = None, detector: str | None = None, detector_model=None) -> dict:
    """Precision, recall and F1 (with intervals) per concept, per period and overall; stored when `store` is given.

    detector: re-tag the coded sentences with this detector (needs the store) instead of scoring the tags the
    sample was drawn with."""
    path = Path(path)
    df = read_coded(path)
    code = df["code"].str.strip().str.lower()
    bad = df[~code.isin(TRUE | FALSE | {""})]
    if len(bad):
        raise AnalysisError(f"`code` must be 1/0 (or yes/no) or blank; row {bad.index[0] + 2} has "
                            f"{bad['code'].iloc[0]!r}", path=str(path))
    coded = df[code != ""].copy()
    if coded.empty:
        raise AnalysisError("no coded rows: fill the `code` column with 1 or 0 first", path=str(path))
    coded["code_bool"] = coded["code"].str.strip().str.lower().isin(TRUE)
    coded["tagged"] = coded["tagged"].str.strip().isin({"1", "true", "True"})
    det_name = (coded["detector"].iloc[0] if "detector" in coded else "") or "lexicon"
    det_version = coded["detector_version"].iloc[0] if "detector_version" in coded else ""
    if detector is not None:
        if store is None:
            raise UsageError("scoring with --detector re-tags the coded sentences: it needs the store (--db)")
        coded["tagged"], (det_name, det_version) = retag(store, coded, detector, lexicon, detector_model)
    coded["weight"] = pd.to_numeric(coded.get("weight", pd.Series(["1"] * len(coded), index=coded.index)),
                                    errors="coerce").fillna(1.0)
    coded["_cell"] = coded.get("stratum", "").astype(str) + "|" + coded["period"].astype(str)
    lex_name = (coded["lexicon"].iloc[0] if "lexicon" in coded else "") or (lexicon.name if lexicon else "")
    lex_version = (coded["lexicon_version"].iloc[0] if "lexicon_version" in coded else "") or (
        lexicon.version if lexicon else "")
    notes = []
    if lexicon is not None and lex_version and (lexicon.name, lexicon.version) != (lex_name, lex_version):
        notes.append(f"the sample was drawn with lexicon {lex_name} {lex_version}; the current one is "
                     f"{lexicon.name} {lexicon.version}: the scores describe the version that drew the sample")
    rng = np.random.default_rng(seed)
    results = []
    for concept, g in coded.groupby("concept", sort=False):
        results.append({"concept": concept, "period": "all", **_score_group(g, n_boot, rng)})
        for period, gp in g.groupby("period", sort=True):
            results.append({"concept": concept, "period": str(period), **_score_group(gp, n_boot, rng)})
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    report = {"coded_file": str(path), "coded_sha256": sha, "lexicon": lex_name, "lexicon_version": lex_version,
              "detector": det_name, "detector_version": det_version,
              "n_rows": int(len(df)), "n_coded": int(len(coded)), "bootstrap": n_boot, "seed": seed,
              "method": "weighted precision/recall (weights = inverse sampling fractions per stratum x period); "
                        "95% percentile intervals from a stratified bootstrap over coded rows",
              "notes": notes, "results": results,
              "scored_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    json_path = path.with_suffix(".score.json")
    json_path.write_text(json.dumps(_clean(report), indent=2) + "\n", encoding="utf-8")
    report["json"] = str(json_path)
    if store is not None:
        store_scores(store, report)
        report["stored_in"] = str(store.path)
    return report


def _clean(v):
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


def _validation_table(store) -> None:
    store.conn.executescript(VALIDATION_SCHEMA)
    have = {r[1] for r in store.conn.execute("PRAGMA table_info(validation)")}
    for col, kind in VALIDATION_ADDED.items():  # stores made before detectors get the new columns
        if col not in have:
            store.conn.execute(f"ALTER TABLE validation ADD COLUMN {col} {kind}")
    store.conn.commit()


def store_scores(store, report: dict) -> None:
    _validation_table(store)
    with store.transaction() as c:
        for r in report["results"]:
            c.execute("""INSERT INTO validation (at, lexicon, lexicon_version, concept, period, n_coded, n_tagged,
                         n_positive, precision, precision_low, precision_high, recall, recall_low, recall_high,
                         f1, f1_low, f1_high, coded_file, coded_sha256, detector, detector_version, sensitivity,
                         specificity) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                      (report["scored_at"], report["lexicon"], report["lexicon_version"], r["concept"], r["period"],
                       r["n_coded"], r["n_tagged"], r["n_positive"], *[_clean(r[k]) for k in (
                           "precision", "precision_low", "precision_high", "recall", "recall_low", "recall_high",
                           "f1", "f1_low", "f1_high")], report["coded_file"], report["coded_sha256"],
                       report.get("detector"), report.get("detector_version"), _clean(r.get("sensitivity")),
                       _clean(r.get("specificity"))))


def error_rates_from_score(path: str | Path) -> dict:
    """{concept: {sensitivity, specificity, n_eff_positive, n_eff_negative}} from a CODED.score.json (the
    'all' period rows): what `track --error-rates` corrects shares with."""
    path = Path(path)
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot read error rates from {path}: {exc}") from exc
    out = {}
    for r in report.get("results", []):
        if r.get("period") == "all" and r.get("sensitivity") is not None and r.get("specificity") is not None:
            out[r["concept"]] = {k: r[k] for k in ("sensitivity", "specificity", "n_eff_positive", "n_eff_negative")}
    if not out:
        raise AnalysisError("no sensitivity/specificity in this file: score a coded sample with "
                            "`policyscope validate --score` first", path=str(path))
    return {"rates": out, "detector": report.get("detector"), "detector_version": report.get("detector_version")}


def stored_scores(store, lexicon: str | None = None) -> list[dict]:
    _validation_table(store)
    sql = "SELECT * FROM validation" + (" WHERE lexicon=?" if lexicon else "") + " ORDER BY id"
    return [dict(r) for r in store.conn.execute(sql, (lexicon,) if lexicon else ())]
