"""Processing times: whole days from a request's receipt to its assignment and to its completion.

Dates come from the request's recorded steps (`request_transition`); where a step was not recorded (imported or
synthetic requests carry only their own date columns) the request's `received_on`, and for completed requests its
`closed_on`, stand in. A request counts in the period when it was filed in it, as elsewhere in the statistics.
The median and the 90th percentile interpolate linearly between the two nearest values (as PostgreSQL's
percentile_cont does).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import case, func, select

from straitlink.domain.parties import Party
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import Direction, RequestStatus
from straitlink.store.tables import AssistanceRequestRow
from straitlink.store.tables_workflow import RequestTransitionRow
from straitlink.store.uow import UnitOfWork

R = AssistanceRequestRow
T = RequestTransitionRow


class ProcessingStep(StrEnum):
    RECEIVED_TO_ASSIGNED = "received_to_assigned"
    RECEIVED_TO_COMPLETED = "received_to_completed"


@dataclass(frozen=True)
class ProcessingTimeRow:
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


def percentile(ordered: list[int], p: Decimal) -> Decimal:
    """The p-th percentile of sorted values by linear interpolation."""
    position = (len(ordered) - 1) * p
    low = int(position)
    fraction = position - low
    if fraction == 0:
        return Decimal(ordered[low])
    return Decimal(ordered[low]) + fraction * (ordered[low + 1] - ordered[low])


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))  # SQLite hands back MIN() over dates as text


def processing_times(
    uow: UnitOfWork, *, start: date | None, end: date | None, exclude_synthetic: bool = False
) -> list[ProcessingTimeRow]:
    """Count, median and p90 of days per request type, direction and step, over requests filed in the period."""
    steps = (
        select(
            T.request_id,
            func.min(case((T.action == "receive", T.occurred_on))).label("received"),
            func.min(case((T.action == "assign", T.occurred_on))).label("assigned"),
            func.min(case((T.action == "complete", T.occurred_on))).label("completed"),
        )
        .where(T.action.in_(("receive", "assign", "complete")))
        .group_by(T.request_id)
        .subquery()
    )
    stmt = select(
        R.type,
        R.requesting_party,
        R.status,
        R.received_on,
        R.closed_on,
        steps.c.received,
        steps.c.assigned,
        steps.c.completed,
    ).outerjoin(steps, steps.c.request_id == R.id)
    if start is not None:
        stmt = stmt.where(R.filed_on >= start)
    if end is not None:
        stmt = stmt.where(R.filed_on <= end)
    if exclude_synthetic:
        stmt = stmt.where(R.prov_kind != "synthetic")
    days: dict[tuple[str, str, ProcessingStep], list[int]] = defaultdict(list)
    for type_, party, status, received_on, closed_on, received, assigned, completed in uow.session.execute(stmt):
        got = _day(received) or _day(received_on)
        if got is None:
            continue
        done = _day(completed) or (_day(closed_on) if status == RequestStatus.COMPLETED.value else None)
        for step, until in (
            (ProcessingStep.RECEIVED_TO_ASSIGNED, _day(assigned)),
            (ProcessingStep.RECEIVED_TO_COMPLETED, done),
        ):
            if until is not None and until >= got:
                days[(type_, party, step)].append((until - got).days)
    rows = []
    for (type_, party, step), values in days.items():
        values.sort()
        rows.append(
            ProcessingTimeRow(
                RequestType(type_),
                Direction.of(Party(party)),
                step,
                len(values),
                percentile(values, Decimal("0.5")),
                percentile(values, Decimal("0.9")),
            )
        )
    return sorted(rows, key=lambda r: (r.type.value, r.direction.value, r.step.value))
