"""`straitlink correct` and `straitlink retract`: a record's fields corrected, or the record withdrawn, saying why.

Both are audited with the reason, and reach the other side's instance when the record is released to it
(docs/exchange.md).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from straitlink.cli.common import (
    RecordId,
    RecordKind,
    User,
    catalog,
    full_id,
    handles_errors,
    out,
    principal,
    print_json,
    state,
)
from straitlink.domain.records import Record
from straitlink.services import corrections, reply_retraction
from straitlink.services.forms import form_data
from straitlink.services.ids import resolve_references
from straitlink.services.kinds import kind_named
from straitlink.services.present import present

Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the audit log and sent with the change)")]


def register(app: typer.Typer) -> None:
    @app.command("correct")
    @handles_errors
    def correct(
        ctx: typer.Context,
        kind: RecordKind,
        record_id: RecordId,
        fields: Annotated[list[str], typer.Argument(help="field=value pairs, as `add` takes them")],
        reason: Reason,
        user: User = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the corrected record as JSON")] = False,
    ) -> None:
        """Correct fields of one record, saying why."""
        k = kind_named(kind)
        full = full_id(ctx, k.name, record_id)
        engine = state(ctx).engine()
        changes: dict[str, Any] = resolve_references(engine, k, form_data(k, {}, fields, catalog(ctx)))
        record: Record
        if k.name == "request":  # only the fields this side states (docs/exchange.md)
            party = state(ctx).settings.party
            record = corrections.correct_request(engine, party, full, changes, reason, principal=principal(ctx, user))
        else:
            record = corrections.correct_record(engine, k, full, changes, reason, principal=principal(ctx, user))
        if as_json:
            print_json(present(engine, k, [record])[0])
        else:
            out.print(f"corrected {k.name} {record.id} (version {record.version})", highlight=False)

    @app.command("retract")
    @handles_errors
    def retract(
        ctx: typer.Context,
        kind: RecordKind,
        record_id: RecordId,
        reason: Reason,
        user: User = None,
    ) -> None:
        """Withdraw one record, saying why: no list or statistic counts it; its audit history keeps it.

        `retract reply ID` withdraws a reply this side sent; a result (completed, refused, unable) goes with its
        step and the request is open again where it stood before it (docs/exchange.md).
        """
        if kind in ("reply", "replies"):
            engine = state(ctx).engine()
            reply_id = full_id(ctx, "reply", record_id)
            party = state(ctx).settings.party
            now = reply_retraction.retract_reply(engine, party, reply_id, reason, principal=principal(ctx, user))
            out.print(f"retracted reply {reply_id}; the request is {now}", highlight=False)
            return
        k = kind_named(kind)
        full = full_id(ctx, k.name, record_id)
        corrections.retract_record(state(ctx).engine(), k, full, reason, principal=principal(ctx, user))
        out.print(f"retracted {k.name} {full}", highlight=False)
