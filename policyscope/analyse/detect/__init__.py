"""Concept detectors: which sentences are about a concept, with what probability, and why.

    from policyscope.analyse.detect import load_detector
    detector = load_detector("hybrid", lexicon)        # or "lexicon", "keyword", "model", or a model folder
    detection = detector.detect(SentenceBatch.of_documents(texts, doc_ids))

Backends and the model folder are described in base.py and trained.py; training and evaluation in
build.py and evaluation.py; the error-corrected shares that use a detector's measured error in
correction.py.
"""
from __future__ import annotations

import json
from pathlib import Path

from policyscope.analyse.detect.base import BACKENDS, MODEL_BACKENDS, Detection, Hit, SentenceBatch
from policyscope.analyse.lexicon import REPO_ROOT, Lexicon
from policyscope.errors import DetectorError

__all__ = ["BACKENDS", "Detection", "Hit", "SentenceBatch", "load_detector", "default_model_folder",
           "detector_error_rates", "detector_error_rates_measured_by"]

DETECTORS_DIR = Path("models") / "detectors"


def default_model_folder(lexicon: Lexicon) -> Path | None:
    """models/detectors/<lexicon name>/ (here, or in the repository), if it exists."""
    for base in (Path.cwd(), REPO_ROOT):
        cand = base / DETECTORS_DIR / lexicon.name
        if (cand / "detector.json").exists():
            return cand
    return None


def resolve(spec: str | None, lexicon: Lexicon, model: str | Path | None = None) -> tuple[str, Path | None, str]:
    """(backend, model folder or None, note) for a --detector value.

    None (the default): `hybrid` from the lexicon's model folder when one exists and was trained with this
    very lexicon, else `lexicon` (the note says why)."""
    folder = Path(model) if model else None
    if spec and spec not in BACKENDS:
        p = Path(spec)
        if (p / "detector.json").exists():
            folder, spec = p, None
        else:
            raise DetectorError(f"unknown detector {spec!r}: choose {', '.join(BACKENDS)} or a model folder",
                                hint="e.g. --detector hybrid, --detector lexicon, --detector models/detectors/NAME")
    if folder is not None and not (folder / "detector.json").exists():
        raise DetectorError("not a detector folder (no detector.json)", path=str(folder))
    if spec in ("keyword", "lexicon"):
        return spec, folder or default_model_folder(lexicon), ""
    folder = folder or default_model_folder(lexicon)
    if spec in MODEL_BACKENDS:
        if folder is None:
            raise DetectorError(f"no trained detector for lexicon {lexicon.name} (models/detectors/{lexicon.name}/)",
                                hint="train one with `policyscope detect train`, or use --detector lexicon")
        return spec, folder, ""
    # the default
    if folder is None:
        return "lexicon", None, (f"no trained detector for lexicon {lexicon.name}: sentences are tagged by the "
                                 "lexicon's rules alone")
    from policyscope.analyse.detect.trained import read_detector_json
    info = read_detector_json(folder)
    lex = info.get("lexicon", {})
    if lex.get("name") != lexicon.name or lex.get("sha256") != lexicon.sha256:
        return "lexicon", folder, (f"the detector in {folder} was trained with lexicon {lex.get('name')} "
                                   f"{lex.get('version')}, not {lexicon.label}: sentences are tagged by the lexicon's "
                                   "rules alone (retrain with `policyscope detect train`)")
    return info.get("default_backend", "hybrid"), folder, ""


def load_detector(spec: str | None, lexicon: Lexicon, *, concepts: list[str] | None = None,
                  model: str | Path | None = None, matcher=None):
    """A detector object with .detect(batch), .concepts, .backend, .name, .version, .uses_lemmas, .run_info()."""
    backend, folder, note = resolve(spec, lexicon, model)
    if backend == "keyword":
        from policyscope.analyse.detect.keyword import KeywordDetector
        det = KeywordDetector(lexicon, concepts)
    elif backend == "lexicon":
        from policyscope.analyse.detect.rules import LexiconDetector
        det = LexiconDetector(lexicon, concepts, matcher=matcher)
    else:
        from policyscope.analyse.detect.trained import load_trained
        det = load_trained(folder, backend, lexicon, matcher=matcher)
        if concepts:
            det.concepts = [c for c in det.concepts if c in concepts]
    det.model_folder = folder
    det.note = note
    return det


def _metrics(folder: Path | None) -> dict | None:
    """The model folder's metrics.json (written by `detect evaluate`), or None when it was never measured."""
    path = Path(folder) / "metrics.json" if folder is not None else None
    if path is None or not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def detector_error_rates(folder: Path | None, backend: str) -> dict | None:
    """{concept: {sensitivity, specificity, n_eff_positive, n_eff_negative, ...}} measured for `backend` by
    `detect evaluate` (metrics.json in the model folder), or None when it was never measured."""
    metrics = _metrics(folder)
    return None if metrics is None else metrics.get("error_rates", {}).get(backend)


def detector_error_rates_measured_by(folder: Path | None) -> str:
    """How `detect evaluate` measured the error rates in metrics.json (e.g. "leave one round/source_group out")."""
    metrics = _metrics(folder)
    return "" if metrics is None else metrics.get("error_rates_measured_by", "grouped cross-validation by document")
