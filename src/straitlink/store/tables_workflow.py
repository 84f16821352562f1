"""Tables of the request workflow (history, replies, documents) and of the hash-chained audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from straitlink.domain.workflow import RefusalGround
from straitlink.store.tables import PARTIES, Base, _in, sql_values

ACTIONS = (
    "('file','send','receive','request_info','supplement','assign','start','postpone','resume','complete',"
    "'refuse','report_unable','withdraw','confirm_in_writing')"
)
ROLES = "('requesting_side','requested_side','contact_point','executing_agency')"


class RequestTransitionRow(Base):
    """One step of a request's history: the dates processing times and deadlines are computed from."""

    __tablename__ = "request_transition"
    __table_args__ = (
        _in("action", ACTIONS, "action"),
        _in("acting_party", PARTIES, "acting_party"),
        _in("acting_role", ROLES, "acting_role"),
        CheckConstraint(f"ground IS NULL OR ground IN {sql_values(RefusalGround)}", name="ground"),
        Index("ix_request_transition_request", "request_id", "id"),
        Index("ix_request_transition_action", "action", "occurred_on"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("assistance_request.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(200))
    acting_party: Mapped[str] = mapped_column(String(2))
    acting_role: Mapped[str] = mapped_column(String(24))
    acting_agency: Mapped[str | None] = mapped_column(ForeignKey("agency.id"))
    ground: Mapped[str | None] = mapped_column(String(24))
    text: Mapped[str | None] = mapped_column(Text)
    executing_agency: Mapped[str | None] = mapped_column(ForeignKey("agency.id"))
    recorded_at: Mapped[str] = mapped_column(String(32))


class RequestReplyRow(Base):
    """A communication on a request from one side to the other (a progress report, a result, a supplement…)."""

    __tablename__ = "request_reply"
    __table_args__ = (_in("from_party", PARTIES, "from_party"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("assistance_request.id", ondelete="CASCADE"), index=True)
    transition_id: Mapped[int | None] = mapped_column(ForeignKey("request_transition.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    from_party: Mapped[str] = mapped_column(String(2))
    text: Mapped[str | None] = mapped_column(Text)
    sent_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[str] = mapped_column(String(32))


class StoredFileRow(Base):
    """A file's content, stored once under the data directory by its sha256."""

    __tablename__ = "stored_file"
    __table_args__ = (CheckConstraint("size > 0", name="size"),)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    first_stored_at: Mapped[str] = mapped_column(String(32))


class RequestDocumentRow(Base):
    """A file as part of one reply, with the name it came under and, from the other side, its purpose (Art. 17)."""

    __tablename__ = "request_document"
    __table_args__ = (_in("from_party", PARTIES, "from_party"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("assistance_request.id", ondelete="CASCADE"), index=True)
    reply_id: Mapped[str] = mapped_column(ForeignKey("request_reply.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_file.sha256"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    from_party: Mapped[str] = mapped_column(String(2))
    purpose: Mapped[str | None] = mapped_column(Text)


class AuditEntryRow(Base):
    """One audit entry: its canonical JSON `body`, the hash of the entry before it, and its own hash.

    Nothing about the entry is stored twice: the record it concerns is looked up through an index on an expression
    over the body (`record_field`), so no column can say something the hashed body does not.
    """

    __tablename__ = "audit_entry"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class record_field(FunctionElement[str]):
    """The `record` field of an audit entry's JSON body, in each engine's own JSON syntax."""

    type = String()
    name = "record_field"
    inherit_cache = True


@compiles(record_field, "sqlite")
def _record_field_sqlite(element: record_field, compiler: Any, **kw: Any) -> str:
    return f"json_extract({compiler.process(element.clauses, **kw)}, '$.record')"


@compiles(record_field, "postgresql")
def _record_field_postgresql(element: record_field, compiler: Any, **kw: Any) -> str:
    return f"(CAST({compiler.process(element.clauses, **kw)} AS JSON) ->> 'record')"


# `audit log --record` looks entries up by this expression; an expression index is not compared by alembic check.
Index("ix_audit_entry_record", record_field(AuditEntryRow.__table__.c.body))


class AuditHeadRow(Base):
    """The chain's last entry, in one row that every append locks, so the chain stays linear; with the stored
    records' digest that entry carries (NULL until the first change after an upgrade from before digests)."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    state: Mapped[bytes | None] = mapped_column(LargeBinary(32))
