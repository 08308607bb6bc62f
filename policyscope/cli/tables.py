"""Aligned plain-text tables for the terminal."""
from __future__ import annotations

import click


def _cell(value, width: int | None) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def print_table(headers, rows, max_width: dict | None = None) -> None:
    max_width = max_width or {}
    cells = [[_cell(v, max_width.get(h)) for h, v in zip(headers, row)] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for r in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
