"""Figures that documents publish (PublishedFigure), kept as stated so they can be reconciled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.quantity import Qualifier, Unit
from straitlink.domain.records import Record


@dataclass(kw_only=True)
class PublishedFigure(Record):
    """One figure as a source states it: 「雙方請求互助案件數達 4萬 5,426 件」 (98-06-25 … 102-11-30)."""

    metric: str  # a statistics key such as "requests.total" when StraitLink can compute it, else a free id
    label: str  # the metric as worded in the source
    value: Decimal
    unit: Unit
    qualifier: Qualifier = Qualifier.EXACT
    period_start: date | None = None
    period_end: date
    direction: str | None = None  # tw_to_cn | cn_to_tw | both | None
    source: str  # a SourceDocument id
    label_en: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.metric:
            raise MissingField("metric")
        if self.value < 0:
            raise InvalidValue("value", str(self.value), "a published figure is not negative")
        if self.period_start is not None and self.period_start > self.period_end:
            raise InvalidValue("period_start", self.period_start.isoformat(), "after period_end")


@dataclass(kw_only=True)
class SourceDocument(Record):
    """A document records and figures come from: a bulletin, a news item, a figures table row's source."""

    title: str
    publisher: str | None = None
    url: str | None = None
    published_on: date | None = None
    language: str | None = None  # zh-Hant | zh-Hans | en
    sha256: str | None = None
    text: str | None = None
