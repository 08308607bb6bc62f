"""Detector commands: detect train, detect evaluate, detect labels, detect tag."""
from __future__ import annotations

import json
from pathlib import Path

import click

from policyscope.cli.tables import print_table

labels_option = click.option("--labels", "labels", multiple=True, required=True, type=click.Path(dir_okay=False),
                             help="Hand-coded labels CSV (repeatable); see docs/tracking.md for the columns.")
root_option = click.option("--corpus-root", "roots", multiple=True, type=click.Path(file_okay=False),
                           help="Where documents referenced by labels rows are found (repeatable; default: "
                                "$POLICYSCOPE_CORPUS_ROOTS, ../shared/corpus beside the repository, the repository).")
skip_option = click.option("--skip-missing", is_flag=True,
                           help="Leave out labels rows whose document cannot be found or whose span no longer "
                                "matches (default: stop with an error naming the first).")
lexicon_option = click.option("--lexicon", "lexicon", default=None, metavar="FILE|NAME",
                              help="Concept lexicon (default: models/concepts/social_care.yaml).")


def _lexicon(path):
    from policyscope.analyse.lexicon import load_lexicon
    return load_lexicon(path)


def _read(paths, lexicon, roots, skip_missing):
    from policyscope.analyse.detect.labels import read_labels
    return read_labels(list(paths), lexicon.concept_names, roots=[Path(r) for r in roots] or None,
                       skip_missing=skip_missing)


@click.group()
def detect():
    """Train, evaluate and try the concept detectors that `track` tags sentences with.

    \b
    Examples:
      policyscope detect train --labels models/labels/social_care_train.csv --out models/detectors/social_care
      policyscope detect evaluate --model models/detectors/social_care \\
          --labels models/labels/social_care_train.csv --test seeds=models/labels/social_care_seeds.csv
      policyscope detect tag "Councils and the NHS will pool their budgets for older people's care."
    """


@detect.command()
@labels_option
@lexicon_option
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False), help="The model folder to write.")
@click.option("--name", default=None, help="Detector name (default: the lexicon's name).")
@click.option("--version", "version", default="1.0.0", show_default=True, help="Detector version.")
@click.option("--backend", "backends", multiple=True, type=click.Choice(["hybrid", "model"]),
              help="Backends to fit (repeatable; default: both).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the inner cross-validation folds.")
@root_option
@skip_option
def train(labels, lexicon, out, name, version, backends, seed, roots, skip_missing):
    """Fit the trained detectors (hybrid, model) on hand-coded labels and write a model folder.

    Regularisation, calibration and threshold are chosen by cross-validation grouped by document
    inside the training rows. Rows from the bundled seed texts are refused (they are the
    out-of-domain check). Then run `detect evaluate` to measure it and write metrics.json.

    \b
    Example:
      policyscope detect train --labels models/labels/social_care_train.csv --out models/detectors/social_care
    """
    from policyscope.analyse.detect.build import Recipe, train_detector
    from policyscope.analyse.detect.training import TrainSettings
    lex = _lexicon(lexicon)
    ls = _read(labels, lex, roots, skip_missing)
    recipe = Recipe(backends=tuple(backends) or ("hybrid", "model"), train=TrainSettings(seed=seed))
    folder = train_detector(ls, lex, out, name=name or lex.name, version=version, recipe=recipe)
    info = json.loads((folder / "detector.json").read_text())
    for s in ls.skipped[:5]:
        click.echo(f"note: left out {s}", err=True)
    if len(ls.skipped) > 5:
        click.echo(f"note: ... {len(ls.skipped)} rows left out in all", err=True)
    rows = [[b, c, f"{m['threshold']:.3f}", m["C"], m["n_nonzero_weights"]]
            for b, spec in info["backends"].items() for c, m in spec["concepts"].items()]
    click.echo(f"trained on {len(ls)} coded sentences from {info['training']['n_documents']} documents "
               f"(positives: {', '.join(f'{c} {n}' for c, n in info['training']['n_positive'].items())})")
    print_table(["backend", "concept", "threshold", "C", "weights"], rows)
    click.echo(f"-> {folder}/ (detector.json, {', '.join(b + '.npz' for b in info['backends'])}); next: "
               f"policyscope detect evaluate --model {folder} --labels ...")


@detect.command()
@click.option("--model", "model", required=True, type=click.Path(file_okay=False, exists=True),
              help="The model folder (from `detect train`).")
@labels_option
@click.option("--test", "tests", multiple=True, metavar="NAME=FILE",
              help="A held-out labels set the folder's detectors predict as they are (repeatable), e.g. "
                   "seeds=models/labels/social_care_seeds.csv.")
@lexicon_option
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True, help="Cross-validation folds.")
@click.option("--bootstrap", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Resamples of documents for the 95% intervals.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--no-borderline", is_flag=True, help="Print the figures without borderline rows (both are in "
                                                     "metrics.json).")
@click.option("--cv-by", "cv_by", multiple=True, type=click.Choice(["round", "source_group", "doc_type", "stratum"]),
              help="Also leave one collection out: every row of one value of this labels column (repeatable: "
                   "values joined, e.g. --cv-by round --cv-by source_group) is predicted by detectors refitted "
                   "on the others; how it does on a kind of document it was not trained on.")
@root_option
@skip_option
def evaluate(model, labels, tests, lexicon, folds, bootstrap, seed, no_borderline, cv_by, roots, skip_missing):
    """Measure every backend on coded sentences it has not seen; write metrics.json into the model folder.

    Cross-validation grouped by document over --labels (no sentence of a test document is in its
    training fold) for the trained backends, with the plain-keyword baseline and the lexicon
    scored on the same rows in the same run; each --test set is predicted by the folder's
    detectors as trained. With --cv-by, each collection (e.g. one coding round's practitioner
    transcripts) is also left out whole. Prints precision, recall and F1 with 95% bootstrap intervals.

    \b
    Example:
      policyscope detect evaluate --model models/detectors/social_care \\
          --labels models/labels/social_care_train.csv --test seeds=models/labels/social_care_seeds.csv \\
          --cv-by round --cv-by source_group
    """
    from policyscope.analyse.detect.evaluation import collections_table, evaluate as run_eval, metrics_table
    from policyscope.errors import UsageError
    lex = _lexicon(lexicon)
    train_set = _read(labels, lex, roots, skip_missing)
    test_sets = {}
    for t in tests:
        if "=" not in t:
            raise UsageError(f"--test takes NAME=FILE, not {t!r}")
        name, path = t.split("=", 1)
        test_sets[name] = _read([path], lex, roots, skip_missing)
    metrics = run_eval(model, train_set, lex, tests=test_sets, folds=folds, seed=seed, n_boot=bootstrap,
                       progress=lambda m: click.echo(f"  {m}", err=True), cv_by=list(cv_by))
    variant = "no_borderline" if no_borderline else "all"
    headers, rows = metrics_table(metrics, variant)
    click.echo(f"{'without' if no_borderline else 'with'} borderline rows; intervals: {bootstrap} resamples of "
               "documents")
    print_table(headers, rows)
    if cv_by:
        click.echo(f"\nleft out one {'/'.join(cv_by)} at a time:")
        print_table(*collections_table(metrics, variant))
    click.echo(f"-> {Path(model) / 'metrics.json'} in {metrics['seconds']:.0f}s")


@detect.command("labels")
@labels_option
@lexicon_option
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False), help="CSV to write.")
@root_option
@skip_option
def labels_cmd(labels, lexicon, out, roots, skip_missing):
    """Rebuild the text of labels rows stored as references (document sha256, page, span) and write them
    with their text and neighbours.

    The shared documents the project's labels come from may not be redistributed, so the labels
    in models/labels/ carry references; this cuts each sentence out of its document again
    (ingested from --corpus-root, checked by sha256 and by the sentence's hash).

    \b
    Example:
      policyscope detect labels --labels models/labels/social_care_train.csv --out /tmp/train_text.csv
    """
    import csv
    lex = _lexicon(lexicon)
    ls = _read(labels, lex, roots, skip_missing)
    cols = ["item_id", *lex.concept_names, "borderline", "text", "before", "after", "stratum", "source_group",
            "date", "doc_type", "weight"]
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        f = ls.frame
        for r in f.itertuples(index=False):
            w.writerow([getattr(r, c) for c in cols])
    click.echo(f"{len(ls)} rows with text -> {out}" + (f" ({len(ls.skipped)} left out)" if ls.skipped else ""))


@detect.command()
@click.argument("sentence")
@click.option("--before", default="", help="The sentence before it (context).")
@click.option("--after", default="", help="The sentence after it (context).")
@click.option("--detector", default=None, metavar="BACKEND|FOLDER", help="Default: hybrid when trained.")
@lexicon_option
def tag(sentence, before, after, detector, lexicon):
    """Show what a detector says about one sentence: per concept its probability, tag and evidence.

    \b
    Example:
      policyscope detect tag "Patients will be able to choose which hospital they go to."
    """
    from policyscope.analyse.detect import SentenceBatch, load_detector
    from policyscope.nlp import lemma_strings
    lex = _lexicon(lexicon)
    det = load_detector(detector, lex)
    d = det.detect(SentenceBatch([sentence], [before], [after], lemma_strings([sentence])))
    click.echo(f"detector {det.label()}")
    rows = []
    for c in det.concepts:
        p = d.prob[c][0]
        ev = "; ".join(f"{h.term}: {h.matched!r}" for h in d.hits if h.concept == c)
        rows.append([c, "" if p != p else f"{p:.3f}", "yes" if d.tagged[c][0] else "no", ev])
    print_table(["concept", "probability", "tagged", "evidence"], rows)


COMMANDS = [detect]
