"""`policyscope serve`: a local Dash app over the store.

Pick a concept (the lexicon's exact hits, through `track`) or type any query (through `kwic`), and
see its timeline with intervals, its KWIC lines and the citations live; switch lexicon, period
size, measure and doc_type. Click a point for the sentences behind it. Numbers come from the
analysis layer (track for concepts; kwic matches over scan denominators with the same bootstrap
for queries). Binds 127.0.0.1 by default: the store's text is not exposed to the network unless
--host says so. Dash serves its own JavaScript from the installed package (no CDN).
"""
from __future__ import annotations

import functools
import tempfile
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from policyscope import __version__
from policyscope.errors import PolicyscopeError, ReportError
from policyscope.report import figures as F
from policyscope.report.figure_data import (ALL, TrackOutputs, concept_share_series, measure_help, measure_label)
from policyscope.store import open_store

PERIODS = [("year", "year"), ("2y", "2 years"), ("5y", "5 years"), ("10y", "10 years")]
BASE_MEASURES = ("sentence_share", "rate", "doc_reach")
MAX_ROWS = 200
N_BOOT = 200


def lexicon_files(extra: str | None = None) -> list[str]:
    from policyscope.analyse.lexicon import REPO_ROOT
    files = sorted(str(p) for p in (Path(REPO_ROOT) / "models" / "concepts").glob("*.yaml"))
    if extra:
        from policyscope.analyse.lexicon import resolve_lexicon_path
        path = str(resolve_lexicon_path(extra))
        if path not in files:
            files.insert(0, path)
    return files


class Engine:
    """Cached analysis for the app: one track run per (lexicon, period size), one query series per query."""

    def __init__(self, db: str | Path, workdir: str | Path | None = None):
        self.db = str(db)
        self._tmp = tempfile.TemporaryDirectory(prefix="policyscope-serve-") if workdir is None else None
        self.workdir = Path(workdir or self._tmp.name)
        self._lock = threading.Lock()
        with open_store(self.db) as store:  # fail early, with the store's own message, if it is missing
            docs = store.documents()
            self.doc_types = sorted({d["doc_type"] or "unknown" for d in docs})
            self.n_docs = len(docs)
            self.docs = {d["doc_id"]: {k: d[k] for k in d.keys()} for d in docs}

    @functools.lru_cache(maxsize=16)
    def concept_series(self, lexicon: str, by: str):
        from policyscope.analyse.track import TrackOptions, run_track
        from policyscope.report.figure_data import load_track
        folder = self.workdir / f"track-{abs(hash((lexicon, by)))}"
        with self._lock:
            run_track(self.db, folder, TrackOptions(lexicon=lexicon, by=by, by_doc_type=True, bootstrap=N_BOOT))
        with open_store(self.db) as store:
            return concept_share_series(load_track(folder), store=store)

    @functools.lru_cache(maxsize=64)
    def query_series(self, query: str, by: str):
        with open_store(self.db) as store:
            return concept_share_series(query_track(store, query, by=by), store=store)

    def close(self):
        if self._tmp is not None:
            self._tmp.cleanup()


def query_track(store, query: str, *, by: str = "year", sections=("body",), n_boot: int = N_BOOT,
                seed: int = 0, min_docs: int = 3) -> TrackOutputs:
    """A one-'concept' track output for a free query: kwic matches over track's denominators and bootstrap."""
    from policyscope.analyse.bootstrap import bootstrap_indices, group_rng, interval
    from policyscope.analyse.kwic import kwic
    from policyscope.analyse.measures import Ratio
    from policyscope.analyse.periods import PeriodScheme
    from policyscope.analyse.scan import build_scope

    scope = build_scope(store, PeriodScheme(by), tuple(sections), False)
    docs = scope.docs
    if docs.empty:
        raise ReportError("no dated documents in the store", path=str(store.path))
    res = kwic(store, query, window=0, sections=sections)
    info = docs.set_index("doc_id")
    rows = []
    for ln in res.lines:
        if ln.doc_id not in info.index:
            continue
        d = info.loc[ln.doc_id]
        rows.append({"concept": query, "term": query, "doc_id": ln.doc_id, "title": ln.title, "date": ln.date,
                     "doc_type": ln.doc_type or "unknown", "page": ln.page, "sentence_id": ln.sentence_id,
                     "sentence": ln.sentence, "matched": ln.keyword, "period": d["period"]})
    evidence = pd.DataFrame(rows, columns=["concept", "term", "doc_id", "title", "date", "doc_type", "page",
                                           "sentence_id", "sentence", "matched", "period"])
    per_doc_sents = evidence.groupby("doc_id")["sentence_id"].nunique()
    per_doc_hits = evidence.groupby("doc_id").size()
    share_rows = []
    groups = [(ALL, docs)] + [(t, g) for t, g in docs.groupby("doc_type", sort=True)]
    for doc_type, gdocs in groups:
        for period, pdocs in gdocs.groupby("period", sort=False):
            pdocs = pdocs.reset_index(drop=True)
            n = len(pdocs)
            sents = pdocs["n_sentences"].to_numpy(float)
            toks = pdocs["n_tokens"].to_numpy(float)
            s_hit = pdocs["doc_id"].map(per_doc_sents).fillna(0).to_numpy(float)
            h_hit = pdocs["doc_id"].map(per_doc_hits).fillna(0).to_numpy(float)
            rng = group_rng(seed, str(period), str(doc_type))
            idx = bootstrap_indices(n, n_boot, rng) if n_boot > 0 and n >= 2 else None
            for r in (Ratio(query, "sentence_share", s_hit, sents), Ratio(query, "rate", h_hit, toks),
                      Ratio(query, "doc_reach", (h_hit > 0).astype(float), np.ones(n))):
                lo, hi = interval(r, "pooled", idx)
                share_rows.append({"period": period, "period_start": int(pdocs["period_start"].iloc[0]),
                                   "period_end": int(pdocs["period_end"].iloc[0]), "doc_type": doc_type,
                                   "concept": query, "measure": r.measure, "weighting": "pooled",
                                   "value": r.pooled(), "ci_low": lo, "ci_high": hi, "n_docs": n,
                                   "n_sentences": int(sents.sum()), "n_tokens": int(toks.sum()),
                                   "thin": n < min_docs})
    share = pd.DataFrame(share_rows)
    run = {"lexicon": {"name": f"query: {query}"}, "parameters": {"by": by, "sections": list(sections),
                                                                  "bootstrap": n_boot, "query": query,
                                                                  "kwic_mode": res.mode}}
    return TrackOutputs(share=share, evidence=evidence, run=run)


# --------------------------------------------------------------------------------------
# the Dash app
# --------------------------------------------------------------------------------------
def create_app(db: str | Path, *, lexicon: str | None = None, engine: Engine | None = None):
    try:
        import dash
        from dash import Input, Output, State, dcc, html
    except ImportError as exc:
        raise ReportError("Dash is not installed", hint="pip install 'policyscope[app]' (dash>=2.16)") from exc
    from policyscope.analyse.lexicon import load_lexicon

    from policyscope.report.milestones import load_milestones
    engine = engine or Engine(db)
    milestones = load_milestones()
    lex_files = lexicon_files(lexicon)
    default_lex = lex_files[0] if lexicon else next((f for f in lex_files if f.endswith("social_care.yaml")),
                                                    lex_files[0] if lex_files else None)
    if default_lex is None:
        raise ReportError("no lexicon found", hint="pass --lexicon models/concepts/NAME.yaml")

    app = dash.Dash(__name__, title="policyscope", serve_locally=True, update_title=None,
                    suppress_callback_exceptions=True)
    app.server.config["policyscope_engine"] = engine
    label_style = {"display": "flex", "flexDirection": "column", "fontSize": "0.85rem", "color": "#555",
                   "minWidth": "170px", "flex": "1 1 170px"}

    def control(label, comp):
        return html.Label([label, comp], style=label_style)

    app.layout = html.Div([
        html.H1("policyscope: concepts over time", style={"fontSize": "1.4rem", "margin": "8px 0"}),
        html.P(f"{engine.n_docs} documents in {Path(str(db)).name}. Pick a concept or type a query; click a "
               "point for the sentences behind it.", style={"color": "#555"}),
        html.Div([
            control("Look at", dcc.RadioItems(id="mode", value="concept", inline=True,
                                              options=[{"label": " concept ", "value": "concept"},
                                                       {"label": " query ", "value": "query"}])),
            control("Lexicon", dcc.Dropdown(id="lexicon", value=default_lex, clearable=False,
                                            options=[{"label": Path(f).stem, "value": f} for f in lex_files])),
            control("Concept", dcc.Dropdown(id="concept", clearable=False)),
            control("Query (word, phrase, glob*)", dcc.Input(id="query", type="text", debounce=True,
                                                             placeholder="e.g. personal budget*",
                                                             style={"padding": "6px"})),
            control("Period", dcc.Dropdown(id="by", value="year", clearable=False,
                                           options=[{"label": lab, "value": v} for v, lab in PERIODS])),
            control("Measure", dcc.Dropdown(id="measure", value="sentence_share", clearable=False,
                                            options=[{"label": measure_label(m), "value": m}
                                                     for m in BASE_MEASURES])),
            control("Document type", dcc.Dropdown(id="doc_type", value=ALL, clearable=False,
                                                  options=[{"label": "all types", "value": ALL}] +
                                                  [{"label": t, "value": t} for t in engine.doc_types])),
        ], style={"display": "flex", "flexWrap": "wrap", "gap": "10px 16px", "alignItems": "flex-end"}),
        html.P(id="status", role="status", style={"color": "#555", "fontSize": "0.9rem"}),
        dcc.Loading(dcc.Graph(id="timeline", config={"displaylogo": False, "responsive": True},
                              style={"height": "520px"})),
        html.H2(id="evidence-title", children="KWIC lines", style={"fontSize": "1.1rem"}),
        html.Div(id="evidence", style={"overflowX": "auto"}),
        html.P(f"policyscope {__version__} · local app · nothing is sent anywhere", style={
            "color": "#777", "fontSize": "0.8rem", "marginTop": "24px"}),
    ], style={"maxWidth": "1180px", "margin": "0 auto", "padding": "0 12px",
              "fontFamily": F.FONT})

    @app.callback(Output("concept", "options"), Output("concept", "value"), Input("lexicon", "value"),
                  State("concept", "value"))
    def _concepts(lex, current):
        names = load_lexicon(lex).concept_names
        return [{"label": n, "value": n} for n in names], current if current in names else names[0]

    def _series(mode, lex, concept, query, by):
        if mode == "query":
            if not (query or "").strip():
                return None, None
            return engine.query_series(query.strip(), by), query.strip()
        return engine.concept_series(lex, by), concept

    @app.callback(Output("timeline", "figure"), Output("status", "children"), Output("evidence", "children"),
                  Output("evidence-title", "children"),
                  Input("mode", "value"), Input("lexicon", "value"), Input("concept", "value"),
                  Input("query", "value"), Input("by", "value"), Input("measure", "value"),
                  Input("doc_type", "value"))
    def _timeline(mode, lex, concept, query, by, measure, doc_type):
        try:
            series, name = _series(mode, lex, concept, query, by)
        except PolicyscopeError as exc:
            return F.go.Figure(), f"error: {exc}", None, "KWIC lines"
        if series is None:
            return F.go.Figure(), "Type a query (a word, a phrase or a glob such as personalis*).", None, "KWIC lines"
        view = series.view(measure, doc_type)
        view = view[view["concept"] == name]
        fig = F.concept_share_figure(view, concepts=[name], min_docs=series.min_docs, milestones=milestones,
                                     title=f"{name}: {measure_label(measure)}", subtitle=measure_help(measure),
                                     height=500)
        rows = series.evidence[series.evidence["concept"] == name]
        if doc_type != ALL:
            rows = rows[rows["doc_type"] == doc_type]
        status = (f"{rows['sentence_id'].nunique()} sentences ({len(rows)} hits) in {rows['doc_id'].nunique()} "
                  f"documents · {len(view)} periods · bands: 95% bootstrap over documents")
        return (fig, status, evidence_table(rows, limit=50, docs=engine.docs),
                f"KWIC lines for {name} (click a point to narrow)")

    @app.callback(Output("evidence", "children", allow_duplicate=True),
                  Output("evidence-title", "children", allow_duplicate=True),
                  Input("timeline", "clickData"),
                  State("mode", "value"), State("lexicon", "value"), State("concept", "value"),
                  State("query", "value"), State("by", "value"), prevent_initial_call=True)
    def _click(click, mode, lex, concept, query, by):
        if not click or not click.get("points"):
            raise dash.exceptions.PreventUpdate
        cd = click["points"][0].get("customdata")
        if not cd or not cd[0]:
            raise dash.exceptions.PreventUpdate
        series, _name = _series(mode, lex, concept, query, by)
        rows = series.rows_for(str(cd[0]))
        parts = str(cd[0]).split("|")
        title = f"{len(rows.drop_duplicates('sentence_id'))} sentences behind {parts[1]} · {parts[2]}" + (
            f" · {parts[3]}" if len(parts) > 3 and parts[3] != ALL else "")
        return evidence_table(rows, docs=engine.docs), title

    return app


def evidence_table(rows: pd.DataFrame, limit: int = MAX_ROWS, docs: dict | None = None):
    """KWIC lines with citations as an HTML table. Dash renders strings as text (document text stays inert)."""
    from dash import html

    from policyscope.citation import sentence_citation
    from policyscope.report.figure_data import kwic_split
    if rows is None or rows.empty:
        return html.P("No sentences.")
    rows = rows.drop_duplicates("sentence_id")
    shown = rows.head(limit)
    head = html.Tr([html.Th(h) for h in ("Date", "Document, page", "Left", "Term", "Right", "Citation")])
    body = []
    for r in shown.itertuples(index=False):
        left, match, right = kwic_split(r.sentence, r.matched)
        doc = (docs or {}).get(r.doc_id) or {"title": r.title, "date": r.date}
        cite = sentence_citation(doc, r.page, r.sentence_id)
        body.append(html.Tr([html.Td(str(r.date or "n.d.")), html.Td(f"{r.title}, p. {r.page}"),
                             html.Td(left[-90:], style={"textAlign": "right", "color": "#555"}),
                             html.Td(match, style={"fontWeight": "bold"}),
                             html.Td(right[:90], style={"color": "#555"}),
                             html.Td(cite, style={"fontSize": "0.8rem", "color": "#555"})],
                            **{"data-sentence-id": r.sentence_id}))
    note = html.P(f"Showing {len(shown)} of {len(rows)} sentences." + (
        " Narrow the selection (click a point, pick a doc_type) to see the rest." if len(rows) > limit else ""),
        style={"color": "#555", "fontSize": "0.85rem"})
    return [note, html.Table([html.Thead(head), html.Tbody(body)],
                             style={"borderCollapse": "collapse", "width": "100%", "fontSize": "0.9rem"})]


def make_server(db, *, lexicon=None, host: str = "127.0.0.1", port: int = 8050):
    """(werkzeug server, app): the caller runs server.serve_forever() and stops it with server.shutdown()."""
    import logging

    from werkzeug.serving import make_server as mk
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = create_app(db, lexicon=lexicon)
    return mk(host, port, app.server, threaded=True), app


def serve(db, *, lexicon=None, host: str = "127.0.0.1", port: int = 8050, debug: bool = False, echo=print) -> None:
    if debug:
        app = create_app(db, lexicon=lexicon)
        echo(f"policyscope app (debug) on http://{host}:{port}/  (Ctrl+C stops it)")
        app.run(host=host, port=port, debug=True)
        return
    server, _app = make_server(db, lexicon=lexicon, host=host, port=port)
    if host not in ("127.0.0.1", "localhost", "::1"):
        echo(f"warning: serving on {host}: anyone who can reach this machine can read the store's text")
    echo(f"policyscope app on http://{host}:{server.server_port}/  (Ctrl+C stops it)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        echo("stopped")
    finally:
        server.server_close()
