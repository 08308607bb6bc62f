"""Character-level repairs: ligatures, odd spaces, letter-spaced headings, words run together.

`normalise_chars` is one `str.translate` plus cheap regexes, run on the paragraphs of pages that
hold anything odd. The glyph-position repairs are only asked for the few lines whose text looks
suspicious (`looks_letter_spaced`, `run_together_candidates`): the backend measures the gaps
between glyphs of that line alone and `respace_letters` rebuilds it. A gap too small to be sure
of is left as PENDING_SPACE and `resolve_spaces` decides it with the document's words.
"""
from __future__ import annotations

import re

from policyscope.model import CleanupAction

PENDING_HYPHEN = "\ufffe"  # pdfium's mark for a hyphen at a line end; we reuse it for "not decided yet"
PENDING_SPACE = "\ufff9"  # a gap too small to be sure of between two words: decided per document

LIGATURES = {
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\ufb05": "st", "\ufb06": "st", "\u017f": "s",  # long s (pdfium renders U+FB05 as "ſt")
    "\ua732": "AA", "\ua733": "aa", "\u0132": "IJ", "\u0133": "ij", "\u1d6b": "ue",
}
# Spaces that are not U+0020, and line/paragraph separators inside a line: all become a plain space.
ODD_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\n\r\v\f\u2028\u2029\x85"
# Invisible characters: dropped.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"  # zero-width space/joiners, word joiner, BOM, soft hyphen
# Private-use bullets from Symbol/Wingdings fonts and hyphen look-alikes.
LOOKALIKES = {"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢", "\uf076": "❖", "\uf0fc": "✓", "\uf06c": "●",
              "\u2010": "-", "\u2011": "-"}

_TABLE: dict[int, str | None] = {ord(k): v for k, v in LIGATURES.items()}
_TABLE.update({ord(c): " " for c in ODD_SPACES})
_TABLE.update({ord(c): None for c in INVISIBLE})
_TABLE.update({ord(k): v for k, v in LOOKALIKES.items()})
_TABLE.update({c: None for c in range(0x80, 0xA0)})  # C1 controls: broken leader dots in some fonts
_TABLE.update({c: None for c in range(0x00, 0x20) if c not in (0x09, 0x0A, 0x0D)})

_ODD_CLASS = ("[" + "".join(LIGATURES) + ODD_SPACES.replace("\n", "").replace("\r", "") + INVISIBLE
              + "".join(LOOKALIKES) + "\x00-\x08\x0b\x0c\x0e-\x1f\x80-\x9f")
_ODD = re.compile(_ODD_CLASS + "\r\n]")  # in a paragraph: line breaks are odd too
_ODD_IN_PAGE = re.compile(_ODD_CLASS + "]")  # in raw page text CRLF ends lines (lone CR/LF: counted apart)
_LEADER_FFFD = re.compile("\ufffd{2,}")  # U+FFFD runs: dot leaders drawn with a glyph that has no Unicode
_LONE_FFFD = re.compile(r"(?<=\w)\ufffd(?=\s|$)")  # ...then a lone one after a word is that same full stop
_MULTI_SPACE = re.compile(r" {2,}")


def needs_normalising(text: str) -> bool:
    """Cheap page-level test: does the text hold anything `normalise_chars` would change?"""
    crlf = text.count("\r\n")
    return ("\ufffd" in text or text.count("\r") != crlf or text.count("\n") != crlf
            or _ODD_IN_PAGE.search(text) is not None)


def normalise_chars(text: str, counts: dict[str, int] | None = None) -> str:
    """Ligatures → letters, odd spaces → ' ', zero-width/soft hyphens dropped, PUA bullets → '•'.

    For one line or paragraph (line breaks become spaces). Tallies what it changed into `counts`
    (kinds: ligature, spaces, unmapped) so a page logs one action per kind, see `char_actions`.
    """
    counts = {} if counts is None else counts
    odd = _ODD.findall(text)
    if odd:
        lig = sum(1 for c in odd if c in LIGATURES)
        text = text.translate(_TABLE)
        if lig:
            counts["ligature"] = counts.get("ligature", 0) + lig
        if len(odd) > lig:
            counts["spaces"] = counts.get("spaces", 0) + len(odd) - lig
    if "\ufffd" in text:
        counts["unmapped"] = counts.get("unmapped", 0) + text.count("\ufffd")
        text = _LEADER_FFFD.sub(" ", text)
        text = _LONE_FFFD.sub(".", text)
        text = text.replace("\ufffd", "")
    if "  " in text:
        text = _MULTI_SPACE.sub(" ", text)
    return text


def char_actions(counts: dict[str, int]) -> list[CleanupAction]:
    """One clean-up log entry per kind of character repair tallied by `normalise_chars`."""
    out = []
    if counts.get("ligature"):
        out.append(CleanupAction("ligature", f"{counts['ligature']} ligature glyph(s) -> letters"))
    if counts.get("spaces"):
        out.append(CleanupAction("spaces", f"{counts['spaces']} odd space / invisible / look-alike char(s) normalised"))
    if counts.get("unmapped"):
        out.append(CleanupAction("other", f"{counts['unmapped']} U+FFFD (glyph without Unicode): leader runs dropped, "
                                          "a lone one after a word read as '.'"))
    return out


# --- letter-spaced headings ---------------------------------------------------------------


def looks_letter_spaced(text: str) -> bool:
    """'I n t r o d u c t i o n' or 'I n t roduc t ion': most tokens one letter long."""
    tokens = text.split()
    if len(tokens) < 4:
        return False
    singles = sum(1 for t in tokens if len(t) == 1 and t.isalpha())
    return singles >= 3 and singles >= 0.5 * len(tokens)


def respace_letters(chars: str, gaps: list[float], size: float) -> str:
    """Rebuild a letter-spaced line from its glyphs (no spaces) and the gap after each glyph.

    `chars` are the visible glyphs in order; `gaps[i]` is the white space between chars[i] and
    chars[i+1] (len(gaps) == len(chars) - 1); `size` the line's height. Letter spacing makes every
    gap wide and a word space wider still: gaps clearly wider than the typical one become spaces.
    When the typical gap is itself as wide as a word space (about a quarter of the font size),
    the glyphs are one-letter words ('à À â Â') and every gap is a space.
    """
    if len(chars) < 2 or len(gaps) != len(chars) - 1:
        return chars
    ordered = sorted(gaps)
    typical = ordered[len(ordered) // 2]
    spread = ordered[-1] - ordered[0]
    if typical >= 0.22 * size:
        threshold = 0.5 * typical
    elif spread > 0.5:
        threshold = typical + max(0.35 * spread, 0.8)
    else:
        return chars
    out = [chars[0]]
    for ch, gap in zip(chars[1:], gaps):
        if gap > threshold:
            out.append(" ")
        out.append(ch)
    return "".join(out)


# --- words run together by tight kerning -------------------------------------------------
RUN_TOGETHER = re.compile(r"[A-Z](?<=[a-z][A-Z])(?=[a-z])")  # 'andWellbeing': capitals first (fast scan)


def run_together_candidates(text: str) -> list[int]:
    """Offsets in `text` where a lower-case letter is followed by a capitalised word inside one token."""
    return [m.start() for m in RUN_TOGETHER.finditer(text)]


# --- small gaps between glyphs: one word or two? -------------------------------------------
_PENDING_SPACE = re.compile(r"(?<!\w)(\w*+)" + PENDING_SPACE + r"(\w*)")


def resolve_spaces(text: str, vocab) -> tuple[str, list[str]]:
    """Decide every pending space: 'direct|payments' → 'direct payments', 'Do|cument' → 'Document'.

    The joined form seen elsewhere in the document wins; otherwise a lower/upper-case join
    ('andWellbeing') or two words (3+ letters) both seen elsewhere get a space; anything else is
    one word (a positive kern inside a word). `vocab` is a layout.vocabulary.Vocabulary.
    Returns the text and a log line per space inserted.
    """
    if PENDING_SPACE not in text:
        return text, []
    log: list[str] = []

    def decide(m: re.Match) -> str:
        left, right = m.groups()
        if not left or not right or vocab.count((left + right).lower()):
            return left + right
        if (left[-1].islower() and right[0].isupper()) or (len(left) > 2 and len(right) > 2 and vocab.count(left.lower())
                                                           and vocab.count(right.lower())):
            log.append(f"{left}{right} -> {left} {right}")
            return left + " " + right
        return left + right

    return _PENDING_SPACE.sub(decide, text).replace(PENDING_SPACE, ""), log
