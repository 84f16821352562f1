"""Reads of one record through the use case: a restricted record's read, logged in the access log, beside an
unclassified record's read, which is not logged (the reference), on SQLite and PostgreSQL.

A logged read is one INSERT on a connection of its own, never a write on the audit chain's head, so readers do not
queue behind each other. Run: `python bench/bench_reads.py [--quick] [--sqlite-only]`.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from sqlalchemy import Engine

from bench_transitions import postgres_engine, sqlite_engine
from straitlink.domain.access import AccountRole, Principal
from straitlink.domain.marking import Classification
from straitlink.domain.parties import Party
from straitlink.services import records
from straitlink.services.kinds import kind_named
from straitlink.services.setup import init_database

READER = Principal("reader", Party.TW, frozenset({AccountRole.ANALYST}), Classification.SECRET, "moj")
MEETING = kind_named("meeting")
TARGET = 0.5  # a logged read costs at most one plain read more


def _add(engine: Engine, classification: str) -> str:
    data = {"kind": "working_talks", "title": "bench", "marking": {"classification": classification}}
    officer = Principal("officer", Party.TW, frozenset({AccountRole.LIAISON_OFFICER}), Classification.SECRET, "moj")
    return records.add_record(engine, MEETING, data, principal=officer).id


def measure(engine: Engine, n: int) -> tuple[float, float]:
    """(logged reads per second, unlogged reads per second), alternating in chunks."""
    init_database(engine)
    restricted, open_ = _add(engine, "restricted"), _add(engine, "unclassified")
    timed = {restricted: 0.0, open_: 0.0}
    for _ in range(max(1, n // 100)):
        for rid in (restricted, open_):
            began = time.perf_counter()
            for _ in range(100):
                records.get_record(engine, MEETING, rid, principal=READER)
            timed[rid] += time.perf_counter() - began
    total = max(1, n // 100) * 100
    return total / timed[restricted], total / timed[open_]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a few hundred reads instead of thousands")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args(argv)
    n = 300 if args.quick else 3000
    engines: list[tuple[str, Any]] = [("SQLite", sqlite_engine)]
    if not args.sqlite_only:
        engines.append(("PostgreSQL", postgres_engine))
    print(f"reads of one record through the use case, {n} of each per engine")
    print(f"{'engine':<12}{'logged read/s':>15}{'plain read/s':>14}{'ratio':>8}{'target':>9}")
    for name, factory in engines:
        with factory() as engine:
            logged, plain = measure(engine, n)
        ratio = logged / plain
        verdict = "ok" if ratio >= TARGET else "BELOW"
        print(f"{name:<12}{logged:>15.0f}{plain:>14.0f}{ratio:>8.2f}{'≥ ' + str(TARGET):>9}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
