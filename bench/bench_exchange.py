"""Messages applied per second end to end between two instances on loopback, beside a raw signed-POST loop.

End to end: N released intel records on TW (SQLite) become N signed messages (staged from the outbox), which
`exchange sync` delivers in batches over HTTP to CN's `straitlink serve` (SQLite, or PostgreSQL with --pg URL), whose
inbox verifies, deduplicates, applies each as the peer principal and answers with signed receipts, which TW verifies
and stores. The ceiling: the same number of messages, signed the same way and POSTed in batches of the same size
to a server on the same machine that only verifies each signature and signs a receipt (no database).
Targets: ≥ 1,000 messages/s and ≥ 0.3 of the ceiling. Run: `.venv/bin/python bench/bench_exchange.py [--quick]`.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from typer.testing import CliRunner

TARGET_RATE = 1000.0
TARGET_RATIO = 0.3
BATCH = 200
PASSWORD = "bench exchange password"


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


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    from straitlink.cli.main import app

    result = CliRunner().invoke(app, list(args), env=env, input=stdin)
    if result.exit_code != 0:
        raise SystemExit(f"straitlink {' '.join(args)}: {result.stdout}{result.stderr}")


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


def end_to_end(n: int, root: Path, cn_url: str) -> float:
    """Seconds from the first staged message to the last receipt stored, for n messages."""
    from straitlink.config import Settings
    from straitlink.domain.access import Principal
    from straitlink.domain.parties import Party
    from straitlink.exchange.service import Exchange, sync
    from straitlink.services import records
    from straitlink.services.kinds import kind_named
    from straitlink.store.db import make_engine

    tw_env, port = side_env("TW", root, f"sqlite:///{root / 'tw.db'}"), free_port()
    cn_env = side_env("CN", root, cn_url)
    set_up(tw_env, "CN")
    set_up(cn_env, "TW")
    cli(tw_env, "--user", "admin", "exchange", "peer", "add", "--party", "CN", "--url", f"http://127.0.0.1:{port}",
        "--key", str(root / "CN" / "exchange" / "identity.pub"))  # fmt: skip
    cli(cn_env, "--user", "admin", "exchange", "peer", "add", "--party", "TW", "--url", "http://127.0.0.1:9",
        "--key", str(root / "TW" / "exchange" / "identity.pub"))  # fmt: skip
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("straitlink")), "serve", "--port", str(port)],
        env={**os.environ, **cn_env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(f"http://127.0.0.1:{port}/api/v1/counts", server)
        engine = make_engine(tw_env["STRAITLINK_DATABASE_URL"])
        officer = Principal.system(Party.TW, "officer")
        kind = kind_named("intel")
        marking = {"releasable": True, "classification": "restricted", "handling": "H0"}
        for i in range(n):
            data = {"provider_party": "TW", "recipient_party": "CN", "summary": f"情資{i}", "marking": marking}
            records.add_record(engine, kind, data, principal=officer)
        settings = Settings(data_dir=root / "TW", database_url=tw_env["STRAITLINK_DATABASE_URL"], party=Party.TW)
        ex = Exchange.load(engine, settings)
        start = time.perf_counter()
        report = sync(ex, batch=BATCH)
        elapsed = time.perf_counter() - start
        if report.receipts.get("applied") != n:
            raise SystemExit(f"expected {n} applied, got {report.to_json()}")
        engine.dispose()
        return elapsed
    finally:
        server.terminate()
        server.wait()


def ceiling_app() -> Any:
    """A server that verifies each signed message and signs a receipt for it, and nothing else."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from straitlink.exchange.envelope import canonical, sha256_hex
    from straitlink.exchange.keys import Identity, parse_public, verify_signature
    from straitlink.exchange.receipts import sign_receipt

    me = Identity("CN", Ed25519PrivateKey.generate())
    sender = parse_public(os.environ["BENCH_SENDER_KEY"])
    api = FastAPI()

    @api.post("/inbox")
    async def inbox(request: Request) -> JSONResponse:
        body = await request.json()
        out = []
        for m in body["messages"]:
            data = canonical(m["envelope"])
            status = "applied" if verify_signature(sender, m["signature"], data) else "rejected"
            out.append(sign_receipt(me, message=m["envelope"]["id"], digest=sha256_hex(data), status=status))
        return JSONResponse({"receipts": out})

    return api


def ceiling(n: int) -> float:
    """Seconds to sign n envelopes and POST them in batches to the verify-and-sign-only server."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from straitlink.exchange.envelope import Envelope, seal
    from straitlink.exchange.keys import Identity, public_text

    me = Identity("TW", Ed25519PrivateKey.generate())
    port = free_port()
    env = {**os.environ, "BENCH_SENDER_KEY": public_text(me.public)}
    here = str(Path(__file__).parent)
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", here, "bench_exchange:ceiling_app", "--factory",
         "--port", str(port), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    try:
        wait_up(f"http://127.0.0.1:{port}/docs", server)
        payload = {"provider_party": "TW", "recipient_party": "CN", "summary": "情資", "marking": {"releasable": True}}
        start = time.perf_counter()
        with httpx.Client() as client:
            for first in range(0, n, BATCH):
                batch = [
                    seal(
                        Envelope("TW", "CN", me.key_id, "record.created", {"kind": "intel", "id": str(i)}, payload), me
                    )
                    for i in range(first, min(n, first + BATCH))
                ]
                answer = client.post(f"http://127.0.0.1:{port}/inbox", json={"messages": [s.wire for s in batch]})
                answer.raise_for_status()
                assert all(r["receipt"]["status"] == "applied" for r in answer.json()["receipts"])
        return time.perf_counter() - start
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="500 messages")
    parser.add_argument("--pg", help="CN on this (empty) PostgreSQL database instead of SQLite")
    args = parser.parse_args()
    n = 500 if args.quick else args.messages
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        e2e = end_to_end(n, root, args.pg or f"sqlite:///{root / 'cn.db'}")
    raw = ceiling(n)
    rate, ceiling_rate = n / e2e, n / raw
    ratio = rate / ceiling_rate
    print(f"{'measure':<44}{'messages':>10}{'seconds':>10}{'msg/s':>10}")
    print(f"{'end to end (stage, HTTP, verify, apply, receipts)':<44}{n:>10}{e2e:>10.2f}{rate:>10.0f}")
    print(f"{'ceiling: raw signed POST, verify + receipt':<44}{n:>10}{raw:>10.2f}{ceiling_rate:>10.0f}")
    print(f"ratio {ratio:.2f} (target ≥ {TARGET_RATIO}); rate {rate:.0f}/s (target ≥ {TARGET_RATE:.0f}/s)")


if __name__ == "__main__":
    main()
