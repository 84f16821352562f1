"""Splitting published counts over days: nested period totals, and integer shares in fixed proportions."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class Interval:
    """A count that one published figure fixes for the inclusive period start..end."""

    start: date
    end: date
    value: int
    key: str  # the figure id, to name it in reports

    def contains(self, other: Interval) -> bool:
        """True if other lies wholly inside this period."""
        return self.start <= other.start and other.end <= self.end

    def disjoint(self, other: Interval) -> bool:
        """True if the two periods share no day."""
        return self.end < other.start or other.end < self.start


@dataclass
class _Node:
    interval: Interval
    children: list[_Node] = field(default_factory=list)


class Infeasible(Exception):
    """The counts cannot all hold at once; the message says why, naming the figures involved."""


def days(start: date, end: date) -> list[date]:
    """Every day from start to end inclusive."""
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def nest(root: Interval, others: Sequence[Interval]) -> _Node:
    """The intervals as a tree under root; Infeasible if two overlap without nesting or the counts disagree.

    Period totals that nest (a year inside a cumulative total inside the whole history) can all hold at once
    when each period's count is at least the sum of the periods inside it; partial overlaps are refused
    because the split of the shared days would be arbitrary.
    """
    tree = _Node(root)
    for interval in sorted(others, key=lambda i: (i.start, -i.end.toordinal(), i.key)):
        if not root.contains(interval):
            raise Infeasible(f"{interval.key} lies outside {root.key}")
        _insert(tree, interval)
    _check(tree)
    return tree


def _insert(node: _Node, interval: Interval) -> None:
    here = node.interval
    if (here.start, here.end) == (interval.start, interval.end):
        if here.value != interval.value:
            raise Infeasible(f"{interval.key} gives {interval.value} for the period {here.key} gives {here.value}")
        return
    for child in node.children:
        if child.interval.contains(interval):
            _insert(child, interval)
            return
        if not child.interval.disjoint(interval) and not interval.contains(child.interval):
            raise Infeasible(f"{interval.key} overlaps {child.interval.key} without either containing the other")
    inside = [c for c in node.children if interval.contains(c.interval)]
    node.children = [c for c in node.children if not interval.contains(c.interval)]
    node.children.append(_Node(interval, inside))
    node.children.sort(key=lambda c: c.interval.start)


def _gap_days(node: _Node) -> list[date]:
    covered = {d for c in node.children for d in days(c.interval.start, c.interval.end)}
    return [d for d in days(node.interval.start, node.interval.end) if d not in covered]


def _check(node: _Node) -> None:
    inner = sum(c.interval.value for c in node.children)
    here = node.interval
    if inner > here.value:
        names = ", ".join(c.interval.key for c in node.children)
        raise Infeasible(f"{names} add up to {inner}, more than {here.value} ({here.key})")
    if inner < here.value and not _gap_days(node):
        raise Infeasible(f"{here.key} exceeds the periods inside it, which leave no day for the rest")
    for child in node.children:
        _check(child)


def allocate(tree: _Node, weight: Callable[[date], float], rng: random.Random) -> Counter[date]:
    """Counts per day that meet every interval exactly, the free part drawn at random by day weight."""
    out: Counter[date] = Counter()
    rest = tree.interval.value - sum(c.interval.value for c in tree.children)
    if rest:
        gaps = _gap_days(tree)
        out.update(rng.choices(gaps, weights=[weight(d) for d in gaps], k=rest))
    for child in tree.children:
        out.update(allocate(child, weight, rng))
    return out


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Whole shares of total in proportion to weights, exactly (largest remainder; ties to the earlier weight)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0 for _ in weights]
    shares = [total * w // whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares
