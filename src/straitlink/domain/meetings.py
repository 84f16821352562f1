"""Meetings, talks, seminars and visits between the two sides, and what they decided."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.records import Record


class MeetingKind(StrEnum):
    LIAISON_COORDINATION = "liaison_coordination"  # 聯繫協調會報
    WORKING_TALKS = "working_talks"  # 工作會談
    SEMINAR = "seminar"  # 研討會
    FIELD_VISIT = "field_visit"  # 實地考察、實地瞭解
    CASE_CONFERENCE = "case_conference"  # 研商會議、專案會議
    POLICY_MEETING = "policy_meeting"  # e.g. 行政院「毒品防制會報」


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

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.title.strip():
            raise MissingField("title")
        if self.sequence is not None and self.sequence < 1:
            raise InvalidValue("sequence", self.sequence, "a meeting's number starts at 1")
