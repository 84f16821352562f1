"""`exchange evidence RECORD_ID`: every message about a record, both ways, with its receipts, each signature checked.

The chain is what either side can show in a dispute: each message as signed by its sender, each receipt as signed by
its issuer, naming the message's digest; `verified` is true only when every signature and every digest checks.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from straitlink.exchange.envelope import KeyLookup, Refused, canonical, open_message, sha256_hex
from straitlink.exchange.receipts import open_receipt
from straitlink.exchange.service import Exchange
from straitlink.store.tables_exchange import MessageRow, ReceiptRow
from straitlink.store.uow import UnitOfWork


def evidence(ex: Exchange, record_id: str) -> dict[str, Any]:
    """The record's evidence chain, in order, with each link verified."""
    keys = ex.keys(retired=True)  # a message signed before a rotation still proves what it proved
    with UnitOfWork(ex.engine) as uow:
        messages = uow.connection.execute(
            select(MessageRow)
            .where(MessageRow.record_key.like(f"%:{record_id}"))
            .order_by(MessageRow.created_at, MessageRow.seq)
        ).all()
        receipts = uow.connection.execute(
            select(ReceiptRow.message_id, ReceiptRow.direction, ReceiptRow.wire)
            .where(ReceiptRow.message_id.in_([m.id for m in messages]))
            .order_by(ReceiptRow.created_at)
        ).all()
    by_message: dict[str, list[Any]] = {}
    for r in receipts:
        by_message.setdefault(r.message_id, []).append(r.wire)
    chain = [_link(m, by_message.get(m.id, []), keys) for m in messages]
    return {"record": record_id, "verified": all(link["verified"] for link in chain), "chain": chain}


def _link(m: Any, receipts: list[Any], keys: KeyLookup) -> dict[str, Any]:
    env = m.wire["envelope"]
    digest_ok = sha256_hex(canonical(env)) == m.digest
    try:
        open_message(m.wire, me=env["receiver"], keys=keys)
        signed = True
    except Refused:
        signed = False
    checked = []
    for wire in receipts:
        try:
            receipt = open_receipt(wire, keys=keys)
            checked.append({**receipt.to_json(), "verified": receipt.digest == m.digest})
        except Refused as exc:
            checked.append({**(wire.get("receipt") or {}), "verified": False, "problem": str(exc)})
    return {
        "direction": m.direction,
        "message": m.id,
        "type": m.type,
        "sender": env["sender"],
        "time": env["time"],
        "after": m.after,
        "digest": m.digest,
        "status": m.status,
        "signature_verified": signed and digest_ok,
        "receipts": checked,
        "verified": signed and digest_ok and all(c["verified"] for c in checked),
    }
