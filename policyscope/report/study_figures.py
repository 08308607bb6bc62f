"""The study's figures: one function per figure, a tidy DataFrame (series.csv, coverage.csv, robustness.csv
rows) in, a go.Figure out. Nothing is computed here but positions and labels.

Points carry their period's documents in the hover (`docs`: period -> text), so every value leads to the
documents behind it; the quotes and evidence.csv give the sentences.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from policyscope.report.figures import _rgba, base_layout, concept_styles

GAP_COLOR = "#000000"


def _x(df: pd.DataFrame):
    return (df["period_start"] + df["period_end"]) / 2


def _value_scale(measure: str) -> tuple[float, str]:
    return (1.0, "per 10,000 tokens") if measure.startswith("rate") else (100.0, "%")


def _band(fig, x, lo, hi, color, name, row=None, col=None):
    kw = {"row": row, "col": col} if row else {}
    fig.add_trace(go.Scatter(x=list(x) + list(x)[::-1], y=list(hi) + list(lo)[::-1], fill="toself", mode="lines",
                             fillcolor=_rgba(color, 0.15), line={"width": 0}, hoverinfo="skip", showlegend=False,
                             name=f"{name} 95% interval", meta={"role": "band"}), **kw)


def _line(fig, d: pd.DataFrame, name: str, style: dict, scale: float, unit: str, docs: dict | None, *,
          legend: bool = True, row=None, col=None):
    kw = {"row": row, "col": col} if row else {}
    x = _x(d)
    ok = ~d["thin"]
    _band(fig, x[ok], d["ci_low"][ok] * scale, d["ci_high"][ok] * scale, style["color"], name, row, col)
    hover = []
    for r in d.itertuples():
        extra = f"<br>{docs.get(r.period, '')}" if docs else ""
        thin = "<br><b>thin: too little text, left out of the trend</b>" if r.thin else ""
        hover.append(f"<b>{name}</b> {r.period}<br>{r.value * scale:.2f}{unit} "
                     f"[{r.ci_low * scale:.2f}-{r.ci_high * scale:.2f}]<br>{r.n_docs} documents, "
                     f"{r.n_sentences:,} sentences{thin}{extra}")
    fig.add_trace(go.Scatter(
        x=x, y=d["value"] * scale, mode="lines+markers", name=name, showlegend=legend, legendgroup=name,
        line={"color": style["color"], "dash": style["dash"]}, hovertext=hover, hoverinfo="text",
        marker={"symbol": [style["symbol"] + ("-open" if t else "") for t in d["thin"]], "size": 9,
                "color": style["color"]},
        meta={"role": "points", "concept": name}), **kw)


def study_shares_figure(series: pd.DataFrame, concepts: list[str], *, measure: str, title: str,
                        subtitle: str = "", source: str = "", docs: dict | None = None) -> go.Figure:
    """Both concepts over the periods (all documents), with 95% intervals; thin periods drawn hollow."""
    scale, unit = _value_scale(measure)
    styles = concept_styles(concepts)
    fig = go.Figure()
    for c in concepts:
        d = series[series["concept"] == c].sort_values("period_start")
        _line(fig, d, c, styles[c], scale, unit, docs)
    return base_layout(fig, title=title, subtitle=subtitle, source=source, height=460,
                       xaxis_title="period (middle year)", yaxis_title=unit)


def study_gap_figure(series: pd.DataFrame, rising: str, waning: str, *, measure: str, title: str,
                     crossing: str | None = None, source: str = "") -> go.Figure:
    """The lead of the rising concept over the waning one, with its interval and the line of no difference."""
    scale, unit = _value_scale(measure)
    d = series[series["concept"] == "gap"].sort_values("period_start")
    fig = go.Figure()
    _line(fig, d, f"{rising} minus {waning}", {"color": GAP_COLOR, "dash": "solid", "symbol": "circle"}, scale,
          " points" if unit == "%" else f" {unit}", None)
    fig.add_hline(y=0, line={"color": "#888", "dash": "dot"})
    ann = []
    if crossing:
        row = d[d["period"] == crossing]
        if not row.empty:
            ann.append({"x": float(_x(row).iloc[0]), "y": float(row["value"].iloc[0] * scale), "text":
                        f"{rising} ahead from {crossing} on", "showarrow": True, "arrowhead": 2, "ay": -40})
    return base_layout(fig, title=title, source=source, height=380, annotations=ann,
                       xaxis_title="period (middle year)",
                       yaxis_title="percentage points" if unit == "%" else unit)


def study_by_source_figure(series: pd.DataFrame, concepts: list[str], groups: list[tuple[str, str]], *,
                           measure: str, title: str, source: str = "") -> go.Figure:
    """Small multiples: one panel per source type (id, label), both concepts in each."""
    scale, unit = _value_scale(measure)
    styles = concept_styles(concepts)
    n = len(groups)
    cols = 2 if n > 1 else 1
    rows = (n + cols - 1) // cols
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[label for _, label in groups], shared_xaxes=True,
                        vertical_spacing=0.12)
    for i, (gid, _) in enumerate(groups):
        r, c = i // cols + 1, i % cols + 1
        for concept in concepts:
            d = series[(series["group"] == gid) & (series["concept"] == concept)].sort_values("period_start")
            _line(fig, d, concept, styles[concept], scale, unit, None, legend=(i == 0), row=r, col=c)
    fig = base_layout(fig, title=title, source=source, height=300 * rows + 160)
    fig.update_layout(legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
                      margin={"t": 130})
    return fig


def study_coverage_figure(coverage: pd.DataFrame, *, title: str, source: str = "") -> go.Figure:
    """Documents per period and source type (text: documents / of which about the concepts); thin cells marked."""
    cov = coverage[coverage["source_type"] != "all"]
    periods = list(dict.fromkeys(cov.sort_values("period_start")["period"]))
    types = list(dict.fromkeys(cov["source_type_label"]))
    z, text = [], []
    for t in types:
        zr, tr = [], []
        for p in periods:
            r = cov[(cov["source_type_label"] == t) & (cov["period"] == p)].iloc[0]
            zr.append(int(r["n_docs"]))
            tr.append(f"{r['n_docs']} / {r['n_on_topic']}" + (" thin" if r["thin"] else ""))
        z.append(zr)
        text.append(tr)
    fig = go.Figure(go.Heatmap(z=z, x=periods, y=types, text=text, texttemplate="%{text}", colorscale="Blues",
                               showscale=False, hovertemplate="%{y}, %{x}: %{text}<extra></extra>",
                               meta={"role": "coverage"}))
    return base_layout(fig, title=title, subtitle="documents / of which about the concepts; thin = too little text",
                       source=source, height=120 + 60 * len(types))


def study_robustness_figure(robustness: pd.DataFrame, *, waning: str, title: str, source: str = "") -> go.Figure:
    """Forest plot, two panels: the change per decade of the waning concept and of the gap under each variant,
    with intervals, coloured by whether the claim's direction holds (waning falls and the gap widens)."""
    rb = robustness[robustness["unit"].str.startswith("percentage points per decade")
                    & (robustness["variant"] != "leave_one_document_out")
                    & (robustness["gap_change"].notna() | (robustness["direction_holds"] == "cannot say"))]
    colors = {"yes": "#009E73", "no": "#D55E00", "cannot say": "#888888"}
    labels = [r.label if r.family == "headline" else f"{r.family}: {r.label}" for r in rb.itertuples()]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=[f"change of {waning}", "change of the gap"])
    for col, key in ((1, "waning"), (2, "gap")):
        for verdict, color in colors.items():
            sel = (rb["direction_holds"] == verdict).to_numpy()
            if not sel.any():
                continue
            d = rb[sel]
            v, lo, hi = d[f"{key}_change"], d[f"{key}_ci_low"], d[f"{key}_ci_high"]
            fig.add_trace(go.Scatter(
                x=v, y=[lab for lab, s in zip(labels, sel) if s], mode="markers", name=f"direction holds: {verdict}",
                legendgroup=verdict, showlegend=col == 1, marker={"color": color, "size": 9},
                error_x={"type": "data", "symmetric": False, "array": (hi - v).fillna(0),
                         "arrayminus": (v - lo).fillna(0), "color": color},
                hovertemplate="%{y}<br>%{x:.2f} points per decade<extra></extra>", meta={"role": "robustness"}),
                row=1, col=col)
        fig.add_vline(x=0, line={"color": "#888", "dash": "dot"}, row=1, col=col)
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
    fig = base_layout(fig, title=title, source=source, height=160 + 26 * len(labels),
                      subtitle="percentage points per decade, with 95% intervals")
    fig.update_layout(title={"x": 0.01, "xanchor": "left", "xref": "container"}, margin={"t": 130, "b": 110},
                      legend={"orientation": "h", "x": 0.01, "xanchor": "left", "y": 0.005, "yanchor": "bottom",
                              "yref": "container", "xref": "container"})
    return fig
