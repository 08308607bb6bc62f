"""The dashboard file: one offline HTML, every point's evidence embedded exactly, text inert."""
from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from policyscope.report.dashboard import (DashboardData, compose_citation, read_dashboard, write_dashboard)
from policyscope.report.figure_data import ALL, TrackOutputs, concept_share_series
from policyscope.store import open_store
from test_figures import MALICIOUS, malicious_store, run_track_into


def cli_runner():
    from policyscope.cli import cli, register
    from policyscope.cli import corpus, report
    register(corpus, report)
    return CliRunner(), cli


@pytest.fixture(scope="module")
def track_dir(demo_db, tmp_path_factory):
    return run_track_into(demo_db, tmp_path_factory.mktemp("track") / "track")


@pytest.fixture(scope="module")
def dashboard(demo_db, track_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("dash") / "demo.html"
    runner, cli = cli_runner()
    res = runner.invoke(cli, ["dashboard", "--db", str(demo_db), "--track", str(track_dir), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "wrote" in res.output
    return out


def test_one_self_contained_offline_file(dashboard):
    text = dashboard.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "<script src" not in text and "<link" not in text
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "", text, flags=re.S)  # plotly.js mentions its own site
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", markup)
    assert "nonce-" in markup and re.findall(r"<script nonce=", text)
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert "plotly.js v" in text  # plotly.js inlined from the installed package
    for section in ("share", "evidence", "kwic", "dispersion", "words", "topics", "methods"):
        assert f'id="{section}"' in text
    assert dashboard.stat().st_size < 12_000_000


def test_every_point_carries_exactly_its_evidence(dashboard, track_dir):
    meta, figures, ev = read_dashboard(dashboard)
    evidence = pd.read_csv(track_dir / "evidence.csv", dtype=str)
    assert len(ev["rows"]["d"]) == len(evidence)  # every hit embedded, no sampling
    assert len(ev["sentences"]["id"]) == evidence["sentence_id"].nunique()
    sids = ev["sentences"]["id"]
    assert meta["points"], "the chart has points"
    for p in meta["points"]:
        rows = [i for a, b in ev["points"][p["key"]] for i in range(a, b)]
        got = {sids[ev["rows"]["s"][i]] for i in rows}
        if p["key"].startswith("hits|") and "|" not in p["concept"]:
            want = evidence[(evidence["concept"] == p["concept"]) & (evidence["period"] == p["period"])]
            if p["doc_type"] != ALL:
                want = want[want["doc_type"] == p["doc_type"]]
            assert got == set(want["sentence_id"]), p["key"]
        assert len(got) == p["n_sentences"]
    # figures reference only keys the payload can resolve
    for fig in figures["share"].values():
        for tr in fig["data"]:
            if (tr.get("meta") or {}).get("role") == "points":
                for cd in tr["customdata"]:
                    assert not cd[0] or cd[0] in ev["points"]
    for tr in figures["dispersion"]["data"]:
        for cd in tr.get("customdata") or []:
            assert cd[0] in ev["points"]


def test_selectors_cover_measures_and_doc_types(dashboard):
    meta, figures, _ = read_dashboard(dashboard)
    measures = [m["value"] for m in meta["measures"]]
    for m in ("sentence_share", "rate", "doc_reach", "balance", "cooccurrence", "sentence_share:document"):
        assert m in measures
    assert meta["doc_types"][0] == ALL and len(meta["doc_types"]) > 1
    # the error-corrected share is shown first, the tagged one a click away, and the page says so
    assert meta["default_measure"] == "sentence_share_corrected"
    info = {m["value"]: m for m in meta["measures"]}
    assert info["sentence_share_corrected"]["tagged"] == "sentence_share"
    assert info["sentence_share"]["corrected"] == "sentence_share_corrected"
    assert "corrected for the detector's measured error" in meta["correction"]
    assert "sensitivity" in meta["correction"] and "one click away" in meta["correction"]
    assert f"sentence_share|{ALL}" in figures["share"] and f"sentence_share_corrected|{ALL}" in figures["share"]
    assert meta["methods"]["lexicon"]["name"] == "social_care"
    assert meta["methods"]["concepts"] and meta["methods"]["concepts"][0]["terms"]
    assert any("not counted" in x for x in meta["methods"]["exclusions"])
    assert len(meta["methods"]["corpus"]) == 5
    assert meta["methods"]["runs"]["track run.json"]["lexicon"]["name"] == "social_care"


def test_citations_are_the_cite_modules(dashboard, demo_db):
    from policyscope.citation import sentence_citation
    _, _, ev = read_dashboard(dashboard)
    with open_store(demo_db) as store:
        docs = {d["doc_id"]: d for d in store.documents()}
        for i in range(len(ev["rows"]["d"])):
            d = ev["rows"]["d"][i]
            sid = ev["sentences"]["id"][ev["rows"]["s"][i]]
            page = ev["rows"]["p"][i]
            got = compose_citation(ev["docs"]["cite"][d], ev["docs"]["cite_pages"][d], ev["docs"]["url"][d], page, sid)
            assert got == sentence_citation(docs[ev["docs"]["id"][d]], page, sid)


def test_malicious_document_text_never_becomes_markup(tmp_path):
    db = malicious_store(tmp_path)
    track = run_track_into(db, tmp_path / "track")
    ev = pd.read_csv(track / "evidence.csv", dtype=str)
    assert ev["sentence"].str.contains("<script>", regex=False).any(), "the payload sentence is evidence"
    from policyscope.report.context import dashboard_context
    data = dashboard_context(db, track)
    out = write_dashboard(data, tmp_path / "evil.html")
    text = out.read_text(encoding="utf-8")
    for needle in ("<script>window.__xss", "<script>alert", "<img src=x", 'onerror="window', "onerror=alert(3)>",
                   "<b onmouseover"):
        assert needle not in text, needle
    # the payload is still there, as data: decode and find it verbatim
    _, _, payload = read_dashboard(out)
    assert MALICIOUS in payload["sentences"]["text"] or any(
        "<script>window.__xss = 1" in s for s in payload["sentences"]["text"])
    assert any("<script>alert('title')</script>" in t for t in payload["docs"]["title"])


def synthetic_track(n_docs: int = 1000, per_doc: int = 60) -> TrackOutputs:
    """A synthetic-sized track output (made-up text and numbers) for size and speed tests only."""
    rng = np.random.default_rng(0)
    years = rng.integers(1997, 2025, size=n_docs)
    words = np.array("care support people health social integration personal budgets council local services "
                     "choice control joined up commissioning the and of to in for with".split())
    rows = []
    for d in range(n_docs):
        doc_id = f"{d:012x}"
        for h in range(per_doc):
            concept = "personalisation" if h % 3 else "integration"
            page = 1 + h // 4
            sent = " ".join(rng.choice(words, size=24)) + (" personal budgets" if concept == "personalisation"
                                                           else " integrated care") + "."
            rows.append({"concept": concept, "term": concept[:8], "doc_id": doc_id, "title": f"Document {d}",
                         "date": f"{years[d]}-06-01", "doc_type": ("report", "white_paper", "blog")[d % 3],
                         "page": page, "sentence_id": f"{doc_id}:p{page:03d}:s{h:03d}", "sentence": sent,
                         "matched": "personal budgets" if concept == "personalisation" else "integrated care",
                         "period": str(years[d]), "passage_id": f"{doc_id}:p{page:03d}:g{h // 2:03d}"})
    evidence = pd.DataFrame(rows)
    share_rows = []
    for (y, c), g in evidence.groupby(["period", "concept"]):
        n = int((years == int(y)).sum())
        for m in ("sentence_share", "rate", "doc_reach"):
            share_rows.append({"period": y, "period_start": int(y), "period_end": int(y), "doc_type": ALL,
                               "concept": c, "measure": m, "weighting": "pooled", "value": len(g) / (n * 400),
                               "ci_low": 0.0, "ci_high": 1.0, "n_docs": n, "n_sentences": n * 400,
                               "n_tokens": n * 9000, "thin": n < 3})
    return TrackOutputs(share=pd.DataFrame(share_rows), evidence=evidence,
                        run={"lexicon": {"name": "synthetic", "concepts": ["personalisation", "integration"]}})


def synthetic_dashboard(out: Path, n_docs: int = 1000, per_doc: int = 60) -> tuple[Path, float, int]:
    track = synthetic_track(n_docs, per_doc)
    t0 = time.perf_counter()
    series = concept_share_series(track)
    path = write_dashboard(DashboardData(series=series, title=f"Synthetic {n_docs:,} documents"), out)
    return path, time.perf_counter() - t0, len(track.evidence)


def test_size_scales_to_1000_documents(tmp_path):
    """Synthetic-sized input (1,000 documents x 60 hits): the real code path, fake text.

    The numbers are made up on purpose here: this test measures file size and build time only
    (test_browser opens the same file and times it).
    """
    out, seconds, n_hits = synthetic_dashboard(tmp_path / "big.html")
    size = out.stat().st_size
    print(f"1,000 documents, {n_hits} hits: {size / 1e6:.1f} MB in {seconds:.1f}s")
    assert size < 25_000_000
    assert seconds < 60
    _, _, payload = read_dashboard(out)
    assert len(payload["rows"]["d"]) == n_hits


def test_cli_help_has_examples():
    runner, cli = cli_runner()
    for cmd in ("dashboard", "export", "serve"):
        res = runner.invoke(cli, [cmd, "--help"])
        assert res.exit_code == 0
        assert "Example" in res.output, cmd
    assert "127.0.0.1" in runner.invoke(cli, ["serve", "--help"]).output


def test_cli_dashboard_tracks_when_no_track_given(demo_db_copy, tmp_path):
    runner, cli = cli_runner()
    out = tmp_path / "quick.html"
    res = runner.invoke(cli, ["dashboard", "--db", str(demo_db_copy), "--out", str(out), "--no-milestones"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "quick_track" / "concept_share.csv").exists()
    meta, _, _ = read_dashboard(out)
    assert meta["methods"]["milestones"] == []


def test_cli_errors_are_clear(tmp_path, demo_db):
    runner, cli = cli_runner()
    res = runner.invoke(cli, ["dashboard", "--db", str(demo_db), "--track", str(tmp_path), "--out",
                              str(tmp_path / "x.html")])
    assert res.exit_code != 0
    assert "concept_share.csv" in res.output
    res = runner.invoke(cli, ["dashboard", "--db", str(tmp_path / "missing.db"), "--out", str(tmp_path / "x.html")])
    assert res.exit_code != 0 and "E201" in res.output


def test_read_dashboard_rejects_other_files(tmp_path):
    from policyscope.errors import ReportError
    p = tmp_path / "x.html"
    p.write_text("<html></html>")
    with pytest.raises(ReportError):
        read_dashboard(p)


def test_points_table_and_topics_in_meta(dashboard):
    meta, _, _ = read_dashboard(dashboard)
    p = meta["points"][0]
    assert {"key", "concept", "period", "value", "ci_low", "ci_high", "n_docs", "n_sentences", "thin"} <= set(p)
    assert meta["sections"]["topics"] is False  # no --topics given


def test_dashboard_with_topics(demo_db, track_dir, tmp_path):
    from policyscope.analyse.topics.timeline import write_timeline  # noqa: F401 - skip cleanly if absent
    runner, cli = cli_runner()
    from policyscope.cli import register, topics
    register(topics)
    res = runner.invoke(cli, ["topics", "fit", "--db", str(demo_db), "--k", "3", "--seed", "1",
                              "--out", str(tmp_path / "run")])
    assert res.exit_code == 0, res.output
    out = tmp_path / "t.html"
    res = runner.invoke(cli, ["dashboard", "--db", str(demo_db), "--track", str(track_dir), "--topics",
                              str(tmp_path / "run"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    meta, figures, ev = read_dashboard(out)
    assert meta["sections"]["topics"] and figures["topics"]["data"]
    assert len(ev["topics"]) == 3
    assert any(p["cite"] for t in ev["topics"] for p in t["passages"])
    with open_store(demo_db) as store:
        for t in ev["topics"]:
            for p in t["passages"]:
                assert store.passage(p["id"])["text"]  # representative passages are real passages
