"""Tidy frames behind every figure, computed apart from drawing.

Inputs are the contracts in DESIGN.md — a `policyscope track` folder (concept_share.csv,
evidence.csv, run.json), a topic timeline (topic_share.csv) and the store — never invented
numbers. Every plotted point gets a `key`; `SeriesData.rows_for(key)` gives the evidence.csv
rows behind it, so hover, click, export and tests all read the same sentences.
"""
from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from policyscope.errors import ReportError

SHARE_COLUMNS = ("period", "concept", "measure", "value", "ci_low", "ci_high", "n_docs", "n_sentences", "n_tokens")
EVIDENCE_COLUMNS = ("concept", "term", "doc_id", "title", "date", "doc_type", "page", "sentence_id", "sentence",
                    "matched")
TOPIC_SHARE_COLUMNS = ("period", "topic", "label", "value", "ci_low", "ci_high", "n_docs")
ALL = "all"  # the doc_type value meaning "every document type"
DEFAULT_MIN_DOCS = 3  # periods with fewer documents are "thin" unless track says otherwise

# Measure names as track writes them -> what a reader sees. Unknown names are prettified.
MEASURE_LABELS = {
    "sentence_share": "Sentence share",
    "rate": "Rate per 10,000 tokens",
    "doc_reach": "Document reach",
    "document_reach": "Document reach",
    "reach": "Document reach",
    "balance": "Balance",
    "cooccurrence": "Co-occurrence",
    "co_occurrence": "Co-occurrence",
    "sentence_share_corrected": "Sentence share, corrected for detection error",
    "rate_corrected": "Rate per 10,000 tokens, corrected for detection error",
    "doc_reach_corrected": "Document reach, corrected for detection error",
}
MEASURE_HELP = {
    "sentence_share": "share of sentences with at least one hit (denominator: body sentences in the period)",
    "rate": "hits per 10,000 word tokens (denominator: body tokens in the period)",
    "doc_reach": "share of documents with at least one hit (denominator: documents in the period)",
    "document_reach": "share of documents with at least one hit (denominator: documents in the period)",
    "reach": "share of documents with at least one hit (denominator: documents in the period)",
    "balance": "A / (A + B): how the space given to two concepts splits between them",
    "cooccurrence": "share of passages (paragraphs) in which both concepts appear",
    "co_occurrence": "share of passages (paragraphs) in which both concepts appear",
    "sentence_share_corrected": "tagged share corrected for the detector's measured error (Rogan-Gladen)",
    "rate_corrected": "hits per 10,000 tokens, scaled by the share of tagged sentences that are real",
    "doc_reach_corrected": "share of documents with a correctly tagged sentence (false positives removed)",
}
MEASURE_ORDER = ("sentence_share_corrected", "sentence_share", "rate_corrected", "rate", "doc_reach_corrected",
                 "doc_reach", "document_reach", "reach", "balance", "cooccurrence", "co_occurrence")
PERCENT_MEASURES = ("sentence_share", "doc_reach", "document_reach", "reach", "balance", "cooccurrence",
                    "co_occurrence", "sentence_share_corrected", "doc_reach_corrected")
CORRECTED_SUFFIX = "_corrected"


def tagged_counterpart(measure: str) -> str | None:
    """sentence_share_corrected[:w] -> sentence_share[:w] (the series as tagged); None for a tagged measure."""
    base, sep, weighting = str(measure).partition(":")
    if not base.endswith(CORRECTED_SUFFIX):
        return None
    return base[: -len(CORRECTED_SUFFIX)] + sep + weighting
_PAIR_SPLIT = re.compile(r"\s*(?:\||/|\+|&|,|\bvs\.?\b|\bversus\b|\band\b|~)\s*")


def measure_label(measure: str) -> str:
    base, weighting = str(measure).partition(":")[::2]
    label = MEASURE_LABELS.get(base) or base.replace("_", " ").replace("-", " ").strip().capitalize()
    if weighting:
        label += " (document-weighted)" if weighting.lower().startswith("doc") else f" ({weighting})"
    return label


def measure_help(measure: str) -> str:
    base, weighting = str(measure).partition(":")[::2]
    text = MEASURE_HELP.get(base, "")
    if weighting.lower().startswith("doc"):
        text += "; document-weighted: the mean of each document's own ratio (each document counts once)"
    elif text:
        text += "; pooled over the period's documents"
    return text


def is_cooccurrence(measure: str) -> bool:
    m = str(measure).partition(":")[0].lower().replace("-", "").replace("_", "")
    return "cooc" in m


def is_percent(measure: str) -> bool:
    base = str(measure).partition(":")[0].lower()
    return base in PERCENT_MEASURES or base.endswith("share") or base.endswith("reach") or "balance" in base \
        or is_cooccurrence(base)


# --------------------------------------------------------------------------------------
# reading track / topic outputs
# --------------------------------------------------------------------------------------
def read_csv_checked(path: str | Path, required: Iterable[str], what: str) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise ReportError(f"{what} not found", path=str(path),
                          hint="run `policyscope track --db FILE --out DIR` first and pass --track DIR")
    try:
        df = pd.read_csv(path, dtype={"period": str, "doc_id": str, "date": str, "sentence_id": str,
                                      "doc_type": str, "label": str}, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise ReportError(f"cannot read {what}: {exc}", path=str(path)) from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ReportError(f"{what} lacks column(s) {', '.join(missing)} (has: {', '.join(df.columns)})",
                          path=str(path), hint="see DESIGN.md 'Contracts' for the expected columns")
    return df


@dataclass
class TrackOutputs:
    """What `policyscope track` wrote: concept_share.csv, evidence.csv and run.json."""

    share: pd.DataFrame
    evidence: pd.DataFrame
    run: dict = field(default_factory=dict)
    folder: Path | None = None

    @property
    def concepts(self) -> list[str]:
        """Concepts in lexicon order when run.json says it, else by first appearance."""
        lex = self.run.get("lexicon") if isinstance(self.run.get("lexicon"), dict) else {}
        named = [str(c.get("name") if isinstance(c, dict) else c) for c in (lex or {}).get("concepts") or []]
        present = set(self.evidence["concept"].astype(str)) | set(self.share["concept"].astype(str))
        present |= {p for c in list(present) for p in _PAIR_SPLIT.split(c) if p}
        seen = list(dict.fromkeys([c for c in named if c in present] + list(self.evidence["concept"].astype(str))))
        for c in self.share["concept"].astype(str):
            for part in split_concepts(c, seen) or [c]:
                if part not in seen:
                    seen.append(part)
        return seen

    @property
    def lexicon(self) -> dict:
        lex = self.run.get("lexicon") or {}
        return lex if isinstance(lex, dict) else {"name": str(lex)}


def load_track(folder: str | Path) -> TrackOutputs:
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError("track output folder not found", path=str(folder),
                          hint="run `policyscope track --db FILE --out DIR` and pass that DIR")
    share = read_csv_checked(folder / "concept_share.csv", SHARE_COLUMNS, "concept_share.csv")
    evidence = read_csv_checked(folder / "evidence.csv", EVIDENCE_COLUMNS, "evidence.csv")
    run = {}
    if (folder / "run.json").exists():
        try:
            run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ReportError(f"run.json is not valid JSON: {exc}", path=str(folder / "run.json")) from exc
    return TrackOutputs(share=share, evidence=evidence, run=run, folder=folder)


def split_concepts(name: str, known: Iterable[str]) -> list[str]:
    """'personalisation|integration' -> both, when each part is a known concept; else []."""
    known = set(known)
    if name in known:
        return []
    parts = [p for p in _PAIR_SPLIT.split(str(name)) if p]
    if len(parts) >= 2 and all(p in known for p in parts):
        return parts
    return []


# --------------------------------------------------------------------------------------
# periods: labels -> [start, end) in decimal years, and dates -> periods
# --------------------------------------------------------------------------------------
_YEAR = re.compile(r"^\s*(\d{4})(?:\.0)?\s*$")
_RANGE = re.compile(r"^\s*(\d{4})(?:-(\d{2}))?\s*(?:-|–|—|to|\.\.)\s*(\d{4})(?:-(\d{2}))?\s*$")
_MONTH = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.I)
_DECADE = re.compile(r"^\s*(\d{3})0s\s*$")


def period_bounds(label) -> tuple[float, float]:
    """Decimal-year [start, end) of a period label: 2014, '2010-2014', '2010–2014', '2014-05', '2014Q2', '2010s'."""
    s = str(label)
    if m := _YEAR.match(s):
        y = int(m.group(1))
        return float(y), float(y + 1)
    if m := _MONTH.match(s):
        y, mo = int(m.group(1)), int(m.group(2))
        return y + (mo - 1) / 12, y + mo / 12
    if m := _RANGE.match(s):
        y0, m0, y1, m1 = m.group(1), m.group(2), m.group(3), m.group(4)
        start = int(y0) + ((int(m0) - 1) / 12 if m0 else 0)
        end = int(y1) + (int(m1) / 12 if m1 else 1)
        return float(start), float(end)
    if m := _QUARTER.match(s):
        y, q = int(m.group(1)), int(m.group(2))
        return y + (q - 1) / 4, y + q / 4
    if m := _DECADE.match(s):
        y = int(m.group(1)) * 10
        return float(y), float(y + 10)
    raise ReportError(f"cannot place period {label!r} on a time axis",
                      hint="periods should look like 2014, 2010-2014, 2014-05 or 2014Q2")


def _date_to_decimal(date) -> float | None:
    if date is None or (isinstance(date, float) and math.isnan(date)):
        return None
    m = re.match(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", str(date))
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    return y + (mo - 1) / 12 + (d - 1) / 365.25


def _inclusive_end(date) -> float | None:
    """Exclusive decimal end of an inclusive period end: 2014 -> 2015.0, 2014-06 -> 2014.5, 2014-12-31 -> 2015.0."""
    m = re.match(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", str(date))
    if not m:
        return None
    y = int(m.group(1))
    if not m.group(2):
        return float(y + 1)
    mo = int(m.group(2))
    if not m.group(3):
        return y + mo / 12
    return (_date_to_decimal(date) or y) + 1 / 365.25


def period_table(share: pd.DataFrame) -> pd.DataFrame:
    """One row per period: period, start, end, x (mid-point) — from period_start/period_end if track wrote them."""
    periods = share.drop_duplicates("period")
    has_bounds = "period_start" in share.columns and "period_end" in share.columns
    rows = []
    for _, r in periods.iterrows():
        start = end = None
        if has_bounds and pd.notna(r.get("period_start")) and pd.notna(r.get("period_end")):
            start, end = _date_to_decimal(r["period_start"]), _inclusive_end(r["period_end"])
        if start is None or end is None or end <= start:
            start, end = period_bounds(r["period"])
        rows.append({"period": str(r["period"]), "start": float(start), "end": float(end)})
    table = pd.DataFrame(rows, columns=["period", "start", "end"]).sort_values("start").reset_index(drop=True)
    table["x"] = (table["start"] + table["end"]) / 2
    return table


def assign_periods(dates: pd.Series, periods: pd.DataFrame) -> pd.Series:
    """The period label each date falls in (NaN when none)."""
    dec = dates.map(_date_to_decimal)
    starts, ends, labels = periods["start"].to_numpy(), periods["end"].to_numpy(), periods["period"].to_numpy()
    out = []
    for v in dec:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
            continue
        hit = np.nonzero((starts <= v + 1e-9) & (v < ends - 1e-9))[0]
        out.append(labels[hit[0]] if len(hit) else None)
    return pd.Series(out, index=dates.index, dtype=object)


# --------------------------------------------------------------------------------------
# quotes for hover labels
# --------------------------------------------------------------------------------------
def snippet(sentence: str, matched: str | None, width: int = 70) -> str:
    """The sentence cut to about 2*width characters around the matched text, with ellipses."""
    text = " ".join(str(sentence).split())
    if len(text) <= 2 * width + 10:
        return text
    pos = text.lower().find(str(matched or "").lower()) if matched else -1
    if pos < 0:
        return text[: 2 * width].rstrip() + "…"
    start = max(0, pos - width)
    end = min(len(text), pos + len(str(matched)) + width)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def kwic_split(sentence: str, matched: str | None) -> tuple[str, str, str]:
    """(left, match, right) of a sentence around the first case-insensitive occurrence of `matched`."""
    text = " ".join(str(sentence).split())
    m = " ".join(str(matched or "").split())
    pos = text.lower().find(m.lower()) if m else -1
    if pos < 0:
        return text, "", ""
    return text[:pos], text[pos:pos + len(m)], text[pos + len(m):]


def hover_escape(text: str) -> str:
    """Document text for a Plotly hover label: HTML-escaped, so a `<script>` shows as text."""
    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------------------------
# concept share series: one row per plotted point, with its evidence rows
# --------------------------------------------------------------------------------------
@dataclass
class SeriesData:
    """Points of the concept-share chart and the evidence behind each.

    frame: one row per (measure, doc_type, concept, period) point.
    evidence: evidence.csv rows (plus `period`), sorted so each point's rows are easy to slice.
    points: key -> positions into `evidence`.
    """

    frame: pd.DataFrame
    evidence: pd.DataFrame
    points: dict[str, np.ndarray]
    periods: pd.DataFrame
    concepts: list[str]
    measures: list[str]
    doc_types: list[str]
    min_docs: int
    run: dict = field(default_factory=dict)

    def rows_for(self, key: str) -> pd.DataFrame:
        return self.evidence.iloc[self.points.get(key, np.empty(0, dtype=int))]

    def sentence_ids(self, key: str) -> list[str]:
        return list(dict.fromkeys(self.rows_for(key)["sentence_id"]))

    def view(self, measure: str, doc_type: str = ALL) -> pd.DataFrame:
        f = self.frame
        return f[(f["measure"] == measure) & (f["doc_type"] == doc_type)]


def _point_key(kind: str, concept: str, period: str, doc_type: str) -> str:
    return f"{kind}|{concept}|{period}|{doc_type}"


def _thin_flags(share: pd.DataFrame, min_docs: int) -> pd.Series:
    for col in ("thin", "thin_period", "low_n", "few_docs", "flag_thin"):
        if col in share.columns:
            return share[col].map(lambda v: str(v).strip().lower() in ("1", "true", "yes", "y", "thin"))
    if "flag" in share.columns:
        return share["flag"].astype(str).str.contains("thin|few|low", case=False, regex=True)
    return pd.to_numeric(share["n_docs"], errors="coerce").fillna(0) < min_docs


WEIGHTING_COLUMNS = ("weighting", "variant", "weights", "estimator")
POOLED = ("pooled", "pool", "default", "")


def _fold_weighting(share: pd.DataFrame) -> pd.DataFrame:
    """Track writes pooled and document-weighted rows: each variant becomes its own measure id.

    The pooled variant keeps the plain measure name (sentence_share); others get a suffix
    (sentence_share:document), labelled "(document-weighted)".
    """
    share = share.copy()
    share["base_measure"] = share["measure"].astype(str)
    for col in WEIGHTING_COLUMNS:
        if col in share.columns:
            w = share[col].fillna("").astype(str)
            share["weighting"] = w
            share["measure"] = [m if v.lower() in POOLED else f"{m}:{v}" for m, v in zip(share["base_measure"], w)]
            return share
    share["weighting"] = "pooled"
    return share


def _base(measure: str) -> tuple[str, str]:
    base, _, weighting = str(measure).partition(":")
    return base, weighting


def concept_share_series(track: TrackOutputs, *, min_docs: int | None = None, store=None,
                         n_quotes: int = 3) -> SeriesData:
    """Points of the concept-share chart with their evidence rows, quotes and thin-period flags.

    A point's evidence is every evidence.csv row of its concept(s), period and doc_type
    (co-occurrence points: the rows whose sentence shares a passage with a hit of the other
    concept; without a store, the same page stands in for the passage).
    """
    if min_docs is None:  # the threshold track flagged thin periods with, else the default
        min_docs = int((track.run.get("parameters") or {}).get("min_docs") or DEFAULT_MIN_DOCS)
    share = _fold_weighting(track.share)
    share["period"] = share["period"].astype(str)
    share["concept"] = share["concept"].astype(str)
    share["measure"] = share["measure"].astype(str)
    if "doc_type" in share.columns:
        share["doc_type"] = share["doc_type"].fillna(ALL).astype(str).replace({"": ALL, "*": ALL, "any": ALL,
                                                                               "All": ALL, "None": ALL})
    else:
        share["doc_type"] = ALL
    for col in ("value", "ci_low", "ci_high", "n_docs", "n_sentences", "n_tokens"):
        share[col] = pd.to_numeric(share[col], errors="coerce")
    share["thin"] = _thin_flags(share, min_docs).astype(bool)

    periods = period_table(share)
    pmap = periods.set_index("period")
    share["x"] = share["period"].map(pmap["x"])
    share["x_start"] = share["period"].map(pmap["start"])
    share["x_end"] = share["period"].map(pmap["end"])

    concepts = track.concepts
    ev = track.evidence.copy()
    ev["concept"] = ev["concept"].astype(str)
    ev["doc_type"] = ev["doc_type"].fillna("").astype(str)
    if "period" in ev.columns and ev["period"].notna().all():
        ev["period"] = ev["period"].astype(str)
    else:
        ev["period"] = assign_periods(ev["date"], periods)
    ev["page"] = pd.to_numeric(ev["page"], errors="coerce").fillna(0).astype(int)
    ev = ev.sort_values(["concept", "period", "doc_type", "date", "doc_id", "page", "sentence_id"],
                        na_position="last", kind="stable").reset_index(drop=True)

    # index: (concept, period, doc_type) -> positions, and (concept, period) -> positions
    points: dict[str, np.ndarray] = {}
    by_cpd = {k: np.asarray(v, dtype=int) for k, v in ev.groupby(["concept", "period", "doc_type"]).indices.items()}
    by_cp = {k: np.asarray(v, dtype=int) for k, v in ev.groupby(["concept", "period"]).indices.items()}

    def hits_rows(concept: str, period: str, doc_type: str) -> np.ndarray:
        if doc_type == ALL:
            return by_cp.get((concept, period), np.empty(0, dtype=int))
        return by_cpd.get((concept, period, doc_type), np.empty(0, dtype=int))

    cooc_unit = _cooccurrence_units(ev, store) if any(is_cooccurrence(m) for m in share["measure"].unique()) else None

    ev["_sent_hits"] = ev.groupby("sentence_id")["sentence_id"].transform("size") if len(ev) else 0
    cache: dict[str, tuple] = {}
    keys, n_sent, n_hits, quotes, hover_quotes = [], [], [], [], []
    for r in share.itertuples(index=False):
        parts = split_concepts(r.concept, concepts) or [r.concept]
        kind = "cooc" if is_cooccurrence(r.measure) and len(parts) > 1 else "hits"
        key = _point_key(kind, r.concept, r.period, r.doc_type)
        if key not in points:
            rows = [hits_rows(p, r.period, r.doc_type) for p in parts]
            if kind == "cooc" and cooc_unit is not None:
                unit_sets = [set(cooc_unit[idx]) for idx in rows]
                both = set.intersection(*unit_sets) if unit_sets else set()
                rows = [idx[np.isin(cooc_unit[idx], list(both))] for idx in rows]
            idx = np.unique(np.concatenate(rows)) if rows else np.empty(0, dtype=int)
            points[key] = idx
        if key not in cache:
            sub = ev.iloc[points[key]]
            q = _top_quotes(sub, n_quotes)
            cache[key] = (len(sub), sub["sentence_id"].nunique(), q,
                          "<br>".join(f"“{hover_escape(s)}”<br><i>— {hover_escape(t)}</i>" for s, t in q))
        nh, ns, q, hq = cache[key]
        keys.append(key)
        n_hits.append(nh)
        n_sent.append(ns)
        quotes.append(q)
        hover_quotes.append(hq)
    share["key"] = keys
    share["n_evidence_hits"] = n_hits
    share["n_evidence_sentences"] = n_sent
    share["quotes"] = quotes
    share["hover_quotes"] = hover_quotes
    share["measure_label"] = share["measure"].map(measure_label)

    def _order(m):
        base, weighting = _base(m)
        return (MEASURE_ORDER.index(base) if base in MEASURE_ORDER else len(MEASURE_ORDER), weighting, m)
    measures = sorted(share["measure"].unique(), key=_order)
    doc_types = [ALL] + sorted(d for d in share["doc_type"].unique() if d != ALL)
    if ALL not in set(share["doc_type"]):
        doc_types = doc_types[1:]
    concept_order = {c: i for i, c in enumerate(concepts)}
    share["_order"] = share["concept"].map(lambda c: concept_order.get(c, len(concept_order)))
    frame = share.sort_values(["measure", "doc_type", "_order", "concept", "x"]).drop(columns="_order")
    ev = ev.drop(columns="_sent_hits")
    return SeriesData(frame=frame.reset_index(drop=True), evidence=ev, points=points, periods=periods,
                      concepts=concepts, measures=measures, doc_types=doc_types, min_docs=min_docs, run=track.run)


def _top_quotes(rows: pd.DataFrame, n: int) -> list[tuple[str, str]]:
    """Up to n (snippet, 'title, date, p. N') pairs: sentences with most hits first, then in evidence order."""
    if rows.empty or n <= 0:
        return []
    if "_sent_hits" in rows.columns:
        g = rows.drop_duplicates("sentence_id").sort_values("_sent_hits", ascending=False, kind="stable").head(n)
    else:
        counts = rows["sentence_id"].map(rows["sentence_id"].value_counts())
        g = rows.assign(_n=counts).drop_duplicates("sentence_id").sort_values("_n", ascending=False,
                                                                            kind="stable").head(n)
    out = []
    for r in g.itertuples():
        title = str(r.title) if pd.notna(r.title) else "untitled"
        if len(title) > 60:
            title = title[:59] + "…"
        where = f"{title}, {r.date if pd.notna(r.date) else 'n.d.'}, p. {r.page}"
        out.append((snippet(r.sentence, r.matched, 60), where))
    return out


def _cooccurrence_units(ev: pd.DataFrame, store) -> np.ndarray:
    """Per evidence row, the passage its sentence belongs to (evidence.csv's passage_id, else the store's;
    doc+page without either)."""
    if "passage_id" in ev.columns and ev["passage_id"].notna().all():
        return ev["passage_id"].astype(str).to_numpy(dtype=object)
    if store is not None:
        info = sentence_info(store, ev["sentence_id"].unique())
        passage = ev["sentence_id"].map(info.set_index("sentence_id")["passage_id"])
        fallback = ev["doc_id"].astype(str) + ":p" + ev["page"].astype(str)
        return passage.fillna(fallback).to_numpy(dtype=object)
    return (ev["doc_id"].astype(str) + ":p" + ev["page"].astype(str)).to_numpy(dtype=object)


def sentence_info(store, sentence_ids: Iterable[str]) -> pd.DataFrame:
    """sentence_id, passage_id, doc_id, page_no, seq, section for the given ids that exist in the store."""
    ids = list(dict.fromkeys(str(s) for s in sentence_ids))
    cols = ["sentence_id", "passage_id", "doc_id", "page_no", "seq", "section"]
    if not ids:
        return pd.DataFrame(columns=cols)
    out = []
    conn = store.conn
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        q = (f"SELECT sentence_id, passage_id, doc_id, page_no, seq, section FROM sentences "
             f"WHERE sentence_id IN ({','.join('?' * len(chunk))})")
        out.extend(tuple(r) for r in conn.execute(q, chunk))
    return pd.DataFrame(out, columns=cols)


def restrict_series(series: SeriesData, *, measures: Iterable[str] | None = None,
                    doc_types: Iterable[str] | None = None, concepts: Iterable[str] | None = None) -> SeriesData:
    """The same series cut to some measures / doc_types / concepts, with evidence cut to their points."""
    f = series.frame
    keep = pd.Series(True, index=f.index)
    if measures is not None:
        keep &= f["measure"].isin(list(measures))
    if doc_types is not None:
        keep &= f["doc_type"].isin(list(doc_types))
    if concepts is not None:
        wanted = set(concepts)
        keep &= f["concept"].map(lambda c: c in wanted or bool(set(split_concepts(c, series.concepts)) & wanted))
    frame = f[keep].reset_index(drop=True)
    keys = list(dict.fromkeys(frame["key"]))
    used = np.unique(np.concatenate([series.points.get(k, np.empty(0, dtype=int)) for k in keys])) \
        if keys else np.empty(0, dtype=int)
    remap = np.full(len(series.evidence), -1, dtype=int)
    remap[used] = np.arange(len(used))
    points = {k: remap[series.points.get(k, np.empty(0, dtype=int))] for k in keys}
    evidence = series.evidence.iloc[used].reset_index(drop=True)
    present = set(frame["concept"])
    concept_list = [c for c in series.concepts if c in present or any(c in split_concepts(p, series.concepts)
                                                                       for p in present)]
    return SeriesData(frame=frame, evidence=evidence, points=points, periods=series.periods, concepts=concept_list,
                      measures=[m for m in series.measures if m in set(frame["measure"])],
                      doc_types=[d for d in series.doc_types if d in set(frame["doc_type"])],
                      min_docs=series.min_docs, run=series.run)
