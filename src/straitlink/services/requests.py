"""Use cases of the request workflow that change something: file, transition, assign, confirm, reply.

Each one works in the unit of work it is given: it locks the audit chain's head (before any write, see
straitlink.audit.log), loads, lets the domain decide, writes the request, its history step, any reply and
documents, appends the audit entries and commits once.
The reading use cases (show, list, due, history, documents) are in straitlink.services.request_views.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update

from straitlink.audit import log as audit
from straitlink.audit.entries import AuditAction, Change, diff, timestamp
from straitlink.codec import encode
from straitlink.config import Settings
from straitlink.domain import workflow
from straitlink.domain.deadlines import Calendar, DeadlineRule
from straitlink.domain.errors import Conflict, InvalidValue, MissingField, NotFound, UnknownReference
from straitlink.domain.parties import Party
from straitlink.domain.records import new_id
from straitlink.domain.requests import AssistanceRequest, RequestStatus
from straitlink.domain.workflow import Acting, Action, Actor, Payload, RefusalGround, Role, Step
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import CheckedFile, FileStore, Upload, record_file
from straitlink.store import tables as t
from straitlink.store.mapping import REQUESTS
from straitlink.store.tables_workflow import RequestDocumentRow, RequestReplyRow, RequestTransitionRow
from straitlink.store.uow import UnitOfWork

# Both sides keep UTC+8 all year, so "today" is the same day on both.
UTC8 = timezone(timedelta(hours=8))
REPLY_KINDS = ("progress", "note")  # Art. 14¶1 progress reports; anything else one side tells the other
STEP = cast(Table, RequestTransitionRow.__table__)
REQUEST = cast(Table, t.AssistanceRequestRow.__table__)


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


def _check_version(request: AssistanceRequest, expected: int | None) -> None:
    if expected is not None and expected != request.version:
        raise Conflict(
            f"version: request {request.id!r} is at version {request.version}, not {expected}; reload and try again",
            field="version",
            value=expected,
        )


def _as_date(value: Any) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(str(value))


# Built once: SQLAlchemy then reuses their compiled form, which matters on the path every step takes.
_LOAD = select(
    *REQUEST.c,
    select(func.max(STEP.c.occurred_on))
    .where(STEP.c.request_id == REQUEST.c.id)
    .scalar_subquery()
    .label("last_step_on"),
).where(REQUEST.c.id == bindparam("b_id"))
_UPDATE = update(REQUEST).where(REQUEST.c.id == bindparam("b_id"), REQUEST.c.version == bindparam("b_version"))
_ADD_STEP = insert(STEP).returning(STEP.c.id)


def lock_and_load(uow: UnitOfWork, request_id: str) -> tuple[audit.Head, AssistanceRequest, date | None]:
    """Lock the audit chain, then load the request and the date of its latest recorded step."""
    head, row = audit.lock_and_select(uow, _LOAD, {"b_id": request_id})
    if row is None:
        raise NotFound(REQUESTS.kind, request_id)
    # A plain row carries the same attribute names as the mapped one, so the one mapping serves both.
    return head, REQUESTS.from_row(row), _as_date(row.last_step_on)  # type: ignore[arg-type]


def _columns(record: AssistanceRequest) -> dict[str, Any]:
    target = SimpleNamespace()
    REQUESTS.to_row(record, target)  # type: ignore[arg-type]
    return vars(target)


def update_request(uow: UnitOfWork, before: AssistanceRequest, after: AssistanceRequest) -> AssistanceRequest:
    """Store the changed columns if the request is still at the version it was read at; else Conflict."""
    old, new = _columns(before), _columns(after)
    changed = {name: value for name, value in new.items() if old.get(name) != value}
    params = {**changed, "version": before.version + 1, "b_id": before.id, "b_version": before.version}
    if uow.session.connection().execute(_UPDATE, params).rowcount != 1:
        raise Conflict(
            f"version: request {before.id!r} changed since version {before.version}; reload and try again",
            field="version",
            value=before.version,
        )
    return dataclasses.replace(after, version=before.version + 1)


def record_step(uow: UnitOfWork, request_id: str, step: Step, *, recorded_at: str) -> int:
    """Add one step to the request's history; returns its id."""
    values = {
        "request_id": request_id,
        "action": step.action.value,
        "from_status": step.source.value if step.source else None,
        "to_status": step.target.value,
        "occurred_on": step.on,
        "actor": step.actor.user,
        "acting_party": step.actor.party.value,
        "acting_role": step.actor.role.value,
        "acting_agency": step.actor.agency,
        "ground": step.ground.value if step.ground else None,
        "text": step.text,
        "executing_agency": step.executing_agency,
        "recorded_at": recorded_at,
    }
    return int(uow.session.connection().execute(_ADD_STEP, values).scalar_one())


def _step_context(step: Step, transition_id: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "action": step.action.value,
        "on": step.on.isoformat(),
        "party": step.actor.party.value,
        "role": step.actor.role.value,
        "transition": transition_id,
    }
    if step.actor.agency:
        out["agency"] = step.actor.agency
    if step.ground:
        out["ground"] = step.ground.value
    if step.text:
        out["text"] = step.text
    return out


def _add_reply(
    uow: UnitOfWork,
    desk: Desk,
    request: AssistanceRequest,
    *,
    kind: str,
    text: str | None,
    on: date,
    from_party: Party,
    actor: str,
    files: Sequence[CheckedFile],
    recorded_at: str,
    transition_id: int | None = None,
) -> list[Change]:
    """Store a reply and its documents; the audit entries that say so."""
    reply_id = new_id()
    reply = {
        "id": reply_id,
        "request_id": request.id,
        "transition_id": transition_id,
        "kind": kind,
        "from_party": from_party.value,
        "text": text,
        "sent_on": on,
        "actor": actor,
        "recorded_at": recorded_at,
    }
    uow.session.add(RequestReplyRow(**reply))
    shown = {k: v.isoformat() if isinstance(v, date) else v for k, v in reply.items() if k not in ("id", "recorded_at")}
    changes = [Change(actor, AuditAction.CREATE, "reply", reply_id, diff(None, shown))]
    # Art. 17: what the other side supplies may be used only for the purpose the request states.
    purpose = request.purpose if from_party is not desk.party else None
    seen: set[str] = set()
    for f in files:
        if f.sha256 in seen:
            continue
        seen.add(f.sha256)
        desk.files.put(f)
        record_file(uow, f, recorded_at=recorded_at)
        doc_id = new_id()
        doc = {
            "id": doc_id,
            "request_id": request.id,
            "reply_id": reply_id,
            "sha256": f.sha256,
            "filename": f.filename,
            "from_party": from_party.value,
            "purpose": purpose,
        }
        uow.session.add(RequestDocumentRow(**doc))
        after = {k: v for k, v in doc.items() if k != "id"} | {"size": f.size, "media_type": f.media_type}
        changes.append(Change(actor, AuditAction.CREATE, "document", doc_id, diff(None, after)))
    return changes


def _commit_step(
    uow: UnitOfWork,
    desk: Desk,
    before: AssistanceRequest,
    after: AssistanceRequest,
    step: Step,
    files: Sequence[CheckedFile],
    *,
    actor: str,
    head: audit.Head,
) -> AssistanceRequest:
    stored = update_request(uow, before, after)
    recorded_at = timestamp()
    transition_id = record_step(uow, after.id, step, recorded_at=recorded_at)
    action = AuditAction.TRANSITION if step.source is not step.target else AuditAction.UPDATE
    changes = [
        Change(
            actor, action, "request", after.id, diff(encode(before), encode(stored)), _step_context(step, transition_id)
        )
    ]
    if step.text or files:
        changes += _add_reply(
            uow,
            desk,
            stored,
            kind=step.action.value,
            text=step.text,
            on=step.on,
            from_party=step.actor.party,
            actor=actor,
            files=files,
            recorded_at=recorded_at,
            transition_id=transition_id,
        )
    audit.append(uow, head, changes)
    uow.commit()
    return stored


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
    acting = acting or Acting(record.requesting_party, Role.REQUESTING_SIDE)
    step = workflow.file(record, Actor.of(actor, acting))
    head = audit.lock(uow)
    uow.repo(REQUESTS).add(record)
    uow.flush()
    recorded_at = timestamp()
    transition_id = record_step(uow, record.id, step, recorded_at=recorded_at)
    context = _step_context(step, transition_id)
    changes = [Change(actor, AuditAction.CREATE, "request", record.id, diff(None, encode(record)), context)]
    if files:
        if desk is None:
            raise ValueError("documents need the desk's file store")
        changes += _add_reply(
            uow,
            desk,
            record,
            kind=Action.FILE.value,
            text=None,
            on=record.filed_on,
            from_party=record.requesting_party,
            actor=actor,
            files=files,
            recorded_at=recorded_at,
            transition_id=transition_id,
        )
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
    head, before, last_on = lock_and_load(uow, request_id)
    _check_version(before, expected_version)
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
        documents=len(files),
        materials_returned=step.materials_returned,
    )
    after, done = workflow.apply(before, target, Actor.of(actor, acting), payload, last_step_on=last_on)
    return _commit_step(uow, desk, before, after, done, files, actor=actor, head=head)


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
    head, before, _ = lock_and_load(uow, request_id)
    _check_version(before, expected_version)
    after, done = workflow.confirm_in_writing(before, Actor.of(actor, acting), on)
    if step.text:
        done = dataclasses.replace(done, text=step.text.strip() or None)
    return _commit_step(uow, desk, before, after, done, files, actor=actor, head=head)


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
    head, request, _ = lock_and_load(uow, request_id)
    if request.status is RequestStatus.FILED:
        raise InvalidValue("status", request.status.value, "a request is replied to once it has been sent")
    text = (reply.text or "").strip() or None
    if text is None and not reply.documents:
        raise MissingField("text", "a reply carries a text or documents")
    on = _day(reply.on, desk)
    if request.sent_on and on < request.sent_on:
        raise InvalidValue("on", on.isoformat(), f"before the request was sent on {request.sent_on.isoformat()}")
    if acting.agency:
        _agency_party(uow, acting.agency, "agency")
    changes = _add_reply(
        uow,
        desk,
        request,
        kind=reply.kind,
        text=text,
        on=on,
        from_party=acting.party,
        actor=actor,
        files=files,
        recorded_at=timestamp(),
    )
    audit.append(uow, head, changes)
    uow.commit()
    return changes[0].record_id
