"""Topic prevalence per period, with bootstrap intervals over documents → topic_share.csv.

Per document d, its topic share θ_dk is the token-weighted mean of its units' weights (units are
passages or passage chunks; n_tokens are the store's word tokens). Per period and topic:

- document_weighted: the mean of θ_dk over the period's documents (each document counts once);
- token_weighted: Σ_d tokens_d·θ_dk / Σ_d tokens_d (pooled: long documents count more).

Intervals: percentile bootstrap over documents within the period (documents are the sampling unit),
`n_boot` resamples from a seeded generator. Periods with fewer than `min_docs` documents are flagged
`thin`; a one-document period gets no interval (blank ci_low / ci_high). Undated documents are left
out and counted in the run.json note.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from policyscope.analyse.bootstrap import group_rng
from policyscope.analyse.topics.periods import make_scheme, period_of
from policyscope.model import year_of

MEASURES = ("document_weighted", "token_weighted")
BATCH_CELLS = 4_000_000
SHARE_COLUMNS = ["period", "period_start", "period_end", "topic", "label", "measure", "value", "ci_low", "ci_high",
                 "n_docs", "n_units", "n_tokens", "thin", "note"]


@dataclass
class DocumentTopics:
    """Per-document aggregates: everything a timeline needs (small: documents × K)."""

    doc_ids: list[str]
    dates: list[str]
    token_mass: np.ndarray  # (D × K) Σ_units n_tokens · weight
    tokens: np.ndarray  # (D,) Σ_units n_tokens
    units: np.ndarray  # (D,) number of modelled units

    @property
    def theta(self) -> np.ndarray:
        return self.token_mass / np.maximum(self.tokens, 1)[:, None]


def aggregate_documents(unit_rows, unit_topics: np.ndarray, documents: dict[str, dict]) -> DocumentTopics:
    """unit_rows: units.csv rows in order; unit_topics: (units × K), possibly memory-mapped."""
    k = unit_topics.shape[1]
    index: dict[str, int] = {}
    mass: list[np.ndarray] = []
    tokens: list[float] = []
    units: list[int] = []
    for i, u in enumerate(unit_rows):
        d = index.setdefault(u["doc_id"], len(index))
        if d == len(mass):
            mass.append(np.zeros(k))
            tokens.append(0.0)
            units.append(0)
        mass[d] += u["n_tokens"] * np.asarray(unit_topics[i], dtype=np.float64)
        tokens[d] += u["n_tokens"]
        units[d] += 1
    doc_ids = list(index)
    return DocumentTopics(doc_ids=doc_ids, dates=[documents.get(d, {}).get("date") or "" for d in doc_ids],
                          token_mass=np.array(mass).reshape(len(doc_ids), k), tokens=np.array(tokens),
                          units=np.array(units))


def _measures(mass: np.ndarray, tokens: np.ndarray) -> dict[str, np.ndarray]:
    """Both measures for one set of documents; works on (D × K) or a bootstrap stack (B × D × K)."""
    theta = mass / np.maximum(tokens, 1)[..., None]
    return {"document_weighted": theta.mean(axis=-2),
            "token_weighted": mass.sum(axis=-2) / np.maximum(tokens.sum(axis=-1), 1)[..., None]}


def _bootstrap(mass: np.ndarray, tokens: np.ndarray, n_boot: int, rng) -> dict[str, np.ndarray]:
    """n_boot resamples of the documents, in batches so memory stays near BATCH_CELLS floats."""
    n, k = mass.shape
    batch = max(1, BATCH_CELLS // max(n * k, 1))
    parts: dict[str, list] = {m: [] for m in MEASURES}
    done = 0
    while done < n_boot:
        b = min(batch, n_boot - done)
        draws = rng.integers(0, n, size=(b, n))
        for m, v in _measures(mass[draws], tokens[draws]).items():
            parts[m].append(v)
        done += b
    return {m: np.concatenate(v, axis=0) for m, v in parts.items()}


def topic_share(docs: DocumentTopics, labels: list[str], *, by: str = "year", periods: str | None = None,
                n_boot: int = 1000, seed: int = 42, min_docs: int = 3,
                level: float = 0.95) -> tuple[pd.DataFrame, dict]:
    """The tidy topic_share table and a note on what was left out.

    Each period's bootstrap has its own random stream (seed + period label, as the concept tracker
    does), so a period's interval does not change when other periods are added or removed."""
    k = docs.token_mass.shape[1]
    scheme = make_scheme(by, periods)
    groups: dict[tuple, list[int]] = {}
    undated = outside = 0
    for i, date in enumerate(docs.dates):
        p = period_of(date, scheme)
        if p is None:
            if year_of(date or None) is None:
                undated += 1
            else:
                outside += 1
            continue
        groups.setdefault((p.label, p.start, p.end), []).append(i)
    lo_q, hi_q = (1 - level) / 2 * 100, (1 + level) / 2 * 100
    rows = []
    for (label, start, end), idx in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        idx = np.asarray(idx)
        mass, tokens = docs.token_mass[idx], docs.tokens[idx]
        point = _measures(mass, tokens)
        n = len(idx)
        if n > 1 and n_boot > 0:
            boot = _bootstrap(mass, tokens, n_boot, group_rng(seed, label))
            ci = {m: (np.percentile(boot[m], lo_q, axis=0), np.percentile(boot[m], hi_q, axis=0)) for m in MEASURES}
        else:
            ci = {m: (np.full(k, np.nan), np.full(k, np.nan)) for m in MEASURES}
        thin = n < min_docs
        note = ("one document: no interval" if n == 1 else
                f"fewer than {min_docs} documents: interval unreliable" if thin else "")
        for m in MEASURES:
            for t in range(k):
                rows.append([label, start, end, t + 1, labels[t], m, point[m][t], ci[m][0][t], ci[m][1][t], n,
                             int(docs.units[idx].sum()), int(tokens.sum()), thin, note])
    frame = pd.DataFrame(rows, columns=SHARE_COLUMNS)
    for col in ("value", "ci_low", "ci_high"):
        frame[col] = frame[col].astype(float).round(6)
    info = {**scheme.describe(), "n_boot": n_boot, "seed": seed, "min_docs": min_docs, "level": level,
            "periods": len(groups), "thin_periods": sorted({r[0] for r in rows if r[12]}),
            "documents": len(docs.doc_ids), "undated_documents_left_out": undated,
            "documents_outside_periods": outside}
    return frame, info


def write_timeline(run_folder, out, *, by: str = "year", periods: str | None = None, n_boot: int = 1000,
                   seed: int = 42, min_docs: int = 3, words: bool = True, n_terms: int = 10) -> dict:
    """`topics timeline`: topic_share.csv (+ topic_words_by_period.csv) and run.json in `out`."""
    from pathlib import Path

    from policyscope.analyse.topics.dynamic import topic_words_by_period
    from policyscope.analyse.topics.runs import Run, write_run_json

    make_scheme(by, periods)  # a bad --by / --periods fails before any work
    run = Run(run_folder)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    corpus = run.corpus
    weights = run.unit_topics()
    docs = aggregate_documents(corpus.units(), weights, corpus.documents())
    frame, info = topic_share(docs, run.labels, by=by, periods=periods, n_boot=n_boot, seed=seed, min_docs=min_docs)
    frame.to_csv(out / "topic_share.csv", index=False)
    files = ["topic_share.csv"]
    if words:
        beta = run.backend().topic_term_matrix()
        wf = topic_words_by_period(corpus, weights, beta, run.labels, scheme=make_scheme(by, periods),
                                   n_terms=n_terms, min_docs=min_docs)
        wf.to_csv(out / "topic_words_by_period.csv", index=False)
        files.append("topic_words_by_period.csv")
        info["words_method"] = ("per-period re-estimation from the fitted model: each term occurrence shared among "
                                "topics in proportion to unit weight × topic-term weight, summed per period "
                                "(not a dynamic topic model; LdaSeqModel is not used)")
    info.update({"run": str(run.folder), "name": run.name, "files": files})
    write_run_json(out, parameters={"command": "topics timeline", "run": str(run.folder), "by": by,
                                    "periods": periods, "n_boot": n_boot, "min_docs": min_docs, "words": words,
                                    "n_terms": n_terms},
                   seeds={"bootstrap": seed},
                   extra={"kind": "topic_timeline", "topic_run": run.name,
                          "corpus_hash": _run_corpus_hash(run), "timeline": info})
    info["frame"] = frame
    return info


def _run_corpus_hash(run) -> str | None:
    import json
    try:
        return json.loads((run.folder / "run.json").read_text(encoding="utf-8")).get("corpus_hash")
    except (OSError, ValueError):
        return None
