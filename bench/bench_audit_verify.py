"""`audit verify` over a million entries, beside the time hashlib alone takes over the same canonical bytes.

The entries are written in bulk as the application would chain them (a transition's diff and context each, eight per
request), with the requests they account for (125,000 for a million entries) and their history steps (one per
entry), and the digest of those records in every entry, as one load's transaction would leave them. Then the
verifier walks the chain from the database: fetches each entry, checks its number and its link to the previous
entry, hashes its body onto the previous hash and compares the stored hash; and beside the walk it hashes every
stored record's canonical text into the digest and compares it with the last entry's (straitlink.audit.state). In
one process, and as the CLI runs it by default (ranges in several processes where there are CPUs for them). The
reference hashes exactly the same bytes in Python loops with nothing else: previous hash ‖ body for each entry, and
each record's canonical text (in the form its engine keeps: straitlink.audit.state), measured right before each
verify so that both see the same load on a shared machine.
Target: verify ≤ 2× the reference.
Run: `.venv/bin/python bench/bench_audit_verify.py [--quick] [--runs N]`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import time
from datetime import date
from typing import Any, cast

from sqlalchemy import Engine, Table, insert, update
from sqlalchemy import text as sql

from bench_transitions import postgres_engine, sqlite_engine
from straitlink.audit import state as record_state
from straitlink.audit.entries import GENESIS, AuditAction, Change, body, link, timestamp
from straitlink.audit.verify import verify_stored
from straitlink.domain.records import stable_id
from straitlink.services.setup import init_database
from straitlink.services.transfer_workflow import bulk_insert
from straitlink.store.tables import AssistanceRequestRow
from straitlink.store.tables_workflow import AuditEntryRow, AuditHeadRow, RequestTransitionRow

TARGET = 2.0
BATCH = 20_000
PER_REQUEST = 8  # entries per request: its filing and about seven steps
REQUEST = cast(Table, AssistanceRequestRow.__table__)
STEP = cast(Table, RequestTransitionRow.__table__)


def change(i: int) -> Change:
    """What a typical transition's entry says (the same shape and size as the application's)."""
    return Change(
        actor=f"officer-{i % 50}",
        action=AuditAction.TRANSITION,
        kind="request",
        record_id=stable_id("bench", str(i // PER_REQUEST)),
        diff={"received_on": [None, "2025-01-24"], "status": ["sent", "received"], "version": [2, 3]},
        context={"action": "receive", "on": "2025-01-24", "party": "CN", "role": "contact_point", "transition": i},
    )


def request_row(k: int) -> dict[str, Any]:
    """A request's row as the application stores one that was received (the shape of the demo's)."""
    return {
        "id": stable_id("bench", str(k)),
        "version": 3,
        "prov_kind": "synthetic",
        "prov_generator": "bench",
        "classification": "restricted",
        "handling": "H0",
        "releasable": False,
        "publishable": False,
        "requesting_party": "TW",
        "type": "document_service",
        "subject": f"送達民事判決書 第{k}號",
        "status": "received",
        "urgency": "normal",
        "requesting_agency": "moj",
        "purpose": "民事訴訟送達",
        "matters": "送達判決書",
        "case_summary": "原告請求給付貨款事件",
        "execution_needs": "受送達人地址",
        "requesting_ref": f"法務部({k % 1000})第{k}號",
        "filed_on": date(2025, 1, 20),
        "sent_on": date(2025, 1, 21),
        "received_on": date(2025, 1, 24),
        "form": "written",
    }


def step_row(i: int) -> dict[str, Any]:
    """The history step entry i records (the filing, then the steps), as the application stores one."""
    return {
        "id": i,
        "request_id": stable_id("bench", str((i - 1) // PER_REQUEST)),
        "action": "file" if (i - 1) % PER_REQUEST == 0 else "receive",
        "from_status": None if (i - 1) % PER_REQUEST == 0 else "sent",
        "to_status": "filed" if (i - 1) % PER_REQUEST == 0 else "received",
        "occurred_on": date(2025, 1, 24),
        "actor": f"officer-{i % 50}",
        "acting_party": "CN",
        "acting_role": "contact_point",
        "acting_agency": None,
        "ground": None,
        "text": None,
        "executing_agency": None,
        "recorded_at": "2025-01-24T08:00:00.000000Z",
    }


def fill(engine: Engine, n: int) -> tuple[list[bytes], list[bytes]]:
    """Write the requests with their history and n chained entries carrying their digest (one history step per
    entry); returns the bytes the verifier hashes."""
    init_database(engine)
    columns = [c.key for c in REQUEST.columns]
    with engine.begin() as conn:
        rows = [request_row(k) for k in range((n - 1) // PER_REQUEST + 1)]
        bulk_insert(conn, REQUEST, [{c: row.get(c) for c in columns} for row in rows])
        for start in range(1, n + 1, BATCH):
            bulk_insert(conn, STEP, [step_row(i) for i in range(start, min(start + BATCH, n + 1))])
        state = record_state.hex_digest(record_state.stored(conn))
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        records = []
        for table in (REQUEST, STEP):
            cursor.execute(record_state.select_sql(table.name, conn.dialect.name))
            prefix = record_state.prefix(table.name, record_state.form_of(conn.dialect.name))
            records += [prefix + (t if isinstance(t, bytes) else t.encode()) for (t,) in cursor.fetchall()]
    prev, at, entries = GENESIS, timestamp(), []
    with engine.begin() as conn:
        for start in range(1, n + 1, BATCH):
            seqs = range(start, min(start + BATCH, n + 1))
            texts = [body(seq, at, change(seq), state).encode("utf-8") for seq in seqs]
            batch: list[dict[str, Any]] = []
            for seq, text in zip(seqs, texts, strict=True):
                digest = link(prev, text)
                batch.append({"seq": seq, "body": text.decode("utf-8"), "prev_hash": prev, "hash": digest})
                prev = digest
            entries += texts
            conn.execute(insert(AuditEntryRow), batch)
        conn.execute(update(AuditHeadRow).where(AuditHeadRow.id == 1).values(seq=n, hash=prev))
    # As autovacuum would after a bulk load: PostgreSQL then knows the table's size and has set the rows' hint bits,
    # so the walk reads a log as it stands in use, not one whose first reader must also finish its writing.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    return entries, records


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (SQLite's records' reader is one)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def reference(entries: list[bytes], records: list[bytes]) -> tuple[float, float]:
    """Seconds hashlib alone takes over the same bytes: (the chain's, the records')."""
    sha = hashlib.sha256
    began = time.perf_counter()
    h = GENESIS
    for text in entries:
        h = sha(h + text).digest()
    chain = time.perf_counter() - began
    began = time.perf_counter()
    total = 0
    for text in records:
        total += int.from_bytes(sha(text).digest(), "big")
    return chain, time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20,000 entries instead of 1,000,000")
    parser.add_argument("-n", type=int, default=None, help="entries")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--workers", type=int, default=None, help="also verify with this many processes")
    parser.add_argument("--runs", type=int, default=3, help="verify runs per engine, each beside its own reference")
    args = parser.parse_args(argv)
    n = args.n or (20_000 if args.quick else 1_000_000)
    engines: list[tuple[str, Any]] = [("SQLite", sqlite_engine)]
    if not args.sqlite_only:
        engines.append(("PostgreSQL", postgres_engine))
    rows = []
    for name, factory in engines:
        with factory() as engine:
            entries, records = fill(engine, n)
            # One process; as `straitlink audit verify` runs (processes by CPU count); any number asked for.
            for _ in range(args.runs):
                for workers in [1, None] + ([args.workers] if args.workers else []):
                    ref_cpu = time.process_time()
                    chain, state = reference(entries, records)
                    ref_cpu = time.process_time() - ref_cpu
                    began, cpu = time.perf_counter(), _cpu()
                    report = verify_stored(engine, workers=workers)
                    elapsed, cpu = time.perf_counter() - began, _cpu() - cpu
                    assert report.ok and report.checked == n, report
                    rows.append((name, report.workers, elapsed, chain, state, ref_cpu, cpu, os.getloadavg()[0]))
    print(
        f"audit verify over {n:,} entries and {len(records):,} records' rows (requests and their history steps; "
        f"{os.cpu_count()} CPUs)"
    )
    # The process's CPU seconds (all its threads, and on SQLite its records' reader child; PostgreSQL's server
    # work is not in them), the reference's, and the load average tell how much of a run's time a shared machine
    # took from it: with the kernel's autogroup scheduling, a loaded machine gives this process's threads together
    # one share, so there the wall ratio tends
    # to the CPU ratio.
    head = (
        f"{'engine':<12}{'processes':>10}{'verify s':>10}{'hashlib s':>11}{'(chain':>8}{'+ records)':>11}{'ratio':>8}"
    )
    print(head + f"{'hashlib cpu s':>14}{'verify cpu s':>14}{'load':>6}")
    for name, workers, elapsed, chain, state, ref_cpu, cpu, load in rows:
        ratio = elapsed / (chain + state)
        verdict = "ok" if ratio <= TARGET else "ABOVE"
        print(
            f"{name:<12}{workers:>10}{elapsed:>10.2f}{chain + state:>11.2f}{chain:>8.2f}{state:>11.2f}{ratio:>8.2f}"
            f"{ref_cpu:>14.2f}{cpu:>14.2f}{load:>6.1f}  {verdict} (target ≤ {TARGET})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
