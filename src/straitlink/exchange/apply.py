"""A received message's effect, made through the same building blocks as a user's use case, as the peer principal.

The effect runs inside the inbox's transaction (so that the message is recorded exactly when its effect is): it
builds and checks the record as `services.records` does, lets the domain decide what the peer principal may do,
and writes the record with its audit entry and its domain event (whose actor, the peer, keeps it from being echoed
back). A record created from a message carries the message as its provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from straitlink.audit import log as audit
from straitlink.audit.entries import AuditAction, Change, diff
from straitlink.codec import encode
from straitlink.domain import access
from straitlink.domain.access import Permission, Principal
from straitlink.domain.errors import Forbidden, InvalidValue, MissingField
from straitlink.domain.events import DomainEvent
from straitlink.domain.marking import Marking
from straitlink.domain.parties import Party
from straitlink.domain.provenance import Provenance, ProvenanceKind
from straitlink.domain.records import Record
from straitlink.domain.requests import AssistanceRequest
from straitlink.exchange.apply_requests import apply_request_message
from straitlink.exchange.envelope import Envelope
from straitlink.services.corrections import check_reason, retract, write_request_correction
from straitlink.services.kinds import Kind, kind_named
from straitlink.services.records import build_record, check_references, store_new
from straitlink.services.requests import Desk
from straitlink.store.uow import UnitOfWork


@dataclass(frozen=True)
class Context:
    """Who applies the message (the peer principal) and this instance's request desk (files, party)."""

    principal: Principal
    desk: Desk


def apply_message(uow: UnitOfWork, env: Envelope, ctx: Context) -> None:
    """Make the message's effect in `uow`; a StraitLinkError says why it cannot be applied."""
    if env.type.startswith("request."):
        apply_request_message(uow, env, ctx)
        return
    handler = HANDLERS.get(env.type)
    if handler is None:
        raise InvalidValue("type", env.type, "a message type this instance does not apply")
    handler(uow, env, ctx.principal)


def decide_peer(principal: Principal, kind: str, marking: Marking) -> None:
    """May the peer principal bring this record in? Its role must carry the exchange, its clearance cover the
    record, and the record must be one its sender released to this side.

    The peer's role grants no write of its own (domain.access): what it writes is what the other side's people
    decided there, under the same rules, and it reaches this side only through a verified message.
    """
    access.require(principal, Permission.EXCHANGE, f"bring {kind} records in through the exchange")
    if not principal.clears(marking.classification):
        raise Forbidden(principal.username, f"bring in a {marking.classification.value} {kind}", "clearance")
    if not marking.releasable:
        raise InvalidValue("marking.releasable", False, "the sender did not release this record to this side")


def _kind(env: Envelope) -> Kind:
    kind = kind_named(env.record["kind"])
    if kind.name == "request":
        raise InvalidValue("record.kind", "request", "requests travel as request.* messages")
    return kind


def record_created(uow: UnitOfWork, env: Envelope, principal: Principal) -> None:
    """A record the peer created and released to this side: stored as received, its provenance the message."""
    kind = _kind(env)
    data = dict(env.payload)
    data["id"] = env.record["id"]
    data["provenance"] = Provenance.from_peer(env.id).to_json()
    record = build_record(kind, data, actor=principal.username)
    encoded = encode(record)
    check_references(uow, kind, encoded)
    decide_peer(principal, kind.name, record.marking)
    store_new(uow, kind, record, actor=principal.username, encoded=encoded)


def record_updated(uow: UnitOfWork, env: Envelope, principal: Principal) -> None:
    """An update by the peer: its diff `{field: [before, after]}` applied to this side's copy."""
    _correct(uow, env, principal, env.payload, None)


def record_corrected(uow: UnitOfWork, env: Envelope, principal: Principal) -> None:
    """A correction by the peer: its diff applied to this side's copy, the reason kept in its audit entry."""
    delta = env.payload.get("diff")
    if not isinstance(delta, dict):
        raise MissingField("payload.diff", "a correction carries its diff")
    if env.record.get("kind") == "request":
        _correct_request(uow, env, principal, delta, check_reason(env.payload.get("reason")))
        return
    _correct(uow, env, principal, delta, check_reason(env.payload.get("reason")))


def _correct_request(uow: UnitOfWork, env: Envelope, principal: Principal, given: Any, reason: str) -> None:
    """The peer corrects fields of a request it states (its side's, not this one's: NotOwner otherwise)."""
    kind = kind_named("request")
    before: AssistanceRequest = uow.repo(kind.mapper).get(env.record["id"])
    decide_peer(principal, "request", before.marking)
    changes = _changes(given)
    write_request_correction(
        uow, before, changes, by=Party(env.sender), reason=reason, actor=principal.username, message=env.id
    )


def record_retracted(uow: UnitOfWork, env: Envelope, principal: Principal) -> None:
    """A retraction by the peer: this side's copy is withdrawn as the peer's was, saying why (services.corrections)."""
    kind = _kind(env)
    reason = check_reason(env.payload.get("reason"))
    record: Record = uow.repo(kind.mapper).get(env.record["id"])
    _sent_by_peer(record)
    decide_peer(principal, kind.name, record.marking)
    retract(uow, kind, record, reason=reason, actor=principal.username, message=env.id)


def _sent_by_peer(record: Record) -> None:
    if record.provenance.kind is not ProvenanceKind.PEER:
        raise InvalidValue("record.id", record.id, "is this side's own record; the peer corrects only what it sent")


def _correct(uow: UnitOfWork, env: Envelope, principal: Principal, given: Any, reason: str | None) -> None:
    kind = _kind(env)
    changes = _changes(given)
    before: Record = uow.repo(kind.mapper).get(env.record["id"])
    _sent_by_peer(before)
    old = encode(before)
    merged = {**old, **changes, "id": before.id, "provenance": old["provenance"]}
    after = build_record(kind, merged, actor=principal.username)
    after.version = before.version
    new = encode(after)
    check_references(uow, kind, new)
    decide_peer(principal, kind.name, after.marking)
    head = audit.lock(uow)
    replaced = audit.records_sum(uow, [(kind.mapper.kind, before.id)])  # its rows before: the digest's part
    uow.repo(kind.mapper).update(after)
    uow.flush()
    delta = diff(old, new)
    context = {"message": env.id} if reason is None else {"reason": reason, "message": env.id}
    change = Change(principal.username, AuditAction.UPDATE, kind.mapper.kind, before.id, delta, context)
    audit.append(uow, head, [change], replaced=replaced)
    releasable = after.marking.releasable
    if reason is None:
        event = DomainEvent("record.updated", kind.name, before.id, principal.username, releasable, delta)
    else:
        payload = {"diff": delta, "reason": reason}
        event = DomainEvent("record.corrected", kind.name, before.id, principal.username, releasable, payload)
    uow.announce(event)


def _changes(delta: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name, pair in delta.items():
        if not (isinstance(pair, list) and len(pair) == 2):
            raise InvalidValue(f"payload.{name}", pair, "a [before, after] pair")
        if name in ("id", "version", "provenance"):
            continue
        changes[name] = pair[1]
    return changes


HANDLERS = {
    "record.created": record_created,
    "record.updated": record_updated,
    "record.corrected": record_corrected,
    "record.retracted": record_retracted,
}
