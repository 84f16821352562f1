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

    def parameters(self, values: Mapping[str, Any], *, none_too: bool = False) -> tuple[Any, ...]:
        """The positional parameters for `values` (a statement's own literals where `values` has none); with
        `none_too`, None goes through its processor as well, as SQLAlchemy's INSERT sends it (a JSON column's None
        is JSON null there)."""
        out = []
        for name, default, process in zip(self.names, self.defaults, self.processors, strict=True):
            value = values.get(name, default)
            out.append(process(value) if process is not None and (value is not None or none_too) else value)
        return tuple(out)

    def execute(self, conn: Connection, values: Mapping[str, Any]) -> Any:
        """Run on the connection's driver connection, inside its current transaction; returns the driver's cursor."""
        raw: Any = conn.connection.driver_connection
        return raw.execute(self.sql, self.parameters(values))


def insert_many(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT these rows, in the connection's current transaction, in one statement's worth of work per batch.

    Every row names the same columns, and a column they leave out must have no default of SQLAlchemy's to apply (its
    default, if any, is the database's: a serial id, a server default); otherwise, through `conn.execute`.
    On SQLite one executemany straight on the driver, with the INSERT compiled once and SQLAlchemy's bind
    processing (a batch of the exchange's inbox writes thousands of rows a second, and SQLAlchemy's per-row
    parameter handling cost more than SQLite's insert). On PostgreSQL one COPY of the rows, with the same bind
    processing: an executemany there is one INSERT executed per row (psycopg's pipeline saves the round trips,
    not the server's parse, plan and executor start per row, nor SQLAlchemy's per-row work). The rows, defaults,
    constraints, triggers and errors are an INSERT's; the driver's errors are raised as SQLAlchemy's, as
    `conn.execute` raises them (a duplicate key is an IntegrityError either way).
    """
    if not rows:
        return
    names = _names(table, rows)
    if names is None or conn.dialect.name not in ("sqlite", "postgresql"):
        conn.execute(insert(table), list(rows))
        return
    raw: Any = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        _copy(raw, conn.dialect, table, names, rows)
        return
    stmt = _insert(table, names, conn.dialect)
    params = [stmt.parameters(row, none_too=True) for row in rows]
    try:
        raw.executemany(stmt.sql, params)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(stmt.sql, params, exc, conn.dialect.loaded_dbapi.Error) from exc


def _copy(raw: Any, dialect: Dialect, table: Table, names: tuple[str, ...], rows: Sequence[Mapping[str, Any]]) -> None:
    """COPY the rows into the table on psycopg's connection, each value bind-processed as SQLAlchemy would."""
    sql, processors = _copy_statement(table, names, dialect)
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                # Every value through its processor, None too, as SQLAlchemy does: a JSON column's None is
                # JSON null there, not SQL NULL.
                copy.write_row([row[n] if p is None else p(row[n]) for n, p in zip(names, processors, strict=True)])
    except dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(sql, None, exc, dialect.loaded_dbapi.Error) from exc


_NAMES: dict[tuple[str, frozenset[str]], tuple[str, ...] | None] = {}
_INSERTS: dict[tuple[str, tuple[str, ...], str], DriverStatement] = {}
_COPIES: dict[tuple[str, tuple[str, ...]], tuple[str, tuple[Callable[[Any], Any] | None, ...]]] = {}


def _names(table: Table, rows: Sequence[Mapping[str, Any]]) -> tuple[str, ...] | None:
    """The columns the rows name, in the table's order; None when they differ or leave out a column SQLAlchemy
    would fill in (a Python-side default, which only `conn.execute` applies)."""
    given = frozenset(rows[0].keys())
    key = (table.name, given)
    if key not in _NAMES:
        known = {c.key for c in table.columns}
        left_out = [c for c in table.columns if c.key not in given]
        fits = given <= known and all(c.default is None for c in left_out)
        _NAMES[key] = tuple(c.key for c in table.columns if c.key in given) if fits else None
    names = _NAMES[key]
    if names is None or any(len(row) != len(given) or not given <= row.keys() for row in rows[1:]):
        return None
    return names


def _insert(table: Table, names: tuple[str, ...], dialect: Dialect) -> DriverStatement:
    key = (table.name, names, dialect.name)
    found = _INSERTS.get(key)
    if found is None:
        values = {c.key: bindparam(c.key, type_=c.type) for c in table.columns if c.key in names}
        found = _INSERTS[key] = DriverStatement.compile(insert(table).values(values), dialect)
    return found


def _copy_statement(
    table: Table, names: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[Callable[[Any], Any] | None, ...]]:
    key = (table.name, names)
    found = _COPIES.get(key)
    if found is None:
        preparer = dialect.identifier_preparer
        columns = [table.columns[n] for n in names]
        quoted = ", ".join(preparer.format_column(c) for c in columns)
        sql = f"COPY {preparer.format_table(table)} ({quoted}) FROM STDIN"
        found = _COPIES[key] = (sql, tuple(c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns))
    return found
