"""Accounts and their roles, the access log of reads and refusals, and the outbox of domain events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from straitlink.domain.access import AccountRole
from straitlink.store.tables import CLASSIFICATIONS, PARTIES, Base, _in, sql_values


class AccountRow(Base):
    """A person (or the peer instance) who acts; the password is an argon2id hash, never the password."""

    __tablename__ = "account"
    __table_args__ = (_in("party", PARTIES, "party"), _in("clearance", CLASSIFICATIONS, "clearance"))
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    party: Mapped[str] = mapped_column(String(2))
    agency: Mapped[str | None] = mapped_column(ForeignKey("agency.id"), index=True)
    clearance: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean)
    password_hash: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)


class AccountRoleRow(Base):
    __tablename__ = "account_role"
    __table_args__ = (_in("role", sql_values(AccountRole), "role"),)
    username: Mapped[str] = mapped_column(ForeignKey("account.username", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class AccessLogRow(Base):
    """Reads of classified records and every refusal: append-only, one insert each, no lock on the audit chain.

    Reads must not queue behind each other on the chain head, so they are not chain entries; `audit seal` folds
    the rows written since the last seal into one chain entry carrying their digest (straitlink.audit.seal).
    """

    __tablename__ = "access_log"
    __table_args__ = (
        _in("outcome", "('read','not_found','forbidden','unauthenticated')", "outcome"),
        Index("ix_access_log_record", "record_kind", "record_id"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(32))
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64))
    record_kind: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    sealed_by: Mapped[int | None] = mapped_column(BigInteger, index=True)


class OutboxEventRow(Base):
    """A domain event, written in the same transaction as the change it announces (the exchange reads these)."""

    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_aggregate", "aggregate_kind", "aggregate_id", "id"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    occurred_at: Mapped[str] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(64), index=True)
    aggregate_kind: Mapped[str] = mapped_column(String(32))
    aggregate_id: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    releasable: Mapped[bool] = mapped_column(Boolean)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
