"""A request's own fields corrected through the exchange, in process: TW on SQLite, CN on each engine.

The side that states a field corrects it, the other side's copy follows with the same reason in its audit history;
a correction of a field the sender does not state is refused with a signed `rejected` receipt, nothing changed, and
the request's later messages do not wait for it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_exchange import REQUEST, Side, direct, sides  # noqa: F401  (`sides` is a fixture)

from straitlink.audit import log
from straitlink.audit.verify import verify_stored
from straitlink.domain.errors import NotOwner, NotPermitted
from straitlink.domain.events import DomainEvent
from straitlink.domain.parties import Party
from straitlink.domain.requests import RequestStatus as S
from straitlink.domain.workflow import Acting, Role
from straitlink.exchange.evidence import evidence
from straitlink.exchange.service import sync
from straitlink.services import corrections
from straitlink.services.requests import Desk, StepInput, file_request
from straitlink.services.requests import transition_request as step
from straitlink.store.tables_exchange import MessageRow, ReceiptRow
from straitlink.store.uow import UnitOfWork

pytestmark = pytest.mark.pg


def reasons(side: Side, record_id: str) -> list[str | None]:
    with UnitOfWork(side.engine) as uow:
        return [e.context.get("reason") for e in log.entries(uow, record_id=record_id)]


def sent_request(tw: Side, cn: Side) -> str:
    desk = Desk.from_settings(tw.settings, tw.engine)
    rid = file_request(desk, REQUEST, principal=tw.officer).id
    step(desk, rid, S.SENT, StepInput(), principal=tw.officer, acting=Acting(Party.TW, Role.CONTACT_POINT))
    assert sync(tw.ex, direct(cn)).receipts == {"applied": 2}
    return rid


def test_the_requesting_side_corrects_the_subject_and_the_other_side_follows(sides: tuple[Side, Side]) -> None:  # noqa: F811
    tw, cn = sides
    rid = sent_request(tw, cn)
    changes = {"subject": "送達民事判決及裁定", "matters": "送達判決書及裁定", "urgency": "urgent"}
    corrections.correct_request(tw.engine, Party.TW, rid, changes, "漏列裁定", principal=tw.officer)
    assert sync(tw.ex, direct(cn)).receipts == {"applied": 1}
    for side in (tw, cn):
        got = side.get("request", rid)
        assert (got.subject, got.matters, got.urgency.value) == ("送達民事判決及裁定", "送達判決書及裁定", "urgent")
        assert got.status is S.SENT  # the workflow's state is not touched
        assert reasons(side, rid)[-1] == "漏列裁定"
        assert verify_stored(side.engine).problem is None
        assert evidence(side.ex, rid)["verified"]
    # The requested side corrects the field it states, its own reference number, and TW follows.
    corrections.correct_request(
        cn.engine, Party.CN, rid, {"requested_ref": "閩司協2013-17"}, "編號", principal=cn.officer
    )
    assert sync(cn.ex, direct(tw)).receipts == {"applied": 1}
    assert tw.get("request", rid).requested_ref == "閩司協2013-17"


def test_a_side_may_not_correct_what_the_other_states_nor_the_workflows_fields(sides: tuple[Side, Side]) -> None:  # noqa: F811
    tw, cn = sides
    rid = sent_request(tw, cn)
    before = tw.get("request", rid)
    with pytest.raises(NotOwner, match="requested_ref"):
        corrections.correct_request(tw.engine, Party.TW, rid, {"requested_ref": "X"}, "誤", principal=tw.officer)
    with pytest.raises(NotOwner, match="subject"):
        corrections.correct_request(cn.engine, Party.CN, rid, {"subject": "改"}, "誤", principal=cn.officer)
    with pytest.raises(NotPermitted, match="status"):
        corrections.correct_request(tw.engine, Party.TW, rid, {"status": "completed"}, "誤", principal=tw.officer)
    after = tw.get("request", rid)
    assert (after.version, after.subject) == (before.version, before.subject)


def test_a_peer_correcting_a_field_it_does_not_state_is_rejected_and_later_steps_still_apply(
    sides: tuple[Side, Side],  # noqa: F811
) -> None:
    tw, cn = sides
    rid = sent_request(tw, cn)
    subject = tw.get("request", rid).subject
    # A CN instance that would correct TW's subject (its own service refuses it: the event is forged in its outbox).
    with UnitOfWork(cn.engine) as uow:
        payload = {"diff": {"subject": [subject, "被改的主旨"]}, "reason": "越權更正"}
        uow.announce(DomainEvent("record.corrected", "request", rid, "officer", True, payload))
        uow.commit()
    step(Desk.from_settings(cn.settings, cn.engine), rid, S.RECEIVED, StepInput(), principal=cn.officer,
         acting=Acting(Party.CN, Role.CONTACT_POINT))  # fmt: skip
    report = sync(cn.ex, direct(tw))
    assert report.receipts == {"rejected": 1, "applied": 1}
    got = tw.get("request", rid)
    assert (got.subject, got.status) == (subject, S.RECEIVED)  # nothing of it changed; the next step applied
    assert "越權更正" not in reasons(tw, rid)
    with UnitOfWork(tw.engine) as uow:
        refused = uow.connection.execute(
            select(ReceiptRow.reason, ReceiptRow.wire).where(
                ReceiptRow.direction == "given", ReceiptRow.status == "rejected"
            )
        ).one()
        stored = uow.connection.scalar(
            select(MessageRow.status).where(MessageRow.id == refused.wire["receipt"]["message"])
        )
    assert refused.reason.startswith("not_owner: subject")
    assert refused.wire["signature"]  # a signed negative receipt
    assert stored == "rejected"
    # Delivered again, it gets the same refusal back.
    with UnitOfWork(cn.engine) as uow:
        wire = uow.connection.scalar(select(MessageRow.wire).where(MessageRow.type == "record.corrected"))
    again = tw.ex.inbox().receive(wire)
    assert again["receipt"]["status"] == "rejected" and again == refused.wire
