"""Measures, bootstrap intervals and periods on small hand-made numbers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from policyscope.analyse.bootstrap import bootstrap_indices, group_rng, interval
from policyscope.analyse.measures import ratios
from policyscope.analyse.periods import PeriodScheme, parse_periods
from policyscope.analyse.track import compute_share
from policyscope.errors import UsageError


def docs():
    return pd.DataFrame({
        "doc_id": ["a", "b", "c"], "period": ["2010"] * 3, "period_start": [2010] * 3, "period_end": [2010] * 3,
        "doc_type": ["blog", "article", "article"],
        "n_tokens": [1000, 3000, 6000], "n_sentences": [50, 100, 200], "n_passages": [10, 20, 40],
        "hits__p": [5, 0, 30], "sents__p": [4, 0, 20], "hits__i": [1, 6, 0], "sents__i": [1, 5, 0],
        "cooc__p|i": [1, 0, 0]})


def by(rs, concept, measure):
    return next(r for r in rs if r.concept == concept and r.measure == measure)


def test_pooled_and_document_weighted_by_hand():
    rs = ratios(docs(), ["p", "i"], [("p", "i")])
    rate = by(rs, "p", "rate")
    assert rate.pooled() == pytest.approx(10_000 * 35 / 10_000)
    assert rate.document() == pytest.approx(10_000 * np.mean([5 / 1000, 0, 30 / 6000]))
    share = by(rs, "i", "sentence_share")
    assert share.pooled() == pytest.approx(6 / 350)
    assert share.document() == pytest.approx(np.mean([1 / 50, 5 / 100, 0]))
    reach = by(rs, "p", "doc_reach")
    assert reach.pooled() == reach.document() == pytest.approx(2 / 3)
    bal = by(rs, "p|i", "balance")
    assert bal.pooled() == pytest.approx(24 / 30)
    assert bal.document() == pytest.approx(np.mean([4 / 5, 0 / 5, 20 / 20]))
    co = by(rs, "p|i", "cooccurrence")
    assert co.pooled() == pytest.approx(1 / 70) and co.document() == pytest.approx(np.mean([1 / 10, 0, 0]))


def test_document_weighting_skips_zero_denominators():
    d = docs()
    d.loc[1, ["sents__p", "sents__i"]] = 0
    bal = by(ratios(d, ["p", "i"], [("p", "i")]), "p|i", "balance")
    assert bal.document() == pytest.approx(np.mean([4 / 5, 20 / 20]))


def test_bootstrap_is_seeded_per_group_and_brackets_the_value():
    rs = ratios(docs(), ["p", "i"], [("p", "i")])
    r = by(rs, "p", "rate")
    i0 = bootstrap_indices(3, 500, group_rng(0, "2010", "all"))
    assert (i0 == bootstrap_indices(3, 500, group_rng(0, "2010", "all"))).all()
    assert not (i0 == bootstrap_indices(3, 500, group_rng(1, "2010", "all"))).all()
    assert not (i0 == bootstrap_indices(3, 500, group_rng(0, "2011", "all"))).all()
    a = interval(r, "pooled", i0)
    assert a == interval(r, "pooled", i0.copy())
    assert a[0] <= r.pooled() <= a[1] and a[0] < a[1]
    assert np.isnan(interval(r, "pooled", None)[0])  # no resamples: no interval


def test_compute_share_groups_by_doc_type_and_flags_thin():
    share = compute_share(docs(), ["p", "i"], [("p", "i")], by_doc_type=True, n_boot=100, seed=0, min_docs=3)
    assert set(share["doc_type"]) == {"all", "article", "blog"}
    assert not share.loc[share["doc_type"] == "all", "thin"].any()
    assert share.loc[share["doc_type"] != "all", "thin"].all()
    blog = share[(share["doc_type"] == "blog") & (share["measure"] == "rate") & (share["concept"] == "p")]
    assert blog["ci_low"].isna().all() and (blog["value"] == 50).all()


def test_periods():
    assert PeriodScheme("year").period(2014).label == "2014"
    p = PeriodScheme("5y").period(2014)
    assert (p.label, p.start, p.end) == ("2010-2014", 2010, 2014)
    assert PeriodScheme("10y").period(1999).label == "1990-1999"
    named = PeriodScheme(periods="New Labour=1997-2009,2010-2014,2015")
    assert named.period(2001).label == "New Labour" and named.period(2015).label == "2015"
    assert named.period(2016) is None and named.period(None) is None
    assert [x.label for x in parse_periods("2010-2014,2005-2009")] == ["2005-2009", "2010-2014"]
    for bad in ("2010-2005", "2005-2010,2009-2012", "twenty", ""):
        with pytest.raises(UsageError):
            parse_periods(bad)
    with pytest.raises(UsageError):
        PeriodScheme("monthly")
