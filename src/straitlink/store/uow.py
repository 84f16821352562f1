"""The unit of work: one session, one transaction; a use case commits once or everything rolls back."""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeVar

import psycopg
from sqlalchemy import Connection, Engine, Table, delete, event, func, inspect, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from straitlink.domain.errors import Conflict, NotFound
from straitlink.domain.events import DomainEvent
from straitlink.domain.records import Record
from straitlink.store import search
from straitlink.store import tables as t
from straitlink.store.db import read_only_refusal
from straitlink.store.driver import insert_many
from straitlink.store.mapper import Mapper
from straitlink.store.mapping import ALL
from straitlink.store.queries import ListFilter, apply_filter
from straitlink.store.tables_access import OutboxEventRow

R = TypeVar("R", bound=Record)


class Repository:
    """Records of one kind: add, get, update, delete and list, always through the mapper."""

    def __init__(
        self,
        session: Session,
        mapper: Mapper[Any, Any],
        *,
        check_new: bool = True,
        built: dict[tuple[str, str], Record] | None = None,
        uow: UnitOfWork | None = None,
    ) -> None:
        self.session = session
        self.mapper = mapper
        self.check_new = check_new
        self.built = built
        self.uow = uow

    def add(self, record: Record) -> None:
        if self.check_new and self.session.get(self.mapper.row, record.id) is not None:
            raise Conflict(f"{self.mapper.kind} {record.id!r} already exists", field="id", value=record.id)
        if self.built is not None:
            self.built[(self.mapper.kind, record.id)] = record
            if self.uow is not None and self.mapper.kind in _PLAIN and record.provenance.document is None:
                self.uow._stage(self.mapper, record)  # a batch: one Core INSERT for its rows, no ORM object
                return
        self.session.add(self.mapper.to_row(record))

    def _read(self) -> None:
        # Rows a batch staged for a Core INSERT are written before the session reads: it must find them.
        if self.uow is not None and self.uow._staged:
            self.uow.flush()

    def get(self, record_id: str) -> Any:
        self._read()
        row = self.session.get(self.mapper.row, record_id)
        if row is None:
            raise NotFound(self.mapper.kind, record_id)
        return self.mapper.from_row(row)

    def exists(self, record_id: str) -> bool:
        self._read()
        return self.session.get(self.mapper.row, record_id) is not None

    def update(self, record: Record) -> None:
        """Store changes to a record loaded at `record.version`; a stale version is refused."""
        self._read()
        row = self.session.get(self.mapper.row, record.id)
        if row is None:
            raise NotFound(self.mapper.kind, record.id)
        if self.built is not None:
            self.built.pop((self.mapper.kind, record.id), None)
        if self.uow is not None:
            self.uow._changed(self.mapper.kind, record.id)
        if row.version != record.version:
            raise Conflict(
                f"{self.mapper.kind} {record.id!r} changed since version {record.version} (now {row.version})",
                field="version",
                value=record.version,
            )
        self.mapper.to_row(record, row)
        if self.session.is_modified(row) and not self.session.is_modified(row, include_collections=False):
            # Only its child rows changed (a meeting's follow-ups, a case's agencies): the ORM would issue no UPDATE
            # of the record's own row, and so not move its version; a stale edit must still be a Conflict.
            flag_modified(row, "prov_kind")

    def delete(self, record_id: str) -> None:
        self._read()
        row = self.session.get(self.mapper.row, record_id)
        if row is None:
            raise NotFound(self.mapper.kind, record_id)
        if self.built is not None:
            self.built.pop((self.mapper.kind, record_id), None)
        if self.uow is not None:
            self.uow._changed(self.mapper.kind, record_id)
        self.session.delete(row)

    def list(self, flt: ListFilter | None = None, where: Any = None) -> list[Any]:
        """The records passing the filter and, when given, the extra condition (what a principal may see)."""
        self._read()
        stmt = select(self.mapper.row)
        if where is not None:
            stmt = stmt.where(where)
        stmt = apply_filter(self.mapper, stmt, flt or ListFilter())
        return [self.mapper.from_row(row) for row in self.session.scalars(stmt)]

    def count(self) -> int:
        self._read()
        return int(self.session.scalar(select(func.count()).select_from(self.mapper.row)) or 0)


_EVENTS: Table = OutboxEventRow.__table__  # type: ignore[assignment]


def _event_row(e: DomainEvent) -> dict[str, Any]:
    return {
        "event_id": e.event_id,
        "occurred_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "type": e.type,
        "aggregate_kind": e.aggregate_kind,
        "aggregate_id": e.aggregate_id,
        "actor": e.actor,
        "releasable": e.releasable,
        "payload": e.payload,
    }


_BY_ROW: dict[type, Mapper[Any, Any]] = {m.row: m for m in ALL}
_CATALOG = frozenset({"agency", "drug", "place", "request_type"})


def _plain(mapper: Mapper[Any, Any]) -> bool:
    """A kind whose row stands alone: no child rows, and no foreign key but to the catalogue or a source document
    (a record staged in a batch with a source document goes through the session: that document may be pending
    there). Its rows, staged, are inserted before the session's: nothing they reference can be pending there."""
    table: Any = mapper.row.__table__
    if inspect(mapper.row).relationships:
        return False
    return all(fk.column.table.name in _CATALOG or fk.parent.name == "prov_document" for fk in table.foreign_keys)


# Kinds a batch writes with one Core INSERT per flush instead of through the ORM session (UnitOfWork.batch).
_PLAIN = frozenset(m.kind for m in ALL if _plain(m))

# Building a sessionmaker costs about as much as a small transaction; one per engine is enough.
_FACTORIES: weakref.WeakKeyDictionary[Engine, sessionmaker[Session]] = weakref.WeakKeyDictionary()


def _factory(engine: Engine) -> sessionmaker[Session]:
    factory = _FACTORIES.get(engine)
    if factory is None:
        # The session joins the unit of work's own transaction: it never commits it, and rolls it back on error.
        factory = _FACTORIES[engine] = sessionmaker(expire_on_commit=False, join_transaction_mode="rollback_only")
    return factory


class UnitOfWork:
    """`with UnitOfWork(engine) as uow: ...; uow.commit()` — leaving without commit rolls back.

    The unit of work owns one connection and its transaction; the ORM session, made only when a use case asks for
    it, works inside that transaction. A use case that needs only Core statements pays for no session at all.
    """

    def __init__(self, engine: Engine) -> None:
        self._factory = _factory(engine)
        self.engine = engine

    def __enter__(self) -> UnitOfWork:
        self._connection: Connection | None = None
        self._session: Session | None = None
        self.events: list[DomainEvent] = []
        self._after_commit: list[Callable[[], None]] = []
        self._before_commit: list[Callable[[], None]] = []
        self._check_new = True
        # Record rows the session added, changed or deleted: their search entries are rewritten before the commit.
        self._touched: dict[tuple[str, str], Any] = {}
        self._dropped: set[tuple[str, str]] = set()
        # Records created in this transaction: they have no search entry yet, none to remove before writing one.
        self._new: set[tuple[str, str]] = set()
        # In a batch: the records added as they were built, so that their search entries need not decode the rows
        # back; one whose row changes afterwards (dirty at a flush, updated or deleted) is decoded as usual.
        self._built: dict[tuple[str, str], Record] | None = None
        # In a batch: new rows of plain kinds (_PLAIN) waiting for their INSERT, by table, at the next flush.
        self._staged: dict[Any, list[tuple[str, dict[str, Any]]]] = {}
        self._written: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = {}
        return self

    def announce(self, event: DomainEvent) -> None:
        """Collect a domain event; `commit` writes it to the outbox in the same transaction as the change."""
        self.events.append(event)

    def before_commit(self, step: Callable[[], None]) -> None:
        """Run `step` in the transaction at `commit`, after the session's last flush (a batch's deferred writes)."""
        self._before_commit.append(step)

    def batch(self) -> None:
        """Many use cases in this one transaction: a new record's id is checked by the table's unique key when the
        batch is flushed, not by a read per record. A clash then fails the whole batch (a Conflict at the flush),
        and whoever batched applies the use cases one at a time instead, each checked as usual.

        A new record of a plain kind (one row, no child rows, no reference but to the catalogue: `_PLAIN`) is not
        made an ORM object: its column values are staged and written by one Core INSERT per table at the next
        flush, before the session's rows (which may reference them); a repository flushes them before it reads.
        Its search entry comes from the record, and the audit append takes its digest element from the values
        written (`written`) instead of reading the row back."""
        self._check_new = False
        self._built = {}

    def after_commit(self, effect: Callable[[], None]) -> None:
        """Run `effect` once the transaction has committed, and never if it does not."""
        self._after_commit.append(effect)

    @property
    def connection(self) -> Connection:
        """The transaction's connection, for Core statements beside the session's own."""
        conn = self._connection
        if conn is None:
            conn = self._connection = self.engine.connect()
        if not conn.in_transaction():
            conn.begin()
        return conn

    @property
    def session(self) -> Session:
        """The ORM session, inside this unit of work's transaction."""
        if self._session is None:
            self._session = self._factory(bind=self.connection)
            event.listen(self._session, "before_flush", self._track)
        return self._session

    def _track(self, session: Session, context: object, instances: object) -> None:
        built = self._built if self._built is not None else {}
        for obj in session.new:
            mapper = _BY_ROW.get(type(obj))
            if mapper is not None:
                self._touched[(mapper.kind, obj.id)] = obj
                self._new.add((mapper.kind, obj.id))
        for obj in session.dirty:
            mapper = _BY_ROW.get(type(obj))
            if mapper is not None:
                self._touched[(mapper.kind, obj.id)] = obj
                built.pop((mapper.kind, obj.id), None)
        for obj in session.deleted:
            mapper = _BY_ROW.get(type(obj))
            if mapper is not None:
                self._touched.pop((mapper.kind, obj.id), None)
                self._dropped.add((mapper.kind, obj.id))
                built.pop((mapper.kind, obj.id), None)

    def _refresh_search(self) -> None:
        """Rewrite the search entries of the record rows written through the session, in this transaction."""
        if self._dropped:
            search.remove(self.connection, sorted(self._dropped))
        if self._touched:
            built = self._built or {}
            entries = {
                key: search.entry(key[0], built.get(key) or _BY_ROW[type(row)].from_row(row))
                for key, row in self._touched.items()
            }
            new = [e for key, e in entries.items() if key in self._new]
            search.index(self.connection, new, fresh=True)  # after the removals above: a re-added record's too
            search.index(self.connection, [e for key, e in entries.items() if key not in self._new])
        self._touched, self._dropped, self._new = {}, set(), set()
        if self._built is not None:
            self._built = {}

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._session is not None:
            self._session.close()
        if self._connection is not None:
            self._connection.close()  # rolls back what was not committed
        if isinstance(exc, DBAPIError | sqlite3.OperationalError | psycopg.errors.ReadOnlySqlTransaction):
            # Writes go through the ORM, Core and the raw driver cursor alike; a read-only store fails any of them.
            refusal = read_only_refusal(exc, self.engine.url.render_as_string(hide_password=True))
            if refusal is not None:
                raise refusal from None

    def repo(self, mapper: Mapper[Any, Any]) -> Repository:
        return Repository(self.session, mapper, check_new=self._check_new, built=self._built, uow=self)

    def _stage(self, mapper: Mapper[Any, Any], record: Record) -> None:
        """A new record of a batch, written at the next flush by a Core INSERT with the rows staged beside it; its
        search entry is made from the record (batch)."""
        self._staged.setdefault(mapper.row.__table__, []).append((mapper.kind, mapper.values(record)))
        self._touched[(mapper.kind, record.id)] = record
        self._new.add((mapper.kind, record.id))

    def written(self, kind: str, record_id: str) -> tuple[Any, dict[str, Any]] | None:
        """The table and the values a staged record's row was inserted with, while nothing has changed it since
        (the audit digest's element of that row, computed without reading it back)."""
        return self._written.get((kind, record_id))

    def _changed(self, kind: str, record_id: str) -> None:
        self._written.pop((kind, record_id), None)

    def flush(self) -> None:
        if self._staged:
            staged, self._staged = self._staged, {}
            try:
                for table, rows in staged.items():
                    insert_many(self.connection, table, [values for _, values in rows])
                    self._written.update(((kind, values["id"]), (table, values)) for kind, values in rows)
            except IntegrityError as exc:
                raise Conflict(f"the database refused the change: {exc.orig}") from None
        if self._session is None:
            return
        try:
            self._session.flush()
        except StaleDataError:
            raise Conflict("a record changed under this change; reload and try again", field="version") from None
        except IntegrityError as exc:
            raise Conflict(f"the database refused the change: {exc.orig}") from None

    def commit(self) -> None:
        self.flush()
        steps, self._before_commit = self._before_commit, []
        for step in steps:
            step()
        self._refresh_search()
        if self.events:
            insert_many(self.connection, _EVENTS, [_event_row(e) for e in self.events])
            self.events = []
        if self._connection is not None:
            self._connection.commit()
        effects, self._after_commit = self._after_commit, []
        for effect in effects:
            effect()

    def is_empty(self) -> bool:
        """True when no record of any kind is stored (the catalogue does not count)."""
        return all(self.repo(m).count() == 0 for m in ALL)

    def clear_catalog(self) -> None:
        for row in (t.AgencyRow, t.DrugRow, t.PlaceRow, t.RequestTypeRow):
            self.session.execute(delete(row))
