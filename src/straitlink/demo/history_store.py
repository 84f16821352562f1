"""Storing the demo's workflow rows and its audit entries in bulk, inside the demo load's one transaction.

Hundreds of thousands of history steps, replies and documents go in a chunk at a time, by the driver's fastest way
(straitlink.services.transfer_workflow.bulk_insert). The audit entries (one `create` per record, reply and document
the load adds) are chained in Python after the head the load locked first, with the same canonical body and hash as
every other entry (straitlink.audit.entries), inserted a chunk at a time, and the head is moved once, at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Table, select, update

from straitlink.audit.entries import AuditAction, Change
from straitlink.audit.log import Head
from straitlink.demo.history import DemoWorkflow
from straitlink.services.documents import FileStore, record_file
from straitlink.services.transfer_workflow import bulk_insert, sync_step_ids
from straitlink.store import request_steps
from straitlink.store.tables_workflow import (
    AuditEntryRow,
    AuditHeadRow,
    RequestDocumentRow,
    RequestReplyRow,
    RequestTransitionRow,
)
from straitlink.store.uow import UnitOfWork

Progress = Callable[[str, int, int], None]
CHUNK = 5000
STEP = cast(Table, RequestTransitionRow.__table__)
REPLY = cast(Table, RequestReplyRow.__table__)
DOCUMENT = cast(Table, RequestDocumentRow.__table__)
ENTRY = cast(Table, AuditEntryRow.__table__)
HEAD = cast(Table, AuditHeadRow.__table__)


def next_step_id(uow: UnitOfWork) -> int:
    """The id the first history step takes, drawn as a request step draws its own (the load holds the head's lock)."""
    return int(uow.connection.execute(select(request_steps.next_step_id())).scalar_one())


def _insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], stage: str, tell: Progress) -> None:
    tell(stage, 0, len(rows))
    for i in range(0, len(rows), CHUNK):
        bulk_insert(conn, table, rows[i : i + CHUNK])
        tell(stage, min(i + CHUNK, len(rows)), len(rows))


def store_steps(conn: Connection, workflow: DemoWorkflow, tell: Progress) -> None:
    """Insert the history steps (the demo's biggest table) and move PostgreSQL's id sequence past them."""
    _insert(conn, STEP, workflow.steps, "history", tell)
    sync_step_ids(conn)


def store_replies(
    uow: UnitOfWork, workflow: DemoWorkflow, *, files: FileStore | None, recorded_at: str, tell: Progress
) -> None:
    """Insert the files' rows (and write their content, given a store), the replies and the documents."""
    conn = uow.connection
    for checked in workflow.files.values():
        if files is not None:
            files.put(checked)  # before the commit, as the request use cases do: an unused file is harmless
        record_file(uow, checked, recorded_at=recorded_at)
    _insert(conn, REPLY, workflow.replies, "reply", tell)
    _insert(conn, DOCUMENT, workflow.documents, "document", tell)


def created(after: dict[str, Any]) -> dict[str, list[Any]]:
    """`diff(None, after)`: every field that is set, from nothing to its value (the entry's body sorts the keys)."""
    return {k: [None, v] for k, v in after.items() if v is not None}


def reply_changes(workflow: DemoWorkflow, actor: str, context: dict[str, Any]) -> list[Change]:
    """One `create` per reply and per document, each showing what the request use cases show for theirs."""
    changes = []
    create = AuditAction.CREATE
    for reply in workflow.replies:
        shown = {k: reply[k] for k in _REPLY_SHOWN} | {"sent_on": reply["sent_on"].isoformat()}
        changes.append(Change(actor, create, "reply", reply["id"], created(shown), context))
    for doc in workflow.documents:
        checked = workflow.files[doc["sha256"]]
        shown = {k: doc[k] for k in _DOCUMENT_SHOWN} | {"size": checked.size, "media_type": checked.media_type}
        changes.append(Change(actor, create, "document", doc["id"], created(shown), context))
    return changes


# What the request use cases put in a reply's and a document's `create` entry: every column but the id (and the
# time it was recorded, which the entry has).
_REPLY_SHOWN = ("request_id", "transition_id", "kind", "from_party", "text", "actor")
_DOCUMENT_SHOWN = ("request_id", "reply_id", "sha256", "filename", "from_party", "purpose")


def append_entries(uow: UnitOfWork, head: Head, rows: Sequence[dict[str, Any]], tell: Progress) -> None:
    """Insert entries chained after the locked head (straitlink.audit.log.chain, which moved `head` past them) a chunk
    at a time, and move the stored head once, to the last of them and the digest they carry."""
    _insert(uow.connection, ENTRY, rows, "audit", tell)
    move = update(HEAD).where(HEAD.c.id == 1).values(seq=head.seq, hash=head.hash, state=head.state_bytes)
    uow.connection.execute(move)
