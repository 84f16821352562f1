"""Use cases of the request workflow that list: the request lists (filtered, keyset-paged, each row with its
deadlines) and the requests due soon or overdue.

A list shows only the requests the principal may see (store.scope); reading one request, its history or its
documents is in straitlink.services.request_views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, literal, or_, select, tuple_

from straitlink.domain.access import Permission, Principal
from straitlink.domain.deadlines import Deadline, DeadlineState, deadlines_for, milestones_of
from straitlink.domain.errors import InvalidValue
from straitlink.domain.listing import check_limit
from straitlink.domain.parties import Party
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import (
    CLOSED_STATUSES,
    AssistanceRequest,
    Direction,
    RequestForm,
    RequestStatus,
    Sides,
    Urgency,
)
from straitlink.services.access import require, use_case
from straitlink.services.request_views import DeadlineView, assigned_dates, deadline_views
from straitlink.services.requests import Desk
from straitlink.store import scope
from straitlink.store.mapping import REQUESTS
from straitlink.store.tables import AssistanceRequestRow
from straitlink.store.tables_workflow import RequestTransitionRow
from straitlink.store.uow import UnitOfWork

R = AssistanceRequestRow


@dataclass(frozen=True)
class RequestFilter:
    """Every field narrows the list; empty fields do not."""

    statuses: frozenset[RequestStatus] = frozenset()
    type: RequestType | None = None
    direction: Direction | None = None
    agency: str | None = None
    overdue: bool = False
    limit: int | None = None
    include_synthetic: bool = True
    party: Party | None = None  # the requesting side
    after: tuple[date, str] | None = None  # keyset paging: only requests after this (filed_on, id)

    def __post_init__(self) -> None:
        check_limit(self.limit)


@use_case("requests.list")
def list_requests(
    desk: Desk, flt: RequestFilter, *, principal: Principal
) -> list[tuple[AssistanceRequest, list[DeadlineView]]]:
    """Requests that pass the filter and that the principal may see, oldest filed first, each with its deadlines."""
    require(desk.engine, principal, Permission.REQUESTS_READ, "read requests")
    with UnitOfWork(desk.engine) as uow:
        return _list(uow, desk, flt, principal)


def _filtered(stmt: Any, flt: RequestFilter, principal: Principal) -> Any:
    """`stmt` narrowed to the requests that pass the filter and that the principal may see, in list order."""
    stmt = stmt.where(scope.visible(REQUESTS, principal))
    if flt.statuses:
        # Written into the SQL, not bound: SQLite uses the partial ix_request_open_list only for a query naming its
        # condition's values, and the statuses are the enum's own values.
        values = sorted(s.value for s in flt.statuses)
        stmt = stmt.where(R.status.in_(bindparam("statuses", values, expanding=True, literal_execute=True)))
    if flt.overdue:
        stmt = stmt.where(R.status.not_in(sorted(s.value for s in CLOSED_STATUSES)))
    if flt.type is not None:
        stmt = stmt.where(R.type == flt.type.value)
    if flt.direction is not None:
        stmt = stmt.where(R.requesting_party == flt.direction.requesting.value)
    if flt.agency:
        stmt = stmt.where(or_(R.requesting_agency == flt.agency, R.executing_agency == flt.agency))
    if flt.party is not None:
        stmt = stmt.where(R.requesting_party == flt.party.value)
    if not flt.include_synthetic:
        stmt = stmt.where(R.prov_kind != "synthetic")
    if flt.after is not None:
        # A row-value comparison both engines answer by seeking ix_request_list, whatever page this is.
        stmt = stmt.where(tuple_(R.filed_on, R.id) > tuple_(literal(flt.after[0]), literal(flt.after[1])))
    stmt = stmt.order_by(R.filed_on, R.id)
    if flt.limit and not flt.overdue:
        stmt = stmt.limit(flt.limit)
    return stmt


def _list(
    uow: UnitOfWork, desk: Desk, flt: RequestFilter, principal: Principal
) -> list[tuple[AssistanceRequest, list[DeadlineView]]]:
    requests = [REQUESTS.from_row(r) for r in uow.session.scalars(_filtered(select(R), flt, principal))]
    assigned = assigned_dates(uow, (r.id for r in requests))
    out = []
    for r in requests:
        views = deadline_views(desk, r, assigned.get(r.id))
        if flt.overdue and not any(v.state is DeadlineState.OVERDUE for v in views):
            continue
        out.append((r, views))
        if flt.limit and len(out) >= flt.limit:
            break
    return out


@dataclass(slots=True)
class ListedRequest(Sides):
    """A request as a page's list shows it, with the facts its deadlines are computed from (domain RequestFacts).

    Read as plain columns rather than built as an AssistanceRequest: a record validates every field as it is built,
    which for fifty rows costs more than the query.
    """

    id: str
    subject: str
    type: RequestType
    status: RequestStatus
    requesting_party: Party
    urgency: Urgency
    form: RequestForm
    filed_on: date
    sent_on: date | None
    received_on: date | None
    closed_on: date | None
    confirmed_on: date | None
    assigned_on: date | None
    next_due: date | None = None  # the first deadline still running (or overdue), in the rules' order
    next_state: DeadlineState | None = None


# The request's assignment date, as its page takes it from the history: the first assign step.
_ASSIGNED = (
    select(RequestTransitionRow.occurred_on)
    .where(RequestTransitionRow.request_id == R.id, RequestTransitionRow.action == "assign")
    .order_by(RequestTransitionRow.id)
    .limit(1)
    .scalar_subquery()
)
_LISTED: tuple[Any, ...] = (
    R.id,
    R.subject,
    R.type,
    R.status,
    R.requesting_party,
    R.urgency,
    R.form,
    R.filed_on,
    R.sent_on,
    R.received_on,
    R.closed_on,
    R.confirmed_on,
    _ASSIGNED,
)
# Values to members by a dict lookup: calling the enum for each column of fifty rows shows in a profile.
_TYPES = {m.value: m for m in RequestType}
_STATUSES = {m.value: m for m in RequestStatus}
_PARTIES = {m.value: m for m in Party}
_URGENCIES = {m.value: m for m in Urgency}
_FORMS = {m.value: m for m in RequestForm}


@use_case("requests.list")
def list_request_rows(desk: Desk, flt: RequestFilter, *, principal: Principal) -> list[ListedRequest]:
    """What list_requests finds, as the inbox and outbox pages show it: one query of the columns shown, and the
    next running deadline of each request."""
    require(desk.engine, principal, Permission.REQUESTS_READ, "read requests")
    with desk.engine.connect() as conn:
        rows = conn.execute(_filtered(select(*_LISTED), flt, principal)).all()
    today = desk.today()
    out = []
    for row in rows:
        listed = ListedRequest(
            row[0],
            row[1],
            _TYPES[row[2]],
            _STATUSES[row[3]],
            _PARTIES[row[4]],
            _URGENCIES[row[5]],
            _FORMS[row[6]],
            *row[7:],
        )
        if listed.closed_on is None:  # a closed request's deadlines all carry its closing date: none runs
            running = [d for d in _deadlines(desk, listed) if d.is_open]
            if flt.overdue and not any(d.state(today) is DeadlineState.OVERDUE for d in running):
                continue
            if running:  # set on the row built here, not replace()d: a copy per row shows in a profile
                listed.next_due, listed.next_state = running[0].due, running[0].state(today)
        elif flt.overdue:
            continue
        out.append(listed)
        if flt.limit and len(out) >= flt.limit:
            break
    return out


def _deadlines(desk: Desk, listed: ListedRequest) -> list[Deadline]:
    return deadlines_for(listed, milestones_of(listed, assigned_on=listed.assigned_on), desk.rules, desk.calendars)


@dataclass(frozen=True)
class DueItem:
    """One running deadline: whose it is (side and agency), and how long is left."""

    party: str
    agency: str | None
    request_id: str
    subject: str
    type: str
    direction: str
    status: str
    deadline: DeadlineView

    def to_json(self) -> dict[str, Any]:
        return {**{k: v for k, v in self.__dict__.items() if k != "deadline"}, "deadline": self.deadline.to_json()}


@use_case("requests.due")
def due_requests(
    desk: Desk,
    *,
    principal: Principal,
    within: int | None = None,
    overdue_only: bool = False,
    agency: str | None = None,
    party: Party | None = None,
    include_synthetic: bool = False,
) -> list[DueItem]:
    """Running deadlines that are overdue or due within `within` days, by side, then agency, then due date.

    The demo's synthetic requests are left out unless `include_synthetic`: an officer's due list is the real one.
    """
    if within is not None and within < 0:
        raise InvalidValue("within", within, "a number of days, 0 or more")
    require(desk.engine, principal, Permission.REQUESTS_READ, "read requests")
    open_values = sorted(s.value for s in RequestStatus if s not in CLOSED_STATUSES)
    stmt = select(R).where(R.status.in_(open_values), scope.visible(REQUESTS, principal))
    if not include_synthetic:
        stmt = stmt.where(R.prov_kind != "synthetic")
    if agency is not None:
        # Whose deadline it is depends on the side; the agency must at least be one of the request's two.
        stmt = stmt.where(or_(R.requesting_agency == agency, R.executing_agency == agency))
    with UnitOfWork(desk.engine) as uow:
        requests = [REQUESTS.from_row(r) for r in uow.session.scalars(stmt)]
        assigned = assigned_dates(uow, (r.id for r in requests))
    items = []
    for r in requests:
        for view in deadline_views(desk, r, assigned.get(r.id)):
            if view.state not in (DeadlineState.RUNNING, DeadlineState.OVERDUE):
                continue
            overdue = view.state is DeadlineState.OVERDUE
            if overdue_only and not overdue:
                continue
            if not overdue and within is not None and (view.days_left or 0) > within:
                continue
            who = r.requesting_agency if view.party == r.requesting_party.value else r.executing_agency
            if (party is not None and view.party != party.value) or (agency is not None and who != agency):
                continue
            items.append(
                DueItem(view.party, who, r.id, r.subject, r.type.value, r.direction.value, r.status.value, view)
            )
    return sorted(items, key=lambda i: (i.party, i.agency or "", i.deadline.due, i.request_id))
