"""Offline transport with the same semantics: a signed package of what is pending, carried by hand, and its receipts.

A package holds the sender's pending messages and every receipt it has given; importing one verifies the package
and then each message and receipt on its own, exactly as the inbox does, so importing twice or out of order changes
nothing more than importing once in order. The receipts an import gives are written as a package to carry back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from straitlink.domain.errors import InvalidValue
from straitlink.exchange.documents import resend_missing
from straitlink.exchange.envelope import Refused, canonical, now_iso
from straitlink.exchange.keys import verify_signature
from straitlink.exchange.outbox import stage
from straitlink.exchange.sender import Delivery, store_receipts
from straitlink.exchange.service import Exchange
from straitlink.store.tables_exchange import MessageRow, ReceiptRow
from straitlink.store.uow import UnitOfWork

FORMAT = "straitlink-exchange-package/1"


def _signed(ex: Exchange, messages: list[Any], receipts: list[Any]) -> dict[str, Any]:
    body = {
        "format": FORMAT,
        "sender": ex.identity.party,
        "receiver": ex.peer.party,
        "key": ex.identity.key_id,
        "time": now_iso(),
        "messages": messages,
        "receipts": receipts,
    }
    return {"package": body, "signature": ex.identity.sign(canonical(body))}


def export_package(ex: Exchange) -> dict[str, Any]:
    """A signed package: every message the peer has not acknowledged as final, and every receipt given here."""
    stage(ex.engine, ex.identity, ex.peer, ex.files)
    resend_missing(ex.engine, ex.files)  # a message the peer parked for a document this side has again
    with UnitOfWork(ex.engine) as uow:
        messages = list(
            uow.connection.scalars(
                select(MessageRow.wire)
                .where(
                    MessageRow.direction == "out",
                    MessageRow.peer == ex.peer.party,
                    MessageRow.status.in_(("queued", "delivered")),
                )
                .order_by(MessageRow.seq)
            )
        )
        receipts = list(
            uow.connection.scalars(
                select(ReceiptRow.wire)
                .where(ReceiptRow.direction == "given", ReceiptRow.status != "overdue")
                .order_by(ReceiptRow.created_at)
            )
        )
    return _signed(ex, messages, receipts)


@dataclass
class ImportReport:
    messages: dict[str, int] = field(default_factory=dict)  # receipt status → how many
    receipts: int = 0
    errors: list[str] = field(default_factory=list)
    given: list[Any] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"messages": dict(sorted(self.messages.items())), "receipts": self.receipts, "errors": self.errors}


def read_package(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidValue("file", str(path), f"not a readable exchange package ({exc})") from None


def import_package(ex: Exchange, package: Any) -> ImportReport:
    """Apply a package's messages through the inbox and its receipts to the outgoing messages; idempotent."""
    keys = ex.keys()
    if not isinstance(package, dict) or not isinstance(package.get("package"), dict):
        raise InvalidValue("package", "(file)", "not an exchange package")
    body = package["package"]
    if body.get("format") != FORMAT:
        raise InvalidValue("package.format", body.get("format"), FORMAT)
    public = keys(str(body.get("sender")), str(body.get("key")))
    signature = package.get("signature")
    if public is None or not isinstance(signature, str) or not verify_signature(public, signature, canonical(body)):
        raise InvalidValue("package.signature", body.get("key"), "not signed by a current key of the peer")
    if body.get("receiver") != ex.identity.party:
        raise InvalidValue("package.receiver", body.get("receiver"), f"this instance is {ex.identity.party}")
    report = ImportReport()
    inbox = ex.inbox()
    for receipt in inbox.receive_batch(list(body.get("messages") or [])):
        status = receipt["receipt"]["status"]
        report.messages[status] = report.messages.get(status, 0) + 1
    inbox.release_ready()
    delivery = Delivery()
    try:
        report.receipts = store_receipts(ex.engine, list(body.get("receipts") or []), keys, delivery)
    except Refused as exc:  # pragma: no cover - store_receipts reports refusals itself
        report.errors.append(str(exc))
    report.errors += delivery.errors
    return report


def receipts_package(ex: Exchange) -> dict[str, Any]:
    """A signed package of every receipt given here (what an import hands back to carry to the sender)."""
    with UnitOfWork(ex.engine) as uow:
        receipts = list(
            uow.connection.scalars(
                select(ReceiptRow.wire)
                .where(ReceiptRow.direction == "given", ReceiptRow.status != "overdue")
                .order_by(ReceiptRow.created_at)
            )
        )
    return _signed(ex, [], receipts)
