"""The statistics service: one use case computing every effectiveness figure for a period.

The CLI (`straitlink stats`), the web UI, exports, reconciliation and bulletins all call compute_statistics();
nothing they show is computed anywhere else. It only reads, in one unit of work.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import distinct, func, select

from straitlink.domain.errors import InvalidValue
from straitlink.domain.quantity import Basis, DoseEstimate, Quantity, Total, Unit, estimate_doses
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import RequestStatus
from straitlink.stats.breakdown import compute_breakdown
from straitlink.stats.model import (
    DIMENSIONS,
    DIRECTIONS,
    CaseStats,
    DrugSeizures,
    IntelOutcomes,
    IntelStats,
    MeetingStats,
    OperationStats,
    Period,
    ProcessingDays,
    RequestCounts,
    RequestStats,
    SeizureStats,
    Statistics,
    SuspectStats,
)
from straitlink.stats.processing import processing_days
from straitlink.stats.queries import (
    IR,
    M,
    S,
    Scope,
    collect_sums,
    intel_conditions,
    intel_led_seizures,
    intel_led_suspects,
    joint_operations,
    meeting_conditions,
    micro,
    part_total,
    provider_key,
    quantities_of,
    quantity_sums,
)
from straitlink.stats.rollup import case_groups, request_groups, seizure_tally, suspect_counts
from straitlink.store import tables as t
from straitlink.store.uow import UnitOfWork

_DIRECTION = {"TW": "tw_to_cn", "CN": "cn_to_tw"}


def compute_statistics(
    uow: UnitOfWork, *, start: date, end: date, by: str | None = None, exclude_synthetic: bool = False
) -> Statistics:
    """Every effectiveness figure for start..end (both inclusive), optionally broken down by one dimension."""
    period = Period(start, end)
    if by is not None and by not in DIMENSIONS:
        raise InvalidValue("by", by, f"expected one of {', '.join(DIMENSIONS)}")
    scope = Scope(period.start, period.end, exclude_synthetic)
    return Statistics(
        period=period,
        exclude_synthetic=exclude_synthetic,
        requests=_requests(uow, scope),
        cases=_cases(uow, scope),
        operations=_operations(uow, scope),
        suspects=_suspects(uow, scope),
        seizures=_seizures(uow, scope),
        intel=_intel(uow, scope),
        meetings=_meetings(uow, scope),
        breakdown=compute_breakdown(uow, scope, by) if by is not None else None,
    )


def _requests(uow: UnitOfWork, scope: Scope) -> RequestStats:
    # Whole months from the rollups, the partial months around them from the raw rows (stats/rollup.py).
    rows = [
        _RequestGroup(_DIRECTION[party], kind, status, state, n)
        for (_, party, kind, status, state), n in request_groups(uow, scope).items()
    ]
    days = processing_days(uow, scope)
    directions = {d: _request_counts([r for r in rows if r.direction == d], days[d]) for d in DIRECTIONS}
    return RequestStats(_request_counts(rows, days[None]), directions)


@dataclass(frozen=True)
class _RequestGroup:
    direction: str
    type: str
    status: str  # as stored now
    state: str  # at the period's end: completed, closed or open
    n: int


def _request_counts(rows: list[_RequestGroup], days: ProcessingDays) -> RequestCounts:
    by_type: Counter[str] = Counter({k.value: 0 for k in RequestType})
    completed_by_type: Counter[str] = Counter({k.value: 0 for k in RequestType})
    closed_by_type: Counter[str] = Counter({k.value: 0 for k in RequestType})
    by_status: Counter[str] = Counter({s.value: 0 for s in RequestStatus})
    by_state: Counter[str] = Counter()
    for row in rows:
        n = int(row.n)
        by_type[row.type] += n
        by_status[row.status] += n
        by_state[row.state] += n
        if row.state == "completed":
            completed_by_type[row.type] += n
        if row.state != "open":
            closed_by_type[row.type] += n
    return RequestCounts(
        total=sum(by_type.values()),
        by_type=dict(by_type),
        by_status=dict(by_status),
        completed_by_type=dict(completed_by_type),
        closed_by_type=dict(closed_by_type),
        open=by_state["open"],
        completed=by_state["completed"],
        processing_days=days,
    )


def _cases(uow: UnitOfWork, scope: Scope) -> CaseStats:
    total, joint_by_kind = 0, Counter[str]()
    for (_, kind, joint), n in sorted(case_groups(uow, scope).items()):
        total += n
        if joint:
            joint_by_kind[kind] += n
    return CaseStats(total, sum(joint_by_kind.values()), joint_by_kind["drugs"], dict(joint_by_kind))


def _operations(uow: UnitOfWork, scope: Scope) -> OperationStats:
    ops = joint_operations(scope).subquery()
    stmt = select(
        ops.c.drug_case,
        ops.c.personnel_party,
        ops.c.personnel_qualifier,
        func.count(),
        func.sum(micro(ops.c.personnel_value)),
        func.sum(micro(func.coalesce(ops.c.personnel_upper, ops.c.personnel_value))),
    ).group_by(ops.c.drug_case, ops.c.personnel_party, ops.c.personnel_qualifier)
    joint = joint_drug = 0
    personnel = Total.zero(Unit.PERSON)
    by_party: dict[str, Total] = {}
    for drug_case, party, qualifier, n, amount, upper in uow.session.execute(stmt):
        joint += int(n)
        joint_drug += int(n) if drug_case else 0
        if qualifier is None:
            continue
        part = _person_total(qualifier, int(n), amount, upper)
        personnel += part
        key = party or "unstated"
        by_party[key] = by_party.get(key, Total.zero(Unit.PERSON)) + part
    return OperationStats(joint, joint_drug, personnel, by_party)


def _person_total(qualifier: str, n: int, amount: Any, upper: Any) -> Total:
    return part_total(Unit.PERSON.value, Basis.UNSTATED.value, qualifier, n, amount, upper)


def _suspects(uow: UnitOfWork, scope: Scope) -> SuspectStats:
    found = suspect_counts(uow, scope)
    caught = found[("", True)]
    return SuspectStats(caught + found[("", False)], caught)


def _drug_info(uow: UnitOfWork, drugs: set[str]) -> dict[str, t.DrugRow]:
    if not drugs:
        return {}
    return {d.id: d for d in uow.session.scalars(select(t.DrugRow).where(t.DrugRow.id.in_(sorted(drugs))))}


def _doses(weight: Total, drug: t.DrugRow) -> DoseEstimate | None:
    """Estimated doses from the drug's catalogue factor, only where one is given and something was weighed."""
    if drug.dose_g is None or weight.count == 0 or not drug.dose_source:
        return None
    quantity = Quantity(weight.value, Unit.KG, qualifier=weight.qualifier, upper=weight.upper)
    return estimate_doses(quantity, Decimal(drug.dose_g), drug.dose_source)


def _seizures(uow: UnitOfWork, scope: Scope) -> SeizureStats:
    tally = seizure_tally(uow, scope)
    per_drug = {drug: n for (_, drug), n in tally.counts.items() if n}
    sums = collect_sums(tally.rows())
    info = _drug_info(uow, set(per_drug))
    by_drug: dict[str, DrugSeizures] = {}
    totals = {"drug": Total.zero(Unit.KG), "precursor": Total.zero(Unit.KG)}
    for drug, n in sorted(per_drug.items()):
        found = sums.get(("", drug))
        zero = Total.zero(Unit.KG)
        by_basis = found.by_basis if found else {b: zero for b in Basis}
        weight = found.weight_kg if found else zero
        category = info[drug].category
        by_drug[drug] = DrugSeizures(
            drug=drug,
            category=category,
            count=int(n),
            by_basis=by_basis,
            counts=found.counts if found else {},
            weight_kg=weight,
            doses=_doses(weight, info[drug]),
        )
        totals[category] = totals[category] + weight
    return SeizureStats(
        count=sum(int(n) for n in per_drug.values()),
        by_drug=by_drug,
        drugs_weight_kg=totals["drug"],
        precursors_weight_kg=totals["precursor"],
        total_weight_kg=totals["drug"] + totals["precursor"],
    )


def _intel(uow: UnitOfWork, scope: Scope) -> IntelStats:
    stmt = (
        select(IR.provider_party, IR.recipient_party, provider_key(), func.count())
        .where(*intel_conditions(scope))
        .group_by(IR.provider_party, IR.recipient_party, provider_key())
    )
    by_direction: Counter[str] = Counter({d: 0 for d in DIRECTIONS})
    by_provider: Counter[str] = Counter()
    by_recipient: Counter[str] = Counter()
    for provider_party, recipient_party, provider, n in uow.session.execute(stmt):
        by_direction[_DIRECTION[provider_party]] += int(n)
        by_provider[provider] += int(n)
        by_recipient[recipient_party] += int(n)
    return IntelStats(
        handovers=sum(by_direction.values()),
        by_direction=dict(by_direction),
        by_provider=_outcomes(uow, scope, provider_key(), by_provider),
        by_recipient=_outcomes(uow, scope, IR.recipient_party, by_recipient),
    )


def _outcomes(uow: UnitOfWork, scope: Scope, key: Any, handovers: Counter[str]) -> dict[str, IntelOutcomes]:
    """What the hand-overs led to, grouped by `key` (provider or receiving side); each record once per group."""
    if not handovers:
        return {}  # no hand-over in the period: nothing it led to, and four queries saved
    led = intel_led_seizures(scope).subquery()
    pairs = select(key.label("k"), led.c.seizure).join(IR, IR.id == led.c.intel).distinct().subquery()
    seized = select(pairs.c.k, S.id, S.drug).join(S, S.id == pairs.c.seizure).subquery()
    seizure_counts = dict(uow.session.execute(select(seized.c.k, func.count()).group_by(seized.c.k)).tuples().all())
    sums = collect_sums(uow.session.execute(quantity_sums(quantities_of(seized, "k").subquery(), "k")), "k")
    people = intel_led_suspects(scope).subquery()
    persons = (
        select(key.label("k"), func.count(distinct(people.c.person))).join(IR, IR.id == people.c.intel).group_by(key)
    )
    suspect_counts = dict(uow.session.execute(persons).tuples().all())
    out: dict[str, IntelOutcomes] = {}
    for k, n in handovers.items():
        weights = {drug: s.weight_kg for (key_value, drug), s in sums.items() if key_value == k}
        out[k] = IntelOutcomes(
            handovers=n,
            seizures=int(seizure_counts.get(k, 0)),
            suspects=int(suspect_counts.get(k, 0)),
            weight_by_drug=weights,
            total_weight_kg=sum(weights.values(), Total.zero(Unit.KG)),
        )
    return out


def _meetings(uow: UnitOfWork, scope: Scope) -> MeetingStats:
    stmt = (
        select(M.kind, M.cross_strait, func.count()).where(*meeting_conditions(scope)).group_by(M.kind, M.cross_strait)
    )
    by_kind: Counter[str] = Counter()
    cross = 0
    for kind, cross_strait, n in uow.session.execute(stmt):
        by_kind[kind] += int(n)
        cross += int(n) if cross_strait else 0
    return MeetingStats(sum(by_kind.values()), cross, dict(by_kind))
