"""Sentence tagging: a compiled lexicon finds concept hits, with character spans into the sentence text.

Speed comes from doing the common case in C: per concept, every surface form is compiled into ONE
alternation regex (more specific forms first, guarded by a look-ahead on the possible first letters),
run over a whole batch of lower-cased sentences joined by NUL characters. Only at the rare positions
where it matches does Python work: identify the term, check its context cues, drop hits that overlap
an exclusion. Lemma forms run the same way over the joined lemma strings; their hits are mapped back
to a surface span by re-tokenising that one sentence.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from dataclasses import dataclass

from policyscope.analyse.lexicon import Form, Lexicon, Term, word_regex

SEP = "\x00"  # joins sentences in a batch: not a word character, not whitespace, so no form spans two


@dataclass(frozen=True)
class TagHit:
    """A hit inside one sentence of a batch (index `i`)."""

    i: int
    concept: str
    subconcept: str
    term: str
    start: int
    end: int
    matched: str


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def matching_sentences(rx: re.Pattern, joined: str, starts: list[int]):
    """Indexes of the sentences of a SEP-joined batch (`starts`: each sentence's offset) in which `rx`
    matches, in order: one search per sentence found, jumping to the next sentence after a match."""
    n = len(starts)
    pos = 0
    while True:
        m = rx.search(joined, pos)
        if m is None:
            return
        i = bisect_right(starts, m.start()) - 1
        yield i
        if i + 1 >= n:
            return
        pos = starts[i + 1]


COMMON_WORDS = frozenset("""a an and of the to in on for with by their own more most care health healthcare social service
services system systems support people person what new local up over well being this that public all""".split())


def _sequence_entries(form: Form) -> list[tuple[str, str]] | None:
    """(literal prefix, rest of the regex) for each word sequence a form can take; None if not expressible."""
    if form.kind == "regex":
        from policyscope.analyse.lexicon import regex_literal_prefix
        lit = regex_literal_prefix(form.source)
        return [(lit, "")] if len(lit) >= 2 else None  # an anchor: the sentence is a candidate
    out = []
    for seq in form.variants:
        first = seq[0].lower()
        prefix = first.split("*", 1)[0]
        if not prefix:
            return None
        rest = word_regex(first[len(prefix):]) + "".join(form.gap + "(?:" + word_regex(w.lower()) + ")"
                                                         for w in seq[1:]) + r"(?![^\W_])"
        out.append((prefix, rest))
    return out


def _trie_regex(entries: list[tuple[str, str]]) -> str:
    """Alternation of literal prefixes each followed by its rests, factored as a trie (fast in Python's re:
    at each position the engine follows one path of literals instead of trying every alternative)."""
    root: dict = {}
    for prefix, rest in entries:
        node = root
        for ch in prefix:
            node = node.setdefault(ch, {})
        node.setdefault(None, set()).add(rest)

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted((k, v) for k, v in node.items() if k is not None)]
        rests = sorted(node.get(None, ()), key=lambda r: (r == "", -len(r)))
        if "" in rests:  # an anchor: anything after it will do
            rests = [r for r in rests if r != ""] + [""]
        alts += [f"(?:{r})" if r else "" for r in rests]
        if len(alts) == 1:
            return alts[0]
        return "(?:" + "|".join(alts) + ")"

    return emit(root)


def build_prefilter(forms: list[Form]) -> re.Pattern | None:
    """One regex that matches somewhere in every sentence where any of `forms` matches (None: cannot build)."""
    entries = []
    for f in forms:
        e = _sequence_entries(f)
        if e is None:
            return None
        entries.extend(e)
    return re.compile(r"\b" + _trie_regex(entries)) if entries else None


def _exclusion_regex(forms: list[Form]) -> re.Pattern | None:
    """Surface exclusions as one trie-shaped alternation (fast), regex exclusions beside it."""
    if not forms:
        return None
    entries, others = [], []
    for f in forms:
        e = _sequence_entries(f) if f.kind == "surface" else None
        if e is None:
            others.append(f.pattern)
        else:
            entries.extend(e)
    parts = ([r"\b" + _trie_regex(entries)] if entries else []) + [f"(?:{p})" for p in others]
    return re.compile("|".join(parts))


def _specificity(form: Form) -> tuple:
    n_words = max((len(v) for v in form.variants), default=1)
    return (-n_words, -len(form.source))


class _Compiled:
    def __init__(self, name: str, terms: list[Term], exclusions: list):
        self.name = name
        entries = []  # (form, term)
        for t in terms:
            for f in t.forms:
                entries.append((f, t))
        entries.sort(key=lambda e: _specificity(e[0]))
        surf = [(f, t) for f, t in entries if f.kind in ("surface", "regex")]
        lem = [(f, t) for f, t in entries if f.kind == "lemma"]
        self.surface = [(re.compile(f.pattern), f, t) for f, t in surf]
        # entries that can start with a given character (a form with unknown first characters is in every bucket)
        chars = set().union(*[f.first_chars for f, _ in surf if f.first_chars]) if surf else set()
        self.by_first = {ch: [e for e in self.surface if e[1].first_chars is None or ch in e[1].first_chars]
                         for ch in chars}
        self.any_first = [e for e in self.surface if e[1].first_chars is None]
        self.lemma = [(re.compile(f.pattern), f, t) for f, t in lem]
        self.detect = self._alternation([f for f, _ in surf])
        self.lemma_detect = self._alternation([f for f, _ in lem])
        self.ctx = {t.id: (re.compile("|".join(f"(?:{c})" for c in t.context)) if t.context else None,
                           re.compile("|".join(f"(?:{c})" for c in t.not_context)) if t.not_context else None)
                    for t in terms}
        ex_forms = [f for e in exclusions for f in e.forms]
        self.exclude = _exclusion_regex(ex_forms)
        self.case_checks = {id(f): re.compile(f.case_pattern) for f, _ in surf if f.case_sensitive}

    @staticmethod
    def _alternation(forms: list[Form]):
        if not forms:
            return None
        body = "|".join(f"(?:{f.pattern})" for f in forms)
        firsts = set()
        for f in forms:
            if f.first_chars is None:
                firsts = None
                break
            firsts |= f.first_chars
        if firsts:
            cls = "".join(re.escape(c) for c in sorted(firsts))
            return re.compile(f"(?=[{cls}])(?:{body})")
        return re.compile(body)


class Matcher:
    """Tag sentences with a lexicon's concepts.

    >>> m = Matcher(load_lexicon())
    >>> m.tag("Personal budgets give choice and control.")
    """

    def __init__(self, lexicon: Lexicon, concepts: list[str] | None = None, nlp=None):
        self.lexicon = lexicon
        names = concepts or lexicon.concept_names
        for n in names:
            lexicon.concept(n)  # raises LexiconError for an unknown concept
        self._nlp = nlp
        self.compiled = []
        for c in lexicon.concepts:
            if c.name in names:
                excl = list(c.exclusions) + list(lexicon.global_exclusions)
                self.compiled.append(_Compiled(c.name, list(c.terms), excl))
        self.uses_lemmas = any(c.lemma_detect is not None for c in self.compiled)
        self.prefilter = build_prefilter([f for c in self.compiled for _, f, _ in c.surface])

    @property
    def nlp(self):
        if self._nlp is None:
            from policyscope.nlp import load_pipeline
            self._nlp = load_pipeline()
        return self._nlp

    # -- public API ---------------------------------------------------------------------------
    def tag(self, text: str, lemmas: str | None = None) -> list[TagHit]:
        """Hits in one sentence (lemmas: its space-joined lemma string, if lemma forms should run)."""
        return self.tag_batch([text], [lemmas] if lemmas is not None else None)

    def tag_batch(self, texts: list[str], lemmas: list[str] | None = None) -> list[TagHit]:
        """Hits in a batch of sentences, ordered by sentence, concept, start."""
        if not texts:
            return []
        joined = SEP.join(texts)
        low = joined.lower()
        if len(low) != len(joined):
            low = SEP.join(_lower_same_length(t) for t in texts)
        starts = list(accumulate([len(t) + 1 for t in texts[:-1]], initial=0))
        cands: dict[int, dict[str, list]] = {}
        if self.prefilter is None:
            for comp in self.compiled:
                if comp.detect is not None:
                    for m in comp.detect.finditer(low):
                        s = m.start()
                        i = bisect_right(starts, s) - 1
                        cands.setdefault(i, {}).setdefault(comp.name, []).append(("s", s - starts[i]))
        else:
            # Stage 1: one pass of a trie-shaped regex over every form of every concept finds the
            # sentences with a possible match; stage 2 runs each concept's alternation on those only.
            detects = [(comp.name, comp.detect.finditer) for comp in self.compiled if comp.detect is not None]
            for i in matching_sentences(self.prefilter, low, starts):
                a, b = starts[i], starts[i] + len(texts[i])
                for name, finditer in detects:
                    for mm in finditer(low, a, b):
                        cands.setdefault(i, {}).setdefault(name, []).append(("s", mm.start() - a))
        if lemmas is not None and self.uses_lemmas:
            ljoined = SEP.join(lemmas)
            lstarts = list(accumulate([len(t) + 1 for t in lemmas[:-1]], initial=0))
            for comp in self.compiled:
                if comp.lemma_detect is not None:
                    for m in comp.lemma_detect.finditer(ljoined):
                        s = m.start()
                        i = bisect_right(lstarts, s) - 1
                        cands.setdefault(i, {}).setdefault(comp.name, []).append(("l", s - lstarts[i]))
        out: list[TagHit] = []
        for i in sorted(cands):
            text = texts[i]
            tlow = low[starts[i]:starts[i] + len(text)]
            lem = lemmas[i] if lemmas is not None else None
            for comp in self.compiled:
                found = cands[i].get(comp.name)
                if found:
                    out.extend(self._resolve(comp, i, text, tlow, lem, found))
        return out

    # -- internals ------------------------------------------------------------------------------
    def _resolve(self, comp: _Compiled, i: int, text: str, low: str, lemmas: str | None, found) -> list[TagHit]:
        spans = []  # (start, end, term)
        for kind, pos in found:
            if kind == "s":
                hit = self._identify(comp.by_first.get(low[pos:pos + 1], comp.any_first), comp, text, low, pos)
                if hit:
                    spans.append(hit)
            else:
                hit = self._identify_lemma(comp, text, low, lemmas, pos)
                if hit:
                    spans.append(hit)
        if not spans:
            return []
        if comp.exclude is not None:
            ex = [(m.start(), m.end()) for m in comp.exclude.finditer(low)]
            if ex:
                spans = [sp for sp in spans if not any(a < sp[1] and sp[0] < b for a, b in ex)]
        spans.sort(key=lambda sp: (sp[0], -(sp[1] - sp[0])))
        kept = []
        last_end = -1
        for s, e, t in spans:
            if s >= last_end:  # one hit per stretch of text within a concept
                kept.append(TagHit(i, comp.name, t.subconcept, t.id, s, e, text[s:e]))
                last_end = e
        return kept

    def _context_ok(self, comp: _Compiled, term: Term, low: str) -> bool:
        need, veto = comp.ctx[term.id]
        if need is not None and not need.search(low):
            return False
        if veto is not None and veto.search(low):
            return False
        return True

    def _identify(self, entries, comp, text, low, pos):
        for rx, form, term in entries:
            m = rx.match(low, pos)
            if not m or m.end() == pos:
                continue
            if form.case_sensitive and not comp.case_checks[id(form)].match(text, pos):
                continue
            if not self._context_ok(comp, term, low):
                continue
            return (pos, m.end(), term)
        return None

    def _identify_lemma(self, comp, text, low, lemmas, pos):
        for rx, form, term in comp.lemma:
            m = rx.match(lemmas, pos)
            if not m or m.end() == pos:
                continue
            if not self._context_ok(comp, term, low):
                continue
            first = lemmas.count(" ", 0, pos)
            last = lemmas.count(" ", 0, m.end())
            span = self.surface_span(text, lemmas, first, last)
            if span is None:
                continue
            return (span[0], span[1], term)
        return None

    def surface_span(self, text: str, lemmas: str, first: int, last: int) -> tuple[int, int] | None:
        """Char span in `text` of word tokens first..last (indexes into the lemma string's tokens)."""
        from policyscope.nlp import is_word
        doc = self.nlp.make_doc(text.replace("\n", " "))
        words = [t for t in doc if is_word(t)]
        n_lem = len(lemmas.split(" ")) if lemmas else 0
        if len(words) != n_lem:
            # Tokenisation differs from the stored one (rare): align on the lemmas themselves.
            doc = self.nlp(text.replace("\n", " "))
            words = [t for t in doc if is_word(t)]
            want = lemmas.split(" ")[first:last + 1]
            got = [(t.lemma_.lower() or t.lower_) for t in words]
            for k in range(0, len(got) - len(want) + 1):
                if got[k:k + len(want)] == want:
                    first, last = k, k + len(want) - 1
                    break
            else:
                return None
        if last >= len(words):
            return None
        return words[first].idx, words[last].idx + len(words[last].text)


def match_forms(forms, text: str) -> list[tuple[int, int]]:
    """Spans where any of these surface/regex forms match `text` (case-insensitive). Used by KWIC."""
    low = _lower_same_length(text)
    rx = re.compile("|".join(f"(?:{f.pattern})" for f in forms))
    return [(m.start(), m.end()) for m in rx.finditer(low) if m.end() > m.start()]
