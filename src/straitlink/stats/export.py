"""Writing statistics tables to CSV (one table) or XLSX (every table, one sheet each)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from straitlink.domain.errors import InvalidValue
from straitlink.domain.quantity import canonical
from straitlink.stats.tables import Cell, StatTable

FORMATS = ("csv", "xlsx")


def write_tables(tables: list[StatTable], path: Path, fmt: str) -> None:
    """CSV takes exactly one table; XLSX takes any number."""
    if fmt == "csv":
        if len(tables) != 1:
            raise InvalidValue("table", len(tables), "a CSV file holds one table; choose it with --table")
        _csv(tables[0], path)
    elif fmt == "xlsx":
        _xlsx(tables, path)
    else:
        raise InvalidValue("format", fmt, f"expected one of {', '.join(FORMATS)}")


def _csv(table: StatTable, path: Path) -> None:
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.columns)
            writer.writerows([_text(c) for c in row] for row in table.rows)
    except OSError as exc:
        raise InvalidValue("output", str(path), f"cannot write ({exc.strerror})") from None


def _xlsx(tables: list[StatTable], path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.name[:31])
        sheet.append([table.title])
        sheet.append(list(table.columns))
        for row in table.rows:
            # Numbers stay numbers for the analysts' formulas; Decimals go in as text so none is rounded.
            sheet.append([c if isinstance(c, int) else _text(c) for c in row])
    try:
        book.save(path)
    except OSError as exc:
        raise InvalidValue("output", str(path), f"cannot write ({exc.strerror})") from None


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return canonical(cell)
    return str(cell)
