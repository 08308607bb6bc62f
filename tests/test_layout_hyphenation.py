"""Line-end hyphens: join words split by hyphenation, keep real compounds (layout/hyphenation.py)."""
from __future__ import annotations

import pytest

from policyscope.ingest.layout.hyphenation import join_at_line_end, keep_hyphen, resolve_hyphens
from policyscope.ingest.layout.spacing import PENDING_HYPHEN as MARK
from policyscope.ingest.layout.vocabulary import Vocabulary

DOC = Vocabulary.from_texts([
    "Integration and the integration of care. Person-centred support, person-centred care; long-term plans.",
    "Outcomes matter (outcomes). Self-directed support. The framework, a framework. Direct payments.",
    "Existing schemes, cost and effectiveness.",
])


@pytest.mark.parametrize("left, right, keep", [
    ("integ", "ration", False),  # joined form seen elsewhere
    ("out", "comes", False),  # both parts are words, but 'outcomes' is seen: join
    ("frame", "work", False),
    ("person", "centred", True),  # hyphenated form seen elsewhere
    ("long", "term", True),
    ("self", "directed", True),
    ("co", "production", True),  # strong prefix, never seen either way
    ("pre", "existing", True),  # prefix + a word seen on its own
    ("pre", "scribe", False),  # prefix + a non-word: 'prescribe'
    ("Simon", "Rusinowitz", True),  # capitalised right part: a name
    ("cost", "effectiveness", True),  # both parts words of the document (4+ letters)
    ("con", "sectetuer", False),  # syllables
    ("deli", "very", False),  # two common words, but 'delivery' is an English word: join
    ("same", "sex", True),  # common English words, 'samesex' is none: a compound at a line end
    ("life", "threatening", True),
    ("ring", "fenced", True),
    ("COMMUNI", "TIES", False),  # a word set in capitals is no name
    ("PK", "LQP", True),  # a code in capitals (no vowel in 'PK') keeps its hyphen
])
def test_keep_hyphen_decisions(left, right, keep):
    assert keep_hyphen(left, right, DOC) is keep


def test_resolve_replaces_every_mark_and_logs_it():
    text = f"the integ{MARK}ration of person{MARK}centred care in the not{MARK}for-profit sector at Soekarno{MARK}Hatta"
    out, log = resolve_hyphens(text, DOC)
    assert out == "the integration of person-centred care in the not-for-profit sector at Soekarno-Hatta"
    assert log == ["integ-ration -> integration", "person-centred -> person-centred", "not-for -> not-for",
                   "Soekarno-Hatta -> Soekarno-Hatta"]
    assert MARK not in out


def test_a_hyphen_inside_a_longer_compound_is_kept_unless_the_document_joins_the_part():
    vocab = Vocabulary.from_texts(["General practice matters. In practice, it does."])
    text = f"out-of{MARK}classroom learning, back-to{MARK}work schemes, prac{MARK}tice-based commissioning"
    out, log = resolve_hyphens(text, vocab)
    assert out == "out-of-classroom learning, back-to-work schemes, practice-based commissioning"
    assert log == ["of-classroom -> of-classroom", "to-work -> to-work", "prac-tice -> practice"]


@pytest.mark.parametrize("left, right, joined", [
    ("the integ-", "ration of care", f"the integ{MARK}ration of care"),  # decided later, per document
    ("Soekarno-", "Hatta airport", f"Soekarno{MARK}Hatta airport"),  # ...and later kept: a capital follows
    ("AD 2018–", "23–51 was issued", "AD 2018–23–51 was issued"),  # a number range broken at its dash
    ("policy—", "which", "policy—which"),
    ("found at https://", "www.regulations.gov.", "found at https://www.regulations.gov."),
    ("email: 9-FAA-SACO@", "faa.gov.", "email: 9-FAA-SACO@faa.gov."),
    ("see https://www.regulations.gov.", "Follow the", "see https://www.regulations.gov. Follow the"),
    ("the policy\u00ad", "makers", "the policymakers"),  # a soft hyphen says so itself
    ("care –", "and support", "care – and support"),
    ("plain", "text", "plain text"),
])
def test_join_at_line_end(left, right, joined):
    assert join_at_line_end(left, right) == joined


def test_the_english_word_list_is_what_its_script_makes():
    """data/english_words.txt.gz is derived from spacy-lookups-data by scripts/make_english_words.py."""
    import importlib.util
    from pathlib import Path

    from policyscope.ingest.layout.english_words import english_words

    script = Path(__file__).resolve().parents[1] / "scripts" / "make_english_words.py"
    spec = importlib.util.spec_from_file_location("make_english_words", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data, n_common, n_rare = module.build()
    assert module.OUT.read_bytes() == data
    words = english_words()
    assert len(words.common) == n_common and len(words.known) == n_common + n_rare
    assert {"same", "sex", "delivery"} <= words.known and "samesex" not in words.known
