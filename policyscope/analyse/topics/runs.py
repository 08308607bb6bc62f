"""Topic run folders: models/topics/<name>/ written by `topics fit`, read by `show` and `timeline`.

    config.json           every setting (declared defaults included), the resolved K and how it was chosen
    topics.json           per topic: label, top and distinctive terms, prevalence, coherence,
                          representative passages with citations, overlap with the concept lexicon
    run.json              provenance: package and library versions, corpus hash, seed, timestamp
    document_topics.csv   one row per unit × topic, every unit (short ones inferred or no_topic)
    unit_topics.npy       the same weights as a (units × K) float32 matrix, aligned with corpus/units.csv
    selection.csv         with --k auto: c_v, c_npmi, diversity and score per candidate K
    model/                the backend's own model files
    corpus/               the prepared corpus (units.csv, tokens.txt, dictionary.txt, phrases, documents.csv)
"""
from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import numpy as np

from policyscope.analyse.topics.backends import TopicBackend, load_backend
from policyscope.analyse.topics.corpus import PreparedCorpus
from policyscope.analyse.topics.settings import TopicSettings
from policyscope.errors import TopicModelError
from policyscope.runinfo import write_run_json as shared_write_run_json

RUNS_DIR = Path("models") / "topics"


def write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default) + "\n", encoding="utf-8")


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, (set, tuple)):
        return list(o)
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"cannot write {type(o).__name__} to JSON")


def write_run_json(folder: Path, *, parameters: dict, store=None, lexicon=None, seeds: dict | None = None,
                   extra: dict | None = None) -> Path:
    """run.json through the shared writer, so every output folder's run.json has the same shape."""
    result = shared_write_run_json(folder, parameters=parameters, store=store, lexicon=lexicon, seeds=seeds,
                                   extra=extra)
    return Path(result) if result else Path(folder) / "run.json"


def resolve_run(name: str | Path, runs_dir: str | Path | None = None) -> Path:
    """A run folder given as a path, or as a name under runs_dir (default models/topics)."""
    p = Path(name)
    if (p / "config.json").exists():
        return p
    q = Path(runs_dir or RUNS_DIR) / str(name)
    if (q / "config.json").exists():
        return q
    raise TopicModelError(f"no topic run {str(name)!r}", path=str(q),
                          hint="give a run folder, or a name under models/topics/ (see `policyscope topics fit`)")


class Run:
    """A saved topic run, read lazily."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        try:
            self.config = json.loads((self.folder / "config.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise TopicModelError("not a topic run (config.json missing)", path=str(self.folder)) from None
        self.settings = TopicSettings.from_dict(self.config["settings"])

    @property
    def name(self) -> str:
        return self.config.get("name") or self.folder.name

    @property
    def k(self) -> int:
        return int(self.config["k"])

    @cached_property
    def topics(self) -> list[dict]:
        return json.loads((self.folder / "topics.json").read_text(encoding="utf-8"))["topics"]

    @property
    def labels(self) -> list[str]:
        return [t["label"] for t in self.topics]

    @cached_property
    def corpus(self) -> PreparedCorpus:
        return PreparedCorpus(self.folder / "corpus")

    def unit_topics(self) -> np.ndarray:
        """(units × K) weights, memory-mapped (read-only)."""
        return np.load(self.folder / "unit_topics.npy", mmap_mode="r")

    def backend(self) -> TopicBackend:
        return load_backend(self.folder / "model", self.settings.model, self.corpus.dictionary)

    def selection(self) -> list[dict]:
        return list(self.config.get("k_selection", {}).get("table", []))
