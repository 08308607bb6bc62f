"""Dates → "YYYY", "YYYY-MM" or "YYYY-MM-DD": the one place date spellings are parsed.

Two sets of rules:
- lenient (the default), for dates found inside files and columns: ISO dates and datetimes,
  YYYYMM (Manifesto Project), YYYYMMDD, D/M/YYYY (day first, the UK reading), "7 June 2001",
  "June 2001", "29 January, 2025", PDF-style "D:20010607...". Impossible days degrade to the month.
- strict (strict=True), for manifest CSVs, where DESIGN.md mandates YYYY, YYYY-MM or YYYY-MM-DD:
  only those (month and day may be one digit; "/" or "." may separate) and ISO datetimes.

`date_from_filename` finds the most precise date written in a file name.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}

_FILENAME_DATES = (
    re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.]([01]\d)[-_.]([0-3]\d)(?!\d)"),
    re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.]([01]\d)(?!\d)"),
    re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)"),
)


def normalise_date(value, *, strict: bool = False) -> str | None:
    """A date → "YYYY", "YYYY-MM" or "YYYY-MM-DD"; None if it is not a date (under the chosen rules).

    strict=False: any common spelling (see the module docstring). strict=True: manifest rules,
    only ISO-like forms ("2014", "2014-1", "2014/01/31", "2014-01-31T10:00:00"; not "Jan 2014").
    """
    return _strict(value) if strict else _lenient(value)


def date_from_filename(name: str) -> str | None:
    """The most precise date in a file name ("2014-01-31-x.txt" → "2014-01-31", "manifesto_2017.pdf" → "2017")."""
    stem = Path(name).stem
    for rx in _FILENAME_DATES:
        m = rx.search(stem)
        if m:
            return normalise_date("-".join(g for g in m.groups() if g), strict=True)
    return None


def _strict(value) -> str | None:
    if value is None:
        return None
    v = str(value).strip()
    if not v:
        return None
    v = v.replace("/", "-").replace(".", "-")
    m = re.match(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?$", v)
    if not m:
        return None
    y, mo, d = m.group(1), m.group(2), m.group(3)
    if int(y) < 1000 or (mo and not 1 <= int(mo) <= 12):
        return None
    if d:
        try:
            date(int(y), int(mo), int(d))  # rejects 2014-02-30
        except ValueError:
            return None
    return y + (f"-{int(mo):02d}" if mo else "") + (f"-{int(d):02d}" if d and mo else "")


def _lenient(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if hasattr(value, "isoformat") and hasattr(value, "year"):  # datetime.date
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            return None
        value = str(int(value))
    s = str(value).strip()
    if s.startswith("D:"):
        s = s[2:]
    m = re.match(r"^(\d{4})(?:([-/.])(\d{1,2})(?:\2(\d{1,2}))?)?(?:[T ].*)?$", s)  # 2001-06-07, 2001/06/07
    if m:
        return _ymd(m.group(1), m.group(3), m.group(4))
    m = re.match(r"^(\d{4})(\d{2})(\d{2})?(?:\d{6})?(?:[Zz+\-'].*)?$", s)  # 200106, 20010607, 20010607120000Z
    if m:
        return _ymd(m.group(1), m.group(2), m.group(3))
    m = re.match(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$", s)
    if m:
        d, mo = int(m.group(1)), int(m.group(2))
        if mo > 12 and d <= 12:  # unambiguous month-first (US)
            d, mo = mo, d
        return _ymd(m.group(3), str(mo), str(d))
    m = re.match(r"^(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([A-Za-z]{3,9})\.?,?\s+(\d{4})\b", s)  # 7 June 2001 / June 2001
    if m and m.group(2)[:3].lower() in _MONTHS:
        return _ymd(m.group(3), str(_MONTHS[m.group(2)[:3].lower()]), m.group(1))
    m = re.match(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$", s)  # June 7, 2001
    if m and m.group(1)[:3].lower() in _MONTHS:
        return _ymd(m.group(3), str(_MONTHS[m.group(1)[:3].lower()]), m.group(2))
    return None


def _ymd(y: str, mo: str | None, d: str | None) -> str | None:
    year = int(y)
    if not 1000 <= year <= 2999:
        return None
    if not mo or int(mo) == 0:
        return f"{year:04d}"
    month = int(mo)
    if not 1 <= month <= 12:
        return None
    if not d or int(d) == 0:
        return f"{year:04d}-{month:02d}"
    try:
        return datetime(year, month, int(d)).date().isoformat()
    except ValueError:
        return f"{year:04d}-{month:02d}"
