"""Adding, showing and listing records of any kind, with every reference checked first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from straitlink.audit import log as audit
from straitlink.audit.entries import AuditAction, Change, diff
from straitlink.codec import decode, encode
from straitlink.domain.errors import UnknownReference
from straitlink.domain.intel import Classification, IntelReport
from straitlink.domain.provenance import Provenance
from straitlink.domain.records import Record, new_id
from straitlink.services.kinds import CATALOG_TABLES, Kind, kind_named, referenced_values
from straitlink.store import tables as t
from straitlink.store.queries import ListFilter
from straitlink.store.uow import UnitOfWork

_CATALOG_ROWS: dict[str, Any] = {
    "agency": t.AgencyRow,
    "drug": t.DrugRow,
    "place": t.PlaceRow,
    "request_type": t.RequestTypeRow,
}


def check_references(uow: UnitOfWork, kind: Kind, data: dict[str, Any]) -> None:
    """Raise UnknownReference naming the first field that points at nothing stored (the source document too)."""
    provenance = data.get("provenance")
    if isinstance(provenance, dict) and provenance.get("kind") == "document":
        document = str(provenance.get("document"))
        if not uow.repo(kind_named("document").mapper).exists(document):
            raise UnknownReference("source", document, "document")
    for path, target in kind.references:
        for field, value in referenced_values(data, path):
            if target in CATALOG_TABLES:
                found = uow.session.get(_CATALOG_ROWS[target], value) is not None
            else:
                found = uow.repo(kind_named(target).mapper).exists(str(value))
            if not found:
                raise UnknownReference(field, value, target.replace("_", " "))


def build_record(kind: Kind, data: dict[str, Any], *, actor: str) -> Record:
    """A record from its JSON; a missing id or provenance is filled in for the acting user."""
    data = dict(data)
    data.setdefault("id", new_id())
    data.setdefault("provenance", Provenance.by_user(actor).to_json())
    data.pop("version", None)
    record: Record = decode(kind.mapper.record, data)
    return record


def add_record(uow: UnitOfWork, kind: Kind, data: dict[str, Any], *, actor: str) -> Record:
    """Validate and store one new record in its own transaction, with its audit entry."""
    record = build_record(kind, data, actor=actor)
    check_references(uow, kind, encode(record))
    if kind.name == "request":
        # A request enters the workflow like any filed request: complete, as 'filed', with its first step.
        from straitlink.services.requests import file_request_record

        file_request_record(uow, record, actor=actor)  # type: ignore[arg-type]
        return record
    head = audit.lock(uow)
    uow.repo(kind.mapper).add(record)
    change = Change(actor, AuditAction.CREATE, kind.mapper.kind, record.id, diff(None, encode(record)))
    audit.append(uow, head, [change])
    uow.commit()
    return record


def get_record(uow: UnitOfWork, kind: Kind, record_id: str, *, actor: str) -> Record:
    """One record by id; reading an intel report above the lowest classification is audited."""
    record: Record = uow.repo(kind.mapper).get(record_id)
    if isinstance(record, IntelReport) and record.classification.rank > Classification.UNCLASSIFIED.rank:
        context = {"classification": record.classification.value}
        audit.append(uow, audit.lock(uow), [Change(actor, AuditAction.READ, kind.mapper.kind, record.id, {}, context)])
        uow.commit()
    return record


def list_records(uow: UnitOfWork, kind: Kind, flt: ListFilter, *, actor: str) -> list[Record]:
    """The records of one kind that pass the filter, in date order."""
    return uow.repo(kind.mapper).list(flt)


def suspects_by_case(uow: UnitOfWork, case_ids: list[str]) -> dict[str, dict[str, int]]:
    """Suspects per case, with how many were caught in the act, for seizure listings."""
    out: dict[str, dict[str, int]] = {}
    if not case_ids:
        return out
    stmt = select(t.PersonRow.case_id, t.PersonRow.caught_in_act).where(
        t.PersonRow.case_id.in_(sorted(set(case_ids))), t.PersonRow.role == "suspect"
    )
    for case_id, caught in uow.session.execute(stmt):
        entry = out.setdefault(case_id, {"total": 0, "caught_in_act": 0})
        entry["total"] += 1
        entry["caught_in_act"] += int(bool(caught))
    return out


def case_records(uow: UnitOfWork, case_id: str) -> dict[str, list[Record]]:
    """What a case holds: its operations, seizures, persons, and the intel whose outcomes name it."""
    related: dict[str, list[Record]] = {}
    for name, row in (("operation", t.OperationRow), ("seizure", t.SeizureRow), ("person", t.PersonRow)):
        mapper = kind_named(name).mapper
        rows = uow.session.scalars(select(row).where(row.case_id == case_id).order_by(row.id))
        related[name] = [mapper.from_row(r) for r in rows]
    intel = select(t.OutcomeRow.intel).where(t.OutcomeRow.case_id == case_id)
    rows = uow.session.scalars(
        select(t.IntelReportRow).where(t.IntelReportRow.id.in_(intel)).order_by(t.IntelReportRow.id)
    )
    related["intel"] = [kind_named("intel").mapper.from_row(r) for r in rows]
    return related
