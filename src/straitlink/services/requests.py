"""Use cases of the request workflow that change something: file, transition, assign, confirm, reply.

Each one works in the unit of work it is given: it locks the audit chain's head and loads (before any write),
lets the domain decide, then writes the request, its history step, any reply and documents and the audit entries,
and commits once (straitlink.services.request_writes).
The reading use cases are in straitlink.services.request_views (show, history, documents) and
straitlink.services.request_lists (list, due).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select

from straitlink.audit import log as audit
from straitlink.audit.entries import AuditAction, Change, diff, timestamp
from straitlink.codec import encode
from straitlink.config import Settings
from straitlink.domain import access, workflow
from straitlink.domain.access import Permission, Principal
from straitlink.domain.deadlines import Calendar, DeadlineRule
from straitlink.domain.errors import Conflict, InvalidValue, UnknownReference
from straitlink.domain.events import DomainEvent
from straitlink.domain.parties import Party
from straitlink.domain.replies import check_filing_day, check_reply, step_day
from straitlink.domain.requests import AssistanceRequest, RequestStatus
from straitlink.domain.workflow import Acting, Action, Actor, Payload, RefusalGround, Role
from straitlink.services.access import require, use_case
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import CheckedFile, FileStore, Upload
from straitlink.services.kinds import kind_named
from straitlink.services.records import build_record, check_references, today_utc8
from straitlink.services.request_writes import (
    Loaded,
    ReplyDraft,
    commit_step,
    documents_named,
    lock_and_load,
    record_step,
    reply_rows,
    request_event,
    step_context,
    store_reply,
)
from straitlink.store import tables as t
from straitlink.store.mapping import REQUESTS
from straitlink.store.tables_workflow import RequestDocumentRow
from straitlink.store.uow import UnitOfWork


@dataclass(frozen=True)
class Desk:
    """What the request use cases need of this instance: its database, party, files, deadline rules, calendars, day."""

    engine: Engine
    party: Party
    files: FileStore
    rules: tuple[DeadlineRule, ...]
    calendars: Mapping[Party, Calendar]
    today: Callable[[], date] = today_utc8

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine) -> Desk:
        return cls(engine, settings.party, FileStore(settings.data_dir / "files"), load_rules(), calendars())


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
    return step_day(on, desk.today())


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


def _step_inputs(desk: Desk, step: StepInput, principal: Principal) -> tuple[date, list[CheckedFile]]:
    """A step's day and its documents, checked before any transaction; refused unless the principal takes steps."""
    require(desk.engine, principal, Permission.REQUESTS_ACT, "take steps on requests")
    return _day(step.on, desk), [desk.files.check(u) for u in step.documents]


def _load_for_step(
    uow: UnitOfWork, request_id: str, principal: Principal, acting: Acting, expected_version: int | None = None
) -> Loaded:
    """The request locked (the audit head first), refused unless this actor may act on it, at the version expected."""
    loaded = lock_and_load(uow, request_id)
    access.decide_request_step(principal, loaded.request, acting)
    _check_version(loaded.request, expected_version)
    return loaded


@use_case("requests.file")
def file_request(
    desk: Desk,
    data: dict[str, Any],
    *,
    principal: Principal,
    acting: Acting | None = None,
    documents: Sequence[Upload] = (),
) -> AssistanceRequest:
    """File a new request (its JSON fields), complete as Art. 13¶2 requires, with the documents it encloses."""
    require(desk.engine, principal, Permission.REQUESTS_FILE, "file requests")
    kind = kind_named("request")
    data = dict(data)
    data.setdefault("requesting_party", (acting.party if acting else principal.party).value)
    data.setdefault("filed_on", desk.today().isoformat())
    record: AssistanceRequest = build_record(kind, data, actor=principal.username)  # type: ignore[assignment]
    check_filing_day(record.filed_on, desk.today())
    files = [desk.files.check(u) for u in documents]
    with UnitOfWork(desk.engine) as uow:
        check_references(uow, kind, encode(record))
        access.decide_filing(principal, record)
        file_request_record(uow, record, actor=principal.username, acting=acting, desk=desk, files=files)
        uow.commit()
    return record


def file_request_record(
    uow: UnitOfWork,
    record: AssistanceRequest,
    *,
    actor: str,
    acting: Acting | None = None,
    desk: Desk | None = None,
    files: Sequence[CheckedFile] = (),
) -> AssistanceRequest:
    """Store a built, reference-checked request as filed, with its first step, documents, audit entries and event."""
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
    uow.announce(request_event(record, step, actor, files))
    return record


@use_case("requests.transition")
def transition_request(
    desk: Desk,
    request_id: str,
    target: RequestStatus,
    step: StepInput,
    *,
    principal: Principal,
    acting: Acting,
    expected_version: int | None = None,
) -> AssistanceRequest:
    """Move a request to `target` if the state machine allows it for this actor; returns it as stored."""
    on, files = _step_inputs(desk, step, principal)
    with UnitOfWork(desk.engine) as uow:
        return _transition(uow, desk, request_id, target, step, on, files, principal, acting, expected_version)


def _transition(
    uow: UnitOfWork,
    desk: Desk,
    request_id: str,
    target: RequestStatus,
    step: StepInput,
    on: date,
    files: Sequence[CheckedFile],
    principal: Principal,
    acting: Acting,
    expected_version: int | None,
) -> AssistanceRequest:
    actor = principal.username
    loaded = _load_for_step(uow, request_id, principal, acting, expected_version)
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
    desk: Desk,
    request_id: str,
    agency: str,
    step: StepInput,
    *,
    principal: Principal,
    acting: Acting,
    expected_version: int | None = None,
) -> AssistanceRequest:
    """Assign a received request to an agency of the requested side to execute."""
    return transition_request(
        desk,
        request_id,
        RequestStatus.ASSIGNED,
        dataclasses.replace(step, executing_agency=agency),
        principal=principal,
        acting=acting,
        expected_version=expected_version,
    )


@use_case("requests.confirm")
def confirm_request(
    desk: Desk,
    request_id: str,
    step: StepInput,
    *,
    principal: Principal,
    acting: Acting,
    expected_version: int | None = None,
) -> AssistanceRequest:
    """Record the written confirmation of an urgent request first made in another form (Art. 13¶1)."""
    on, files = _step_inputs(desk, step, principal)
    with UnitOfWork(desk.engine) as uow:
        loaded = _load_for_step(uow, request_id, principal, acting, expected_version)
        after, done = workflow.confirm_in_writing(loaded.request, Actor.of(principal.username, acting), on)
        if step.text:
            done = dataclasses.replace(done, text=step.text.strip() or None)
        return commit_step(uow, desk.files, desk.party, loaded, after, done, files, actor=principal.username)


@dataclass(frozen=True)
class ReplyInput:
    kind: str = "progress"
    text: str | None = None
    on: date | None = None
    documents: tuple[Upload, ...] = ()


@use_case("requests.reply")
def reply_to_request(desk: Desk, request_id: str, reply: ReplyInput, *, principal: Principal, acting: Acting) -> str:
    """Record what one side tells the other about a sent request (e.g. progress, Art. 14¶1); returns the reply id."""
    require(desk.engine, principal, Permission.REQUESTS_ACT, "reply to requests")
    files = [desk.files.check(u) for u in reply.documents]
    with UnitOfWork(desk.engine) as uow:
        return _reply(uow, desk, request_id, reply, files, principal, acting)


def _reply(
    uow: UnitOfWork,
    desk: Desk,
    request_id: str,
    reply: ReplyInput,
    files: Sequence[CheckedFile],
    principal: Principal,
    acting: Acting,
) -> str:
    actor = principal.username
    loaded = _load_for_step(uow, request_id, principal, acting)
    request = loaded.request
    on = _day(reply.on, desk)
    text = check_reply(request, reply.kind, reply.text, len(reply.documents), on)
    if acting.agency:
        _agency_party(uow, acting.agency, "agency")
    draft = ReplyDraft(reply.kind, text, on, acting.party, files)
    rows = reply_rows(request, draft, own_party=desk.party, actor=actor, recorded_at=timestamp())
    store_reply(uow, desk.files, rows)
    audit.append(uow, loaded.head, rows.changes)
    payload = {
        "reply": rows.reply["id"],
        "kind": reply.kind,
        "text": text,
        "on": on.isoformat(),
        "documents": documents_named(rows.files),
    }
    uow.announce(DomainEvent("request.replied", "request", request.id, actor, request.marking.releasable, payload))
    uow.commit()
    return str(rows.reply["id"])
