"""The web app's one door into the services: every call acts as the logged-in principal.

Keeping every service call here means the pages and the API never depend on the services' signatures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from straitlink.codec import encode
from straitlink.domain import workflow
from straitlink.domain.deadlines import DeadlineState
from straitlink.domain.errors import InvalidValue, NotFound
from straitlink.domain.records import Record
from straitlink.domain.requests import CLOSED_STATUSES, AssistanceRequest, RequestStatus
from straitlink.domain.workflow import Acting, Role
from straitlink.services import records as record_svc
from straitlink.services import request_views as views
from straitlink.services import requests as request_svc
from straitlink.services.documents import Upload
from straitlink.services.kinds import Kind, kind_named
from straitlink.services.requests import Desk
from straitlink.stats.bulletin import render_bulletin
from straitlink.stats.explain import Explanation, explain_figure
from straitlink.stats.model import Statistics
from straitlink.stats.reconcile import Reconciliation, reconcile
from straitlink.stats.service import compute_statistics
from straitlink.store.mapping import REQUESTS
from straitlink.store.queries import ListFilter
from straitlink.store.uow import UnitOfWork
from straitlink.web.principal import Principal

MIN_PREFIX = 8


@dataclass(frozen=True)
class Office:
    """What every use case needs of this instance: the engine and the request desk."""

    engine: Engine
    desk: Desk


def resolve_id(office: Office, kind: Kind, given: str) -> str:
    """A full id from an id or a unique prefix of at least 8 characters."""
    given = given.strip().lower()
    row = kind.mapper.row
    with UnitOfWork(office.engine) as uow:
        if uow.session.get(row, given) is not None:
            return given
        if len(given) < MIN_PREFIX:
            raise NotFound(kind.name, given)
        found = list(uow.session.scalars(select(row.id).where(row.id.startswith(given, autoescape=True)).limit(2)))
    if not found:
        raise NotFound(kind.name, given)
    if len(found) > 1:
        raise InvalidValue("id", given, f"the prefix names more than one {kind.name}; give more characters")
    return str(found[0])


def list_records(office: Office, principal: Principal, kind: Kind, flt: ListFilter) -> list[Record]:
    with UnitOfWork(office.engine) as uow:
        return record_svc.list_records(uow, kind, flt, actor=principal.username)


def get_record(office: Office, principal: Principal, kind: Kind, record_id: str) -> Record:
    full = resolve_id(office, kind, record_id)
    with UnitOfWork(office.engine) as uow:
        return record_svc.get_record(uow, kind, full, actor=principal.username)


def records_of_case(office: Office, principal: Principal, plural: str, case_id: str) -> list[Record]:
    """The records of one kind that belong to a case."""
    kind = kind_named(plural)
    row = kind.mapper.row
    with UnitOfWork(office.engine) as uow:
        ids = uow.session.scalars(select(row.id).where(row.case_id == case_id).order_by(row.id))
        return [uow.repo(kind.mapper).get(i) for i in list(ids)]


def add_record(office: Office, principal: Principal, kind: Kind, data: dict[str, Any]) -> Record:
    if kind.name == "request":
        return file_request(office, principal, data)
    with UnitOfWork(office.engine) as uow:
        return record_svc.add_record(uow, kind, data, actor=principal.username)


def file_request(
    office: Office, principal: Principal, data: dict[str, Any], documents: tuple[Upload, ...] = ()
) -> AssistanceRequest:
    acting = Acting(principal.party, Role.REQUESTING_SIDE)
    with UnitOfWork(office.engine) as uow:
        return request_svc.file_request(
            uow, office.desk, data, actor=principal.username, acting=acting, documents=documents
        )


def step_acting(office: Office, principal: Principal, request_id: str, target: RequestStatus) -> Acting:
    """The side and role the principal takes a step in: the first the workflow allows their side."""
    with UnitOfWork(office.engine) as uow:
        request: AssistanceRequest = uow.repo(REQUESTS).get(request_id)
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
    with UnitOfWork(office.engine) as uow:
        return request_svc.transition_request(
            uow,
            office.desk,
            full,
            target,
            step,
            actor=principal.username,
            acting=acting,
            expected_version=expected_version,
        )


def next_steps(request: AssistanceRequest, principal: Principal) -> list[RequestStatus]:
    """The statuses this principal's side may move the request to now."""
    out = []
    for target in workflow.allowed_targets(request.status):
        t = workflow.transition_for(request.status, target)
        if any(side.party(request) is principal.party for _, side in t.who):
            out.append(target)
    return out


def show_request(office: Office, principal: Principal, request_id: str) -> views.RequestView:
    full = resolve_id(office, kind_named("request"), request_id)
    with UnitOfWork(office.engine) as uow:
        return views.show_request(uow, office.desk, full, actor=principal.username)


def read_document(office: Office, principal: Principal, document_id: str) -> tuple[views.DocumentView, bytes]:
    with UnitOfWork(office.engine) as uow:
        return views.read_document(uow, office.desk, document_id, actor=principal.username)


def request_history(office: Office, principal: Principal, request_id: str) -> list[views.StepView]:
    full = resolve_id(office, kind_named("request"), request_id)
    with UnitOfWork(office.engine) as uow:
        return views.request_history(uow, full, actor=principal.username)


def list_requests(
    office: Office, principal: Principal, flt: views.RequestFilter
) -> list[tuple[AssistanceRequest, list[views.DeadlineView]]]:
    with UnitOfWork(office.engine) as uow:
        return views.list_requests(uow, office.desk, flt, actor=principal.username)


def due_requests(
    office: Office, principal: Principal, *, within: int | None = None, mine: bool = False
) -> list[views.DueItem]:
    """Running deadlines that are overdue or due within `within` days; `mine`: those of the principal's side."""
    party = principal.party if mine else None
    with UnitOfWork(office.engine) as uow:
        return views.due_requests(uow, office.desk, actor=principal.username, within=within, party=party)


@dataclass(frozen=True)
class Due:
    """A running deadline of an open request, for the dashboard."""

    request: AssistanceRequest
    deadline: views.DeadlineView


def open_deadlines(office: Office, principal: Principal, *, synthetic: bool = False) -> list[Due]:
    """Running and overdue deadlines of open requests whose turn it is on the principal's side, soonest first.

    The synthetic demo history is left out unless asked for: it is thousands of requests nobody works on.
    """
    row = REQUESTS.row
    stmt = select(row).where(row.status.not_in(sorted(s.value for s in CLOSED_STATUSES)))
    if not synthetic:
        stmt = stmt.where(row.prov_kind != "synthetic")
    with UnitOfWork(office.engine) as uow:
        requests = [REQUESTS.from_row(r) for r in uow.session.scalars(stmt)]
        assigned = views.assigned_dates(uow, (r.id for r in requests))
    out = []
    for r in requests:
        for view in views.deadline_views(office.desk, r, assigned.get(r.id)):
            if view.state in (DeadlineState.RUNNING, DeadlineState.OVERDUE) and view.party == principal.party.value:
                out.append(Due(r, view))
    return sorted(out, key=lambda d: (d.deadline.due, d.request.id))


def statistics(
    office: Office, principal: Principal, start: date, end: date, by: str | None, exclude_synthetic: bool
) -> Statistics:
    with UnitOfWork(office.engine) as uow:
        return compute_statistics(uow, start=start, end=end, by=by, exclude_synthetic=exclude_synthetic)


def explain(
    office: Office, principal: Principal, key: str, start: date, end: date, exclude_synthetic: bool, limit: int | None
) -> Explanation:
    with UnitOfWork(office.engine) as uow:
        return explain_figure(uow, key, start=start, end=end, exclude_synthetic=exclude_synthetic, limit=limit)


def reconciliation(
    office: Office, principal: Principal, start: date | None, end: date | None, exclude_synthetic: bool
) -> Reconciliation:
    with UnitOfWork(office.engine) as uow:
        return reconcile(uow, start=start, end=end, exclude_synthetic=exclude_synthetic)


def bulletin(
    office: Office, principal: Principal, start: date, end: date, lang: str, fmt: str, exclude_synthetic: bool
) -> bytes:
    with UnitOfWork(office.engine) as uow:
        return render_bulletin(uow, start=start, end=end, lang=lang, fmt=fmt, exclude_synthetic=exclude_synthetic)


def record_json(record: Record) -> dict[str, Any]:
    return encode(record)
