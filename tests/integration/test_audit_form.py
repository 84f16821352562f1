"""The records' digest in its second canonical form: a database or an export whose entries carry the first form's
digest is moved on without losing an edit made before, and a separator stored behind the application's back cannot
make two rows read alike (both engines)."""

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
from straitlink.services import requests as svc
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import FileStore
from straitlink.services.setup import init_database
from straitlink.services.transfer import export_database, import_database
from straitlink.store import migrate
from straitlink.store.db import make_engine
from straitlink.store.uow import UnitOfWork

world, sql, first_bad_record = base.world, base.sql, base.first_bad_record  # `world` is a fixture


def _as_before_the_form(engine: Engine) -> None:
    """The log as StraitLink left it before migration 0017: the last entry and the head carry the first form's
    digest of the records as they stand."""
    with engine.begin() as conn:
        legacy = form.legacy_stored(conn)
        seq, body, prev = conn.execute(
            text("SELECT seq, body, prev_hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
        ).one()
        body = f'{body[:-66]}{record_state.hex_digest(legacy)}"}}'
        digest = link(bytes(prev), body.encode("utf-8"))
        conn.execute(
            text("UPDATE audit_entry SET body = :b, hash = :h WHERE seq = :s"), {"b": body, "h": digest, "s": seq}
        )
        conn.execute(
            text("UPDATE audit_head SET hash = :h, state = :state WHERE id = 1"),
            {"h": digest, "state": legacy.to_bytes(32, "big")},
        )
    migrate.downgrade(engine, "0016")


def _last_entry(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(
            json.loads(conn.execute(text("SELECT body FROM audit_entry ORDER BY seq DESC LIMIT 1")).scalar_one())
        )


def test_the_upgrade_moves_the_digest_on_and_verify_passes(engine: Engine, world: dict[str, str]) -> None:
    _as_before_the_form(engine)
    assert not verify_stored(engine).ok  # the current form's digest is not the first form's
    migrate.upgrade(engine)
    assert verify_stored(engine).ok
    entry = _last_entry(engine)
    assert (entry["action"], entry["kind"], entry["record"]) == ("rebase", "audit", "state")
    assert entry["context"]["form"] == form.FORM and entry["context"]["records_matched"] is True
    sql(engine, "UPDATE legal_case SET title = '改' WHERE id = :id", id=world["case"])
    record, _ = first_bad_record(engine)
    assert record == {"kind": "case", "id": world["case"], "field": "title"}


def test_an_edit_made_before_the_upgrade_is_still_found_after_it(engine: Engine, world: dict[str, str]) -> None:
    _as_before_the_form(engine)
    sql(engine, "UPDATE seizure_quantity SET value = 230 WHERE seizure = :id", id=world["seizure"])
    migrate.upgrade(engine)
    assert _last_entry(engine)["context"]["records_matched"] is False
    record, _ = first_bad_record(engine)
    assert record == {"kind": "seizure", "id": world["seizure"], "field": "quantities"}


def test_an_export_from_before_the_form_imports_and_verifies(
    engine: Engine, world: dict[str, str], tmp_path: Path
) -> None:
    _as_before_the_form(engine)
    files = FileStore(tmp_path / "files")
    with UnitOfWork(engine) as uow:
        exported = export_database(uow, files=files)
    target = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    init_database(target)
    with UnitOfWork(target) as uow:
        import_database(uow, exported, actor="importer", files=FileStore(tmp_path / "copy-files"))
    assert verify_stored(target).ok
    entry = _last_entry(target)
    assert (entry["action"], entry["actor"], entry["context"]["form"]) == ("rebase", "importer", form.FORM)
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
