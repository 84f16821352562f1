"""Figures that documents publish (PublishedFigure), kept as stated so they can be reconciled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.quantity import Qualifier, Unit
from straitlink.domain.records import Record
from straitlink.domain.text import MULTI_LINE, check_text


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


@dataclass(frozen=True)
class Citation:
    """A stored record a document tells of again — a later report of a seizure, a meeting, a figure already stored
    from another document: the record's kind and id, and the span of this document that tells it. The record keeps
    its first source as its provenance; its other sources are the documents citing it."""

    kind: str  # the record's kind name: seizure, case, meeting, figure, …
    record: str
    span: tuple[int, int] | None = None
    quote: str | None = None

    def __post_init__(self) -> None:
        check_text("cites.kind", self.kind)
        check_text("cites.record", self.record)
        if isinstance(self.quote, str):
            check_text("cites.quote", self.quote, limit=MULTI_LINE, lines=True)
        if self.span is not None and (self.span[0] < 0 or self.span[1] < self.span[0]):
            raise InvalidValue("cites.span", list(self.span), "start must be >= 0 and <= end")

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "record": self.record,
            "span": list(self.span) if self.span else None,
            "quote": self.quote,
        }

    @classmethod
    def from_json(cls, raw: Any, *, field: str = "cites") -> Citation:
        if not isinstance(raw, dict) or not isinstance(raw.get("kind"), str) or not isinstance(raw.get("record"), str):
            raise InvalidValue(field, raw, 'expected {"kind": …, "record": …, "span": [start, end], "quote": …}')
        span = raw.get("span")
        if span is not None and not (
            isinstance(span, list)
            and len(span) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in span)
        ):
            raise InvalidValue(f"{field}.span", span, "expected [start, end]")
        quote = raw.get("quote")
        if quote is not None and not isinstance(quote, str):
            raise InvalidValue(f"{field}.quote", quote, "expected text")
        return cls(raw["kind"], raw["record"], (span[0], span[1]) if span else None, quote)


@dataclass(kw_only=True)
class SourceDocument(Record):
    """A document records and figures come from: a bulletin, a news item, a figures table row's source."""

    HAPPENED = ("published_on",)

    title: str
    publisher: str | None = None
    url: str | None = None
    published_on: date | None = None
    language: str | None = None  # zh-Hant | zh-Hans | en
    sha256: str | None = None
    text: str | None = None
    cites: list[Citation] = field(default_factory=list)  # stored records it tells of again (other sources)
