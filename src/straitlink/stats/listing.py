"""The period's cases, hand-overs and meetings as bulletins list them, from the same record sets as the figures.

A bulletin's case paragraphs quote record facts (dates, places, quantities as stated) and a few numbers per case
(suspects, estimated doses); those numbers are computed here, beside compute_statistics(), never in a template.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from straitlink.domain.cases import AgencyParticipation, AgencyRole, Case, Operation, Vessel
from straitlink.domain.dates import PartialDate
from straitlink.domain.intel import IntelReport
from straitlink.domain.meetings import Meeting
from straitlink.domain.parties import Party
from straitlink.domain.quantity import DoseEstimate, Quantity, estimate_doses
from straitlink.domain.seizures import Seizure
from straitlink.stats.queries import (
    IR,
    M,
    S,
    Scope,
    counted_seizures,
    intel_conditions,
    intel_led_seizures,
    intel_led_suspects,
    joint_drug_cases,
    joint_operations,
    meeting_conditions,
    suspects,
)
from straitlink.store import mapping
from straitlink.store import tables as t
from straitlink.store.uow import UnitOfWork


@dataclass(frozen=True)
class SeizureDigest:
    id: str
    drug: str
    quantities: tuple[Quantity, ...]
    date: PartialDate | None
    place: str | None
    case: str | None
    mass: Quantity | None  # the one mass the totals count: net if stated, else gross, else unstated
    doses: DoseEstimate | None
    publishable: bool = True  # its marking lets a public bulletin tell it in detail


@dataclass(frozen=True)
class OperationDigest:
    id: str
    name: str
    date: PartialDate | None
    personnel: Quantity | None
    personnel_party: Party | None
    vessels: tuple[Vessel, ...]


@dataclass(frozen=True)
class CaseDigest:
    id: str
    title: str
    date: PartialDate | None
    agencies: tuple[AgencyParticipation, ...]
    places: tuple[str, ...]
    seizures: tuple[SeizureDigest, ...]
    suspects: int
    caught_in_act: int
    operations: tuple[OperationDigest, ...]
    led_by_intel: bool
    publishable: bool = True

    def agencies_in(self, *roles: AgencyRole) -> list[str]:
        return [a.agency for a in self.agencies if a.role in roles]


@dataclass(frozen=True)
class IntelDigest:
    id: str
    date: PartialDate | None  # its own, or that of the earliest record it led to
    provider_party: Party
    provider_agency: str | None
    recipient_party: Party
    summary: str
    seizures: tuple[SeizureDigest, ...]
    suspects: int
    cases: tuple[str, ...]  # ids of the cases its outcomes name or reach
    publishable: bool = True


def case_digests(uow: UnitOfWork, scope: Scope) -> list[CaseDigest]:
    """The joint drug cases of the period in date order, with their counted seizures, suspects and operations."""
    ids = [row.id for row in uow.session.execute(joint_drug_cases(scope))]
    if not ids:
        return []
    cases: list[Case] = [mapping.CASES.from_row(r) for r in _rows(uow, t.CaseRow, ids)]
    counted = counted_seizures(scope).subquery()
    seizure_ids = list(uow.session.scalars(select(counted.c.id).where(counted.c.case_id.in_(ids))))
    seizures = _seizures(uow, seizure_ids)
    found = suspects(scope).subquery()
    people: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    for case_id, in_act in uow.session.execute(select(found.c.case_id, found.c.caught_in_act)):
        people[case_id] += 1
        caught[case_id] += int(bool(in_act))
    ops = joint_operations(scope).subquery()
    op_ids = list(uow.session.scalars(select(ops.c.id)))
    operations: list[Operation] = [mapping.OPERATIONS.from_row(r) for r in _rows(uow, t.OperationRow, op_ids)]
    reached = _cases_reached_by_intel(uow, scope)
    out = []
    for case in cases:
        own = tuple(s for s in seizures if s.case == case.id)
        places = list(case.places) + [s.place for s in own if s.place and s.place not in case.places]
        out.append(
            CaseDigest(
                id=case.id,
                title=case.title,
                date=case.opened_on,
                agencies=tuple(case.agencies),
                places=tuple(places),
                seizures=own,
                suspects=people[case.id],
                caught_in_act=caught[case.id],
                operations=tuple(_operation(o) for o in operations if o.case == case.id),
                led_by_intel=case.id in reached,
                publishable=case.marking.publishable,
            )
        )
    return sorted(out, key=lambda c: (c.date.earliest() if c.date else scope.end, c.id))


def intel_digests(uow: UnitOfWork, scope: Scope) -> list[IntelDigest]:
    """The period's hand-overs in date order, each with the seizures and suspects it led to."""
    rows = list(uow.session.scalars(select(IR).where(*intel_conditions(scope))))
    if not rows:
        return []
    led = intel_led_seizures(scope).subquery()
    pairs = list(uow.session.execute(select(led.c.intel, led.c.seizure)))
    seizures = {s.id: s for s in _seizures(uow, sorted({seizure for _, seizure in pairs}))}
    by_intel: dict[str, list[SeizureDigest]] = defaultdict(list)
    for intel, seizure in pairs:
        by_intel[intel].append(seizures[seizure])
    people = intel_led_suspects(scope).subquery()
    suspect_counts = Counter(intel for intel, _ in uow.session.execute(select(people.c.intel, people.c.person)))
    out = []
    for row in rows:
        report: IntelReport = mapping.INTEL.from_row(row)
        found = sorted(by_intel[report.id], key=lambda s: (s.date.earliest() if s.date else scope.end, s.id))
        out.append(
            IntelDigest(
                id=report.id,
                # Undated hand-overs are dated by what they led to, as intel_date() does in SQL.
                date=report.date or next((s.date for s in found if s.date), None),
                provider_party=report.provider_party,
                provider_agency=report.provider_agency,
                recipient_party=report.recipient_party,
                summary=report.summary,
                seizures=tuple(found),
                suspects=suspect_counts[report.id],
                cases=tuple(dict.fromkeys(s.case for s in found if s.case)),
                publishable=report.marking.publishable,
            )
        )
    return sorted(out, key=lambda i: (i.date.earliest() if i.date else scope.end, i.id))


def meeting_digests(uow: UnitOfWork, scope: Scope) -> list[Meeting]:
    """The period's meetings, talks, seminars and visits in date order."""
    stmt = select(M).where(*meeting_conditions(scope)).order_by(M.date_earliest, M.id)
    return [mapping.MEETINGS.from_row(r) for r in uow.session.scalars(stmt)]


def _rows(uow: UnitOfWork, row: Any, ids: list[str]) -> list[Any]:
    return list(uow.session.scalars(select(row).where(row.id.in_(ids)).order_by(row.id))) if ids else []


def _seizures(uow: UnitOfWork, ids: list[str]) -> list[SeizureDigest]:
    records: list[Seizure] = [mapping.SEIZURES.from_row(r) for r in _rows(uow, S, ids)]
    drugs = {d.id: d for d in _rows(uow, t.DrugRow, sorted({s.drug for s in records}))}
    out = []
    for s in records:
        drug = drugs[s.drug]
        mass = _one_mass(s)
        doses = None
        if mass is not None and drug.dose_g is not None and drug.dose_source:
            doses = estimate_doses(mass, Decimal(drug.dose_g), drug.dose_source)
        digest = SeizureDigest(s.id, s.drug, tuple(s.quantities), s.date, s.place, s.case, mass, doses)
        out.append(dataclasses.replace(digest, publishable=s.marking.publishable))
    return out


def _one_mass(seizure: Seizure) -> Quantity | None:
    """The mass the totals count for this seizure: net if stated, else gross, else unstated (as queries.py)."""
    order = {"net": 0, "gross": 1, "unstated": 2}
    masses = sorted(enumerate(seizure.mass()), key=lambda p: (order[p[1].basis.value], p[0]))
    return masses[0][1] if masses else None


def _operation(o: Operation) -> OperationDigest:
    return OperationDigest(o.id, o.name, o.date, o.personnel, o.personnel_party, tuple(o.vessels))


def _cases_reached_by_intel(uow: UnitOfWork, scope: Scope) -> set[str]:
    led = intel_led_seizures(scope).subquery()
    stmt = select(S.case_id).where(S.id.in_(select(led.c.seizure)), S.case_id.is_not(None))
    return set(uow.session.scalars(stmt))


def synthetic_records(uow: UnitOfWork, scope: Scope) -> int:
    """How many synthetic requests, cases and seizures the period holds (0 when they are left out)."""
    if scope.exclude_synthetic:
        return 0
    total = 0
    for row, column in ((t.AssistanceRequestRow, t.AssistanceRequestRow.filed_on), (t.CaseRow, t.CaseRow.date_earliest),
                        (S, S.date_earliest)):  # fmt: skip
        stmt = select(func.count()).select_from(row).where(row.prov_kind == "synthetic", scope.dated(column))
        total += int(uow.session.scalar(stmt) or 0)
    return total
