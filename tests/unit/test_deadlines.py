"""Deadline rules and day counting on both sides' calendars, with holidays and make-up working days.

The calendar facts asserted here come from the official 2025 holiday notices:
- mainland (国务院办公厅关于2025年部分节假日安排的通知): 春节 1月28日至2月4日放假调休；1月26日（周日）、
  2月8日（周六）上班.
- Taiwan (行政院人事行政總處 114年辦公日曆表): 春節 1月25日至2月2日放假 (1月27日調整放假)；2月8日（週六）補行上班.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from straitlink.domain.deadlines import (
    DeadlineRule,
    DeadlineState,
    Milestone,
    Period,
    Unit,
    When,
    add_months,
    add_period,
    deadlines_for,
    milestones_of,
    working_days_between,
)
from straitlink.domain.errors import InvalidValue
from straitlink.domain.parties import Party
from straitlink.domain.provenance import Provenance
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import AssistanceRequest, RequestForm, RequestStatus, Urgency
from straitlink.domain.workflow import REQUIRED_CONTENTS, Side
from straitlink.services.calendars import HolidayCalendar, _additions, calendars, load_rules, parse_rule

CN = calendars()[Party.CN]
TW = calendars()[Party.TW]
BEFORE_LNY_2025 = date(2025, 1, 24)  # a Friday, the last working day on both sides before Lunar New Year


class Weekdays:
    """A calendar where Monday to Friday work, for checking the counting alone."""

    party = Party.TW

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5


def test_the_2025_lunar_new_year_on_both_calendars() -> None:
    # The mainland works on Sunday 26 January and Monday 27 January; Taiwan is already off.
    assert CN.is_working_day(date(2025, 1, 26)) and not TW.is_working_day(date(2025, 1, 26))
    assert CN.is_working_day(date(2025, 1, 27)) and not TW.is_working_day(date(2025, 1, 27))
    for day in (date(2025, 1, 28) + timedelta(days=i) for i in range(6)):  # 28 Jan – 2 Feb: off on both
        assert not CN.is_working_day(day) and not TW.is_working_day(day)
    # Taiwan works again from Monday 3 February; the mainland only from Wednesday 5 February.
    assert TW.is_working_day(date(2025, 2, 3)) and not CN.is_working_day(date(2025, 2, 3))
    assert not CN.is_working_day(date(2025, 2, 4)) and CN.is_working_day(date(2025, 2, 5))
    # Saturday 8 February is a make-up working day on both sides.
    assert CN.is_working_day(date(2025, 2, 8)) and TW.is_working_day(date(2025, 2, 8))
    assert not CN.is_working_day(date(2025, 2, 9)) and not TW.is_working_day(date(2025, 2, 9))


@pytest.mark.parametrize(
    ("count", "cn_due", "tw_due"),
    [
        (1, date(2025, 1, 26), date(2025, 2, 3)),  # CN's make-up Sunday; TW's first day back
        (2, date(2025, 1, 27), date(2025, 2, 4)),
        (3, date(2025, 2, 5), date(2025, 2, 5)),
        (6, date(2025, 2, 8), date(2025, 2, 8)),  # the make-up Saturday counts on both sides
        (7, date(2025, 2, 10), date(2025, 2, 10)),
    ],
)
def test_working_days_from_a_request_received_just_before_lunar_new_year(
    count: int, cn_due: date, tw_due: date
) -> None:
    period = Period(count, Unit.WORKING_DAYS)
    assert add_period(BEFORE_LNY_2025, period, CN) == cn_due
    assert add_period(BEFORE_LNY_2025, period, TW) == tw_due
    assert working_days_between(BEFORE_LNY_2025, cn_due, CN) == count
    assert working_days_between(BEFORE_LNY_2025, tw_due, TW) == count


def test_2013_make_up_weekend_on_the_mainland() -> None:
    # 国务院办公厅 2013 notice: 2月16日（星期六）、2月17日（星期日）上班.
    assert CN.is_working_day(date(2013, 2, 16)) and CN.is_working_day(date(2013, 2, 17))
    assert not TW.is_working_day(date(2013, 2, 17))


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (date(2025, 1, 24), 3, date(2025, 4, 24)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),  # no 30 February: the month's last day
        (date(2023, 11, 30), 3, date(2024, 2, 29)),  # leap year
        (date(2025, 10, 31), 3, date(2026, 1, 31)),  # across the year end
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
    ],
)
def test_calendar_months(start: date, months: int, due: date) -> None:
    assert add_months(start, months) == due
    assert add_period(start, Period(months, Unit.CALENDAR_MONTHS), Weekdays()) == due


def test_calendar_days_ignore_holidays_unless_the_rule_extends() -> None:
    period = Period(10, Unit.CALENDAR_DAYS)
    assert add_period(date(2025, 1, 20), period, CN) == date(2025, 1, 30)  # in the holiday: not moved
    assert add_period(date(2025, 1, 20), period, CN, extend=True) == date(2025, 2, 5)
    assert add_period(date(2025, 1, 20), period, TW, extend=True) == date(2025, 2, 3)


def test_working_days_between_counts_both_ways() -> None:
    monday, next_monday = date(2025, 3, 3), date(2025, 3, 10)
    assert working_days_between(monday, next_monday, Weekdays()) == 5
    assert working_days_between(next_monday, monday, Weekdays()) == -5
    assert working_days_between(monday, monday, Weekdays()) == 0


def request(**changes: object) -> AssistanceRequest:
    fields: dict[str, object] = {
        "id": "r",
        "provenance": Provenance.by_user("u"),
        "requesting_party": Party.TW,
        "type": RequestType.DOCUMENT_SERVICE,
        "subject": "s",
        "filed_on": date(2025, 1, 20),
        **{n: "x" for n in REQUIRED_CONTENTS},
    }
    fields.update(changes)
    return AssistanceRequest(**fields)  # type: ignore[arg-type]


RULES = load_rules()
BY_ID = {r.id: r for r in RULES}


def test_the_shipped_rules_name_their_articles() -> None:
    service = BY_ID["document-service-three-months"]
    assert service.article == "Agreement Art. 7¶2" and "三个月" in (service.quote or "")
    assert service.period == Period(3, Unit.CALENDAR_MONTHS) and service.side is Side.REQUESTED
    urgent = BY_ID["urgent-written-confirmation"]
    assert urgent.article == "Agreement Art. 13¶1" and "十日" in (urgent.quote or "")
    assert urgent.period == Period(10, Unit.CALENDAR_DAYS) and urgent.when is When.URGENT_OTHER_FORM


def test_document_service_three_months_from_receipt_on_the_requested_side() -> None:
    req = request(status=RequestStatus.RECEIVED, sent_on=date(2025, 1, 21), received_on=BEFORE_LNY_2025)
    (d,) = deadlines_for(req, milestones_of(req), RULES, calendars())
    assert (d.rule.id, d.party, d.start, d.due) == (
        "document-service-three-months",
        Party.CN,
        BEFORE_LNY_2025,
        date(2025, 4, 24),
    )
    assert d.state(date(2025, 4, 24)) is DeadlineState.RUNNING
    assert d.state(date(2025, 4, 25)) is DeadlineState.OVERDUE
    assert d.days_left(date(2025, 4, 20)) == 4
    # Seen from the other direction, the requested side (and its calendar) is Taiwan.
    flipped = request(requesting_party=Party.CN, status=RequestStatus.RECEIVED, received_on=BEFORE_LNY_2025)
    assert deadlines_for(flipped, milestones_of(flipped), RULES, calendars())[0].party is Party.TW


def test_the_service_deadline_is_met_or_late_by_the_closing_date() -> None:
    done = request(status=RequestStatus.COMPLETED, received_on=date(2025, 1, 24), closed_on=date(2025, 4, 24))
    late = request(status=RequestStatus.REFUSED, received_on=date(2025, 1, 24), closed_on=date(2025, 4, 25))
    assert deadlines_for(done, milestones_of(done), RULES, calendars())[0].state(date(2026, 1, 1)) is DeadlineState.MET
    assert deadlines_for(late, milestones_of(late), RULES, calendars())[0].state(date(2026, 1, 1)) is DeadlineState.LATE


def test_urgent_requests_in_another_form_must_be_confirmed_within_ten_days() -> None:
    urgent = request(
        type=RequestType.EVIDENCE_COLLECTION,
        urgency=Urgency.URGENT,
        form=RequestForm.OTHER,
        status=RequestStatus.SENT,
        sent_on=BEFORE_LNY_2025,
    )
    (d,) = deadlines_for(urgent, milestones_of(urgent), RULES, calendars())
    assert (d.rule.id, d.party, d.due) == ("urgent-written-confirmation", Party.TW, date(2025, 2, 3))
    assert d.state(date(2025, 2, 3)) is DeadlineState.RUNNING
    assert d.state(date(2025, 2, 4)) is DeadlineState.OVERDUE
    on_time = request(**{**urgent.__dict__, "confirmed_on": date(2025, 2, 3)})
    assert (
        deadlines_for(on_time, milestones_of(on_time), RULES, calendars())[0].state(date(2025, 3, 1))
        is DeadlineState.MET
    )
    late = request(**{**urgent.__dict__, "confirmed_on": date(2025, 2, 4)})
    assert deadlines_for(late, milestones_of(late), RULES, calendars())[0].state(date(2025, 3, 1)) is DeadlineState.LATE
    withdrawn = request(**{**urgent.__dict__, "status": RequestStatus.WITHDRAWN, "closed_on": date(2025, 1, 30)})
    assert (
        deadlines_for(withdrawn, milestones_of(withdrawn), RULES, calendars())[0].state(date(2025, 3, 1))
        is DeadlineState.CLOSED
    )
    # Written, or not urgent: no confirmation is due; not yet sent: the ten days have not started.
    for other in (
        request(**{**urgent.__dict__, "form": RequestForm.WRITTEN}),
        request(**{**urgent.__dict__, "status": RequestStatus.FILED, "sent_on": None}),
    ):
        assert deadlines_for(other, milestones_of(other), RULES, calendars()) == []


def test_a_working_day_rule_uses_the_acting_sides_calendar() -> None:
    rule = DeadlineRule(
        id="test",
        title="t",
        start=Milestone.RECEIVED,
        stop=Milestone.ASSIGNED,
        period=Period(2, Unit.WORKING_DAYS),
        side=Side.REQUESTED,
        article="test",
    )
    tw_to_cn = request(status=RequestStatus.RECEIVED, received_on=BEFORE_LNY_2025)
    cn_to_tw = request(requesting_party=Party.CN, status=RequestStatus.RECEIVED, received_on=BEFORE_LNY_2025)
    assert deadlines_for(tw_to_cn, milestones_of(tw_to_cn), [rule], calendars())[0].due == date(2025, 1, 27)
    assert deadlines_for(cn_to_tw, milestones_of(cn_to_tw), [rule], calendars())[0].due == date(2025, 2, 4)
    assigned = milestones_of(tw_to_cn, assigned_on=date(2025, 1, 27))
    assert deadlines_for(tw_to_cn, assigned, [rule], calendars())[0].state(date(2025, 3, 1)) is DeadlineState.MET


GOOD_RULE = {
    "id": "x",
    "title": "t",
    "from": "received",
    "until": "closed",
    "period": {"count": 3, "unit": "calendar_days"},
    "side": "requested",
    "article": "a",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": None}, "id"),
        ({"period": {"count": 3, "unit": "fortnights"}}, "period.unit"),
        ({"period": {"count": 0, "unit": "calendar_days"}}, "period.count"),
        ({"from": "arrival"}, "from"),
        ({"side": "both"}, "side"),
        ({"types": ["telepathy"]}, "types"),
    ],
)
def test_a_bad_rule_is_refused_naming_its_field(change: dict[str, object], field: str) -> None:
    assert parse_rule(GOOD_RULE, "rules[0]").period == Period(3, Unit.CALENDAR_DAYS)
    with pytest.raises(InvalidValue) as info:
        parse_rule({**GOOD_RULE, **change}, "rules[0]")
    assert info.value.field is not None and info.value.field.endswith(field)


def test_calendar_additions_need_a_source() -> None:
    with pytest.raises(InvalidValue):
        _additions([{"date": date(2027, 1, 2)}], "TW.workdays")
    assert _additions([{"date": date(2027, 1, 2), "source": "notice"}], "TW.workdays") == {date(2027, 1, 2)}
    cal = HolidayCalendar(Party.TW, workdays=frozenset({date(2027, 1, 2)}), days_off=frozenset({date(2027, 1, 4)}))
    assert cal.is_working_day(date(2027, 1, 2))  # a Saturday made a working day
    assert not cal.is_working_day(date(2027, 1, 4))  # a Monday made a holiday
