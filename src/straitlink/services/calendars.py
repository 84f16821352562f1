"""Both sides' working-day calendars over the `holidays` package, and the deadline rules shipped as YAML.

A day is a working day on one side when it is a weekday that is not a public holiday there, or a weekend day
that side has made a working day (補班 / 调休, the package's `weekend_workdays`). Days the package does not know
yet can be added, with their source, in `data/calendar_additions.yaml`.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from importlib import resources
from typing import Any

import holidays
import yaml

from straitlink.domain.deadlines import DeadlineRule, Milestone, Period, Unit, When
from straitlink.domain.errors import InvalidValue
from straitlink.domain.parties import Party
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import Direction
from straitlink.domain.workflow import Side

_COUNTRY = {Party.TW: "TW", Party.CN: "CN"}


class HolidayCalendar:
    """One side's working days; each year is worked out once."""

    def __init__(
        self, party: Party, *, workdays: frozenset[date] = frozenset(), days_off: frozenset[date] = frozenset()
    ):
        self._party = party
        self._workdays = workdays
        self._days_off = days_off
        self._off_by_year: dict[int, frozenset[date]] = {}

    @property
    def party(self) -> Party:
        return self._party

    def _year(self, year: int) -> frozenset[date]:
        found = self._off_by_year.get(year)
        if found is None:
            cal = holidays.country_holidays(_COUNTRY[self._party], years=year, categories=("public",))
            makeup = {d for d in cal.weekend_workdays if d.year == year}
            off = set()
            day = date(year, 1, 1)
            while day.year == year:
                weekend = day.weekday() >= 5
                if (weekend and day not in makeup) or (not weekend and day in cal):
                    off.add(day)
                day += timedelta(days=1)
            found = frozenset((off | {d for d in self._days_off if d.year == year}) - self._workdays)
            self._off_by_year[year] = found
        return found

    def is_working_day(self, day: date) -> bool:
        return day not in self._year(day.year)

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name in the package, for explaining a count."""
        name = holidays.country_holidays(_COUNTRY[self._party], years=day.year, categories=("public",)).get(day)
        return str(name) if name else None


def _read(name: str) -> Any:
    return yaml.safe_load((resources.files("straitlink.services") / "data" / name).read_text(encoding="utf-8"))


def _additions(entries: Any, where: str) -> frozenset[date]:
    out = set()
    for i, e in enumerate(entries or []):
        if not isinstance(e, dict) or not isinstance(e.get("date"), date) or not str(e.get("source") or "").strip():
            raise InvalidValue(f"{where}[{i}]", e, "write {date: YYYY-MM-DD, source: where it was announced}")
        out.add(e["date"])
    return frozenset(out)


@functools.cache
def calendars() -> dict[Party, HolidayCalendar]:
    """Both sides' calendars with the shipped additions."""
    data = _read("calendar_additions.yaml") or {}
    out = {}
    for party in Party:
        extra = data.get(party.value) or {}
        out[party] = HolidayCalendar(
            party,
            workdays=_additions(extra.get("workdays"), f"calendar_additions.yaml: {party.value}.workdays"),
            days_off=_additions(extra.get("holidays"), f"calendar_additions.yaml: {party.value}.holidays"),
        )
    return out


def _enum(cls: Any, value: Any, where: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        raise InvalidValue(where, value, "one of " + "|".join(m.value for m in cls)) from None


def parse_rule(raw: Any, where: str) -> DeadlineRule:
    """One rule from its YAML mapping, every field checked."""
    if not isinstance(raw, dict):
        raise InvalidValue(where, raw, "a mapping")
    for key in ("id", "title", "from", "until", "period", "side", "article"):
        if raw.get(key) in (None, ""):
            raise InvalidValue(f"{where}.{key}", None, "required")
    types = raw.get("types", "all")
    period = raw["period"]
    if not isinstance(period, dict) or not isinstance(period.get("count"), int):
        raise InvalidValue(
            f"{where}.period", period, "write {count: N, unit: calendar_days|working_days|calendar_months}"
        )
    return DeadlineRule(
        id=str(raw["id"]),
        title=str(raw["title"]),
        start=_enum(Milestone, raw["from"], f"{where}.from"),
        stop=_enum(Milestone, raw["until"], f"{where}.until"),
        period=Period(period["count"], _enum(Unit, period.get("unit"), f"{where}.period.unit")),
        side=_enum(Side, raw["side"], f"{where}.side"),
        article=str(raw["article"]),
        quote=raw.get("quote"),
        note=raw.get("note"),
        types=frozenset() if types == "all" else frozenset(_enum(RequestType, t, f"{where}.types") for t in types),
        directions=frozenset(_enum(Direction, d, f"{where}.directions") for d in raw.get("directions") or []),
        when=_enum(When, raw.get("when", "always"), f"{where}.when"),
        extend_to_working_day=bool(raw.get("extend_to_working_day", False)),
    )


@functools.cache
def load_rules() -> tuple[DeadlineRule, ...]:
    """The shipped deadline rules."""
    data = _read("deadlines.yaml") or {}
    rules = tuple(parse_rule(r, f"deadlines.yaml: rules[{i}]") for i, r in enumerate(data.get("rules") or []))
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise InvalidValue("deadlines.yaml: rules", ids, "rule ids must be unique")
    return rules
