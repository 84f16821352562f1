"""Delivering queued messages to the peer's inbox: claim under a lease, POST in batches, store the receipts.

A claim is one UPDATE that sets a lease on the heads of the queue (per record, the oldest message not yet
delivered), conditioned on the lease being free; PostgreSQL re-checks that condition on a row another claimer just
leased (so no row is claimed twice), SQLite runs one writer at a time, and neither needs `FOR UPDATE SKIP LOCKED`.
A message is claimed only when its causal predecessor (`after`, the record's previous message, staged before it)
is no longer queued: causal order per record, while the heads of different records travel together. Statuses only
move forward, so a predecessor that has left the queue never comes back to it, and neither does any message before
it. The check is one primary-key lookup per candidate, whatever the planner knows: the earlier form (any earlier
queued message of the same record) was planned on a fresh PostgreSQL table as a scan of every queued row per
candidate, a claim growing with the queue (two seconds per claim with 5,000 queued).
"""

from __future__ import annotations

import logging
import os
import random
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import stamina
from sqlalchemy import Engine, Row, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import aliased

from straitlink.exchange.envelope import KeyLookup, Refused, now_iso
from straitlink.exchange.peers import Peer
from straitlink.exchange.receipts import Receipt, open_receipt
from straitlink.store.driver import insert_many
from straitlink.store.tables_exchange import MESSAGES, RECEIPTS, MessageRow, ReceiptRow
from straitlink.store.uow import UnitOfWork

INBOX_PATH = "/exchange/v1/inbox"


def lease_time() -> timedelta:
    """How long a claim holds its messages: STRAITLINK_EXCHANGE_LEASE seconds, default 60 (a killed sender's
    messages go out again once its lease has run out)."""
    return timedelta(seconds=float(os.environ.get("STRAITLINK_EXCHANGE_LEASE") or 60))


BATCH = 200
# Batches in flight at once: while the peer applies one, this side claims, signs and sends the next and stores the
# receipts of the last. Each claim takes only heads of their records, so causal order per record holds at any count.
CONCURRENCY = 3
MAX_BACKOFF = timedelta(minutes=30)
# A receipt's status → the outgoing message's status.
OUT_STATUS = {"applied": "applied", "waiting": "delivered", "parked": "parked", "rejected": "rejected"}


def _at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat(timespec="microseconds")


def claim(engine: Engine, peer: str, *, limit: int = BATCH, lease: timedelta | None = None) -> list[Row[Any]]:
    """Lease up to `limit` deliverable messages (heads of their records) for this caller; [] when none is due."""
    owner, now, until = str(uuid.uuid4()), now_iso(), _at(lease if lease is not None else lease_time())
    m = MessageRow
    earlier = aliased(MessageRow)
    free = or_(m.lease_until.is_(None), m.lease_until < now)
    due = and_(m.direction == "out", m.peer == peer, m.status == "queued", m.next_attempt_at <= now, free)
    # A scalar subquery, not an anti-join: planned on its own, it is a primary-key lookup even on a table the
    # planner has no statistics for (as an anti-join it was planned as a scan of the whole queue per candidate).
    before = select(earlier.status).where(earlier.direction == "out", earlier.id == m.after).scalar_subquery()
    ready = or_(m.after.is_(None), func.coalesce(before, "") != "queued")
    heads = select(m.id).where(due, ready).order_by(m.seq).limit(limit)
    with UnitOfWork(engine) as uow:
        targets: Any = heads.scalar_subquery()
        if uow.connection.dialect.name == "postgresql":
            # Read the heads first: as a subquery of the UPDATE, PostgreSQL's planner may run it once per queued
            # row (seconds per claim with a few thousand queued). SKIP LOCKED keeps concurrent claimers apart.
            targets = list(uow.connection.scalars(heads.with_for_update(skip_locked=True, of=m)))
            if not targets:
                return []
        # The conditions are repeated on the UPDATE itself: PostgreSQL re-checks them on a row a concurrent
        # claimer has just leased, and skips it.
        # RETURNING gives the rows this claim leased, as leased: no read-back (by the lease owner, which has no
        # index, it scanned the whole queue, documents' bytes and all, per claim; by primary key it was a second
        # statement and a second pass over the wires). Plain rows, not ORM objects: only read (their wire sent,
        # their attempts counted), never changed through a session.
        leased = list(
            uow.connection.execute(
                update(MESSAGES)
                .where(m.direction == "out", m.id.in_(targets), m.status == "queued", free)
                .values(lease_owner=owner, lease_until=until)
                .returning(*MESSAGES.c)
            )
        )
        uow.commit()
        return sorted(leased, key=lambda row: row.seq)  # RETURNING's order is the engine's: the queue's is seq


@dataclass
class Delivery:
    """What one round of delivery did."""

    sent: int = 0
    receipts: dict[str, int] = field(default_factory=dict)
    failed: int = 0  # messages whose POST did not get through (they go back to the queue with a back-off)
    errors: list[str] = field(default_factory=list)


Post = Callable[[str, dict[str, Any]], dict[str, Any]]


def http_post(client: httpx.Client, *, attempts: int = 5, timeout: float = 30.0) -> Post:
    """POST a batch to the peer, retried with exponential back-off and jitter on transport errors and 5xx."""

    @stamina.retry(on=_retriable, attempts=attempts, wait_initial=0.05, wait_max=5.0, wait_jitter=0.5)
    def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = client.post(url, json=body, timeout=timeout)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    return post


def _log_retry(details: stamina.instrumentation.RetryDetails) -> None:
    """A retry, told in one line for whoever debugs the link; a round that fails in the end is reported by its
    caller (`exchange sync` prints it, `serve` logs it as a warning)."""
    where = details.args[0] if details.args else details.name
    cause = f"{type(details.caused_by).__name__}: {details.caused_by}"
    log.debug("POST %s failed (%s); retry %d in %.1f s", where, cause, details.retry_num, details.wait_for)


# Instead of stamina's default, which logs each retry as a bare "stamina.retry_scheduled" warning: four such lines
# above every failed `exchange sync`, and a line a second in `serve`'s log while the peer is down.
log = logging.getLogger("straitlink.exchange")
stamina.instrumentation.set_on_retry_hooks([_log_retry])


def _retriable(exc: BaseException) -> bool:
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code >= 500
    return isinstance(exc, httpx.TransportError)


def deliver(engine: Engine, peer: Peer, post: Post, keys: KeyLookup, *, limit: int = BATCH) -> Delivery:
    """Claim one batch, send it, and store the peer's signed receipts; a batch that fails is released to retry."""
    result = Delivery()
    rows = claim(engine, peer.party, limit=limit)
    if not rows:
        return result
    result.sent = len(rows)
    try:
        answer = post(peer.url + INBOX_PATH, {"messages": [r.wire for r in rows]})
    except (httpx.HTTPError, ValueError) as exc:
        result.failed = len(rows)
        result.errors.append(f"{type(exc).__name__}: {exc}")
        _release(engine, rows, str(exc))
        return result
    store_receipts(engine, answer.get("receipts") or [], keys, result)
    return result


def deliver_all(
    engine: Engine, peer: Peer, post: Post, keys: KeyLookup, *, limit: int = BATCH, concurrency: int = CONCURRENCY
) -> Delivery:
    """Deliver batches until none is due, `concurrency` of them in flight at once; stops at the first failure.

    A worker that finds nothing to claim while others have batches in flight waits for one of them to finish and
    tries again: their receipts may have made the next messages of their records deliverable.
    """
    total, cond, state = Delivery(), threading.Condition(), _Round()

    def worker() -> None:
        while True:
            with cond:
                if state.stop:
                    return
                state.in_flight += 1
                seen = state.finished
            try:
                delivery = deliver(engine, peer, post, keys, limit=limit)
            except BaseException:
                with cond:  # the others must not wait for this batch: stop them all, and let the error surface
                    state.in_flight -= 1
                    state.stop = True
                    cond.notify_all()
                raise
            with cond:
                state.in_flight -= 1
                _merge(total, delivery)
                if delivery.sent:
                    state.finished += 1
                    cond.notify_all()
                if delivery.failed:
                    state.stop = True  # the peer is not answering: the rest waits for its back-off
                elif delivery.sent == 0 and state.finished == seen:
                    if state.in_flight == 0:
                        state.stop = True  # nothing due, and nothing in flight that could make more due
                    else:
                        cond.wait()
                if state.stop:
                    cond.notify_all()

    workers = max(1, concurrency)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="exchange-deliver") as pool:
        for future in [pool.submit(worker) for _ in range(workers)]:
            future.result()  # a worker's unexpected error is raised here, not lost
    return total


@dataclass
class _Round:
    in_flight: int = 0  # batches claimed and not yet settled
    finished: int = 0  # batches settled so far (a new one may have made more messages due)
    stop: bool = False


def _merge(total: Delivery, d: Delivery) -> None:
    total.sent += d.sent
    total.failed += d.failed
    total.errors += d.errors
    for k, v in d.receipts.items():
        total.receipts[k] = total.receipts.get(k, 0) + v


def store_receipts(engine: Engine, receipts: list[Any], keys: KeyLookup, result: Delivery | None = None) -> int:
    """Verify the peer's receipts and move each outgoing message to what its receipt says; returns how many."""
    opened: dict[str, tuple[Receipt, Any]] = {}
    for wire in receipts:
        try:
            receipt = open_receipt(wire, keys=keys)
        except Refused as exc:
            _note(result, f"receipt refused: {exc}")
            continue
        opened[receipt.id] = (receipt, wire)
    if not opened:
        return 0
    with UnitOfWork(engine) as uow:
        conn = uow.connection
        known = set(conn.scalars(select(ReceiptRow.id).where(ReceiptRow.id.in_(list(opened)))))
        names = sorted({r.message for r, _ in opened.values() if r.message})
        messages = {
            row.id: row
            for row in conn.execute(
                select(MessageRow.id, MessageRow.status, MessageRow.digest).where(
                    MessageRow.direction == "out", MessageRow.id.in_(names)
                )
            )
        }
        rows: list[dict[str, Any]] = []
        moves: dict[str, tuple[str, str | None]] = {}
        now = now_iso()
        for receipt_id, (receipt, wire) in opened.items():
            if receipt_id in known:
                continue  # the same receipt carried back twice
            message = messages.get(receipt.message or "")
            if receipt.status not in OUT_STATUS:
                _note(result, f"receipt {receipt.id}: a peer does not give {receipt.status!r} receipts")
                continue
            if message is None or message.digest != receipt.digest:
                _note(result, f"receipt {receipt.id} names no message this instance sent")
                continue
            rows.append(
                {
                    "id": receipt.id,
                    "direction": "received",
                    "message_id": receipt.message,
                    "digest": receipt.digest,
                    "status": receipt.status,
                    "reason": receipt.reason,
                    "wire": wire,
                    "refused": None,
                    "created_at": now,
                }
            )
            current = moves.get(message.id, (message.status, None))[0]
            if _advances(current, OUT_STATUS[receipt.status]):
                moves[message.id] = (OUT_STATUS[receipt.status], receipt.reason)
            if result is not None:
                result.receipts[receipt.status] = result.receipts.get(receipt.status, 0) + 1
        insert_many(conn, RECEIPTS, rows)
        if moves:
            # One UPDATE per message, by primary key: as one statement for the batch (ids IN a list, or joined to
            # them), PostgreSQL planned it on a table without statistics as a scan of every outgoing message.
            conn.execute(
                _MOVE,
                [{"b_id": i, "b_status": st, "b_reason": why, "b_now": now} for i, (st, why) in moves.items()],
            )
        uow.commit()
    return len(rows)


_MOVE = (
    update(MESSAGES)
    .where(MessageRow.direction == "out", MessageRow.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        reason=bindparam("b_reason"),
        lease_owner=None,
        lease_until=None,
        updated_at=bindparam("b_now"),
    )
)


def _note(result: Delivery | None, text: str) -> None:
    if result is not None:
        result.errors.append(text)


_RANK = {"queued": 0, "delivered": 1, "parked": 2, "rejected": 2, "applied": 3}


def _advances(current: str, new: str) -> bool:
    """Receipts may arrive out of order (offline packages): a message's status only moves forward."""
    return _RANK[new] > _RANK[current] or (current == "parked" and new == "applied")


def _release(engine: Engine, rows: list[Row[Any]], reason: str) -> None:
    """Back to the queue, due again after an exponential back-off with jitter."""
    with UnitOfWork(engine) as uow:
        for r in rows:
            attempts = r.attempts + 1
            backoff = min(MAX_BACKOFF.total_seconds(), 0.5 * 2 ** min(attempts, 16)) * random.uniform(0.5, 1.0)
            uow.connection.execute(
                update(MessageRow.__table__)  # type: ignore[arg-type]
                .where(MessageRow.direction == "out", MessageRow.id == r.id, MessageRow.lease_owner == r.lease_owner)
                .values(
                    attempts=attempts,
                    next_attempt_at=_at(timedelta(seconds=backoff)),
                    lease_owner=None,
                    lease_until=None,
                    reason=reason[:500],
                    updated_at=now_iso(),
                )
            )
        uow.commit()
