"""Shared fixtures: the bundled demo corpus ingested once per session, and ../shared/corpus when present."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared" / "corpus"


def shared_corpus(*parts: str) -> Path:
    """../shared/corpus[/parts…], or skip the test with the reason (it is absent on a user's machine)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the real-data corpus lives in ../shared beside the repository (CI has it)")
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    return shared_corpus()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A store holding the bundled demo corpus (ingested once, read-only for tests: copy it before writing)."""
    from policyscope.ingest import IngestOptions, ingest_paths
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    report = ingest_paths([str(CORPUS)], db, options=IngestOptions(jobs=1), progress=False)
    bad = [o for o in report.outcomes if o.outcome != "ok"]
    assert not bad, f"demo corpus did not ingest cleanly: {bad}"
    return db


@pytest.fixture()
def demo_db_copy(demo_db, tmp_path) -> Path:
    """A private, writable copy of the demo store."""
    dst = tmp_path / "demo.db"
    shutil.copy(demo_db, dst)
    return dst
