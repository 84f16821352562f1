"""Core statements compiled once and run straight on the driver's cursor, for the few paths every change takes.

On SQLite a statement costs SQLAlchemy several times what it costs the database, so the statements every request
step runs are compiled here once, by SQLAlchemy, and executed on the driver connection with the same bind
processing SQLAlchemy would apply. The SQL is SQLAlchemy's own; only the per-call bookkeeping is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
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
