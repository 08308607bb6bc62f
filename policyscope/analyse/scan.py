"""What an analysis counts: the documents in scope (dated, not near-duplicates, in a period) and a
batched stream of their sentences from the store."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd

from policyscope.analyse.periods import PeriodScheme
from policyscope.errors import UsageError
from policyscope.model import SECTIONS

ALL = "all"
UNKNOWN_TYPE = "unknown"
DENOM_COLUMNS = ["doc_id", "title", "date", "year", "period", "doc_type", "n_sentences", "n_tokens", "n_passages"]


@dataclass
class Scope:
    """The documents counted, and why others were left out."""

    docs: pd.DataFrame  # one row per counted document (DENOM_COLUMNS)
    undated: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    outside_periods: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)

    def warnings(self) -> list[str]:
        out = []
        if self.undated:
            out.append(f"{len(self.undated)} document(s) have no date and are left out of the timeline: "
                       + "; ".join(self.undated))
        if self.duplicates:
            out.append(f"{len(self.duplicates)} near-duplicate document(s) counted once (use --include-duplicates "
                       "to count them): " + "; ".join(self.duplicates))
        if self.outside_periods:
            out.append(f"{len(self.outside_periods)} document(s) fall outside every --periods range: "
                       + "; ".join(self.outside_periods))
        if self.empty:
            out.append(f"{len(self.empty)} document(s) have no sentences in the counted sections: "
                       + "; ".join(self.empty))
        return out


def _doc_label(d) -> str:
    return f"{d['doc_id']} ({(d['title'] or d['path'] or '')[:60]})"


def resolve_sections(sections) -> tuple[str, ...]:
    sections = tuple(dict.fromkeys(sections or ("body",)))
    bad = [s for s in sections if s not in SECTIONS]
    if bad:
        raise UsageError(f"unknown section(s) {', '.join(bad)}: choose from {', '.join(SECTIONS)}")
    return sections


def build_scope(store, scheme: PeriodScheme, sections, include_duplicates: bool) -> Scope:
    marks = ",".join("?" * len(sections))
    counts = {r[0]: (r[1], r[2] or 0, r[3]) for r in store.conn.execute(
        f"SELECT doc_id, COUNT(*), SUM(n_tokens), COUNT(DISTINCT passage_id) FROM sentences "
        f"WHERE section IN ({marks}) GROUP BY doc_id", list(sections))}
    return scope_of(store.documents(include_duplicates=True), counts, scheme, include_duplicates)


def scope_of(documents, counts: dict, scheme: PeriodScheme, include_duplicates: bool) -> Scope:
    """The Scope of `documents` (rows with the store's document columns, in the store's date, title order)
    given per doc_id (sentences, tokens, passages) in the counted sections."""
    scope = Scope(docs=pd.DataFrame(columns=DENOM_COLUMNS))
    rows = []
    for d in documents:
        if d["duplicate_of"] and not include_duplicates:
            scope.duplicates.append(f"{_doc_label(d)} ~ {d['duplicate_of']}")
            continue
        if d["year"] is None:
            scope.undated.append(_doc_label(d))
            continue
        period = scheme.period(int(d["year"]))
        if period is None:
            scope.outside_periods.append(_doc_label(d))
            continue
        n_s, n_t, n_p = counts.get(d["doc_id"], (0, 0, 0))
        if n_s == 0:
            scope.empty.append(_doc_label(d))
            continue
        rows.append({"doc_id": d["doc_id"], "title": d["title"] or "", "date": d["date"], "year": int(d["year"]),
                     "period": period.label, "period_start": period.start, "period_end": period.end,
                     "doc_type": d["doc_type"] or UNKNOWN_TYPE, "n_sentences": int(n_s), "n_tokens": int(n_t),
                     "n_passages": int(n_p)})
    if rows:
        scope.docs = pd.DataFrame(rows)
    return scope


def iter_batches(store, sections, columns: str = "s.rowid, s.doc_id, s.text", doc_ids: set[str] | None = None,
                 batch_size: int = 4000) -> Iterator[list[tuple]]:
    """Lists of plain tuples (rowid order) for the chosen sections; column 1 must be s.doc_id when doc_ids is given."""
    for rows in store.iter_sentence_batches(sections=sections, columns=columns, batch_size=batch_size):
        if doc_ids is not None:
            rows = [r for r in rows if r[1] in doc_ids]
            if not rows:
                continue
        yield rows
