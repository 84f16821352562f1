"""`stats --verify-rollups`: every rollup row recounted from the raw rows, and each difference reported.

The triggers of migration 0003 keep the rollups (store/tables_stats.py); this recount is written apart from them,
in SQLAlchemy Core by the definitions of docs/statistics.md, so a trigger that went wrong — or was lost, say by
a later migration rebuilding a table on SQLite — shows up as a difference instead of as a wrong figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, case, func, literal, select, union_all

from straitlink.stats.queries import (
    CLOSED,
    MASS_UNITS,
    C,
    P,
    Q,
    R,
    S,
    micro,
)
from straitlink.store import tables as t
from straitlink.store import tables_stats as ts
from straitlink.store.dialect import days_between, month_of
from straitlink.store.uow import UnitOfWork

Key = tuple[Any, ...]
Values = tuple[int, ...]


@dataclass(frozen=True)
class Difference:
    """One key of one rollup whose stored values differ from the recount (zeros where a side has no row)."""

    table: str
    key: dict[str, Any]
    stored: dict[str, int]
    recounted: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"table": self.table, "key": self.key, "stored": self.stored, "recounted": self.recounted}


@dataclass(frozen=True)
class RollupCheck:
    rows: dict[str, int]  # non-zero rollup rows recounted per table
    differences: list[Difference]

    @property
    def ok(self) -> bool:
        return not self.differences

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "rows": self.rows, "differences": [d.to_json() for d in self.differences]}


def _synthetic(row: Any) -> ColumnElement[bool]:
    return row.prov_kind == "synthetic"


def _joint_drug(case_row: Any) -> ColumnElement[bool]:
    return func.coalesce(and_(case_row.kind == "drugs", case_row.joint.is_(True)), False)


def _case_synthetic(case_row: Any) -> ColumnElement[bool]:
    return func.coalesce(and_(case_row.kind == "drugs", case_row.joint.is_(True), _synthetic(case_row)), False)


def _grouped(keys: dict[str, Any], values: dict[str, Any], source: Select[Any]) -> Select[Any]:
    """The select's keys and summed values, grouped through a subquery (PostgreSQL matches bound parameters then)."""
    columns = [*(e.label(k) for k, e in keys.items()), *(v.label(k) for k, v in values.items())]
    sub = source.with_only_columns(*columns, maintain_column_froms=True).subquery()
    grouped = [sub.c[k] for k in keys]
    return select(*grouped, *(func.sum(sub.c[k]).label(k) for k in values)).group_by(*grouped)


def _requests() -> Select[Any]:
    closed = case((and_(R.status.in_(CLOSED), R.closed_on.is_not(None)), month_of(R.closed_on)), else_=literal(""))
    keys = {
        "filed_month": month_of(R.filed_on),
        "requesting_party": R.requesting_party,
        "type": R.type,
        "status": R.status,
        "synthetic": _synthetic(R),
        "closed_month": closed,
    }
    return _grouped(keys, {"n": literal(1)}, select(R.id))


def _request_days() -> Select[Any]:
    keys = {
        "filed_month": month_of(R.filed_on),
        "requesting_party": R.requesting_party,
        "synthetic": _synthetic(R),
        "closed_month": month_of(R.closed_on),
        "days": days_between(R.received_on, R.closed_on),
    }
    done = select(R.id).where(R.status == "completed", R.received_on.is_not(None), R.closed_on.is_not(None))
    return _grouped(keys, {"n": literal(1)}, done)


def _cases() -> Select[Any]:
    keys = {"month": month_of(C.date_earliest), "kind": C.kind, "joint": C.joint, "synthetic": _synthetic(C)}
    return _grouped(keys, {"n": literal(1)}, select(C.id).where(C.date_earliest.is_not(None)))


def _suspects() -> Select[Any]:
    keys = {
        "month": month_of(C.date_earliest),
        "joint_drug": _joint_drug(C),
        "case_synthetic": _case_synthetic(C),
        "synthetic": _synthetic(P),
        "caught_in_act": P.caught_in_act,
    }
    people = select(P.id).join(C, C.id == P.case_id).where(P.role == "suspect", C.date_earliest.is_not(None))
    return _grouped(keys, {"n": literal(1)}, people)


def _seizure_keys() -> dict[str, Any]:
    return {
        "month": month_of(S.date_earliest),
        "drug": S.drug,
        "joint_drug": _joint_drug(C),
        "case_synthetic": _case_synthetic(C),
        "synthetic": _synthetic(S),
    }


def _seizures(more: dict[str, Any] | None = None, agencies: Any = None) -> Select[Any]:
    """Each seizure under its one counted mass: net, else gross, else unstated; the first stated wins a tie.

    With `agencies` ((case_id, agency) pairs, each once), only the seizures of joint drug cases, once under each
    agency of their case.
    """
    priority = case((Q.basis == "net", 0), (Q.basis == "gross", 1), else_=2)
    rank = func.row_number().over(partition_by=Q.seizure, order_by=(priority, Q.position)).label("rank")
    ranked = select(Q.seizure, Q.unit, Q.basis, Q.qualifier, Q.value, Q.upper, rank).where(Q.unit.in_(MASS_UNITS))
    m = ranked.subquery()
    base = _seizure_keys()
    if agencies is not None:
        del base["joint_drug"]
    keys = (
        base
        | (more or {})
        | {
            "unit": func.coalesce(m.c.unit, ""),
            "basis": func.coalesce(m.c.basis, ""),
            "qualifier": func.coalesce(m.c.qualifier, ""),
        }
    )
    values = {
        "n": literal(1),
        "micro": func.coalesce(micro(m.c.value), 0),
        "micro_upper": func.coalesce(micro(func.coalesce(m.c.upper, m.c.value)), 0),
    }
    seized = (
        select(S.id)
        .outerjoin(C, C.id == S.case_id)
        .outerjoin(m, and_(m.c.seizure == S.id, m.c.rank == 1))
        .where(S.date_earliest.is_not(None))
    )
    if agencies is not None:
        seized = seized.join(agencies, agencies.c.case_id == S.case_id).where(_joint_drug(C))
    return _grouped(keys, values, seized)


def _quantities() -> Select[Any]:
    keys = _seizure_keys() | {"unit": Q.unit, "basis": Q.basis, "qualifier": Q.qualifier}
    values = {"n": literal(1), "micro": micro(Q.value), "micro_upper": micro(func.coalesce(Q.upper, Q.value))}
    rows = select(Q.seizure).join(S, S.id == Q.seizure).outerjoin(C, C.id == S.case_id)
    return _grouped(keys, values, rows.where(S.date_earliest.is_not(None)))


def _request_agencies() -> Select[Any]:
    closed = case((and_(R.status.in_(CLOSED), R.closed_on.is_not(None)), month_of(R.closed_on)), else_=literal(""))
    keys = {
        "requesting_agency": func.coalesce(R.requesting_agency, ""),
        "requesting_party": R.requesting_party,
        "status": R.status,
        "filed_month": month_of(R.filed_on),
        "closed_month": closed,
        "synthetic": _synthetic(R),
    }
    return _grouped(keys, {"n": literal(1)}, select(R.id))


def _seizure_places() -> Select[Any]:
    """Each seizure under the place seized ('' for none) and its one counted mass, as _seizures() finds it."""
    return _seizures({"place": func.coalesce(S.place, "")})


def _by_year(monthly: Callable[[], Select[Any]], month: str, year: str, *drop: str) -> Callable[[], Select[Any]]:
    """A monthly recount summed per year of its `month` column, less the `drop`ped keys: the rollups of 0015."""

    def recount() -> Select[Any]:
        sub = monthly().subquery()
        sums = [c for c in sub.c if c.name in ("n", "micro", "micro_upper")]
        keys = [c for c in sub.c if c.name not in (month, *drop) and c not in sums]
        grouped = [*keys, func.substr(sub.c[month], 1, 4).label(year)]
        return select(*grouped, *(func.sum(c).label(c.name) for c in sums)).group_by(*grouped)

    return recount


RECOUNTS = {
    ts.RequestRollupRow: _requests,
    ts.RequestDaysRollupRow: _request_days,
    ts.CaseRollupRow: _cases,
    ts.SuspectRollupRow: _suspects,
    ts.SeizureRollupRow: _seizures,
    ts.SeizureQuantityRollupRow: _quantities,
    ts.RequestAgencyRollupRow: _request_agencies,
    ts.SeizurePlaceRollupRow: _seizure_places,
    ts.RequestYearRollupRow: _by_year(_requests, "filed_month", "filed_year", "closed_month"),
    ts.RequestDaysYearRollupRow: _by_year(_request_days, "filed_month", "filed_year", "closed_month"),
    ts.SeizureYearRollupRow: _by_year(_seizures, "month", "year"),
    ts.SeizureQuantityYearRollupRow: _by_year(_quantities, "month", "year"),
    ts.SeizurePlaceYearRollupRow: _by_year(_seizure_places, "month", "year"),
}


def verify_rollups(uow: UnitOfWork) -> RollupCheck:
    """Recount every rollup from the raw rows; the differences, and how many rows each table should hold."""
    differences: list[Difference] = []
    rows: dict[str, int] = {}
    for model, recount in RECOUNTS.items():
        table: Table = model.__table__  # type: ignore[assignment]
        keys = [c.name for c in table.primary_key.columns]
        values = [c.name for c in table.columns if c.name not in keys]
        stored = _indexed(uow.session.execute(select(table)), keys, values)
        fresh = _indexed(uow.session.execute(recount()), keys, values)
        rows[table.name] = len(fresh)
        for key in sorted(set(stored) | set(fresh), key=repr):
            have, want = stored.get(key, (0,) * len(values)), fresh.get(key, (0,) * len(values))
            if have != want:
                differences.append(
                    Difference(
                        table.name, dict(zip(keys, key, strict=True)), _named(values, have), _named(values, want)
                    )
                )
    return RollupCheck(rows, differences)


def _indexed(result: Any, keys: list[str], values: list[str]) -> dict[Key, Values]:
    """Rows as key → values, without the all-zero rows a count that fell back to nothing leaves behind."""
    out: dict[Key, Values] = {}
    for row in result.mappings():
        found = tuple(int(row[v]) for v in values)
        if any(found):
            out[tuple(row[k] for k in keys)] = found
    return out


def _named(names: list[str], values: Values) -> dict[str, int]:
    return dict(zip(names, values, strict=True))


def _case_keys() -> Select[Any]:
    """Joint drug cases with a date under each agency, place and drug of theirs, with their suspects."""
    ca, cp = t.CaseAgencyRow, t.CasePlaceRow
    synthetic_seizure = case((_synthetic(S), 1), else_=0)
    keyed = union_all(
        select(
            ca.case_id, literal("agency").label("dimension"), ca.agency.label("key"), literal(False).label("only")
        ).distinct(),
        select(cp.case_id, literal("place"), cp.place, literal(False)).distinct(),
        select(S.case_id, literal("drug"), S.drug, func.min(synthetic_seizure) == 1)
        .where(S.case_id.is_not(None))
        .group_by(S.case_id, S.drug),
    ).subquery()
    real = P.prov_kind != "synthetic"
    caught = P.caught_in_act.is_(True)
    people = (
        select(
            P.case_id,
            func.count().label("s"),
            func.sum(case((caught, 1), else_=0)).label("sc"),
            func.sum(case((real, 1), else_=0)).label("r"),
            func.sum(case((and_(caught, real), 1), else_=0)).label("rc"),
        )
        .where(P.role == "suspect")
        .group_by(P.case_id)
        .subquery()
    )
    keys = {
        "dimension": keyed.c.dimension,
        "key": keyed.c.key,
        "month": month_of(C.date_earliest),
        "synthetic": _synthetic(C),
        "only_synthetic": keyed.c.only,
    }
    values = {
        "n": literal(1),
        "suspects": func.coalesce(people.c.s, 0),
        "caught": func.coalesce(people.c.sc, 0),
        "suspects_real": func.coalesce(people.c.r, 0),
        "caught_real": func.coalesce(people.c.rc, 0),
    }
    cases = (
        select(C.id)
        .join(keyed, keyed.c.case_id == C.id)
        .outerjoin(people, people.c.case_id == C.id)
        .where(C.kind == "drugs", C.joint.is_(True), C.date_earliest.is_not(None))
    )
    return _grouped(keys, values, cases)


def _seizure_agencies() -> Select[Any]:
    """Seizures of joint drug cases under each agency of their case and their one counted mass."""
    ca = t.CaseAgencyRow
    agencies = select(ca.case_id, ca.agency).distinct().subquery()
    return _seizures({"agency": agencies.c.agency}, agencies)


RECOUNTS[ts.CaseKeyRollupRow] = _case_keys
RECOUNTS[ts.SeizureAgencyRollupRow] = _seizure_agencies
RECOUNTS[ts.SeizureAgencyYearRollupRow] = _by_year(_seizure_agencies, "month", "year")
