"""The human-codes benchmark's data path on the real Manifesto Project files (skipped without ../shared)."""
from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import REPO, shared_corpus

pytestmark = pytest.mark.shared


def _bench():
    spec = importlib.util.spec_from_file_location("bench_cmp", REPO / "benchmarks" / "bench_topics_vs_human_codes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cmp_files_load_with_human_codes_and_map_one_passage_per_quasi_sentence(tmp_path):
    folder = shared_corpus("dated-text")
    bench = _bench()
    manifestos = bench.load_cmp(folder)
    assert len(manifestos) == 7
    codes = {c for m in manifestos for _, c in m["rows"]}
    assert not codes & bench.SKIP_CODES and "504" in codes
    assert bench.category("202.1") == "202" and bench.domain("504") == "5"
    small = min(manifestos, key=lambda m: len(m["rows"]))
    small = dict(small, rows=small["rows"][:150])
    mapping, texts = bench.build_store(tmp_path / "cmp.db", [small])
    assert list(mapping.values()) == [c for _, c in small["rows"]]
    assert list(texts.values()) == [t for t, _ in small["rows"]]


def test_default_topics_same_seed_same_assignments_for_every_quasi_sentence(tmp_path):
    """What the benchmark scores: the default `topics fit` (tomotopy, deterministic with one worker),
    every quasi-sentence's dominant topic; the same seed gives the same assignments."""
    bench = _bench()
    manifestos = bench.load_cmp(shared_corpus("dated-text"))
    small = dict(manifestos[0], rows=manifestos[0]["rows"][:400])
    db = tmp_path / "cmp.db"
    codes, texts = bench.build_store(db, [small])
    pids = list(codes)
    runs = []
    for seed in (7, 7, 8):
        work = tmp_path / f"w{len(runs)}"
        work.mkdir()
        _, run, stats = bench.fit_policyscope(db, work, 20, seed)
        runs.append(bench.dominant_topics(run, pids))
    assert "missing" not in runs[0] and len(runs[0]) == len(pids) == 400
    assert runs[0] == runs[1]  # same seed, same assignments
    assert runs[0] != runs[2]  # and the seed does matter
    import json
    config = json.loads((tmp_path / "w0" / "run" / "config.json").read_text())
    assert config["backend"] == "tomotopy" and config["deterministic"] is True
    assert config["settings"]["corpus"]["phrases"] is False
    seconds, top = bench.baseline_sklearn_lda([texts[p] for p in pids], 20, 7)
    assert len(top) == len(pids) and top.max() < 20
