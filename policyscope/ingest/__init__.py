"""Files → documents in the store. Readers are pure functions of one file; the pipeline plans and writes."""
from policyscope.ingest.pipeline import IngestOptions, IngestReport, ingest_paths

__all__ = ["IngestOptions", "IngestReport", "ingest_paths"]
