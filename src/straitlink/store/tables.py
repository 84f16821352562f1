"""SQLAlchemy 2 typed tables. Kept apart from the domain: `mapping.py` converts between rows and records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from straitlink.domain.cases import AgencyRole, CaseKind, PersonRole
from straitlink.domain.marking import InformationAccuracy, SourceReliability
from straitlink.domain.meetings import FollowUpStatus
from straitlink.domain.quantity import Basis, Qualifier, Unit
from straitlink.domain.reference import DrugCategory
from straitlink.domain.requests import RequestForm, Urgency

# Re-exported: the other table modules and the migrations import these from here.
from straitlink.store.columns import AMOUNT as AMOUNT
from straitlink.store.columns import CLASSIFICATIONS as CLASSIFICATIONS
from straitlink.store.columns import HANDLING_CODES as HANDLING_CODES
from straitlink.store.columns import NAMING as NAMING
from straitlink.store.columns import PARTIES as PARTIES
from straitlink.store.columns import Base as Base
from straitlink.store.columns import PartialDateColumns as PartialDateColumns
from straitlink.store.columns import RecordColumns as RecordColumns
from straitlink.store.columns import _in as _in
from straitlink.store.columns import sql_values as sql_values


class SourceDocumentRow(RecordColumns, Base):
    __tablename__ = "source_document"
    __table_args__ = RecordColumns.provenance_checks("source_document")
    title: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    published_on: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(16))
    sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    text: Mapped[str | None] = mapped_column(Text)
    citations: Mapped[list[SourceCitationRow]] = relationship(
        order_by="SourceCitationRow.position", cascade="all, delete-orphan", lazy="selectin"
    )


class SourceCitationRow(Base):
    """A stored record a document tells of again (domain Citation): the record is named by kind and id, not by a
    foreign key, since it may be of any kind."""

    __tablename__ = "source_citation"
    __table_args__ = (
        CheckConstraint("span_start IS NULL OR (span_start >= 0 AND span_end >= span_start)", name="span"),
        Index("ix_source_citation_record", "record_kind", "record_id"),
    )
    document: Mapped[str] = mapped_column(ForeignKey("source_document.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(64))
    span_start: Mapped[int | None]
    span_end: Mapped[int | None]
    quote: Mapped[str | None] = mapped_column(Text)


class AgencyRow(Base):
    __tablename__ = "agency"
    __table_args__ = (_in("party", PARTIES, "party"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    party: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(32))
    parent: Mapped[str | None] = mapped_column(ForeignKey("agency.id"))
    name_zh_hant: Mapped[str]
    name_zh_hans: Mapped[str]
    name_en: Mapped[str]
    short_names: Mapped[list[str]]


class DrugRow(Base):
    __tablename__ = "drug"
    __table_args__ = (
        _in("category", sql_values(DrugCategory), "category"),
        CheckConstraint("tw_schedule IS NULL OR tw_schedule BETWEEN 1 AND 4", name="tw_schedule"),
    )
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(16))
    name_zh_hant: Mapped[str]
    name_zh_hans: Mapped[str]
    name_en: Mapped[str]
    tw_schedule: Mapped[int | None]
    aliases: Mapped[list[str]]
    dose_g: Mapped[Decimal | None]
    dose_source: Mapped[str | None] = mapped_column(Text)


class PlaceRow(Base):
    __tablename__ = "place"
    __table_args__ = (CheckConstraint(f"party IS NULL OR party IN {PARTIES}", name="party"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    party: Mapped[str | None] = mapped_column(String(2))
    parent: Mapped[str | None] = mapped_column(ForeignKey("place.id"))
    name_zh_hant: Mapped[str]
    name_zh_hans: Mapped[str]
    name_en: Mapped[str]
    aliases: Mapped[list[str]]


class RequestTypeRow(Base):
    __tablename__ = "request_type"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh_hant: Mapped[str]
    name_zh_hans: Mapped[str]
    name_en: Mapped[str]
    articles: Mapped[list[str]]
    aliases: Mapped[list[str]]


# The open statuses, sorted as request_views renders them; the condition of ix_request_open_list.
OPEN_STATUSES_SQL = "status IN ('assigned', 'filed', 'in_execution', 'info_requested', 'postponed', 'received', 'sent')"


class AssistanceRequestRow(RecordColumns, Base):
    __tablename__ = "assistance_request"
    __table_args__ = (
        *RecordColumns.provenance_checks("assistance_request"),
        _in("requesting_party", PARTIES, "requesting_party"),
        _in("urgency", sql_values(Urgency), "urgency"),
        _in(
            "status",
            "('filed','sent','received','info_requested','assigned','in_execution','postponed',"
            "'completed','refused','unable','withdrawn')",
            "status",
        ),
        CheckConstraint("received_on IS NULL OR received_on >= filed_on", name="received_after_filed"),
        CheckConstraint("closed_on IS NULL OR closed_on >= filed_on", name="closed_after_filed"),
        _in("form", sql_values(RequestForm), "form"),
        CheckConstraint("confirmed_on IS NULL OR confirmed_on >= filed_on", name="confirmed_after_filed"),
        # Covering index for the statistics' period × direction × type aggregations.
        Index("ix_request_stats", "filed_on", "requesting_party", "type", "status", "prov_kind"),
        # The inbox and outbox: one side's requests in (filed_on, id) order, a keyset page a seek (migration 0011).
        Index("ix_request_list", "requesting_party", "filed_on", "id"),
        # Their default view, the open requests alone in the same order: the page reads only the rows it shows
        # (migration 0013). The condition is the literal IN list request_views writes for "open".
        Index(
            "ix_request_open_list",
            "requesting_party",
            "filed_on",
            "id",
            sqlite_where=text(OPEN_STATUSES_SQL),
            postgresql_where=text(OPEN_STATUSES_SQL),
        ),
    )
    requesting_party: Mapped[str] = mapped_column(String(2))
    type: Mapped[str] = mapped_column(ForeignKey("request_type.id"))
    subject: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(8))
    requesting_agency: Mapped[str | None] = mapped_column(ForeignKey("agency.id"))
    executing_agency: Mapped[str | None] = mapped_column(ForeignKey("agency.id"))
    purpose: Mapped[str | None] = mapped_column(Text)
    matters: Mapped[str | None] = mapped_column(Text)
    case_summary: Mapped[str | None] = mapped_column(Text)
    execution_needs: Mapped[str | None] = mapped_column(Text)
    requesting_ref: Mapped[str | None] = mapped_column(String(100))
    requested_ref: Mapped[str | None] = mapped_column(String(100))
    filed_on: Mapped[date] = mapped_column(Date)
    sent_on: Mapped[date | None] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("legal_case.id"), index=True)
    form: Mapped[str] = mapped_column(String(8), server_default="written")
    confirmed_on: Mapped[date | None] = mapped_column(Date)


class CaseRow(RecordColumns, PartialDateColumns, Base):
    __tablename__ = "legal_case"
    __table_args__ = (
        *RecordColumns.provenance_checks("legal_case"),
        *PartialDateColumns.date_checks(),
        _in("kind", sql_values(CaseKind), "kind"),
    )
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    joint: Mapped[bool]
    summary: Mapped[str | None] = mapped_column(Text)
    agencies: Mapped[list[CaseAgencyRow]] = relationship(
        order_by="CaseAgencyRow.position", cascade="all, delete-orphan", lazy="selectin"
    )
    places: Mapped[list[CasePlaceRow]] = relationship(
        order_by="CasePlaceRow.position", cascade="all, delete-orphan", lazy="selectin"
    )


class CaseAgencyRow(Base):
    __tablename__ = "case_agency"
    __table_args__ = (_in("role", sql_values(AgencyRole), "role"),)
    case_id: Mapped[str] = mapped_column(ForeignKey("legal_case.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agency.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))


class CasePlaceRow(Base):
    __tablename__ = "case_place"
    case_id: Mapped[str] = mapped_column(ForeignKey("legal_case.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    place: Mapped[str] = mapped_column(ForeignKey("place.id"), index=True)


class OperationRow(RecordColumns, PartialDateColumns, Base):
    __tablename__ = "operation"
    __table_args__ = (
        *RecordColumns.provenance_checks("operation"),
        *PartialDateColumns.date_checks(),
        CheckConstraint("personnel_value IS NULL OR personnel_value >= 0", name="personnel_value"),
        CheckConstraint(f"personnel_party IS NULL OR personnel_party IN {PARTIES}", name="personnel_party"),
    )
    case_id: Mapped[str] = mapped_column(ForeignKey("legal_case.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    personnel_value: Mapped[Decimal | None]
    personnel_upper: Mapped[Decimal | None]
    personnel_qualifier: Mapped[str | None] = mapped_column(String(16))
    personnel_party: Mapped[str | None] = mapped_column(String(2))
    conveyance: Mapped[str | None] = mapped_column(String(16))
    concealment: Mapped[str | None] = mapped_column(Text)
    containers: Mapped[list[str]]
    agencies: Mapped[list[OperationAgencyRow]] = relationship(
        order_by="OperationAgencyRow.position", cascade="all, delete-orphan", lazy="selectin"
    )
    places: Mapped[list[OperationPlaceRow]] = relationship(
        order_by="OperationPlaceRow.position", cascade="all, delete-orphan", lazy="selectin"
    )
    vessels: Mapped[list[VesselRow]] = relationship(
        order_by="VesselRow.position", cascade="all, delete-orphan", lazy="selectin"
    )


class OperationAgencyRow(Base):
    __tablename__ = "operation_agency"
    __table_args__ = (_in("role", sql_values(AgencyRole), "role"),)
    operation: Mapped[str] = mapped_column(ForeignKey("operation.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agency.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))


class OperationPlaceRow(Base):
    __tablename__ = "operation_place"
    operation: Mapped[str] = mapped_column(ForeignKey("operation.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    place: Mapped[str] = mapped_column(ForeignKey("place.id"), index=True)


class VesselRow(Base):
    __tablename__ = "vessel"
    operation: Mapped[str] = mapped_column(ForeignKey("operation.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    flag_state: Mapped[str | None]
    kind: Mapped[str | None]


class PersonRow(RecordColumns, Base):
    __tablename__ = "person"
    __table_args__ = (
        *RecordColumns.provenance_checks("person"),
        _in("role", sql_values(PersonRole), "role"),
        CheckConstraint(f"nationality IS NULL OR nationality IN {PARTIES}", name="nationality"),
    )
    case_id: Mapped[str] = mapped_column(ForeignKey("legal_case.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    caught_in_act: Mapped[bool]
    name: Mapped[str | None]
    nationality: Mapped[str | None] = mapped_column(String(2))
    label: Mapped[str | None]


class SeizureRow(RecordColumns, PartialDateColumns, Base):
    __tablename__ = "seizure"
    __table_args__ = (
        *RecordColumns.provenance_checks("seizure"),
        *PartialDateColumns.date_checks(),
        Index("ix_seizure_stats", "date_earliest", "drug", "prov_kind"),
    )
    drug: Mapped[str] = mapped_column(ForeignKey("drug.id"))
    place: Mapped[str | None] = mapped_column(ForeignKey("place.id"), index=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("legal_case.id"), index=True)
    operation: Mapped[str | None] = mapped_column(ForeignKey("operation.id"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    containers: Mapped[list[str]]
    quantities: Mapped[list[SeizureQuantityRow]] = relationship(
        order_by="SeizureQuantityRow.position", cascade="all, delete-orphan", lazy="selectin"
    )


class SeizureQuantityRow(Base):
    __tablename__ = "seizure_quantity"
    __table_args__ = (
        _in("unit", sql_values(Unit), "unit"),
        _in("basis", sql_values(Basis), "basis"),
        _in("qualifier", sql_values(Qualifier), "qualifier"),
        CheckConstraint("value >= 0", name="value"),
        CheckConstraint(
            "(qualifier = 'range') = (upper IS NOT NULL) AND (upper IS NULL OR upper >= value)", name="range"
        ),
        CheckConstraint("basis = 'unstated' OR unit IN ('kg','g','t')", name="basis_mass"),
    )
    seizure: Mapped[str] = mapped_column(ForeignKey("seizure.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[Decimal]
    upper: Mapped[Decimal | None]
    unit: Mapped[str] = mapped_column(String(8))
    basis: Mapped[str] = mapped_column(String(8))
    qualifier: Mapped[str] = mapped_column(String(16))


class IntelReportRow(RecordColumns, PartialDateColumns, Base):
    __tablename__ = "intel_report"
    __table_args__ = (
        *RecordColumns.provenance_checks("intel_report"),
        *PartialDateColumns.date_checks(),
        _in("provider_party", PARTIES, "provider_party"),
        _in("recipient_party", PARTIES, "recipient_party"),
        CheckConstraint("provider_party <> recipient_party", name="cross_strait"),
        _in("source_reliability", sql_values(SourceReliability), "source_reliability"),
        _in("information_accuracy", sql_values(InformationAccuracy), "information_accuracy"),
    )
    provider_agency: Mapped[str | None] = mapped_column(ForeignKey("agency.id"), index=True)
    provider_party: Mapped[str] = mapped_column(String(2))
    recipient_party: Mapped[str] = mapped_column(String(2))
    summary: Mapped[str] = mapped_column(Text)
    source_reliability: Mapped[str] = mapped_column(String(1), server_default="X")
    information_accuracy: Mapped[str] = mapped_column(String(1), server_default="3")


class OutcomeRow(RecordColumns, Base):
    __tablename__ = "outcome"
    __table_args__ = RecordColumns.provenance_checks("outcome")
    intel: Mapped[str] = mapped_column(ForeignKey("intel_report.id"), index=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("legal_case.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    seizures: Mapped[list[OutcomeSeizureRow]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    persons: Mapped[list[OutcomePersonRow]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class OutcomeSeizureRow(Base):
    __tablename__ = "outcome_seizure"
    outcome: Mapped[str] = mapped_column(ForeignKey("outcome.id", ondelete="CASCADE"), primary_key=True)
    seizure: Mapped[str] = mapped_column(ForeignKey("seizure.id"), primary_key=True)


class OutcomePersonRow(Base):
    __tablename__ = "outcome_person"
    outcome: Mapped[str] = mapped_column(ForeignKey("outcome.id", ondelete="CASCADE"), primary_key=True)
    person: Mapped[str] = mapped_column(ForeignKey("person.id"), primary_key=True)


class MeetingRow(RecordColumns, PartialDateColumns, Base):
    __tablename__ = "meeting"
    __table_args__ = (
        *RecordColumns.provenance_checks("meeting"),
        *PartialDateColumns.date_checks(),
        _in(
            "kind",
            "('liaison_coordination','working_talks','seminar','field_visit','case_conference','policy_meeting')",
            "kind",
        ),
        CheckConstraint("sequence IS NULL OR sequence >= 1", name="sequence"),
        UniqueConstraint("kind", "sequence", name="uq_meeting_kind_sequence"),
    )
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    sequence: Mapped[int | None]
    host: Mapped[str | None] = mapped_column(ForeignKey("agency.id"))
    decisions: Mapped[list[str]]
    cross_strait: Mapped[bool]
    participants: Mapped[list[MeetingAgencyRow]] = relationship(
        order_by="MeetingAgencyRow.position", cascade="all, delete-orphan", lazy="selectin"
    )
    places: Mapped[list[MeetingPlaceRow]] = relationship(
        order_by="MeetingPlaceRow.position", cascade="all, delete-orphan", lazy="selectin"
    )
    follow_ups: Mapped[list[MeetingFollowUpRow]] = relationship(
        order_by="MeetingFollowUpRow.position", cascade="all, delete-orphan", lazy="selectin"
    )


class MeetingAgencyRow(Base):
    __tablename__ = "meeting_agency"
    meeting: Mapped[str] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agency.id"), index=True)


class MeetingPlaceRow(Base):
    __tablename__ = "meeting_place"
    meeting: Mapped[str] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    place: Mapped[str] = mapped_column(ForeignKey("place.id"), index=True)


class MeetingFollowUpRow(Base):
    """One action item of a meeting (domain FollowUp): who carries it out, by when, where it stands, and the
    records that carried it out."""

    __tablename__ = "meeting_follow_up"
    __table_args__ = (
        _in("status", sql_values(FollowUpStatus), "status"),
        CheckConstraint("decision IS NULL OR decision >= 1", name="decision"),
        CheckConstraint("status = 'open' OR status_on IS NOT NULL", name="status_on"),
        Index("ix_meeting_follow_up_pending", "status", "due"),
    )
    meeting: Mapped[str] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    decision: Mapped[int | None]
    action: Mapped[str] = mapped_column(Text)
    agency: Mapped[str] = mapped_column(ForeignKey("agency.id"), index=True)
    due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    status_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    request: Mapped[str | None] = mapped_column(ForeignKey("assistance_request.id"), index=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("legal_case.id"), index=True)
    intel: Mapped[str | None] = mapped_column(ForeignKey("intel_report.id"), index=True)


class PublishedFigureRow(RecordColumns, Base):
    __tablename__ = "published_figure"
    __table_args__ = (
        *RecordColumns.provenance_checks("published_figure"),
        _in("qualifier", sql_values(Qualifier), "qualifier"),
        CheckConstraint("value >= 0", name="value"),
        CheckConstraint("period_start IS NULL OR period_start <= period_end", name="period"),
    )
    metric: Mapped[str] = mapped_column(String(100), index=True)
    label: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str | None] = mapped_column(Text)
    value: Mapped[Decimal]
    unit: Mapped[str] = mapped_column(String(16))
    qualifier: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    direction: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(ForeignKey("source_document.id"), index=True)
