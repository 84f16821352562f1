"""The JSON API under /api/v1: records of every kind, the request workflow, and who is calling.

Every error answers in one shape, `{"code", "message", "field", "value"}` (straitlink.web.errors), with the HTTP
status of the domain error it comes from.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from straitlink.catalog import load_catalog
from straitlink.domain.errors import InvalidValue, NotFound
from straitlink.domain.requests import RequestStatus
from straitlink.domain.workflow import RefusalGround
from straitlink.services.forms import parse_json_fields
from straitlink.services.kinds import KINDS, Kind, kind_named
from straitlink.services.requests import StepInput
from straitlink.web import acting
from straitlink.web.filters import after_key, check_limit, cursor_after, list_filter, period_bound
from straitlink.web.security import Caller, caller, web_state


class ErrorBody(BaseModel):
    """Every error the API answers: what went wrong, on which field, with which value."""

    code: str = Field(description="The error's kind: invalid_value, missing_field, not_found, conflict, …")
    message: str = Field(description="One line naming the field and the value")
    field: str | None = None
    value: str | None = None


class Page(BaseModel):
    items: list[dict[str, Any]]
    next: str | None = Field(None, description="The next page's URL, or null on the last page")


class TransitionIn(BaseModel):
    """One workflow step: the status to move to and what the step carries (as `straitlink request transition`)."""

    target: str = Field(description="|".join(s.value for s in RequestStatus))
    on: str | None = Field(None, description="The step's day, ISO or ROC (default today)")
    text: str | None = Field(None, description="Reason, explanation, result or supplement")
    ground: str | None = Field(None, description="Art. 15 ground: " + "|".join(g.value for g in RefusalGround))
    executing_agency: str | None = Field(None, description="For `assigned`: an agency id or name")
    materials_returned: bool = False
    expected_version: int | None = Field(None, description="Refused with 409 if the request changed since")


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (401, "Not logged in, or the token is unknown, revoked or expired"),
        (403, "Not permitted, or a missing CSRF token"),
        (404, "No such record (or none this account may see)"),
        (409, "A stale version or a step the workflow does not allow"),
        (422, "A field's value is not valid"),
    )
}

router = APIRouter(prefix="/api/v1", responses=ERRORS)
Who = Annotated[Caller, Depends(caller)]
# The record kinds this path takes, listed in the OpenAPI document so that a client (or a generated test) never takes
# a sibling route's name (/api/v1/statistics, /follow-ups) for a kind; an unknown one is still a 404 naming it.
KindName = Annotated[
    str,
    Path(
        description="Record kind, plural or singular",
        json_schema_extra={"enum": sorted({name for k in KINDS for name in (k.name, k.plural)})},
    ),
]


def _kind(name: str) -> Kind:
    try:
        return kind_named(name)
    except InvalidValue:
        raise NotFound("kind", name) from None


def _enum(cls: Any, value: str | None, field: str) -> Any:
    if value is None:
        return None
    try:
        return cls(value)
    except ValueError:
        raise InvalidValue(field, value, "one of " + "|".join(m.value for m in cls)) from None


@router.get("/me", summary="The calling account")
def me(who: Who) -> dict[str, Any]:
    p = who.principal
    return {
        "username": p.username,
        "party": p.party.value,
        "roles": sorted(str(r) for r in p.roles),
        "agency": p.agency,
    }


@router.get("/requests/due", summary="Overdue and due-soon deadlines of open requests")
def due(request: Request, who: Who, within: int | None = None, mine: bool = False) -> list[dict[str, Any]]:
    items = acting.due_requests(web_state(request).office, who.principal, within=within, mine=mine)
    return [i.to_json() for i in items]


@router.get("/requests/{request_id}/history", summary="A request's steps in order")
def history(request: Request, who: Who, request_id: str) -> list[dict[str, Any]]:
    return [s.to_json() for s in acting.request_history(web_state(request).office, who.principal, request_id)]


@router.post("/requests/{request_id}/transitions", summary="Take a workflow step")
def transition(request: Request, who: Who, request_id: str, step: TransitionIn) -> dict[str, Any]:
    office = web_state(request).office
    target = _enum(RequestStatus, step.target, "target")
    agency = None
    if step.executing_agency:
        agency = load_catalog().find_agency(step.executing_agency, field="executing_agency").id
    day = period_bound(step.on, "on", end=False)
    given = StepInput(
        on=day,
        text=step.text,
        ground=_enum(RefusalGround, step.ground, "ground"),
        executing_agency=agency,
        materials_returned=step.materials_returned,
    )
    done = acting.transition(office, who.principal, request_id, target, given, step.expected_version)
    return acting.record_json(done)


@router.get(
    "/request-documents/{document_id}",
    summary="A request's document (the read is audited with the purpose it may be used for)",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def request_document(request: Request, who: Who, document_id: str) -> Response:
    from straitlink.web.pages import document_response

    return document_response(*acting.read_document(web_state(request).office, who.principal, document_id))


@router.get("/{kind}", summary="List records of a kind, with cursor paging and the CLI's filters")
async def list_kind(
    request: Request,
    who: Who,
    kind: KindName,
    limit: int = 50,
    cursor: str | None = None,
    start: Annotated[str | None, Query(alias="from", description="Period start, ISO or ROC")] = None,
    end: Annotated[str | None, Query(alias="to", description="Period end, ISO or ROC")] = None,
    party: Annotated[str | None, Query(description="TW or CN")] = None,
    agency: Annotated[str | None, Query(description="Agency id or name")] = None,
    drug: Annotated[str | None, Query(description="Drug id or name")] = None,
    provenance: Annotated[list[str] | None, Query(description="user|document|peer|synthetic")] = None,
    no_synthetic: bool = False,
) -> Page:
    k = _kind(kind)
    size, after = check_limit(limit), after_key(cursor)
    flt = list_filter(
        start=start, end=end, party=party, agency=agency, drug=drug, provenance=provenance, no_synthetic=no_synthetic
    )
    # Keyset paging: the page after the cursor's row, one more row fetched to know whether another page follows.
    flt = dataclasses.replace(flt, limit=size + 1, after=after)
    office = web_state(request).office
    found = await run_in_threadpool(acting.list_records, office, who.principal, k, flt)
    items = [acting.record_json(r) for r in found[:size]]
    nxt = None
    if len(found) > size:
        params = [(key, value) for key, value in request.query_params.multi_items() if key != "cursor"]
        following = cursor_after(acting.list_key(k, found[size - 1]))
        nxt = f"{request.url.path}?{urlencode([*params, ('cursor', following)])}"
    return Page(items=items, next=nxt)


@router.get("/{kind}/{record_id}", summary="One record by id or by a unique id prefix of at least 8 characters")
def show(request: Request, who: Who, kind: KindName, record_id: str) -> dict[str, Any]:
    k = _kind(kind)
    office = web_state(request).office
    if k.name == "request":
        return acting.show_request(office, who.principal, record_id).to_json()
    return acting.record_json(acting.get_record(office, who.principal, k, record_id))


@router.post("/{kind}", status_code=201, summary="Create a record (a request is filed into the workflow)")
def create(request: Request, who: Who, kind: KindName, data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    k = _kind(kind)
    # As `straitlink add --file` reads its JSON: each value in its JSON shape, or as text the CLI reads (names in
    # either script, ROC dates, "229 公斤 毛重").
    data = parse_json_fields(k, data, load_catalog())
    return acting.record_json(acting.add_record(web_state(request).office, who.principal, k, data))


@router.patch("/{kind}/{record_id}", summary="Change fields of a record, based on the version it was read at")
def update(
    request: Request,
    who: Who,
    kind: KindName,
    record_id: str,
    changes: Annotated[dict[str, Any], Body()],
    version: Annotated[int, Query(description="The version the change is based on; 409 if the record moved on")],
) -> dict[str, Any]:
    """Requests change only through their workflow (POST …/transitions)."""
    k = _kind(kind)
    changes = parse_json_fields(k, changes, load_catalog())
    return acting.record_json(
        acting.update_record(web_state(request).office, who.principal, k, record_id, changes, version)
    )
