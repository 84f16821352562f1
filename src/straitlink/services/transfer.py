"""Export the whole database as one JSON document, and import such a document into an empty database.

Export → import into an empty database → export gives identical bytes: records are written kind by kind in
dependency order, sorted by id, with their versions and provenance, and the catalogue as stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import SQLAlchemyError

from straitlink.codec import decode, encode
from straitlink.domain.errors import Conflict, ImportRejected, StraitLinkError
from straitlink.services.kinds import KINDS
from straitlink.services.setup import _parents_first
from straitlink.store import migrate
from straitlink.store import tables as t
from straitlink.store.uow import UnitOfWork

FORMAT = "straitlink-export"
FORMAT_VERSION = 1
Progress = Callable[[str, int, int], None]

_CATALOG: tuple[tuple[str, Any], ...] = (
    ("agency", t.AgencyRow),
    ("drug", t.DrugRow),
    ("place", t.PlaceRow),
    ("request_type", t.RequestTypeRow),
)


def _catalog_json(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        out[column.key] = str(value.normalize()) if column.key == "dose_g" and value is not None else value
    return out


def export_database(uow: UnitOfWork, *, progress: Progress | None = None) -> str:
    """The whole database as one JSON text."""
    catalog = {
        name: [_catalog_json(r) for r in uow.session.scalars(select(row).order_by(row.id))] for name, row in _CATALOG
    }
    records: dict[str, list[dict[str, Any]]] = {}
    for i, kind in enumerate(KINDS):
        rows = uow.session.scalars(select(kind.mapper.row).order_by(kind.mapper.row.id))
        records[kind.name] = [encode(kind.mapper.from_row(r)) for r in rows]
        if progress:
            progress("export", i + 1, len(KINDS))
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema": migrate.head(),
        "catalog": catalog,
        "records": records,
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def parse_export(text: str) -> dict[str, Any]:
    """The export document, or ImportRejected saying what is wrong with it."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            f"file: not a complete JSON document (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            field="file",
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRejected(f"format: expected {FORMAT!r}", field="format", value=_get(data, "format"))
    if data.get("format_version") != FORMAT_VERSION:
        raise ImportRejected(
            f"format_version: expected {FORMAT_VERSION}",
            field="format_version",
            value=data.get("format_version"),
        )
    for section in ("catalog", "records"):
        if not isinstance(data.get(section), dict):
            raise ImportRejected(f"{section}: missing or not an object", field=section)
    return data


def _get(data: Any, key: str) -> Any:
    return data.get(key) if isinstance(data, dict) else None


def import_database(uow: UnitOfWork, text: str, *, actor: str, progress: Progress | None = None) -> dict[str, int]:
    """Load an export into an empty database in one transaction; nothing is written if anything is wrong."""
    data = parse_export(text)
    if not uow.is_empty():
        raise ImportRejected("database: not empty; import only into a freshly initialised database", field="database")
    uow.clear_catalog()
    uow.flush()
    for name, row in _CATALOG:
        entries = data["catalog"].get(name) or []
        if name in ("agency", "place"):
            entries = [e.__dict__ for e in _parents_first([_Entry(e) for e in entries])]
        if entries:
            try:
                uow.session.execute(insert(row), entries)
            except SQLAlchemyError as exc:
                raise ImportRejected(f"catalog.{name}: malformed entry ({type(exc).__name__})", field=name) from None
    counts: dict[str, int] = {}
    for i, kind in enumerate(KINDS):
        entries = data["records"].get(kind.name) or []
        if not isinstance(entries, list):
            raise ImportRejected(f"records.{kind.name}: not a list", field=f"records.{kind.name}")
        for j, entry in enumerate(entries):
            try:
                record = decode(kind.mapper.record, entry, prefix=f"records.{kind.name}[{j}].")
            except StraitLinkError as exc:
                raise ImportRejected(exc.message, field=exc.field, value=exc.value) from None
            uow.session.add(kind.mapper.to_row(record))
        try:
            uow.flush()
        except Conflict as exc:
            raise ImportRejected(f"records.{kind.name}: {exc.message}", field=f"records.{kind.name}") from None
        counts[kind.name] = len(entries)
        if progress:
            progress("import", i + 1, len(KINDS))
    uow.commit()
    return counts


class _Entry:
    """A catalogue entry as a plain attribute bag, so parents can be placed before children."""

    def __init__(self, data: dict[str, Any]) -> None:
        if not isinstance(data, dict) or "id" not in data:
            raise ImportRejected("catalog: an entry without an id", field="catalog")
        self.__dict__.update(data)
        self.id = data["id"]
        self.parent = data.get("parent")
