"""The exchange as this instance runs it: identity, peer, keys and inbox from the settings, and one sync round."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine, select

from straitlink.config import Settings
from straitlink.exchange import keys as keyfiles
from straitlink.exchange.apply import Context
from straitlink.exchange.documents import resend_missing
from straitlink.exchange.envelope import KeyLookup
from straitlink.exchange.inbox import Inbox
from straitlink.exchange.keys import Identity
from straitlink.exchange.outbox import BATCH as STAGE_BATCH
from straitlink.exchange.outbox import stage
from straitlink.exchange.overdue import record_overdue
from straitlink.exchange.peers import Peer, key_lookup, the_peer
from straitlink.exchange.sender import CONCURRENCY, Delivery, Post, deliver_all, http_post, store_receipts
from straitlink.services.access import principal_for
from straitlink.services.documents import FileStore
from straitlink.services.requests import Desk
from straitlink.store.tables_exchange import MessageRow
from straitlink.store.uow import UnitOfWork

RECEIPTS_PATH = "/exchange/v1/receipts"


@dataclass(frozen=True)
class Exchange:
    """This instance's side of the exchange."""

    engine: Engine
    identity: Identity
    peer: Peer
    settings: Settings

    @classmethod
    def load(cls, engine: Engine, settings: Settings) -> Exchange:
        me = settings.party.value
        return cls(engine, keyfiles.load_identity(settings.data_dir, me), the_peer(engine, me), settings)

    @property
    def files(self) -> FileStore:
        """The file store a user upload goes to (services.requests.Desk): documents' bytes leave and land there."""
        return FileStore(self.settings.data_dir / "files")

    def keys(self, *, retired: bool = False) -> KeyLookup:
        """The peer's current keys (or all it ever had) and this instance's own (its own evidence verifies too)."""
        return key_lookup(self.engine, extra=self.identity.own_keys(), me=self.identity.party, retired=retired)

    def context(self) -> Context:
        """The peer principal (an account disabled here stops the exchange) and this instance's desk."""
        return Context(principal_for(self.engine, self.peer.account), Desk.from_settings(self.settings, self.engine))

    def inbox(self) -> Inbox:
        """An inbox for one batch: the peer's keys, principal and desk are read once, at its first message."""
        cached: list[Context] = []

        def context() -> Context:
            if not cached:
                cached.append(self.context())
            return cached[0]

        return Inbox(self.engine, self.identity, self.keys(), context)


@dataclass
class SyncReport:
    staged: int = 0
    withheld: int = 0
    sent: int = 0
    failed: int = 0
    overdue: int = 0  # negative evidence recorded this round
    receipts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, d: Delivery) -> None:
        self.sent += d.sent
        self.failed += d.failed
        self.errors += d.errors
        for k, v in d.receipts.items():
            self.receipts[k] = self.receipts.get(k, 0) + v

    def to_json(self) -> dict[str, Any]:
        return {
            "staged": self.staged,
            "withheld": self.withheld,
            "sent": self.sent,
            "failed": self.failed,
            "overdue": self.overdue,
            "receipts": dict(sorted(self.receipts.items())),
            "errors": self.errors[:20],
        }


def sync(ex: Exchange, post: Post | None = None, *, batch: int = 200, concurrency: int = CONCURRENCY) -> SyncReport:
    """Stage new events, deliver everything due, collect late receipts, then return (one round).

    When there are more new events than one stage reads, what is staged is delivered while the rest is staged:
    the peer applies the first messages instead of waiting for the last to be signed (deliveries take only the
    heads of their records, so the causal order holds whatever is staged meanwhile). A delivery that fails stops
    the round's deliveries, as it does in one `deliver_all`.
    """
    report = SyncReport()
    keys = ex.keys()
    with httpx.Client() as client:
        send = post or http_post(client)

        def deliver() -> Delivery:
            return deliver_all(ex.engine, ex.peer, send, keys, limit=batch, concurrency=concurrency)

        if _stage(ex, report):
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="exchange-early") as pool:
                early = pool.submit(deliver)
                while _stage(ex, report):
                    pass
                report.add(early.result())
        resend_missing(ex.engine, ex.files)  # messages the peer parked for a document this side has again
        if not report.failed:
            report.add(deliver())
        _collect_late_receipts(ex, send, keys, report)
    ex.inbox().release_ready()
    report.overdue = record_overdue(ex.engine, ex.identity)
    return report


def _stage(ex: Exchange, report: SyncReport) -> bool:
    """Stage one read of new events; whether more may wait (a full read may have left newer events, a short one
    took all: the re-read window is smaller than a read)."""
    staged = stage(ex.engine, ex.identity, ex.peer, ex.files)
    report.staged += staged.messages
    report.withheld += staged.withheld
    return staged.read >= STAGE_BATCH


def _collect_late_receipts(ex: Exchange, send: Post, keys: KeyLookup, report: SyncReport) -> None:
    """Ask again about messages the peer accepted but has not applied (waiting, or parked and retried since)."""
    with UnitOfWork(ex.engine) as uow:
        ids = list(
            uow.connection.scalars(
                select(MessageRow.id).where(
                    MessageRow.direction == "out",
                    MessageRow.peer == ex.peer.party,
                    MessageRow.status.in_(("delivered", "parked")),
                )
            )
        )
    if not ids:
        return
    try:
        answer = send(ex.peer.url + RECEIPTS_PATH, {"messages": ids})
    except (httpx.HTTPError, ValueError) as exc:
        report.errors.append(f"receipts: {exc}")
        return
    delivery = Delivery()
    store_receipts(ex.engine, answer.get("receipts") or [], keys, delivery)
    report.add(delivery)


def run(ex: Exchange, *, interval: float = 2.0, rounds: int | None = None, echo: Callable[[SyncReport], None]) -> None:
    """Sync again and again (every `interval` seconds when idle), `rounds` times or until interrupted."""
    done = 0
    while rounds is None or done < rounds:
        report = sync(ex)
        echo(report)
        done += 1
        if report.sent == 0 or report.failed:
            time.sleep(interval)
