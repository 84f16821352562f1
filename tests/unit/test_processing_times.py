"""Processing-time histograms: one percentile, as PostgreSQL's percentile_cont, over histograms that merge."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from straitlink.services.processing_times import MEDIAN, P90, DaysSummary, merge, percentile, summarise

DAYS = st.lists(st.integers(min_value=0, max_value=400), max_size=60)
FRACTIONS = st.decimals(min_value=0, max_value=1, places=3)


def percentile_cont(values: list[int], p: Decimal) -> Decimal | None:
    """The reference, on the values themselves: rank (n − 1) × p of the sorted values, linear in between."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * p
    low = int(position)
    if low + 1 == len(ordered):
        return Decimal(ordered[low])
    return ordered[low] + (position - low) * (ordered[low + 1] - ordered[low])


def test_the_median_and_p90_interpolate_between_neighbours() -> None:
    # 1, 4, 4, 10: the median halfway between the two 4s; p90 at rank 2.7 → 4 + 0.7 × 6.
    assert summarise({1: 1, 4: 2, 10: 1}) == DaysSummary(4, Decimal(4), Decimal("8.2"))
    assert summarise({3: 1, 4: 1}).median == Decimal("3.5")
    # 10, 20, 30, 40: as PostgreSQL's percentile_cont(0.9) gives 37.
    assert summarise({10: 1, 20: 1, 30: 1, 40: 1}) == DaysSummary(4, Decimal(25), Decimal(37))
    assert summarise({7: 1}) == DaysSummary(1, Decimal(7), Decimal(7))


def test_an_empty_histogram_has_no_percentiles_and_zero_counts_are_no_values() -> None:
    assert summarise({}) == DaysSummary(0, None, None)
    assert summarise({5: 0, 9: 0}) == DaysSummary(0, None, None)
    assert summarise({5: 0, 9: 2}) == summarise({9: 2})
    assert merge([{5: 1}, {5: -1, 6: 0}]) == Counter()


@given(DAYS, FRACTIONS)
def test_the_percentile_of_a_histogram_is_that_of_its_values(values: list[int], p: Decimal) -> None:
    assert percentile(Counter(values), p) == percentile_cont(values, p)


@given(st.lists(DAYS, max_size=6), FRACTIONS)
def test_the_percentile_of_merged_histograms_is_that_of_all_their_values(parts: list[list[int]], p: Decimal) -> None:
    merged = merge(Counter(part) for part in parts)
    everything = sorted(value for part in parts for value in part)
    assert merged == Counter(everything)
    assert percentile(merged, p) == percentile_cont(everything, p)
    assert summarise(merged) == DaysSummary(
        len(everything), percentile_cont(everything, MEDIAN), percentile_cont(everything, P90)
    )


@given(st.lists(DAYS, min_size=1, max_size=6))
def test_merging_does_not_depend_on_the_order_or_grouping(parts: list[list[int]]) -> None:
    histograms = [Counter(part) for part in parts]
    assert merge(histograms) == merge(reversed(histograms)) == merge([merge(histograms[:1]), merge(histograms[1:])])
