"""Run the analysis a report needs when the user did not pass its output folder.

Thin wrappers over the analysis layer's own entry points (nothing computed here).
"""
from __future__ import annotations

from pathlib import Path


def run_track(db, out, *, lexicon=None, by: str = "year", by_doc_type: bool = True, bootstrap: int = 1000,
              seed: int = 0, min_docs: int = 3) -> Path:
    """`policyscope track` into `out` (by doc_type too, so the dashboard's doc_type selector has data)."""
    from policyscope.analyse.track import TrackOptions
    from policyscope.analyse.track import run_track as track
    track(db, out, TrackOptions(lexicon=lexicon, by=by, by_doc_type=by_doc_type, bootstrap=bootstrap, seed=seed,
                                min_docs=min_docs))
    return Path(out)
