"""Keyness between two periods: which words are used more in one than the other.

Corpora are the word tokens (lower-cased; see collocates.WORD) of the in-scope sentences of each
period — or only of the sentences tagged with a concept (`concept=`), to see how the words
*around* a concept changed. Per word with frequencies a (period A, size NA) and b (B, NB):
log-likelihood G2 = 2 (a ln(a/Ea) + b ln(b/Eb)), Ea = NA (a+b)/(NA+NB), Eb = NB (a+b)/(NA+NB)
(Rayson & Garside 2000), p from chi-squared with 1 df; effect size log ratio = log2((a/NA)/(b/NB))
with 0.5 in place of a zero count (Hardie 2014). Positive log ratio: key for A.
"""
from __future__ import annotations

import math
from collections import Counter

import pandas as pd
from scipy.stats import chi2

from policyscope.analyse.collocates import WORD, stop_words
from policyscope.analyse.lexicon import Lexicon, load_lexicon
from policyscope.analyse.matcher import SEP, Matcher
from policyscope.analyse.periods import PeriodScheme, parse_periods
from policyscope.analyse.scan import build_scope, iter_batches, resolve_sections
from policyscope.errors import AnalysisError, UsageError

COLUMNS = ["word", "key_for", "freq_a", "freq_b", "per_10k_a", "per_10k_b", "log_likelihood", "p_value", "log_ratio",
           "period_a", "period_b", "tokens_a", "tokens_b", "concept"]


def log_likelihood(a: float, b: float, na: float, nb: float) -> float:
    ea = na * (a + b) / (na + nb)
    eb = nb * (a + b) / (na + nb)
    return 2 * ((a * math.log(a / ea) if a else 0.0) + (b * math.log(b / eb) if b else 0.0))


def log_ratio(a: float, b: float, na: float, nb: float) -> float:
    return math.log2(((a or 0.5) / na) / ((b or 0.5) / nb))


def keyness(store, period_a: str, period_b: str, *, concept: str | None = None, lexicon: Lexicon | None = None,
            sections=("body",), include_duplicates: bool = False, min_freq: int = 5, top: int = 30,
            keep_stop_words: bool = False) -> pd.DataFrame:
    pa, pb = parse_periods(period_a), parse_periods(period_b)
    if len(pa) != 1 or len(pb) != 1:
        raise UsageError("--a and --b each take one period, e.g. --a 2005-2009 --b 2015-2019")
    scheme = PeriodScheme(periods=f"A={pa[0].start}-{pa[0].end},B={pb[0].start}-{pb[0].end}")
    sections = resolve_sections(sections)
    scope = build_scope(store, scheme, sections, include_duplicates)
    side = dict(zip(scope.docs["doc_id"], scope.docs["period"])) if not scope.docs.empty else {}
    matcher = None
    if concept:
        matcher = Matcher(lexicon or load_lexicon(), concepts=[concept])
    counts = {"A": Counter(), "B": Counter()}
    for rows in iter_batches(store, sections, "s.rowid, s.doc_id, s.text" + (
            ", s.lemmas" if matcher and matcher.uses_lemmas else ""), set(side)):
        if matcher is not None:
            hit_idx = {h.i for h in matcher.tag_batch([r[2] for r in rows], [r[3] for r in rows]
                                                      if matcher.uses_lemmas else None)}
            rows = [r for i, r in enumerate(rows) if i in hit_idx]
        for s in ("A", "B"):
            texts = [r[2] for r in rows if side[r[1]] == s]
            if texts:
                counts[s].update(WORD.findall(SEP.join(texts).lower()))
    na, nb = sum(counts["A"].values()), sum(counts["B"].values())
    if not na or not nb:
        raise AnalysisError(f"no tokens in {'A' if not na else 'B'} ({period_a if not na else period_b})"
                            + (f" in sentences tagged {concept}" if concept else ""), path=str(store.path))
    stops = frozenset() if keep_stop_words else stop_words()
    rows = []
    for w in set(counts["A"]) | set(counts["B"]):
        a, b = counts["A"][w], counts["B"][w]
        if a + b < min_freq or w in stops:
            continue
        ll = log_likelihood(a, b, na, nb)
        lr = log_ratio(a, b, na, nb)
        rows.append({"word": w, "key_for": "A" if a / na > b / nb else "B", "freq_a": a, "freq_b": b,
                     "per_10k_a": 1e4 * a / na, "per_10k_b": 1e4 * b / nb, "log_likelihood": ll,
                     "p_value": float(chi2.sf(ll, 1)), "log_ratio": lr, "period_a": period_a, "period_b": period_b,
                     "tokens_a": na, "tokens_b": nb, "concept": concept or ""})
    df = pd.DataFrame(rows, columns=COLUMNS).sort_values("log_likelihood", ascending=False, kind="stable")
    if top:
        df = pd.concat([df[df["key_for"] == "A"].head(top), df[df["key_for"] == "B"].head(top)])
    return df.reset_index(drop=True)
