"""`straitlink request file|transition|assign|confirm|reply|show|list|due|history|document`: the request workflow.

A step is taken for this instance's own party (STRAITLINK_PARTY) unless --party names the other side, whose steps
are recorded as that side reports them. Without --role, the first role the workflow allows that party is used.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from straitlink.cli.common import (
    AsJson,
    JsonFile,
    User,
    catalog,
    full_id,
    handles_errors,
    out,
    principal,
    print_json,
    read_json_object,
    state,
)
from straitlink.codec import encode
from straitlink.domain import workflow
from straitlink.domain.dates import PartialDate, Precision
from straitlink.domain.errors import InvalidValue
from straitlink.domain.parties import Party
from straitlink.domain.replies import REPLY_KINDS
from straitlink.domain.requests import AssistanceRequest, RequestStatus
from straitlink.domain.workflow import Acting, RefusalGround, Role, Transition
from straitlink.services import request_views as views
from straitlink.services import requests as svc
from straitlink.services.documents import Upload
from straitlink.services.forms import form_data
from straitlink.services.kinds import kind_named

app = typer.Typer(help="Mutual-assistance requests and their workflow.", no_args_is_help=True)

On = Annotated[str | None, typer.Option("--on", help="Date of the step, ISO or ROC (default: today)")]
PartyOpt = Annotated[str | None, typer.Option("--party", help="TW or CN: the side acting (default: this instance's)")]
RoleOpt = Annotated[str | None, typer.Option("--role", help="|".join(r.value for r in Role))]
AgencyOpt = Annotated[str | None, typer.Option("--agency", help="The acting agency (for an executing agency)")]
Documents = Annotated[list[Path] | None, typer.Option("--document", "-d", help="A file to attach (repeatable)")]
Version = Annotated[int | None, typer.Option("--expected-version", help="Refuse if the request changed since")]
RequestId = Annotated[str, typer.Argument(help="The request's id")]


def _enum(cls: Any, value: str, field: str) -> Any:
    try:
        return cls(value.lower() if value.lower() in {m.value for m in cls} else value)
    except ValueError:
        raise InvalidValue(field, value, "one of " + "|".join(m.value for m in cls)) from None


def _day(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    d = PartialDate.parse(value, field=field)
    if d.precision is not Precision.DAY:
        raise InvalidValue(field, value, "a day is needed here")
    return d.earliest()


def _party(value: str | None, ctx: typer.Context) -> Party:
    return _enum(Party, value.upper(), "party") if value else principal(ctx).party


def _uploads(paths: list[Path] | None) -> tuple[Upload, ...]:
    return tuple(Upload.from_path(p) for p in paths or [])


def _agency(ctx: typer.Context, name: str | None, field: str) -> str | None:
    return catalog(ctx).find_agency(name, field=field).id if name else None


def _acting(
    ctx: typer.Context, request_id: str, t_of: Any, party: str | None, role: str | None, agency: str | None
) -> Acting:
    """The acting side and role: as given, or the first the workflow allows this party for the step."""
    request = views.load_request(state(ctx).desk(), request_id, principal=principal(ctx))
    t: Transition = t_of(request)
    chosen = workflow.default_acting(t, request, _party(party, ctx), _enum(Role, role, "role") if role else None)
    if agency:
        return Acting(chosen.party, chosen.role, _agency(ctx, agency, "agency"))
    return chosen


def _done(request: AssistanceRequest, as_json: bool, verb: str) -> None:
    if as_json:
        print_json(encode(request))
    else:
        out.print(f"{verb} request {request.id}: now {request.status.value} (version {request.version})")


@app.command("file")
@handles_errors
def file_(
    ctx: typer.Context,
    fields: Annotated[list[str] | None, typer.Argument(help="field=value pairs (type=送達文書 purpose=…)")] = None,
    file: JsonFile = None,
    document: Documents = None,
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """File a request; it must carry what Art. 13¶2 requires, or it is refused with the list of what is missing."""
    data = read_json_object(file)
    names = catalog(ctx)
    pairs = []
    for pair in fields or []:
        name, sep, text = pair.partition("=")
        if name.strip() == "type" and sep:  # a request type by any of its names (送達文書, 送达文书, …)
            pair = f"type={names.find_request_type(text.strip(), field='type').id.value}"
        pairs.append(pair)
    data = form_data(kind_named("request"), data, pairs, names)
    request = svc.file_request(state(ctx).desk(), data, principal=principal(ctx, user), documents=_uploads(document))
    _done(request, as_json, "filed")


@app.command("transition")
@handles_errors
def transition(
    ctx: typer.Context,
    request_id: RequestId,
    target: Annotated[str, typer.Argument(help="The status to move to: " + "|".join(s.value for s in RequestStatus))],
    on: On = None,
    text: Annotated[
        str | None, typer.Option("--text", "--reason", "--result", help="Reason, explanation, result or supplement")
    ] = None,
    ground: Annotated[
        str | None, typer.Option(help="Art. 15 ground: " + "|".join(g.value for g in RefusalGround))
    ] = None,
    materials_returned: Annotated[
        bool, typer.Option("--materials-returned", help="The materials were returned (Art. 14¶3)")
    ] = False,
    executing_agency: Annotated[str | None, typer.Option("--executing-agency", help="For 'assigned'")] = None,
    document: Documents = None,
    party: PartyOpt = None,
    role: RoleOpt = None,
    agency: AgencyOpt = None,
    expected_version: Version = None,
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """Move a request to TARGET, if the workflow allows it for this side and role."""
    request_id = full_id(ctx, "request", request_id)
    goal = _enum(RequestStatus, target, "status")
    acting = _acting(ctx, request_id, lambda r: workflow.transition_for(r.status, goal), party, role, agency)
    step = svc.StepInput(
        on=_day(on, "on"),
        text=text,
        ground=_enum(RefusalGround, ground, "ground") if ground else None,
        executing_agency=_agency(ctx, executing_agency, "executing_agency"),
        materials_returned=materials_returned,
        documents=_uploads(document),
    )
    request = svc.transition_request(
        state(ctx).desk(),
        request_id,
        goal,
        step,
        principal=principal(ctx, user),
        acting=acting,
        expected_version=expected_version,
    )
    _done(request, as_json, "moved")


@app.command("assign")
@handles_errors
def assign(
    ctx: typer.Context,
    request_id: RequestId,
    agency_name: Annotated[str, typer.Argument(help="The executing agency (id or name, e.g. 最高人民法院)")],
    on: On = None,
    party: PartyOpt = None,
    role: RoleOpt = None,
    expected_version: Version = None,
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """Assign a received request to an agency of the requested side."""
    request_id = full_id(ctx, "request", request_id)
    assignee = _agency(ctx, agency_name, "executing_agency") or agency_name
    t_of = lambda r: workflow.transition_for(r.status, RequestStatus.ASSIGNED)  # noqa: E731
    acting = _acting(ctx, request_id, t_of, party, role, None)
    request = svc.assign_request(
        state(ctx).desk(),
        request_id,
        assignee,
        svc.StepInput(on=_day(on, "on")),
        principal=principal(ctx, user),
        acting=acting,
        expected_version=expected_version,
    )
    _done(request, as_json, "assigned")


@app.command("confirm")
@handles_errors
def confirm(
    ctx: typer.Context,
    request_id: RequestId,
    on: On = None,
    document: Documents = None,
    party: PartyOpt = None,
    role: RoleOpt = None,
    expected_version: Version = None,
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """Record the written confirmation of an urgent request first made in another form (Art. 13¶1)."""
    request_id = full_id(ctx, "request", request_id)
    acting = _acting(ctx, request_id, lambda r: workflow.CONFIRMATION, party, role, None)
    request = svc.confirm_request(
        state(ctx).desk(),
        request_id,
        svc.StepInput(on=_day(on, "on"), documents=_uploads(document)),
        principal=principal(ctx, user),
        acting=acting,
        expected_version=expected_version,
    )
    _done(request, as_json, "confirmed")


@app.command("reply")
@handles_errors
def reply(
    ctx: typer.Context,
    request_id: RequestId,
    text: Annotated[str | None, typer.Option("--text", help="What the reply says")] = None,
    kind: Annotated[str, typer.Option(help="|".join(REPLY_KINDS))] = "progress",
    on: On = None,
    document: Documents = None,
    party: PartyOpt = None,
    role: Annotated[str, typer.Option("--role", help="|".join(r.value for r in Role))] = "contact_point",
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """Record a reply from one side to the other (progress, Art. 14¶1, or a note), with its documents."""
    request_id = full_id(ctx, "request", request_id)
    acting = Acting(_party(party, ctx), _enum(Role, role, "role"))
    reply_id = svc.reply_to_request(
        state(ctx).desk(),
        request_id,
        svc.ReplyInput(kind=kind, text=text, on=_day(on, "on"), documents=_uploads(document)),
        principal=principal(ctx, user),
        acting=acting,
    )
    if as_json:
        print_json({"reply": reply_id, "request": request_id})
    else:
        out.print(f"reply {reply_id} recorded on request {request_id}")


@app.command("show")
@handles_errors
def show(
    ctx: typer.Context,
    request_id: RequestId,
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """Show a request with its deadlines, history, replies and documents (the read is audited)."""
    request_id = full_id(ctx, "request", request_id)
    view = views.show_request(state(ctx).desk(), request_id, principal=principal(ctx, user))
    data = view.to_json()
    if as_json:
        print_json(data)
        return
    table = Table("field", "value", title=f"request {request_id}")
    for name in ("type", "direction", "status", "urgency", "form", "subject", "requesting_agency", "purpose"):
        table.add_row(name, str(data.get(name) or ""))
    for name in ("executing_agency", "filed_on", "sent_on", "received_on", "closed_on", "confirmed_on", "version"):
        table.add_row(name, str(data.get(name) or ""))
    table.add_row("next", ", ".join(data["next"]) or "(closed)")
    out.print(table)
    if view.deadlines:
        dl = Table(
            "rule", "article", "side", "from", "due", "state", "days left", "working days TW/CN", title="deadlines"
        )
        for d in view.deadlines:
            w = d.working_days_left
            left = f"{w['TW']}/{w['CN']}" if w else ""
            shown = "" if d.days_left is None else str(d.days_left)
            dl.add_row(d.title, d.article, d.party, str(d.start), str(d.due), d.state.value, shown, left)
        out.print(dl)
    out.print(_history_table(view.steps, "history"))
    replies = Table("reply", "sent", "kind", "from", "by", "text", "documents", title="replies")
    for r in view.replies:
        files = ", ".join(d.filename for d in r.documents)
        replies.add_row(r.id[:8], str(r.sent_on), r.kind, r.from_party, r.actor, r.text or "", files)
    out.print(replies if replies.row_count else "replies: none")
    docs = Table("document", "file", "type", "from", "purpose (Art. 17)", title="documents")
    for r in view.replies:
        for doc in r.documents:
            docs.add_row(doc.id[:8], doc.filename, doc.media_type, doc.from_party, doc.purpose or "")
    if docs.row_count:
        out.print(docs)


def _history_table(steps: list[views.StepView], title: str) -> Table:
    table = Table("on", "step", "from", "to", "by", "as", "ground / text", title=title)
    for s in steps:
        detail = " ".join(x for x in (s.ground, s.executing_agency, s.text) if x)
        table.add_row(str(s.on), s.action, s.from_status or "", s.to_status, s.actor, f"{s.party}/{s.role}", detail)
    return table


@app.command("history")
@handles_errors
def history(
    ctx: typer.Context,
    request_id: RequestId,
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """The request's steps in order: when, by whom, in which role, and what they carried."""
    request_id = full_id(ctx, "request", request_id)
    steps = views.request_history(state(ctx).desk(), request_id, principal=principal(ctx, user))
    if as_json:
        print_json([s.to_json() for s in steps])
        return
    out.print(_history_table(steps, f"history of {request_id}"))


@app.command("document")
@handles_errors
def document(
    ctx: typer.Context,
    document_id: Annotated[str, typer.Argument(help="The document's id (from `request show`)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write its content")],
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """Write a document's content to a file; the read is audited, with the purpose it may be used for."""
    document_id = full_id(ctx, "request_document", document_id)
    view, content = views.read_document(state(ctx).desk(), document_id, principal=principal(ctx, user))
    try:
        output.write_bytes(content)
    except OSError as exc:
        raise InvalidValue("output", str(output), exc.strerror or "cannot write") from None
    if as_json:
        print_json({**view.to_json(), "output": str(output)})
        return
    out.print(f"wrote {view.filename} ({view.size} bytes) to {output}")
    if view.from_other_side:
        out.print(
            f"received from {view.from_party}: use only for the purpose stated in the request (Art. 17): {view.purpose}"
        )
