"""Use cases of the request workflow that change something: file, transition, assign, confirm, reply.

Each one works in the unit of work it is given: it locks the audit chain's head and loads (before any write),
lets the domain decide, then writes the request, its history step, any reply and documents and the audit entries,
and commits once (straitlink.services.request_writes).
The reading use cases (show, list, due, history, documents) are in straitlink.services.request_views.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select

from straitlink.audit import log as audit
from straitlink.audit.entries import AuditAction, Change, diff, timestamp
from straitlink.codec import encode
from straitlink.config import Settings
from straitlink.domain import workflow
from straitlink.domain.deadlines import Calendar, DeadlineRule
from straitlink.domain.errors import Conflict, InvalidValue, MissingField, UnknownReference
from straitlink.domain.parties import Party
from straitlink.domain.requests import AssistanceRequest, RequestStatus
from straitlink.domain.workflow import Acting, Action, Actor, Payload, RefusalGround, Role
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import CheckedFile, FileStore, Upload
from straitlink.services.request_writes import (
    ReplyDraft,
    commit_step,
    lock_and_load,
    record_step,
    reply_rows,
    step_context,
    store_reply,
)
from straitlink.store import tables as t
from straitlink.store.mapping import REQUESTS
from straitlink.store.tables_workflow import RequestDocumentRow
from straitlink.store.uow import UnitOfWork

# Both sides keep UTC+8 all year, so "today" is the same day on both.
UTC8 = timezone(timedelta(hours=8))
REPLY_KINDS = ("progress", "note")  # Art. 14¶1 progress reports; anything else one side tells the other


def today_utc8() -> date:
    return datetime.now(UTC8).date()


@dataclass(frozen=True)
class Desk:
    """What the request use cases need of this instance: its party, files, deadline rules, calendars and day."""

    party: Party
    files: FileStore
    rules: tuple[DeadlineRule, ...]
    calendars: Mapping[Party, Calendar]
    today: Callable[[], date] = today_utc8

    @classmethod
    def from_settings(cls, settings: Settings) -> Desk:
        return cls(settings.party, FileStore(settings.data_dir / "files"), load_rules(), calendars())


@dataclass(frozen=True)
class StepInput:
    """What a user gives for one step; `on` defaults to today."""

    on: date | None = None
    text: str | None = None
    ground: RefusalGround | None = None
    executing_agency: str | None = None
    materials_returned: bool = False
    documents: tuple[Upload, ...] = ()


def _day(on: date | None, desk: Desk) -> date:
    today = desk.today()
    if on is None:
        return today
    if on > today:
        raise InvalidValue("on", on.isoformat(), f"after today ({today.isoformat()})")
    return on


def _agency_party(uow: UnitOfWork, agency: str, field: str) -> Party:
    row = uow.session.get(t.AgencyRow, agency)
    if row is None:
        raise UnknownReference(field, agency, "agency")
    return Party(row.party)


def _check_sides(uow: UnitOfWork, record: AssistanceRequest) -> None:
    """The requesting agency belongs to the requesting side, the executing agency to the other."""
    party = record.requesting_party
    if record.requesting_agency and _agency_party(uow, record.requesting_agency, "requesting_agency") is not party:
        raise InvalidValue(
            "requesting_agency", record.requesting_agency, f"is not an agency of the requesting side {party.value}"
        )
    if record.executing_agency and _agency_party(uow, record.executing_agency, "executing_agency") is party:
        raise InvalidValue(
            "executing_agency", record.executing_agency, f"is an agency of the requesting side {party.value}"
        )


def _proof_on_file(uow: UnitOfWork, request: AssistanceRequest) -> int:
    """Documents the requested side already sent with its replies: proof attached to a progress reply counts too."""
    stmt = (
        select(func.count())
        .select_from(RequestDocumentRow)
        .where(
            RequestDocumentRow.request_id == request.id,
            RequestDocumentRow.from_party == request.requested_party.value,
        )
    )
    return int(uow.connection.execute(stmt).scalar_one())


def _check_version(request: AssistanceRequest, expected: int | None) -> None:
    if expected is not None and expected != request.version:
        raise Conflict(
            f"version: request {request.id!r} is at version {request.version}, not {expected}; reload and try again",
            field="version",
            value=expected,
        )


def file_request(
    uow: UnitOfWork,
    desk: Desk,
    data: dict[str, Any],
    *,
    actor: str,
    acting: Acting | None = None,
    documents: Sequence[Upload] = (),
) -> AssistanceRequest:
    """File a new request (its JSON fields), complete as Art. 13¶2 requires, with the documents it encloses."""
    from straitlink.services.kinds import kind_named
    from straitlink.services.records import build_record, check_references

    kind = kind_named("request")
    data = dict(data)
    data.setdefault("requesting_party", (acting.party if acting else desk.party).value)
    data.setdefault("filed_on", desk.today().isoformat())
    record: AssistanceRequest = build_record(kind, data, actor=actor)  # type: ignore[assignment]
    _day(record.filed_on, desk)
    check_references(uow, kind, encode(record))
    files = [desk.files.check(u) for u in documents]
    return file_request_record(uow, record, actor=actor, acting=acting, desk=desk, files=files)


def file_request_record(
    uow: UnitOfWork,
    record: AssistanceRequest,
    *,
    actor: str,
    acting: Acting | None = None,
    desk: Desk | None = None,
    files: Sequence[CheckedFile] = (),
) -> AssistanceRequest:
    """Store a built, reference-checked request as filed, with its first step, documents and audit entries."""
    _check_sides(uow, record)
    acting = acting or Acting(record.requesting_party, Role.REQUESTING_SIDE)
    step = workflow.file(record, Actor.of(actor, acting))
    head = audit.lock(uow)
    uow.repo(REQUESTS).add(record)
    uow.flush()
    recorded_at = timestamp()
    transition_id = record_step(uow, record.id, step, recorded_at=recorded_at)
    context = step_context(step, transition_id)
    changes = [Change(actor, AuditAction.CREATE, "request", record.id, diff(None, encode(record)), context)]
    if files:
        if desk is None:
            raise ValueError("documents need the desk's file store")
        draft = ReplyDraft(Action.FILE.value, None, record.filed_on, record.requesting_party, files, transition_id)
        rows = reply_rows(record, draft, own_party=desk.party, actor=actor, recorded_at=recorded_at)
        store_reply(uow, desk.files, rows)
        changes += rows.changes
    audit.append(uow, head, changes)
    uow.commit()
    return record


def transition_request(
    uow: UnitOfWork,
    desk: Desk,
    request_id: str,
    target: RequestStatus,
    step: StepInput,
    *,
    actor: str,
    acting: Acting,
    expected_version: int | None = None,
) -> AssistanceRequest:
    """Move a request to `target` if the state machine allows it for this actor; returns it as stored."""
    on = _day(step.on, desk)
    files = [desk.files.check(u) for u in step.documents]
    loaded = lock_and_load(uow, request_id)
    _check_version(loaded.request, expected_version)
    agency_party = None
    if step.executing_agency:
        agency_party = _agency_party(uow, step.executing_agency, "executing_agency")
    if acting.agency:
        _agency_party(uow, acting.agency, "agency")
    payload = Payload(
        on=on,
        text=step.text,
        ground=step.ground,
        executing_agency=step.executing_agency,
        executing_agency_party=agency_party,
        documents=len(files) + _proof_on_file(uow, loaded.request),
        materials_returned=step.materials_returned,
    )
    decided = workflow.apply(loaded.request, target, Actor.of(actor, acting), payload, last_step_on=loaded.last_step_on)
    return commit_step(uow, desk.files, desk.party, loaded, *decided, files, actor=actor)


def assign_request(
    uow: UnitOfWork,
    desk: Desk,
    request_id: str,
    agency: str,
    step: StepInput,
    *,
    actor: str,
    acting: Acting,
    expected_version: int | None = None,
) -> AssistanceRequest:
    """Assign a received request to an agency of the requested side to execute."""
    return transition_request(
        uow,
        desk,
        request_id,
        RequestStatus.ASSIGNED,
        dataclasses.replace(step, executing_agency=agency),
        actor=actor,
        acting=acting,
        expected_version=expected_version,
    )


def confirm_request(
    uow: UnitOfWork,
    desk: Desk,
    request_id: str,
    step: StepInput,
    *,
    actor: str,
    acting: Acting,
    expected_version: int | None = None,
) -> AssistanceRequest:
    """Record the written confirmation of an urgent request first made in another form (Art. 13¶1)."""
    on = _day(step.on, desk)
    files = [desk.files.check(u) for u in step.documents]
    loaded = lock_and_load(uow, request_id)
    _check_version(loaded.request, expected_version)
    after, done = workflow.confirm_in_writing(loaded.request, Actor.of(actor, acting), on)
    if step.text:
        done = dataclasses.replace(done, text=step.text.strip() or None)
    return commit_step(uow, desk.files, desk.party, loaded, after, done, files, actor=actor)


@dataclass(frozen=True)
class ReplyInput:
    kind: str = "progress"
    text: str | None = None
    on: date | None = None
    documents: tuple[Upload, ...] = ()


def reply_to_request(
    uow: UnitOfWork, desk: Desk, request_id: str, reply: ReplyInput, *, actor: str, acting: Acting
) -> str:
    """Record what one side tells the other about a sent request (e.g. progress, Art. 14¶1); returns the reply id."""
    if reply.kind not in REPLY_KINDS:
        raise InvalidValue("kind", reply.kind, "one of " + "|".join(REPLY_KINDS))
    files = [desk.files.check(u) for u in reply.documents]
    loaded = lock_and_load(uow, request_id)
    request = loaded.request
    if request.status is RequestStatus.FILED:
        raise InvalidValue("status", request.status.value, "a request is replied to once it has been sent")
    if not request.status.is_open and reply.kind != "note":
        raise InvalidValue(
            "status", request.status.value, f"the request is closed: it takes no more {reply.kind} replies, only notes"
        )
    text = (reply.text or "").strip() or None
    if text is None and not reply.documents:
        raise MissingField("text", "a reply carries a text or documents")
    on = _day(reply.on, desk)
    if request.sent_on and on < request.sent_on:
        raise InvalidValue("on", on.isoformat(), f"before the request was sent on {request.sent_on.isoformat()}")
    if acting.agency:
        _agency_party(uow, acting.agency, "agency")
    draft = ReplyDraft(reply.kind, text, on, acting.party, files)
    rows = reply_rows(request, draft, own_party=desk.party, actor=actor, recorded_at=timestamp())
    store_reply(uow, desk.files, rows)
    audit.append(uow, loaded.head, rows.changes)
    uow.commit()
    return str(rows.reply["id"])
