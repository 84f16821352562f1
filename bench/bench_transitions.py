"""Transitions per second, each with its audit entry, beside the rate of bare INSERTs of the same rows.

Each request is filed first (not timed); then each is sent (filed → sent) through the use case: load, the domain's
checks, the request's versioned UPDATE, its history row, its audit entry on the locked chain head, one commit.
The ceiling inserts the same history and audit rows with plain INSERTs, one transaction each, as fast as the
driver allows; the two runs alternate in chunks. Target: ratio ≥ 0.5.
Run: `.venv/bin/python bench/bench_transitions.py [--quick]`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from straitlink.domain.access import AccountRole, Principal
from straitlink.domain.marking import Classification
from straitlink.domain.parties import Party
from straitlink.domain.requests import RequestStatus
from straitlink.domain.workflow import Acting, Role
from straitlink.services import requests as svc
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import FileStore
from straitlink.services.setup import init_database
from straitlink.store.db import make_engine, normalise_url
from straitlink.store.tables_workflow import AuditEntryRow, RequestTransitionRow

TARGET = 0.5
PG_URL = os.environ.get("STRAITLINK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CONTENTS = {
    "type": "document_service",
    "subject": "bench",
    "filed_on": "2025-01-20",
    "requesting_agency": "moj",
    "purpose": "p",
    "matters": "m",
    "case_summary": "c",
    "execution_needs": "e",
}


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        yield engine
        engine.dispose()


@contextmanager
def postgres_engine() -> Iterator[Engine]:
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    name = f"straitlink_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(normalise_url(PG_URL)).set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


OFFICER = Principal("bench", Party.TW, frozenset({AccountRole.LIAISON_OFFICER}), Classification.SECRET, "moj")


def measure(engine: Engine, n: int, chunk: int = 50) -> tuple[float, float]:
    """(transitions per second through the use case, bare INSERTs of the same rows per second).

    The two alternate in chunks, so that drift in the disk's flush times falls on both alike.
    """
    init_database(engine)
    warm = 20
    with tempfile.TemporaryDirectory() as tmp:
        desk = svc.Desk(
            engine, Party.TW, FileStore(Path(tmp)), load_rules(), calendars(), today=lambda: date(2025, 6, 1)
        )
        ids = []
        for _ in range(n + warm):
            ids.append(svc.file_request(desk, CONTENTS, principal=OFFICER).id)
        acting = Acting(Party.TW, Role.CONTACT_POINT)
        step = svc.StepInput(on=date(2025, 1, 21))

        def send(rid: str) -> None:
            # The use case checks the principal's permission first, as every request step does.
            svc.transition_request(desk, rid, RequestStatus.SENT, step, principal=OFFICER, acting=acting)

        for rid in ids[:warm]:
            send(rid)
        with engine.connect() as conn:
            T, A = RequestTransitionRow, AuditEntryRow
            template_step = dict(conn.execute(select(T).where(T.action == "send").limit(1)).one()._mapping)
            template_entry = dict(conn.execute(select(A).order_by(A.seq.desc()).limit(1)).one()._mapping)
        template_step.pop("id")
        copies = iter(range(10**9, 10**9 + n))  # the copies' audit numbers, clear of the real ones
        use_case_time = bare_time = 0.0
        rest = ids[warm:]
        for start in range(0, n, chunk):
            batch = rest[start : start + chunk]
            began = time.perf_counter()
            for rid in batch:
                send(rid)
            use_case_time += time.perf_counter() - began
            began = time.perf_counter()
            for _ in batch:
                with engine.begin() as conn:
                    conn.execute(insert(RequestTransitionRow), template_step)
                    conn.execute(insert(AuditEntryRow), {**template_entry, "seq": next(copies)})
            bare_time += time.perf_counter() - began
    return n / use_case_time, n / bare_time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a few hundred transitions instead of thousands")
    parser.add_argument("-n", type=int, default=None, help="transitions per engine")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args(argv)
    n = args.n or (200 if args.quick else 3000)
    engines: list[tuple[str, Any]] = [("SQLite", sqlite_engine)]
    if not args.sqlite_only:
        engines.append(("PostgreSQL", postgres_engine))
    rows = []
    for name, factory in engines:
        with factory() as engine:
            use_case, bare = measure(engine, n)
        rows.append((name, use_case, bare))
    print(f"transitions with their audit entry, {n} per engine, one transaction each")
    print(f"{'engine':<12}{'transitions/s':>15}{'bare INSERT/s':>16}{'ratio':>8}{'target':>9}  ")
    for name, use_case, bare in rows:
        ratio = use_case / bare
        verdict = "ok" if ratio >= TARGET else "BELOW"
        print(f"{name:<12}{use_case:>15.0f}{bare:>16.0f}{ratio:>8.2f}{'≥ ' + str(TARGET):>9}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
