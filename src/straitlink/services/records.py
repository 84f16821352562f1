"""Adding, changing, showing and listing records of any kind, as a principal, each use case in its own transaction.

Every use case checks the principal's permission first, then opens its unit of work, lets the domain decide on the
record (straitlink.domain.access), and commits once with the record's audit entry and its domain event. Lists put
what the principal may see into their SQL. Requests are filed through straitlink.services.requests, whose workflow
is the only way a request changes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, select

from straitlink.audit import log as audit
from straitlink.audit.entries import AuditAction, Change, diff
from straitlink.catalog.markings import default_marking
from straitlink.codec import decode, encode
from straitlink.domain import access
from straitlink.domain.access import Principal
from straitlink.domain.errors import InvalidValue, UnknownReference
from straitlink.domain.events import DomainEvent
from straitlink.domain.provenance import Provenance
from straitlink.domain.records import Record, check_happened, new_id
from straitlink.services.access import log_read, require, use_case
from straitlink.services.kinds import CATALOG_TABLES, Kind, kind_named, referenced_values
from straitlink.store import scope
from straitlink.store import tables as t
from straitlink.store.queries import ListFilter, sort_key
from straitlink.store.uow import UnitOfWork

_CATALOG_ROWS: dict[str, Any] = {
    "agency": t.AgencyRow,
    "drug": t.DrugRow,
    "place": t.PlaceRow,
    "request_type": t.RequestTypeRow,
}
# field=value shortcuts for the marking: `classification=confidential handling=H2 releasable=true`
MARKING_SHORTCUTS = {
    "classification": "classification",
    "handling": "handling",
    "releasable": "releasable",
    "publishable": "publishable",
    "marking_note": "note",
}


# Both sides keep UTC+8 all year, so "today" is the same day on both.
UTC8 = timezone(timedelta(hours=8))


def today_utc8() -> date:
    return datetime.now(UTC8).date()


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
    """A record from its JSON; a missing id, provenance or marking is filled in (the kind's default marking)."""
    data = dict(data)
    # Drawn only when missing: a record from the peer brings both, and a random id is not free (os.urandom).
    if "id" not in data:
        data["id"] = new_id()
    if "provenance" not in data:
        data["provenance"] = Provenance.by_user(actor).to_json()
    data.pop("version", None)
    marking = data.get("marking")
    if marking is None:
        marking = default_marking(kind.name).to_json()
    elif not isinstance(marking, dict):
        raise InvalidValue("marking", marking, "an object with classification, handling, releasable, publishable")
    given = {MARKING_SHORTCUTS[k]: data.pop(k) for k in list(data) if k in MARKING_SHORTCUTS}
    data["marking"] = {**marking, **given}
    record: Record = decode(kind.mapper.record, data)
    return record


def store_new(
    uow: UnitOfWork,
    kind: Kind,
    record: Record,
    *,
    actor: str,
    head: audit.Head | None = None,
    encoded: dict[str, Any] | None = None,
) -> None:
    """Write a built, checked record with its audit entry and its `record.created` event (no commit); `encoded`,
    when the caller has it already, is `encode(record)`."""
    head = head or audit.lock(uow)
    uow.repo(kind.mapper).add(record)
    encoded = encoded if encoded is not None else encode(record)
    audit.append(uow, head, [Change(actor, AuditAction.CREATE, kind.mapper.kind, record.id, diff(None, encoded))])
    uow.announce(DomainEvent("record.created", kind.name, record.id, actor, record.marking.releasable, encoded))


def _not_request(kind: Kind) -> None:
    if kind.name == "request":
        raise InvalidValue("kind", "request", "requests are filed and moved through the workflow (`request file`)")


@use_case("records.add")
def add_record(engine: Engine, kind: Kind, data: dict[str, Any], *, principal: Principal) -> Record:
    """Validate and store one new record in its own transaction, with its audit entry and event."""
    _not_request(kind)
    require(engine, principal, access.write_permission(kind.name), f"add {kind.name} records")
    with UnitOfWork(engine) as uow:
        record = build_record(kind, data, actor=principal.username)
        check_happened(record, today_utc8())
        check_references(uow, kind, encode(record))
        agencies = scope.record_agencies(uow, kind.name, record)
        access.decide_create(principal, kind.name, record.marking, agencies)
        store_new(uow, kind, record, actor=principal.username)
        uow.commit()
    return record


@use_case("records.update")
def update_record(
    engine: Engine,
    kind: Kind,
    record_id: str,
    changes: dict[str, Any],
    *,
    principal: Principal,
    expected_version: int | None = None,
) -> Record:
    """Change fields of one record the principal may change; a stale `expected_version` is a Conflict."""
    return change_record(engine, kind, record_id, changes, principal, expected_version, reason=None)


def change_record(
    engine: Engine,
    kind: Kind,
    record_id: str,
    changes: dict[str, Any],
    principal: Principal,
    expected_version: int | None,
    *,
    reason: str | None,
) -> Record:
    """An update, or with a `reason` a correction (services.corrections): its audit entry and event say why."""
    _not_request(kind)
    require(engine, principal, access.write_permission(kind.name), f"change {kind.name} records")
    for fixed in ("id", "provenance", "version"):
        if fixed in changes:
            raise InvalidValue(fixed, changes[fixed], "cannot be changed")
    with UnitOfWork(engine) as uow:
        before: Record = uow.repo(kind.mapper).get(record_id)
        access.decide_write(
            principal, kind.name, record_id, before.marking, scope.record_agencies(uow, kind.name, before)
        )
        old = encode(before)
        merged = {**old, **changes}
        merged["marking"] = {**old["marking"], **(changes.get("marking") or {})}
        after = build_record(kind, merged, actor=principal.username)
        check_happened(after, today_utc8())
        after.version = before.version if expected_version is None else expected_version
        new = encode(after)
        check_references(uow, kind, new)
        access.decide_create(principal, kind.name, after.marking, scope.record_agencies(uow, kind.name, after))
        head = audit.lock(uow)
        replaced = audit.records_sum(uow, [(kind.mapper.kind, record_id)])  # its rows before: the digest's part
        uow.repo(kind.mapper).update(after)
        uow.flush()
        delta = diff(old, new)
        context = {"reason": reason} if reason is not None else {}
        # The entry shows the version the row was stored with (the ORM counts it up), so the replay agrees with it.
        audited = diff(old, {**new, "version": before.version + 1})
        change = Change(principal.username, AuditAction.UPDATE, kind.mapper.kind, record_id, audited, context)
        audit.append(uow, head, [change], replaced=replaced)
        releasable = after.marking.releasable
        if reason is None:
            event = DomainEvent("record.updated", kind.name, record_id, principal.username, releasable, delta)
        else:  # a correction carries its reason to the other side, which applies it and keeps why
            payload = {"diff": delta, "reason": reason}
            event = DomainEvent("record.corrected", kind.name, record_id, principal.username, releasable, payload)
        uow.announce(event)
        uow.commit()
        stored: Record = uow.repo(kind.mapper).get(record_id)
    return stored


@use_case("records.show")
def get_record(engine: Engine, kind: Kind, record_id: str, *, principal: Principal) -> Record:
    """One record the principal may see; a read above unclassified goes into the access log."""
    require(engine, principal, access.read_permission(kind.name), f"read {kind.name} records")
    with UnitOfWork(engine) as uow:
        record: Record = uow.repo(kind.mapper).get(record_id)
        access.decide_read(
            principal, kind.name, record_id, record.marking, scope.record_agencies(uow, kind.name, record)
        )
    log_read(engine, principal, kind.name, [record])
    return record


@use_case("records.list")
def list_records(engine: Engine, kind: Kind, flt: ListFilter, *, principal: Principal) -> list[Record]:
    """The records of one kind that pass the filter and that the principal may see, in date order."""
    require(engine, principal, access.read_permission(kind.name), f"read {kind.name} records")
    with UnitOfWork(engine) as uow:
        records: list[Record] = uow.repo(kind.mapper).list(flt, where=scope.visible(kind.mapper, principal))
    log_read(engine, principal, kind.name, records)
    return records


def list_key(kind: Kind, record: Record) -> tuple[date | None, str]:
    """The (sort key, id) lists order `record` by: a keyset cursor after it carries this (ListFilter.after)."""
    return sort_key(kind.mapper, record)


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
