"""The peer-facing HTTP endpoints: `/exchange/v1/inbox` (messages in, signed receipts out) and `/exchange/v1/receipts`.

The web app mounts `router(engine)` with one line. The exchange is set up lazily, at the first request, from the
same settings as the rest of the instance (data directory, party), so that an instance without an exchange key
still serves everything else and answers here with 404.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from straitlink.config import Settings
from straitlink.domain.errors import StraitLinkError
from straitlink.exchange.inbox import Inbox
from straitlink.exchange.ledger import latest_receipt
from straitlink.exchange.service import Exchange, sync
from straitlink.store.tables_exchange import MessageRow
from straitlink.store.uow import UnitOfWork

MAX_BATCH = 1000
DEFAULT_INTERVAL = 5.0  # seconds between the sender's rounds when idle; STRAITLINK_EXCHANGE_INTERVAL=0 turns it off
log = logging.getLogger("straitlink.exchange")


def sender_loop(engine: Engine, settings: Settings | None, interval: float, stop: threading.Event) -> None:
    """Sync with the peer every `interval` seconds until the app stops; quietly idle while none is set up."""
    while not stop.wait(interval):
        try:
            report = sync(Exchange.load(engine, settings or Settings.load()))
        except (StraitLinkError, SQLAlchemyError, httpx.HTTPError) as exc:
            log.debug("exchange not synced: %s", exc)
            continue
        if report.failed:  # the peer is down or refuses: say so once a round, with why
            log.warning(
                "exchange: %d not delivered, retried after a back-off: %s", report.failed, "; ".join(report.errors)
            )
        elif report.sent:
            log.info("exchange: %s", report.to_json())


def router(engine: Engine, settings: Settings | None = None) -> APIRouter:
    """The exchange's routes, bound to one database; the app's start starts the sender loop (`serve` syncs too)."""
    state: dict[str, Exchange] = {}
    lock = threading.Lock()
    stop = threading.Event()
    # One writer lane: the batches in flight are applied one after the other (each verified before, beside the
    # others). Applying them side by side gained nothing (SQLite takes one writer, PostgreSQL's audit head one
    # transaction, at a time; Python runs one thread) and cost much: a batch waiting for SQLite's lock sleeps in
    # busy_timeout's steps past its release, and threads contending for the interpreter stall at every call that
    # lets it go (a socket, a random draw).
    lane = threading.Lock()

    def start_sender() -> None:
        interval = float(os.environ.get("STRAITLINK_EXCHANGE_INTERVAL") or DEFAULT_INTERVAL)
        if interval > 0:
            threading.Thread(
                target=sender_loop, args=(engine, settings, interval, stop), daemon=True, name="exchange-sender"
            ).start()

    # Peer-facing, not part of the people's API (docs/api.md): documented in docs/exchange.md instead.
    api = APIRouter(
        prefix="/exchange/v1",
        tags=["exchange"],
        include_in_schema=False,
        on_startup=[start_sender],
        on_shutdown=[stop.set],
    )

    def inbox() -> Inbox:
        """The inbox, with the peer's keys as they are now (a rotation is seen at the next batch)."""
        with lock:
            if "exchange" not in state:
                state["exchange"] = Exchange.load(engine, settings or Settings.load())
            return state["exchange"].inbox()

    @api.post("/inbox")
    async def receive(request: Request) -> JSONResponse:
        raw = await request.body()
        try:
            box = inbox()
        except StraitLinkError as exc:
            # No exchange key or no peer here: there is no inbox to deliver to (the sender tries again later).
            return JSONResponse({"error": exc.code, "message": exc.message}, status_code=404)
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        messages = body.get("messages") if isinstance(body, dict) and "messages" in body else [body]
        if not isinstance(messages, list) or len(messages) > MAX_BATCH:
            messages = [body]
        # The database work is synchronous: run it off the event loop.
        try:
            receipts = await run_in_threadpool(box.receive_batch, messages, lane)
        except StraitLinkError as exc:
            # The peer account is missing or disabled here: nothing was taken, the sender tries again later.
            return JSONResponse({"error": exc.code, "message": exc.message}, status_code=403)
        return JSONResponse({"receipts": receipts})

    @api.post("/receipts")
    async def receipts(request: Request) -> JSONResponse:
        try:
            ids = (json.loads(await request.body()) or {}).get("messages") or []
        except (ValueError, AttributeError):
            ids = []
        found: list[dict[str, Any]] = []
        with UnitOfWork(engine) as uow:
            known = set(
                uow.connection.scalars(
                    select(MessageRow.id).where(
                        MessageRow.direction == "in", MessageRow.id.in_([str(i) for i in ids][:MAX_BATCH])
                    )
                )
            )
            found = [latest_receipt(uow, i) for i in sorted(known)]
        return JSONResponse({"receipts": found})

    return api
