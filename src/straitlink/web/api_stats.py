"""Statistics in the API: the figures for a period, the records behind one figure, reconciliation, bulletins."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from straitlink.domain.errors import InvalidValue
from straitlink.services.records import today_utc8
from straitlink.stats.bulletin import FORMATS
from straitlink.stats.model import report_period
from straitlink.web import acting
from straitlink.web.api import ERRORS
from straitlink.web.filters import period_bound
from straitlink.web.security import Caller, caller, web_state

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["statistics"])
Who = Annotated[Caller, Depends(caller)]
From = Annotated[str | None, Query(alias="from", description="Period start, ISO or ROC (default 2009-06-25)")]
To = Annotated[str | None, Query(alias="to", description="Period end, ISO or ROC (default today)")]
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def period(start: str | None, end: str | None) -> tuple[date, date]:
    """The period as the CLI reads it (stats.model.report_period), today being UTC+8's."""
    return report_period(start, end, today_utc8())


@router.get("/statistics", summary="Every effectiveness figure for a period, optionally broken down")
async def statistics(
    request: Request, who: Who, start: From = None, end: To = None, by: str | None = None, no_synthetic: bool = False
) -> dict[str, Any]:
    low, high = period(start, end)
    office = web_state(request).office
    stats = await run_in_threadpool(acting.statistics, office, who.principal, low, high, by, no_synthetic)
    document: dict[str, Any] = stats.to_json()
    return document


@router.get("/statistics/explain", summary="The records behind one figure (as `straitlink stats --explain`)")
async def explain(
    request: Request,
    who: Who,
    figure: Annotated[str, Query(description="A figure's key, e.g. seizures.by_drug.heroin.count")],
    start: From = None,
    end: To = None,
    no_synthetic: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    low, high = period(start, end)
    office = web_state(request).office
    found = await run_in_threadpool(acting.explain, office, who.principal, figure, low, high, no_synthetic, limit)
    document: dict[str, Any] = found.to_json()
    return document


@router.get("/reconciliation", summary="Published figures beside what the records add up to")
async def reconciliation(
    request: Request, who: Who, start: From = None, end: To = None, no_synthetic: bool = False
) -> dict[str, Any]:
    low = period_bound(start, "from", end=False)
    high = period_bound(end, "to", end=True)
    office = web_state(request).office
    result = await run_in_threadpool(acting.reconciliation, office, who.principal, low, high, no_synthetic)
    document: dict[str, Any] = result.to_json()
    return document


@router.get(
    "/bulletins",
    summary="An effectiveness bulletin in one language and format",
    response_class=Response,
    responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA.values()}}},
)
async def bulletin(
    request: Request,
    who: Who,
    start: From = None,
    end: To = None,
    lang: Annotated[str, Query(description="zh-TW, zh-CN or en")] = "zh-TW",
    format: Annotated[str, Query(description="|".join(FORMATS))] = "pdf",
    no_synthetic: bool = False,
) -> Response:
    low, high = period(start, end)
    if format not in MEDIA:
        raise InvalidValue("format", format, f"expected one of {', '.join(FORMATS)}")
    office = web_state(request).office
    data = await run_in_threadpool(acting.bulletin, office, who.principal, low, high, lang, format, no_synthetic)
    name = f"bulletin-{lang}-{low.isoformat()}-{high.isoformat()}.{format}"
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}
    return Response(data, media_type=MEDIA[format], headers=headers)
