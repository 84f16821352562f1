"""The exchange's own tables: the peer and its keys, every message both ways, receipts, and the outbox cursor."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from straitlink.store.tables import PARTIES, Base, _in

DIRECTIONS = "('out','in')"
# out: queued → delivered (the peer accepted it, waiting for its predecessor) → applied | parked | rejected
# in: waiting (its predecessor has not arrived) → applied | parked
MESSAGE_STATUSES = "('queued','delivered','waiting','applied','parked','rejected')"


class PeerRow(Base):
    """The other side's instance: where its inbox is, and the local account its messages act as."""

    __tablename__ = "exchange_peer"
    __table_args__ = (_in("party", PARTIES, "party"),)
    party: Mapped[str] = mapped_column(String(2), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    account: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[str] = mapped_column(String(32))


class PeerKeyRow(Base):
    """A public key of the peer; after `retires_at` (a rotation's overlap) it is no longer accepted."""

    __tablename__ = "exchange_peer_key"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    party: Mapped[str] = mapped_column(ForeignKey("exchange_peer.party", ondelete="CASCADE"), index=True)
    public_key: Mapped[str] = mapped_column(Text)
    added_at: Mapped[str] = mapped_column(String(32))
    retires_at: Mapped[str | None] = mapped_column(String(32))


class MessageRow(Base):
    """One signed message, sent or received, with its delivery state; the message id is the sender's."""

    __tablename__ = "exchange_message"
    __table_args__ = (
        _in("direction", DIRECTIONS, "direction"),
        _in("status", MESSAGE_STATUSES, "status"),
        Index("ix_exchange_message_work", "direction", "peer", "status", "seq"),
        Index("ix_exchange_message_record", "direction", "record_key", "seq"),
        Index("ix_exchange_message_after", "direction", "after"),
    )
    direction: Mapped[str] = mapped_column(String(3), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    peer: Mapped[str] = mapped_column(String(2))
    seq: Mapped[int] = mapped_column(BigInteger)  # out: the outbox event's id (causal order); in: arrival order
    event_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    record_key: Mapped[str] = mapped_column(String(128))  # "kind:id" in the sender's ids
    after: Mapped[str | None] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    wire: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[str] = mapped_column(String(32))
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class ReceiptRow(Base):
    """A signed receipt: `given` by this instance for a message it received, or `received` from the peer."""

    __tablename__ = "exchange_receipt"
    __table_args__ = (_in("direction", "('given','received')", "direction"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))
    message_id: Mapped[str | None] = mapped_column(String(64), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    wire: Mapped[dict[str, Any]] = mapped_column(JSON)
    refused: Mapped[Any | None] = mapped_column(JSON)  # a refused message as it came, kept as evidence
    created_at: Mapped[str] = mapped_column(String(32))


class CursorRow(Base):
    """How far the outbox has been read (events are re-read a window behind it, see exchange/outbox.py)."""

    __tablename__ = "exchange_cursor"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)


MESSAGES = cast(Table, MessageRow.__table__)
RECEIPTS = cast(Table, ReceiptRow.__table__)
