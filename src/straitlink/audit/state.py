"""The stored state as one digest, so that `audit verify` proves the records are what the audit trail says.

Every row of the record tables (each record kind's table and its child tables: a seizure's quantities, a case's
agencies and places, a request's history steps, …), of the replies and request documents, and of the agencies added
here (not the shipped catalogue's) has a canonical text, built from the text of each column's value written alike
on both engines (numbers with six decimals, dates as YYYY-MM-DD, booleans as 1/0, JSON as stored), in one of two
forms, each the one its engine's database builds most cheaply:

- the JSON form (SQLite): the table's name, a newline, and the JSON array of the columns' texts (null for NULL);
- the joined form (PostgreSQL): the table's name, how many columns are NULL, and each column's text (U+001E for
  NULL), joined by U+001F. It is unambiguous without escaping because no written value holds U+001D–U+001F
  (`row_text` refuses one, naming its column), so a stored row reading like a written one has the same values,
  except that a NULL could read as a value of one U+001E, which the count of NULL columns tells apart.

The row's element is sha256(canonical text) read as a 256-bit number; the state's digest is the sum of all elements
modulo 2²⁵⁶. A sum needs no order and moves by difference: a writer adds the elements of the rows it adds and
takes away those it replaces, without reading anything else, and every audit entry carries the digest, in its
database's form, as its transaction leaves the tables (docs/audit.md). The verifier computes the same sum from the
tables, each row's canonical text built by the database (`select_sql`; on PostgreSQL the server also hashes them,
`sum_sql`), and compares it with the last entry's. Writers that know the values they write compute the text in
Python (`row_text`); writers whose rows the database shaped read them back (`added`). A log whose last digest is in
the other form (a PostgreSQL database from before migration 0017, an export from the other engine) is checked in
that form (`straitlink.audit.form`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, cast

from psycopg.abc import Buffer
from psycopg.adapt import Loader
from sqlalchemy import JSON, Boolean, Connection, Date, Numeric, Table

from straitlink.audit import sqlite_state
from straitlink.catalog import load_catalog
from straitlink.domain.errors import InvalidValue
from straitlink.store import tables as t
from straitlink.store.tables_workflow import RequestDocumentRow, RequestReplyRow, RequestTransitionRow

MODULUS = 2**256
_SIX = Decimal("0.000001")

# Each audited kind's tables, with the column naming the record: its main table first, then its child tables. The
# kind "document" is both a source document (a record) and a document attached to a reply; ids never collide.
KIND_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "document": (("source_document", "id"), ("source_citation", "document"), ("request_document", "id")),
    "case": (("legal_case", "id"), ("case_agency", "case_id"), ("case_place", "case_id")),
    "operation": (
        ("operation", "id"),
        ("operation_agency", "operation"),
        ("operation_place", "operation"),
        ("vessel", "operation"),
    ),
    "person": (("person", "id"),),
    "seizure": (("seizure", "id"), ("seizure_quantity", "seizure")),
    "intel": (("intel_report", "id"),),
    "outcome": (("outcome", "id"), ("outcome_seizure", "outcome"), ("outcome_person", "outcome")),
    "meeting": (
        ("meeting", "id"),
        ("meeting_agency", "meeting"),
        ("meeting_place", "meeting"),
        ("meeting_follow_up", "meeting"),
    ),
    "figure": (("published_figure", "id"),),
    # A request's history steps are the dates its deadlines and processing times are computed from.
    "request": (("assistance_request", "id"), ("request_transition", "request_id")),
    "reply": (("request_reply", "id"),),
    # Agencies added here (`straitlink agency add`); the shipped ones are the catalogue's, put back by `init`.
    "agency": (("agency", "id"),),
}
_ALL_TABLES = {**t.Base.metadata.tables}
TABLES: tuple[Table, ...] = tuple(_ALL_TABLES[name] for tables in KIND_TABLES.values() for name, _ in tables)
REPLY = cast(Table, RequestReplyRow.__table__)
STEP = cast(Table, RequestTransitionRow.__table__)
REQUEST_DOCUMENT = cast(Table, RequestDocumentRow.__table__)
_CHUNK = 500  # ids per IN list when reading rows back


def table_named(name: str) -> Table:
    """A covered table by its name."""
    return _ALL_TABLES[name]


# The canonical text's two forms, each the one an engine builds most cheaply: SQLite writes a row's JSON array
# (`json_array`, one C call) at a third of the cost of joining its fields with `||`; PostgreSQL joins them
# (`concat_ws`) at a third of the cost of `array_to_json`.
JSON_FORM, JOINED_FORM = "json", "joined"
FORMS = {"sqlite": JSON_FORM, "postgresql": JOINED_FORM}
OTHER = {JSON_FORM: JOINED_FORM, JOINED_FORM: JSON_FORM}
UNIT = "\x1f"  # the joined form: between a row's fields
NULL = "\x1e"  # the joined form: a NULL column
_RESERVED = re.compile("[\x1d-\x1f]")
# Between rows, where SQLite joins a range of rows' texts into one value: a character no text of the form holds.
SEPARATOR = {JSON_FORM: "\n", JOINED_FORM: "\x1d"}


def form_of(dialect: str) -> str:
    """The canonical form of the digest a database of this engine keeps."""
    return FORMS[dialect]


def prefix(table: str, form: str) -> bytes:
    """What precedes the database's text of a row in the bytes hashed: the JSON form's table name and newline (the
    joined form's text names its table itself)."""
    return f"{table}\n".encode() if form == JSON_FORM else b""


def element(text: str) -> int:
    """One row's element of the digest, from its canonical text (`row_text`)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


def hex_digest(state: int) -> str:
    return f"{state % MODULUS:064x}"


def _value(column: Any, value: Any) -> str | None:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, Boolean):
        return "1" if value else "0"
    if isinstance(kind, Numeric):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return format(number.quantize(_SIX), "f")
    if isinstance(kind, Date):
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(kind, JSON):
        return value if isinstance(value, str) else json.dumps(value)
    return str(value)


_DUMP = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def row_text(table: Table, values: Mapping[str, Any], form: str) -> str:
    """A row's canonical text in `form` from the values written (a missing column counts as NULL).

    Refuses a value holding one of the joined form's separators (in either form, since a record can move to a
    database of the other engine): that form is unambiguous only while no written value holds one.
    """
    get = values.get
    texts = [None if (v := get(key)) is None else text(v) for key, text in _writers(table)]
    joined = UNIT.join([NULL if t is None else t for t in texts])
    nulls = texts.count(None)
    if joined.count(UNIT) != len(texts) - 1 or joined.count(NULL) != nulls or "\x1d" in joined:
        _refuse_separators(table, texts)
    if form == JSON_FORM:
        return f"{table.name}\n{_DUMP(texts)}"
    return f"{table.name}{UNIT}{nulls}{UNIT}{joined}"


def _refuse_separators(table: Table, texts: Sequence[str | None]) -> None:
    for column, text in zip(table.columns, texts, strict=True):
        if text is not None and (found := _RESERVED.search(text)) is not None:
            raise InvalidValue(column.key, text, f"holds a control character (U+{ord(found.group()):04X})")


_WRITERS: dict[str, tuple[tuple[str, Callable[[Any], str | None]], ...]] = {}


def _writers(table: Table) -> tuple[tuple[str, Callable[[Any], str | None]], ...]:
    """Per column of a table, once: its key and how a value of it is written (`_value`, its type's branch chosen
    once; a batch of the exchange's inbox writes thousands of rows a second)."""
    found = _WRITERS.get(table.name)
    if found is None:
        found = _WRITERS[table.name] = tuple(
            (c.key, partial(_value, c) if isinstance(c.type, _TYPED) else str) for c in table.columns
        )
    return found


_TYPED = (Boolean, Numeric, Date, JSON)  # the types `_value` writes otherwise than with str()


def row_element(table: Table, values: Mapping[str, Any], form: str) -> int:
    """The element of a row from the values written, as the verifier will compute it from the stored row."""
    return element(row_text(table, values, form))


def replaced(table: Table, before: Mapping[str, Any], after: Mapping[str, Any], form: str) -> int:
    """What replacing a row's values `before` by `after` adds to the digest."""
    return row_element(table, after, form) - row_element(table, before, form)


def _sql_value(column: Any, dialect: str, *, iso_dates: bool = False) -> str:
    name, kind = f'"{column.name}"', column.type
    if isinstance(kind, Boolean) and dialect == "postgresql":
        return f"CAST(CAST({name} AS INTEGER) AS TEXT)"
    if isinstance(kind, Numeric):
        if dialect == "sqlite":  # printf gives 0 for NULL: keep NULL as NULL
            return f"CASE WHEN {name} IS NOT NULL THEN printf('%.6f', {name}) END"
        return f"CAST(round({name}, 6) AS TEXT)"
    if isinstance(kind, Date) and dialect == "postgresql" and not iso_dates:
        # A date's text depends on the session's DateStyle; to_char does not, but costs the server about a quarter
        # of a canonical text, so the verifier casts instead when the session writes dates as ISO (YYYY-MM-DD).
        return f"to_char({name}, 'YYYY-MM-DD')"
    return f"CAST({name} AS TEXT)"


def text_sql(table_name: str, dialect: str, form: str, *, iso_dates: bool = False) -> str:
    """The SQL expression of a row's canonical text in `form` as the database builds it (without `prefix`)."""
    columns = _ALL_TABLES[table_name].columns
    texts = [_sql_value(c, dialect, iso_dates=iso_dates) for c in columns]
    if form == JSON_FORM:
        if dialect == "sqlite":
            return f"json_array({', '.join(texts)})"
        return f"CAST(array_to_json(ARRAY[{', '.join(texts)}]) AS TEXT)"
    values = [f"coalesce({text}, {_CHAR[dialect]}(30))" for text in texts]
    names = [f'"{c.name}"' for c in columns]
    if dialect == "sqlite":  # no concat_ws before SQLite 3.44; `x IS NULL` is 1 or 0
        nulls = " + ".join(f"({name} IS NULL)" for name in names)
        return " || char(31) || ".join([f"'{table_name}'", f"({nulls})", *values])
    return f"concat_ws(chr(31), '{table_name}', num_nulls({', '.join(names)}), {', '.join(values)})"


_CHAR = {"sqlite": "char", "postgresql": "chr"}


def select_sql(table_name: str, dialect: str, where: str = "", *, joined: bool = False, form: str | None = None) -> str:
    """SELECT of each row's canonical text (in the engine's form unless `form`), built by the database (`joined`,
    SQLite: the rows' texts joined by the form's SEPARATOR in one value, beside how many rows they are)."""
    form = form or FORMS[dialect]
    text = text_sql(table_name, dialect, form)
    if dialect == "sqlite" and joined:
        between = ord(SEPARATOR[form])
        return f"SELECT CAST(group_concat({text}, char({between})) AS BLOB), count(*) FROM {table_name}{where}"
    if dialect == "sqlite":
        return f"SELECT CAST({text} AS BLOB) FROM {table_name}{where}"
    return f"SELECT {text} FROM {table_name}{where}"


# PostgreSQL hashes each row's canonical text itself (sha256 is built in from version 11) and sends the digests one
# after the other in one value: 32 bytes a row instead of its text, and no row for the client to hash. Summed here
# as four columns of 64-bit words, it is the same sum of elements (so the same digest) as the writers'. Summing on
# the server instead costs it more than the hashing (text → bit casts per limb).
def sum_sql(table_name: str, where: str = "", *, iso_dates: bool = False) -> str:
    """PostgreSQL: SELECT of a table's rows' elements as one bytea, their sha256 digests one after the other."""
    text = text_sql(table_name, "postgresql", JOINED_FORM, iso_dates=iso_dates)
    return f"SELECT string_agg(sha256(convert_to({text}, 'UTF8')), ''::bytea) FROM {table_name}{where}"


def _server_sum(conn: Connection, sql: str, params: Sequence[Any] = ()) -> int:
    raw: Any = conn.connection.driver_connection
    with raw.cursor(binary=True) as cursor:
        cursor.execute(sql, params)
        digests = cursor.fetchone()[0]
    return sqlite_state.digests_sum(bytes(digests)) if digests is not None else 0


def _cursor(conn: Connection) -> Any:
    raw: Any = conn.connection.driver_connection
    cursor = raw.cursor()
    if conn.dialect.name == "postgresql":
        cursor.adapters.register_loader("text", _Bytes)  # the UTF-8 the server sends, as the bytes hashed
    return cursor


class _Bytes(Loader):
    """PostgreSQL text as the bytes the server sent, undecoded."""

    def load(self, data: Buffer) -> bytes:
        return bytes(data)


def _texts(cursor: Any, sql: str, params: Sequence[Any] = ()) -> Iterator[bytes]:
    """Each row's canonical text as UTF-8 bytes."""
    cursor.execute(sql, params)
    while rows := cursor.fetchmany(10_000):
        for (text,) in rows:
            yield text if isinstance(text, bytes) else text.encode("utf-8")


def _unambiguous(table: str, texts: Iterable[bytes]) -> Iterator[bytes]:
    """The texts of rows the database shaped, refusing one whose values hold a separator (as `row_text` does)."""
    fields = len(_ALL_TABLES[table].columns) + 1
    for text in texts:
        if text.count(b"\x1f") != fields or b"\x1d" in text:
            shown = text.decode("utf-8", "replace")
            raise InvalidValue(table, shown, "a column holds a control character (U+001D, U+001E or U+001F)")
        yield text


def shipped_agency_ids() -> list[str]:
    """The agencies StraitLink ships (catalog/data/agencies.yaml): not records of this database's audit trail."""
    return sorted(a.id for a in load_catalog().agencies)


def _marker(conn: Connection) -> str:
    return "?" if conn.dialect.name == "sqlite" else "%s"


def _pages(conn: Connection, table: str) -> int:
    """PostgreSQL: how many pages a table has (as far as this snapshot may see, more only by later inserts)."""
    size = f"pg_relation_size('{table}') / current_setting('block_size')::int"
    return int(conn.exec_driver_sql(f"SELECT {size}").scalar_one())


def _part_pages(conn: Connection, table: str, k: int, n: int) -> str:
    """PostgreSQL: the condition on a row's place (ctid) selecting part k of n of a table's pages; the last part has
    no end, so rows a later insert put past the pages counted are read too (a TID range scan, PostgreSQL 14 on)."""
    size = -(-_pages(conn, table) // n)
    after = f"ctid >= '({k * size},0)'::tid"
    return after if k == n - 1 else f"{after} AND ctid < '({(k + 1) * size},0)'::tid"


def _iso_dates(conn: Connection) -> bool:
    return str(conn.exec_driver_sql("SHOW DateStyle").scalar_one()).upper().startswith("ISO")


def table_sum(conn: Connection, table: str, part: tuple[int, int] = (0, 1)) -> int:
    """The sum of one table's elements, as stored; on PostgreSQL only part k of n (ranges of its pages)."""
    cursor = _cursor(conn)
    try:
        where, params = "", []
        if table == "agency":  # only the agencies added here: the shipped rows are the catalogue's (a few hundred)
            params = shipped_agency_ids()
            where = f" WHERE id NOT IN ({', '.join([_marker(conn)] * len(params))})"
        if conn.dialect.name != "sqlite":
            if part[1] > 1:
                pages = _part_pages(conn, table, *part)
                where = f"{where} AND {pages}" if where else f" WHERE {pages}"
            return _server_sum(conn, sum_sql(table, where, iso_dates=_iso_dates(conn)), params)
        return sqlite_state.table_sum(cursor, _sqlite_read(table, where, params))
    finally:
        cursor.close()


_RANGE = " WHERE rowid >= ? AND rowid <= ?"


def _sqlite_read(table: str, where: str = "", params: Sequence[str] = ()) -> dict[str, Any]:
    """SQLite: how one table's rows are read (with `params`, in one query; otherwise by ranges of rowids)."""
    read = {"table": table, "prefix": prefix(table, JSON_FORM).decode(), "separator": SEPARATOR[JSON_FORM]}
    if params:
        return read | {"sql": select_sql(table, "sqlite", where), "params": list(params)}
    ranged, rows = select_sql(table, "sqlite", _RANGE, joined=True), select_sql(table, "sqlite", _RANGE)
    return read | {"sql": ranged, "rows_sql": rows, "params": []}


def sqlite_reads() -> list[dict[str, Any]]:
    """SQLite: what summing the stored state reads, table by table (straitlink.audit.sqlite_state's job)."""
    shipped = shipped_agency_ids()
    where = f" WHERE id NOT IN ({', '.join(['?'] * len(shipped))})"
    return [_sqlite_read("agency", where, shipped) if t.name == "agency" else _sqlite_read(t.name) for t in TABLES]


def stored(conn: Connection, part: tuple[int, int] = (0, 1)) -> int:
    """The digest of the stored state: every covered table's rows (on PostgreSQL, part k of n of each table's)."""
    return sum(table_sum(conn, table.name, part) for table in TABLES) % MODULUS


def added(conn: Connection, kind: str, ids: Sequence[str]) -> int:
    """The sum of the elements of these records' rows as stored (for writers whose rows the database shaped)."""
    total = 0
    marker, form = _marker(conn), FORMS[conn.dialect.name]
    cursor = _cursor(conn)
    try:
        for name, key in KIND_TABLES.get(kind, ()):
            for i in range(0, len(ids), _CHUNK):
                chunk = list(ids[i : i + _CHUNK])
                where = f' WHERE "{key}" IN ({", ".join([marker] * len(chunk))})'
                texts = _texts(cursor, select_sql(name, conn.dialect.name, where), chunk)
                if form == JOINED_FORM:
                    texts = _unambiguous(name, texts)
                total += sqlite_state.texts_sum(texts, prefix(name, form))
    finally:
        cursor.close()
    return total


def kinds_and_ids(pairs: Iterable[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    """(kind, ids) for each covered kind among (kind, id) pairs, each id once."""
    by_kind: dict[str, list[str]] = {}
    for kind, record_id in pairs:
        if kind in KIND_TABLES:
            seen = by_kind.setdefault(kind, [])
            seen.append(record_id)
    for kind, ids in by_kind.items():
        yield kind, list(dict.fromkeys(ids))
