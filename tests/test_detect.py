"""Concept detectors: the contract every backend keeps, training and evaluation that never let a test
document into its training fold, clear errors for bad labels and model folders, and the shipped model."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import REPO, shared_corpus
from policyscope.analyse.detect import BACKENDS, SentenceBatch, load_detector
from policyscope.analyse.detect.build import Recipe, train_detector
from policyscope.analyse.detect.evaluation import cross_validated, evaluate
from policyscope.analyse.detect.labels import read_labels
from policyscope.analyse.detect.training import TrainSettings, grouped_folds
from policyscope.analyse.lexicon import load_lexicon
from policyscope.cli import cli, register
from policyscope.cli import detect as detect_cli
from policyscope.errors import DetectorError, DetectorVersionError, LabelsError, LabelSpanMismatch

register(detect_cli)
CONCEPTS = ["personalisation", "integration"]
SHIPPED = REPO / "models" / "detectors" / "social_care"
SEEDS = REPO / "models" / "labels" / "social_care_seeds.csv"
TRAIN = REPO / "models" / "labels" / "social_care_train.csv"

# Sentences written for these tests and labelled by reading them under the codebook (personalisation,
# integration); four invented "documents" so grouped folds have something to group.
HAND_CODED = [
    ("d1", "Disabled people will hold personal budgets and decide how their support is arranged.", 1, 0),
    ("d1", "Direct payments give people choice and control over the care they receive.", 1, 0),
    ("d1", "It puts people in charge of their own support.", 1, 0),
    ("d1", "The council will publish its accounts in June.", 0, 0),
    ("d1", "Patients will be able to choose which hospital treats them.", 1, 0),
    ("d1", "The weather in the region was wet.", 0, 0),
    ("d1", "Councils and the NHS will pool their budgets for older people's care.", 0, 1),
    ("d1", "We will join up health and social care around the person.", 1, 1),
    ("d2", "Integrated care boards will bring hospitals, GPs and councils together.", 0, 1),
    ("d2", "Multidisciplinary teams of nurses, social workers and GPs will work together in every neighbourhood.", 0, 1),
    ("d2", "We will strengthen European integration through the single market.", 0, 0),
    ("d2", "An integrated transport policy will cut congestion.", 0, 0),
    ("d2", "Health and social care services will share one record for each patient.", 0, 1),
    ("d2", "The railway timetable changes in May.", 0, 0),
    ("d2", "Self-directed support lets people design their own care.", 1, 0),
    ("d2", "Schools will teach more mathematics.", 0, 0),
    ("d3", "The Better Care Fund pools NHS and council money.", 0, 1),
    ("d3", "People with long-term conditions will get personal health budgets.", 1, 0),
    ("d3", "Help with washing and dressing is personal care.", 0, 0),
    ("d3", "We will end the silos between hospitals and social services.", 0, 1),
    ("d3", "Farmers receive direct payments under the agricultural policy.", 0, 0),
    ("d3", "Person-centred care planning will be offered to everyone with dementia.", 1, 0),
    ("d3", "Police numbers will rise by ten thousand.", 0, 0),
    ("d3", "Joint commissioning of mental health services will begin next year.", 0, 1),
    ("d4", "Individual budgets give users control over the money spent on them.", 1, 0),
    ("d4", "Social care and the NHS must work together so people do not fall between services.", 0, 1),
    ("d4", "Refugees will be helped to integrate into local communities.", 0, 0),
    ("d4", "The tax on fuel will be frozen.", 0, 0),
    ("d4", "Care will be tailored to each individual and their own goals.", 1, 0),
    ("d4", "Health and wellbeing boards will bring councils and the NHS together to plan services.", 0, 1),
    ("d4", "A new bridge will open in the city.", 0, 0),
    ("d4", "Integrated neighbourhood teams will join up community health and care.", 0, 1),
]


def write_labels(path: Path, rows=HAND_CODED, extra: dict | None = None) -> Path:
    cols = ["item_id", "personalisation", "integration", "borderline", "text", "before", "after", "doc_id"]
    cols += list(extra or {})
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for k, (doc, text, p, i) in enumerate(rows):
            w.writerow([f"t{k:03d}", p, i, 0, text, "", "", doc] + list((extra or {}).values()))
    return path


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


@pytest.fixture(scope="module")
def small_model(tmp_path_factory, lexicon):
    folder = tmp_path_factory.mktemp("det") / "small"
    labels = read_labels(write_labels(folder.parent / "labels.csv"), CONCEPTS)
    recipe = Recipe(train=TrainSettings(C_grid=(4.0,), inner_folds=2))
    train_detector(labels, lexicon, folder, name="small", recipe=recipe)
    return folder


TEXTS = ["Personal budgets give people choice and control over their support.",
         "It means people decide how the money is spent.",
         "The trains will run on time.",
         "Councils and the NHS will work together to join up care.",
         "We back European integration."]


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_backend_keeps_the_contract(backend, lexicon, small_model):
    det = load_detector(backend, lexicon, model=small_model if backend in ("model", "hybrid") else None)
    batch = SentenceBatch.of_documents(TEXTS, ["a"] * 4 + ["b"])
    assert batch.prev[1] == TEXTS[0] and batch.next[3] == "" and batch.prev[4] == ""  # neighbours stop at documents
    d = det.detect(batch)
    assert d.concepts == CONCEPTS == det.concepts
    for c in CONCEPTS:
        assert d.tagged[c].dtype == bool and len(d.tagged[c]) == len(TEXTS)
        p = d.prob[c]
        assert len(p) == len(TEXTS)
        if backend in ("model", "hybrid"):
            assert ((p >= 0) & (p <= 1)).all()
        else:
            assert np.isnan(p).all()  # rules give no probability
        tagged_rows = {h.i for h in d.hits if h.concept == c}
        assert tagged_rows == set(np.flatnonzero(d.tagged[c]))  # every tag has evidence, no evidence untagged
    for h in d.hits:
        assert TEXTS[h.i][h.start:h.end] == h.matched and h.matched
    assert not d.tagged["personalisation"][2] and not d.tagged["integration"][2]
    if backend != "keyword":  # plain keywords know neither "personal budgets" nor other senses
        assert d.tagged["personalisation"][0] and d.tagged["integration"][3]
        assert not d.tagged["integration"][4]  # European integration is another sense
    again = det.detect(batch)
    assert all((again.tagged[c] == d.tagged[c]).all() for c in CONCEPTS)
    assert det.label() and det.run_info()["backend"] == backend


def test_features_of_a_sentence_do_not_depend_on_its_batch(lexicon):
    det = load_detector("hybrid", lexicon)
    texts = TEXTS * 3
    batch = SentenceBatch.of_documents(texts, ["a"] * len(texts))
    whole = det.features.encode(batch)
    for i in (0, 3, 7):
        alone = det.features.encode(SentenceBatch([texts[i]], [batch.prev[i]], [batch.next[i]]))
        row = slice(whole.indptr[i], whole.indptr[i + 1])
        assert sorted(zip(whole.cols[row], whole.vals[row])) == sorted(zip(alone.cols, alone.vals))
    w = np.random.default_rng(0).normal(size=whole.width)
    assert np.array_equal(whole.dot(w)[[0, 3, 7]], np.concatenate(
        [det.features.encode(SentenceBatch([texts[i]], [batch.prev[i]], [batch.next[i]])).dot(w) for i in (0, 3, 7)]))


def test_a_lexicon_hit_weighs_as_much_in_a_long_sentence_as_in_a_short_one(lexicon):
    """The words of a row are L2-normalised; the named cue features (lexicon hits, keywords) keep their value,
    so a hit does not fade in a long transcript sentence. A folder fitted before the setting existed reads
    with the old behaviour (every entry normalised)."""
    from policyscope.analyse.detect.features import FeatureExtractor, FeatureSettings, column
    short = "Personal budgets help."
    long = short[:-1] + " " + " ".join(f"word{i}" for i in range(80)) + "."
    batch = SentenceBatch([short, long], ["", ""], ["", ""])
    col = column("L=personalisation", FeatureSettings().n_features)

    def cue_values(settings):
        enc = FeatureExtractor(lexicon, CONCEPTS, settings).encode(batch)
        return [float(enc.vals[enc.indptr[k]:enc.indptr[k + 1]][enc.cols[enc.indptr[k]:enc.indptr[k + 1]] == col][0])
                for k in range(2)]

    assert cue_values(FeatureSettings()) == [1.0, 1.0]
    old = FeatureSettings.from_dict({"use_lexicon": True, "bigrams": True, "neighbour_weight": 0.5,
                                     "neighbour_words": True, "n_features": 1 << 21})
    assert old.normalise_cues and not old.keyword_context
    s, lg = cue_values(old)
    assert lg < s < 1.0


def test_a_keyword_is_read_with_the_care_words_around_it(lexicon):
    """KCTX=/KNOCTX=: "integration" next to a sentence about health and social care is read differently from
    "integration" in a passage about Europe, though the sentence itself is the same."""
    from policyscope.analyse.detect.features import FeatureExtractor, FeatureSettings
    fx = FeatureExtractor(lexicon, CONCEPTS, FeatureSettings())
    text = "Integration cannot be an end in itself."
    care, europe = fx.cue_bags(SentenceBatch([text, text], ["Health and social care partnerships began in April.",
                                                            "The single market was on the agenda."], ["", ""]), [0, 1])
    assert care.get("KCTX=integration") == 1.0 and "KNOCTX=integration" not in care
    assert europe.get("KNOCTX=integration") == 1.0 and "KCTX=integration" not in europe
    off = FeatureExtractor(lexicon, CONCEPTS, FeatureSettings(keyword_context=False))
    assert not any(k.startswith(("KCTX", "KNOCTX")) for k in off.cue_bags(SentenceBatch([text], [""], [""]), [0])[0])


def test_grouped_folds_keep_each_document_on_one_side():
    groups = np.repeat(np.arange(30), 7)
    y = (np.arange(len(groups)) % 5 == 0).astype(int)
    for tr, te in grouped_folds(groups, y, 5, seed=3):
        assert not set(groups[tr]) & set(groups[te])
        assert len(tr) + len(te) == len(groups)


def test_no_sentence_of_a_test_document_reaches_its_training_fold(tmp_path, lexicon, monkeypatch):
    import policyscope.analyse.detect.evaluation as ev
    labels = read_labels(write_labels(tmp_path / "l.csv"), CONCEPTS)
    seen = []
    real_fit, real_predict = ev.fit_rows, ev.predict_rows

    def fit_rows(ls, feats, idx, recipe):
        seen.append(("fit", set(ls.groups[idx])))
        return real_fit(ls, feats, idx, recipe)

    def predict_rows(classifiers, outside, feats, idx):
        seen.append(("predict", set(labels.groups[idx])))
        return real_predict(classifiers, outside, feats, idx)
    monkeypatch.setattr(ev, "fit_rows", fit_rows)
    monkeypatch.setattr(ev, "predict_rows", predict_rows)
    cross_validated(labels, lexicon, Recipe(train=TrainSettings(C_grid=(4.0,), inner_folds=2)), folds=4)
    pairs = list(zip(seen[::2], seen[1::2]))
    assert len(pairs) == 2 * 4  # two backends x four folds
    for (kind_a, train_docs), (kind_b, test_docs) in pairs:
        assert kind_a == "fit" and kind_b == "predict" and train_docs and test_docs
        assert not train_docs & test_docs


def test_leaving_a_collection_out_keeps_all_of_it_out_of_its_training_fold(tmp_path, lexicon, monkeypatch):
    """--cv-by source_group: each fold's test side is every row of one collection and nothing of it is trained on."""
    import policyscope.analyse.detect.evaluation as ev
    path = write_labels(tmp_path / "l.csv", extra={"source_group": ""})
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["source_group"] = df["doc_id"].map({"d1": "manifesto", "d2": "manifesto", "d3": "policy", "d4": "practitioner"})
    df.to_csv(path, index=False)
    labels = read_labels(path, CONCEPTS)
    keys = ev.collection_keys(labels, ["source_group"])
    seen = []
    real_fit, real_predict = ev.fit_rows, ev.predict_rows
    monkeypatch.setattr(ev, "fit_rows", lambda ls, f, idx, r: seen.append(set(keys[idx])) or real_fit(ls, f, idx, r))
    monkeypatch.setattr(ev, "predict_rows", lambda c, o, f, idx: seen.append(set(keys[idx])) or real_predict(c, o, f, idx))
    cross_validated(labels, lexicon, Recipe(train=TrainSettings(C_grid=(4.0,), inner_folds=2)),
                    splits=ev.leave_one_out_splits(keys))
    pairs = list(zip(seen[::2], seen[1::2]))
    assert len(pairs) == 2 * 3  # two backends x three collections
    assert sorted(map(sorted, (test for _, test in pairs[:3]))) == [["manifesto"], ["policy"], ["practitioner"]]
    for train_keys, test_keys in pairs:
        assert len(test_keys) == 1 and not train_keys & test_keys


def test_leave_one_collection_out_is_scored_per_collection_and_refuses_unknown_columns(tmp_path, small_model, lexicon):
    path = write_labels(tmp_path / "l.csv", extra={"source_group": ""})
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["source_group"] = np.where(df["doc_id"].isin(["d1", "d2"]), "a", "b")
    df.to_csv(path, index=False)
    labels = read_labels(path, CONCEPTS)
    folder = tmp_path / "m"
    import shutil
    shutil.copytree(small_model, folder)
    m = evaluate(folder, labels, lexicon, folds=2, n_boot=10, cv_by=["source_group"])
    loco = m["sets"]["cv_by_source_group"]
    assert set(loco["collections"]) == {"a", "b"} and loco["n_rows"] == len(labels)
    assert sum(v["n_rows"] for v in loco["collections"].values()) == len(labels)
    assert {"keyword", "lexicon", "hybrid"} <= set(loco["collections"]["a"]["scores"])
    # the rule backends need no fitting: pooled over the collections they score as in grouped CV
    assert loco["scores"]["lexicon"] == m["sets"]["cv"]["scores"]["lexicon"]
    with pytest.raises(DetectorError, match="cannot leave collections out by 'text'"):
        evaluate(folder, labels, lexicon, folds=2, n_boot=0, cv_by=["text"])
    one = read_labels(write_labels(tmp_path / "one.csv", extra={"source_group": "manifesto"}), CONCEPTS)
    with pytest.raises(DetectorError, match="single source_group value"):
        evaluate(folder, one, lexicon, folds=2, n_boot=0, cv_by=["source_group"])


def test_inner_cross_validation_is_grouped_too(monkeypatch):
    import policyscope.analyse.detect.training as tr
    calls = []
    real = tr.grouped_folds

    def spy(groups, y, k, seed):
        out = real(groups, y, k, seed)
        calls.append(all(not set(groups[a]) & set(groups[b]) for a, b in out))
        return out
    monkeypatch.setattr(tr, "grouped_folds", spy)
    import scipy.sparse as sp
    rng = np.random.default_rng(1)
    X = sp.csr_matrix(rng.random((60, 20)))
    y = (rng.random(60) < 0.3).astype(int)
    tr.fit_concept(X, y, np.repeat(np.arange(12), 5), tr.TrainSettings(C_grid=(1.0,), inner_folds=3))
    assert calls == [True]


def test_training_and_evaluation_write_a_model_folder_with_metrics(small_model, tmp_path, lexicon):
    info = json.loads((small_model / "detector.json").read_text())
    assert info["format"] == 1 and info["lexicon"]["sha256"] == lexicon.sha256
    assert set(info["backends"]) == {"hybrid", "model"} and info["default_backend"] == "hybrid"
    assert info["training"]["n_rows"] == len(HAND_CODED) and len(info["training"]["fingerprint"]) == 64
    labels = read_labels(write_labels(tmp_path / "l.csv"), CONCEPTS)
    m = evaluate(small_model, labels, lexicon, tests={"again": labels}, folds=4, n_boot=50)
    assert (small_model / "metrics.json").exists()
    assert m["backends"] == ["keyword", "lexicon", "model", "hybrid"]
    d = m["sets"]["cv"]["scores"]["hybrid"]["personalisation"]["all"]
    assert 0 <= d["f1"] <= 1 and d["f1_low"] <= d["f1"] <= d["f1_high"] and d["n"] == len(HAND_CODED)
    er = m["error_rates"]["hybrid"]["integration"]
    assert 0 <= er["sensitivity"] <= 1 and 0 <= er["specificity"] <= 1 and er["n_eff_positive"] > 0


def test_retraining_gives_the_same_folder(tmp_path, lexicon):
    labels = read_labels(write_labels(tmp_path / "l.csv"), CONCEPTS)
    recipe = Recipe(train=TrainSettings(C_grid=(4.0,), inner_folds=2))
    a = train_detector(labels, lexicon, tmp_path / "a", name="x", recipe=recipe)
    b = train_detector(labels, lexicon, tmp_path / "b", name="x", recipe=recipe)
    for name in ("hybrid.npz", "model.npz"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    ja, jb = (json.loads((f / "detector.json").read_text()) for f in (a, b))
    ja.pop("created"), jb.pop("created")
    assert ja == jb


# -- bad input ----------------------------------------------------------------------------------------
def test_labels_with_unknown_columns_are_refused(tmp_path):
    path = write_labels(tmp_path / "l.csv", extra={"confidence": "high"})
    with pytest.raises(LabelsError) as e:
        read_labels(path, CONCEPTS)
    assert e.value.code == "E321" and "confidence" in str(e.value) and str(path) in str(e.value)


def test_labels_with_bad_values_or_no_rows_are_refused(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("item_id,personalisation,integration,text\nx1,yes,0,Some text.\n")
    with pytest.raises(LabelsError, match="must be 0 or 1"):
        read_labels(path, CONCEPTS)
    path.write_text("item_id,personalisation,integration,text\n")
    with pytest.raises(LabelsError, match="no rows"):
        read_labels(path, CONCEPTS)


def test_a_span_that_no_longer_matches_its_document_is_a_clear_error(tmp_path):
    seed = pd.read_csv(SEEDS, dtype=str, keep_default_na=False).head(3).drop(columns=["text", "before", "after"])
    seed.loc[0, "char_start"], seed.loc[0, "char_end"] = "3", "40"
    seed.loc[0, "text_sha1"] = "0" * 40  # the coded sentence is no longer what the span cuts out
    seed.loc[0, "norm_sha1"] = "0" * 40
    path = tmp_path / "refs.csv"
    seed.to_csv(path, index=False)
    with pytest.raises(LabelSpanMismatch) as e:
        read_labels(path, CONCEPTS, roots=[REPO], cache_dir=tmp_path / "cache")
    assert e.value.code == "E322" and "no longer matches" in str(e.value) and str(path) in str(e.value)
    ok = read_labels(path, CONCEPTS, roots=[REPO], cache_dir=tmp_path / "cache", skip_missing=True)
    assert len(ok) == 2 and ok.frame["text"].str.len().gt(0).all() and len(ok.skipped) == 1


def test_referenced_rows_rebuild_the_coded_text(tmp_path):
    full = pd.read_csv(SEEDS, dtype=str, keep_default_na=False).head(40)
    refs = full.drop(columns=["text", "before", "after"])
    path = tmp_path / "refs.csv"
    refs.to_csv(path, index=False)
    rebuilt = read_labels(path, CONCEPTS, roots=[REPO], cache_dir=tmp_path / "cache")
    assert rebuilt.frame["text"].tolist() == full["text"].tolist()


def test_a_model_folder_from_an_incompatible_version_is_refused(small_model, tmp_path, lexicon):
    import shutil
    old = tmp_path / "old"
    shutil.copytree(small_model, old)
    info = json.loads((old / "detector.json").read_text())
    info["format"], info["policyscope_version"] = 0, "0.0.1"
    (old / "detector.json").write_text(json.dumps(info))
    with pytest.raises(DetectorVersionError) as e:
        load_detector("hybrid", lexicon, model=old)
    assert e.value.code == "E323" and "0.0.1" in str(e.value) and "retrain" in str(e.value)


def test_an_empty_training_set_and_a_concept_without_positives_are_refused(tmp_path, lexicon):
    no_integration = [(d, t, p, 0) for d, t, p, _ in HAND_CODED]
    labels = read_labels(write_labels(tmp_path / "l.csv", no_integration), CONCEPTS)
    with pytest.raises(DetectorError, match="'integration' has no positive labels"):
        train_detector(labels, lexicon, tmp_path / "m", name="x", recipe=Recipe(train=TrainSettings(C_grid=(1.0,))))
    only_headings = [("d1", "1.", 0, 0), ("d2", "2.", 0, 0)]
    labels = read_labels(write_labels(tmp_path / "h.csv", only_headings), CONCEPTS)
    with pytest.raises(DetectorError, match="no training sentence passes"):
        train_detector(labels, lexicon, tmp_path / "n", name="x")


def test_seed_text_rows_never_enter_training(tmp_path, lexicon):
    seeds = read_labels(SEEDS, CONCEPTS)
    with pytest.raises(DetectorError, match="seed texts"):
        train_detector(seeds, lexicon, tmp_path / "s", name="x")


def test_cli_train_evaluate_and_tag(tmp_path):
    run = CliRunner()
    labels = write_labels(tmp_path / "l.csv")
    r = run.invoke(cli, ["detect", "train", "--labels", str(labels), "--out", str(tmp_path / "m")],
                   catch_exceptions=False)
    assert r.exit_code == 0 and "trained on 32 coded sentences from 4 documents" in r.output
    r = run.invoke(cli, ["detect", "evaluate", "--model", str(tmp_path / "m"), "--labels", str(labels), "--folds", "4",
                         "--bootstrap", "20"], catch_exceptions=False)
    assert r.exit_code == 0 and "keyword" in r.output and "hybrid" in r.output and "F1 [95% CI]" in r.output
    r = run.invoke(cli, ["detect", "evaluate", "--model", str(tmp_path / "m"), "--labels", str(labels), "--folds", "4",
                         "--bootstrap", "0", "--cv-by", "doc_type"])
    assert r.exit_code == 2 and "[E320]" in r.output and "single doc_type value" in r.output
    r = run.invoke(cli, ["detect", "tag", "Patients will be able to choose their hospital."], catch_exceptions=False)
    assert r.exit_code == 0 and "personalisation" in r.output and "yes" in r.output
    r = run.invoke(cli, ["detect", "train", "--labels", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and "[E321]" in r.output and "missing.csv" in r.output


# -- the shipped detector ------------------------------------------------------------------------------
def test_the_shipped_detector_was_trained_with_the_bundled_lexicon(lexicon):
    info = json.loads((SHIPPED / "detector.json").read_text())
    assert info["lexicon"] == {"name": lexicon.name, "version": lexicon.version, "sha256": lexicon.sha256}, \
        "the lexicon changed: retrain with `policyscope detect train` and `detect evaluate` (docs/tracking.md)"
    assert load_detector(None, lexicon).backend == "hybrid"
    assert (SHIPPED / "hybrid.npz").stat().st_size < 2_000_000


def test_the_shipped_detector_is_never_below_plain_keywords():
    metrics = json.loads((SHIPPED / "metrics.json").read_text())
    assert {"cv", "seeds"} <= set(metrics["sets"])
    for name in ("cv", "seeds"):
        s = metrics["sets"][name]
        for c in CONCEPTS:
            hybrid, keyword = s["scores"]["hybrid"][c]["all"], s["scores"]["keyword"][c]["all"]
            assert hybrid["f1"] > keyword["f1"], (name, c)
    assert metrics["sets"]["cv"]["n_rows"] >= 2000
    assert metrics["detector"]["training_fingerprint"] == json.loads(
        (SHIPPED / "detector.json").read_text())["training"]["fingerprint"]


def test_the_shipped_detector_is_not_below_plain_keywords_on_collections_it_was_not_trained_on():
    """Leave one collection (coding round x source group) out: pooled over the collections, each predicted by
    detectors refitted without it."""
    loco = json.loads((SHIPPED / "metrics.json").read_text())["sets"]["cv_by_round+source_group"]
    assert len(loco["collections"]) >= 8
    for c in CONCEPTS:
        hybrid, keyword = loco["scores"]["hybrid"][c]["all"], loco["scores"]["keyword"][c]["all"]
        assert hybrid["f1"] > keyword["f1"], c


def test_the_shipped_detector_is_not_below_plain_keywords_on_the_held_out_documents():
    """Round 5 was drawn and coded after detector 1.2.0 was frozen, and nothing was changed because of it."""
    heldout = json.loads((SHIPPED / "metrics.json").read_text())["sets"]["heldout"]
    assert heldout["n_documents"] >= 25 and heldout["labels"][0]["path"].endswith("social_care_heldout_round5.csv")
    for c in CONCEPTS:
        hybrid, keyword = heldout["scores"]["hybrid"][c]["all"], heldout["scores"]["keyword"][c]["all"]
        assert hybrid["f1"] > keyword["f1"], c


@pytest.mark.shared
def test_training_labels_rebuild_from_the_shared_corpus(tmp_path):
    shared_corpus("policy")
    labels = read_labels(TRAIN, CONCEPTS, skip_missing=True, cache_dir=tmp_path / "cache")
    n_shared = (pd.read_csv(TRAIN, dtype=str)["round"] == "1").sum()
    assert len(labels) >= n_shared >= 2000  # every row drawn from ../shared rebuilds
    assert labels.frame["text"].str.len().gt(0).all()
    assert labels.frame["personalisation"].sum() >= 100 and labels.frame["integration"].sum() >= 300


def _label_set(name: str) -> pd.DataFrame:
    return pd.read_csv(REPO / "models" / "labels" / name, dtype=str, keep_default_na=False)


@pytest.mark.shared
def test_leaving_one_collection_out_on_real_coded_documents(tmp_path, lexicon):
    """--cv-by on real coded sentences rebuilt from ../shared: manifestos and policy documents of round 1, each
    predicted by detectors refitted on the other; the rule backends score as in grouped CV."""
    shared_corpus("policy")
    rows = pd.read_csv(TRAIN, dtype=str, keep_default_na=False)
    rows = rows[(rows["round"] == "1") & rows["source_group"].isin(["manifesto", "policy"])]
    path = tmp_path / "round1.csv"
    pd.concat([g.iloc[::4] for _, g in rows.groupby("source_group")]).to_csv(path, index=False)
    labels = read_labels(path, CONCEPTS, cache_dir=tmp_path / "cache")
    folder = tmp_path / "m"
    train_detector(labels, lexicon, folder, name="r1", recipe=Recipe(train=TrainSettings(C_grid=(4.0,), inner_folds=3)))
    m = evaluate(folder, labels, lexicon, folds=3, n_boot=0, cv_by=["source_group"])
    loco = m["sets"]["cv_by_source_group"]
    assert set(loco["collections"]) == {"manifesto", "policy"}
    assert m["error_rates_measured_by"] == "leave one source_group out" and "error_rates_grouped_cv" in m
    for c in CONCEPTS:
        assert loco["scores"]["lexicon"][c]["all"]["f1"] == m["sets"]["cv"]["scores"]["lexicon"][c]["all"]["f1"]
        assert loco["collections"]["policy"]["scores"]["hybrid"][c]["all"]["n_positive"] > 0
        assert loco["scores"]["hybrid"][c]["all"]["f1"] > loco["scores"]["keyword"][c]["all"]["f1"]


def test_the_held_out_set_shares_no_document_with_training_or_the_seeds():
    """Round 5 (models/labels/social_care_heldout_round5.csv) measures the detector on documents it never saw: none
    of them may be a training or seed document, and none of its rows may sit in the training file."""
    heldout = _label_set("social_care_heldout_round5.csv")
    train, seeds = _label_set("social_care_train.csv"), _label_set("social_care_seeds.csv")
    assert len(heldout) >= 500 and heldout["doc_sha256"].nunique() >= 25
    assert not set(heldout["doc_sha256"]) & (set(train["doc_sha256"]) | set(seeds["doc_sha256"]))
    assert not set(heldout["item_id"]) & set(train["item_id"])
    assert set(heldout["round"]) == {"5"} and set(train["round"]) == {"1", "2", "3", "4"}
    sources = pd.read_csv(REPO / "models" / "labels" / "sources_round5.csv", dtype=str)
    assert set(heldout["doc_sha256"]) <= set(sources["sha256"])  # every document can be fetched again
    detector = json.loads((SHIPPED / "detector.json").read_text())
    assert [lab["path"] for lab in detector["training"]["labels"]] == ["models/labels/social_care_train.csv"]


def test_round_three_rows_of_already_coded_documents_sit_in_the_retest_file_paired_with_their_first_reading():
    """Five round-3 documents were byte-identical to round-1 ones: their rows are kept apart (retest file), each
    paired with the round-1 reading of the same sentence where there was one, and never reach the held-out set."""
    retest = pd.read_csv(REPO / "models" / "labels" / "social_care_retest.csv", dtype=str, keep_default_na=False)
    train = pd.read_csv(TRAIN, dtype=str, keep_default_na=False)
    assert set(retest["doc_sha256"]) <= set(train["doc_sha256"])
    paired = retest[retest["retest_of"] != ""].merge(train, left_on="retest_of", right_on="item_id", suffixes=("", "_1"))
    assert len(paired) == (retest["retest_of"] != "").sum() >= 300
    assert (paired["norm_sha1"] == paired["norm_sha1_1"]).all()
    for c in ("personalisation", "integration"):
        assert (paired[f"{c}_earlier"] == paired[f"{c}_1"]).all()
