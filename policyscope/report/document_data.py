"""Tidy frames about documents: where the hits fall (dispersion), KWIC lines, store look-ups.

Split from figure_data (same rules: read track outputs and the store, compute nothing the
analysis layer owns). Point keys index the same evidence frame as SeriesData.evidence.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from policyscope.report.figure_data import _top_quotes, kwic_split, sentence_info


# --------------------------------------------------------------------------------------
# store look-ups
# --------------------------------------------------------------------------------------
def corpus_frame(store) -> pd.DataFrame:
    """One row per stored document: what the methods panel lists (no file paths)."""
    cols = ["doc_id", "title", "authors", "publisher", "date", "doc_type", "licence", "source_url", "n_pages",
            "n_sentences", "n_tokens", "file_type", "duplicate_of"]
    rows = [{c: (d[c] if c in d.keys() else None) for c in cols} for d in store.documents()]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------------------
# dispersion: where in each document the concepts appear
# --------------------------------------------------------------------------------------
@dataclass
class DispersionData:
    frame: pd.DataFrame  # one row per (document, concept, unit)
    documents: pd.DataFrame  # the documents shown, in plotting order
    points: dict[str, np.ndarray]  # key -> positions into evidence
    evidence: pd.DataFrame
    n_documents_with_hits: int
    unit_note: str


def dispersion_frame(evidence: pd.DataFrame, store, *, max_docs: int = 40, bins: int = 10) -> DispersionData:
    """Hits per document and position: by page for documents of 4+ pages, by tenth of the text otherwise.

    x is the position in the document (0-100 %); the documents with most hits are shown, at most
    max_docs (the figure title says how many of how many).
    """
    ev = evidence.reset_index(drop=True)
    docs = {d["doc_id"]: d for d in store.documents()}
    info = sentence_info(store, ev["sentence_id"].unique()).set_index("sentence_id")
    seq = ev["sentence_id"].map(info["seq"])
    n_sent = ev["doc_id"].map(lambda d: docs[d]["n_sentences"] if d in docs else np.nan)
    n_pages = ev["doc_id"].map(lambda d: docs[d]["n_pages"] if d in docs else np.nan)
    page = pd.to_numeric(ev["page"], errors="coerce")
    by_page = n_pages >= 4
    rel = pd.Series(np.where(by_page, (page - 0.5) / n_pages, (seq + 0.5) / n_sent.clip(lower=1)), index=ev.index)
    unit = pd.Series(np.where(by_page, "p" + page.fillna(0).astype(int).astype(str),
                              "t" + np.minimum((rel.fillna(0) * bins).astype(int), bins - 1).astype(str)),
                     index=ev.index)
    x = np.where(by_page, rel * 100, (np.minimum((rel.fillna(0) * bins).astype(int), bins - 1) + 0.5) * 100 / bins)
    ev = ev.assign(_unit=unit, _x=x, _known=ev["doc_id"].isin(docs.keys()))
    ev = ev[ev["_known"]]
    counts = ev.groupby("doc_id").size().sort_values(ascending=False, kind="stable")
    n_with_hits = len(counts)
    shown = list(counts.index[:max_docs])
    docs_df = pd.DataFrame([{"doc_id": d, "title": docs[d]["title"] or "untitled", "date": docs[d]["date"] or "",
                             "doc_type": docs[d]["doc_type"] or "", "n_pages": docs[d]["n_pages"],
                             "n_hits": int(counts[d])} for d in shown])
    if not docs_df.empty:
        docs_df = docs_df.sort_values(["date", "title"]).reset_index(drop=True)
        docs_df["row_label"] = [_doc_label(r) for r in docs_df.itertuples()]
    rows, points = [], {}
    sub = ev[ev["doc_id"].isin(shown)]
    for (doc_id, concept, u), idx in sub.groupby(["doc_id", "concept", "_unit"]).indices.items():
        part = sub.iloc[idx]
        positions = part.index.to_numpy()
        key = f"disp|{concept}|{doc_id}|{u}"
        points[key] = positions
        pages = sorted(set(int(p) for p in part["page"]))
        rows.append({"key": key, "doc_id": doc_id, "concept": concept, "unit": u, "x": float(part["_x"].iloc[0]),
                     "pages": ", ".join(str(p) for p in pages), "n_hits": len(part),
                     "n_sentences": part["sentence_id"].nunique(),
                     "quotes": _top_quotes(part, 2)})
    frame = pd.DataFrame(rows, columns=["key", "doc_id", "concept", "unit", "x", "pages", "n_hits", "n_sentences",
                                        "quotes"])
    if not frame.empty:
        frame = frame.merge(docs_df[["doc_id", "row_label", "title", "date", "n_pages"]], on="doc_id", how="left")
    note = "position: page for documents of 4+ pages, tenth of the text for shorter ones"
    return DispersionData(frame=frame, documents=docs_df, points=points, evidence=ev.drop(columns=["_unit", "_x",
                                                                                                   "_known"]),
                          n_documents_with_hits=n_with_hits, unit_note=note)


def _doc_label(r) -> str:
    title = str(r.title)
    if len(title) > 38:
        title = title[:37] + "…"
    return f"{str(r.date)[:4] or 'n.d.'} · {title}"


# --------------------------------------------------------------------------------------
# KWIC lines
# --------------------------------------------------------------------------------------
def kwic_frame(evidence: pd.DataFrame, concept: str | None = None) -> pd.DataFrame:
    """One row per hit: left, match, right plus title/date/page/sentence_id, sorted by date."""
    ev = evidence if concept is None else evidence[evidence["concept"] == concept]
    parts = [kwic_split(s, m) for s, m in zip(ev["sentence"], ev["matched"])]
    out = ev[["concept", "term", "doc_id", "title", "date", "doc_type", "page", "sentence_id"]].copy()
    out["left"] = [p[0] for p in parts]
    out["match"] = [p[1] or m for p, m in zip(parts, ev["matched"])]
    out["right"] = [p[2] for p in parts]
    return out.sort_values(["date", "doc_id", "page", "sentence_id"], na_position="last").reset_index(drop=True)
