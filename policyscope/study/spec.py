"""A study's declared settings (models/study/*.yaml): the claim, the concepts, the years, the sources,
the source-type rules, the eras and the thresholds. Loading validates every key and names the file
and the key path of anything wrong.

    spec = load_spec()                      # models/study/social_care.yaml
    spec = load_spec("my_study.yaml")
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from policyscope.errors import StudyError

DEFAULT_SPEC = "models/study/social_care.yaml"
REPO_ROOT = Path(__file__).resolve().parents[2]

_TOP = {"name", "version", "title", "claim", "claim_source", "lexicon", "waning", "rising", "years", "trend_years",
        "period_years", "robustness_period_years", "min_docs", "min_sentences", "min_trend_periods", "bootstrap",
        "seed", "lexicon_variants", "eras", "source_types", "sources"}
_SOURCE_KEYS = {"path", "optional", "include", "exclude", "exclude_reason", "manifest", "text_column", "date_column",
                "title_column", "id_column", "source_type", "note"}
_RULE_KEYS = {"id", "label", "in", "doc_type", "otherwise", "by"}


@dataclass(frozen=True)
class Era:
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class SourceTypeRule:
    id: str
    label: str
    words: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    otherwise: bool = False
    by: str | None = None  # a document field that splits this type into groups (manifestos by party)


@dataclass(frozen=True)
class Source:
    path: Path
    optional: bool = False
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    exclude_reason: str = ""
    manifest: Path | None = None
    text_column: str | None = None
    date_column: str | None = None
    title_column: str | None = None
    id_column: str | None = None
    source_type: str | None = None  # every document of this source has this type
    note: str = ""


@dataclass(frozen=True)
class StudySpec:
    name: str
    version: str
    title: str
    claim: str
    claim_source: str
    lexicon: str
    waning: str
    rising: str
    years: tuple[int, int]
    trend_years: tuple[int, int]
    period_years: int
    robustness_period_years: tuple[int, ...]
    min_docs: int
    min_sentences: int
    min_trend_periods: int
    bootstrap: int
    seed: int
    lexicon_variants: dict
    eras: tuple[Era, ...]
    source_types: tuple[SourceTypeRule, ...]
    sources: tuple[Source, ...]
    path: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def concepts(self) -> list[str]:
        return [self.waning, self.rising]

    def source_type_label(self, type_id: str) -> str:
        for r in self.source_types:
            if r.id == type_id:
                return r.label
        return type_id

    def source_type_phrase(self, type_id: str) -> str:
        """The label inside a sentence: 'party manifestos', 'government and NHS documents'."""
        label = self.source_type_label(type_id)
        return label[:1].lower() + label[1:] if label[1:2].islower() else label

    def era_of(self, year: int) -> Era | None:
        for e in self.eras:
            if e.start <= year <= e.end:
                return e
        return None


def resolve_path(p: str | Path) -> Path:
    """A path as the spec gives it: absolute, relative to the working folder, else to the repository."""
    p = Path(p)
    if p.is_absolute() or p.exists():
        return p
    return REPO_ROOT / p


def load_spec(path: str | Path | None = None) -> StudySpec:
    file = resolve_path(path or DEFAULT_SPEC)
    if not file.is_file():
        raise StudyError("study file not found", path=str(file), hint=f"pass --spec FILE (the default is {DEFAULT_SPEC})")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise StudyError(f"not a readable YAML file: {exc}", path=str(file)) from exc
    return parse_spec(data, file=str(file))


def parse_spec(data, *, file: str = "<study>") -> StudySpec:
    def fail(where: str, problem: str):
        raise StudyError(f"{where}: {problem}", path=file, hint="see docs/study.md for the study file's keys")

    if not isinstance(data, dict):
        fail("(top level)", "must be a mapping")
    extra = set(data) - _TOP
    if extra:
        fail("(top level)", f"unknown key(s) {sorted(extra)} (allowed: {', '.join(sorted(_TOP))})")
    for key in ("name", "version", "claim", "waning", "rising", "years", "sources"):
        if key not in data:
            fail(key, "is required")

    def year_pair(key, default=None):
        v = data.get(key, default)
        if not (isinstance(v, list) and len(v) == 2 and all(isinstance(y, int) for y in v) and v[0] <= v[1]):
            fail(key, f"must be [first_year, last_year] (got {v!r})")
        return int(v[0]), int(v[1])

    def positive_int(key, default, minimum=1):
        v = data.get(key, default)
        if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
            fail(key, f"must be a whole number >= {minimum} (got {v!r})")
        return v

    years = year_pair("years")
    trend_years = year_pair("trend_years", list(years))
    if data["waning"] == data["rising"]:
        fail("rising", "must name a different concept from waning")

    eras = []
    for i, e in enumerate(data.get("eras") or []):
        if not (isinstance(e, dict) and {"label", "start", "end"} <= set(e)):
            fail(f"eras[{i}]", "each era is {label, start, end}")
        eras.append(Era(str(e["label"]), int(e["start"]), int(e["end"])))

    rules = []
    for i, r in enumerate(data.get("source_types") or []):
        where = f"source_types[{i}]"
        if not isinstance(r, dict) or "id" not in r:
            fail(where, "each rule is a mapping with an id (and in / doc_type / otherwise)")
        bad = set(r) - _RULE_KEYS
        if bad:
            fail(where, f"unknown key(s) {sorted(bad)} (allowed: {', '.join(sorted(_RULE_KEYS))})")
        found = r.get("in") or {}
        if found and not (isinstance(found, dict) and found.get("words") and found.get("fields")):
            fail(f"{where}.in", "must be {fields: [...], words: [...]}")
        rules.append(SourceTypeRule(id=str(r["id"]), label=str(r.get("label") or r["id"]),
                                    words=tuple(str(w).lower() for w in found.get("words", [])),
                                    fields=tuple(found.get("fields", [])), doc_types=tuple(r.get("doc_type") or ()),
                                    otherwise=bool(r.get("otherwise")), by=r.get("by")))

    sources = []
    raw_sources = data["sources"]
    if not isinstance(raw_sources, list) or not raw_sources:
        fail("sources", "must be a non-empty list of {path: ...}")
    for i, s in enumerate(raw_sources):
        where = f"sources[{i}]"
        if not isinstance(s, dict) or "path" not in s:
            fail(where, "each source is a mapping with a path")
        bad = set(s) - _SOURCE_KEYS
        if bad:
            fail(where, f"unknown key(s) {sorted(bad)} (allowed: {', '.join(sorted(_SOURCE_KEYS))})")
        sources.append(source_of(s))

    variants = data.get("lexicon_variants") or {}
    if not isinstance(variants, dict):
        fail("lexicon_variants", "must be a mapping of variant name -> lexicon file")
    periods = data.get("robustness_period_years", [1, 3, 5])
    if not (isinstance(periods, list) and periods and all(isinstance(p, int) and p >= 1 for p in periods)):
        fail("robustness_period_years", f"must be a list of whole numbers of years (got {periods!r})")
    return StudySpec(
        name=str(data["name"]), version=str(data["version"]), title=str(data.get("title") or data["name"]),
        claim=" ".join(str(data["claim"]).split()), claim_source=" ".join(str(data.get("claim_source") or "").split()),
        lexicon=str(data.get("lexicon") or "social_care"), waning=str(data["waning"]), rising=str(data["rising"]),
        years=years, trend_years=trend_years, period_years=positive_int("period_years", 5),
        robustness_period_years=tuple(periods), min_docs=positive_int("min_docs", 2),
        min_sentences=positive_int("min_sentences", 500, 0), min_trend_periods=positive_int("min_trend_periods", 3, 2),
        bootstrap=positive_int("bootstrap", 1000, 0), seed=positive_int("seed", 0, 0),
        lexicon_variants={str(k): str(v) for k, v in variants.items()}, eras=tuple(eras), source_types=tuple(rules),
        sources=tuple(sources), path=file, raw=data)


def source_of(s: dict) -> Source:
    """A Source from its mapping (a spec entry, or a folder the user adds on the command line)."""
    return Source(path=resolve_path(s["path"]), optional=bool(s.get("optional")),
                  include=tuple(s.get("include") or ()), exclude=tuple(s.get("exclude") or ()),
                  exclude_reason=str(s.get("exclude_reason") or ""),
                  manifest=resolve_path(s["manifest"]) if s.get("manifest") else None,
                  text_column=s.get("text_column"), date_column=s.get("date_column"),
                  title_column=s.get("title_column"), id_column=s.get("id_column"),
                  source_type=s.get("source_type"), note=str(s.get("note") or ""))
