"""The words of one document, for decisions a single page cannot take (hyphens, lost spaces)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Vocabulary:
    """Which tokens occur in one document, lower-cased; hyphenated forms ('long-term') are tokens.

    A set built with str.split (in C) over the raw text, so tokens keep punctuation stuck to them:
    `count` looks for the usual punctuated spellings ('word,', '(word', 'word’s') too. It answers
    1 or 0 (seen or not); `frequency` counts, for the rare tie between two spellings.
    """

    tokens: frozenset = field(default_factory=frozenset)
    text: str = ""  # the whole document, lower-cased

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> "Vocabulary":
        low = "\n".join(texts).lower()
        return cls(frozenset(low.split()), low)

    def count(self, word: str) -> int:
        t = self.tokens
        return int(word in t or word + "," in t or word + "." in t or word + ";" in t or word + ":" in t
                   or word + ")" in t or word + "’s" in t or "(" + word in t or "‘" + word in t)

    def frequency(self, word: str) -> int:
        """Occurrences of `word` as a substring of the document (a close enough count for long words)."""
        return self.text.count(word)
