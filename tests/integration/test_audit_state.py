"""The stored records against their audit trail: raw-SQL edits of record tables found and named on both engines."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from principals import officer
from sqlalchemy import Engine, text

from straitlink.audit import form, sqlite_state
from straitlink.audit import state as record_state
from straitlink.audit.verify import Report, verify_stored
from straitlink.domain.errors import ImportRejected
from straitlink.domain.parties import Party
from straitlink.domain.workflow import Acting, Role
from straitlink.services import agencies, records
from straitlink.services import requests as svc
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import FileStore
from straitlink.services.kinds import kind_named
from straitlink.services.setup import init_database
from straitlink.services.transfer import export_database, import_database
from straitlink.store import tables as t
from straitlink.store.db import make_engine
from straitlink.store.uow import UnitOfWork

REQUEST = {
    "type": "document_service",
    "subject": "送達",
    "filed_on": "2025-01-20",
    "requesting_agency": "moj",
    "purpose": "民事訴訟送達",
    "matters": "送達判決書",
    "case_summary": "案情摘要",
    "execution_needs": "受送達人地址",
}

XIAMEN = {"party": "CN", "name_zh_hans": "厦门市公安局", "name_en": "Xiamen Municipal PSB", "parent": "公安部"}


def _add(engine: Engine, kind: str, data: dict[str, Any]) -> str:
    return str(records.add_record(engine, kind_named(kind), data, principal=officer()).id)


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> dict[str, str]:
    """One record of most kinds, each through its use case, and a request with a reply: ids by kind."""
    ids = {"document": _add(engine, "document", {"title": "海峽兩岸合作打擊毒品犯罪成果", "text": "全文"})}
    ids["case"] = _add(
        engine,
        "case",
        {
            "title": "桃園機場K他命案",
            "kind": "drugs",
            "joint": True,
            "agencies": [{"agency": "kaohsiung-district-prosecutors", "role": "directing"}],
            "places": ["taoyuan-airport"],
        },
    )
    ids["seizure"] = _add(
        engine,
        "seizure",
        {
            "drug": "ketamine",
            "case": ids["case"],
            "date": {"iso": "2013-11-17"},
            "place": "taoyuan-airport",
            "quantities": [{"value": "229", "unit": "kg", "basis": "gross", "qualifier": "exact"}],
        },
    )
    ids["person"] = _add(engine, "person", {"case": ids["case"], "role": "suspect", "caught_in_act": True})
    ids["figure"] = _add(
        engine,
        "figure",
        {
            "metric": "seizures_kg",
            "label": "查獲毒品",
            "value": "3000",
            "unit": "kg",
            "qualifier": "at_least",
            "period_end": "2013-12-31",
            "source": ids["document"],
        },
    )
    files = FileStore(tmp_path / "files")
    desk = svc.Desk(engine, Party.TW, files, load_rules(), calendars(), today=lambda: date(2025, 6, 30))
    request = svc.file_request(desk, REQUEST, principal=officer(), acting=Acting(Party.TW, Role.REQUESTING_SIDE))
    ids["request"] = request.id
    step = svc.StepInput(on=date(2025, 1, 21), text="函送")
    sent, contact_point = svc.RequestStatus.SENT, Acting(Party.TW, Role.CONTACT_POINT)
    svc.transition_request(desk, request.id, sent, step, principal=officer(), acting=contact_point)
    with engine.connect() as conn:
        ids["reply"] = str(conn.execute(text("SELECT id FROM request_reply")).scalar_one())
    added = agencies.add_agency(engine, XIAMEN, principal=officer())
    agencies.edit_agency(engine, added.id, {"name_en": "Xiamen PSB"}, principal=officer())
    ids["agency"] = added.id
    assert verify_stored(engine).ok
    return ids


def sql(engine: Engine, statement: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def first_bad_record(engine: Engine) -> tuple[dict[str, Any], str]:
    report: Report = verify_stored(engine)
    assert report.problem is not None, "the edit went unnoticed"
    assert report.problem.record is not None, report.problem.reason
    assert report.to_json()["first_bad_record"] == report.problem.record
    return report.problem.record, report.problem.reason


EDITS = [
    ("seizure", "UPDATE seizure_quantity SET value = 230 WHERE seizure = :id", "quantities"),
    ("seizure", "UPDATE seizure SET place = 'kaohsiung-port' WHERE id = :id", "place"),
    ("case", "UPDATE legal_case SET title = '改' WHERE id = :id", "title"),
    ("case", "UPDATE case_agency SET role = 'leading' WHERE case_id = :id", "agencies"),
    ("case", "DELETE FROM case_place WHERE case_id = :id", "places"),
    ("person", "UPDATE person SET caught_in_act = :false WHERE id = :id", "caught_in_act"),
    ("figure", "UPDATE published_figure SET value = 3001 WHERE id = :id", "value"),
    ("document", "UPDATE source_document SET text = '改' WHERE id = :id", "text"),
    ("request", "UPDATE assistance_request SET status = 'completed' WHERE id = :id", "status"),
    ("request", "UPDATE assistance_request SET sent_on = '2025-01-22' WHERE id = :id", "sent_on"),
    ("reply", "UPDATE request_reply SET text = '改' WHERE id = :id", "text"),
    ("agency", "UPDATE agency SET name_en = 'Xiamen Bureau' WHERE id = :id", "name_en"),
    ("agency", "UPDATE agency SET parent = NULL WHERE id = :id", "parent"),
    ("agency", "UPDATE agency SET name_zh_hant = '廈門局' WHERE id = :id", "name_zh_hant"),
]


@pytest.mark.parametrize(("kind", "statement", "field"), EDITS, ids=[f"{k}.{f}" for k, _, f in EDITS])
def test_a_raw_edit_of_a_record_table_is_found_and_named(
    engine: Engine, world: dict[str, str], kind: str, statement: str, field: str
) -> None:
    sql(engine, statement, id=world[kind], false=False)
    record, reason = first_bad_record(engine)
    assert record == {"kind": kind, "id": world[kind], "field": field}
    assert reason.startswith(f"{kind} {world[kind]} field {field} is ") and reason.endswith("(altered)")


def test_the_seizure_quantity_edit_says_what_it_was_and_became(engine: Engine, world: dict[str, str]) -> None:
    sql(engine, "UPDATE seizure_quantity SET value = 230 WHERE seizure = :id", id=world["seizure"])
    _, reason = first_bad_record(engine)
    assert '"value": "230"' in reason and '"value": "229"' in reason


def test_a_deleted_row_is_found(engine: Engine, world: dict[str, str]) -> None:
    sql(engine, "DELETE FROM person WHERE id = :id", id=world["person"])
    record, reason = first_bad_record(engine)
    assert record == {"kind": "person", "id": world["person"], "field": None}
    assert reason.endswith("is in the audit trail but not stored (deleted)")


def test_an_inserted_row_without_an_audit_entry_is_found(engine: Engine, world: dict[str, str]) -> None:
    sql(
        engine,
        "INSERT INTO person (id, version, prov_kind, prov_user, case_id, role, caught_in_act) "
        "VALUES ('p-intruder', 1, 'user', 'x', :case, 'suspect', :false)",
        case=world["case"],
        false=False,
    )
    record, reason = first_bad_record(engine)
    assert record == {"kind": "person", "id": "p-intruder", "field": None}
    assert reason.endswith("is stored but no audit entry accounts for it (inserted)")


def test_an_edit_put_back_verifies_again(engine: Engine, world: dict[str, str]) -> None:
    sql(engine, "UPDATE legal_case SET title = '改' WHERE id = :id", id=world["case"])
    assert not verify_stored(engine).ok
    sql(engine, "UPDATE legal_case SET title = '桃園機場K他命案' WHERE id = :id", id=world["case"])
    assert verify_stored(engine).ok


def test_every_change_after_an_edit_keeps_it_visible(engine: Engine, world: dict[str, str]) -> None:
    """The digest moves by difference: a later change does not bless an earlier raw edit."""
    sql(engine, "UPDATE seizure_quantity SET value = 230 WHERE seizure = :id", id=world["seizure"])
    _add(engine, "case", {"title": "另案", "kind": "drugs", "joint": False})
    record, _ = first_bad_record(engine)
    assert record == {"kind": "seizure", "id": world["seizure"], "field": "quantities"}


HISTORY_EDITS = [
    "UPDATE request_transition SET occurred_on = '2025-01-25' WHERE request_id = :id AND action = 'send'",
    "UPDATE request_transition SET acting_party = 'CN' WHERE request_id = :id AND action = 'send'",
    "DELETE FROM request_transition WHERE request_id = :id AND action = 'send'",
    "INSERT INTO request_transition (request_id, action, from_status, to_status, occurred_on, actor, acting_party,"
    " acting_role, recorded_at) VALUES (:id, 'receive', 'sent', 'received', '2025-01-22', 'x', 'CN',"
    " 'contact_point', '2025-01-22T00:00:00Z')",
]


@pytest.mark.parametrize("statement", HISTORY_EDITS, ids=["date", "party", "deleted", "inserted"])
def test_a_raw_edit_of_a_requests_history_is_found(engine: Engine, world: dict[str, str], statement: str) -> None:
    """A history step moves deadlines and processing times: the digest covers it (its entry's context names the
    step, but a load's steps have no entry of their own, so the records' digest is what finds the edit)."""
    sql(engine, statement, id=world["request"])
    report = verify_stored(engine)
    assert report.problem is not None, "the edit went unnoticed"
    # The step's reply goes with a deleted step (ON DELETE CASCADE), and the replay names it; else the digest.
    assert report.problem.reason.endswith(("(altered)", "(deleted)")), report.problem


def test_a_deleted_or_inserted_agency_is_found(engine: Engine, world: dict[str, str]) -> None:
    sql(engine, "DELETE FROM agency WHERE id = :id", id=world["agency"])
    record, reason = first_bad_record(engine)
    assert record == {"kind": "agency", "id": world["agency"], "field": None} and reason.endswith("(deleted)")
    sql(
        engine,
        "INSERT INTO agency (id, party, kind, parent, name_zh_hant, name_zh_hans, name_en, short_names) "
        "VALUES (:id, 'CN', 'police', NULL, '廈門市公安局', '厦门市公安局', 'Xiamen PSB', '[]')",
        id="amoy-psb",  # before the deleted one by id, so named first
    )
    record, reason = first_bad_record(engine)
    assert record["id"] == "amoy-psb" and reason.endswith("(inserted)")


def test_the_shipped_catalogue_is_not_the_audit_trails(engine: Engine, world: dict[str, str]) -> None:
    """`init` loads and puts back the shipped agencies without entries: they are not counted, added ones are."""
    init_database(engine)
    assert verify_stored(engine).ok
    with engine.connect() as conn:
        with_added = record_state.stored(conn)
    sql(engine, "DELETE FROM agency WHERE id = :id", id=world["agency"])
    with engine.connect() as conn:
        assert record_state.stored(conn) != with_added


def test_the_digest_is_the_same_computed_from_values_or_by_the_database(engine: Engine, world: dict[str, str]) -> None:
    """The writers' canonical text (Python) and the database's (SQL) agree on every covered table's rows, in both
    forms; the verifier's sum is the one in the form the engine keeps."""
    shipped = set(record_state.shipped_agency_ids())
    forms = (record_state.JSON_FORM, record_state.JOINED_FORM)
    with engine.connect() as conn:
        from_sql = {f: form.stored_in(conn, f) for f in forms}
        assert record_state.stored(conn) == from_sql[record_state.form_of(engine.dialect.name)]
        from_values = dict.fromkeys(forms, 0)
        for table in record_state.TABLES:
            for row in conn.execute(table.select()).mappings():
                if table.name != "agency" or row["id"] not in shipped:
                    for f in forms:
                        from_values[f] += record_state.row_element(table, row, f)
    for f in forms:
        assert from_sql[f] == from_values[f] % record_state.MODULUS != 0


def test_verify_without_the_records_check_sees_only_the_chain(engine: Engine, world: dict[str, str]) -> None:
    sql(engine, "UPDATE legal_case SET title = '改' WHERE id = :id", id=world["case"])
    assert verify_stored(engine, records=False).ok


def test_an_export_edited_by_hand_is_refused_naming_the_record(
    engine: Engine, world: dict[str, str], tmp_path: Path
) -> None:
    files = FileStore(tmp_path / "files")
    with UnitOfWork(engine) as uow:
        exported = export_database(uow, files=files)
    data = json.loads(exported)
    (seizure,) = data["records"]["seizure"]
    assert seizure["quantities"][0]["value"] == "229"
    seizure["quantities"][0]["value"] = "230"
    target = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    init_database(target)
    with UnitOfWork(target) as uow, pytest.raises(ImportRejected) as info:
        import_database(uow, json.dumps(data, ensure_ascii=False), actor="importer", files=files)
    assert f"seizure {world['seizure']} field quantities" in info.value.message
    assert info.value.value == world["seizure"]
    with target.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM seizure")).scalar_one() == 0
    with UnitOfWork(target) as uow:  # the export as written imports, and verifies
        import_database(uow, exported, actor="importer", files=FileStore(tmp_path / "copy-files"))
    assert verify_stored(target).ok
    target.dispose()


def test_a_record_written_behind_the_application_before_any_entry_is_found(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.session.add(
            t.CaseRow(id="c-raw", version=1, prov_kind="user", prov_user="x", title="案", kind="drugs", joint=True)
        )
        uow.commit()
    record, _ = first_bad_record(engine)
    assert record == {"kind": "case", "id": "c-raw", "field": None}


def test_a_record_changed_through_its_use_case_verifies_and_its_new_state_is_guarded(
    engine: Engine, world: dict[str, str]
) -> None:
    records.update_record(engine, kind_named("case"), world["case"], {"title": "新名"}, principal=officer())
    assert verify_stored(engine).ok
    sql(engine, "UPDATE legal_case SET title = '桃園機場K他命案' WHERE id = :id", id=world["case"])
    record, reason = first_bad_record(engine)
    assert record == {"kind": "case", "id": world["case"], "field": "title"}
    assert '"新名"' in reason


def test_the_digests_summed_as_words_are_their_sum_as_numbers() -> None:
    # PostgreSQL sends each row's element as 32 bytes; their sum must be the sum the writers add up in Python.
    digests = [bytes([255] * 32), bytes(32), bytes(range(32)), bytes([1] + [0] * 31), bytes([0] * 31 + [7])]
    expected = sum(int.from_bytes(d, "big") for d in digests)
    assert sqlite_state.digests_sum(b"".join(digests)) == expected
    assert sqlite_state.digests_sum(b"") == 0
