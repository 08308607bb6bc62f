"""Stopwords for topic modelling: English function words plus a corpus-specific boilerplate list.

The boilerplate list holds words that policy PDFs, web pages and blog exports repeat on every page
and that say nothing about policy content: page furniture, link and citation debris, blog chrome
and dates. It is applied to lemmas, after phrase detection, so a phrase that contains one of these
words (e.g. "web_page" would, "care_home" would not) is judged as a whole.
"""
from __future__ import annotations

import re

# Page furniture, citation and link debris, web and blog chrome, dates. Lower-case lemmas.
BOILERPLATE = frozenset("""
page pp p para paragraph chapter section annex appendix figure fig table box note notes footnote endnote
doi https http www org com net co uk gov html htm pdf url link links isbn issn vol volume issue edn ed eds
et al ibid op cit retrieve retrieved accessed access online website web site download click cookie cookies
copyright rights reserved licence license journal
reply comment comments post posted say says said author blog share tweet email subscribe read gravatar avatar
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday
am pm
""".split())


# Function words both lists miss ("shall" fills manifesto topics), titles and "per cent".
EXTRA_FUNCTION_WORDS = frozenset("shall mr mrs ms dr cent percent".split())


def english_stopwords() -> frozenset[str]:
    """spaCy's English stop list joined with scikit-learn's (both ship with the installed packages)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    from spacy.lang.en.stop_words import STOP_WORDS
    return frozenset(w.lower() for w in STOP_WORDS) | frozenset(ENGLISH_STOP_WORDS) | EXTRA_FUNCTION_WORDS


def build_stopwords(extra: tuple[str, ...] | list[str] = ()) -> frozenset[str]:
    return english_stopwords() | BOILERPLATE | frozenset(w.strip().lower() for w in extra if w.strip())


def read_stopword_file(path: str) -> tuple[str, ...]:
    """One word per line; '#' starts a comment."""
    words = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            word = line.split("#", 1)[0].strip().lower()
            if word:
                words.append(word)
    return tuple(words)


_IZE = re.compile(r"^([a-z]{3,})iz(ation|ations|e|ed|es|ing|er|ers)$")
_IZE_KEEP = frozenset("capsize downsize upsize oversize outsize supersize resize".split())


def uk_spelling(token: str) -> str:
    """-ize/-ization → -ise/-isation, so "personalization" and "personalisation" are one term.
    Short or fixed words (size, prize, seize, citizen, capsize…) are left alone."""
    if "iz" not in token or token in _IZE_KEEP:
        return token
    m = _IZE.match(token)
    return f"{m.group(1)}is{m.group(2)}" if m else token


_TOKEN_OK = re.compile(r"^[a-z][a-z'\-]*[a-z]$|^[a-z]$")


def keep_token(token: str, stopwords: frozenset[str], min_chars: int) -> bool:
    """A single-word modelling term: letters, not a stopword, long enough."""
    return token not in stopwords and len(token) >= min_chars and bool(_TOKEN_OK.match(token))


def filter_terms(tokens: list[str], stopwords: frozenset[str], min_chars: int) -> list[str]:
    """Drop stopwords and non-words. A phrase ("personal_budget", "health_and_social_care") is kept whole
    when its first and last words are content words; otherwise ("people_who") its parts are judged one by one."""
    out: list[str] = []
    for token in tokens:
        if "_" not in token:
            if keep_token(token, stopwords, min_chars):
                out.append(token)
            continue
        parts = token.split("_")
        if (token not in stopwords and parts[0] not in stopwords and parts[-1] not in stopwords
                and all(_TOKEN_OK.match(p) for p in parts)):
            out.append(token)
        else:
            out.extend(p for p in parts if keep_token(p, stopwords, min_chars))
    return out

