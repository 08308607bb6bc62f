"""Files → documents in the store. Readers are pure functions of one file; the pipeline plans and writes.

`IngestOptions` is a plain record; `ingest_paths` and `IngestReport` load the pipeline (PDF
readers, the segmenter) on first use, so importing this package costs nothing.
"""
from policyscope.ingest.options import IngestOptions

__all__ = ["IngestOptions", "IngestReport", "ingest_paths"]


def __getattr__(name: str):
    if name in ("IngestReport", "ingest_paths"):
        from policyscope.ingest import pipeline
        return getattr(pipeline, name)
    raise AttributeError(f"module 'policyscope.ingest' has no attribute {name!r}")
