"""The statistics page: a period (ROC or ISO), a breakdown, and the figures the statistics service computes."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from straitlink.domain.errors import InvalidValue
from straitlink.services.requests import today_utc8
from straitlink.stats.model import DIMENSIONS
from straitlink.stats.tables import marked
from straitlink.web import acting
from straitlink.web.filters import period_bound
from straitlink.web.render import page
from straitlink.web.security import Caller, caller, web_state

router = APIRouter()
Who = Annotated[Caller, Depends(caller)]
AGREEMENT_IN_FORCE = date(2009, 6, 25)


@router.get("/statistics", response_class=HTMLResponse)
async def statistics(
    request: Request,
    who: Who,
    start: str | None = None,
    end: str | None = None,
    by: str | None = None,
    no_synthetic: bool = False,
) -> Response:
    low = period_bound(start, "from", end=False) or AGREEMENT_IN_FORCE
    high = period_bound(end, "to", end=True) or today_utc8()
    if low > high:
        raise InvalidValue("from", start, f"after to ({high.isoformat()})")
    breakdown = by if by in DIMENSIONS else None
    office = web_state(request).office
    stats = await run_in_threadpool(acting.statistics, office, who.principal, low, high, breakdown, no_synthetic)
    context = {
        "stats": stats,
        "start": start or "",
        "end": end or "",
        "low": low,
        "high": high,
        "by": breakdown or "",
        "dimensions": DIMENSIONS,
        "no_synthetic": no_synthetic,
        "marked": marked,
    }
    return page(request, "statistics.html", who, who.lang, context)
