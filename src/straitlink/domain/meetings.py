"""Meetings, talks, seminars and visits between the two sides, what they decided, and how each is followed up."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.records import Record
from straitlink.domain.text import check_texts


class MeetingKind(StrEnum):
    LIAISON_COORDINATION = "liaison_coordination"  # 聯繫協調會報
    WORKING_TALKS = "working_talks"  # 工作會談
    SEMINAR = "seminar"  # 研討會
    FIELD_VISIT = "field_visit"  # 實地考察、實地瞭解
    CASE_CONFERENCE = "case_conference"  # 研商會議、專案會議
    POLICY_MEETING = "policy_meeting"  # e.g. 行政院「毒品防制會報」


class FollowUpStatus(StrEnum):
    OPEN = "open"  # 待辦
    IN_PROGRESS = "in_progress"  # 辦理中
    DONE = "done"  # 已辦結
    DROPPED = "dropped"  # 不再辦理 (the note says why)


Day = date  # a Meeting's own field `date` hides the type inside its class

# A follow-up still owed: what "open follow-ups" and "overdue" count.
PENDING = frozenset({FollowUpStatus.OPEN, FollowUpStatus.IN_PROGRESS})


@dataclass(frozen=True, kw_only=True)
class FollowUp:
    """One action item agreed at a meeting: what was agreed, the agency (of either side) that carries it out, by
    when, where it stands (the status, a note, and the day the status last changed), and the records that carried
    it out (a request, a case, an intel hand-over).

    `decision` is the number (from 1) of the meeting's decision it follows up, when the minutes tie it to one.
    """

    action: str
    agency: str
    decision: int | None = None
    due: date | None = None
    status: FollowUpStatus = FollowUpStatus.OPEN
    status_on: date | None = None
    note: str | None = None
    request: str | None = None
    case: str | None = None
    intel: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.action, str) or not self.action.strip():
            raise MissingField("follow_ups.action", "a follow-up says what was agreed")
        if not isinstance(self.agency, str) or not self.agency.strip():
            raise MissingField("follow_ups.agency", "a follow-up names the agency responsible")
        if self.decision is not None and self.decision < 1:
            raise InvalidValue("follow_ups.decision", self.decision, "a decision's number starts at 1")
        if self.status is not FollowUpStatus.OPEN and self.status_on is None:
            raise MissingField("follow_ups.status_on", f"the day the follow-up became {self.status.value}")
        if self.status is FollowUpStatus.DROPPED and not (self.note or "").strip():
            raise MissingField("follow_ups.note", "a dropped follow-up says why")
        check_texts(self)

    def pending(self) -> bool:
        """Still owed: open or in progress."""
        return self.status in PENDING

    def overdue(self, today: date) -> bool:
        """Still owed after its due date."""
        return self.pending() and self.due is not None and self.due < today

    def moved_to(self, status: FollowUpStatus, on: date, note: str | None = None) -> FollowUp:
        """This follow-up with a new status, changed on `on` (the note kept unless a new one is given)."""
        return replace(self, status=status, status_on=on, note=note if note is not None else self.note)


@dataclass(kw_only=True)
class Meeting(Record):
    """第9次「兩岸司法互助協議聯繫協調會報」 is kind liaison_coordination, sequence 9."""

    kind: MeetingKind
    title: str
    date: PartialDate | None = None
    sequence: int | None = None
    places: list[str] = field(default_factory=list)
    host: str | None = None
    participants: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    cross_strait: bool = False
    follow_ups: list[FollowUp] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.title.strip():
            raise MissingField("title")
        if self.sequence is not None and self.sequence < 1:
            raise InvalidValue("sequence", self.sequence, "a meeting's number starts at 1")
        held = self.date.earliest() if self.date is not None else None
        for i, item in enumerate(self.follow_ups):
            if item.decision is not None and item.decision > len(self.decisions):
                reason = f"the meeting records {len(self.decisions)} decision(s)"
                raise InvalidValue(f"follow_ups[{i}].decision", item.decision, reason)
            for name in ("due", "status_on"):
                value = getattr(item, name)
                if held is not None and value is not None and value < held:
                    raise InvalidValue(f"follow_ups[{i}].{name}", value.isoformat(), "before the meeting was held")

    def pending_follow_ups(self) -> list[FollowUp]:
        """The follow-ups still owed (open or in progress)."""
        return [f for f in self.follow_ups if f.pending()]

    def overdue_follow_ups(self, today: Day) -> list[FollowUp]:
        """The follow-ups still owed after their due date."""
        return [f for f in self.follow_ups if f.overdue(today)]
