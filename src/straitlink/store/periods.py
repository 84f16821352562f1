"""A period of the statistics, and how it splits into rollup months and raw days.

The rollup tables (store/tables_stats.py) hold counts per month, kept by triggers in the same transaction as every
change (migration 0003). A period's whole months are read from them. Of a partial first or last month, either its
days in the period are read from the raw rows, or — when fewer of its days lie outside the period — its rollup is
read and the raw rows of those outside days are taken off. Every reader of a rollup (stats/rollup.py, and the
processing days of services/processing_times.py) splits a period here, so they all split it alike; the tests
force a raw scan by replacing `split_period` in this module.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement

from straitlink.domain.requests import CLOSED_STATUSES
from straitlink.store import tables as t
from straitlink.store.dialect import scanned

R = t.AssistanceRequestRow
CLOSED = tuple(sorted(s.value for s in CLOSED_STATUSES))
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Scope:
    """The period (both ends inclusive) and whether synthetic records are left out."""

    start: date
    end: date
    exclude_synthetic: bool = False

    def real(self, *rows: Any) -> list[ColumnElement[bool]]:
        """Conditions leaving out synthetic rows of each table given, when asked to."""
        if not self.exclude_synthetic:
            return []
        return [row.prov_kind != "synthetic" for row in rows]

    def dated(self, column: Any) -> ColumnElement[bool]:
        """The column's date lies in the period."""
        return column.between(self.start, self.end)


def month_text(day: date) -> str:
    """The rollups' month of a day: 'YYYY-MM'."""
    return f"{day.year:04d}-{day.month:02d}"


def month_end(day: date) -> date:
    """The last day of the day's month."""
    return day.replace(day=monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class Split:
    """A period as rollup months (first and last 'YYYY-MM', or None) and raw day ranges added to or taken from them.

    A partial month is read from the raw rows for its days in the period, or — when fewer of its days lie outside
    the period — from the rollup for the whole month less the raw rows of those outside days.
    """

    scope: Scope
    months: tuple[str, str] | None
    covered: Scope | None  # the rollup months as days
    raw: tuple[tuple[Scope, int], ...]  # (days, +1 to add or -1 to take out)

    @property
    def end_month(self) -> str:
        return month_text(self.scope.end)

    @property
    def ends_mid_month(self) -> bool:
        return self.scope.end != month_end(self.scope.end)

    def in_months(self, month: Any, *flags: Any, months: tuple[str, str] | None = None) -> list[ColumnElement[bool]]:
        """Rollup rows of the rollup months, without synthetic ones when those are left out.

        `scanned`: SQLite then reads the rollup in key order — the groups first, the month last — and streams the
        groups out instead of skipping through the key for the months and sorting what it found.
        """
        months = months or self.months  # the rollup months, or some of them
        assert months is not None
        real = [flag.is_(False) for flag in flags] if self.scope.exclude_synthetic else []
        return [scanned(month).between(*months), *real]

    def by_year(self) -> tuple[tuple[str, str] | None, list[tuple[str, str]]]:
        """The rollup months as whole years ('YYYY', first and last, or None) and the months around them.

        The per-year rollups (migration 0015) answer the whole years; the monthly ones the rest.
        """
        assert self.months is not None
        first, last = self.months
        low = int(first[:4]) + (first[5:] != "01")
        high = int(last[:4]) - (last[5:] != "12")
        if low > high:
            return None, [self.months]
        around = [(first, f"{low - 1:04d}-12")] if first[5:] != "01" else []
        around += [(f"{high + 1:04d}-01", last)] if last[5:] != "12" else []
        return (f"{low:04d}", f"{high:04d}"), around

    def closed_late(self) -> list[ColumnElement[bool]]:
        """Requests of the rollup months closed in the end month but after the period's last day: open at its end.

        The rollups keep the closing month only. Found through the closing date's index: `scanned` keeps SQLite
        off the filing date's (ten years of rows).
        """
        assert self.covered is not None
        end = self.scope.end
        return [
            self.covered.dated(scanned(R.filed_on)),
            scanned(R.status).in_(CLOSED),
            R.closed_on > end,
            R.closed_on <= month_end(end),
            *self.scope.real(R),
        ]


def split_period(scope: Scope) -> Split:
    """Each month of the period from the rollups or from the raw rows, whichever reads fewer days of raw rows."""
    start, end, real = scope.start, scope.end, scope.exclude_synthetic
    low, high = start.replace(day=1), month_end(end)  # the rollup months, as days
    edges = {(start.replace(day=1), month_end(start)), (end.replace(day=1), month_end(end))}
    raw: list[tuple[Scope, int]] = []
    for first, last in sorted(edges):
        inside = (max(start, first), min(end, last))
        # Compared before stepping a day, so that a period reaching date.min or date.max does not overflow.
        outside = [(first, inside[0] - _DAY)] if first < inside[0] else []
        outside += [(inside[1] + _DAY, last)] if inside[1] < last else []
        if not outside:
            continue  # a whole month
        if sum((b - a).days + 1 for a, b in outside) < (inside[1] - inside[0]).days + 1:
            raw += [(Scope(a, b, real), -1) for a, b in outside]
            continue
        raw.append((Scope(*inside, real), 1))
        if first == low:
            low = last + _DAY
        if last == high:
            high = first - _DAY
    if low > high:
        return Split(scope, None, None, tuple(raw))
    return Split(scope, (month_text(low), month_text(high)), Scope(low, high, real), tuple(raw))
