"""The stored records' digest in either canonical form (straitlink.audit.state), for a log that carries the other.

Each engine keeps the digest in the form its database builds most cheaply: SQLite the JSON form, PostgreSQL the
joined form. Two kinds of log end with an entry carrying the other one: a PostgreSQL database from before migration
0017, when every engine kept the JSON form, and an export imported into a database of the other engine. Nothing is
appended to such a log (an export imported and exported again stays byte for byte the same): the head, from which
every writer adds its difference, is moved to the database's own form (`move_head`), and `verify` accepts a last
entry whose digest is the stored records' in the other form (straitlink.audit.consistency). The next audited change
writes an entry in the database's own form. A difference the stored records had from the last entry's digest (an
edit behind the application's back) is carried over into the moved head, so the next entry does not launder it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Connection, select, update

from straitlink.audit import state as record_state
from straitlink.store.tables_workflow import AuditHeadRow


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


def move_head(conn: Connection, *, source: str, into: str | None = None) -> None:
    """Move the head's digest from the `source` form to `into` (the database's own unless given), carrying over any
    difference between the stored records and the digest it held."""
    held = conn.execute(select(AuditHeadRow.state).where(AuditHeadRow.id == 1)).scalar_one()
    if held is None:  # a log from before digests: `rebase` takes its records in
        return
    carried = int.from_bytes(bytes(held), "big") - stored_in(conn, source)
    target = record_state.stored(conn) if into is None else stored_in(conn, into)
    state = (target + carried) % record_state.MODULUS
    conn.execute(update(AuditHeadRow).where(AuditHeadRow.id == 1).values(state=state.to_bytes(32, "big")))


def other_form(dialect: str) -> str:
    """The form a database of this engine does not keep."""
    return record_state.OTHER[record_state.form_of(dialect)]


def in_other_form(conn: Connection, digest: str) -> bool:
    """Whether `digest` (hex) is the stored records' digest in the form this database does not keep."""
    return record_state.hex_digest(stored_in(conn, other_form(conn.dialect.name))) == digest
