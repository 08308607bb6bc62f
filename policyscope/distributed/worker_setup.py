"""A Dask worker preload: `dask worker ADDRESS --preload policyscope.distributed.worker_setup`.

Once, when the worker process starts, it imports the modules policyscope's tasks use (spaCy,
pypdfium2, numpy and the layout code) and loads the segmenter: ~0.6 s of a fresh process that no run
on a running cluster then pays for in its first tasks. `--cluster local:N` starts its workers with it.
A worker started without it loads the segmenter when an ingest connects (dask_pool.warm_up).
"""
from __future__ import annotations


def dask_setup(worker=None) -> None:
    import pypdfium2  # noqa: F401

    import policyscope.ingest.near_duplicates  # noqa: F401 - numpy
    import policyscope.ingest.pdf  # noqa: F401 - the layout code
    import policyscope.ingest.tasks  # noqa: F401
    from policyscope.nlp import load_segmenter  # spaCy
    load_segmenter()
