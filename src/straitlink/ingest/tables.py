"""Statistics tables flattened to one cell per line, as copied from html or pdf:

    項目 / 我方請求 / 陸方請求 / 司法文書送達 / 4萬1,208件 / 1萬2,316件 / 調查取證 / 502件 / 388件

A table is a run of short lines without a sentence's end holding values (a number and its unit). Each row is a
label followed by as many values as the table has value columns; the lines before the first row are the header,
whose last cells name the value columns (我方請求, 陸方完成, 人數). A value's figure is read from its row label
and its column header together, with the figures vocabulary (已完成 in a header makes a row's requests completed);
its period ends at the cut-off a caption or an earlier sentence gave, else at the document's date.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from straitlink.domain.dates import PartialDate
from straitlink.domain.parties import Party
from straitlink.domain.quantity import Qualifier, Unit
from straitlink.ingest.dates import DateContext
from straitlink.ingest.figures import metric_of
from straitlink.ingest.folding import Folded
from straitlink.ingest.normalise import is_row
from straitlink.ingest.numbers import QuantityText, as_json, parse_number, quantities
from straitlink.ingest.proposals import Proposal, Span
from straitlink.ingest.sentences import DocState

_VALUE = re.compile(
    r"(?:约|近|逾)?[0-9][0-9,.万亿]*(?:余|多)?(?:件|人|名|公斤|千克|公克|克|公吨|吨|%|起|个|批|艘|箱|人次)?"
)
_BARE = re.compile(r"[0-9][0-9,]*")
_TERMINAL = "。！？!?；;:："
_CELL_WIDTH = 24


@dataclass
class Row:
    label: tuple[int, int]
    values: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Table:
    start: int
    end: int
    headers: list[str]
    rows: list[Row]
    emitted: bool = False


def find(block: Folded) -> list[Table]:
    """The tables in a block (usually none): with their rows, as the readers give them and Markdown writes them,
    and flattened to one cell per line."""
    text = block.text
    found = _rows_tables(text) if ("\t" in text or "\n|" in text or text.startswith("|")) else []
    if text.count("\n") < 4:
        return found
    flat = _flat_tables(text)
    return sorted([*found, *flat], key=lambda t: t.start) if found else flat


def _cells(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """The cells of one row line: split at tabs, or at the bars of a Markdown row (| a | b |)."""
    sep = "\t" if "\t" in text[a:b] else "|"
    if sep == "|":
        a, b = a + 1, b - 1 if text[b - 1] == "|" else b
    cells, pos = [], a
    while True:
        cut = text.find(sep, pos, b)
        if cut < 0:
            cells.append((pos, b))
            return cells
        cells.append((pos, cut))
        pos = cut + 1


def _rows_tables(text: str) -> list[Table]:
    """Tables whose rows are lines of cells: the first row without values is the header, every later row a label
    and its values, column by column (an empty cell keeps its column)."""
    tables: list[Table] = []
    run: list[list[tuple[int, int]]] = []
    pos = 0
    for line in [*text.split("\n"), ""]:
        a, b = pos, pos + len(line)
        pos = b + 1
        if line and is_row(line):
            run.append(_cells(text, a, b))
            continue
        if run:
            table = _row_table(text, run)
            if table is not None:
                tables.append(table)
            run = []
    return tables


def _row_table(text: str, run: list[list[tuple[int, int]]]) -> Table | None:
    def value(a: int, b: int) -> bool:
        return _VALUE.fullmatch(text, a, b) is not None

    body = [i for i, cells in enumerate(run) if any(value(a, b) for a, b in cells[1:])]
    if not body:
        return None
    first = body[0]
    header = [text[a:b] for a, b in run[first - 1][1:]] if first > 0 else []
    rows = [Row(run[i][0], run[i][1:]) for i in body]
    width = max(len(r.values) for r in rows)
    headers = header[-width:] if len(header) >= width else [*header, *[""] * (width - len(header))]
    return Table(run[0][0][0], run[-1][-1][1] + 1, headers, rows)


def _flat_tables(text: str) -> list[Table]:
    """Tables flattened to one cell per line (copied from html or pdf without their structure)."""
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    tables: list[Table] = []
    run: list[tuple[int, int]] = []
    for a, b in [*lines, (len(text), len(text))]:
        cell = 0 < b - a <= _CELL_WIDTH and text[b - 1] not in _TERMINAL
        if cell:
            run.append((a, b))
            continue
        table = _table(text, run)
        if table is not None:
            tables.append(table)
        run = []
    return tables


def _table(text: str, run: list[tuple[int, int]]) -> Table | None:
    values = [_VALUE.fullmatch(text, a, b) is not None for a, b in run]
    if sum(values) < 2:
        return None
    rows: list[Row] = []
    first = next(i for i, v in enumerate(values) if v) - 1  # the first row's label
    if first < 0:
        return None
    for (a, b), is_value in zip(run[first:], values[first:], strict=True):
        if is_value and rows:
            rows[-1].values.append((a, b))
        elif not is_value:
            rows.append(Row((a, b)))
    rows = [r for r in rows if r.values]
    width = Counter(len(r.values) for r in rows).most_common(1)[0][0]
    header = [text[a:b] for a, b in run[:first]]
    headers = header[-width:] if len(header) >= width else [""] * width
    return Table(run[0][0], run[-1][1], headers, rows)


def _quantity(text: str, a: int, b: int, hint: str) -> QuantityText | None:
    found = quantities(text, a, b)
    if found:
        return found[0]
    bare = _BARE.fullmatch(text, a, b)
    if bare is None:
        return None
    unit = Unit.PERSON if "人" in hint else Unit.CASE
    return QuantityText(parse_number(bare.group()), None, "", unit, Qualifier.EXACT, a, b)


def read(table: Table, block: Folded, state: DocState, doc: PartialDate | None) -> list[Proposal]:
    """The figures a table gives, one per value cell."""
    text = block.text
    end = state.as_of.latest() if state.as_of is not None else (doc.latest() if doc and doc.day else None)
    out: list[Proposal] = []
    ends = [_column_end(header, doc) or end for header in table.headers]
    for row in table.rows:
        label = text[row.label[0] : row.label[1]]
        for (a, b), header, column_end in zip(row.values, table.headers, ends, strict=False):
            q = _quantity(text, a, b, header + label)
            if q is None or q.unit is Unit.DOSE:
                continue
            found = metric_of(label + header, "", q.unit, q.unit_text, None)
            if found is None:
                continue
            value = as_json(q)
            if value is None:
                continue
            metric, label_en, _, _ = found
            start, stop = block.span(a, b)
            span = Span(start, stop, block.original[start - block.base : stop - block.base])
            fields: dict[str, Any] = {
                "metric": metric,
                "label": block.clean(*row.label) + (f" ({header})" if header else ""),
                "value": value["value"],
                "unit": value["unit"],
                "qualifier": value["qualifier"],
                "period_start": None,
                "period_end": column_end.isoformat() if column_end else None,
                "direction": _direction(header, state) if metric.startswith("requests.") else None,
                "source": None,
                "label_en": label_en,
            }
            unresolved = ["period_start: the table does not say since when"]
            if column_end is None:
                unresolved.append("period_end: the text does not say when the table was counted (give --date)")
            key = f"figure|{metric}|{fields['value']}|{fields['unit']}|{fields['period_end']}"
            if any(p.key == key for p in out):
                key += f"|{header}"
            out.append(Proposal("figure", key, fields, span, 0.8 - 0.1 * (column_end is None), unresolved))
    return out


def _column_end(header: str, doc: PartialDate | None) -> date | None:
    """The end of the period a column's header names (「106年」, 「107年1至6月」), never after the document's date."""
    if not header:
        return None
    found = [d.date for d in DateContext(document=doc).find(header) if d.date is not None]
    if not found:
        return None
    end = found[-1].latest()
    return min(end, doc.latest()) if doc is not None and doc.day is not None else end


def _direction(header: str, state: DocState) -> str | None:
    """我方請求 → our side asked; 陸方請求 → the mainland asked; 我方完成 → our side completed what the other
    side asked (for request counts)."""
    side = Party.CN if ("陆方" in header or "大陆" in header) else (state.party if "我方" in header else None)
    if side is None and "台" in header:
        side = Party.TW
    if side is None:
        return None
    asking = side.other if "完成" in header or "办结" in header else side
    return "tw_to_cn" if asking is Party.TW else "cn_to_tw"
