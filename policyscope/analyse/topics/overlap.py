"""Each topic's overlap with the concept lexicon: which topics carry personalisation, which integration.

The dictionary view and the unsupervised view meet on the same passages. The concept tracker's
Matcher (policyscope.analyse.matcher, the lexicon's own rules: contexts, exclusions, spellings)
tags every sentence of the modelled units; a unit "mentions" a concept when one of its sentences
has a hit. Then, per topic k and concept c (n = a unit's word tokens, w = its topic weight):

    share   = Σ n·w_k·[unit mentions c] / Σ n·w_k   share of the topic's text in passages that mention c
    base    = Σ n·[unit mentions c] / Σ n            the same share over the whole modelled corpus
    lift    = share / base                           > 1: the topic leans towards the concept
    of_concept = Σ n·w_k·[mentions c] / Σ n·[mentions c]   share of the concept's passages the topic holds
    terms   = the topic's top terms that are lexicon terms for c (the matcher run on the term itself)

A topic "carries" a concept when lift ≥ CARRY_LIFT and it holds at least 1/K of the concept's text.
"""
from __future__ import annotations

import numpy as np

CARRY_LIFT = 1.5
TERM_CHECK_N = 20  # top terms per topic checked against the lexicon


def load_matcher(lexicon_path: str | None):
    """(matcher, lexicon) or (None, reason) when the concept tracker's modules or the lexicon are missing."""
    try:
        from policyscope.analyse.lexicon import load_lexicon
        from policyscope.analyse.matcher import Matcher
    except ImportError as exc:
        return None, f"concept overlap not computed: the concept tracker's modules are missing ({exc.name})"
    from policyscope.errors import LexiconError
    try:
        lexicon = load_lexicon(lexicon_path or None)
    except LexiconError as exc:
        return None, f"concept overlap not computed: {exc}"
    return Matcher(lexicon), lexicon


def unit_concepts(store, corpus, matcher, *, sections, include_duplicates: bool, batch_size: int = 4000):
    """Yield (unit index, set of concepts mentioned) for every modelled unit, in unit order.

    Walks the store's sentences (same order and filters as the corpus) beside units.csv.
    """
    units = corpus.units()
    index = -1
    current = None
    inside = False
    found: set[str] = set()
    batch: list = []  # (unit index, closes_unit, text, lemmas)

    def advance():
        nonlocal current, index
        current = next(units, None)
        index += 1

    def flush():
        nonlocal found
        hits_by_row: dict[int, set[str]] = {}
        for h in matcher.tag_batch([b[2] for b in batch], [b[3] for b in batch]):
            hits_by_row.setdefault(h.i, set()).add(h.concept)
        out = []
        for row, (ui, closes, _, _) in enumerate(batch):
            found |= hits_by_row.get(row, set())
            if closes:
                out.append((ui, found))
                found = set()
        batch.clear()
        return out

    advance()
    rows = store.iter_sentences(sections=sections, include_duplicates=include_duplicates,
                                columns="s.sentence_id, s.text, s.lemmas")
    for r in rows:
        if current is None:
            break
        sid = r["sentence_id"]
        if not inside and sid == current["sentence_first"]:
            inside = True
        if inside:
            closes = sid == current["sentence_last"]
            batch.append((index, closes, r["text"], r["lemmas"]))
            if closes:
                inside = False
                advance()
            if len(batch) >= batch_size and batch[-1][1]:
                yield from flush()
    if batch:
        yield from flush()


def topic_concept_overlap(store, corpus, weights: np.ndarray, top_terms: list[list[str]], *, lexicon_path=None,
                          sections=("body",), include_duplicates: bool = False):
    """(per topic a dict for topics.json or None, a note or "", the Lexicon or None)."""
    matcher, lexicon = load_matcher(lexicon_path)
    if matcher is None:
        return None, lexicon, None
    concepts = [c.name for c in matcher.compiled]
    k = weights.shape[1]
    n_tokens = np.array([u["n_tokens"] for u in corpus.units()], dtype=np.float64)
    topic_mass = (n_tokens[:, None] * np.asarray(weights, dtype=np.float64)).sum(axis=0)
    with_c = np.zeros((k, len(concepts)))
    tokens_c = np.zeros(len(concepts))
    col = {c: j for j, c in enumerate(concepts)}
    seen = 0
    for i, found in unit_concepts(store, corpus, matcher, sections=sections, include_duplicates=include_duplicates):
        seen += 1
        for c in found:
            j = col[c]
            with_c[:, j] += n_tokens[i] * np.asarray(weights[i], dtype=np.float64)
            tokens_c[j] += n_tokens[i]
    total = n_tokens.sum()
    out = []
    for t in range(k):
        by_concept = []
        term_hits = _lexicon_terms(matcher, top_terms[t][:TERM_CHECK_N])
        for c, j in col.items():
            share = with_c[t, j] / topic_mass[t] if topic_mass[t] else 0.0
            base = tokens_c[j] / total if total else 0.0
            of_concept = with_c[t, j] / tokens_c[j] if tokens_c[j] else 0.0
            lift = share / base if base else float("nan")
            by_concept.append({"concept": c, "share": round(share, 4), "base": round(base, 4),
                               "lift": round(lift, 3) if np.isfinite(lift) else None,
                               "of_concept": round(of_concept, 4),
                               "carries": bool(base and lift >= CARRY_LIFT and of_concept >= 1 / k),
                               "terms": term_hits.get(c, [])})
        out.append({"lexicon": lexicon.label, "by_concept": by_concept,
                    "carries": [b["concept"] for b in by_concept if b["carries"]]})
    note = "" if seen == len(n_tokens) else (
        f"concept overlap: only {seen} of {len(n_tokens)} units were found among the store's sentences "
        "(has the store changed since the corpus was prepared?)")
    return out, note, lexicon


def _lexicon_terms(matcher, terms: list[str]) -> dict[str, list[str]]:
    """The top terms that are themselves lexicon terms, by concept (a phrase is read with spaces)."""
    texts = [t.replace("_", " ") for t in terms]
    hits: dict[str, list[str]] = {}
    for h in matcher.tag_batch(texts, texts):
        if terms[h.i] not in hits.setdefault(h.concept, []):
            hits[h.concept].append(terms[h.i])
    return hits
