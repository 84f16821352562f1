"""The inbound ledger: the rows of received messages and of the receipts given for them, and their statuses.

What the inbox (exchange/inbox.py) writes beside each message's effect, in the same transaction: the message row
(keyed by the sender's id, which makes a repeat find it), the signed receipt's row, and the moves of a stored
message's status; with the rules saying when a message is settled and what a repeat of it gets back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, update

from straitlink.domain.errors import NotOwner, StraitLinkError
from straitlink.exchange.envelope import Envelope, Sealed, now_iso
from straitlink.store.tables_exchange import MessageRow, ReceiptRow
from straitlink.store.uow import UnitOfWork

MESSAGE = insert(MessageRow.__table__)  # type: ignore[arg-type]
RECEIPT = insert(ReceiptRow.__table__)  # type: ignore[arg-type]


def message_row(sealed: Sealed, status: str, reason: str | None, seq: int) -> dict[str, Any]:
    """The row of an inbound message as stored: its envelope and signature as they came, its status."""
    env, now = sealed.envelope, now_iso()
    return {
        "direction": "in",
        "id": env.id,
        "peer": env.sender,
        "seq": seq,
        "event_id": None,
        "record_key": env.record_key,
        "after": env.after,
        "type": env.type,
        "digest": sealed.digest,
        "wire": sealed.wire,
        "status": status,
        "reason": reason,
        "attempts": 0,
        "next_attempt_at": now,
        "lease_owner": None,
        "lease_until": None,
        "created_at": now,
        "updated_at": now,
    }


def next_seq(uow: UnitOfWork) -> int:
    return int(uow.connection.scalar(select(func.max(MessageRow.seq)).where(MessageRow.direction == "in")) or 0) + 1


def receipt_row(wire: dict[str, Any], refused: Any) -> dict[str, Any]:
    body = wire["receipt"]
    return {
        "id": body["id"],
        "direction": "given",
        "message_id": body["message"],
        "digest": body["digest"],
        "status": body["status"],
        "reason": body["reason"],
        "wire": wire,
        "refused": refused,
        "created_at": body["time"],
    }


def set_status(uow: UnitOfWork, message_id: str, status: str, reason: str | None, *, was: str | None = None) -> bool:
    """Move an inbound message to `status` (only from `was`, when given); False when it was not there."""
    stmt = update(MessageRow.__table__).where(  # type: ignore[arg-type]
        MessageRow.direction == "in", MessageRow.id == message_id
    )
    if was is not None:
        stmt = stmt.where(MessageRow.status == was)
    done = uow.connection.execute(stmt.values(status=status, reason=reason, updated_at=now_iso()))
    return bool(done.rowcount)


def waits(uow: UnitOfWork, env: Envelope, statuses: dict[str, str]) -> bool:
    """Must the message wait: its predecessor settled neither earlier in this batch nor before it?"""
    return env.after is not None and statuses.get(env.after, "") not in SETTLED and not is_settled(uow, env.after)


def is_settled(uow: UnitOfWork, message_id: str) -> bool:
    """Is the message settled here: applied, or refused for good (its successors need not wait for it)?"""
    status = uow.connection.scalar(
        select(MessageRow.status).where(MessageRow.direction == "in", MessageRow.id == message_id)
    )
    return status in SETTLED


# A message settled here, which its successors need not wait for: applied, or refused for good.
SETTLED = ("applied", "rejected")
# Refusals of a message's effect that no later message can lift: the message is rejected, not parked.
FINAL_REFUSALS: tuple[type[StraitLinkError], ...] = (NotOwner,)


def refusal(exc: StraitLinkError) -> tuple[str, str]:
    """The status and reason of a message whose effect is refused: `rejected` when final, else `parked`."""
    return ("rejected" if isinstance(exc, FINAL_REFUSALS) else "parked"), f"{exc.code}: {exc.message}"


def latest_receipt(uow: UnitOfWork, message_id: str) -> dict[str, Any]:
    """The last receipt this instance gave for a message (what a repeat of the message gets back).

    A `rejected` receipt counts only when the stored message itself was rejected for good (its effect refused), and
    only that rejection: one given at the door may answer a forgery that merely claimed the id, or an unsigned copy
    of the very envelope (same digest), and must not stand for the message that was applied.
    """
    stored = uow.connection.execute(
        select(MessageRow.digest, MessageRow.status, MessageRow.reason).where(
            MessageRow.direction == "in", MessageRow.id == message_id
        )
    ).first()
    given: Any = ReceiptRow.status.not_in(("rejected", "overdue"))
    if stored is not None and stored.status == "rejected":
        own = (ReceiptRow.digest == stored.digest) & (ReceiptRow.reason == stored.reason)
        given = given | ((ReceiptRow.status == "rejected") & own)
    wire = uow.connection.scalar(
        select(ReceiptRow.wire)
        .where(ReceiptRow.direction == "given", ReceiptRow.message_id == message_id, given)
        .order_by(ReceiptRow.created_at.desc())
        .limit(1)
    )
    if wire is None:
        raise LookupError(message_id)
    result: dict[str, Any] = wire
    return result


def as_json(wire: Any) -> Any:
    """A refused message kept as evidence: as it came when it is JSON, else its text."""
    return wire if isinstance(wire, (dict, list, str, int, float, bool)) or wire is None else repr(wire)
