"""The lexicon on real documents outside its own domain: UK party manifestos (../shared/corpus/dated-text).

Manifestos use "integration" for Europe, transport, migrants and the economy, "direct payments" for
farm subsidies and "personalised" for schooling and genomics. Every hit must still be a mention of
personalisation or integration in the adult-social-care sense, and the real mentions must be found.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import shared_corpus
from policyscope.analyse.track import TrackOptions, run_track

FILES = ["manifesto_text_1992-04-liberal_democrats.txt", "manifesto_text_1997-05-labour_party.txt",
         "manifesto_text_1997-05-liberal_democrats.txt", "manifesto_text_2005-05-labour_party.txt",
         "manifesto_text_2015-05-conservative_party.txt", "manifesto_text_2024-07-conservative_party.txt"]

# sentences in these manifestos that use the words in another sense (checked by reading them)
NOT_IN_SENSE = [r"European Community", r"integrated transport", r"Common Agricultural Policy", r"personalised learning",
                r"British values", r"Integrated Review", r"integrate into communities", r"Child Credit",
                r"integrated economy", r"Integrated Procurement", r"personalised treatments", r"Eurozone",
                r"integrating into our society", r"rural areas",
                r"every integrated care system has"]  # an ICS named only as a place (codebook: 0)
IN_SENSE = [("integration", r"integration of health and social care"), ("integration", r"Better Care Fund"),
            ("personalisation", r"individual budgets"), ("personalisation", r"personalised budgets"),
            ("personalisation", r"personalised healthcare")]


@pytest.fixture(scope="module")
def manifesto_evidence(tmp_path_factory):
    folder = shared_corpus("dated-text")
    from policyscope.ingest import IngestOptions, ingest_paths
    tmp = tmp_path_factory.mktemp("manifestos")
    db = tmp / "m.db"
    report = ingest_paths([str(folder / f) for f in FILES], db, manifest=folder / "MANIFEST.csv",
                          options=IngestOptions(jobs=1), progress=False)
    assert report.count("ok") == len(FILES), [o.reason for o in report.outcomes]
    run_track(db, tmp / "out", TrackOptions(bootstrap=0, detector="lexicon"))  # the lexicon's senses
    return pd.read_csv(tmp / "out" / "evidence.csv", dtype=str)


@pytest.mark.shared
def test_no_hit_in_another_sense(manifesto_evidence):
    ev = manifesto_evidence
    for pattern in NOT_IN_SENSE:
        bad = ev[ev["sentence"].str.contains(pattern, case=False, regex=True)]
        # a sentence may mention another sense and, elsewhere, the real one: then the hit must not be
        # the other-sense words themselves
        for r in bad.itertuples():
            window = r.sentence[max(0, int(r.char_start) - 40):int(r.char_end) + 40]
            assert not re.search(pattern, window, re.I), (pattern, r.matched, r.sentence)


@pytest.mark.shared
def test_real_mentions_are_found(manifesto_evidence):
    ev = manifesto_evidence
    for concept, pattern in IN_SENSE:
        rows = ev[(ev["concept"] == concept) & ev["sentence"].str.contains(pattern, case=False, regex=True)]
        assert len(rows), (concept, pattern)


@pytest.mark.shared
def test_hits_are_sparse_in_general_manifestos(manifesto_evidence):
    # the manifestos are mostly about other things: a handful of hits per document, not hundreds
    per_doc = manifesto_evidence.groupby("doc_id").size()
    assert per_doc.max() < 40
