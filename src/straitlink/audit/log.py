"""Appending to the audit log inside the caller's transaction, and reading a record's history back.

An audited use case first locks the chain head (`lock`), before it writes anything, and appends its entries
(`append`) just before it commits. One lock, always taken first, means concurrent use cases queue on it instead of
deadlocking on each other's rows, and entries are numbered and linked one transaction at a time, so the chain stays
linear. On PostgreSQL the lock is SELECT … FOR UPDATE on the one-row `audit_head`; on SQLite it is a write to that
row, which takes the database's single writer lock for the rest of the transaction (as BEGIN IMMEDIATE would), so
what the use case reads after it is the latest committed state. The application never updates or deletes entries.

Every entry also carries the digest of the stored records as its transaction leaves them (straitlink.audit.state);
the head keeps the latest one, so a writer only adds the difference its own rows make. `append` reads back the rows
of the records its entries create, change or delete; a writer that changes or deletes records reads their rows
first (`records_sum`, after the lock and before its first write) and passes that as `replaced`.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Connection, Row, Select, Table, select, update
from sqlalchemy.engine import Dialect

from straitlink.audit import state as record_state
from straitlink.audit.entries import AuditAction, Change, body, link, timestamp
from straitlink.store.driver import DriverStatement, insert_many
from straitlink.store.tables_workflow import AuditEntryRow, AuditHeadRow, record_field
from straitlink.store.uow import UnitOfWork

E = AuditEntryRow
ENTRY = cast(Table, AuditEntryRow.__table__)
HEAD = cast(Table, AuditHeadRow.__table__)

# A no-op write that reads the head back: from here the transaction holds SQLite's single writer lock.
_LOCK_SQLITE = (
    update(HEAD).where(HEAD.c.id == 1).values(seq=HEAD.c.seq).returning(HEAD.c.seq, HEAD.c.hash, HEAD.c.state)
)
_LOCK = select(HEAD.c.seq, HEAD.c.hash, HEAD.c.state).where(HEAD.c.id == 1).with_for_update()
_MOVE_HEAD = update(HEAD).where(HEAD.c.id == 1)
_JOINED: dict[int, tuple[Select[Any], Select[Any]]] = {}


@dataclass
class Head:
    """The chain head as this transaction locked it, with the stored records' digest; each append moves it on."""

    seq: int
    hash: bytes
    state: int = 0

    @property
    def state_bytes(self) -> bytes:
        return (self.state % record_state.MODULUS).to_bytes(32, "big")


def _state(conn: Connection, stored: Any) -> int:
    # A head without a digest was kept before digests were (straitlink.store.migrations 0006): take the tables'.
    return int.from_bytes(bytes(stored), "big") if stored is not None else record_state.stored(conn)


def lock(uow: UnitOfWork) -> Head:
    """Lock the chain head for the rest of the transaction; call it before the use case's first write."""
    deferred = _DEFERRED.get(uow)
    if deferred is not None:
        return deferred.head  # locked once for the whole batch (`defer`)
    conn = uow.connection
    if conn.dialect.name == "sqlite":  # every change takes this path: straight to the driver (store.driver)
        seq, hash_, stored = _sqlite_lock(conn.dialect).execute(conn, {}).fetchone()
        return Head(int(seq), bytes(hash_), _state(conn, stored))
    row = conn.execute(_LOCK).one()
    return Head(int(row.seq), bytes(row.hash), _state(conn, row.state))


@lru_cache(maxsize=1)
def _sqlite_lock(dialect: Dialect) -> DriverStatement:
    return DriverStatement.compile(_LOCK_SQLITE, dialect)


def lock_and_select(uow: UnitOfWork, stmt: Select[Any], params: dict[str, Any]) -> tuple[Head, Row[Any] | None]:
    """Lock the chain head and run the use case's first query; on PostgreSQL both in one round trip.

    Returns the head and the query's one row (None when it finds none; the head is then not locked).
    """
    conn = uow.connection
    if conn.dialect.name == "sqlite" or uow in _DEFERRED:
        head = lock(uow)
        return head, conn.execute(stmt, params).one_or_none()
    joined = _JOINED.get(id(stmt))
    if joined is None or joined[0] is not stmt:
        locking = (
            stmt.add_columns(
                HEAD.c.seq.label("audit_head_seq"),
                HEAD.c.hash.label("audit_head_hash"),
                HEAD.c.state.label("audit_head_state"),
            )
            .join(HEAD, HEAD.c.id == 1)
            .with_for_update(of=HEAD)
        )
        joined = _JOINED[id(stmt)] = (stmt, locking)  # built once per query, so its compiled form is reused
    row = conn.execute(joined[1], params).one_or_none()
    if row is None:
        return Head(0, b""), None
    state = _state(conn, row.audit_head_state)
    return Head(int(row.audit_head_seq), bytes(row.audit_head_hash), state), row


def chain(
    head: Head, changes: Sequence[Change], *, delta: int = 0, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The rows of one entry per change after the locked head, which moves on past them (nothing is written).

    `delta` is what the transaction's writes add to the stored records' digest; every entry carries the result.
    """
    if not changes:
        raise ValueError("nothing to audit")
    seq, prev = head.seq, head.hash
    head.state = (head.state + delta) % record_state.MODULUS
    state = record_state.hex_digest(head.state)
    at = timestamp(now)
    rows: list[dict[str, Any]] = []
    for change in changes:
        seq += 1
        text = body(seq, at, change, state)
        digest = link(prev, text.encode("utf-8"))
        rows.append({"seq": seq, "body": text, "prev_hash": prev, "hash": digest})
        prev = digest
    head.seq, head.hash = seq, prev
    return rows


_CHANGING = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.TRANSITION, AuditAction.DELETE)


def records_sum(uow: UnitOfWork, records: Iterable[tuple[str, str]]) -> int:
    """The sum of the digest's elements over these (kind, id) records' rows as they stand in this transaction."""
    conn = uow.connection
    return sum(record_state.added(conn, kind, ids) for kind, ids in record_state.kinds_and_ids(records))


def created(conn: Connection, changes: Sequence[Change]) -> int:
    """The sum over the rows, as stored now, of the records the changes create, change or delete."""
    pairs = ((c.kind, c.record_id) for c in changes if c.action in _CHANGING)
    return sum(record_state.added(conn, kind, ids) for kind, ids in record_state.kinds_and_ids(pairs))


def append(
    uow: UnitOfWork,
    head: Head,
    changes: Sequence[Change],
    *,
    delta: int | None = None,
    replaced: int = 0,
    now: datetime | None = None,
) -> int:
    """Append one entry per change after the locked head; returns the last entry's number.

    Without `delta`, the records' digest moves by the rows, as stored now, of the records the changes create, change
    or delete, less `replaced`: what `records_sum` gave for the records changed or deleted, read after the lock and
    before the first write (nothing for records created).
    """
    deferred = _DEFERRED.get(uow)
    if deferred is not None:
        return deferred.add(changes, delta, replaced, now)
    uow.flush()
    conn = uow.connection
    moved = created(conn, changes) - replaced if delta is None else delta
    rows = chain(head, changes, delta=moved, now=now)
    insert_many(conn, ENTRY, rows)
    conn.execute(_MOVE_HEAD, {"seq": head.seq, "hash": head.hash, "state": head.state_bytes})
    return head.seq


class Overlap(Exception):
    """Two use cases of one deferred batch changed the same record: the batch cannot be audited in one append."""


@dataclass
class _Deferred:
    """A batch's appends, kept until its commit: their changes in order, and what moves the records' digest."""

    head: Head
    groups: list[tuple[list[Change], datetime | None]] = field(default_factory=list)
    read_back: list[tuple[str, str]] = field(default_factory=list)  # records whose rows are summed at the end
    delta: int = 0  # the explicit deltas, less what the changes replaced
    touched: set[tuple[str, str]] = field(default_factory=set)
    count: int = 0

    def add(self, changes: Sequence[Change], delta: int | None, replaced: int, now: datetime | None) -> int:
        if not changes:
            raise ValueError("nothing to audit")
        pairs = {(c.kind, c.record_id) for c in changes if c.action in _CHANGING}
        # Each record's rows are read back once, at the end: right only when no other append touched them.
        if pairs & self.touched:
            raise Overlap(", ".join(sorted(f"{k} {i}" for k, i in pairs & self.touched)))
        self.touched |= pairs
        if delta is None:
            self.read_back += sorted(pairs)
            self.delta -= replaced
        else:
            self.delta += delta
        self.groups.append((list(changes), now))
        self.count += len(changes)
        return self.head.seq + self.count  # the number the last of these entries will get


# Units of work whose appends are deferred to their commit (`defer`); forgotten with the unit of work.
_DEFERRED: weakref.WeakKeyDictionary[UnitOfWork, _Deferred] = weakref.WeakKeyDictionary()


def defer(uow: UnitOfWork) -> None:
    """Lock the head now and, until the commit, keep every `append` of this transaction to write them all at once.

    For a batch of many use cases in one transaction (the exchange's inbox): one lock, one flush, one read-back of
    the records' rows and one insert of all the entries, instead of each per use case. The entries are the same, in
    the same order, and all carry the digest as the batch's transaction leaves the tables, as the entries of any one
    transaction do. Summing each record's rows once at the end is right only if no two appends change the same
    record: `append` raises Overlap when one does, and the caller rolls the batch back and goes one by one.
    """
    if uow in _DEFERRED:
        return
    _DEFERRED[uow] = _Deferred(lock(uow))
    uow.before_commit(lambda: _write_deferred(uow))


def _write_deferred(uow: UnitOfWork) -> None:
    deferred = _DEFERRED.pop(uow, None)
    if deferred is None or not deferred.groups:
        return
    conn = uow.connection
    moved, unread = deferred.delta, []
    for kind, record_id in deferred.read_back:
        # A row the batch inserted with values it knows (a staged record, UnitOfWork.written) and nothing changed
        # since: its element from those values, as the verifier will compute it from the stored row.
        written = uow.written(kind, record_id) if len(record_state.KIND_TABLES.get(kind, ())) == 1 else None
        if written is not None and _complete(*written):
            moved += record_state.row_element(*written, record_state.form_of(conn.dialect.name))
        else:
            unread.append((kind, record_id))
    moved += sum(record_state.added(conn, kind, ids) for kind, ids in record_state.kinds_and_ids(unread))
    head, rows = deferred.head, []
    for i, (changes, now) in enumerate(deferred.groups):
        rows += chain(head, changes, delta=moved if i == 0 else 0, now=now)
    insert_many(conn, ENTRY, rows)
    conn.execute(_MOVE_HEAD, {"seq": head.seq, "hash": head.hash, "state": head.state_bytes})


def _complete(table: Table, values: dict[str, Any]) -> bool:
    """Were all the row's columns written (none left to a server default the values do not show)?"""
    keys = _KEYS.get(table.name)
    if keys is None:
        keys = _KEYS[table.name] = frozenset(c.key for c in table.columns)
    return keys <= values.keys()


_KEYS: dict[str, frozenset[str]] = {}  # each table's column keys, for `_complete` (once per row of a batch)


@dataclass(frozen=True)
class Entry:
    """An entry as read back for display."""

    seq: int
    at: str
    actor: str
    action: str
    kind: str
    record_id: str
    diff: dict[str, Any]
    context: dict[str, Any]
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "kind": self.kind,
            "record": self.record_id,
            "diff": self.diff,
            "context": self.context,
            "hash": self.hash,
        }


def _entry(row: Any) -> Entry:
    data = json.loads(row.body)
    return Entry(
        seq=int(row.seq),
        at=data["at"],
        actor=data["actor"],
        action=data["action"],
        kind=data["kind"],
        record_id=data["record"],
        diff=data["diff"],
        context=data["context"],
        hash=bytes(row.hash).hex(),
    )


def entries(uow: UnitOfWork, *, record_id: str | None = None, kind: str | None = None, limit: int = 100) -> list[Entry]:
    """A record's entries in order, or the latest `limit` entries of the log; each shown from its body."""
    stmt = select(E.seq, E.body, E.hash)
    if record_id is not None:
        stmt = stmt.where(record_field(E.body) == record_id).order_by(E.seq)
        found = [_entry(r) for r in uow.session.execute(stmt)]
        return [e for e in found if kind is None or e.kind == kind]
    latest = stmt.order_by(E.seq.desc()).limit(limit)
    return sorted((_entry(r) for r in uow.session.execute(latest)), key=lambda e: e.seq)


def head(uow: UnitOfWork) -> tuple[int, bytes]:
    """The chain head as stored: the last entry's number and hash."""
    row = uow.connection.execute(select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == 1)).one()
    return int(row.seq), bytes(row.hash)


def hash_of(uow: UnitOfWork, seq: int) -> bytes | None:
    """The stored hash of entry `seq`, if it is stored."""
    found = uow.connection.execute(select(ENTRY.c.hash).where(ENTRY.c.seq == seq)).scalar()
    return bytes(found) if found is not None else None
