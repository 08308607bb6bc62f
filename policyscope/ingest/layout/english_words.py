"""English words for the line-end hyphen rules, when the document's own words do not decide.

The list (data/english_words.txt.gz, made by scripts/make_english_words.py from spacy-lookups-data)
has two tiers: `common` words, which can stand as the parts of a compound ('same' + 'sex'), and
every `known` word, which a soft hyphen may have split ('deli-very'). Loaded once per process, on
the first hyphen that needs it (about 15 ms).
"""
from __future__ import annotations

import functools
import gzip
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class EnglishWords:
    common: frozenset[str]
    known: frozenset[str]  # common words included


@functools.cache
def english_words() -> EnglishWords:
    data = resources.files("policyscope.ingest.layout").joinpath("data", "english_words.txt.gz").read_bytes()
    common, _, rare = gzip.decompress(data).decode("ascii").partition("\n\n")
    common_set = frozenset(common.split())
    return EnglishWords(common_set, common_set | frozenset(rare.split()))
