"""The hash-chained audit log: its canonical form, and every kind of tampering with raw SQL on both engines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from principals import officer
from sqlalchemy import Engine, text

from straitlink.audit import checkpoint as cp
from straitlink.audit import log
from straitlink.audit.entries import GENESIS, AuditAction, Change, body, diff, link
from straitlink.audit.verify import verify_stored
from straitlink.domain.errors import MissingField
from straitlink.services import records
from straitlink.services.kinds import kind_named
from straitlink.store.uow import UnitOfWork

ENTRIES = 6


def test_the_body_is_canonical_json_in_a_fixed_key_order() -> None:
    change = Change("官員甲", AuditAction.UPDATE, "request", "r-1", {"z": [1, 2], "a": [None, "乙"]}, {"k": True})
    text_ = body(7, "2025-01-27T00:00:00.000000Z", change)
    expected = {
        "seq": 7,
        "at": "2025-01-27T00:00:00.000000Z",
        "actor": "官員甲",
        "action": "update",
        "kind": "request",
        "record": "r-1",
        "diff": {"a": [None, "乙"], "z": [1, 2]},
        "context": {"k": True},
    }
    assert text_ == json.dumps(expected, separators=(",", ":"), ensure_ascii=False)
    assert list(json.loads(text_)) == list(expected)
    assert link(GENESIS, text_.encode()) != link(b"\x01" * 32, text_.encode())


def test_every_entry_names_its_actor_and_record() -> None:
    for blank in ({"actor": " "}, {"record_id": ""}):
        with pytest.raises(MissingField):
            Change(**{"actor": "a", "action": AuditAction.READ, "kind": "request", "record_id": "r", **blank})  # type: ignore[arg-type]
    awkward = Change('名"字\\', AuditAction.READ, "request", "r\n1")
    assert json.loads(body(1, "t", awkward))["actor"] == '名"字\\'


def test_diff_lists_changed_fields_only() -> None:
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}
    assert diff(None, {"a": 1}) == {"a": [None, 1]}


@pytest.fixture
def logged(engine: Engine) -> Engine:
    """A database with ENTRIES audit entries, one per added case."""
    for i in range(ENTRIES):
        with UnitOfWork(engine):
            records.add_record(
                engine, kind_named("case"), {"title": f"案{i}", "kind": "drugs", "joint": True}, principal=officer("o")
            )
    assert verify_stored(engine).ok
    return engine


def sql(engine: Engine, statement: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def row(engine: Engine, seq: int) -> dict[str, object]:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT * FROM audit_entry WHERE seq = :s"), {"s": seq}).mappings().one()
    return dict(found)


def insert(engine: Engine, values: dict[str, object]) -> None:
    sql(
        engine, "INSERT INTO audit_entry (seq, body, prev_hash, hash) VALUES (:seq, :body, :prev_hash, :hash)", **values
    )


def forged(after: dict[str, object], seq: int) -> dict[str, object]:
    """An entry a forger who knows the format would write after `after`."""
    text_ = body(seq, json.loads(str(after["body"]))["at"], Change("intruder", AuditAction.DELETE, "case", "x"))
    prev = bytes(after["hash"])  # type: ignore[arg-type]
    return {"seq": seq, "body": text_, "prev_hash": prev, "hash": link(prev, text_.encode())}


def shift(engine: Engine, from_seq: int, by: int) -> None:
    # Two moves, so no two rows ever share a seq on the way.
    sql(engine, "UPDATE audit_entry SET seq = seq + 1000 WHERE seq >= :s", s=from_seq)
    sql(engine, "UPDATE audit_entry SET seq = seq - 1000 + :by WHERE seq >= :s", s=from_seq + 1000, by=by)


def first_bad(engine: Engine) -> tuple[int, str]:
    report = verify_stored(engine)
    assert report.problem is not None, "tampering went unnoticed"
    return report.problem.seq, report.problem.reason


def test_an_altered_body_is_found(logged: Engine) -> None:
    original = str(row(logged, 3)["body"])
    sql(logged, "UPDATE audit_entry SET body = :b WHERE seq = 3", b=original.replace("案2", "案X"))
    assert first_bad(logged) == (3, "entry 3 does not match its hash (altered)")


@pytest.mark.parametrize("column", ["prev_hash", "hash"])
def test_an_altered_hash_is_found(logged: Engine, column: str) -> None:
    sql(logged, f"UPDATE audit_entry SET {column} = :h WHERE seq = 4", h=b"\x01" * 32)
    assert first_bad(logged)[0] == 4


def test_the_record_index_cannot_disagree_with_the_body(logged: Engine) -> None:
    with UnitOfWork(logged) as uow:
        (entry,) = log.entries(uow, limit=1)
        assert [e.seq for e in log.entries(uow, record_id=entry.record_id)] == [entry.seq]
    # Rewriting the record a body names is an altered body: the hash no longer matches.
    original = str(row(logged, entry.seq)["body"])
    sql(
        logged,
        "UPDATE audit_entry SET body = :b WHERE seq = :s",
        b=original.replace(entry.record_id, "hidden"),
        s=entry.seq,
    )
    assert first_bad(logged) == (entry.seq, f"entry {entry.seq} does not match its hash (altered)")


@pytest.mark.parametrize("damage", ["none", "delete 3", "delete 4", "alter 5", "swap 3 4"])
def test_checking_in_parallel_ranges_finds_the_same(logged: Engine, damage: str) -> None:
    if damage.startswith("delete"):
        sql(logged, "DELETE FROM audit_entry WHERE seq = :s", s=int(damage.split()[1]))
    elif damage.startswith("alter"):
        sql(logged, "UPDATE audit_entry SET body = body || ' ' WHERE seq = 5")
    elif damage.startswith("swap"):
        sql(logged, "UPDATE audit_entry SET seq = 100 WHERE seq = 3")
        sql(logged, "UPDATE audit_entry SET seq = 3 WHERE seq = 4")
        sql(logged, "UPDATE audit_entry SET seq = 4 WHERE seq = 100")
    alone, parallel = verify_stored(logged, workers=1), verify_stored(logged, workers=2)
    assert parallel.workers == 2  # ranges 1–3 and 4–6: the damage sits at or next to their boundary
    assert (parallel.ok, parallel.last_seq, parallel.last_hash) == (alone.ok, alone.last_seq, alone.last_hash)
    assert (parallel.problem and parallel.problem.seq) == (alone.problem and alone.problem.seq)


def test_a_removed_entry_is_found(logged: Engine) -> None:
    sql(logged, "DELETE FROM audit_entry WHERE seq = 3")
    assert first_bad(logged) == (3, "entry 3 is missing: the log goes from 2 to 4 (removed)")


def test_removing_the_last_entry_is_found(logged: Engine) -> None:
    sql(logged, "DELETE FROM audit_entry WHERE seq = :s", s=ENTRIES)
    seq, reason = first_bad(logged)
    assert seq == ENTRIES and "head records" in reason


def test_removing_the_first_entries_is_found(logged: Engine) -> None:
    sql(logged, "DELETE FROM audit_entry WHERE seq <= 2")
    assert first_bad(logged)[0] == 1


def test_an_entry_appended_behind_the_applications_back_is_found(logged: Engine) -> None:
    insert(logged, forged(row(logged, ENTRIES), ENTRIES + 1))
    assert first_bad(logged) == (ENTRIES + 1, f"entry {ENTRIES + 1} is beyond the chain head (inserted)")


def test_an_entry_inserted_in_the_middle_is_found(logged: Engine) -> None:
    shift(logged, 4, 1)
    insert(logged, forged(row(logged, 3), 4))
    seq, reason = first_bad(logged)
    assert seq == 5 and "does not link" in reason  # the forged entry links to 3; the next one does not link to it


def test_reordered_entries_are_found(logged: Engine) -> None:
    sql(logged, "UPDATE audit_entry SET seq = 100 WHERE seq = 2")
    sql(logged, "UPDATE audit_entry SET seq = 2 WHERE seq = 3")
    sql(logged, "UPDATE audit_entry SET seq = 3 WHERE seq = 100")
    seq, reason = first_bad(logged)
    assert seq == 2 and "does not link" in reason


def test_an_altered_head_is_found(logged: Engine) -> None:
    sql(logged, "UPDATE audit_head SET hash = :h", h=b"\x07" * 32)
    assert first_bad(logged) == (ENTRIES, f"the chain head does not match entry {ENTRIES} (altered)")


def test_a_rewritten_chain_passes_alone_but_not_against_a_signed_checkpoint(logged: Engine, tmp_path: Path) -> None:
    private, public = cp.generate_key()
    report = verify_stored(logged)
    signed = cp.check(cp.sign(report.last_seq, report.last_hash, private, party="TW"), public)
    # The forger rewrites entry 2 and recomputes every later hash and the head: the chain alone looks whole.
    prev = bytes(row(logged, 1)["hash"])  # type: ignore[arg-type]
    for seq in range(2, ENTRIES + 1):
        old = row(logged, seq)
        text_ = str(old["body"]).replace("案1", "案Z") if seq == 2 else str(old["body"])
        digest = link(prev, text_.encode())
        rewrite = "UPDATE audit_entry SET body = :b, prev_hash = :p, hash = :h WHERE seq = :s"
        sql(logged, rewrite, b=text_, p=prev, h=digest, s=seq)
        prev = digest
    sql(logged, "UPDATE audit_head SET hash = :h", h=prev)
    assert verify_stored(logged).ok
    problem = verify_stored(logged, checkpoint=(signed.seq, signed.hash)).problem
    assert problem is not None and problem.seq == ENTRIES and "checkpoint" in problem.reason


def test_checkpoints_are_checked_against_the_trusted_key(logged: Engine, tmp_path: Path) -> None:
    private, public = cp.generate_key()
    _, other_public = cp.generate_key()
    report = verify_stored(logged)
    document = cp.sign(report.last_seq, report.last_hash, private, party="TW")
    assert cp.check(document, public).seq == ENTRIES
    with pytest.raises(cp.CheckpointInvalid):
        cp.check(document, other_public)
    with pytest.raises(cp.CheckpointInvalid):
        cp.check({**document, "seq": ENTRIES + 1}, public)
    with pytest.raises(cp.CheckpointInvalid):
        cp.check({"format": "something else"}, public)


def test_archiving_through_a_checkpoint(logged: Engine, tmp_path: Path) -> None:
    private, public = cp.generate_key()
    with UnitOfWork(logged) as uow:
        assert log.head(uow)[0] == ENTRIES
    report = verify_stored(logged)
    # Archive entries 1..4 with a checkpoint of entry 4, then remove them from the database as the operator would.
    with logged.connect() as conn:
        seq4 = bytes(conn.execute(text("SELECT hash FROM audit_entry WHERE seq = 4")).scalar_one())
    signed = cp.check(cp.sign(4, seq4, private, party="TW"), public)
    archive = tmp_path / "audit-1-4.jsonl"
    with logged.connect() as conn, archive.open("w", encoding="utf-8") as fh:
        assert cp.export_archive(conn, 4, fh) == 4
    assert cp.verify_archive(archive, checkpoint=signed).ok
    sql(logged, "DELETE FROM audit_entry WHERE seq <= 4")
    assert verify_stored(logged, checkpoint=(signed.seq, signed.hash)).ok
    assert not verify_stored(logged).ok  # without the checkpoint, entry 1 is missing
    assert verify_stored(logged, checkpoint=(signed.seq, signed.hash)).last_hash == report.last_hash
    # An archive cut short or edited does not match its checkpoint.
    lines = archive.read_text(encoding="utf-8").splitlines()
    (tmp_path / "short.jsonl").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    assert not cp.verify_archive(tmp_path / "short.jsonl", checkpoint=signed).ok
    (tmp_path / "edited.jsonl").write_text("\n".join(lines).replace("案0", "案Q") + "\n", encoding="utf-8")
    assert cp.verify_archive(tmp_path / "edited.jsonl").problem is not None
