"""Messages applied per second end to end between two instances on loopback, beside a raw signed-POST loop.

End to end (after an untimed warm-up batch, as for the ceiling): N released intel records on the sending side
become N signed messages (staged from its outbox), which `exchange sync` delivers in batches over HTTP (a few
batches in flight) to the other side's `straitlink serve`, whose inbox verifies, deduplicates and applies each as
the peer principal in one transaction per batch and answers with signed receipts, which the sender verifies and
stores. Pairs: TW on SQLite → CN on SQLite, and, when PostgreSQL answers, TW on SQLite → CN on PostgreSQL (and
with --reverse CN on PostgreSQL → TW on SQLite).

The ceiling: the same messages (the payloads the end-to-end run sent, signed afresh the same way), POSTed in
batches of the same size with the same concurrency, the same HTTP client (httpx, sender.http_post) and the same
server stack (uvicorn, FastAPI, the work off the event loop) to a server that only verifies each signature and
signs a receipt for it: no database on either side; measured right after each pair. Targets: ≥ 1,000 messages/s
and ≥ 0.3 of the ceiling. After the runs, `audit verify` runs on each receiving side (the batched audit append
must keep the chain whole).

Run: `.venv/bin/python bench/bench_exchange.py [--quick] [--messages N] [--pg URL | --no-pg] [--reverse]`.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from typer.testing import CliRunner

TARGET_RATE = 1000.0
TARGET_RATIO = 0.3
BATCH = 200
PASSWORD = "bench exchange password"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    from straitlink.cli.main import app

    result = CliRunner().invoke(app, list(args), env=env, input=stdin)
    if result.exit_code != 0:
        raise SystemExit(f"straitlink {' '.join(args)}: {result.stdout}{result.stderr}")
    return str(result.stdout)


def side_env(party: str, root: Path, url: str) -> dict[str, str]:
    return {
        "STRAITLINK_PARTY": party,
        "STRAITLINK_DATA_DIR": str(root / party),
        "STRAITLINK_DATABASE_URL": url,
        "STRAITLINK_EXCHANGE_INTERVAL": "0",
    }


def set_up(env: dict[str, str], other: str) -> None:
    cli(env, "init", "--admin", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    cli(env, "user", "add", f"peer-{other}", "--role", "peer", "--clearance", "secret", "--user", "admin",
        "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    cli(env, "--user", "admin", "exchange", "keygen")


@contextmanager
def pg_database(admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    from straitlink.store.db import normalise_url

    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"straitlink_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(normalise_url(admin_url)).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pg_answers(admin_url: str) -> bool:
    from straitlink.store.db import normalise_url

    try:
        engine = create_engine(normalise_url(admin_url), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except OperationalError:  # not running here: the SQLite pair only
        return False


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc (0.0 where there is no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pg_backends_cpu(urls: dict[str, str]) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend (and autovacuum worker) serving the bench's databases, by pid.

    Read from /proc, so only for a server on this machine; the backends of both processes' pools stay open for the
    run, so a difference of two readings is the server's CPU for it (a backend that closed meanwhile is lost)."""
    found: dict[int, float] = {}
    for url in urls.values():
        if not url.startswith("postgresql"):
            continue
        engine = create_engine(url)
        with engine.connect() as conn:
            pids = conn.scalars(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
            ).all()
        engine.dispose()
        found.update({int(pid): process_cpu(int(pid)) for pid in pids})
    return found


Cpu = tuple[float, float, float]  # seconds: sender, receiver, PostgreSQL backends


def end_to_end(n: int, root: Path, urls: dict[str, str], sender: str) -> tuple[float, Cpu, list[Any]]:
    """Seconds from the first staged message to the last receipt stored, for n messages from `sender` to the
    other side; the CPU seconds the sending and the receiving process and, on a pair with PostgreSQL, its backends
    spent meanwhile (on a shared machine they compare where the wall clock does not); with the payloads sent (for
    the ceiling). `audit verify` must pass on the receiving side."""
    from straitlink.cli.common import freeze_loaded
    from straitlink.config import Settings
    from straitlink.domain.access import Principal
    from straitlink.domain.parties import Party
    from straitlink.exchange.service import Exchange, sync
    from straitlink.services import records
    from straitlink.services.kinds import kind_named
    from straitlink.store.db import make_engine

    receiver = "CN" if sender == "TW" else "TW"
    port = free_port()
    env = {party: side_env(party, root, urls[party]) for party in ("TW", "CN")}
    set_up(env["TW"], "CN")
    set_up(env["CN"], "TW")
    cli(env[sender], "--user", "admin", "exchange", "peer", "add", "--party", receiver,
        "--url", f"http://127.0.0.1:{port}", "--key", str(root / receiver / "exchange" / "identity.pub"))  # fmt: skip
    cli(env[receiver], "--user", "admin", "exchange", "peer", "add", "--party", sender, "--url", "http://127.0.0.1:9",
        "--key", str(root / sender / "exchange" / "identity.pub"))  # fmt: skip
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("straitlink")), "serve", "--port", str(port)],
        env={**os.environ, **env[receiver]},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(f"http://127.0.0.1:{port}/api/v1/counts", server)
        engine = make_engine(urls[sender])
        officer = Principal.system(Party(sender), "officer")
        kind = kind_named("intel")
        marking = {"releasable": True, "classification": "restricted", "handling": "H0"}

        def add(count: int, first: int) -> None:
            for i in range(first, first + count):
                data = {
                    "provider_party": sender,
                    "recipient_party": receiver,
                    "summary": f"情資{i}",
                    "marking": marking,
                }
                records.add_record(engine, kind, data, principal=officer)

        settings = Settings(data_dir=root / sender, database_url=urls[sender], party=Party(sender))
        ex = Exchange.load(engine, settings)
        # Warm-up, untimed: the first messages after a start pay once for what a running pair has done long before
        # (the server's exchange state and first statements, connections, caches).
        add(BATCH, n)
        if sync(ex, batch=BATCH).receipts.get("applied") != BATCH:
            raise SystemExit("the warm-up batch was not applied")
        add(n, 0)
        freeze_loaded()  # as `exchange run` does once it is set up
        pg_before = pg_backends_cpu(urls)
        start, cpu_sender, cpu_receiver = time.perf_counter(), time.process_time(), process_cpu(server.pid)
        report = sync(ex, batch=BATCH)
        elapsed = time.perf_counter() - start
        cpu_pg = sum(s - pg_before.get(pid, 0.0) for pid, s in pg_backends_cpu(urls).items())
        cpu = (time.process_time() - cpu_sender, process_cpu(server.pid) - cpu_receiver, cpu_pg)
        if report.receipts.get("applied") != n:
            raise SystemExit(f"expected {n} applied, got {report.to_json()}")
        payloads = sent_payloads(engine)[BATCH:]  # the timed ones
        engine.dispose()
    finally:
        server.terminate()
        server.wait()
    verified = cli(env[receiver], "--user", "admin", "audit", "verify")  # exits non-zero naming a bad entry
    if "entries verified" not in verified:
        raise SystemExit(f"audit verify on {receiver}: {verified}")
    return elapsed, cpu, payloads


def sent_payloads(engine: Any) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from straitlink.store.tables_exchange import MessageRow
    from straitlink.store.uow import UnitOfWork

    with UnitOfWork(engine) as uow:
        wires = uow.connection.scalars(
            select(MessageRow.wire).where(MessageRow.direction == "out").order_by(MessageRow.seq)
        ).all()
    return [w["envelope"]["payload"] for w in wires]


def ceiling_app() -> Any:
    """A server that verifies each signed message and signs a receipt for it, and nothing else (no database)."""
    import json

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from straitlink.exchange.envelope import canonical, sha256_hex
    from straitlink.exchange.keys import Identity, parse_public, verify_signature
    from straitlink.exchange.receipts import sign_receipt

    me = Identity("CN", Ed25519PrivateKey.generate())
    sender = parse_public(os.environ["BENCH_SENDER_KEY"])
    api = FastAPI()

    def answer(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for m in messages:
            data = canonical(m["envelope"])
            status = "applied" if verify_signature(sender, m["signature"], data) else "rejected"
            out.append(sign_receipt(me, message=m["envelope"]["id"], digest=sha256_hex(data), status=status))
        return out

    @api.post("/inbox")
    async def inbox(request: Request) -> JSONResponse:
        body = json.loads(await request.body())  # as the real inbox reads it, and works off the event loop
        return JSONResponse({"receipts": await run_in_threadpool(answer, body["messages"])})

    return api


def ceiling(payloads: list[dict[str, Any]]) -> float:
    """Seconds to sign these payloads' envelopes and POST them in batches, as many in flight as the sender keeps,
    to the verify-and-sign-only server."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from straitlink.exchange.envelope import Envelope, seal
    from straitlink.exchange.keys import Identity, public_text
    from straitlink.exchange.sender import CONCURRENCY, http_post

    me = Identity("TW", Ed25519PrivateKey.generate())
    port = free_port()
    env = {**os.environ, "BENCH_SENDER_KEY": public_text(me.public)}
    here = str(Path(__file__).parent)
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", here, "bench_exchange:ceiling_app", "--factory",
         "--port", str(port), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    batches = [payloads[i : i + BATCH] for i in range(0, len(payloads), BATCH)]
    url = f"http://127.0.0.1:{port}/inbox"

    def send(post: Any, batch: list[dict[str, Any]]) -> None:
        sealed = [
            seal(Envelope("TW", "CN", me.key_id, "record.created", {"kind": "intel", "id": str(i)}, p), me)
            for i, p in enumerate(batch)
        ]
        answer = post(url, {"messages": [s.wire for s in sealed]})
        if not all(r["receipt"]["status"] == "applied" for r in answer["receipts"]):
            raise SystemExit("the ceiling's server refused a message")

    try:
        wait_up(f"http://127.0.0.1:{port}/docs", server)
        with httpx.Client() as client:
            send(http_post(client), batches[0])  # warm-up, untimed, as for the end-to-end run
        start = time.perf_counter()
        with httpx.Client() as client:
            post, lock = http_post(client), threading.Lock()

            def worker() -> None:
                while True:
                    with lock:
                        if not batches:
                            return
                        batch = batches.pop()
                    send(post, batch)

            threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        return time.perf_counter() - start
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="1,000 messages")
    parser.add_argument("--pg", default=PG_ADMIN, help="PostgreSQL server (a fresh database is made per run)")
    parser.add_argument("--no-pg", action="store_true", help="the SQLite pair only")
    parser.add_argument("--reverse", action="store_true", help="also CN on PostgreSQL → TW on SQLite (slow: see docs)")
    args = parser.parse_args()
    n = 1000 if args.quick else args.messages
    pairs: list[tuple[str, str, str]] = [("TW SQLite → CN SQLite", "sqlite", "sqlite")]
    if not args.no_pg and pg_answers(args.pg):
        pairs.append(("TW SQLite → CN PostgreSQL", "sqlite", "pg"))
        if args.reverse:
            pairs.append(("CN PostgreSQL → TW SQLite", "pg", "sqlite"))
    load_before = os.getloadavg()
    results: list[tuple[str, float, Cpu, float]] = []
    for label, sender_engine, receiver_engine in pairs:
        sender = "CN" if label.startswith("CN") else "TW"
        receiver = "CN" if sender == "TW" else "TW"
        engines = {sender: sender_engine, receiver: receiver_engine}
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            with _databases(root, engines, args.pg) as urls:
                seconds, cpu, sent = end_to_end(n, root, urls, sender)
        # Right after its pair, with the same payloads: the two see the same machine (on a shared one, its speed
        # moves by half over minutes).
        results.append((label, seconds, cpu, ceiling(sent)))
    load_after = os.getloadavg()
    print(f"load average before {load_before[0]:.2f} (1 min), after {load_after[0]:.2f}; {os.cpu_count()} CPUs")
    print(f"{'end to end':<36}{'messages':>9}{'seconds':>9}{'msg/s':>8}{'ceiling msg/s':>15}{'× ceiling':>11}"
          f"{'CPU ms/msg: sender':>20}{'receiver':>9}{'PG':>6}")  # fmt: skip
    for label, seconds, (cpu_s, cpu_r, cpu_pg), raw in results:
        rate, ceiling_rate = n / seconds, n / raw
        pg = f"{1000 * cpu_pg / n:>6.2f}" if "PostgreSQL" in label else f"{'—':>6}"
        print(f"{label:<36}{n:>9}{seconds:>9.2f}{rate:>8.0f}{ceiling_rate:>15.0f}{rate / ceiling_rate:>11.2f}"
              f"{1000 * cpu_s / n:>20.2f}{1000 * cpu_r / n:>9.2f}{pg}")  # fmt: skip
    print("ceiling: the same payloads signed afresh, raw signed POST to a server that verifies and signs a receipt")
    print(f"(no database), measured right after each pair; targets: ≥ {TARGET_RATE:.0f} msg/s and ≥ {TARGET_RATIO} ×"
          f" ceiling; batches of {BATCH}")  # fmt: skip


@contextmanager
def _databases(root: Path, engines: dict[str, str], pg: str) -> Iterator[dict[str, str]]:
    urls: dict[str, str] = {}
    with _maybe_pg(engines.get("TW") == "pg", pg) as tw_pg, _maybe_pg(engines.get("CN") == "pg", pg) as cn_pg:
        urls["TW"] = tw_pg or f"sqlite:///{root / 'tw.db'}"
        urls["CN"] = cn_pg or f"sqlite:///{root / 'cn.db'}"
        yield urls


@contextmanager
def _maybe_pg(wanted: bool, pg: str) -> Iterator[str | None]:
    if not wanted:
        yield None
        return
    with pg_database(pg) as url:
        yield url


if __name__ == "__main__":
    main()
