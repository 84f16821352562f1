"""The record sets behind every figure, as plain SQL (SQLAlchemy Core) that SQLite and PostgreSQL both run.

The aggregations in `service.py` and `breakdown.py` and the listings in `explain.py` are all built from the
selects here, so a figure and the records it expands into can never disagree about what was counted.

Definitions (docs/statistics.md): requests count by `filed_on`; cases by their date (`date_earliest`);
seizures by their own date and only when they belong to a joint drug case; suspects are `person` rows with
role suspect in the joint drug cases of the period; intel hand-overs by their date, with everything they led to.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union,
)

from straitlink.domain.quantity import Basis, Qualifier, Total, Unit
from straitlink.store import tables as t
from straitlink.store.dialect import scanned
from straitlink.store.periods import CLOSED, Scope

R = t.AssistanceRequestRow
C = t.CaseRow
P = t.PersonRow
S = t.SeizureRow
Q = t.SeizureQuantityRow
OPN = t.OperationRow
IR = t.IntelReportRow
OC = t.OutcomeRow
OS = t.OutcomeSeizureRow
OP = t.OutcomePersonRow
M = t.MeetingRow

MASS_UNITS = ("kg", "g", "t")

# A stored amount has at most six decimals (Numeric(20, 6)); summing it as whole millionths keeps the sum exact on
# SQLite too, where the column holds a binary float and SUM() would add rounding error.
MICRO = 1_000_000
_GRAM_EXPONENT = {"g": 0, "kg": 3, "t": 6}


def micro(column: Any) -> ColumnElement[int]:
    return cast(func.round(column * MICRO), BigInteger)


# --- record sets -----------------------------------------------------------------------------------------------


def request_conditions(scope: Scope, *, scan: bool = False) -> list[ColumnElement[bool]]:
    """Requests filed in the period; `scan` for queries the covering index cannot answer alone."""
    return [scope.dated(scanned(R.filed_on) if scan else R.filed_on), *scope.real(R)]


def request_state(scope: Scope) -> ColumnElement[str]:
    """Where a request stood at the period's end: completed, closed otherwise, or still open.

    A request completed after the period ended was open at its end: "completed" in a period means filed in it
    and completed by its last day (as the Ministry's tables count 執行件數). A closed request without a closing
    date is taken as closed in time.
    """
    in_time = or_(R.closed_on.is_(None), R.closed_on <= scope.end)
    return case(
        (and_(R.status == "completed", in_time), literal("completed")),
        (and_(R.status.in_(CLOSED), in_time), literal("closed")),
        else_=literal("open"),
    )


def joint_drug(case_row: Any = C) -> list[ColumnElement[bool]]:
    return [case_row.kind == "drugs", case_row.joint.is_(True)]


def joint_drug_cases(scope: Scope) -> Select[Any]:
    """Joint drug cases dated in the period: id and date."""
    return select(C.id, C.date_earliest).where(scope.dated(C.date_earliest), *joint_drug(), *scope.real(C))


def suspects(scope: Scope) -> Select[Any]:
    """Suspects in the joint drug cases of the period: person id, case id, caught in the act."""
    return (
        select(P.id, P.case_id, P.caught_in_act)
        .join(C, C.id == P.case_id)
        .where(P.role == "suspect", scope.dated(C.date_earliest), *joint_drug(), *scope.real(P, C))
    )


def counted_seizures(scope: Scope, *, scan: bool = True) -> Select[Any]:
    """Seizures dated in the period that belong to joint drug cases.

    `case_id IN (the joint drug cases)` rather than a join: both engines then test membership in a small set
    instead of looking every seizure's case up, several times faster over a million seizures. Without `scan`
    (a few days or weeks, as the partial months around the rollups' whole months), the seizures are found through
    the date index and each one's case is looked up: building the set of every joint drug case would cost more.
    """
    columns = (S.id, S.drug, S.case_id, S.place, S.date_earliest)
    if not scan:
        joint = select(C.id).where(C.id == S.case_id, *joint_drug(), *scope.real(C)).exists()
        return select(*columns).where(scope.dated(S.date_earliest), joint, *scope.real(S))
    cases = select(C.id).where(*joint_drug(), *scope.real(C))
    return select(*columns).where(scope.dated(scanned(S.date_earliest)), scanned(S.case_id).in_(cases), *scope.real(S))


def quantities_of(seizures: Any, *carry: str) -> Select[Any]:
    """Every quantity of the given seizures (a subquery with id and drug), marking the one mass that counts.

    One mass per seizure goes into weight totals: net if stated, else gross, else unstated; the first stated
    wins a tie. Every mass still counts under its own basis in the per-basis sums. `carry` names grouping
    columns of the subquery (a seizure may be listed once under each of several keys).
    """
    kept = [seizures.c[name] for name in carry]
    is_mass = case((Q.unit.in_(MASS_UNITS), 1), else_=0)
    priority = case((Q.basis == "net", 0), (Q.basis == "gross", 1), else_=2)
    rank = func.row_number().over(partition_by=(*kept, Q.seizure, is_mass), order_by=(priority, Q.position))
    return select(
        *kept,
        seizures.c.id.label("seizure"),
        seizures.c.drug,
        Q.unit,
        Q.basis,
        Q.qualifier,
        Q.value,
        Q.upper,
        case((and_(is_mass == 1, rank == 1), 1), else_=0).label("chosen"),
    ).join(Q, Q.seizure == seizures.c.id)


def quantity_sums(quantities: Any, *carry: str) -> Select[Any]:
    """Sums of a quantities_of() subquery, grouped by the carried keys and by what a Total needs to stay exact."""
    c = quantities.c
    group = (*(c[name] for name in carry), c.drug, c.unit, c.basis, c.qualifier, c.chosen)
    return select(
        *group,
        func.count().label("n"),
        func.sum(micro(c.value)).label("micro"),
        func.sum(micro(func.coalesce(c.upper, c.value))).label("micro_upper"),
    ).group_by(*group)


def joint_operations(scope: Scope) -> Select[Any]:
    """Operations of joint cases, dated by their own date or else their case's."""
    when = func.coalesce(OPN.date_earliest, C.date_earliest)
    return (
        select(
            OPN.id,
            (C.kind == "drugs").label("drug_case"),
            OPN.personnel_value,
            OPN.personnel_upper,
            OPN.personnel_qualifier,
            OPN.personnel_party,
        )
        .join(C, C.id == OPN.case_id)
        .where(C.joint.is_(True), scope.dated(when), *scope.real(OPN, C))
    )


def intel_date() -> ColumnElement[Any]:
    """A hand-over's date; one the sources leave undated is dated by the earliest record it led to.

    (The seed bulletin dates the 漳州 seizure, not the intel that led to it.)
    """
    seized = (
        select(func.min(S.date_earliest))
        .join(OS, OS.seizure == S.id)
        .join(OC, OC.id == OS.outcome)
        .where(OC.intel == IR.id)
        .correlate(IR)
        .scalar_subquery()
    )
    of_case = (
        select(func.min(C.date_earliest)).join(OC, OC.case_id == C.id).where(OC.intel == IR.id).correlate(IR)
    ).scalar_subquery()
    return func.coalesce(IR.date_earliest, seized, of_case)


def intel_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    return [scope.dated(intel_date()), *scope.real(IR)]


def provider_key() -> ColumnElement[str]:
    """An intel report's provider: its agency id, or its party (TW / CN) when the agency is not named."""
    return func.coalesce(IR.provider_agency, IR.provider_party)


def intel_led_seizures(scope: Scope) -> Any:
    """(intel, seizure) pairs: seizures an outcome names, and the seizures of the case an outcome names."""
    named = (
        select(IR.id.label("intel"), OS.seizure.label("seizure"))
        .join(OC, OC.intel == IR.id)
        .join(OS, OS.outcome == OC.id)
        .join(S, S.id == OS.seizure)
        .where(*intel_conditions(scope), *scope.real(OC, S))
    )
    of_case = (
        select(IR.id.label("intel"), S.id.label("seizure"))
        .join(OC, OC.intel == IR.id)
        .join(S, S.case_id == OC.case_id)
        .where(*intel_conditions(scope), *scope.real(OC, S))
    )
    return union(named, of_case)


def intel_led_suspects(scope: Scope) -> Any:
    """(intel, person) pairs: suspects an outcome names, and the suspects of the case an outcome names."""
    named = (
        select(IR.id.label("intel"), OP.person.label("person"))
        .join(OC, OC.intel == IR.id)
        .join(OP, OP.outcome == OC.id)
        .join(P, P.id == OP.person)
        .where(P.role == "suspect", *intel_conditions(scope), *scope.real(OC, P))
    )
    # `scanned`: SQLite then walks the few outcomes and finds each case's people by their index, never the
    # other way round (every person, looking for an outcome), which it picks while the outcome table is empty.
    of_case = (
        select(IR.id.label("intel"), P.id.label("person"))
        .join(OC, OC.intel == IR.id)
        .join(P, P.case_id == scanned(OC.case_id))
        .where(P.role == "suspect", *intel_conditions(scope), *scope.real(OC, P))
    )
    return union(named, of_case)


def meeting_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    return [scope.dated(M.date_earliest), *scope.real(M)]


# --- turning sums back into exact totals ----------------------------------------------------------------------


def from_micro(amount: Any, unit: str) -> Decimal:
    """A summed millionths amount in `unit` as an exact Decimal, in kg when it is a mass."""
    value = Decimal(int(amount)).scaleb(-6)
    if unit in _GRAM_EXPONENT:
        value = value.scaleb(_GRAM_EXPONENT[unit] - _GRAM_EXPONENT["kg"])
    return value


def part_total(unit: str, basis: str, qualifier: str, n: int, amount: Any, upper: Any) -> Total:
    """One group's sum as a Total; adding such parts gives exactly what domain total() gives for the quantities."""
    target = Unit.KG if unit in _GRAM_EXPONENT else Unit(unit)
    q = Qualifier(qualifier)
    high = from_micro(upper, unit) if q is Qualifier.RANGE else None
    return Total(from_micro(amount, unit), target, q, high, frozenset({Basis(basis)}), int(n))


# Where a group's sum is kept as a whole number of 10**-9 of the total's unit: the millionths of a gram, kilogram or
# tonne are 1, 1,000 or 1,000,000 billionths of a kilogram; any other unit's millionths are 1,000.
_NANO_SHIFT = {"g": 0, "kg": 3, "t": 6}
_QUALIFIER_RANK = {Qualifier.EXACT: 0, Qualifier.RANGE: 1, Qualifier.AT_LEAST: 2, Qualifier.APPROX: 3}


class _Sum:
    """The whole-number parts of one Total, added up before the Total is built once.

    Building a Total per rollup group and adding them (Decimal arithmetic and validation each time) was most of a
    long period's statistics call: ten years by month are ~11,500 groups for ~1,000 cells. The result is the very
    Total those additions give, down to the Decimal's exponent (the smallest of the parts' and zero's).
    """

    __slots__ = ("bases", "exponent", "n", "qualifier", "upper", "value")

    def __init__(self) -> None:
        self.n = self.value = self.upper = self.exponent = 0
        self.qualifier = Qualifier.EXACT
        self.bases: set[Basis] = set()

    def add(self, unit: str, basis: str, qualifier: str, n: Any, amount: Any, upper: Any) -> None:
        shift = _NANO_SHIFT.get(unit, 3)
        q = Qualifier(qualifier)
        self.n += int(n)
        self.value += int(amount) * 10**shift
        # As Total.__add__: an exact part counts as both ends of its own range.
        self.upper += int(upper if q is Qualifier.RANGE else amount) * 10**shift
        self.exponent = min(self.exponent, shift - 9)
        if _QUALIFIER_RANK[q] > _QUALIFIER_RANK[self.qualifier]:
            self.qualifier = q
        self.bases.add(Basis(basis))

    def total(self, unit: Unit) -> Total:
        def exact(nano: int) -> Decimal:
            # From a string, never rounded by a context; every part is a multiple of 10**exponent.
            return Decimal(f"{nano // 10 ** (self.exponent + 9)}E{self.exponent}")

        upper = exact(self.upper) if self.qualifier is Qualifier.RANGE else None
        return Total(exact(self.value), unit, self.qualifier, upper, frozenset(self.bases), self.n)


@dataclass
class DrugSums:
    """One drug's quantities under one key: each weight basis, each count unit, and the one-mass-per-seizure sum."""

    by_basis: dict[Basis, Total]
    counts: dict[str, Total]
    weight_kg: Total


def collect_sums(rows: Any, key: str | None = None) -> dict[tuple[str, str], DrugSums]:
    """quantity_sums() rows as exact totals per (key value, drug); the key is "" when there is none."""
    # Per (key, drug): the sums by basis, by count unit, and of the counted mass ("" as its name).
    found: dict[tuple[str, str], dict[tuple[str, str], _Sum]] = {}
    for row in rows:
        k = str(getattr(row, key)) if key is not None else ""
        cell = found.setdefault((k, row.drug), {})
        parts = (row.unit, row.basis, row.qualifier, row.n, row.micro, row.micro_upper)
        if row.unit in MASS_UNITS:
            cell.setdefault(("basis", row.basis), _Sum()).add(*parts)
            if row.chosen:
                cell.setdefault(("weight", ""), _Sum()).add(*parts)
        else:
            cell.setdefault(("count", row.unit), _Sum()).add(*parts)
    out: dict[tuple[str, str], DrugSums] = {}
    zero = Total.zero(Unit.KG)
    for where, cell in found.items():
        sums = out[where] = DrugSums({b: zero for b in Basis}, {}, zero)
        for (kind, name), part in cell.items():
            if kind == "basis":
                sums.by_basis[Basis(name)] = part.total(Unit.KG)
            elif kind == "weight":
                sums.weight_kg = part.total(Unit.KG)
            else:
                sums.counts[name] = part.total(Unit(name))
    return out
