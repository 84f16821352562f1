"""A period's figures from the rollups for its months and from the raw rows for the days they do not match.

The rollup tables (store/tables_stats.py) hold counts and exact integer sums per month, kept by triggers in the
same transaction as every change (migration 0003). A period is split into rollup months and raw days in
store/periods.py, which the processing days (services/processing_times.py, the days rollup) share. The raw rows go
through the same selects as ever (stats/queries.py) and give the same integers per group, so every figure is
exactly what a scan of the raw rows gives. One thing does not follow the filing month: whether a request was
closed by the period's end. The rollups keep the closing month; for a period ending mid-month, the requests of the
rollup months closed in its last month but after its last day are looked up in the raw rows (ix_request_closed_on)
and counted as open.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Select, case, func, literal, select

from straitlink.stats.queries import (
    CLOSED,
    C,
    R,
    Scope,
    counted_seizures,
    quantities_of,
    quantity_sums,
    request_state,
    suspects,
)
from straitlink.store import periods
from straitlink.store import tables as t
from straitlink.store import tables_stats as ts
from straitlink.store.dialect import month_of
from straitlink.store.uow import UnitOfWork

RR = ts.RequestRollupRow
RY = ts.RequestYearRollupRow
CR = ts.CaseRollupRow
SR = ts.SuspectRollupRow
SZ = ts.SeizureRollupRow
SQ = ts.SeizureQuantityRollupRow
RA = ts.RequestAgencyRollupRow
SP = ts.SeizurePlaceRollupRow
SA = ts.SeizureAgencyRollupRow
CK = ts.CaseKeyRollupRow
# Each seizure rollup and its per-year form (migration 0015).
YEARLY: dict[Any, Any] = {
    SZ: ts.SeizureYearRollupRow,
    SQ: ts.SeizureQuantityYearRollupRow,
    SP: ts.SeizurePlaceYearRollupRow,
    SA: ts.SeizureAgencyYearRollupRow,
}
PL = t.PlaceRow
UNSTATED = "unstated"

# Breakdowns the rollups answer: requests by agency and seizures by place and party from the rollups of migration
# 0011; cases and suspects by agency, place or drug and seizures by their case's agencies from those of 0012.
# Requests read whole years from request_year_rollup (migration 0015) without a breakdown and with these.
YEAR_DIMENSIONS = frozenset({None, "type", "direction", "party", "year"})
REQUEST_DIMENSIONS = frozenset({"type", "direction", "party", "month", "year", "agency"})
SEIZURE_DIMENSIONS = frozenset({"month", "year", "drug", "place", "party", "agency"})
CASE_DIMENSIONS = frozenset({"month", "year"})
CASE_KEY_DIMENSIONS = frozenset({"agency", "place", "drug"})


def _grouped(keys: dict[str, Any], where: list[Any], source: Any, **sums: Any) -> Select[Any]:
    """Sums per group, with groups whose first sum is zero left out.

    Grouped through a subquery: PostgreSQL matches a grouped expression with bound parameters only then (SQLite
    flattens the subquery, and still streams a rollup's groups in key order).
    """
    columns = [*(c.label(k) for k, c in keys.items()), *(v.label(k) for k, v in sums.items())]
    sub = select(*columns).select_from(source).where(*where).subquery()
    grouped = [sub.c[k] for k in keys]
    totals = [func.sum(sub.c[k]).label(k) for k in sums]
    # A count that fell back to zero leaves its rollup row behind: no group for it.
    return select(*grouped, *totals).group_by(*grouped).having(totals[0] != 0)


def _keyed(by: str | None, key: Any) -> dict[str, Any]:
    """The breakdown's key column, none for the totals (all rows then fall in the group "")."""
    return {} if by is None else {"k": key}


def _k(row: Any) -> str:
    return str(getattr(row, "k", ""))


# --- requests --------------------------------------------------------------------------------------------------


def _request_key(by: str | None, party: Any, kind: Any, month: Any, agency: Any) -> dict[str, Any]:
    keys: dict[str, Any] = {
        "type": kind,
        "party": party,
        "direction": case((party == "TW", literal("tw_to_cn")), else_=literal("cn_to_tw")),
        "month": month,
        "year": func.substr(month, 1, 4),
        "agency": agency,
    }
    return _keyed(by, keys[by] if by is not None else None)


RequestKey = tuple[str, str, str, str, str]  # key, party, type, status now, state at the period's end


def _state(status: str) -> str:
    """A request's state at the period's end when its closing (if any) came by then."""
    return "open" if status not in CLOSED else "completed" if status == "completed" else "closed"


def request_groups(uow: UnitOfWork, scope: Scope, by: str | None = None) -> Counter[RequestKey]:
    """Requests filed in the period by (key of `by`, party, type, status, state): completed, closed or open."""
    split = periods.split_period(scope)
    out: Counter[RequestKey] = Counter()
    # By agency the rollup has no type (request_agency_rollup): the raw rows leave it out too, so that what they
    # add and take off falls on the same keys.
    by_agency = by == "agency"
    raw_type = literal("") if by_agency else R.type
    raw_agency = func.coalesce(R.requesting_agency, UNSTATED)
    raw = _request_key(by, R.requesting_party, R.type, month_of(R.filed_on), raw_agency)
    raw |= {"party": R.requesting_party, "type": raw_type, "status": R.status}
    for part, sign in split.raw:
        stmt = _grouped(
            raw | {"state": request_state(scope)}, [part.dated(R.filed_on), *scope.real(R)], R, n=literal(1)
        )
        for row in uow.session.execute(stmt):
            out[(_k(row), row.party, row.type, row.status, row.state)] += sign * int(row.n)
    if split.months is None:
        return out
    table: Any = RA if by_agency else RR
    agency = case((RA.requesting_agency == "", literal(UNSTATED)), else_=RA.requesting_agency)
    kind = literal("") if by_agency else RR.type
    keys = _request_key(by, table.requesting_party, kind, table.filed_month, agency)
    keys |= {"party": table.requesting_party, "type": kind, "status": table.status}
    years, months = split.by_year() if by in YEAR_DIMENSIONS else (None, [split.months])
    # Closed after the end month: open at the end. In the end month: closed in time unless the period ends
    # mid-month and the closing came after its last day (moved to open below).
    late = case((table.closed_month > split.end_month, table.n), else_=0)
    for some in months:
        where = split.in_months(table.filed_month, table.synthetic, months=some)
        for row in uow.session.execute(_grouped(keys, where, table, n=table.n, late=late)):
            in_time = int(row.n) - int(row.late)
            out[(_k(row), row.party, row.type, row.status, _state(row.status))] += in_time
            out[(_k(row), row.party, row.type, row.status, "open")] += int(row.late)
    if years is not None:
        # Whole years from their rollup, which has no closing month: those closed after the end month are
        # found in request_rollup through its closing month's index and moved to open.
        year_keys = _request_key(by, RY.requesting_party, RY.type, RY.filed_year, None)
        year_keys |= {"party": RY.requesting_party, "type": RY.type, "status": RY.status}
        where = split.in_months(RY.filed_year, RY.synthetic, months=years)
        for row in uow.session.execute(_grouped(year_keys, where, RY, n=RY.n)):
            out[(_k(row), row.party, row.type, row.status, _state(row.status))] += int(row.n)
        where = [*split.in_months(RR.filed_month, RR.synthetic, months=(f"{years[0]}-01", f"{years[1]}-12"))]
        where.append(RR.closed_month > split.end_month)
        for row in uow.session.execute(_grouped(keys, where, RR, n=RR.n)):
            out[(_k(row), row.party, row.type, row.status, _state(row.status))] -= int(row.n)
            out[(_k(row), row.party, row.type, row.status, "open")] += int(row.n)
    if split.ends_mid_month:
        for row in uow.session.execute(_grouped(raw, split.closed_late(), R, n=literal(1))):
            out[(_k(row), row.party, row.type, row.status, _state(row.status))] -= int(row.n)
            out[(_k(row), row.party, row.type, row.status, "open")] += int(row.n)
    return +out


# --- cases and suspects ----------------------------------------------------------------------------------------


def _month_key(by: str | None, month: Any) -> dict[str, Any]:
    return _keyed(by, month if by == "month" else func.substr(month, 1, 4))


def case_groups(uow: UnitOfWork, scope: Scope, by: str | None = None) -> Counter[tuple[str, str, bool]]:
    """Cases dated in the period by (key of `by`: month or year of their date, kind, joint)."""
    split = periods.split_period(scope)
    out: Counter[tuple[str, str, bool]] = Counter()
    keys = _month_key(by, month_of(C.date_earliest)) | {"kind": C.kind, "joint": C.joint}
    for part, sign in split.raw:
        for row in uow.session.execute(_grouped(keys, [part.dated(C.date_earliest), *scope.real(C)], C, n=literal(1))):
            out[(_k(row), row.kind, bool(row.joint))] += sign * int(row.n)
    if split.months is not None:
        keys = _month_key(by, CR.month) | {"kind": CR.kind, "joint": CR.joint}
        for row in uow.session.execute(_grouped(keys, split.in_months(CR.month, CR.synthetic), CR, n=CR.n)):
            out[(_k(row), row.kind, bool(row.joint))] += int(row.n)
    return +out


def suspect_counts(uow: UnitOfWork, scope: Scope, by: str | None = None) -> Counter[tuple[str, bool]]:
    """Suspects of the period's joint drug cases by (key of `by`, caught in the act)."""
    split = periods.split_period(scope)
    out: Counter[tuple[str, bool]] = Counter()
    for part, sign in split.raw:
        found = suspects(part).subquery()
        keys = _month_key(by, month_of(C.date_earliest)) | {"caught": found.c.caught_in_act}
        source = found.join(C, C.id == found.c.case_id)
        for row in uow.session.execute(_grouped(keys, [], source, n=literal(1))):
            out[(_k(row), bool(row.caught))] += sign * int(row.n)
    if split.months is not None:
        keys = _month_key(by, SR.month) | {"caught": SR.caught_in_act}
        where = [SR.joint_drug.is_(True), *split.in_months(SR.month, SR.synthetic, SR.case_synthetic)]
        for row in uow.session.execute(_grouped(keys, where, SR, n=SR.n)):
            out[(_k(row), bool(row.caught))] += int(row.n)
    return +out


# --- seizures --------------------------------------------------------------------------------------------------


class SumRow(NamedTuple):
    """One group of quantity_sums(): what stats.queries.collect_sums() turns into exact totals."""

    k: str
    drug: str
    unit: str
    basis: str
    qualifier: str
    chosen: int
    n: int
    micro: int
    micro_upper: int


@dataclass
class SeizureTally:
    """Counted seizures per (key, drug) and the integer sums of their quantities per group."""

    counts: Counter[tuple[str, str]]
    sums: dict[tuple[str, str, str, str, str, int], list[int]]

    def add(self, group: tuple[str, str, str, str, str, int], n: Any, amount: Any, upper: Any) -> None:
        found = self.sums.setdefault(group, [0, 0, 0])
        found[0] += int(n)
        found[1] += int(amount or 0)
        found[2] += int(upper or 0)

    def rows(self) -> list[SumRow]:
        """The groups with anything in them, as quantity_sums() would have returned them."""
        return [SumRow(*group, *values) for group, values in sorted(self.sums.items()) if values[0]]


def _seizure_key(
    by: str | None, month: Any, drug: Any, place: Any = None, party: Any = None, agency: Any = None
) -> dict[str, Any]:
    if by in ("place", "party", "agency"):
        return _keyed(by, {"place": place, "party": party, "agency": agency}[by])
    return _keyed(by, drug) if by == "drug" else _month_key(by, month)


def seizure_tally(uow: UnitOfWork, scope: Scope, by: str | None = None, *, weights: bool = False) -> SeizureTally:
    """The seizures counted in the period (joint drug cases, by their own date) and their quantities' sums.

    With `weights`, only the sums of the one counted mass per seizure (what a breakdown shows), not every basis.
    By place or party (the place's), or by the agencies of the seizure's case, only with `weights`: those rollups
    keep the counted mass alone. By agency a seizure counts once under each agency of its case.
    """
    assert weights or by not in ("place", "party", "agency")
    split = periods.split_period(scope)
    tally = SeizureTally(Counter(), {})
    for part, sign in split.raw:
        seized = counted_seizures(part, scan=False).subquery()
        place, party = func.coalesce(seized.c.place, UNSTATED), func.coalesce(PL.party, UNSTATED)
        key = _seizure_key(by, month_of(seized.c.date_earliest), seized.c.drug, place, party).get("k", literal(""))
        if by == "agency":
            ca = t.CaseAgencyRow
            pairs = select(seized.c.id, seized.c.drug, ca.agency.label("k")).join(ca, ca.case_id == seized.c.case_id)
            keyed = pairs.distinct().subquery()
        else:
            keyed = select(seized.c.id, seized.c.drug, key.label("k")).outerjoin(PL, PL.id == seized.c.place).subquery()
        for row in uow.session.execute(_grouped({"k": keyed.c.k, "drug": keyed.c.drug}, [], keyed, n=literal(1))):
            tally.counts[(row.k, row.drug)] += sign * int(row.n)
        for row in uow.session.execute(quantity_sums(quantities_of(keyed, "k").subquery(), "k")):
            if row.chosen or not weights:
                group = (row.k, row.drug, row.unit, row.basis, row.qualifier, int(row.chosen))
                tally.add(group, *(sign * int(v or 0) for v in (row.n, row.micro, row.micro_upper)))
    if split.months is None:
        return tally
    # Each seizure once, under its counted mass: the chosen groups. Every quantity, counted mass or not, in the
    # quantity rollup: the rest are those groups less the chosen ones.
    by_place = by in ("place", "party")
    weighed: Any = SP if by_place else SA if by == "agency" else SZ
    tables: Any = ((weighed, True),) if weights else ((SZ, True), (SQ, False))
    # Whole years from the per-year rollups (migration 0015), the months around them from the monthly ones.
    years, months = split.by_year() if by != "month" else (None, [split.months])
    ranges: list[tuple[Any, tuple[str, str]]] = [(None, some) for some in months]
    ranges += [(years, years)] if years is not None else []
    for table, chosen in tables:
        for per_year, some in ranges:
            source: Any = YEARLY[table] if per_year else table
            when = source.year if per_year else source.month
            rows = _seizure_rows(uow, split, by, source, when, some)
            for row in rows:
                k, values = _k(row), (int(row.n), int(row.micro), int(row.micro_upper))
                if not chosen:
                    tally.add((k, row.drug, row.unit, row.basis, row.qualifier, 0), *values)
                    continue
                tally.counts[(k, row.drug)] += values[0]
                if row.unit:
                    tally.add((k, row.drug, row.unit, row.basis, row.qualifier, 1), *values)
                    if not weights:
                        tally.add((k, row.drug, row.unit, row.basis, row.qualifier, 0), *(-v for v in values))
    return tally


def _seizure_rows(
    uow: UnitOfWork, split: periods.Split, by: str | None, table: Any, when: Any, some: tuple[str, str]
) -> Any:
    """The sums of one seizure rollup (monthly or per year) for the months or years `some`, by `by`."""
    place = getattr(table, "place", None)
    stated = case((place == "", literal(UNSTATED)), else_=place) if place is not None else None
    agency = getattr(table, "agency", None)
    keys = _seizure_key(by, when, table.drug, stated, func.coalesce(PL.party, UNSTATED), agency)
    keys |= {"drug": table.drug, "unit": table.unit, "basis": table.basis, "qualifier": table.qualifier}
    where = split.in_months(when, table.synthetic, table.case_synthetic, months=some)
    if agency is None:  # the agency rollups hold joint drug cases only
        where.append(table.joint_drug.is_(True))
    sums = {"n": table.n, "micro": table.micro, "micro_upper": table.micro_upper}
    source = table.__table__.outerjoin(PL, PL.id == place) if by == "party" else table
    return uow.session.execute(_grouped(keys, where, source, **sums))


# --- cases and suspects under every agency, place or drug of the case --------------------------------------------


def case_key_counts(
    uow: UnitOfWork, scope: Scope, by: str, raw: Callable[[Scope], dict[str, tuple[int, int, int]]]
) -> dict[str, tuple[int, int, int]]:
    """Per key of `by` (agency, place or drug): joint drug cases, their suspects, those caught in the act.

    Whole months from case_key_rollup (migration 0012); the days around them from `raw`, the scan of the raw rows
    for a period (stats/breakdown.py), added or taken off as the split says.
    """
    assert by in CASE_KEY_DIMENSIONS
    split = periods.split_period(scope)
    out: dict[str, list[int]] = {}

    def add(k: str, values: tuple[int, int, int], sign: int = 1) -> None:
        found = out.setdefault(k, [0, 0, 0])
        for i, v in enumerate(values):
            found[i] += sign * v

    for part, sign in split.raw:
        for k, values in raw(part).items():
            add(k, values, sign)
    if split.months is not None:
        real = scope.exclude_synthetic
        suspects, caught = (CK.suspects_real, CK.caught_real) if real else (CK.suspects, CK.caught)
        where = [CK.dimension == by, *split.in_months(CK.month, CK.synthetic, CK.only_synthetic)]
        stmt = _grouped({"k": CK.key}, where, CK, n=CK.n, suspects=suspects, caught=caught)
        for row in uow.session.execute(stmt):
            add(str(row.k), (int(row.n), int(row.suspects), int(row.caught)))
    return {k: (n, s, c) for k, (n, s, c) in out.items() if n}
