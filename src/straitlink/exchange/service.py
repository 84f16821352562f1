"""The exchange as this instance runs it: identity, peer, keys and inbox from the settings, and one sync round."""

from __future__ import annotations

import threading
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
    heads of their records, so the causal order holds whatever is staged meanwhile). The first read is one
    batch for each delivery in flight, and each read after it twice the one before, up to a full read: the peer
    starts on the first batches at once, and the queue stays ahead of the deliveries. A delivery that fails stops
    the round's deliveries, as it does in one `deliver_all`.
    """
    report = SyncReport()
    keys = ex.keys()
    with httpx.Client() as client:
        send = post or http_post(client)

        def deliver() -> Delivery:
            return deliver_all(ex.engine, ex.peer, send, keys, limit=batch, concurrency=concurrency)

        limit = min(batch * max(1, concurrency), STAGE_BATCH)
        if _stage(ex, report, limit):
            staging = _Staging()
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="exchange-early") as pool:
                early = pool.submit(_deliver_while_staging, deliver, staging)
                try:
                    more = True
                    while more:
                        limit = min(2 * limit, STAGE_BATCH)
                        more = _stage(ex, report, limit)
                        staging.staged()
                finally:
                    staging.finish()
                for delivery in early.result():
                    report.add(delivery)
        resend_missing(ex.engine, ex.files)  # messages the peer parked for a document this side has again
        if not report.failed:
            report.add(deliver())
        _collect_late_receipts(ex, send, keys, report)
    ex.inbox().release_ready()
    report.overdue = record_overdue(ex.engine, ex.identity)
    return report


def _stage(ex: Exchange, report: SyncReport, limit: int = STAGE_BATCH) -> bool:
    """Stage one read of at most `limit` new events; whether more may wait (a full read may have left newer
    events, a short one took all)."""
    staged = stage(ex.engine, ex.identity, ex.peer, ex.files, limit=limit)
    report.staged += staged.messages
    report.withheld += staged.withheld
    return staged.read >= limit


class _Staging:
    """Between the staging of a round and its early deliveries: how many reads are staged, and whether it is done."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.reads = 0
        self.done = False

    def staged(self) -> None:
        with self._changed:
            self.reads += 1
            self._changed.notify_all()

    def finish(self) -> None:
        with self._changed:
            self.done = True
            self._changed.notify_all()

    def wait_past(self, seen: int) -> bool:
        """Wait for a read staged after the first `seen` (True), or for the staging to end without one (False)."""
        with self._changed:
            self._changed.wait_for(lambda: self.reads > seen or self.done)
            return self.reads > seen


def _deliver_while_staging(deliver: Callable[[], Delivery], staging: _Staging) -> list[Delivery]:
    """Deliver what is staged, and again whenever more is, until the staging is done or a delivery fails."""
    done: list[Delivery] = []
    while True:
        seen = staging.reads
        done.append(deliver())
        if done[-1].failed or not staging.wait_past(seen):
            return done


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
