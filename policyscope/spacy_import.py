"""`import spacy` without spaCy's command-line package, which nothing here uses.

spaCy's package init runs `from .cli.info import info`, and spacy.cli imports its whole command
line (typer, weasel, httpx, requests...): about 0.2 s of the 0.55 s that `import spacy` costs,
paid again by every `policyscope ingest` process. While spaCy's init runs, `spacy.cli` and
`spacy.cli.info` are placeholders; afterwards they are gone from `sys.modules`, so an
`import spacy.cli` later gets the real package, and `spacy.info` imports the real one when called.
"""
from __future__ import annotations

import sys
import types


def _info(*args, **kwargs):
    from spacy.cli.info import info

    return info(*args, **kwargs)


def import_spacy():
    """The spacy module, imported without spacy.cli if it was not imported yet."""
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    placeholders = {}
    for name in ("spacy.cli", "spacy.cli.info"):
        if name not in sys.modules:
            placeholders[name] = sys.modules[name] = types.ModuleType(name, "placeholder while spaCy imports")
    if "spacy.cli.info" in placeholders:
        placeholders["spacy.cli.info"].info = _info
    try:
        import spacy
    finally:
        for name, module in placeholders.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    if getattr(spacy, "cli", None) is placeholders.get("spacy.cli"):
        del spacy.cli  # the next `import spacy.cli` sets the real one
    return spacy
