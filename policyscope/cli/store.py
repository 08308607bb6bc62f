"""`policyscope store export | import`: the store as a partitioned Parquet dataset and back."""
from __future__ import annotations

import click

from policyscope.cli.options import db_option
from policyscope.cli.tables import print_table


@click.group("store")
def store_group():
    """Move the store to and from a partitioned Parquet dataset (pandas, DuckDB, dask.dataframe read it).

    \b
    Examples:
      policyscope store export --db policyscope.db --parquet corpus.parquet
      policyscope store import --parquet corpus.parquet --db copy.db
    """


@store_group.command("export")
@db_option
@click.option("--parquet", "folder", required=True, type=click.Path(file_okay=False),
              help="The dataset folder to write (documents/, pages/, passages/, sentences/, hits/).")
@click.option("--lexicon", default=None, metavar="FILE|NAME",
              help="Lexicon whose hits fill hits/ (default: models/concepts/social_care.yaml).")
@click.option("--rows-per-partition", type=click.IntRange(min=1), default=None,
              help="Sentences per partition, whole documents each.  [default: 50000]")
def export_cmd(db, folder, lexicon, rows_per_partition):
    """Write the store as a Parquet dataset, partitioned by whole documents.

    \b
    Examples:
      policyscope store export --db policyscope.db --parquet corpus.parquet
      policyscope track --parquet corpus.parquet --cluster local:2 --out reports/track
      python -c "import pandas as pd; print(pd.read_parquet('corpus.parquet/sentences').head())"
    """
    from policyscope.analyse.lexicon import load_lexicon
    from policyscope.analyse.matcher import Matcher
    from policyscope.analyse.track import tag_rows
    from policyscope.parquet import ROWS_PER_PARTITION, export_parquet, require_pyarrow
    from policyscope.store import open_store
    require_pyarrow()
    lex = load_lexicon(lexicon)
    matcher = Matcher(lex)
    with open_store(db) as store:
        manifest = export_parquet(store, folder, tag=lambda rows: tag_rows(rows, matcher),
                                  lexicon=(lex.name, lex.version),
                                  rows_per_partition=rows_per_partition or ROWS_PER_PARTITION)
    print_table(["table", "rows"], sorted(manifest["counts"].items()))
    click.echo(f"\n{manifest['partitions']} partitions -> {folder} (hits: lexicon {lex.label})")


@store_group.command("import")
@click.option("--parquet", "folder", required=True, type=click.Path(file_okay=False, exists=True),
              help="A dataset written by `store export`.")
@db_option
def import_cmd(folder, db):
    """Write a Parquet dataset's documents into a SQLite store (replacing documents with the same id).

    \b
    Example:
      policyscope store import --parquet corpus.parquet --db policyscope.db
    """
    from policyscope.parquet import import_parquet
    from policyscope.store import Store
    with Store(db) as store:
        counts = import_parquet(folder, store)
    print_table(["table", "rows"], sorted(counts.items()))
    click.echo(f"\n-> {db}")


COMMANDS = [store_group]
