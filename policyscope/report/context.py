"""Gather what a dashboard or export shows: store + track folder (+ topic timeline) -> DashboardData.

Reads only; computes nothing the analysis layer owns (numbers come from track / topic outputs;
collocates and keyness from policyscope.analyse when it provides them).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from policyscope.errors import ReportError
from policyscope.report.dashboard import DashboardData, default_title, source_line
from policyscope.report.document_data import corpus_frame, dispersion_frame
from policyscope.report.figure_data import concept_share_series, load_track
from policyscope.report.topic_data import load_topic_timeline
from policyscope.report.milestones import Milestone, load_milestones
from policyscope.report.words import words_frames
from policyscope.store import open_store


def lexicon_details(run: dict) -> dict:
    """Lexicon name, version, file and per-concept terms/exclusions (run.json, completed from the YAML it names)."""
    lex = run.get("lexicon") or {}
    if isinstance(lex, str):
        lex = {"name": lex}
    out = {"name": lex.get("name"), "version": lex.get("version"), "path": lex.get("path") or lex.get("file"),
           "sha256": lex.get("sha256"), "concepts": []}
    concepts = lex.get("concepts") or []
    if all(isinstance(c, dict) for c in concepts) and concepts:
        for c in concepts:
            out["concepts"].append({"name": str(c.get("name") or c.get("concept") or ""),
                                    "label": c.get("label"),
                                    "terms": [_term_text(t) for t in c.get("terms", [])],
                                    "exclusions": [_term_text(t) for t in c.get("exclusions", [])]})
        out["pairs"] = lex.get("pairs") or []
        return out
    if out["path"]:
        try:
            from policyscope.analyse.lexicon import load_lexicon  # issue 3
            out["concepts"] = _concepts_from_lexicon(load_lexicon(out["path"]))
        except Exception:  # noqa: BLE001 - the methods panel is descriptive; a moved lexicon file must not stop it
            out["concepts"] = [{"name": str(c), "terms": [], "exclusions": []} for c in concepts]
    else:
        out["concepts"] = [{"name": str(c), "terms": [], "exclusions": []} for c in concepts]
    return out


def _term_text(t) -> str:
    if isinstance(t, dict):
        text = str(t.get("text") or t.get("term") or t.get("pattern") or t.get("id") or "")
        return f"{text} ({t['id']})" if t.get("id") and t.get("text") and len(text) < 400 else text
    return str(t)


def _forms_text(item) -> str:
    forms = getattr(item, "forms", ()) or ()
    text = " / ".join(str(getattr(f, "source", f)) for f in forms) or str(getattr(item, "id", item))
    note = getattr(item, "note", "")
    return f"{text} ({note})" if note else text


def _concepts_from_lexicon(lexicon) -> list[dict]:
    out = []
    shared = [_forms_text(x) for x in getattr(lexicon, "global_exclusions", ()) or ()]
    for c in getattr(lexicon, "concepts", ()) or ():
        out.append({"name": getattr(c, "name", str(c)),
                    "terms": [_forms_text(t) for t in getattr(c, "terms", ()) or ()],
                    "exclusions": [_forms_text(x) for x in getattr(c, "exclusions", ()) or ()] + shared})
    return out


def exclusions_list(store, run: dict, lexicon: dict) -> list[str]:
    """What the numbers leave out, in words: sections, undated/duplicate documents, ingest failures,
    lexicon exclusions — from track's run.json and the store."""
    params = run.get("parameters") or {}
    sections = params.get("sections")
    out = []
    if sections:
        sections = [sections] if isinstance(sections, str) else list(sections)
        left = [s for s in ("front_matter", "references", "boilerplate") if s not in sections]
        out.append(f"Counted sections: {', '.join(sections)}" + (
            f"; not counted: {', '.join(s.replace('_', ' ') for s in left)} (track's default)." if left else "."))
    else:
        out.append("Reference lists, front matter and boilerplate are not counted (track's default).")
    if params.get("include_duplicates") is False:
        out.append("Near-duplicate documents are counted once (the first of each group).")
    excluded = run.get("excluded") or {}
    names = {"undated": "without a date (cannot be placed in a period)", "duplicates": "near-duplicates left out",
             "outside_periods": "dated outside the chosen periods",
             "no_counted_sentences": "with no sentence in the counted sections"}
    for key, words in names.items():
        docs = excluded.get(key) or []
        if docs:
            out.append(f"{len(docs)} document(s) {words}: " + "; ".join(map(str, docs[:10]))
                       + ("…" if len(docs) > 10 else ""))
    if not excluded:
        undated = [d for d in store.documents() if not d["date"]]
        if undated:
            out.append(f"{len(undated)} document(s) have no date and cannot be placed in a period: "
                       + "; ".join((d["title"] or d["doc_id"]) for d in undated[:10]))
    failed = [r for r in store.last_outcomes().values() if r["outcome"] != "ok"]
    if failed:
        out.append(f"{len(failed)} file(s) were skipped or failed at ingest: "
                   + "; ".join(f"{Path(r['path']).name} ({r['outcome']}: {r['reason']})" for r in failed[:8])
                   + ("…" if len(failed) > 8 else ""))
    for w in run.get("warnings") or []:
        out.append(f"Track: {w}")
    for c in lexicon.get("concepts", []):
        if c.get("exclusions"):
            out.append(f"Lexicon exclusions for {c['name']} (senses not counted): " + " | ".join(c["exclusions"]))
    return out


def dashboard_context(db, track, *, topic_timeline=None, topics_json=None, title: str | None = None,
                      milestones: list[Milestone] | None = None, min_docs: int | None = None,
                      words: Callable | None = None,
                      progress: Callable[[str], None] | None = None) -> DashboardData:
    say = progress or (lambda _m: None)
    say(f"reading {track}")
    t = load_track(track)
    if milestones is None:
        milestones = load_milestones()
    with open_store(db) as store:
        say("matching points to their evidence")
        series = concept_share_series(t, min_docs=min_docs, store=store)
        say("dispersion by page")
        disp = dispersion_frame(series.evidence, store)
        corpus = corpus_frame(store)
        lexicon = lexicon_details(t.run)
        if not lexicon.get("name"):
            lexicon["name"] = (t.run.get("lexicon_name") or None)
        exclusions = exclusions_list(store, t.run, lexicon)
        colloc = keyness = None
        klabels = ("target", "reference")
        if words is None:
            say("collocates and keyness")
        try:
            colloc, keyness, klabels = (words or words_frames)(store, t)
        except ReportError:
            raise
        except Exception as exc:  # noqa: BLE001 - optional panels; say why they are missing
            exclusions.append(f"Collocates/keyness panels left out: {exc}")
    topics = None
    if topic_timeline:
        say(f"reading topic timeline {topic_timeline}")
        topics = load_topic_timeline(topic_timeline, topics_json)
    runs = {"track run.json": t.run}
    if topics is not None and topics.run:
        runs["topics run.json"] = topics.run
    dated = corpus["date"].dropna().astype(str)
    dated = dated[dated != ""]
    lede = (f"{len(corpus)} documents" + (f" dated {dated.min()[:4]}–{dated.max()[:4]}" if len(dated) else "")
            + (f" · lexicon {lexicon['name']}" + (f" v{lexicon['version']}" if lexicon.get('version') else "")
               if lexicon.get("name") else "")
            + f" · {len(series.evidence)} hits in {series.evidence['sentence_id'].nunique()} sentences. "
            "Every point opens the sentences behind it, with document, date and page.")
    notes = [f"Thin periods: fewer than {series.min_docs} documents (or as flagged by track); shown hollow and "
             "shaded, never smoothed.",
             "Intervals come from track: bootstrap over documents within each period (documents are the "
             "sampling unit).",
             "Hover labels quote up to three sentences (most hits first); the evidence table lists all of them."]
    return DashboardData(series=series, title=title or default_title(series.concepts, series.periods), lede=lede,
                         dispersion=disp, topics=topics, collocates=colloc, keyness=keyness, keyness_labels=klabels,
                         corpus=corpus, milestones=milestones, runs=runs, lexicon=lexicon, exclusions=exclusions,
                         notes=notes, source_line=source_line(corpus, lexicon))

