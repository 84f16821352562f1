"""`straitlink request list|due`: requests and their deadlines across the desk.

The demo's synthetic requests are history to count, not work to do: `due` and `list --overdue` leave them out
unless `--include-synthetic`.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from straitlink.catalog import load_catalog
from straitlink.cli.common import AsJson, Reader, User, handles_errors, out, principal, print_json, reader, state
from straitlink.cli.request import _agency, _enum, app
from straitlink.codec import encode
from straitlink.domain.parties import Party
from straitlink.domain.requests import AssistanceRequest, Direction, RequestStatus
from straitlink.services import request_lists as lists

Synthetic = Annotated[
    bool, typer.Option("--include-synthetic", help="Also the demo's synthetic requests (left out by default)")
]


def _summary(request: AssistanceRequest, deadlines: list[lists.DeadlineView]) -> dict[str, Any]:
    return {
        **encode(request),
        "direction": request.direction.value,
        "deadlines": [d.to_json() for d in deadlines],
    }


def _deadline_cell(deadlines: list[lists.DeadlineView], shown_to: Reader) -> str:
    return "; ".join(f"{shown_to.date(d.due)} {d.state.value} ({d.article})" for d in deadlines)


def _party_option(value: str | None, field: str) -> Party | None:
    return _enum(Party, value.strip().upper(), field) if value else None


@app.command("list")
@handles_errors
def list_(
    ctx: typer.Context,
    status: Annotated[list[str] | None, typer.Option("--status", help="Status (repeatable)")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Request type (id or name, e.g. 送達文書)")] = None,
    direction: Annotated[str | None, typer.Option(help="tw_to_cn or cn_to_tw")] = None,
    party: Annotated[str | None, typer.Option(help="The requesting side: TW or CN")] = None,
    agency: Annotated[str | None, typer.Option(help="Requesting or executing agency (id or name)")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only real requests with an overdue deadline")] = False,
    include_synthetic: Synthetic = False,
    limit: Annotated[int | None, typer.Option(help="At most this many")] = None,
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """List requests by status, type, direction, side, agency, or overdue deadline."""
    flt = lists.RequestFilter(
        statuses=frozenset(_enum(RequestStatus, s, "status") for s in status or []),
        type=load_catalog().find_request_type(type_, field="type").id if type_ else None,
        direction=_enum(Direction, direction, "direction") if direction else None,
        agency=_agency(ctx, agency, "agency"),
        overdue=overdue,
        limit=limit,
        include_synthetic=include_synthetic or not overdue,
        party=_party_option(party, "party"),
    )
    found = lists.list_requests(state(ctx).desk(), flt, principal=principal(ctx, user))
    if as_json:
        print_json([_summary(r, d) for r, d in found])
        return
    table = Table(
        "id", "filed", "type", "direction", "status", "subject", "deadlines", title=f"requests ({len(found)})"
    )
    shown_to = reader(ctx)
    for r, d in found:
        kind = shown_to.name("request_type", r.type.value)
        filed = shown_to.date(r.filed_on)
        table.add_row(r.id[:8], filed, kind, r.direction.value, r.status.value, r.subject, _deadline_cell(d, shown_to))
    out.print(table)


@app.command("due")
@handles_errors
def due(
    ctx: typer.Context,
    within: Annotated[int, typer.Option(help="Due within this many days (overdue ones always show)")] = 14,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue deadlines")] = False,
    agency: Annotated[str | None, typer.Option(help="Only this agency's (id or name)")] = None,
    party: Annotated[str | None, typer.Option("--party", "--side", help="Only this side's: TW or CN")] = None,
    include_synthetic: Synthetic = False,
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """Deadlines that are overdue or due soon, per side and agency, each with its rule and article."""
    items = lists.due_requests(
        state(ctx).desk(),
        principal=principal(ctx, user),
        within=within,
        overdue_only=overdue,
        agency=_agency(ctx, agency, "agency"),
        party=_party_option(party, "party"),
        include_synthetic=include_synthetic,
    )
    if as_json:
        print_json([i.to_json() for i in items])
        return
    groups: dict[tuple[str, str], list[lists.DueItem]] = {}
    for i in items:
        groups.setdefault((i.party, i.agency or "(not assigned)"), []).append(i)
    if not groups:
        out.print(
            "nothing due" + ("" if include_synthetic else " (real requests; --include-synthetic adds the demo's)")
        )
    shown_to = reader(ctx)
    for (side, agency_id), group in groups.items():
        title = f"{side} — {shown_to.name('agency', agency_id)}"
        table = Table("request", "type", "status", "due", "days left", "rule", "article", title=title)
        for i in group:
            d = i.deadline
            kind = shown_to.name("request_type", i.type)
            table.add_row(i.request_id[:8], kind, i.status, shown_to.date(d.due), str(d.days_left), d.title, d.article)
        out.print(table)
