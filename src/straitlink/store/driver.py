"""Core statements compiled once and run straight on the driver's cursor, for the few paths every change takes.

On SQLite a statement costs SQLAlchemy several times what it costs the database, so the statements every request
step runs are compiled here once, by SQLAlchemy, and executed on the driver connection with the same bind
processing SQLAlchemy would apply. The SQL is SQLAlchemy's own; only the per-call bookkeeping is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement


@dataclass(frozen=True)
class DriverStatement:
    """One statement in the driver's own SQL and parameter order, with each parameter's bind processing."""

    sql: str
    names: tuple[str, ...]
    defaults: tuple[Any, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]

    @classmethod
    def compile(cls, statement: ClauseElement, dialect: Dialect) -> DriverStatement:
        compiled: Any = statement.compile(dialect=dialect)
        if compiled.positiontup is None:
            raise ValueError(f"{dialect.name} does not take positional parameters")
        names = tuple(compiled.positiontup)
        binds = [compiled.binds[name] for name in names]
        return cls(
            str(compiled),
            names,
            tuple(b.value for b in binds),
            tuple(b.type.bind_processor(dialect) for b in binds),
        )

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The positional parameters for `values` (a statement's own literals where `values` has none)."""
        out = []
        for name, default, process in zip(self.names, self.defaults, self.processors, strict=True):
            value = values.get(name, default)
            out.append(process(value) if process is not None and value is not None else value)
        return tuple(out)

    def execute(self, conn: Connection, values: Mapping[str, Any]) -> Any:
        """Run on the connection's driver connection, inside its current transaction; returns the driver's cursor."""
        raw: Any = conn.connection.driver_connection
        return raw.execute(self.sql, self.parameters(values))


def insert_many(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT these rows, each naming every column of the table, in the connection's current transaction.

    On SQLite one executemany straight on the driver, with the INSERT compiled once and SQLAlchemy's bind
    processing (a batch of the exchange's inbox writes thousands of rows a second, and SQLAlchemy's per-row
    parameter handling cost more than SQLite's insert). The driver's errors are raised as SQLAlchemy's, as
    `conn.execute` raises them (a duplicate key is an IntegrityError either way). Elsewhere, or when a row leaves a
    column out (its default is SQLAlchemy's to apply), through `conn.execute`.
    """
    if not rows:
        return
    columns = _columns(table)
    if conn.dialect.name != "sqlite" or not all(columns <= row.keys() for row in rows):
        conn.execute(insert(table), list(rows))
        return
    stmt = _insert(table, conn.dialect)
    params = [stmt.parameters(row) for row in rows]
    raw: Any = conn.connection.driver_connection
    try:
        raw.executemany(stmt.sql, params)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(stmt.sql, params, exc, conn.dialect.loaded_dbapi.Error) from exc


_COLUMNS: dict[str, frozenset[str]] = {}
_INSERTS: dict[tuple[str, str], DriverStatement] = {}


def _columns(table: Table) -> frozenset[str]:
    found = _COLUMNS.get(table.name)
    if found is None:
        found = _COLUMNS[table.name] = frozenset(c.key for c in table.columns)
    return found


def _insert(table: Table, dialect: Dialect) -> DriverStatement:
    key = (table.name, dialect.name)
    found = _INSERTS.get(key)
    if found is None:
        values = {c.key: bindparam(c.key, type_=c.type) for c in table.columns}
        found = _INSERTS[key] = DriverStatement.compile(insert(table).values(values), dialect)
    return found
