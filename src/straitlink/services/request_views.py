"""Use cases of the request workflow that read one request: show, history and a document's content.

Reading one request, its history or a document is audited (Art. 16: the request and what its execution yields
are confidential), in the reader's own transaction. A document received from the other side is shown with the
purpose its request states, the only one it may be used for (Art. 17).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from straitlink.codec import encode
from straitlink.domain import access
from straitlink.domain.access import Principal
from straitlink.domain.deadlines import Deadline, DeadlineState, deadlines_for, milestones_of, working_days_between
from straitlink.domain.errors import NotFound
from straitlink.domain.parties import Party
from straitlink.domain.requests import (
    AssistanceRequest,
)
from straitlink.domain.workflow import allowed_targets
from straitlink.services.access import log, use_case
from straitlink.services.requests import Desk
from straitlink.store.mapping import REQUESTS
from straitlink.store.tables import AssistanceRequestRow
from straitlink.store.tables_workflow import RequestDocumentRow, RequestReplyRow, RequestTransitionRow, StoredFileRow
from straitlink.store.uow import UnitOfWork

R = AssistanceRequestRow


@dataclass(frozen=True)
class DocumentView:
    id: str
    filename: str
    sha256: str
    size: int
    media_type: str
    from_party: str
    purpose: str | None
    from_other_side: bool

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ReplyView:
    id: str
    kind: str
    from_party: str
    text: str | None
    sent_on: date
    actor: str
    transition_id: int | None
    documents: list[DocumentView] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "sent_on": self.sent_on.isoformat(),
            "documents": [d.to_json() for d in self.documents],
        }


@dataclass(frozen=True)
class StepView:
    id: int
    action: str
    from_status: str | None
    to_status: str
    on: date
    actor: str
    party: str
    role: str
    agency: str | None
    ground: str | None
    text: str | None
    executing_agency: str | None
    recorded_at: str

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "on": self.on.isoformat()}


@dataclass(frozen=True)
class DeadlineView:
    """A deadline as shown: its rule and article, the acting side, and days left on both sides' calendars."""

    rule: str
    title: str
    article: str
    period: str
    party: str
    start: date
    due: date
    state: DeadlineState
    met_on: date | None
    days_left: int | None  # None once the deadline no longer runs
    working_days_left: dict[str, int] | None

    @classmethod
    def of(cls, d: Deadline, desk: Desk) -> DeadlineView:
        today = desk.today()
        running = d.is_open
        return cls(
            d.rule.id,
            d.rule.title,
            d.rule.article,
            str(d.rule.period),
            d.party.value,
            d.start,
            d.due,
            d.state(today),
            d.met_on,
            d.days_left(today) if running else None,
            {p.value: working_days_between(today, d.due, desk.calendars[p]) for p in Party} if running else None,
        )

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        for name in ("start", "due", "met_on"):
            out[name] = out[name].isoformat() if out[name] else None
        out["state"] = self.state.value
        return out


@dataclass(frozen=True)
class RequestView:
    request: AssistanceRequest
    steps: list[StepView]
    replies: list[ReplyView]
    deadlines: list[DeadlineView]

    def to_json(self) -> dict[str, Any]:
        return {
            **encode(self.request),
            "direction": self.request.direction.value,
            "next": [s.value for s in allowed_targets(self.request.status)],
            "deadlines": [d.to_json() for d in self.deadlines],
            "history": [s.to_json() for s in self.steps],
            "replies": [r.to_json() for r in self.replies],
        }


def assigned_dates(uow: UnitOfWork, request_ids: Iterable[str]) -> dict[str, date]:
    """When each request was assigned, from its history."""
    ids = sorted(set(request_ids))
    out: dict[str, date] = {}
    for start in range(0, len(ids), 500):
        stmt = select(RequestTransitionRow.request_id, RequestTransitionRow.occurred_on).where(
            RequestTransitionRow.request_id.in_(ids[start : start + 500]), RequestTransitionRow.action == "assign"
        )
        for request_id, on in uow.session.execute(stmt):
            out[request_id] = on
    return out


def deadline_views(desk: Desk, request: AssistanceRequest, assigned_on: date | None) -> list[DeadlineView]:
    found = deadlines_for(request, milestones_of(request, assigned_on=assigned_on), desk.rules, desk.calendars)
    return [DeadlineView.of(d, desk) for d in found]


def _steps(uow: UnitOfWork, request_id: str) -> list[StepView]:
    T = RequestTransitionRow
    rows = uow.session.scalars(select(T).where(T.request_id == request_id).order_by(T.id))
    return [
        StepView(
            r.id,
            r.action,
            r.from_status,
            r.to_status,
            r.occurred_on,
            r.actor,
            r.acting_party,
            r.acting_role,
            r.acting_agency,
            r.ground,
            r.text,
            r.executing_agency,
            r.recorded_at,
        )
        for r in rows
    ]


def _document(doc: RequestDocumentRow, stored: StoredFileRow, desk: Desk) -> DocumentView:
    return DocumentView(
        doc.id,
        doc.filename,
        doc.sha256,
        int(stored.size),
        stored.media_type,
        doc.from_party,
        doc.purpose,
        doc.from_party != desk.party.value,
    )


def _replies(uow: UnitOfWork, desk: Desk, request_id: str) -> list[ReplyView]:
    replies = uow.session.scalars(
        select(RequestReplyRow)
        .where(RequestReplyRow.request_id == request_id)
        .order_by(RequestReplyRow.sent_on, RequestReplyRow.recorded_at)
    ).all()
    docs: dict[str, list[DocumentView]] = {}
    stmt = (
        select(RequestDocumentRow, StoredFileRow)
        .join(StoredFileRow, StoredFileRow.sha256 == RequestDocumentRow.sha256)
        .where(RequestDocumentRow.request_id == request_id)
        .order_by(RequestDocumentRow.filename, RequestDocumentRow.id)
    )
    for doc, stored in uow.session.execute(stmt).tuples():
        docs.setdefault(doc.reply_id, []).append(_document(doc, stored, desk))
    return [
        ReplyView(r.id, r.kind, r.from_party, r.text, r.sent_on, r.actor, r.transition_id, docs.get(r.id, []))
        for r in replies
    ]


def _log_read(desk: Desk, principal: Principal, kind: str, record_id: str, context: dict[str, Any]) -> None:
    # The access log, not the chain: reads must not queue on the chain head (straitlink.services.access).
    detail = json.dumps(context, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    log(desk.engine, principal.username, "read", kind, record_id, "read", detail)


def _visible_request(uow: UnitOfWork, principal: Principal, request_id: str) -> AssistanceRequest:
    request: AssistanceRequest = uow.repo(REQUESTS).get(request_id)
    access.decide_read(principal, "request", request_id, request.marking, access.request_agencies(request))
    return request


@use_case("requests.load")
def load_request(desk: Desk, request_id: str, *, principal: Principal) -> AssistanceRequest:
    """One request the principal may see, without its history (to decide the side and role of a next step)."""
    with UnitOfWork(desk.engine) as uow:
        return _visible_request(uow, principal, request_id)


@use_case("requests.show")
def show_request(desk: Desk, request_id: str, *, principal: Principal) -> RequestView:
    """One request with its deadlines, history, replies and documents; the read is logged."""
    with UnitOfWork(desk.engine) as uow:
        view = _show(uow, desk, request_id, principal)
    other = [d.id for r in view.replies for d in r.documents if d.from_other_side]
    _log_read(
        desk, principal, "request", request_id, {"purpose": view.request.purpose, "documents_from_other_side": other}
    )
    return view


def _show(uow: UnitOfWork, desk: Desk, request_id: str, principal: Principal) -> RequestView:
    request = _visible_request(uow, principal, request_id)
    steps = _steps(uow, request_id)
    assigned = next((s.on for s in steps if s.action == "assign"), None)
    return RequestView(request, steps, _replies(uow, desk, request_id), deadline_views(desk, request, assigned))


@use_case("requests.history")
def request_history(desk: Desk, request_id: str, *, principal: Principal) -> list[StepView]:
    """The request's steps in order; the read is logged."""
    with UnitOfWork(desk.engine) as uow:
        _visible_request(uow, principal, request_id)  # NotFound for an unknown or hidden id
        steps = _steps(uow, request_id)
    _log_read(desk, principal, "request", request_id, {"view": "history"})
    return steps


@use_case("requests.document")
def read_document(desk: Desk, document_id: str, *, principal: Principal) -> tuple[DocumentView, bytes]:
    """A document and its content; the read is logged with the purpose it may be used for."""
    with UnitOfWork(desk.engine) as uow:
        doc = uow.session.get(RequestDocumentRow, document_id)
        if doc is None:
            raise NotFound("document", document_id)
        _visible_request(uow, principal, doc.request_id)
        stored = uow.session.get(StoredFileRow, doc.sha256)
        assert stored is not None  # the foreign key guarantees it
        view = _document(doc, stored, desk)
        context = {"request": doc.request_id, "purpose": doc.purpose, "from_party": doc.from_party}
    content = desk.files.read(view.sha256)
    _log_read(desk, principal, "document", document_id, context)
    return view, content
