"""The web app's one door into the services: every call acts as the logged-in principal.

Keeping every service call here means the pages and the API never depend on the services' signatures. The use
cases check the principal's permissions and reach themselves; what the web app reads around them (a case's
records, the dashboard's deadlines) goes through the same checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from sqlalchemy import Engine

from straitlink.codec import encode
from straitlink.domain import workflow
from straitlink.domain.access import Permission, Principal
from straitlink.domain.dates import PartialDate
from straitlink.domain.meetings import Meeting
from straitlink.domain.provenance import ProvenanceKind
from straitlink.domain.records import Record
from straitlink.domain.requests import AssistanceRequest, RequestStatus
from straitlink.domain.workflow import Acting, Role
from straitlink.ingest import review
from straitlink.services import follow_ups as follow_up_svc
from straitlink.services import lookups
from straitlink.services import records as record_svc
from straitlink.services import request_lists as lists
from straitlink.services import request_views as views
from straitlink.services import requests as request_svc
from straitlink.services import search as search_svc
from straitlink.services.access import require
from straitlink.services.agencies import catalog_for
from straitlink.services.documents import Upload
from straitlink.services.kinds import Kind, kind_named
from straitlink.services.present import for_reader_of
from straitlink.services.records import ListFilter, today_utc8
from straitlink.services.requests import Desk
from straitlink.services.session import unit_of_work
from straitlink.stats.bulletin import render_bulletin
from straitlink.stats.explain import Explanation, explain_figure
from straitlink.stats.model import Statistics
from straitlink.stats.reconcile import Reconciliation, reconcile
from straitlink.stats.service import compute_statistics


@dataclass(frozen=True)
class Office:
    """What every use case needs of this instance: the engine and the request desk (which holds the engine too)."""

    engine: Engine
    desk: Desk


def resolve_id(office: Office, kind: Kind, given: str) -> str:
    return lookups.resolve_id(office.engine, kind, given)


def list_records(office: Office, principal: Principal, kind: Kind, flt: ListFilter) -> list[Record]:
    return record_svc.list_records(office.engine, kind, flt, principal=principal)


def list_key(kind: Kind, record: Record) -> tuple[date | None, str]:
    return record_svc.list_key(kind, record)


def get_record(office: Office, principal: Principal, kind: Kind, record_id: str) -> Record:
    full = resolve_id(office, kind, record_id)
    return record_svc.get_record(office.engine, kind, full, principal=principal)


def search(
    office: Office, principal: Principal, query: str, kinds: list[str] | None, limit: int, offset: int
) -> search_svc.SearchResult:
    return search_svc.search_records(office.engine, query, principal=principal, kinds=kinds, limit=limit, offset=offset)


def records_of_case(office: Office, principal: Principal, plural: str, case_id: str) -> list[Record]:
    return lookups.records_of_case(office.engine, plural, case_id, principal=principal)


def add_record(office: Office, principal: Principal, kind: Kind, data: dict[str, Any]) -> Record:
    if kind.name == "request":
        return file_request(office, principal, data)
    return record_svc.add_record(office.engine, kind, data, principal=principal)


def update_record(
    office: Office, principal: Principal, kind: Kind, record_id: str, changes: dict[str, Any], version: int
) -> Record:
    full = resolve_id(office, kind, record_id)
    return record_svc.update_record(office.engine, kind, full, changes, principal=principal, expected_version=version)


def file_request(
    office: Office, principal: Principal, data: dict[str, Any], documents: tuple[Upload, ...] = ()
) -> AssistanceRequest:
    acting = Acting(principal.party, Role.REQUESTING_SIDE)
    return request_svc.file_request(office.desk, data, principal=principal, acting=acting, documents=documents)


def step_acting(office: Office, principal: Principal, request_id: str, target: RequestStatus) -> Acting:
    """The side and role the principal takes a step in: the first the workflow allows their side."""
    request = lookups.load_request(office.engine, request_id)
    return workflow.default_acting(workflow.transition_for(request.status, target), request, principal.party)


def transition(
    office: Office,
    principal: Principal,
    request_id: str,
    target: RequestStatus,
    step: request_svc.StepInput,
    expected_version: int | None = None,
) -> AssistanceRequest:
    full = resolve_id(office, kind_named("request"), request_id)
    acting = step_acting(office, principal, full, target)
    return request_svc.transition_request(
        office.desk, full, target, step, principal=principal, acting=acting, expected_version=expected_version
    )


def next_steps(request: AssistanceRequest, principal: Principal) -> list[RequestStatus]:
    """The statuses this principal may move the request to now: their side's steps, if they may act at all."""
    if not principal.may(Permission.REQUESTS_ACT):
        return []
    out = []
    for target in workflow.allowed_targets(request.status):
        t = workflow.transition_for(request.status, target)
        if any(side.party(request) is principal.party for _, side in t.who):
            out.append(target)
    return out


def show_request(office: Office, principal: Principal, request_id: str) -> views.RequestView:
    full = resolve_id(office, kind_named("request"), request_id)
    return views.show_request(office.desk, full, principal=principal)


def read_document(office: Office, principal: Principal, document_id: str) -> tuple[views.DocumentView, bytes]:
    return views.read_document(office.desk, document_id, principal=principal)


def request_history(office: Office, principal: Principal, request_id: str) -> list[views.StepView]:
    full = resolve_id(office, kind_named("request"), request_id)
    return views.request_history(office.desk, full, principal=principal)


def list_requests(
    office: Office, principal: Principal, flt: lists.RequestFilter
) -> list[tuple[AssistanceRequest, list[views.DeadlineView]]]:
    return lists.list_requests(office.desk, flt, principal=principal)


def list_request_rows(office: Office, principal: Principal, flt: lists.RequestFilter) -> list[lists.ListedRequest]:
    return lists.list_request_rows(office.desk, flt, principal=principal)


def due_requests(
    office: Office, principal: Principal, *, within: int | None = None, mine: bool = False
) -> list[lists.DueItem]:
    """Running deadlines that are overdue or due within `within` days; `mine`: those of the principal's side."""
    party = principal.party if mine else None
    return lists.due_requests(office.desk, principal=principal, within=within, party=party)


def open_deadlines(office: Office, principal: Principal, *, synthetic: bool = False) -> list[lookups.Due]:
    return lookups.open_deadlines(office.desk, principal=principal, synthetic=synthetic)


def statistics(
    office: Office, principal: Principal, start: date, end: date, by: str | None, exclude_synthetic: bool
) -> Statistics:
    require(office.engine, principal, Permission.STATS_READ, "read statistics")
    with unit_of_work(office.engine) as uow:
        return compute_statistics(uow, start=start, end=end, by=by, exclude_synthetic=exclude_synthetic)


def explain(
    office: Office, principal: Principal, key: str, start: date, end: date, exclude_synthetic: bool, limit: int | None
) -> Explanation:
    require(office.engine, principal, Permission.STATS_READ, "read statistics")
    with unit_of_work(office.engine) as uow:
        return explain_figure(uow, key, start=start, end=end, exclude_synthetic=exclude_synthetic, limit=limit)


def reconciliation(
    office: Office, principal: Principal, start: date | None, end: date | None, exclude_synthetic: bool
) -> Reconciliation:
    require(office.engine, principal, Permission.STATS_READ, "reconcile published figures")
    with unit_of_work(office.engine) as uow:
        return reconcile(uow, start=start, end=end, exclude_synthetic=exclude_synthetic)


def bulletin(
    office: Office, principal: Principal, start: date, end: date, lang: str, fmt: str, exclude_synthetic: bool
) -> bytes:
    require(office.engine, principal, Permission.BULLETINS_PRODUCE, "produce bulletins")
    with unit_of_work(office.engine) as uow:
        return render_bulletin(uow, start=start, end=end, lang=lang, fmt=fmt, exclude_synthetic=exclude_synthetic)


def record_json(record: Record) -> dict[str, Any]:
    return encode(record)


def records_shown(office: Office, records: list[Record]) -> list[dict[str, Any]]:
    """Records for a page: the other side's text in this side's script and terms (services.present.for_reader_of)."""
    data = [encode(r) for r in records]
    if not any(r.provenance.kind is ProvenanceKind.PEER for r in records):
        return data  # nothing came from the other side: the catalogue is not even read
    found = catalog_for(office.engine)
    return [for_reader_of(d, reader=office.desk.party, catalog=found) for d in data]


# Ingestion review (docs/web.md): the use cases of straitlink.ingest.review, acting as the principal.


def upload_document(
    office: Office, principal: Principal, name: str, stream: IO[bytes], day: PartialDate | None
) -> tuple[review.ReviewView, bool]:
    return review.upload(office.engine, name, stream, date=day, principal=principal)


def ingest_reviews(office: Office, principal: Principal) -> list[review.ReviewSummary]:
    return review.list_reviews(office.engine, principal=principal)


def ingest_review(office: Office, principal: Principal, document: str) -> review.ReviewView:
    return review.get_review(office.engine, document, principal=principal)


def edit_proposal(
    office: Office, principal: Principal, document: str, proposal: str, changes: dict[str, Any], version: int | None
) -> review.ProposalView:
    return review.edit_proposal(
        office.engine, document, proposal, changes, principal=principal, expected_version=version
    )


def accept_proposal(
    office: Office, principal: Principal, document: str, proposal: str, version: int | None
) -> review.Decision:
    return review.accept_proposal(office.engine, document, proposal, principal=principal, expected_version=version)


def accept_all_proposals(office: Office, principal: Principal, document: str) -> review.Decision:
    return review.accept_all(office.engine, document, principal=principal)


def reject_proposal(
    office: Office, principal: Principal, document: str, proposal: str, version: int | None
) -> review.ProposalView:
    return review.reject_proposal(office.engine, document, proposal, principal=principal, expected_version=version)


def parse_follow_up(office: Office, pairs: list[str]) -> dict[str, Any]:
    return follow_up_svc.parse_follow_up(pairs, catalog_for(office.engine))


def add_follow_up(
    office: Office, principal: Principal, meeting_id: str, data: dict[str, Any], version: int | None
) -> Meeting:
    full = resolve_id(office, kind_named("meeting"), meeting_id)
    return follow_up_svc.add_follow_up(office.engine, full, data, principal=principal, expected_version=version)


def update_follow_up(
    office: Office,
    principal: Principal,
    meeting_id: str,
    number: int,
    changes: dict[str, Any],
    version: int | None,
) -> Meeting:
    full = resolve_id(office, kind_named("meeting"), meeting_id)
    return follow_up_svc.update_follow_up(
        office.engine, full, number, changes, principal=principal, expected_version=version
    )


def list_follow_ups(
    office: Office,
    principal: Principal,
    *,
    meeting_id: str | None = None,
    pending: bool = False,
    overdue: bool = False,
    agency: str | None = None,
) -> list[follow_up_svc.Item]:
    full = resolve_id(office, kind_named("meeting"), meeting_id) if meeting_id else None
    return follow_up_svc.list_follow_ups(
        office.engine, principal=principal, meeting_id=full, pending=pending, overdue=overdue, agency=agency
    )


def today() -> date:
    """Today on the desk's calendar (UTC+8, both sides' time)."""
    return today_utc8()
