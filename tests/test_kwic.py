"""KWIC over the demo store: query kinds, citations on every line, sorting, filters, CLI formats."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from policyscope.analyse.kwic import kwic
from policyscope.analyse.track import TrackOptions, run_track
from policyscope.cli import cli, register
from policyscope.cli import track as track_cli
from policyscope.errors import UsageError
from policyscope.store import open_store

register(track_cli)


@pytest.fixture(scope="module")
def store(demo_db):
    st = open_store(demo_db)
    yield st
    st.close()


def test_word_phrase_and_glob(store):
    word = kwic(store, "personalisation")
    assert word.mode == "word" and word.fts_query and len(word.lines) > 50
    assert all(ln.keyword.lower() == "personalisation" for ln in word.lines)
    phrase = kwic(store, "person centred")
    assert phrase.mode == "phrase" and phrase.lines
    assert {ln.keyword.lower() for ln in phrase.lines} >= {"person-centred"}
    glob = kwic(store, "personal budget*")
    assert {ln.keyword.lower() for ln in glob.lines} >= {"personal budget", "personal budgets"}
    # British spelling only unless --variants
    assert not any("z" in ln.keyword.lower() for ln in kwic(store, "personalis*").lines)
    assert any("z" in ln.keyword.lower() for ln in kwic(store, "personalis*", variants=True).lines)


def test_each_line_carries_its_citation_and_window(store):
    res = kwic(store, "direct payments", window=3)
    assert res.lines
    for ln in res.lines:
        assert ln.sentence[ln.char_start:ln.char_end] == ln.keyword
        assert len(ln.left.split()) <= 3 and len(ln.right.split()) <= 3
        assert ln.title and ln.date and ln.page >= 1 and ln.sentence_id.startswith(ln.doc_id)
        assert f"[policyscope {ln.sentence_id}]" in ln.citation and ln.date[:4] in ln.citation


def test_regex_and_lemma(store):
    rx = kwic(store, r"integrat\w+ care", regex=True)
    assert rx.mode == "regex" and rx.fts_query == '"integrat" *'
    assert all(ln.keyword.lower().startswith("integrat") for ln in rx.lines) and len(rx.lines) >= 3
    lem = kwic(store, "integrate care", lemma=True)
    assert lem.mode == "lemma" and any(ln.keyword.lower() == "integrated care" for ln in lem.lines)
    # The query is lemmatised as the stored sentences were, capitals and all.
    capitalised = kwic(store, "Integrated Care", lemma=True)
    assert [ln.sentence_id for ln in capitalised.lines] == [ln.sentence_id for ln in lem.lines]
    assert [ln.sentence_id for ln in kwic(store, "integrat* care", lemma=True).lines]
    with pytest.raises(UsageError):
        kwic(store, "(", regex=True)


def test_concept_lines_are_exactly_the_tracked_evidence(store, demo_db, tmp_path):
    res = run_track(demo_db, tmp_path / "t", TrackOptions(bootstrap=0))
    import pandas as pd
    ev = pd.read_csv(tmp_path / "t" / "evidence.csv")
    for concept in ("personalisation", "integration"):
        lines = kwic(store, concept=concept).lines
        got = sorted((ln.sentence_id, ln.char_start, ln.char_end) for ln in lines)
        e = ev[ev["concept"] == concept]
        assert got == sorted(zip(e["sentence_id"], e["char_start"], e["char_end"]))
    assert res.n_hits == len(ev)


def test_sorting_and_filters(store):
    by_date = kwic(store, "integration", sort="date").lines
    dates = [ln.date for ln in by_date]
    assert dates == sorted(dates)
    right = [ln.right.lower() for ln in kwic(store, "integration", sort="right").lines]
    assert right == sorted(right)
    left = kwic(store, "integration", sort="left").lines
    keys = [" ".join(reversed(ln.left.lower().split())) for ln in left]
    assert keys == sorted(keys)
    late = kwic(store, "integration", period="2015-2024").lines
    assert late and all(ln.date[:4] >= "2015" for ln in late)
    blogs = kwic(store, "personalisation", doc_types=["blog"]).lines
    assert blogs and {ln.doc_type for ln in blogs} == {"blog"}
    assert len(kwic(store, "personalisation", limit=5).lines) == 5
    with pytest.raises(UsageError):
        kwic(store, "x", sort="size")
    with pytest.raises(UsageError):
        kwic(store)


def test_cli_formats(demo_db):
    run = CliRunner()
    r = run.invoke(cli, ["kwic", "personal budget*", "--db", str(demo_db), "-n", "3"], catch_exceptions=False)
    assert r.exit_code == 0 and r.output.count("[") >= 3 and "p. " in r.output
    r = run.invoke(cli, ["kwic", "--concept", "integration", "--db", str(demo_db), "--format", "csv"],
                   catch_exceptions=False)
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows and {"left", "keyword", "right", "title", "date", "page", "sentence_id", "citation"} <= set(rows[0])
    r = run.invoke(cli, ["kwic", "integrated care", "--db", str(demo_db), "--format", "json"], catch_exceptions=False)
    data = json.loads(r.stdout)
    assert data["n_matches"] == len(data["lines"]) > 0
