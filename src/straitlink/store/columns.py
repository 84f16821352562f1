"""What every table shares: the declarative base and its naming, check-constraint helpers, and the columns of every
record row (id, version, provenance, marking) and of every partially known date, as mixins."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, MetaData, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.sql.expression import false

from straitlink.domain.dates import Precision
from straitlink.domain.marking import Classification, HandlingCode
from straitlink.domain.parties import Party
from straitlink.domain.provenance import ProvenanceKind

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

AMOUNT = Numeric(20, 6)


def sql_values(values: Iterable[StrEnum] | Iterable[str]) -> str:
    """A check constraint's value list, generated from the domain's enum so the two cannot drift."""
    return "(" + ",".join(f"'{v}'" for v in values) + ")"


PARTIES = sql_values(Party)
CLASSIFICATIONS = sql_values(Classification)
HANDLING_CODES = sql_values(HandlingCode)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        str: String(200),
        dict[str, Any]: JSON,
        list[str]: JSON,
        Decimal: AMOUNT,
    }


def _in(column: str, values: str, name: str) -> CheckConstraint:
    return CheckConstraint(f"{column} IN {values}", name=name)


class RecordColumns:
    """Id, optimistic-lock version and provenance: every record row has them."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    prov_kind: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    prov_user: Mapped[str | None] = mapped_column(String(200))
    prov_span_start: Mapped[int | None]
    prov_span_end: Mapped[int | None]
    prov_quote: Mapped[str | None] = mapped_column(Text)
    prov_peer_message: Mapped[str | None] = mapped_column(String(200))
    prov_generator: Mapped[str | None] = mapped_column(String(200))
    # The marking (straitlink.domain.marking): lists filter on these in SQL.
    classification: Mapped[str] = mapped_column(String(16), server_default="restricted")
    handling: Mapped[str] = mapped_column(String(2), server_default="H0")
    releasable: Mapped[bool] = mapped_column(Boolean, server_default=false())
    publishable: Mapped[bool] = mapped_column(Boolean, server_default=false())
    marking_note: Mapped[str | None] = mapped_column(Text)

    @declared_attr
    def prov_document(cls) -> Mapped[str | None]:
        return mapped_column(ForeignKey("source_document.id"), index=True)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}

    @classmethod
    def provenance_checks(cls, table: str) -> tuple[CheckConstraint, ...]:
        return (
            _in("prov_kind", sql_values(ProvenanceKind), "prov_kind"),
            CheckConstraint("prov_kind <> 'user' OR prov_user IS NOT NULL", name="prov_user"),
            CheckConstraint("prov_kind <> 'peer' OR prov_peer_message IS NOT NULL", name="prov_peer"),
            CheckConstraint(
                "prov_span_start IS NULL OR (prov_span_start >= 0 AND prov_span_end >= prov_span_start)",
                name="prov_span",
            ),
            _in("classification", CLASSIFICATIONS, "classification"),
            _in("handling", HANDLING_CODES, "handling"),
            CheckConstraint("handling <> 'H3' OR marking_note IS NOT NULL", name="handling_note"),
        )


class PartialDateColumns:
    """A PartialDate as its range plus how it was stated, so periods filter with plain comparisons."""

    date_earliest: Mapped[date | None] = mapped_column(Date, index=True)
    date_latest: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String(8))
    date_part: Mapped[str | None] = mapped_column(String(16))

    @classmethod
    def date_checks(cls) -> tuple[CheckConstraint, ...]:
        return (
            _in("date_precision", sql_values(Precision), "date_precision"),
            CheckConstraint(
                "(date_earliest IS NULL) = (date_precision IS NULL) AND date_latest >= date_earliest",
                name="date_range",
            ),
        )
