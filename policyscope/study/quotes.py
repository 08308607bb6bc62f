"""Quotes: for each concept and era, the sentences that show it best, each with its citation.

Chosen from the headline detector's evidence: the highest detector probability first, quotable length
(60-400 characters), one sentence per document while other documents remain, ties broken by sentence
id, so a rerun picks the same quotes.
"""
from __future__ import annotations

import pandas as pd

QUOTE_COLUMNS = ["concept", "era", "era_start", "era_end", "rank", "sentence", "title", "publisher", "date", "page",
                 "source_type", "sentence_id", "doc_id", "probability", "licence", "citation"]
MIN_CHARS, MAX_CHARS = 60, 400


def citation(row) -> str:
    who = row.get("publisher") or ""
    head = f"{row['title']}" + (f" ({who}, {row['date']})" if who else f" ({row['date']})")
    return f"{head}, p. {row['page']} [{row['sentence_id']}]"


def pick_quotes(evidence: pd.DataFrame, docs: pd.DataFrame, spec, per_era: int = 3) -> pd.DataFrame:
    """evidence: evidence.csv rows; docs: doc_id -> publisher, licence, source_type (document_types)."""
    if evidence.empty:
        return pd.DataFrame(columns=QUOTE_COLUMNS)
    ev = evidence.drop_duplicates(["concept", "sentence_id"]).merge(
        docs[["doc_id", "publisher", "licence", "source_type"]], on="doc_id", how="inner")
    ev = ev[ev["sentence"].str.len().between(MIN_CHARS, MAX_CHARS)]
    ev = ev.assign(_p=ev["probability"].fillna(0.0)).sort_values(["_p", "sentence_id"], ascending=[False, True],
                                                                  kind="stable")
    rows = []
    for concept in spec.concepts:
        for era in spec.eras:
            pool = ev[(ev["concept"] == concept) & ev["year"].between(era.start, era.end)]
            chosen, used_docs = [], set()
            for _, r in pool.iterrows():  # one per document first
                if r["doc_id"] not in used_docs:
                    chosen.append(r)
                    used_docs.add(r["doc_id"])
                if len(chosen) == per_era:
                    break
            if len(chosen) < per_era:
                ids = {r["sentence_id"] for r in chosen}
                chosen += [r for _, r in pool.iterrows() if r["sentence_id"] not in ids][:per_era - len(chosen)]
            for k, r in enumerate(chosen, start=1):
                d = r.to_dict()
                rows.append({"concept": concept, "era": era.label, "era_start": era.start, "era_end": era.end,
                             "rank": k, "sentence": " ".join(str(d["sentence"]).split()), "title": d["title"],
                             "publisher": d["publisher"], "date": d["date"], "page": int(d["page"]),
                             "source_type": d["source_type"], "sentence_id": d["sentence_id"], "doc_id": d["doc_id"],
                             "probability": d["probability"], "licence": d["licence"], "citation": citation(d)})
    return pd.DataFrame(rows, columns=QUOTE_COLUMNS)
