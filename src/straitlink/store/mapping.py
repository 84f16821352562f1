"""Conversions between domain records and table rows, one `Mapper` per record kind (cases and what comes of them
in store/mapping_cases.py), and every kind's mapper in dependency order.
"""

from __future__ import annotations

from typing import Any

from straitlink.domain.figures import Citation, PublishedFigure, SourceDocument
from straitlink.domain.meetings import FollowUp, FollowUpStatus, Meeting, MeetingKind
from straitlink.domain.parties import Party
from straitlink.domain.quantity import Qualifier, Unit
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import AssistanceRequest, RequestForm, RequestStatus, Urgency
from straitlink.store import tables as t
from straitlink.store.mapper import Mapper, get_date, get_provenance, put_date, stored_decimal
from straitlink.store.mapping_cases import CASES, INTEL, OPERATIONS, OUTCOMES, PERSONS, SEIZURES

# Every kind's mapper is named here, where the statistics and the services look them up.
__all__ = [
    "ALL",
    "BY_KIND",
    "CASES",
    "DOCUMENTS",
    "FIGURES",
    "INTEL",
    "MEETINGS",
    "OPERATIONS",
    "OUTCOMES",
    "PERSONS",
    "REQUESTS",
    "SEIZURES",
    "Mapper",
]


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
        value=stored_decimal(row.value),  # type: ignore[arg-type]
        unit=Unit(row.unit),
        qualifier=Qualifier(row.qualifier),
        period_start=row.period_start,
        period_end=row.period_end,
        direction=row.direction,
        source=row.source,
    )


DOCUMENTS = Mapper("document", SourceDocument, t.SourceDocumentRow, _fill_document, _load_document)
REQUESTS = Mapper("request", AssistanceRequest, t.AssistanceRequestRow, _fill_request, _load_request)
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
