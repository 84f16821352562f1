"""SQL functions SQLite and PostgreSQL spell differently, compiled per dialect.

Shared by the statistics (stats/) and the services that read the same rows (services/processing_times.py), so the
two compute days and months with one spelling.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, cast, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class year_of(FunctionElement[str]):
    """'YYYY' of a date."""

    type = String()
    inherit_cache = True
    name = "year_of"


class month_of(FunctionElement[str]):
    """'YYYY-MM' of a date."""

    type = String()
    inherit_cache = True
    name = "month_of"


class days_between(FunctionElement[int]):
    """Whole days from the first date to the second."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


def _args(element: FunctionElement[Any]) -> list[Any]:
    return list(element.clauses)


@compiles(year_of, "sqlite")
def _year_sqlite(element: year_of, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(func.strftime("%Y", *_args(element)), **kw)


@compiles(year_of, "postgresql")
def _year_pg(element: year_of, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(func.to_char(*_args(element), "YYYY"), **kw)


@compiles(month_of, "sqlite")
def _month_sqlite(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(func.strftime("%Y-%m", *_args(element)), **kw)


@compiles(month_of, "postgresql")
def _month_pg(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(func.to_char(*_args(element), "YYYY-MM"), **kw)


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = _args(element)
    return compiler.process(cast(func.julianday(second) - func.julianday(first), Integer), **kw)


@compiles(days_between, "postgresql")
def _days_pg(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = _args(element)
    return "(" + compiler.process(second, **kw) + " - " + compiler.process(first, **kw) + ")"


class scanned(FunctionElement[Any]):
    """The column itself; on SQLite written `+column`, which keeps the planner from using an index on it.

    SQLite walks a date index and looks every row up even when the period spans the whole table; reading the
    table in order is several times faster then, and costs little for a short period (docs/statistics.md).
    PostgreSQL chooses between index and scan by itself.
    """

    inherit_cache = True
    name = "scanned"

    @property
    def type(self) -> Any:  # type: ignore[override]
        return next(iter(self.clauses)).type


@compiles(scanned, "sqlite")
def _scanned_sqlite(element: scanned, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(_args(element)[0], **kw)


@compiles(scanned, "postgresql")
def _scanned_pg(element: scanned, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(_args(element)[0], **kw)
