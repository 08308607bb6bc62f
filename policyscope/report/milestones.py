"""Policy milestones: a small, user-editable YAML (or CSV) of dated events drawn on timelines.

YAML: ``{name, version, milestones: [{label, date, short?, kind?, theme?, detail?, source?, show?}]}``.
CSV: columns label,date[,short,kind,theme,detail,source,show]. Dates are YYYY, YYYY-MM or YYYY-MM-DD.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from policyscope.errors import ReportError
from policyscope.model import DATE_RE

REPO_MODELS = Path(__file__).resolve().parents[2] / "models" / "milestones"
DEFAULT_MILESTONES = REPO_MODELS / "social_care_england.yaml"


@dataclass(frozen=True)
class Milestone:
    label: str
    date: str
    short: str = ""
    kind: str = ""
    theme: str = ""
    detail: str = ""
    source: str = ""
    show: bool = True

    @property
    def x(self) -> float:
        """Decimal year (2014-05-14 -> 2014.36), the x position on period charts."""
        return decimal_year(self.date)

    @property
    def text(self) -> str:
        return self.short or self.label


def decimal_year(date: str) -> float:
    m = DATE_RE.match(str(date).strip())
    if not m:
        raise ValueError(f"not a date: {date!r} (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    year = int(m.group(1))
    month = int(m.group(2) or 1)
    day = int(m.group(3) or 1)
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    return year + (dt.date(year, month, day) - start).days / days


def _truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in ("false", "0", "no", "n", "")


def load_milestones(path: str | Path | None = None, *, include_hidden: bool = False) -> list[Milestone]:
    """Read milestones from YAML or CSV (default: the shipped English social-care file).

    Fails with ReportError naming the file, the entry and what is wrong.
    """
    path = Path(path) if path else DEFAULT_MILESTONES
    if not path.exists():
        raise ReportError("milestones file not found", path=str(path),
                          hint=f"pass a YAML/CSV file, e.g. {DEFAULT_MILESTONES}")
    try:
        if path.suffix.lower() == ".csv":
            with open(path, newline="", encoding="utf-8-sig") as fh:
                rows = list(csv.DictReader(fh))
        else:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            rows = data.get("milestones") if isinstance(data, dict) else data
    except (yaml.YAMLError, csv.Error, UnicodeDecodeError) as exc:
        raise ReportError(f"cannot read milestones: {exc}", path=str(path)) from exc
    if not isinstance(rows, list):
        raise ReportError("expected a `milestones:` list", path=str(path))
    out = []
    for i, row in enumerate(rows):
        where = f"milestones[{i}]"
        if not isinstance(row, dict):
            raise ReportError(f"{where}: expected a mapping with label and date", path=str(path))
        label, date = str(row.get("label") or "").strip(), str(row.get("date") or "").strip()
        if not label:
            raise ReportError(f"{where}.label is missing", path=str(path))
        if not DATE_RE.match(date):
            raise ReportError(f"{where}.date {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD ({label})", path=str(path))
        try:
            decimal_year(date)
        except ValueError as exc:
            raise ReportError(f"{where}.date: {exc} ({label})", path=str(path)) from exc
        m = Milestone(label=label, date=date, short=str(row.get("short") or "").strip(),
                      kind=str(row.get("kind") or ""), theme=str(row.get("theme") or ""),
                      detail=str(row.get("detail") or ""), source=str(row.get("source") or ""),
                      show=_truthy(row.get("show", True)))
        if m.show or include_hidden:
            out.append(m)
    return sorted(out, key=lambda m: m.x)


def milestones_in_range(milestones: list[Milestone], x_min: float, x_max: float) -> list[Milestone]:
    return [m for m in milestones if x_min <= m.x <= x_max]
