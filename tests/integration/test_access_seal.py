"""The access log is sealed into the audit chain in batches; a sealed row edited, deleted or added is caught."""

from __future__ import annotations

import pytest
from principals import officer
from sqlalchemy import Engine, text

from straitlink.audit.seal import check_seals, seal
from straitlink.audit.verify import verify_stored
from straitlink.services import records
from straitlink.services.access import access_entries
from straitlink.services.kinds import kind_named

CASE = kind_named("case")


def _reads(engine: Engine, n: int) -> str:
    case = records.add_record(engine, CASE, {"title": "A", "kind": "drugs", "joint": True}, principal=officer())
    for _ in range(n):
        records.get_record(engine, CASE, case.id, principal=officer("reader"))
    return case.id


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE access_log SET username = 'someone-else' WHERE id = 2",
        "DELETE FROM access_log WHERE id = 2",
        "UPDATE access_log SET sealed_by = NULL WHERE id = 3",
    ],
)
def test_a_sealed_row_changed_is_named_by_its_seal(engine: Engine, tamper: str) -> None:
    _reads(engine, 3)
    done = seal(engine)
    assert (done.count, done.first, done.last) == (3, 1, 3)
    assert seal(engine).seq is None  # nothing new to seal
    assert verify_stored(engine).ok and check_seals(engine) == []
    with engine.begin() as conn:
        conn.execute(text(tamper))
    (problem,) = check_seals(engine)
    assert problem.seq == done.seq
    assert verify_stored(engine).ok  # the chain itself is intact: only the seal tells


def test_reads_after_a_seal_wait_for_the_next(engine: Engine) -> None:
    rid = _reads(engine, 2)
    first = seal(engine)
    records.get_record(engine, CASE, rid, principal=officer("late"))
    second = seal(engine)
    assert (second.count, second.first) == (1, (first.last or 0) + 1)
    assert [e.username for e in access_entries(engine, record_id=rid)] == ["reader", "reader", "late"]
    assert check_seals(engine) == []
