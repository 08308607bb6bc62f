"""Collocates of a concept's hits, per period: which words sit within N tokens of the matched terms.

Counts are over lower-cased word tokens (letters, with inner hyphens/apostrophes) of the sentences
in scope. For a period with N tokens, R1 tokens inside the windows around the concept's hits, a word
with C1 occurrences in the period and O11 of them inside the windows: E11 = R1 * C1 / N,
log-likelihood G2 = 2 * sum O ln(O / E) over the 2x2 table (window / elsewhere x word / other words),
PMI = log2(O11 / E11). Windows of hits in the same sentence are merged, so each token position
counts once (O11 <= C1); the matched terms' own words are not part of any window. Only words more
frequent in the windows than expected are listed, without stop words (which are counted in N and R1).
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

import pandas as pd

from policyscope.analyse.lexicon import Lexicon, load_lexicon
from policyscope.analyse.matcher import SEP, Matcher
from policyscope.analyse.periods import PeriodScheme
from policyscope.analyse.scan import build_scope, iter_batches, resolve_sections
from policyscope.errors import AnalysisError

WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
COLUMNS = ["concept", "period", "collocate", "freq_window", "freq_period", "expected", "log_likelihood", "pmi",
           "n_hits", "window_tokens", "period_tokens", "window"]


def stop_words() -> frozenset:
    from spacy.lang.en.stop_words import STOP_WORDS
    return frozenset(STOP_WORDS) | {"s", "’s", "'s"}


def g2(o11: float, r1: float, c1: float, n: float) -> float:
    """Log-likelihood G2 of the 2x2 table with cell O11, row total R1, column total C1, grand total N."""
    cells = [(o11, r1 * c1 / n), (r1 - o11, r1 * (n - c1) / n), (c1 - o11, (n - r1) * c1 / n),
             (n - r1 - c1 + o11, (n - r1) * (n - c1) / n)]
    return 2 * sum(o * math.log(o / e) for o, e in cells if o > 0 and e > 0)


def collocates(store, concept: str, *, lexicon: Lexicon | None = None, window: int = 5, by: str = "year",
               periods: str | None = None, sections=("body",), include_duplicates: bool = False, min_freq: int = 3,
               top: int = 25) -> pd.DataFrame:
    return collocates_of_concepts(store, [concept], lexicon=lexicon, window=window, by=by, periods=periods,
                                  sections=sections, include_duplicates=include_duplicates, min_freq=min_freq,
                                  top=top)


def collocates_of_concepts(store, concepts: list[str], *, lexicon: Lexicon | None = None, window: int = 5,
                           by: str = "year", periods: str | None = None, sections=("body",),
                           include_duplicates: bool = False, min_freq: int = 3, top: int = 25) -> pd.DataFrame:
    """`collocates` for several concepts in one pass over the store (rows in the order of `concepts`)."""
    lexicon = lexicon or load_lexicon()
    matcher = Matcher(lexicon, concepts=list(concepts))
    sections = resolve_sections(sections)
    scope = build_scope(store, PeriodScheme(by, periods), sections, include_duplicates)
    if scope.docs.empty:
        raise AnalysisError("no dated documents in scope", path=str(store.path))
    period_of = dict(zip(scope.docs["doc_id"], scope.docs["period"]))
    order = list(dict.fromkeys(scope.docs.sort_values("period_start")["period"]))
    freq: dict[str, Counter] = defaultdict(Counter)
    win: dict[tuple[str, str], Counter] = defaultdict(Counter)  # (concept, period) → window words
    n_tok: Counter = Counter()
    r1: Counter = Counter()
    n_hits: Counter = Counter()
    stops = stop_words()
    cols = "s.rowid, s.doc_id, s.text" + (", s.lemmas" if matcher.uses_lemmas else "")
    for rows in iter_batches(store, sections, cols, set(period_of)):
        by_period: dict[str, list[str]] = defaultdict(list)
        for r in rows:
            by_period[period_of[r[1]]].append(r[2])
        for p, texts in by_period.items():
            toks = WORD.findall(SEP.join(texts).lower())
            freq[p].update(toks)
            n_tok[p] += len(toks)
        hits = matcher.tag_batch([r[2] for r in rows], [r[3] for r in rows] if matcher.uses_lemmas else None)
        by_sentence: dict[tuple[int, str], list] = defaultdict(list)
        for h in hits:
            by_sentence[h.i, h.concept].append(h)
        for (i, concept), hs in by_sentence.items():
            text = rows[i][2]
            key = (concept, period_of[rows[i][1]])
            toks = [(m.start(), m.end(), m.group(0).lower()) for m in WORD.finditer(text)]
            inside, window_pos = set(), set()
            for h in hs:
                own = [k for k, (a, b, _) in enumerate(toks) if a < h.end and h.start < b]
                if not own:
                    continue
                inside.update(own)
                window_pos.update(range(max(0, own[0] - window), own[0]))
                window_pos.update(range(own[-1] + 1, min(len(toks), own[-1] + 1 + window)))
            window_pos -= inside  # each token position counts once, and never a matched term's own words
            r1[key] += len(window_pos)
            n_hits[key] += len(hs)
            win[key].update(toks[k][2] for k in window_pos)
    out = []
    for concept in concepts:
        for p in order:
            key = (concept, p)
            n, rr = n_tok[p], r1[key]
            if not rr:
                continue
            rows_p = []
            for w, o in win[key].items():
                if o < min_freq or w in stops or len(w) < 2:
                    continue
                c1 = freq[p][w]
                e = rr * c1 / n
                if o <= e:
                    continue
                rows_p.append({"concept": concept, "period": p, "collocate": w, "freq_window": o,
                               "freq_period": c1, "expected": e, "log_likelihood": g2(o, rr, c1, n),
                               "pmi": math.log2(o / e), "n_hits": n_hits[key], "window_tokens": rr,
                               "period_tokens": n, "window": window})
            rows_p.sort(key=lambda r: -r["log_likelihood"])
            out.extend(rows_p[:top] if top else rows_p)
    return pd.DataFrame(out, columns=COLUMNS)
