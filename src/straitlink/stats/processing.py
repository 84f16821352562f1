"""Processing days of completed requests: the one place to switch to the workflow's own processing_times().

Until the request workflow records each step, a request's processing time is the whole days from `received_on`
to `closed_on`, over requests filed in the period and completed by its end. Percentiles interpolate linearly between the
two nearest values (as PostgreSQL's percentile_cont does), so the median of 3 and 4 days is 3.5. The histogram of
days comes from `stats/rollup.py`: the days rollup for whole months, the raw rows for the rest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal

from straitlink.stats.model import DIRECTIONS, ProcessingDays
from straitlink.stats.queries import Scope
from straitlink.stats.rollup import day_histograms
from straitlink.store.uow import UnitOfWork

_DIRECTION = {"TW": "tw_to_cn", "CN": "cn_to_tw"}


def processing_days(uow: UnitOfWork, scope: Scope) -> dict[str | None, ProcessingDays]:
    """Per direction, and for both (key None): count, median and 90th percentile of processing days."""
    histograms: dict[str | None, Counter[int]] = {None: Counter(), **{d: Counter() for d in DIRECTIONS}}
    for (party, days), n in day_histograms(uow, scope).items():
        histograms[_DIRECTION[party]][days] += n
        histograms[None][days] += n
    return {key: summarise(h) for key, h in histograms.items()}


def summarise(histogram: Mapping[int, int]) -> ProcessingDays:
    """Count, median and p90 of the values a histogram (value → how many) describes."""
    count = sum(histogram.values())
    if count == 0:
        return ProcessingDays(0, None, None)
    ordered = sorted(histogram.items())
    return ProcessingDays(count, percentile(ordered, count, Decimal("0.5")), percentile(ordered, count, Decimal("0.9")))


def percentile(ordered: list[tuple[int, int]], count: int, p: Decimal) -> Decimal:
    """The p-th percentile by linear interpolation of a sorted histogram holding `count` values."""
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
