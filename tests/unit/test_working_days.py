"""Working days counted from per-year tables agree with counting day by day."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from straitlink.domain.deadlines import working_days_between
from straitlink.domain.parties import Party

HOLIDAYS = frozenset(date(2009, 1, 1) + timedelta(days=d) for d in range(0, 6000, 37))


class Weekdays:
    party = Party.TW

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in HOLIDAYS


CALENDAR = Weekdays()
days = st.dates(date(2008, 1, 1), date(2026, 12, 31))


def by_day(after: date, until: date) -> int:
    if until < after:
        return -by_day(until, after)
    return sum(CALENDAR.is_working_day(after + timedelta(days=i)) for i in range(1, (until - after).days + 1))


@given(after=days, until=days)
def test_counts_agree_with_counting_each_day(after: date, until: date) -> None:
    assert working_days_between(after, until, CALENDAR) == by_day(after, until)


def test_the_ends_of_the_calendar() -> None:
    assert working_days_between(date.max - timedelta(days=10), date.max, CALENDAR) == by_day(
        date.max - timedelta(days=10), date.max
    )
    assert working_days_between(date.min, date.min + timedelta(days=10), CALENDAR) == by_day(
        date.min, date.min + timedelta(days=10)
    )
