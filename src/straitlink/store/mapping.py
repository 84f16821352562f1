"""Conversions between domain records and table rows, one pair per record kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from straitlink.domain.cases import (
    AgencyParticipation,
    AgencyRole,
    Case,
    CaseKind,
    Conveyance,
    Operation,
    Person,
    PersonRole,
    Vessel,
)
from straitlink.domain.dates import Part, PartialDate, Precision
from straitlink.domain.figures import Citation, PublishedFigure, SourceDocument
from straitlink.domain.intel import IntelReport, Outcome
from straitlink.domain.marking import Classification, HandlingCode, InformationAccuracy, Marking, SourceReliability
from straitlink.domain.meetings import FollowUp, FollowUpStatus, Meeting, MeetingKind
from straitlink.domain.parties import Party
from straitlink.domain.provenance import Provenance, ProvenanceKind
from straitlink.domain.quantity import Basis, Qualifier, Quantity, Unit
from straitlink.domain.records import Record
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import AssistanceRequest, RequestForm, RequestStatus, Urgency
from straitlink.domain.seizures import Seizure
from straitlink.store import tables as t

R = TypeVar("R", bound=Record)
Row = TypeVar("Row", bound=t.RecordColumns)


def _dec(value: Decimal | None) -> Decimal | None:
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


def _participations(rows: list[Any]) -> list[AgencyParticipation]:
    return [AgencyParticipation(r.agency, AgencyRole(r.role)) for r in rows]


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

    def from_row(self, row: Row) -> R:
        record = self.load(row)
        record.marking = get_marking(row)
        return record


def _fill_document(r: SourceDocument, row: t.SourceDocumentRow) -> None:
    row.title, row.publisher, row.url = r.title, r.publisher, r.url
    row.published_on, row.language, row.sha256, row.text = r.published_on, r.language, r.sha256, r.text
    row.citations = [
        t.SourceCitationRow(
            position=i,
            record_kind=c.kind,
            record_id=c.record,
            span_start=c.span[0] if c.span else None,
            span_end=c.span[1] if c.span else None,
            quote=c.quote,
        )
        for i, c in enumerate(r.cites)
    ]


def _load_document(row: t.SourceDocumentRow) -> SourceDocument:
    return SourceDocument(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        title=row.title,
        publisher=row.publisher,
        url=row.url,
        published_on=row.published_on,
        language=row.language,
        sha256=row.sha256,
        text=row.text,
        cites=[
            Citation(
                c.record_kind,
                c.record_id,
                (c.span_start, c.span_end) if c.span_start is not None and c.span_end is not None else None,
                c.quote,
            )
            for c in row.citations
        ],
    )


_REQUEST_FIELDS = (
    "subject",
    "requesting_agency",
    "executing_agency",
    "purpose",
    "matters",
    "case_summary",
    "execution_needs",
    "requesting_ref",
    "requested_ref",
    "filed_on",
    "sent_on",
    "received_on",
    "closed_on",
    "confirmed_on",
)


def _fill_request(r: AssistanceRequest, row: t.AssistanceRequestRow) -> None:
    for name in _REQUEST_FIELDS:
        setattr(row, name, getattr(r, name))
    row.requesting_party, row.type = r.requesting_party.value, r.type.value
    row.status, row.urgency, row.case_id = r.status.value, r.urgency.value, r.case
    row.form = r.form.value


def _load_request(row: t.AssistanceRequestRow) -> AssistanceRequest:
    return AssistanceRequest(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        requesting_party=Party(row.requesting_party),
        type=RequestType(row.type),
        status=RequestStatus(row.status),
        urgency=Urgency(row.urgency),
        form=RequestForm(row.form),
        case=row.case_id,
        **{name: getattr(row, name) for name in _REQUEST_FIELDS},
    )


def _fill_case(r: Case, row: t.CaseRow) -> None:
    row.title, row.kind, row.joint, row.summary = r.title, r.kind.value, r.joint, r.summary
    put_date(row, r.opened_on)
    row.agencies = [t.CaseAgencyRow(position=i, agency=p.agency, role=p.role.value) for i, p in enumerate(r.agencies)]
    row.places = [t.CasePlaceRow(position=i, place=p) for i, p in enumerate(r.places)]


def _load_case(row: t.CaseRow) -> Case:
    return Case(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        title=row.title,
        kind=CaseKind(row.kind),
        joint=row.joint,
        opened_on=get_date(row),
        summary=row.summary,
        agencies=_participations(row.agencies),
        places=[p.place for p in row.places],
    )


def _fill_operation(r: Operation, row: t.OperationRow) -> None:
    row.case_id, row.name = r.case, r.name
    put_date(row, r.date)
    p = r.personnel
    row.personnel_value = p.value if p else None
    row.personnel_upper = p.upper if p else None
    row.personnel_qualifier = p.qualifier.value if p else None
    row.personnel_party = r.personnel_party.value if r.personnel_party else None
    row.conveyance = r.conveyance.value if r.conveyance else None
    row.concealment, row.containers = r.concealment, list(r.containers)
    row.agencies = [
        t.OperationAgencyRow(position=i, agency=a.agency, role=a.role.value) for i, a in enumerate(r.agencies)
    ]
    row.places = [t.OperationPlaceRow(position=i, place=pl) for i, pl in enumerate(r.places)]
    row.vessels = [
        t.VesselRow(position=i, name=v.name, flag_state=v.flag_state, kind=v.kind) for i, v in enumerate(r.vessels)
    ]


def _load_operation(row: t.OperationRow) -> Operation:
    personnel = None
    if row.personnel_value is not None:
        personnel = Quantity(
            _dec(row.personnel_value),  # type: ignore[arg-type]
            Unit.PERSON,
            qualifier=Qualifier(row.personnel_qualifier or "exact"),
            upper=_dec(row.personnel_upper),
        )
    return Operation(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        case=row.case_id,
        name=row.name,
        date=get_date(row),
        agencies=_participations(row.agencies),
        places=[p.place for p in row.places],
        personnel=personnel,
        personnel_party=Party(row.personnel_party) if row.personnel_party else None,
        vessels=[Vessel(v.name, v.flag_state, v.kind) for v in row.vessels],
        containers=list(row.containers),
        conveyance=Conveyance(row.conveyance) if row.conveyance else None,
        concealment=row.concealment,
    )


def _fill_person(r: Person, row: t.PersonRow) -> None:
    row.case_id, row.role, row.caught_in_act = r.case, r.role.value, r.caught_in_act
    row.name, row.label = r.name, r.label
    row.nationality = r.nationality.value if r.nationality else None


def _load_person(row: t.PersonRow) -> Person:
    return Person(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        case=row.case_id,
        role=PersonRole(row.role),
        caught_in_act=row.caught_in_act,
        name=row.name,
        nationality=Party(row.nationality) if row.nationality else None,
        label=row.label,
    )


def _fill_seizure(r: Seizure, row: t.SeizureRow) -> None:
    row.drug, row.place, row.case_id, row.operation = r.drug, r.place, r.case, r.operation
    row.description, row.containers = r.description, list(r.containers)
    put_date(row, r.date)
    row.quantities = [
        t.SeizureQuantityRow(
            position=i,
            value=q.value,
            upper=q.upper,
            unit=q.unit.value,
            basis=q.basis.value,
            qualifier=q.qualifier.value,
        )
        for i, q in enumerate(r.quantities)
    ]


def _load_seizure(row: t.SeizureRow) -> Seizure:
    return Seizure(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        drug=row.drug,
        quantities=[
            Quantity(
                _dec(q.value),  # type: ignore[arg-type]
                Unit(q.unit),
                Basis(q.basis),
                Qualifier(q.qualifier),
                _dec(q.upper),
            )
            for q in row.quantities
        ],
        date=get_date(row),
        place=row.place,
        case=row.case_id,
        operation=row.operation,
        description=row.description,
        containers=list(row.containers),
    )


def _fill_intel(r: IntelReport, row: t.IntelReportRow) -> None:
    row.provider_agency, row.summary = r.provider_agency, r.summary
    row.provider_party, row.recipient_party = r.provider_party.value, r.recipient_party.value
    row.source_reliability, row.information_accuracy = r.source_reliability.value, r.information_accuracy.value
    put_date(row, r.date)


def _load_intel(row: t.IntelReportRow) -> IntelReport:
    return IntelReport(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        provider_agency=row.provider_agency,
        provider_party=Party(row.provider_party),
        recipient_party=Party(row.recipient_party),
        date=get_date(row),
        summary=row.summary,
        source_reliability=SourceReliability(row.source_reliability),
        information_accuracy=InformationAccuracy(row.information_accuracy),
    )


def _fill_outcome(r: Outcome, row: t.OutcomeRow) -> None:
    row.intel, row.case_id, row.note = r.intel, r.case, r.note
    row.seizures = [t.OutcomeSeizureRow(seizure=s) for s in r.seizures]
    row.persons = [t.OutcomePersonRow(person=p) for p in r.persons]


def _load_outcome(row: t.OutcomeRow) -> Outcome:
    return Outcome(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        intel=row.intel,
        case=row.case_id,
        seizures=sorted(s.seizure for s in row.seizures),
        persons=sorted(p.person for p in row.persons),
        note=row.note,
    )


def _fill_meeting(r: Meeting, row: t.MeetingRow) -> None:
    row.kind, row.title, row.sequence, row.host = r.kind.value, r.title, r.sequence, r.host
    row.decisions, row.cross_strait = list(r.decisions), r.cross_strait
    put_date(row, r.date)
    row.participants = [t.MeetingAgencyRow(position=i, agency=a) for i, a in enumerate(r.participants)]
    row.places = [t.MeetingPlaceRow(position=i, place=p) for i, p in enumerate(r.places)]
    row.follow_ups = [
        t.MeetingFollowUpRow(
            position=i,
            decision=f.decision,
            action=f.action,
            agency=f.agency,
            due=f.due,
            status=f.status.value,
            status_on=f.status_on,
            note=f.note,
            request=f.request,
            case_id=f.case,
            intel=f.intel,
        )
        for i, f in enumerate(r.follow_ups)
    ]


def _load_follow_up(row: t.MeetingFollowUpRow) -> FollowUp:
    return FollowUp(
        decision=row.decision,
        action=row.action,
        agency=row.agency,
        due=row.due,
        status=FollowUpStatus(row.status),
        status_on=row.status_on,
        note=row.note,
        request=row.request,
        case=row.case_id,
        intel=row.intel,
    )


def _load_meeting(row: t.MeetingRow) -> Meeting:
    return Meeting(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        kind=MeetingKind(row.kind),
        title=row.title,
        date=get_date(row),
        sequence=row.sequence,
        places=[p.place for p in row.places],
        host=row.host,
        participants=[a.agency for a in row.participants],
        decisions=list(row.decisions),
        cross_strait=row.cross_strait,
        follow_ups=[_load_follow_up(f) for f in row.follow_ups],
    )


def _fill_figure(r: PublishedFigure, row: t.PublishedFigureRow) -> None:
    row.metric, row.label, row.label_en, row.value = r.metric, r.label, r.label_en, r.value
    row.unit, row.qualifier = r.unit.value, r.qualifier.value
    row.period_start, row.period_end, row.direction, row.source = (
        r.period_start,
        r.period_end,
        r.direction,
        r.source,
    )


def _load_figure(row: t.PublishedFigureRow) -> PublishedFigure:
    return PublishedFigure(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        metric=row.metric,
        label=row.label,
        label_en=row.label_en,
        value=_dec(row.value),  # type: ignore[arg-type]
        unit=Unit(row.unit),
        qualifier=Qualifier(row.qualifier),
        period_start=row.period_start,
        period_end=row.period_end,
        direction=row.direction,
        source=row.source,
    )


DOCUMENTS = Mapper("document", SourceDocument, t.SourceDocumentRow, _fill_document, _load_document)
REQUESTS = Mapper("request", AssistanceRequest, t.AssistanceRequestRow, _fill_request, _load_request)
CASES = Mapper("case", Case, t.CaseRow, _fill_case, _load_case)
OPERATIONS = Mapper("operation", Operation, t.OperationRow, _fill_operation, _load_operation)
PERSONS = Mapper("person", Person, t.PersonRow, _fill_person, _load_person)
SEIZURES = Mapper("seizure", Seizure, t.SeizureRow, _fill_seizure, _load_seizure)
INTEL = Mapper("intel", IntelReport, t.IntelReportRow, _fill_intel, _load_intel)
OUTCOMES = Mapper("outcome", Outcome, t.OutcomeRow, _fill_outcome, _load_outcome)
MEETINGS = Mapper("meeting", Meeting, t.MeetingRow, _fill_meeting, _load_meeting)
FIGURES = Mapper("figure", PublishedFigure, t.PublishedFigureRow, _fill_figure, _load_figure)

# In dependency order: a kind's references point only to kinds before it (export and import rely on this).
ALL: tuple[Mapper[Any, Any], ...] = (
    DOCUMENTS,
    CASES,
    OPERATIONS,
    PERSONS,
    SEIZURES,
    INTEL,
    OUTCOMES,
    FIGURES,
    REQUESTS,
    MEETINGS,  # a meeting's follow-ups name the requests, cases and intel that carried them out
)
BY_KIND: dict[str, Mapper[Any, Any]] = {m.kind: m for m in ALL}
