"""Lexicon loading and validation: the bundled lexicon loads; broken files fail with file, key path and problem."""
from __future__ import annotations

import re

import pytest
import yaml

from policyscope.analyse.lexicon import compile_surface, load_lexicon, parse_lexicon
from policyscope.errors import LexiconError

MINIMAL = {"name": "t", "version": "0.1", "concepts": {"a": {"terms": [{"id": "a1", "forms": ["alpha"]}]}}}


def write(tmp_path, data, name="lex.yaml"):
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return p


def test_bundled_lexicon_loads_with_name_version_and_two_concepts():
    lex = load_lexicon()
    assert lex.name == "social_care" and re.fullmatch(r"\d+\.\d+\.\d+", lex.version)
    assert lex.concept_names == ["personalisation", "integration"]
    assert lex.pairs == (("personalisation", "integration"),)
    assert len(lex.sha256) == 64 and lex.path.endswith("social_care.yaml")
    info = lex.run_info()
    assert info["name"] == "social_care" and info["concepts"][0]["terms"] and info["concepts"][1]["exclusions"]
    # sub-concepts are named and every term belongs to its concept
    integ = lex.concept("integration")
    assert {"structures", "health_care_integration", "general"} <= set(integ.subconcepts)
    assert all(t.concept == "integration" for t in integ.terms)


def test_lexicon_by_name(tmp_path):
    assert load_lexicon("social_care").name == "social_care"


@pytest.mark.parametrize("mutate, key_path, problem", [
    (lambda d: d.pop("version"), "version", "is required"),
    (lambda d: d.update(name="Bad Name"), "name", "lower-case"),
    (lambda d: d.update(colour="red"), "(top level)", "unknown key"),
    (lambda d: d["concepts"]["a"]["terms"][0].pop("forms"), "concepts.a.terms[0].forms", "is required"),
    (lambda d: d["concepts"]["a"]["terms"].append({"id": "a1", "forms": ["beta"]}), "concepts.a.terms[1].id",
     "duplicate term id"),
    (lambda d: d["concepts"]["a"]["terms"][0].update(forms=["al|pha"]), "concepts.a.terms[0].forms[0]", "bad word"),
    (lambda d: d["concepts"]["a"]["terms"][0].update(forms=[{"regex": "("}]), "concepts.a.terms[0].forms[0].regex",
     "not a valid regular expression"),
    (lambda d: d["concepts"]["a"]["terms"][0].update(forms=[{"lemma": "x", "regex": "y"}]),
     "concepts.a.terms[0].forms[0]", "exactly one of"),
    (lambda d: d["concepts"]["a"].update(terms=[]), "concepts.a.terms", "at least one term"),
    (lambda d: d.update(pairs=[["a", "b"]]), "pairs[0]", "unknown concept"),
    (lambda d: d["concepts"]["a"]["terms"][0].update(when="always"), "concepts.a.terms[0]", "unknown key"),
])
def test_validation_errors_name_file_key_path_and_problem(tmp_path, mutate, key_path, problem):
    import copy
    data = copy.deepcopy(MINIMAL)
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(LexiconError) as err:
        load_lexicon(path)
    msg = str(err.value)
    assert str(path.resolve()) in msg and key_path in msg and problem in msg
    assert err.value.code == "E300"


def test_invalid_yaml_and_missing_file(tmp_path):
    with pytest.raises(LexiconError, match="not valid YAML"):
        load_lexicon(write(tmp_path, "name: [unclosed"))
    with pytest.raises(LexiconError, match="not found"):
        load_lexicon(tmp_path / "nope.yaml")


def test_surface_forms_cover_spellings_hyphens_and_run_together_words():
    f = re.compile(compile_surface("person-centred care").pattern)
    for text in ("person-centred care", "person centred care", "personcentred care", "person-\ncentred care",
                 "person centered care", "person – centred care"):
        assert f.search(text.lower()), text
    assert not f.search("personal centred care")
    g = re.compile(compile_surface("personalis*").pattern)
    assert g.search("personalization") and g.search("personalised") and not g.search("impersonalisation")
    h = re.compile(compile_surface("personal (health) budget*").pattern)
    assert h.search("personal health budgets") and h.search("personal budget") and not h.search("personal healthy budget")
    # a word end is required after a plain word
    assert not re.search(compile_surface("care trust").pattern, "care trustees")


def test_custom_lexicon_with_contexts_and_exclusions(tmp_path):
    data = {"name": "mini", "version": "2", "contexts": {"cue": ["health*"]},
            "concepts": {"x": {"terms": [{"id": "x1", "forms": ["integrat*"], "context": ["cue"]}],
                               "exclusions": ["european integration"]}}}
    lex = parse_lexicon(data, file="mini.yaml")
    assert lex.version == "2" and lex.pairs == ()
    assert lex.concept("x").terms[0].context
    with pytest.raises(LexiconError, match="no concept 'y'"):
        lex.concept("y")
