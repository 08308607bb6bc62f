"""What the study's corpus covers and lacks, per period and source type: documents, sentences, the
documents that are about the concepts at all, and the periods too thin to count."""
from __future__ import annotations

import pandas as pd

from policyscope.study.series import period_bins

COVERAGE_COLUMNS = ["period", "period_start", "period_end", "source_type", "source_type_label", "n_docs",
                    "n_on_topic", "n_sentences", "n_tokens", "thin"]
ON_TOPIC_SHARE = 0.01  # a document is on topic when the concepts take at least 1% of its sentences


def coverage_table(docs: pd.DataFrame, spec, source_types: list[str]) -> pd.DataFrame:
    """docs: the headline doc table (source_type, year, n_sentences, n_tokens, sents__<concept>)."""
    bins = period_bins(spec.years, spec.period_years)
    tagged = sum(docs[f"sents__{c}"] for c in spec.concepts)
    on_topic = tagged >= ON_TOPIC_SHARE * docs["n_sentences"].clip(lower=1)
    rows = []
    for b in bins:
        in_b = docs["year"].between(b.start, b.end)
        for t in ["all"] + source_types:
            sel = in_b if t == "all" else in_b & (docs["source_type"] == t)
            n, n_s = int(sel.sum()), int(docs.loc[sel, "n_sentences"].sum())
            rows.append({"period": b.label, "period_start": b.start, "period_end": b.end, "source_type": t,
                         "source_type_label": "all sources" if t == "all" else spec.source_type_label(t),
                         "n_docs": n, "n_on_topic": int((sel & on_topic).sum()), "n_sentences": n_s,
                         "n_tokens": int(docs.loc[sel, "n_tokens"].sum()),
                         "thin": n < spec.min_docs or n_s < spec.min_sentences})
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def coverage_gaps(cov: pd.DataFrame, spec) -> list[str]:
    """Plain statements of what is missing: source types absent from periods, periods with no on-topic text."""
    out = []
    for t, g in cov[cov["source_type"] != "all"].groupby("source_type", sort=False):
        missing = g[g["n_docs"] == 0]["period"].tolist()
        if missing:
            out.append(f"no {spec.source_type_phrase(t)} in {', '.join(missing)}")
    allp = cov[cov["source_type"] == "all"]
    few = allp[allp["n_on_topic"] < 2]["period"].tolist()
    if few:
        out.append(f"fewer than two documents about {' or '.join(spec.concepts)} at all (the concepts in at least "
                   f"{ON_TOPIC_SHARE:.0%} of their sentences) in {', '.join(few)}")
    thin = allp[allp["thin"]]["period"].tolist()
    if thin:
        out.append(f"too little text to count in {', '.join(thin)} (thin: left out of every trend)")
    return out
