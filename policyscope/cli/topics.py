"""`policyscope topics fit | show | timeline`: topic models and topic timelines."""
from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import click

from policyscope.cli.options import chosen_cluster, cluster_options, db_option
from policyscope.cli.tables import print_table
from policyscope.errors import UsageError


@click.group()
def topics():
    """Topic models (LDA, NMF) over the store's passages, and topic timelines.

    \b
    Start:
      policyscope topics fit --db policyscope.db --k auto --seed 42 --out models/topics/demo
      policyscope topics show demo
      policyscope topics timeline demo --by year --out reports/topics/demo
    """


def _settings(config, k, k_range, backend, seed, unit, max_unit_tokens, min_unit_terms, passes, workers, stopwords,
              phrases, include_duplicates, sections, sets):
    from policyscope.analyse.topics.settings import TopicSettings, parse_k_values
    from policyscope.analyse.topics.stopwords import read_stopword_file

    if config:
        data = json.loads(Path(config).read_text(encoding="utf-8"))
        s = TopicSettings.from_dict(data.get("settings", data))
    else:
        s = TopicSettings()
    k_auto = False
    if k is not None:
        if k.strip().lower() == "auto":
            k_auto = True
        else:
            try:
                s.model.k = int(k)
            except ValueError:
                raise UsageError(f"--k must be a number or 'auto' (got {k!r})") from None
    if k_range:
        s.selection.k_values = parse_k_values(k_range)
    for target, name, value in ((s.model, "backend", backend), (s.model, "seed", seed), (s.corpus, "unit", unit),
                                (s.corpus, "max_unit_tokens", max_unit_tokens),
                                (s.corpus, "min_unit_terms", min_unit_terms), (s.model, "workers", workers),
                                (s.corpus, "phrases", phrases)):
        if value is not None:
            setattr(target, name, value)
    if passes is not None:
        s.model.lda_passes = passes
        s.model.nmf_minibatch_passes = passes
    if stopwords:
        s.corpus.extra_stopwords = tuple(dict.fromkeys(s.corpus.extra_stopwords + read_stopword_file(stopwords)))
    if include_duplicates:
        s.corpus.include_duplicates = True
    if sections:
        s.corpus.sections = tuple(x.strip() for x in sections.split(",") if x.strip())
    for item in sets:
        _apply_set(s, item)
    return s.validate(), k_auto


def _apply_set(s, item: str) -> None:
    """--set model.lda_iterations=200 / corpus.no_below=5 / labels.n_passages=5."""
    if "=" not in item or "." not in item.split("=", 1)[0]:
        raise UsageError(f"--set needs GROUP.NAME=VALUE (got {item!r})", hint="e.g. --set corpus.no_below=5")
    key, raw = item.split("=", 1)
    group, name = key.strip().split(".", 1)
    target = getattr(s, group, None)
    if target is None or name not in {f.name for f in fields(target)}:
        known = ", ".join(f"{g}.{f.name}" for g in ("corpus", "model", "selection", "labels")
                          for f in fields(getattr(s, g)))
        raise UsageError(f"unknown setting {key!r}", hint=f"known settings: {known}")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    if isinstance(value, list):
        value = tuple(value)
    setattr(target, name, value)


@topics.command()
@db_option
@click.option("--k", "k", default=None, help="Number of topics, or 'auto' to fit --k-range and choose.  [default: 10]")
@click.option("--k-range", default=None, help="Candidate K for --k auto: start:stop:step or a list.  [default: 5:25:5]")
@click.option("--backend", type=click.Choice(["lda", "nmf", "tomotopy"]), default=None,
              help="tomotopy: Gibbs-sampled LDA; lda: gensim LDA; nmf: scikit-learn NMF on TF-IDF.  [default: tomotopy]")
@click.option("--seed", type=int, default=None, help="Random seed (same corpus + settings + seed = same topics). "
                                                     "[default: 42]")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Run folder.  [default: models/topics/NAME]")
@click.option("--name", default=None, help="Run name.  [default: the --out folder's name, else BACKEND-kK]")
@click.option("--unit", type=click.Choice(["passage", "sentence"]), default=None,
              help="What a model 'document' is.  [default: passage]")
@click.option("--max-unit-tokens", type=click.IntRange(min=10), default=None,
              help="Longer passages are cut at sentence boundaries.  [default: 250]")
@click.option("--min-unit-terms", type=click.IntRange(min=1), default=None,
              help="Units with fewer kept terms are not modelled.  [default: 5]")
@click.option("--passes", type=click.IntRange(min=1), default=None, help="LDA passes over the corpus.  [default: 10]")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="lda: >1 uses LdaMulticore (faster, not bit-reproducible); tomotopy: sampler threads.  [default: 1]")
@click.option("--stopwords", type=click.Path(exists=True, dir_okay=False),
              help="Extra stopwords, one per line (added to English + boilerplate).")
@click.option("--phrases/--no-phrases", default=None, help="Detect bigram/trigram phrases ('personal_budget').  [default: off]")
@click.option("--include-duplicates", is_flag=True, help="Model near-duplicate documents too.")
@click.option("--sections", default=None, help="Comma list of sections to model.  [default: body]")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False),
              help="Start from a run's config.json (reproduce it); other options override.")
@click.option("--set", "sets", multiple=True, metavar="GROUP.NAME=VALUE",
              help="Any other setting, e.g. --set model.lda_iterations=200 --set corpus.no_below=5.")
@click.option("--quiet", "-q", is_flag=True, help="Only the final tables.")
@cluster_options
def fit(db, k, k_range, backend, seed, out, name, unit, max_unit_tokens, min_unit_terms, passes, workers, stopwords,
        phrases, include_duplicates, sections, config, sets, quiet, scheduler, cluster):
    """Fit a topic model on the store's passages and save a run folder.

    \b
    Examples:
      policyscope topics fit --db policyscope.db --k 12 --backend lda --seed 42 --out models/topics/lda12
      policyscope topics fit --db policyscope.db --k auto --k-range 4:16:2 --out models/topics/auto
      policyscope topics fit --db policyscope.db --config models/topics/lda12/config.json --out models/topics/again
      policyscope topics fit --db /shared/policyscope.db --backend nmf --cluster local:2 --out models/topics/nmf

    On a cluster (--scheduler, --cluster; docs/scale.md) the workers prepare the corpus from the
    store (on a filesystem they share): terms, vocabulary counts and the document-term matrix; the
    fit runs here and, with --backend lda or nmf, streams the matrix part by part: the same topics
    and files as without.

    The run folder holds config.json (every setting), topics.json, run.json, document_topics.csv
    (one row per passage × topic, every passage: short ones inferred or no_topic) and the model files.
    """
    from policyscope.analyse.topics.fit import fit_topics
    from policyscope.analyse.topics.runs import RUNS_DIR

    settings, k_auto = _settings(config, k, k_range, backend, seed, unit, max_unit_tokens, min_unit_terms, passes,
                                 workers, stopwords, phrases, include_duplicates, sections, sets)
    if out is None:
        name = name or f"{settings.model.backend}-k{'auto' if k_auto else settings.model.k}"
        out = RUNS_DIR / name
    echo = (lambda m: None) if quiet else (lambda m: click.echo(m, err=True))
    result = fit_topics(db, out, settings, k_auto=k_auto, name=name, echo=echo,
                        scheduler=chosen_cluster(scheduler, cluster))
    if result.selection:
        click.echo("K selection (c_v, c_npmi: mean topic coherence; diversity: unique share of top-25 terms):")
        print_table(["K", "c_v", "c_npmi", "diversity", "score", "chosen", "fit s"],
                    [(s.k, f"{s.c_v:.3f}", f"{s.c_npmi:.3f}", f"{s.diversity:.3f}", f"{s.score:.3f}",
                      "<-" if s.chosen else "", f"{s.fit_seconds:.1f}") for s in result.selection])
        click.echo(f"chose K={result.k}; overrule with --k N\n")
    _topic_table(result.topics)
    for note in result.notes:
        click.echo(f"note: {note}")
    click.echo(f"\nK={result.k}, {result.stats['units_modelled']} units, {result.stats['documents']} documents, "
               f"{result.seconds:.1f}s -> {result.folder}")


def _topic_table(topic_list, n_terms: int = 8) -> None:
    print_table(["topic", "label", "share", "c_v", "top terms"],
                [(t["topic"], t["label"], f"{100 * t['prevalence']['document_weighted']:.1f}%",
                  "" if t["coherence"].get("c_v") is None else f"{t['coherence']['c_v']:.2f}",
                  ", ".join(x["term"] for x in t["terms"][:n_terms])) for t in topic_list],
                max_width={"label": 40, "top terms": 90})


@topics.command()
@click.argument("name")
@click.option("--runs-dir", type=click.Path(file_okay=False), default=None,
              help="Where named runs live.  [default: models/topics]")
@click.option("--topic", "-t", "only", type=int, multiple=True, help="Show only these topics (1-based).")
@click.option("--terms", "n_terms", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--passages", "n_passages", type=click.IntRange(min=0), default=3, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print topics.json.")
def show(name, runs_dir, only, n_terms, n_passages, as_json):
    """Show a run's topics: labels, terms, prevalence, concepts and representative passages with citations.

    \b
    Examples:
      policyscope topics show demo
      policyscope topics show models/topics/lda12 --topic 3 --passages 5
    """
    from policyscope.analyse.topics.runs import Run, resolve_run

    run = Run(resolve_run(name, runs_dir))
    chosen = [t for t in run.topics if not only or t["topic"] in only]
    if as_json:
        click.echo(json.dumps({"name": run.name, "k": run.k, "topics": chosen}, indent=2, ensure_ascii=False))
        return
    cfg = run.config
    q = cfg.get("quality", {})
    click.echo(f"{run.name}: {cfg['method']}, K={run.k} ({cfg['k_selection']['mode']}), seed "
               f"{cfg['settings']['model']['seed']}, {cfg['corpus']['units_modelled']} units from "
               f"{cfg['corpus']['documents']} documents; c_v {q.get('c_v')}, c_npmi {q.get('c_npmi')}, "
               f"diversity {q.get('diversity')}")
    for t in chosen:
        click.echo("")
        coh = t["coherence"]
        click.echo(f"Topic {t['topic']}: {t['label']}   share {100 * t['prevalence']['document_weighted']:.1f}% "
                   f"of documents, {100 * t['prevalence']['token_weighted']:.1f}% of tokens; "
                   f"c_v {coh.get('c_v')}, c_npmi {coh.get('c_npmi')}")
        click.echo("  top terms:         " + ", ".join(x["term"] for x in t["terms"][:n_terms]))
        click.echo("  distinctive terms: " + ", ".join(t["distinctive_terms"][:n_terms]))
        if t.get("concepts"):
            click.echo("  concepts:          " + _concepts_line(t["concepts"]))
        for p in t["representative_passages"][:n_passages]:
            click.echo(f"  - ({p['weight']:.2f}) {p['citation']}")
            if p.get("text"):
                click.echo(click.wrap_text(p["text"], width=100, initial_indent="      ", subsequent_indent="      "))
    for note in cfg.get("notes", []):
        click.echo(f"\nnote: {note}")


def _concepts_line(concepts: dict) -> str:
    parts = []
    for c in concepts.get("by_concept", []):
        lift = "n/a" if c["lift"] is None else f"{c['lift']:.1f}"
        bit = (f"{c['concept']}{' (carries)' if c.get('carries') else ''}: lift {lift}, holds "
               f"{100 * c['of_concept']:.0f}% of its text ({_pct(c['share'])} of the topic vs {_pct(c['base'])} "
               f"of the corpus)")
        if c.get("terms"):
            bit += f" [terms: {', '.join(c['terms'])}]"
        parts.append(bit)
    return "; ".join(parts) or "none"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%" if x < 0.1 else f"{100 * x:.0f}%"


@topics.command()
@click.argument("name")
@click.option("--by", default="year", show_default=True, help="Periods: year, decade, Ny (e.g. 5y) or all.")
@click.option("--periods", default=None,
              help="Named periods instead of --by, as in `track`: e.g. \"New Labour=1997-2009,Coalition=2010-2014\".")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder for topic_share.csv etc.")
@click.option("--runs-dir", type=click.Path(file_okay=False), default=None,
              help="Where named runs live.  [default: models/topics]")
@click.option("--bootstrap", "n_boot", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Bootstrap resamples of documents per period (0: no intervals).")
@click.option("--seed", type=int, default=42, show_default=True, help="Bootstrap seed.")
@click.option("--min-docs", type=click.IntRange(min=1), default=3, show_default=True,
              help="Periods with fewer documents are flagged thin.")
@click.option("--words/--no-words", default=True, show_default=True,
              help="Also write each topic's top words per period (topic_words_by_period.csv).")
@click.option("--measure", type=click.Choice(["document_weighted", "token_weighted"]), default="document_weighted",
              show_default=True, help="Which measure the printed table shows (the CSV has both).")
def timeline(name, by, periods, out, runs_dir, n_boot, seed, min_docs, words, measure):
    """Topic prevalence per period with bootstrap intervals: topic_share.csv (+ words per period).

    \b
    Examples:
      policyscope topics timeline demo --by year --out reports/topics/demo
      policyscope topics timeline models/topics/lda12 --by decade --out reports/topics/lda12 --bootstrap 2000
    """
    from policyscope.analyse.topics.runs import resolve_run
    from policyscope.analyse.topics.timeline import write_timeline

    info = write_timeline(resolve_run(name, runs_dir), out, by=by, periods=periods, n_boot=n_boot, seed=seed,
                          min_docs=min_docs, words=words)
    frame = info.pop("frame")
    f = frame[frame["measure"] == measure]
    periods = list(dict.fromkeys(f["period"]))
    topic_ids = sorted(f["topic"].unique())
    labels = dict(zip(f["topic"], f["label"]))
    cells = {(r.period, r.topic): r for r in f.itertuples(index=False)}
    rows = []
    for t in topic_ids:
        rows.append([t, labels[t]] + [f"{100 * cells[(p, t)].value:.0f}" for p in periods])
    click.echo(f"{measure.replace('_', '-')} topic share (%) by {'period' if periods else by}; "
               "intervals in topic_share.csv")
    print_table(["topic", "label"] + [str(p) for p in periods], rows, max_width={"label": 32})
    n_docs = dict(zip(f["period"], f["n_docs"]))
    click.echo("documents: " + ", ".join(f"{p}: {n_docs[p]}" for p in periods))
    if info["thin_periods"]:
        click.echo(f"thin periods (< {min_docs} documents): {', '.join(info['thin_periods'])}")
    if info["undated_documents_left_out"]:
        click.echo(f"undated documents left out: {info['undated_documents_left_out']}")
    if info["documents_outside_periods"]:
        click.echo(f"documents outside the named periods: {info['documents_outside_periods']}")
    click.echo(f"wrote {', '.join(info['files'])} and run.json -> {out}")


COMMANDS = [topics]
