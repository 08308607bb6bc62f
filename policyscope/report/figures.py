"""Figures: one function per figure, tidy DataFrame in, go.Figure out. No I/O, no numbers made here.

Every trace that carries evidence has ``meta={"role": "points", ...}`` and each point's
``customdata[0]`` is its evidence key (see figure_data); bands, thin-period marks and
milestones have other roles and no evidence. Colours are Okabe–Ito (colour-blind safe), and
each concept also gets its own marker symbol and dash so the lines part without colour.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from policyscope.report.figure_data import ALL, hover_escape, is_percent, measure_label

# Okabe & Ito (2008), ordered for contrast between neighbours; yellow last (weak on white).
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash"]
FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
GRID = "#e5e5e5"
THIN_FILL = "rgba(120,120,120,0.10)"


def concept_colors(concepts: Sequence[str]) -> dict[str, str]:
    return {c: OKABE_ITO[i % len(OKABE_ITO)] for i, c in enumerate(concepts)}


def concept_styles(concepts: Sequence[str]) -> dict[str, dict]:
    return {c: {"color": OKABE_ITO[i % len(OKABE_ITO)], "symbol": SYMBOLS[i % len(SYMBOLS)],
                "dash": DASHES[i % len(DASHES)]} for i, c in enumerate(concepts)}


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def base_layout(fig: go.Figure, *, title: str | None, subtitle: str | None = None, source: str | None = None,
                height: int | None = None, shapes: list | None = None, annotations: list | None = None,
                **extra) -> go.Figure:
    """Apply the house style (layout_dict) to an existing figure, keeping its shapes and annotations."""
    layout = layout_dict(title=title, subtitle=subtitle, source=source, height=height,
                         shapes=list(fig.layout.shapes or []) + list(shapes or []),
                         annotations=list(fig.layout.annotations or []) + list(annotations or []), **extra)
    fig.update_layout(**layout)
    return fig


def layout_dict(*, title: str | None, subtitle: str | None = None, source: str | None = None,
                height: int | None = None, shapes: list | None = None, annotations: list | None = None,
                **extra) -> dict:
    """House style: readable title, white background, light grid, legend on top, optional source line.
    template="none" keeps figures small and fast (no 10 kB theme per figure)."""
    axis = {"gridcolor": GRID, "zeroline": False, "showline": True, "linecolor": "#888", "ticks": "outside",
            "automargin": True, "showgrid": True}
    annotations = list(annotations or [])
    if source:
        annotations.append({"text": source, "xref": "paper", "yref": "paper", "x": 0, "y": 0,
                            "yshift": -72 if subtitle else -70, "xanchor": "left", "yanchor": "top",
                            "showarrow": False, "align": "left", "font": {"size": 10, "color": "#555"},
                            "name": "source"})
    layout = dict(
        template="none",
        font={"family": FONT, "size": 13, "color": "#222"},
        title={"text": title or "", "x": 0.0, "xref": "paper", "xanchor": "left", "y": 0.98, "yanchor": "top",
               "font": {"size": 18}, **({"subtitle": {"text": subtitle, "font": {"size": 12, "color": "#555"}}}
                                         if subtitle else {})},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0.0, "xanchor": "left",
                "font": {"size": 12}, "bgcolor": "rgba(255,255,255,0.8)"},
        margin={"l": 64, "r": 24, "t": 110 if subtitle else 90, "b": 92 if source else 56},
        hoverlabel={"align": "left", "font": {"family": FONT, "size": 12}, "namelength": -1, "bgcolor": "white"},
        hovermode="closest", paper_bgcolor="white", plot_bgcolor="white", height=height,
        xaxis=dict(axis), yaxis=dict(axis), colorway=OKABE_ITO,
    )
    layout["shapes"] = list(shapes or [])
    layout["annotations"] = annotations
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(layout.get(k), dict):
            layout[k] = {**layout[k], **v}
        else:
            layout[k] = v
    return layout


# --------------------------------------------------------------------------------------
# concept share over time
# --------------------------------------------------------------------------------------
def concept_share_figure(frame: pd.DataFrame, *, concepts: Sequence[str] | None = None, milestones: Iterable = (),
                         min_docs: int = 3, title: str | None = None, subtitle: str | None = None,
                         source: str | None = None, height: int | None = 520, bands: bool = True) -> go.Figure:
    """Lines with interval bands, one per concept, for one measure and doc_type.

    frame: rows of SeriesData.frame for a single (measure, doc_type): period, concept, x, x_start,
    x_end, value, ci_low, ci_high, n_docs, thin, key, n_evidence_sentences, hover_quotes.
    """
    traces: list[dict] = []
    if frame.empty:
        return go.Figure(layout=layout_dict(title=title or "No data", subtitle=subtitle, source=source,
                                            height=height,
                                            annotations=[{"text": "No points for this selection", "showarrow": False,
                                                          "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}]))
    measure = str(frame["measure"].iloc[0])
    doc_type = str(frame["doc_type"].iloc[0]) if "doc_type" in frame.columns else ALL
    pct = is_percent(measure)
    fmt = ".1%" if pct else ",.2f"
    concepts = list(concepts or dict.fromkeys(frame["concept"]))
    concepts = [c for c in concepts if c in set(frame["concept"])] + \
        [c for c in dict.fromkeys(frame["concept"]) if c not in set(concepts)]
    styles = concept_styles(concepts)

    # thin periods: shaded, with a legend entry that explains the hollow markers
    thin = frame.groupby("period").agg(thin=("thin", "any"), x0=("x_start", "first"), x1=("x_end", "first"),
                                       n_docs=("n_docs", "max"))
    shapes = [{"type": "rect", "x0": r["x0"], "x1": r["x1"], "y0": 0, "y1": 1, "xref": "x", "yref": "paper",
               "fillcolor": THIN_FILL, "line": {"width": 0}, "layer": "below", "name": "thin"}
              for _, r in thin[thin["thin"]].iterrows()]
    if thin["thin"].any():
        traces.append(dict(type="scatter", x=[None], y=[None], mode="markers",
                           name=f"thin period (< {min_docs} documents)",
                           marker={"symbol": "circle-open", "size": 10, "color": "#555", "line": {"width": 2}},
                           hoverinfo="skip", meta={"role": "legend"}))

    for c in concepts:
        d = _with_gaps(frame[frame["concept"] == c].sort_values("x"))
        st = styles[c]
        real = d["key"].astype(bool)
        isolated = _isolated(d)
        if bands and d["ci_low"].notna().any():
            xs, ys = [], []
            for run in _runs(d):
                b = run.dropna(subset=["ci_low", "ci_high"])
                if len(b) < 2:
                    continue
                xs += list(b["x"]) + list(b["x"])[::-1] + [None]
                ys += list(b["ci_high"]) + list(b["ci_low"])[::-1] + [None]
            if xs:
                traces.append(dict(
                    type="scatter", x=xs, y=ys, fill="toself", fillcolor=_rgba(st["color"], 0.18),
                    line={"width": 0}, mode="lines", hoverinfo="skip", showlegend=False, legendgroup=c,
                    name=f"{c}: interval", meta={"role": "band", "concept": c}))
        symbols = [st["symbol"] + ("-open" if t else "") for t in d["thin"]]
        thin_note = ["<br><b>thin period</b>: only %d document%s" % (n, "" if n == 1 else "s") if t else ""
                     for t, n in zip(d["thin"], d["n_docs"].fillna(0).astype(int))]
        quotes = [(q + "<br><i>click the point for all its sentences</i>") if q else "<i>no sentences</i>"
                  for q in d["hover_quotes"]]
        custom = list(zip(d["key"], d["period"], d["n_docs"].fillna(0).astype(int),
                          d["n_evidence_sentences"].fillna(0).astype(int),
                          d["n_evidence_hits"].fillna(0).astype(int), quotes, thin_note))
        err_plus = [(h - v) if (iso and pd.notna(h) and pd.notna(v)) else 0
                    for iso, h, v in zip(isolated, d["ci_high"], d["value"])]
        err_minus = [(v - lo) if (iso and pd.notna(lo) and pd.notna(v)) else 0
                     for iso, lo, v in zip(isolated, d["ci_low"], d["value"])]
        traces.append(dict(
            type="scatter", x=[x if ok else None for x, ok in zip(d["x"], real)],
            y=[y if ok else None for y, ok in zip(d["value"], real)], mode="lines+markers", name=c, legendgroup=c,
            line={"color": st["color"], "width": 2.5, "dash": st["dash"]},
            marker={"color": st["color"], "size": 10, "symbol": symbols, "line": {"width": 2, "color": st["color"]}},
            customdata=custom, connectgaps=False,
            error_y={"type": "data", "array": err_plus, "arrayminus": err_minus, "visible": any(isolated),
                     "color": _rgba(st["color"], 0.6), "thickness": 2, "width": 4},
            hovertemplate=(f"<b>{hover_escape(c)}</b> · %{{customdata[1]}}<br>"
                           f"{hover_escape(measure_label(measure))}: <b>%{{y:{fmt}}}</b>"
                           "<br>%{customdata[2]} documents · %{customdata[3]} sentences (%{customdata[4]} hits)"
                           "%{customdata[6]}<br>%{customdata[5]}<extra></extra>"),
            meta={"role": "points", "figure": "concept-share", "concept": c, "measure": measure,
                  "doc_type": doc_type},
        ))
    x_min = float(frame["x_start"].min())
    x_max = float(frame["x_end"].max())
    m_shapes, m_annotations, m_trace = milestone_marks(milestones, x_min, x_max)
    if m_trace is not None:
        traces.append(m_trace)

    periods = frame.drop_duplicates("period").sort_values("x")
    tickvals, ticktext = list(periods["x"]), list(periods["period"])
    if len(tickvals) > 16:  # thin the ticks on long series
        step = math.ceil(len(tickvals) / 12)
        tickvals, ticktext = tickvals[::step], ticktext[::step]
    pad = 0.03 * (x_max - x_min) + 0.1
    layout = layout_dict(title=title, subtitle=subtitle, source=source, height=height, shapes=shapes + m_shapes,
                annotations=m_annotations,
                xaxis={"title": {"text": "Period (shaded: thin periods)" if thin["thin"].any() else "Period"},
                       "tickvals": tickvals, "ticktext": ticktext, "range": [x_min - pad, x_max + pad],
                       "showgrid": False},
                yaxis={"title": {"text": measure_label(measure)}, "tickformat": ".1~%" if pct else None,
                       "rangemode": "tozero"},
                **({"yaxis2": {"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True}}
                   if m_trace is not None else {}))
    return go.Figure(data=traces, layout=layout)


def _runs(d: pd.DataFrame) -> list[pd.DataFrame]:
    """Contiguous runs of real points (gap rows have an empty key)."""
    runs, cur = [], []
    for i, key in enumerate(d["key"]):
        if key:
            cur.append(i)
        elif cur:
            runs.append(d.iloc[cur])
            cur = []
    if cur:
        runs.append(d.iloc[cur])
    return runs


def _isolated(d: pd.DataFrame) -> list[bool]:
    keys = list(d["key"])
    return [bool(k) and not (i > 0 and keys[i - 1]) and not (i + 1 < len(keys) and keys[i + 1])
            for i, k in enumerate(keys)]


def _with_gaps(d: pd.DataFrame) -> pd.DataFrame:
    """Insert an empty row wherever a period is missing, so lines break instead of bridging the gap."""
    rows, prev_end = [], None
    for _, r in d.iterrows():
        if prev_end is not None and r["x_start"] > prev_end + 1e-6:
            gap = {k: None for k in d.columns}
            gap.update({"key": "", "period": "", "thin": False, "n_docs": 0, "n_evidence_sentences": 0,
                        "n_evidence_hits": 0, "hover_quotes": "", "x": None})
            rows.append(gap)
        rows.append(r.to_dict())
        prev_end = r["x_end"]
    return pd.DataFrame(rows, columns=d.columns)


def milestone_marks(milestones: Iterable, x_min: float, x_max: float, *, min_gap: float = 0.025):
    """(shapes, annotations, hover trace) for milestones within [x_min, x_max].

    Dotted vertical lines; short labels (milestones closer than min_gap of the axis share one label);
    hoverable markers at the foot with the full label, date, detail and source. Everything is named
    "milestone" so the dashboard can hide it.
    """
    ms = [m for m in milestones if x_min - 0.25 <= m.x <= x_max + 0.25]
    if not ms:
        return [], [], None
    span = max(x_max - x_min, 1e-9)
    shapes, annotations, groups = [], [], []
    for m in ms:
        shapes.append({"type": "line", "x0": m.x, "x1": m.x, "y0": 0, "y1": 1, "xref": "x", "yref": "paper",
                       "line": {"color": "#666", "width": 1, "dash": "dot"}, "layer": "below", "name": "milestone"})
        if groups and (m.x - groups[-1][-1].x) / span < min_gap:
            groups[-1].append(m)
        else:
            groups.append([m])
    for g in groups:
        annotations.append({"x": g[-1].x, "y": 1, "xref": "x", "yref": "paper",
                            "text": hover_escape(" · ".join(m.text for m in g)), "showarrow": False,
                            "textangle": -90, "xanchor": "right", "yanchor": "top", "xshift": -2,
                            "font": {"size": 10, "color": "#444"}, "bgcolor": "rgba(255,255,255,0.7)",
                            "name": "milestone"})
    texts = [f"<b>{hover_escape(m.label)}</b><br>{hover_escape(m.date)}"
             + (f"<br>{hover_escape(m.detail)}" if m.detail else "")
             + (f"<br><i>source: {hover_escape(m.source[:120])}</i>" if m.source else "") for m in ms]
    trace = dict(type="scatter", x=[m.x for m in ms], y=[0.015] * len(ms), yaxis="y2", mode="markers",
                 name="policy milestone", marker={"symbol": "triangle-up", "size": 9, "color": "#666"},
                 text=texts, hovertemplate="%{text}<extra></extra>", showlegend=True, meta={"role": "milestones"})
    return shapes, annotations, trace


def add_milestones(fig: go.Figure, milestones: Iterable, x_min: float, x_max: float) -> None:
    """Milestone lines, labels and hover markers added to an existing figure."""
    shapes, annotations, trace = milestone_marks(milestones, x_min, x_max)
    if trace is None:
        return
    fig.add_trace(trace)
    fig.update_layout(shapes=list(fig.layout.shapes or []) + shapes,
                      annotations=list(fig.layout.annotations or []) + annotations,
                      yaxis2={"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True})


# --------------------------------------------------------------------------------------
# dispersion
# --------------------------------------------------------------------------------------
def dispersion_figure(frame: pd.DataFrame, documents: pd.DataFrame, *, concepts: Sequence[str] | None = None,
                      n_documents_with_hits: int | None = None, title: str | None = None,
                      source: str | None = None, note: str = "") -> go.Figure:
    """Where in each document the concepts appear: one row per document, marker size = hits."""
    fig = go.Figure()
    n_docs = len(documents)
    height = max(340, 190 + 40 * n_docs)
    if frame.empty:
        base_layout(fig, title=title or "Dispersion: no hits", source=source, height=height)
        return fig
    concepts = list(concepts or dict.fromkeys(frame["concept"]))
    styles = concept_styles(concepts)
    order = list(documents["row_label"])
    shapes = [{"type": "line", "x0": 0, "x1": 100, "y0": i, "y1": i, "xref": "x", "yref": "y",
               "line": {"color": "#ccc", "width": 1}, "layer": "below"} for i in range(len(order))]
    offsets = {c: (i - (len(concepts) - 1) / 2) * 0.22 for i, c in enumerate(concepts)}
    for c in concepts:
        d = frame[frame["concept"] == c]
        if d.empty:
            continue
        st = styles[c]
        hover = []
        for r in d.itertuples():
            q = "<br>".join(f"“{hover_escape(s)}”" for s, _ in r.quotes)
            hover.append(f"<b>{hover_escape(c)}</b> · {hover_escape(r.title)} ({hover_escape(r.date)})"
                         f"<br>page {hover_escape(r.pages)} of {r.n_pages} · {r.n_sentences} sentences "
                         f"({r.n_hits} hits)<br>{q}<br><i>click for all its sentences</i>")
        ypos = [order.index(lbl) + offsets[c] for lbl in d["row_label"]]
        fig.add_trace(go.Scatter(
            x=d["x"], y=ypos, mode="markers", name=c,
            marker={"color": st["color"], "symbol": st["symbol"], "line": {"width": 1, "color": "white"},
                    "size": [min(26, 7 + 4 * math.sqrt(n)) for n in d["n_hits"]], "opacity": 0.9},
            customdata=list(zip(d["key"], hover)), hovertemplate="%{customdata[1]}<extra></extra>",
            meta={"role": "points", "figure": "dispersion", "concept": c}))
    shown = f"{n_docs} of {n_documents_with_hits} documents with hits (most hits first)" \
        if n_documents_with_hits and n_documents_with_hits > n_docs else f"{n_docs} documents with hits"
    base_layout(fig, title=title or "Where in each document the concepts appear",
                subtitle=f"{shown}; {note}" if note else shown, source=source, height=height, shapes=shapes,
                xaxis={"title": {"text": "Position in the document (%)"}, "range": [-2, 102], "ticksuffix": "%"},
                yaxis={"tickvals": list(range(len(order))), "ticktext": [hover_escape(x) for x in order],
                       "autorange": "reversed", "showgrid": False, "showline": False, "ticks": ""})
    return fig


# --------------------------------------------------------------------------------------
# collocates and keyness
# --------------------------------------------------------------------------------------
def collocates_figure(frame: pd.DataFrame, *, score: str = "score", word: str = "word", group: str = "concept",
                      top: int = 15, title: str | None = None, score_label: str | None = None,
                      source: str | None = None) -> go.Figure:
    """Horizontal bars of the top collocates per concept (small multiples)."""
    groups = list(dict.fromkeys(frame[group])) if group in frame.columns and not frame.empty else [""]
    fig = make_subplots(rows=1, cols=max(1, len(groups)), subplot_titles=[hover_escape(g) for g in groups],
                        horizontal_spacing=0.18)
    styles = concept_styles(groups)
    for i, g in enumerate(groups, start=1):
        d = frame[frame[group] == g] if group in frame.columns else frame
        d = d.sort_values(score, ascending=False).head(top).iloc[::-1]
        hover = [f"<b>{hover_escape(w)}</b> near {hover_escape(g)}<br>{hover_escape(score_label or score)}: {s:.3g}"
                 + (f"<br>{int(n)} co-occurrences" if n is not None and not pd.isna(n) else "")
                 for w, s, n in zip(d[word], d[score], d["count"] if "count" in d.columns else [None] * len(d))]
        fig.add_trace(go.Bar(x=d[score], y=[hover_escape(w) for w in d[word]], orientation="h",
                             marker_color=styles[g]["color"], name=str(g), showlegend=False,
                             customdata=list(zip([f"colloc|{g}|{w}" for w in d[word]], hover)),
                             hovertemplate="%{customdata[1]}<extra></extra>",
                             meta={"role": "collocates", "concept": g}), row=1, col=i)
        fig.update_xaxes(title_text=score_label or score, row=1, col=i)
    base_layout(fig, title=title or "Collocates", source=source, height=max(360, 60 + 24 * top))
    fig.update_layout(margin={"l": 130})
    return fig


def keyness_figure(frame: pd.DataFrame, *, score: str = "score", word: str = "word", top: int = 15,
                   target_label: str = "target", reference_label: str = "reference", title: str | None = None,
                   score_label: str | None = None, source: str | None = None) -> go.Figure:
    """Diverging bars: words most over-used in the target (right) and in the reference (left)."""
    d = frame.dropna(subset=[score])
    pos = d[d[score] > 0].sort_values(score, ascending=False).head(top)
    neg = d[d[score] < 0].sort_values(score).head(top)
    d = pd.concat([neg, pos.iloc[::-1]])  # bottom: most negative; top: most positive
    colors = [OKABE_ITO[0] if v > 0 else OKABE_ITO[1] for v in d[score]]
    ll = d["log_likelihood"] if "log_likelihood" in d.columns else [None] * len(d)
    hover = [f"<b>{hover_escape(w)}</b><br>{hover_escape(score_label or score)}: {v:.3g}"
             + (f" · G² {g:.1f}" if g is not None and not pd.isna(g) else "")
             + f"<br>more frequent in {hover_escape(target_label if v > 0 else reference_label)}"
             for w, v, g in zip(d[word], d[score], ll)]
    fig = go.Figure(go.Bar(x=d[score], y=[hover_escape(w) for w in d[word]], orientation="h", marker_color=colors,
                           customdata=list(zip([f"key|{w}" for w in d[word]], hover)),
                           hovertemplate="%{customdata[1]}<extra></extra>", showlegend=False,
                           meta={"role": "keyness"}))
    base_layout(fig, title=title or "Keyness", source=source, height=max(360, 80 + 20 * len(d)),
                subtitle=f"right: {hover_escape(target_label)} · left: {hover_escape(reference_label)}")
    fig.update_xaxes(title_text=score_label or score, zeroline=True, zerolinecolor="#888")
    fig.update_layout(margin={"l": 130})
    return fig


# --------------------------------------------------------------------------------------
# topic timeline
# --------------------------------------------------------------------------------------
def topic_timeline_figure(frame: pd.DataFrame, *, kind: str = "auto", title: str | None = None,
                          subtitle: str | None = None, source: str | None = None, max_area_topics: int = 8,
                          milestones: Iterable = ()) -> go.Figure:
    """Topic shares over time: stacked area (<= 8 topics) or small multiples with interval bands."""
    topics = list(dict.fromkeys(frame["topic"]))
    labels = {t: (frame.loc[frame["topic"] == t, "label"].iloc[0] or f"topic {t}") for t in topics}
    if kind == "auto":
        kind = "area" if len(topics) <= max_area_topics else "multiples"
    periods = frame.drop_duplicates("period").sort_values("x")
    if kind == "area":
        fig = go.Figure()
        for i, t in enumerate(topics):
            d = frame[frame["topic"] == t].sort_values("x")
            color = OKABE_ITO[i % len(OKABE_ITO)]
            name = f"{t}: {labels[t]}"
            fig.add_trace(go.Scatter(
                x=d["x"], y=d["value"], mode="lines", stackgroup="topics", name=hover_escape(name),
                line={"width": 0.8, "color": color}, fillcolor=_rgba(color, 0.55),
                customdata=list(zip(d["key"], d["period"], d["n_docs"].fillna(0).astype(int))),
                hovertemplate=(f"<b>{hover_escape(name)}</b><br>%{{customdata[1]}}: %{{y:.1%}}"
                               "<br>%{customdata[2]} documents<br><i>click for representative passages</i>"
                               "<extra></extra>"),
                meta={"role": "topic", "topic": t}))
        shapes = []
        if "thin" in frame.columns and frame["thin"].any():
            thin = frame[frame["thin"]].drop_duplicates("period")
            shapes = [{"type": "rect", "x0": r.x_start, "x1": r.x_end, "y0": 0, "y1": 1, "xref": "x",
                       "yref": "paper", "fillcolor": "rgba(255,255,255,0.45)", "line": {"width": 0},
                       "layer": "above", "name": "thin"} for r in thin.itertuples()]
            subtitle = (subtitle + " · " if subtitle else "") + "pale: thin periods (few documents)"
        base_layout(fig, title=title or "Topics over time", subtitle=subtitle, source=source, height=520,
                    shapes=shapes)
        fig.update_yaxes(title_text="Share of the period's text", tickformat=".1~%")
        fig.update_layout(legend={"orientation": "v", "y": 1, "x": 1.02, "xanchor": "left", "yanchor": "top"},
                          margin={"r": 220})
    else:
        cols = 3
        rows = math.ceil(len(topics) / cols)
        fig = make_subplots(rows=rows, cols=cols, shared_xaxes=True, shared_yaxes=True,
                            subplot_titles=[hover_escape(f"{t}: {labels[t]}"[:40]) for t in topics],
                            vertical_spacing=0.3 / max(rows, 1) + 0.02)
        for i, t in enumerate(topics):
            d = frame[frame["topic"] == t].sort_values("x")
            r, c = divmod(i, cols)
            color = OKABE_ITO[i % len(OKABE_ITO)]
            if d["ci_low"].notna().any():
                fig.add_trace(go.Scatter(x=list(d["x"]) + list(d["x"])[::-1],
                                         y=list(d["ci_high"]) + list(d["ci_low"])[::-1], fill="toself",
                                         fillcolor=_rgba(color, 0.2), line={"width": 0}, hoverinfo="skip",
                                         showlegend=False, meta={"role": "band"}), row=r + 1, col=c + 1)
            fig.add_trace(go.Scatter(
                x=d["x"], y=d["value"], mode="lines+markers", line={"color": color, "width": 2},
                marker={"size": 6}, showlegend=False, name=hover_escape(labels[t]),
                customdata=list(zip(d["key"], d["period"], d["n_docs"].fillna(0).astype(int))),
                hovertemplate=(f"<b>{hover_escape(labels[t])}</b><br>%{{customdata[1]}}: %{{y:.1%}}"
                               "<br>%{customdata[2]} documents<extra></extra>"),
                meta={"role": "topic", "topic": t}), row=r + 1, col=c + 1)
        base_layout(fig, title=title or "Topics over time", subtitle=subtitle, source=source,
                    height=max(420, 200 * rows + 120))
        fig.update_yaxes(tickformat=".1~%")
    tickvals, ticktext = list(periods["x"]), list(periods["period"])
    if len(tickvals) > 16:
        step = math.ceil(len(tickvals) / 12)
        tickvals, ticktext = tickvals[::step], ticktext[::step]
    fig.update_xaxes(tickvals=tickvals, ticktext=ticktext)
    if milestones and kind == "area":
        x0 = float(frame["x"].min()) - 0.5
        x1 = float(frame["x"].max()) + 0.5
        add_milestones(fig, milestones, x0, x1)
    return fig


def evidence_points(fig: go.Figure) -> list[str]:
    """Every evidence key carried by the figure's point traces (customdata[0])."""
    keys = []
    for tr in fig.data:
        meta = tr.meta if isinstance(tr.meta, dict) else {}
        if meta.get("role") != "points" or tr.customdata is None:
            continue
        keys.extend(str(row[0]) for row in tr.customdata if row is not None and row[0])
    return keys
