"""The verifier's fast path (ranges aggregated by the database) finds what the entry-by-entry walk finds, on both
engines, with the damage inside a range and across the boundary between two ranges."""

from __future__ import annotations

import dataclasses

import pytest
from principals import officer
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from straitlink.audit import bulk, verify
from straitlink.audit.entries import GENESIS
from straitlink.audit.verify import Report, stored_rows, verify_stored, walk
from straitlink.services import records
from straitlink.services.kinds import kind_named
from straitlink.store.uow import UnitOfWork

ENTRIES = 12
SPAN = 4  # ranges 1–4, 5–8, 9–12: entries 4 and 5 sit on either side of a boundary


@pytest.fixture
def logged(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    for i in range(ENTRIES):
        with UnitOfWork(engine):
            records.add_record(
                engine, kind_named("case"), {"title": f"案{i}", "kind": "drugs", "joint": True}, principal=officer("o")
            )
    monkeypatch.setattr(bulk, "SPAN", dict.fromkeys(bulk.SPAN, SPAN))
    return engine


def sql(engine: Engine, statement: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def one_by_one(engine: Engine) -> tuple[int, bytes, int, verify.Problem | None]:
    """The reference: the entry-by-entry walk over every stored entry."""
    with engine.connect() as conn:
        return walk(stored_rows(conn), start_seq=1, start_hash=GENESIS)


def fast(engine: Engine) -> Report:
    report = verify_stored(engine, workers=1)
    last, digest, count, problem = one_by_one(engine)
    assert (report.last_seq, report.last_hash, report.checked) == (last, digest, count)
    if problem is not None:
        assert report.problem == problem
    return report


def test_an_intact_log_is_vouched_for_range_by_range_without_the_slow_walk(
    logged: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_slow_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("an intact range was walked entry by entry")

    monkeypatch.setattr(verify, "stored_rows", no_slow_walk)
    report = verify_stored(logged, workers=1)
    assert report.ok and report.checked == ENTRIES
    with logged.connect() as conn:
        assert bytes(
            conn.execute(text("SELECT hash FROM audit_entry WHERE seq = :s"), {"s": ENTRIES}).scalar_one()
        ) == (report.last_hash)


@pytest.mark.parametrize(
    ("damage", "first_bad"),
    [
        ("UPDATE audit_entry SET body = body || ' ' WHERE seq = 2", 2),  # inside the first range
        ("UPDATE audit_entry SET body = body || ' ' WHERE seq = 4", 4),  # last of a range
        ("UPDATE audit_entry SET hash = :junk WHERE seq = 4", 4),  # its hash: the next range's first entry links to it
        ("UPDATE audit_entry SET prev_hash = :junk WHERE seq = 5", 5),  # first of a range
        ("UPDATE audit_entry SET prev_hash = :junk WHERE seq = 7", 7),
        ("DELETE FROM audit_entry WHERE seq = 5", 5),
        ("DELETE FROM audit_entry WHERE seq = 6", 6),
        ("DELETE FROM audit_entry WHERE seq >= 11", 11),
    ],
)
def test_damage_inside_a_range_and_at_its_boundary_is_named_as_the_slow_walk_names_it(
    logged: Engine, damage: str, first_bad: int
) -> None:
    sql(logged, damage, junk=b"\x01" * 32)
    report = fast(logged)
    assert report.problem is not None and report.problem.seq == first_bad


@pytest.mark.parametrize(("a", "b"), [(2, 3), (4, 5), (8, 9)])
def test_entries_swapped_inside_a_range_or_across_a_boundary_are_found(logged: Engine, a: int, b: int) -> None:
    sql(logged, "UPDATE audit_entry SET seq = 100 WHERE seq = :a", a=a)
    sql(logged, "UPDATE audit_entry SET seq = :a WHERE seq = :b", a=a, b=b)
    sql(logged, "UPDATE audit_entry SET seq = :b WHERE seq = 100", b=b)
    report = fast(logged)
    assert report.problem is not None and report.problem.seq == a and "does not link" in report.problem.reason


def test_hashes_cut_apart_elsewhere_are_not_taken_for_whole_ones(logged: Engine) -> None:
    # Entry 4's hash one byte shorter and entry 5's previous hash one byte longer: the concatenation is unchanged.
    with logged.connect() as conn:
        h4 = bytes(conn.execute(text("SELECT hash FROM audit_entry WHERE seq = 4")).scalar_one())
    sql(logged, "UPDATE audit_entry SET hash = :h WHERE seq = 4", h=h4[:31])
    sql(logged, "UPDATE audit_entry SET prev_hash = :h WHERE seq = 5", h=h4[31:] + h4)
    report = fast(logged)
    assert report.problem is not None and report.problem.seq == 4


def test_a_body_holding_a_newline_is_checked_entry_by_entry(logged: Engine) -> None:
    # Canonical bodies never hold a raw newline; one that does must not shift the bodies after it.
    with logged.connect() as conn:
        body = str(conn.execute(text("SELECT body FROM audit_entry WHERE seq = 6")).scalar_one())
    sql(logged, "UPDATE audit_entry SET body = :b WHERE seq = 6", b=body.replace(",", ",\n", 1))  # still JSON
    report = fast(logged)
    assert report.problem is not None and report.problem.seq == 6 and "altered" in report.problem.reason


def test_a_signed_checkpoint_inside_a_range_is_compared(logged: Engine) -> None:
    report = verify_stored(logged, checkpoint=(6, b"\x02" * 32), workers=1)
    assert report.problem is not None and report.problem.seq == 6 and "checkpoint" in report.problem.reason
    with logged.connect() as conn:
        h6 = bytes(conn.execute(text("SELECT hash FROM audit_entry WHERE seq = 6")).scalar_one())
    assert verify_stored(logged, checkpoint=(6, h6), workers=1).ok


def test_ranges_in_parallel_processes_use_the_fast_path_too(logged: Engine) -> None:
    sql(logged, "UPDATE audit_entry SET body = body || ' ' WHERE seq = 10")
    parallel = verify_stored(logged, workers=2)
    assert parallel.workers == 2 and parallel.problem is not None and parallel.problem.seq == 10


def test_a_range_the_database_reports_out_of_order_is_not_vouched_for(logged: Engine) -> None:
    with logged.connect() as conn:
        (batch,) = list(bulk.batches(logged, 1, 4))
        rows = [r for chunk in stored_rows(conn, first=1, last=4) for r in chunk]
    assert bulk.vouch(batch, GENESIS, {}) == bytes(rows[-1][2])
    if isinstance(batch, bulk.Checked):  # PostgreSQL: the server's verdict on the range
        for short in (
            dataclasses.replace(batch, count=3),
            dataclasses.replace(batch, high=3),
            dataclasses.replace(batch, bad=1),
            dataclasses.replace(batch, linked=False),
            dataclasses.replace(batch, first_prev=b"\x01" * 32),
            dataclasses.replace(batch, last_hash=None),
        ):
            assert bulk.vouch(short, GENESIS, {}) is None
        assert bulk.vouch(batch, GENESIS, {2: bytes(rows[1][2])}) is None  # the hash of entry 2 was not sent
        return
    assert batch.bodies is not None
    first, second, *rest = batch.bodies.split(b"\n")
    shuffled = dataclasses.replace(batch, bodies=b"\n".join([second, first, *rest]))
    assert bulk.vouch(shuffled, GENESIS, {}) is None
    for short in (
        dataclasses.replace(batch, count=3),
        dataclasses.replace(batch, high=3),
        dataclasses.replace(batch, malformed=1),
    ):
        assert bulk.vouch(short, GENESIS, {}) is None
    assert bulk.vouch(bulk.Batch(1, 4, 0, None, None, 0, None, None), GENESIS, {}) is None


def test_a_signed_checkpoints_hash_is_sent_with_its_range(logged: Engine) -> None:
    with logged.connect() as conn:
        h6 = bytes(conn.execute(text("SELECT hash FROM audit_entry WHERE seq = 6")).scalar_one())
    (batch,) = list(bulk.batches(logged, 5, 8, known=[6]))
    with logged.connect() as conn:
        prev = bytes(conn.execute(text("SELECT prev_hash FROM audit_entry WHERE seq = 5")).scalar_one())
    assert bulk.vouch(batch, prev, {6: h6}) is not None
    assert bulk.vouch(batch, prev, {6: b"\x02" * 32}) is None


def test_a_seq_that_is_not_an_integer_is_not_taken_for_the_entry_it_replaces(logged: Engine) -> None:
    # SQLite's BIGINT key holds 5.5 as it is: the range 5–8 then holds four rows, one of them not entry 5.
    if logged.dialect.name == "sqlite":
        sql(logged, "UPDATE audit_entry SET seq = 5.5 WHERE seq = 5")
        report = fast(logged)
        assert report.problem is not None and report.problem.seq == 5
    else:  # PostgreSQL's bigint cannot hold it at all
        with pytest.raises(DBAPIError):
            sql(logged, "UPDATE audit_entry SET seq = CAST('5.5' AS text)::bigint WHERE seq = 5")
