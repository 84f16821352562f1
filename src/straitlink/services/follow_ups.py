"""A meeting's follow-ups: adding an action item, moving it along, and listing what is still owed.

A follow-up is part of its meeting's record (domain FollowUp): adding or changing one is an update of the meeting,
made by `records.update_record` with the version it was read at, so it has the meeting's audit entry, its event
(which carries it to the other side when the meeting is releasable) and its optimistic concurrency (a stale
version is a Conflict). Items are numbered from 1 in the order they were added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine

from straitlink.catalog import Catalog
from straitlink.codec import encode_value, field_hints
from straitlink.domain.access import Principal
from straitlink.domain.errors import InvalidValue, NotFound
from straitlink.domain.meetings import FollowUp, FollowUpStatus, Meeting
from straitlink.services import records as record_svc
from straitlink.services.forms import given_twice, parse_value, unwrap_hint
from straitlink.services.ids import resolve_references
from straitlink.services.kinds import kind_named
from straitlink.services.records import ListFilter, today_utc8

MEETING = kind_named("meeting")
FIELDS = tuple(field_hints(FollowUp))
# Fields naming a record: given by id or by an id prefix of 8 characters or more, as lists show them.
LINKS = ("request", "case", "intel")


@dataclass(frozen=True)
class Item:
    """One follow-up with the meeting it belongs to and its number there (from 1)."""

    meeting: Meeting
    number: int
    follow_up: FollowUp

    def to_json(self, today: date) -> dict[str, Any]:
        f = self.follow_up
        return {
            "meeting": self.meeting.id,
            "meeting_title": self.meeting.title,
            "meeting_version": self.meeting.version,  # what a change of this item is based on
            "number": self.number,
            **encode_value(f),
            "overdue": f.overdue(today),
        }


def parse_follow_up(pairs: list[str], catalog: Catalog) -> dict[str, Any]:
    """`["action=…", "agency=刑事警察局", "due=113年3月31日", "status=done"]` → a follow-up's JSON fields."""
    hints = field_hints(FollowUp)
    out: dict[str, Any] = {}
    typed: dict[str, str] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InvalidValue("field", pair, "write field=value")
        if name not in hints:
            raise InvalidValue("field", name, f"a follow-up has the fields {', '.join(FIELDS)}")
        if name in out:
            raise given_twice(name, text, typed[name])
        typed[name] = text
        if not text.strip():
            out[name] = None  # an empty value clears the field (a link, a due date, a note)
            continue
        hint, _ = unwrap_hint(hints[name])
        resolve = catalog.find_agency if name == "agency" else None
        out[name] = parse_value(name, hint, text, resolve)
    return out


def _with_links(engine: Engine, given: dict[str, Any]) -> dict[str, Any]:
    """The follow-up's links to records made whole from the prefixes given."""
    links = {name: given[name] for name in LINKS if isinstance(given.get(name), str)}
    if not links:
        return given
    whole = resolve_references(engine, MEETING, {"follow_ups": [links]})["follow_ups"][0]
    return {**given, **whole}


def _meeting(engine: Engine, meeting_id: str, principal: Principal) -> Meeting:
    found = record_svc.get_record(engine, MEETING, meeting_id, principal=principal)
    assert isinstance(found, Meeting)
    return found


def _store(
    engine: Engine,
    meeting: Meeting,
    items: list[dict[str, Any]],
    principal: Principal,
    expected_version: int | None,
) -> Meeting:
    version = meeting.version if expected_version is None else expected_version
    changed = record_svc.update_record(
        engine, MEETING, meeting.id, {"follow_ups": items}, principal=principal, expected_version=version
    )
    assert isinstance(changed, Meeting)
    return changed


def add_follow_up(
    engine: Engine,
    meeting_id: str,
    data: dict[str, Any],
    *,
    principal: Principal,
    today: date | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """Add one action item to a meeting (its status set on `today` unless open or dated); audited as the
    meeting's update. `expected_version` is the meeting's version the item was written against."""
    today = today or today_utc8()
    meeting = _meeting(engine, meeting_id, principal)
    item = _with_links(engine, {k: v for k, v in data.items() if v is not None})
    if item.get("status", "open") != FollowUpStatus.OPEN.value and not item.get("status_on"):
        item["status_on"] = today.isoformat()
    items = [encode_value(f) for f in meeting.follow_ups] + [item]
    return _store(engine, meeting, items, principal, expected_version)


def update_follow_up(
    engine: Engine,
    meeting_id: str,
    number: int,
    changes: dict[str, Any],
    *,
    principal: Principal,
    today: date | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """Change follow-up `number` (from 1) of a meeting: a new status is dated `today` unless a day is given."""
    today = today or today_utc8()
    meeting = _meeting(engine, meeting_id, principal)
    if not 1 <= number <= len(meeting.follow_ups):
        raise NotFound("follow-up", f"{meeting.id[:8]} #{number}")
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidValue("field", unknown[0], f"a follow-up has the fields {', '.join(FIELDS)}")
    items = [encode_value(f) for f in meeting.follow_ups]
    before = items[number - 1]
    after = {**before, **_with_links(engine, changes)}
    if after.get("status") != before.get("status") and not changes.get("status_on"):
        after["status_on"] = today.isoformat()  # the day it moved, unless the officer says when
    items[number - 1] = after
    return _store(engine, meeting, items, principal, expected_version)


def list_follow_ups(
    engine: Engine,
    *,
    principal: Principal,
    today: date | None = None,
    pending: bool = False,
    overdue: bool = False,
    agency: str | None = None,
    meeting_id: str | None = None,
) -> list[Item]:
    """The follow-ups of the meetings the principal may see (or of one meeting): by due date, undated last."""
    today = today or today_utc8()
    if meeting_id is not None:
        meetings = [_meeting(engine, meeting_id, principal)]
    else:
        found = record_svc.list_records(engine, MEETING, ListFilter(), principal=principal)
        meetings = [m for m in found if isinstance(m, Meeting) and m.follow_ups]
    out = [
        Item(m, i, f)
        for m in meetings
        for i, f in enumerate(m.follow_ups, start=1)
        if (not pending or f.pending()) and (not overdue or f.overdue(today)) and (agency is None or f.agency == agency)
    ]
    if meeting_id is None:
        out.sort(key=lambda x: (x.follow_up.due is None, x.follow_up.due or today, x.meeting.id, x.number))
    return out


@dataclass(frozen=True)
class Counts:
    """What the meeting list and the dashboard say of the follow-ups: how many are owed, how many overdue."""

    pending: int
    overdue: int


def follow_up_counts(meetings: list[Meeting], today: date) -> Counts:
    """Owed and overdue follow-ups of these meetings."""
    items = [f for m in meetings for f in m.follow_ups]
    return Counts(sum(f.pending() for f in items), sum(f.overdue(today) for f in items))
