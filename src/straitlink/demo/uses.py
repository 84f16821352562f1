"""What the synthetic generator's modules share: its provenance, and its account of the published figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from straitlink.domain.figures import PublishedFigure
from straitlink.domain.provenance import Provenance
from straitlink.domain.quantity import Qualifier, canonical

GENERATOR = "straitlink-demo-synthetic/v1"
PROVENANCE = Provenance.synthetic(GENERATOR)


@dataclass(frozen=True)
class FigureUse:
    """Whether one published figure was honoured, and how or why not."""

    figure: str
    metric: str
    value: str
    period: str
    honoured: bool
    how: str

    @classmethod
    def of(cls, figure: PublishedFigure, honoured: bool, how: str) -> FigureUse:
        """The use of `figure`, its value shown as stated ("3000+", "~1720")."""
        start = figure.period_start.isoformat() if figure.period_start else ""
        shown = canonical(figure.value)
        if figure.qualifier is Qualifier.AT_LEAST:
            shown += "+"
        elif figure.qualifier is Qualifier.APPROX:
            shown = "~" + shown
        return cls(figure.id, figure.metric, shown, f"{start}…{figure.period_end.isoformat()}", honoured, how)

    def to_json(self) -> dict[str, Any]:
        """The use as a JSON object."""
        return dict(self.__dict__)


def checked(figure: PublishedFigure, count: int) -> FigureUse:
    """A figure checked against a generated count: exact, at least it, or within 10 % when approximate."""
    value = figure.value
    if figure.qualifier is Qualifier.AT_LEAST:
        ok = count >= value
    elif figure.qualifier is Qualifier.APPROX:
        ok = abs(count - value) <= value / 10
    else:
        ok = count == value
    return FigureUse.of(figure, ok, f"checked: the history gives {count}")
