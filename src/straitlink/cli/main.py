"""The `straitlink` command: global options, then one sub-command per use."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Annotated

import typer

from straitlink.cli import (  # noqa: F401
    admin,
    agency,
    audit,
    corrections,
    exchange,
    ingest,
    meeting,
    records,
    request,
    request_lists,
    search,
    stats,
    users,
)
from straitlink.cli.common import State
from straitlink.cli.usage import OneLineUsageGroup

app = typer.Typer(
    help="StraitLink: the liaison system of the Cross-Strait Joint Crime-Fighting and Mutual Assistance Agreement.",
    no_args_is_help=True,
    cls=OneLineUsageGroup,  # usage errors as one line, exit 2 (cli/usage.py)
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"straitlink {version('straitlink')}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Data directory (STRAITLINK_DATA_DIR, default ./data)")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Database URL (STRAITLINK_DATABASE_URL; default SQLite)"),
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="The account acting (STRAITLINK_USER); see `straitlink user`")
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Names in tables: zh-TW, zh-CN or en (STRAITLINK_LANG, default zh-TW)"),
    ] = None,
    show_version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit", is_eager=True, callback=_print_version)
    ] = False,
) -> None:
    ctx.obj = State(data_dir=data_dir, database_url=database_url, user=user, lang=lang)
    ctx.call_on_close(ctx.obj.close)


admin.register(app)
records.register(app)
corrections.register(app)
stats.register(app)
search.register(app)
# request_lists adds `request list|due` to request.app on import.
app.add_typer(request.app, name="request")
app.add_typer(audit.app, name="audit")
app.add_typer(agency.app, name="agency")
app.add_typer(meeting.app, name="meeting")
app.add_typer(users.app, name="user")
app.add_typer(exchange.app, name="exchange")
ingest.register(app)
