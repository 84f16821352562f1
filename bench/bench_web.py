"""Benchmark: authenticated page loads of the web app beside a bare Starlette JSON endpoint (the ceiling).

    .venv/bin/python bench/bench_web.py                      # 1M requests (bench/datagen.py), SQLite and PostgreSQL
    .venv/bin/python bench/bench_web.py --scale 0.01 --seconds 5   # a quick run

Each server runs as `uvicorn --workers 2` on this machine; the load comes from client threads here too, each with a
keep-alive connection, for a fixed time. Measured: the request list page (the outbox, 50 rows) and the statistics
page for ten years (2014–2023) with and without a breakdown, as a logged-in liaison officer (a session cookie, so
every request loads the session and the principal), and the bare endpoint with the same client. Printed: requests
per second, p50 and p99 latency, and the ratio of the page's rate to the ceiling's. Targets (issue #11): the list
at ≥ 0.5 of the ceiling with p99 < 50 ms; statistics p99 < 100 ms.
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


async def _bare(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


# The ceiling: what Starlette and uvicorn serve on this machine with nothing behind them.
ceiling = Starlette(routes=[Route("/", _bare)])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


def hammer(port: int, path: str, headers: dict[str, str], seconds: float, clients: int) -> tuple[float, list[float]]:
    """Requests per second and every latency (ms) of `clients` threads looping on GET path for `seconds`."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    stop = time.monotonic() + seconds
    errors: list[str] = []

    def loop(mine: list[float]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
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


def p(values: list[float], q: float) -> float:
    return stats_module.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def prepare(name: str, folder: Path, scale: float) -> tuple[str, str]:
    """A database of this engine with the generated rows and a liaison officer; returns its URL and a session."""
    from bench_stats import straitlink_engine
    from datagen import generate, load_sql, progress_bar
    from straitlink.domain.access import AccountRole
    from straitlink.domain.accounts import Account
    from straitlink.domain.marking import Classification
    from straitlink.domain.parties import Party
    from straitlink.services.accounts import create_account
    from straitlink.services.setup import init_database
    from straitlink.store.uow import UnitOfWork
    from straitlink.web.sessions import SqlSessionStore

    with progress_bar() as step:
        generate(folder, scale=scale, step=step)
    engine = straitlink_engine(name, folder)
    init_database(engine)
    with progress_bar() as step:
        load_sql(engine, folder, step=step)
    with UnitOfWork(engine) as uow:
        roles = frozenset({AccountRole.LIAISON_OFFICER})
        officer = Account("bench-liaison", Party.TW, roles, agency="moj", clearance=Classification.SECRET)
        create_account(uow, officer, "bench-password-1234", own_party=Party.TW, actor="bench")
        uow.commit()
    session = SqlSessionStore(engine).open("bench-liaison", "zh-TW")
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    return url, session.token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1M requests, 100k cases, 1M seizures")
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each measurement runs")
    parser.add_argument("--clients", type=int, default=4, help="client threads (keep-alive connections)")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "straitlink-bench")
    args = parser.parse_args()
    folder = args.data / f"scale-{args.scale}"
    port = free_port()
    bare = start_server(["--app-dir", str(ROOT / "bench"), "bench_web:ceiling"], dict(os.environ), port)
    try:
        hammer(port, "/", {}, 1, args.clients)
        ceiling_rate, ceiling_ms = hammer(port, "/", {}, args.seconds, args.clients)
    finally:
        bare.terminate()
        bare.wait()
    table = Table("engine", "page", "req/s", "p50 ms", "p99 ms", "÷ ceiling", "target", title="web pages, 2 workers")
    table.add_row(
        "—",
        "bare Starlette JSON (ceiling)",
        f"{ceiling_rate:,.0f}",
        f"{p(ceiling_ms, 50):.1f}",
        f"{p(ceiling_ms, 99):.1f}",
        "1.00",
        "",
    )
    pages: list[tuple[str, str, Any]] = [
        ("outbox, 50 rows", "/requests?box=outbox&status=any", ("≥ 0.50 and p99 < 50 ms", 0.5, 50.0)),
        ("statistics 2014–2023", "/statistics?start=2014-01-01&end=2023-12-31", ("p99 < 100 ms", None, 100.0)),
        ("… by agency", "/statistics?start=2014-01-01&end=2023-12-31&by=agency", ("p99 < 100 ms", None, 100.0)),
        ("… by place", "/statistics?start=2014-01-01&end=2023-12-31&by=place", ("p99 < 100 ms", None, 100.0)),
    ]
    for name in args.engines.split(","):
        url, token = prepare(name, folder, args.scale)
        env = {**os.environ, "STRAITLINK_DATABASE_URL": url, "STRAITLINK_DATA_DIR": str(folder / "data")}
        port = free_port()
        server = start_server(["--factory", "straitlink.web.app:app_from_environment"], env, port)
        cookie = {"Cookie": f"sl_session={token}"}
        try:
            for label, path, (target, min_ratio, max_p99) in pages:
                hammer(port, path, cookie, 1, args.clients)
                rate, ms = hammer(port, path, cookie, args.seconds, args.clients)
                ratio = rate / ceiling_rate
                ok = (min_ratio is None or ratio >= min_ratio) and p(ms, 99) < max_p99
                table.add_row(
                    name,
                    label,
                    f"{rate:,.0f}",
                    f"{p(ms, 50):.1f}",
                    f"{p(ms, 99):.1f}",
                    f"{ratio:.2f}",
                    f"{target} {'✓' if ok else '✗'}",
                )
        finally:
            server.terminate()
            server.wait()
    out.print(table)


if __name__ == "__main__":
    main()
