"""Moving a log's digest of the stored records from one canonical form to the other (straitlink.audit.state).

Each engine keeps the digest in the form its database builds most cheaply: SQLite the JSON form, PostgreSQL the
joined form. Two kinds of log carry the other one: a PostgreSQL database from before migration 0017, when every
engine kept the JSON form, and an export imported into a database of the other engine. `reform` moves such a log
on, in the caller's transaction: it computes the stored records' digest in both forms and appends one `rebase`
entry that says the form changed and carries the digest in the database's own form, and the head moves with it.
When the stored records were not what the last entry's digest said (edited behind the application's back), that
difference is carried over into the new digest, so `verify` still fails and the replay still names the record: a
change of form never launders an edit.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Connection, insert, select, update

from straitlink.audit import state as record_state
from straitlink.audit.entries import AuditAction, Change, body, link, timestamp
from straitlink.store.tables_workflow import AuditEntryRow, AuditHeadRow

REASON = "the records' digest moved to the canonical form this database keeps"


def stored_in(conn: Connection, form: str) -> int:
    """The stored records' digest in `form`, whichever form the database keeps (one query per table)."""
    shipped = record_state.shipped_agency_ids()
    marker = "?" if conn.dialect.name == "sqlite" else "%s"
    raw: Any = conn.connection.driver_connection
    total = 0
    cursor = raw.cursor()
    try:
        for table in record_state.TABLES:
            where, params = "", []
            if table.name == "agency":
                where, params = f" WHERE id NOT IN ({', '.join([marker] * len(shipped))})", shipped
            cursor.execute(record_state.select_sql(table.name, conn.dialect.name, where, form=form), params)
            prefix = record_state.prefix(table.name, form)
            for (text,) in cursor.fetchall():
                data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
                total += int.from_bytes(hashlib.sha256(prefix + data).digest(), "big")
    finally:
        cursor.close()
    return total % record_state.MODULUS


def reform(conn: Connection, *, actor: str, source: str) -> int | None:
    """Append the entry that moves the log's digest from the `source` form to the database's own; its number, or
    None when there is nothing to move (no entry yet, or a log from before digests, which `rebase` takes in)."""
    head = conn.execute(select(AuditHeadRow.seq, AuditHeadRow.hash, AuditHeadRow.state)).one()
    if head.state is None or not head.seq:
        return None
    carried = (int.from_bytes(bytes(head.state), "big") - stored_in(conn, source)) % record_state.MODULUS
    state = (record_state.stored(conn) + carried) % record_state.MODULUS
    form = record_state.form_of(conn.dialect.name)
    context = {"form": form, "from_form": source, "reason": REASON, "records_matched": carried == 0}
    seq = int(head.seq) + 1
    change = Change(actor, AuditAction.REBASE, "audit", "state", context=context)
    text = body(seq, timestamp(), change, record_state.hex_digest(state))
    digest = link(bytes(head.hash), text.encode("utf-8"))
    conn.execute(insert(AuditEntryRow).values(seq=seq, body=text, prev_hash=bytes(head.hash), hash=digest))
    conn.execute(
        update(AuditHeadRow).where(AuditHeadRow.id == 1).values(seq=seq, hash=digest, state=state.to_bytes(32, "big"))
    )
    return seq
