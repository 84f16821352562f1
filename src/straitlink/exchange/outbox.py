"""From the outbox of domain events to signed messages for the peer: only what may leave, in causal order per record.

Events are read past a cursor, with a window behind it: on PostgreSQL an event's id is drawn before its
transaction commits, so a later id can become visible first; an event is turned into a message once (the message
keeps its event id, unique), and one read again inside the window is skipped. Events that may not leave (their
record's marking keeps them home) and events made by the peer's own messages (no echo) never become messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from straitlink.exchange.documents import attach
from straitlink.exchange.envelope import Envelope, now_iso, seal
from straitlink.exchange.keys import Identity
from straitlink.exchange.peers import Peer
from straitlink.services.documents import FileStore
from straitlink.store.driver import insert_many
from straitlink.store.tables_access import AccountRoleRow, OutboxEventRow
from straitlink.store.tables_exchange import MESSAGES, CursorRow, MessageRow
from straitlink.store.uow import UnitOfWork

CURSOR = "outbox"
WINDOW = 1000  # ids re-read behind the cursor: far more than transactions in flight at once
BATCH = 2000  # events read at once: more than WINDOW, so that a full read always moves the cursor on


@dataclass
class Staged:
    messages: int = 0
    withheld: int = 0  # events read past the cursor whose record may not leave
    read: int = 0  # events taken past the cursor (0: nothing new; a full read may leave more for the next call)


def documents_of(payload: dict[str, Any]) -> list[dict[str, str]]:
    """The documents a payload encloses: its `documents` list of `{name, sha256}` (a filed request's, a step's, a
    reply's), whose bytes travel with the message.

    Only that list counts: a record that merely names a hash (a source document's `sha256`, its text stored in the
    record itself) encloses no file.
    """
    found: dict[str, dict[str, str]] = {}
    for doc in payload.get("documents") or []:
        digest = doc.get("sha256") if isinstance(doc, dict) else None
        if isinstance(digest, str) and len(digest) == 64:
            found[digest] = {"name": str(doc.get("name") or ""), "sha256": digest}
    return sorted(found.values(), key=lambda d: d["sha256"])


def stage(
    engine: Engine, identity: Identity, peer: Peer, files: FileStore | None = None, *, limit: int = BATCH
) -> Staged:
    """Turn up to `limit` new outbox events into signed messages for the peer (or withhold them); one transaction.

    A read of fewer than BATCH events may take only events re-read in the window and leave the cursor where it
    is: a caller reading less reads a full BATCH after it (exchange.service.sync). The bytes of the documents a
    message names are read from `files` and carried beside its envelope.
    """
    result = Staged()
    with UnitOfWork(engine) as uow:
        conn = uow.connection
        position = conn.scalar(select(CursorRow.position).where(CursorRow.name == CURSOR))
        if position is None:
            conn.execute(insert(CursorRow.__table__).values(name=CURSOR, position=0))  # type: ignore[arg-type]
            position = 0
        done = select(MessageRow.event_id).where(MessageRow.direction == "out", MessageRow.event_id.is_not(None))
        events = conn.execute(
            select(OutboxEventRow.__table__)
            .where(OutboxEventRow.id > position - WINDOW, OutboxEventRow.event_id.not_in(done.scalar_subquery()))
            .order_by(OutboxEventRow.id)
            .limit(limit)
        ).all()
        if not events:
            return result
        result.read = len(events)
        peers = set(conn.scalars(select(AccountRoleRow.username).where(AccountRoleRow.role == "peer")))
        last = _last_messages(conn, {f"{e.aggregate_kind}:{e.aggregate_id}" for e in events})
        rows, now = [], now_iso()
        for e in events:
            if e.actor in peers:
                continue  # the peer's own message applied here: it already has it
            if not e.releasable:
                # Counted when first read: one re-read in the window (every later read while it is there) is not
                # another withheld event.
                result.withheld += e.id > position
                continue
            key = f"{e.aggregate_kind}:{e.aggregate_id}"
            env = Envelope(
                sender=identity.party,
                receiver=peer.party,
                key=identity.key_id,
                type=e.type,
                record={"kind": e.aggregate_kind, "id": e.aggregate_id},
                payload=dict(e.payload or {}),
                after=last.get(key),
                documents=documents_of(e.payload or {}),
                time=now,
            )
            sealed = seal(env, identity)
            last[key] = env.id
            wire = attach(sealed.wire, env.documents, files) if files is not None else sealed.wire
            rows.append(_row(sealed.envelope, wire, sealed.digest, peer.party, e.id, e.event_id, now))
        insert_many(conn, MESSAGES, rows)
        top = max(e.id for e in events)
        conn.execute(update(CursorRow).where(CursorRow.name == CURSOR, CursorRow.position < top).values(position=top))
        try:
            uow.commit()
        except IntegrityError:
            # Another stager took these events first; nothing is lost, they are its messages.
            return Staged(read=len(events))
        result.messages = len(rows)
    return result


def _last_messages(conn: Any, keys: set[str]) -> dict[str, str]:
    """The latest outgoing message id of each record (the next message's causal predecessor)."""
    if not keys:
        return {}
    latest = (
        select(MessageRow.record_key, func.max(MessageRow.seq).label("seq"))
        .where(MessageRow.direction == "out", MessageRow.record_key.in_(sorted(keys)))
        .group_by(MessageRow.record_key)
        .subquery()
    )
    rows = conn.execute(
        select(MessageRow.record_key, MessageRow.id)
        .join(latest, (MessageRow.record_key == latest.c.record_key) & (MessageRow.seq == latest.c.seq))
        .where(MessageRow.direction == "out")
    )
    return {k: i for k, i in rows}


def _row(
    env: Envelope, wire: dict[str, Any], digest: str, peer: str, seq: int, event_id: str | None, now: str
) -> dict[str, Any]:
    return {
        "direction": "out",
        "id": env.id,
        "peer": peer,
        "seq": seq,
        "event_id": event_id,
        "record_key": env.record_key,
        "after": env.after,
        "type": env.type,
        "digest": digest,
        "wire": wire,
        "status": "queued",
        "reason": None,
        "attempts": 0,
        "next_attempt_at": now,
        "lease_owner": None,
        "lease_until": None,
        "created_at": now,
        "updated_at": now,
    }
