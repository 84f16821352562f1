"""A meeting's follow-ups in the domain: what each needs, how the status moves, what is owed and overdue."""

from __future__ import annotations

from datetime import date

import pytest

from straitlink.catalog import load_catalog
from straitlink.codec import decode, encode
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.meetings import FollowUp, FollowUpStatus, Meeting, MeetingKind
from straitlink.domain.provenance import Provenance
from straitlink.services.follow_ups import parse_follow_up


def _meeting(*items: FollowUp, decisions: int = 2) -> Meeting:
    return Meeting(
        id="m1",
        provenance=Provenance.by_user("tester"),
        kind=MeetingKind.WORKING_TALKS,
        title="兩岸毒品查緝工作會談",
        date=PartialDate(2024, 3, 5),
        decisions=[f"決議{i}" for i in range(1, decisions + 1)],
        follow_ups=list(items),
    )


def test_a_follow_up_needs_what_was_agreed_and_who_does_it() -> None:
    with pytest.raises(MissingField) as caught:
        FollowUp(action=" ", agency="cib")
    assert caught.value.field == "follow_ups.action"
    with pytest.raises(MissingField) as caught:
        FollowUp(action="交換情資", agency="")
    assert caught.value.field == "follow_ups.agency"


def test_a_status_other_than_open_is_dated_and_a_dropped_one_says_why() -> None:
    with pytest.raises(MissingField) as caught:
        FollowUp(action="交換情資", agency="cib", status=FollowUpStatus.DONE)
    assert caught.value.field == "follow_ups.status_on"
    with pytest.raises(MissingField) as caught:
        FollowUp(action="交換情資", agency="cib", status=FollowUpStatus.DROPPED, status_on=date(2024, 4, 1))
    assert caught.value.field == "follow_ups.note"


def test_a_decision_number_must_be_one_the_meeting_recorded() -> None:
    with pytest.raises(InvalidValue) as caught:
        _meeting(FollowUp(action="a", agency="cib", decision=3))
    assert (caught.value.field, caught.value.value) == ("follow_ups[0].decision", 3)
    with pytest.raises(InvalidValue) as caught:
        FollowUp(action="a", agency="cib", decision=0)
    assert caught.value.field == "follow_ups.decision"
    assert _meeting(FollowUp(action="a", agency="cib", decision=2)).follow_ups[0].decision == 2


def test_dates_before_the_meeting_are_refused_naming_the_item() -> None:
    early = FollowUp(action="a", agency="cib", due=date(2024, 3, 4))
    with pytest.raises(InvalidValue) as caught:
        _meeting(FollowUp(action="b", agency="cib"), early)
    assert (caught.value.field, caught.value.value) == ("follow_ups[1].due", "2024-03-04")


def test_pending_and_overdue() -> None:
    today = date(2024, 6, 1)
    late = FollowUp(action="a", agency="cib", due=date(2024, 5, 31))
    moving = FollowUp(
        action="b", agency="cib", due=date(2024, 5, 1), status=FollowUpStatus.IN_PROGRESS, status_on=date(2024, 4, 1)
    )
    done = late.moved_to(FollowUpStatus.DONE, date(2024, 5, 30), "已辦結")
    later = FollowUp(action="c", agency="cib", due=today)
    m = _meeting(late, moving, done, later)
    assert m.pending_follow_ups() == [late, moving, later]
    assert m.overdue_follow_ups(today) == [late, moving]
    assert (done.status, done.status_on, done.note) == (FollowUpStatus.DONE, date(2024, 5, 30), "已辦結")


def test_follow_ups_round_trip_through_json() -> None:
    item = FollowUp(
        action="協緝通緝犯",
        agency="mps",
        decision=1,
        due=date(2024, 12, 31),
        status=FollowUpStatus.IN_PROGRESS,
        status_on=date(2024, 4, 2),
        note="已函請協助",
        request="r1",
    )
    data = encode(_meeting(item))
    assert data["follow_ups"][0]["due"] == "2024-12-31" and data["follow_ups"][0]["status"] == "in_progress"
    assert decode(Meeting, data).follow_ups == [item]


def test_a_bad_follow_up_in_json_is_named_by_its_place() -> None:
    data = encode(_meeting())
    data["follow_ups"] = [{"action": "a", "agency": "cib", "due": "明年"}]
    with pytest.raises(InvalidValue) as caught:
        decode(Meeting, data)
    assert caught.value.field == "follow_ups[0].due"
    data["follow_ups"] = [{"action": "a", "agency": "cib", "status": "finished"}]
    with pytest.raises(InvalidValue) as caught:
        decode(Meeting, data)
    assert (caught.value.field, caught.value.value) == ("follow_ups[0].status", "finished")


def test_a_follow_up_field_given_twice_names_the_first_as_typed() -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_follow_up(["action=查核", "due=113年3月31日", "due=113年4月30日"], load_catalog())
    assert caught.value.field == "due" and caught.value.value == "113年4月30日"
    assert "(first '113年3月31日')" in caught.value.message
