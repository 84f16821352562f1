"""`exchange status`: the peers set up; per peer and direction, how many messages are queued, delivered, applied,
waiting, parked or rejected, the refusals given, what was withheld, and the oldest unfinished message's age; the
parked messages with their reasons and how many of their record's messages wait behind each, and the waiting
messages with what they wait for (a predecessor parked, say for a document that has not arrived, or not received
yet)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import aliased

from straitlink.store.tables_access import OutboxEventRow
from straitlink.store.tables_exchange import MessageRow, PeerRow, ReceiptRow
from straitlink.store.uow import UnitOfWork

UNFINISHED = ("queued", "delivered", "waiting")


def status(engine: Engine) -> dict[str, Any]:
    """The exchange's counts and the oldest unfinished message, as JSON."""
    before = aliased(MessageRow)
    with UnitOfWork(engine) as uow:
        conn = uow.connection
        counts = conn.execute(
            select(MessageRow.peer, MessageRow.direction, MessageRow.status, func.count()).group_by(
                MessageRow.peer, MessageRow.direction, MessageRow.status
            )
        ).all()
        oldest = conn.execute(
            select(MessageRow.peer, MessageRow.direction, func.min(MessageRow.created_at))
            .where(MessageRow.status.in_(UNFINISHED))
            .group_by(MessageRow.peer, MessageRow.direction)
        ).all()
        refused = conn.scalar(
            select(func.count()).where(ReceiptRow.direction == "given", ReceiptRow.status == "rejected")
        )
        overdue = conn.scalar(
            select(func.count()).where(ReceiptRow.direction == "given", ReceiptRow.status == "overdue")
        )
        withheld = conn.scalar(select(func.count()).where(OutboxEventRow.releasable.is_(False)))
        registered = dict(conn.execute(select(PeerRow.party, PeerRow.url)).tuples().all())
        parked = conn.execute(
            select(MessageRow.direction, MessageRow.id, MessageRow.type, MessageRow.record_key, MessageRow.reason)
            .where(MessageRow.status == "parked")
            .order_by(MessageRow.created_at)
            .limit(50)
        ).all()
        waiting = conn.execute(
            select(
                MessageRow.id,
                MessageRow.type,
                MessageRow.record_key,
                MessageRow.after,
                before.status,
                before.reason,
            )
            .outerjoin(before, (before.direction == "in") & (before.id == MessageRow.after))
            .where(MessageRow.direction == "in", MessageRow.status == "waiting")
            .order_by(MessageRow.seq)
            .limit(50)
        ).all()
    behind: dict[str, int] = {}
    for w in waiting:
        behind[w.after] = behind.get(w.after, 0) + 1
    peers: dict[str, dict[str, Any]] = {party: {} for party in registered}
    for peer, direction, state, n in counts:
        side = peers.setdefault(peer, {}).setdefault(direction, {})
        side[state] = int(n)
    now = datetime.now(UTC)
    for peer, direction, first in oldest:
        age = (now - datetime.fromisoformat(first)).total_seconds()
        peers.setdefault(peer, {}).setdefault(direction, {})["oldest_unfinished_seconds"] = round(age, 1)
    return {
        "peers": peers,
        "registered": registered,  # the peers set up here, by party: their inbox's URL
        "refused_messages": int(refused or 0),
        "overdue_evidence": int(overdue or 0),
        "withheld_events": int(withheld or 0),
        "parked": [
            {"direction": d, "message": i, "type": t, "record": r, "reason": why, "waiting_behind": behind.get(i, 0)}
            for d, i, t, r, why in parked
        ],
        "waiting": [
            {
                "message": w.id,
                "type": w.type,
                "record": w.record_key,
                "after": w.after,
                "reason": _why_waiting(w.after, w.status, w.reason),
            }
            for w in waiting
        ],
    }


def _why_waiting(after: str, status: str | None, reason: str | None) -> str:
    """Why a message waits: its predecessor is parked (with its reason), waiting itself, or not received yet."""
    if status is None:
        return f"waits for message {after}, not received yet"
    if status == "parked":
        return f"waits behind message {after}, parked: {reason}"
    return f"waits behind message {after}, {status}"
