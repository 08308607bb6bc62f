"""`policyscope topics fit | show | timeline` end to end on the demo corpus: run folder contract, reproducibility."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from policyscope.cli import cli, register
from policyscope.cli import topics as topics_cli

register(topics_cli)
FAST = ["--set", "model.lda_iterations=50", "--passes", "5"]


def _run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def auto_run(demo_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("topics_cli") / "demo_auto"
    r = _run("topics", "fit", "--db", demo_db, "--k", "auto", "--k-range", "3:5", "--backend", "lda", "--seed", 11,
             "--out", out, *FAST)
    assert r.exit_code == 0, r.output
    return out, r.output


def test_fit_auto_writes_the_run_folder(auto_run):
    out, output = auto_run
    assert "K selection" in output and "chose K=" in output
    for name in ("config.json", "topics.json", "run.json", "document_topics.csv", "unit_topics.npy", "selection.csv",
                 "model", "corpus/units.csv", "corpus/dictionary.txt"):
        assert (out / name).exists(), name
    config = json.loads((out / "config.json").read_text())
    k = config["k"]
    assert config["k_selection"]["mode"] == "auto" and k in (3, 4, 5)
    assert [row["k"] for row in config["k_selection"]["table"]] == [3, 4, 5]
    assert sum(row["chosen"] for row in config["k_selection"]["table"]) == 1
    # every declared setting is recorded, with the resolved K
    s = config["settings"]
    assert s["model"]["k"] == k and s["model"]["seed"] == 11 and s["model"]["lda_passes"] == 5
    assert {"no_below", "no_above", "keep_n", "phrase_min_count", "max_unit_tokens", "extra_stopwords"} <= set(
        s["corpus"])
    assert config["deterministic"] is True and config["boilerplate_words"]
    run = json.loads((out / "run.json").read_text())
    assert run["corpus_hash"] and run["seeds"]["model"] == 11 and "gensim" in run["libraries"]
    assert {"gensim", "scikit-learn", "tomotopy"} <= set(run["libraries"])
    sel = pd.read_csv(out / "selection.csv")
    assert list(sel.columns[:4]) == ["k", "c_v", "c_npmi", "diversity"]


def test_document_topics_long_format_joins_back_to_documents(auto_run):
    out, _ = auto_run
    k = json.loads((out / "config.json").read_text())["k"]
    dt = pd.read_csv(out / "document_topics.csv")
    assert list(dt.columns[:8]) == ["doc_id", "title", "date", "passage_id", "unit_id", "page", "n_tokens", "topic"]
    assert {"weight", "label", "is_top", "n_terms", "status"} <= set(dt.columns)
    weighted = dt[dt["status"] != "no_topic"]
    per_unit = weighted.groupby("unit_id")
    assert (per_unit.size() == k).all()
    assert per_unit["weight"].sum().between(0.999, 1.001).all()
    assert (per_unit["is_top"].sum() == 1).all()
    assert dt["doc_id"].nunique() == 5 and dt["title"].notna().all()
    # Units too short to be modelled have rows too: inferred weights, or one explicit no_topic row.
    no_topic = dt[dt["status"] == "no_topic"]
    assert (no_topic.groupby("unit_id").size() == 1).all() and (no_topic["topic"] == "no_topic").all()
    assert (no_topic["n_terms"] == 0).all()
    config = json.loads((out / "config.json").read_text())
    units = dt.groupby("status")["unit_id"].nunique()
    assert units.get("modelled", 0) == config["corpus"]["units_modelled"]
    assert units.get("inferred", 0) + units.get("no_topic", 0) == config["corpus"]["units_too_short"]
    assert units.sum() == config["corpus"]["units_streamed"]


def test_topics_json_has_labels_terms_passages_with_citations(auto_run):
    out, _ = auto_run
    topics = json.loads((out / "topics.json").read_text())["topics"]
    assert [t["topic"] for t in topics] == list(range(1, len(topics) + 1))
    labels = [t["label"] for t in topics]
    assert len(set(labels)) == len(labels) and all(labels)
    for t in topics:
        assert len(t["terms"]) == 10 and t["distinctive_terms"]
        assert set(t["prevalence"]) == {"document_weighted", "token_weighted"}
        assert t["representative_passages"]
        for p in t["representative_passages"]:
            assert p["text"] and p["citation"].endswith(f"[policyscope {p['unit_id']}]") and f"p. {p['page']}" in p["citation"]
    shares = sum(t["prevalence"]["token_weighted"] for t in topics)
    assert shares == pytest.approx(1.0, abs=1e-4)


def test_show_prints_terms_labels_and_citations(auto_run):
    out, _ = auto_run
    r = _run("topics", "show", out, "--passages", 1)
    assert r.exit_code == 0, r.output
    assert "Topic 1:" in r.output and "top terms:" in r.output and "distinctive terms:" in r.output
    assert "p. " in r.output and "[" in r.output
    rj = _run("topics", "show", out, "--json", "--topic", 2)
    assert [t["topic"] for t in json.loads(rj.output)["topics"]] == [2]


def test_timeline_writes_topic_share_with_intervals(auto_run, tmp_path):
    out, _ = auto_run
    r = _run("topics", "timeline", out, "--by", "year", "--out", tmp_path / "tl", "--bootstrap", 200)
    assert r.exit_code == 0, r.output
    share = pd.read_csv(tmp_path / "tl" / "topic_share.csv")
    assert {"period", "topic", "label", "value", "ci_low", "ci_high", "n_docs", "measure", "thin"} <= set(share.columns)
    assert set(share["measure"]) == {"document_weighted", "token_weighted"}
    assert set(share["period"].astype(str)) == {"2010", "2011", "2014", "2015", "2022"}
    # one document a year in the demo corpus: every period is thin and has no interval, and says so
    assert share["thin"].all() and share["ci_low"].isna().all() and "thin periods" in r.output
    for _, g in share.groupby(["period", "measure"]):
        assert g["value"].sum() == pytest.approx(1.0, abs=1e-5)
    words = pd.read_csv(tmp_path / "tl" / "topic_words_by_period.csv")
    assert {"period", "topic", "rank", "term", "weight", "in_overall_top"} <= set(words.columns)
    run = json.loads((tmp_path / "tl" / "run.json").read_text())
    assert run["seeds"]["bootstrap"] == 42 and run["timeline"]["by"] == "year"


def test_timeline_by_decade_has_intervals(auto_run, tmp_path):
    out, _ = auto_run
    r = _run("topics", "timeline", out, "--by", "decade", "--out", tmp_path / "tl", "--no-words", "--min-docs", 2)
    assert r.exit_code == 0, r.output
    share = pd.read_csv(tmp_path / "tl" / "topic_share.csv")
    tens = share[share["period"] == "2010-2019"]
    assert (tens["n_docs"] == 4).all() and not tens["thin"].any()
    assert (tens["ci_low"] <= tens["value"] + 1e-9).all() and (tens["ci_high"] >= tens["value"] - 1e-9).all()
    assert not (tmp_path / "tl" / "topic_words_by_period.csv").exists()


@pytest.mark.parametrize("backend", ["lda", "nmf", "tomotopy"])
def test_refit_from_config_reproduces_the_run(demo_db, tmp_path, backend):
    if backend == "tomotopy":
        pytest.importorskip("tomotopy", reason="the tomotopy backend needs the tomotopy package")
    first, second = tmp_path / "one", tmp_path / "two"
    r = _run("topics", "fit", "--db", demo_db, "--k", 4, "--backend", backend, "--seed", 5, "--out", first, "-q",
             *FAST, "--set", "model.tp_iterations=100")
    assert r.exit_code == 0, r.output
    r = _run("topics", "fit", "--db", demo_db, "--config", first / "config.json", "--out", second, "-q")
    assert r.exit_code == 0, r.output
    t1 = json.loads((first / "topics.json").read_text())["topics"]
    t2 = json.loads((second / "topics.json").read_text())["topics"]
    assert [(t["label"], t["terms"]) for t in t1] == [(t["label"], t["terms"]) for t in t2]
    assert (first / "document_topics.csv").read_bytes() == (second / "document_topics.csv").read_bytes()


def test_errors_are_one_clear_message(demo_db, tmp_path):
    r = CliRunner().invoke(cli, ["topics", "show", str(tmp_path / "nope")])
    assert r.exit_code != 0 and "no topic run" in r.output
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "precious.txt").write_text("keep me")
    r = CliRunner().invoke(cli, ["topics", "fit", "--db", str(demo_db), "--out", str(tmp_path / "busy"), "--k", "3"])
    assert r.exit_code != 0 and "not a topic run" in r.output
    assert (tmp_path / "busy" / "precious.txt").read_text() == "keep me"
    r = CliRunner().invoke(cli, ["topics", "fit", "--db", str(demo_db), "--k", "many", "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and "--k must be a number or 'auto'" in r.output
    r = CliRunner().invoke(cli, ["topics", "fit", "--db", str(demo_db), "--set", "model.nope=1", "--out",
                                 str(tmp_path / "x")])
    assert r.exit_code == 2 and "unknown setting" in r.output


def test_topics_overlap_with_the_concept_lexicon(auto_run):
    pytest.importorskip("policyscope.analyse.matcher")
    out, _ = auto_run
    topics = json.loads((out / "topics.json").read_text())["topics"]
    run = json.loads((out / "run.json").read_text())
    assert run["lexicon"]["name"] == "social_care"
    concepts = {c["concept"] for c in topics[0]["concepts"]["by_concept"]}
    assert {"personalisation", "integration"} <= concepts
    for c in concepts:
        rows = [next(b for b in t["concepts"]["by_concept"] if b["concept"] == c) for t in topics]
        assert sum(r["of_concept"] for r in rows) == pytest.approx(1.0, abs=2e-3), c  # the concept's text, shared out
        assert all(0 <= r["share"] <= 1 and r["base"] > 0 for r in rows)
    # the demo corpus is about personalisation: some topic's top terms are lexicon terms for it
    assert any("personalisation" in b["terms"] for t in topics for b in t["concepts"]["by_concept"]
               if b["concept"] == "personalisation")


def test_auto_k_run_is_the_same_as_fitting_the_chosen_k(auto_run, demo_db, tmp_path):
    out, _ = auto_run
    r = _run("topics", "fit", "--db", demo_db, "--config", out / "config.json", "--out", tmp_path / "fixed", "-q")
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "fixed" / "config.json").read_text())["k_selection"]["mode"] == "fixed"
    assert (tmp_path / "fixed" / "document_topics.csv").read_bytes() == (out / "document_topics.csv").read_bytes()


def test_an_interrupted_run_folder_can_be_refitted(demo_db, tmp_path):
    (tmp_path / "half" / "corpus").mkdir(parents=True)  # what an interrupted fit leaves: no config.json yet
    (tmp_path / "half" / "corpus" / "tokens.txt").write_text("x\n")
    r = _run("topics", "fit", "--db", demo_db, "--k", 3, "--out", tmp_path / "half", "-q", *FAST)
    assert r.exit_code == 0, r.output
    assert (tmp_path / "half" / "config.json").exists()
