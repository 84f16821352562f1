"""Processing days of completed requests, from the workflow's own processing-times service.

Which days count — received → completed of the requests filed in the period and completed by its end, by the
request's date columns — and how the median and 90th percentile are taken are defined once, in
services/processing_times.py. The statistics ask it for histograms of all types (the days rollup then answers for
whole months) and merge them per direction and for both: medians cannot be combined, histograms can.
"""

from __future__ import annotations

from collections.abc import Mapping

from straitlink.services.processing_times import ProcessingStep, merge, processing_histograms, summarise
from straitlink.stats.model import DIRECTIONS, ProcessingDays
from straitlink.store.periods import Scope
from straitlink.store.uow import UnitOfWork


def processing_days(uow: UnitOfWork, scope: Scope) -> dict[str | None, ProcessingDays]:
    """Per direction, and for both (key None): count, median and 90th percentile of processing days."""
    found = processing_histograms(uow, scope, by_type=False, steps=(ProcessingStep.RECEIVED_TO_COMPLETED,))
    per_direction = {d: merge(h for (_, direction, _), h in found.items() if direction.value == d) for d in DIRECTIONS}
    out: dict[str | None, ProcessingDays] = {None: _days(merge(per_direction.values()))}
    return out | {d: _days(h) for d, h in per_direction.items()}


def _days(histogram: Mapping[int, int]) -> ProcessingDays:
    summary = summarise(histogram)
    return ProcessingDays(summary.count, summary.median, summary.p90)
