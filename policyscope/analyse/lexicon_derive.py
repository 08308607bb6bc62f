"""Derived lexicons: a lexicon file that names a base (`extends:`) and says what to keep, drop or add.

    name: social_care_narrow
    version: "1.2.0-narrow.1"
    extends: social_care.yaml            # relative to this file, or a lexicon name
    keep_subconcepts: {personalisation: [agenda, budgets]}
    drop_subconcepts: {integration: [silos]}
    drop_terms: [patient_choice]
    add_terms: {integration: {partnership: {description: ..., terms: [{id: ..., forms: [...]}]}}}
    add_contexts: {name: [forms]}

Turns the derived mapping into a full lexicon mapping that parse_lexicon validates as usual. Every name
that does not exist in the base is an error naming the derived file, the key and what exists.
"""
from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import yaml

from policyscope.errors import LexiconError

DERIVED_KEYS = {"name", "version", "description", "extends", "keep_subconcepts", "drop_subconcepts", "drop_terms",
                "add_terms", "add_contexts", "notes"}
MAX_DEPTH = 8


def _fail(file: str, where: str, problem: str):
    raise LexiconError(f"{where}: {problem}", path=file,
                       hint="see docs/tracking.md, 'Derived lexicons (narrow and broad variants)'")


def read_yaml(path: Path) -> tuple[dict, bytes]:
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise LexiconError(f"not UTF-8 text: {exc}", path=str(path)) from exc
    except yaml.YAMLError as exc:
        raise LexiconError(f"not valid YAML: {exc}", path=str(path)) from exc
    return data, raw


def resolve_base(ref, file: Path) -> Path:
    from policyscope.analyse.lexicon import resolve_lexicon_path
    if not isinstance(ref, str) or not ref.strip():
        _fail(str(file), "extends", "must name the base lexicon file (e.g. social_care.yaml)")
    beside = file.parent / ref
    if beside.is_file():
        return beside
    try:
        found = resolve_lexicon_path(ref)
    except LexiconError:
        found = None
    if found is None or not Path(found).is_file():
        here = sorted(p.name for p in file.parent.glob("*.yaml") if p.resolve() != file.resolve())
        _fail(str(file), "extends", f"base lexicon {ref!r} not found (looked beside this file and in "
                                    f"models/concepts; beside this file: {', '.join(here) or 'no .yaml files'})")
    return Path(found)


def _term_lists(c: dict):
    """(sub-concept name or '', its terms list) for one concept mapping."""
    yield "", c.get("terms") or []
    for sname, s in (c.get("subconcepts") or {}).items():
        yield sname, (s or {}).get("terms") or []


def _term_ids(concepts: dict) -> list[str]:
    return [t["id"] for c in concepts.values() for _, terms in _term_lists(c) for t in terms
            if isinstance(t, dict) and "id" in t]


def expand(data: dict, file: Path, raw: bytes, _chain: tuple = ()) -> tuple[dict, str, dict]:
    """(full lexicon mapping, sha256, base info) for a derived lexicon mapping `data` read from `file`."""
    f = str(file)
    chain = _chain + (file.resolve(),)
    if len(chain) > MAX_DEPTH:
        _fail(f, "extends", f"more than {MAX_DEPTH} lexicons extend one another")
    extra = set(data) - DERIVED_KEYS
    if extra:
        _fail(f, "(top level)", f"unknown key(s) {sorted(extra)} for a derived lexicon "
                                f"(allowed: {', '.join(sorted(DERIVED_KEYS))})")
    for key in ("name", "version"):
        if key not in data:
            _fail(f, key, "is required (a derived lexicon has its own name and version)")
    for key in ("keep_subconcepts", "drop_subconcepts", "add_terms", "add_contexts"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            _fail(f, key, "must be a mapping (concept -> ...; see the docs)")
    if data.get("drop_terms") is not None and not isinstance(data["drop_terms"], list):
        _fail(f, "drop_terms", "must be a list of term ids")
    base_path = resolve_base(data["extends"], file)
    if base_path.resolve() in chain:
        names = " -> ".join(p.name for p in chain + (base_path.resolve(),))
        _fail(f, "extends", f"{base_path} is already in the chain of bases ({names}): a cycle")
    base, base_raw = read_yaml(base_path)
    if not isinstance(base, dict):
        _fail(str(base_path), "(top level)", "must be a mapping")
    if "extends" in base:
        base, base_sha, _ = expand(base, base_path, base_raw, chain)
    else:
        base_sha = hashlib.sha256(base_raw).hexdigest()
    out = copy.deepcopy(base)
    concepts = out.get("concepts") or {}
    base_ids = set(_term_ids(concepts))

    def concept(where, name):
        if name not in concepts:
            _fail(f, where, f"no concept {name!r} in the base (it has: {', '.join(concepts)})")
        return concepts[name]

    def subconcepts(where, cname, names):
        subs = concept(where, cname).setdefault("subconcepts", {})
        if not isinstance(names, list):
            _fail(f, where, "must be a list of sub-concept names")
        for i, s in enumerate(names):
            if s not in subs:
                _fail(f, f"{where}[{i}]", f"no sub-concept {s!r} in concept {cname} "
                                          f"(it has: {', '.join(subs) or 'none left'})")
        return subs

    for cname, names in (data.get("keep_subconcepts") or {}).items():
        subs = subconcepts(f"keep_subconcepts.{cname}", cname, names)
        for s in [s for s in subs if s not in names]:
            del subs[s]
    for cname, names in (data.get("drop_subconcepts") or {}).items():
        subs = subconcepts(f"drop_subconcepts.{cname}", cname, names)
        for s in names:
            del subs[s]
    for i, tid in enumerate(data.get("drop_terms") or []):
        found = False
        for c in concepts.values():
            for _, terms in _term_lists(c):
                for t in list(terms):
                    if isinstance(t, dict) and t.get("id") == tid:
                        terms.remove(t)
                        found = True
        if not found:
            why = ("it was in a sub-concept removed by keep_subconcepts/drop_subconcepts" if tid in base_ids
                   else "no such term in the base")
            _fail(f, f"drop_terms[{i}]", f"no term {tid!r} to drop: {why} (terms left: {', '.join(_term_ids(concepts))})")
    for cname, subs_add in (data.get("add_terms") or {}).items():
        where = f"add_terms.{cname}"
        subs = concept(where, cname).setdefault("subconcepts", {})
        if not isinstance(subs_add, dict):
            _fail(f, where, "must be a mapping of sub-concept -> {description, terms}")
        for sname, spec in subs_add.items():
            sw = f"{where}.{sname}"
            if not isinstance(spec, dict) or not isinstance(spec.get("terms"), list) or not spec["terms"]:
                _fail(f, sw, "must be a mapping with a non-empty terms list (and an optional description)")
            if set(spec) - {"description", "terms"}:
                _fail(f, sw, f"unknown key(s) {sorted(set(spec) - {'description', 'terms'})} "
                             "(allowed: description, terms)")
            present = set(_term_ids(concepts))
            for k, t in enumerate(spec["terms"]):
                if isinstance(t, dict) and t.get("id") in present:
                    _fail(f, f"{sw}.terms[{k}].id", f"term id {t['id']!r} is already in the lexicon (ids are unique)")
            target = subs.setdefault(sname, {"description": spec.get("description", ""), "terms": []})
            if spec.get("description"):
                target["description"] = spec["description"]
            target["terms"] = list(target.get("terms") or []) + copy.deepcopy(spec["terms"])
    for cname, c in concepts.items():
        if not any(terms for _, terms in _term_lists(c)):
            _fail(f, f"concepts.{cname}", "keep_subconcepts/drop_subconcepts/drop_terms leave this concept with no "
                                          "terms (a derived lexicon keeps the base's concepts)")
    for cname, c in concepts.items():  # a sub-concept emptied by drop_terms goes
        subs = c.get("subconcepts") or {}
        for s in [s for s, v in subs.items() if not (v or {}).get("terms")]:
            del subs[s]
    if data.get("add_contexts"):
        have = out.setdefault("contexts", {}) or {}
        out["contexts"] = have
        for cname in data["add_contexts"]:
            if cname in have:
                _fail(f, f"add_contexts.{cname}", f"the base already has a cue list {cname!r}: a derived lexicon "
                                                  f"adds cue lists, it does not redefine the base's "
                                                  f"(the base has: {', '.join(have)})")
        have.update(copy.deepcopy(data["add_contexts"]))
    out["name"], out["version"] = data["name"], data["version"]
    if data.get("description"):
        out["description"] = data["description"]
    sha = hashlib.sha256(base_sha.encode("ascii") + raw).hexdigest()
    info = {"name": base.get("name"), "version": str(base.get("version")), "path": str(base_path.resolve()),
            "sha256": base_sha}
    return out, sha, info
