"""List filters shared by the CLI, the web app and export: period, party, agency, drug, provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, or_, select

from straitlink.domain.listing import check_limit, check_period
from straitlink.store import tables as t


@dataclass(frozen=True)
class ListFilter:
    """Every field narrows the list; empty fields do not."""

    start: date | None = None
    end: date | None = None
    party: str | None = None
    agency: str | None = None
    drug: str | None = None
    provenance: frozenset[str] = field(default_factory=frozenset)
    exclude_provenance: frozenset[str] = field(default_factory=frozenset)
    limit: int | None = None
    case: str | None = None  # what one case holds: its operations, seizures, persons, and intel via outcomes
    after: tuple[date | None, str] | None = None  # keyset paging: only records after this (sort key, id)

    def __post_init__(self) -> None:
        check_period(self.start, self.end)
        check_limit(self.limit)


def _case_agency_party(party: str) -> Any:
    return (
        select(t.CaseAgencyRow.case_id)
        .join(t.AgencyRow, t.AgencyRow.id == t.CaseAgencyRow.agency)
        .where(t.AgencyRow.party == party)
    )


def _case_agency(agency: str) -> Any:
    return select(t.CaseAgencyRow.case_id).where(t.CaseAgencyRow.agency == agency)


def _period(row: Any, stmt: Select[Any], flt: ListFilter) -> Select[Any]:
    """A record is in the period when its date range overlaps it; undated records are left out of dated lists."""
    if row is t.AssistanceRequestRow:
        lo, hi = row.filed_on, row.filed_on
    elif row is t.PublishedFigureRow:
        lo, hi = row.period_end, row.period_end
    elif hasattr(row, "date_earliest"):
        lo, hi = row.date_earliest, row.date_latest
    elif row is t.PersonRow:
        # A person has no date of its own: it is in the period when its case is.
        if flt.start is None and flt.end is None:
            return stmt
        cases = _period(t.CaseRow, select(t.CaseRow.id), flt)
        return stmt.where(row.case_id.in_(cases))
    else:
        return stmt
    if flt.start is not None:
        stmt = stmt.where(hi >= flt.start)
    if flt.end is not None:
        stmt = stmt.where(lo <= flt.end)
    return stmt


def apply_filter(mapper: Any, stmt: Select[Any], flt: ListFilter) -> Select[Any]:
    """Narrow `stmt` (a select of the mapper's rows) by the filter, in a stable order."""
    row = mapper.row
    stmt = _period(row, stmt, flt)
    if flt.case is not None:
        stmt = stmt.where(_case_clause(row, flt.case))
    if flt.provenance:
        stmt = stmt.where(row.prov_kind.in_(sorted(flt.provenance)))
    if flt.exclude_provenance:
        stmt = stmt.where(row.prov_kind.not_in(sorted(flt.exclude_provenance)))
    if flt.party:
        stmt = stmt.where(_party_clause(row, flt.party))
    if flt.agency:
        stmt = stmt.where(_agency_clause(row, flt.agency))
    if flt.drug:
        if row is t.SeizureRow:
            stmt = stmt.where(row.drug == flt.drug)
        elif hasattr(row, "case_id") or row is t.CaseRow:
            cases = select(t.SeizureRow.case_id).where(t.SeizureRow.drug == flt.drug)
            stmt = stmt.where((row.id if row is t.CaseRow else row.case_id).in_(cases))
    column = _order_column(row)
    if flt.after is not None:
        stmt = stmt.where(_after(row, column, *flt.after))
    order = [] if column is None else [column] if row is t.AssistanceRequestRow else [column.asc().nulls_first()]
    stmt = stmt.order_by(*order, row.id)
    if flt.limit:
        stmt = stmt.limit(flt.limit)
    return stmt


def _order_column(row: Any) -> Any:
    """The column a list of `row` is sorted by before its id: the filing date, the date, or none."""
    if row is t.AssistanceRequestRow:
        return row.filed_on
    return row.date_earliest if hasattr(row, "date_earliest") else None


def _after(row: Any, column: Any, key: date | None, last_id: str) -> Any:
    """Rows after (key, last_id) in the list's order: undated rows first (NULLS FIRST on both engines)."""
    if column is None:
        return row.id > last_id
    if key is None:
        return or_(column.is_not(None), and_(column.is_(None), row.id > last_id))
    return or_(column > key, and_(column == key, row.id > last_id))


def sort_key(mapper: Any, record: Any) -> tuple[date | None, str]:
    """The (sort key, id) a list orders `record` by: what a keyset cursor after it carries."""
    column = _order_column(mapper.row)
    key = getattr(mapper.to_row(record), column.key) if column is not None else None
    return key, record.id


def _case_clause(row: Any, case_id: str) -> Any:
    if row is t.IntelReportRow:
        return row.id.in_(select(t.OutcomeRow.intel).where(t.OutcomeRow.case_id == case_id))
    if row is t.CaseRow:
        return row.id == case_id
    if hasattr(row, "case_id"):
        return row.case_id == case_id
    return row.id.is_(None)


def _party_clause(row: Any, party: str) -> Any:
    if row is t.AssistanceRequestRow:
        return row.requesting_party == party
    if row is t.IntelReportRow:
        return row.provider_party == party
    if row is t.CaseRow:
        return row.id.in_(_case_agency_party(party))
    if row is t.MeetingRow:
        hosts = select(t.AgencyRow.id).where(t.AgencyRow.party == party)
        members = (
            select(t.MeetingAgencyRow.meeting)
            .join(t.AgencyRow, t.AgencyRow.id == t.MeetingAgencyRow.agency)
            .where(t.AgencyRow.party == party)
        )
        return or_(row.host.in_(hosts), row.id.in_(members))
    if row is t.PublishedFigureRow:
        return row.direction.like(f"{party.lower()}_to_%")
    if hasattr(row, "case_id"):
        return row.case_id.in_(_case_agency_party(party))
    return row.id.is_(None)


def _agency_clause(row: Any, agency: str) -> Any:
    if row is t.AssistanceRequestRow:
        return or_(row.requesting_agency == agency, row.executing_agency == agency)
    if row is t.IntelReportRow:
        return row.provider_agency == agency
    if row is t.CaseRow:
        return row.id.in_(_case_agency(agency))
    if row is t.MeetingRow:
        members = select(t.MeetingAgencyRow.meeting).where(t.MeetingAgencyRow.agency == agency)
        return or_(row.host == agency, row.id.in_(members))
    if hasattr(row, "case_id"):
        return row.case_id.in_(_case_agency(agency))
    return row.id.is_(None)
