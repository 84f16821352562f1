"""Negative evidence: when the peer's final receipt for a message does not come within the configured time, the
sender records, signed by itself, that it did not (e-CODEX's evidence of non-delivery or non-acceptance)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, exists, insert, select
from sqlalchemy.orm import aliased

from straitlink.exchange.keys import Identity
from straitlink.exchange.receipts import sign_receipt
from straitlink.store.tables_exchange import MessageRow, ReceiptRow
from straitlink.store.uow import UnitOfWork

DEFAULT_DEADLINE = timedelta(days=1)


def deadline() -> timedelta:
    """STRAITLINK_EXCHANGE_RECEIPT_DEADLINE seconds, default one day."""
    value = os.environ.get("STRAITLINK_EXCHANGE_RECEIPT_DEADLINE")
    return timedelta(seconds=float(value)) if value else DEFAULT_DEADLINE


def record_overdue(engine: Engine, identity: Identity, *, within: timedelta | None = None) -> int:
    """Sign an `overdue` receipt for each outgoing message still without a final receipt past the deadline, once."""
    cutoff = (datetime.now(UTC) - (within if within is not None else deadline())).isoformat(timespec="microseconds")
    r = aliased(ReceiptRow)
    noted = exists().where(r.message_id == MessageRow.id, r.status == "overdue", r.direction == "given")
    with UnitOfWork(engine) as uow:
        rows = uow.connection.execute(
            select(MessageRow.id, MessageRow.digest, MessageRow.status).where(
                MessageRow.direction == "out",
                MessageRow.status.in_(("queued", "delivered")),
                MessageRow.created_at < cutoff,
                ~noted,
            )
        ).all()
        given = []
        for m in rows:
            reason = "no receipt came" if m.status == "queued" else "accepted, but not applied"
            wire = sign_receipt(identity, message=m.id, digest=m.digest, status="overdue", reason=reason)
            body = wire["receipt"]
            given.append(
                {
                    "id": body["id"],
                    "direction": "given",
                    "message_id": m.id,
                    "digest": m.digest,
                    "status": "overdue",
                    "reason": reason,
                    "wire": wire,
                    "refused": None,
                    "created_at": body["time"],
                }
            )
        if given:
            uow.connection.execute(insert(ReceiptRow.__table__), given)  # type: ignore[arg-type]
            uow.commit()
    return len(given)
