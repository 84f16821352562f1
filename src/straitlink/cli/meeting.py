"""`straitlink meeting follow-up add|edit|list`: the action items a meeting agreed and where each one stands.

A follow-up is part of its meeting's record: adding or changing one is an update of the meeting (audited, sent to
the other side with a releasable meeting). Meetings are named by id or by the first 8 characters a list shows;
items by their number in the meeting (from 1).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from straitlink.cli.common import AsJson, User, catalog, full_id, handles_errors, out, principal, print_json, state
from straitlink.domain.errors import InvalidValue
from straitlink.services import follow_ups as svc
from straitlink.services.records import today_utc8

app = typer.Typer(help="Meetings: their decisions and the follow-up of each.", no_args_is_help=True)
follow_up = typer.Typer(help="A meeting's action items: who does what by when, and where it stands.")
app.add_typer(follow_up, name="follow-up", no_args_is_help=True)

FIELDS_HELP = (
    "field=value pairs: action=TEXT (what was agreed), agency=AGENCY (either side, any name), decision=N (the "
    "meeting's decision it follows, from 1), due=DATE (ISO or ROC), status=open|in_progress|done|dropped, "
    "status_on=DATE (default: today when the status changes), note=TEXT (a dropped item says why), request=ID, "
    "case=ID, intel=ID (the records that carried it out, by id or its first 8 characters); an empty value clears"
)
MeetingId = Annotated[str, typer.Argument(help="The meeting's id or its first 8 characters")]
Fields = Annotated[list[str] | None, typer.Argument(help=FIELDS_HELP)]


def _show(meeting_id: str, number: int, as_json: bool, items: list[svc.Item]) -> None:
    today = today_utc8()
    item = next(i for i in items if i.number == number)
    if as_json:
        print_json(item.to_json(today))
    else:
        out.print(f"meeting {meeting_id[:8]} follow-up #{number}: {item.follow_up.status.value}")


@follow_up.command("add")
@handles_errors
def add(
    ctx: typer.Context,
    meeting: MeetingId,
    fields: Fields = None,
    version: Annotated[int | None, typer.Option(help="The meeting's version this is based on")] = None,
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """Add an action item to a meeting, e.g. action=交換查緝情資 agency=刑事警察局 due=113年3月31日."""
    data = svc.parse_follow_up(fields or [], catalog(ctx))
    engine, acting = state(ctx).engine(), principal(ctx, user)
    meeting_id = full_id(ctx, "meeting", meeting, field="meeting")
    changed = svc.add_follow_up(engine, meeting_id, data, principal=acting, expected_version=version)
    number = len(changed.follow_ups)
    _show(meeting_id, number, as_json, svc.list_follow_ups(engine, principal=acting, meeting_id=meeting_id))


@follow_up.command("edit")
@handles_errors
def edit(
    ctx: typer.Context,
    meeting: MeetingId,
    number: Annotated[int, typer.Argument(help="The item's number in the meeting (from 1)")],
    fields: Fields = None,
    version: Annotated[int | None, typer.Option(help="The meeting's version this is based on")] = None,
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """Move an action item along or correct it, e.g. status=done request=1a2b3c4d note=已送達."""
    changes = svc.parse_follow_up(fields or [], catalog(ctx))
    if not changes:
        raise InvalidValue("fields", "", "give at least one field=value to change")
    engine, acting = state(ctx).engine(), principal(ctx, user)
    meeting_id = full_id(ctx, "meeting", meeting, field="meeting")
    svc.update_follow_up(engine, meeting_id, number, changes, principal=acting, expected_version=version)
    _show(meeting_id, number, as_json, svc.list_follow_ups(engine, principal=acting, meeting_id=meeting_id))


@follow_up.command("list")
@handles_errors
def list_(
    ctx: typer.Context,
    meeting: Annotated[str | None, typer.Argument(help="Only this meeting's (id or its first 8 characters)")] = None,
    pending: Annotated[bool, typer.Option("--open", help="Only those still owed (open or in progress)")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only those still owed after their due date")] = False,
    agency: Annotated[str | None, typer.Option(help="Only this agency's (id or name)")] = None,
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """List follow-ups across the meetings you may see, by due date, or one meeting's in order."""
    engine, acting = state(ctx).engine(), principal(ctx, user)
    meeting_id = full_id(ctx, "meeting", meeting, field="meeting") if meeting else None
    agency_id = catalog(ctx).find_agency(agency, field="agency").id if agency else None
    items = svc.list_follow_ups(
        engine, principal=acting, pending=pending, overdue=overdue, agency=agency_id, meeting_id=meeting_id
    )
    today = today_utc8()
    if as_json:
        print_json([i.to_json(today) for i in items])
        return
    table = Table("meeting", "#", "due", "status", "agency", "action", "links", title=f"follow-ups ({len(items)})")
    for i in items:
        f = i.follow_up
        due = f.due.isoformat() if f.due else ""
        links = ", ".join(f"{name} {getattr(f, name)[:8]}" for name in svc.LINKS if getattr(f, name))
        status = f.status.value + (" (overdue)" if f.overdue(today) else "")
        action = f.action if len(f.action) <= 60 else f.action[:57] + "…"
        table.add_row(i.meeting.id[:8], str(i.number), due, status, f.agency, action, links)
    out.print(table)
