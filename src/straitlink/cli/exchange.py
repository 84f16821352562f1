"""`straitlink exchange ...`: this instance's identity, its peer, and the exchange of messages with it."""

from __future__ import annotations

from typing import Annotated

import typer

from straitlink.cli.common import handles_errors, out, print_json, state
from straitlink.exchange import keys

app = typer.Typer(help="The signed exchange with the other side's instance (docs/exchange.md).", no_args_is_help=True)
AsJson = Annotated[bool, typer.Option("--json", help="JSON output")]


@app.command("keygen")
@handles_errors
def keygen(
    ctx: typer.Context,
    rotate: Annotated[bool, typer.Option("--rotate", help="Replace the current key, keeping it for verifying")] = False,
) -> None:
    """Create this instance's Ed25519 exchange key (the private key file is readable by its owner only)."""
    settings = state(ctx).settings
    public = keys.keygen(settings.data_dir, rotate=rotate)
    out.print(f"key {keys.key_id(public)} written to {keys.key_dir(settings.data_dir)}", highlight=False)
    out.print(keys.public_text(public), highlight=False)


@app.command("identity")
@handles_errors
def identity(ctx: typer.Context, as_json: AsJson = False) -> None:
    """This instance's party, key id and public key (give the public key to the peer's `exchange peer add`)."""
    settings = state(ctx).settings
    me = keys.load_identity(settings.data_dir, settings.party.value)
    data = {
        "party": me.party,
        "key_id": me.key_id,
        "public_key": keys.public_text(me.public),
        "retired_keys": sorted(k for k in me.own_keys() if k != me.key_id),
    }
    if as_json:
        print_json(data)
        return
    out.print(f"party {data['party']}  key {data['key_id']}", highlight=False)
    out.print(data["public_key"], highlight=False)
