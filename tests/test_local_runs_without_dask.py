"""Without --scheduler, --cluster or $POLICYSCOPE_SCHEDULER nothing changes: dask is never imported.

(pyarrow is not checked: pandas imports it by itself when it is installed.)
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import CORPUS, REPO

PROBE = """
import json, sys
from policyscope.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))))
"""


def _loaded_after(args: list[str]) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "POLICYSCOPE_SCHEDULER"}
    out = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=REPO, capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_local_ingest_and_track_never_import_dask(tmp_path):
    db = str(tmp_path / "l.db")
    assert _loaded_after(["ingest", str(CORPUS), "--db", db, "--jobs", "2", "--no-progress"]) == []
    assert _loaded_after(["track", "--db", db, "--out", str(tmp_path / "t")]) == []
    assert _loaded_after(["ingest", str(CORPUS), "--db", db, "--jobs", "1", "--no-progress"]) == []
