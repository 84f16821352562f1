"""A meeting's follow-ups stored, audited, versioned, linked to the records that carried them out, exported and
imported, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from principals import officer
from sqlalchemy import Engine, text

from straitlink.audit.verify import verify_stored
from straitlink.domain.errors import Conflict, InvalidValue, NotFound, UnknownReference
from straitlink.domain.meetings import FollowUpStatus, Meeting
from straitlink.services import follow_ups as svc
from straitlink.services import records
from straitlink.services.documents import FileStore
from straitlink.services.kinds import kind_named
from straitlink.services.setup import init_database
from straitlink.services.transfer import export_database, import_database
from straitlink.store.db import make_engine
from straitlink.store.uow import UnitOfWork

TODAY = date(2024, 6, 1)
MEETING = {
    "kind": "working_talks",
    "title": "兩岸毒品查緝工作會談",
    "date": {"iso": "2024-03-05"},
    "decisions": ["加強情資交換", "協緝通緝犯"],
}


@pytest.fixture
def ids(engine: Engine) -> dict[str, str]:
    meeting = records.add_record(engine, kind_named("meeting"), MEETING, principal=officer())
    case = records.add_record(
        engine, kind_named("case"), {"title": "桃園機場K他命案", "kind": "drugs", "joint": True}, principal=officer()
    )
    intel = records.add_record(
        engine,
        kind_named("intel"),
        {"provider_party": "CN", "recipient_party": "TW", "provider_agency": "mps", "summary": "走私情資"},
        principal=officer(),
    )
    return {"meeting": meeting.id, "case": case.id, "intel": intel.id}


def _add(engine: Engine, meeting: str, **data: object) -> Meeting:
    return svc.add_follow_up(engine, meeting, dict(data), principal=officer(), today=TODAY)


def test_follow_ups_are_stored_in_order_and_verify(engine: Engine, ids: dict[str, str]) -> None:
    _add(engine, ids["meeting"], action="交換查緝情資", agency="cib", decision=1, due="2024-04-30")
    m = _add(engine, ids["meeting"], action="協緝通緝犯", agency="mps", decision=2, case=ids["case"][:8])
    assert m.version == 3
    assert [(f.action, f.agency, f.case) for f in m.follow_ups] == [
        ("交換查緝情資", "cib", None),
        ("協緝通緝犯", "mps", ids["case"]),  # the prefix made whole
    ]
    shown = records.get_record(engine, kind_named("meeting"), ids["meeting"], principal=officer())
    assert shown.follow_ups == m.follow_ups  # type: ignore[attr-defined]
    assert verify_stored(engine).ok


def test_a_status_change_is_dated_today_unless_a_day_is_given(engine: Engine, ids: dict[str, str]) -> None:
    _add(engine, ids["meeting"], action="交換查緝情資", agency="cib", due="2024-04-30")
    moved = svc.update_follow_up(
        engine, ids["meeting"], 1, {"status": "in_progress", "intel": ids["intel"]}, principal=officer(), today=TODAY
    )
    item = moved.follow_ups[0]
    assert (item.status, item.status_on, item.intel) == (FollowUpStatus.IN_PROGRESS, TODAY, ids["intel"])
    done = svc.update_follow_up(
        engine,
        ids["meeting"],
        1,
        {"status": "done", "status_on": "2024-05-20", "note": "已交換"},
        principal=officer(),
        today=TODAY,
    )
    assert (done.follow_ups[0].status_on, done.follow_ups[0].note) == (date(2024, 5, 20), "已交換")
    assert verify_stored(engine).ok


def test_a_stale_version_is_a_conflict_and_changes_nothing(engine: Engine, ids: dict[str, str]) -> None:
    first = _add(engine, ids["meeting"], action="交換查緝情資", agency="cib")
    _add(engine, ids["meeting"], action="協緝通緝犯", agency="mps")
    with pytest.raises(Conflict):
        svc.update_follow_up(
            engine,
            ids["meeting"],
            1,
            {"status": "in_progress"},
            principal=officer(),
            today=TODAY,
            expected_version=first.version,
        )
    (item, _) = svc.list_follow_ups(engine, principal=officer(), meeting_id=ids["meeting"], today=TODAY)
    assert item.follow_up.status is FollowUpStatus.OPEN


def test_bad_input_is_refused_naming_the_field(engine: Engine, ids: dict[str, str]) -> None:
    with pytest.raises(UnknownReference) as unknown:
        _add(engine, ids["meeting"], action="a", agency="no-such-agency")
    assert unknown.value.field == "follow_ups[0].agency"
    with pytest.raises(UnknownReference) as missing:
        _add(engine, ids["meeting"], action="a", agency="cib", request="00000000-dead")
    assert (missing.value.field, missing.value.value) == ("follow_ups[0].request", "00000000-dead")
    with pytest.raises(InvalidValue) as early:
        _add(engine, ids["meeting"], action="a", agency="cib", due="2024-01-01")
    assert early.value.field == "follow_ups[0].due"
    with pytest.raises(NotFound):
        svc.update_follow_up(engine, ids["meeting"], 1, {"status": "done"}, principal=officer(), today=TODAY)
    m = records.get_record(engine, kind_named("meeting"), ids["meeting"], principal=officer())
    assert m.version == 1 and m.follow_ups == []  # type: ignore[attr-defined]


def test_lists_of_what_is_owed_and_overdue(engine: Engine, ids: dict[str, str]) -> None:
    _add(engine, ids["meeting"], action="逾期", agency="cib", due="2024-05-31")
    _add(engine, ids["meeting"], action="未到期", agency="mps", due="2024-06-30")
    _add(engine, ids["meeting"], action="已辦結", agency="cib", due="2024-04-01", status="done")
    _add(engine, ids["meeting"], action="無期限", agency="cib")
    every = svc.list_follow_ups(engine, principal=officer(), today=TODAY)
    assert [i.follow_up.action for i in every] == ["已辦結", "逾期", "未到期", "無期限"]  # by due date, undated last
    assert every[0].follow_up.status_on == TODAY  # added as done: dated the day it was recorded
    owed = svc.list_follow_ups(engine, principal=officer(), today=TODAY, pending=True)
    assert [i.follow_up.action for i in owed] == ["逾期", "未到期", "無期限"]
    late = svc.list_follow_ups(engine, principal=officer(), today=TODAY, overdue=True)
    assert [(i.number, i.to_json(TODAY)["overdue"]) for i in late] == [(1, True)]
    assert [i.number for i in svc.list_follow_ups(engine, principal=officer(), today=TODAY, agency="mps")] == [2]
    meetings = records.list_records(engine, kind_named("meeting"), records.ListFilter(), principal=officer())
    assert svc.follow_up_counts(meetings, TODAY) == svc.Counts(pending=3, overdue=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("statement", "field"),
    [
        ("UPDATE meeting_follow_up SET status = 'done', status_on = '2024-05-01' WHERE meeting = :id", "follow_ups"),
        ("UPDATE meeting_follow_up SET due = '2025-01-01' WHERE meeting = :id", "follow_ups"),
        ("DELETE FROM meeting_follow_up WHERE meeting = :id", "follow_ups"),
    ],
)
def test_a_raw_edit_of_the_follow_ups_is_found(engine: Engine, ids: dict[str, str], statement: str, field: str) -> None:
    _add(engine, ids["meeting"], action="交換查緝情資", agency="cib", due="2024-04-30")
    assert verify_stored(engine).ok
    with engine.begin() as conn:
        conn.execute(text(statement), {"id": ids["meeting"]})
    report = verify_stored(engine)
    assert report.problem is not None and report.problem.record is not None, "the edit went unnoticed"
    assert report.problem.record == {"kind": "meeting", "id": ids["meeting"], "field": field}


def test_export_and_import_keep_follow_ups_and_their_links(engine: Engine, ids: dict[str, str], tmp_path: Path) -> None:
    _add(engine, ids["meeting"], action="協緝通緝犯", agency="mps", case=ids["case"], intel=ids["intel"])
    files = FileStore(tmp_path / "files")
    with UnitOfWork(engine) as uow:
        exported = export_database(uow, files=files)
    assert json.loads(exported)["records"]["meeting"][0]["follow_ups"][0]["case"] == ids["case"]
    target = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    init_database(target)
    with UnitOfWork(target) as uow:
        import_database(uow, exported, actor="importer", files=FileStore(tmp_path / "copy-files"))
    assert verify_stored(target).ok
    copied = records.get_record(target, kind_named("meeting"), ids["meeting"], principal=officer())
    assert copied.follow_ups[0].intel == ids["intel"]  # type: ignore[attr-defined]
    target.dispose()
