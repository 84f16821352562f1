"""Dates as English releases write them: 2013-06-16, 03/14/2014, June 16, 2013, Nov. 3, the end of May, early
(mid-, late) June, in June (of the document's year), a weekday, and relative words (last month, yesterday)
resolved against the document's date."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from straitlink.domain.dates import Part, PartialDate
from straitlink.domain.errors import InvalidValue

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS |= {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m} | {"sept": 9}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
DATE = re.compile(
    r"\b(?:(?P<iso>(?P<iy>(?:19|20)[0-9]{2})-(?P<im>[01]?[0-9])-(?P<id>[0-3]?[0-9]))"
    r"|(?P<us>(?P<um>[01]?[0-9])/(?P<ud>[0-3]?[0-9])/(?P<uy>(?:19|20)[0-9]{2}))"
    rf"|(?P<end>the end of {_MONTH.replace('month', 'em')}(?:\s+(?P<ey>(?:19|20)[0-9]{{2}}|this year|last year))?)"
    rf"|(?P<pp>early|mid|late)[\s-]+{_MONTH.replace('month', 'pm')}(?:,?\s+(?P<py>(?:19|20)[0-9]{{2}}))?"
    rf"|{_MONTH}\s+(?:(?P<day>[0-3]?[0-9])(?![0-9])(?:,?\s+(?P<year>(?:19|20)[0-9]{{2}}))?"
    r"|(?P<my>(?:19|20)[0-9]{2})|(?P<ty>this year|last year))"
    r"|(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    rf"|(?<=\bin\s){_MONTH.replace('month', 'bm')}(?!\s+[0-9]))\b",
    re.IGNORECASE,
)
_PARTS = {"early": Part.EARLY, "mid": Part.MIDDLE, "late": Part.LATE}  # early June, mid-June, late June
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DATELINE = re.compile(r"^[A-Z][A-Z .,'-]{2,40},\s+(?P<when>[A-Z][a-z]+\.?\s+[0-3]?[0-9])\s*\(", re.MULTILINE)
_RELATIVE = re.compile(
    r"\b(?P<rel>earlier this month|early this month|this month|last month|late last month|yesterday|today|last year)\b",
    re.IGNORECASE,
)


def resolve(m: re.Match[str], today: PartialDate | None, *, after: bool = False) -> PartialDate | None:
    """A date as matched by _DATE, the year taken from the document when the text leaves it out."""
    try:
        if m["iso"]:
            return PartialDate(int(m["iy"]), int(m["im"]), int(m["id"]))
        if m["us"]:
            return PartialDate(int(m["uy"]), int(m["um"]), int(m["ud"]))
        if m["weekday"]:
            if today is None or today.day is None:
                return None
            day = date(today.year, today.month or 1, today.day)
            back = (day.weekday() - _WEEKDAYS.index(m["weekday"].lower())) % 7
            found = day - timedelta(days=back)
            return PartialDate(found.year, found.month, found.day)
        month = _MONTHS[(m["em"] or m["pm"] or m["bm"] or m["month"]).lower().rstrip(".")]
        year_text = m["ey"] or m["py"] or m["year"] or m["my"] or m["ty"]
        if year_text and year_text[0].isdigit():
            year = int(year_text)
        elif today is None:
            return None
        else:
            year = today.year - (1 if year_text and "last" in year_text.lower() else 0)
            if not year_text and today.month is not None and month > today.month and not after:
                year -= 1  # 「by the end of November」 in a March release is last year's November
        if m["end"]:
            return PartialDate(year, month, calendar.monthrange(year, month)[1])
        if m["pp"]:
            return PartialDate(year, month, part=_PARTS[m["pp"].lower()])
        return PartialDate(year, month, int(m["day"])) if m["day"] else PartialDate(year, month)
    except (InvalidValue, ValueError, KeyError):
        return None


def header_date(text: str) -> PartialDate | None:
    """The document's date from its first lines (2013-06-16, Publication Date: 03/14/2014, June 16, 2013)."""
    for line in text[:400].split("\n")[:5]:
        for m in DATE.finditer(line):
            found = resolve(m, None)
            if found is not None and found.day is not None and (m["iso"] or m["us"] or m["year"]):
                return found
    return None


def relative(text: str, start: int, end: int, today: PartialDate | None) -> list[tuple[int, int, PartialDate]]:
    """Relative dates in text[start:end] (last month, yesterday...), resolved against today (the dispatch's date)."""
    if today is None or today.month is None:
        return []
    found = []
    for m in _RELATIVE.finditer(text, start, end):
        word = m["rel"].lower()
        if word == "last year":
            continue  # a year alone dates no event to the month
        if word in ("yesterday", "today"):
            if today.day is None:
                continue
            day = date(today.year, today.month, today.day) - timedelta(days=word == "yesterday")
            found.append((m.start(), m.end(), PartialDate(day.year, day.month, day.day)))
        elif "last" in word:
            year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
            found.append((m.start(), m.end(), PartialDate(year, month)))
        else:
            found.append((m.start(), m.end(), PartialDate(today.year, today.month)))
    return found
