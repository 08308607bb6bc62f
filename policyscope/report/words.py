"""Collocates and keyness frames for the dashboard, from policyscope.analyse (issue 3).

Nothing is computed here: collocates come from analyse.collocates over the whole tracked span
(one period), keyness from analyse.keyness between the earlier and the later half of that span.
Both use the same lexicon, sections and duplicate rule as the track run.
"""
from __future__ import annotations

import pandas as pd

from policyscope.report.figure_data import split_concepts


def track_span(track) -> tuple[int, int] | None:
    """First and last year covered by concept_share.csv."""
    share = track.share
    for lo, hi in (("period_start", "period_end"),):
        if lo in share.columns and hi in share.columns:
            a = pd.to_numeric(share[lo], errors="coerce").dropna()
            b = pd.to_numeric(share[hi], errors="coerce").dropna()
            if len(a) and len(b):
                return int(a.min()), int(b.max())
    years = pd.to_numeric(share["period"].astype(str).str[:4], errors="coerce").dropna()
    return (int(years.min()), int(years.max())) if len(years) else None


def words_frames(store, track, *, top: int = 15) -> tuple[pd.DataFrame | None, pd.DataFrame | None, tuple[str, str]]:
    """(collocates, keyness, (target label, reference label)); a frame is None when it cannot be made."""
    from policyscope.analyse.collocates import collocates_of_concepts
    from policyscope.analyse.keyness import keyness
    from policyscope.analyse.lexicon import load_lexicon

    params = track.run.get("parameters") or {}
    sections = tuple(params.get("sections") or ("body",))
    dups = bool(params.get("include_duplicates", False))
    lex_info = track.lexicon
    lexicon = load_lexicon(lex_info.get("path")) if lex_info.get("path") else load_lexicon()
    span = track_span(track)
    if span is None:
        return None, None, ("later", "earlier")
    y0, y1 = span
    concepts = [c for c in track.concepts if not split_concepts(c, track.concepts)]
    concepts = [c for c in concepts if c in lexicon.concept_names]
    colloc = None
    if concepts:  # one pass over the store for every concept
        df = collocates_of_concepts(store, concepts, lexicon=lexicon, periods=f"all={y0}-{y1}",
                                    sections=sections, include_duplicates=dups, top=top)
        if not df.empty:
            colloc = df.rename(columns={"collocate": "word", "log_likelihood": "score", "freq_window": "count"})
    key = None
    labels = ("later", "earlier")
    if y1 > y0:
        mid = (y0 + y1) // 2
        a, b = f"{y0}-{mid}", f"{mid + 1}-{y1}"
        labels = (b.replace("-", "–"), a.replace("-", "–"))
        try:
            k = keyness(store, a, b, lexicon=lexicon, sections=sections, include_duplicates=dups, top=2 * top)
        except Exception:  # noqa: BLE001 - e.g. no tokens on one side: the panel is left out
            k = None
        if k is not None and not k.empty:
            # positive = key for the later half (the "target"), negative = key for the earlier half
            k = k.assign(score=[-lr for lr in k["log_ratio"]])
            key = k
    return colloc, key, labels
