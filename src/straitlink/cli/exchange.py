"""`straitlink exchange ...`: this instance's identity, its peer, and the exchange of messages with it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from straitlink.cli.common import allow, err, freeze_loaded, handles_errors, out, print_json, state
from straitlink.domain.access import Permission
from straitlink.domain.errors import InvalidValue
from straitlink.exchange import evidence, keys, offline, peers, service, status
from straitlink.exchange.service import Exchange

app = typer.Typer(help="The signed exchange with the other side's instance (docs/exchange.md).", no_args_is_help=True)
AsJson = Annotated[bool, typer.Option("--json", help="JSON output")]


@app.command("keygen")
@handles_errors
def keygen(
    ctx: typer.Context,
    rotate: Annotated[bool, typer.Option("--rotate", help="Replace the current key, keeping it for verifying")] = False,
) -> None:
    """Create this instance's Ed25519 exchange key (the private key file is readable by its owner only); admin."""
    allow(ctx, Permission.EXCHANGE_MANAGE, "create or rotate the exchange key")
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


peer_app = typer.Typer(help="The other side's instance: its inbox URL and public keys.", no_args_is_help=True)
app.add_typer(peer_app, name="peer")


@peer_app.command("add")
@handles_errors
def peer_add(
    ctx: typer.Context,
    party: Annotated[str, typer.Option("--party", help="The peer's party (TW or CN)")],
    url: Annotated[str, typer.Option("--url", help="The peer instance's base URL, e.g. http://127.0.0.1:8001")],
    key: Annotated[Path, typer.Option("--key", help="The peer's public key file (PEM or one line of base64)")],
    account: Annotated[
        str | None, typer.Option("--account", help="The local account (role peer) its messages act as")
    ] = None,
    overlap_days: Annotated[
        float, typer.Option("--overlap-days", help="How long a replaced key stays valid (days)", min=0, max=366)
    ] = 7,
    as_json: AsJson = False,
) -> None:
    """Register the peer, or give it a new key (its earlier key stays valid for the overlap period); admin."""
    allow(ctx, Permission.EXCHANGE_MANAGE, "register the peer or change its keys")
    st = state(ctx)
    text = _read_key(key)
    peer = peers.add_peer(
        st.engine(),
        party=party,
        url=url,
        key_text=text,
        key_name=str(key),  # a key that is none is refused naming its file
        account=account,
        overlap=timedelta(days=overlap_days),
        me=st.settings.party.value,
    )
    if as_json:
        print_json(peer.to_json())
        return
    out.print(f"peer {peer.party} at {peer.url}, acting as {peer.account}; keys {_keys(peer)}", highlight=False)


def _read_key(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidValue("key", str(path), exc.strerror or "cannot be read") from None


def _keys(peer: peers.Peer) -> str:
    return ", ".join(k if r is None else f"{k} (retires {r[:19]})" for k, r in peer.keys)


@peer_app.command("list")
@handles_errors
def peer_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """The registered peers and their keys."""
    found = peers.list_peers(state(ctx).engine())
    if as_json:
        print_json([p.to_json() for p in found])
        return
    for p in found:
        out.print(f"{p.party}  {p.url}  account {p.account}  keys {_keys(p)}", highlight=False)


def _exchange(ctx: typer.Context) -> Exchange:
    st = state(ctx)
    return Exchange.load(st.engine(), st.settings)


@app.command("sync")
@handles_errors
def sync_cmd(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Deliver everything pending to the peer and collect its receipts, then exit (1 when delivery failed)."""
    report = service.sync(_exchange(ctx))
    _print_sync(report, as_json)
    if report.failed:
        raise typer.Exit(1)


def _print_sync(report: service.SyncReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_json())
        return
    receipts = ", ".join(f"{k} {v}" for k, v in sorted(report.receipts.items())) or "none"
    out.print(
        f"staged {report.staged}, withheld {report.withheld}, sent {report.sent}, failed {report.failed}; "
        f"receipts: {receipts}",
        highlight=False,
    )
    for e in report.errors[:5]:
        err.print(f"  {e}", highlight=False, markup=False)


@app.command("run")
@handles_errors
def run_cmd(
    ctx: typer.Context,
    interval: Annotated[float, typer.Option(help="Seconds between rounds when idle", min=0, max=3600)] = 2.0,
    rounds: Annotated[int | None, typer.Option(help="Stop after this many rounds (default: never)")] = None,
) -> None:
    """Keep syncing with the peer until interrupted."""
    ex = _exchange(ctx)
    freeze_loaded()
    try:
        service.run(ex, interval=interval, rounds=rounds, echo=lambda r: _print_sync(r, False))
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


@app.command("status")
@handles_errors
def status_cmd(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Messages queued, delivered, applied, waiting, parked and rejected per peer; the oldest one's age."""
    data = status.status(state(ctx).engine())
    if as_json:
        print_json(data)
        return
    if not data["registered"]:
        out.print("no peer set up (an admin adds one: straitlink exchange peer add)", highlight=False)
    for peer, sides in sorted(data["peers"].items()):
        url = data["registered"].get(peer)
        out.print(f"{peer}: {url}" if url else f"{peer}: no longer set up", highlight=False)
        if not sides:
            out.print(f"{peer}: nothing sent or received yet", highlight=False)
        for direction, counts in sorted(sides.items()):
            text = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            out.print(f"{peer} {direction}: {text}", highlight=False)
    out.print(
        f"refused {data['refused_messages']}, withheld (not releasable to the other side) {data['withheld_events']},"
        f" receipts overdue {data['overdue_evidence']}",
        highlight=False,
    )
    for p in data["parked"]:
        behind = f" ({p['waiting_behind']} waiting behind it)" if p["waiting_behind"] else ""
        out.print(f"parked {p['direction']} {p['type']} {p['record']}{behind}: {p['reason']}", highlight=False)
    for w in data["waiting"]:
        out.print(f"waiting in {w['type']} {w['record']}: {w['reason']}", highlight=False)


@app.command("evidence")
@handles_errors
def evidence_cmd(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(help="The record's id")],
    as_json: AsJson = True,
) -> None:
    """The record's chain of signed messages and receipts, each verified (exit 1 when one does not verify)."""
    data = evidence.evidence(_exchange(ctx), record_id)
    print_json(data)
    if not data["verified"]:
        raise typer.Exit(1)


@app.command("export")
@handles_errors
def export_cmd(
    ctx: typer.Context, output: Annotated[Path, typer.Option("-o", "--output", help="The package file to write")]
) -> None:
    """Write a signed package of what is pending for the peer (and the receipts given here)."""
    package = offline.export_package(_exchange(ctx))
    _write(output, package)
    body = package["package"]
    out.print(f"{len(body['messages'])} messages, {len(body['receipts'])} receipts → {output}", highlight=False)


def _write(path: Path, data: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


@app.command("import")
@handles_errors
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A package from the peer (messages, receipts or both)")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the receipts package to carry back")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Apply a package from the peer (idempotent: twice, or out of order, is harmless)."""
    ex = _exchange(ctx)
    report = offline.import_package(ex, offline.read_package(file))
    if output is not None:
        _write(output, offline.receipts_package(ex))
    if as_json:
        print_json(report.to_json())
        return
    text = ", ".join(f"{k} {v}" for k, v in sorted(report.messages.items())) or "no messages"
    out.print(f"messages: {text}; receipts stored {report.receipts}", highlight=False)
