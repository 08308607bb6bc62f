"""Options shared by several commands."""
from __future__ import annotations

import click

from policyscope.store import DEFAULT_DB

db_option = click.option("--db", "db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
                         help="The SQLite store.")
