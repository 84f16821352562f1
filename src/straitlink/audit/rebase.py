"""Taking the stored records into the audit trail as they stand: the step that introduces (or renews) the digest.

A log written before entries carried the records' digest (migration 0006) cannot prove its records: nothing it
holds says what they were, and the replay of its diffs disagrees with records the application itself changed in
ways no entry of the time shows (fields that later versions added, such as a marking or a document's citations).
Its first `verify` after the upgrade would fail on records nobody touched, and a real edit would hide among them.

`rebase` settles it in one transaction under the chain head's lock, once the chain itself verifies: one entry for
each record whose stored form is not what the replayed entries say (`update` with the fields as replayed and as
stored; `create` for a record no entry accounts for; `delete` for one the trail has but the tables do not), then
one `rebase` entry saying from which entry on the digest holds and why. Every entry carries the digest of the
tables as they stand. From then on the replay agrees with every stored record, so `verify` passes, and any later
edit moves the digest away from the last entry's and is named by the replay. What the tables held before the
rebase is only as good as the entries then were: the rebase entries show, record by record, what it took in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from straitlink.audit import log, replay
from straitlink.audit import state as record_state
from straitlink.audit.entries import AuditAction, Change, diff
from straitlink.audit.verify import verify_stored
from straitlink.domain.errors import Conflict
from straitlink.store.tables_workflow import AuditEntryRow, AuditHeadRow
from straitlink.store.uow import UnitOfWork

REBASE_KIND = "audit"  # the kind and record of the rebase entry itself: no record kind, so the replay passes it by
REBASE_RECORD = "state"


@dataclass(frozen=True)
class Rebased:
    """What a rebase appended: the rebase entry's number and how many records it took in as they stood."""

    seq: int
    records: int


def needed(engine: Engine) -> bool:
    """Whether the log has entries but the head no digest: a database from before digests, just upgraded."""
    with engine.connect() as conn:
        head = conn.execute(select(AuditHeadRow.seq, AuditHeadRow.state).where(AuditHeadRow.id == 1)).first()
        if head is None or head.state is not None:
            return False
        return conn.execute(select(AuditEntryRow.seq).limit(1)).first() is not None


def rebase(engine: Engine, *, actor: str, reason: str) -> Rebased:
    """Append the entries that take the stored records into the trail as they stand, and the rebase entry."""
    report = verify_stored(engine, records=False)
    if not report.ok:
        assert report.problem is not None
        raise Conflict(f"the audit chain does not verify: {report.problem.reason}", field="audit", value="rebase")
    with UnitOfWork(engine) as uow:
        head = log.lock(uow)
        expected = replay.replayed(replay.bodies(uow.connection, head.seq))
        found = replay.stored(uow.session)
        changes = []
        for key in sorted(set(expected) | set(found), key=replay.order):
            want, have = expected.get(key), found.get(key)
            if want == have:
                continue
            if isinstance(have, replay.Unreadable):
                raise Conflict(
                    f"{key[0]} {key[1]} cannot be read as stored: {have.message}", field="audit", value=key[1]
                )
            action = AuditAction.DELETE if have is None else AuditAction.CREATE if want is None else AuditAction.UPDATE
            changes.append(Change(actor, action, key[0], key[1], diff=diff(want, have), context={"rebase": reason}))
        context: dict[str, Any] = {"from": head.seq + 1, "reason": reason, "records": len(changes)}
        changes.append(Change(actor, AuditAction.REBASE, REBASE_KIND, REBASE_RECORD, context=context))
        delta = record_state.stored(uow.connection) - head.state
        seq = log.append(uow, head, changes, delta=delta)
        uow.commit()
    return Rebased(seq, len(changes) - 1)
