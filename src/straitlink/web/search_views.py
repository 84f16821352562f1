"""Search for people and machines: the page `/search` and `GET /api/v1/search`, over one use case.

A query finds records by names, places, drugs, agencies, reference numbers (ours and the other side's) and free
text, in either script and either side's terms; what the caller may not see is neither listed nor counted.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from straitlink.services.kinds import KINDS
from straitlink.services.search import SearchHit
from straitlink.web import acting
from straitlink.web.api import ERRORS
from straitlink.web.filters import check_limit, decode_cursor, encode_cursor
from straitlink.web.render import page
from straitlink.web.security import Caller, caller, web_state

PAGE_ROWS = 20
Who = Annotated[Caller, Depends(caller)]
KIND_NAMES = "|".join(k.plural for k in KINDS)
Q = Annotated[str, Query(description="Words, names or reference numbers, in either script; at most 200 characters")]
Kinds = Annotated[list[str] | None, Query(alias="kind", description=f"Only these kinds ({KIND_NAMES}); repeatable")]

api = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["search"])
pages = APIRouter()


class HitOut(BaseModel):
    kind: str = Field(description=KIND_NAMES)
    id: str
    label: str = Field(description="The record's title, name or subject")
    snippet: str = Field(description="The part of the record's text that matched")
    highlights: list[list[int]] = Field(description="[start, end) offsets of the matched parts in the snippet")
    classification: str
    case: str | None = Field(description="The case the record belongs to, if any")
    url: str = Field(description="The page (or, for kinds without one, the API resource) that shows the record")


class SearchPage(BaseModel):
    query: str
    total: int = Field(
        description="How many records this caller may see match (never those it may not), counted up to 1,000"
    )
    more: bool = Field(description="True when more than `total` match: the first 1,000 are counted, newest first")
    items: list[HitOut]
    next: str | None = Field(None, description="The next page's URL, or null on the last page")


def record_url(hit: SearchHit) -> str:
    """Where a person reads the record: its page, its case's page, or the API resource."""
    if hit.kind == "request":
        return f"/requests/{hit.id}"
    if hit.kind == "case":
        return f"/cases/{hit.id}"
    if hit.kind in ("meeting", "intel"):
        return f"/{'meetings' if hit.kind == 'meeting' else 'intel'}/{hit.id}"
    if hit.kind == "document":
        return f"/documents/{hit.id}/text"
    if hit.case:
        return f"/cases/{hit.case}"
    return f"/api/v1/{hit.to_json()['kind']}/{hit.id}"


def _next(request: Request, offset: int, size: int, total: int, more: bool) -> str | None:
    if offset + size >= total and not more:
        return None
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    return f"{request.url.path}?{urlencode([*params, ('cursor', encode_cursor(offset + size))])}"


@api.get(
    "/search", summary="Find records of every kind by words, names or reference numbers", response_model=SearchPage
)
async def search_api(
    request: Request, who: Who, q: Q, kind: Kinds = None, limit: int = PAGE_ROWS, cursor: str | None = None
) -> SearchPage:
    size, offset = check_limit(limit), decode_cursor(cursor)
    office = web_state(request).office
    found = await run_in_threadpool(acting.search, office, who.principal, q, kind, size, offset)
    items = [HitOut(**h.to_json(), url=record_url(h)) for h in found.hits]
    nxt = _next(request, offset, size, found.total, found.more)
    return SearchPage(query=q, total=found.total, more=found.more, items=items, next=nxt)


@pages.get("/search", response_class=HTMLResponse)
async def search_page(request: Request, who: Who, q: str = "", kind: str = "", cursor: str | None = None) -> Response:
    offset = decode_cursor(cursor)
    context: dict[str, Any] = {
        "q": q,
        "kind": kind,
        "kinds": [k.plural for k in KINDS],
        "found": None,
        "next": None,
        "previous": None,
        "url": record_url,
    }
    if q.strip():
        office = web_state(request).office
        kinds = [kind] if kind else None
        found = await run_in_threadpool(acting.search, office, who.principal, q, kinds, PAGE_ROWS, offset)
        context["found"] = found
        context["next"] = _next(request, offset, PAGE_ROWS, found.total, found.more)
        if offset > 0:
            params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
            back = max(0, offset - PAGE_ROWS)
            context["previous"] = f"/search?{urlencode([*params, ('cursor', encode_cursor(back))])}"
    return page(request, "search.html", who, who.lang, context)
