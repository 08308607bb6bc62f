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
    mapping = bench.build_store(tmp_path / "cmp.db", [small])
    assert list(mapping.values()) == [c for _, c in small["rows"]]
