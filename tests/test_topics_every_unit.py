"""Every unit gets rows in document_topics.csv, on Manifesto Project quasi-sentences (../shared).

Quasi-sentences are short: about a third have fewer kept terms than `min_unit_terms` and are not
modelled. They still get rows, so a user can join topics back to every coded row: the fitted
model's inferred distribution (status `inferred`), or one `no_topic` row when not one of their
terms is in the vocabulary; `n_tokens` and `n_terms` say how little there was to go on.
"""
from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest

from tests.conftest import shared_corpus

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def cmp_run(tmp_path_factory):
    from policyscope.analyse.topics.fit import fit_topics
    from policyscope.analyse.topics.settings import TopicSettings
    from policyscope.ingest import IngestOptions, ingest_paths

    csv_path = shared_corpus("dated-text", "cmp_coded_2017-06_conservative_party.csv")
    folder = tmp_path_factory.mktemp("cmp")
    db = folder / "cmp.db"
    report = ingest_paths([str(csv_path)], db, options=IngestOptions(jobs=1, text_column="text", date_column="date"),
                          progress=False)
    assert report.count("ok") == 1
    settings = TopicSettings()
    settings.model.k = 20
    fit_topics(db, folder / "run", settings)
    return db, folder / "run"


def test_every_ingested_quasi_sentence_has_rows(cmp_run):
    db, run = cmp_run
    dt = pd.read_csv(run / "document_topics.csv", dtype={"topic": str})
    with sqlite3.connect(db) as con:
        passages = dict(con.execute("select p.passage_id, sum(s.n_tokens) from passages p "
                                    "join sentences s using (passage_id) group by p.passage_id").fetchall())
        codes = {doc_id: json.loads(meta)["cmp_code"] for doc_id, meta in
                 con.execute("select doc_id, metadata from documents")}
    assert set(dt["passage_id"]) == set(passages)  # nothing left out
    assert len(codes) == len(passages) > 1500  # one document per coded row
    tokens = dt.groupby("passage_id")["n_tokens"].first()
    assert all(tokens[p] == n for p, n in passages.items())
    joined = dt.assign(cmp_code=dt["doc_id"].map(codes))
    assert joined["cmp_code"].notna().all()  # every row joins back to its human code


def test_short_units_get_inferred_weights_or_one_no_topic_row(cmp_run):
    _, run = cmp_run
    dt = pd.read_csv(run / "document_topics.csv", dtype={"topic": str})
    config = json.loads((run / "config.json").read_text())
    units = dt.groupby("status")["unit_id"].nunique()
    assert units["inferred"] + units.get("no_topic", 0) == config["corpus"]["units_too_short"]
    assert units["inferred"] > 0.2 * units.sum()  # quasi-sentences: many are short
    inferred = dt[dt["status"] == "inferred"].groupby("unit_id")
    assert (inferred.size() == config["k"]).all()
    assert inferred["weight"].sum().between(0.999, 1.001).all() and (inferred["is_top"].sum() == 1).all()
    assert (inferred["n_terms"].first() < config["settings"]["corpus"]["min_unit_terms"]).all()
    assert (inferred["n_terms"].first() >= 1).all()
    no_topic = dt[dt["status"] == "no_topic"]
    assert (no_topic.groupby("unit_id").size() == 1).all()
    assert (no_topic["topic"] == "no_topic").all() and (no_topic["n_terms"] == 0).all()
    assert (no_topic["is_top"] == 0).all() and no_topic["weight"].isna().all()
    assert units.get("no_topic", 0) == config["corpus"]["units_no_terms"]
