"""`policyscope study`: the spec, the corpus plan, the series engine on synthetic data with a known answer,
the thin-period refusal, and whole runs on the bundled seeds and (when present) the shared corpus."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policyscope.errors import StudyError
from policyscope.study.corpus import classify, plan_corpus
from policyscope.study.series import (compute_series, crossing_of, first_lasting_lead, period_bins, slopes,
                                      trend_of)
from policyscope.study.spec import load_spec, parse_spec, source_of

REPO = Path(__file__).resolve().parents[1]
SPEC = load_spec()
CSV_OUTPUTS = ("series.csv", "robustness.csv", "influence.csv", "coverage.csv", "quotes.csv", "corpus.csv",
               "changepoints.csv", "cooccurrence.csv")


def spec_dict(**over) -> dict:
    data = dict(SPEC.raw)
    data.update(over)
    return data


def write_spec(tmp_path: Path, **over) -> Path:
    import yaml
    p = tmp_path / "study.yaml"
    p.write_text(yaml.safe_dump(spec_dict(**over)), encoding="utf-8")
    return p


# ---------------------------------------------------------------------------------------------
# the study file


def test_default_spec_declares_the_claim():
    assert SPEC.concepts == ["personalisation", "integration"]
    assert SPEC.robustness_period_years == (1, 3, 5)
    assert {r.id for r in SPEC.source_types} == {"manifesto", "parliament", "government_nhs", "academic_practitioner"}
    assert SPEC.sources[0].path.resolve() == (REPO / "corpus").resolve()


@pytest.mark.parametrize("over, where", [({"colour": "red"}, "unknown key(s) ['colour']"),
                                         ({"years": [2020, 2000]}, "years: must be [first_year, last_year]"),
                                         ({"rising": "personalisation"}, "rising: must name a different concept"),
                                         ({"sources": [{"path": "corpus", "flavour": 1}]}, "sources[0]: unknown key"),
                                         ({"min_docs": 0}, "min_docs: must be a whole number >= 1")])
def test_spec_errors_name_the_file_and_key(tmp_path, over, where):
    p = write_spec(tmp_path, **over)
    with pytest.raises(StudyError) as e:
        load_spec(p)
    assert str(p) in str(e.value) and where in str(e.value) and e.value.code == "E600"


# ---------------------------------------------------------------------------------------------
# the corpus plan and source types


def test_plan_includes_excludes_and_reports_absent_sources(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("a_manifesto.txt", "b_report.txt", "skip_me.txt"):
        (folder / name).write_text("Some text about care.\n", encoding="utf-8")
    (folder / "manifest.csv").write_text("file,title,date\na_manifesto.txt,A,2010\nb_report.txt,B,2012\n")
    sources = [source_of({"path": str(folder), "exclude": ["skip_*"], "exclude_reason": "not wanted"}),
               source_of({"path": str(tmp_path / "nowhere"), "optional": True})]
    plan = plan_corpus(sources)
    t = plan.table().set_index("file")
    assert t.loc[f"{folder}/skip_me.txt", "reason"] == "not wanted" and not t.loc[f"{folder}/skip_me.txt", "included"]
    assert t["included"].sum() == 2
    assert [s.path for s in plan.absent] == [tmp_path / "nowhere"]
    with pytest.raises(StudyError) as e:
        plan_corpus([source_of({"path": str(tmp_path / "nowhere")})])
    assert "nowhere" in str(e.value)


def test_source_types_follow_the_rules_and_the_manifest_override():
    def cls(doc, meta=None, forced=None):
        return classify(doc, meta or {}, SPEC, forced)
    assert cls({"title": "UK general election manifesto 2005", "publisher": "Labour Party"}) == \
        ("manifesto", "manifesto: Labour Party")
    assert cls({"title": "Social Care [Orders of the day]", "doc_type": "debate"})[0] == "parliament"
    assert cls({"title": "Neighbourhood health", "publisher": "NHS England", "doc_type": "report"})[0] == \
        "government_nhs"
    assert cls({"title": "An article", "publisher": "BMJ Open", "doc_type": "article"})[0] == "academic_practitioner"
    assert cls({"title": "An article"}, {"source_type": "parliament"})[0] == "parliament"
    assert cls({"title": "An article"}, forced="government_nhs")[0] == "government_nhs"


# ---------------------------------------------------------------------------------------------
# the series engine on synthetic documents with a known answer


def synthetic_docs(shares: dict, *, docs_per_year: int = 4, sentences: int = 400, seed: int = 1) -> pd.DataFrame:
    """Documents per year whose concept sentences are drawn at the given true shares: {year: (waning, rising)}."""
    rng = np.random.default_rng(seed)
    rows = []
    for year, (pw, pr) in shares.items():
        for i in range(docs_per_year):
            sw, sr = rng.binomial(sentences, pw), rng.binomial(sentences, pr)
            rows.append({"doc_id": f"{year}-{i}", "title": f"doc {year} {i}", "date": str(year), "year": year,
                         "source_type": "academic_practitioner", "group": "academic_practitioner",
                         "n_sentences": sentences, "n_tokens": 20 * sentences, "n_passages": sentences // 4,
                         "sents__personalisation": sw, "hits__personalisation": sw,
                         "sents__integration": sr, "hits__integration": sr})
    return pd.DataFrame(rows)


TRUE = {2000 + k: (0.10 - 0.004 * k, 0.02 + 0.004 * k) for k in range(20)}  # crossing between 2010 and 2011


def test_trend_and_crossing_recover_a_known_direction():
    docs = synthetic_docs(TRUE)
    bins = period_bins((2000, 2019), 5)
    s = compute_series(docs, ["personalisation", "integration"], "sentence_share", "pooled", bins,
                       trend_years=(2000, 2019), n_boot=300, seed=3, min_docs=2, min_sentences=500)
    tw = trend_of(s.point["personalisation"], s.boot["personalisation"], s, 3)
    tg = trend_of(s.gap_point(), s.gap_boot(), s, 3)
    # truth: -0.4 points a year = -0.04 per decade (shares as fractions); the gap +0.08 per decade
    assert tw.ci_low < -0.04 < tw.ci_high and tw.per_decade < 0
    assert tg.ci_low < 0.08 < tg.ci_high and tg.share_negative == 0.0
    c = crossing_of(s, 3)
    assert c.period == "2010-2014" and not c.ahead_from_first  # 2010-14: mean gap +0.016, 2005-09: -0.024
    assert c.low in ("2005-2009", "2010-2014") and c.high in ("2010-2014", "2015-2019")


def test_thin_periods_stay_out_of_trends_and_too_few_periods_are_refused():
    shares = dict(TRUE)
    docs = synthetic_docs(shares)
    # one lone document in 2020 claiming personalisation everywhere: a thin period, never in a trend
    lone = synthetic_docs({2020: (0.9, 0.0)}, docs_per_year=1)
    bins = period_bins((2000, 2024), 5)
    s = compute_series(pd.concat([docs, lone]), ["personalisation", "integration"], "sentence_share", "pooled",
                       bins, trend_years=(2000, 2024), n_boot=50, seed=3, min_docs=2, min_sentences=500)
    assert s.thin.tolist() == [False, False, False, False, True] and not s.trend_mask[-1]
    assert trend_of(s.point["personalisation"], s.boot["personalisation"], s, 3).per_decade < 0
    few = compute_series(docs[docs["year"] < 2010], ["personalisation", "integration"], "sentence_share", "pooled",
                         bins, trend_years=(2000, 2024), n_boot=10, seed=3, min_docs=2, min_sentences=500)
    t = trend_of(few.point["personalisation"], few.boot["personalisation"], few, 3)
    assert t.refused and t.n_periods == 2
    assert crossing_of(few, 3).period is None


def test_corrected_series_is_rogan_gladen_of_the_tagged_share():
    from policyscope.analyse.detect.correction import ErrorRates, rogan_gladen
    docs = synthetic_docs(TRUE)
    rates = {c: ErrorRates(c, 0.7, 0.98, 300, 2000, "test") for c in ("personalisation", "integration")}
    bins = period_bins((2000, 2019), 5)
    tagged = compute_series(docs, ["personalisation", "integration"], "sentence_share", "pooled", bins,
                            trend_years=(2000, 2019), n_boot=0, seed=0, min_docs=2, min_sentences=500)
    corr = compute_series(docs, ["personalisation", "integration"], "sentence_share_corrected", "pooled", bins,
                          trend_years=(2000, 2019), n_boot=100, seed=0, min_docs=2, min_sentences=500, rates=rates)
    assert np.allclose(corr.point["integration"], rogan_gladen(tagged.point["integration"], 0.7, 0.98))
    with pytest.raises(ValueError):
        compute_series(docs, ["personalisation", "integration"], "sentence_share_corrected", "pooled", bins,
                       trend_years=(2000, 2019), n_boot=0, seed=0, min_docs=2, min_sentences=500)


def test_first_lasting_lead_and_slopes():
    usable = np.array([True, True, True, False, True, True])
    gap = np.array([[-1, 1, -1, -5, 1, 1], [1, 1, 1, -5, 1, 1], [-1, -1, -1, 5, -1, -1]], float)
    assert first_lasting_lead(gap, usable).tolist() == [4, 0, -1]  # the unusable period never counts
    assert slopes(np.array([[0.0, 1.0, 2.0]]), np.array([2000.0, 2001.0, 2002.0]))[0] == pytest.approx(10.0)


# ---------------------------------------------------------------------------------------------
# whole runs


def seeds_only_spec(tmp_path: Path) -> Path:
    return write_spec(tmp_path, sources=[{"path": str(REPO / "corpus")}], years=[2010, 2022], trend_years=[2010, 2022],
                      bootstrap=40, lexicon_variants={})


@pytest.fixture(scope="module")
def seeds_study(tmp_path_factory):
    from policyscope.study import StudyOptions, run_study
    tmp = tmp_path_factory.mktemp("seeds_study")
    res = run_study(StudyOptions(out=tmp / "out", spec=seeds_only_spec(tmp), images=False))
    return res


def test_seeds_alone_are_too_thin_for_a_trend_and_the_report_says_so(seeds_study):
    res = seeds_study
    out = res.out
    # five documents over 13 years: no period has two documents with 500 sentences, so no trend is printed
    assert res.verdict["strength"] == "cannot say"
    assert (res.robustness["direction_holds"] == "cannot say").all()
    md = (out / "study.md").read_text(encoding="utf-8")
    assert "too little dated text to test the claim" in md
    assert "thin: no value printed" in md
    series = pd.read_csv(out / "series.csv")
    assert series[series["group"] == "all"]["thin"].all()
    for name in CSV_OUTPUTS + ("study.html", "study.md", "run.json"):
        assert (out / name).is_file(), name


def test_study_cli_runs_and_bad_input_is_named(tmp_path, seeds_study, capsys):
    from policyscope.cli import main
    folder = tmp_path / "extra"
    folder.mkdir()
    shutil.copy(REPO / "corpus" / "2015-needham-glasby-debates-in-personalisation.txt", folder / "good.txt")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\nthis is not a pdf at all")
    (folder / "manifest.csv").write_text("file,title,date,doc_type\ngood.txt,Good,2015-12,blog\n"
                                         "broken.pdf,Broken,2016,report\n")
    spec = seeds_only_spec(tmp_path)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as e:
        main(["study", str(folder), "--only", "--spec", str(spec), "--out", str(out), "--no-images",
              "--bootstrap", "20"])
    assert e.value.code == 0
    captured = capsys.readouterr()
    assert "verdict (cannot say)" in captured.out
    assert "broken.pdf" in captured.err  # the unreadable file is named, the rest of the batch went on
    corpus = pd.read_csv(out / "corpus.csv")
    assert sorted(Path(f).name for f in corpus["file"]) == ["broken.pdf", "good.txt"]
    with pytest.raises(SystemExit) as e:
        main(["study", "--spec", str(write_spec(tmp_path, flavour=1)), "--out", str(out)])
    assert e.value.code != 0
    assert "E600" in capsys.readouterr().err


@pytest.fixture(scope="module")
def shared_study(tmp_path_factory):
    from conftest import shared_corpus
    shared_corpus("policy")
    shared_corpus("dated-text")
    from policyscope.study import StudyOptions, run_study
    tmp = tmp_path_factory.mktemp("shared_study")
    first = run_study(StudyOptions(out=tmp / "a", db=tmp / "study.db", bootstrap=200, images=False))
    again = run_study(StudyOptions(out=tmp / "b", db=tmp / "study.db", bootstrap=200, images=False))
    return first, again


def test_shared_study_reports_every_robustness_family(shared_study):
    res, _ = shared_study
    rb = res.robustness
    families = set(rb["family"])
    assert {"headline", "concept definition", "lexicon vs detector", "measure", "periods", "trend years",
            "leave one source type out", "one source type alone", "leave one document out"} <= families
    assert {"concept_narrow", "concept_lexicon", "concept_broad", "concept_keyword", "detector_tagged",
            "periods_1y", "periods_3y", "periods_5y"} <= set(rb["variant"])
    head = rb[rb["variant"] == "headline"].iloc[0]
    assert head["measure"] == "sentence_share_corrected" and head["direction_holds"] in ("yes", "no")
    assert res.verdict["strength"] in ("strong", "moderate", "weak", "not supported")
    assert set(rb["direction_holds"]) <= {"yes", "no", "cannot say"}
    cov = pd.read_csv(res.out / "coverage.csv")
    assert {"manifesto", "parliament", "government_nhs", "academic_practitioner"} <= set(cov["source_type"])
    corpus = pd.read_csv(res.out / "corpus.csv")
    excluded = corpus[~corpus["included"]]
    assert excluded["file"].str.contains("manifesto_1997_labour.pdf").any()  # the PDF copy: the text is read once


def test_shared_study_quotes_lead_to_their_sentences(shared_study):
    res, _ = shared_study
    quotes = pd.read_csv(res.out / "quotes.csv")
    evidence = pd.read_csv(res.out / "track" / "detector" / "evidence.csv")
    assert len(quotes) >= 3 * 2 * 2  # three per concept in at least two eras each
    ev = evidence.set_index("sentence_id")
    for q in quotes.itertuples():
        row = ev.loc[q.sentence_id]
        row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
        assert " ".join(str(row["sentence"]).split()) == q.sentence and int(row["page"]) == q.page
        assert q.sentence_id in q.citation and q.title in q.citation


def test_shared_study_reruns_are_byte_identical_and_the_page_is_offline(shared_study):
    a, b = shared_study
    for name in CSV_OUTPUTS + ("study.md", "study.html"):
        assert (a.out / name).read_bytes() == (b.out / name).read_bytes(), name
    page = (a.out / "study.html").read_text(encoding="utf-8")
    import re
    assert not re.search(r"<(?:script|img|iframe)[^>]*\ssrc=|<link[^>]*\shref=", page)  # nothing to fetch
    assert page.count('class="plotly-graph-div"') == 5
