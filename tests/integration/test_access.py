"""Who may see and change what: role × use case × marking × agency, on SQLite and PostgreSQL.

Each cell is allow, not found (the record's existence must not leak) or forbidden; every refusal leaves a row in
the access log, and lists never hold what a single read would refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from principals import officer, person
from sqlalchemy import Engine

from straitlink.domain.access import AccountRole as R
from straitlink.domain.errors import Forbidden, NotFound
from straitlink.domain.marking import Classification as C
from straitlink.domain.records import Record
from straitlink.services import records
from straitlink.services.access import access_entries
from straitlink.services.kinds import kind_named
from straitlink.services.records import ListFilter

CASE, SEIZURE, PERSON, INTEL, MEETING = (kind_named(k) for k in ("case", "seizure", "person", "intel", "meeting"))

PRINCIPALS = {
    "liaison": officer("liaison"),
    "prosecutor-ks": person("prosecutor-ks", R.PROSECUTOR, "kaohsiung-district-prosecutors", clearance=C.CONFIDENTIAL),
    "investigator-cib": person(
        "investigator-cib", R.INVESTIGATOR, "cib", clearance=C.CONFIDENTIAL, units=frozenset({"cib-3rd-brigade"})
    ),
    "investigator-mjib": person("investigator-mjib", R.INVESTIGATOR, "mjib", units=frozenset({"mjib-kaohsiung"})),
    "analyst": person("analyst", R.ANALYST, "moj", clearance=C.RESTRICTED),
    "viewer": person("viewer", R.VIEWER, "moj", clearance=C.UNCLASSIFIED),
    "admin": person("admin", R.ADMIN, None),
    "peer": person("peer", R.PEER, None),
}


def _marking(classification: C) -> dict[str, Any]:
    return {"classification": classification.value, "handling": "H1", "releasable": False, "publishable": False}


@pytest.fixture
def world(engine: Engine) -> dict[str, Record]:
    """Case A (高雄地檢署 directing 偵三隊, restricted), case B (調查局高雄市調查處, confidential), a seizure in each,
    a secret intel report and an unclassified meeting."""
    desk = officer("liaison")
    add = lambda kind, data: records.add_record(engine, kind, data, principal=desk)  # noqa: E731
    a = add(CASE, {"title": "A", "kind": "drugs", "joint": True, "marking": _marking(C.RESTRICTED),
                   "agencies": [{"agency": "kaohsiung-district-prosecutors", "role": "directing"},
                                {"agency": "cib-3rd-brigade", "role": "participating"}]})  # fmt: skip
    b = add(CASE, {"title": "B", "kind": "drugs", "joint": False, "marking": _marking(C.CONFIDENTIAL),
                   "agencies": [{"agency": "mjib-kaohsiung", "role": "participating"}]})  # fmt: skip
    seizure = {"drug": "ketamine", "quantities": [{"value": "231", "unit": "kg"}], "marking": _marking(C.RESTRICTED)}
    intel = {"provider_party": "TW", "recipient_party": "CN", "provider_agency": "coast-guard", "summary": "線報"}
    meeting = {"kind": "working_talks", "title": "工作會談", "marking": {"classification": "unclassified"}}
    return {
        "case A": a,
        "case B": b,
        "seizure A": add(SEIZURE, {**seizure, "case": a.id}),
        "seizure B": add(SEIZURE, {**seizure, "case": b.id}),
        "person B": add(PERSON, {"case": b.id, "marking": _marking(C.CONFIDENTIAL)}),
        "intel": add(INTEL, {**intel, "marking": _marking(C.SECRET)}),
        "meeting": add(MEETING, meeting),
    }


KIND_OF = {
    "case A": CASE,
    "case B": CASE,
    "seizure A": SEIZURE,
    "seizure B": SEIZURE,
    "person B": PERSON,
    "intel": INTEL,
    "meeting": MEETING,
}
A, N, F = "allow", "not_found", "forbidden"
# Reading each record: one row per principal, in the order of KIND_OF.
READS: dict[str, tuple[str, ...]] = {
    #                    case A case B sz A  sz B  pers B intel meeting
    "liaison":           (A,    A,     A,    A,    A,     A,    A),
    "prosecutor-ks":     (A,    N,     A,    N,    N,     N,    A),
    "investigator-cib":  (A,    N,     A,    N,    N,     N,    A),
    "investigator-mjib": (N,    A,     N,    A,    A,     N,    A),
    "analyst":           (A,    N,     A,    A,    N,     N,    A),
    "viewer":            (N,    N,     N,    N,    N,     N,    A),
    "admin":             (F,    F,     F,    F,    F,     F,    F),
    "peer":              (F,    F,     F,    F,    F,     F,    F),
}  # fmt: skip


def _outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except NotFound:
        return N
    except Forbidden:
        return F
    return A


@pytest.mark.parametrize("who", list(READS))
def test_reads(engine: Engine, world: dict[str, Record], who: str) -> None:
    p = PRINCIPALS[who]
    got = tuple(
        _outcome(lambda name=name: records.get_record(engine, KIND_OF[name], world[name].id, principal=p))
        for name in KIND_OF
    )
    assert got == READS[who]
    refused = [name for name, outcome in zip(KIND_OF, got, strict=True) if outcome != A]
    logged = {e.record_id for e in access_entries(engine, username=who) if e.outcome in (N, F)}
    hidden = {world[name].id for name, outcome in zip(KIND_OF, got, strict=True) if outcome == N}
    assert hidden <= logged and (not refused or access_entries(engine, username=who))


@pytest.mark.parametrize("who", list(READS))
def test_lists_hold_exactly_what_reads_allow(engine: Engine, world: dict[str, Record], who: str) -> None:
    p = PRINCIPALS[who]
    for kind in (CASE, SEIZURE, PERSON, INTEL, MEETING):
        names = [n for n in KIND_OF if KIND_OF[n] is kind]
        expected = {world[n].id for n in names if READS[who][list(KIND_OF).index(n)] == A}
        outcome = _outcome(lambda kind=kind: records.list_records(engine, kind, ListFilter(), principal=p))
        if outcome == F:
            assert not expected
            continue
        listed = {r.id for r in records.list_records(engine, kind, ListFilter(), principal=p)}
        assert listed == expected, kind.name


# Changing case A's title, and adding a case in which 高雄地檢署 directs.
WRITES: dict[str, tuple[str, str]] = {
    "liaison": (A, A),
    "prosecutor-ks": (A, A),
    "investigator-cib": (A, F),  # sees A through 偵三隊; a case without cib is out of its scope to add
    "investigator-mjib": (N, F),
    "analyst": (F, F),
    "viewer": (F, F),  # a role that never writes is refused before anything is looked up
    "admin": (F, F),
    "peer": (F, F),
}


@pytest.mark.parametrize("who", list(WRITES))
def test_writes(engine: Engine, world: dict[str, Record], who: str) -> None:
    p = PRINCIPALS[who]
    case_a = world["case A"]
    change = _outcome(lambda: records.update_record(engine, CASE, case_a.id, {"title": "A'"}, principal=p))
    new = {"title": "C", "kind": "drugs", "joint": True, "marking": _marking(C.RESTRICTED),
           "agencies": [{"agency": "kaohsiung-district-prosecutors", "role": "directing"}]}  # fmt: skip
    add = _outcome(lambda: records.add_record(engine, CASE, new, principal=p))
    assert (change, add) == WRITES[who]


def test_nobody_adds_above_their_clearance(engine: Engine) -> None:
    p = PRINCIPALS["prosecutor-ks"]
    data = {"title": "S", "kind": "drugs", "joint": True, "marking": _marking(C.SECRET),
            "agencies": [{"agency": "kaohsiung-district-prosecutors", "role": "directing"}]}  # fmt: skip
    with pytest.raises(Forbidden):
        records.add_record(engine, CASE, data, principal=p)
    assert records.list_records(engine, CASE, ListFilter(), principal=officer()) == []


def test_a_stale_update_is_a_conflict_and_changes_nothing(engine: Engine, world: dict[str, Record]) -> None:
    from straitlink.domain.errors import Conflict

    case_a = world["case A"]
    records.update_record(engine, CASE, case_a.id, {"title": "A1"}, principal=officer(), expected_version=1)
    with pytest.raises(Conflict):
        records.update_record(engine, CASE, case_a.id, {"title": "A2"}, principal=officer(), expected_version=1)
    stored = records.get_record(engine, CASE, case_a.id, principal=officer())
    assert (stored.title, stored.version) == ("A1", 2)  # type: ignore[attr-defined]
