"""What the statistics service returns: typed sections, their documented JSON keys, and a flat figure index.

The JSON keys are a public contract (docs/statistics.md): the CLI, the web UI, exports, bulletins and the
reconciliation with published figures all read the same document, and a published figure's `metric` names one
of its dotted keys.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from straitlink.domain.agreement import IN_FORCE_ON
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue
from straitlink.domain.quantity import Basis, DoseEstimate, Qualifier, Total, Unit, canonical

# "Since the Agreement" figures start on the day it took effect.
AGREEMENT_IN_FORCE = IN_FORCE_ON
# Signed on 2009-04-26; some sources count from signing, and nothing under the Agreement can predate it.
AGREEMENT_SIGNED = date(2009, 4, 26)
DIRECTIONS = ("tw_to_cn", "cn_to_tw")
BASES = (Basis.GROSS, Basis.NET, Basis.UNSTATED)
DIMENSIONS = ("type", "direction", "party", "month", "year", "agency", "drug", "place")


def report_period(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """A report's `from` and `to` as given (ISO or ROC, partial dates from their first day to their last), by
    default from the Agreement's taking effect to today; a period must have begun by today to be reported on."""
    low = PartialDate.parse(start, field="from").earliest() if start else AGREEMENT_IN_FORCE
    high = PartialDate.parse(end, field="to").latest() if end else today
    if low > today:
        raise InvalidValue("from", start, f"after today ({today.isoformat()}): nothing has happened in it yet")
    if low > high:
        raise InvalidValue("from", start or low.isoformat(), f"after to ({high.isoformat()})")
    return low, high


@dataclass(frozen=True)
class Period:
    """Both ends inclusive."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise InvalidValue("from", self.start.isoformat(), f"after to ({self.end.isoformat()})")

    def to_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class ProcessingDays:
    """Days from receipt to completion of completed requests: median and 90th percentile (linear interpolation)."""

    count: int
    median: Decimal | None
    p90: Decimal | None

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "median": _dec(self.median), "p90": _dec(self.p90)}


@dataclass(frozen=True)
class RequestCounts:
    """Requests filed in the period, in one direction or both."""

    total: int
    by_type: Mapping[str, int]
    by_status: Mapping[str, int]
    completed_by_type: Mapping[str, int]
    closed_by_type: Mapping[str, int]
    open: int
    completed: int
    processing_days: ProcessingDays

    @property
    def closed(self) -> int:
        """Completed, refused, unable or withdrawn."""
        return self.total - self.open

    @property
    def completion_rate(self) -> Decimal | None:
        """Completed over filed, in percent to two places; None when nothing was filed."""
        return rate(self.completed, self.total)

    def completion_rate_by_type(self) -> dict[str, str | None]:
        return {k: _dec(rate(self.completed_by_type[k], n)) for k, n in self.by_type.items()}

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "open": self.open,
            "completed": self.completed,
            "closed": self.closed,
            "completion_rate": _dec(self.completion_rate),
            "by_type": dict(self.by_type),
            "completed_by_type": dict(self.completed_by_type),
            "closed_by_type": dict(self.closed_by_type),
            "completion_rate_by_type": self.completion_rate_by_type(),
            "by_status": dict(self.by_status),
            "processing_days": self.processing_days.to_json(),
        }


@dataclass(frozen=True)
class RequestStats:
    both: RequestCounts
    directions: Mapping[str, RequestCounts]

    def to_json(self) -> dict[str, Any]:
        out = self.both.to_json()
        out["by_direction"] = {d: self.directions[d].total for d in DIRECTIONS}
        out["directions"] = {d: self.directions[d].to_json() for d in DIRECTIONS}
        return out


@dataclass(frozen=True)
class CaseStats:
    total: int
    joint: int
    joint_drug: int
    joint_by_kind: Mapping[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "joint": self.joint,
            "joint_drug": self.joint_drug,
            "joint_by_kind": dict(self.joint_by_kind),
        }


@dataclass(frozen=True)
class OperationStats:
    """Operations of joint cases, and the personnel they deployed (persons, qualifiers carried through)."""

    joint: int
    joint_drug: int
    personnel: Total
    personnel_by_party: Mapping[str, Total]

    def to_json(self) -> dict[str, Any]:
        return {
            "joint": self.joint,
            "joint_drug": self.joint_drug,
            "personnel": self.personnel.to_json(),
            "personnel_by_party": {p: t.to_json() for p, t in self.personnel_by_party.items()},
        }


@dataclass(frozen=True)
class SuspectStats:
    total: int
    caught_in_act: int

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "caught_in_act": self.caught_in_act}


@dataclass(frozen=True)
class DrugSeizures:
    """One drug's seizures: every weight basis apart, counts (blocks, tablets) apart, one mass per seizure."""

    drug: str
    category: str
    count: int
    by_basis: Mapping[Basis, Total]
    counts: Mapping[str, Total]
    weight_kg: Total
    doses: DoseEstimate | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"category": self.category, "count": self.count}
        out |= {str(b): self.by_basis[b].to_json() for b in BASES}
        out["counts"] = {u: t.to_json() for u, t in sorted(self.counts.items())}
        out["weight_kg"] = self.weight_kg.to_json()
        out["doses_estimate"] = self.doses.to_json() if self.doses is not None else None
        return out


@dataclass(frozen=True)
class SeizureStats:
    count: int
    by_drug: Mapping[str, DrugSeizures]
    drugs_weight_kg: Total
    precursors_weight_kg: Total
    total_weight_kg: Total

    @property
    def doses_estimate(self) -> Total | None:
        """Estimated doses summed over the drugs that have a dose factor; None when none has."""
        parts = [
            Total(d.doses.doses, Unit.DOSE, d.doses.qualifier, d.doses.upper, frozenset(), 1)
            for d in self.by_drug.values()
            if d.doses is not None
        ]
        return sum(parts[1:], parts[0]) if parts else None

    def to_json(self) -> dict[str, Any]:
        doses = self.doses_estimate
        estimate = None
        if doses is not None:
            estimate = {"doses": canonical(doses.value), "qualifier": str(doses.qualifier), "estimate": True}
            estimate |= {"label": "estimate", "drugs": sorted(d for d, s in self.by_drug.items() if s.doses)}
            estimate |= {"upper": canonical(doses.upper)} if doses.upper is not None else {}
        return {
            "count": self.count,
            "total_weight_kg": self.total_weight_kg.to_json(),
            "drugs_weight_kg": self.drugs_weight_kg.to_json(),
            "precursors_weight_kg": self.precursors_weight_kg.to_json(),
            "doses_estimate": estimate,
            "by_drug": {d: s.to_json() for d, s in sorted(self.by_drug.items())},
        }


@dataclass(frozen=True)
class IntelOutcomes:
    """What the hand-overs of one provider (or to one receiving side) led to."""

    handovers: int
    seizures: int
    suspects: int
    weight_by_drug: Mapping[str, Total]
    total_weight_kg: Total

    def to_json(self) -> dict[str, Any]:
        return {
            "handovers": self.handovers,
            "seizures": self.seizures,
            "suspects": self.suspects,
            "weight_by_drug": {d: t.to_json() for d, t in sorted(self.weight_by_drug.items())},
            "total_weight_kg": self.total_weight_kg.to_json(),
        }


@dataclass(frozen=True)
class IntelStats:
    handovers: int
    by_direction: Mapping[str, int]
    by_provider: Mapping[str, IntelOutcomes]
    by_recipient: Mapping[str, IntelOutcomes]

    def to_json(self) -> dict[str, Any]:
        return {
            "handovers": self.handovers,
            "by_direction": dict(self.by_direction),
            "by_provider": {k: v.to_json() for k, v in sorted(self.by_provider.items())},
            "by_recipient": {k: v.to_json() for k, v in sorted(self.by_recipient.items())},
        }


@dataclass(frozen=True)
class MeetingStats:
    total: int
    cross_strait: int
    by_kind: Mapping[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "cross_strait": self.cross_strait, "by_kind": dict(self.by_kind)}


@dataclass(frozen=True)
class BreakdownRow:
    """One value of the --by dimension; a measure the dimension does not apply to is None."""

    key: str
    requests: Mapping[str, int] | None = None  # total, tw_to_cn, cn_to_tw, completed
    cases_joint_drug: int | None = None
    suspects: int | None = None
    caught_in_act: int | None = None
    seizures: int | None = None
    weight_kg: Total | None = None
    weight_by_drug: Mapping[str, Total] | None = None
    intel_handovers: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "requests": dict(self.requests) if self.requests is not None else None,
            "cases_joint_drug": self.cases_joint_drug,
            "suspects": self.suspects,
            "caught_in_act": self.caught_in_act,
            "seizures": self.seizures,
            "weight_kg": self.weight_kg.to_json() if self.weight_kg is not None else None,
            "weight_by_drug": (
                {d: t.to_json() for d, t in sorted(self.weight_by_drug.items())}
                if self.weight_by_drug is not None
                else None
            ),
            "intel_handovers": self.intel_handovers,
        }


@dataclass(frozen=True)
class Breakdown:
    by: str
    rows: tuple[BreakdownRow, ...]
    # Rows of these dimensions may share records (a case with two agencies counts under both).
    additive: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"by": self.by, "additive": self.additive, "rows": [r.to_json() for r in self.rows]}


@dataclass(frozen=True)
class Statistics:
    period: Period
    exclude_synthetic: bool
    requests: RequestStats
    cases: CaseStats
    operations: OperationStats
    suspects: SuspectStats
    seizures: SeizureStats
    intel: IntelStats
    meetings: MeetingStats
    breakdown: Breakdown | None = None
    definitions_version: int = field(default=1)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "period": self.period.to_json(),
            "exclude_synthetic": self.exclude_synthetic,
            "definitions_version": self.definitions_version,
            "requests": self.requests.to_json(),
            "cases": self.cases.to_json(),
            "operations": self.operations.to_json(),
            "suspects": self.suspects.to_json(),
            "seizures": self.seizures.to_json(),
            "intel": self.intel.to_json(),
            "meetings": self.meetings.to_json(),
        }
        if self.breakdown is not None:
            out["breakdown"] = self.breakdown.to_json()
        return out

    def figures(self) -> dict[str, Figure]:
        """Every figure by its dotted key (`requests.by_direction.tw_to_cn`), breakdown rows left out."""
        document = self.to_json()
        document.pop("breakdown", None)
        for meta in ("period", "exclude_synthetic", "definitions_version"):
            document.pop(meta)
        return dict(_walk("", document))


@dataclass(frozen=True)
class Figure:
    """One computed figure as reconciliation compares it: a value, its unit and how exact it is."""

    value: Decimal
    unit: str
    qualifier: Qualifier = Qualifier.EXACT
    upper: Decimal | None = None
    estimate: bool = False

    def to_json(self) -> dict[str, Any]:
        out = {"value": canonical(self.value), "unit": self.unit, "qualifier": str(self.qualifier)}
        if self.upper is not None:
            out["upper"] = canonical(self.upper)
        return out | ({"estimate": True} if self.estimate else {})


# The unit a plain number has, by the last part of its key; everything else counted is a number of records.
_UNIT_BY_LEAF = {"completion_rate": "percent", "median": "day", "p90": "day"}
_UNIT_BY_GROUP = {"completion_rate_by_type": "percent"}


def _walk(prefix: str, node: Any) -> Iterator[tuple[str, Figure]]:
    if isinstance(node, Mapping):
        if "doses" in node and node.get("estimate"):
            upper = Decimal(node["upper"]) if "upper" in node else None
            qualifier = Qualifier(node["qualifier"])
            yield prefix, Figure(Decimal(node["doses"]), str(Unit.DOSE), qualifier, upper, estimate=True)
            return
        if "value" in node and "qualifier" in node:
            upper = Decimal(node["upper"]) if "upper" in node else None
            yield prefix, Figure(Decimal(node["value"]), node["unit"], Qualifier(node["qualifier"]), upper)
            return
        for key, value in node.items():
            yield from _walk(f"{prefix}.{key}" if prefix else str(key), value)
        return
    if isinstance(node, bool) or not isinstance(node, int | str):
        return
    try:
        value = Decimal(node)
    except InvalidOperation:  # text such as a drug's category is not a figure
        return
    parts = prefix.split(".")
    unit = _UNIT_BY_LEAF.get(parts[-1]) or (_UNIT_BY_GROUP.get(parts[-2]) if len(parts) > 1 else None)
    yield prefix, Figure(value, unit or "count")


def rate(part: int, whole: int) -> Decimal | None:
    """part of whole in percent, to two places (half to even); None when whole is 0."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"), ROUND_HALF_EVEN)


def _dec(value: Decimal | None) -> str | None:
    return canonical(value) if value is not None else None
