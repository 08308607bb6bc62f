"""`track` on the demo corpus: output contracts, every number recomputed from evidence.csv + denominators.csv."""
from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from policyscope.analyse.track import EVIDENCE_COLUMNS, SHARE_COLUMNS, TrackOptions, run_track
from policyscope.cli import cli, register
from policyscope.cli import track as track_cli
from policyscope.errors import AnalysisError, UsageError

register(track_cli)
DESIGN_SHARE = ["period", "concept", "measure", "value", "ci_low", "ci_high", "n_docs", "n_sentences", "n_tokens"]
DESIGN_EVIDENCE = ["concept", "term", "doc_id", "title", "date", "doc_type", "page", "sentence_id", "sentence",
                   "matched"]


@pytest.fixture(scope="module")
def run(demo_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("track") / "out"
    res = run_track(demo_db, out, TrackOptions(bootstrap=200, seed=7))
    return res, out


def read(out):
    share = pd.read_csv(out / "concept_share.csv", dtype={"period": str})
    ev = pd.read_csv(out / "evidence.csv", dtype={"period": str, "date": str})
    den = pd.read_csv(out / "denominators.csv", dtype={"period": str, "date": str})
    return share, ev, den


def test_outputs_and_columns(run):
    res, out = run
    for name in ("concept_share.csv", "evidence.csv", "denominators.csv", "changepoints.csv", "error_rates.csv",
                 "run.json"):
        assert (out / name).exists(), name
    share, ev, den = read(out)
    assert list(share.columns) == SHARE_COLUMNS and set(DESIGN_SHARE) <= set(share.columns)
    assert list(ev.columns) == EVIDENCE_COLUMNS and set(DESIGN_EVIDENCE) <= set(ev.columns)
    assert set(share["measure"]) == {"rate", "sentence_share", "doc_reach", "balance", "cooccurrence",
                                     "sentence_share_corrected", "rate_corrected", "doc_reach_corrected"}
    # the default detector is the trained hybrid; its name and version travel into every row
    assert (share["detector"] == "social_care:hybrid").all() and (ev["detector"] == "social_care:hybrid").all()
    assert ev["probability"].between(0, 1).all()
    assert set(share["weighting"]) == {"pooled", "document"}
    assert set(share["concept"]) == {"personalisation", "integration", "personalisation|integration"}
    assert (share["lexicon"] == "social_care").all() and (ev["lexicon_version"] == res.lexicon.version).all()
    # five dated documents, one per year, all thin at --min-docs 3
    assert sorted(den["period"]) == ["2010", "2011", "2014", "2015", "2022"]
    assert share["thin"].all()


def test_corrected_shares_use_the_error_rates_measured_on_collections_left_out(run):
    """The shipped metrics.json was measured leaving one collection out: track takes those rates (a new corpus is
    a collection the detector was not trained on) and says so in error_rates.csv."""
    from conftest import REPO
    _, out = run
    metrics = json.loads((REPO / "models" / "detectors" / "social_care" / "metrics.json").read_text())
    assert metrics["error_rates_measured_by"] == "leave one round/source_group out"
    rates = pd.read_csv(out / "error_rates.csv").set_index("concept")
    for c in ("personalisation", "integration"):
        measured = metrics["error_rates"]["hybrid"][c]
        assert rates.at[c, "sensitivity"] == pytest.approx(measured["sensitivity"])
        assert rates.at[c, "specificity"] == pytest.approx(measured["specificity"])
        assert measured["sensitivity"] != pytest.approx(metrics["error_rates_grouped_cv"]["hybrid"][c]["sensitivity"])
        assert rates.at[c, "source"].endswith("(detect evaluate: leave one round/source_group out)")


def test_every_share_value_recomputes_from_evidence_and_denominators(run):
    from policyscope.analyse.detect.correction import corrected_values
    _, out = run
    share, ev, den = read(out)
    rates = pd.read_csv(out / "error_rates.csv").set_index("concept")
    den = den.set_index("doc_id")
    concepts = ["personalisation", "integration"]
    per_doc = pd.DataFrame(index=den.index)
    for c in concepts:
        e = ev[ev["concept"] == c]
        per_doc[f"hits_{c}"] = e.groupby("doc_id").size().reindex(den.index, fill_value=0)
        per_doc[f"sents_{c}"] = e.groupby("doc_id")["sentence_id"].nunique().reindex(den.index, fill_value=0)
    pa = ev[ev.concept == "personalisation"][["doc_id", "passage_id"]].drop_duplicates()
    pb = ev[ev.concept == "integration"][["doc_id", "passage_id"]].drop_duplicates()
    per_doc["cooc"] = pa.merge(pb).groupby("doc_id").size().reindex(den.index, fill_value=0)
    per_doc = per_doc.join(den)
    checked = 0
    for r in share.itertuples():
        d = per_doc[per_doc["period"] == r.period]
        assert len(d) == r.n_docs and d["n_tokens"].sum() == r.n_tokens and d["n_sentences"].sum() == r.n_sentences
        if r.measure == "balance":
            num, dd = d["sents_personalisation"], d["sents_personalisation"] + d["sents_integration"]
        elif r.measure == "cooccurrence":
            num, dd = d["cooc"], d["n_passages"]
        elif r.measure == "rate":
            num, dd = 10_000 * d[f"hits_{r.concept}"], d["n_tokens"]
        elif r.measure == "sentence_share":
            num, dd = d[f"sents_{r.concept}"], d["n_sentences"]
        elif r.measure.endswith("_corrected"):  # error_rates.csv's sensitivity and specificity, docs/tracking.md
            er = rates.loc[r.concept]
            v = corrected_values(d[f"sents_{r.concept}"], d["n_sentences"], d[f"hits_{r.concept}"], d["n_tokens"],
                                 er.sensitivity, er.specificity, r.weighting)[r.measure][0]
            assert np.isclose(r.value, v, rtol=1e-12, equal_nan=True), (r.period, r.concept, r.measure)
            checked += 1
            continue
        else:
            num, dd = (d[f"hits_{r.concept}"] > 0).astype(float), pd.Series(1.0, index=d.index)
        if r.weighting == "pooled":
            expect = num.sum() / dd.sum() if dd.sum() else np.nan
        else:
            ok = dd > 0
            expect = (num[ok] / dd[ok]).mean() if ok.any() else np.nan
        assert np.isclose(r.value, expect, rtol=1e-12, equal_nan=True), (r.period, r.concept, r.measure, r.weighting)
        checked += 1
    assert checked == len(share) == 5 * (2 * 3 + 2 + 2 * 3) * 2


def test_evidence_rows_point_at_their_sentences(run, demo_db):
    _, out = run
    _, ev, _ = read(out)
    con = sqlite3.connect(demo_db)
    stored = dict(con.execute("SELECT sentence_id, text FROM sentences"))
    sections = dict(con.execute("SELECT sentence_id, section FROM sentences"))
    for r in ev.itertuples():
        assert stored[r.sentence_id] == r.sentence
        assert r.sentence[r.char_start:r.char_end] == r.matched
        assert sections[r.sentence_id] == "body" and r.section == "body"
        assert r.sentence_id.startswith(r.doc_id) and f":p{r.page:03d}:" in r.sentence_id


def test_sensible_shares_on_the_demo_corpus(run):
    """The 2011 article hardly discusses integration (5 of 153 coded sentences); the 2022 article is about both;
    personalisation dominates blogs."""
    res, _ = run
    s = res.share[(res.share["measure"] == "sentence_share") & (res.share["weighting"] == "pooled")]
    v = {(r.period, r.concept): r.value for r in s.itertuples()}
    assert v[("2011", "integration")] < 0.1 < v[("2011", "personalisation")]
    assert v[("2022", "integration")] > 0.1 and v[("2022", "personalisation")] > 0.1
    for year in ("2014", "2015"):
        assert v[(year, "personalisation")] > 5 * v[(year, "integration")]
    assert res.n_hits > 200


def test_intervals_reproducible_with_seed_and_nan_for_single_documents(demo_db, tmp_path):
    a = run_track(demo_db, tmp_path / "a", TrackOptions(by="5y", bootstrap=300, seed=1)).share
    b = run_track(demo_db, tmp_path / "b", TrackOptions(by="5y", bootstrap=300, seed=1)).share
    pd.testing.assert_frame_equal(a, b)
    multi = a[(a["period"] == "2010-2014") & (a["measure"] == "sentence_share") & (a["weighting"] == "pooled")]
    assert (multi["n_docs"] == 3).all() and multi["ci_low"].notna().all()
    assert (multi["ci_low"] <= multi["value"]).all() and (multi["value"] <= multi["ci_high"]).all()
    assert not multi["thin"].any()
    single = a[a["period"] == "2020-2024"]
    assert single["ci_low"].isna().all() and single["thin"].all()


def test_periods_doc_types_and_sections(demo_db, tmp_path):
    res = run_track(demo_db, tmp_path / "p", TrackOptions(periods="early=2010-2014,late=2015-2024", by_doc_type=True,
                                                          bootstrap=0))
    assert set(res.share["period"]) == {"early", "late"}
    assert set(res.share["doc_type"]) == {"all", "article", "blog", "report"}
    body = run_track(demo_db, tmp_path / "b", TrackOptions(bootstrap=0))
    refs = run_track(demo_db, tmp_path / "r", TrackOptions(bootstrap=0, sections=("body", "references")))
    assert refs.docs["n_tokens"].sum() > body.docs["n_tokens"].sum()
    with pytest.raises(UsageError):
        run_track(demo_db, tmp_path / "x", TrackOptions(sections=("body", "appendix")))
    with pytest.raises(UsageError):
        run_track(demo_db, tmp_path / "x", TrackOptions(by="fortnight"))


def test_undated_and_duplicate_documents_are_left_out_with_their_names(demo_db_copy, tmp_path):
    con = sqlite3.connect(demo_db_copy)
    undated = con.execute("SELECT doc_id FROM documents WHERE date='2010'").fetchone()[0]
    dup = con.execute("SELECT doc_id FROM documents WHERE date='2011'").fetchone()[0]
    con.execute("UPDATE documents SET date=NULL, year=NULL WHERE doc_id=?", (undated,))
    con.execute("UPDATE documents SET duplicate_of=? WHERE doc_id=?", (undated, dup))
    con.commit()
    con.close()
    res = run_track(demo_db_copy, tmp_path / "o", TrackOptions(bootstrap=0))
    assert undated not in set(res.docs["doc_id"]) and dup not in set(res.docs["doc_id"])
    text = " ".join(res.warnings)
    assert "no date" in text and undated in text and "near-duplicate" in text and dup in text
    run_json = json.loads((tmp_path / "o" / "run.json").read_text())
    assert run_json["excluded"]["undated"] and run_json["excluded"]["duplicates"]
    both = run_track(demo_db_copy, tmp_path / "d", TrackOptions(bootstrap=0, include_duplicates=True))
    assert dup in set(both.docs["doc_id"])


def test_run_json_records_provenance(run, demo_db):
    res, out = run
    info = json.loads((out / "run.json").read_text())
    assert info["version"] and info["created"] and info["libraries"]["numpy"]
    assert info["lexicon"]["name"] == "social_care" and info["lexicon"]["version"] == res.lexicon.version
    assert len(info["lexicon"]["sha256"]) == 64
    assert info["parameters"]["bootstrap"] == 200 and info["seeds"] == {"bootstrap": 7}
    assert info["corpus"]["n_documents"] == 5 and all(len(d["sha256"]) == 64 for d in info["corpus"]["documents"])
    assert set(info["outputs"]) == {"concept_share.csv", "evidence.csv", "denominators.csv", "changepoints.csv",
                                    "error_rates.csv"}
    det = info["detector"]
    assert det["backend"] == "hybrid" and det["name"] == "social_care" and det["version"]
    assert set(det["error_rates"]) == {"personalisation", "integration"}


def test_changepoints_say_why_none_on_five_years(run):
    _, out = run
    cp = pd.read_csv(out / "changepoints.csv")
    assert list(cp["concept"]) == ["personalisation", "integration"]
    assert cp["break_year"].isna().all() and cp["note"].str.contains("too short").all()


def test_changepoints_find_a_clear_level_shift():
    from policyscope.analyse.changepoints import changepoint_rows
    years = list(range(2000, 2012))
    vals = [0.30, 0.31, 0.29, 0.30, 0.32, 0.31, 0.10, 0.11, 0.09, 0.10, 0.12, 0.10]
    rows = changepoint_rows({"p": list(zip(years, vals))}, {("p", 2005): ["a"], ("p", 2006): ["b"]}, "sentence_share")
    assert [r["break_year"] for r in rows] == [2006]
    assert rows[0]["evidence_before"] == "a" and rows[0]["evidence_after"] == "b"
    assert rows[0]["mean_before"] > rows[0]["mean_after"]


def test_optimal_partition_equals_ruptures_pelt():
    ruptures = pytest.importorskip("ruptures")
    from policyscope.analyse.changepoints import optimal_partition
    rng = np.random.default_rng(5)
    for _ in range(20):
        n = int(rng.integers(6, 30))
        y = np.concatenate([rng.normal(rng.uniform(0, 1), 0.05, size=k) for k in
                            np.diff(np.r_[0, np.sort(rng.choice(np.arange(2, n - 1), size=2, replace=False)), n])])
        pen = float(rng.uniform(0.001, 0.1))
        expect = ruptures.Pelt(model="l2", min_size=2, jump=1).fit(y.reshape(-1, 1)).predict(pen=pen)
        assert optimal_partition(y, pen) == expect


def test_cli_track_prints_a_table(demo_db, tmp_path):
    r = CliRunner().invoke(cli, ["track", "--db", str(demo_db), "--out", str(tmp_path / "c"), "--bootstrap", "50",
                                 "--by", "5y"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "2010-2014" in r.output and "personalisation share" in r.output and "thin" in r.output
    bad = CliRunner().invoke(cli, ["track", "--db", str(tmp_path / "none.db"), "--out", str(tmp_path / "x")])
    assert bad.exit_code == 3 and "E201" in bad.output


def test_empty_scope_is_an_analysis_error(demo_db_copy, tmp_path):
    con = sqlite3.connect(demo_db_copy)
    con.execute("UPDATE documents SET date=NULL, year=NULL")
    con.commit()
    con.close()
    with pytest.raises(AnalysisError, match="no documents to count"):
        run_track(demo_db_copy, tmp_path / "o", TrackOptions(bootstrap=0))
