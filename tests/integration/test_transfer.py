"""Export → import → export is lossless, and a bad import writes nothing."""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from principals import officer
from sqlalchemy import Engine

from conftest import fresh_pg_database
from straitlink.audit import log as audit
from straitlink.audit.verify import verify_stored
from straitlink.codec import encode
from straitlink.domain.cases import Case, CaseKind
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import ImportRejected
from straitlink.domain.parties import Party
from straitlink.domain.provenance import Provenance
from straitlink.domain.quantity import Qualifier, Quantity, Unit
from straitlink.domain.requests import RequestStatus
from straitlink.domain.seizures import Seizure
from straitlink.domain.workflow import Acting, Role
from straitlink.services import records
from straitlink.services import request_views as views
from straitlink.services import requests as svc
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import FileStore, Upload
from straitlink.services.kinds import kind_named
from straitlink.services.setup import init_database
from straitlink.services.transfer import FORMAT_VERSION, export_database, import_database, parse_export
from straitlink.store.db import make_engine
from straitlink.store.uow import UnitOfWork


def _fill(engine: Engine) -> None:
    """A case and its seizure, each added as `straitlink add` adds it: with its audit entry."""
    case = Case(
        id="c1",
        provenance=Provenance.by_user("u"),
        title="案",
        kind=CaseKind.DRUGS,
        joint=True,
        opened_on=PartialDate(2013, 4),
    )
    seizure = Seizure(
        id="s1",
        provenance=Provenance.synthetic("g"),
        drug="ketamine",
        case="c1",
        quantities=[Quantity(Decimal("1.36"), Unit.T, qualifier=Qualifier.AT_LEAST)],
    )
    for name, record in (("case", case), ("seizure", seizure)):
        records.add_record(engine, kind_named(name), encode(record), principal=officer("u"))


def _export(engine: Engine, files: FileStore | None = None) -> str:
    with UnitOfWork(engine) as uow:
        return export_database(uow, files=files)


def test_export_import_export_is_identical(engine: Engine, tmp_path: object) -> None:
    _fill(engine)
    first = _export(engine)
    target = make_engine(f"sqlite:///{tmp_path}/copy.db")  # type: ignore[str-bytes-safe]
    init_database(target)
    with UnitOfWork(target) as uow:
        counts = import_database(uow, first, actor="tester")
    assert counts["seizure"] == 1 and counts["case"] == 1
    assert _export(target) == first
    assert json.loads(first)["records"]["seizure"][0]["quantities"][0]["value"] == "1.36"


def test_import_into_non_empty_database_is_refused(engine: Engine) -> None:
    _fill(engine)
    text = _export(engine)
    with UnitOfWork(engine) as uow, pytest.raises(ImportRejected, match="not empty"):
        import_database(uow, text, actor="tester")


@pytest.mark.parametrize("damage", ["truncate", "bad_value", "not_export"])
def test_corrupt_import_writes_nothing(engine: Engine, damage: str) -> None:
    source = make_engine("sqlite://")
    init_database(source)
    _fill(source)
    text = _export(source)
    if damage == "truncate":
        text = text[: len(text) // 2]
    elif damage == "bad_value":
        data = json.loads(text)
        data["records"]["seizure"][0]["quantities"][0]["value"] = "minus one"
        text = json.dumps(data)
    else:
        text = json.dumps({"hello": "world"})
    before = _export(engine)
    with UnitOfWork(engine) as uow, pytest.raises(ImportRejected) as info:
        import_database(uow, text, actor="tester")
    assert info.value.field
    assert _export(engine) == before


# --- the request workflow, its files and the audit chain ---------------------------------------------------------

TODAY = date(2025, 6, 30)
PROOF = b"%PDF-1.7\n% proof of service\n"
CONTENTS = {
    "type": "document_service",
    "subject": "送達判決書",
    "requesting_agency": "moj",
    "purpose": "民事訴訟送達",
    "matters": "送達判決書",
    "case_summary": "案情摘要",
    "execution_needs": "受送達人地址",
    "filed_on": "2025-01-20",
}


def _desk(engine: Engine, directory: Path) -> svc.Desk:
    return svc.Desk(engine, Party.TW, FileStore(directory), load_rules(), calendars(), today=lambda: TODAY)


def _step(engine: Engine, desk: svc.Desk, rid: str, target: RequestStatus, acting: Acting, **kw: Any) -> None:
    with UnitOfWork(engine):
        svc.transition_request(desk, rid, target, svc.StepInput(**kw), principal=officer("officer"), acting=acting)


def _fill_workflow(engine: Engine, desk: svc.Desk) -> str:
    """A request taken from filing to completion with its proof, a progress report with a document, and reads."""
    _fill(engine)
    with UnitOfWork(engine):
        rid = svc.file_request(
            desk, CONTENTS, principal=officer("officer"), acting=Acting(Party.TW, Role.REQUESTING_SIDE)
        ).id
    cn = Acting(Party.CN, Role.CONTACT_POINT)
    _step(engine, desk, rid, RequestStatus.SENT, Acting(Party.TW, Role.CONTACT_POINT), on=date(2025, 1, 21))
    _step(engine, desk, rid, RequestStatus.RECEIVED, cn, on=date(2025, 1, 24))
    _step(engine, desk, rid, RequestStatus.ASSIGNED, cn, on=date(2025, 1, 27), executing_agency="spc")
    executing = Acting(Party.CN, Role.EXECUTING_AGENCY, "spc")
    _step(engine, desk, rid, RequestStatus.IN_EXECUTION, executing, on=date(2025, 1, 28))
    report = svc.ReplyInput("progress", "送達中", date(2025, 2, 3), (Upload("進度.txt", "已聯繫受送達人\n".encode()),))
    with UnitOfWork(engine):
        svc.reply_to_request(desk, rid, report, principal=officer("officer"), acting=cn)
    proof = (Upload("送達證書.pdf", PROOF),)
    _step(engine, desk, rid, RequestStatus.COMPLETED, executing, on=date(2025, 3, 3), text="已送達", documents=proof)
    with UnitOfWork(engine):
        views.request_history(desk, rid, principal=officer("reader"))  # a read: in the access log
    return rid


@pytest.fixture
def target(engine: Engine, tmp_path: Path, pg_admin: Engine | None) -> Iterator[Engine]:
    """An empty database on the same engine as `engine`, to import into."""
    with contextlib.ExitStack() as stack:
        if engine.dialect.name == "sqlite":
            url = f"sqlite:///{tmp_path / 'copy.db'}"
        else:
            url = stack.enter_context(fresh_pg_database(pg_admin))
        copy = make_engine(url)
        init_database(copy)
        yield copy
        copy.dispose()


def _seen(engine: Engine, desk: svc.Desk, rid: str) -> tuple[Any, ...]:
    """What a user sees of the request: its history, replies and documents, and its audit entries."""
    with UnitOfWork(engine) as uow:
        entries = [e.to_json() for e in audit.entries(uow, record_id=rid)]
        view = views.show_request(desk, rid, principal=officer("reader")).to_json()
    return view, entries


def test_the_workflow_files_and_audit_chain_survive_export_import_export(
    engine: Engine, target: Engine, tmp_path: Path
) -> None:
    desk, copy_desk = _desk(engine, tmp_path / "files"), _desk(target, tmp_path / "copy-files")
    rid = _fill_workflow(engine, desk)
    first = _export(engine, desk.files)
    data = json.loads(first)
    assert data["format_version"] == FORMAT_VERSION
    assert len(data["workflow"]["request_transition"]["rows"]) == 6
    assert len(data["workflow"]["stored_file"]["rows"]) == 2
    with UnitOfWork(target) as uow:
        counts = import_database(uow, first, actor="importer", files=copy_desk.files)
    assert counts["request_transition"] == 6 and counts["request_document"] == 2
    assert counts["audit_entry"] == len(data["audit"]["entries"]["rows"]) > 6
    assert _export(target, copy_desk.files) == first
    report = verify_stored(target)
    assert report.ok and (report.last_seq, report.last_hash.hex()) == (
        data["audit"]["head"]["seq"],
        data["audit"]["head"]["hash"],
    )
    # Shown alike on both sides (each showing appends the same read entry to its own chain).
    assert _seen(target, copy_desk, rid) == _seen(engine, desk, rid)
    # The files' content came along, into the copy's own file store.
    with UnitOfWork(target) as uow:
        shas = {
            d.sha256 for r in views.show_request(copy_desk, rid, principal=officer("o")).replies for d in r.documents
        }
    assert {copy_desk.files.read(sha) for sha in shas} == {PROOF, "已聯繫受送達人\n".encode()}
    # New steps on the copy continue its history and its chain.
    with UnitOfWork(target) as uow:
        note = svc.ReplyInput("note", "結案")
        svc.reply_to_request(copy_desk, rid, note, principal=officer("o"), acting=Acting(Party.TW, Role.CONTACT_POINT))
    with UnitOfWork(target) as uow:
        svc.file_request(copy_desk, CONTENTS, principal=officer("o"))  # its first step takes the next history id
    assert verify_stored(target).ok


def _damaged(text: str, damage: str) -> str:
    data = json.loads(text)
    files = data["workflow"]["stored_file"]
    columns = files["columns"]
    if damage == "content":
        row = files["rows"][0]
        row[columns.index("content")] = base64.b64encode(b"%PDF-1.7\n% forged\n").decode()
    elif damage == "base64":
        files["rows"][0][columns.index("content")] = "not base64!"
    elif damage == "action":
        steps = data["workflow"]["request_transition"]
        steps["rows"][1][steps["columns"].index("action")] = "teleport"
    elif damage == "reference":
        replies = data["workflow"]["request_reply"]
        replies["rows"][0][replies["columns"].index("request_id")] = "no-such-request"
    elif damage == "audit_body":
        entries = data["audit"]["entries"]
        row = entries["rows"][2]
        row[entries["columns"].index("body")] = row[entries["columns"].index("body")].replace("officer", "intruder")
    elif damage == "audit_head":
        data["audit"]["head"]["seq"] += 1
    return json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize(
    ("damage", "field"),
    [
        ("content", "workflow.stored_file.rows[0].content"),
        ("base64", "workflow.stored_file.rows[0].content"),
        ("action", "workflow.request_transition.rows[1].action"),
        ("reference", "workflow.request_reply.rows[0].request_id"),
        ("audit_body", "audit.entries.rows[2].hash"),
        ("audit_head", "audit.head"),
    ],
)
def test_a_damaged_workflow_or_chain_is_refused_and_nothing_is_written(
    engine: Engine, target: Engine, tmp_path: Path, damage: str, field: str
) -> None:
    desk = _desk(engine, tmp_path / "files")
    _fill_workflow(engine, desk)
    text = _damaged(_export(engine, desk.files), damage)
    before = _export(target)
    with UnitOfWork(target) as uow, pytest.raises(ImportRejected) as info:
        import_database(uow, text, actor="importer", files=FileStore(tmp_path / "copy-files"))
    assert info.value.field == field
    assert field in info.value.message
    assert _export(target) == before
    assert not (tmp_path / "copy-files").exists()


def test_a_version_1_export_is_still_read(engine: Engine, target: Engine) -> None:
    _fill(engine)
    data = json.loads(_export(engine))
    for section in ("workflow", "audit"):
        del data[section]
    data["format_version"] = 1
    with UnitOfWork(target) as uow:
        counts = import_database(uow, json.dumps(data, ensure_ascii=False), actor="importer")
    assert counts["seizure"] == 1
    assert verify_stored(target).ok
    with pytest.raises(ImportRejected, match="format_version"):
        parse_export(json.dumps({**data, "format_version": 99}))
