"""Options shared by several commands."""
from __future__ import annotations

import click

from policyscope.store import DEFAULT_DB

db_option = click.option("--db", "db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
                         help="The SQLite store.")


def cluster_options(fn):
    """--scheduler ADDRESS and --cluster local:N (also $POLICYSCOPE_SCHEDULER): run on a Dask cluster."""
    fn = click.option("--cluster", "cluster", default=None, metavar="local:N",
                      help="Start a Dask LocalCluster of N worker processes here and run on it.")(fn)
    return click.option("--scheduler", "scheduler", default=None, metavar="ADDRESS",
                        help="Run on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786; default: "
                             "$POLICYSCOPE_SCHEDULER; neither: this machine, without Dask).")(fn)


def chosen_cluster(scheduler: str | None, cluster: str | None) -> str | None:
    """The cluster the flags or $POLICYSCOPE_SCHEDULER name, as the library takes it (address or local:N)."""
    from policyscope.distributed.spec import choose_cluster
    spec = choose_cluster(scheduler, cluster)
    return spec.label if spec else None
