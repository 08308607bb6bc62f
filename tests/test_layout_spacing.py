"""Character repairs: ligatures, odd spaces, letter-spaced lines, pending spaces (layout/spacing.py)."""
from __future__ import annotations

from policyscope.ingest.layout.spacing import (
    PENDING_SPACE, char_actions, looks_letter_spaced, needs_normalising, normalise_chars, respace_letters,
    resolve_spaces, run_together_candidates,
)
from policyscope.ingest.layout.vocabulary import Vocabulary


def test_ligatures_and_odd_spaces_are_normalised_and_counted():
    counts: dict[str, int] = {}
    text = "e\ufb03cient \ufb01nance\u00a0and\u2009the\u200b \ufb02ow of care\u00adful \uf0b7 item"
    assert needs_normalising(text)
    out = normalise_chars(text, counts)
    assert out == "efficient finance and the flow of careful • item"
    assert counts == {"ligature": 3, "spaces": 5}
    kinds = [a.kind for a in char_actions(counts)]
    assert kinds == ["ligature", "spaces"]


def test_long_s_ligature_and_leader_dots():
    counts: dict[str, int] = {}
    assert normalise_chars("\ufb05t and \ufb06", counts) == "stt and st"
    # A font without Unicode for '.': dot leaders vanish, a lone one after a word reads as a full stop.
    assert normalise_chars("Foreword\ufffd\ufffd\ufffd\ufffd 5 markets\ufffd Business", counts) == "Foreword 5 markets. Business"
    assert not needs_normalising("plain ASCII text, nothing odd")


def test_letter_spaced_detection():
    assert looks_letter_spaced("I n t r o d u c t i o n")
    assert looks_letter_spaced("I n t roduc t ion")
    assert not looks_letter_spaced("a plain line of words")


def test_respace_letters_from_glyph_gaps():
    # 'Methods and data' set with 2pt letter spacing: letter gaps 2.0, word gaps 6.5.
    glyphs = "Methodsanddata"
    gaps = [2.0] * 6 + [6.5] + [2.0] * 2 + [6.5] + [2.0] * 3
    assert respace_letters(glyphs, gaps, size=10.0) == "Methods and data"
    assert respace_letters("Introduction", [1.9] * 11, size=10.0) == "Introduction"
    # Glyphs a word space apart are one-letter words, not letter spacing.
    assert respace_letters("àÀâÂ", [3.6] * 3, size=11.9) == "à À â Â"


def test_run_together_candidates_are_lower_upper_joins():
    # Candidates only: the glyph gaps decide (an 'iPhone' set as one word keeps no gap).
    text = "Health andWellbeing Boards and theCare Act; iPhone"
    assert [text[i - 3:i + 4] for i in run_together_candidates(text)] == ["andWell", "theCare", "; iPhon"]


def test_pending_spaces_decided_by_the_documents_words():
    vocab = Vocabulary.from_texts(["direct payments and direct support; payments; the document; open market"])
    text = f"direct{PENDING_SPACE}payments, a Do{PENDING_SPACE}cument, and{PENDING_SPACE}Wellbeing"
    out, log = resolve_spaces(text, vocab)
    assert out == "direct payments, a Document, and Wellbeing"
    assert log == ["directpayments -> direct payments", "andWellbeing -> and Wellbeing"]
