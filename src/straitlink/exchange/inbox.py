"""Receiving messages: verify, deduplicate, apply as the peer principal, and answer each with a signed receipt.

The inbound message row is written in the same transaction as the message's effect, keyed by the sender's message
id: a repeat (a retry, a package imported twice, a replay of the same bytes) finds it and gets the original receipt
back, and two deliveries racing each other cannot both commit. A message reusing a known id with other content is
refused as a replay. A message whose causal predecessor has not been applied waits, and is applied when the
predecessor is; one whose effect the services refuse is parked with their reason. Nothing is dropped silently:
every refusal is stored with the message as it came and its signed negative receipt.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Select, select
from sqlalchemy.exc import IntegrityError

from straitlink.audit import log as audit
from straitlink.domain.errors import StraitLinkError
from straitlink.exchange.apply import Context, apply_message
from straitlink.exchange.documents import missing, take
from straitlink.exchange.envelope import Envelope, KeyLookup, Refused, Sealed, claimed, digest_of, open_message
from straitlink.exchange.keys import Identity
from straitlink.exchange.ledger import (
    MESSAGE,
    RECEIPT,
    SETTLED,
    as_json,
    is_settled,
    latest_receipt,
    message_row,
    next_seq,
    receipt_row,
    refusal,
    set_status,
    waits,
)
from straitlink.exchange.receipts import sign_receipt
from straitlink.store.driver import insert_many
from straitlink.store.tables_exchange import MESSAGES, RECEIPTS, MessageRow
from straitlink.store.uow import UnitOfWork

# Message types whose effect reads the database only through the ORM session's repositories, which flush what is
# pending before they read (the session's objects, and the rows of plain kinds a batch inserts with Core,
# UnitOfWork.batch): in a batch they run on the earlier messages' unflushed effects. Before any other type the batch
# flushes, so that an effect reading with Core statements (a retraction looking for the outcomes that name its
# record, say) sees everything the messages before it did.
_SESSION_READERS = frozenset({"record.created"})


def waiting_from(senders: set[str]) -> Select[tuple[str]]:
    """The id of one inbound message of these senders that waits, if any (by the index on direction, peer, status)."""
    return (
        select(MessageRow.id)
        .where(MessageRow.direction == "in", MessageRow.peer.in_(sorted(senders)), MessageRow.status == "waiting")
        .limit(1)
    )


@dataclass(frozen=True)
class Inbox:
    """What receiving needs: the database, this instance's identity, the peer's keys and the peer principal."""

    engine: Engine
    identity: Identity
    keys: KeyLookup
    context: Callable[[], Context]

    def receive(self, wire: Any) -> dict[str, Any]:
        """One message in, one signed receipt out (the original one for a message already received)."""
        self.context()  # no peer account here (or a disabled one): refuse to take anything, before any receipt
        try:
            sealed = self._open(wire)
        except Refused as refused:
            return self._refuse(wire, refused)
        known = self._known(sealed)
        if known is not None:
            return self._resume(sealed, known)
        receipt = self._accept(sealed)
        if receipt["receipt"]["status"] == "applied":
            self._release_successors(sealed.envelope.id)
        return receipt

    def receive_batch(self, wires: list[Any], lane: AbstractContextManager[Any] | None = None) -> list[dict[str, Any]]:
        """Many messages in one transaction, their receipts in the same order.

        Each message is verified first, outside `lane` (a lock the caller's batches share: they are then written
        one after the other, while the next batch's signatures are checked beside, the check letting Python's
        other threads run). First all together: one audit lock, one flush and one append for the batch
        (`_apply_together`). When one of them cannot be applied so (its effect is refused, or two touch the same
        record), that transaction is rolled back and each message gets a savepoint of its own (`_apply_batch`), so
        that the refused one is parked and the others applied. Request steps commit in their own writer, and a
        batch racing another delivery of the same messages fails as a whole: both go one message at a time
        instead, with the same outcome.
        """
        self.context()
        opened: list[Sealed | Refused] = []
        for wire in wires:
            try:
                opened.append(self._open(wire))
            except Refused as refused:
                opened.append(refused)
        with lane or nullcontext():
            return self._receive_opened(wires, opened)

    def _receive_opened(self, wires: list[Any], opened: list[Sealed | Refused]) -> list[dict[str, Any]]:
        receipts: list[dict[str, Any] | None] = [None] * len(wires)
        fresh: list[tuple[int, Sealed]] = []
        for i, (wire, sealed) in enumerate(zip(wires, opened, strict=True)):
            if isinstance(sealed, Refused):
                receipts[i] = self._refuse(wire, sealed)
            else:
                fresh.append((i, sealed))
        if not fresh:
            return [r for r in receipts if r is not None]
        seen = self._digests([s.envelope.id for _, s in fresh])
        ids = [s.envelope.id for _, s in fresh]
        if any(s.envelope.type.startswith("request.") for _, s in fresh) or seen or len(set(ids)) != len(ids):
            for i, sealed in fresh:
                receipts[i] = self.receive(sealed.wire)
            return [r for r in receipts if r is not None]
        records = [s.envelope.record_key for _, s in fresh]
        applied = self._apply_together(fresh, receipts) if len(set(records)) == len(records) else None
        if applied is None:
            try:
                applied = self._apply_batch(fresh, receipts)
            except IntegrityError:
                for i, sealed in fresh:
                    receipts[i] = self.receive(sealed.wire)
                return [r for r in receipts if r is not None]
        if applied and self._any_waiting({s.envelope.sender for _, s in fresh}):
            for message_id in applied:
                self._release_successors(message_id)
        return [r for r in receipts if r is not None]

    def _apply_together(
        self, fresh: list[tuple[int, Sealed]], receipts: list[dict[str, Any] | None]
    ) -> list[str] | None:
        """Apply every message in one transaction without savepoints; None (nothing written) if any one fails.

        The use cases run as they always do, but their audit entries are appended together at the commit
        (audit.log.defer) and the session flushes once: per message there is no lock, no flush, no read-back and
        no insert of its own. The receipts are filled in only when the batch has committed.
        """
        statuses: dict[str, str] = {}
        given: list[tuple[int, dict[str, Any]]] = []
        messages: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        with UnitOfWork(self.engine) as uow:
            uow.batch()
            audit.defer(uow)
            seq = next_seq(uow)
            for i, sealed in fresh:
                env = sealed.envelope
                status, reason = "applied", None
                if waits(uow, env, statuses):
                    status, reason = "waiting", f"waits for message {env.after}"
                else:
                    try:
                        if env.type not in _SESSION_READERS:
                            uow.flush()  # its effect may read with Core: let it see every earlier effect
                        apply_message(uow, env, self.context())
                    except (StraitLinkError, audit.Overlap):
                        return None
                statuses[env.id] = status
                message, receipt_row, wire = self._rows(sealed, status, reason, seq)
                messages.append(message)
                rows.append(receipt_row)
                given.append((i, wire))
                seq += 1
            try:
                insert_many(uow.connection, MESSAGES, messages)
                insert_many(uow.connection, RECEIPTS, rows)
                uow.commit()
            except (StraitLinkError, IntegrityError):
                return None  # a clash at the flush (Conflict) or a twin delivery: the caller goes one by one
        for i, wire in given:
            receipts[i] = wire
        return [i for i, st in statuses.items() if st == "applied"]

    def _open(self, wire: Any) -> Sealed:
        """Verify a message and take the documents' bytes beside it into the file store (exchange.documents)."""
        sealed = open_message(wire, me=self.identity.party, keys=self.keys)
        return take(sealed, self.context().desk.files)

    def _apply_batch(self, fresh: list[tuple[int, Sealed]], receipts: list[dict[str, Any] | None]) -> list[str]:
        """Apply each message under its own savepoint, then write all the message and receipt rows; one commit."""
        statuses: dict[str, str] = {}
        messages: list[dict[str, Any]] = []
        given: list[dict[str, Any]] = []
        with UnitOfWork(self.engine) as uow:
            seq = next_seq(uow)
            for i, sealed in fresh:
                env = sealed.envelope
                status, reason = "applied", None
                if waits(uow, env, statuses):
                    status, reason = "waiting", f"waits for message {env.after}"
                else:
                    savepoint = uow.session.begin_nested()
                    announced = len(uow.events)
                    try:
                        apply_message(uow, env, self.context())
                        uow.flush()
                        savepoint.commit()
                    except StraitLinkError as exc:
                        savepoint.rollback()
                        del uow.events[announced:]  # what the rolled-back effect announced never happened
                        status, reason = refusal(exc)
                statuses[env.id] = status
                message, receipt_row, receipts[i] = self._rows(sealed, status, reason, seq)
                messages.append(message)
                given.append(receipt_row)
                seq += 1
            # Written with the effects, in the same transaction: a message racing its twin fails here, as a whole.
            insert_many(uow.connection, MESSAGES, messages)
            insert_many(uow.connection, RECEIPTS, given)
            uow.commit()
        return [i for i, st in statuses.items() if st in SETTLED]

    def _digests(self, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        with UnitOfWork(self.engine) as uow:
            rows = uow.connection.execute(
                select(MessageRow.id, MessageRow.digest).where(MessageRow.direction == "in", MessageRow.id.in_(ids))
            )
            return {i: d for i, d in rows}

    def _any_waiting(self, senders: set[str]) -> bool:
        """Whether a message of these senders waits (a successor waits for a message of its own sender).

        Naming the senders lets the lookup use the index on (direction, peer, status); without them SQLite read
        every inbound message's entry, once per batch, a cost that grew with the inbox.
        """
        with UnitOfWork(self.engine) as uow:
            return uow.connection.scalar(waiting_from(senders)) is not None

    def _known(self, sealed: Sealed) -> dict[str, Any] | None:
        with UnitOfWork(self.engine) as uow:
            digest = uow.connection.scalar(
                select(MessageRow.digest).where(MessageRow.direction == "in", MessageRow.id == sealed.envelope.id)
            )
            if digest is None:
                return None
            if digest != sealed.digest:
                refused = Refused("replayed", "this message id was already received with other content")
                return self._refuse(sealed.wire, refused, message_id=sealed.envelope.id)
            return latest_receipt(uow, sealed.envelope.id)

    def _resume(self, sealed: Sealed, known: dict[str, Any]) -> dict[str, Any]:
        """A message parked for a document it came without, sent again with the bytes: applied now, and the
        record's messages waiting behind it after it. Any other repeat gets its original receipt back."""
        env = sealed.envelope
        if known["receipt"]["status"] != "parked" or not env.documents:
            return known
        if missing(env.documents, self.context().desk.files):
            return known
        if self._apply_waiting(env.id, sealed.digest, sealed.wire, was="parked") in SETTLED:
            self._release_successors(env.id)
        with UnitOfWork(self.engine) as uow:
            return latest_receipt(uow, env.id)

    def _accept(self, sealed: Sealed) -> dict[str, Any]:
        env = sealed.envelope
        try:
            with UnitOfWork(self.engine) as uow:
                if env.after is not None and not is_settled(uow, env.after):
                    receipt = self._record(uow, sealed, "waiting", f"waits for message {env.after}")
                else:
                    # The message and its receipt go first: a use case that commits itself commits them too.
                    receipt = self._record(uow, sealed, "applied", None)
                    apply_message(uow, env, self.context())
                uow.commit()
                return receipt
        except IntegrityError:
            return self._raced(env.id)
        except StraitLinkError as exc:
            try:
                with UnitOfWork(self.engine) as uow:
                    receipt = self._record(uow, sealed, *refusal(exc))
                    uow.commit()
            except IntegrityError:
                return self._raced(env.id)
            if receipt["receipt"]["status"] == "rejected":
                self._release_successors(env.id)  # they need not wait for what will never be applied
            return receipt

    def _raced(self, message_id: str) -> dict[str, Any]:
        """The same message delivered twice at once: the other delivery committed it with its effect."""
        with UnitOfWork(self.engine) as uow:
            return latest_receipt(uow, message_id)

    def _record(self, uow: UnitOfWork, sealed: Sealed, status: str, reason: str | None) -> dict[str, Any]:
        """Write the inbound message and its signed receipt in the caller's transaction."""
        message, receipt_row, wire = self._rows(sealed, status, reason, next_seq(uow))
        uow.connection.execute(MESSAGE, message)
        uow.connection.execute(RECEIPT, receipt_row)
        return wire

    def _rows(
        self, sealed: Sealed, status: str, reason: str | None, seq: int
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """The inbound message's row, its receipt's row and the signed receipt."""
        env = sealed.envelope
        message = message_row(sealed, status, reason, seq)
        wire = sign_receipt(self.identity, message=env.id, digest=sealed.digest, status=status, reason=reason)
        return message, receipt_row(wire, None), wire

    def _give(
        self, uow: UnitOfWork, message: str | None, digest: str, status: str, reason: str | None, refused: Any = None
    ) -> dict[str, Any]:
        wire = sign_receipt(self.identity, message=message, digest=digest, status=status, reason=reason)
        uow.connection.execute(RECEIPT, receipt_row(wire, refused))
        return wire

    def _refuse(self, wire: Any, refused: Refused, *, message_id: str | None = None) -> dict[str, Any]:
        mid = message_id or claimed(wire)[0]
        with UnitOfWork(self.engine) as uow:
            receipt = self._give(
                uow, mid, digest_of(wire), "rejected", f"{refused.reason}: {refused.detail}", refused=as_json(wire)
            )
            uow.commit()
        return receipt

    def release_ready(self) -> int:
        """Apply the waiting messages whose predecessor is applied (one that raced its predecessor's arrival)."""
        with UnitOfWork(self.engine) as uow:
            before = select(MessageRow.id).where(MessageRow.direction == "in", MessageRow.status.in_(SETTLED))
            ready = [
                a
                for a in uow.connection.scalars(
                    select(MessageRow.after).where(
                        MessageRow.direction == "in", MessageRow.status == "waiting", MessageRow.after.in_(before)
                    )
                )
                if a is not None
            ]
        for after in ready:
            self._release_successors(after)
        return len(ready) + self.retry_parked()

    def _release_successors(self, message_id: str) -> None:
        """Apply, in order, the waiting messages whose predecessor has just been applied."""
        todo = [message_id]
        while todo:
            current = todo.pop()
            with UnitOfWork(self.engine) as uow:
                waiting = uow.connection.execute(
                    select(MessageRow.id, MessageRow.digest, MessageRow.wire).where(
                        MessageRow.direction == "in", MessageRow.after == current, MessageRow.status == "waiting"
                    )
                ).all()
            for row in waiting:
                if self._apply_waiting(row.id, row.digest, row.wire) in SETTLED:
                    todo.append(row.id)

    def _apply_waiting(self, message_id: str, digest: str, wire: dict[str, Any], *, was: str = "waiting") -> str:
        """Apply a stored message now; one that still cannot be applied is parked (a parked one stays as it is)."""
        env = Envelope(**wire["envelope"])  # verified when it arrived
        try:
            with UnitOfWork(self.engine) as uow:
                if not set_status(uow, message_id, "applied", None, was=was):
                    return "taken"  # another delivery released it first
                self._give(uow, message_id, digest, "applied", None)
                apply_message(uow, env, self.context())
                uow.commit()
                return "applied"
        except StraitLinkError as exc:
            status, reason = refusal(exc)
        if was == "parked" and status == "parked":
            return "parked"
        with UnitOfWork(self.engine) as uow:
            if not set_status(uow, message_id, status, reason, was=was):
                return "taken"
            self._give(uow, message_id, digest, status, reason)
            uow.commit()
        return status

    def retry_parked(self, limit: int = 200) -> int:
        """Try again the parked messages that named something not here yet, a record or a document's bytes (it may
        have arrived since)."""
        with UnitOfWork(self.engine) as uow:
            rows = uow.connection.execute(
                select(MessageRow.id, MessageRow.digest, MessageRow.wire)
                .where(
                    MessageRow.direction == "in",
                    MessageRow.status == "parked",
                    MessageRow.reason.like("unknown_reference%")
                    | MessageRow.reason.like("not_found%")
                    | MessageRow.reason.like("document_missing%"),
                )
                .order_by(MessageRow.seq)
                .limit(limit)
            ).all()
        applied = 0
        files = self.context().desk.files if rows else None
        for row in rows:
            documents = row.wire["envelope"].get("documents") or []
            if files is not None and missing(documents, files):
                continue  # its bytes have not come: trying would only park it again
            if self._apply_waiting(row.id, row.digest, row.wire, was="parked") == "applied":
                applied += 1
                self._release_successors(row.id)
        return applied
