"""The stored records against the audit trail: the digest the last entry carries, and the tables' own.

One connection reads, in one snapshot, the log's bounds and head, the last entry, and every covered table
(straitlink.audit.state), on a thread of its own, while the verifier walks the chain up to that last entry: entries
are only ever appended, so the entries the walk proves are the ones this snapshot saw, and the last entry's digest
is compared with the tables as they stood when it was the last. When the digests differ (or the log predates
them), straitlink.audit.replay names the first record that differs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, literal, select, true, update
from sqlalchemy.orm import Session

from straitlink.audit import form, replay, sqlite_state
from straitlink.audit import state as record_state
from straitlink.audit.entries import link, state_of
from straitlink.store.tables_workflow import AuditEntryRow, AuditHeadRow

E = AuditEntryRow
_HEAD = select(AuditHeadRow.seq, AuditHeadRow.hash).where(AuditHeadRow.id == 1).subquery()
# The lowest and highest entry and the head, in one statement (so one snapshot on every engine).
BOUNDS = select(
    select(func.min(E.seq)).scalar_subquery(), select(func.max(E.seq)).scalar_subquery(), _HEAD.c.seq, _HEAD.c.hash
).outerjoin_from(select(literal(1).label("one")).subquery(), _HEAD, true())


@dataclass(frozen=True)
class Snapshot:
    """What the reader saw: bounds and head, the last entry's previous hash and body, and the tables' digest."""

    bounds: tuple[Any, Any, Any, Any]
    last_prev: bytes | None = None
    last_body: bytes | None = None
    stored: int = 0


def _begin_snapshot(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        # pysqlite begins no transaction for reads: one explicit read transaction keeps every read on one snapshot.
        conn.exec_driver_sql("BEGIN")


# PostgreSQL: the records are read in this many parts of each table's pages, each on its own connection sharing the
# reader's snapshot, so that the server builds and hashes their canonical texts on that many CPUs. One server
# process doing all of it took longer than the whole chain walk beside it.
PARTS = 2


def _stored(engine: Engine, conn: Connection) -> int:
    """The stored records' digest as the reader's snapshot sees them."""
    if conn.dialect.name != "postgresql":
        return record_state.stored(conn)
    exported = str(conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())
    sums: list[int] = []
    errors: list[BaseException] = []

    def part(k: int) -> None:
        try:
            with engine.connect().execution_options(isolation_level="REPEATABLE READ") as other:
                other.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{exported}'")  # its transaction's first statement
                sums.append(record_state.stored(other, (k, PARTS)))
                other.rollback()
        except BaseException as exc:  # handed to the reader, which raises it
            errors.append(exc)

    helpers = [threading.Thread(target=part, args=(k,), name=f"audit-state-{k}") for k in range(1, PARTS)]
    for helper in helpers:
        helper.start()
    try:
        total = record_state.stored(conn, (0, PARTS))
    finally:
        for helper in helpers:  # the exporting transaction stays open until every part has imported its snapshot
            helper.join()
    if errors:
        raise errors[0]
    return (total + sum(sums)) % record_state.MODULUS


class StateReader:
    """Reads the bounds first (handed over as soon as read), then the last entry and the stored records' digest."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._bounds_read = threading.Event()
        self._bounds: tuple[Any, Any, Any, Any] | None = None
        self._snapshot: Snapshot | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="audit-state", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            options = {"isolation_level": "REPEATABLE READ"} if self._engine.dialect.name == "postgresql" else {}
            with self._engine.connect().execution_options(**options) as conn:
                _begin_snapshot(conn)
                bounds = conn.execute(BOUNDS).one()
                self._bounds = (bounds[0], bounds[1], bounds[2], bounds[3])
                self._bounds_read.set()
                prev = body = None
                if bounds[1] is not None:
                    row = conn.execute(select(E.prev_hash, E.body).where(E.seq == bounds[1])).one()
                    prev, body = bytes(row.prev_hash), str(row.body).encode("utf-8")
                self._snapshot = Snapshot(self._bounds, prev, body, _stored(self._engine, conn))
                conn.rollback()
        except BaseException as exc:  # handed to the caller, which raises it
            self._error = exc
            self._bounds_read.set()

    def bounds(self) -> tuple[Any, Any, Any, Any]:
        """(lowest entry, highest entry, head seq, head hash) as the snapshot saw them."""
        self._bounds_read.wait()
        if self._error is not None:
            raise self._error
        assert self._bounds is not None
        return self._bounds

    def result(self) -> Snapshot:
        """The whole snapshot, once read."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._snapshot is not None
        return self._snapshot

    def close(self) -> None:
        self._thread.join()


class ChildStateReader:
    """SQLite: StateReader's work in a child process (straitlink.audit.sqlite_state), so that summing the records
    does not take turns with the walk's hashing for Python's lock; the same snapshot rules, by the same reads."""

    def __init__(self, engine: Engine) -> None:
        job = {
            "path": str(engine.url.database),
            "busy_ms": 30_000,
            "bounds": str(BOUNDS.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})),
            "last": "SELECT prev_hash, body FROM audit_entry WHERE seq = ?",
            "reads": record_state.sqlite_reads(),
        }
        self._child = subprocess.Popen(
            [sys.executable, "-m", sqlite_state.__name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self._child.stdin is not None and self._child.stdout is not None
        self._child.stdin.write(json.dumps(job).encode() + b"\n")
        self._child.stdin.close()
        self._bounds: tuple[Any, Any, Any, Any] | None = None

    def _line(self) -> Any:
        assert self._child.stdout is not None
        line = self._child.stdout.readline()
        if not line:
            self._child.wait()
            assert self._child.stderr is not None
            raise RuntimeError(f"the records' reader failed: {self._child.stderr.read().decode(errors='replace')}")
        return json.loads(line)

    def bounds(self) -> tuple[Any, Any, Any, Any]:
        """(lowest entry, highest entry, head seq, head hash) as the snapshot saw them."""
        if self._bounds is None:
            low, high, head_seq, head_hash = self._line()
            self._bounds = (low, high, head_seq, bytes.fromhex(head_hash) if head_hash is not None else None)
        return self._bounds

    def result(self) -> Snapshot:
        """The whole snapshot, once read."""
        bounds = self.bounds()
        found = self._line()
        prev, body = found["last"]
        last_prev = bytes.fromhex(prev) if prev is not None else None
        return Snapshot(bounds, last_prev, body.encode("utf-8") if body is not None else None, int(found["stored"]))

    def close(self) -> None:
        if self._child.poll() is None:
            self._child.kill()  # the walk stopped early: its snapshot is no longer wanted
        self._child.wait()
        for stream in (self._child.stdout, self._child.stderr):
            if stream is not None:
                stream.close()


def state_reader(engine: Engine) -> StateReader | ChildStateReader:
    """The reader of the records' snapshot for this engine: in a child process for a SQLite file."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:" and Path(database).is_file():
        return ChildStateReader(engine)
    return StateReader(engine)


@dataclass(frozen=True)
class Mismatch:
    """Why the stored records are not what the audit trail says, naming the first record that differs if found."""

    reason: str
    record: dict[str, Any] | None = None


def check(engine: Engine, snapshot: Snapshot, last_seq: int, last_hash: bytes) -> Mismatch | None:
    """Compare the stored records with the last entry's digest once the walk proved the chain up to `last_seq`."""
    head_seq = snapshot.bounds[2]
    if snapshot.last_body is None or snapshot.last_prev is None:
        if head_seq:  # every entry archived: nothing live says what the records became
            return None
        recorded: str | None = record_state.hex_digest(0)  # an empty log accounts for no record
    else:
        if link(snapshot.last_prev, snapshot.last_body) != last_hash:
            return Mismatch(f"entry {last_seq} changed while it was being verified (altered)")
        recorded = state_of(snapshot.last_body)
    stored = record_state.hex_digest(snapshot.stored)
    if recorded == stored or (recorded is not None and _in_other_form(engine, last_seq, recorded)):
        return None
    with Session(engine) as session:
        found = replay.difference(session, last_seq)
    if found is not None:
        return Mismatch(found.reason, found.to_json())
    if recorded is None:  # a log from before digests, and every record is what its entries say
        return None
    return Mismatch(
        f"the stored records' digest {stored[:16]}… is not the {recorded[:16]}… entry {last_seq} carries (altered)"
    )


def _in_other_form(engine: Engine, last_seq: int, recorded: str) -> bool:
    """Whether the stored records give the last entry's digest in the form this database does not keep (an import
    from the other engine, or PostgreSQL from before migration 0017, with no audited change since), read in one
    snapshot in which `last_seq` is still the last entry."""
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as conn:
        _begin_snapshot(conn)
        if conn.execute(select(func.max(E.seq))).scalar() != last_seq:
            return False
        matched = form.in_other_form(conn, recorded)
        conn.rollback()
    return matched


def settle_import(session: Session) -> Mismatch | None:
    """After an import, in its transaction: whether the records are what the chain it brought says they became.

    When they are, the head takes the digest, as if the import's source had written it; otherwise nothing changes
    and the caller refuses the import. An export whose last entry carries the digest in the other canonical form
    (from the other engine, or from PostgreSQL before migration 0017) is checked in that form; the head takes the
    digest in this database's form (straitlink.audit.form).
    """
    conn = session.connection()
    last = conn.execute(select(E.seq, E.body).order_by(E.seq.desc()).limit(1)).first()
    head_seq = conn.execute(select(AuditHeadRow.seq).where(AuditHeadRow.id == 1)).scalar_one()
    digest = record_state.stored(conn)
    if last is not None:
        recorded = state_of(str(last.body))
    else:
        recorded = record_state.hex_digest(0) if not head_seq else record_state.hex_digest(digest)
    if recorded not in (None, record_state.hex_digest(digest)) and form.in_other_form(conn, recorded):
        recorded = record_state.hex_digest(digest)  # exported from the other engine (or PostgreSQL before 0017)
    if recorded != record_state.hex_digest(digest):
        found = replay.difference(session, int(last.seq) if last is not None else 0)
        if found is not None:
            return Mismatch(found.reason, found.to_json())
        if recorded is not None:
            return Mismatch(f"the records' digest is not the {recorded[:16]}… the last entry carries (altered)")
    conn.execute(update(AuditHeadRow).where(AuditHeadRow.id == 1).values(state=digest.to_bytes(32, "big")))
    return None
