"""validate: a stratified sample for hand coding, and precision/recall/F1 with intervals stored with the lexicon version."""
from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from policyscope.analyse.lexicon import load_lexicon
from policyscope.analyse.validate import SAMPLE_COLUMNS, _prf, draw_sample, score_coded, stored_scores
from policyscope.cli import cli, register
from policyscope.cli import track as track_cli
from policyscope.errors import AnalysisError
from policyscope.store import open_store

register(track_cli)


@pytest.fixture()
def sample(demo_db_copy, tmp_path):
    with open_store(demo_db_copy) as st:
        res = draw_sample(st, "integration", 40, tmp_path / "s.csv", seed=3)
    return demo_db_copy, res


def test_sample_columns_strata_and_weights(sample):
    db, res = sample
    df = pd.read_csv(res.path, dtype=str, keep_default_na=False)
    assert list(df.columns) == SAMPLE_COLUMNS and len(df) == res.n_rows == 40
    assert set(df["stratum"]) == {"tagged", "near", "other"}
    assert (df.loc[df["stratum"] == "tagged", "tagged"] == "1").all()
    assert (df.loc[df["stratum"] != "tagged", "tagged"] == "0").all()
    assert (df["code"] == "").all() and (df["lexicon"] == "social_care").all()
    assert (df.loc[df["tagged"] == "1", "matched"] != "").all()
    assert df["sentence_id"].is_unique
    # weights = stratum population / drawn, per period
    for c in res.cells.itertuples():
        got = df[(df["period"] == str(c.period)) & (df["stratum"] == c.stratum)]
        assert len(got) == c.drawn and np.isclose(float(got["weight"].iloc[0]), c.population / c.drawn, rtol=1e-5)
    # same seed, same sample
    with open_store(db) as st:
        again = draw_sample(st, "integration", 40, res.path.with_name("t.csv"), seed=3)
    assert pd.read_csv(again.path)["sentence_id"].tolist() == df["sentence_id"].tolist()


def test_score_weighted_metrics_store_and_json(sample):
    db, res = sample
    df = pd.read_csv(res.path, dtype=str, keep_default_na=False)
    df["code"] = df["tagged"]
    first_tagged = df.index[df["tagged"] == "1"][0]
    df.loc[first_tagged, "code"] = "0"  # one false positive
    first_other = df.index[df["stratum"] == "near"][0]
    df.loc[first_other, "code"] = "1"  # one miss
    df.loc[df.index[-1], "code"] = ""  # not coded: ignored
    coded = res.path.with_name("coded.csv")
    df.to_csv(coded, index=False)
    with open_store(db) as st:
        rep = score_coded(coded, store=st, n_boot=200, seed=1)
        rows = stored_scores(st, "social_care")
    overall = next(r for r in rep["results"] if r["period"] == "all")
    c = df[df["code"] != ""]
    w = c["weight"].astype(float).to_numpy()
    p, r, f = _prf(c["tagged"].eq("1").to_numpy(), c["code"].eq("1").to_numpy(), w)
    assert np.isclose(overall["precision"], p) and np.isclose(overall["recall"], r) and np.isclose(overall["f1"], f)
    assert 0 < overall["precision"] < 1 and 0 < overall["recall"] < 1
    assert overall["precision_low"] <= overall["precision"] <= overall["precision_high"]
    assert overall["n_coded"] == len(df) - 1
    assert {r["period"] for r in rep["results"]} >= {"all", "2022"}
    assert rows and rows[0]["lexicon_version"] == load_lexicon().version and rows[0]["concept"] == "integration"
    saved = json.loads(coded.with_suffix(".score.json").read_text())
    assert saved["lexicon"] == "social_care" and saved["results"]


def test_bad_codes_and_empty_coding(sample):
    _, res = sample
    df = pd.read_csv(res.path, dtype=str, keep_default_na=False)
    with pytest.raises(AnalysisError, match="no coded rows"):
        score_coded(res.path)
    df.loc[0, "code"] = "maybe"
    bad = res.path.with_name("bad.csv")
    df.to_csv(bad, index=False)
    with pytest.raises(AnalysisError, match="row 2"):
        score_coded(bad)


def test_cli_sample_then_score(demo_db_copy, tmp_path):
    run = CliRunner()
    out = tmp_path / "p.csv"
    r = run.invoke(cli, ["validate", "--concept", "personalisation", "--sample", "30", "--db", str(demo_db_copy),
                         "--out", str(out)], catch_exceptions=False)
    assert r.exit_code == 0 and out.exists() and "tagged" in r.output
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    df["code"] = df["tagged"]
    df.to_csv(out, index=False)
    r = run.invoke(cli, ["validate", "--score", str(out), "--db", str(demo_db_copy), "--bootstrap", "50"],
                   catch_exceptions=False)
    assert r.exit_code == 0 and "precision" in r.output and "1.00" in r.output
    n = sqlite3.connect(demo_db_copy).execute("SELECT COUNT(*) FROM validation").fetchone()[0]
    assert n >= 2
    r = run.invoke(cli, ["validate", "--db", str(demo_db_copy)])
    assert r.exit_code == 2 and "E900" in r.output
