"""`policyscope serve`: the Dash app's data, layout and server (the browser side is in test_browser.py)."""
from __future__ import annotations

import json
import re
import threading
import urllib.request

import pandas as pd
import pytest

pytest.importorskip("dash")

from policyscope.report import figures as F  # noqa: E402
from policyscope.report.app import Engine, create_app, evidence_table, make_server, query_track  # noqa: E402
from policyscope.report.figure_data import ALL, concept_share_series  # noqa: E402
from policyscope.store import open_store  # noqa: E402
from test_figures import MALICIOUS  # noqa: E402


def test_query_series_numbers_come_from_the_store(demo_db):
    with open_store(demo_db) as store:
        track = query_track(store, "personal budget*", n_boot=50)
        series = concept_share_series(track, store=store)
        body = pd.DataFrame([dict(r) for r in store.conn.execute(
            "SELECT s.sentence_id, s.text, d.year FROM sentences s JOIN documents d USING (doc_id) "
            "WHERE s.section = 'body'")])
    hit = body["text"].str.contains(r"\bpersonal[\s-]*budget\w*", case=False, regex=True)
    view = series.view("sentence_share", ALL)
    assert not view.empty
    for r in view.itertuples():
        year = body["year"] == int(r.period)
        assert r.value == pytest.approx(hit[year].sum() / year.sum()), r.period
        assert set(series.sentence_ids(r.key)) == set(body.loc[year & hit, "sentence_id"])


def test_engine_concept_series_and_figure_points(demo_db, tmp_path):
    engine = Engine(demo_db, workdir=tmp_path)
    from policyscope.analyse.lexicon import resolve_lexicon_path
    series = engine.concept_series(str(resolve_lexicon_path(None)), "5y")
    assert set(series.frame["period"]) <= {"2010-2014", "2015-2019", "2020-2024"}
    view = series.view("sentence_share", ALL)
    fig = F.concept_share_figure(view[view["concept"] == "integration"], concepts=["integration"])
    with open_store(demo_db) as store:
        ids = {r[0] for r in store.conn.execute("SELECT sentence_id FROM sentences")}
    for key in F.evidence_points(fig):
        assert set(series.sentence_ids(key)) <= ids
    assert engine.concept_series(str(resolve_lexicon_path(None)), "5y") is series  # cached


def test_evidence_table_keeps_text_as_text():
    rows = pd.DataFrame([{"concept": "c", "term": "t", "doc_id": "abc", "title": "<b>T</b>", "date": "2020",
                          "doc_type": "report", "page": 2, "sentence_id": "abc:p002:s001", "sentence": MALICIOUS,
                          "matched": "Personal budgets"}])
    table = evidence_table(rows)
    text = json.dumps(table, cls=__import__("plotly").utils.PlotlyJSONEncoder)
    assert "dangerouslySetInnerHTML" not in text
    cells = [c for c in re.findall(r'"children": "([^"]*)"', text)]
    assert any("<script>" in c or "\\u003cscript" in c for c in cells) or "<script>" in text


def test_app_layout_and_localhost_server(demo_db):
    app = create_app(demo_db)
    ids = {getattr(c, "id", None) for c in app.layout._traverse()}
    assert {"mode", "lexicon", "concept", "query", "by", "measure", "doc_type", "timeline", "evidence"} <= ids
    assert app.config.serve_locally
    server, _ = make_server(demo_db, port=0)
    assert server.host == "127.0.0.1"
    th = threading.Thread(target=server.serve_forever, daemon=True)
    th.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        page = urllib.request.urlopen(base + "/", timeout=30).read().decode()
        assert "_dash-component-suites" in page and "cdn." not in page
        layout = json.loads(urllib.request.urlopen(base + "/_dash-layout", timeout=30).read())
        assert "timeline" in json.dumps(layout)
    finally:
        server.shutdown()
        server.server_close()
