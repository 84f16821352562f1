"""`--by`: the period's figures broken down by one dimension, from the same record sets as the totals.

What each dimension means for each measure (a measure it does not apply to is left empty):

| by        | requests            | joint drug cases & suspects | seizures & weights         | intel hand-overs  |
|-----------|---------------------|-----------------------------|----------------------------|-------------------|
| type      | request type        | –                           | –                          | –                 |
| direction | who asks whom       | –                           | –                          | who gives to whom |
| party     | requesting party    | –                           | party of the place seized  | providing party   |
| month/year| filed_on            | the case's date             | the seizure's date         | the report's date |
| agency    | requesting agency   | every agency of the case    | every agency of the case   | providing agency  |
| drug      | –                   | cases with a seizure of it  | the drug                   | –                 |
| place     | –                   | every place of the case     | the place seized           | –                 |

By agency, drug and place one case can count under several rows, so those rows do not add up to the total.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select

from straitlink.domain.quantity import Total, Unit
from straitlink.stats.model import Breakdown, BreakdownRow
from straitlink.stats.queries import (
    IR,
    P,
    R,
    S,
    Scope,
    collect_sums,
    intel_conditions,
    intel_date,
    joint_drug_cases,
    provider_key,
    request_conditions,
    request_state,
)
from straitlink.stats.rollup import (
    CASE_DIMENSIONS,
    CASE_KEY_DIMENSIONS,
    REQUEST_DIMENSIONS,
    SEIZURE_DIMENSIONS,
    case_groups,
    case_key_counts,
    request_groups,
    seizure_tally,
    suspect_counts,
)
from straitlink.store import tables as t
from straitlink.store.dialect import month_of, year_of
from straitlink.store.uow import UnitOfWork

UNSTATED = "unstated"
_NOT_ADDITIVE = frozenset({"agency", "drug", "place"})
_PERIODS: dict[str, Callable[[Any], ColumnElement[str]]] = {"year": year_of, "month": month_of}


def _direction(party: Any) -> ColumnElement[str]:
    return case((party == "TW", literal("tw_to_cn")), else_=literal("cn_to_tw"))


def compute_breakdown(uow: UnitOfWork, scope: Scope, by: str) -> Breakdown:
    """One row per value of `by`, in key order."""
    requests = _requests(uow, scope, by)
    cases = _cases(uow, scope, by)
    seizures = _seizures(uow, scope, by)
    intel = _intel(uow, scope, by)
    keys: set[str] = set()
    for measure in (requests, cases, seizures, intel):
        keys |= set(measure or {})
    rows = []
    for key in sorted(keys):
        row: dict[str, Any] = {"key": key}
        if requests is not None:
            row["requests"] = requests.get(key, {"total": 0, "tw_to_cn": 0, "cn_to_tw": 0, "completed": 0})
        if cases is not None:
            row["cases_joint_drug"], row["suspects"], row["caught_in_act"] = cases.get(key, (0, 0, 0))
        if seizures is not None:
            count, by_drug = seizures.get(key, (0, {}))
            row["seizures"], row["weight_by_drug"] = count, by_drug
            row["weight_kg"] = sum(by_drug.values(), Total.zero(Unit.KG))
        if intel is not None:
            row["intel_handovers"] = intel.get(key, 0)
        rows.append(BreakdownRow(**row))
    return Breakdown(by, tuple(rows), additive=by not in _NOT_ADDITIVE)


def _requests(uow: UnitOfWork, scope: Scope, by: str) -> dict[str, dict[str, int]] | None:
    out: dict[str, dict[str, int]] = {}
    if by in REQUEST_DIMENSIONS:
        for (k, party, _, _, state), n in request_groups(uow, scope, by).items():
            if n:
                _count_request(out, k, party, state, n)
        return out
    keys: dict[str, Any] = {
        "type": R.type,
        "direction": _direction(R.requesting_party),
        "party": R.requesting_party,
    }
    key = _PERIODS[by](R.filed_on) if by in _PERIODS else keys.get(by)
    if key is None:
        return None
    # Grouping on the subquery's column, not the expression: PostgreSQL would see the expression's bound
    # parameters twice and refuse to match them.
    keyed = (
        select(key.label("k"), R.requesting_party, request_state(scope).label("state"))
        .where(*request_conditions(scope, scan=True))
        .subquery()
    )
    stmt = select(keyed.c.k, keyed.c.requesting_party, keyed.c.state, func.count()).group_by(
        keyed.c.k, keyed.c.requesting_party, keyed.c.state
    )
    for k, party, state, n in uow.session.execute(stmt):
        _count_request(out, str(k), party, state, int(n))
    return out


def _count_request(out: dict[str, dict[str, int]], k: str, party: str, state: str, n: int) -> None:
    row = out.setdefault(k, {"total": 0, "tw_to_cn": 0, "cn_to_tw": 0, "completed": 0})
    row["total"] += n
    row["tw_to_cn" if party == "TW" else "cn_to_tw"] += n
    row["completed"] += n if state == "completed" else 0


def _case_keys(scope: Scope, by: str) -> Any:
    """(case_id, k) pairs for the joint drug cases of the period, by agency, place or drug."""
    cases = joint_drug_cases(scope).subquery()
    if by == "agency":
        ca = t.CaseAgencyRow
        return select(cases.c.id.label("case_id"), ca.agency.label("k")).join(ca, ca.case_id == cases.c.id).distinct()
    if by == "place":
        cp = t.CasePlaceRow
        return select(cases.c.id.label("case_id"), cp.place.label("k")).join(cp, cp.case_id == cases.c.id).distinct()
    assert by == "drug"
    return (
        select(cases.c.id.label("case_id"), S.drug.label("k"))
        .join(S, S.case_id == cases.c.id)
        .where(*scope.real(S))
        .distinct()
    )


def _cases(uow: UnitOfWork, scope: Scope, by: str) -> dict[str, tuple[int, int, int]] | None:
    """Per key: joint drug cases, their suspects, and how many of those were caught in the act."""
    if by in CASE_DIMENSIONS:
        cases = Counter[str]()
        for (k, kind, joint), n in case_groups(uow, scope, by).items():
            cases[k] += n if kind == "drugs" and joint else 0
        suspected = suspect_counts(uow, scope, by)
        caught = {k: suspected[(k, True)] for k in cases}
        return {k: (n, caught[k] + suspected[(k, False)], caught[k]) for k, n in cases.items() if n}
    if by in CASE_KEY_DIMENSIONS:
        return case_key_counts(uow, scope, by, lambda part: _raw_case_keys(uow, part, by))
    return None


def _raw_case_keys(uow: UnitOfWork, scope: Scope, by: str) -> dict[str, tuple[int, int, int]]:
    """Per key, from the raw rows: joint drug cases under each agency, place or drug of theirs, and suspects."""
    keyed = _case_keys(scope, by).subquery()
    counts = dict(uow.session.execute(select(keyed.c.k, func.count()).group_by(keyed.c.k)).tuples().all())
    people = (
        select(keyed.c.k, func.count(), func.sum(case((P.caught_in_act.is_(True), 1), else_=0)))
        .join(P, P.case_id == keyed.c.case_id)
        .where(P.role == "suspect", *scope.real(P))
        .group_by(keyed.c.k)
    )
    found = {str(k): (int(n), int(caught or 0)) for k, n, caught in uow.session.execute(people)}
    return {str(k): (int(n), *found.get(str(k), (0, 0))) for k, n in counts.items()}


def _seizures(uow: UnitOfWork, scope: Scope, by: str) -> dict[str, tuple[int, dict[str, Total]]] | None:
    """Per key: how many seizures, and the one-mass-per-seizure weight of each drug."""
    if by not in SEIZURE_DIMENSIONS:
        return None
    tally = seizure_tally(uow, scope, by, weights=True)
    counts: dict[str, int] = Counter()
    for (k, _), n in tally.counts.items():
        counts[k] += n
    counts = {k: n for k, n in counts.items() if n}
    sums = collect_sums(tally.rows(), "k")
    out: dict[str, tuple[int, dict[str, Total]]] = {str(k): (int(n), {}) for k, n in counts.items()}
    for (k, drug), found in sums.items():
        if found.weight_kg.count:
            out[k][1][drug] = found.weight_kg
    return out


def _intel(uow: UnitOfWork, scope: Scope, by: str) -> dict[str, int] | None:
    keys: dict[str, Any] = {
        "direction": _direction(IR.provider_party),
        "party": IR.provider_party,
        "agency": provider_key(),
    }
    key = _PERIODS[by](intel_date()) if by in _PERIODS else keys.get(by)
    if key is None:
        return None
    keyed = select(key.label("k")).where(*intel_conditions(scope)).subquery()
    stmt = select(keyed.c.k, func.count()).group_by(keyed.c.k)
    return {str(k): int(n) for k, n in uow.session.execute(stmt)}
