"""The pure rules of statistics and reconciliation: percentiles, qualifier intervals, verdicts, metric keys."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from straitlink.domain.figures import PublishedFigure
from straitlink.domain.provenance import Provenance
from straitlink.domain.quantity import Qualifier, Unit
from straitlink.services.processing_times import summarise
from straitlink.stats.model import Figure
from straitlink.stats.reconcile import Span, Verdict, compare, effective_period, interval, statistics_key


def test_percentiles_interpolate_between_neighbours() -> None:
    # 1, 4, 4, 10: median halfway between the two 4s; p90 at rank 2.7 → 4 + 0.7 × 6.
    days = summarise({1: 1, 4: 2, 10: 1})
    assert (days.count, days.median, days.p90) == (4, Decimal(4), Decimal("8.2"))
    assert summarise({3: 1, 4: 1}).median == Decimal("3.5")
    assert summarise({}).median is None


@pytest.mark.parametrize(
    ("value", "qualifier", "low", "high", "open_high"),
    [
        # 「3,000餘」: at least 3,000 and below 4,000, the next value of its last stated digit.
        ("3000", Qualifier.AT_LEAST, "3000", "4000", True),
        ("2600", Qualifier.AT_LEAST, "2600", "2700", True),
        ("1720", Qualifier.AT_LEAST, "1720", "1730", True),
        # 「約」: 5 %, or half the last stated digit where that is wider.
        ("1720", Qualifier.APPROX, "1634", "1806", False),
        ("1.31", Qualifier.APPROX, "1.2445", "1.3755", False),
        ("45426", Qualifier.EXACT, "45426", "45426", False),
    ],
)
def test_published_qualifiers_become_intervals(
    value: str, qualifier: Qualifier, low: str, high: str, open_high: bool
) -> None:
    assert interval(Decimal(value), qualifier, None) == Span(Decimal(low), Decimal(high), open_high)


def test_spans_touching_at_an_open_end_do_not_overlap() -> None:
    three_thousand_odd = interval(Decimal(3000), Qualifier.AT_LEAST, None)
    assert not three_thousand_odd.overlaps(Span(Decimal(4000), Decimal(4000)))
    assert three_thousand_odd.overlaps(Span(Decimal("3999.5"), Decimal("3999.5")))


@pytest.mark.parametrize(
    ("published", "qualifier", "computed", "verdict"),
    [
        ("45426", Qualifier.EXACT, Figure(Decimal(45426), "count"), Verdict.MATCH),
        ("45426", Qualifier.EXACT, Figure(Decimal(45425), "count"), Verdict.DISCREPANCY),
        ("3000", Qualifier.AT_LEAST, Figure(Decimal(3062), "kg"), Verdict.WITHIN_QUALIFIER),
        ("3000", Qualifier.AT_LEAST, Figure(Decimal(4062), "kg"), Verdict.DISCREPANCY),
        ("3000", Qualifier.AT_LEAST, Figure(Decimal(2999), "kg"), Verdict.DISCREPANCY),
        # A computed "at least 3,000" beside a published "3,000餘" is the same statement.
        ("3000", Qualifier.AT_LEAST, Figure(Decimal(3000), "kg", Qualifier.AT_LEAST), Verdict.MATCH),
        # A computed lower bound agrees with any exact published value above it.
        ("3100", Qualifier.EXACT, Figure(Decimal(3000), "kg", Qualifier.AT_LEAST), Verdict.WITHIN_QUALIFIER),
        ("2000", Qualifier.APPROX, Figure(Decimal(1954), "count"), Verdict.WITHIN_QUALIFIER),
        # A rate is compared as precisely as the source states it.
        ("83.77", Qualifier.EXACT, Figure(Decimal("83.77"), "percent"), Verdict.MATCH),
        ("96", Qualifier.EXACT, Figure(Decimal("95.51"), "percent"), Verdict.MATCH),
        ("96", Qualifier.EXACT, Figure(Decimal("95.49"), "percent"), Verdict.DISCREPANCY),
    ],
)
def test_verdicts(published: str, qualifier: Qualifier, computed: Figure, verdict: Verdict) -> None:
    assert compare(Decimal(published), qualifier, None, computed)[0] is verdict


@pytest.mark.parametrize(
    ("metric", "direction", "key"),
    [
        ("requests.total", "both", "requests.total"),
        ("requests.total.document_service", "tw_to_cn", "requests.directions.tw_to_cn.by_type.document_service"),
        ("requests.completed.notification", "cn_to_tw", "requests.directions.cn_to_tw.completed_by_type.notification"),
        ("requests.completion_rate.document_service", "both", "requests.completion_rate_by_type.document_service"),
        ("requests.total", None, None),  # the source leaves the direction open
        ("seizures.total_weight_kg", None, "seizures.total_weight_kg"),  # direction only matters for requests
    ],
)
def test_published_metrics_map_to_statistics_keys(metric: str, direction: str | None, key: str | None) -> None:
    assert statistics_key(metric, direction)[0] == key


def _figure(start: date | None) -> PublishedFigure:
    return PublishedFigure(
        id="f", provenance=Provenance.by_user("t"), metric="requests.total", label="x", value=Decimal(1),
        unit=Unit.CASE, period_start=start, period_end=date(2013, 6, 9), source="d",
    )  # fmt: skip


def test_periods_counted_from_signing_start_with_the_agreement() -> None:
    assert effective_period(_figure(date(2009, 4, 26)))[0] == date(2009, 6, 25)
    assert effective_period(_figure(None))[0] == date(2009, 6, 25)
    assert effective_period(_figure(date(2004, 1, 1)))[0] == date(2004, 1, 1)
