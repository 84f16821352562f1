"""Meetings (with their decisions) and intel hand-overs (with the outcomes they led to): lists and pages.

Adding and editing them goes through the record forms (`record_forms.py`); these pages show them labelled, with
links to those forms for whoever may write the kind.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from straitlink.domain.errors import NotFound
from straitlink.services.kinds import kind_named
from straitlink.services.records import ListFilter, today_utc8
from straitlink.web import acting
from straitlink.web.filters import after_key, cursor_after
from straitlink.web.render import page
from straitlink.web.security import Caller, caller, web_state

router = APIRouter()
Who = Annotated[Caller, Depends(caller)]
PAGE_ROWS = 50


def _listing(request: Request, who: Who, plural: str, cursor: str | None, synthetic: bool) -> dict[str, Any]:
    excluded = frozenset() if synthetic else frozenset({"synthetic"})
    kind = kind_named(plural)
    # Keyset paging: the page after the cursor's row (docs/web.md).
    flt = ListFilter(exclude_provenance=excluded, limit=PAGE_ROWS + 1, after=after_key(cursor))
    found = acting.list_records(web_state(request).office, who.principal, kind, flt)
    rows = [acting.record_json(r) for r in found[:PAGE_ROWS]]
    nxt = None
    if len(found) > PAGE_ROWS:
        following = cursor_after(acting.list_key(kind, found[PAGE_ROWS - 1]))
        nxt = f"/{plural}?cursor={following}" + ("&synthetic=true" if synthetic else "")
    return {"rows": rows, "next": nxt, "synthetic": synthetic}


@router.get("/meetings", response_class=HTMLResponse)
async def meetings(request: Request, who: Who, cursor: str | None = None, synthetic: bool = False) -> Response:
    context = await run_in_threadpool(_listing, request, who, "meetings", cursor, synthetic)
    context["today"] = today_utc8().isoformat()  # follow-ups still owed after this day are overdue
    return page(request, "meetings.html", who, who.lang, context)


@router.get("/meetings/{meeting_id}", response_class=HTMLResponse)
def meeting(request: Request, who: Who, meeting_id: str) -> Response:
    office = web_state(request).office
    m = acting.record_json(acting.get_record(office, who.principal, kind_named("meeting"), meeting_id))
    return page(request, "meeting.html", who, who.lang, {"m": m, "today": today_utc8().isoformat()})


@router.get("/intel", response_class=HTMLResponse)
async def intel_list(request: Request, who: Who, cursor: str | None = None, synthetic: bool = False) -> Response:
    context = await run_in_threadpool(_listing, request, who, "intel", cursor, synthetic)
    return page(request, "intel_list.html", who, who.lang, context)


@router.get("/intel/{intel_id}", response_class=HTMLResponse)
def intel(request: Request, who: Who, intel_id: str) -> Response:
    """One hand-over and what it led to: its outcomes, each with the case, seizures and persons it names."""
    office = web_state(request).office
    item = acting.record_json(acting.get_record(office, who.principal, kind_named("intel"), intel_id))
    outcomes = [
        acting.record_json(o)
        for o in acting.list_records(office, who.principal, kind_named("outcome"), ListFilter())
        if o.intel == item["id"]  # type: ignore[attr-defined]
    ]
    cases: dict[str, dict[str, Any]] = {}
    for o in outcomes:
        if o.get("case") and o["case"] not in cases:
            try:
                found = acting.get_record(office, who.principal, kind_named("case"), o["case"])
            except NotFound:
                continue  # a case out of this account's reach: the outcome shows without its title
            cases[o["case"]] = acting.record_json(found)
    return page(request, "intel.html", who, who.lang, {"i": item, "outcomes": outcomes, "cases": cases})
