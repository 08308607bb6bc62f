"""Keyword in context over the store, every line with its citation (title, date, page, sentence id).

Queries: a word, a phrase ("person centred" also finds person-centred and personcentred), a glob
(`personalis*`), a regular expression (`regex=True`), lemmas (`lemma=True`: "integrate care" finds
integrating care, integrated care...), or a lexicon concept (`concept=`, the exact hits `track` counts).
Candidates come from the FTS5 index, so a word query on a large store answers in well under a
second; regex and lemma queries scan the sentences in big batches (one C-level regex pass).
"""
from __future__ import annotations

import bisect
import re
import time
from dataclasses import asdict, dataclass, field

from policyscope.analyse.lexicon import Form, compile_surface, fts_query_for_forms, regex_literal_prefix
from policyscope.analyse.matcher import SEP, Matcher, _lower_same_length
from policyscope.analyse.periods import parse_periods
from policyscope.analyse.scan import resolve_sections
from policyscope.errors import UsageError
from policyscope.citation import sentence_citation

SORTS = ("date", "doc", "left", "right")
_TOKEN = re.compile(r"\S+")


@dataclass
class KwicLine:
    left: str
    keyword: str
    right: str
    sentence_id: str
    doc_id: str
    title: str
    date: str
    doc_type: str
    page: int
    citation: str
    sentence: str
    char_start: int
    char_end: int
    concept: str = ""
    term: str = ""
    _seq: int = field(default=0, repr=False)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("_seq", None)
        return d


@dataclass
class KwicResult:
    lines: list[KwicLine]
    query: str
    mode: str
    n_candidates: int
    seconds: float
    fts_query: str | None = None
    notes: list[str] = field(default_factory=list)


def _context(text: str, start: int, end: int, window: int) -> tuple[str, str]:
    left_toks = _TOKEN.findall(text[:start])
    right_toks = _TOKEN.findall(text[end:])
    left = " ".join(left_toks[-window:]) if window > 0 else ""
    right = " ".join(right_toks[:window]) if window > 0 else ""
    return left, right


def _year_filter(period: str | None):
    if not period:
        return None
    ps = parse_periods(period)
    return lambda year: year is not None and any(p.start <= year <= p.end for p in ps)


def _regex_prefix(pattern: str) -> str | None:
    """A literal word start (>= 3 letters) every match of a regex begins with, for FTS candidates."""
    lit = regex_literal_prefix(pattern)
    return lit if len(lit) >= 3 else None


def kwic(store, query: str | None = None, *, concept: str | None = None, lexicon=None, regex: bool = False,
         lemma: bool = False, variants: bool = False, window: int = 8, sort: str = "date",
         period: str | None = None, doc_types: list[str] | None = None, sections=("body",),
         include_duplicates: bool = False, limit: int | None = None, detector: str | None = None,
         detector_model=None) -> KwicResult:
    t0 = time.perf_counter()
    if sort not in SORTS:
        raise UsageError(f"--sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if (query is None) == (concept is None):
        raise UsageError("give a QUERY or --concept NAME (not both)")
    if window < 0:
        raise UsageError("--window must be >= 0")
    sections = resolve_sections(sections)
    in_period = _year_filter(period)
    docs = {d["doc_id"]: d for d in store.documents(include_duplicates=True)}
    allowed = set()
    for d in docs.values():
        if d["duplicate_of"] and not include_duplicates:
            continue
        if doc_types and (d["doc_type"] or "unknown") not in doc_types:
            continue
        if in_period and not in_period(d["year"]):
            continue
        allowed.add(d["doc_id"])
    notes: list[str] = []
    spans: list[tuple[tuple, int, int, str, str]] = []  # (row, start, end, concept, term)
    fts = None
    n_cand = 0
    cols = "s.rowid, s.doc_id, s.text, s.sentence_id, s.page_no, s.seq, s.section, s.lemmas"

    def candidates(fts_query: str | None):
        nonlocal n_cand
        cur = store.conn.cursor()
        cur.row_factory = None
        marks = ",".join("?" * len(sections))
        if fts_query is not None:
            sql = (f"SELECT {cols} FROM sentences_fts f JOIN sentences s ON s.rowid = f.rowid "
                   f"WHERE sentences_fts MATCH ? AND s.section IN ({marks})")
            cur.execute(sql, [fts_query, *sections])
        else:
            cur.execute(f"SELECT {cols} FROM sentences s WHERE s.section IN ({marks})", list(sections))
        while True:
            rows = cur.fetchmany(5000)
            if not rows:
                return
            rows = [r for r in rows if r[1] in allowed]
            n_cand += len(rows)
            if rows:
                yield rows

    if concept is not None:
        if lexicon is None:
            from policyscope.analyse.lexicon import load_lexicon
            lexicon = load_lexicon()
        from policyscope.analyse.detect import load_detector
        det = load_detector(detector, lexicon, concepts=[concept], model=detector_model)
        if det.backend == "lexicon":
            # the lexicon's hits need a lexicon form: the FTS index finds the candidate sentences fast
            matcher = det.matcher
            forms = [f for t in lexicon.concept(concept).terms for f in t.forms]
            fts = _concept_fts(forms)
            if fts is None:
                notes.append("some forms cannot be searched in the FTS index: scanning every sentence")
            for rows in candidates(fts):
                lem = [r[7] for r in rows] if matcher.uses_lemmas else None
                for h in matcher.tag_batch([r[2] for r in rows], lem):
                    spans.append((rows[h.i], h.start, h.end, h.concept, h.term))
        else:
            # a trained detector reads every sentence with its neighbours: the very scan `track` runs
            from policyscope.analyse.track import tag_store
            tagged = tag_store(store, det, sections, allowed)
            hit_rows = sorted({h["rowid"] for h in tagged.hits})
            by_rowid = {}
            cur = store.conn.cursor()
            cur.row_factory = None
            for i in range(0, len(hit_rows), 900):
                chunk = hit_rows[i:i + 900]
                for r in cur.execute(f"SELECT {cols} FROM sentences s WHERE s.rowid IN ({','.join('?' * len(chunk))})",
                                     chunk):
                    by_rowid[r[0]] = r
            n_cand = tagged.n_sentences_scanned
            for h in tagged.hits:
                if h["concept"] == concept:
                    spans.append((by_rowid[h["rowid"]], h["char_start"], h["char_end"], h["concept"], h["term"]))
        label, mode = concept, f"concept ({det.label()})"
    else:
        q = query.strip()
        if not q:
            raise UsageError("the query is empty")
        if regex:
            try:
                rx = re.compile(q, re.IGNORECASE)
            except re.error as exc:
                raise UsageError(f"not a valid regular expression: {exc}") from exc
            mode = "regex"
            prefix = _regex_prefix(q.lower())
            fts = f'"{prefix}" *' if prefix else None
            if fts is None:
                notes.append("regex without a literal start: scanning every sentence")
            for rows in candidates(fts):
                for r in rows:
                    for m in rx.finditer(r[2]):
                        if m.end() > m.start():
                            spans.append((r, m.start(), m.end(), "", ""))
        elif lemma:
            mode = "lemma"
            from policyscope.nlp import load_pipeline, query_lemmas
            nlp = load_pipeline()
            lem_q = query_lemmas(q)
            if not lem_q:
                raise UsageError(f"no words in the query {q!r}")
            form = compile_surface(lem_q, where="query", spelling=variants, lemma=True)
            lrx = re.compile(form.pattern)
            helper = Matcher.__new__(Matcher)
            helper._nlp = nlp
            for rows in candidates(None):
                for i, start, end in _matches_in_batch([r[7] for r in rows], lrx):
                    r = rows[i]
                    first = r[7].count(" ", 0, start)
                    last = r[7].count(" ", 0, end)
                    sp = helper.surface_span(r[2], r[7], first, last)
                    if sp:
                        spans.append((r, sp[0], sp[1], "", ""))
            q = f"{q} (lemmas: {lem_q})"
        else:
            mode = "glob" if "*" in q else ("phrase" if len(q.split()) > 1 or "-" in q else "word")
            form: Form = compile_surface(q, where="query", spelling=variants)
            rx = re.compile(form.pattern)
            fts = fts_query_for_forms([form])
            for rows in candidates(fts):
                for i, start, end in _matches_in_batch([r[2] for r in rows], rx, lower=True):
                    spans.append((rows[i], start, end, "", ""))
        label = q

    lines = []
    for r, s, e, c, t in spans:
        d = docs[r[1]]
        left, right = _context(r[2], s, e, window)
        lines.append(KwicLine(left=left, keyword=r[2][s:e], right=right, sentence_id=r[3], doc_id=r[1],
                              title=d["title"] or "", date=d["date"] or "", doc_type=d["doc_type"] or "",
                              page=int(r[4]), citation=sentence_citation(d, r[4], r[3]), sentence=r[2],
                              char_start=s, char_end=e, concept=c, term=t, _seq=r[5]))
    lines = sort_lines(lines, sort)
    if limit:
        lines = lines[:limit]
    return KwicResult(lines=lines, query=label, mode=mode, n_candidates=n_cand, seconds=time.perf_counter() - t0,
                      fts_query=fts, notes=notes)


def _concept_fts(forms) -> str | None:
    parts = []
    for f in forms:
        if f.kind == "surface":
            q = fts_query_for_forms([f])
        elif f.kind == "lemma":
            words = [w.rstrip("*") for w in f.variants[0]] if f.variants else []
            stems = [w[:-1] if w.endswith("e") and len(w) > 4 else w for w in words]
            q = " + ".join(f'"{w}" *' for w in stems if w) or None
        else:
            prefix = _regex_prefix(f.source.lower())
            q = f'"{prefix}" *' if prefix else None
        if q is None:
            return None
        parts.append(f"({q})")
    return " OR ".join(dict.fromkeys(parts)) if parts else None


def sort_lines(lines: list[KwicLine], sort: str) -> list[KwicLine]:
    if sort == "left":
        return sorted(lines, key=lambda ln: (" ".join(reversed(ln.left.lower().split())), ln.keyword.lower()))
    if sort == "right":
        return sorted(lines, key=lambda ln: (ln.right.lower(), ln.keyword.lower()))
    if sort == "doc":
        return sorted(lines, key=lambda ln: (ln.title.lower(), ln.doc_id, ln._seq, ln.char_start))
    return sorted(lines, key=lambda ln: (ln.date or "9999", ln.doc_id, ln._seq, ln.char_start))


def _matches_in_batch(texts: list[str], rx, *, lower: bool = False):
    """(index, start, end) of every match of rx in a batch of texts, searched as one joined string
    (one regex pass per batch instead of one per sentence; SEP keeps matches inside one text)."""
    joined = SEP.join(texts)
    if lower:
        joined = _lower_same_length(joined)
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + len(SEP)
    for m in rx.finditer(joined):
        i = bisect.bisect_right(starts, m.start()) - 1
        yield i, m.start() - starts[i], m.end() - starts[i]
