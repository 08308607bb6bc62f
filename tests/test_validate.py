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


def test_the_sample_is_drawn_with_the_detector_track_counts_with(sample, tmp_path):
    from policyscope.analyse.track import TrackOptions, run_track
    db, res = sample
    df = pd.read_csv(res.path, dtype=str, keep_default_na=False)
    assert (df["detector"] == "social_care:hybrid").all() and df["detector_version"].str.len().gt(0).all()
    assert df.loc[df["tagged"] == "1", "probability"].astype(float).between(0, 1).all()
    run_track(db, tmp_path / "t", TrackOptions(bootstrap=0))
    ev = pd.read_csv(tmp_path / "t" / "evidence.csv", dtype=str)
    tracked = set(ev.loc[ev["concept"] == "integration", "sentence_id"])
    assert set(df.loc[df["tagged"] == "1", "sentence_id"]) <= tracked
    assert not set(df.loc[df["tagged"] == "0", "sentence_id"]) & tracked


def test_scoring_with_another_detector_retags_and_error_rates_feed_track(sample, tmp_path):
    from policyscope.analyse.detect import SentenceBatch, load_detector
    from policyscope.analyse.track import TrackOptions, run_track
    db, res = sample
    df = pd.read_csv(res.path, dtype=str, keep_default_na=False)
    df["code"] = df["tagged"]  # as coded: the hybrid's tags
    coded = res.path.with_name("coded2.csv")
    df.to_csv(coded, index=False)
    import shutil
    coded_lex = shutil.copy(coded, res.path.with_name("coded_lex.csv"))
    with open_store(db) as st:
        as_drawn = score_coded(coded, store=st, n_boot=50)
        lexicon = score_coded(coded_lex, store=st, n_boot=50, detector="lexicon")
        rows = stored_scores(st)
    a = next(r for r in as_drawn["results"] if r["period"] == "all")
    b = next(r for r in lexicon["results"] if r["period"] == "all")
    assert a["precision"] == a["recall"] == 1.0 and a["specificity"] == 1.0
    assert lexicon["detector"] == "lexicon" and as_drawn["detector"] == "social_care:hybrid"
    # the lexicon's own tags of the coded sentences, read with their neighbours
    lex_det = load_detector("lexicon", load_lexicon())
    with open_store(db) as st:
        texts = [st.sentence(s)["text"] for s in df["sentence_id"]]
    lex_tags = lex_det.detect(SentenceBatch(texts, [""] * len(texts), [""] * len(texts))).tagged["integration"]
    assert b["n_tagged"] == int(lex_tags.sum()) != a["n_tagged"]
    assert {r["detector"] for r in rows} >= {"lexicon", "social_care:hybrid"}
    out = run_track(db, tmp_path / "own", TrackOptions(bootstrap=50, error_rates=coded.with_suffix(".score.json")))
    er = pd.read_csv(tmp_path / "own" / "error_rates.csv")
    assert list(er["concept"]) == ["integration"] and er["sensitivity"].iloc[0] == 1.0
    assert "validate --score" in er["source"].iloc[0]
    share = out.share
    corrected = share[share["measure"] == "sentence_share_corrected"]
    assert set(corrected["concept"]) == {"integration"}
    assert any("no error rates for personalisation" in w for w in out.warnings)
