"""Concept lexicons (models/concepts/*.yaml): load, validate, compile forms to patterns.

A lexicon has a name and a version, optional named `contexts` (cue lists), and `concepts`.
Each concept has `terms` (and/or `subconcepts` holding terms) and optional `exclusions`.
A term has an `id` and `forms`; a form is one of

- a surface pattern (a plain string): words separated by spaces or hyphens. Matching is
  case-insensitive; between words any whitespace, a hyphen (incl. a line-break hyphen) or nothing
  ("person-centred", "person centred", "personcentred"); `*` inside or at the end of a word stands for
  letters (`personalis*` = personalisation, personalised…); `(word)` makes a word optional;
  British/American variants (-ise/-ize, -isation/-ization, centre/center, -our/-or in a few words,
  ageing/aging, programme/program) are added automatically unless `spelling: as_written`;
- `{lemma: "pool budget"}`: the same syntax matched on the sentence's lemma string;
- `{regex: "..."}`: a Python regex applied to the lower-cased sentence text;
- `{form: "ICS", case_sensitive: true}`: a surface pattern that must match with this exact case.

A term may require a cue in the same sentence (`context: [cue set names or patterns]`) and may be
vetoed by one (`not_context: [...]`). Exclusions (per concept, or `exclusions` at the top level for
all concepts) are forms; a hit whose span overlaps an exclusion match in the same sentence is dropped.

Errors name the file, the key path (e.g. `concepts.integration.terms[3].forms[0]`) and the problem.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from policyscope.errors import LexiconError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_LEXICON = "models/concepts/social_care.yaml"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

# Between two words of a surface form: whitespace, a hyphen or dash (with optional whitespace, e.g. a
# line-break hyphen), a soft hyphen, or nothing (PDF text often runs words together: "andWellbeing").
GAP = r"[\s\u00ad\-\u2010-\u2013]*"
GAP_STRICT = r"[\s\u00ad\-\u2010-\u2013]+"
WORD_CHARS = r"[^\W_]"  # a letter or digit

# British -> American spelling rules, applied to each word of a surface form (both kept).
_SPELLING_RULES = [
    (re.compile(r"is(ation|ations|e|ed|es|ing|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z]{4})is\*$"), "iz*"),
    (re.compile(r"(?<=[a-z]{4})isation\*$"), "ization*"),
    (re.compile(r"tre$"), "ter"),
    (re.compile(r"tred$"), "tered"),
    (re.compile(r"tres$"), "ters"),
    (re.compile(r"^(neighb|behavi|lab|fav|col|hon)our"), r"\1or"),
    (re.compile(r"^ageing$"), "aging"),
    (re.compile(r"^programme(s?)$"), r"program\1"),
]


@dataclass(frozen=True)
class Form:
    """One compiled form: `pattern` is a regex over lower-cased text (surface) or the lemma string."""

    source: str
    kind: str  # surface | lemma | regex
    pattern: str
    case_sensitive: bool = False
    case_pattern: str | None = None  # for case-sensitive forms: the regex checked on the original text
    variants: tuple[tuple[str, ...], ...] = ()  # word sequences (glob allowed) for building FTS queries
    first_chars: frozenset | None = None  # possible first characters (None: unknown, e.g. a regex)
    # required words: (variants, starts the match) — what a fast prefilter can look for
    required: tuple[tuple[tuple[str, ...], bool], ...] = ()
    gap: str = ""  # the regex between words (surface and lemma forms)


@dataclass(frozen=True)
class Term:
    id: str
    concept: str
    subconcept: str
    forms: tuple[Form, ...]
    context: tuple[str, ...] = ()  # regexes: at least one must occur in the sentence
    not_context: tuple[str, ...] = ()  # regexes: none may occur in the sentence
    note: str = ""


@dataclass(frozen=True)
class Exclusion:
    id: str
    concept: str | None  # None: applies to every concept
    forms: tuple[Form, ...]
    note: str = ""


@dataclass(frozen=True)
class Concept:
    name: str
    label: str
    description: str
    terms: tuple[Term, ...]
    exclusions: tuple[Exclusion, ...]
    subconcepts: dict = field(default_factory=dict, compare=False, hash=False)  # name -> description
    # plain keyword forms: the naive baseline that quality figures stand beside (default: the concept's name)
    keywords: tuple[Form, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    name: str
    version: str
    description: str
    path: str
    sha256: str
    concepts: tuple[Concept, ...]
    global_exclusions: tuple[Exclusion, ...]
    pairs: tuple[tuple[str, str], ...]  # concept pairs for balance and co-occurrence
    contexts: dict = field(default_factory=dict, compare=False, hash=False)  # cue list name -> regex
    extends: dict | None = field(default=None, compare=False, hash=False)  # a derived lexicon's base (name, version, path, sha256)

    def concept(self, name: str) -> Concept:
        for c in self.concepts:
            if c.name == name:
                return c
        raise LexiconError(f"no concept {name!r} in lexicon {self.name} {self.version} "
                           f"(it has: {', '.join(self.concept_names)})", path=self.path)

    @property
    def concept_names(self) -> list[str]:
        return [c.name for c in self.concepts]

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"

    def run_info(self) -> dict:
        """What run.json records about the lexicon (dashboards list the terms and exclusions from it)."""
        concepts = []
        for c in self.concepts:
            excl = list(c.exclusions) + list(self.global_exclusions)
            concepts.append({"name": c.name, "label": c.label,
                             "subconcepts": sorted(c.subconcepts),
                             "terms": [{"id": t.id, "subconcept": t.subconcept,
                                        "text": "; ".join(f.source for f in t.forms),
                                        "context": bool(t.context), "not_context": bool(t.not_context)}
                                       for t in c.terms],
                             "exclusions": [{"id": e.id, "text": "; ".join(f.source for f in e.forms)} for e in excl]})
        info = {"name": self.name, "version": self.version, "path": self.path, "sha256": self.sha256,
                "concepts": concepts, "pairs": [list(p) for p in self.pairs]}
        if self.extends:
            info["extends"] = dict(self.extends)
        return info

    def terms(self):
        for c in self.concepts:
            yield from c.terms


# ------------------------------------------------------------------------------------------------
# form compilation


def _word_variants(word: str, spelling: bool) -> list[str]:
    out = [word]
    if spelling:
        for rule, repl in _SPELLING_RULES:
            for w in list(out):
                alt = rule.sub(repl, w)
                if alt != w and alt not in out:
                    out.append(alt)
    return out


def word_regex(word: str) -> str:
    parts = []
    for ch in word:
        if ch == "*":
            parts.append(WORD_CHARS + "*")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


def _split_surface(text: str, where: str, file: str) -> list[tuple[str, bool]]:
    """A surface pattern -> [(word, optional)]. Hyphens separate words like spaces do."""
    words = []
    for raw in re.split(r"[\s\-\u2010\u2011\u2013]+", text.strip()):
        if not raw:
            continue
        optional = raw.startswith("(") and raw.endswith(")")
        w = raw[1:-1] if optional else raw
        if not w or not re.fullmatch(r"[\w*'’.&£]+", w):
            raise LexiconError(f"{where}: bad word {raw!r} in form {text!r} (letters, digits and * only; "
                               f"use {{regex: ...}} for anything else)", path=file)
        if w.strip("*") == "":
            raise LexiconError(f"{where}: a word cannot be only '*' in form {text!r}", path=file)
        words.append((w, optional))
    if not words:
        raise LexiconError(f"{where}: empty form", path=file)
    if all(o for _, o in words):
        raise LexiconError(f"{where}: every word of {text!r} is optional", path=file)
    return words


def compile_surface(text: str, *, where: str = "", file: str = "", spelling: bool = True, join: bool = True,
                    lemma: bool = False, case_sensitive: bool = False) -> Form:
    words = _split_surface(text, where, file)
    gap = " " if lemma else (GAP if join else GAP_STRICT)  # the lemma string is space-joined, no punctuation

    def build(word_lists) -> str:
        pieces = []
        for i, ((_, optional), variants) in enumerate(zip(words, word_lists)):
            piece = "(?:" + "|".join(word_regex(v) for v in variants) + ")"
            if i == 0:
                pieces.append(f"(?:{piece}{gap})?" if optional else piece)
            else:
                pieces.append(f"(?:{gap}{piece})?" if optional else f"{gap}{piece}")
        # A glob at the end already swallows the rest of the word; otherwise require a word end.
        return r"\b" + "".join(pieces) + r"(?![^\W_])"

    spell = spelling and not case_sensitive
    lower_lists = [_word_variants(w.lower(), spell) for w, _ in words]
    pattern = build(lower_lists)
    case_pattern = build([[w] for w, _ in words]) if case_sensitive else None
    firsts: set[str] = set()
    for (w, optional), variants in zip(words, lower_lists):
        firsts.update(v[0] for v in variants)
        if not optional:
            break
    seqs: list[list[str]] = [[]]
    for (w, optional), variants in zip(words, lower_lists):
        new = [s + [v] for s in seqs for v in variants]
        if optional:
            new += seqs
        seqs = new
    uniq = tuple(dict.fromkeys(tuple(s) for s in seqs if s))
    required = tuple((tuple(variants), k == 0) for k, ((w, optional), variants) in enumerate(zip(words, lower_lists))
                     if not optional)
    return Form(source=text, kind="lemma" if lemma else "surface", pattern=pattern, case_sensitive=case_sensitive,
                case_pattern=case_pattern, variants=uniq, first_chars=None if "*" in firsts else frozenset(firsts),
                required=required, gap=gap)


def _top_level_alternation(value: str) -> bool:
    depth, esc, in_class = 0, False, False
    for ch in value:
        if esc:
            esc = False
        elif ch == "\\":
            esc = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return True
    return False


def regex_literal_prefix(value: str) -> str:
    """The literal lower-case letters every match of a regex starts with ('' when unknown)."""
    v = value
    while True:
        if _top_level_alternation(v):
            return ""
        if v.startswith(r"\b") or v.startswith("(?i)"):
            v = v[2:] if v.startswith(r"\b") else v[4:]
        elif v.startswith("(?:"):
            depth, end = 0, None
            for k, ch in enumerate(v):  # the group's extent (escapes inside are rare enough to ignore)
                depth += ch == "("
                depth -= ch == ")"
                if depth == 0:
                    end = k
                    break
            if end is None or (end + 1 < len(v) and v[end + 1] in "?*{"):
                return ""
            inner = v[3:end]
            if _top_level_alternation(inner):
                return ""
            v = inner + v[end + 1:]
        else:
            break
    m = re.match(r"[a-z]+", v)
    if not m:
        return ""
    lit = m.group(0)
    if m.end() < len(v) and v[m.end()] in "?*{":  # the last letter is optional
        lit = lit[:-1]
    return lit


def _regex_first(value: str) -> frozenset | None:
    """The first letter a regex must start with, when it plainly begins with a lower-case letter."""
    lit = regex_literal_prefix(value)
    return frozenset(lit[0]) if lit else None


def compile_form(spec, *, where: str, file: str, spelling: bool, join: bool) -> Form:
    if isinstance(spec, str):
        return compile_surface(spec, where=where, file=file, spelling=spelling, join=join)
    if isinstance(spec, dict):
        keys = set(spec)
        known = {"lemma", "regex", "form", "case_sensitive", "spelling"}
        if keys - known:
            raise LexiconError(f"{where}: unknown key(s) {sorted(keys - known)} in form (allowed: lemma, regex, "
                               f"form, case_sensitive, spelling)", path=file)
        kinds = [k for k in ("lemma", "regex", "form") if k in spec]
        if len(kinds) != 1:
            raise LexiconError(f"{where}: a form mapping needs exactly one of lemma, regex, form", path=file)
        kind = kinds[0]
        value = spec[kind]
        if not isinstance(value, str) or not value.strip():
            raise LexiconError(f"{where}.{kind}: must be a non-empty string", path=file)
        sp = spec.get("spelling", "both")
        if sp not in ("both", "as_written"):
            raise LexiconError(f"{where}.spelling: must be 'both' or 'as_written', not {sp!r}", path=file)
        spell = spelling and sp == "both"
        if kind == "regex":
            try:
                re.compile(value)
            except re.error as exc:
                raise LexiconError(f"{where}.regex: not a valid regular expression: {exc}", path=file) from exc
            if re.compile(value).match(""):
                raise LexiconError(f"{where}.regex: matches the empty string", path=file)
            return Form(source=value, kind="regex", pattern=f"(?:{value})", variants=(), first_chars=_regex_first(value))
        if kind == "lemma":
            return compile_surface(value, where=f"{where}.lemma", file=file, spelling=spell, join=False, lemma=True)
        return compile_surface(value, where=f"{where}.form", file=file, spelling=spell, join=join,
                               case_sensitive=bool(spec.get("case_sensitive", False)))
    raise LexiconError(f"{where}: a form is a string or a mapping with lemma/regex/form, not {type(spec).__name__}",
                       path=file)


# ------------------------------------------------------------------------------------------------
# loading and validation


def resolve_lexicon_path(path: str | Path | None) -> Path:
    """The lexicon file: the given path, else models/concepts/social_care.yaml here or in the repository."""
    if path:
        p = Path(path)
        if p.exists():
            return p
        if not p.is_absolute() and (REPO_ROOT / p).exists():
            return REPO_ROOT / p
        if p.suffix == "" and (REPO_ROOT / "models" / "concepts" / f"{p}.yaml").exists():
            return REPO_ROOT / "models" / "concepts" / f"{p}.yaml"
        raise LexiconError("lexicon file not found", path=str(p),
                           hint="pass --lexicon models/concepts/NAME.yaml or a lexicon name such as social_care")
    for cand in (Path(DEFAULT_LEXICON), REPO_ROOT / DEFAULT_LEXICON):
        if cand.exists():
            return cand
    raise LexiconError("the default lexicon is missing", path=DEFAULT_LEXICON, hint="pass --lexicon FILE")


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Load and validate a lexicon YAML file (None: the bundled social_care lexicon)."""
    p = resolve_lexicon_path(path)
    raw_bytes = p.read_bytes()
    try:
        data = yaml.safe_load(raw_bytes.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise LexiconError(f"not UTF-8 text: {exc}", path=str(p)) from exc
    except yaml.YAMLError as exc:
        raise LexiconError(f"not valid YAML: {exc}", path=str(p)) from exc
    if isinstance(data, dict) and "extends" in data:
        from dataclasses import replace
        from policyscope.analyse.lexicon_derive import expand
        full, sha, base = expand(data, p, raw_bytes)
        return replace(parse_lexicon(full, file=str(p.resolve()), sha256=sha), extends=base)
    return parse_lexicon(data, file=str(p.resolve()), sha256=hashlib.sha256(raw_bytes).hexdigest())


def _expect(cond: bool, where: str, problem: str, file: str) -> None:
    if not cond:
        raise LexiconError(f"{where}: {problem}", path=file)


def _str_list(value, where: str, file: str) -> list:
    if isinstance(value, str):
        return [value]
    _expect(isinstance(value, list) and len(value) > 0, where, "must be a non-empty list", file)
    return value


def parse_lexicon(data, *, file: str = "<lexicon>", sha256: str = "") -> Lexicon:
    _expect(isinstance(data, dict), "(top level)", "must be a mapping with name, version and concepts", file)
    allowed = {"name", "version", "description", "language", "spelling", "join_words", "contexts", "concepts",
               "exclusions", "pairs", "notes"}
    extra = set(data) - allowed
    _expect(not extra, "(top level)", f"unknown key(s) {sorted(extra)} (allowed: {', '.join(sorted(allowed))})", file)
    for key in ("name", "version", "concepts"):
        _expect(key in data, key, "is required", file)
    name = data["name"]
    _expect(isinstance(name, str) and NAME_RE.match(name or ""), "name",
            f"must be lower-case letters, digits and _ (got {name!r})", file)
    version = data["version"]
    _expect(isinstance(version, (str, int, float)) and str(version).strip() != "", "version",
            "must be a non-empty string such as '1.0.0'", file)
    version = str(version)
    spelling_mode = data.get("spelling", "uk_us")
    _expect(spelling_mode in ("uk_us", "as_written"), "spelling", "must be 'uk_us' or 'as_written'", file)
    spelling = spelling_mode == "uk_us"
    join = data.get("join_words", True)
    _expect(isinstance(join, bool), "join_words", "must be true or false", file)

    contexts: dict[str, str] = {}
    raw_ctx = data.get("contexts") or {}
    _expect(isinstance(raw_ctx, dict), "contexts", "must be a mapping of name -> list of forms", file)
    for cname, forms in raw_ctx.items():
        where = f"contexts.{cname}"
        _expect(isinstance(cname, str) and NAME_RE.match(cname), where, "context names are lower-case identifiers",
                file)
        forms = _str_list(forms, where, file)
        compiled = [compile_form(f, where=f"{where}[{i}]", file=file, spelling=spelling, join=join)
                    for i, f in enumerate(forms)]
        _expect(all(f.kind != "lemma" for f in compiled), where, "context cues are surface forms or regexes", file)
        contexts[cname] = "|".join(f.pattern for f in compiled)

    def cues(value, where) -> tuple[str, ...]:
        out = []
        for i, item in enumerate(_str_list(value, where, file)):
            if isinstance(item, str) and item in contexts:
                out.append(contexts[item])
            else:
                f = compile_form(item, where=f"{where}[{i}]", file=file, spelling=spelling, join=join)
                _expect(f.kind != "lemma", f"{where}[{i}]", "context cues are surface forms or regexes", file)
                out.append(f.pattern)
        return tuple(out)

    seen_ids: dict[str, str] = {}

    def parse_term(t, where, concept, sub) -> Term:
        _expect(isinstance(t, dict), where, "a term is a mapping with id and forms", file)
        extra = set(t) - {"id", "forms", "context", "not_context", "note"}
        _expect(not extra, where, f"unknown key(s) {sorted(extra)} (allowed: id, forms, context, not_context, note)",
                file)
        _expect("id" in t, f"{where}.id", "is required", file)
        tid = t["id"]
        _expect(isinstance(tid, str) and ID_RE.match(tid), f"{where}.id",
                f"must be lower-case letters, digits, _ . - (got {tid!r})", file)
        _expect(tid not in seen_ids, f"{where}.id", f"duplicate term id {tid!r} (first at {seen_ids.get(tid)})", file)
        seen_ids[tid] = where
        _expect("forms" in t, f"{where}.forms", "is required", file)
        forms = tuple(compile_form(f, where=f"{where}.forms[{i}]", file=file, spelling=spelling, join=join)
                      for i, f in enumerate(_str_list(t["forms"], f"{where}.forms", file)))
        ctx = cues(t["context"], f"{where}.context") if t.get("context") is not None else ()
        nctx = cues(t["not_context"], f"{where}.not_context") if t.get("not_context") is not None else ()
        return Term(id=tid, concept=concept, subconcept=sub, forms=forms, context=ctx, not_context=nctx,
                    note=str(t.get("note") or ""))

    def parse_exclusions(items, where, concept) -> tuple[Exclusion, ...]:
        out = []
        for i, e in enumerate(_str_list(items, where, file)):
            w = f"{where}[{i}]"
            if isinstance(e, (str,)) or (isinstance(e, dict) and "forms" not in e):
                e = {"id": f"x{i}", "forms": [e]}
            _expect(isinstance(e, dict), w, "an exclusion is a mapping with id and forms (or a form)", file)
            extra = set(e) - {"id", "forms", "note"}
            _expect(not extra, w, f"unknown key(s) {sorted(extra)} (allowed: id, forms, note)", file)
            forms = tuple(compile_form(f, where=f"{w}.forms[{j}]", file=file, spelling=spelling, join=join)
                          for j, f in enumerate(_str_list(e["forms"], f"{w}.forms", file)))
            _expect(all(f.kind != "lemma" for f in forms), f"{w}.forms", "exclusions are surface forms or regexes",
                    file)
            out.append(Exclusion(id=str(e.get("id", f"x{i}")), concept=concept, forms=forms, note=str(e.get("note") or "")))
        return tuple(out)

    raw_concepts = data["concepts"]
    _expect(isinstance(raw_concepts, dict) and raw_concepts, "concepts", "must be a non-empty mapping of "
            "concept name -> {terms: [...]}", file)
    concepts = []
    for cname, c in raw_concepts.items():
        where = f"concepts.{cname}"
        _expect(isinstance(cname, str) and NAME_RE.match(cname), where,
                "concept names are lower-case letters, digits and _", file)
        _expect(isinstance(c, dict), where, "must be a mapping with terms (and optional label, description, "
                "subconcepts, exclusions)", file)
        extra = set(c) - {"label", "description", "terms", "subconcepts", "exclusions", "keywords"}
        _expect(not extra, where, f"unknown key(s) {sorted(extra)} (allowed: label, description, terms, "
                "subconcepts, exclusions, keywords)", file)
        terms = []
        for i, t in enumerate(c.get("terms") or []):
            terms.append(parse_term(t, f"{where}.terms[{i}]", cname, ""))
        subs = {}
        raw_subs = c.get("subconcepts") or {}
        _expect(isinstance(raw_subs, dict), f"{where}.subconcepts", "must be a mapping of name -> {terms: [...]}",
                file)
        for sname, s in raw_subs.items():
            sw = f"{where}.subconcepts.{sname}"
            _expect(isinstance(sname, str) and NAME_RE.match(sname), sw, "sub-concept names are lower-case "
                    "identifiers", file)
            _expect(isinstance(s, dict) and s.get("terms"), sw, "must be a mapping with a non-empty terms list", file)
            extra = set(s) - {"description", "terms"}
            _expect(not extra, sw, f"unknown key(s) {sorted(extra)} (allowed: description, terms)", file)
            subs[sname] = str(s.get("description") or "")
            for i, t in enumerate(s["terms"]):
                terms.append(parse_term(t, f"{sw}.terms[{i}]", cname, sname))
        _expect(len(terms) > 0, f"{where}.terms", "a concept needs at least one term", file)
        excl = parse_exclusions(c["exclusions"], f"{where}.exclusions", cname) if c.get("exclusions") else ()
        raw_kw = _str_list(c["keywords"], f"{where}.keywords", file) if c.get("keywords") is not None else [cname]
        keywords = tuple(compile_form(f, where=f"{where}.keywords[{i}]", file=file, spelling=spelling, join=join)
                         for i, f in enumerate(raw_kw))
        _expect(all(f.kind != "lemma" for f in keywords), f"{where}.keywords", "keywords are surface forms or regexes",
                file)
        concepts.append(Concept(name=cname, label=str(c.get("label") or cname), description=str(c.get("description") or ""),
                                terms=tuple(terms), exclusions=excl, subconcepts=subs, keywords=keywords))
    gex = parse_exclusions(data["exclusions"], "exclusions", None) if data.get("exclusions") else ()

    names = [c.name for c in concepts]
    pairs = []
    raw_pairs = data.get("pairs")
    if raw_pairs is None:
        if len(names) >= 2:
            pairs = [tuple(names[:2])]
    else:
        _expect(isinstance(raw_pairs, list), "pairs", "must be a list of [concept, concept]", file)
        for i, pr in enumerate(raw_pairs):
            _expect(isinstance(pr, list) and len(pr) == 2 and pr[0] != pr[1], f"pairs[{i}]",
                    "must be two different concept names", file)
            for n in pr:
                _expect(n in names, f"pairs[{i}]", f"unknown concept {n!r} (concepts: {', '.join(names)})", file)
            pairs.append(tuple(pr))
    return Lexicon(name=name, version=version, description=str(data.get("description") or "").strip(), path=file,
                   sha256=sha256, concepts=tuple(concepts), global_exclusions=gex, pairs=tuple(pairs),
                   contexts=dict(contexts))


def _fts_token(word: str) -> str | None:
    """One FTS5 token (or prefix token) for a word that may contain globs; None if it has no literal start."""
    parts = [p for p in re.split(r"[^\w*]+", word.lower()) if p]
    if len(parts) != 1:
        return None
    w = parts[0]
    if "*" in w:
        stem = w.split("*", 1)[0]
        return f'"{stem}" *' if stem else None
    return f'"{w}"'


def fts_query_for_forms(forms, max_joins: int = 32) -> str | None:
    """An FTS5 MATCH expression finding every sentence a surface form can match (None if one cannot be expressed).

    Words may be run together in the text ("joinedup"), so each way of joining neighbouring words is
    a phrase of its own; a glob inside a joined token becomes a prefix query on its literal start.
    """
    alts = []
    for f in forms:
        if f.kind != "surface" or not f.variants:
            return None
        for seq in f.variants:
            words = [re.sub(r"[^\w*]", "", w.lower()) for w in seq]
            words = [w for w in words if w]
            if not words:
                return None
            n = len(words) - 1
            joins = range(2 ** n) if 2 ** n <= max_joins else [0]
            for mask in joins:
                merged = [words[0]]
                for k, w in enumerate(words[1:]):
                    if mask >> k & 1:
                        merged[-1] = merged[-1] + w
                    else:
                        merged.append(w)
                toks = []
                for w in merged:
                    if "*" in w[:-1]:
                        w = w.split("*", 1)[0] + "*"
                    t = _fts_token(w)
                    if t is None:
                        return None
                    toks.append(t)
                alts.append(" + ".join(toks))
            if 2 ** n > max_joins:
                t = _fts_token(words[0].split("*", 1)[0] + "*")
                if t is None:
                    return None
                alts.append(t)
    alts = list(dict.fromkeys(alts))
    return " OR ".join(f"({a})" for a in alts) if alts else None


def all_variants(forms) -> list[str]:
    return sorted({" ".join(seq) for f in forms for seq in f.variants})


__all__ = ["Lexicon", "Concept", "Term", "Exclusion", "Form", "load_lexicon", "parse_lexicon", "compile_surface",
           "compile_form", "resolve_lexicon_path", "fts_query_for_forms", "DEFAULT_LEXICON"]
