"""Derived lexicons (extends: a base; keep/drop sub-concepts and terms; add terms): the narrow and broad
variants the study's robustness check uses, and the errors a malformed one gets."""
from __future__ import annotations

from pathlib import Path

import pytest

from policyscope.analyse.lexicon import load_lexicon
from policyscope.analyse.matcher import Matcher
from policyscope.errors import LexiconError

REPO = Path(__file__).resolve().parents[1]
BASE = load_lexicon()
NARROW = load_lexicon(REPO / "models/concepts/social_care_narrow.yaml")
BROAD = load_lexicon(REPO / "models/concepts/social_care_broad.yaml")


def ids(lx):
    return {t.id for t in lx.terms()}


def concepts_of(lx, sentence: str) -> set[str]:
    return {h.concept for h in Matcher(lx).tag(sentence)}


def test_narrow_is_a_strict_subset_and_broad_a_strict_superset_of_the_base():
    assert ids(NARROW) < ids(BASE) < ids(BROAD)
    assert {"patient_choice", "independent_living", "person_centred", "working_together"}.isdisjoint(ids(NARROW))
    assert {"empowerment", "partnership", "coordination", "multidisciplinary"} <= ids(BROAD)
    assert NARROW.name == "social_care_narrow" and BROAD.version == "1.2.0-broad.1"
    assert NARROW.concept_names == BASE.concept_names and NARROW.pairs == BASE.pairs


def test_the_variants_tag_what_their_definitions_say():
    empower = "Services should empower disabled people to live independently with the care and support they need."
    assert concepts_of(BROAD, empower) == {"personalisation"} and not concepts_of(BASE, empower)
    choice = "Patients will have more choice of hospital and of GP."
    assert concepts_of(BASE, choice) == concepts_of(BROAD, choice) == {"personalisation"}
    assert not concepts_of(NARROW, choice)
    budgets = "We will extend personal budgets and direct payments."
    assert all(concepts_of(lx, budgets) == {"personalisation"} for lx in (NARROW, BASE, BROAD))
    # the base's not-care senses still hold in the broad variant
    assert not concepts_of(BROAD, "We will empower schools and pupils to choose their curriculum.")


def test_run_info_names_the_base_and_the_base_is_unchanged():
    info = NARROW.run_info()
    assert info["extends"]["name"] == "social_care" and info["extends"]["sha256"] == BASE.sha256
    assert "extends" not in BASE.run_info()
    assert NARROW.sha256 not in (BASE.sha256, BROAD.sha256)


def derived(tmp_path: Path, body: str, name: str = "derived.yaml") -> Path:
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


@pytest.mark.parametrize("body, where", [
    ('name: d\nversion: "1"\nextends: social_care\nkeep_subconcepts: {integration: [nonesuch]}\n',
     "keep_subconcepts.integration[0]: no sub-concept 'nonesuch'"),
    ('name: d\nversion: "1"\nextends: social_care\ndrop_terms: [patient_choice, nonesuch]\n',
     "drop_terms[1]: no term 'nonesuch' to drop: no such term in the base (terms left: personalisation,"),
    ('name: d\nversion: "1"\nextends: social_care\nkeep_subconcepts: {personalisation: [agenda]}\n'
     'drop_terms: [direct_payment]\n', "drop_terms[0]: no term 'direct_payment' to drop: it was in a sub-concept removed"),
    ('name: d\nversion: "1"\nextends: social_care\nkeep_subconcepts: [agenda]\n', "keep_subconcepts: must be a mapping"),
    ('name: d\nversion: "1"\nextends: social_care\nadd_contexts: {care: [hospital]}\n',
     "add_contexts.care: the base already has a cue list 'care'"),
    ('name: d\nversion: "1"\nextends: social_care\n'
     'add_terms: {integration: {general: {terms: [{id: better_care_fund, forms: [bcf]}]}}}\n',
     "add_terms.integration.general.terms[0].id: term id 'better_care_fund' is already in the lexicon"),
    ('name: d\nversion: "1"\nextends: social_care\n'
     'add_terms: {integration: {wider: {terms: [{id: zz, forms: [zz]}], colour: red}}}\n',
     "add_terms.integration.wider: unknown key(s) ['colour']"),
    ('name: d\nversion: "1"\nextends: social_care\ndrop_subconcepts: {integration: [health_care_integration, '
     'working_together, practices_together, silos, structures, teams_and_working, general]}\n',
     "concepts.integration: keep_subconcepts/drop_subconcepts/drop_terms leave this concept with no terms"),
    ('name: d\nversion: "1"\nextends: social_care\ndrop_subconcepts: {wellbeing: [agenda]}\n',
     "drop_subconcepts.wellbeing: no concept 'wellbeing'"),
    ('name: d\nversion: "1"\nextends: no_such_lexicon.yaml\n', "extends: base lexicon 'no_such_lexicon.yaml' not found"),
    ('name: d\nversion: "1"\nextends: social_care\nflavour: mild\n', "unknown key(s) ['flavour']"),
    ('version: "1"\nextends: social_care\n', "name: is required"),
])
def test_errors_name_the_file_and_the_key(tmp_path, body, where):
    p = derived(tmp_path, body)
    with pytest.raises(LexiconError) as e:
        load_lexicon(p)
    assert str(p) in str(e.value) and where in str(e.value)


def test_an_extends_cycle_is_refused(tmp_path):
    derived(tmp_path, 'name: a\nversion: "1"\nextends: b.yaml\n', "a.yaml")
    derived(tmp_path, 'name: b\nversion: "1"\nextends: a.yaml\n', "b.yaml")
    with pytest.raises(LexiconError) as e:
        load_lexicon(tmp_path / "a.yaml")
    # the file whose `extends` closes the loop, the key, and the chain
    assert f"{tmp_path / 'b.yaml'}: extends:" in str(e.value)
    assert "(a.yaml -> b.yaml -> a.yaml): a cycle" in str(e.value)
    derived(tmp_path, 'name: c\nversion: "1"\nextends: c.yaml\n', "c.yaml")
    with pytest.raises(LexiconError, match=r"c\.yaml: extends: .*\(c\.yaml -> c\.yaml\): a cycle"):
        load_lexicon(tmp_path / "c.yaml")


def test_a_variant_can_extend_a_variant(tmp_path):
    p = derived(tmp_path, f'name: narrower\nversion: "1"\nextends: {REPO / "models/concepts/social_care_narrow.yaml"}\n'
                          'drop_terms: [choice_and_control]\n')
    lx = load_lexicon(p)
    assert ids(lx) == ids(NARROW) - {"choice_and_control"}
    assert lx.run_info()["extends"] == {"name": "social_care_narrow", "version": "1.2.0-narrow.1",
                                        "path": NARROW.path, "sha256": NARROW.sha256}


def test_a_derived_lexicon_tracks_with_its_rules(demo_db, tmp_path):
    from policyscope.analyse.track import TrackOptions, run_track
    res = run_track(demo_db, tmp_path / "track", TrackOptions(lexicon=REPO / "models/concepts/social_care_narrow.yaml",
                                                              bootstrap=0))
    assert res.detector.backend == "lexicon" and res.lexicon.name == "social_care_narrow"
    assert res.n_hits > 0
    assert set(res.share["lexicon"]) == {"social_care_narrow"}
