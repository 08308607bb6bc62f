"""A short citation for a modelled unit: who, title, date, page, passage id.

analyse/ must not import report/ (no back-edges in DESIGN.md), so `policyscope.report.cite` cannot be
used here: this is the analysis layer's own minimal formatter, the same shape for every unit. It
needs only the document fields that the prepared corpus keeps in documents.csv, so `topics show`
works without the store.
"""
from __future__ import annotations


def cite_unit(doc: dict, page_no: int | str, unit_id: str) -> str:
    """`Simon Duffy, "Integration through Personalisation" (2010), p. 3 [6ff525d5292e:p003:g004]`."""
    who = (doc.get("authors") or doc.get("publisher") or "").strip()
    title = (doc.get("title") or doc.get("doc_id") or "").strip()
    date = (doc.get("date") or "n.d.").strip()
    head = f'{who}, "{title}"' if who else f'"{title}"'
    return f"{head} ({date}), p. {page_no} [{unit_id}]"
