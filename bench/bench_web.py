"""Benchmark: authenticated page loads of the web app beside a bare Starlette JSON endpoint (the ceiling).

    .venv/bin/python bench/bench_web.py            # 1M requests (bench/datagen.py), SQLite and PostgreSQL
    .venv/bin/python bench/bench_web.py --quick    # 10,000 requests, 3 s per page: a minute or two

The rows (1M requests, 100k cases with their agencies and places, 250k persons, 1M seizures with 1.3M quantities)
come from bench/datagen.py. They are loaded in bulk (COPY on PostgreSQL, executemany on SQLite) into a database
at migration 0002, before the statistics rollups exist; upgrading to head then backfills every rollup in one
grouped statement each and creates the triggers — what `straitlink init` does to rows stored before it, and
several times faster than a million row triggers. The load time is printed.

Each server runs as `uvicorn --workers 2` on this machine; the load comes from client threads here too, each with a
keep-alive connection, for a fixed time. Measured, as a logged-in liaison officer (a session cookie, so every
request loads the session and the principal): the outbox (50 rows: the open requests, every request, and a page
deep in the list through its keyset cursor), and the statistics page for ten years (2014–2023) without a
breakdown and with each one; and the bare endpoint with the same client. Printed: the first request's latency (a
fresh key, so the web app's page cache cannot hide a slow computation), requests per second, p50 and p99 latency,
the server's CPU milliseconds per request (its processes' user + system time, from /proc), the ratio of the page's
rate to the ceiling's, and the load average while it ran (the machine is shared).
Targets (issue #11): the list at ≥ 0.5 of the ceiling with p99 < 50 ms; statistics p99 < 100 ms.

The list's path, profiled (docs/web.md, "The request list's path"): 15–20 ms of worker CPU per page before
(ORM records, per-call statements for the principal, per-row label lookups), 5.8–6.2 ms on SQLite and 7.7–9.3 ms
on PostgreSQL after, beside 0.21–0.23 ms for the ceiling (scale 0.01, load 15–16) — CPU per request is what to
compare on a shared machine; req/s follow the load. With the page cache (docs/web.md, "Page cache") a hit costs
0.4–0.5 ms of server CPU on SQLite and 0.5–0.8 ms on PostgreSQL beside 0.30 ms for the ceiling (scale 0.01, load
7–9). A kept database (`--reuse`) whose load finished is upgraded
to head (new migrations backfill their rollups from the rows); one whose load was interrupted is reloaded.
`--load-only` loads (or upgrades) the databases and measures nothing.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics as stats_module
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent))
out = Console(width=150)
ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("STRAITLINK_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# not bench_stats's: the two may run side by side; the variable lets two people benchmark on one server
PG_DATABASE = os.environ.get("STRAITLINK_BENCH_WEB_DB", "straitlink_bench_web")
TEN_YEARS = "/statistics?start=2014-01-01&end=2023-12-31"
BREAKDOWNS = ("type", "direction", "party", "month", "year", "agency", "drug", "place")


async def _bare(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


# The ceiling: what Starlette and uvicorn serve on this machine with nothing behind them.
ceiling = Starlette(routes=[Route("/", _bare)])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_cpu(server: subprocess.Popen[bytes]) -> float:
    """CPU seconds (user + system) the server and its worker processes have used so far, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended while we looked
            continue
        if int(entry.name) == server.pid or int(fields[1]) == server.pid:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def start_server(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", *args, "--workers", "2", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server on port {port} did not start")


TIMEOUT = 30.0  # seconds a request may take before it counts as timed out


def hammer(port: int, path: str, headers: dict[str, str], seconds: float, clients: int) -> tuple[float, list[float]]:
    """Requests per second and every latency (ms) of `clients` threads looping on GET path for `seconds`.

    A request that takes longer than TIMEOUT counts with that latency, and its thread stops there: one is enough
    to know the page misses its target, and the abandoned request still loads the server for a while.
    """
    latencies: list[list[float]] = [[] for _ in range(clients)]
    stop = time.monotonic() + seconds
    errors: list[str] = []

    def loop(mine: list[float]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except TimeoutError:
                mine.append(TIMEOUT * 1000)
                break
            if response.status != 200:
                errors.append(f"{path}: {response.status}")
                return
            mine.append((time.perf_counter() - started) * 1000)
        conn.close()

    threads = [threading.Thread(target=loop, args=(mine,)) for mine in latencies]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    if errors:
        raise SystemExit(errors[0])
    every = [ms for mine in latencies for ms in mine]
    return len(every) / elapsed, every


def first_request(port: int, path: str, headers: dict[str, str]) -> float:
    """The latency (ms) of one request on a server that has not served this page yet: a cache cannot hide it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT * 4)
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise SystemExit(f"{path}: {response.status}")
    return (time.perf_counter() - started) * 1000


def measure(
    server: subprocess.Popen[bytes], port: int, path: str, headers: dict[str, str], seconds: float, clients: int
) -> tuple[float, float, list[float], float]:
    """The first request's latency, then (after a second of warming) req/s, every latency, and the server's CPU
    milliseconds per request while they ran — what to compare on a shared machine."""
    cold = first_request(port, path, headers)
    hammer(port, path, headers, 1, clients)
    cpu = server_cpu(server)
    rate, ms = hammer(port, path, headers, seconds, clients)
    return cold, rate, ms, (server_cpu(server) - cpu) * 1000 / max(len(ms), 1)


def p(values: list[float], q: float) -> float:
    return stats_module.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def upgrade_kept(engine: Any) -> bool:
    """Whether a kept database holds a finished load; brought to head if so (later migrations backfill their
    rollups from the rows, as on any upgrade), so a new migration does not cost a reload of a million rows.

    A load finished when the liaison officer exists (the last step of `prepare`); a database still at 0002, or
    without the account, was interrupted and is reloaded."""
    from sqlalchemy import text

    from straitlink.store import migrate

    revision = migrate.current(engine)
    if revision is None or revision < "0004":  # the accounts table comes with 0004
        return False
    with engine.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM account WHERE username = 'bench-liaison'")).first():
            return False
    if revision != migrate.head():
        began = time.perf_counter()
        migrate.upgrade(engine, "head")
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        out.print(f"kept database {revision} → {migrate.head()} in {time.perf_counter() - began:,.0f} s")
    return True


def bench_engine(name: str, folder: Path, *, reuse: bool = False) -> tuple[Any, bool]:
    """A database of this engine, a file in the data folder or a PostgreSQL database of its own, and whether it is
    a loaded one kept from an earlier run (with `reuse`: kept when its load finished, and upgraded to head);
    otherwise an empty one."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from straitlink.store.db import make_engine, normalise_url

    if name == "sqlite":
        path = folder / "bench-web.db"
        if reuse and path.exists():
            engine = make_engine(f"sqlite:///{path}")
            if upgrade_kept(engine):
                return engine, True
            engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return make_engine(f"sqlite:///{path}"), False
    # A run at another scale (--quick) gets a database of its own: it would otherwise drop the full-scale one.
    scale = folder.name.removeprefix("scale-")
    database = PG_DATABASE if scale == "1.0" else f"{PG_DATABASE}_{scale.replace('.', '_')}"
    url = make_url(normalise_url(PG_URL)).set(database=database).render_as_string(hide_password=False)
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database}).first()
        if reuse and exists:
            engine = make_engine(url)
            if upgrade_kept(engine):
                admin.dispose()
                return engine, True
            engine.dispose()
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return make_engine(url), False


def prepare(name: str, folder: Path, scale: float, reuse: bool = False) -> tuple[str, str, float | None]:
    """A database of this engine with the generated rows and a liaison officer: its URL, a session, the load time
    (None for a database kept from an earlier run)."""
    from datagen import generate, load_sql, progress_bar
    from straitlink.catalog import load_catalog
    from straitlink.domain.access import AccountRole
    from straitlink.domain.accounts import Account
    from straitlink.domain.marking import Classification
    from straitlink.domain.parties import Party
    from straitlink.services.accounts import create_account
    from straitlink.services.setup import init_database, sync_catalog
    from straitlink.store import migrate
    from straitlink.store.uow import UnitOfWork
    from straitlink.web.sessions import SqlSessionStore

    with progress_bar() as step:
        generate(folder, scale=scale, step=step)
    began = time.perf_counter()
    engine, kept = bench_engine(name, folder, reuse=reuse)
    if kept:
        session = SqlSessionStore(engine).open("bench-liaison", "zh-TW")
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        return url, session.token, None
    # The raw rows go in before the rollups and their triggers exist (revision 0002); the upgrade to head then
    # backfills the rollups from them, one grouped statement each, and creates the triggers.
    migrate.upgrade(engine, "0002")
    with UnitOfWork(engine) as uow:
        sync_catalog(uow, load_catalog())
        uow.commit()
    with progress_bar() as step:
        load_sql(engine, folder, step=step)
    init_database(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    loaded = time.perf_counter() - began
    with UnitOfWork(engine) as uow:
        roles = frozenset({AccountRole.LIAISON_OFFICER})
        officer = Account("bench-liaison", Party.TW, roles, agency="moj", clearance=Classification.SECRET)
        create_account(uow, officer, "bench-password-1234", own_party=Party.TW, actor="bench")
        uow.commit()
    session = SqlSessionStore(engine).open("bench-liaison", "zh-TW")
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    return url, session.token, loaded


def pages() -> list[tuple[str, str, str, float | None, float]]:
    """(label, path, target, least ratio to the ceiling, most p99 ms) of every page measured."""
    from straitlink.web.filters import cursor_after

    deep = cursor_after((date(2019, 1, 1), ""))  # half way through ten years of requests
    lists = [
        ("outbox: open, 50 rows", "/requests?box=outbox"),
        ("outbox: all, 50 rows", "/requests?box=outbox&status=any"),
        ("outbox: all, a page in 2019", f"/requests?box=outbox&status=any&cursor={deep}"),
    ]
    out: list[tuple[str, str, str, float | None, float]] = [
        (label, path, "≥ 0.50 and p99 < 50 ms", 0.5, 50.0) for label, path in lists
    ]
    out.append(("statistics 2014–2023", TEN_YEARS, "p99 < 100 ms", None, 100.0))
    out += [(f"statistics … by {by}", f"{TEN_YEARS}&by={by}", "p99 < 100 ms", None, 100.0) for by in BREAKDOWNS]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=None, help="1 = 1M requests, 100k cases, 1M seizures")
    parser.add_argument("--quick", action="store_true", help="scale 0.01 and 3 s per page")
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--seconds", type=float, default=None, help="how long each measurement runs (default 10)")
    parser.add_argument("--clients", type=int, default=4, help="client threads (keep-alive connections)")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "straitlink-bench")
    parser.add_argument("--reuse", action="store_true", help="keep a database an earlier run loaded (upgraded to head)")
    parser.add_argument("--load-only", action="store_true", help="load or upgrade the databases, measure nothing")
    parser.add_argument("--only", default="", help="measure only the pages whose label contains this text")
    args = parser.parse_args()
    scale = args.scale if args.scale is not None else 0.01 if args.quick else 1.0
    seconds = args.seconds if args.seconds is not None else 3.0 if args.quick else 10.0
    folder = args.data / f"scale-{scale}"
    if args.load_only:
        for name in args.engines.split(","):
            _, _, loaded = prepare(name, folder, scale, args.reuse)
            out.print(f"{name}: loaded in {loaded:,.0f} s" if loaded is not None else f"{name}: kept (at head)")
        return
    port = free_port()
    bare = start_server(["--app-dir", str(ROOT / "bench"), "bench_web:ceiling"], dict(os.environ), port)
    try:
        ceiling_cold, ceiling_rate, ceiling_ms, ceiling_cpu = measure(bare, port, "/", {}, seconds, args.clients)
    finally:
        bare.terminate()
        bare.wait()
    load = os.getloadavg()[0]
    table = Table(
        "engine", "page", "first ms", "req/s", "p50 ms", "p99 ms", "CPU ms/req", "÷ ceiling", "target", "load avg",
        title=f"web pages, 2 workers, {args.clients} clients, {seconds:g} s each, scale {scale:g}",
    )  # fmt: skip
    row = ("—", "bare Starlette JSON (ceiling)", f"{ceiling_cold:.1f}", f"{ceiling_rate:,.0f}")
    row += (f"{p(ceiling_ms, 50):.1f}",)
    table.add_row(*row, f"{p(ceiling_ms, 99):.1f}", f"{ceiling_cpu:.2f}", "1.00", "", f"{load:.1f}")
    loads = []
    for name in args.engines.split(","):
        url, token, loaded = prepare(name, folder, scale, args.reuse)
        loads.append(f"{name}: loaded in {loaded:,.0f} s" if loaded is not None else f"{name}: kept from a run before")
        env = {**os.environ, "STRAITLINK_DATABASE_URL": url, "STRAITLINK_DATA_DIR": str(folder / "data")}
        port = free_port()
        server = start_server(["--factory", "straitlink.web.app:app_from_environment"], env, port)
        cookie = {"Cookie": f"sl_session={token}"}
        try:
            for label, path, target, min_ratio, max_p99 in pages():
                if args.only not in label:
                    continue
                cold, rate, ms, cpu = measure(server, port, path, cookie, seconds, args.clients)
                ratio = rate / ceiling_rate
                timed_out = sum(1 for v in ms if v >= TIMEOUT * 1000)
                ok = (min_ratio is None or ratio >= min_ratio) and p(ms, 99) < max_p99
                table.add_row(
                    name,
                    label,
                    f"{cold:,.1f}",
                    f"{rate:,.0f}",
                    f"{p(ms, 50):.1f}",
                    f"{p(ms, 99):.1f}",
                    f"{cpu:.2f}",
                    f"{ratio:.2f}",
                    f"{target} {'✓' if ok else '✗'}" + (f" ({timed_out} timed out)" if timed_out else ""),
                    f"{os.getloadavg()[0]:.1f}",
                )
        finally:
            server.terminate()
            server.wait()
    out.print(table)
    out.print("; ".join(loads) + f" (rows of bench/datagen.py at scale {scale:g}; CPUs: {os.cpu_count()})")


if __name__ == "__main__":
    main()
