"""`store.driver.insert_many`: the same rows, the same errors, whichever path it takes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, Table, insert, select, text
from sqlalchemy.exc import IntegrityError

from straitlink.store.driver import insert_many
from straitlink.store.tables import IntelReportRow
from straitlink.store.tables_exchange import RECEIPTS
from straitlink.store.tables_search import SearchEntryRow
from straitlink.store.tables_workflow import AuditEntryRow
from straitlink.store.uow import UnitOfWork

ENTRY: Table = AuditEntryRow.__table__  # type: ignore[assignment]
SEARCH: Table = SearchEntryRow.__table__  # type: ignore[assignment]
INTEL: Table = IntelReportRow.__table__  # type: ignore[assignment]


def _receipt(i: str, **extra: Any) -> dict[str, Any]:
    row = {
        "id": i,
        "direction": "given",
        "message_id": f"m{i}",
        "digest": "d" * 64,
        "status": "applied",
        "reason": None,
        "wire": {"receipt": {"id": i, "text": "收據"}, "signature": "s"},
        "refused": None,
        "created_at": "2026-12-07T00:00:00+00:00",
    }
    return row | extra


def test_rows_stored_as_sqlalchemy_would(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        insert_many(uow.connection, RECEIPTS, [_receipt("a"), _receipt("b", reason="why")])
        uow.commit()
    with UnitOfWork(engine) as uow:
        rows = {r.id: r for r in uow.connection.execute(select(RECEIPTS).order_by(RECEIPTS.c.id))}
    assert rows["a"].wire == {"receipt": {"id": "a", "text": "收據"}, "signature": "s"}
    assert rows["a"].refused is None and rows["b"].reason == "why"


def test_incomplete_rows_go_through_sqlalchemy(engine: Engine) -> None:
    row = _receipt("c")
    del row["refused"]  # left to the column's default
    with UnitOfWork(engine) as uow:
        insert_many(uow.connection, RECEIPTS, [row])
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.connection.scalar(select(RECEIPTS.c.id).where(RECEIPTS.c.id == "c")) == "c"


def test_duplicate_key_is_sqlalchemys_integrity_error(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        insert_many(uow.connection, RECEIPTS, [_receipt("d")])
        uow.commit()
    with UnitOfWork(engine) as uow, pytest.raises(IntegrityError):
        insert_many(uow.connection, RECEIPTS, [_receipt("e"), _receipt("d")])
    with UnitOfWork(engine) as uow:  # the failed batch left nothing behind
        assert uow.connection.scalar(select(RECEIPTS.c.id).where(RECEIPTS.c.id == "e")) is None


TRICKY = "tab\there, newline\nthere, backslash \\ and \\N, 收據, quote ' \" end"


def _stored(engine: Engine, table: Any, where: Any) -> list[dict[str, Any]]:
    with UnitOfWork(engine) as uow:
        return [dict(r._mapping) for r in uow.connection.execute(select(table).where(where))]


def test_every_kind_of_value_stored_as_sqlalchemy_stores_it(engine: Engine) -> None:
    """Text with COPY's special characters, JSON (its None too), bytes, booleans, integers and NULLs: each path
    (SQLite's executemany, PostgreSQL's COPY) stores what an INSERT through SQLAlchemy does."""
    hashes = {"prev_hash": b"\x00\\\t\n\xff" * 4, "hash": bytes(range(32))}
    body = json.dumps({"note": TRICKY}, ensure_ascii=False)  # an entry's body is JSON text
    ours, theirs = [{"seq": 1, "body": body, **hashes}], [{"seq": 2, "body": body, **hashes}]
    wire = {"text": TRICKY, "list": [1, 2.5, None, True]}
    with UnitOfWork(engine) as uow:
        insert_many(uow.connection, ENTRY, ours)
        uow.connection.execute(insert(ENTRY), theirs)
        insert_many(uow.connection, RECEIPTS, [_receipt("j1", reason=TRICKY, wire=wire, refused=[TRICKY])])
        uow.connection.execute(insert(RECEIPTS), [_receipt("j2", reason=TRICKY, wire=wire, refused=[TRICKY])])
        uow.commit()
    a, b = _stored(engine, ENTRY, ENTRY.c.seq.in_([1, 2]))
    assert {**a, "seq": 0} == {**b, "seq": 0}
    a, b = _stored(engine, RECEIPTS, RECEIPTS.c.id.in_(["j1", "j2"]))
    same = {"id": "", "message_id": ""}
    assert {**a, **same} == {**b, **same} and a["wire"] == wire


def test_a_json_none_is_stored_as_sqlalchemy_stores_it(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        insert_many(uow.connection, RECEIPTS, [_receipt("n1")])
        uow.connection.execute(insert(RECEIPTS), [_receipt("n2")])
        uow.commit()
    with UnitOfWork(engine) as uow:
        kinds = uow.connection.execute(
            text("SELECT id, refused IS NULL FROM exchange_receipt WHERE id IN ('n1', 'n2') ORDER BY id")
        ).all()
    assert [k for _, k in kinds] == [False, False]  # JSON null, not SQL NULL, either way


def test_a_column_left_out_gets_the_databases_default(engine: Engine) -> None:
    """Rows without the serial id: the database numbers them, in the rows' order, as an INSERT would."""
    rows = [
        {"kind": "intel", "record_id": f"r{i}", "label": TRICKY, "body": TRICKY, "terms": "甲 乙"} for i in range(3)
    ]
    with UnitOfWork(engine) as uow:
        insert_many(uow.connection, SEARCH, rows)
        uow.commit()
    stored = sorted(_stored(engine, SEARCH, SEARCH.c.record_id.in_(["r0", "r1", "r2"])), key=lambda r: r["id"])
    assert [r["record_id"] for r in stored] == ["r0", "r1", "r2"]
    assert all(r["label"] == TRICKY for r in stored)


def test_a_column_with_a_python_default_left_out_gets_it(engine: Engine) -> None:
    """`version` has SQLAlchemy's default (1): only `conn.execute` applies it, so such rows go there."""
    values = {
        "id": "i1",
        "provider_party": "TW",
        "recipient_party": "CN",
        "summary": TRICKY,
        "prov_kind": "synthetic",
        "prov_generator": "test",
        "classification": "restricted",
        "handling": "H0",
        "releasable": False,
        "publishable": False,
    }
    with UnitOfWork(engine) as uow:
        insert_many(uow.connection, INTEL, [values])
        uow.commit()
    assert _stored(engine, INTEL, INTEL.c.id == "i1")[0]["version"] == 1
