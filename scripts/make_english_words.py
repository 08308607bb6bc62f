#!/usr/bin/env python3
"""Write policyscope/ingest/layout/data/english_words.txt.gz: the English words the line-end
hyphen rules look up when the document itself does not decide (layout/hyphenation.py).

Derived from spacy-lookups-data's English lexeme probabilities (en_lexeme_prob; the package is
MIT-licensed and a dependency of policyscope): lower-case ASCII words only, in two tiers:

  common  log-probability >= COMMON (about 48,000 words): a part of a compound ('same', 'sex')
  known   log-probability >= KNOWN  (about 117,000 words): a word a soft hyphen may split

One word per line, each tier sorted, the tiers separated by a blank line. Gzip with mtime 0, so
reruns on the same spacy-lookups-data give the same bytes. Run from the repository root:

    .venv/bin/python scripts/make_english_words.py
"""
from __future__ import annotations

import gzip
import re
from pathlib import Path

COMMON = -16.0
KNOWN = -18.0
OUT = Path(__file__).resolve().parents[1] / "policyscope" / "ingest" / "layout" / "data" / "english_words.txt.gz"


def build() -> tuple[bytes, int, int]:
    """The file's bytes, and the sizes of the two tiers."""
    from spacy.util import load_language_data, registry

    probs = load_language_data(registry.lookups.get("en")["lexeme_prob"])
    word = re.compile(r"[a-z]+\Z")
    common = sorted(w for w, p in probs.items() if p >= COMMON and word.match(w))
    rare = sorted(w for w, p in probs.items() if KNOWN <= p < COMMON and word.match(w))
    text = "\n".join(common) + "\n\n" + "\n".join(rare) + "\n"
    return gzip.compress(text.encode("ascii"), compresslevel=9, mtime=0), len(common), len(rare)


def main() -> None:
    data, n_common, n_rare = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(data)
    print(f"{OUT}: {n_common} common + {n_rare} known words")


if __name__ == "__main__":
    main()
