"""Concept commands: track, kwic, cite, validate, collocates, keyness."""
from __future__ import annotations

import csv
import io
import json
import sys

import click

from policyscope.cli.options import chosen_cluster, cluster_options, db_option
from policyscope.cli.tables import print_table
from policyscope.errors import UsageError

lexicon_option = click.option("--lexicon", "lexicon", default=None, metavar="FILE|NAME",
                              help="Concept lexicon YAML (default: models/concepts/social_care.yaml).")
include_sections_option = click.option(
    "--include-sections", default="", metavar="LIST",
    help="Also count these sections besides body: references,front_matter,boilerplate (comma-separated).")
include_duplicates_option = click.option("--include-duplicates", is_flag=True,
                                         help="Count near-duplicate documents too (default: once).")
detector_option = click.option(
    "--detector", default=None, metavar="BACKEND|FOLDER",
    help="Which sentences count: hybrid (trained model + lexicon; the default when the lexicon has a trained "
         "detector), model, lexicon (the lexicon's rules), keyword (plain keywords), or a model folder.")
detector_model_option = click.option(
    "--detector-model", default=None, type=click.Path(file_okay=False), metavar="FOLDER",
    help="Model folder for model/hybrid (default: models/detectors/<lexicon name>).")


def _sections(include: str) -> tuple[str, ...]:
    extra = [s.strip() for s in (include or "").split(",") if s.strip()]
    return tuple(dict.fromkeys(["body", *extra]))


def _load_lexicon(path):
    from policyscope.analyse.lexicon import load_lexicon
    return load_lexicon(path)


def _fmt(v, digits=3):
    if v is None or v == "" or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return v


@click.command()
@db_option
@lexicon_option
@click.option("--by", default="year", show_default=True, help="Periods: year, or a width such as 5y.")
@click.option("--periods", default=None, metavar="LIST",
              help="Named periods instead of --by: 2005-2009,2010-2014 or 'New Labour=1997-2009,...'.")
@click.option("--by-doc-type", is_flag=True, help="Also report each doc_type separately (doc_type column).")
@include_sections_option
@include_duplicates_option
@click.option("--bootstrap", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Bootstrap resamples of documents within each period for the intervals (0: none).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the bootstrap.")
@click.option("--min-docs", type=click.IntRange(min=1), default=3, show_default=True,
              help="Periods with fewer documents are flagged thin.")
@click.option("--concept", "concepts", multiple=True, help="Only these concepts (repeatable; default: all).")
@detector_option
@detector_model_option
@click.option("--no-correct", is_flag=True,
              help="Leave out the error-corrected measures (*_corrected rows, error_rates.csv).")
@click.option("--error-rates", "error_rates", default=None, type=click.Path(dir_okay=False, exists=True),
              metavar="SCORE.json",
              help="Correct with the error measured on your own coded sample (`validate --score` writes it) "
                   "instead of the detector's metrics.json.")
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--parquet", "parquet", default=None, type=click.Path(file_okay=False, exists=True),
              help="Track a Parquet dataset (`policyscope store export --parquet DIR`) instead of --db: each "
                   "partition is counted on its own, on the cluster's workers when one is named.")
@cluster_options
def track(db, lexicon, by, periods, by_doc_type, include_sections, include_duplicates, bootstrap, seed, min_docs,
          concepts, detector, detector_model, no_correct, error_rates, out, parquet, scheduler, cluster):
    """Measure each concept's share of the discourse per period, with intervals and evidence.

    Writes concept_share.csv, evidence.csv (one row per hit, with the detector's probability),
    denominators.csv, changepoints.csv, error_rates.csv and run.json to --out, and prints a compact
    table (pooled sentence share with 95% interval, its error-corrected value, hits per 10,000
    tokens, balance). Sentences are tagged by the trained hybrid detector when the lexicon has one
    (models/detectors/<lexicon>/), else by the lexicon's rules; --detector chooses. The
    *_corrected measures correct the tagged shares for the detector's measured sensitivity and
    specificity (docs/tracking.md).

    \b
    Examples:
      policyscope track --db policyscope.db --out reports/track
      policyscope track --db policyscope.db --by 5y --by-doc-type --bootstrap 2000 --out reports/track5y
      policyscope track --db policyscope.db --periods 2005-2009,2010-2014,2015-2019,2020-2024 --out reports/p
      policyscope track --db policyscope.db --lexicon my_lexicon.yaml --include-sections references --out r/
      policyscope track --db policyscope.db --detector lexicon --out reports/track_lexicon
      policyscope track --db policyscope.db --error-rates integ_sample.score.json --out reports/track
      policyscope track --db policyscope.db --cluster local:2 --out reports/track
      policyscope track --parquet /shared/corpus.parquet --scheduler tcp://10.0.0.5:8786 --out reports/track

    On a cluster (--scheduler, --cluster, $POLICYSCOPE_SCHEDULER; docs/scale.md) the sentences are
    tagged on the workers; the outputs are byte for byte those of a run on one machine.
    """
    from policyscope.analyse.track import TrackOptions, summary_table
    opts = TrackOptions(lexicon=lexicon, by=by, periods=periods, by_doc_type=by_doc_type,
                        sections=_sections(include_sections), include_duplicates=include_duplicates,
                        bootstrap=bootstrap, seed=seed, min_docs=min_docs, concepts=list(concepts) or None,
                        detector=detector, detector_model=detector_model, correct=not no_correct,
                        error_rates=error_rates)
    res = _run_track(db, out, opts, parquet, chosen_cluster(scheduler, cluster))
    names = [c for c in res.lexicon.concept_names if not concepts or c in concepts]
    headers, rows = summary_table(res.share, names)
    click.echo(f"lexicon {res.lexicon.label} · detector {res.detector.label()} · {len(res.docs)} documents · "
               f"{res.timings['n_tokens']:,} tokens · {res.n_hits:,} hits · sentence share = sentences tagged / "
               "sentences (pooled)")
    print_table(headers, rows)
    for cp in res.changepoints:
        if cp["break_year"] != "":
            click.echo(f"change point: {cp['concept']} shifts level in {cp['break_year']} "
                       f"({100 * cp['mean_before']:.1f}% -> {100 * cp['mean_after']:.1f}% of sentences)")
    notes = {cp["note"] for cp in res.changepoints if cp["break_year"] == ""}
    for n in sorted(notes):
        click.echo(f"change points: {n}")
    for w in res.warnings:
        click.echo(f"note: {w}", err=True)
    click.echo(f"-> {res.out}/ (concept_share.csv, evidence.csv, denominators.csv, changepoints.csv, run.json) "
               f"in {res.timings['total_seconds']:.1f}s")


def _run_track(db, out, opts, parquet, scheduler):
    """The library function for the source (store or Parquet dataset) and engine (here or a cluster)."""
    if parquet:
        from policyscope.analyse.track_parquet import run_track_parquet
        return run_track_parquet(parquet, out, opts, scheduler=scheduler)
    if scheduler:
        from policyscope.analyse.track_cluster import run_track_on_cluster
        return run_track_on_cluster(db, out, opts, scheduler)
    from policyscope.analyse.track import run_track
    return run_track(db, out, opts)


@click.command()
@click.argument("query", required=False)
@db_option
@click.option("--concept", default=None, help="Show a lexicon concept's hits (exactly what track counts).")
@lexicon_option
@detector_option
@click.option("--regex", is_flag=True, help="QUERY is a regular expression (case-insensitive).")
@click.option("--lemma", is_flag=True, help="Match QUERY's lemmas against the sentences' lemmas.")
@click.option("--variants", is_flag=True, help="Add British/American spelling variants (-ise/-ize, centre/center...).")
@click.option("--window", "-w", type=click.IntRange(min=0), default=8, show_default=True,
              help="Context words on each side.")
@click.option("--sort", type=click.Choice(["date", "doc", "left", "right"]), default="date", show_default=True)
@click.option("--period", default=None, help="Only documents dated in these years, e.g. 2010-2014 or 2015.")
@click.option("--doc-type", "doc_types", multiple=True, help="Only this doc_type (repeatable).")
@include_sections_option
@include_duplicates_option
@click.option("--limit", "-n", type=click.IntRange(min=0), default=None,
              help="At most this many lines (default: 100 on the terminal, all for CSV/JSON; 0 = all).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def kwic(query, db, concept, lexicon, detector, regex, lemma, variants, window, sort, period, doc_types, include_sections,
         include_duplicates, limit, fmt):
    """Keyword in context: every match with its sentence, document, date, page and sentence id.

    QUERY is a word, a phrase, a glob (personalis*) or, with --regex, a regular expression;
    --lemma matches lemmas (integrate care -> integrating care, integrated care); --concept shows
    the hits of a lexicon concept. Matching is case-insensitive; a phrase also matches its
    hyphenated and run-together forms (person centred -> person-centred).

    \b
    Examples:
      policyscope kwic "personal budget*" --db policyscope.db
      policyscope kwic "person centred" --sort left --window 6
      policyscope kwic --concept integration --period 2015-2024 --doc-type article --format csv > integ.csv
      policyscope kwic 'integrat\\w+ (care|health)' --regex --format json
      policyscope kwic "pool budget" --lemma
    """
    from policyscope.analyse.kwic import kwic as run_kwic
    from policyscope.store import open_store
    if lemma and regex:
        raise UsageError("--lemma and --regex cannot be combined")
    lex = _load_lexicon(lexicon) if concept else None
    if limit is None:
        limit = 100 if fmt == "table" else 0
    with open_store(db) as store:
        res = run_kwic(store, query, concept=concept, lexicon=lex, regex=regex, lemma=lemma, variants=variants,
                       window=window, sort=sort, period=period, doc_types=list(doc_types) or None,
                       sections=_sections(include_sections), include_duplicates=include_duplicates,
                       limit=None, detector=detector)
    total = len(res.lines)
    lines = res.lines[:limit] if limit else res.lines
    if fmt == "json":
        click.echo(json.dumps({"query": res.query, "mode": res.mode, "n_matches": total,
                               "lines": [ln.to_dict() for ln in lines]}, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        buf = io.StringIO()
        cols = ["left", "keyword", "right", "title", "date", "page", "sentence_id", "doc_id", "doc_type", "concept",
                "term", "char_start", "char_end", "citation", "sentence"]
        w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        for ln in lines:
            w.writerow(ln.to_dict())
        click.echo(buf.getvalue(), nl=False)
        return
    width = max(20, window * 7)
    for ln in lines:
        before = ln.sentence[ln.char_start - 1:ln.char_start] if ln.char_start else " "
        after = ln.sentence[ln.char_end:ln.char_end + 1] or " "
        sep_l = " " if before.isspace() or not ln.left else ""
        sep_r = " " if after.isspace() or not ln.right else ""
        left = (ln.left[-width:] + sep_l).rjust(width + 1)
        right = (sep_r + ln.right[:width]).ljust(width + 1)
        kw = click.style(" ".join(ln.keyword.split()), bold=True, fg="yellow")
        where = f"{ln.title[:34]}, {ln.date or 'n.d.'}, p. {ln.page} [{ln.sentence_id}]"
        click.echo(f"{left}{kw}{right}  {click.style(where, dim=True)}")
    more = f" (showing {len(lines)}; --limit 0 for all)" if len(lines) < total else ""
    click.echo(f"\n{total} matches of {res.query!r} ({res.mode}) in {res.n_candidates} candidate sentences, "
               f"{res.seconds:.2f}s{more}", err=True)
    for n in res.notes:
        click.echo(f"note: {n}", err=True)


@click.command()
@click.argument("sentence_id")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
def cite(sentence_id, db, fmt):
    """Print a sentence, its passage and a citation to paste (document, date, page, sentence id).

    \b
    Examples:
      policyscope cite 8c5d22618b69:p004:s012 --db policyscope.db
      policyscope cite 8c5d22618b69:p004:s012 --format markdown
    """
    from policyscope.citation import cite_sentence, markdown_citation
    from policyscope.store import open_store
    with open_store(db) as store:
        c = cite_sentence(store, sentence_id)
    if fmt == "json":
        click.echo(json.dumps(c.to_dict(), indent=2, ensure_ascii=False))
        return
    if fmt == "markdown":
        click.echo(markdown_citation(c))
        return
    p = c.passage
    passage = (p[:c.sentence_start] + click.style(p[c.sentence_start:c.sentence_end], bold=True)
               + p[c.sentence_end:])
    click.echo(click.style("Sentence ", bold=True) + c.sentence_id + f"  ({c.section}, page {c.page})")
    click.echo("  " + " ".join(c.sentence.split()))
    click.echo(click.style("Passage ", bold=True) + c.passage_id)
    click.echo("  " + " ".join(passage.split(" ")).replace("\n", "\n  "))
    click.echo(click.style("Citation", bold=True))
    click.echo("  " + c.citation)
    extra = [f"licence: {c.licence}" if c.licence else "licence: unknown (check before quoting at length)"]
    if c.source_url:
        extra.append(f"source: {c.source_url}")
    click.echo("  " + " · ".join(extra))


@click.command()
@db_option
@lexicon_option
@click.option("--concept", default=None, help="Concept to sample (with --sample).")
@click.option("--sample", "n", type=click.IntRange(min=1), default=None,
              help="Draw a stratified sample of this many sentences for hand coding.")
@click.option("--score", "coded", type=click.Path(dir_okay=False), default=None,
              help="Score a coded sample CSV (code column filled with 1/0).")
@click.option("--out", "-o", type=click.Path(dir_okay=False), default=None,
              help="Sample CSV to write (default: validation_CONCEPT.csv).")
@click.option("--by", default="year", show_default=True, help="Periods for stratifying: year or e.g. 5y.")
@click.option("--periods", default=None, help="Named periods, e.g. 2005-2009,2010-2014.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--bootstrap", type=click.IntRange(min=0), default=2000, show_default=True,
              help="Resamples for the score intervals.")
@include_sections_option
@include_duplicates_option
@detector_option
def validate(db, lexicon, concept, n, coded, out, by, periods, seed, bootstrap, include_sections, include_duplicates,
             detector):
    """Check the detector against hand coding: draw a sample to code, then score it.

    --sample N draws sentences the detector tags (exactly what `track` counts), near misses and
    other sentences, stratified by period, to a CSV with a blank `code` column; fill it with 1 (the
    sentence is about the concept, ../shared/codebook or docs/tracking.md) or 0. --score reports
    precision, recall and F1 with 95% intervals per concept and period, plus sensitivity and
    specificity, and stores them with the lexicon and detector versions (the store's validation
    table, and CODED.score.json). With --detector, --score re-tags the coded sentences with that
    detector, so one coded sample compares detectors. `track --error-rates CODED.score.json`
    corrects shares with the error you measured.

    \b
    Examples:
      policyscope validate --concept integration --sample 200 --db policyscope.db --out integ_sample.csv
      policyscope validate --score integ_sample.csv --db policyscope.db
      policyscope validate --score integ_sample.csv --db policyscope.db --detector lexicon
    """
    from policyscope.store import open_store
    if (n is None) == (coded is None):
        raise UsageError("use either --concept NAME --sample N, or --score CODED.csv")
    if n is not None:
        from policyscope.analyse.validate import draw_sample
        if not concept:
            raise UsageError("--sample needs --concept NAME")
        lex = _load_lexicon(lexicon)
        out = out or f"validation_{concept}.csv"
        with open_store(db) as store:
            res = draw_sample(store, concept, n, out, lexicon=lex, seed=seed, by=by, periods=periods,
                              sections=_sections(include_sections), include_duplicates=include_duplicates,
                              detector=detector)
        print_table(["period", "stratum", "sentences", "drawn", "weight"],
                    [(r.period, r.stratum, r.population, r.drawn, f"{r.weight:.2f}") for r in res.cells.itertuples()])
        click.echo(f"\n{res.n_rows} sentences -> {res.path}: fill `code` with 1/0, then "
                   f"`policyscope validate --score {res.path} --db {db}`")
        return
    from policyscope.analyse.validate import score_coded
    lex = _load_lexicon(lexicon) if lexicon else None
    with open_store(db) as store:
        rep = score_coded(coded, store=store, n_boot=bootstrap, seed=seed, lexicon=lex, detector=detector)
    rows = []
    for r in rep["results"]:
        def ci(k):
            return "" if r[k] != r[k] else f"{r[k]:.2f} [{r[k + '_low']:.2f}-{r[k + '_high']:.2f}]"
        spec = "" if r.get("specificity") is None or r["specificity"] != r["specificity"] else f"{r['specificity']:.3f}"
        rows.append((r["concept"], r["period"], r["n_coded"], r["n_tagged"], r["n_positive"], ci("precision"),
                     ci("recall"), ci("f1"), spec))
    print_table(["concept", "period", "coded", "tagged", "coded 1", "precision [95% CI]", "recall [95% CI]",
                 "F1 [95% CI]", "specificity"], rows)
    for n_ in rep["notes"]:
        click.echo(f"note: {n_}", err=True)
    click.echo(f"\nlexicon {rep['lexicon']} {rep['lexicon_version']} · detector {rep['detector']} "
               f"{rep['detector_version']} · stored in {rep.get('stored_in')} "
               f"(validation table) and {rep['json']}")


@click.command()
@db_option
@click.option("--concept", required=True, help="Concept whose hits are the nodes.")
@lexicon_option
@click.option("--window", "-w", type=click.IntRange(min=1), default=5, show_default=True, help="Words each side.")
@click.option("--by", default="5y", show_default=True, help="Periods: year or a width such as 5y.")
@click.option("--periods", default=None, help="Named periods, e.g. 2005-2009,2010-2014.")
@click.option("--min-freq", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--top", type=click.IntRange(min=0), default=20, show_default=True, help="Per period (0 = all).")
@include_sections_option
@include_duplicates_option
@click.option("--out", "-o", type=click.Path(dir_okay=False), default=None, help="Write all rows to this CSV.")
def collocates(db, concept, lexicon, window, by, periods, min_freq, top, include_sections, include_duplicates, out):
    """Words that keep company with a concept's terms, per period (log-likelihood, PMI, frequencies).

    \b
    Examples:
      policyscope collocates --concept personalisation --by 5y --db policyscope.db
      policyscope collocates --concept integration --periods 2005-2014,2015-2024 --window 4 --out coll.csv
    """
    from policyscope.analyse.collocates import collocates as run
    from policyscope.store import open_store
    with open_store(db) as store:
        df = run(store, concept, lexicon=_load_lexicon(lexicon), window=window, by=by, periods=periods,
                 sections=_sections(include_sections), include_duplicates=include_duplicates, min_freq=min_freq,
                 top=top)
    if out:
        df.to_csv(out, index=False)
    print_table(["period", "collocate", "in window", "in period", "expected", "log-lik", "PMI"],
                [(r.period, r.collocate, r.freq_window, r.freq_period, f"{r.expected:.1f}", f"{r.log_likelihood:.1f}",
                  f"{r.pmi:.2f}") for r in df.itertuples()])
    if out:
        click.echo(f"\n-> {out}")


@click.command()
@db_option
@click.option("--a", "period_a", required=True, help="First period, e.g. 2005-2009.")
@click.option("--b", "period_b", required=True, help="Second period, e.g. 2015-2019.")
@click.option("--concept", default=None, help="Only sentences tagged with this concept.")
@lexicon_option
@click.option("--min-freq", type=click.IntRange(min=1), default=5, show_default=True, help="Minimum a + b.")
@click.option("--top", type=click.IntRange(min=0), default=20, show_default=True, help="Per side (0 = all).")
@click.option("--keep-stop-words", is_flag=True)
@include_sections_option
@include_duplicates_option
@click.option("--out", "-o", type=click.Path(dir_okay=False), default=None, help="Write the rows to this CSV.")
def keyness(db, period_a, period_b, concept, lexicon, min_freq, top, keep_stop_words, include_sections,
            include_duplicates, out):
    """Words key to one period against another (log-likelihood, p, log ratio effect size).

    \b
    Examples:
      policyscope keyness --a 2010-2014 --b 2015-2024 --db policyscope.db
      policyscope keyness --a 2010-2014 --b 2015-2024 --concept personalisation --min-freq 3
    """
    from policyscope.analyse.keyness import keyness as run
    from policyscope.store import open_store
    with open_store(db) as store:
        df = run(store, period_a, period_b, concept=concept, lexicon=_load_lexicon(lexicon) if concept else None,
                 sections=_sections(include_sections), include_duplicates=include_duplicates, min_freq=min_freq,
                 top=top, keep_stop_words=keep_stop_words)
    if out:
        df.to_csv(out, index=False)
    if df.empty:
        click.echo("no words pass --min-freq", err=True)
        return
    first = df.iloc[0]
    click.echo(f"A = {period_a} ({int(first.tokens_a):,} tokens) · B = {period_b} ({int(first.tokens_b):,} tokens)"
               + (f" · sentences tagged {concept}" if concept else ""))
    print_table(["key for", "word", "freq A", "freq B", "per 10k A", "per 10k B", "log-lik", "p", "log ratio"],
                [(r.key_for, r.word, r.freq_a, r.freq_b, f"{r.per_10k_a:.1f}", f"{r.per_10k_b:.1f}",
                  f"{r.log_likelihood:.1f}", f"{r.p_value:.2g}", f"{r.log_ratio:+.2f}") for r in df.itertuples()])
    if out:
        click.echo(f"\n-> {out}")


COMMANDS = [track, kwic, cite, validate, collocates, keyness]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(track())
