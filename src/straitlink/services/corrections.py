"""Corrections and retractions of records, each with the reason its audit entry and its domain event carry.

A correction changes fields of a record as an update does, and says why. A retraction withdraws a record that
should never have been stated (a seizure reported twice, an outcome that was not one): the record is removed, so
no list or statistic counts it any longer, and its audit history keeps everything it said and why it went. The
other side's copy follows through the exchange (`record.corrected`, `record.retracted`), applied there by the same
building blocks (`retract`), so both sides' histories say the same why.

A record that others name cannot simply vanish: outcomes that name it (a seizure, a person or a case an intel
hand-over led to) let go of it in the same transaction, each change audited with the same reason, and an outcome
left naming nothing is retracted with it. Any other record naming it (a seizure of a retracted case, say) is a
Conflict naming that record: correct or retract it first. Requests are never retracted: their workflow withdraws
them (`withdrawn`), which travels as its own step.

A request's own fields are corrected by the side that states them (domain.requests.check_correction): the
requesting side its subject, matters, case summary, urgency, agency…, the requested side its reference number; the
fields a workflow step sets change only through the workflow. The correction travels as `record.corrected` about
the request and is applied on the other side by the same writer (`write_request_correction`), which refuses a
field the sender does not state.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, ForeignKey, Table, func, select

from straitlink.audit import log as audit
from straitlink.audit.entries import AuditAction, Change, diff
from straitlink.codec import encode
from straitlink.domain import access
from straitlink.domain.access import Principal
from straitlink.domain.errors import Conflict, InvalidValue, MissingField
from straitlink.domain.events import DomainEvent
from straitlink.domain.parties import Party
from straitlink.domain.records import Record
from straitlink.domain.requests import AssistanceRequest, check_correction
from straitlink.services.access import require, use_case
from straitlink.services.kinds import Kind, kind_named
from straitlink.services.records import build_record, change_record, check_references
from straitlink.store import scope, search
from straitlink.store.uow import UnitOfWork

MAX_REASON = 2000
# Where an outcome names another record, and which of its fields lets go of it.
_OUTCOME_LINKS = {"outcome_seizure.seizure": "seizures", "outcome_person.person": "persons", "outcome.case_id": "case"}


def check_reason(reason: Any) -> str:
    """The reason as given, stripped; a correction or retraction without one is refused."""
    if not isinstance(reason, str) or not reason.strip():
        raise MissingField("reason", "a correction or retraction says why")
    text = reason.strip()
    if len(text) > MAX_REASON:
        raise InvalidValue("reason", f"{text[:40]}…", f"at most {MAX_REASON} characters")
    return text


def _not_request(kind: Kind) -> None:
    if kind.name == "request":
        raise InvalidValue("kind", "request", "a request is withdrawn through its workflow, not retracted")


@use_case("records.correct")
def correct_record(
    engine: Engine,
    kind: Kind,
    record_id: str,
    changes: dict[str, Any],
    reason: str,
    *,
    principal: Principal,
    expected_version: int | None = None,
) -> Record:
    """Correct fields of one record, saying why; the other side's copy follows with the same reason."""
    return change_record(engine, kind, record_id, changes, principal, expected_version, reason=check_reason(reason))


@use_case("records.retract")
def retract_record(engine: Engine, kind: Kind, record_id: str, reason: str, *, principal: Principal) -> Record:
    """Withdraw one record the principal may change, saying why; returns it as it stood."""
    _not_request(kind)
    text = check_reason(reason)
    require(engine, principal, access.write_permission(kind.name), f"retract {kind.name} records")
    with UnitOfWork(engine) as uow:
        record: Record = uow.repo(kind.mapper).get(record_id)
        access.decide_write(
            principal, kind.name, record_id, record.marking, scope.record_agencies(uow, kind.name, record)
        )
        retract(uow, kind, record, reason=text, actor=principal.username)
        uow.commit()
    return record


@use_case("requests.correct")
def correct_request(
    engine: Engine,
    own_party: Party,
    request_id: str,
    changes: dict[str, Any],
    reason: str,
    *,
    principal: Principal,
) -> AssistanceRequest:
    """Correct fields of a request this side states (`own_party`: this instance's side), saying why; the other
    side's copy follows with the same reason."""
    text = check_reason(reason)
    require(engine, principal, access.write_permission("request"), "correct requests")
    with UnitOfWork(engine) as uow:
        before: AssistanceRequest = uow.repo(kind_named("request").mapper).get(request_id)
        access.decide_write(
            principal, "request", request_id, before.marking, scope.record_agencies(uow, "request", before)
        )
        after = write_request_correction(uow, before, changes, by=own_party, reason=text, actor=principal.username)
        uow.commit()
    return after


def write_request_correction(
    uow: UnitOfWork,
    before: AssistanceRequest,
    changes: dict[str, Any],
    *,
    by: Party,
    reason: str,
    actor: str,
    **context: Any,
) -> AssistanceRequest:
    """Correct fields of `before` stated by side `by`, with the audit entry and `record.corrected` event (no commit).

    A field `by` does not state is refused (NotOwner) and nothing is written. `context` (the exchange's message id)
    joins the reason in the audit entry.
    """
    check_correction(before, set(changes), by)
    kind = kind_named("request")
    old = encode(before)
    merged = {**old, **changes}
    if "marking" in changes:
        merged["marking"] = {**old["marking"], **(changes.get("marking") or {})}
    after: AssistanceRequest = build_record(kind, merged, actor=actor)  # type: ignore[assignment]
    after.version = before.version
    new = encode(after)
    check_references(uow, kind, new)
    delta = diff(old, new)
    if not delta:
        raise InvalidValue("fields", sorted(changes), "the request already says so: nothing to correct")
    head = audit.lock(uow)
    replaced = audit.records_sum(uow, [(kind.mapper.kind, before.id)])  # its rows before: the digest's part
    uow.repo(kind.mapper).update(after)
    uow.flush()
    if search.REQUEST_FIELDS.intersection(delta):
        search.index_records(uow.connection, "request", [after])
    change = Change(actor, AuditAction.UPDATE, kind.mapper.kind, before.id, delta, {"reason": reason, **context})
    audit.append(uow, head, [change], replaced=replaced)
    payload = {"diff": delta, "reason": reason}
    uow.announce(DomainEvent("record.corrected", "request", before.id, actor, after.marking.releasable, payload))
    return after


def retract(uow: UnitOfWork, kind: Kind, record: Record, *, reason: str, actor: str, **context: Any) -> None:
    """Remove `record` in `uow` with its audit entries and its `record.retracted` event (no commit).

    `context` (the exchange's message id, say) joins the reason in every audit entry this writes.
    """
    _not_request(kind)
    why = {"reason": reason, **context}
    head = audit.lock(uow)
    outcomes = _naming_outcomes(uow, kind, record.id)
    touched = [(kind.mapper.kind, record.id)] + [("outcome", o.id) for o, _ in outcomes]
    replaced = audit.records_sum(uow, touched)
    changes: list[Change] = []
    repo = uow.repo(kind_named("outcome").mapper)
    for outcome, field in outcomes:
        old = encode(outcome)
        if field == "case":
            outcome.case = None
        else:
            setattr(outcome, field, [x for x in getattr(outcome, field) if x != record.id])
        if outcome.case is None and not outcome.seizures and not outcome.persons:
            repo.delete(outcome.id)  # it named only what is withdrawn: it goes too
            changes.append(Change(actor, AuditAction.DELETE, "outcome", outcome.id, diff(old, None), why))
        else:
            repo.update(outcome)
            uow.flush()
            changes.append(Change(actor, AuditAction.UPDATE, "outcome", outcome.id, diff(old, encode(outcome)), why))
    uow.flush()
    uow.repo(kind.mapper).delete(record.id)
    changes.append(Change(actor, AuditAction.DELETE, kind.mapper.kind, record.id, diff(encode(record), None), why))
    audit.append(uow, head, changes, replaced=replaced)
    releasable = record.marking.releasable
    uow.announce(DomainEvent("record.retracted", kind.name, record.id, actor, releasable, {"reason": reason}))


def _naming_outcomes(uow: UnitOfWork, kind: Kind, record_id: str) -> list[tuple[Any, str]]:
    """The outcomes naming the record (each with the field that does); a Conflict for any other record naming it."""
    table: Table = kind.mapper.row.__table__
    found: dict[str, tuple[Any, str]] = {}
    for other in table.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is not table or _is_part(fk):
                continue
            column = fk.parent
            where = column == record_id
            link = _OUTCOME_LINKS.get(f"{other.name}.{column.name}")
            if link is None:
                if uow.connection.scalar(select(func.count()).select_from(other).where(where)):
                    raise Conflict(
                        f"id: {kind.name} {record_id!r} is named by {other.name} records ({column.name}); "
                        "correct or retract those first",
                        field="id",
                        value=record_id,
                    )
                continue
            owner = other.c.outcome if "outcome" in other.c else other.c.id
            for outcome_id in uow.connection.scalars(select(owner).where(where)):
                if outcome_id not in found:
                    found[outcome_id] = (uow.repo(kind_named("outcome").mapper).get(outcome_id), link)
    return list(found.values())


def _is_part(fk: ForeignKey) -> bool:
    """A row that belongs to the record (its quantities, agencies, places): it goes with the record."""
    return fk.ondelete is not None and fk.ondelete.upper() == "CASCADE" and fk.parent.primary_key
