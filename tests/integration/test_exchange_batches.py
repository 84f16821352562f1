"""A batch of messages applied in one transaction: one audit append for the batch, the chain and the records' digest
still verify, and a message that cannot be applied is parked while the rest of its batch is applied."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from test_exchange import RELEASED, Side, direct, intel, make_side, out_statuses, pair

from straitlink.audit import log
from straitlink.audit import state as record_state
from straitlink.audit.entries import AuditAction, Change
from straitlink.audit.verify import verify_stored
from straitlink.exchange import outbox, service
from straitlink.exchange.inbox import waiting_from
from straitlink.exchange.outbox import stage
from straitlink.exchange.service import sync
from straitlink.services import records
from straitlink.services.kinds import kind_named
from straitlink.services.setup import init_database
from straitlink.store import search
from straitlink.store import uow as uow_module
from straitlink.store.db import make_engine
from straitlink.store.driver import insert_many
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


def test_a_batch_is_applied_with_one_audit_append_and_the_log_still_verifies(
    sides: tuple[Side, Side], monkeypatch: pytest.MonkeyPatch
) -> None:
    tw, cn = sides
    ids = [tw.add("intel", intel(f"情資{n}")) for n in range(5)]
    before = audit_entries(cn.engine)
    # The entries go straight to the driver (store.driver.insert_many: SQLite's executemany, PostgreSQL's COPY),
    # out of SQLAlchemy's events: count the inserts where they are made.
    inserts: list[tuple[str, int]] = []

    def counted(conn: Any, table: Any, rows: Any) -> None:
        inserts.append((table.name, len(rows)))
        insert_many(conn, table, rows)

    monkeypatch.setattr(log, "insert_many", counted)
    with statements(cn.engine) as seen:
        report = sync(tw.ex, direct(cn))
    assert report.receipts == {"applied": 5}
    assert inserts == [("audit_entry", 5)]  # the five entries in one statement
    assert seen["INSERT INTO audit_entry"] == 0
    assert seen["UPDATE audit_head SET"] == 1
    assert seen["DELETE FROM search_entry"] == 0  # new records: no search entry to remove before writing theirs
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


def test_a_batch_writes_plain_records_with_core_and_a_later_message_finds_them(
    sides: tuple[Side, Side], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Intel reports in a batch are staged and inserted with one Core INSERT (no ORM object), before the session's
    rows: an outcome later in the same batch, which references one (checked through a repository), is applied;
    their search entries are written, and the digest taken from the values written verifies."""
    tw, cn = sides
    first = tw.add("intel", intel("線索甲"))
    second = tw.add("intel", intel("線索乙"))
    case_id = tw.add("case", {"title": "循線查獲案", "kind": "drugs", "joint": True, "marking": RELEASED})
    outcome_id = tw.add("outcome", {"intel": second, "case": case_id, "note": "循線查獲", "marking": RELEASED})
    stage(tw.engine, tw.ex.identity, tw.ex.peer)
    with UnitOfWork(tw.engine) as uow:
        wires = list(uow.connection.scalars(select(MessageRow.wire).order_by(MessageRow.seq)))
    read: list[tuple[str, list[str]]] = []
    added = record_state.added
    monkeypatch.setattr(
        record_state, "added", lambda conn, kind, ids: read.append((kind, list(ids))) or added(conn, kind, ids)
    )
    inserts: list[tuple[str, int]] = []

    def counted(conn: Any, table: Any, rows: Any) -> None:
        inserts.append((table.name, len(rows)))
        insert_many(conn, table, rows)

    monkeypatch.setattr(uow_module, "insert_many", counted)  # the staged rows go straight to the driver
    receipts = cn.ex.inbox().receive_batch(wires)
    assert [r["receipt"]["status"] for r in receipts] == ["applied"] * 4
    assert [n for name, n in inserts if name == "intel_report"] == [2]  # both intel reports, staged, in one insert
    assert [kind for kind, _ in read] == ["case", "outcome"]  # the intel reports' digest elements not read back
    assert cn.get("outcome", outcome_id).intel == second
    assert cn.get("intel", first).summary == "線索甲"
    with UnitOfWork(cn.engine) as uow:
        entries = dict(uow.connection.execute(select(search.ENTRY.c.record_id, search.ENTRY.c.body)).all())
    assert "線索乙" in entries[second] and "線索甲" in entries[first] and outcome_id in entries
    assert verify_stored(cn.engine).ok


def test_what_is_staged_is_delivered_while_the_rest_is_staged_in_causal_order(
    sides: tuple[Side, Side], monkeypatch: pytest.MonkeyPatch
) -> None:
    """More new events than one stage reads: delivery starts after the first read, beside the staging of the rest,
    and a record's later messages (staged in a later read) still arrive after its first."""
    tw, cn = sides
    monkeypatch.setattr(outbox, "BATCH", 3)  # events per stage read (more than the re-read window, as in use)
    monkeypatch.setattr(outbox, "WINDOW", 2)
    monkeypatch.setattr(service, "STAGE_BATCH", 3)
    ids = [tw.add("intel", intel(f"情資{n}")) for n in range(8)]
    for n in range(2):
        records.update_record(tw.engine, kind_named("intel"), ids[0], {"summary": f"更正{n}"}, principal=tw.officer)
    posted, reads, waited = threading.Event(), [], []
    deliver, stage_once = direct(cn), service.stage

    def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
        posted.set()
        return deliver(url, body)

    def staging(*args: Any, **kwargs: Any) -> Any:
        if reads:  # a later read: the first read's messages are on their way meanwhile
            waited.append(posted.wait(timeout=30))
        reads.append(kwargs["limit"])
        return stage_once(*args, **kwargs)

    monkeypatch.setattr(service, "stage", staging)
    report = sync(tw.ex, post, batch=2, concurrency=2)
    assert report.staged == 10 and report.receipts == {"applied": 10} and not report.errors
    assert out_statuses(tw) == {"applied": 10}
    assert len(reads) > 2 and all(waited)  # delivered while the rest was staged
    assert reads[:2] == [3, 3]  # a batch for each delivery in flight (2 × 2), at most a full read (3)
    assert cn.get("intel", ids[0]).summary == "更正1"  # the corrections applied after their record, in order
    assert [cn.get("intel", i).summary for i in ids[1:]] == [f"情資{n}" for n in range(1, 8)]
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


def test_the_lookup_of_a_waiting_message_reads_the_index_not_every_inbound_message(tmp_path: Path) -> None:
    """After every batch the inbox asks whether anything waits: with the senders named, SQLite answers from the index
    on (direction, peer, status); without them it read every inbound message's entry, a cost growing with the inbox.
    (PostgreSQL's planner chooses by its statistics.)"""
    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    init_database(engine)
    query = waiting_from({"TW"})
    compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
        assert "ix_exchange_message_work (direction=? AND peer=? AND status=?)" in plan, plan
        assert conn.scalar(query) is None
    engine.dispose()


def test_the_first_read_is_small_and_each_read_after_it_doubles(
    sides: tuple[Side, Side], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The peer starts on the first batches at once (a read of one batch per delivery in flight), and deliveries go
    on as each later read is staged, not only once all of them are."""
    tw, cn = sides
    monkeypatch.setattr(outbox, "BATCH", 16)
    monkeypatch.setattr(outbox, "WINDOW", 8)
    monkeypatch.setattr(service, "STAGE_BATCH", 16)
    for n in range(40):
        tw.add("intel", intel(f"情資{n}"))
    reads: list[int] = []
    caught_up: list[bool] = []  # before each later read: was everything staged so far already posted?
    posted, changed = [0], threading.Condition()
    deliver, stage_once = direct(cn), service.stage

    def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = deliver(url, body)
        with changed:
            posted[0] += len(body["messages"])
            changed.notify_all()
        return answer

    def staging(*args: Any, **kwargs: Any) -> Any:
        if reads:
            with changed:
                caught_up.append(changed.wait_for(lambda: posted[0] >= min(sum(reads), 40), timeout=20))
        reads.append(kwargs["limit"])
        return stage_once(*args, **kwargs)

    monkeypatch.setattr(service, "stage", staging)
    report = sync(tw.ex, post, batch=2, concurrency=1)
    assert report.staged == 40 and report.receipts == {"applied": 40} and not report.errors
    assert reads[:4] == [2, 4, 8, 16] and set(reads[4:]) == {16}
    assert caught_up and all(caught_up)  # each read's messages were delivered while the next waited to be read
    assert verify_stored(cn.engine).ok
