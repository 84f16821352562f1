"""A database from before the records' digest, upgraded: `init` takes its records in as they stand, audited, so
`audit verify` passes on it and still names a record edited afterwards (both engines)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, text

from straitlink.audit import rebase
from straitlink.audit.entries import GENESIS, AuditAction, Change, body, link, state_of
from straitlink.audit.verify import verify_stored
from straitlink.domain.errors import Conflict
from straitlink.services.setup import REBASE_ACTOR, init_database
from straitlink.store import migrate

CASE_ID = "c0000000-0000-4000-8000-000000000001"
PERSON_ID = "p0000000-0000-4000-8000-000000000002"
OLD_REVISION = "0003"  # before accounts and markings (0004) and the digest (0006)
PROVENANCE = {"kind": "user", "user": "chen"}


def _old_database(engine: Engine) -> None:
    """Records and entries as the application wrote them before markings and digests: no `state` in any entry."""
    migrate.upgrade(engine, OLD_REVISION)
    common = {"version": 1, "prov_kind": "user", "prov_user": "chen"}
    case = {"id": CASE_ID, "title": "桃園機場K他命案", "kind": "drugs", "joint": True, **common}
    person = {"id": PERSON_ID, "case_id": CASE_ID, "role": "suspect", "caught_in_act": True, **common}
    changes = [
        Change("chen", AuditAction.CREATE, "case", CASE_ID, diff={
            "id": [None, CASE_ID], "title": [None, "桃園機場K他命案"], "kind": [None, "drugs"], "joint": [None, True],
            "provenance": [None, PROVENANCE],
        }),
        Change("chen", AuditAction.CREATE, "person", PERSON_ID, diff={
            "id": [None, PERSON_ID], "case": [None, CASE_ID], "role": [None, "suspect"],
            "caught_in_act": [None, True], "provenance": [None, PROVENANCE],
        }),
    ]  # fmt: skip
    with engine.begin() as conn:
        for table, row in (("legal_case", case), ("person", person)):
            columns = ", ".join(row)
            conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + c for c in row)})"), row)
        prev = GENESIS
        for seq, change in enumerate(changes, start=1):
            entry = body(seq, "2025-01-20T08:00:00.000000Z", change)
            digest = link(prev, entry.encode("utf-8"))
            conn.execute(
                text("INSERT INTO audit_entry (seq, body, prev_hash, hash) VALUES (:seq, :body, :prev, :hash)"),
                {"seq": seq, "body": entry, "prev": prev, "hash": digest},
            )
            prev = digest
        conn.execute(text("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1"), {"seq": 2, "hash": prev})


def _entries(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [json.loads(b) for (b,) in conn.execute(text("SELECT body FROM audit_entry ORDER BY seq"))]


def test_an_upgraded_database_without_the_rebase_fails_verify(empty_engine: Engine) -> None:
    # What the rebase is for: the records have fields (a marking) that no entry of their time could show.
    _old_database(empty_engine)
    migrate.upgrade(empty_engine)
    report = verify_stored(empty_engine)
    assert report.problem is not None and report.problem.record is not None
    assert rebase.needed(empty_engine)


def test_init_takes_the_records_in_as_they_stand_and_verify_passes(empty_engine: Engine) -> None:
    _old_database(empty_engine)
    init_database(empty_engine)
    assert verify_stored(empty_engine).ok
    assert not rebase.needed(empty_engine)
    entries = _entries(empty_engine)
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    # One entry per record whose stored form the old entries did not show, then the rebase entry itself.
    assert [(e["action"], e["kind"], e["record"]) for e in entries[2:]] == [
        ("update", "case", CASE_ID),
        ("update", "person", PERSON_ID),
        ("rebase", rebase.REBASE_KIND, rebase.REBASE_RECORD),
    ]
    assert entries[2]["diff"]["marking"][0] is None and entries[2]["diff"]["marking"][1] is not None
    assert {e["actor"] for e in entries[2:]} == {REBASE_ACTOR}
    assert entries[4]["context"]["from"] == 3 and entries[4]["context"]["records"] == 2
    assert all(state_of(json.dumps(e, ensure_ascii=False, separators=(",", ":"))) for e in entries[2:])
    # Running init again adds nothing.
    init_database(empty_engine)
    assert len(_entries(empty_engine)) == 5


def test_after_the_rebase_an_edit_is_still_found_and_named(empty_engine: Engine) -> None:
    _old_database(empty_engine)
    init_database(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(text("UPDATE person SET role = 'witness' WHERE id = :id"), {"id": PERSON_ID})
    report = verify_stored(empty_engine)
    assert report.problem is not None and report.problem.record == {"kind": "person", "id": PERSON_ID, "field": "role"}


def test_after_the_rebase_an_edit_of_the_audit_table_is_found(empty_engine: Engine) -> None:
    _old_database(empty_engine)
    init_database(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET body = replace(body, 'chen', 'wang') WHERE seq = 1"))
    report = verify_stored(empty_engine)
    assert report.problem is not None and report.problem.seq == 1


def test_a_rebase_refuses_a_broken_chain(empty_engine: Engine) -> None:
    _old_database(empty_engine)
    migrate.upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 1"))
    with pytest.raises(Conflict, match="does not verify"):
        rebase.rebase(empty_engine, actor="admin", reason="test")
    assert rebase.needed(empty_engine)
