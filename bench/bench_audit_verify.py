"""`audit verify` over a million entries, beside the time hashlib alone takes over the same canonical bytes.

The entries are written in bulk as the application would chain them (a transition's diff and context each), then
the verifier walks them from the database: fetches each entry, checks its number and its link to the previous
entry, hashes its body onto the previous hash and compares the stored hash; in one process, and as the CLI runs it
by default (ranges in several processes where there are CPUs for them). The reference hashes exactly the same bytes
(previous hash ‖ body) in one Python loop with nothing else. Target: verify ≤ 2× the reference.
Run: `.venv/bin/python bench/bench_audit_verify.py [--quick]`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from typing import Any

from sqlalchemy import Engine, insert, update
from sqlalchemy import text as sql

from bench_transitions import postgres_engine, sqlite_engine
from straitlink.audit.entries import GENESIS, AuditAction, Change, body, link, timestamp
from straitlink.audit.verify import verify_stored
from straitlink.domain.records import stable_id
from straitlink.services.setup import init_database
from straitlink.store.tables_workflow import AuditEntryRow, AuditHeadRow

TARGET = 2.0
BATCH = 20_000


def change(i: int) -> Change:
    """What a typical transition's entry says (the same shape and size as the application's)."""
    return Change(
        actor=f"officer-{i % 50}",
        action=AuditAction.TRANSITION,
        kind="request",
        record_id=stable_id("bench", str(i // 8)),
        diff={"received_on": [None, "2025-01-24"], "status": ["sent", "received"], "version": [2, 3]},
        context={"action": "receive", "on": "2025-01-24", "party": "CN", "role": "contact_point", "transition": i},
    )


def fill(engine: Engine, n: int) -> float:
    """Write n chained entries; returns the time hashlib alone took over their canonical bytes."""
    init_database(engine)
    prev, reference, at = GENESIS, 0.0, timestamp()
    sha = hashlib.sha256
    with engine.begin() as conn:
        for start in range(1, n + 1, BATCH):
            seqs = range(start, min(start + BATCH, n + 1))
            texts = [body(seq, at, change(seq)).encode("utf-8") for seq in seqs]
            rows: list[dict[str, Any]] = []
            for seq, text in zip(seqs, texts, strict=True):
                digest = link(prev, text)
                rows.append({"seq": seq, "body": text.decode("utf-8"), "prev_hash": prev, "hash": digest})
                prev = digest
            # The reference: the same bytes hashed the same way, and nothing else.
            h = rows[0]["prev_hash"]
            began = time.perf_counter()
            for text in texts:
                h = sha(h + text).digest()
            reference += time.perf_counter() - began
            assert h == prev
            conn.execute(insert(AuditEntryRow), rows)
        conn.execute(update(AuditHeadRow).where(AuditHeadRow.id == 1).values(seq=n, hash=prev))
    # As autovacuum would after a bulk load: PostgreSQL then knows the table's size and has set the rows' hint bits,
    # so the walk reads a log as it stands in use, not one whose first reader must also finish its writing.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sql("VACUUM ANALYZE audit_entry" if engine.dialect.name == "postgresql" else "ANALYZE"))
    return reference


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20,000 entries instead of 1,000,000")
    parser.add_argument("-n", type=int, default=None, help="entries")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--workers", type=int, default=None, help="also verify with this many processes")
    args = parser.parse_args(argv)
    n = args.n or (20_000 if args.quick else 1_000_000)
    engines: list[tuple[str, Any]] = [("SQLite", sqlite_engine)]
    if not args.sqlite_only:
        engines.append(("PostgreSQL", postgres_engine))
    rows = []
    for name, factory in engines:
        with factory() as engine:
            reference = fill(engine, n)
            # One process; as `straitlink audit verify` runs (processes by CPU count); any number asked for.
            for workers in [1, None] + ([args.workers] if args.workers else []):
                began = time.perf_counter()
                report = verify_stored(engine, workers=workers)
                elapsed = time.perf_counter() - began
                assert report.ok and report.checked == n, report
                rows.append((name, report.workers, elapsed, reference))
    print(f"audit verify over {n:,} entries ({os.cpu_count()} CPUs)")
    print(f"{'engine':<12}{'processes':>10}{'verify s':>10}{'hashlib s':>11}{'ratio':>8}{'target':>9}  ")
    for name, workers, elapsed, reference in rows:
        ratio = elapsed / reference
        verdict = "ok" if ratio <= TARGET else "ABOVE"
        print(
            f"{name:<12}{workers:>10}{elapsed:>10.2f}{reference:>11.2f}{ratio:>8.2f}{'≤ ' + str(TARGET):>9}  {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
