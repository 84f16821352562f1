"""Reads the web app needs around the use cases: an id from a prefix, a case's records, the deadlines on a desk.

Each one reads only what the principal may see (straitlink.store.scope), as the listing use cases do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select

from straitlink.domain.access import Permission, Principal
from straitlink.domain.deadlines import DeadlineState
from straitlink.domain.errors import InvalidValue, NotFound
from straitlink.domain.records import Record
from straitlink.domain.requests import CLOSED_STATUSES, AssistanceRequest
from straitlink.services import request_views as views
from straitlink.services.kinds import Kind, kind_named
from straitlink.services.requests import Desk
from straitlink.store import scope
from straitlink.store.mapping import REQUESTS
from straitlink.store.uow import UnitOfWork

MIN_PREFIX = 8


def resolve_id(engine: Engine, kind: Kind, given: str) -> str:
    """A full id from an id or a unique prefix of at least 8 characters (the use case then checks the reach)."""
    given = given.strip().lower()
    row = kind.mapper.row
    with UnitOfWork(engine) as uow:
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


def records_of_case(engine: Engine, plural: str, case_id: str, *, principal: Principal) -> list[Record]:
    """The records of one kind that belong to a case and that the principal may see."""
    kind = kind_named(plural)
    row = kind.mapper.row
    with UnitOfWork(engine) as uow:
        stmt = select(row).where(row.case_id == case_id, scope.visible(kind.mapper, principal)).order_by(row.id)
        return [kind.mapper.from_row(r) for r in uow.session.scalars(stmt)]


def load_request(engine: Engine, request_id: str) -> AssistanceRequest:
    """A request as stored, to decide which side and role a step is taken in (the step's use case checks reach)."""
    with UnitOfWork(engine) as uow:
        request: AssistanceRequest = uow.repo(REQUESTS).get(request_id)
        return request


@dataclass(frozen=True)
class Due:
    """A running deadline of an open request."""

    request: AssistanceRequest
    deadline: views.DeadlineView


def open_deadlines(desk: Desk, *, principal: Principal, synthetic: bool = False) -> list[Due]:
    """Running and overdue deadlines of open requests the principal may see whose turn is on their side, soonest first.

    The synthetic demo history is left out unless asked for: it is thousands of requests nobody works on.
    """
    if not principal.may(Permission.REQUESTS_READ):
        return []
    row = REQUESTS.row
    stmt = select(row).where(
        row.status.not_in(sorted(s.value for s in CLOSED_STATUSES)), scope.visible(REQUESTS, principal)
    )
    if not synthetic:
        stmt = stmt.where(row.prov_kind != "synthetic")
    with UnitOfWork(desk.engine) as uow:
        requests = [REQUESTS.from_row(r) for r in uow.session.scalars(stmt)]
        assigned = views.assigned_dates(uow, (r.id for r in requests))
    return sorted(_running(desk, principal, requests, assigned), key=lambda d: (d.deadline.due, d.request.id))


def _running(
    desk: Desk, principal: Principal, requests: Iterable[AssistanceRequest], assigned: dict[str, date]
) -> list[Due]:
    out = []
    for r in requests:
        for view in views.deadline_views(desk, r, assigned.get(r.id)):
            if view.state in (DeadlineState.RUNNING, DeadlineState.OVERDUE) and view.party == principal.party.value:
                out.append(Due(r, view))
    return out
