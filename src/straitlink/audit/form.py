"""The records' digest in its first canonical form, and the one step that moves a database on to the current form.

Until migration 0017 a row's canonical text was the JSON array of its columns' texts, and its element the sha256 of
its table's name, a newline and that text; every entry written then carries that form's digest. The databases built
that JSON text at two to three times the cost of the current form (straitlink.audit.state), which made the
records' check the larger part of `audit verify`.

`reform` moves a database on, in the caller's transaction: it computes the stored records' digest in both forms and
appends one `rebase` entry that says the form changed and carries the current form's digest, and the head moves
with it. When the stored records were not what the last entry's digest said (edited behind the application's back
before the upgrade), that difference is carried over into the new digest, so `verify` still fails and the replay
still names the record: a change of form never launders an edit.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Connection, insert, select, update

from straitlink.audit import state as record_state
from straitlink.audit.entries import AuditAction, Change, body, link, timestamp
from straitlink.store.tables_workflow import AuditEntryRow, AuditHeadRow

FORM = 2  # the current canonical form's number, as the rebase entry names it
REASON = "the records' digest moved to its second canonical form (fields joined by U+001F instead of a JSON array)"


def _legacy_text_sql(table: str, dialect: str) -> str:
    values = ", ".join(record_state._sql_value(c, dialect) for c in record_state.table_named(table).columns)
    if dialect == "sqlite":
        return f"CAST(json_array({values}) AS BLOB)"
    return f"convert_to(CAST(array_to_json(ARRAY[{values}]) AS TEXT), 'UTF8')"


def legacy_stored(conn: Connection) -> int:
    """The stored records' digest in the first canonical form (the JSON array of each row's columns)."""
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
            cursor.execute(f"SELECT {_legacy_text_sql(table.name, conn.dialect.name)} FROM {table.name}{where}", params)
            prefix = f"{table.name}\n".encode()
            for (text,) in cursor.fetchall():
                total += int.from_bytes(hashlib.sha256(prefix + bytes(text)).digest(), "big")
    finally:
        cursor.close()
    return total % record_state.MODULUS


def reform(conn: Connection, *, actor: str) -> int | None:
    """Append the entry that moves the log's digest to the current form; its number, or None when there is nothing
    to move (no entry yet, or a log from before digests, which `rebase` takes in in the current form)."""
    head = conn.execute(select(AuditHeadRow.seq, AuditHeadRow.hash, AuditHeadRow.state)).one()
    if head.state is None or not head.seq:
        return None
    carried = (int.from_bytes(bytes(head.state), "big") - legacy_stored(conn)) % record_state.MODULUS
    state = (record_state.stored(conn) + carried) % record_state.MODULUS
    context = {"form": FORM, "reason": REASON, "records_matched": carried == 0}
    seq = int(head.seq) + 1
    change = Change(actor, AuditAction.REBASE, "audit", "state", context=context)
    text = body(seq, timestamp(), change, record_state.hex_digest(state))
    digest = link(bytes(head.hash), text.encode("utf-8"))
    conn.execute(insert(AuditEntryRow).values(seq=seq, body=text, prev_hash=bytes(head.hash), hash=digest))
    conn.execute(
        update(AuditHeadRow).where(AuditHeadRow.id == 1).values(seq=seq, hash=digest, state=state.to_bytes(32, "big"))
    )
    return seq
