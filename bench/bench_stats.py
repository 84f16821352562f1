"""Benchmark: effectiveness statistics for ten years, StraitLink on SQLite and PostgreSQL beside DuckDB.

    .venv/bin/python bench/bench_stats.py                 # full scale: 1M requests, 100k cases, 1M seizures
    .venv/bin/python bench/bench_stats.py --scale 0.01    # a quick run

The rows come from bench/datagen.py (the same raw rows in every engine), loaded as any bulk writer loads them:
the triggers of migration 0003 keep the statistics rollups as the rows go in, and the load time includes them.
StraitLink's time is one call of compute_statistics() over 2014-01-01 … 2023-12-31 (whole months: read from the
rollups), and over 2014-01-10 … 2023-12-20 (partial months at both ends, read from the raw rows, and requests
closed after the 20th looked up); the reference is DuckDB computing the same figures with the same definitions by
a full scan of its in-memory tables. Each figure is printed beside DuckDB's, and each time beside DuckDB's with
the ratio (StraitLink ÷ DuckDB; the target is ≤ 1). After loading, the rollups are recounted from the raw rows
(`straitlink stats --verify-rollups`) and must match.

    .venv/bin/python bench/bench_stats.py --kept URL [--kept URL …] [--queries]

times one call of compute_statistics() for 2014–2023 without a breakdown and with each one (best of 3, after a
warm-up) against databases already loaded, such as bench/bench_web.py's kept ones (`--reuse`), with the load
average; `--queries` lists the slowest SQL statements of each call.
"""

from __future__ import annotations

import argparse
import os
import statistics as stats_module
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datagen import START, YEARS, generate, load_duckdb, load_sql, progress_bar
from straitlink.services.setup import init_database
from straitlink.stats.model import DIMENSIONS, Statistics
from straitlink.stats.rollup_check import verify_rollups
from straitlink.stats.service import compute_statistics
from straitlink.store.db import make_engine, normalise_url
from straitlink.store.uow import UnitOfWork

PERIOD = (START, date(START.year + YEARS - 1, 12, 31))
# The same ten years less a few days at either end: the partial months come from the raw rows.
PARTIAL = (START.replace(day=10), date(START.year + YEARS - 1, 12, 20))
PERIODS = {"whole months": PERIOD, "partial months": PARTIAL}
PG_URL = os.environ.get("STRAITLINK_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PRECEDENCE = {"exact": 0, "range": 1, "at_least": 2, "approx": 3}
MASS = {"g": Decimal("0.001"), "kg": Decimal(1), "t": Decimal(1000)}
out = Console(width=150)

REFERENCE_SQL = {
    "requests": """
        SELECT count(*),
               count(*) FILTER (WHERE status = 'completed' AND (closed_on IS NULL OR closed_on <= $end)),
               count(*) FILTER (WHERE NOT (status IN ('completed', 'refused', 'unable', 'withdrawn')
                                           AND (closed_on IS NULL OR closed_on <= $end))),
               count(*) FILTER (WHERE requesting_party = 'TW')
        FROM assistance_request WHERE filed_on BETWEEN $start AND $end""",
    "by_type": """
        SELECT requesting_party, type, status, count(*) FROM assistance_request
        WHERE filed_on BETWEEN $start AND $end GROUP BY ALL""",
    "days": """
        SELECT quantile_cont(closed_on - received_on, 0.5), quantile_cont(closed_on - received_on, 0.9)
        FROM assistance_request
        WHERE filed_on BETWEEN $start AND $end AND status = 'completed' AND closed_on <= $end
          AND received_on IS NOT NULL""",
    "cases": """
        SELECT count(*) FILTER (WHERE kind = 'drugs' AND joint), count(*) FILTER (WHERE joint), count(*)
        FROM legal_case WHERE date_earliest BETWEEN $start AND $end""",
    "suspects": """
        SELECT count(*), count(*) FILTER (WHERE p.caught_in_act) FROM person p JOIN legal_case c ON c.id = p.case_id
        WHERE p.role = 'suspect' AND c.kind = 'drugs' AND c.joint AND c.date_earliest BETWEEN $start AND $end""",
    "seizures": """
        WITH counted AS (
            SELECT s.id, s.drug FROM seizure s JOIN legal_case c ON c.id = s.case_id
            WHERE s.date_earliest BETWEEN $start AND $end AND c.kind = 'drugs' AND c.joint),
        ranked AS (
            SELECT counted.drug, q.unit, q.qualifier, q.value,
                   row_number() OVER (PARTITION BY q.seizure, q.unit IN ('kg', 'g', 't')
                                      ORDER BY CASE q.basis WHEN 'net' THEN 0 WHEN 'gross' THEN 1 ELSE 2 END,
                                               q.position) AS rank
            FROM counted JOIN seizure_quantity q ON q.seizure = counted.id)
        SELECT drug, unit, qualifier, sum(value), count(*) FROM ranked
        WHERE rank = 1 AND unit IN ('kg', 'g', 't') GROUP BY ALL""",
    "seizure_count": """
        SELECT count(*) FROM seizure s JOIN legal_case c ON c.id = s.case_id
        WHERE s.date_earliest BETWEEN $start AND $end AND c.kind = 'drugs' AND c.joint""",
}


def reference(con: Any, period: tuple[date, date] = PERIOD) -> dict[str, Any]:
    """The figures DuckDB computes, by the same definitions as the statistics service."""
    params = {"start": period[0], "end": period[1]}
    rows = {name: con.execute(sql, params).fetchall() for name, sql in REFERENCE_SQL.items()}
    total, completed, still_open, tw = rows["requests"][0]
    median, p90 = rows["days"][0]
    weight, qualifier, ketamine = Decimal(0), "exact", Decimal(0)
    for drug, unit, q, value, _n in rows["seizures"]:
        kg = Decimal(value) * MASS[unit]
        weight += kg
        ketamine += kg if drug == "ketamine" else 0
        qualifier = max(qualifier, q, key=PRECEDENCE.__getitem__)
    return {
        "requests.total": total,
        "requests.by_direction.tw_to_cn": tw,
        "requests.completed": completed,
        "requests.open": still_open,
        "requests.processing_days.median": Decimal(str(median)),
        "requests.processing_days.p90": Decimal(str(p90)).quantize(Decimal("0.1")),
        "cases.joint_drug": rows["cases"][0][0],
        "suspects.total": rows["suspects"][0][0],
        "suspects.caught_in_act": rows["suspects"][0][1],
        "seizures.count": rows["seizure_count"][0][0],
        "seizures.total_weight_kg": (weight.quantize(Decimal("0.001")), qualifier),
        "seizures.by_drug.ketamine.weight_kg": ketamine.quantize(Decimal("0.001")),
    }


def ours(s: Statistics) -> dict[str, Any]:
    r, w = s.requests.both, s.seizures.total_weight_kg
    return {
        "requests.total": r.total,
        "requests.by_direction.tw_to_cn": s.requests.directions["tw_to_cn"].total,
        "requests.completed": r.completed,
        "requests.open": r.open,
        "requests.processing_days.median": r.processing_days.median,
        "requests.processing_days.p90": (r.processing_days.p90 or Decimal(0)).quantize(Decimal("0.1")),
        "cases.joint_drug": s.cases.joint_drug,
        "suspects.total": s.suspects.total,
        "suspects.caught_in_act": s.suspects.caught_in_act,
        "seizures.count": s.seizures.count,
        "seizures.total_weight_kg": (w.value.quantize(Decimal("0.001")), str(w.qualifier)),
        "seizures.by_drug.ketamine.weight_kg": s.seizures.by_drug["ketamine"].weight_kg.value.quantize(
            Decimal("0.001")
        ),
    }


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return f"{value[0]:,} kg ({value[1]})"
    return f"{value:,}" if isinstance(value, int) else str(value)


def timed(call: Callable[[], Any], repeat: int) -> tuple[Any, float]:
    """The result and the median wall time in milliseconds of `repeat` calls after one warm-up call."""
    result = call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return result, stats_module.median(times)


def straitlink_engine(name: str, folder: Path) -> Any:
    if name == "sqlite":
        path = folder / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return make_engine(f"sqlite:///{path}")
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "straitlink_bench" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "straitlink_bench"'))
    admin.dispose()
    url = make_url(normalise_url(PG_URL)).set(database="straitlink_bench")
    return make_engine(url.render_as_string(hide_password=False))


def time_kept(urls: list[str], repeat: int, queries: bool) -> None:
    """compute_statistics() for ten years, without and with each breakdown, on loaded databases: best of `repeat`."""
    from sqlalchemy import event

    table = Table(
        "engine", "by", "best ms", "all ms", "load avg", title=f"compute_statistics {PERIOD[0]} … {PERIOD[1]}"
    )
    spent: list[tuple[float, str]] = []  # (ms, SQL) of the statements of the call being timed
    for url in urls:
        engine = make_engine(url)

        @event.listens_for(engine, "before_cursor_execute")
        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            conn.info["started"] = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            spent.append(((time.perf_counter() - conn.info["started"]) * 1000, statement))

        for by in (None, *DIMENSIONS):

            def run(engine: Any = engine, by: str | None = by) -> Statistics:
                with UnitOfWork(engine) as uow:
                    return compute_statistics(uow, start=PERIOD[0], end=PERIOD[1], by=by)

            run()
            times = []
            for _ in range(repeat):
                spent.clear()
                started = time.perf_counter()
                run()
                times.append((time.perf_counter() - started) * 1000)
            load = os.getloadavg()[0]
            shown = ", ".join(f"{t:,.0f}" for t in times)
            table.add_row(engine.dialect.name, by or "—", f"{min(times):,.1f}", shown, f"{load:.1f}")
            if queries:
                sql_ms = sum(ms for ms, _ in spent)
                out.print(f"[bold]{engine.dialect.name} by {by}[/]: {len(spent)} statements, {sql_ms:,.0f} ms of SQL")
                for ms, statement in sorted(spent, reverse=True)[:4]:
                    out.print(f"  {ms:8.1f} ms  {' '.join(statement.split())[:400]}")
        engine.dispose()
    out.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1M requests, 100k cases, 1M seizures")
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs after a warm-up (median reported)")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "straitlink-bench")
    parser.add_argument("--kept", action="append", default=[], help="time a loaded database at this URL instead")
    parser.add_argument("--queries", action="store_true", help="with --kept: the slowest statements of each call")
    args = parser.parse_args()
    if args.kept:
        time_kept(args.kept, args.repeat, args.queries)
        return
    folder = args.data / f"scale-{args.scale}"
    with progress_bar() as step:
        counts = generate(folder, scale=args.scale, step=step)
    con = duckdb.connect()
    load_duckdb(con, folder)
    expected = {name: timed(lambda p=p: reference(con, p), args.repeat) for name, p in PERIODS.items()}
    out.print(
        f"{counts.requests:,} requests, {counts.cases:,} cases, {counts.persons:,} persons, {counts.seizures:,} "
        f"seizures, {counts.quantities:,} quantities; periods "
        + "; ".join(f"{name} {p[0]} … {p[1]}" for name, p in PERIODS.items())
    )
    for name in args.engines.split(","):
        engine = straitlink_engine(name, folder)
        init_database(engine)
        started = time.perf_counter()
        with progress_bar() as step:
            load_sql(engine, folder, step=step)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        with UnitOfWork(engine) as uow:
            check = verify_rollups(uow)
        verify_s = time.perf_counter() - started
        title = f"{name} (loaded in {load_s:.0f} s with the rollup triggers; rollups recounted in {verify_s:.1f} s: "
        title += ("they match" if check.ok else f"{len(check.differences)} DIFFER") + ")"
        table = Table("figure", "StraitLink", "DuckDB (reference)", "same", title=title)
        for label, (start, end) in PERIODS.items():

            def run(engine: Any = engine, start: date = start, end: date = end) -> Statistics:
                with UnitOfWork(engine) as uow:
                    return compute_statistics(uow, start=start, end=end)

            result, ms = timed(run, args.repeat)
            figures, (reference_figures, duck_ms) = ours(result), expected[label]
            if label == "whole months":
                for key, value in figures.items():
                    same = "yes" if value == reference_figures[key] else "NO"
                    table.add_row(key, _shown(value), _shown(reference_figures[key]), same)
            else:
                differ = [k for k, v in figures.items() if v != reference_figures[k]]
                shown = "all the same" if not differ else "NO: " + ", ".join(differ)
                table.add_row(f"{len(figures)} figures, {label}", shown, "", "yes" if not differ else "NO")
            table.add_row(
                f"time for the whole statistics, {label}, ms",
                f"{ms:,.1f}",
                f"{duck_ms:,.1f}",
                f"ratio {ms / duck_ms:.2f}",
            )
        out.print(table)
        engine.dispose()


if __name__ == "__main__":
    main()
