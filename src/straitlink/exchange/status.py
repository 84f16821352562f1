"""`exchange status`: per peer and direction, how many messages are queued, delivered, applied, waiting, parked or
rejected, the refusals given, what was withheld, and the oldest unfinished message's age."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from straitlink.store.tables_access import OutboxEventRow
from straitlink.store.tables_exchange import MessageRow, ReceiptRow
from straitlink.store.uow import UnitOfWork

UNFINISHED = ("queued", "delivered", "waiting")


def status(engine: Engine) -> dict[str, Any]:
    """The exchange's counts and the oldest unfinished message, as JSON."""
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
        parked = conn.execute(
            select(MessageRow.direction, MessageRow.id, MessageRow.type, MessageRow.record_key, MessageRow.reason)
            .where(MessageRow.status == "parked")
            .order_by(MessageRow.created_at)
            .limit(50)
        ).all()
    peers: dict[str, dict[str, Any]] = {}
    for peer, direction, state, n in counts:
        side = peers.setdefault(peer, {}).setdefault(direction, {})
        side[state] = int(n)
    now = datetime.now(UTC)
    for peer, direction, first in oldest:
        age = (now - datetime.fromisoformat(first)).total_seconds()
        peers.setdefault(peer, {}).setdefault(direction, {})["oldest_unfinished_seconds"] = round(age, 1)
    return {
        "peers": peers,
        "refused_messages": int(refused or 0),
        "overdue_evidence": int(overdue or 0),
        "withheld_events": int(withheld or 0),
        "parked": [{"direction": d, "message": i, "type": t, "record": r, "reason": why} for d, i, t, r, why in parked],
    }
