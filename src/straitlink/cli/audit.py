"""`straitlink audit verify|log|checkpoint|keygen|export|rebase`: the audit log, its verification and its archiving."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from straitlink.audit import checkpoint as cp
from straitlink.audit import log, rebase
from straitlink.audit.seal import check_seals, seal
from straitlink.audit.verify import Report, verify_stored
from straitlink.cli.common import AsJson, allow, err, handles_errors, out, print_json, state
from straitlink.domain.access import Permission
from straitlink.domain.errors import InvalidValue
from straitlink.domain.listing import check_limit
from straitlink.services.access import access_entries
from straitlink.services.ids import resolve_any
from straitlink.services.session import unit_of_work

app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
TAMPERED_EXIT = 1  # the log is not what the application wrote (bad input exits 2, like every command)


def _read(path: Path, field: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidValue(field, str(path), exc.strerror or "cannot be read") from None


def _checkpoint(checkpoint: Path | None, public_key: Path | None) -> cp.Checkpoint | None:
    if checkpoint is None:
        return None
    if public_key is None:
        raise InvalidValue("public_key", None, "a checkpoint is checked against the operator's public key")
    return cp.check(cp.read_json(checkpoint, "checkpoint"), _read(public_key, "public_key"))


def _report(report: Report, as_json: bool, what: str) -> None:
    if as_json:
        print_json(report.to_json())
    elif report.ok:
        out.print(f"{what}: {report.checked} entries verified, last {report.last_seq} ({report.last_hash.hex()[:16]}…)")
    if report.problem is not None:
        if not as_json:
            err.print(f"[red]tampered:[/red] {escape(report.problem.reason)}", markup=True, highlight=False)
        raise typer.Exit(TAMPERED_EXIT)


@app.command("verify")
@handles_errors
def verify(
    ctx: typer.Context,
    checkpoint: Annotated[Path | None, typer.Option(help="A signed checkpoint the chain must contain")] = None,
    public_key: Annotated[Path | None, typer.Option("--public-key", help="The key that signed the checkpoint")] = None,
    archive: Annotated[Path | None, typer.Option(help="Verify an archive file instead of the database")] = None,
    after: Annotated[
        Path | None, typer.Option(help="With --archive: the checkpoint the archive continues from")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Walk the chain; exit 1 naming the first entry altered, removed, inserted or reordered."""
    allow(ctx, Permission.AUDIT_READ, "verify the audit log")
    signed = _checkpoint(checkpoint, public_key)
    if archive is not None:
        start = _checkpoint(after, public_key)
        _report(cp.verify_archive(archive, checkpoint=signed, after=start), as_json, str(archive))
        return
    report = verify_stored(state(ctx).engine(), checkpoint=(signed.seq, signed.hash) if signed else None)
    for problem in check_seals(state(ctx).engine()) if report.ok else []:
        err.print(f"[red]tampered:[/red] seal entry {problem.seq}: {problem.reason}", markup=True, highlight=False)
        raise typer.Exit(TAMPERED_EXIT)
    _report(report, as_json, "audit log")


@app.command("seal")
@handles_errors
def seal_(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Fold the access log's rows written since the last seal into one chain entry (run it from cron or a timer)."""
    acting = allow(ctx, Permission.AUDIT_READ, "seal the access log")
    done = seal(state(ctx).engine(), actor=acting.username)
    if as_json:
        print_json(done.to_json())
    elif done.seq is None:
        out.print("nothing to seal")
    else:
        out.print(f"sealed access-log rows {done.first}–{done.last} ({done.count}) as entry {done.seq}")


@app.command("rebase")
@handles_errors
def rebase_(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help="Why the records are taken in as they stand (kept in the entry)")],
    as_json: AsJson = False,
) -> None:
    """Take the stored records into the audit trail as they stand: one entry per record that differs, then one
    `rebase` entry (only once the chain verifies; see docs/audit.md)."""
    # Like an import, it makes whatever the tables hold what the trail says: an admin's decision, never a reader's.
    acting = allow(ctx, Permission.DATA_TRANSFER, "rebase the audit log's records")
    if not reason.strip():
        raise InvalidValue("reason", reason, "say why the records are taken in as they stand")
    done = rebase.rebase(state(ctx).engine(), actor=acting.username, reason=reason.strip())
    if as_json:
        print_json({"seq": done.seq, "records": done.records})
    else:
        out.print(f"rebased: {done.records} records taken in as they stand, entry {done.seq}")


@app.command("access")
@handles_errors
def access_(
    ctx: typer.Context,
    record: Annotated[str | None, typer.Option("--record", help="Reads and refusals of one record (its id)")] = None,
    account: Annotated[str | None, typer.Option("--account", help="Those of one account")] = None,
    limit: Annotated[int, typer.Option(help="At most this many")] = 200,
    as_json: AsJson = False,
) -> None:
    """The access log: reads of classified records and every refusal, oldest first."""
    allow(ctx, Permission.AUDIT_READ, "read the access log")
    found = access_entries(state(ctx).engine(), record_id=record, username=account, limit=limit)
    if as_json:
        print_json([e.to_json() for e in found])
        return
    table = Table("#", "at", "account", "action", "record", "outcome", "detail", title="access log")
    for e in found:
        shown = f"{e.kind or ''} {(e.record_id or '')[:8]}".strip()
        table.add_row(str(e.id), e.at, e.username or "", e.action, shown, e.outcome, (e.detail or "")[:80])
    out.print(table)


@app.command("log")
@handles_errors
def log_(
    ctx: typer.Context,
    record: Annotated[str | None, typer.Option("--record", help="One record's history (its id)")] = None,
    kind: Annotated[str | None, typer.Option(help="Record kind, with --record")] = None,
    limit: Annotated[int, typer.Option(help="Without --record: the latest this many")] = 50,
    as_json: AsJson = False,
) -> None:
    """Show a record's audit history (its id or first 8 characters), or the latest entries."""
    check_limit(limit)
    allow(ctx, Permission.AUDIT_READ, "read the audit log")
    if record is not None:
        record = resolve_any(state(ctx).engine(), record, kind)
    with unit_of_work(state(ctx).engine()) as uow:
        entries = log.entries(uow, record_id=record, kind=kind, limit=limit)
    if as_json:
        print_json([e.to_json() for e in entries])
        return
    table = Table("#", "at", "actor", "action", "record", "changed", title="audit log")
    for e in entries:
        changed = ", ".join(f"{k}: {v[0]!s} → {v[1]!s}" for k, v in e.diff.items()) or ", ".join(
            f"{k}={v}" for k, v in e.context.items()
        )
        if e.context.get("reason"):  # a correction or retraction: why comes first
            changed = f"why: {e.context['reason']}; {changed}"
        table.add_row(str(e.seq), e.at, e.actor, e.action, f"{e.kind} {e.record_id[:8]}", changed[:120])
    out.print(table)


@app.command("checkpoint")
@handles_errors
def sign_checkpoint(
    ctx: typer.Context,
    key: Annotated[Path, typer.Option("--key", help="The operator's Ed25519 private key (PEM)")],
    seq: Annotated[int | None, typer.Option("--seq", help="Sign this entry (default: the last)")] = None,
    checkpoint: Annotated[
        Path | None, typer.Option(help="The latest earlier checkpoint, once entries up to it are archived")
    ] = None,
    public_key: Annotated[Path | None, typer.Option("--public-key", help="The key that signed it")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write it here (default: stdout)")] = None,
    as_json: AsJson = False,
) -> None:
    """Sign the hash of the chain's last entry (or of entry --seq): a checkpoint to keep outside the database."""
    allow(ctx, Permission.AUDIT_READ, "sign audit checkpoints")
    engine = state(ctx).engine()
    earlier = _checkpoint(checkpoint, public_key)
    report = verify_stored(engine, checkpoint=(earlier.seq, earlier.hash) if earlier else None)
    if report.problem is not None:
        err.print(f"[red]not signing:[/red] {escape(report.problem.reason)}", markup=True, highlight=False)
        raise typer.Exit(TAMPERED_EXIT)
    signed_seq, digest = report.last_seq, report.last_hash
    if seq is not None and seq != report.last_seq:
        with unit_of_work(engine) as uow:
            found = log.hash_of(uow, seq)
        if found is None:
            raise InvalidValue("seq", seq, f"no such entry (the log holds entries up to {report.last_seq})")
        signed_seq, digest = seq, found
    document = cp.sign(signed_seq, digest, _read(key, "key"), party=state(ctx).settings.party.value)
    if output is None:
        print_json(document)
        return
    output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if as_json:
        print_json(document)
    else:
        out.print(f"checkpoint of entry {signed_seq} written to {output}")


@app.command("keygen")
@handles_errors
def keygen(
    private: Annotated[Path, typer.Option("--private", help="Where to write the private key (kept offline)")],
    public: Annotated[Path, typer.Option("--public", help="Where to write the public key")],
    as_json: AsJson = False,
) -> None:
    """Make an Ed25519 key pair for signing checkpoints."""
    if private.exists():
        raise InvalidValue("private", str(private), "exists already; not overwritten")
    secret, shared = cp.generate_key()
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(secret)
    public.write_bytes(shared)
    if as_json:
        print_json({"private": str(private), "public": str(public)})
    else:
        out.print(f"private key {private} (mode 600), public key {public}")


@app.command("export")
@handles_errors
def export(
    ctx: typer.Context,
    through: Annotated[int, typer.Option("--through", help="Last entry to archive (a signed checkpoint's)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The archive file to write")],
    as_json: AsJson = False,
) -> None:
    """Write entries 1..THROUGH to an archive file that `audit verify --archive` checks."""
    allow(ctx, Permission.AUDIT_READ, "export the audit log")
    try:
        with state(ctx).engine().connect() as conn, output.open("w", encoding="utf-8") as fh:
            count = cp.export_archive(conn, through, fh)
    except OSError as exc:
        raise InvalidValue("output", str(output), exc.strerror or "cannot write") from None
    if as_json:
        print_json({"archive": str(output), "entries": count, "through": through})
    else:
        out.print(f"archived {count} entries to {output}")
