"""Writing one step of a request's life, with its audit entries, in as few statements as each engine allows.

A step changes the request (a versioned UPDATE), adds a row to its history and appends audit entries after the
chain head the transaction has locked. Everything the step writes is known before the first write: the history
row's id is drawn when the request is loaded (`next_step_id`), so the audit entries can name it. On PostgreSQL the
four writes then go to the server as one statement of data-modifying CTEs (one round trip instead of four); SQLite
runs in-process, where one statement after another costs no round trip, and takes them in turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Integer

from straitlink.store.driver import DriverStatement
from straitlink.store.tables import AssistanceRequestRow
from straitlink.store.tables_workflow import AuditEntryRow, AuditHeadRow, RequestTransitionRow

REQUEST = cast(Table, AssistanceRequestRow.__table__)
STEP = cast(Table, RequestTransitionRow.__table__)
ENTRY = cast(Table, AuditEntryRow.__table__)
HEAD = cast(Table, AuditHeadRow.__table__)


class next_step_id(FunctionElement[int]):
    """The id the request's next history row will take, drawn inside the transaction that writes it."""

    type = Integer()
    name = "next_step_id"
    inherit_cache = True


@compiles(next_step_id, "postgresql")
def _next_step_id_postgresql(element: next_step_id, compiler: Any, **kw: Any) -> str:
    return "nextval(pg_get_serial_sequence('request_transition', 'id'))"


@compiles(next_step_id, "sqlite")
def _next_step_id_sqlite(element: next_step_id, compiler: Any, **kw: Any) -> str:
    # Safe only because the caller holds SQLite's single writer lock (the audit head's) from before this read.
    return "(SELECT coalesce(max(id), 0) + 1 FROM request_transition)"


# SQLite's statements per changed columns, run on the driver (straitlink.store.driver).
_IN_TURN: dict[tuple[str, ...], DriverStatement] = {}
# The one-statement form per (changed columns, number of entries); SQLAlchemy then reuses each compiled form.
_COMBINED: dict[tuple[tuple[str, ...], int], Any] = {}


def write_step(
    conn: Connection,
    *,
    request_id: str,
    version: int,
    changed: dict[str, Any],
    step: dict[str, Any],
    entries: Sequence[dict[str, Any]],
    state: bytes,
) -> bool:
    """Write the request's changed columns (if still at `version`), its history row and the audit entries, and move
    the chain head to the last entry, with the stored records' digest `state`; False, with nothing to keep, when the
    request is no longer at `version`."""
    write = _write_step_at_once if conn.dialect.name == "postgresql" else _write_step_in_turn
    return write(conn, request_id, version, changed, step, entries, state)


def _write_step_at_once(
    conn: Connection,
    request_id: str,
    version: int,
    changed: dict[str, Any],
    step: dict[str, Any],
    entries: Sequence[dict[str, Any]],
    state: bytes,
) -> bool:
    names = tuple(sorted(changed))
    stmt = _COMBINED.get((names, len(entries)))
    if stmt is None:
        stmt = _COMBINED[(names, len(entries))] = _combined(names, len(entries))
    params: dict[str, Any] = {f"c_{k}": v for k, v in changed.items()}
    params |= {"version": version + 1, "b_id": request_id, "b_version": version}
    params |= {f"s_{k}": v for k, v in step.items()}
    for i, entry in enumerate(entries):
        params |= {f"e{i}_{k}": v for k, v in entry.items()}
    params |= {"h_seq": entries[-1]["seq"], "h_hash": entries[-1]["hash"], "h_state": state}
    # A conflict leaves the other parts written, but the caller then rolls the whole transaction back.
    return bool(conn.execute(stmt, params).scalar_one() == 1)


def _write_step_in_turn(
    conn: Connection,
    request_id: str,
    version: int,
    changed: dict[str, Any],
    step: dict[str, Any],
    entries: Sequence[dict[str, Any]],
    state: bytes,
) -> bool:
    names = tuple(sorted(changed))
    change = _IN_TURN.get(names)
    if change is None:
        values = {name: bindparam(name, type_=REQUEST.c[name].type) for name in names}
        stmt = update(REQUEST).where(REQUEST.c.id == bindparam("b_id"), REQUEST.c.version == bindparam("b_version"))
        change = _IN_TURN[names] = DriverStatement.compile(
            stmt.values(values | {"version": bindparam("version")}), conn.dialect
        )
    versioned = {**changed, "version": version + 1, "b_id": request_id, "b_version": version}
    if change.execute(conn, versioned).rowcount != 1:
        return False
    add_step, add_entry, move_head = _in_turn_writes(conn.dialect)
    add_step.execute(conn, step)
    for entry in entries:
        add_entry.execute(conn, entry)
    move_head.execute(conn, {"seq": entries[-1]["seq"], "hash": entries[-1]["hash"], "state": state})
    return True


@lru_cache(maxsize=1)
def _in_turn_writes(dialect: Dialect) -> tuple[DriverStatement, DriverStatement, DriverStatement]:
    def add(table: Table) -> DriverStatement:
        return DriverStatement.compile(
            insert(table).values({c.name: bindparam(c.name, type_=c.type) for c in table.c}), dialect
        )

    binary = HEAD.c.hash.type
    head = (
        update(HEAD)
        .where(HEAD.c.id == 1)
        .values(seq=bindparam("seq"), hash=bindparam("hash", type_=binary), state=bindparam("state", type_=binary))
    )
    return add(STEP), add(ENTRY), DriverStatement.compile(head, dialect)


def _combined(names: tuple[str, ...], n_entries: int) -> Any:
    def bound(table: Table, prefix: str, name: str) -> Any:
        return bindparam(f"{prefix}{name}", type_=table.c[name].type)

    values = {name: bound(REQUEST, "c_", name) for name in names} | {"version": bindparam("version")}
    changed = (
        update(REQUEST)
        .where(REQUEST.c.id == bindparam("b_id"), REQUEST.c.version == bindparam("b_version"))
        .values(values)
        .returning(REQUEST.c.id)
        .cte("changed")
    )
    history = insert(STEP).values({c.name: bound(STEP, "s_", c.name) for c in STEP.c}).cte("history")
    # One single-row INSERT per entry: SQLAlchemy cannot cache the compiled form of a multi-row VALUES.
    audited = [
        insert(ENTRY).values({c.name: bound(ENTRY, f"e{i}_", c.name) for c in ENTRY.c}).cte(f"audited{i}")
        for i in range(n_entries)
    ]
    head = (
        update(HEAD)
        .where(HEAD.c.id == 1)
        .values(seq=bindparam("h_seq"), hash=bound(HEAD, "h_", "hash"), state=bound(HEAD, "h_", "state"))
    )
    return select(func.count()).select_from(changed).add_cte(history, *audited, head.cte("head"))
