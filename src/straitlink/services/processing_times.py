"""Processing times: whole days from a request's receipt to its assignment and to its completion.

The one definition of which days count, shared with the statistics (`processing_days`, docs/statistics.md), for the
requests filed in the period (and real ones only when synthetic records are left out):

- received → completed: requests whose status is `completed`, with both `received_on` and `closed_on`, completed
  by the period's end (`closed_on` on or before its last day) and not before they were received. Days:
  `closed_on` − `received_on`.
- received → assigned: requests with a `received_on` whose `assign` step (the earliest, should there be several)
  is recorded in `request_transition` on or before the period's end and not before the receipt. Days: that
  step's date − `received_on`.

The request's own date columns win over its recorded steps. The workflow sets `received_on` and `closed_on` from
the same date, in the same transaction, as it records the receive and complete steps; imported and synthetic
requests carry only the columns; and the rollup the statistics read for whole months (`request_days_rollup`, kept
by triggers from the columns) can only agree with the columns. Should a row be changed behind the workflow's back,
the columns count. Only the assignment, which no column holds, comes from the recorded steps.

The mergeable form is a histogram (whole days → how many requests) per request type, direction and step:
histograms of any types, directions or months add up, where their medians would not. `summarise()` gives count,
median and 90th percentile of one, interpolating linearly between the two nearest values as PostgreSQL's
`percentile_cont` does. For whole months the received → completed days come from the rollup, which holds no
type: `processing_histograms(by_type=False)` reads it (whole years from its per-year form, request_days_year_rollup,
and the raw rows of partial months, store/periods.py);
with types, the raw rows are read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from straitlink.domain.parties import Party
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import Direction, RequestStatus
from straitlink.store import periods
from straitlink.store.dialect import days_between, scanned
from straitlink.store.periods import Scope
from straitlink.store.tables import AssistanceRequestRow
from straitlink.store.tables_stats import RequestDaysRollupRow, RequestDaysYearRollupRow
from straitlink.store.tables_workflow import RequestTransitionRow
from straitlink.store.uow import UnitOfWork

R = AssistanceRequestRow
RD = RequestDaysRollupRow
RDY = RequestDaysYearRollupRow
T = RequestTransitionRow

MEDIAN = Decimal("0.5")
P90 = Decimal("0.9")


class ProcessingStep(StrEnum):
    """From the receipt to which step."""

    RECEIVED_TO_ASSIGNED = "received_to_assigned"
    RECEIVED_TO_COMPLETED = "received_to_completed"


STEPS: tuple[ProcessingStep, ...] = tuple(ProcessingStep)

# (type, or None when the histogram is of every type; direction; step) → whole days → how many requests.
HistogramKey = tuple[RequestType | None, Direction, ProcessingStep]
Histograms = dict[HistogramKey, Counter[int]]


@dataclass(frozen=True)
class DaysSummary:
    """How many values a histogram holds, their median and 90th percentile (None when it holds none)."""

    count: int
    median: Decimal | None
    p90: Decimal | None


@dataclass(frozen=True)
class ProcessingTimeRow:
    """The summary of one histogram: count, median and 90th percentile of days of one type, direction and step."""

    type: RequestType
    direction: Direction
    step: ProcessingStep
    count: int
    median_days: Decimal
    p90_days: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "direction": self.direction.value,
            "step": self.step.value,
            "count": self.count,
            "median_days": str(self.median_days),
            "p90_days": str(self.p90_days),
        }


# --- histograms ---------------------------------------------------------------------------------------------------


def merge(histograms: Iterable[Mapping[int, int]]) -> Counter[int]:
    """One histogram holding every value of the given ones."""
    out: Counter[int] = Counter()
    for histogram in histograms:
        out.update(histogram)
    return +out


def percentile(histogram: Mapping[int, int], p: Decimal) -> Decimal | None:
    """The p-th percentile (0 ≤ p ≤ 1) of the values a histogram holds, interpolating linearly between neighbours.

    As PostgreSQL's percentile_cont: of n sorted values, the value at 0-based rank (n − 1) × p, between the two
    values around it when that rank is not whole. None for an empty histogram.
    """
    ordered = _sorted(histogram)
    return _percentile(ordered, sum(n for _, n in ordered), p)


def summarise(histogram: Mapping[int, int]) -> DaysSummary:
    """Count, median and 90th percentile of the values a histogram (value → how many) holds."""
    ordered = _sorted(histogram)
    count = sum(n for _, n in ordered)
    return DaysSummary(count, _percentile(ordered, count, MEDIAN), _percentile(ordered, count, P90))


def _sorted(histogram: Mapping[int, int]) -> list[tuple[int, int]]:
    return sorted((value, n) for value, n in histogram.items() if n > 0)


def _percentile(ordered: list[tuple[int, int]], count: int, p: Decimal) -> Decimal | None:
    if count == 0:
        return None
    position = (count - 1) * p
    low_rank = int(position)
    fraction = position - low_rank
    low = _nth(ordered, low_rank)
    if fraction == 0:
        return Decimal(low)
    high = _nth(ordered, low_rank + 1)
    return Decimal(low) + fraction * (high - low)


def _nth(ordered: list[tuple[int, int]], rank: int) -> int:
    """The value at 0-based rank in the sorted values the histogram stands for."""
    seen = 0
    for value, n in ordered:
        seen += n
        if rank < seen:
            return value
    raise IndexError(rank)


# --- which days count ---------------------------------------------------------------------------------------------


def _completed_with_days() -> list[ColumnElement[bool]]:
    """Completed requests whose received → completed days are known (and not negative)."""
    return [
        R.status == RequestStatus.COMPLETED.value,
        R.received_on.is_not(None),
        R.closed_on.is_not(None),
        R.closed_on >= R.received_on,
    ]


def completed_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """The requests (of those filed in the period) whose received → completed days count in it.

    The statistics' `--explain processing_days` lists exactly these.
    """
    return [*_completed_with_days(), R.closed_on <= scope.end, *scope.real(R)]


def _completed_days(keys: list[Any], where: list[ColumnElement[bool]]) -> Select[Any]:
    days = days_between(R.received_on, R.closed_on)
    return select(*keys, days, func.count()).where(*where).group_by(*keys, days)


def _assigned_days(scope: Scope, keys: list[Any]) -> Select[Any]:
    assigned = (
        select(T.request_id, func.min(T.occurred_on).label("on"))
        .where(T.action == "assign")
        .group_by(T.request_id)
        .subquery()
    )
    days = days_between(R.received_on, assigned.c.on)
    return (
        select(*keys, days, func.count())
        .join(assigned, assigned.c.request_id == R.id)
        .where(
            scope.dated(R.filed_on),
            *scope.real(R),
            R.received_on.is_not(None),
            assigned.c.on <= scope.end,
            assigned.c.on >= R.received_on,
        )
        .group_by(*keys, days)
    )


# --- reading them -------------------------------------------------------------------------------------------------


def processing_histograms(
    uow: UnitOfWork, scope: Scope, *, by_type: bool = True, steps: Collection[ProcessingStep] = STEPS
) -> Histograms:
    """Histograms of processing days of the requests filed in the period, per (type, direction, step).

    With `by_type` false every histogram is of all types (type None), and the received → completed days of the
    period's whole months come from the days rollup instead of the raw rows: what the statistics need, as fast.
    """
    # Keyed by the stored strings while rows stream in; the enums are made once per histogram at the end.
    found: defaultdict[tuple[str | None, str, ProcessingStep], Counter[int]] = defaultdict(Counter)

    def add(step: ProcessingStep, rows: Iterable[Any], sign: int = 1) -> None:
        for *key, days, n in rows:
            found[(key[0] if by_type else None, key[-1], step)][int(days)] += sign * int(n)

    keys: list[Any] = [R.type, R.requesting_party] if by_type else [R.requesting_party]
    if ProcessingStep.RECEIVED_TO_COMPLETED in steps:
        completed = ProcessingStep.RECEIVED_TO_COMPLETED
        if by_type:
            stmt = _completed_days(keys, [scope.dated(R.filed_on), *completed_conditions(scope)])
            add(completed, uow.session.execute(stmt))
        else:
            for stmt, sign in _completed_by_direction(scope):
                add(completed, uow.session.execute(stmt), sign)
    if ProcessingStep.RECEIVED_TO_ASSIGNED in steps:
        add(ProcessingStep.RECEIVED_TO_ASSIGNED, uow.session.execute(_assigned_days(scope, keys)))
    out: Histograms = {}
    for (kind, party, step), histogram in found.items():
        if histogram := +histogram:
            out[(RequestType(kind) if kind is not None else None, Direction.of(Party(party)), step)] = histogram
    return out


def _completed_by_direction(scope: Scope) -> list[tuple[Select[Any], int]]:
    """Selects of (party, days, how many) with the sign to add them by: rollup months, raw days around them.

    The rollup keeps the closing month only: of its months, the requests closed in the end month but after a
    mid-month end are taken off again (they were still open at the period's end).
    """
    split = periods.split_period(scope)  # looked up here, so that the tests can force a raw scan
    party = [R.requesting_party]
    out = [
        (_completed_days(party, [part.dated(R.filed_on), *completed_conditions(scope)]), sign)
        for part, sign in split.raw
    ]
    if split.months is None:
        return out
    # `scanned`: SQLite reads the rollup in key order as for the other rollups, instead of skipping through its
    # key for days ≥ 0, which is slower.
    years, months = split.by_year()
    for some in months:
        in_months = [*split.in_months(RD.filed_month, RD.synthetic, months=some), RD.closed_month <= split.end_month]
        days = select(RD.requesting_party, RD.days, func.sum(RD.n)).where(*in_months, scanned(RD.days) >= 0)
        out.append((days.group_by(RD.requesting_party, RD.days), 1))
    if years is not None:
        # Whole years from their histogram (migration 0015), which has no closing month: the requests closed after
        # the end month come off again, found through request_days_rollup's closing-month index.
        in_years = split.in_months(RDY.filed_year, RDY.synthetic, months=years)
        days = select(RDY.requesting_party, RDY.days, func.sum(RDY.n)).where(*in_years, scanned(RDY.days) >= 0)
        out.append((days.group_by(RDY.requesting_party, RDY.days), 1))
        year_months = (f"{years[0]}-01", f"{years[1]}-12")
        late = [*split.in_months(RD.filed_month, RD.synthetic, months=year_months), RD.closed_month > split.end_month]
        days = select(RD.requesting_party, RD.days, func.sum(RD.n)).where(*late, scanned(RD.days) >= 0)
        out.append((days.group_by(RD.requesting_party, RD.days), -1))
    if split.ends_mid_month:
        out.append((_completed_days(party, [*split.closed_late(), *_completed_with_days()]), -1))
    return out


def processing_times(
    uow: UnitOfWork, *, start: date | None, end: date | None, exclude_synthetic: bool = False
) -> list[ProcessingTimeRow]:
    """Count, median and p90 of days per request type, direction and step, over requests filed in the period.

    An open start or end leaves the period open on that side.
    """
    scope = Scope(start or date.min, end or date.max, exclude_synthetic)
    rows = []
    for (kind, direction, step), histogram in processing_histograms(uow, scope).items():
        summary = summarise(histogram)
        assert kind is not None and summary.median is not None and summary.p90 is not None
        rows.append(ProcessingTimeRow(kind, direction, step, summary.count, summary.median, summary.p90))
    return sorted(rows, key=lambda r: (r.type.value, r.direction.value, r.step.value))
