"""Figures as data: tidy frames from real track output on the demo corpus, and every plotted point
resolves to sentences in the store. Helpers here are reused by the other report tests."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policyscope.report import figures as F
from policyscope.report.document_data import dispersion_frame, kwic_frame
from policyscope.report.figure_data import (ALL, assign_periods, concept_share_series, kwic_split, load_track,
                                            period_bounds, period_table, restrict_series, snippet, split_concepts)
from policyscope.report.topic_data import load_topic_timeline
from policyscope.report.milestones import DEFAULT_MILESTONES, decimal_year, load_milestones
from policyscope.store import open_store

MALICIOUS = ("Personal budgets and integrated care <script>window.__xss = 1; alert('xss')</script> "
             "<img src=x onerror=\"window.__xss = 2\"> are at the heart of personalisation.")


def run_track_into(db, out: Path, *, by_doc_type: bool = True, bootstrap: int = 50) -> Path:
    """Real `policyscope track` output (small bootstrap for speed)."""
    from policyscope.analyse.track import TrackOptions, run_track
    run_track(db, out, TrackOptions(by_doc_type=by_doc_type, bootstrap=bootstrap, seed=0))
    return out


def malicious_store(tmp: Path) -> Path:
    """A store with the demo's text files plus a tiny document whose sentences carry script payloads."""
    import shutil

    from policyscope.ingest import IngestOptions, ingest_paths
    repo = Path(__file__).resolve().parents[1]
    src = tmp / "docs"
    src.mkdir()
    for name in ("2010-duffy-integration-through-personalisation.txt",
                 "2014-routledge-et-al-personalisation-give-up-or-move-on.txt"):
        shutil.copy(repo / "corpus" / name, src / name)
    (src / "2016-evil.txt").write_text(
        "Evil policy note\n\n" + MALICIOUS + "\n\nA second paragraph about direct payments and "
        "<b onmouseover=alert(2)>joined up</b> health and social care integration.\n", encoding="utf-8")
    (src / "manifest.csv").write_text(
        "file,title,authors,publisher,date,doc_type,licence\n"
        "2010-duffy-integration-through-personalisation.txt,Integration through Personalisation,Simon Duffy,"
        "The Centre for Welfare Reform,2010,report,All rights reserved\n"
        "2014-routledge-et-al-personalisation-give-up-or-move-on.txt,Personalisation - give up or move on?,"
        "Martin Routledge,TLAP,2014-01-31,blog,unknown\n"
        "2016-evil.txt,<script>alert('title')</script> Evil note,<img src=x onerror=alert(3)>,Evil Ltd,"
        "2016-05-01,report,unknown\n", encoding="utf-8")
    db = tmp / "evil.db"
    report = ingest_paths([str(src)], db, options=IngestOptions(jobs=1), progress=False)
    assert all(o.outcome == "ok" for o in report.outcomes), report.outcomes
    return db


@pytest.fixture(scope="module")
def track_dir(demo_db, tmp_path_factory):
    return run_track_into(demo_db, tmp_path_factory.mktemp("track") / "track")


@pytest.fixture(scope="module")
def series(demo_db, track_dir):
    with open_store(demo_db) as store:
        return concept_share_series(load_track(track_dir), store=store)


def store_sentence_ids(db) -> set[str]:
    with open_store(db) as store:
        return {r[0] for r in store.conn.execute("SELECT sentence_id FROM sentences")}


# --------------------------------------------------------------------------------------
def test_period_bounds_and_assignment():
    assert period_bounds(2014) == (2014.0, 2015.0)
    assert period_bounds("2010-2014") == (2010.0, 2015.0)
    assert period_bounds("2010–2014") == (2010.0, 2015.0)
    assert period_bounds("2014Q2") == (2014.25, 2014.5)
    assert period_bounds("2010s") == (2010.0, 2020.0)
    share = pd.DataFrame({"period": ["2010-2014", "2015-2019"], "period_start": [2010, 2015],
                          "period_end": [2014, 2019]})
    table = period_table(share)
    assert list(table["start"]) == [2010, 2015] and list(table["end"]) == [2015, 2020]
    got = assign_periods(pd.Series(["2012-05", "2019-12-31", "2020", None]), table)
    assert list(got) == ["2010-2014", "2015-2019", None, None]


def test_series_points_are_exactly_their_evidence(series, track_dir):
    """Each point's sentences are the evidence.csv rows of its concept(s), period and doc_type — no sampling."""
    ev = pd.read_csv(track_dir / "evidence.csv", dtype=str)
    assert len(series.evidence) == len(ev)
    f = series.frame
    assert {"sentence_share", "rate", "doc_reach"} <= set(f["measure"])
    for r in f[f["measure"].isin(["sentence_share", "rate"])].itertuples():
        want = ev[(ev["concept"] == r.concept) & (ev["period"] == r.period)]
        if r.doc_type != ALL:
            want = want[want["doc_type"] == r.doc_type]
        assert set(series.sentence_ids(r.key)) == set(want["sentence_id"]), r.key
        assert r.n_evidence_hits == len(want)
    # sentence share is recomputable from the evidence: sentences with a hit / sentences in the period
    pooled = f[(f["measure"] == "sentence_share") & (f["doc_type"] == ALL)]
    for r in pooled.itertuples():
        assert r.value == pytest.approx(r.n_evidence_sentences / r.n_sentences)


def test_pair_measures_use_both_concepts(series):
    f = series.frame
    pairs = f[f["concept"].str.contains("|", regex=False)]
    assert not pairs.empty, "track writes balance and co-occurrence for the lexicon's pair"
    for r in pairs.itertuples():
        parts = split_concepts(r.concept, series.concepts)
        assert len(parts) == 2
        rows = series.rows_for(r.key)
        assert set(rows["concept"]) <= set(parts)
        if r.measure.startswith("cooccurrence") and r.value > 0:
            # every cited sentence shares its passage with a hit of the other concept
            by_passage = rows.groupby("passage_id")["concept"].agg(set)
            assert all(s == set(parts) for s in by_passage)


def test_every_trace_point_resolves_to_store_sentences(demo_db, series):
    ids = store_sentence_ids(demo_db)
    for measure in series.measures:
        for dt in series.doc_types:
            view = series.view(measure, dt)
            if view.empty:
                continue
            fig = F.concept_share_figure(view, concepts=series.concepts, milestones=load_milestones())
            keys = F.evidence_points(fig)
            assert len(keys) == len(view)
            for tr in fig.data:
                if (tr.meta or {}).get("role") != "points":
                    continue
                for cd, y in zip(tr.customdata, tr.y):
                    if not cd[0]:
                        assert y is None  # a gap row, not a point
                        continue
                    sids = series.sentence_ids(cd[0])
                    assert set(sids) <= ids
                    base = measure.partition(":")[0]
                    if y and base in ("sentence_share", "rate", "doc_reach"):
                        assert sids, f"{cd[0]} has a value but no sentences"


def test_figure_style_thin_periods_and_palette(series):
    view = series.view("sentence_share", ALL)
    fig = F.concept_share_figure(view, concepts=series.concepts, milestones=load_milestones(), title="T",
                                 source="Source: test")
    pts = [t for t in fig.data if (t.meta or {}).get("role") == "points"]
    assert [t.line.color for t in pts] == F.OKABE_ITO[:len(pts)]
    assert len({t.line.dash for t in pts}) == len(pts)  # lines differ without colour too
    thin = view[view["thin"]]
    assert not thin.empty  # one document per year in the demo corpus
    symbols = [s for t in pts for s in t.marker.symbol if s]
    assert any(s.endswith("-open") for s in symbols)
    assert any(s.name == "thin" for s in fig.layout.shapes)
    assert any(a.text == "Source: test" for a in fig.layout.annotations)
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    assert any((t.meta or {}).get("role") == "milestones" for t in fig.data)
    labels = " ".join(a.text for a in fig.layout.annotations if a.name == "milestone")
    assert "Care Act 2014" in labels


def test_hover_text_is_escaped():
    frame = pd.DataFrame({"concept": ["c"], "term": ["t"], "doc_id": ["d"], "title": ["<b>T</b>"],
                          "date": ["2020"], "page": [1], "sentence_id": ["d:p001:s001"],
                          "sentence": [MALICIOUS], "matched": ["Personal budgets"]})
    from policyscope.report.figure_data import _top_quotes, hover_escape
    q = _top_quotes(frame, 1)
    html_text = hover_escape(q[0][0])
    assert "<script>" not in html_text and "&lt;script&gt;" in html_text
    assert "<img" not in hover_escape(MALICIOUS)


def test_dispersion_points_resolve(demo_db, series):
    ids = store_sentence_ids(demo_db)
    with open_store(demo_db) as store:
        d = dispersion_frame(series.evidence, store)
    assert d.n_documents_with_hits == 5
    fig = F.dispersion_figure(d.frame, d.documents, concepts=series.concepts,
                              n_documents_with_hits=d.n_documents_with_hits)
    keys = F.evidence_points(fig)
    assert keys and len(keys) == len(d.frame)
    total = 0
    for k in keys:
        rows = series.evidence.iloc[d.points[k]]
        assert set(rows["sentence_id"]) <= ids
        total += len(rows)
    assert total == len(series.evidence)  # every hit is on the plot
    # multi-page PDFs are placed by page, single-page texts by tenth of the text
    assert set(d.frame["unit"].str[0]) == {"p", "t"}


def test_kwic_frame_and_snippets(series):
    k = kwic_frame(series.evidence, "integration")
    assert len(k) == (series.evidence["concept"] == "integration").sum()
    for r in k.head(50).itertuples():
        assert r.match.lower() in (r.left + r.match + r.right).lower()
    assert kwic_split("Integrated care is here", "care") == ("Integrated ", "care", " is here")
    long = "word " * 100 + "personalisation" + " word" * 100
    s = snippet(long, "personalisation", 30)
    assert "personalisation" in s and s.startswith("…") and s.endswith("…")


def test_restrict_series_keeps_points_and_their_evidence(series):
    sub = restrict_series(series, measures=["sentence_share"], doc_types=[ALL], concepts=["integration"])
    assert set(sub.frame["concept"]) == {"integration"}
    for r in sub.frame.itertuples():
        assert set(sub.sentence_ids(r.key)) == set(series.sentence_ids(r.key))
    assert set(sub.evidence["concept"]) == {"integration"}


def test_topic_timeline_figure(tmp_path):
    share = pd.DataFrame([
        {"period": p, "period_start": p, "period_end": p, "topic": t, "label": f"label {t}",
         "measure": m, "value": v, "ci_low": v * 0.8, "ci_high": v * 1.2, "n_docs": n, "thin": n < 3}
        for p, n in ((2010, 1), (2011, 4)) for t, v in ((1, 0.25), (2, 0.75))
        for m in ("document_weighted", "token_weighted")])
    share.to_csv(tmp_path / "topic_share.csv", index=False)
    (tmp_path / "topics.json").write_text(
        '{"topics": [{"topic": 1, "label": "label 1", "terms": [{"term": "care"}], "representative_passages": '
        '[{"passage_id": "abc:p001:g001", "text": "<script>x</script>", "citation": "A (2010) p. 1"}]}]}')
    td = load_topic_timeline(tmp_path, tmp_path / "topics.json")
    assert td.topics[0]["passages"][0]["citation"] == "A (2010) p. 1"
    assert td.topics[0]["words"] == ["care"]
    frame = td.frame[td.frame["measure"] == "document_weighted"]
    fig = F.topic_timeline_figure(frame)
    roles = [(t.meta or {}).get("role") for t in fig.data]
    assert roles.count("topic") == 2 and all(t.stackgroup for t in fig.data if (t.meta or {}).get("role") == "topic")
    assert any(s.name == "thin" for s in fig.layout.shapes)  # 2010 has one document
    many = pd.concat([frame.assign(topic=str(i), key=f"topic|{i}") for i in range(10)])
    assert F.topic_timeline_figure(many).layout.grid is not None or len(F.topic_timeline_figure(many).data) >= 10


def test_collocates_and_keyness_figures():
    col = pd.DataFrame({"concept": ["a"] * 3 + ["b"] * 2, "word": ["x", "y", "z", "x", "w"],
                        "score": [5.0, 3.0, 1.0, 4.0, 2.0], "count": [5, 3, 1, 4, 2]})
    fig = F.collocates_figure(col)
    assert [len(t.x) for t in fig.data] == [3, 2]
    key = pd.DataFrame({"word": ["up", "down", "<b>"], "score": [2.0, -1.5, 0.5], "log_likelihood": [9, 4, 1]})
    k = F.keyness_figure(key, target_label="2016–2022", reference_label="2010–2015")
    assert list(k.data[0].x) == [-1.5, 0.5, 2.0]
    assert "&lt;b&gt;" in k.data[0].y


# --------------------------------------------------------------------------------------
def test_shipped_milestones_have_checked_dates_and_sources():
    ms = load_milestones(include_hidden=True)
    by_label = {m.label: m for m in ms}
    expect = {
        "Community Care (Direct Payments) Act 1996": "1996-07-04",
        "Putting People First (ministerial concordat)": "2007-12-10",
        "Care Act 2014": "2014-05-14",
        "Health and Care Act 2022": "2022-04-28",
        "Integrated care systems become statutory": "2022-07-01",
        "NHS Five Year Forward View": "2014-10-23",
    }
    for label, date in expect.items():
        assert by_label[label].date == date
    assert all(m.source for m in ms), "every milestone names a source"
    assert [m.x for m in ms] == sorted(m.x for m in ms)
    assert decimal_year("2014-07-02") == pytest.approx(2014.5, abs=0.01)
    assert DEFAULT_MILESTONES.exists()


def test_milestones_csv_and_errors(tmp_path):
    from policyscope.errors import ReportError
    p = tmp_path / "m.csv"
    p.write_text("label,date,show\nA,2001-02,true\nB,2003,false\n")
    assert [m.label for m in load_milestones(p)] == ["A"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("milestones:\n  - label: X\n    date: 14 May 2014\n")
    with pytest.raises(ReportError, match=r"milestones\[0\]\.date"):
        load_milestones(bad)


def test_no_numbers_made_up_in_figures(series):
    """Figure y values are concept_share.csv values, untouched."""
    view = series.view("rate", ALL)
    fig = F.concept_share_figure(view, concepts=series.concepts)
    got = sorted(y for t in fig.data if (t.meta or {}).get("role") == "points" for y in t.y if y is not None)
    assert np.allclose(got, sorted(view["value"]))


def test_no_external_urls_in_figure_json(series):
    fig = F.concept_share_figure(series.view("sentence_share", ALL), concepts=series.concepts,
                                 milestones=load_milestones())
    text = fig.to_json()
    # milestone sources are quoted as text in hover labels; nothing is loaded from them
    assert not re.search(r'"(?:src|href)"\s*:', text)
