"""Periods: calendar years (default), fixed-width bins (`5y`) or named ranges (`2005-2009,2010-2014`)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from policyscope.errors import UsageError

_BIN_RE = re.compile(r"^(\d+)y$")
_RANGE_RE = re.compile(r"^(?:(?P<label>[^=]+)=)?(?P<a>\d{4})(?:\s*[-–]\s*(?P<b>\d{4}))?$")


@dataclass(frozen=True)
class Period:
    label: str
    start: int  # first year, inclusive
    end: int  # last year, inclusive


class PeriodScheme:
    """Maps a year to a period. `describe()` is what run.json records."""

    def __init__(self, by: str = "year", periods: str | None = None):
        self.by = by
        self.named: list[Period] | None = None
        self.width = 1
        if periods:
            self.named = parse_periods(periods)
            self.by = "periods"
        elif by == "year":
            self.width = 1
        else:
            m = _BIN_RE.match(by or "")
            if not m or int(m.group(1)) < 1:
                raise UsageError(f"--by must be 'year' or a width such as '5y', not {by!r}")
            self.width = int(m.group(1))

    def period(self, year: int | None) -> Period | None:
        if year is None:
            return None
        if self.named is not None:
            for p in self.named:
                if p.start <= year <= p.end:
                    return p
            return None
        if self.width == 1:
            return Period(str(year), year, year)
        start = year - year % self.width
        return Period(f"{start}-{start + self.width - 1}", start, start + self.width - 1)

    def describe(self) -> dict:
        if self.named is not None:
            return {"by": "periods", "periods": [p.__dict__ for p in self.named]}
        return {"by": "year" if self.width == 1 else f"{self.width}y"}


def parse_periods(spec: str) -> list[Period]:
    """'2005-2009,2010-2014' or 'New Labour=1997-2009,Coalition=2010-2014' or '2015' -> periods."""
    out: list[Period] = []
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        m = _RANGE_RE.match(part)
        if not m:
            raise UsageError(f"cannot read period {part!r}: use YYYY-YYYY, YYYY or LABEL=YYYY-YYYY, "
                             "separated by commas (e.g. 2005-2009,2010-2014)")
        a = int(m.group("a"))
        b = int(m.group("b") or a)
        if b < a:
            raise UsageError(f"period {part!r} ends before it starts")
        label = (m.group("label") or (f"{a}-{b}" if b != a else str(a))).strip()
        for p in out:
            if not (b < p.start or a > p.end):
                raise UsageError(f"periods {p.label} and {label} overlap: a year must fall in one period")
        out.append(Period(label, a, b))
    if not out:
        raise UsageError("--periods is empty")
    return sorted(out, key=lambda p: p.start)
