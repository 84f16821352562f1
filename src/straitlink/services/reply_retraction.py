"""Retracting a reply one side sent on a request, saying why: a progress report or note, or a result that closed it.

A reply of its own goes (its row and its documents' rows; the file store keeps the bytes, the audit log what it
said). A result — the reply of the complete, refuse or report_unable step — goes with its step, and the request
stands again where it stood before the step, open (domain.replies.retraction_target): a completion retracted is no
completion, so no deadline, processing time or statistic counts the request closed, and the requested side gives
the right result through the workflow as any result. Both sides' histories keep it all: the audit entries of the
step, the reply and each document say why.

The retraction travels as `request.reply_retracted` about the request (after the request's other messages), and
the other side applies it with the same writer (`write_reply_retraction`), finding its copy of the reply by the
sender's id, or for a result by the request's latest step.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine

from straitlink.audit import log as audit
from straitlink.audit.entries import AuditAction, Change, diff
from straitlink.codec import encode_changes
from straitlink.domain import access
from straitlink.domain.access import Principal
from straitlink.domain.errors import NotFound
from straitlink.domain.events import DomainEvent
from straitlink.domain.parties import Party
from straitlink.domain.replies import retraction_target
from straitlink.domain.requests import AssistanceRequest, RequestStatus
from straitlink.services.access import require, use_case
from straitlink.services.corrections import check_reason
from straitlink.services.kinds import kind_named
from straitlink.services.request_writes import lock_and_load
from straitlink.store import search
from straitlink.store.tables_workflow import RequestDocumentRow, RequestReplyRow, RequestTransitionRow
from straitlink.store.uow import UnitOfWork


@use_case("requests.retract_reply")
def retract_reply(engine: Engine, own_party: Party, reply_id: str, reason: str, *, principal: Principal) -> str:
    """Retract a reply this side (`own_party`) sent, saying why; returns the request's status afterwards."""
    text = check_reason(reason)
    require(engine, principal, access.Permission.REQUESTS_ACT, "retract replies")
    with UnitOfWork(engine) as uow:
        audit.lock(uow)  # before the first read (audit.log); write_reply_retraction's lock_and_load holds it again
        row = uow.session.get(RequestReplyRow, reply_id)
        if row is None:
            raise NotFound("reply", reply_id)
        request: AssistanceRequest = uow.repo(kind_named("request").mapper).get(row.request_id)
        access.decide_write(principal, "request", request.id, request.marking, access.request_agencies(request))
        after = write_reply_retraction(uow, request.id, row, by=own_party, reason=text, actor=principal.username)
        uow.commit()
    return after.status.value


def find_reply(uow: UnitOfWork, request_id: str, payload: dict[str, Any]) -> RequestReplyRow:
    """This side's copy of the reply a `request.reply_retracted` message names: by the sender's id, or for a
    result, the reply of the request's latest step, which must be the same step."""
    row = uow.session.get(RequestReplyRow, str(payload.get("reply")))
    if row is not None and row.request_id == request_id:
        return row
    step = payload.get("step") or {}
    latest = _latest_step(uow, request_id)
    if step and latest is not None:
        found = uow.session.scalars(select(RequestReplyRow).where(RequestReplyRow.transition_id == latest.id)).first()
        if found is not None and latest.action == step.get("action") and str(latest.occurred_on) == step.get("on"):
            return found
    raise NotFound("reply", str(payload.get("reply")))


def write_reply_retraction(
    uow: UnitOfWork,
    request_id: str,
    reply: RequestReplyRow,
    *,
    by: Party,
    reason: str,
    actor: str,
    **context: Any,
) -> AssistanceRequest:
    """Remove `reply` (and, for a result, its step, reopening the request), audited with the reason (no commit)."""
    loaded = lock_and_load(uow, request_id)  # the audit head first, then the request
    before = loaded.request
    step = uow.session.get(RequestTransitionRow, reply.transition_id) if reply.transition_id is not None else None
    latest = _latest_step(uow, request_id)
    target = retraction_target(
        before,
        reply_from=Party(reply.from_party),
        by=by,
        step_action=step.action if step else None,
        step_from=RequestStatus(step.from_status) if step and step.from_status else None,
        step_to=RequestStatus(step.to_status) if step else None,
        latest=step is not None and latest is not None and latest.id == step.id,
    )
    documents = list(uow.session.scalars(select(RequestDocumentRow).where(RequestDocumentRow.reply_id == reply.id)))
    # The request's rows (its history steps among them) change only when a result goes with its step.
    touched = [("reply", reply.id)] + [("document", d.id) for d in documents]
    if target is not None:
        touched.append(("request", request_id))
    replaced = audit.records_sum(uow, touched)
    why = {"reason": reason, **context}
    changes = [Change(actor, AuditAction.DELETE, "document", d.id, diff(_doc(d), None), why) for d in documents] + [
        Change(actor, AuditAction.DELETE, "reply", reply.id, diff(_reply(reply), None), why)
    ]
    conn = uow.connection
    conn.execute(delete(RequestDocumentRow).where(RequestDocumentRow.reply_id == reply.id))
    conn.execute(delete(RequestReplyRow).where(RequestReplyRow.id == reply.id))
    after = before
    if target is not None and step is not None:
        conn.execute(delete(RequestTransitionRow).where(RequestTransitionRow.id == step.id))
        reopened = dataclasses.replace(before, status=target, closed_on=None)
        repo = uow.repo(kind_named("request").mapper)
        repo.update(reopened)
        uow.flush()
        after = repo.get(request_id)
        search.index_records(conn, "request", [after])
        undone = {"undone": step.action, "on": step.occurred_on.isoformat()}
        changes.insert(
            0,
            Change(actor, AuditAction.TRANSITION, "request", request_id, encode_changes(before, after), why | undone),
        )
    for gone in (reply, step, *documents):  # deleted with Core: gone from the session too
        if gone is not None and gone in uow.session:
            uow.session.expunge(gone)
    audit.append(uow, loaded.head, changes, replaced=replaced)
    payload = {
        "reply": reply.id,
        "reason": reason,
        "step": {"action": step.action, "on": step.occurred_on.isoformat()} if step else None,
        "status": {"from": before.status.value, "to": after.status.value},
    }
    uow.announce(
        DomainEvent("request.reply_retracted", "request", request_id, actor, before.marking.releasable, payload)
    )
    return after


def _latest_step(uow: UnitOfWork, request_id: str) -> RequestTransitionRow | None:
    latest = select(func.max(RequestTransitionRow.id)).where(RequestTransitionRow.request_id == request_id)
    return uow.session.scalars(
        select(RequestTransitionRow).where(RequestTransitionRow.id == latest.scalar_subquery())
    ).first()


def _reply(row: RequestReplyRow) -> dict[str, Any]:
    out = {
        "request_id": row.request_id,
        "transition_id": row.transition_id,
        "kind": row.kind,
        "from_party": row.from_party,
        "text": row.text,
        "sent_on": row.sent_on,
        "actor": row.actor,
    }
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in out.items()}


def _doc(row: RequestDocumentRow) -> dict[str, Any]:
    return {
        "request_id": row.request_id,
        "reply_id": row.reply_id,
        "sha256": row.sha256,
        "filename": row.filename,
        "from_party": row.from_party,
        "purpose": row.purpose,
    }
