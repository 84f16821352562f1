"""What every changing request use case does around the domain's decision: lock and load, then write it all at once.

A use case first locks the audit chain's head together with loading the request (`lock_and_load`, see
straitlink.audit.log for why the lock comes first), lets the domain decide, then `commit_step` writes the request's
changed columns, its history row, any reply with its documents and the audit entries, and commits once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select

from straitlink.audit import log as audit
from straitlink.audit import state as digest
from straitlink.audit.entries import AuditAction, Change, diff, timestamp
from straitlink.codec import encode, encode_changes
from straitlink.domain.errors import Conflict, NotFound
from straitlink.domain.events import DomainEvent
from straitlink.domain.parties import Party
from straitlink.domain.records import new_id
from straitlink.domain.requests import AssistanceRequest
from straitlink.domain.workflow import Step
from straitlink.services.documents import CheckedFile, FileStore, record_file
from straitlink.store import search
from straitlink.store import tables as t
from straitlink.store.mapping import REQUESTS
from straitlink.store.request_steps import next_step_id, write_step
from straitlink.store.tables_workflow import RequestDocumentRow, RequestReplyRow, RequestTransitionRow
from straitlink.store.uow import UnitOfWork

STEP = cast(Table, RequestTransitionRow.__table__)
REQUEST = cast(Table, t.AssistanceRequestRow.__table__)

# Built once: SQLAlchemy then reuses their compiled form, which matters on the path every step takes.
_LOAD = select(
    *REQUEST.c,
    select(func.max(STEP.c.occurred_on))
    .where(STEP.c.request_id == REQUEST.c.id)
    .scalar_subquery()
    .label("last_step_on"),
    next_step_id().label("next_step_id"),
).where(REQUEST.c.id == bindparam("b_id"))
_COLUMNS = tuple(c.key for c in REQUEST.c)
_ADD_STEP = insert(STEP).returning(STEP.c.id)
_ADD_REPLY = insert(RequestReplyRow)
_ADD_DOCUMENT = insert(RequestDocumentRow)


@dataclass
class Loaded:
    """A request as a use case locked and loaded it, with what writing its next step needs."""

    head: audit.Head
    request: AssistanceRequest
    columns: dict[str, Any]  # the request's row as stored, to write only what changes
    last_step_on: date | None
    next_step_id: int


def lock_and_load(uow: UnitOfWork, request_id: str) -> Loaded:
    """Lock the audit chain, then load the request, the date of its latest recorded step and its next step's id."""
    head, row = audit.lock_and_select(uow, _LOAD, {"b_id": request_id})
    if row is None:
        raise NotFound(REQUESTS.kind, request_id)
    columns = dict(zip(_COLUMNS, row, strict=False))  # the request's columns come first in the row
    # Attributes named as the mapped row's, so the one mapping serves both (and faster than a Row's lookups).
    request = REQUESTS.from_row(SimpleNamespace(**columns))  # type: ignore[arg-type]
    last = row.last_step_on
    last_on = last if isinstance(last, date) or last is None else date.fromisoformat(str(last))
    return Loaded(head, request, columns, last_on, int(row.next_step_id))


def changed_columns(stored: dict[str, Any], after: AssistanceRequest) -> dict[str, Any]:
    """The columns of `after` that differ from the stored row."""
    target = SimpleNamespace()
    REQUESTS.to_row(after, target)  # type: ignore[arg-type]
    return {name: value for name, value in vars(target).items() if name != "version" and stored.get(name) != value}


def step_values(request_id: str, step: Step, *, step_id: int | None, recorded_at: str) -> dict[str, Any]:
    """The history row of one step."""
    return {
        "id": step_id,
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


def record_step(uow: UnitOfWork, request_id: str, step: Step, *, recorded_at: str) -> int:
    """Add one step to the request's history with an id the database picks; returns it."""
    values = step_values(request_id, step, step_id=None, recorded_at=recorded_at)
    del values["id"]
    return int(uow.connection.execute(_ADD_STEP, values).scalar_one())


def step_context(step: Step, transition_id: int) -> dict[str, Any]:
    """What an audit entry of a step says beside the request's diff."""
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


@dataclass(frozen=True)
class ReplyDraft:
    """A reply about to be stored: what it says, from which side, and the files it carries."""

    kind: str
    text: str | None
    on: date
    from_party: Party
    files: Sequence[CheckedFile] = ()
    transition_id: int | None = None


@dataclass(frozen=True)
class ReplyRows:
    """A reply's row, its documents' rows and files, and the audit entries that say so: built before any write."""

    reply: dict[str, Any]
    documents: list[dict[str, Any]]
    files: list[CheckedFile]
    changes: list[Change]


def reply_rows(
    request: AssistanceRequest,
    reply: ReplyDraft,
    *,
    own_party: Party,
    actor: str,
    recorded_at: str,
    reply_id: str | None = None,
) -> ReplyRows:
    """What storing a reply and its documents (each file once) writes; `reply_id` keeps the other side's id."""
    reply_id = reply_id or new_id()
    values = {
        "id": reply_id,
        "request_id": request.id,
        "transition_id": reply.transition_id,
        "kind": reply.kind,
        "from_party": reply.from_party.value,
        "text": reply.text,
        "sent_on": reply.on,
        "actor": actor,
        "recorded_at": recorded_at,
    }
    shown = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
    del shown["id"], shown["recorded_at"]
    out = ReplyRows(values, [], [], [Change(actor, AuditAction.CREATE, "reply", reply_id, diff(None, shown))])
    # Art. 17: what the other side supplies may be used only for the purpose the request states.
    purpose = request.purpose if reply.from_party is not own_party else None
    for f in reply.files:
        if any(f.sha256 == seen.sha256 for seen in out.files):
            continue
        out.files.append(f)
        doc_id = new_id()
        doc = {
            "id": doc_id,
            "request_id": request.id,
            "reply_id": reply_id,
            "sha256": f.sha256,
            "filename": f.filename,
            "from_party": reply.from_party.value,
            "purpose": purpose,
        }
        out.documents.append(doc)
        after = {k: v for k, v in doc.items() if k != "id"} | {"size": f.size, "media_type": f.media_type}
        out.changes.append(Change(actor, AuditAction.CREATE, "document", doc_id, diff(None, after)))
    return out


def store_reply(uow: UnitOfWork, files: FileStore, rows: ReplyRows) -> None:
    """Write a reply built by `reply_rows`, after the history row it may name."""
    conn = uow.connection
    for f in rows.files:
        files.put(f)
        record_file(uow, f, recorded_at=rows.reply["recorded_at"])
    conn.execute(_ADD_REPLY, rows.reply)
    if rows.documents:
        conn.execute(_ADD_DOCUMENT, rows.documents)


def commit_step(
    uow: UnitOfWork,
    files: FileStore,
    own_party: Party,
    loaded: Loaded,
    after: AssistanceRequest,
    step: Step,
    attached: Sequence[CheckedFile],
    *,
    actor: str,
) -> AssistanceRequest:
    """Write the domain's decision (the request as `after`, the step, any reply) with its audit entries; commit."""
    before = loaded.request
    stored = dataclasses.replace(after, version=before.version + 1)
    recorded_at = timestamp()
    action = AuditAction.TRANSITION if step.source is not step.target else AuditAction.UPDATE
    context = step_context(step, loaded.next_step_id)
    changes = [Change(actor, action, "request", after.id, encode_changes(before, stored), context)]
    changed = changed_columns(loaded.columns, after)
    # The stored records' digest moves by the request's row as it becomes, less the row it was, plus the history
    # step and any reply.
    form = digest.form_of(uow.connection.dialect.name)
    delta = digest.replaced(REQUEST, loaded.columns, {**loaded.columns, **changed, "version": before.version + 1}, form)
    history = step_values(before.id, step, step_id=loaded.next_step_id, recorded_at=recorded_at)
    delta += digest.row_element(digest.STEP, history, form)
    reply = None
    if step.text or attached:
        draft = ReplyDraft(step.action.value, step.text, step.on, step.actor.party, attached, loaded.next_step_id)
        reply = reply_rows(stored, draft, own_party=own_party, actor=actor, recorded_at=recorded_at)
        changes += reply.changes
        delta += digest.row_element(digest.REPLY, reply.reply, form)
        delta += sum(digest.row_element(digest.REQUEST_DOCUMENT, d, form) for d in reply.documents)
    entries = audit.chain(loaded.head, changes, delta=delta)
    written = write_step(
        uow.connection,
        request_id=before.id,
        version=before.version,
        changed=changed,
        step=history,
        entries=entries,
        state=loaded.head.state_bytes,
    )
    if not written:
        raise Conflict(
            f"version: request {before.id!r} changed since version {before.version}; reload and try again",
            field="version",
            value=before.version,
        )
    if reply is not None:
        store_reply(uow, files, reply)
    if search.REQUEST_FIELDS.intersection(changed):  # an assignment names the executing agency
        search.index_records(uow.connection, "request", [stored])
    uow.announce(request_event(stored, step, actor, reply.files if reply is not None else ()))
    uow.commit()
    return stored


def documents_named(files: Sequence[CheckedFile]) -> list[dict[str, str]]:
    """The documents an event names, by file name and SHA-256 (the exchange carries their bytes beside)."""
    return [{"name": f.filename, "sha256": f.sha256} for f in files]


def request_event(request: AssistanceRequest, step: Step, actor: str, files: Sequence[CheckedFile] = ()) -> DomainEvent:
    """The event a request step announces: `request.<action>`, with the step, the request as it now stands and
    the documents it encloses."""
    payload = {
        "step": {
            "action": step.action.value,
            "from": step.source.value if step.source else None,
            "to": step.target.value,
            "on": step.on.isoformat(),
            "party": step.actor.party.value,
            "role": step.actor.role.value,
            "agency": step.actor.agency,
            "text": step.text,
            "ground": step.ground.value if step.ground else None,
            "executing_agency": step.executing_agency,
        },
        "request": encode(request),
        "documents": documents_named(files),
    }
    return DomainEvent(
        f"request.{step.action.value}", "request", request.id, actor, request.marking.releasable, payload
    )
