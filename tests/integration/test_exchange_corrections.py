"""Corrections and retractions between the two instances, in process: TW on SQLite, CN on each engine.

TW hands intel over, CN records the seizure it led to, CN corrects the seizure's quantity and then retracts it;
TW's statistics follow each step and TW's history says why. The same over offline packages, out of order and twice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from test_exchange import RELEASED, Side, direct, intel, sides  # noqa: F401  (`sides` is a fixture)

from straitlink.audit import log
from straitlink.audit.verify import verify_stored
from straitlink.domain.errors import Conflict, MissingField
from straitlink.exchange.offline import export_package, import_package, receipts_package
from straitlink.exchange.service import sync
from straitlink.services import corrections
from straitlink.services.kinds import kind_named
from straitlink.stats.service import compute_statistics
from straitlink.store.tables_exchange import MessageRow
from straitlink.store.uow import UnitOfWork

pytestmark = pytest.mark.pg
SEIZURE = kind_named("seizure")


def seizure(kg: str) -> dict[str, Any]:
    return {
        "drug": "ketamine",
        "date": {"iso": "2013-11-17"},
        "place": "taoyuan-airport",
        "quantities": [{"value": kg, "unit": "kg", "basis": "gross", "qualifier": "exact"}],
        "marking": RELEASED,
    }


def led_to(side: Side) -> tuple[int, Decimal]:
    """What TW's hand-overs led to, as the statistics count it: seizures and their total weight in kg."""
    with UnitOfWork(side.engine) as uow:
        stats = compute_statistics(uow, start=date(2013, 1, 1), end=date(2013, 12, 31))
    found = stats.intel.by_provider.get("TW")
    return (found.seizures, found.total_weight_kg.value) if found else (0, Decimal(0))


def why(side: Side, record_id: str) -> list[tuple[str, str | None]]:
    with UnitOfWork(side.engine) as uow:
        return [(e.action, e.context.get("reason")) for e in log.entries(uow, record_id=record_id)]


def hand_over_and_seize(tw: Side, cn: Side) -> tuple[str, str, str]:
    intel_id = tw.add("intel", {**intel("可疑貨櫃"), "date": {"iso": "2013-11-01"}})
    assert sync(tw.ex, direct(cn)).receipts == {"applied": 1}
    seizure_id = cn.add("seizure", seizure("229"))
    outcome_id = cn.add("outcome", {"intel": intel_id, "seizures": [seizure_id], "marking": RELEASED})
    return intel_id, seizure_id, outcome_id


def test_a_correction_and_a_retraction_of_a_seizure_change_the_other_sides_statistics(
    sides: tuple[Side, Side],  # noqa: F811
) -> None:
    tw, cn = sides
    _, seizure_id, outcome_id = hand_over_and_seize(tw, cn)
    assert sync(cn.ex, direct(tw)).receipts == {"applied": 2}
    assert led_to(tw) == (1, Decimal("229"))

    quantities = [{"value": "231", "unit": "kg", "basis": "gross", "qualifier": "exact"}]
    corrections.correct_record(
        cn.engine, SEIZURE, seizure_id, {"quantities": quantities}, "複秤後更正為231公斤", principal=cn.officer
    )
    assert sync(cn.ex, direct(tw)).receipts == {"applied": 1}
    assert led_to(tw) == (1, Decimal("231"))
    assert ("update", "複秤後更正為231公斤") in why(tw, seizure_id)

    corrections.retract_record(cn.engine, SEIZURE, seizure_id, "同一查獲重複通報", principal=cn.officer)
    assert sync(cn.ex, direct(tw)).receipts == {"applied": 1}
    assert led_to(tw) == (0, Decimal(0))
    for side in (tw, cn):
        assert side.count("seizure") == 0 and side.count("outcome") == 0  # the outcome named only that seizure
        assert why(side, seizure_id)[-1] == ("delete", "同一查獲重複通報")
        assert why(side, outcome_id)[-1] == ("delete", "同一查獲重複通報")
        assert verify_stored(side.engine).problem is None  # the records' digest followed the deletions


def test_the_same_over_offline_packages_out_of_order_and_twice(sides: tuple[Side, Side]) -> None:  # noqa: F811
    tw, cn = sides
    _, seizure_id, _ = hand_over_and_seize(tw, cn)
    first = export_package(cn.ex)
    quantities = [{"value": "300", "unit": "kg", "basis": "gross", "qualifier": "at_least"}]
    corrections.correct_record(cn.engine, SEIZURE, seizure_id, {"quantities": quantities}, "更正", principal=cn.officer)
    second = export_package(cn.ex)
    corrections.retract_record(cn.engine, SEIZURE, seizure_id, "撤回：非本案查獲", principal=cn.officer)
    third = export_package(cn.ex)
    assert import_package(tw.ex, third).messages == {"applied": 4}  # the later package holds the earlier messages
    for package in (first, second, third):  # carried again, in any order: nothing more happens
        import_package(tw.ex, package)
    assert led_to(tw) == (0, Decimal(0))
    assert why(tw, seizure_id)[-1] == ("delete", "撤回：非本案查獲")
    import_package(cn.ex, receipts_package(tw.ex))
    with UnitOfWork(cn.engine) as uow:
        statuses = set(uow.connection.scalars(select(MessageRow.status).where(MessageRow.direction == "out")))
    assert statuses == {"applied"}


def test_a_retraction_is_refused_while_another_record_names_it_and_needs_a_reason(
    sides: tuple[Side, Side],  # noqa: F811
) -> None:
    tw, _ = sides
    case_id = tw.add("case", {"title": "貨櫃案", "kind": "drugs", "joint": False, "marking": RELEASED})
    seizure_id = tw.add("seizure", {**seizure("10"), "case": case_id})
    with pytest.raises(Conflict, match="named by seizure"):
        corrections.retract_record(tw.engine, kind_named("case"), case_id, "誤建", principal=tw.officer)
    with pytest.raises(MissingField, match="reason"):
        corrections.retract_record(tw.engine, SEIZURE, seizure_id, "  ", principal=tw.officer)
    assert (tw.count("case"), tw.count("seizure")) == (1, 1)  # nothing lost


def test_no_message_of_any_kind_leaves_for_a_record_kept_home(sides: tuple[Side, Side]) -> None:  # noqa: F811
    """Created, updated, corrected, retracted, a request filed, sent and answered with documents: all withheld."""
    from test_exchange import REQUEST

    from straitlink.domain.parties import Party
    from straitlink.domain.requests import RequestStatus as S
    from straitlink.domain.workflow import Acting, Role
    from straitlink.exchange.envelope import canonical
    from straitlink.exchange.status import status
    from straitlink.services import records
    from straitlink.services.documents import Upload
    from straitlink.services.requests import Desk, ReplyInput, StepInput, file_request, reply_to_request
    from straitlink.services.requests import transition_request as step

    tw, cn = sides
    home = {"releasable": False, "classification": "restricted", "handling": "H2"}
    case_id = tw.add("case", {"title": "線民案", "kind": "drugs", "joint": False, "marking": home})
    seizure_id = tw.add("seizure", {**seizure("12"), "case": case_id, "marking": home})
    person_id = tw.add("person", {"case": case_id, "role": "suspect", "marking": home})
    intel_id = tw.add("intel", {**intel("線民身分"), "marking": home})
    outcome_id = tw.add("outcome", {"intel": intel_id, "persons": [person_id], "marking": home})
    records.update_record(tw.engine, kind_named("intel"), intel_id, {"summary": "線民（更正）"}, principal=tw.officer)
    quantities = [{"value": "13", "unit": "kg", "basis": "gross", "qualifier": "exact"}]
    corrections.correct_record(tw.engine, SEIZURE, seizure_id, {"quantities": quantities}, "複秤", principal=tw.officer)
    corrections.retract_record(tw.engine, kind_named("person"), person_id, "誤列", principal=tw.officer)  # + outcome
    corrections.retract_record(tw.engine, SEIZURE, seizure_id, "重複", principal=tw.officer)
    desk = Desk.from_settings(tw.settings, tw.engine)
    secret = Upload("線民筆錄.txt", "線民筆錄，不得外流。\n".encode())
    rid = file_request(desk, {**REQUEST, "marking": home}, documents=[secret], principal=tw.officer).id
    cp = Acting(Party.TW, Role.CONTACT_POINT)
    step(desk, rid, S.SENT, StepInput(), principal=tw.officer, acting=cp)
    reply_to_request(desk, rid, ReplyInput(kind="progress", text="補件", documents=(secret,)), principal=tw.officer,
                     acting=cp)  # fmt: skip

    report = sync(tw.ex, direct(cn))
    assert (report.staged, report.sent, report.withheld) == (0, 0, 12)
    assert status(tw.engine)["withheld_events"] == 12
    with UnitOfWork(tw.engine) as uow:
        wires = [canonical(w).decode() for w in uow.connection.scalars(select(MessageRow.wire))]
    kept = (case_id, seizure_id, person_id, intel_id, outcome_id, rid, "線民")
    assert [w for w in wires if any(k in w for k in kept)] == []
    for kind in ("case", "seizure", "person", "intel", "outcome", "request"):
        assert cn.count(kind) == 0
    assert not (cn.data_dir / "files").exists() or not any((cn.data_dir / "files").rglob("*"))
