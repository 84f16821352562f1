"""`straitlink user add|list|show|disable|enable|passwd|grant|revoke|token`: accounts, as an admin; API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from straitlink.catalog import load_catalog
from straitlink.cli.common import AsJson, User, handles_errors, out, principal, print_json, state
from straitlink.domain.access import AccountRole
from straitlink.domain.accounts import Account
from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.marking import Classification
from straitlink.domain.parties import Party
from straitlink.services import accounts as svc
from straitlink.services import api_tokens as tokens
from straitlink.services.web_sessions import TokenInfo

app = typer.Typer(help="Accounts: who may act, for which agency, in which roles.", no_args_is_help=True)

PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input")]
ROLES = "|".join(r.value for r in AccountRole)


def role_named(value: str) -> AccountRole:
    try:
        return AccountRole(value.strip().lower())
    except ValueError:
        raise InvalidValue("role", value, f"one of {ROLES}") from None


def clearance_named(value: str) -> Classification:
    try:
        return Classification(value.strip().lower())
    except ValueError:
        raise InvalidValue("clearance", value, "one of " + "|".join(c.value for c in Classification)) from None


def read_password(from_stdin: bool, *, confirm: bool = True) -> str | None:
    """The password from stdin (one line) or a hidden prompt on a terminal; None when neither is possible."""
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise MissingField("password", "standard input held no password")
        return line
    if not sys.stdin.isatty():
        return None
    text: str = typer.prompt("password", hide_input=True, confirmation_prompt=confirm)
    return text


def _show(account: Account, as_json: bool) -> None:
    if as_json:
        print_json(account.to_json())
        return
    table = Table("field", "value", title=f"account {account.username}")
    for name, value in account.to_json().items():
        table.add_row(name, ", ".join(value) if isinstance(value, list) else str(value))
    out.print(table)


@app.command("add")
@handles_errors
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Username (letters, digits, . _ -)")],
    role: Annotated[list[str], typer.Option("--role", help=f"{ROLES} (repeatable)")],
    agency: Annotated[str | None, typer.Option(help="The account's agency, by id or name (高雄地檢署)")] = None,
    clearance: Annotated[str, typer.Option(help="unclassified|restricted|confidential|secret")] = "restricted",
    display_name: Annotated[str | None, typer.Option("--display-name", help="The name people read")] = None,
    party: Annotated[str | None, typer.Option(help="TW or CN (only the peer account is the other side's)")] = None,
    password_stdin: PasswordStdin = False,
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """Add an account; its password from --password-stdin or a prompt (none: CLI use only, no web login)."""
    acting = principal(ctx, user)
    own = state(ctx).settings.party
    roles = frozenset(role_named(r) for r in role)
    account = Account(
        username=name,
        party=_party(party, own, roles),
        roles=roles,
        agency=load_catalog().find_agency(agency, field="agency").id if agency else None,
        clearance=clearance_named(clearance),
        display_name=display_name,
    )
    password = read_password(password_stdin)
    svc.add_account(state(ctx).engine(), account, password, principal=acting, own_party=own)
    if as_json:
        print_json(account.to_json())
    else:
        out.print(f"added account {account.username}" + ("" if password else " (no password: no web login)"))


def _party(value: str | None, own: Party, roles: frozenset[AccountRole]) -> Party:
    if value is None:
        return own.other if AccountRole.PEER in roles else own
    if value.upper() not in ("TW", "CN"):
        raise InvalidValue("party", value, "TW or CN")
    return Party(value.upper())


@app.command("list")
@handles_errors
def list_(ctx: typer.Context, user: User = None, as_json: AsJson = False) -> None:
    """Every account with its roles, agency and clearance."""
    accounts = svc.list_accounts(state(ctx).engine(), principal=principal(ctx, user))
    if as_json:
        print_json([a.to_json() for a in accounts])
        return
    table = Table("username", "display name", "party", "agency", "roles", "clearance", "active")
    for a in accounts:
        roles = ", ".join(sorted(r.value for r in a.roles))
        table.add_row(
            a.username, a.display_name or "", a.party.value, a.agency or "", roles, a.clearance.value, str(a.active)
        )
    out.print(table)


@app.command("show")
@handles_errors
def show(ctx: typer.Context, name: str, user: User = None, as_json: AsJson = False) -> None:
    """One account (your own, or any for an admin)."""
    _show(svc.show_account(state(ctx).engine(), name, principal=principal(ctx, user)), as_json)


@app.command("disable")
@handles_errors
def disable(ctx: typer.Context, name: str, user: User = None, as_json: AsJson = False) -> None:
    """Disable an account: it is refused everywhere from now on."""
    _show(svc.set_active(state(ctx).engine(), name, False, principal=principal(ctx, user)), as_json)


@app.command("enable")
@handles_errors
def enable(ctx: typer.Context, name: str, user: User = None, as_json: AsJson = False) -> None:
    """Enable a disabled account."""
    _show(svc.set_active(state(ctx).engine(), name, True, principal=principal(ctx, user)), as_json)


@app.command("passwd")
@handles_errors
def passwd(ctx: typer.Context, name: str, password_stdin: PasswordStdin = False, user: User = None) -> None:
    """Set an account's password (your own, or any for an admin)."""
    acting = principal(ctx, user)
    password = read_password(password_stdin)
    if password is None:
        raise MissingField("password", "give it with --password-stdin or at the prompt of a terminal")
    svc.set_password(state(ctx).engine(), name, password, principal=acting)
    out.print(f"password set for {name}")


@app.command("grant")
@handles_errors
def grant(ctx: typer.Context, name: str, role: str, user: User = None, as_json: AsJson = False) -> None:
    """Give an account one more role."""
    engine, own = state(ctx).engine(), state(ctx).settings.party
    _show(svc.grant_role(engine, name, role_named(role), principal=principal(ctx, user), own_party=own), as_json)


@app.command("revoke")
@handles_errors
def revoke(ctx: typer.Context, name: str, role: str, user: User = None, as_json: AsJson = False) -> None:
    """Take a role from an account."""
    _show(svc.revoke_role(state(ctx).engine(), name, role_named(role), principal=principal(ctx, user)), as_json)


@app.command("token")
@handles_errors
def token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The account the token acts as (your own, or any for an admin)")],
    expires: Annotated[
        int | None,
        typer.Option("--expires", help="Days until it expires (1-366; default 90)", min=1, max=tokens.MAX_TOKEN_DAYS),
    ] = None,
    label: Annotated[str, typer.Option("--label", help="What the token is for")] = "command line",
    revoke: Annotated[str | None, typer.Option("--revoke", help="Revoke the token with this id instead")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the account's tokens instead")] = False,
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """Issue an API token (printed once, never again), or --list / --revoke ID the account's tokens."""
    acting, engine = principal(ctx, user), state(ctx).engine()
    if revoke is not None:
        done = tokens.revoke_token(engine, name, revoke, principal=acting)
        if as_json:
            print_json(_token_json(done))
        else:
            out.print(f"revoked token {done.id} of {name}")
        return
    if list_:
        found = tokens.list_tokens(engine, name, principal=acting)
        if as_json:
            print_json([_token_json(t) for t in found])
            return
        table = Table("id", "label", "created", "expires", "revoked", title=f"tokens of {name}")
        for t in found:
            table.add_row(t.id, t.label, t.created_at, t.expires_at or "never", t.revoked_at or "")
        out.print(table)
        return
    secret, info = tokens.issue_token(engine, name, label, days=90 if expires is None else expires, principal=acting)
    if as_json:
        print_json({**_token_json(info), "token": secret})
        return
    # The token alone on stdout, so that `TOKEN=$(straitlink user token NAME)` works; the rest goes to stderr.
    print(secret)
    typer.echo(f"token {info.id} for {name}, expires {info.expires_at}; it is not shown again", err=True)


def _token_json(t: TokenInfo) -> dict[str, str | None]:
    return {
        "id": t.id,
        "label": t.label,
        "created_at": t.created_at,
        "expires_at": t.expires_at,
        "revoked_at": t.revoked_at,
    }
