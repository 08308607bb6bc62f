"""Line-end hyphens: rejoin words split by hyphenation, keep the hyphen of real compounds.

A hyphen at a line end is ambiguous: 'integ-/ration' must become 'integration' but 'self-/directed'
stays 'self-directed'. (pdfium marks both alike with U+FFFE: it turns any '-' between two letters
at a line end into that mark, so the mark says "hyphen at a line end", not "soft hyphen".)
Per page we only mark the spot (`PENDING_HYPHEN`); the decision is taken once per document, when
the whole document's words are known (`Vocabulary`), in this order:

1. the hyphenated form occurs elsewhere (and the joined form does not, or less often) → keep;
2. the joined form occurs elsewhere → join;
3. the right part starts with a capital or a digit ('Simon-Rusinowitz', 'Covid-19') → keep, unless
   both parts are in capitals ('COMMUNI-TIES' in a heading: the rules below decide);
4. the right part is a compound head ('based', 'centred', 'led', 'term'...), or the right part goes
   on with another hyphen ('not-for-profit', unless the joined part is the document's spelling:
   'prac-tice-based' → 'practice-based'), or the left part is a strong prefix ('co', 'self',
   'non'...), or a compound prefix ('pre', 'long', 'user'...) with a right part seen on its own
   ('pre-existing' but 'pre-scribe' → 'prescribe') → keep;
5. both parts are words seen on their own in the document (at least 4 letters each) → keep;
6. the joined form is an English word (english_words.py) → join; the left part is a prefix
   ('short-termism', 'over-centralisation', 're-skilling'), or both parts are common English
   words ('same-sex', 'life-threatening', 'ring-fenced'), and the joined form is none → keep;
7. otherwise → join (hyphenation splits words at syllables, mostly into non-words).

A hyphen right after another compound part ('out-of-' + 'classroom', 'back-to-' + 'work') is
kept, as is one followed by another ('not-' + 'for-profit'), unless the document spells the
joined part without it.
"""
from __future__ import annotations

import re
from policyscope.ingest.layout.english_words import english_words
from policyscope.ingest.layout.spacing import PENDING_HYPHEN
from policyscope.ingest.layout.vocabulary import Vocabulary

COMPOUND_PREFIXES = frozenset({
    "co", "self", "non", "pre", "post", "anti", "cross", "multi", "well", "long", "short", "full", "part", "high",
    "low", "mid", "semi", "quasi", "user", "person", "client", "patient", "family", "community", "evidence",
    "means", "cost", "value", "place", "needs", "outcome", "age", "follow", "joined", "decision", "policy", "top",
    "front", "first", "second", "third", "one", "two", "three", "all",
})
# Prefixes that hyphenation hardly ever splits off a plain word ('co-produce', 'self-funded', 'non-urgent').
STRONG_PREFIXES = frozenset({"co", "self", "non", "anti", "cross", "multi"})
# Prefixes that stand before a hyphen when the joined form is no English word ('over-centralisation').
PREFIXES = frozenset({"over", "under", "inter", "ultra", "counter", "super", "sub", "re", "de", "mis", "un", "pro"})
# Right parts that end real compounds. Not 'out', 'old', 'way', 'time', 'like', 'type': hyphenation
# splits 'with-out', 'thresh-old', 'path-way' too.
COMPOUND_HEADS = frozenset({
    "based", "centred", "centered", "led", "directed", "term", "being", "making", "up", "level", "wide", "related",
    "funded", "focused", "focussed", "driven", "owned", "managed", "specific", "effective", "orientated",
    "oriented", "tested", "friendly", "income", "scale", "quality", "year", "only", "free", "operation",
    "ordinate", "ordination", "production", "design", "commissioning", "located", "opted", "existing", "off",
    "on", "in",
})
_URL_CONTINUES = "/-_=?&%#~@"  # not ".": "…gov." ends a sentence
_URL_REST = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*(?:/|\.[a-z]{2,}\b)")
_URL_STARTS = ("http://", "https://", "www.", "(http", "(www.")
_PENDING = re.compile(r"(?<!\w)(\w*+)" + PENDING_HYPHEN + r"(\w*)")  # starts only at word starts: no backtracking


def keep_hyphen(left: str, right: str, vocab: Vocabulary) -> bool:
    """Decide a line-end hyphen between word parts `left` and `right` (see the module doc)."""
    if not left or not right:
        return True
    joined = (left + right).lower()
    hyph = f"{left}-{right}".lower()
    seen_joined, seen_hyph = vocab.count(joined), vocab.count(hyph)
    if seen_hyph and seen_joined:  # both spellings occur: the more frequent one
        return vocab.frequency(hyph) >= vocab.frequency(joined)
    if seen_hyph:
        return True
    if seen_joined:
        return False
    shouting = _capitals_word(left) and _capitals_word(right)  # 'COMMUNI-TIES' in a heading (not 'PK-LQP')
    if (right[0].isupper() and not shouting) or right[0].isdigit() or left[-1].isdigit():
        return True
    l_low, r_low = left.lower(), right.lower()
    if r_low in COMPOUND_HEADS or l_low in STRONG_PREFIXES or (l_low in COMPOUND_PREFIXES and vocab.count(r_low)):
        return True
    if len(left) >= 4 and len(right) >= 4 and vocab.count(l_low) and vocab.count(r_low):
        return True
    words = english_words()
    if joined in words.known:
        return False
    if l_low in COMPOUND_PREFIXES or l_low in PREFIXES:  # 'short-termism', 'over-centralisation', 're-skilling'
        return True
    return l_low in words.common and r_low in words.common and len(left) >= 2 and len(right) >= 3


def _capitals_word(part: str) -> bool:
    """Letters only, all capitals, with a vowel: part of a word set in capitals, not a code."""
    return part.isalpha() and part.isupper() and len(part) >= 2 and any(v in part for v in "AEIOUY")


def _joined_only(left: str, right: str, vocab: Vocabulary) -> bool:
    """The document has the joined word and not the hyphenated one."""
    return bool(vocab.count((left + right).lower())) and not vocab.count(f"{left}-{right}".lower())


def resolve_hyphens(text: str, vocab: Vocabulary) -> tuple[str, list[str]]:
    """Replace every pending hyphen mark: join the word or restore '-'.

    Returns the text and a log line per decision ('integ-ration -> integration').
    """
    if PENDING_HYPHEN not in text:
        return text, []
    log: list[str] = []

    def decide(m: re.Match) -> str:
        left, right = m.groups()
        # 'not-' + 'for-profit', 'out-of-' + 'classroom': part of a longer compound, kept unless the
        # document spells the joined part so ('prac-' + 'tice-based', 'practice' seen, 'prac-tice' not).
        chained = (text[m.end():m.end() + 1] == "-" or text[m.start() - 1:m.start()] == "-") \
            and not _joined_only(left, right, vocab)
        out = left + "-" + right if chained or keep_hyphen(left, right, vocab) else left + right
        log.append(left + "-" + right + " -> " + out)
        return out

    return _PENDING.sub(decide, text), log


def join_at_line_end(left: str, right: str) -> str:
    """Join two consecutive lines of one paragraph, marking or resolving an end-of-line dash.

    'integ-' + 'ration'  → 'integ\\ufffeation' (pending: decided per document)
    '2018–' + '23–51'    → '2018–23–51' (a number range or code broken at its dash)
    'https://' + 'www.x' → 'https://www.x' (a URL or e-mail address broken inside it)
    anything else        → 'left right'
    """
    if not left:
        return right
    if not right:
        return left
    last = left[-1]
    if last == PENDING_HYPHEN:
        return left + right
    if last == "\u00ad":  # a soft hyphen says so itself
        return left[:-1] + right
    if last in "-\u2010\u2011" and len(left) > 1:
        before = left[-2]
        if before.isalpha() and right[0].isalpha():
            return left[:-1] + PENDING_HYPHEN + right
        if before.isalnum() and right[0].isalnum():
            return left + right
    elif last in "–—" and len(left) > 1 and left[-2].isalnum() and right[0].isalnum():
        return left + right  # '737–' + '9', 'policy—' + 'which'
    if last in _URL_CONTINUES or last == ".":
        token = left[left.rfind(" ") + 1:]
        if token.startswith(_URL_STARTS) or "@" in token:  # a URL or e-mail address broken inside it
            if last != "." or _URL_REST.match(right):  # 'https://' + 'www.x.gov'; 'www.example.' + 'nhs.uk/'
                return left + right
    return left + " " + right
