"""`policyscope study`: the whole study in one command."""
from __future__ import annotations

import click


@click.command("study")
@click.argument("folders", nargs=-1, type=click.Path(exists=True))
@click.option("--out", default="reports/study", show_default=True, type=click.Path(file_okay=False),
              help="Where study.html, study.md, the CSVs and run.json go.")
@click.option("--spec", default=None, type=click.Path(exists=True, dir_okay=False),
              help="The study file: the claim, concepts, years, sources, thresholds.  "
                   "[default: models/study/social_care.yaml]")
@click.option("--db", default=None, type=click.Path(dir_okay=False),
              help="The study's store (reused: files already in it are not read again).  [default: OUT/study.db]")
@click.option("--only", is_flag=True, help="Study only the FOLDERS given, not the study file's sources.")
@click.option("--bootstrap", type=click.IntRange(min=0), default=None,
              help="Resamples for every interval (0: none).  [default: the study file's, 1000]")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Ingest processes [default: one per core].")
@click.option("--no-images", is_flag=True, help="No SVG figures for study.md (they need a local Chromium).")
@click.option("--progress/--no-progress", default=False, help="Show ingest progress.")
def study(folders, out, spec, db, only, bootstrap, jobs, no_images, progress):
    """Test the study file's claim on its corpus and write the report.

    Reads the default corpus (the bundled seeds, plus ../shared/corpus policy documents, manifestos and
    Hansard speeches when present) and any FOLDERS given (each with a manifest.csv), ingests them into
    the study's store, tracks both concepts with the trained detector, the lexicon, its narrow and
    broad variants and plain keywords, and writes OUT/study.html (self-contained), OUT/study.md, the
    CSVs behind every number (series, robustness, influence, coverage, corpus, quotes, change points,
    co-occurrence), each tagger's track folder and run.json.

    \b
    Examples:
      policyscope study
      policyscope study my_council_strategies/ --out reports/study_councils
      policyscope study --only my_corpus/ --spec my_study.yaml
    """
    from policyscope.study import StudyOptions, run_study
    res = run_study(StudyOptions(out=out, spec=spec, db=db, add=tuple(folders), only=only, jobs=jobs,
                                 bootstrap=bootstrap, images=not no_images, progress=progress))
    v = res.verdict
    click.echo(f"verdict ({v['strength']}): {v['text']}")
    if v["would_change"]:
        click.echo("what would change it: " + "; ".join(v["would_change"]))
    for note in res.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"wrote {res.files['html']} and {res.files['md']} (+ CSVs, run.json) in {res.seconds:.0f}s")


COMMANDS = [study]
