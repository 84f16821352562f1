"""Request messages: the other side's workflow steps and replies, replayed on this side's copy of the request.

Both instances hold the request and run the same state machine (domain.workflow). A step one side takes there
arrives here as `request.<action>` with the step and the request as it then stood; the peer principal replays it,
acting for the sender's side only (a peer never reports a step of this side), through the workflow's own checks
and the same writer, audit entries and event as a user's step. The first message, `request.file`, brings the
request itself in.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from straitlink.audit import log as audit
from straitlink.audit.entries import timestamp
from straitlink.codec import encode
from straitlink.domain import workflow
from straitlink.domain.errors import InvalidValue, MissingField, UnknownReference
from straitlink.domain.parties import Party
from straitlink.domain.provenance import Provenance
from straitlink.domain.requests import RequestStatus
from straitlink.domain.workflow import Acting, Actor, Payload, RefusalGround, Role
from straitlink.exchange.documents import stored_files
from straitlink.exchange.envelope import Envelope
from straitlink.services.corrections import check_reason
from straitlink.services.kinds import kind_named
from straitlink.services.records import build_record, check_references
from straitlink.services.reply_retraction import find_reply, write_reply_retraction
from straitlink.services.request_writes import ReplyDraft, commit_step, lock_and_load, reply_rows, store_reply
from straitlink.services.requests import file_request_record
from straitlink.store import tables as t
from straitlink.store.uow import UnitOfWork

if TYPE_CHECKING:
    from straitlink.exchange.apply import Context


def apply_request_message(uow: UnitOfWork, env: Envelope, ctx: Context) -> None:
    """Replay the peer's request step or reply on this side's copy of the request."""
    from straitlink.exchange.apply import decide_peer

    if env.type == "request.replied":
        _reply(uow, env, ctx)
        return
    if env.type == "request.reply_retracted":
        _reply_retracted(uow, env, ctx)
        return
    step = env.payload.get("step")
    if not isinstance(step, dict):
        raise MissingField("payload.step", "a request message carries the step it reports")
    acting = _acting(step, env.sender)
    if step.get("action") == workflow.Action.FILE.value:
        data = dict(env.payload.get("request") or {})
        data["id"] = env.record["id"]
        data["provenance"] = Provenance.from_peer(env.id).to_json()
        for derived in ("status", "version"):
            data.pop(derived, None)
        kind = kind_named("request")
        record = build_record(kind, data, actor=ctx.principal.username)
        decide_peer(ctx.principal, "request", record.marking)
        check_references(uow, kind, encode(record))
        files = stored_files(env, ctx.desk.files)
        file_request_record(
            uow,
            record,  # type: ignore[arg-type]
            actor=ctx.principal.username,
            acting=acting,
            desk=ctx.desk,
            files=files,
        )
        return
    loaded = lock_and_load(uow, env.record["id"])
    decide_peer(ctx.principal, "request", loaded.request.marking)
    actor = Actor.of(ctx.principal.username, acting)
    on = _date(step.get("on"), "step.on")
    if step.get("action") == workflow.Action.CONFIRM_IN_WRITING.value:
        after, done = workflow.confirm_in_writing(loaded.request, actor, on)
    else:
        payload = Payload(
            on=on,
            text=step.get("text"),
            ground=_ground(step.get("ground")),
            executing_agency=step.get("executing_agency"),
            executing_agency_party=_agency_party(uow, step.get("executing_agency")),
            documents=len(env.documents),
            materials_returned=bool((env.payload.get("request") or {}).get("materials_returned", False)),
        )
        target = _status(step.get("to"))
        after, done = workflow.apply(loaded.request, target, actor, payload, last_step_on=loaded.last_step_on)
    attached = stored_files(env, ctx.desk.files)
    commit_step(uow, ctx.desk.files, ctx.desk.party, loaded, after, done, attached, actor=ctx.principal.username)


def _reply(uow: UnitOfWork, env: Envelope, ctx: Context) -> None:
    from straitlink.exchange.apply import decide_peer

    loaded = lock_and_load(uow, env.record["id"])
    decide_peer(ctx.principal, "request", loaded.request.marking)
    p = env.payload
    on, files = _date(p.get("on"), "on"), stored_files(env, ctx.desk.files)
    draft = ReplyDraft(str(p.get("kind") or "note"), p.get("text"), on, Party(env.sender), files)
    rows = reply_rows(
        loaded.request,
        draft,
        own_party=ctx.desk.party,
        actor=ctx.principal.username,
        recorded_at=timestamp(),
        reply_id=str(p["reply"]) if p.get("reply") else None,  # the sender's id: a retraction names it
    )
    store_reply(uow, ctx.desk.files, rows)
    audit.append(uow, loaded.head, rows.changes)


def _reply_retracted(uow: UnitOfWork, env: Envelope, ctx: Context) -> None:
    """The peer retracts a reply it sent (services.reply_retraction): the same writer, the same reason; the request
    must end where the peer's did."""
    from straitlink.exchange.apply import decide_peer

    request_id = env.record["id"]
    audit.lock(uow)  # before the first read (audit.log)
    request = uow.repo(kind_named("request").mapper).get(request_id)
    decide_peer(ctx.principal, "request", request.marking)
    reply = find_reply(uow, request_id, env.payload)
    reason = check_reason(env.payload.get("reason"))
    after = write_reply_retraction(
        uow, request_id, reply, by=Party(env.sender), reason=reason, actor=ctx.principal.username, message=env.id
    )
    expected = (env.payload.get("status") or {}).get("to")
    if expected is not None and after.status.value != expected:
        raise InvalidValue("status", after.status.value, f"the sender's request stands {expected} after the retraction")


def _acting(step: dict[str, Any], sender: str) -> Acting:
    if step.get("party") != sender:
        raise InvalidValue("step.party", step.get("party"), f"the peer reports only steps of its own side ({sender})")
    try:
        return Acting(Party(sender), Role(str(step.get("role"))), step.get("agency"))
    except ValueError:
        raise InvalidValue("step.role", step.get("role"), "a workflow role") from None


def _date(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidValue(field, value, "an ISO date") from None


def _ground(value: Any) -> RefusalGround | None:
    if value is None:
        return None
    try:
        return RefusalGround(value)
    except ValueError:
        raise InvalidValue("step.ground", value, "a refusal ground") from None


def _status(value: Any) -> RequestStatus:
    try:
        return RequestStatus(value)
    except ValueError:
        raise InvalidValue("step.to", value, "a request status") from None


def _agency_party(uow: UnitOfWork, agency: Any) -> Party | None:
    if not agency:
        return None
    row = uow.session.get(t.AgencyRow, agency)
    if row is None:
        raise UnknownReference("step.executing_agency", agency, "agency")
    return Party(row.party)
