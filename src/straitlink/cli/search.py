"""`straitlink search QUERY`: records of every kind by words, names or reference numbers, as the acting account."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from straitlink.cli.common import TableJson, User, handles_errors, out, principal, print_json, state
from straitlink.services.kinds import KINDS
from straitlink.services.search import MAX_QUERY_CHARS, SearchHit, search_records

KIND_HELP = "Only records of this kind (" + "|".join(k.plural for k in KINDS) + "); repeatable"


def _query_checked(query: str) -> str:
    """Refuse a blank or over-long query as this command's QUERY (the service names it `q`, the API's parameter)."""
    if not query.strip():
        # The service finds nothing for it, and an empty table would read as "no such record".
        raise typer.BadParameter(f"{query!r} is empty: give a word, name or reference number to look for")
    if len(query) > MAX_QUERY_CHARS:
        raise typer.BadParameter(f"{query[:40] + '…'!r} is longer than {MAX_QUERY_CHARS} characters")
    return query


def _marked(hit: SearchHit) -> Text:
    text = Text()
    for piece, matched in hit.segments():
        text.append(piece, style="bold reverse" if matched else "")
    return text


def register(app: typer.Typer) -> None:
    @app.command("search")
    @handles_errors
    def search(
        ctx: typer.Context,
        query: Annotated[
            str, typer.Argument(help="Words, names or reference numbers, in either script", callback=_query_checked)
        ],
        kind: Annotated[list[str] | None, typer.Option("--kind", help=KIND_HELP)] = None,
        limit: Annotated[int, typer.Option(help="At most this many records (1-100)")] = 20,
        offset: Annotated[int, typer.Option(help="Skip this many records first (the next page)")] = 0,
        user: User = None,
        as_json: TableJson = False,
    ) -> None:
        """Find records by names, places, drugs, agencies, reference numbers (ours and the other side's) and any
        words, in Traditional or Simplified script and either side's terms (冰毒 finds 甲基安非他命)."""
        engine = state(ctx).engine()
        found = search_records(engine, query, principal=principal(ctx, user), kinds=kind, limit=limit, offset=offset)
        if as_json:
            print_json(found.to_json())
            return
        table = Table(
            "kind",
            "id",
            "label",
            "matched",
            title=f"{'more than ' if found.more else ''}{found.total} found",
            title_justify="left",
        )
        for hit in found.hits:
            table.add_row(hit.to_json()["kind"], hit.id[:8], hit.label, _marked(hit))
        out.print(table)
        shown = found.offset + len(found.hits)
        if shown < found.total or found.more:
            out.print(f"more: --offset {shown}")
