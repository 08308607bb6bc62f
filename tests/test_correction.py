"""Shares corrected for a detector's measured error: they recover a known prevalence on synthetic data, their
intervals carry the uncertainty of the error rates, and a track run is byte-for-byte repeatable."""
from __future__ import annotations

import filecmp
import json

import numpy as np
import pandas as pd
import pytest

from policyscope.analyse.detect.correction import ErrorRates, corrected_rows, corrected_values, rogan_gladen
from policyscope.analyse.track import TrackOptions, compute_share, run_track


def synthetic_period(rng, n_docs, true_share, se, sp, sentences=800):
    """Documents whose sentences are truly about the concept with probability true_share, tagged by a
    detector with sensitivity se and specificity sp."""
    n = rng.integers(sentences // 2, sentences * 2, size=n_docs)
    truth = rng.binomial(n, true_share)
    tagged = rng.binomial(truth, se) + rng.binomial(n - truth, 1 - sp)
    return pd.DataFrame({"sents__c": tagged, "hits__c": tagged, "n_sentences": n, "n_tokens": n * 20}), truth.sum() / n.sum()


def test_rogan_gladen_inverts_the_tagging_error():
    for pi in (0.0, 0.02, 0.1, 0.5):
        p = 0.8 * pi + (1 - 0.97) * (1 - pi)
        assert np.isclose(rogan_gladen(p, 0.8, 0.97), pi)
    assert rogan_gladen(0.001, 0.8, 0.97) == 0.0  # clipped at 0: fewer tags than false positives expected
    assert np.isnan(rogan_gladen(0.1, 0.4, 0.5))  # a detector no better than chance says nothing


@pytest.mark.parametrize("true_share", [0.01, 0.05, 0.2])
def test_corrected_shares_recover_a_known_prevalence(true_share):
    rng = np.random.default_rng(42)
    rates = ErrorRates("c", sensitivity=0.75, specificity=0.985, n_eff_positive=400, n_eff_negative=3000, source="t")
    covered, errors, naive_errors = 0, [], []
    for rep in range(40):
        docs, truth = synthetic_period(rng, 30, true_share, 0.75, 0.985)
        idx = rng.integers(0, len(docs), size=(400, len(docs)))
        rows = {(r["measure"], r["weighting"]): r for r in corrected_rows(docs, "c", rates, idx, rng, ("pooled",))}
        r = rows[("sentence_share_corrected", "pooled")]
        errors.append(abs(r["value"] - truth))
        naive_errors.append(abs(docs["sents__c"].sum() / docs["n_sentences"].sum() - truth))
        covered += r["ci_low"] <= truth <= r["ci_high"]
    assert np.mean(errors) < 0.25 * true_share + 0.002
    assert np.mean(errors) < np.mean(naive_errors)  # the tagged share is biased; the corrected one is not
    assert covered >= 34  # ~95% intervals cover the truth in (nearly) all of 40 replicates


def test_intervals_widen_with_the_uncertainty_of_the_error_rates():
    rng = np.random.default_rng(7)
    docs, _ = synthetic_period(rng, 40, 0.05, 0.8, 0.98)
    idx = np.random.default_rng(1).integers(0, len(docs), size=(500, len(docs)))
    widths = []
    for n_eff in (50, 5000):
        rates = ErrorRates("c", 0.8, 0.98, n_eff, n_eff * 10, "t")
        r = corrected_rows(docs, "c", rates, idx, np.random.default_rng(3), ("pooled",))[0]
        widths.append(r["ci_high"] - r["ci_low"])
    assert widths[0] > 1.5 * widths[1]


def test_corrected_rate_and_reach_follow_the_share():
    docs = pd.DataFrame({"sents__c": [10, 0, 3], "hits__c": [12, 0, 3], "n_sentences": [100, 200, 300],
                         "n_tokens": [2000, 4000, 6000]})
    v = corrected_values(docs["sents__c"], docs["n_sentences"], docs["hits__c"], docs["n_tokens"], 0.9, 0.99,
                         "pooled")
    p = 13 / 600
    pi = (p - 0.01) / (0.9 - 0.01)
    assert np.isclose(v["sentence_share_corrected"][0], pi)
    assert np.isclose(v["rate_corrected"][0], 10_000 * 15 / 12000 * pi / p)
    ppv = 0.9 * pi / p
    assert np.isclose(v["doc_reach_corrected"][0], np.mean([1 - (1 - ppv) ** 10, 0, 1 - (1 - ppv) ** 3]))


def test_compute_share_adds_corrected_rows_only_for_measured_concepts():
    docs = pd.DataFrame({"doc_id": list("abcd"), "period": "2020", "period_start": 2020, "period_end": 2020,
                         "year": 2020, "doc_type": "report", "n_sentences": [100] * 4, "n_tokens": [2000] * 4,
                         "n_passages": [10] * 4, "hits__a": [5, 0, 2, 1], "sents__a": [4, 0, 2, 1],
                         "hits__b": [1, 1, 0, 0], "sents__b": [1, 1, 0, 0], "cooc__a|b": [1, 0, 0, 0]})
    rates = {"a": ErrorRates("a", 0.8, 0.99, 300, 3000, "t")}
    share = compute_share(docs, ["a", "b"], [("a", "b")], by_doc_type=False, n_boot=100, seed=0, min_docs=3,
                          error_rates=rates)
    corrected = share[share["measure"].str.endswith("_corrected")]
    assert set(corrected["concept"]) == {"a"} and len(corrected) == 3 * 2
    assert (corrected["ci_low"] <= corrected["value"]).all() and (corrected["value"] <= corrected["ci_high"]).all()


def test_track_reruns_are_byte_identical(demo_db, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        run_track(demo_db, out, TrackOptions(bootstrap=200, seed=3))
    for name in ("concept_share.csv", "evidence.csv", "denominators.csv", "changepoints.csv", "error_rates.csv"):
        assert filecmp.cmp(a / name, b / name, shallow=False), name
    ra, rb = (json.loads((d / "run.json").read_text()) for d in (a, b))
    for r in (ra, rb):
        r.pop("created")
    assert ra == rb
