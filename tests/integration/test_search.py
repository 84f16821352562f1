"""Search on SQLite and PostgreSQL: both scripts, both sides' terms, reference numbers, and what each principal
may see (a record out of reach is never found, nor counted); the index follows adds and updates in their
transaction and is rebuilt for a database upgraded from before it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from principals import officer, person
from sqlalchemy import Engine, text

from straitlink.domain.access import AccountRole as R
from straitlink.domain.errors import InvalidValue
from straitlink.domain.marking import Classification as C
from straitlink.domain.parties import Party
from straitlink.domain.records import Record
from straitlink.domain.requests import RequestStatus
from straitlink.domain.workflow import Acting, Role
from straitlink.services import records, requests
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import FileStore
from straitlink.services.kinds import kind_named
from straitlink.services.requests import Desk, StepInput
from straitlink.services.search import SearchResult, search_records
from straitlink.services.setup import init_database
from straitlink.store import mapping, search
from straitlink.store.uow import UnitOfWork

CASE, SEIZURE, PERSON, INTEL = (kind_named(k) for k in ("case", "seizure", "person", "intel"))
DESK = officer("liaison")


def _marking(classification: C) -> dict[str, Any]:
    return {"classification": classification.value, "handling": "H1", "releasable": False, "publishable": False}


@pytest.fixture
def world(engine: Engine) -> dict[str, Record]:
    """Case A in Traditional script (高雄地檢署 directing, restricted) with a methamphetamine seizure, a person named
    in it; case B (調查局, confidential) in Simplified script; a secret intel report; a request with both sides'
    reference numbers."""
    add = lambda kind, data: records.add_record(engine, kind, data, principal=DESK)  # noqa: E731
    a = add(CASE, {"title": "笙宏號運毒案", "kind": "drugs", "joint": True, "marking": _marking(C.RESTRICTED),
                   "summary": "臺灣高雄港查獲甲基安非他命",
                   "agencies": [{"agency": "kaohsiung-district-prosecutors", "role": "directing"}]})  # fmt: skip
    b = add(CASE, {"title": "海洛因走私案", "kind": "drugs", "joint": False, "marking": _marking(C.CONFIDENTIAL),
                   "summary": "厦门查获海洛因砖",
                   "agencies": [{"agency": "mjib-kaohsiung", "role": "participating"}]})  # fmt: skip
    seizure = add(SEIZURE, {"drug": "methamphetamine", "quantities": [{"value": "229", "unit": "kg", "basis": "gross"}],
                            "case": a.id, "description": "貨櫃夾藏", "marking": _marking(C.RESTRICTED)})  # fmt: skip
    suspect = add(PERSON, {"case": a.id, "role": "suspect", "caught_in_act": True, "name": "陳大明",
                           "marking": _marking(C.RESTRICTED)})  # fmt: skip
    intel = add(INTEL, {"provider_party": "TW", "recipient_party": "CN", "provider_agency": "coast-guard",
                        "summary": "K他命船運線報", "marking": _marking(C.SECRET)})  # fmt: skip
    return {"case A": a, "case B": b, "seizure": seizure, "suspect": suspect, "intel": intel}


def _found(engine: Engine, query: str, who: Any = DESK, **kw: Any) -> set[str]:
    result = search_records(engine, query, principal=who, **kw)
    assert result.total == len(result.hits) or result.total > len(result.hits) == kw.get("limit", 20)
    return {h.id for h in result.hits}


def test_simplified_query_finds_traditional_text(engine: Engine, world: dict[str, Record]) -> None:
    assert world["case A"].id in _found(engine, "笙宏号")
    assert world["suspect"].id in _found(engine, "陈大明")
    assert world["case B"].id in _found(engine, "海洛因走私")


def test_traditional_query_finds_simplified_text(engine: Engine, world: dict[str, Record]) -> None:
    assert _found(engine, "廈門") == {world["case B"].id}


def test_other_sides_drug_names_find_the_record(engine: Engine, world: dict[str, Record]) -> None:
    for name in ("冰毒", "甲基苯丙胺", "甲基安非他命", "methamphetamine"):
        found = _found(engine, name)
        assert world["seizure"].id in found, name
        assert world["case A"].id in found, name  # its summary names 甲基安非他命
    assert world["intel"].id in _found(engine, "氯胺酮")  # the mainland's name for the K他命 in its summary
    assert world["case B"].id not in _found(engine, "冰毒")


def test_agency_and_place_names_in_either_form(engine: Engine, world: dict[str, Record]) -> None:
    for name in ("高雄地檢署", "高雄地检署", "臺灣高雄地方法院檢察署"):
        assert world["case A"].id in _found(engine, name), name
    assert world["intel"].id in _found(engine, "海巡署")  # its provider agency, named nowhere in its text


def test_every_word_must_match(engine: Engine, world: dict[str, Record]) -> None:
    assert _found(engine, "笙宏號 海洛因") == set()
    assert _found(engine, "陳大明", kinds=["cases"]) == set()
    assert _found(engine, "陳大明", kinds=["persons"]) == {world["suspect"].id}


def test_reference_numbers_of_both_sides_and_record_ids(
    engine: Engine, world: dict[str, Record], tmp_path: Path
) -> None:
    desk = Desk(engine, Party.TW, FileStore(tmp_path / "files"), load_rules(), calendars())
    filed = requests.file_request(
        desk,
        {"type": "evidence_collection", "requesting_party": "TW", "subject": "調取通聯紀錄",
         "requesting_agency": "moj", "requesting_ref": "法檢字第1020000123號", "requested_ref": "CN-R-2013-00077",
         "purpose": "偵辦毒品案", "matters": "通聯", "case_summary": "運毒", "execution_needs": "函覆",
         "filed_on": "2013-05-02"},
        principal=DESK,
    )  # fmt: skip
    assert _found(engine, "1020000123") == {filed.id}
    assert _found(engine, "法检字第1020000123号") == {filed.id}
    assert _found(engine, "CN-R-2013-00077") == {filed.id}
    assert _found(engine, "cn-r-2013-0007") == {filed.id}  # a prefix, as it is being typed
    assert _found(engine, world["case B"].id[:8]) == {world["case B"].id}


def test_principals_never_find_or_count_what_they_may_not_see(engine: Engine, world: dict[str, Record]) -> None:
    prosecutor = person("p", R.PROSECUTOR, "kaohsiung-district-prosecutors", clearance=C.CONFIDENTIAL)
    investigator = person("i", R.INVESTIGATOR, "mjib", units=frozenset({"mjib-kaohsiung"}))
    viewer = person("v", R.VIEWER, "moj", clearance=C.UNCLASSIFIED)
    analyst = person("a", R.ANALYST, "moj", clearance=C.RESTRICTED)
    assert _found(engine, "案", who=DESK) >= {world["case A"].id, world["case B"].id}
    assert _found(engine, "案", who=prosecutor, kinds=["cases"]) == {world["case A"].id}  # B: another agency's
    assert _found(engine, "案", who=investigator, kinds=["cases"]) == {world["case B"].id}
    assert search_records(engine, "案", principal=viewer).total == 0  # nothing unclassified
    assert search_records(engine, "K他命", principal=analyst).total == 0  # the intel is secret
    assert search_records(engine, "K他命", principal=DESK).total == 1


def test_updates_are_found_at_once_and_the_old_text_is_gone(engine: Engine, world: dict[str, Record]) -> None:
    b = world["case B"]
    records.update_record(engine, CASE, b.id, {"title": "麻黃素工廠案"}, principal=DESK, expected_version=b.version)
    assert _found(engine, "麻黄素工厂") == {b.id}
    assert _found(engine, "海洛因走私") == set()


def test_snippet_marks_what_matched_in_the_stored_script(engine: Engine, world: dict[str, Record]) -> None:
    hit = next(h for h in search_records(engine, "冰毒 高雄", principal=DESK).hits if h.id == world["case A"].id)
    marked = [hit.snippet[s:e] for s, e in hit.highlights]
    assert "甲基安非他命" in marked
    assert any("高雄" in m for m in marked)
    assert hit.label == "笙宏號運毒案"


def test_paging(engine: Engine, world: dict[str, Record]) -> None:
    everything = search_records(engine, "案", principal=DESK, limit=100)
    first = search_records(engine, "案", principal=DESK, limit=1)
    second = search_records(engine, "案", principal=DESK, limit=1, offset=1)
    assert first.total == second.total == everything.total >= 2
    assert [first.hits[0].id, second.hits[0].id] == [h.id for h in everything.hits[:2]]


@pytest.mark.parametrize("query", ['"', "NEAR(a b)", "*", "^案", "AND OR NOT", "'); drop table x; --", "a:*", "()"])
def test_query_syntax_is_text(engine: Engine, world: dict[str, Record], query: str) -> None:
    assert isinstance(search_records(engine, query, principal=DESK), SearchResult)


def test_limits_name_the_field(engine: Engine) -> None:
    with pytest.raises(InvalidValue) as too_long:
        search_records(engine, "案" * 201, principal=DESK)
    assert too_long.value.field == "q"
    with pytest.raises(InvalidValue) as too_many:
        search_records(engine, "案", principal=DESK, limit=1000)
    assert too_many.value.field == "limit"


def test_an_emptied_index_is_rebuilt_by_init(engine: Engine, world: dict[str, Record]) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM search_entry"))
    assert _found(engine, "笙宏號") == set()
    init_database(engine)
    assert _found(engine, "笙宏號") == {world["case A"].id}


def test_a_deleted_record_leaves_the_index_with_it(engine: Engine, world: dict[str, Record]) -> None:
    with UnitOfWork(engine) as uow:
        uow.repo(mapping.PERSONS).delete(world["suspect"].id)
        uow.commit()
    assert _found(engine, "陳大明") == set()


def test_an_assignment_makes_the_request_found_by_its_executing_agency(engine: Engine, tmp_path: Path) -> None:
    desk = Desk(engine, Party.TW, FileStore(tmp_path / "files"), load_rules(), calendars())
    contact = {p: Acting(p, Role.CONTACT_POINT) for p in Party}
    fields = {"type": "evidence_collection", "requesting_party": "CN", "subject": "調取帳戶資料",
              "requesting_agency": "mps", "purpose": "偵查", "matters": "帳戶", "case_summary": "洗錢",
              "execution_needs": "帳號", "filed_on": "2025-01-20"}  # fmt: skip
    r = requests.file_request(desk, fields, principal=DESK, acting=Acting(Party.CN, Role.REQUESTING_SIDE))
    for target, side in ((RequestStatus.SENT, Party.CN), (RequestStatus.RECEIVED, Party.TW)):
        r = requests.transition_request(desk, r.id, target, StepInput(), principal=DESK, acting=contact[side])
    assert _found(engine, "調查局 帳戶") == set()
    requests.assign_request(desk, r.id, "mjib", StepInput(), principal=DESK, acting=contact[Party.TW])
    assert _found(engine, "調查局 帳戶") == {r.id}
    assert _found(engine, "公安部 帐户") == {r.id}  # the requesting agency, from the day it was filed


def test_beyond_the_count_cap_the_total_is_a_floor_and_pages_go_on(
    engine: Engine, world: dict[str, Record], monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = search_records(engine, "案", principal=DESK, limit=100)
    assert not everything.more and everything.total >= 2
    monkeypatch.setattr(search, "COUNT_CAP", 1)
    first = search_records(engine, "案", principal=DESK, limit=1)
    second = search_records(engine, "案", principal=DESK, limit=1, offset=1)
    assert (first.total, first.more) == (1, True)
    ids = {first.hits[0].id, second.hits[0].id}
    assert len(ids) == 2 and ids <= {h.id for h in everything.hits}
