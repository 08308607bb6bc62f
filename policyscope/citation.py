"""Citations a journalist can paste: sentence -> document, date, page and the policyscope sentence id.

It sits beside model.py, below analyse/ and report/, because both cite (KWIC lines, validation
samples, topic passages, dashboards, export bundles) and a lower layer never imports a higher one.

    Allen et al. (2022) "Personalisation and Integration in Adult Social Care", Social Policy & Society
    22(1) 172-186, p. 4 [policyscope 8c5d22618b69:p004:s012]

`document_citation(doc)` is the document part (dashboards reuse it); `sentence_citation(doc, page,
sentence_id)` adds the page and id; `cite_sentence(store, sentence_id)` gathers everything `policyscope
cite` prints. `doc` is any mapping with title/authors/publisher/date (a store row or a dict).
Pages are the file's 1-based pages (for a journal PDF, not the printed page numbers); documents
with a single page (web pages, text files) get no page.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

_PARENS = re.compile(r"\([^)]*\)|\[[^]]*\]")
_INITIALS = re.compile(r"^(?:[A-Z]\.?\s*-?){1,4}$")


def _get(doc, key, default=None):
    try:
        v = doc[key]
    except (KeyError, IndexError, TypeError):
        v = getattr(doc, key, default)
    if v is None:
        return default
    if isinstance(v, float) and v != v:  # NaN from pandas
        return default
    return v


def _surname(name: str) -> str:
    name = name.strip().strip(".")
    if "," in name:  # "Allen, K." -> Allen
        return name.split(",", 1)[0].strip()
    parts = [p for p in name.split() if not _INITIALS.match(p)]
    return parts[-1] if parts else name


def short_authors(authors: str | None) -> str | None:
    """'Martin Routledge, Alex Fox, Miro Griffiths' -> 'Routledge et al.'; 'A B, C D' -> 'B and D'; 'Simon Duffy' -> 'Duffy'."""
    if not authors:
        return None
    text = _PARENS.sub("", str(authors)).strip()
    m = re.search(r"\bet\s+al\b\.?", text)
    if m:
        head = text[:m.start()].strip(" ,;")
        first = re.split(r"\s*(?:;|,|\band\b|&)\s*", head)[0] if head else ""
        return f"{_surname(first)} et al." if first else None
    parts = [p.strip() for p in re.split(r"\s*(?:;|\band\b|&)\s*|,\s*(?![A-Z]\.)", text) if p.strip()]
    parts = [p for p in parts if not _INITIALS.match(p)]
    if not parts:
        return None
    names = [_surname(p) for p in parts]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


def year_of(date) -> str:
    m = re.match(r"^\s*(\d{4})", str(date or ""))
    return m.group(1) if m else "n.d."


def document_citation(doc) -> str:
    """`Allen et al. (2022) "Title", Publisher`: who, when, what, where."""
    who = short_authors(_get(doc, "authors")) or (_get(doc, "publisher") or "").strip() or None
    title = (_get(doc, "title") or _get(doc, "doc_id") or "untitled").strip()
    publisher = (_get(doc, "publisher") or "").strip()
    head = f"{who} ({year_of(_get(doc, 'date'))})" if who else f"({year_of(_get(doc, 'date'))})"
    out = f'{head} "{title}"'
    if publisher and publisher != who:
        out += f", {publisher}"
    return out


def sentence_citation(doc, page_no: int | None, sentence_id: str, *, with_url: bool = True) -> str:
    out = document_citation(doc)
    n_pages = _get(doc, "n_pages")
    if page_no and not (n_pages is not None and int(n_pages) <= 1):
        out += f", p. {int(page_no)}"
    url = _get(doc, "source_url")
    if with_url and url:
        out += f", {url}"
    return out + f" [policyscope {sentence_id}]"


@dataclass
class Citation:
    sentence_id: str
    sentence: str
    passage_id: str
    passage: str
    sentence_start: int  # the sentence's span within the passage text
    sentence_end: int
    doc_id: str
    title: str
    authors: str
    publisher: str
    date: str
    doc_type: str
    page: int
    section: str
    licence: str
    source_url: str
    citation: str

    def to_dict(self) -> dict:
        return asdict(self)


def cite_sentence(store, sentence_id: str) -> Citation:
    """Everything `policyscope cite` shows for one sentence (raises NotInStore for an unknown id)."""
    s = store.sentence(sentence_id.strip())
    p = store.passage(s["passage_id"])
    doc = store.document(s["doc_id"])
    start = max(0, s["char_start"] - p["char_start"])
    end = min(len(p["text"]), s["char_end"] - p["char_start"])
    return Citation(sentence_id=s["sentence_id"], sentence=s["text"], passage_id=p["passage_id"], passage=p["text"],
                    sentence_start=start, sentence_end=end, doc_id=doc["doc_id"], title=doc["title"] or "",
                    authors=doc["authors"] or "", publisher=doc["publisher"] or "", date=doc["date"] or "",
                    doc_type=doc["doc_type"] or "", page=int(s["page_no"]), section=s["section"],
                    licence=doc["licence"] or "", source_url=doc["source_url"] or "",
                    citation=sentence_citation(doc, s["page_no"], s["sentence_id"]))


def markdown_citation(c: Citation) -> str:
    quote = " ".join(c.sentence.split())
    return f"> “{quote}”\n>\n> — {c.citation}"
