"""The request workflow's tables, the stored files and the audit chain in an export, and back (docs/json.md).

Each table travels as `{"columns": [...], "rows": [[...], ...]}`, one row per line, rows in key order: dates as ISO
strings, hashes as hex, a stored file's content as base64 beside its metadata. The audit chain travels as it is
stored (every entry's body, previous hash and hash, and the head), so that the imported chain is the source's, entry
for entry: import checks that it links up and writes no entry of its own. History rows keep their ids, which replies
and audit entries refer to.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Connection, Date, Integer, LargeBinary, String, Table, func, select, text, update
from sqlalchemy.sql.schema import Column

from straitlink.audit.entries import GENESIS, link
from straitlink.domain.errors import ImportRejected
from straitlink.domain.parties import Party
from straitlink.domain.requests import RequestStatus
from straitlink.domain.workflow import Action, RefusalGround, Role
from straitlink.services.documents import CheckedFile, FileStore, sniff
from straitlink.store.tables_workflow import (
    AuditEntryRow,
    AuditHeadRow,
    RequestDocumentRow,
    RequestReplyRow,
    RequestTransitionRow,
    StoredFileRow,
)

ENTRY = cast(Table, AuditEntryRow.__table__)
HEAD = cast(Table, AuditHeadRow.__table__)
FILE = cast(Table, StoredFileRow.__table__)
# In the order they are imported: each after the tables it refers to.
TABLES: tuple[tuple[str, Table], ...] = (
    ("request_transition", cast(Table, RequestTransitionRow.__table__)),
    ("request_reply", cast(Table, RequestReplyRow.__table__)),
    ("stored_file", FILE),
    ("request_document", cast(Table, RequestDocumentRow.__table__)),
)
CONTENT = "content"  # the stored file's bytes, base64, after its table's columns
_STATUSES = tuple(s.value for s in RequestStatus)
_PARTIES = tuple(p.value for p in Party)
ALLOWED: dict[tuple[str, str], tuple[str, ...]] = {
    ("request_transition", "action"): tuple(a.value for a in Action),
    ("request_transition", "from_status"): _STATUSES,
    ("request_transition", "to_status"): _STATUSES,
    ("request_transition", "acting_party"): _PARTIES,
    ("request_transition", "acting_role"): tuple(r.value for r in Role),
    ("request_transition", "ground"): tuple(g.value for g in RefusalGround),
    ("request_reply", "from_party"): _PARTIES,
    ("request_document", "from_party"): _PARTIES,
}
# column -> what it refers to: "request", "agency", or another table of this section.
REFERENCES: dict[tuple[str, str], str] = {
    ("request_transition", "request_id"): "request",
    ("request_transition", "acting_agency"): "agency",
    ("request_transition", "executing_agency"): "agency",
    ("request_reply", "request_id"): "request",
    ("request_reply", "transition_id"): "request_transition",
    ("request_document", "request_id"): "request",
    ("request_document", "reply_id"): "request_reply",
    ("request_document", "sha256"): "stored_file",
}
Progress = Callable[[str, int, int], None]


def sync_step_ids(conn: Connection) -> None:
    """After history rows were inserted with their ids, make PostgreSQL's sequence hand out the next ones."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('request_transition', 'id'), coalesce(max(id), 1), "
                "max(id) IS NOT NULL) FROM request_transition"
            )
        )


def bulk_insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows of one table in the connection's transaction, by the driver's fastest way.

    The rows are plain column values (dates as dates, hashes as bytes), so SQLAlchemy's per-value processing is
    not needed: SQLite takes them through the driver's executemany (dates as the ISO text SQLAlchemy stores), and
    PostgreSQL through COPY, several times faster than multi-row INSERTs.
    """
    if not rows:
        return
    columns = [c.key for c in table.columns]
    values = itemgetter(*columns)
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(values(row))
        return
    dates = [i for i, c in enumerate(table.columns) if isinstance(c.type, Date)]
    tuples: Iterable[Any] = map(values, rows)
    if dates:
        tuples = (_iso_dates(list(t), dates) for t in tuples)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})", list(tuples))


def _iso_dates(values: list[Any], positions: list[int]) -> tuple[Any, ...]:
    for i in positions:
        if values[i] is not None:
            values[i] = values[i].isoformat()
    return tuple(values)


def is_empty(conn: Connection) -> bool:
    """True when no audit entry and no stored file is kept and the chain head is at its start."""
    entries = conn.scalar(select(func.count()).select_from(ENTRY))
    files = conn.scalar(select(func.count()).select_from(FILE))
    head = conn.scalar(select(HEAD.c.seq).where(HEAD.c.id == 1))
    return not entries and not files and not head


# --- export ---------------------------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def table_text(columns: list[str], rows: Iterable[list[Any]]) -> str:
    """A table as JSON text: its columns on one line, then one row per line."""
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    body = "[\n  " + ",\n  ".join(lines) + "\n ]" if lines else "[]"
    return f'{{\n "columns": {json.dumps(columns)},\n "rows": {body}\n}}'


def object_text(members: list[tuple[str, str]]) -> str:
    """A JSON object from members already written as JSON text, indented one space per level like json.dumps."""
    if not members:
        return "{}"
    # JSON text never holds a raw line break inside a string, so indenting every line is safe.
    inner = ",\n".join(f" {json.dumps(key)}: " + value.replace("\n", "\n ") for key, value in members)
    return "{\n" + inner + "\n}"


def export_workflow(conn: Connection, files: FileStore | None) -> str:
    """The workflow section as JSON text: every history step, reply, stored file (with its content) and document."""
    members = []
    for name, table in TABLES:
        columns = [c.key for c in table.columns]
        rows = [[_json_value(v) for v in row] for row in conn.execute(select(table).order_by(*table.primary_key))]
        if table is FILE:
            if rows and files is None:
                raise ValueError("the export carries stored files: it needs the file store")
            for row in rows:
                assert files is not None
                row.append(base64.b64encode(files.read(row[0])).decode("ascii"))
            columns.append(CONTENT)
        members.append((name, table_text(columns, rows)))
    return object_text(members)


def export_audit(conn: Connection) -> str:
    """The audit section as JSON text: the chain head and every stored entry as it is stored."""
    head = conn.execute(select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == 1)).one()
    stmt = select(ENTRY.c.seq, ENTRY.c.body, ENTRY.c.prev_hash, ENTRY.c.hash).order_by(ENTRY.c.seq)
    rows = ([int(s), b, bytes(p).hex(), bytes(h).hex()] for s, b, p, h in conn.execute(stmt))
    head_text = json.dumps({"seq": int(head.seq), "hash": bytes(head.hash).hex()})
    return object_text([("head", head_text), ("entries", table_text(["seq", "body", "prev_hash", "hash"], rows))])


# --- import ---------------------------------------------------------------------------------------------------


def _rows(section: Any, where: str, expected: list[str]) -> list[dict[str, Any]]:
    """The rows of one table section as dicts by column, or ImportRejected naming what is wrong."""
    if not isinstance(section, dict) or not isinstance(section.get("rows"), list):
        raise ImportRejected(f"{where}: missing, or not an object with columns and rows", field=where)
    columns = section.get("columns")
    if not isinstance(columns, list) or sorted(map(str, columns)) != sorted(expected):
        raise ImportRejected(
            f"{where}.columns: expected {', '.join(expected)}", field=f"{where}.columns", value=columns
        )
    out = []
    for i, row in enumerate(section["rows"]):
        if not isinstance(row, list) or len(row) != len(columns):
            raise ImportRejected(
                f"{where}.rows[{i}]: expected a list of {len(columns)} values", field=f"{where}.rows[{i}]", value=row
            )
        out.append(dict(zip(columns, row, strict=True)))
    return out


def _bad(where: str, value: Any, reason: str) -> ImportRejected:
    return ImportRejected(f"{where}: {value!r} is not valid: {reason}", field=where, value=value)


def _hash(value: Any, where: str) -> bytes:
    try:
        digest = bytes.fromhex(value) if isinstance(value, str) else b""
    except ValueError:
        digest = b""
    if len(digest) != 32:
        raise _bad(where, value, "expected 64 hexadecimal digits")
    return digest


def _value(column: Column[Any], value: Any, where: str, allowed: tuple[str, ...] | None) -> Any:
    """The column's value from its JSON form, checked against the column's type, length and allowed values."""
    if value is None:
        if not column.nullable:
            raise ImportRejected(f"{where}: is required", field=where)
        return None
    kind = column.type
    if isinstance(kind, Integer):
        if not isinstance(value, int) or isinstance(value, bool):
            raise _bad(where, value, "expected a whole number")
        return value
    if isinstance(kind, Date):
        try:
            if isinstance(value, str) and len(value) == 10:
                return date.fromisoformat(value)
        except ValueError:
            pass
        raise _bad(where, value, "expected a date YYYY-MM-DD")
    if isinstance(kind, LargeBinary):
        return _hash(value, where)
    if not isinstance(value, str) or (isinstance(kind, String) and kind.length and len(value) > kind.length):
        length = getattr(kind, "length", None)
        raise _bad(where, value, f"expected text of at most {length} characters" if length else "expected text")
    if allowed is not None and value not in allowed:
        raise _bad(where, value, "one of " + ", ".join(allowed))
    return value


def _content(row: dict[str, Any], where: str) -> CheckedFile:
    """The stored file's content, checked against the size, sha256 and media type it is recorded with."""
    try:
        content = base64.b64decode(row[CONTENT], validate=True) if isinstance(row[CONTENT], str) else None
    except (binascii.Error, ValueError):
        content = None
    if content is None:
        raise _bad(f"{where}.{CONTENT}", str(row[CONTENT])[:40], "expected the file's content in base64")
    digest = hashlib.sha256(content).hexdigest()
    if digest != row["sha256"]:
        raise ImportRejected(
            f"{where}.{CONTENT}: does not match its sha256 {row['sha256']} (the content's is {digest})",
            field=f"{where}.{CONTENT}",
            value=row["sha256"],
        )
    if len(content) != row["size"]:
        raise _bad(f"{where}.size", row["size"], f"the content is {len(content)} bytes")
    if sniff(content) != row["media_type"]:
        raise _bad(f"{where}.media_type", row["media_type"], f"the content shows {sniff(content)!r}")
    return CheckedFile(row["sha256"], row["sha256"], len(content), row["media_type"], content)


def import_workflow(
    conn: Connection,
    section: Any,
    *,
    requests: set[str],
    agencies: set[str],
    files: FileStore | None,
    progress: Progress | None = None,
) -> tuple[dict[str, int], list[CheckedFile]]:
    """Insert the workflow section's rows; the files to write to the store once everything else is in.

    Every value is checked before anything of the section is written, and every reference too: to a request of
    the export, an agency of its catalogue, or a row of this section.
    """
    if not isinstance(section, dict):
        raise ImportRejected("workflow: missing or not an object", field="workflow")
    keys: dict[str, set[Any]] = {"request": requests, "agency": agencies}
    counts: dict[str, int] = {}
    checked: list[CheckedFile] = []
    tables: list[tuple[str, Table, list[dict[str, Any]]]] = []
    for name, table in TABLES:
        where = f"workflow.{name}"
        expected = [c.key for c in table.columns] + ([CONTENT] if table is FILE else [])
        rows = _rows(section.get(name), where, expected)
        for i, row in enumerate(rows):
            at = f"{where}.rows[{i}]"
            for column in table.columns:
                value = _value(column, row[column.key], f"{at}.{column.key}", ALLOWED.get((name, column.key)))
                target = REFERENCES.get((name, column.key))
                if value is not None and target is not None and value not in keys[target]:
                    raise ImportRejected(
                        f"{at}.{column.key}: unknown {target.replace('_', ' ')} {value!r}",
                        field=f"{at}.{column.key}",
                        value=value,
                    )
                row[column.key] = value
            if table is FILE:
                checked.append(_content(row, at))
                del row[CONTENT]
        primary = table.primary_key.columns.values()[0].key
        keys[name] = {row[primary] for row in rows}
        if len(keys[name]) != len(rows):
            raise ImportRejected(f"{where}: the same {primary} twice", field=where)
        tables.append((name, table, rows))
    if checked and files is None:
        raise ImportRejected(
            "workflow.stored_file: the export carries files and no file store was given", field="files"
        )
    for n, (name, table, rows) in enumerate(tables, start=1):
        bulk_insert(conn, table, rows)
        counts[name] = len(rows)
        if progress:
            progress("import workflow", n, len(tables))
    sync_step_ids(conn)
    return counts, checked


def import_audit(conn: Connection, section: Any) -> int:
    """Insert the audit chain as exported, once it links up entry by entry and ends at its head."""
    if not isinstance(section, dict) or not isinstance(section.get("head"), dict):
        raise ImportRejected("audit: missing, or not an object with a head and entries", field="audit")
    rows = _rows(section.get("entries"), "audit.entries", ["seq", "body", "prev_hash", "hash"])
    entries = []
    prev: bytes | None = None
    seq = 0
    for i, row in enumerate(rows):
        where = f"audit.entries.rows[{i}]"
        seq_value, body = row["seq"], row["body"]
        expected = seq + 1 if prev is not None else seq_value
        if not isinstance(seq_value, int) or isinstance(seq_value, bool) or seq_value < 1 or seq_value != expected:
            raise _bad(f"{where}.seq", seq_value, f"expected {expected}" if prev is not None else "a positive number")
        if not isinstance(body, str) or "\n" in body or not body.startswith(f'{{"seq":{seq_value},'):
            raise _bad(f"{where}.body", str(body)[:60], f"expected the canonical body of entry {seq_value}")
        prev_hash, digest = _hash(row["prev_hash"], f"{where}.prev_hash"), _hash(row["hash"], f"{where}.hash")
        # The first entry follows the genesis hash, or (once older entries were archived) an entry not exported.
        linked_to = prev if prev is not None else GENESIS if seq_value == 1 else prev_hash
        if prev_hash != linked_to:
            raise _bad(f"{where}.prev_hash", row["prev_hash"], f"entry {seq_value} does not link to the entry before")
        if link(prev_hash, body.encode("utf-8")) != digest:
            raise _bad(f"{where}.hash", row["hash"], f"entry {seq_value} does not match its hash")
        entries.append({"seq": seq_value, "body": body, "prev_hash": prev_hash, "hash": digest})
        prev, seq = digest, seq_value
    head = section["head"]
    head_seq, head_hash = head.get("seq"), _hash(head.get("hash"), "audit.head.hash")
    last = (seq, prev) if prev is not None else None
    if last is not None and (head_seq, head_hash) != last:
        raise _bad("audit.head", head, f"the last entry is {seq} with hash {last[1].hex()}")
    if last is None and not (isinstance(head_seq, int) and head_seq >= 0 and (head_seq or head_hash == GENESIS)):
        raise _bad("audit.head", head, "an empty log's head is entry 0 with the zero hash, or an archived entry")
    bulk_insert(conn, ENTRY, entries)
    conn.execute(update(HEAD).where(HEAD.c.id == 1).values(seq=head_seq, hash=head_hash))
    return len(entries)
