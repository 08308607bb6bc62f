"""The publication bundle: PNG + SVG (kaleido + local Chromium), HTML, CSV, evidence, sources, run.json."""
from __future__ import annotations

import json
import struct

import pandas as pd
import pytest

from policyscope.report.browser import find_chromium
from policyscope.store import open_store
from test_dashboard import cli_runner
from test_figures import run_track_into


@pytest.fixture(scope="module")
def track_dir(demo_db, tmp_path_factory):
    return run_track_into(demo_db, tmp_path_factory.mktemp("track") / "track")


def png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.fixture(scope="module")
def bundle(demo_db, track_dir, tmp_path_factory):
    if not find_chromium():
        pytest.skip("no Chromium at /usr/bin/chromium (run scripts/install_browser.sh): PNG/SVG export untested")
    out = tmp_path_factory.mktemp("bundle") / "export"
    runner, cli = cli_runner()
    res = runner.invoke(cli, ["export", "--chart", "concept-share", "--db", str(demo_db), "--track", str(track_dir),
                              "--out", str(out), "--title", "Personalisation and integration in adult social care"])
    assert res.exit_code == 0, res.output
    return out


def test_bundle_files(bundle):
    names = {p.name for p in bundle.iterdir()}
    assert {"concept-share.png", "concept-share.svg", "concept-share.html", "concept-share.csv", "evidence.csv",
            "sources.csv", "run.json", "README.txt", "concept-share.plotly.json"} <= names


def test_static_images_have_title_axes_legend_source_and_date(bundle):
    w, h = png_size(bundle / "concept-share.png")
    assert (w, h) == (2400, 1350)  # 1200 x 675 at scale 2
    svg = (bundle / "concept-share.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    import time
    for text in ("Personalisation and integration in adult social care", "Sentence share", "Period",
                 "personalisation", "integration", "Source: policyscope", time.strftime("%Y-%m-%d"),
                 "thin period", "Care Act 2014"):
        assert text in svg, text


def test_chart_csv_is_the_track_numbers(bundle, track_dir):
    chart = pd.read_csv(bundle / "concept-share.csv", dtype={"period": str})
    share = pd.read_csv(track_dir / "concept_share.csv", dtype={"period": str})
    # the default chart is the error-corrected share (track measured the detector's error)
    share = share[(share["measure"] == "sentence_share_corrected") & (share["weighting"] == "pooled") &
                  (share["doc_type"] == "all")]
    merged = chart.merge(share, on=["period", "concept"], suffixes=("", "_track"))
    assert len(merged) == len(chart) == len(share)
    assert (merged["value"] - merged["value_track"]).abs().max() < 1e-12
    assert {"point_id", "ci_low", "ci_high", "n_docs", "thin", "n_evidence_sentences"} <= set(chart.columns)


def test_evidence_csv_has_every_sentence_with_citations(bundle, track_dir, demo_db):
    from policyscope.citation import sentence_citation
    ev = pd.read_csv(bundle / "evidence.csv", dtype=str)
    track_ev = pd.read_csv(track_dir / "evidence.csv", dtype=str)
    singles = track_ev[track_ev["concept"].isin(["personalisation", "integration"])]
    assert len(ev) == len(singles)
    chart = pd.read_csv(bundle / "concept-share.csv")
    assert set(ev["point_id"]) <= set(chart["point_id"])
    with open_store(demo_db) as store:
        docs = {d["doc_id"]: d for d in store.documents()}
        ids = {r[0] for r in store.conn.execute("SELECT sentence_id FROM sentences")}
    assert set(ev["sentence_id"]) <= ids
    for r in ev.itertuples():
        assert r.citation == sentence_citation(docs[r.doc_id], int(r.page), r.sentence_id)
    sources = pd.read_csv(bundle / "sources.csv")
    assert set(sources["doc_id"]) == set(ev["doc_id"]) and sources["licence"].notna().all()


def test_run_json_and_readme(bundle):
    run = json.loads((bundle / "run.json").read_text())
    assert run["parameters"]["chart"] == "concept-share"
    assert run["lexicon"]["name"] == "social_care"
    assert run["track_run"]["lexicon"]["name"] == "social_care"
    assert "concept-share.png" in run["outputs"]  # runinfo hashes every file written before it
    readme = (bundle / "README.txt").read_text()
    assert "evidence.csv" in readme and "licence" in readme.lower()
    assert "corrected for the detector's measured error" in readme and "--measure sentence_share" in readme


def test_interactive_html_is_the_chart_with_its_evidence(bundle):
    from policyscope.report.dashboard import read_dashboard
    meta, figures, ev = read_dashboard(bundle / "concept-share.html")
    assert [m["value"] for m in meta["measures"]] == ["sentence_share_corrected"]
    assert list(figures["share"]) == ["sentence_share_corrected|all"]
    assert len(ev["rows"]["d"]) == len(pd.read_csv(bundle / "evidence.csv"))


def test_export_without_images_and_other_charts(demo_db, track_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYSCOPE_CHROMIUM", "/nonexistent/chromium")
    runner, cli = cli_runner()
    out = tmp_path / "reach"
    res = runner.invoke(cli, ["export", "--db", str(demo_db), "--track", str(track_dir), "--out", str(out),
                              "--measure", "doc_reach", "--concept", "integration", "--no-images"])
    assert res.exit_code == 0, res.output
    assert not (out / "concept-share.png").exists()
    chart = pd.read_csv(out / "concept-share.csv")
    assert set(chart["concept"]) == {"integration"} and set(chart["measure"]) == {"doc_reach"}
    res = runner.invoke(cli, ["export", "--chart", "dispersion", "--db", str(demo_db), "--track", str(track_dir),
                              "--out", str(tmp_path / "disp"), "--no-images"])
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(tmp_path / "disp" / "evidence.csv")) > 0


def test_export_errors(demo_db, track_dir, tmp_path):
    runner, cli = cli_runner()
    res = runner.invoke(cli, ["export", "--db", str(demo_db), "--track", str(track_dir), "--out", str(tmp_path),
                              "--measure", "nonsense", "--no-images"])
    assert res.exit_code != 0 and "E500" in res.output and "sentence_share" in res.output
    res = runner.invoke(cli, ["export", "--chart", "topic-timeline", "--db", str(demo_db), "--track",
                              str(track_dir), "--out", str(tmp_path), "--no-images"])
    assert res.exit_code != 0 and "--topics" in res.output


def test_missing_chromium_is_a_clear_error(monkeypatch):
    import policyscope.report.browser as b
    from policyscope.errors import ReportError
    monkeypatch.setenv("POLICYSCOPE_CHROMIUM", "/nonexistent")
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent")
    monkeypatch.setattr(b, "DEFAULT_CHROMIUM", "/nonexistent")
    monkeypatch.setattr(b.shutil, "which", lambda name: None)
    with pytest.raises(ReportError, match="install_browser.sh"):
        b.chromium_path()
