"""study.html (self-contained, offline: plotly.js inlined) and study.md (the same sections as Markdown,
figures as SVG files when a local Chromium can draw them) from the study's tables.

Nothing is computed here but formatting: every number is a cell of one of the CSVs beside the pages.
"""
from __future__ import annotations

import html
import math
from pathlib import Path

import pandas as pd

from policyscope import __version__
from policyscope.report import study_figures as SF

CSS = """
body{font-family:DejaVu Sans,Liberation Sans,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.88em;margin:.6em 0}td,th{border:1px solid #ddd;padding:.25em .5em;
vertical-align:top}th{background:#f4f4f4}
.verdict{background:#f6f8fa;border-left:5px solid #0072B2;padding:.8em 1em;font-size:1.08em}
.strength{display:inline-block;padding:.1em .6em;border-radius:.8em;background:#0072B2;color:#fff;font-weight:bold}
.thin{color:#999}blockquote{margin:.4em 0 .2em 0;padding-left:.8em;border-left:3px solid #ccc}
.cite{font-size:.85em;color:#555;margin-bottom:.8em}.note{font-size:.9em;color:#555}
"""


def _fmt(x, scale: float = 100.0, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x * scale:.{digits}f}"


def _ci(r, scale=100.0) -> str:
    v = _fmt(r["value"], scale)
    if not v:
        return ""
    lo, hi = _fmt(r["ci_low"], scale), _fmt(r["ci_high"], scale)
    return f"{v} [{lo} to {hi}]" if lo else v


def headline_table(series: pd.DataFrame, spec, measure: str) -> tuple[list[str], list[list[str]]]:
    d = series[(series["group"] == "all") & (series["variant"] == "headline")]
    scale = 1.0 if measure.startswith("rate") else 100.0
    unit = "per 10k" if scale == 1.0 else "%"
    headers = ["period", "documents", "sentences", f"{spec.waning} {unit} [95% CI]", f"{spec.rising} {unit} [95% CI]",
               "gap (points) [95% CI]", ""]
    rows = []
    for period, g in d.groupby("period", sort=False):
        by = {r["concept"]: r for _, r in g.iterrows()}
        first = g.iloc[0]
        thin = bool(first["thin"])
        cells = ["—"] * 3 if thin else [_ci(by[spec.waning], scale), _ci(by[spec.rising], scale), _ci(by["gap"], scale)]
        rows.append([period, f"{first['n_docs']:,}", f"{first['n_sentences']:,}", *cells,
                     "thin: no value printed, left out of the trend" if thin else
                     ("in the trend" if first["in_trend"] else "")])
    return headers, rows


def robustness_table(rb: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    headers = ["check", "variant", "direction holds", "waning change / decade [95% CI]", "gap change / decade [95% CI]",
               "rising ahead from", "note"]
    rows = []
    for r in rb.itertuples():
        def band(v, lo, hi):
            if v is None or (isinstance(v, float) and math.isnan(v)):
                return ""
            return f"{v:+.2f}" + (f" [{lo:+.2f} to {hi:+.2f}]" if lo is not None and not (isinstance(lo, float)
                                                                                          and math.isnan(lo)) else "")
        rows.append([r.family, r.label, str(r.direction_holds) + (" (interval excludes no change)"
                                                                  if r.interval_excludes_no_change == "yes" else ""),
                     band(r.waning_change, r.waning_ci_low, r.waning_ci_high),
                     band(r.gap_change, r.gap_ci_low, r.gap_ci_high),
                     "" if not isinstance(r.crossing_period, str) else r.crossing_period,
                     "" if not isinstance(r.note, str) else r.note])
    return headers, rows


def coverage_rows(cov: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    periods = list(dict.fromkeys(cov.sort_values("period_start")["period"]))
    headers = ["source type"] + periods
    rows = []
    for label, g in cov.groupby("source_type_label", sort=False):
        cells = []
        for p in periods:
            r = g[g["period"] == p].iloc[0]
            cells.append(f"{r['n_docs']} ({r['n_on_topic']})" + (" thin" if r["thin"] else ""))
        rows.append([label] + cells)
    return headers, rows


def html_table(headers, rows) -> str:
    th = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def md_table(headers, rows) -> str:
    def cell(c):
        return str(c).replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def period_documents(docs: pd.DataFrame, spec, bins) -> dict:
    """period -> hover text naming the documents with most concept sentences."""
    out = {}
    for b in bins:
        d = docs[docs["year"].between(b.start, b.end)].copy()
        if d.empty:
            continue
        d["_n"] = sum(d[f"sents__{c}"] for c in spec.concepts)
        d = d[d["_n"] > 0].sort_values(["_n", "doc_id"], ascending=[False, True]).head(3)
        if len(d):
            out[b.label] = "most concept sentences: " + "; ".join(
                f"{html.escape(str(t)[:50])} ({dt}, {n})" for t, dt, n in zip(d["title"], d["date"], d["_n"]))
    return out


def write_pages(ctx, *, verdict: dict, series, robustness, coverage, gaps, quotes, changepoints, cooccurrence,
                influence, plan_table, headline, images: bool) -> dict:
    from policyscope.report.dashboard import PLOTLY_JS
    from policyscope.study.series import period_bins
    spec = ctx.spec
    out = ctx.out
    measure = headline.measure
    source = f"policyscope {__version__}, study {spec.name} {spec.version}; {ctx.labels.get(headline.tagger, '')}"
    bins = period_bins(spec.years, headline.period_years)
    docs = period_documents(ctx.tables[headline.tagger], spec, bins)
    head_series = series[(series["group"] == "all") & (series["variant"] == "headline")]
    present = [t for t in dict.fromkeys(ctx.tables[headline.tagger]["source_type"])]
    present = [r.id for r in spec.source_types if r.id in present]
    groups = series.loc[series["group"].str.contains(": ", regex=False), "group"]
    parties = [(g, g.split(": ", 1)[1] + " manifestos") for g in sorted(set(groups))]
    mlabel = {"sentence_share_corrected": "share of sentences, corrected for the detector's measured error",
              "sentence_share": "share of sentences tagged"}.get(measure, measure)
    figs = {
        "shares": SF.study_shares_figure(head_series, spec.concepts, measure=measure, title=spec.title,
                                         subtitle=mlabel, source=source, docs=docs),
        "gap": SF.study_gap_figure(head_series, spec.rising, spec.waning, measure=measure,
                                   title=f"Lead of {spec.rising} over {spec.waning}",
                                   crossing=verdict["headline"].get("crossing_period"), source=source),
        "by_source": SF.study_by_source_figure(series[series["variant"] == "headline"], spec.concepts,
                                               [(t, spec.source_type_label(t)) for t in present] + parties,
                                               measure=measure, title="By source type (and manifestos by party)",
                                               source=source),
        "robustness": SF.study_robustness_figure(robustness, waning=spec.waning, source=source,
                                                 title="Robustness: the direction of change under each check"),
        "coverage": SF.study_coverage_figure(coverage, title="What the corpus covers", source=source),
    }
    written = {}
    svg = {}
    if images:
        try:
            from policyscope.report.export import render_static
            (out / "figures").mkdir(exist_ok=True)
            for p in render_static([(f, out / "figures" / name) for name, f in figs.items()], formats=("svg",)):
                svg[p.stem] = p
        except Exception as exc:  # noqa: BLE001 - no Chromium: the Markdown points to study.html instead
            ctx.notes.append(f"no SVG figures for study.md ({exc}); the figures are in study.html")
    sections = build_sections(ctx, verdict=verdict, series=series, robustness=robustness, coverage=coverage,
                              gaps=gaps, quotes=quotes, changepoints=changepoints, cooccurrence=cooccurrence,
                              influence=influence, plan_table=plan_table, headline=headline)
    # HTML
    plotly_js = PLOTLY_JS.read_text(encoding="utf-8").replace("</script", "<\\/script")
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(spec.title)}</title>"
             f"<style>{CSS}</style><script>{plotly_js}</script></head><body>"]
    for sec in sections:
        parts.append(f"<h2 id='{sec['id']}'>{html.escape(sec['title'])}</h2>" if sec.get("title") else "")
        parts.append(sec["html"])
        if sec.get("figure"):
            parts.append(figs[sec["figure"]].to_html(full_html=False, include_plotlyjs=False,
                                                    div_id=f"fig-{sec['figure']}",
                                                    config={"displaylogo": False, "responsive": True}))
    parts.append("</body></html>")
    written["html"] = out / "study.html"
    written["html"].write_text("\n".join(parts), encoding="utf-8")
    # Markdown
    md = []
    for sec in sections:
        if sec.get("title"):
            md.append(f"## {sec['title']}\n")
        md.append(sec["md"] + "\n")
        if sec.get("figure"):
            if sec["figure"] in svg:
                md.append(f"![{sec['figure']}](figures/{sec['figure']}.svg)\n")
            else:
                md.append(f"*(figure: see study.html, section {sec.get('title', '')})*\n")
    written["md"] = out / "study.md"
    written["md"].write_text("\n".join(md), encoding="utf-8")
    return written


def build_sections(ctx, *, verdict, series, robustness, coverage, gaps, quotes, changepoints, cooccurrence,
                   influence, plan_table, headline) -> list[dict]:
    """[{id, title, html, md, figure}] in reading order."""
    spec = ctx.spec
    e = html.escape
    sec = []
    would = verdict["would_change"]
    strength = verdict["strength"]
    top_md = (f"# {spec.title}\n\n**Claim tested:** {spec.claim} *({spec.claim_source})*\n\n"
              f"**Verdict ({strength}):** {verdict['text']}\n\n**What would change it:** "
              + ("; ".join(would) if would else "nothing found in these checks") + f".\n\n{verdict['limits']}")
    top_html = (f"<h1>{e(spec.title)}</h1><p><b>Claim tested:</b> {e(spec.claim)} <i>({e(spec.claim_source)})</i></p>"
                f"<div class='verdict'><span class='strength'>{e(strength)}</span> {e(verdict['text'])}</div>"
                f"<p><b>What would change it:</b> {e('; '.join(would) if would else 'nothing found in these checks')}."
                f"</p><p class='note'>{e(verdict['limits'])}</p>")
    if ctx.notes:
        top_md += "\n\nNotes on this run: " + "; ".join(ctx.notes)
        top_html += "<p class='note'>Notes on this run: " + e("; ".join(ctx.notes)) + "</p>"
    sec.append({"id": "verdict", "title": "", "html": top_html, "md": top_md})

    h, rows = headline_table(series, spec, headline.measure)
    intro = (f"Measure: {headline.label}; pooled over each period's documents; 95% intervals from {spec.bootstrap} "
             f"resamples of documents within periods (and of the detector's measured error). Periods with fewer than "
             f"{spec.min_docs} documents or {spec.min_sentences} sentences are thin: no value is printed for them and "
             f"they are left out of every trend. Trend years: {spec.trend_years[0]}-{spec.trend_years[1]}.")
    sec.append({"id": "shares", "title": "Share over time", "figure": "shares",
                "html": f"<p>{e(intro)}</p>" + html_table(h, rows), "md": intro + "\n\n" + md_table(h, rows)})
    hr = verdict["headline"]
    cross = hr.get("crossing_period")
    ctext = (f"{spec.rising.capitalize()} stays ahead of {spec.waning} from {cross} on"
             + (f" (95% interval of that period: {hr['crossing_low']} to {hr['crossing_high']}; in "
                f"{100 * hr['share_resamples_crossing']:.0f}% of resamples it stays ahead from some period on)"
                if hr.get("crossing_low") else "") + "." if cross and cross != "never" else
             f"{spec.rising.capitalize()} does not stay ahead of {spec.waning}." if cross == "never" else
             "Too little text to say when one concept overtook the other.")
    sec.append({"id": "gap", "title": "The gap and when it turned", "figure": "gap", "html": f"<p>{e(ctext)}</p>",
                "md": ctext})
    by_type = robustness[robustness["family"] == "one source type alone"]
    h2, r2 = robustness_table(by_type)
    txt = ("Each source type alone (the headline measure); a series with too few non-thin periods gets no trend. "
           "Manifestos are also in series.csv per party (group column).")
    sec.append({"id": "by-source", "title": "By source type", "figure": "by_source",
                "html": f"<p>{e(txt)}</p>" + html_table(h2, r2), "md": txt + "\n\n" + md_table(h2, r2)})
    h3, r3 = robustness_table(robustness)
    txt = ("The direction holds when the waning concept falls and the rising one's lead widens over the trend years. "
           "Changes are per decade in percentage points (rates: per 10,000 tokens), with 95% intervals; "
           "influence.csv lists the result with each document left out.")
    sec.append({"id": "robustness", "title": "Robustness", "figure": "robustness",
                "html": f"<p>{e(txt)}</p>" + html_table(h3, r3), "md": txt + "\n\n" + md_table(h3, r3)})
    cp = changepoints[["concept", "break_year", "mean_before", "mean_after", "note"]].astype(object).fillna("")
    cp_rows = [[r.concept, r.break_year, _fmt(r.mean_before) if r.mean_before != "" else "",
                _fmt(r.mean_after) if r.mean_after != "" else "", r.note] for r in cp.itertuples()]
    cph = ["concept", "break year", "share before %", "share after %", "note"]
    txt = "Level shifts in each concept's yearly tagged sentence share (track/detector/changepoints.csv)."
    sec.append({"id": "changepoints", "title": "Change points", "html": f"<p>{e(txt)}</p>" + html_table(cph, cp_rows),
                "md": txt + "\n\n" + md_table(cph, cp_rows)})
    co = cooccurrence.sort_values("period")
    co_rows = [[r.period, r.measure, "—" if r.thin else _ci({"value": r.value, "ci_low": r.ci_low,
                                                              "ci_high": r.ci_high}), r.n_docs]
               for r in co.itertuples()]
    coh = ["period", "measure", "% [95% CI]", "documents"]
    txt = (f"cooccurrence: share of passages (paragraphs) with both {spec.waning} and {spec.rising}; balance: "
           f"{spec.waning} sentences as a share of the sentences of either (tagged, track/detector/concept_share.csv).")
    sec.append({"id": "cooccurrence", "title": "Co-occurrence", "html": f"<p>{e(txt)}</p>" + html_table(coh, co_rows),
                "md": txt + "\n\n" + md_table(coh, co_rows)})
    qh, qm = [], []
    for (concept, era), g in quotes.groupby(["concept", "era"], sort=False):
        qh.append(f"<h3>{e(concept)}: {e(era)}</h3>")
        qm.append(f"### {concept}: {era}\n")
        for r in g.itertuples():
            qh.append(f"<blockquote>{e(r.sentence)}</blockquote><div class='cite'>{e(r.citation)}; "
                      f"{e(spec.source_type_label(r.source_type))}; licence: {e(str(r.licence))}</div>")
            qm.append(f"> {r.sentence}\n\n— {r.citation}; {spec.source_type_label(r.source_type)}; licence: "
                      f"{r.licence}\n")
    missing = [f"{c} in {era.label}" for c in spec.concepts for era in spec.eras
               if quotes[(quotes["concept"] == c) & (quotes["era"] == era.label)].empty]
    if missing:
        qh.append(f"<p class='note'>No tagged sentence for {e('; '.join(missing))}.</p>")
        qm.append(f"No tagged sentence for {'; '.join(missing)}.\n")
    txt = ("Three sentences per concept and era, the detector's most confident, one per document where possible "
           "(quotes.csv; every hit is in track/detector/evidence.csv). Quoted for criticism and review; the licence of "
           "each source is given.")
    sec.append({"id": "quotes", "title": "Quotes", "html": f"<p>{e(txt)}</p>" + "".join(qh),
                "md": txt + "\n\n" + "\n".join(qm)})
    ch, cr = coverage_rows(coverage)
    gl = "".join(f"<li>{e(g)}</li>" for g in gaps)
    how = ("To add documents: put them in a folder with a manifest.csv (file,title,authors,publisher,date,doc_type,"
           "source_url,licence; optionally source_type), then run `policyscope study --add FOLDER` (or add the folder "
           f"to the sources of {Path(spec.path).name}). corpus.csv lists every file read or left out, and why.")
    txt = "Documents per period (of which about the concepts: at least 1% of their sentences tagged)."
    sec.append({"id": "coverage", "title": "What the corpus covers and lacks", "figure": "coverage",
                "html": f"<p>{e(txt)}</p>" + html_table(ch, cr) + f"<ul>{gl}</ul><p>{e(how)}</p>",
                "md": txt + "\n\n" + md_table(ch, cr) + "\n\n" + "\n".join(f"- {g}" for g in gaps) + f"\n\n{how}"})
    rates = ctx.rates.get(headline.tagger, {})
    rate_txt = "; ".join(f"{c}: sensitivity {r.sensitivity:.2f}, specificity {r.specificity:.3f} ({r.source})"
                         for c, r in rates.items()) or "not measured"
    tag_txt = "; ".join(f"{k}: {v}" for k, v in ctx.labels.items())
    n_in = int(plan_table["included"].sum())
    method = (f"Study file {spec.path} ({spec.name} {spec.version}). {n_in} files read "
              f"({len(ctx.tables[headline.tagger])} dated documents in {spec.years[0]}-{spec.years[1]}). "
              f"Taggers: {tag_txt}. Detector error used for the correction: {rate_txt}. Bootstrap: {spec.bootstrap} "
              f"resamples, seed {spec.seed}. Files: series.csv, robustness.csv, influence.csv, coverage.csv, corpus.csv, "
              f"quotes.csv, changepoints.csv, cooccurrence.csv, track/<tagger>/ (concept_share.csv, evidence.csv, "
              f"denominators.csv), run.json.")
    sec.append({"id": "method", "title": "Method and provenance", "html": f"<p>{e(method)}</p>", "md": method})
    return sec
