"""The `policyscope` command: a thin layer over the library.

Each command parses its options, calls one library function and prints the result. Library
errors (PolicyscopeError) become one clear message on stderr and a non-zero exit code.
"""
from __future__ import annotations

import sys

import click

from policyscope import __version__
from policyscope.errors import PolicyscopeError


class PolicyscopeGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PolicyscopeError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted: every document written so far is complete; run the same command again to finish",
                       err=True)
            ctx.exit(130)


@click.group(cls=PolicyscopeGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="policyscope")
def cli():
    """Measure how much space concepts get in a policy discourse over time,
    with every number traceable to the sentences behind it.

    \b
    Start:  policyscope ingest corpus/ --db policyscope.db
            policyscope docs --db policyscope.db
    """


def register(*modules) -> None:
    for module in modules:
        for command in module.COMMANDS:
            cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """The `policyscope` program. With `argv` (a test, a notebook) it runs the command and returns
    (or raises SystemExit, as click does); without, it is the process's entry point and ends it."""
    from policyscope.cli import corpus, detect, report, store, study, topics, track
    register(corpus, track, detect, topics, report, store, study)
    if argv is not None:
        cli.main(args=argv, prog_name="policyscope")
        return
    try:
        cli.main(prog_name="policyscope")
        code = 0
    except SystemExit as exc:
        code = exc.code
    _exit_now(code)


def _exit_now(code) -> None:
    """End the process once the command is done, without Python tearing down every module and
    object: with spaCy and numpy loaded that takes ~0.08 s, which each run paid for nothing. What
    the command opened is closed by now (the store, the worker pool); exit handlers (atexit,
    weakref finalizers such as temporary folders) still run and stdout/stderr are flushed."""
    import atexit
    import os

    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed, or a broken pipe (`policyscope docs | head`)
            pass
    os._exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
