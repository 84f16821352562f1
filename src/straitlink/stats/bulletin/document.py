"""A bulletin worded in one language: sections of paragraphs, numbered items, tables and charts, ready to render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from straitlink.stats.bulletin.charts import Chart


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]
    kind: ClassVar[str] = "items"


@dataclass(frozen=True)
class TableBlock:
    caption: str | None
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    name: str = ""  # which table it is (annex, seizures…), for layouts that set one apart
    kind: ClassVar[str] = "table"


@dataclass(frozen=True)
class ChartBlock:
    chart: Chart
    data: TableBlock  # the plotted numbers, for formats that cannot hold an image
    kind: ClassVar[str] = "chart"


Block = Paragraph | Items | TableBlock | ChartBlock


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]
    name: str = ""  # which section it is (annex…), for layouts that set one apart


@dataclass(frozen=True)
class Document:
    lang: str
    title: str
    subtitle: str
    sections: tuple[Section, ...]
