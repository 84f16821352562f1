"""How a record kind is stored (`Mapper`), and the conversions of the columns every record row shares.

Provenance, marking and a partial date are stored the same way by every kind (store/columns.py); the kinds'
own conversions are in store/mapping.py and store/mapping_cases.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from straitlink.domain.cases import AgencyParticipation, AgencyRole
from straitlink.domain.dates import Part, PartialDate, Precision
from straitlink.domain.marking import Classification, HandlingCode, Marking
from straitlink.domain.provenance import Provenance, ProvenanceKind
from straitlink.domain.records import Record
from straitlink.store import tables as t

R = TypeVar("R", bound=Record)
Row = TypeVar("Row", bound=t.RecordColumns)


def stored_decimal(value: Decimal | None) -> Decimal | None:
    # Numeric columns come back with the column's scale (229.000000); the domain keeps the value as stated.
    if value is None:
        return None
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def put_provenance(row: t.RecordColumns, p: Provenance) -> None:
    row.prov_kind = p.kind.value
    row.prov_user = p.user
    row.prov_document = p.document
    row.prov_span_start, row.prov_span_end = p.span if p.span else (None, None)
    row.prov_quote = p.quote
    row.prov_peer_message = p.peer_message
    row.prov_generator = p.generator


def get_provenance(row: t.RecordColumns) -> Provenance:
    span = (row.prov_span_start, row.prov_span_end) if row.prov_span_start is not None else None
    return Provenance(
        ProvenanceKind(row.prov_kind),
        user=row.prov_user,
        document=row.prov_document,
        span=span,  # type: ignore[arg-type]
        quote=row.prov_quote,
        peer_message=row.prov_peer_message,
        generator=row.prov_generator,
    )


def put_marking(row: t.RecordColumns, m: Marking) -> None:
    row.classification, row.handling = m.classification.value, m.handling.value
    row.releasable, row.publishable, row.marking_note = m.releasable, m.publishable, m.note


def get_marking(row: t.RecordColumns) -> Marking:
    return Marking(
        Classification(row.classification),
        HandlingCode(row.handling),
        bool(row.releasable),
        bool(row.publishable),
        row.marking_note,
    )


def put_date(row: t.PartialDateColumns, d: PartialDate | None) -> None:
    if d is None:
        row.date_earliest = row.date_latest = row.date_precision = row.date_part = None
        return
    row.date_earliest, row.date_latest = d.earliest(), d.latest()
    row.date_precision = d.precision.value
    row.date_part = d.part.value if d.part else None


def get_date(row: t.PartialDateColumns) -> PartialDate | None:
    if row.date_earliest is None or row.date_precision is None:
        return None
    precision = Precision(row.date_precision)
    e = row.date_earliest
    return PartialDate(
        e.year,
        e.month if precision is not Precision.YEAR else None,
        e.day if precision is Precision.DAY else None,
        Part(row.date_part) if row.date_part else None,
    )


def participations(rows: list[Any]) -> list[AgencyParticipation]:
    return [AgencyParticipation(r.agency, AgencyRole(r.role)) for r in rows]


class _Values:
    """Stands in for a row object while a mapper's fill sets its columns."""


@dataclass(frozen=True)
class Mapper(Generic[R, Row]):
    """How one record kind is stored: its row class and the two conversions."""

    kind: str
    record: type[R]
    row: type[Row]
    fill: Callable[[R, Row], None]
    load: Callable[[Row], R]

    def to_row(self, record: R, row: Row | None = None) -> Row:
        target = row if row is not None else self.row()
        if row is None:
            target.id, target.version = record.id, record.version
        put_provenance(target, record.provenance)
        put_marking(target, record.marking)
        self.fill(record, target)
        return target

    def values(self, record: R) -> dict[str, Any]:
        """The column values `to_row` would give a new row, as a plain dict (for a Core INSERT of a row with no
        child rows: the same values, without an ORM object to build and flush)."""
        target: Any = _Values()
        target.id, target.version = record.id, record.version
        put_provenance(target, record.provenance)
        put_marking(target, record.marking)
        self.fill(record, target)
        return vars(target)

    def from_row(self, row: Row) -> R:
        record = self.load(row)
        record.marking = get_marking(row)
        return record
