"""The statistics page: a period (ROC or ISO), a breakdown, and the figures the statistics service computes."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from straitlink.domain.errors import InvalidValue, NotFound
from straitlink.services.kinds import kind_named
from straitlink.stats.bulletin import FORMATS
from straitlink.stats.explain import TracedRecord
from straitlink.stats.model import DIMENSIONS
from straitlink.stats.tables import marked
from straitlink.web import acting, labels
from straitlink.web.api_stats import period
from straitlink.web.i18n import N_
from straitlink.web.render import page
from straitlink.web.security import Caller, caller, web_state

router = APIRouter()
Who = Annotated[Caller, Depends(caller)]


@router.get("/statistics", response_class=HTMLResponse)
async def statistics(
    request: Request,
    who: Who,
    start: str | None = None,
    end: str | None = None,
    by: str | None = None,
    no_synthetic: bool = False,
) -> Response:
    low, high = period(start, end)
    if by and by not in DIMENSIONS:  # the form sends "" for no breakdown
        raise InvalidValue("by", by, "one of " + ", ".join(DIMENSIONS))
    breakdown = by or None
    period_query = {"start": low.isoformat(), "end": high.isoformat(), "no_synthetic": no_synthetic}
    api_period = {"from": low.isoformat(), "to": high.isoformat(), "no_synthetic": no_synthetic}
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
        "explain": lambda key: "/statistics/explain?" + urlencode({**period_query, "figure": key}),
        "bulletin": lambda lang, fmt: "/api/v1/bulletins?" + urlencode({**api_period, "lang": lang, "format": fmt}),
        "formats": FORMATS,
    }
    return page(request, "statistics.html", who, who.lang, context)


@router.get("/statistics/explain", response_class=HTMLResponse)
async def explain(
    request: Request,
    who: Who,
    figure: str,
    start: str | None = None,
    end: str | None = None,
    no_synthetic: bool = False,
) -> Response:
    """The records behind one figure, each with where it came from."""
    low, high = period(start, end)
    office = web_state(request).office
    found = await run_in_threadpool(
        acting.explain, office, who.principal, figure, low, high, no_synthetic, EXPLAIN_ROWS
    )
    shown = await run_in_threadpool(_records_of, office, who, found.records)
    context = {"found": found, "shown": shown, "title": figure_label(figure), "low": low, "high": high}
    return page(request, "explain.html", who, who.lang, context)


SHOWN_KINDS = ("seizure", "case", "request", "person", "operation", "meeting", "intel")


def _records_of(
    office: acting.Office, who: Caller, traced: list[TracedRecord]
) -> list[tuple[TracedRecord, dict[str, Any] | None]]:
    """The traced records this reader may see, each with its JSON shape (to name drugs and places in the language).

    A record out of the reader's reach is left out, as it is from every list.
    """
    out: list[tuple[TracedRecord, dict[str, Any] | None]] = []
    for t in traced:
        if t.kind not in SHOWN_KINDS:
            out.append((t, None))
            continue
        try:
            record = acting.get_record(office, who.principal, kind_named(t.kind), t.id)
        except NotFound:
            continue
        out.append((t, acting.record_json(record)))
    return out


def figure_label(key: str) -> tuple[str, str | None]:
    """A figure's label (a msgid) and the catalogue entry it is about, if any (`seizures.by_drug.heroin.count`)."""
    if key.startswith("seizures.by_drug.") and key.endswith(".count"):
        return N_("Seizures of %(name)s"), key.split(".")[2]
    if key.startswith("requests.directions.") and key.endswith(".total"):
        return labels.DIRECTIONS.get(key.split(".")[2], key), None
    return FIGURES.get(key, key), None


EXPLAIN_ROWS = 100
FIGURES = {
    "requests.total": N_("Requests"),
    "requests.completed": N_("Completed"),
    "requests.open": N_("Open"),
    "cases.joint_drug": N_("Joint drug cases"),
    "cases.joint": N_("Joint cases"),
    "suspects.total": N_("Suspects"),
    "suspects.caught_in_act": N_("Caught in the act"),
    "seizures.count": N_("Seizures"),
    "intel.handovers": N_("Intel hand-overs"),
    "meetings.total": N_("Meetings"),
}
