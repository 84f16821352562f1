"""Mutual-assistance requests (請求互助案件) as Art. 13 of the Agreement describes their contents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Protocol

from straitlink.domain.errors import InvalidValue, MissingField, NotOwner, NotPermitted
from straitlink.domain.parties import Party
from straitlink.domain.records import Record
from straitlink.domain.reference import RequestType


class RequestStatus(StrEnum):
    """Where a request stands; the workflow's state machine is the only way it changes."""

    FILED = "filed"
    SENT = "sent"
    RECEIVED = "received"
    INFO_REQUESTED = "info_requested"
    ASSIGNED = "assigned"
    IN_EXECUTION = "in_execution"
    POSTPONED = "postponed"
    COMPLETED = "completed"
    REFUSED = "refused"
    UNABLE = "unable"
    WITHDRAWN = "withdrawn"

    @property
    def is_open(self) -> bool:
        return self not in CLOSED_STATUSES


CLOSED_STATUSES = frozenset(
    {RequestStatus.COMPLETED, RequestStatus.REFUSED, RequestStatus.UNABLE, RequestStatus.WITHDRAWN}
)


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class RequestForm(StrEnum):
    """Art. 13¶1: requests are made in writing; an urgent one may first be made in another form."""

    WRITTEN = "written"
    OTHER = "other"


class Direction(StrEnum):
    """A request's direction as seen by both sides: who asks whom."""

    TW_TO_CN = "tw_to_cn"
    CN_TO_TW = "cn_to_tw"

    @classmethod
    def of(cls, requesting: Party) -> Direction:
        return cls.TW_TO_CN if requesting is Party.TW else cls.CN_TO_TW

    @property
    def requesting(self) -> Party:
        return Party.TW if self is Direction.TW_TO_CN else Party.CN


class RequestFacts(Protocol):
    """What deadlines are computed from: a request's type, sides, urgency, form and dates.

    AssistanceRequest has them all; a list that shows fifty requests reads only these columns instead of building
    fifty whole records (straitlink.services.request_lists.ListedRequest).
    """

    @property
    def id(self) -> str: ...
    @property
    def type(self) -> RequestType: ...
    @property
    def requesting_party(self) -> Party: ...
    @property
    def requested_party(self) -> Party: ...
    @property
    def direction(self) -> Direction: ...
    @property
    def urgency(self) -> Urgency: ...
    @property
    def form(self) -> RequestForm: ...
    @property
    def filed_on(self) -> date: ...
    @property
    def sent_on(self) -> date | None: ...
    @property
    def received_on(self) -> date | None: ...
    @property
    def closed_on(self) -> date | None: ...
    @property
    def confirmed_on(self) -> date | None: ...


class Sides:
    """The two sides of a request, from the one that files it (a whole request's and a listed one's alike)."""

    __slots__ = ()
    requesting_party: Party

    @property
    def requested_party(self) -> Party:
        return self.requesting_party.other

    @property
    def direction(self) -> Direction:
        return Direction.of(self.requesting_party)


@dataclass(kw_only=True)
class AssistanceRequest(Sides, Record):
    """One request for assistance, counted once, by direction."""

    requesting_party: Party
    type: RequestType
    subject: str
    status: RequestStatus = RequestStatus.FILED
    urgency: Urgency = Urgency.NORMAL
    # Art. 13¶2: 請求部門、請求目的、事項說明、案情摘要、執行請求所需其他資料.
    requesting_agency: str | None = None
    purpose: str | None = None
    matters: str | None = None
    case_summary: str | None = None
    execution_needs: str | None = None
    requesting_ref: str | None = None
    requested_ref: str | None = None
    executing_agency: str | None = None
    filed_on: date
    sent_on: date | None = None
    received_on: date | None = None
    closed_on: date | None = None
    case: str | None = None
    form: RequestForm = RequestForm.WRITTEN
    # Art. 13¶1: the written confirmation of an urgent request first made in another form.
    confirmed_on: date | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.subject.strip():
            raise MissingField("subject")
        for name in ("sent_on", "received_on", "closed_on", "confirmed_on"):
            later = getattr(self, name)
            if later is not None and later < self.filed_on:
                raise InvalidValue(name, later.isoformat(), f"before filed_on {self.filed_on.isoformat()}")

    def __setattr__(self, name: str, value: Any) -> None:
        # Once built, a request changes status only through straitlink.domain.workflow, which builds a new one.
        if name == "status" and "status" in self.__dict__:
            raise AttributeError("a request's status changes only through straitlink.domain.workflow")
        super().__setattr__(name, value)


# Who states which of a request's fields, and so alone may correct it (services.corrections.correct_request): the
# requesting side states what it asks (Art. 13¶2), the requested side its own reference number. The fields a
# workflow step sets (status, dates, the executing agency an assignment names) change only through the workflow.
REQUESTING_SIDE_FIELDS = frozenset(
    {
        "type",
        "subject",
        "urgency",
        "requesting_agency",
        "purpose",
        "matters",
        "case_summary",
        "execution_needs",
        "requesting_ref",
        "form",
        "case",
        "marking",
    }
)
REQUESTED_SIDE_FIELDS = frozenset({"requested_ref"})
WORKFLOW_FIELDS = frozenset(
    {
        "status",
        "requesting_party",
        "filed_on",
        "sent_on",
        "received_on",
        "closed_on",
        "confirmed_on",
        "executing_agency",
    }
)


def field_owner(request: AssistanceRequest, name: str) -> Party | None:
    """The side that states field `name` of `request`; None for a field only the workflow sets."""
    if name in REQUESTING_SIDE_FIELDS:
        return request.requesting_party
    if name in REQUESTED_SIDE_FIELDS:
        return request.requested_party
    return None


def check_correction(request: AssistanceRequest, fields: set[str] | frozenset[str], by: Party) -> None:
    """May side `by` correct these fields of `request`? Each must be one it states; a workflow field never is."""
    if not fields:
        raise MissingField("fields", "a correction names at least one field=value")
    for name in sorted(fields):
        if name in ("id", "version", "provenance") or name in WORKFLOW_FIELDS:
            raise NotPermitted(name, name, "be corrected: it changes only through the request's workflow")
        owner = field_owner(request, name)
        if owner is None:
            raise InvalidValue(name, name, "not a field of a request")
        if owner is not by:
            raise NotOwner(name, owner.value, by.value)
