"""`straitlink init|demo|serve|export|import`: the database as a whole."""

from __future__ import annotations

import errno
import os
import secrets
import socket
from pathlib import Path
from typing import Annotated

import typer

from straitlink.cli.common import (
    AsJson,
    User,
    err,
    freeze_loaded,
    handles_errors,
    out,
    print_json,
    progress_bar,
    setup_principal,
    state,
)
from straitlink.cli.users import read_password
from straitlink.domain.access import AccountRole, Permission
from straitlink.domain.errors import ImportRejected, InvalidValue
from straitlink.services.access import require
from straitlink.services.accounts import count_accounts
from straitlink.services.documents import FileStore
from straitlink.services.session import unit_of_work
from straitlink.services.setup import create_first_admin, demo_accounts, init_database
from straitlink.services.transfer import export_database, import_database


def register(app: typer.Typer) -> None:
    @app.command("init")
    @handles_errors
    def init(
        ctx: typer.Context,
        admin: Annotated[
            str | None, typer.Option("--admin", help="Create the first admin account, if none exists")
        ] = None,
        password_stdin: Annotated[bool, typer.Option("--password-stdin", help="The admin's password on stdin")] = False,
        as_json: AsJson = False,
    ) -> None:
        """Create the database or upgrade it to the current schema, load the catalogue, and add the first admin."""
        engine = state(ctx).engine(create=True)
        count = init_database(engine)
        created = None
        if admin is not None:
            created = create_first_admin(engine, admin, read_password(password_stdin), state(ctx).settings.party)
        admins = count_accounts(engine, role=AccountRole.ADMIN)
        if as_json:
            print_json({"database": state(ctx).settings.database_url, "catalog_entries": count, "admin": created})
            return
        out.print(f"database ready: {count} catalogue entries")
        if created:
            out.print(f"added the first admin account {created}")
        elif admin is not None:  # said, not silently skipped: the officer would expect the account to exist now
            err.print(
                f"{admin} not added: an admin account exists already; an admin adds more with "
                f"`straitlink --user ADMIN user add {admin} --role admin`",
                highlight=False,
            )
        elif admins == 0:
            out.print("no admin account yet: `straitlink init --admin NAME` adds the first one")

    @app.command("demo")
    @handles_errors
    def demo(
        ctx: typer.Context,
        seed: Annotated[int | None, typer.Option(help="Seed of the synthetic history")] = None,
        user: Annotated[str | None, typer.Option(help="Acting admin (needed once accounts exist)")] = None,
        as_json: AsJson = False,
    ) -> None:
        """Load the seed bulletin's world and the synthetic history (running it twice adds nothing)."""
        from straitlink.demo.load import load_demo

        settings = state(ctx).settings
        engine = state(ctx).engine()
        init_database(engine)
        files = FileStore(settings.data_dir / "files")
        acting = setup_principal(ctx, user)
        with progress_bar(not as_json) as progress:
            report = (
                load_demo(engine, progress=progress, files=files, party=settings.party)
                if seed is None
                else load_demo(engine, progress=progress, seed=seed, files=files, party=settings.party)
            )
        password = os.environ.get("STRAITLINK_DEMO_PASSWORD") or secrets.token_urlsafe(12)
        made = demo_accounts(engine, password, party=settings.party, principal=acting)
        if as_json:
            print_json({**report.to_json(), "accounts": made, "password": password if made else None})
            return
        out.print(report.summary())
        if made:
            out.print(f"demo accounts (password {password}, shown only now): " + ", ".join(made))

    @app.command("serve")
    @handles_errors
    def serve(
        ctx: typer.Context,
        host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port", min=1, max=65535)] = 8000,
    ) -> None:
        """Serve the web app."""
        import uvicorn

        from straitlink.web.app import create_app

        _check_listening(host, port)
        engine = state(ctx).engine()
        init_database(engine)
        app = create_app(engine, settings=state(ctx).settings)
        freeze_loaded()
        uvicorn.run(app, host=host, port=port, log_level="info")

    @app.command("export")
    @handles_errors
    def export(
        ctx: typer.Context,
        output: Annotated[Path, typer.Option("-o", "--output", help="File to write")],
        user: Annotated[str | None, typer.Option(help="Acting admin")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="JSON summary instead of a bar")] = False,
    ) -> None:
        """Write the whole database as one JSON document (admins)."""
        require(state(ctx).engine(), setup_principal(ctx, user), Permission.DATA_TRANSFER, "export the database")
        files = FileStore(state(ctx).settings.data_dir / "files")
        with unit_of_work(state(ctx).engine()) as uow, progress_bar(not as_json) as progress:
            text = export_database(uow, files=files, progress=progress)
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InvalidValue("output", str(output), exc.strerror or "cannot write") from None
        if as_json:
            print_json({"file": str(output), "bytes": len(text.encode("utf-8"))})
        else:
            out.print(f"exported to {output}")

    @app.command("import")
    @handles_errors
    def import_(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="An export written by `straitlink export`")],
        user: User = None,
        as_json: Annotated[bool, typer.Option("--json", help="JSON summary")] = False,
    ) -> None:
        """Load an export into an empty database, all or nothing."""
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ImportRejected(f"file: {str(file)!r} cannot be read ({exc})", field="file", value=file) from None
        engine = state(ctx).engine()
        init_database(engine)
        acting = setup_principal(ctx, user)
        require(engine, acting, Permission.DATA_TRANSFER, "import a database")
        files = FileStore(state(ctx).settings.data_dir / "files")
        with unit_of_work(engine) as uow, progress_bar(not as_json) as progress:
            counts = import_database(uow, text, actor=acting.username, files=files, progress=progress)
        if as_json:
            print_json(counts)
        else:
            out.print("imported " + ", ".join(f"{n} {k}" for k, n in counts.items()))


def _check_listening(host: str, port: int) -> None:
    """Refuse, in one line naming the option, an address the server could not listen on (uvicorn would print its
    own error and the application's shutdown, and exit 3), before anything is set up."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise InvalidValue("host", host, f"not an address of this machine ({exc.strerror})") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                raise InvalidValue("host", host, f"not an address of this machine ({exc.strerror})") from None
            raise InvalidValue("port", port, f"cannot listen on {host}:{port} ({exc.strerror})") from None
