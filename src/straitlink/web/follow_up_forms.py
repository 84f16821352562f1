"""The form that adds or edits one follow-up of a meeting, from the meeting's page.

A follow-up is part of its meeting (services.follow_ups): the form carries the meeting's version it was read at,
and when someone changed the meeting meanwhile it comes back with what was typed and a message saying so (409),
storing nothing. Typed text is read as `straitlink meeting follow-up` reads `field=value` (agencies by any name,
ROC or ISO dates, record ids by their first 8 characters); a refusal names the field and keeps the text.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from straitlink.domain import access
from straitlink.domain.errors import Conflict, Forbidden, NotFound, StraitLinkError
from straitlink.domain.meetings import FollowUpStatus
from straitlink.services.access import require
from straitlink.services.kinds import kind_named
from straitlink.web import acting, labels
from straitlink.web.form_fields import HINTS
from straitlink.web.i18n import catalogue_name, format_day
from straitlink.web.render import page
from straitlink.web.security import Caller, caller, web_state

router = APIRouter()
Who = Annotated[Caller, Depends(caller)]
MEETING = kind_named("meeting")
# The form's fields in order, each with its widget.
FIELDS: tuple[tuple[str, str], ...] = (
    ("action", "textarea"),
    ("decision", "decision"),
    ("agency", "text"),
    ("due", "text"),
    ("status", "status"),
    ("status_on", "text"),
    ("note", "textarea"),
    ("request", "text"),
    ("case", "text"),
    ("intel", "text"),
)
REQUIRED = frozenset({"action", "agency"})
STATUS_CHOICES = tuple((s.value, labels.FOLLOW_UP_STATUSES[s.value]) for s in FollowUpStatus)


def _meeting(request: Request, who: Who, meeting_id: str) -> dict[str, Any]:
    require(
        web_state(request).office.engine, who.principal, access.write_permission("meeting"), "change meeting records"
    )
    return acting.record_json(acting.get_record(web_state(request).office, who.principal, MEETING, meeting_id))


def _values(item: dict[str, Any], lang: str) -> dict[str, str]:
    """A stored follow-up as the form shows it: the agency by name, days as the language writes them."""
    out: dict[str, str] = {}
    for name, _widget in FIELDS:
        value = item.get(name)
        if value is None:
            out[name] = ""
        elif name == "agency":
            out[name] = catalogue_name("agency", value, lang)
        elif name in ("due", "status_on"):
            out[name] = format_day(value, lang) if lang != "en" else str(value)
        else:
            out[name] = str(value)
    return out


def _context(
    meeting: dict[str, Any],
    values: dict[str, str],
    number: int | None,
    error: StraitLinkError | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    return {
        "m": meeting,
        "fields": FIELDS,
        "required": REQUIRED,
        "statuses": STATUS_CHOICES,
        "values": values,
        "number": number,
        "version": meeting["version"] if version is None else version,
        "hints": HINTS,
        "error": error,
        "conflict": isinstance(error, Conflict),
        "current_version": meeting["version"],
        "back": f"/meetings/{meeting['id']}",
    }


def _typed(form: FormData) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip() for name, _widget in FIELDS}


def _version(form: FormData) -> int:
    try:
        return int(str(form.get("version") or ""))
    except ValueError:
        return -1  # a form without its version cannot say what it was based on: refused as stale


@router.get("/meetings/{meeting_id}/follow-ups/new", response_class=HTMLResponse)
def new_form(request: Request, who: Who, meeting_id: str) -> Response:
    meeting = _meeting(request, who, meeting_id)
    values = {name: "" for name, _widget in FIELDS} | {"status": FollowUpStatus.OPEN.value}
    return page(request, "follow_up_form.html", who, who.lang, _context(meeting, values, None))


@router.get("/meetings/{meeting_id}/follow-ups/{number}/edit", response_class=HTMLResponse)
def edit_form(request: Request, who: Who, meeting_id: str, number: int) -> Response:
    meeting = _meeting(request, who, meeting_id)
    items = meeting.get("follow_ups") or []
    if not 1 <= number <= len(items):
        raise NotFound("follow-up", f"{meeting['id'][:8]} #{number}")
    context = _context(meeting, _values(items[number - 1], who.lang), number)
    return page(request, "follow_up_form.html", who, who.lang, context)


async def _save(request: Request, who: Who, meeting_id: str, number: int | None) -> Response:
    form = await request.form()
    office = web_state(request).office
    meeting = _meeting(request, who, meeting_id)
    typed, version = _typed(form), _version(form)
    try:
        pairs = [f"{name}={text}" for name, text in typed.items() if text or number is not None]
        data = acting.parse_follow_up(office, pairs)
        if number is None:
            acting.add_follow_up(office, who.principal, meeting["id"], data, version)
        else:
            acting.update_follow_up(office, who.principal, meeting["id"], number, data, version)
    except (Forbidden, NotFound):
        raise
    except StraitLinkError as exc:
        context = _context(meeting, typed, number, exc, version)
        return page(request, "follow_up_form.html", who, who.lang, context, exc.http_status)
    return RedirectResponse(f"/meetings/{meeting['id']}", status_code=303)


@router.post("/meetings/{meeting_id}/follow-ups/new", response_class=HTMLResponse)
async def add(request: Request, who: Who, meeting_id: str) -> Response:
    return await _save(request, who, meeting_id, None)


@router.post("/meetings/{meeting_id}/follow-ups/{number}/edit", response_class=HTMLResponse)
async def edit(request: Request, who: Who, meeting_id: str, number: int) -> Response:
    return await _save(request, who, meeting_id, number)
