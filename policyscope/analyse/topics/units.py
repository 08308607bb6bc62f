"""Modelling units streamed from the store: passages (paragraphs) by default, or sentences.

A passage longer than `max_unit_tokens` (a text file with no blank lines is one passage per page)
is cut into roughly equal runs of whole sentences, so no unit swamps the model. Every unit keeps its
provenance: document, page, passage, first and last sentence, and the character span in the page's
cleaned text, so a representative passage can be quoted and cited exactly.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from policyscope.store import Store

UNIT_FIELDS = ("unit_id", "doc_id", "passage_id", "page_no", "sentence_first", "sentence_last", "char_start",
               "char_end", "n_tokens")


@dataclass(frozen=True)
class Unit:
    unit_id: str  # the passage id, or passage id + ":c02" for the 2nd chunk of a long passage, or a sentence id
    doc_id: str
    passage_id: str
    page_no: int
    sentence_first: str
    sentence_last: str
    char_start: int  # into the page's cleaned text
    char_end: int
    n_tokens: int  # word tokens (the store's count): the weight for token-weighted prevalence
    lemmas: tuple[str, ...]

    def row(self) -> list:
        return [getattr(self, f) for f in UNIT_FIELDS]


_COLUMNS = "s.sentence_id, s.passage_id, s.doc_id, s.page_no, s.char_start, s.char_end, s.n_tokens, s.lemmas"


def iter_units(store: Store, *, unit: str = "passage", max_unit_tokens: int = 250,
               sections=("body",), include_duplicates: bool = False, doc_ids=None) -> Iterator[Unit]:
    """Stream units in store order (document, then position): deterministic and memory-flat.
    doc_ids: only these documents (a partition of a cluster run)."""
    rows = store.iter_sentences(sections=sections, include_duplicates=include_duplicates, columns=_COLUMNS,
                                doc_ids=doc_ids)
    if unit == "sentence":
        for r in rows:
            yield _make(r["sentence_id"], [r])
        return
    group: list = []
    for r in rows:
        if group and r["passage_id"] != group[0]["passage_id"]:
            yield from _split(group, max_unit_tokens)
            group = []
        group.append(r)
    if group:
        yield from _split(group, max_unit_tokens)


def _split(sentences: list, max_tokens: int) -> Iterator[Unit]:
    """Whole passage if it fits; else runs of whole sentences of about equal size, none above
    max_tokens unless a single sentence is longer on its own."""
    total = sum(s["n_tokens"] for s in sentences)
    pid = sentences[0]["passage_id"]
    if total <= max_tokens or len(sentences) == 1:
        yield _make(pid, sentences)
        return
    target = total / math.ceil(total / max_tokens)
    chunk: list = []
    size = 0
    n = 0
    for s in sentences:
        if chunk and size + s["n_tokens"] > max_tokens:
            n += 1
            yield _make(f"{pid}:c{n:02d}", chunk)
            chunk, size = [], 0
        chunk.append(s)
        size += s["n_tokens"]
        if size >= target:
            n += 1
            yield _make(f"{pid}:c{n:02d}", chunk)
            chunk, size = [], 0
    if chunk:
        n += 1
        yield _make(f"{pid}:c{n:02d}", chunk)


def _make(unit_id: str, sentences: list) -> Unit:
    first, last = sentences[0], sentences[-1]
    lemmas: list[str] = []
    for s in sentences:
        lemmas.extend(s["lemmas"].split())
    return Unit(unit_id=unit_id, doc_id=first["doc_id"], passage_id=first["passage_id"], page_no=first["page_no"],
                sentence_first=first["sentence_id"], sentence_last=last["sentence_id"],
                char_start=first["char_start"], char_end=last["char_end"],
                n_tokens=sum(s["n_tokens"] for s in sentences), lemmas=tuple(lemmas))
