"""The JSON API of a meeting's follow-ups (docs/api.md): list them across meetings or of one, add, change.

A follow-up is part of its meeting's record: adding or changing one takes the meeting's `version` it is based on
(409 on a stale one), like PATCH of any record, and answers with the item and the meeting's new version.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request

from straitlink.catalog import load_catalog
from straitlink.web import acting
from straitlink.web.api import ERRORS
from straitlink.web.security import Caller, caller, web_state

router = APIRouter(prefix="/api/v1", responses=ERRORS)
Who = Annotated[Caller, Depends(caller)]
Version = Annotated[int, Query(description="The meeting's version the change is based on; 409 if it moved on")]


def _items(request: Request, who: Who, **options: Any) -> list[dict[str, Any]]:
    items = acting.list_follow_ups(web_state(request).office, who.principal, **options)
    today = acting.today()
    return [i.to_json(today) for i in items]


@router.get("/follow-ups", summary="The follow-ups of the meetings this account may see, by due date")
def follow_ups(
    request: Request,
    who: Who,
    open_only: Annotated[bool, Query(alias="open", description="Only those still owed")] = False,
    overdue: Annotated[bool, Query(description="Only those still owed after their due date")] = False,
    agency: Annotated[str | None, Query(description="Only this agency's (id or name)")] = None,
) -> list[dict[str, Any]]:
    agency_id = load_catalog().find_agency(agency, field="agency").id if agency else None
    return _items(request, who, pending=open_only, overdue=overdue, agency=agency_id)


@router.get("/meetings/{meeting_id}/follow-ups", summary="A meeting's follow-ups in order (numbered from 1)")
def meeting_follow_ups(request: Request, who: Who, meeting_id: str) -> list[dict[str, Any]]:
    return _items(request, who, meeting_id=meeting_id)


def _one(request: Request, who: Who, meeting_id: str, number: int) -> dict[str, Any]:
    items = _items(request, who, meeting_id=meeting_id)
    return items[number - 1]


@router.post("/meetings/{meeting_id}/follow-ups", status_code=201, summary="Add a follow-up to a meeting")
def add_follow_up(
    request: Request, who: Who, meeting_id: str, data: Annotated[dict[str, Any], Body()], version: Version
) -> dict[str, Any]:
    """The body is the follow-up's JSON (docs/json.md): action and agency required; a status other than open
    is dated today unless `status_on` is given."""
    changed = acting.add_follow_up(web_state(request).office, who.principal, meeting_id, data, version)
    return _one(request, who, changed.id, len(changed.follow_ups))


@router.patch("/meetings/{meeting_id}/follow-ups/{number}", summary="Change one follow-up of a meeting")
def update_follow_up(
    request: Request,
    who: Who,
    meeting_id: str,
    number: int,
    changes: Annotated[dict[str, Any], Body()],
    version: Version,
) -> dict[str, Any]:
    """Only the fields given change; a new status is dated today unless `status_on` is given."""
    changed = acting.update_follow_up(web_state(request).office, who.principal, meeting_id, number, changes, version)
    return _one(request, who, changed.id, number)
