"""Every published figure beside the figure StraitLink computes for the same metric, period and direction.

Verdicts (docs/statistics.md):
- match: the same statement (equal values, or equal once the computed rate is rounded as the source rounds);
- within_qualifier: the two agree only through a qualifier — "3,000餘" (at least 3,000, below 4,000) and 3,062;
- discrepancy: they cannot both be right; the difference and the records behind the computed side are given;
- not_computable: the metric or the period is not held, or the source leaves the direction open.
Published figures that contradict each other are listed side by side with their sources.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import combinations
from typing import Any

from sqlalchemy import func, select

from straitlink.domain.figures import PublishedFigure
from straitlink.domain.quantity import Qualifier, Unit, canonical
from straitlink.stats.explain import record_counts, record_ids
from straitlink.stats.model import AGREEMENT_IN_FORCE, AGREEMENT_SIGNED, Figure, Statistics
from straitlink.stats.queries import C, M, R, S, Scope, intel_date
from straitlink.stats.service import compute_statistics
from straitlink.store import mapping
from straitlink.store import tables as t
from straitlink.store.queries import ListFilter
from straitlink.store.uow import UnitOfWork

APPROX_TOLERANCE = Decimal("0.05")  # "約", "about", "近": within 5 % (or half the last stated digit, if wider)
RECORDS_SHOWN = 20
# Shorthands the figures use for request counts by type: requests.total.<type> is requests.by_type.<type>.
_REQUEST_SHORTHANDS = {
    "total": "by_type",
    "completed": "completed_by_type",
    "closed": "closed_by_type",
    "completion_rate": "completion_rate_by_type",
}
# Metrics that are not running totals: a later value may be smaller without contradicting an earlier one.
_NOT_CUMULATIVE = ("rate", "average", "difference", "processing_days")


class Verdict(StrEnum):
    MATCH = "match"
    WITHIN_QUALIFIER = "within_qualifier"
    DISCREPANCY = "discrepancy"
    NOT_COMPUTABLE = "not_computable"


@dataclass(frozen=True)
class Reconciled:
    figure: PublishedFigure
    source: dict[str, Any]
    key: str | None
    period: tuple[date, date]
    computed: Figure | None
    verdict: Verdict
    reason: str
    code: str = ""  # the reason in one word, for renderers that word it in their own language
    difference: Decimal | None = None
    record_counts: dict[str, int] | None = None
    records: dict[str, list[str]] | None = None

    def to_json(self) -> dict[str, Any]:
        f = self.figure
        return {
            "figure": f.id,
            "metric": f.metric,
            "label": f.label,
            "label_en": f.label_en,
            "published": _published_json(f),
            "period": {"start": self.period[0].isoformat(), "end": self.period[1].isoformat()},
            "direction": f.direction,
            "source": self.source,
            "key": self.key,
            "computed": self.computed.to_json() if self.computed is not None else None,
            "verdict": str(self.verdict),
            "reason": self.reason,
            "reason_code": self.code,
            "difference": canonical(self.difference) if self.difference is not None else None,
            "record_counts": self.record_counts,
            "records": self.records,
        }


@dataclass(frozen=True)
class Contradiction:
    """Published figures that cannot all be true, side by side."""

    metric: str
    direction: str | None
    reason: str
    code: str  # same_period | falls
    figures: tuple[PublishedFigure, ...]
    sources: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "direction": self.direction,
            "reason": self.reason,
            "reason_code": self.code,
            "figures": [
                {"figure": f.id, "published": _published_json(f), "period_end": f.period_end.isoformat(), "source": s}
                for f, s in zip(self.figures, self.sources, strict=True)
            ],
        }


@dataclass(frozen=True)
class Reconciliation:
    rows: tuple[Reconciled, ...]
    contradictions: tuple[Contradiction, ...]
    exclude_synthetic: bool

    def counts(self) -> dict[str, int]:
        out = {str(v): 0 for v in Verdict}
        for row in self.rows:
            out[str(row.verdict)] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "exclude_synthetic": self.exclude_synthetic,
            "counts": self.counts(),
            "figures": [r.to_json() for r in self.rows],
            "contradictions": [c.to_json() for c in self.contradictions],
        }


def reconcile(
    uow: UnitOfWork, *, start: date | None = None, end: date | None = None, exclude_synthetic: bool = False
) -> Reconciliation:
    """Every published figure ending within start..end (all when not given), with its verdict."""
    figures = uow.repo(mapping.FIGURES).list(ListFilter(start=start, end=end))
    figures.sort(key=lambda f: (f.period_end, f.metric, f.id))
    sources = _sources(uow, {f.source for f in figures})
    held = _held(uow, exclude_synthetic)
    cache: dict[tuple[date, date], Statistics] = {}
    rows = []
    for f in figures:
        rows.append(_reconcile_one(uow, f, sources[f.source], held, cache, exclude_synthetic))
    return Reconciliation(tuple(rows), tuple(_contradictions(figures, sources)), exclude_synthetic)


def statistics_key(metric: str, direction: str | None) -> tuple[str | None, str]:
    """The statistics key a published metric and direction stand for, or None and why not."""
    parts = metric.split(".")
    if parts[0] != "requests":
        return metric, ""
    if direction not in ("both", "tw_to_cn", "cn_to_tw"):
        return None, "the source does not say which direction the requests went"
    if len(parts) == 3 and parts[1] in _REQUEST_SHORTHANDS:
        parts = [parts[0], _REQUEST_SHORTHANDS[parts[1]], parts[2]]
    prefix = "requests" if direction == "both" else f"requests.directions.{direction}"
    return ".".join([prefix, *parts[1:]]), ""


def effective_period(f: PublishedFigure) -> tuple[date, date]:
    """The figure's period; open starts and starts between signing and entry into force mean the Agreement's start."""
    start = f.period_start or AGREEMENT_IN_FORCE
    if AGREEMENT_SIGNED <= start < AGREEMENT_IN_FORCE:
        start = AGREEMENT_IN_FORCE
    return start, f.period_end


def _reconcile_one(
    uow: UnitOfWork,
    f: PublishedFigure,
    source: dict[str, Any],
    held: dict[str, tuple[date, date] | None],
    cache: dict[tuple[date, date], Statistics],
    exclude_synthetic: bool,
) -> Reconciled:
    period = effective_period(f)
    key, why = statistics_key(f.metric, f.direction)
    row = Reconciled(f, source, key, period, None, Verdict.NOT_COMPUTABLE, why, "direction_unstated")
    if key is None:
        return row
    family = _family(key)
    span = held.get(family)
    if span is None or key not in _known_keys(uow, held, cache, exclude_synthetic):
        return replace(row, reason=f"metric not held: no statistic {key}", code="metric_not_held")
    if not (span[0] <= period[0] and period[1] <= span[1]):
        reason = f"period not held: {family} records cover {span[0].isoformat()} … {span[1].isoformat()}"
        return replace(row, reason=reason, code="period_not_held")
    if period not in cache:
        cache[period] = compute_statistics(uow, start=period[0], end=period[1], exclude_synthetic=exclude_synthetic)
    computed = cache[period].figures().get(key)
    if computed is None:
        return replace(row, reason=f"metric not held: no statistic {key}", code="metric_not_held")
    row = replace(row, computed=computed)
    published = _in_unit(f, computed.unit)
    if published is None:
        reason = f"units differ: published {f.unit}, computed {computed.unit}"
        return replace(row, reason=reason, code="units_differ")
    verdict, reason = compare(published, f.qualifier, None, computed)
    difference = computed.value - published
    scope = Scope(period[0], period[1], exclude_synthetic)
    counts = record_counts(uow, key, scope)
    ids = record_ids(uow, key, scope, limit=RECORDS_SHOWN) if verdict is Verdict.DISCREPANCY else None
    code = {Verdict.MATCH: "equal", Verdict.WITHIN_QUALIFIER: "overlap"}.get(verdict, "differs")
    return replace(
        row, verdict=verdict, reason=reason, code=code, difference=difference, record_counts=counts, records=ids
    )


def _known_keys(
    uow: UnitOfWork,
    held: dict[str, tuple[date, date] | None],
    cache: dict[tuple[date, date], Statistics],
    exclude_synthetic: bool,
) -> set[str]:
    """Every statistics key over everything held, so a metric no statistic has is named as such first."""
    spans = [s for s in held.values() if s is not None]
    whole = (min(s[0] for s in spans), max(s[1] for s in spans))
    if whole not in cache:
        cache[whole] = compute_statistics(uow, start=whole[0], end=whole[1], exclude_synthetic=exclude_synthetic)
    return set(cache[whole].figures())


def compare(value: Decimal, qualifier: Qualifier, upper: Decimal | None, computed: Figure) -> tuple[Verdict, str]:
    """The verdict for a published value (with its qualifier) beside a computed figure, and why."""
    if qualifier is Qualifier.EXACT and computed.qualifier is Qualifier.EXACT:
        shown = computed.value
        if computed.unit in ("percent", "day") and value.as_tuple().exponent != shown.as_tuple().exponent:
            # A rate is compared as precisely as the source states it: 95.13 % against 95.1307… %.
            shown = shown.quantize(Decimal(1).scaleb(_exponent(value)))
        if shown == value:
            return Verdict.MATCH, "equal"
        return Verdict.DISCREPANCY, f"computed {canonical(computed.value)}, published {canonical(value)}"
    if qualifier is computed.qualifier and value == computed.value and upper == computed.upper:
        return Verdict.MATCH, "the same statement"
    published = interval(value, qualifier, upper)
    found = interval(computed.value, computed.qualifier, computed.upper, open_ended=True)
    if published.overlaps(found):
        return Verdict.WITHIN_QUALIFIER, f"published {published} and computed {found} overlap"
    return Verdict.DISCREPANCY, f"published {published}, computed {found}"


@dataclass(frozen=True)
class Span:
    """The values a qualified figure allows: low ≤ x ≤ high, or low ≤ x < high when `open_high`."""

    low: Decimal
    high: Decimal
    open_high: bool = False

    def below(self, other: Span) -> bool:
        """True if every value of this span is smaller than every value of the other."""
        return self.high < other.low or (self.open_high and self.high == other.low)

    def overlaps(self, other: Span) -> bool:
        return not self.below(other) and not other.below(self)

    def __str__(self) -> str:
        if self.low == self.high:
            return canonical(self.low)
        top = "∞" if self.high.is_infinite() else canonical(self.high)
        return f"{canonical(self.low)}…{'<' if self.open_high else ''}{top}"


def interval(value: Decimal, qualifier: Qualifier, upper: Decimal | None, *, open_ended: bool = False) -> Span:
    """The values a qualified figure allows.

    A published "3,000餘" (at least 3,000) allows 3,000 up to but not including 4,000: the source would have
    written "4,000餘" otherwise, so the bound is the next value of its last stated digit. A computed "at
    least" is a lower bound only (`open_ended`). "約" allows 5 %, or half the last stated digit if wider.
    """
    step = Decimal(1).scaleb(_exponent(value))
    if qualifier is Qualifier.AT_LEAST:
        if open_ended:
            return Span(value, Decimal("Infinity"))
        return Span(value, value + step, open_high=True)
    if qualifier is Qualifier.APPROX:
        tolerance = max(step / 2, value * APPROX_TOLERANCE)
        return Span(value - tolerance, value + tolerance)
    if qualifier is Qualifier.RANGE and upper is not None:
        return Span(value, upper)
    return Span(value, value)


def _exponent(value: Decimal) -> int:
    """The power of ten of the last non-zero digit: 3000 → 3, 2600 → 2, 83.77 → -2 (0 → 0)."""
    if value.is_zero():
        return 0
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return exponent


_MASS = {Unit.KG: 0, Unit.G: -3, Unit.T: 3}


def _in_unit(f: PublishedFigure, computed_unit: str) -> Decimal | None:
    """The published value in the computed figure's unit; None when they measure different things."""
    if computed_unit == "kg":
        return f.value.scaleb(_MASS[f.unit]) if f.unit in _MASS else None
    return None if f.unit in _MASS else f.value


def _family(key: str) -> str:
    head = key.split(".")[0]
    return {"suspects": "cases", "operations": "cases"}.get(head, head)


def _held(uow: UnitOfWork, exclude_synthetic: bool) -> dict[str, tuple[date, date] | None]:
    """For each family of records, the span it is held for (None when no record of it is stored).

    From the Agreement's start (or an older record) to the end of the month of the latest record: whole months,
    because "no record on the last day" does not mean the day is not held — a history ending on Friday
    29 November still holds November.
    """
    columns: dict[str, tuple[Any, Any, Any]] = {
        "requests": (R, R.filed_on, R.filed_on),
        "cases": (C, C.date_earliest, C.date_latest),
        "seizures": (S, S.date_earliest, S.date_latest),
        "intel": (t.IntelReportRow, intel_date(), intel_date()),
        "meetings": (M, M.date_earliest, M.date_latest),
    }
    out: dict[str, tuple[date, date] | None] = {}
    for family, (row, low, high) in columns.items():
        where = [row.prov_kind != "synthetic"] if exclude_synthetic else []
        first, last = uow.session.execute(select(func.min(low), func.max(high)).where(*where)).one()
        # Nothing under the Agreement predates it, so records are held from its start unless some are older.
        out[family] = None if first is None else (min(AGREEMENT_IN_FORCE, _day(first)), _month_end(last))
    return out


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _month_end(day: Any) -> date:
    d = _day(day)
    following = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _sources(uow: UnitOfWork, ids: set[str]) -> dict[str, dict[str, Any]]:
    rows = uow.session.scalars(select(t.SourceDocumentRow).where(t.SourceDocumentRow.id.in_(sorted(ids))))
    found = {d.id: {"id": d.id, "title": d.title, "publisher": d.publisher, "url": d.url} for d in rows}
    return {i: found.get(i, {"id": i, "title": None, "publisher": None, "url": None}) for i in ids}


def _contradictions(figures: list[PublishedFigure], sources: dict[str, dict[str, Any]]) -> list[Contradiction]:
    """Pairs of figures of one metric and direction over the same start that cannot both hold.

    Over the same period they must allow a common value; as running totals from the same start, a later
    figure must not lie wholly below an earlier one.
    """
    groups: dict[tuple[str, str | None, date], list[PublishedFigure]] = defaultdict(list)
    for f in figures:
        groups[(f.metric, f.direction, effective_period(f)[0])].append(f)
    found: list[Contradiction] = []
    for (metric, direction, _start), members in sorted(groups.items(), key=lambda g: (g[0][0], str(g[0][1]), g[0][2])):
        for a, b in combinations(sorted(members, key=lambda f: (f.period_end, f.id)), 2):
            a_span, b_span = interval(a.value, a.qualifier, None), interval(b.value, b.qualifier, None)
            if a.unit != b.unit:
                continue
            if a.period_end == b.period_end and not a_span.overlaps(b_span):
                reason, code = "same period, values that cannot both hold", "same_period"
            elif a.period_end < b.period_end and b_span.below(a_span) and not any(w in metric for w in _NOT_CUMULATIVE):
                reason, code = "a running total that falls: the later figure is below the earlier one", "falls"
            else:
                continue
            pair = (sources[a.source], sources[b.source])
            found.append(Contradiction(metric, direction, reason, code, (a, b), pair))
    return found


def _published_json(f: PublishedFigure) -> dict[str, Any]:
    return {"value": canonical(f.value), "unit": str(f.unit), "qualifier": str(f.qualifier)}
