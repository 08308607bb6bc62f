"""Dates → periods for topic timelines, through the concept tracker's PeriodScheme.

Topic and concept timelines must cut time the same way to be compared, so this is a thin adapter
over `policyscope.analyse.periods`: `year`, `Ny` bins (e.g. `5y`), named ranges
(`--periods "New Labour=1997-2009,Coalition=2010-2014"`), plus two names of our own:
`decade` (= `10y`) and `all` (one period holding every dated document).
"""
from __future__ import annotations

from policyscope.analyse.periods import Period, PeriodScheme
from policyscope.errors import UsageError
from policyscope.model import year_of

__all__ = ["Period", "make_scheme", "period_of"]


def make_scheme(by: str = "year", periods: str | None = None) -> PeriodScheme:
    if periods:
        return PeriodScheme(periods=periods)
    key = (by or "year").strip().lower()
    if key == "decade":
        return PeriodScheme("10y")
    if key == "all":
        return PeriodScheme(periods="all=1000-2999")
    try:
        return PeriodScheme(key)
    except UsageError:
        raise UsageError(f"cannot group by {by!r}", hint="use year, decade, Ny (e.g. 5y), all, or --periods") from None


def period_of(date: str | None, scheme: PeriodScheme) -> Period | None:
    """The period holding a document's date, or None (undated, or outside every named period)."""
    return scheme.period(year_of(date or None))
