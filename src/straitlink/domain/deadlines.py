"""Deadlines of a request: rules per request type and step, counted on the acting side's calendar.

The day counting is pure: calendars (which days are working days on each side, with public holidays and
make-up working days) are passed in, so the domain imports no holiday data. Conventions, as `docs/workflow.md`
states them: the day of the start event is not counted; N calendar days end N days later; N working days end on
the N-th working day after the start; N calendar months end on the same day of the month N months later, or on
that month's last day when it is shorter. A due date is not moved off a holiday unless the rule says so.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from straitlink.domain.errors import InvalidValue
from straitlink.domain.parties import Party
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import Direction, RequestFacts, RequestForm, Urgency
from straitlink.domain.workflow import Side


class Unit(StrEnum):
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    CALENDAR_MONTHS = "calendar_months"


class Milestone(StrEnum):
    """Dates in a request's life a deadline can run from or until."""

    FILED = "filed"
    SENT = "sent"
    RECEIVED = "received"
    ASSIGNED = "assigned"
    CLOSED = "closed"
    CONFIRMED_IN_WRITING = "confirmed_in_writing"


class When(StrEnum):
    ALWAYS = "always"
    URGENT_OTHER_FORM = "urgent_other_form"  # Art. 13¶1: urgent, first made in another form than writing


class Calendar(Protocol):
    """Which days one side works; implemented over the holiday data by straitlink.services.calendars."""

    @property
    def party(self) -> Party: ...

    def is_working_day(self, day: date) -> bool: ...


@dataclass(frozen=True)
class Period:
    count: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.count < 1:
            raise InvalidValue("period.count", self.count, "a whole number of at least 1")

    def __str__(self) -> str:
        return f"{self.count} {self.unit.value.replace('_', ' ')}"


@dataclass(frozen=True)
class DeadlineRule:
    """One time limit: from which event, until which, how long, on whose calendar, and where it comes from."""

    id: str
    title: str
    start: Milestone
    stop: Milestone
    period: Period
    side: Side
    article: str
    quote: str | None = None
    note: str | None = None
    types: frozenset[RequestType] = frozenset()  # empty: every type
    directions: frozenset[Direction] = frozenset()  # empty: both directions
    when: When = When.ALWAYS
    extend_to_working_day: bool = False

    def applies_to(self, request: RequestFacts) -> bool:
        if self.types and request.type not in self.types:
            return False
        if self.directions and request.direction not in self.directions:
            return False
        if self.when is When.URGENT_OTHER_FORM:
            return request.urgency is Urgency.URGENT and request.form is RequestForm.OTHER
        return True


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the last day of that month when it is shorter."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


def next_working_day(day: date, calendar: Calendar) -> date:
    """`day` itself if it is a working day, else the first working day after it."""
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def add_period(start: date, period: Period, calendar: Calendar, *, extend: bool = False) -> date:
    """The last day of `period` counted from `start` (not itself counted) on `calendar`."""
    if period.unit is Unit.CALENDAR_MONTHS:
        due = add_months(start, period.count)
    elif period.unit is Unit.CALENDAR_DAYS:
        due = start + timedelta(days=period.count)
    else:
        due, left = start, period.count
        while left:
            due += timedelta(days=1)
            left -= calendar.is_working_day(due)
    return next_working_day(due, calendar) if extend else due


# Per calendar (by identity, kept alive here) and year: working days before each day of the year, so a count over
# years costs a lookup per year instead of a call per day (a due list shows deadlines a decade overdue).
_PREFIXES: dict[int, tuple[Calendar, dict[int, list[int]]]] = {}


def _year_prefix(calendar: Calendar, year: int) -> list[int]:
    """prefix[i]: working days in the year before its day i (0-based); prefix[-1] is the year's total."""
    entry = _PREFIXES.get(id(calendar))
    if entry is None or entry[0] is not calendar:
        entry = _PREFIXES[id(calendar)] = (calendar, {})
    years = entry[1]
    if year not in years:
        first, prefix, count = date(year, 1, 1), [0], 0
        for i in range((date(year, 12, 31) - first).days + 1):
            count += bool(calendar.is_working_day(first + timedelta(days=i)))
            prefix.append(count)
        years[year] = prefix
    return years[year]


def _working_through(day: date, calendar: Calendar, since_year: int) -> int:
    """Working days from 1 January of `since_year` up to and including `day`."""
    total = sum(_year_prefix(calendar, y)[-1] for y in range(since_year, day.year))
    return total + _year_prefix(calendar, day.year)[day.timetuple().tm_yday]


def working_days_between(after: date, until: date, calendar: Calendar) -> int:
    """Working days in (after, until]; negative, counting (until, after], when `until` is earlier."""
    if until < after:
        return -working_days_between(until, after, calendar)
    return _working_through(until, calendar, after.year) - _working_through(after, calendar, after.year)


class DeadlineState(StrEnum):
    RUNNING = "running"
    OVERDUE = "overdue"
    MET = "met"
    LATE = "late"
    CLOSED = "closed"  # the request closed before the step the deadline waits for


@dataclass(frozen=True)
class Deadline:
    """One rule applied to one request."""

    rule: DeadlineRule
    request_id: str
    party: Party  # the side that must act, on whose calendar it is counted
    start: date
    due: date
    met_on: date | None
    closed_on: date | None = None

    def state(self, today: date) -> DeadlineState:
        if self.met_on is not None:
            return DeadlineState.MET if self.met_on <= self.due else DeadlineState.LATE
        if self.closed_on is not None:
            return DeadlineState.CLOSED
        return DeadlineState.OVERDUE if today > self.due else DeadlineState.RUNNING

    @property
    def is_open(self) -> bool:
        return self.met_on is None and self.closed_on is None

    def days_left(self, today: date) -> int:
        """Calendar days from `today` to the due date; negative once overdue."""
        return (self.due - today).days


def milestones_of(request: RequestFacts, *, assigned_on: date | None = None) -> dict[Milestone, date | None]:
    """The dates a request has reached; the assignment date comes from its history."""
    return {
        Milestone.FILED: request.filed_on,
        Milestone.SENT: request.sent_on,
        Milestone.RECEIVED: request.received_on,
        Milestone.ASSIGNED: assigned_on,
        Milestone.CLOSED: request.closed_on,
        Milestone.CONFIRMED_IN_WRITING: request.confirmed_on,
    }


def deadlines_for(
    request: RequestFacts,
    milestones: Mapping[Milestone, date | None],
    rules: Iterable[DeadlineRule],
    calendars: Mapping[Party, Calendar],
) -> list[Deadline]:
    """Every deadline that applies to the request and has started."""
    out = []
    for rule in rules:
        start = milestones.get(rule.start)
        if start is None or not rule.applies_to(request):
            continue
        party = rule.side.party(request)
        due = add_period(start, rule.period, calendars[party], extend=rule.extend_to_working_day)
        out.append(Deadline(rule, request.id, party, start, due, milestones.get(rule.stop), request.closed_on))
    return out
