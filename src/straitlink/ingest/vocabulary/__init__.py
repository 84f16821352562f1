"""The ingest vocabulary, kept as data beside the code: what a published figure counts (figures.yaml) and the
English words the reader of English releases needs (english.yaml).

Words are written in either script and folded when loaded, the way the text is folded (catalog.normalize_name), so
a word matches folded text as written. Each list becomes one pattern, longest word first, built once per process.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from straitlink.catalog import normalize_name
from straitlink.domain.errors import InvalidValue
from straitlink.domain.quantity import Dimension


def load(name: str) -> dict[str, Any]:
    """One vocabulary file of this package, parsed."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise InvalidValue("vocabulary", name, "expected a mapping at the top")
    return data


def words_pattern(words: list[str], patterns: list[str] | None = None, *, fold: bool = True) -> re.Pattern[str]:
    """One pattern for literal words (folded unless told not to), longest first, and raw patterns after them."""
    folded = sorted({normalize_name(w) if fold else w for w in words}, key=len, reverse=True)
    alternatives = [re.escape(w) for w in folded if w] + list(patterns or [])
    return re.compile("|".join(alternatives) if alternatives else "(?!)")


@dataclass(frozen=True, slots=True)
class MetricTerm:
    """Words naming what a figure counts, and what it must be counted in."""

    metric: str
    counts: Dimension | frozenset[str]
    label_en: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Modifier:
    """Words turning a base metric into another (已完成: requests.total → requests.completed)."""

    label_en: str
    pattern: re.Pattern[str]
    source: str | None
    target: str | None
    suffix: str
    counts: frozenset[str] | None

    def apply(self, metric: str) -> str | None:
        """The modified metric, or None when this modifier does not apply to the base."""
        if self.source is not None:
            if not metric.startswith(self.source):
                return None
            metric = (self.target or "") + metric[len(self.source) :]
        return metric + self.suffix


@dataclass(frozen=True, slots=True)
class FigureVocabulary:
    metrics: tuple[MetricTerm, ...]
    modifiers: tuple[Modifier, ...]
    zero: re.Pattern[str]
    item_units: frozenset[str]  # unit words the domain has no unit for, counted as items by some metric


def _counts(raw: Any) -> Dimension | frozenset[str]:
    if isinstance(raw, list):
        return frozenset(normalize_name(str(u)) for u in raw)
    return Dimension(str(raw))


@functools.cache
def figure_vocabulary() -> FigureVocabulary:
    """figures.yaml, compiled (once per process)."""
    data = load("figures.yaml")
    metrics = tuple(
        MetricTerm(
            str(m["metric"]),
            _counts(m["counts"]),
            str(m["label_en"]),
            words_pattern(m.get("words", []), m.get("patterns")),
        )
        for m in data["metrics"]
    )
    modifiers = tuple(
        Modifier(
            str(m["label_en"]),
            words_pattern(m["words"]),
            m.get("from"),
            m.get("to"),
            str(m.get("suffix", "")),
            frozenset(normalize_name(str(u)) for u in m["counts"]) if m.get("counts") else None,
        )
        for m in data["modifiers"]
    )
    items: set[str] = set()
    for term in metrics:
        if isinstance(term.counts, frozenset):
            items |= term.counts
    for modifier in modifiers:
        items |= modifier.counts or set()
    return FigureVocabulary(metrics, modifiers, words_pattern(data["zero_words"]), frozenset(items))
