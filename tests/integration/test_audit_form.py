"""The records' digest in the form each engine keeps: a PostgreSQL database from before migration 0017 and an
export imported into the other engine verify without an entry added and without losing an edit made before, and a
separator stored behind the application's back cannot make two rows read alike (both engines)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import test_audit_state as base
from principals import officer
from sqlalchemy import Engine, text

from straitlink.audit import form
from straitlink.audit import state as record_state
from straitlink.audit.entries import link
from straitlink.audit.verify import verify_stored
from straitlink.domain.errors import InvalidValue
from straitlink.domain.parties import Party
from straitlink.domain.workflow import Acting, Role
from straitlink.services import records
from straitlink.services import requests as svc
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import FileStore
from straitlink.services.kinds import kind_named
from straitlink.services.setup import init_database
from straitlink.services.transfer import export_database, import_database
from straitlink.store import migrate
from straitlink.store.db import make_engine
from straitlink.store.uow import UnitOfWork

world, sql, first_bad_record = base.world, base.sql, base.first_bad_record  # `world` is a fixture


def _in_form(engine: Engine, source: str) -> None:
    """The log as if its last entry had been written in `source` form: it and the head carry the digest of the
    records as they stand in that form."""
    with engine.begin() as conn:
        digest = form.stored_in(conn, source)
        seq, body, prev = conn.execute(
            text("SELECT seq, body, prev_hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
        ).one()
        body = f'{body[:-66]}{record_state.hex_digest(digest)}"}}'
        hashed = link(bytes(prev), body.encode("utf-8"))
        conn.execute(
            text("UPDATE audit_entry SET body = :b, hash = :h WHERE seq = :s"), {"b": body, "h": hashed, "s": seq}
        )
        conn.execute(
            text("UPDATE audit_head SET hash = :h, state = :state WHERE id = 1"),
            {"h": hashed, "state": digest.to_bytes(32, "big")},
        )


def _other(engine: Engine) -> str:
    return form.other_form(engine.dialect.name)


def _last_entry(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(
            json.loads(conn.execute(text("SELECT body FROM audit_entry ORDER BY seq DESC LIMIT 1")).scalar_one())
        )


def _head_state(engine: Engine) -> str:
    with engine.connect() as conn:
        return bytes(conn.execute(text("SELECT state FROM audit_head")).scalar_one()).hex()


def _stored(engine: Engine) -> str:
    with engine.connect() as conn:
        return record_state.hex_digest(record_state.stored(conn))


def test_a_log_whose_last_digest_is_in_the_other_form_verifies_and_still_finds_an_edit(
    engine: Engine, world: dict[str, str]
) -> None:
    _in_form(engine, _other(engine))
    assert verify_stored(engine).ok
    sql(engine, "UPDATE legal_case SET title = '改' WHERE id = :id", id=world["case"])
    record, _ = first_bad_record(engine)
    assert record == {"kind": "case", "id": world["case"], "field": "title"}


def test_migration_0017_moves_postgresqls_head_to_the_joined_form_and_appends_nothing(
    engine: Engine, world: dict[str, str]
) -> None:
    migrate.downgrade(engine, "0016")
    _in_form(engine, record_state.JSON_FORM)  # as every database kept it before 0017
    before = _last_entry(engine)
    migrate.upgrade(engine)
    assert _last_entry(engine) == before and verify_stored(engine).ok
    assert _head_state(engine) == _stored(engine)  # writers now add their differences in the engine's own form
    records.update_record(engine, kind_named("case"), world["case"], {"title": "新名"}, principal=officer())
    assert verify_stored(engine).ok
    assert _last_entry(engine)["state"] == _stored(engine)


def test_an_edit_made_before_the_upgrade_is_still_found_after_it_and_after_the_next_change(
    engine: Engine, world: dict[str, str]
) -> None:
    migrate.downgrade(engine, "0016")
    _in_form(engine, record_state.JSON_FORM)
    sql(engine, "UPDATE seizure_quantity SET value = 230 WHERE seizure = :id", id=world["seizure"])
    migrate.upgrade(engine)
    record, _ = first_bad_record(engine)
    assert record == {"kind": "seizure", "id": world["seizure"], "field": "quantities"}
    records.update_record(engine, kind_named("case"), world["case"], {"title": "新名"}, principal=officer())
    record, _ = first_bad_record(engine)
    assert record == {"kind": "seizure", "id": world["seizure"], "field": "quantities"}


def test_an_export_imports_into_the_other_engine_unchanged_and_verifies(
    engine: Engine, world: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    files = FileStore(tmp_path / "files")
    with UnitOfWork(engine) as uow:
        exported = export_database(uow, files=files)
    on_sqlite = engine.dialect.name == "postgresql"
    target = make_engine(f"sqlite:///{tmp_path / 'copy.db'}" if on_sqlite else request.getfixturevalue("pg_url"))
    init_database(target)
    copy_files = FileStore(tmp_path / "copy-files")
    with UnitOfWork(target) as uow:
        import_database(uow, exported, actor="importer", files=copy_files)
    assert verify_stored(target).ok and _head_state(target) == _stored(target)
    with UnitOfWork(target) as uow:
        assert export_database(uow, files=copy_files) == exported
    sql(target, "UPDATE legal_case SET title = '改' WHERE id = :id", id=world["case"])
    record, _ = first_bad_record(target)
    assert record == {"kind": "case", "id": world["case"], "field": "title"}
    target.dispose()


@pytest.mark.parametrize("separator", ["\x1d", "\x1e", "\x1f", "\x1f\x1e\x1d"])
def test_a_separator_stored_behind_the_application_is_found(
    engine: Engine, world: dict[str, str], separator: str
) -> None:
    sql(engine, "UPDATE legal_case SET title = title || :sep WHERE id = :id", id=world["case"], sep=separator)
    record, _ = first_bad_record(engine)
    assert record == {"kind": "case", "id": world["case"], "field": "title"}


def test_a_null_turned_into_the_null_mark_is_found(engine: Engine, world: dict[str, str]) -> None:
    # The one value a NULL column's text could be mistaken for: the count of NULL columns tells them apart.
    sql(
        engine,
        "UPDATE legal_case SET summary = :mark WHERE id = :id AND summary IS NULL",
        id=world["case"],
        mark="\x1e",
    )
    assert not verify_stored(engine).ok


def test_a_step_whose_text_holds_a_separator_is_refused_and_nothing_is_written(
    engine: Engine, world: dict[str, str], tmp_path: Path
) -> None:
    desk = svc.Desk(
        engine, Party.TW, FileStore(tmp_path / "f"), load_rules(), calendars(), today=lambda: date(2025, 6, 30)
    )
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM request_transition")).scalar_one()
    step = svc.StepInput(on=date(2025, 1, 24), text="收\x1f文")
    with pytest.raises(InvalidValue) as info:
        svc.transition_request(
            desk, world["request"], svc.RequestStatus.WITHDRAWN, step, principal=officer(),
            acting=Acting(Party.TW, Role.REQUESTING_SIDE),
        )  # fmt: skip
    assert info.value.field == "text" and "U+001F" in info.value.message
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM request_transition")).scalar_one() == before
    assert verify_stored(engine).ok
