"""What a principal may see, as SQL conditions: lists filter in the database, never after loading everything.

The rules are the domain's (straitlink.domain.access); this module only spells them as WHERE clauses, and the
agencies a loaded record involves, for the per-record decision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from straitlink.domain import access
from straitlink.domain.access import Principal, Scope
from straitlink.domain.marking import Classification
from straitlink.store import tables as t
from straitlink.store.mapper import Mapper

if TYPE_CHECKING:  # the unit of work keeps the search index, whose query uses `visible`
    from straitlink.store.uow import UnitOfWork


def _cases_of(agencies: frozenset[str]) -> Any:
    return select(t.CaseAgencyRow.case_id).where(t.CaseAgencyRow.agency.in_(sorted(agencies)))


def _agency_condition(kind: str, row: Any, agencies: frozenset[str]) -> ColumnElement[bool]:
    """Records of `kind` in which one of `agencies` takes part (through their case, for what a case holds)."""
    ids = sorted(agencies)
    cases = _cases_of(agencies)
    if kind == "case":
        return row.id.in_(cases)
    if kind in ("operation", "person", "seizure"):
        return row.case_id.in_(cases)
    if kind == "outcome":
        return or_(
            row.case_id.in_(cases),
            row.intel.in_(select(t.IntelReportRow.id).where(t.IntelReportRow.provider_agency.in_(ids))),
        )
    if kind == "intel":
        led_to = select(t.OutcomeRow.intel).where(t.OutcomeRow.case_id.in_(cases))
        return or_(row.provider_agency.in_(ids), row.id.in_(led_to))
    if kind == "request":
        return or_(row.requesting_agency.in_(ids), row.executing_agency.in_(ids))
    return true()


def visible(mapper: Mapper[Any, Any], principal: Principal) -> ColumnElement[bool]:
    """The condition a row of `mapper` must meet for `principal` to see it."""
    row = mapper.row
    if not principal.may(access.read_permission(mapper.kind)):
        return false()
    cleared = [c.value for c in Classification if principal.clears(c)]
    # A principal cleared for every level needs no condition (the column is NOT NULL and checked against the
    # levels): an IN of every value still costs a table row per index entry of a list's keyset scan.
    condition: ColumnElement[bool] = true() if len(cleared) == len(Classification) else row.classification.in_(cleared)
    if access.scoped(mapper.kind):
        scope = principal.scope
        if scope is Scope.NONE:
            return false()
        if scope is Scope.AGENCY:
            condition = and_(condition, _agency_condition(mapper.kind, row, principal.agencies))
    return condition


def record_agencies(uow: UnitOfWork, kind: str, record: Any) -> frozenset[str]:
    """The agencies a record involves, for deciding agency scope on one record."""
    if kind == "case":
        return frozenset(p.agency for p in record.agencies)
    if kind == "request":
        return frozenset(a for a in (record.requesting_agency, record.executing_agency) if a)
    out: set[str] = set()
    case_id = getattr(record, "case", None)
    if kind == "operation":
        out |= {p.agency for p in record.agencies}
    if kind == "intel":
        if record.provider_agency:
            out.add(record.provider_agency)
        led = select(t.OutcomeRow.case_id).where(t.OutcomeRow.intel == record.id, t.OutcomeRow.case_id.is_not(None))
        cases = [c for c in uow.session.scalars(led)]
        if cases:
            out |= set(uow.session.scalars(select(t.CaseAgencyRow.agency).where(t.CaseAgencyRow.case_id.in_(cases))))
        return frozenset(out)
    if kind == "outcome":
        provider = uow.session.scalar(
            select(t.IntelReportRow.provider_agency).where(t.IntelReportRow.id == record.intel)
        )
        if provider:
            out.add(provider)
    if case_id:
        out |= set(uow.session.scalars(select(t.CaseAgencyRow.agency).where(t.CaseAgencyRow.case_id == case_id)))
    return frozenset(out)
