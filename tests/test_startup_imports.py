"""What a fresh `policyscope` process imports: start-up is part of what every command costs.

`policyscope --help` and `policyscope ingest` must not load the analysis and reporting stack
(plotly, gensim, scikit-learn, dash, pandas); `--help` loads no spaCy either, ingest loads spaCy
without its command-line package (policyscope/spacy_import.py). Each case runs in a new
interpreter and prints the modules it ended with.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("plotly", "gensim", "sklearn", "dash", "pandas")
PROBE = """
import json, sys
from policyscope.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
watched = {watched!r}
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in watched or m == 'spacy.cli')))
"""


def modules_after(*args: str, cwd: Path) -> set[str]:
    watched = HEAVY + ("spacy",)
    out = subprocess.run([sys.executable, "-c", PROBE.format(watched=watched), *args], cwd=cwd,
                         capture_output=True, text=True, check=True, timeout=120)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def tops(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("args", [["--help"], ["ingest", "--help"], ["topics", "--help"], ["docs", "--help"]])
def test_help_loads_neither_the_analysis_stack_nor_spacy(args, tmp_path):
    loaded = modules_after(*args, cwd=tmp_path)
    assert tops(loaded) & set(HEAVY) == set(), loaded
    assert "spacy" not in tops(loaded)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ingest_loads_no_analysis_stack(jobs, tmp_path):
    pdf = REPO / "corpus" / "2011-powell-personalisation-participation-care.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf} absent (the bundled demo corpus)")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(pdf, folder)
    shutil.copy(REPO / "corpus" / "2010-duffy-integration-through-personalisation.txt", folder)
    loaded = modules_after("ingest", str(folder), "--db", str(tmp_path / "s.db"), "-j", jobs, cwd=tmp_path)
    assert tops(loaded) & set(HEAVY) == set(), loaded
    assert "spacy" in tops(loaded)  # it segments (-j1), or loads spaCy once for the workers forked after (-j2)
    assert "spacy.cli" not in loaded
    import sqlite3
    with sqlite3.connect(tmp_path / "s.db") as con:
        assert con.execute("select count(*) from documents").fetchone()[0] == 2
