"""Search on the demo data set (its seed world, 45,426 synthetic requests and their records, all indexed): the
use case `services.search.search_records` as the web and the CLI call it (match, permission conditions, count,
one page of 20, snippets, the access log), for a mix of queries, as a desk officer who sees everything and as a
prosecutor whose agency scope adds its conditions to every kind.

Printed: p50 and p99 per engine and principal, beside the reference (a p99 of 100 ms, the statistics' target for
an interactive page) and the ratio (figure / reference; ≤ 1 meets it). Also the time the demo load took with its
indexing, for information. Numbers taken on a shared machine say little: rerun on a quiet one.
Run: `.venv/bin/python bench/bench_search.py [--quick] [--engines sqlite,postgresql] [--rounds N]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

from sqlalchemy import Engine

from bench_transitions import postgres_engine, sqlite_engine
from straitlink.demo.load import load_demo
from straitlink.domain.access import AccountRole, Principal
from straitlink.domain.marking import Classification
from straitlink.domain.parties import Party
from straitlink.services.search import search_records
from straitlink.services.setup import init_database

REFERENCE_P99_MS = 100.0
QUERIES = ("冰毒", "笙宏号", "海洛因 高雄", "TW2013-00012", "法務部", "送达文书", "通報", "K他命", "meth", "案")
PRINCIPALS = {
    "desk officer": Principal(
        "bench-desk",
        Party.TW,
        frozenset({AccountRole.LIAISON_OFFICER, AccountRole.ANALYST}),
        Classification.SECRET,
        "moj",
        frozenset({"moj"}),
    ),
    "prosecutor": Principal(
        "bench-prosecutor",
        Party.TW,
        frozenset({AccountRole.PROSECUTOR}),
        Classification.CONFIDENTIAL,
        "kaohsiung-district-prosecutors",
        frozenset({"kaohsiung-district-prosecutors"}),
    ),
}
ENGINES: dict[str, Callable[[], AbstractContextManager[Engine]]] = {
    "sqlite": sqlite_engine,
    "postgresql": postgres_engine,
}


def timings(engine: Engine, principal: Principal, rounds: int) -> list[float]:
    """Milliseconds per search, every query `rounds` times (after one warm-up pass)."""
    for q in QUERIES:
        search_records(engine, q, principal=principal)
    out = []
    for _ in range(rounds):
        for q in QUERIES:
            started = time.perf_counter()
            search_records(engine, q, principal=principal)
            out.append((time.perf_counter() - started) * 1000)
    return out


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 2 else values[0]


def run(name: str, rounds: int) -> Iterator[tuple[str, ...]]:
    with ENGINES[name]() as engine:
        init_database(engine)
        started = time.perf_counter()
        load_demo(engine)
        print(f"{name}: demo loaded and indexed in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        for who, principal in PRINCIPALS.items():
            ms = timings(engine, principal, rounds)
            high = p99(ms)
            yield (
                name,
                who,
                str(len(ms)),
                f"{statistics.median(ms):.1f}",
                f"{high:.1f}",
                f"{REFERENCE_P99_MS:.0f}",
                f"{high / REFERENCE_P99_MS:.2f}",
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="SQLite only, 5 rounds")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    engines = ["sqlite"] if args.quick else args.engines.split(",")
    rounds = 5 if args.quick else args.rounds
    header = ("engine", "principal", "searches", "p50 ms", "p99 ms (figure)", "reference p99 ms", "ratio")
    rows = [header]
    for name in engines:
        rows.extend(run(name, rounds))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
