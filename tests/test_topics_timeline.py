"""Topic prevalence per period (bootstrap intervals, thin periods), dynamic words, K selection arithmetic."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from policyscope.analyse.topics.dynamic import expected_counts
from policyscope.analyse.topics.labels import RepresentativePicker, auto_label
from policyscope.analyse.topics.periods import make_scheme, period_of
from policyscope.analyse.topics.selection import KScore, choose_k, topic_diversity
from policyscope.analyse.topics.settings import parse_k_values
from policyscope.analyse.topics.timeline import DocumentTopics, aggregate_documents, topic_share
from policyscope.errors import UsageError


def _docs() -> DocumentTopics:
    # four documents: two in 2010 (one long, one short), one in 2011, one undated
    theta = np.array([[0.8, 0.2], [0.2, 0.8], [0.5, 0.5], [0.1, 0.9]])
    tokens = np.array([300.0, 100.0, 50.0, 80.0])
    return DocumentTopics(doc_ids=["a", "b", "c", "d"], dates=["2010-03", "2010", "2011-01-01", ""],
                          token_mass=theta * tokens[:, None], tokens=tokens, units=np.array([3, 1, 1, 1]))


def test_document_and_token_weighted_shares_by_hand():
    frame, info = topic_share(_docs(), ["alpha", "beta"], by="year", n_boot=200, seed=1, min_docs=2)
    doc = frame[(frame.period == "2010") & (frame.measure == "document_weighted")].set_index("topic")
    tok = frame[(frame.period == "2010") & (frame.measure == "token_weighted")].set_index("topic")
    assert doc.loc[1, "value"] == pytest.approx((0.8 + 0.2) / 2)
    assert tok.loc[1, "value"] == pytest.approx((0.8 * 300 + 0.2 * 100) / 400)
    assert doc["value"].sum() == pytest.approx(1.0) and tok["value"].sum() == pytest.approx(1.0)
    assert doc.loc[1, "n_docs"] == 2 and doc.loc[1, "n_units"] == 4 and doc.loc[1, "n_tokens"] == 400
    assert info["undated_documents_left_out"] == 1 and info["periods"] == 2
    assert list(frame.columns[:10]) == ["period", "period_start", "period_end", "topic", "label", "measure", "value",
                                        "ci_low", "ci_high", "n_docs"]


def test_bootstrap_intervals_and_thin_flags():
    frame, info = topic_share(_docs(), ["alpha", "beta"], by="year", n_boot=300, seed=3, min_docs=2)
    two = frame[frame.period == "2010"]
    assert (two.ci_low <= two.value + 1e-9).all() and (two.value <= two.ci_high + 1e-9).all()
    assert (two.ci_high > two.ci_low).all() and not two.thin.any()
    one = frame[frame.period == "2011"]
    assert one.thin.all() and one.ci_low.isna().all() and one.ci_high.isna().all()
    assert (one.note == "one document: no interval").all() and info["thin_periods"] == ["2011"]
    again, _ = topic_share(_docs(), ["alpha", "beta"], by="year", n_boot=300, seed=3, min_docs=2)
    assert again.equals(frame), "a seeded bootstrap is reproducible"


def _p(date, by, periods=None):
    p = period_of(date, make_scheme(by, periods))
    return p and (p.label, p.start, p.end)


def test_periods_match_the_concept_tracker():
    assert _p("2014-01-31", "year") == ("2014", 2014, 2014)
    assert _p("2014", "decade") == ("2010-2019", 2010, 2019)
    assert _p("1997-05", "5y") == ("1995-1999", 1995, 1999)
    assert _p("1997-05", "all") == ("all", 1000, 2999)
    assert _p("2011", None, "New Labour=1997-2009,Coalition=2010-2014") == ("Coalition", 2010, 2014)
    assert _p("2020", None, "New Labour=1997-2009") is None
    assert _p("", "year") is None and _p(None, "all") is None
    with pytest.raises(UsageError, match="cannot group by"):
        make_scheme("fortnight")


def test_named_periods_and_documents_outside_them():
    frame, info = topic_share(_docs(), ["alpha", "beta"], periods="early=2009-2010", n_boot=50)
    assert set(frame.period) == {"early"} and info["documents_outside_periods"] == 1
    assert info["undated_documents_left_out"] == 1


def test_aggregate_documents_weights_units_by_tokens():
    units = [{"doc_id": "a", "n_tokens": 10}, {"doc_id": "a", "n_tokens": 30}, {"doc_id": "b", "n_tokens": 5}]
    w = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], dtype=np.float32)
    docs = aggregate_documents(units, w, {"a": {"date": "2010"}, "b": {"date": "2011"}})
    assert docs.doc_ids == ["a", "b"] and docs.dates == ["2010", "2011"]
    np.testing.assert_allclose(docs.theta, [[0.25, 0.75], [0.5, 0.5]])
    assert list(docs.units) == [2, 1]


def test_expected_counts_share_every_occurrence_among_topics():
    rng = np.random.default_rng(0)
    counts = csr_matrix(rng.integers(0, 3, size=(6, 9)).astype(float))
    theta = rng.dirichlet(np.ones(3), size=6)
    beta = rng.dirichlet(np.ones(9), size=3)
    n = expected_counts(counts, theta, beta)
    assert n.shape == (3, 9)
    np.testing.assert_allclose(n.sum(axis=0), np.asarray(counts.sum(axis=0)).ravel())  # nothing created or lost


def test_k_selection_arithmetic():
    assert parse_k_values("5:25:5") == (5, 10, 15, 20, 25) and parse_k_values("8,4,6") == (4, 6, 8)
    with pytest.raises(UsageError):
        parse_k_values("1:3")
    assert topic_diversity([["a", "b"], ["b", "c"]], topn=2) == pytest.approx(0.75)
    scores = [KScore(k=5, c_v=0.5, c_npmi=0.1, diversity=0.9), KScore(k=10, c_v=0.6, c_npmi=0.0, diversity=0.8),
              KScore(k=15, c_v=0.4, c_npmi=0.1, diversity=0.9)]
    assert choose_k(scores) == 5 and [s.chosen for s in scores] == [True, False, False]
    tie = [KScore(k=10, c_v=0.5, c_npmi=0.1, diversity=0.9), KScore(k=5, c_v=0.5, c_npmi=0.1, diversity=0.9)]
    assert choose_k(tie) == 5, "ties go to the smaller K"


def test_labels_and_representative_passages():
    assert auto_label(["social_care_service", "social_care", "personal_budget", "choice"], 3) == \
        "social care service / personal budget / choice"
    picker = RepresentativePicker(k=2, min_tokens=5, min_weight=0.5)
    units = [{"unit_id": f"u{i}", "doc_id": d, "n_tokens": n, "n_terms": n // 2} for i, (d, n) in
             enumerate([("a", 50), ("a", 50), ("b", 50), ("c", 2), ("d", 400)])]
    picker.update(np.array([[0.9, 0.1], [0.95, 0.05], [0.6, 0.4], [1.0, 0.0], [0.3, 0.7]]), units)
    first = picker.pick(2, per_document=1)[0]
    assert [u["unit_id"] for _, u in first] == ["u1", "u2"], "one per document first; short units never"
    assert [u["unit_id"] for _, u in picker.pick(3, per_document=1)[0]] == ["u1", "u0", "u2"]
    # topic 2: the long unit mostly about it wins over short ones; below min_weight only as a fallback
    assert [u["unit_id"] for _, u in picker.pick(2, per_document=1)[1]] == ["u4", "u2"]
