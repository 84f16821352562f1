"""`--explain FIGURE`: the stored records behind one statistics key, each with its provenance.

The record sets come from the same selects in `queries.py` that the figures are aggregated from, so what is
listed is exactly what was counted or summed: for a count, one record per unit counted; for a weight, the
seizures whose quantities went into it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from straitlink.domain.access import Principal
from straitlink.domain.errors import InvalidValue
from straitlink.domain.provenance import Provenance
from straitlink.services.processing_times import completed_conditions
from straitlink.stats.model import Figure
from straitlink.stats.queries import (
    IR,
    MASS_UNITS,
    OC,
    C,
    M,
    Q,
    R,
    S,
    Scope,
    counted_seizures,
    intel_conditions,
    intel_led_seizures,
    intel_led_suspects,
    joint_drug_cases,
    joint_operations,
    meeting_conditions,
    provider_key,
    request_conditions,
    request_state,
    suspects,
)
from straitlink.stats.service import compute_statistics
from straitlink.store import mapping
from straitlink.store import tables as t
from straitlink.store.mapping import Mapper
from straitlink.store.scope import visible
from straitlink.store.uow import UnitOfWork

_PARTY = {"tw_to_cn": "TW", "cn_to_tw": "CN"}
_MAPPERS: dict[str, Mapper[Any, Any]] = {
    "request": mapping.REQUESTS,
    "case": mapping.CASES,
    "person": mapping.PERSONS,
    "seizure": mapping.SEIZURES,
    "operation": mapping.OPERATIONS,
    "intel": mapping.INTEL,
    "outcome": mapping.OUTCOMES,
    "meeting": mapping.MEETINGS,
}


@dataclass(frozen=True)
class TracedRecord:
    """One record behind a figure: what it is, when, and where it came from."""

    kind: str
    id: str
    date: dict[str, str] | None
    summary: str
    provenance: dict[str, Any]
    source: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "date": self.date,
            "summary": self.summary,
            "provenance": self.provenance,
            "source": self.source,
        }


@dataclass(frozen=True)
class Explanation:
    key: str
    figure: Figure | None
    counts: dict[str, int]  # records behind the figure, by kind
    records: list[TracedRecord]  # at most `limit` of them
    hidden: int = 0  # records behind the figure that the reader may not see

    @property
    def total_records(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "figure": self.figure.to_json() if self.figure is not None else None,
            "counts": self.counts,
            "hidden": self.hidden,
            "records": [r.to_json() for r in self.records],
        }


Sets = list[tuple[str, Select[Any]]]


def explain_figure(
    uow: UnitOfWork,
    key: str,
    *,
    start: date,
    end: date,
    exclude_synthetic: bool = False,
    limit: int | None = None,
    reader: Principal | None = None,
) -> Explanation:
    """The records behind statistics key `key` for the period, with provenance; at most `limit` listed.

    The figure and its counts are aggregates, whole for every reader; the records listed are only those `reader`
    may see (all of them without a reader), and `hidden` says how many are left out.
    """
    stats = compute_statistics(uow, start=start, end=end, exclude_synthetic=exclude_synthetic)
    scope = Scope(stats.period.start, stats.period.end, exclude_synthetic)
    sets = record_sets(key, scope)
    counts = {kind: _count(uow, ids) for kind, ids in sets}
    shown = dict(counts)
    records: list[TracedRecord] = []
    for kind, ids in sets:
        if reader is not None:
            ids = _visible_ids(ids, kind, reader)
            shown[kind] = _count(uow, ids)
        remaining = None if limit is None else limit - len(records)
        if remaining is not None and remaining <= 0:
            continue
        records.extend(_load(uow, kind, ids, remaining))
    return Explanation(key, stats.figures().get(key), counts, records, sum(counts.values()) - sum(shown.values()))


def _visible_ids(ids: Select[Any], kind: str, reader: Principal) -> Select[Any]:
    """The ids of `ids` that `reader` may see, by the same SQL condition as every list."""
    mapper, found = _MAPPERS[kind], ids.subquery()
    row = mapper.row
    return select(found.c.id).join(row, row.id == found.c.id).where(visible(mapper, reader))


def record_ids(uow: UnitOfWork, key: str, scope: Scope, limit: int | None = None) -> dict[str, list[str]]:
    """Ids of the records behind `key`, by kind (at most `limit` per kind)."""
    out: dict[str, list[str]] = {}
    for kind, ids in record_sets(key, scope):
        sub = ids.subquery()
        stmt = select(sub.c.id).distinct().order_by(sub.c.id)
        out[kind] = list(uow.session.scalars(stmt.limit(limit) if limit else stmt))
    return out


def record_counts(uow: UnitOfWork, key: str, scope: Scope) -> dict[str, int]:
    """How many records of each kind are behind `key`."""
    return {kind: _count(uow, ids) for kind, ids in record_sets(key, scope)}


def record_sets(key: str, scope: Scope) -> Sets:
    """(kind, select of ids) for every kind of record behind `key`; InvalidValue for an unknown key."""
    head, _, rest = key.partition(".")
    resolver = _RESOLVERS.get(head)
    sets = resolver(rest.split(".") if rest else [], scope) if resolver else None
    if sets is None:
        raise InvalidValue("explain", key, "not a statistics key (see docs/statistics.md, e.g. requests.total)")
    return sets


def _requests(parts: list[str], scope: Scope) -> Sets | None:
    where: list[ColumnElement[bool]] = list(request_conditions(scope))
    state = request_state(scope)
    if len(parts) >= 2 and parts[0] == "directions" and parts[1] in _PARTY:
        where.append(R.requesting_party == _PARTY[parts[1]])
        parts = parts[2:]
    match parts:
        case ["total"] | ["completion_rate"]:
            pass
        case ["open"]:
            where.append(state == "open")
        case ["completed"]:
            where.append(state == "completed")
        case ["by_direction", direction] if direction in _PARTY:
            where.append(R.requesting_party == _PARTY[direction])
        case ["by_type", kind]:
            where.append(R.type == kind)
        case ["completed_by_type", kind]:
            where += [R.type == kind, state == "completed"]
        case ["closed"]:
            where.append(state != "open")
        case ["closed_by_type", kind]:
            where += [R.type == kind, state != "open"]
        case ["completion_rate_by_type", kind]:
            where.append(R.type == kind)
        case ["by_status", status]:
            where.append(R.status == status)
        case ["processing_days", *_]:
            where += completed_conditions(scope)  # the service's definition: exactly the days counted
        case _:
            return None
    return [("request", select(R.id).where(*where))]


def _cases(parts: list[str], scope: Scope) -> Sets | None:
    where: list[ColumnElement[bool]] = [scope.dated(C.date_earliest), *scope.real(C)]
    match parts:
        case ["total"]:
            pass
        case ["joint"]:
            where.append(C.joint.is_(True))
        case ["joint_drug"]:
            return [("case", joint_drug_cases(scope))]
        case ["joint_by_kind", kind]:
            where += [C.joint.is_(True), C.kind == kind]
        case _:
            return None
    return [("case", select(C.id).where(*where))]


def _operations(parts: list[str], scope: Scope) -> Sets | None:
    ops = joint_operations(scope).subquery()
    match parts:
        case ["joint"]:
            return [("operation", select(ops.c.id))]
        case ["joint_drug"]:
            return [("operation", select(ops.c.id).where(ops.c.drug_case.is_(True)))]
        case ["personnel"]:
            return [("operation", select(ops.c.id).where(ops.c.personnel_value.is_not(None)))]
        case ["personnel_by_party", party]:
            where = ops.c.personnel_party.is_(None) if party == "unstated" else ops.c.personnel_party == party
            return [("operation", select(ops.c.id).where(ops.c.personnel_value.is_not(None), where))]
    return None


def _suspects(parts: list[str], scope: Scope) -> Sets | None:
    found = suspects(scope).subquery()
    match parts:
        case ["total"]:
            return [("person", select(found.c.id))]
        case ["caught_in_act"]:
            return [("person", select(found.c.id).where(found.c.caught_in_act.is_(True)))]
    return None


def _with_quantity(seizures: Any, *conditions: ColumnElement[bool]) -> Select[Any]:
    """Seizures of the subquery that state a quantity meeting the conditions."""
    has = select(Q.seizure).where(*conditions)
    return select(seizures.c.id).where(seizures.c.id.in_(has))


def _seizures(parts: list[str], scope: Scope) -> Sets | None:
    counted = counted_seizures(scope).subquery()
    mass = Q.unit.in_(MASS_UNITS)
    category = select(t.DrugRow.id).where(t.DrugRow.category == "precursor")
    match parts:
        case ["count"]:
            return [("seizure", select(counted.c.id))]
        case ["total_weight_kg"]:
            return [("seizure", _with_quantity(counted, mass))]
        case ["drugs_weight_kg"]:
            return [("seizure", _with_quantity(counted, mass).where(counted.c.drug.not_in(category)))]
        case ["precursors_weight_kg"]:
            return [("seizure", _with_quantity(counted, mass).where(counted.c.drug.in_(category)))]
        case ["by_drug", drug, *detail]:
            of_drug = select(counted).where(counted.c.drug == drug).subquery()
            match detail:
                case [] | ["count"] | ["category"]:
                    return [("seizure", select(of_drug.c.id))]
                case ["gross" | "net" | "unstated" as basis]:
                    return [("seizure", _with_quantity(of_drug, mass, Q.basis == basis))]
                case ["counts", unit]:
                    return [("seizure", _with_quantity(of_drug, Q.unit == unit))]
                case ["weight_kg"] | ["doses_estimate"]:
                    return [("seizure", _with_quantity(of_drug, mass))]
        case ["doses_estimate"]:
            with_factor = select(t.DrugRow.id).where(t.DrugRow.dose_g.is_not(None))
            return [("seizure", _with_quantity(counted, mass).where(counted.c.drug.in_(with_factor)))]
    return None


def _intel(parts: list[str], scope: Scope) -> Sets | None:
    where = intel_conditions(scope)
    match parts:
        case ["handovers"]:
            return [("intel", select(IR.id).where(*where))]
        case ["by_direction", direction] if direction in _PARTY:
            return [("intel", select(IR.id).where(*where, IR.provider_party == _PARTY[direction]))]
        case ["by_provider" | "by_recipient" as group, key, *detail]:
            mine = provider_key() == key if group == "by_provider" else IR.recipient_party == key
            reports = select(IR.id).where(*where, mine)
            led = intel_led_seizures(scope).subquery()
            seized = select(led.c.seizure.label("id")).where(led.c.intel.in_(reports))
            people = intel_led_suspects(scope).subquery()
            persons = select(people.c.person.label("id")).where(people.c.intel.in_(reports))
            outcomes = select(OC.id).where(OC.intel.in_(reports), *scope.real(OC))
            match detail:
                case []:
                    return [("intel", reports), ("outcome", outcomes), ("seizure", seized), ("person", persons)]
                case ["handovers"]:
                    return [("intel", reports)]
                case ["seizures"] | ["total_weight_kg"]:
                    return [("seizure", seized)]
                case ["weight_by_drug", drug]:
                    return [("seizure", select(S.id).where(S.id.in_(seized), S.drug == drug))]
                case ["suspects"]:
                    return [("person", persons)]
    return None


def _meetings(parts: list[str], scope: Scope) -> Sets | None:
    where = meeting_conditions(scope)
    match parts:
        case ["total"]:
            return [("meeting", select(M.id).where(*where))]
        case ["cross_strait"]:
            return [("meeting", select(M.id).where(*where, M.cross_strait.is_(True)))]
        case ["by_kind", kind]:
            return [("meeting", select(M.id).where(*where, M.kind == kind))]
    return None


_RESOLVERS: dict[str, Callable[[list[str], Scope], Sets | None]] = {
    "requests": _requests,
    "cases": _cases,
    "operations": _operations,
    "suspects": _suspects,
    "seizures": _seizures,
    "intel": _intel,
    "meetings": _meetings,
}


def _count(uow: UnitOfWork, ids: Select[Any]) -> int:
    sub = ids.subquery()
    return int(uow.session.scalar(select(func.count(func.distinct(sub.c.id)))) or 0)


def _load(uow: UnitOfWork, kind: str, ids: Select[Any], limit: int | None) -> list[TracedRecord]:
    mapper = _MAPPERS[kind]
    row = mapper.row
    stmt = select(row).where(row.id.in_(ids))
    order = [row.filed_on] if row is R else [row.date_earliest] if hasattr(row, "date_earliest") else []
    stmt = stmt.order_by(*order, row.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = list(uow.session.scalars(stmt))
    documents = _documents(uow, {r.prov_document for r in rows if r.prov_document})
    out = []
    for r in rows:
        record = mapper.from_row(r)
        provenance: Provenance = record.provenance
        when = getattr(record, "date", None) or getattr(record, "opened_on", None)
        shown = when.to_json() if when is not None else None
        if kind == "request":
            shown = {"iso": record.filed_on.isoformat()}
        out.append(
            TracedRecord(
                kind=kind,
                id=record.id,
                date=shown,
                summary=_SUMMARY[kind](record),
                provenance=provenance.to_json(),
                source=documents.get(provenance.document or ""),
            )
        )
    return out


def _documents(uow: UnitOfWork, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    rows = uow.session.scalars(select(t.SourceDocumentRow).where(t.SourceDocumentRow.id.in_(sorted(ids))))
    return {d.id: {"id": d.id, "title": d.title, "publisher": d.publisher, "url": d.url} for d in rows}


def _quantities(record: Any) -> str:
    return ", ".join(q.format_en() for q in record.quantities)


_SUMMARY: dict[str, Callable[[Any], str]] = {
    "request": lambda r: f"{r.direction.value} {r.type.value} {r.status.value}: {r.subject}",
    "case": lambda r: f"{r.kind.value}{' joint' if r.joint else ''}: {r.title}",
    "person": lambda r: f"{r.role.value}{' caught in the act' if r.caught_in_act else ''} in case {r.case}",
    "seizure": lambda r: f"{r.drug} {_quantities(r)}" + (f" at {r.place}" if r.place else ""),
    "operation": lambda r: r.name + (f" ({r.personnel.format_en()})" if r.personnel else ""),
    "intel": lambda r: f"{r.provider_agency or r.provider_party.value} → {r.recipient_party.value}: {r.summary}",
    "outcome": lambda r: f"intel {r.intel} → case {r.case or '-'}, {len(r.seizures)} seizure(s)",
    "meeting": lambda r: f"{r.kind.value}: {r.title}",
}
