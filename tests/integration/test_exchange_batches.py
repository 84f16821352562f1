"""A batch of messages applied in one transaction: one audit append for the batch, the chain and the records' digest
still verify, and a message that cannot be applied is parked while the rest of its batch is applied."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from test_exchange import Side, direct, intel, make_side, out_statuses, pair

from straitlink.audit import log
from straitlink.audit.entries import AuditAction, Change
from straitlink.audit.verify import verify_stored
from straitlink.exchange.outbox import stage
from straitlink.exchange.service import sync
from straitlink.services import records
from straitlink.services.kinds import kind_named
from straitlink.store.db import make_engine
from straitlink.store.tables_exchange import MessageRow
from straitlink.store.tables_workflow import AuditEntryRow
from straitlink.store.uow import UnitOfWork

pytestmark = pytest.mark.pg


@pytest.fixture
def sides(engine: Engine, tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    """TW on SQLite, CN on each engine, each knowing the other (as in test_exchange)."""
    tw_engine = make_engine(f"sqlite:///{tmp_path / 'tw.db'}")
    tw, cn = make_side("TW", tw_engine, tmp_path / "tw"), make_side("CN", engine, tmp_path / "cn")
    pair(tw, cn)
    yield tw, cn
    tw_engine.dispose()


@contextmanager
def statements(engine: Engine) -> Iterator[Counter[str]]:
    """Count the statements run on `engine` by their first words."""
    seen: Counter[str] = Counter()

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen[" ".join(statement.split()[:3])] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def audit_entries(engine: Engine) -> int:
    with UnitOfWork(engine) as uow:
        return int(uow.connection.scalar(select(func.count()).select_from(AuditEntryRow)) or 0)


def test_a_batch_is_applied_with_one_audit_append_and_the_log_still_verifies(sides: tuple[Side, Side]) -> None:
    tw, cn = sides
    ids = [tw.add("intel", intel(f"情資{n}")) for n in range(5)]
    before = audit_entries(cn.engine)
    with statements(cn.engine) as seen:
        report = sync(tw.ex, direct(cn))
    assert report.receipts == {"applied": 5}
    assert seen["INSERT INTO audit_entry"] == 1  # the five entries in one statement
    assert seen["UPDATE audit_head SET"] == 1
    assert audit_entries(cn.engine) == before + 5
    with UnitOfWork(cn.engine) as uow:
        for rid in ids:
            assert [e.action for e in log.entries(uow, record_id=rid)] == ["create"]
    assert verify_stored(cn.engine).ok


def test_a_message_that_cannot_be_applied_is_parked_and_the_rest_of_its_batch_applied(
    sides: tuple[Side, Side],
) -> None:
    tw, cn = sides
    ids = [tw.add("intel", intel(f"情資{n}")) for n in range(4)]
    cn.add("intel", {**intel("手動"), "id": ids[2]})  # CN already holds one of them: its create cannot apply
    report = sync(tw.ex, direct(cn))
    assert report.receipts == {"applied": 3, "parked": 1}
    assert out_statuses(tw) == {"applied": 3, "parked": 1}
    assert [cn.get("intel", rid).summary for rid in ids] == ["情資0", "情資1", "手動", "情資3"]
    assert verify_stored(cn.engine).ok


def test_a_record_and_its_corrections_in_one_package_apply_in_order(sides: tuple[Side, Side]) -> None:
    tw, cn = sides
    rid = tw.add("intel", intel("初報"))
    other = tw.add("intel", intel("另案"))
    for n in range(2):
        records.update_record(tw.engine, kind_named("intel"), rid, {"summary": f"更正{n}"}, principal=tw.officer)
    stage(tw.engine, tw.ex.identity, tw.ex.peer)
    with UnitOfWork(tw.engine) as uow:
        wires = list(uow.connection.scalars(select(MessageRow.wire).order_by(MessageRow.seq)))
    receipts = cn.ex.inbox().receive_batch(wires)  # as an offline package brings them: one record's messages together
    assert [r["receipt"]["status"] for r in receipts] == ["applied"] * 4
    assert cn.get("intel", rid).summary == "更正1"
    assert cn.get("intel", other).summary == "另案"
    assert verify_stored(cn.engine).ok


def test_a_deferred_append_refuses_a_second_change_to_the_same_record(engine: Engine) -> None:
    first = Change("peer-TW", AuditAction.CREATE, "intel", "INT-1", {"summary": [None, "a"]})
    again = Change("peer-TW", AuditAction.UPDATE, "intel", "INT-1", {"summary": ["a", "b"]})
    with UnitOfWork(engine) as uow:
        log.defer(uow)
        head = log.lock(uow)
        assert log.append(uow, head, [first], delta=0) == head.seq + 1  # the number its entry will get
        with pytest.raises(log.Overlap):
            log.append(uow, head, [again], delta=0)
