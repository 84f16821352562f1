"""`store.driver.insert_many`: the same rows, the same errors, whichever path it takes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from straitlink.store.driver import insert_many
from straitlink.store.tables_exchange import RECEIPTS
from straitlink.store.uow import UnitOfWork


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
