"""Export the whole database as one JSON document, and import such a document into an empty database.

Export → import into an empty database → export gives identical bytes: records are written kind by kind in
dependency order, sorted by id, with their versions and provenance, and the catalogue as stored; then the request
workflow's tables with the stored files' content, and the audit chain as stored (straitlink.services.
transfer_workflow). Import writes everything in one transaction and appends no audit entry of its own: the chain it
brings is the source's, and stays verifiable; the records imported must be what that chain's last entry says they
became (straitlink.audit.consistency), or the import is refused naming the first record that differs. A version 1
export carries no chain: each record it brings gets its `create` entry, by the importing actor.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from straitlink.audit import consistency
from straitlink.audit import log as audit_log
from straitlink.audit.entries import AuditAction, Change, diff
from straitlink.codec import decode, encode
from straitlink.domain.errors import Conflict, ImportRejected, StraitLinkError
from straitlink.services import transfer_workflow
from straitlink.services.documents import FileStore
from straitlink.services.kinds import KINDS
from straitlink.services.setup import _parents_first
from straitlink.store import migrate
from straitlink.store import tables as t
from straitlink.store.uow import UnitOfWork

FORMAT = "straitlink-export"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)  # version 1 carried no workflow, files or audit chain
Progress = Callable[[str, int, int], None]
_FROM_VERSION_1 = {"import": "format_version 1"}

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


def export_database(uow: UnitOfWork, *, files: FileStore | None = None, progress: Progress | None = None) -> str:
    """The whole database as one JSON text; `files` is the store the stored files' content is read from."""
    catalog = {
        name: [_catalog_json(r) for r in uow.session.scalars(select(row).order_by(row.id))] for name, row in _CATALOG
    }
    records: dict[str, list[dict[str, Any]]] = {}
    stages = len(KINDS) + 2
    for i, kind in enumerate(KINDS):
        rows = uow.session.scalars(select(kind.mapper.row).order_by(kind.mapper.row.id))
        records[kind.name] = [encode(kind.mapper.from_row(r)) for r in rows]
        if progress:
            progress("export", i + 1, stages)
    conn = uow.connection
    workflow = transfer_workflow.export_workflow(conn, files)
    if progress:
        progress("export", len(KINDS) + 1, stages)
    audit = transfer_workflow.export_audit(conn)
    if progress:
        progress("export", stages, stages)

    def dumped(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, indent=1)

    # Written member by member: the big tables one row per line, the rest as json.dumps(…, indent=1) writes it.
    members = [
        ("format", dumped(FORMAT)),
        ("format_version", dumped(FORMAT_VERSION)),
        ("schema", dumped(migrate.head())),
        ("catalog", dumped(catalog)),
        ("records", dumped(records)),
        ("workflow", workflow),
        ("audit", audit),
    ]
    return transfer_workflow.object_text(members) + "\n"


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
    version = data.get("format_version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise ImportRejected(
            f"format_version: expected one of {', '.join(map(str, READABLE_VERSIONS))}",
            field="format_version",
            value=version,
        )
    sections = ("catalog", "records") if version == 1 else ("catalog", "records", "workflow", "audit")
    for section in sections:
        if not isinstance(data.get(section), dict):
            raise ImportRejected(f"{section}: missing or not an object", field=section)
    return data


def _get(data: Any, key: str) -> Any:
    return data.get(key) if isinstance(data, dict) else None


def import_database(
    uow: UnitOfWork,
    text: str,
    *,
    actor: str,
    files: FileStore | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Load an export into an empty database in one transaction; nothing is written if anything is wrong.

    The stored files' content is written into `files` just before the commit (a file left there by a commit that
    then fails is harmless: only a committed row ever reaches it). `actor` is recorded only for a version 1 export:
    otherwise the import appends no audit entry, so that the chain it brings stays the source's (docs/json.md).
    """
    data = parse_export(text)
    # Before the first write, as every audited change does: concurrent writers queue behind the import.
    head = audit_log.lock(uow)
    conn = uow.connection
    if not uow.is_empty() or not transfer_workflow.is_empty(conn):
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
    created: list[Change] = []  # a version 1 export's records, each to get its `create` entry
    unaudited = "workflow" not in data
    for i, kind in enumerate(KINDS):
        entries = data["records"].get(kind.name) or []
        if not isinstance(entries, list):
            raise ImportRejected(f"records.{kind.name}: not a list", field=f"records.{kind.name}")
        versions = []
        for j, entry in enumerate(entries):
            try:
                record = decode(kind.mapper.record, entry, prefix=f"records.{kind.name}[{j}].")
            except StraitLinkError as exc:
                raise ImportRejected(exc.message, field=exc.field, value=exc.value) from None
            uow.session.add(kind.mapper.to_row(record))
            if unaudited:
                what = diff(None, encode(record))
                created.append(Change(actor, AuditAction.CREATE, kind.mapper.kind, record.id, what, _FROM_VERSION_1))
            if record.version != 1:
                versions.append({"b_id": record.id, "b_version": record.version})
        try:
            uow.flush()
        except Conflict as exc:
            raise ImportRejected(f"records.{kind.name}: {exc.message}", field=f"records.{kind.name}") from None
        if versions:
            # The ORM numbers a new row's version from 1 whatever it is given; the export's versions are kept.
            table = kind.mapper.row.__table__
            keep = update(table).where(table.c.id == bindparam("b_id")).values(version=bindparam("b_version"))
            uow.connection.execute(keep, versions)
        counts[kind.name] = len(entries)
        if progress:
            progress("import", i + 1, len(KINDS))
    if "workflow" in data:
        requests = {str(e.get("id")) for e in data["records"].get("request") or [] if isinstance(e, dict)}
        agencies = {str(e.get("id")) for e in data["catalog"].get("agency") or [] if isinstance(e, dict)}
        added, checked = transfer_workflow.import_workflow(
            conn, data["workflow"], requests=requests, agencies=agencies, files=files, progress=progress
        )
        counts |= added
        counts["audit_entry"] = transfer_workflow.import_audit(conn, data["audit"])
        uow.flush()
        mismatch = consistency.settle_import(uow.session)
        if mismatch is not None:
            record = mismatch.record or {}
            raise ImportRejected(
                f"records: {mismatch.reason}", field=f"records.{record.get('kind', '')}", value=record.get("id")
            )
        for file in checked:
            assert files is not None  # import_workflow refuses files without a store
            files.put(file)
    elif created:
        audit_log.append(uow, head, created)
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
