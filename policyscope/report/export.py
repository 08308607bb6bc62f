"""The publication bundle for one chart: the journalist's kit.

    <chart>.png / <chart>.svg   static images (title, axis labels, legend, source line and date),
                                rendered by kaleido with the local Chromium (never downloaded)
    <chart>.html                the interactive chart, self-contained, every point -> its sentences
    <chart>.csv                 the numbers behind the chart (one row per plotted point)
    evidence.csv                every sentence behind those points, with a citation per row
    sources.csv                 the documents cited: authors, publisher, date, type, licence, URL
    run.json                    provenance: versions, inputs, lexicon, parameters, the track run it came from
    README.txt                  what each file is and how to cite it
"""
from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from policyscope import __version__
from policyscope.errors import ReportError
from policyscope.report import figures as F
from policyscope.report.browser import chromium_path
from policyscope.report.dashboard import DashboardData, doc_citation_prefix, write_dashboard
from policyscope.report.figure_data import ALL, EVIDENCE_COLUMNS, measure_help, measure_label, restrict_series

CHARTS = ("concept-share", "dispersion", "topic-timeline")
STATIC_WIDTH, STATIC_HEIGHT, STATIC_SCALE = 1200, 675, 2


# --------------------------------------------------------------------------------------
# static images through kaleido + local Chromium
# --------------------------------------------------------------------------------------
def render_static(figs: list[tuple[object, Path]], *, width: int = STATIC_WIDTH, height: int = STATIC_HEIGHT,
                  scale: float = STATIC_SCALE, formats: tuple[str, ...] = ("png", "svg"),
                  timeout: float = 120) -> list[Path]:
    """Write <stem>.<fmt> for each (figure, stem) with one Chromium session. Returns the files written."""
    try:
        import kaleido
    except ImportError as exc:
        raise ReportError("kaleido is not installed (needed for PNG/SVG)",
                          hint="pip install 'kaleido>=1', or pass --no-images") from exc
    browser = chromium_path()
    written: list[Path] = []

    async def run():
        # mathjax=False: the default page would fetch MathJax from a CDN; plotly.js comes from the
        # installed plotly package, so nothing leaves the machine.
        async with kaleido.Kaleido(n=1, path=browser, mathjax=False, timeout=timeout) as k:
            for fig, stem in figs:
                for fmt in formats:
                    data = await k.calc_fig(fig, opts={"format": fmt, "width": width, "height": height,
                                                       "scale": scale if fmt == "png" else 1})
                    path = Path(f"{stem}.{fmt}")
                    path.write_bytes(data)
                    written.append(path)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(run())
    else:  # called from inside an event loop (e.g. a notebook): run in a thread
        errors: list[BaseException] = []
        t = threading.Thread(target=lambda: _run_catching(run, errors))
        t.start()
        t.join()
        if errors:
            raise errors[0]
    return written


def _run_catching(coro_fn, errors):
    try:
        asyncio.run(coro_fn())
    except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
        errors.append(exc)


# --------------------------------------------------------------------------------------
# run.json
# --------------------------------------------------------------------------------------
def write_bundle_run_json(folder: Path, *, parameters: dict, store_path: str | Path | None, extra: dict) -> Path:
    """run.json through policyscope.runinfo (issue 3) when it exists, else the same shape written here."""
    try:
        from policyscope.runinfo import write_run_json as shared
    except ImportError:
        shared = None
    if shared is not None:
        from policyscope.store import open_store
        with open_store(store_path) as store:
            result = shared(folder, parameters=parameters, store=store, lexicon=None, seeds=None, extra=extra)
        return Path(result) if result else folder / "run.json"
    import platform
    libs = {"python": platform.python_version()}
    for name in ("plotly", "kaleido", "pandas", "numpy"):
        try:
            import importlib.metadata as md
            libs[name] = md.version(name)
        except Exception:  # noqa: BLE001
            libs[name] = "not installed"
    inputs = {}
    if store_path:
        from policyscope.store import open_store
        with open_store(store_path) as store:
            docs = store.documents()
            inputs = {"store": str(store_path), "corpus_hash": store.corpus_hash(), "documents": len(docs),
                      "files": [{"doc_id": d["doc_id"], "path": d["path"], "sha256": d["sha256"]} for d in docs]}
    info = {"tool": "policyscope", "package_version": __version__, "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "inputs": inputs, "lexicon": extra.get("lexicon"), "parameters": parameters, "seeds": {},
            "libraries": libs}
    info.update(extra)
    path = folder / "run.json"
    path.write_text(json.dumps(info, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------
# the bundle
# --------------------------------------------------------------------------------------
def _citations(evidence: pd.DataFrame, corpus: pd.DataFrame | None) -> list[str]:
    """cite.sentence_citation for every evidence row (store metadata when the corpus table has it)."""
    from policyscope.citation import sentence_citation
    docs = corpus.set_index("doc_id") if corpus is not None and not corpus.empty else None
    meta = {}
    for d, g in evidence.groupby("doc_id"):
        first = g.iloc[0]
        row = {"doc_id": d, "title": first["title"], "date": first["date"]}
        if docs is not None and d in docs.index:
            for k in ("authors", "publisher", "title", "date", "n_pages", "source_url"):
                v = docs.at[d, k]
                if pd.notna(v) and v not in ("", None):
                    row[k] = v
        meta[d] = row
    return [sentence_citation(meta[d], p, s) for d, p, s in zip(evidence["doc_id"], evidence["page"],
                                                                 evidence["sentence_id"])]


def _sources(evidence: pd.DataFrame, corpus: pd.DataFrame | None) -> pd.DataFrame:
    counts = evidence.groupby("doc_id")["sentence_id"].nunique().rename("n_sentences_cited")
    cols = ["doc_id", "title", "authors", "publisher", "date", "doc_type", "licence", "source_url"]
    if corpus is not None and not corpus.empty:
        src = corpus[corpus["doc_id"].isin(counts.index)][cols]
    else:
        src = evidence.drop_duplicates("doc_id")[["doc_id", "title", "date", "doc_type"]]
    src = src.merge(counts, left_on="doc_id", right_index=True, how="left")
    src["citation"] = [doc_citation_prefix(r) for r in src.to_dict("records")]
    return src.sort_values(["date", "title"], na_position="last")


def export_bundle(data: DashboardData, out: str | Path, *, chart: str = "concept-share", measure: str | None = None,
                  doc_type: str = ALL, concepts: list[str] | None = None, title: str | None = None,
                  images: bool = True, width: int = STATIC_WIDTH, height: int = STATIC_HEIGHT,
                  scale: float = STATIC_SCALE, store_path: str | Path | None = None, parameters: dict | None = None,
                  progress=None) -> list[Path]:
    """Write the bundle for one chart into `out`; returns the files written."""
    say = progress or (lambda _m: None)
    if chart not in CHARTS:
        raise ReportError(f"unknown chart {chart!r}", hint=f"choose one of: {', '.join(CHARTS)}")
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot create the bundle folder: {exc}", path=str(out)) from exc
    s = data.series
    stamp = time.strftime("%Y-%m-%d")
    files: list[Path] = []
    if chart == "concept-share":
        # the error-corrected share when track measured the detector's error, as the dashboard shows first
        measure = measure or next((m for m in ("sentence_share_corrected", "sentence_share") if m in s.measures),
                                  s.measures[0])
        if measure not in s.measures:
            raise ReportError(f"measure {measure!r} is not in concept_share.csv",
                              hint=f"choose one of: {', '.join(s.measures)}")
        if doc_type not in s.doc_types:
            raise ReportError(f"doc_type {doc_type!r} is not in concept_share.csv",
                              hint=f"choose one of: {', '.join(s.doc_types)}")
        if concepts:
            unknown = [c for c in concepts if c not in s.concepts and c not in set(s.frame["concept"])]
            if unknown:
                raise ReportError(f"unknown concept(s): {', '.join(unknown)}",
                                  hint=f"concepts: {', '.join(s.concepts)}")
        sub = restrict_series(s, measures=[measure], doc_types=[doc_type], concepts=concepts)
        view = sub.view(measure, doc_type)
        subtitle = f"{measure_label(measure)}: {measure_help(measure)}".rstrip(": ")
        if doc_type != ALL:
            subtitle += f" · {doc_type} documents only"
        fig = F.concept_share_figure(view, concepts=sub.concepts, milestones=data.milestones, min_docs=sub.min_docs,
                                     title=title or data.title, subtitle=subtitle,
                                     source=data.source_line or None, height=height)
        fig.update_layout(width=width, height=height)
        say("writing the CSV behind the chart")
        table = view.drop(columns=["quotes", "hover_quotes", "key", "x", "measure_label"], errors="ignore").rename(
            columns={"x_start": "period_start_decimal", "x_end": "period_end_decimal"})
        table.insert(0, "point_id", view["key"].values)
        csv_path = out / f"{chart}.csv"
        table.to_csv(csv_path, index=False)
        files.append(csv_path)
        evidence = sub.evidence.copy()
        key_of = {}
        for k, idx in sub.points.items():
            for i in idx:
                key_of.setdefault(int(i), k)
        evidence["point_id"] = [key_of.get(i, "") for i in range(len(evidence))]
        html_data = replace(data, series=sub, dispersion=None, topics=None, collocates=None, keyness=None,
                            default_measure=measure, title=title or data.title)
    elif chart == "dispersion":
        if data.dispersion is None or data.dispersion.frame.empty:
            raise ReportError("no dispersion data (no hits in the store)")
        d = data.dispersion
        fig = F.dispersion_figure(d.frame, d.documents, concepts=s.concepts, title=title,
                                  n_documents_with_hits=d.n_documents_with_hits, note=d.unit_note,
                                  source=data.source_line)
        height = max(height, int(fig.layout.height or height))
        fig.update_layout(width=width, height=height)
        table = d.frame.drop(columns=["quotes"]).rename(columns={"key": "point_id", "x": "position_pct"})
        csv_path = out / f"{chart}.csv"
        table.to_csv(csv_path, index=False)
        files.append(csv_path)
        used = sorted({int(i) for idx in d.points.values() for i in idx})
        evidence = s.evidence.iloc[used].copy()
        key_of = {int(i): k for k, idx in d.points.items() for i in idx}
        evidence["point_id"] = [key_of.get(i, "") for i in used]
        evidence = evidence.reset_index(drop=True)
        html_data = replace(data, topics=None, collocates=None, keyness=None)
    else:  # topic-timeline
        if data.topics is None:
            raise ReportError("no topic timeline given", hint="pass --topics NAME (and/or --topic-timeline DIR)")
        tf = data.topics.frame
        if "measure" in tf.columns:
            tm = "document_weighted" if "document_weighted" in set(tf["measure"]) else tf["measure"].iloc[0]
            tf = tf[tf["measure"] == tm]
        fig = F.topic_timeline_figure(tf, title=title or f"Topics over time ({data.topics.name})",
                                      source=data.source_line, milestones=data.milestones)
        fig.update_layout(width=width, height=height)
        csv_path = out / f"{chart}.csv"
        tf.drop(columns=["x"], errors="ignore").rename(columns={"key": "point_id"}).to_csv(csv_path, index=False)
        files.append(csv_path)
        rows = []
        for t in data.topics.topics:
            for p in t.get("passages", []):
                rows.append({"topic": t["topic"], "label": t.get("label"), "passage_id": p.get("id"),
                             "title": p.get("title"), "date": p.get("date"), "page": p.get("page"),
                             "text": p.get("text"), "citation": p.get("citation")})
        evidence = pd.DataFrame(rows)
        html_data = replace(data, dispersion=None, collocates=None, keyness=None)

    say("writing evidence.csv and sources.csv")
    ev_path = out / "evidence.csv"
    if chart == "topic-timeline":
        evidence.to_csv(ev_path, index=False)
        sources = None
    else:
        cols = [c for c in ("point_id", *EVIDENCE_COLUMNS, "period") if c in evidence.columns]
        ev_out = evidence[cols].copy()
        ev_out["citation"] = _citations(ev_out, data.corpus)
        ev_out.to_csv(ev_path, index=False)
        sources = _sources(ev_out, data.corpus)
        src_path = out / "sources.csv"
        sources.to_csv(src_path, index=False)
        files.append(src_path)
    files.append(ev_path)

    say("writing the interactive HTML")
    files.append(write_dashboard(html_data, out / f"{chart}.html"))
    if images:
        say("rendering PNG and SVG with Chromium")
        files.extend(render_static([(fig, out / chart)], width=width, height=height, scale=scale))
    fig_json = out / f"{chart}.plotly.json"
    fig_json.write_text(fig.to_json(), encoding="utf-8")
    files.append(fig_json)

    readme = out / "README.txt"
    readme.write_text(_readme(chart, data, measure if chart == "concept-share" else None, doc_type, images, stamp,
                              n_evidence=len(evidence), sources=sources), encoding="utf-8")
    files.append(readme)
    params = {"command": "export", "chart": chart, "measure": measure, "doc_type": doc_type,
              "concepts": concepts, "width": width, "height": height, "scale": scale, "images": images,
              **(parameters or {})}
    extra = {"kind": "export_bundle", "chart": chart, "files": sorted(p.name for p in files) + ["run.json"],
             "lexicon": data.lexicon and {k: data.lexicon.get(k) for k in ("name", "version", "path", "sha256")},
             "track_run": data.runs.get("track run.json"), "topics_run": data.runs.get("topics run.json"),
             "milestones": [{"date": m.date, "label": m.label} for m in data.milestones]}
    files.append(write_bundle_run_json(out, parameters=params, store_path=store_path, extra=extra))
    return files


def _readme(chart, data: DashboardData, measure, doc_type, images, stamp, *, n_evidence: int, sources) -> str:
    lines = [f"policyscope {__version__} — export bundle for the chart '{chart}', made {stamp}.", ""]
    lines.append(f"Title: {data.title}")
    if measure:
        lines.append(f"Measure: {measure_label(measure)} — {measure_help(measure)}")
        from policyscope.report.dashboard import correction_note
        if measure.partition(":")[0].endswith("_corrected") and correction_note(data.series.run):
            lines.append(correction_note(data.series.run).replace("Shown by default: shares", "Shares")
                         .replace(" The series as tagged is one click away.", "")
                         + f" The tagged series: `--measure {measure.replace('_corrected', '')}`.")
        lines.append(f"Document types: {'all' if doc_type == ALL else doc_type}")
    if data.lexicon.get("name"):
        lines.append(f"Lexicon: {data.lexicon['name']} {data.lexicon.get('version') or ''}".rstrip())
    lines += ["", "Files:"]
    if images:
        lines.append(f"  {chart}.png, {chart}.svg  static chart with title, axis labels, legend, source line and date")
    lines += [f"  {chart}.html  the interactive chart, one file, works offline: click a point for its sentences",
              f"  {chart}.csv   the numbers behind the chart, one row per point (point_id links to evidence.csv)",
              f"  evidence.csv  {n_evidence} rows: every sentence behind the chart, with document, date, page and a "
              "citation",
              "  sources.csv   the documents quoted, with authors, publisher, date, type, licence and URL"
              if sources is not None else "  (topic charts: evidence.csv lists each topic's representative passages)",
              f"  {chart}.plotly.json  the figure as Plotly JSON (to restyle it)",
              "  run.json      provenance: package and library versions, input hashes, lexicon, parameters",
              "", "Citing a sentence: use the citation column of evidence.csv (author, title, date, page and the "
              "sentence id, which `policyscope show DOC_ID --page N` opens in the store).",
              "Licences differ between documents (sources.csv): check before quoting at length or republishing.",
              "Thin periods (few documents) are marked on the chart and flagged in the CSV (thin=True)."]
    return "\n".join(lines) + "\n"
