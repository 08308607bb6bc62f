"""`policyscope dashboard | export | serve`: what users see."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

from policyscope.cli.options import db_option
from policyscope.errors import UsageError


def _say(msg: str) -> None:
    click.echo(f"  … {msg}", err=True)


def _milestones(path, enabled):
    from policyscope.report.milestones import load_milestones
    return load_milestones(path) if enabled else []


def _track_folder(db, track, out: Path, lexicon, by) -> Path:
    """The track folder to read: the one given, or a fresh `policyscope track` run beside the output."""
    if track:
        return Path(track)
    from policyscope.report.pipeline import run_track
    folder = out.parent / f"{out.stem}_track" if out.suffix else out / "track"
    _say(f"no --track given: tracking the concepts into {folder}")
    run_track(db, folder, lexicon=lexicon, by=by)
    return folder


def _topic_timeline(topics, topic_timeline, runs_dir, workdir: Path):
    """(timeline folder, topics.json) for --topics NAME and/or --topic-timeline DIR."""
    if not topics and not topic_timeline:
        return None, None
    topics_json = None
    run_folder = None
    if topics:
        from policyscope.analyse.topics.runs import resolve_run
        run_folder = resolve_run(topics, runs_dir)
        topics_json = run_folder / "topics.json"
    if topic_timeline:
        return Path(topic_timeline), topics_json
    from policyscope.analyse.topics.timeline import write_timeline
    folder = workdir / "topic_timeline"
    _say(f"computing the topic timeline of {run_folder.name}")
    write_timeline(run_folder, folder, words=False)
    return folder, topics_json


common_inputs = [
    db_option,
    click.option("--track", type=click.Path(exists=True, file_okay=False),
                 help="A `policyscope track` output folder (concept_share.csv, evidence.csv, run.json). "
                      "Default: track the store now, into a folder beside the output."),
    click.option("--lexicon", default=None, help="Lexicon for tracking when --track is not given "
                                                 "(default: models/concepts/social_care.yaml)."),
    click.option("--by", default="year", show_default=True, help="Periods for tracking when --track is not given."),
    click.option("--topics", "topics", default=None, help="A topic run (name under models/topics/ or a folder)."),
    click.option("--topic-timeline", type=click.Path(exists=True), default=None,
                 help="A `policyscope topics timeline` folder (default: computed from --topics)."),
    click.option("--runs-dir", type=click.Path(file_okay=False), default=None,
                 help="Where named topic runs live.  [default: models/topics]"),
    click.option("--milestones", "milestones_file", type=click.Path(exists=True, dir_okay=False), default=None,
                 help="Policy milestones YAML/CSV to annotate timelines "
                      "(default: models/milestones/social_care_england.yaml)."),
    click.option("--no-milestones", is_flag=True, help="Draw no milestones."),
    click.option("--min-docs", type=click.IntRange(min=1), default=None,
                 help="Periods with fewer documents are marked thin when track did not flag them "
                      "[default: track's --min-docs, else 3]."),
    click.option("--title", default=None, help="Chart/dashboard title."),
]


def _apply(options):
    def deco(f):
        for opt in reversed(options):
            f = opt(f)
        return f
    return deco


def _no_words(store, track):
    return None, None, ("", "")


def _context(db, track, lexicon, by, topics, topic_timeline, runs_dir, milestones_file, no_milestones, min_docs,
             title, out: Path, workdir: Path, words: bool = True):
    from policyscope.report.context import dashboard_context
    folder = _track_folder(db, track, out, lexicon, by)
    tl, tj = _topic_timeline(topics, topic_timeline, runs_dir, workdir)
    return dashboard_context(db, folder, topic_timeline=tl, topics_json=tj, title=title,
                             milestones=_milestones(milestones_file, not no_milestones), min_docs=min_docs,
                             words=None if words else _no_words, progress=_say), folder


@click.command()
@_apply(common_inputs)
@click.option("--words/--no-words", default=True, show_default=True,
              help="Collocates and keyness panels (they re-read the store's text: slower on big corpora).")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="The HTML file to write.")
def dashboard(db, track, lexicon, by, topics, topic_timeline, runs_dir, milestones_file, no_milestones, min_docs,
              title, words, out):
    """Write ONE self-contained HTML dashboard that opens offline.

    Concept share over time (measure and doc_type selectors, interval bands, thin periods,
    policy milestones), evidence on click (every sentence with title, date, page and citation;
    searchable, sortable, downloadable), KWIC explorer, dispersion, collocates/keyness when the
    analysis provides them, topic timeline with representative passages, and a methods panel.

    \b
    Examples:
      policyscope dashboard --db policyscope.db --track reports/track --out reports/demo.html
      policyscope dashboard --db policyscope.db --track reports/track --topics demo --out reports/demo.html
      policyscope dashboard --db policyscope.db --out reports/quick.html      # tracks the store first
    """
    from policyscope.report.dashboard import write_dashboard
    t0 = time.perf_counter()
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--out should be an .html file (got {out})")
    with tempfile.TemporaryDirectory(prefix="policyscope-") as tmp:
        data, folder = _context(db, track, lexicon, by, topics, topic_timeline, runs_dir, milestones_file,
                                no_milestones, min_docs, title, out, Path(tmp), words=words)
        _say("writing the HTML file")
        path = write_dashboard(data, out)
    size = path.stat().st_size / 1e6
    click.echo(f"wrote {path} ({size:.1f} MB, {len(data.series.evidence)} evidence rows from {folder}) "
               f"in {time.perf_counter() - t0:.1f}s; open it in any browser, offline")


@click.command()
@click.option("--chart", type=click.Choice(["concept-share", "dispersion", "topic-timeline"]),
              default="concept-share", show_default=True, help="Which chart to bundle.")
@_apply(common_inputs)
@click.option("--measure", default=None,
              help="Measure to draw (default: sentence_share_corrected when track measured the detector's error, "
                   "else sentence_share).")
@click.option("--doc-type", default="all", show_default=True, help="Document type to draw, or 'all'.")
@click.option("--concept", "concepts", multiple=True, help="Only these concepts (repeat the option).")
@click.option("--width", type=click.IntRange(min=300), default=1200, show_default=True, help="Image width (px).")
@click.option("--height", type=click.IntRange(min=200), default=675, show_default=True, help="Image height (px).")
@click.option("--scale", type=click.FloatRange(min=0.5, max=6), default=2, show_default=True,
              help="PNG pixel density (2 = retina).")
@click.option("--no-images", is_flag=True, help="Skip PNG/SVG (no Chromium needed).")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="The bundle folder.")
def export(chart, db, track, lexicon, by, topics, topic_timeline, runs_dir, milestones_file, no_milestones,
           min_docs, title, measure, doc_type, concepts, width, height, scale, no_images, out):
    """Write a publication bundle for one chart: PNG + SVG, interactive HTML, the chart's CSV,
    evidence.csv (every sentence behind it, with citations), sources.csv, run.json, README.txt.

    Static images are rendered offline by kaleido with the local Chromium
    (/usr/bin/chromium, or POLICYSCOPE_CHROMIUM); run scripts/install_browser.sh if it is missing.

    \b
    Examples:
      policyscope export --chart concept-share --db policyscope.db --track reports/track --out reports/export
      policyscope export --chart concept-share --measure doc_reach --concept integration --db policyscope.db \\
          --track reports/track --out reports/integration-reach
      policyscope export --chart topic-timeline --topics demo --db policyscope.db --track reports/track \\
          --out reports/topics-export
    """
    from policyscope.report.export import export_bundle
    t0 = time.perf_counter()
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="policyscope-") as tmp:
        data, folder = _context(db, track, lexicon, by, topics, topic_timeline, runs_dir, milestones_file,
                                no_milestones, min_docs, title, out, Path(tmp), words=False)
        files = export_bundle(data, out, chart=chart, measure=measure, doc_type=doc_type,
                              concepts=list(concepts) or None, title=title, images=not no_images, width=width,
                              height=height, scale=scale, store_path=db, progress=_say,
                              parameters={"track": str(folder), "db": str(db)})
    click.echo(f"wrote {len(files)} files to {out} in {time.perf_counter() - t0:.1f}s:")
    for f in files:
        click.echo(f"  {f.name}")


@click.command()
@db_option
@click.option("--lexicon", default=None, help="Lexicon YAML (default: models/concepts/social_care.yaml).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind. The default serves this machine only; 0.0.0.0 exposes it to the network.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8050, show_default=True,
              help="Port (0: pick a free one).")
@click.option("--debug", is_flag=True, help="Dash debug mode (reloader and error pages; never on a shared host).")
def serve(db, lexicon, host, port, debug):
    """Start a local Dash app: type any query or pick a concept, see its timeline, KWIC lines and
    citations live; switch lexicon, period size and doc_type.

    \b
    Examples:
      policyscope serve --db policyscope.db                 # http://127.0.0.1:8050
      policyscope serve --db policyscope.db --port 8080 --lexicon models/concepts/social_care.yaml
    """
    from policyscope.report.app import serve as run_app
    run_app(db, lexicon=lexicon, host=host, port=port, debug=debug, echo=click.echo)


COMMANDS = [dashboard, export, serve]
