"""Collocates per period and keyness between periods, on the demo store; statistics checked by hand."""
from __future__ import annotations

import math

import numpy as np
import pytest
from click.testing import CliRunner

from policyscope.analyse.collocates import collocates, g2
from policyscope.analyse.keyness import keyness, log_likelihood, log_ratio
from policyscope.cli import cli, register
from policyscope.cli import track as track_cli
from policyscope.errors import UsageError
from policyscope.store import open_store

register(track_cli)


def test_g2_and_log_likelihood_by_hand():
    # 2x2 table [[10, 90], [40, 860]]: R1=100, C1=50, N=1000
    obs = np.array([[10, 90], [40, 860]], dtype=float)
    exp = obs.sum(1, keepdims=True) * obs.sum(0, keepdims=True) / obs.sum()
    expect = 2 * float((obs * np.log(obs / exp)).sum())
    assert math.isclose(g2(10, 100, 50, 1000), expect, rel_tol=1e-12)
    # Rayson & Garside two-corpus LL
    a, b, na, nb = 30, 10, 10_000, 20_000
    ea, eb = na * 40 / 30_000, nb * 40 / 30_000
    assert math.isclose(log_likelihood(a, b, na, nb), 2 * (a * math.log(a / ea) + b * math.log(b / eb)))
    assert math.isclose(log_ratio(a, b, na, nb), math.log2((a / na) / (b / nb)))
    assert log_ratio(0, 5, 100, 100) < 0  # zero count smoothed with 0.5


def test_collocates_of_personalisation_per_period(demo_db):
    with open_store(demo_db) as st:
        df = collocates(st, "personalisation", by="5y", window=5, min_freq=3, top=0)
    assert set(df["period"]) <= {"2010-2014", "2015-2019", "2020-2024"} and not df.empty
    assert (df["freq_window"] >= 3).all() and (df["freq_window"] > df["expected"]).all()
    assert (df["freq_period"] >= df["freq_window"]).all() and (df["pmi"] > 0).all()
    late = df[df["period"] == "2020-2024"].set_index("collocate")
    assert "integration" in late.index  # the 2022 article sets personalisation against integration
    r = late.loc["integration"]
    assert math.isclose(r["log_likelihood"], g2(r["freq_window"], r["window_tokens"], r["freq_period"],
                                                r["period_tokens"]), rel_tol=1e-9)
    assert not ({"the", "and", "of"} & set(df["collocate"]))


def test_keyness_between_periods(demo_db):
    with open_store(demo_db) as st:
        df = keyness(st, "2010-2014", "2015-2024", top=0, min_freq=5)
        sub = keyness(st, "2010-2014", "2015-2024", concept="integration", top=0, min_freq=2)
        with pytest.raises(UsageError):
            keyness(st, "2010-2014,2015-2016", "2020")
    row = df.set_index("word").loc["integration"]
    assert row["key_for"] == "B" and row["log_ratio"] < 0 and row["p_value"] < 0.001
    assert math.isclose(row["log_likelihood"], log_likelihood(row["freq_a"], row["freq_b"], row["tokens_a"],
                                                              row["tokens_b"]))
    assert df["log_likelihood"].is_monotonic_decreasing or set(df["key_for"]) == {"A", "B"}
    assert sub["tokens_a"].iloc[0] < df["tokens_a"].iloc[0]  # only sentences tagged integration


def test_cli_collocates_and_keyness(demo_db, tmp_path):
    run = CliRunner()
    r = run.invoke(cli, ["collocates", "--concept", "integration", "--db", str(demo_db), "--by", "5y",
                         "--out", str(tmp_path / "c.csv")], catch_exceptions=False)
    assert r.exit_code == 0 and "log-lik" in r.output and (tmp_path / "c.csv").exists()
    r = run.invoke(cli, ["keyness", "--a", "2010-2014", "--b", "2015-2024", "--db", str(demo_db), "--top", "5"],
                   catch_exceptions=False)
    assert r.exit_code == 0 and "log ratio" in r.output


def test_collocates_of_several_concepts_in_one_pass_equal_one_by_one(demo_db):
    from policyscope.analyse.collocates import collocates_of_concepts
    from policyscope.analyse.lexicon import load_lexicon
    concepts = load_lexicon().concept_names
    with open_store(demo_db) as store:
        together = collocates_of_concepts(store, concepts, periods="all=2000-2025", top=10)
        for c in concepts:
            alone = collocates(store, c, periods="all=2000-2025", top=10)
            part = together[together["concept"] == c].reset_index(drop=True)
            assert len(alone) > 0
            assert part.equals(alone)
