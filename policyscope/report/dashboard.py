"""The dashboard: ONE self-contained HTML file that opens offline.

plotly.js is inlined from the installed plotly package; figures are embedded as JSON; the
evidence (every evidence.csv row, each sentence once) is embedded as gzip+base64 JSON and
decompressed in the browser (DecompressionStream) only when a user asks for sentences. Document
text never enters the HTML as markup: it travels inside JSON / base64 and is rendered with text
nodes; Plotly hover text is HTML-escaped here. A Content-Security-Policy with a per-file nonce
blocks any script that is not ours, and all network access.
"""
from __future__ import annotations

import base64
import gzip
import html
import json
import math
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import plotly
import plotly.io as pio

from policyscope import __version__
from policyscope.errors import ReportError
from policyscope.report import figures as F
from policyscope.report.document_data import DispersionData
from policyscope.report.figure_data import (ALL, SeriesData, is_percent, measure_help, measure_label,
                                            tagged_counterpart)
from policyscope.report.topic_data import TopicData
from policyscope.report.milestones import Milestone

TEMPLATES = Path(__file__).resolve().parent / "templates"
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")


# --------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------
@dataclass
class DashboardData:
    """Everything a dashboard shows, already computed (figure_data frames + run records)."""

    series: SeriesData
    title: str
    lede: str = ""
    dispersion: DispersionData | None = None
    topics: TopicData | None = None
    topic_measure: str | None = None
    collocates: pd.DataFrame | None = None
    keyness: pd.DataFrame | None = None
    keyness_labels: tuple[str, str] = ("target", "reference")
    corpus: pd.DataFrame | None = None
    milestones: list[Milestone] = field(default_factory=list)
    runs: dict[str, dict] = field(default_factory=dict)
    lexicon: dict = field(default_factory=dict)
    exclusions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source_line: str = ""
    default_measure: str | None = None


def doc_citation_prefix(doc) -> str:
    """`Allen et al. (2022) "Title", Publisher`: the document part of a citation (policyscope.citation)."""
    from policyscope.citation import document_citation
    return document_citation(doc)


def citation_parts(doc) -> tuple[str, bool, str]:
    """(document part, whether pages are cited, source URL): what the browser needs to rebuild
    cite.sentence_citation(doc, page, sentence_id) for every sentence without storing each one."""
    from policyscope.citation import document_citation
    n_pages = doc.get("n_pages") if hasattr(doc, "get") else None
    try:
        single = n_pages is not None and not (isinstance(n_pages, float) and math.isnan(n_pages)) and int(n_pages) <= 1
    except (TypeError, ValueError):
        single = False
    url = doc.get("source_url") if hasattr(doc, "get") else None
    url = "" if url is None or (isinstance(url, float) and math.isnan(url)) else str(url)
    return document_citation(doc), not single, url


def compose_citation(head: str, cite_pages: bool, url: str, page, sentence_id: str) -> str:
    """The browser's citation formula (dashboard.js `citation`), mirrored here for tests and exports."""
    out = head
    if cite_pages and page:
        out += f", p. {int(page)}"
    if url:
        out += f", {url}"
    return out + f" [policyscope {sentence_id}]"


def _clean(v):
    """JSON-safe scalars: NaN/inf -> None, numpy -> Python."""
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if (math.isnan(v) or math.isinf(v)) else float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if v is pd.NA or v is pd.NaT:
        return None
    return v


def _ranges(positions: Iterable[int]) -> list[list[int]]:
    """Sorted positions -> [[start, end), ...] runs (contiguous slices of the evidence array)."""
    arr = np.unique(np.asarray(list(positions), dtype=np.int64))
    if arr.size == 0:
        return []
    breaks = np.nonzero(np.diff(arr) != 1)[0]
    starts = np.concatenate([[arr[0]], arr[breaks + 1]])
    ends = np.concatenate([arr[breaks], [arr[-1]]]) + 1
    return [[int(s), int(e)] for s, e in zip(starts, ends)]


# --------------------------------------------------------------------------------------
# payload
# --------------------------------------------------------------------------------------
def evidence_payload(data: DashboardData) -> dict:
    """The compressed part: documents, sentences (each once), hits, point -> rows, topic passages."""
    ev = data.series.evidence
    corpus = data.corpus.set_index("doc_id") if data.corpus is not None and not data.corpus.empty else None
    doc_ids = list(dict.fromkeys(ev["doc_id"].astype(str)))
    doc_index = {d: i for i, d in enumerate(doc_ids)}
    first = ev.drop_duplicates("doc_id").set_index("doc_id")
    docs = {"id": doc_ids, "title": [], "date": [], "doc_type": [], "cite": [], "cite_pages": [], "url": []}
    for d in doc_ids:
        row = {"doc_id": d, "title": first.at[d, "title"], "date": first.at[d, "date"],
               "doc_type": first.at[d, "doc_type"]}
        if corpus is not None and d in corpus.index:
            c = corpus.loc[d]
            for k in ("authors", "publisher", "licence", "source_url", "title", "date", "doc_type", "n_pages"):
                if k in c.index and pd.notna(c[k]) and c[k] not in ("", None):
                    row[k] = c[k]
        row = {k: (None if (isinstance(v, float) and math.isnan(v)) else v) for k, v in row.items()}
        docs["title"].append(row.get("title") or "untitled")
        docs["date"].append(row.get("date") or "")
        docs["doc_type"].append(row.get("doc_type") or "")
        head, pages, url = citation_parts(row)
        docs["cite"].append(head)
        docs["cite_pages"].append(pages)
        docs["url"].append(url)
    sids = ev["sentence_id"].astype(str)
    uniq = ev.drop_duplicates("sentence_id")
    sent_index = {s: i for i, s in enumerate(uniq["sentence_id"].astype(str))}
    concepts = list(dict.fromkeys(list(data.series.concepts) + list(ev["concept"].astype(str))))
    c_index = {c: i for i, c in enumerate(concepts)}
    terms = list(dict.fromkeys(ev["term"].fillna("").astype(str)))
    t_index = {t: i for i, t in enumerate(terms)}
    points = {k: _ranges(v) for k, v in data.series.points.items()}
    if data.dispersion is not None:
        points.update({k: _ranges(v) for k, v in data.dispersion.points.items()})
    payload = {
        "docs": docs,
        "concepts": concepts,
        "terms": terms,
        "sentences": {"id": list(sent_index), "text": [str(s) for s in uniq["sentence"].fillna("")]},
        "rows": {
            "d": [doc_index[d] for d in ev["doc_id"].astype(str)],
            "p": [int(p) for p in ev["page"]],
            "s": [sent_index[s] for s in sids],
            "c": [c_index[c] for c in ev["concept"].astype(str)],
            "t": [t_index[t] for t in ev["term"].fillna("").astype(str)],
            "m": [str(m) for m in ev["matched"].fillna("")],
        },
        "points": points,
        "topics": _topic_passages(data.topics),
    }
    return payload


def _topic_passages(topics: TopicData | None) -> list[dict]:
    if topics is None:
        return []
    out = []
    for t in topics.topics:
        passages = []
        for p in t.get("passages", []):
            cite = p.get("citation") or p.get("cite")
            if not cite and (p.get("title") or p.get("doc_id")):
                cite = compose_citation(doc_citation_prefix(p), True, "", p.get("page"), p.get("id") or "")
            passages.append({"id": p.get("id", ""), "text": p.get("text", ""), "cite": cite or p.get("id", "")})
        out.append({"topic": str(t["topic"]), "label": t.get("label", ""), "words": t.get("words", []),
                    "passages": passages})
    return out


def share_figures(data: DashboardData, *, title: str | None = None, source: str | None = None) -> dict[str, dict]:
    """One concept-share figure per (measure, doc_type), keyed "measure|doc_type"."""
    s = data.series
    out = {}
    for m in s.measures:
        for d in s.doc_types:
            view = s.view(m, d)
            if view.empty:
                continue
            sub = f"{measure_label(m)}: {measure_help(m)}".rstrip(": ")
            if d != ALL:
                sub += f" · {d} documents only"
            fig = F.concept_share_figure(view, concepts=s.concepts, milestones=data.milestones, min_docs=s.min_docs,
                                         title=title or data.title, subtitle=sub, source=source or data.source_line)
            out[f"{m}|{d}"] = fig
    return out


def _fig_json(fig) -> dict | None:
    if fig is None:
        return None
    return json.loads(pio.to_json(fig, validate=False, engine="json"))


def build_payload(data: DashboardData) -> tuple[dict, dict, dict]:
    """(meta, figures, evidence) — the three JSON documents embedded in the page."""
    s = data.series
    measures = [{"value": m, "label": measure_label(m), "help": measure_help(m), "percent": is_percent(m),
                 "tagged": tagged_counterpart(m) if tagged_counterpart(m) in s.measures else None,
                 "corrected": next((c for c in s.measures if tagged_counterpart(c) == m), None)}
                for m in s.measures]
    # the error-corrected share is what is shown first; the tagged one is a click away (the note says so)
    default_measure = data.default_measure if data.default_measure in s.measures else next(
        (m for m in ("sentence_share_corrected", "sentence_share") if m in s.measures),
        s.measures[0] if s.measures else "")
    default_dt = ALL if ALL in s.doc_types else (s.doc_types[0] if s.doc_types else ALL)
    figures = {"share": {k: _fig_json(f) for k, f in share_figures(data).items()}}
    if data.dispersion is not None and not data.dispersion.frame.empty:
        figures["dispersion"] = _fig_json(F.dispersion_figure(
            data.dispersion.frame, data.dispersion.documents, concepts=s.concepts,
            n_documents_with_hits=data.dispersion.n_documents_with_hits, note=data.dispersion.unit_note))
    else:
        figures["dispersion"] = None
    figures["collocates"] = _fig_json(F.collocates_figure(
        data.collocates, score="score", score_label="log-likelihood (G²)",
        title="Collocates: words within 5 tokens of each concept's hits")) \
        if data.collocates is not None and not data.collocates.empty else None
    figures["keyness"] = _fig_json(F.keyness_figure(
        data.keyness, score="score", score_label="log ratio (effect size)", target_label=data.keyness_labels[0],
        reference_label=data.keyness_labels[1],
        title=f"Keyness: words of {data.keyness_labels[0]} against {data.keyness_labels[1]}")) \
        if data.keyness is not None and not data.keyness.empty else None
    if data.topics is not None and not data.topics.frame.empty:
        tf = data.topics.frame
        if "measure" in tf.columns:
            tm = data.topic_measure or ("document_weighted" if "document_weighted" in set(tf["measure"])
                                        else tf["measure"].iloc[0])
            tf = tf[tf["measure"] == tm]
        figures["topics"] = _fig_json(F.topic_timeline_figure(
            tf, title=f"Topics over time ({data.topics.name})" if data.topics.name else None,
            milestones=data.milestones))
    else:
        figures["topics"] = None
    points = [{k: _clean(v) for k, v in r.items()} for r in s.frame[
        ["key", "concept", "period", "measure", "doc_type", "value", "ci_low", "ci_high", "n_docs",
         "n_evidence_sentences", "thin"]].rename(columns={"n_evidence_sentences": "n_sentences"}).to_dict("records")]
    corpus_rows = [] if data.corpus is None else [
        {k: _clean(v) for k, v in r.items()} for r in data.corpus.to_dict("records")]
    meta = {
        "title": data.title, "lede": data.lede, "version": __version__,
        "generated": time.strftime("%Y-%m-%d %H:%M"),
        "concepts": list(s.concepts), "measures": measures, "default_measure": default_measure,
        "correction": correction_note(s.run),
        "doc_types": list(s.doc_types), "default_doc_type": default_dt, "points": points,
        "sections": {"dispersion": figures["dispersion"] is not None,
                     "words": figures["collocates"] is not None or figures["keyness"] is not None,
                     "topics": figures["topics"] is not None},
        "words_help": "Collocates: words that keep company with each concept. Keyness: words over-used in one "
                      "part of the corpus against another. Click a word to see it in context.",
        "topics_help": "Click a topic band for its top words and representative passages (with citations)."
                       if data.topics is not None else "",
        "methods": {
            "lexicon": data.lexicon, "concepts": data.lexicon.get("concepts", []),
            "notes": data.notes, "exclusions": data.exclusions,
            "corpus_summary": _corpus_summary(data.corpus),
            "corpus": corpus_rows,
            "milestones": [{"date": m.date, "label": m.label, "source": m.source} for m in data.milestones],
            "runs": data.runs,
        },
        "footer": (f"Made with policyscope {__version__} on {time.strftime('%Y-%m-%d')}. Offline file: nothing is "
                   "fetched from the network. Evidence: every row of evidence.csv is embedded; no sampling."),
    }
    return meta, figures, evidence_payload(data)


def correction_note(run: dict | None) -> str:
    """What the corrected series corrects for, in words, from track's run.json (empty: nothing corrected)."""
    det = (run or {}).get("detector") or {}
    rates = det.get("error_rates") or {}
    if not rates:
        return ""
    parts = [f"{c}: sensitivity {r['sensitivity']:.2f}, specificity {r['specificity']:.3f}" for c, r in rates.items()]
    src = next(iter(rates.values())).get("source", "")
    return (f"Shown by default: shares corrected for the detector's measured error ({det.get('label', '')}; "
            f"{'; '.join(parts)}; measured by {src}). The series as tagged is one click away.")


def _corpus_summary(corpus: pd.DataFrame | None) -> list[list]:
    if corpus is None or corpus.empty:
        return []
    dates = corpus["date"].dropna().astype(str)
    dates = dates[dates != ""]
    types = corpus["doc_type"].fillna("unknown").value_counts()
    licences = corpus["licence"].fillna("unknown").value_counts()
    out = [["documents", len(corpus)],
           ["dates", f"{dates.min()} – {dates.max()}" if len(dates) else "none"],
           ["undated documents", int(len(corpus) - len(dates))],
           ["document types", ", ".join(f"{k} ({v})" for k, v in types.items())],
           ["licences", ", ".join(f"{k} ({v})" for k, v in licences.items())],
           ["pages", int(pd.to_numeric(corpus["n_pages"], errors="coerce").fillna(0).sum())],
           ["sentences", int(pd.to_numeric(corpus["n_sentences"], errors="coerce").fillna(0).sum())]]
    dup = corpus["duplicate_of"].notna() & (corpus["duplicate_of"].astype(str) != "")
    if dup.any():
        out.append(["near-duplicates", int(dup.sum())])
    return out


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------
def _script_json(obj) -> str:
    """JSON that is safe inside <script type=application/json>: no `<`, `>` or `&` left as such."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_clean)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def encode_evidence(payload: dict) -> str:
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                     default=_clean).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def render_html(meta: dict, figures: dict, evidence: dict, *, title: str) -> str:
    nonce = secrets.token_urlsafe(18)
    plotly_js = PLOTLY_JS.read_text(encoding="utf-8").replace("</script", "<\\/script").replace("<!--", "<\\!--")
    app_js = (TEMPLATES / "dashboard.js").read_text(encoding="utf-8")
    values = {
        "NONCE": nonce, "VERSION": html.escape(__version__), "TITLE": html.escape(title),
        "CSS": (TEMPLATES / "dashboard.css").read_text(encoding="utf-8").replace("</", "<\\/"),
        "META_JSON": _script_json(meta), "FIGURES_JSON": _script_json(figures),
        "EVIDENCE_ENCODING": "gzip+base64", "EVIDENCE_DATA": encode_evidence(evidence),
        "PLOTLY_JS": plotly_js, "APP_JS": app_js,
    }
    template = (TEMPLATES / "dashboard.html").read_text(encoding="utf-8")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)  # one pass: inserted text is never re-read


def write_dashboard(data: DashboardData, out: str | Path) -> Path:
    out = Path(out)
    meta, figures, evidence = build_payload(data)
    page = render_html(meta, figures, evidence, title=data.title)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(page, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        raise ReportError(f"cannot write the dashboard: {exc}", path=str(out)) from exc
    return out


def read_dashboard(path: str | Path) -> tuple[dict, dict, dict]:
    """(meta, figures, evidence) back out of a dashboard file — for tests and for checking a file by hand."""
    text = Path(path).read_text(encoding="utf-8")

    def block(id_: str) -> str:
        m = re.search(rf'<script [^>]*id="{id_}"[^>]*>(.*?)</script>', text, re.S)
        if not m:
            raise ReportError(f"not a policyscope dashboard (no {id_} block)", path=str(path))
        return m.group(1)

    meta = json.loads(block("ps-meta"))
    figures = json.loads(block("ps-figures"))
    evidence = json.loads(gzip.decompress(base64.b64decode(block("ps-evidence").strip())).decode("utf-8"))
    return meta, figures, evidence


# --------------------------------------------------------------------------------------
# from a store + track folder (what `policyscope dashboard` calls)
# --------------------------------------------------------------------------------------
def default_title(concepts: list[str], periods: pd.DataFrame) -> str:
    names = concepts[:3]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else "concepts"
    if periods is not None and not periods.empty:
        first, last = periods["period"].iloc[0], periods["period"].iloc[-1]
        span = f", {first}–{last}" if first != last else f", {first}"
    else:
        span = ""
    return f"Space given to {joined}{span}"


def source_line(data_corpus: pd.DataFrame | None, lexicon: dict, *, extra: str = "") -> str:
    n = 0 if data_corpus is None else len(data_corpus)
    lex = ""
    if lexicon.get("name"):
        lex = f" · lexicon {lexicon['name']}" + (f" v{lexicon['version']}" if lexicon.get("version") else "")
    return (f"Source: policyscope {__version__} analysis of {n} documents{lex}{extra} · "
            f"95% intervals: bootstrap over documents (none for one-document periods) · "
            f"generated {time.strftime('%Y-%m-%d')}")


def build_dashboard(db: str | Path, track: str | Path, out: str | Path, *, topic_timeline: str | Path | None = None,
                    topics_json: str | Path | None = None, title: str | None = None,
                    milestones: list[Milestone] | None = None, min_docs: int | None = None,
                    words: Callable | None = None, progress: Callable[[str], None] | None = None) -> Path:
    """Read the store and a track folder (+ optional topic timeline), write the dashboard file."""
    from policyscope.report.context import dashboard_context  # local: keeps this module store-free for tests
    say = progress or (lambda _msg: None)
    data = dashboard_context(db, track, topic_timeline=topic_timeline, topics_json=topics_json, title=title,
                             milestones=milestones, min_docs=min_docs, words=words, progress=say)
    say("writing the HTML file")
    return write_dashboard(data, out)
