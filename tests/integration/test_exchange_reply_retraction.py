"""A reply retracted through the exchange, in process: TW on SQLite, CN on each engine.

CN completes TW's request with its result and a document; TW sees it completed. CN retracts the result: on both
sides the request is open again where it stood before the completion, the result, its step and its document go, no
statistic counts it completed, and both histories say why. Only the side that sent a reply retracts it.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from test_exchange import REQUEST, Side, direct, sides  # noqa: F401  (`sides` is a fixture)

from straitlink.audit import log
from straitlink.audit.verify import verify_stored
from straitlink.domain.errors import InvalidValue, NotOwner
from straitlink.domain.parties import Party
from straitlink.domain.requests import RequestStatus as S
from straitlink.domain.workflow import Acting, Role
from straitlink.exchange.evidence import evidence
from straitlink.exchange.service import sync
from straitlink.services.documents import Upload
from straitlink.services.reply_retraction import retract_reply
from straitlink.services.requests import Desk, ReplyInput, StepInput, assign_request, file_request, reply_to_request
from straitlink.services.requests import transition_request as step
from straitlink.stats.service import compute_statistics
from straitlink.store.tables_workflow import RequestDocumentRow, RequestReplyRow, RequestTransitionRow
from straitlink.store.uow import UnitOfWork

pytestmark = pytest.mark.pg
PROOF = Upload("送達證書.pdf", b"%PDF-1.4\n% proof of service\n" + bytes(range(256)) * 4)
CN_CP = Acting(Party.CN, Role.CONTACT_POINT)
EXECUTING = Acting(Party.CN, Role.EXECUTING_AGENCY, "spc")


def desk(side: Side) -> Desk:
    return Desk.from_settings(side.settings, side.engine)


def completed(tw: Side, cn: Side) -> str:
    """TW files and sends; CN receives, assigns, executes and completes with its result and proof."""
    rid = file_request(desk(tw), REQUEST, principal=tw.officer).id
    step(desk(tw), rid, S.SENT, StepInput(), principal=tw.officer, acting=Acting(Party.TW, Role.CONTACT_POINT))
    sync(tw.ex, direct(cn))
    step(desk(cn), rid, S.RECEIVED, StepInput(), principal=cn.officer, acting=CN_CP)
    assign_request(desk(cn), rid, "spc", StepInput(), principal=cn.officer, acting=CN_CP)
    step(desk(cn), rid, S.IN_EXECUTION, StepInput(), principal=cn.officer, acting=EXECUTING)
    done = StepInput(text="已送達", documents=(PROOF,))
    step(desk(cn), rid, S.COMPLETED, done, principal=cn.officer, acting=EXECUTING)
    assert sync(cn.ex, direct(tw)).receipts == {"applied": 4}
    assert tw.get("request", rid).status is S.COMPLETED
    return rid


def rows(side: Side, rid: str) -> tuple[int, int, int]:
    """The request's replies, documents and history steps."""
    with UnitOfWork(side.engine) as uow:
        conn = uow.connection

        def n(table: type, column: object) -> int:
            return int(conn.scalar(select(func.count()).select_from(table).where(column == rid)) or 0)

        return (
            n(RequestReplyRow, RequestReplyRow.request_id),
            n(RequestDocumentRow, RequestDocumentRow.request_id),
            n(RequestTransitionRow, RequestTransitionRow.request_id),
        )


def completed_count(side: Side) -> int:
    today = date.today()
    with UnitOfWork(side.engine) as uow:
        stats = compute_statistics(uow, start=date(today.year - 1, 1, 1), end=date(today.year + 1, 12, 31))
    return stats.requests.both.completed


def result_id(side: Side, rid: str) -> str:
    with UnitOfWork(side.engine) as uow:
        return str(
            uow.connection.scalar(
                select(RequestReplyRow.id).where(RequestReplyRow.request_id == rid, RequestReplyRow.kind == "complete")
            )
        )


def test_a_retracted_completion_reopens_the_request_on_both_sides(sides: tuple[Side, Side]) -> None:  # noqa: F811
    tw, cn = sides
    rid = completed(tw, cn)
    before = {side.party: rows(side, rid) for side in (tw, cn)}
    assert completed_count(tw) == completed_count(cn) == 1
    now = retract_reply(cn.engine, Party.CN, result_id(cn, rid), "送達證書誤植他案", principal=cn.officer)
    assert now == "in_execution"
    assert sync(cn.ex, direct(tw)).receipts == {"applied": 1}
    for side in (tw, cn):
        got = side.get("request", rid)
        assert (got.status, got.closed_on) == (S.IN_EXECUTION, None)
        replies, docs, steps = before[side.party]
        assert rows(side, rid) == (replies - 1, docs - 1, steps - 1)  # the result, its document and its step
        assert completed_count(side) == 0
        with UnitOfWork(side.engine) as uow:
            reasons = {e.kind: e.context.get("reason") for e in log.entries(uow) if e.context.get("reason")}
        assert reasons == {"request": "送達證書誤植他案", "reply": "送達證書誤植他案", "document": "送達證書誤植他案"}
        assert verify_stored(side.engine).problem is None
        assert evidence(side.ex, rid)["verified"]
    # The right result is then given through the workflow as any result, and TW follows.
    again = StepInput(text="已送達（更正）", documents=(PROOF,))
    step(desk(cn), rid, S.COMPLETED, again, principal=cn.officer, acting=EXECUTING)
    assert sync(cn.ex, direct(tw)).receipts == {"applied": 1}
    assert tw.get("request", rid).status is S.COMPLETED and completed_count(tw) == 1


def test_a_progress_reply_is_retracted_and_the_status_stays(sides: tuple[Side, Side]) -> None:  # noqa: F811
    tw, cn = sides
    rid = file_request(desk(tw), REQUEST, principal=tw.officer).id
    step(desk(tw), rid, S.SENT, StepInput(), principal=tw.officer, acting=Acting(Party.TW, Role.CONTACT_POINT))
    sync(tw.ex, direct(cn))
    step(desk(cn), rid, S.RECEIVED, StepInput(), principal=cn.officer, acting=CN_CP)
    reply = reply_to_request(
        desk(cn), rid, ReplyInput(kind="progress", text="辦理中"), principal=cn.officer, acting=CN_CP
    )
    sync(cn.ex, direct(tw))
    assert rows(tw, rid)[0] == 1
    with pytest.raises(NotOwner, match="reply: stated by CN; TW may not"):
        retract_reply(tw.engine, Party.TW, reply, "不是我方的", principal=tw.officer)
    assert retract_reply(cn.engine, Party.CN, reply, "誤發", principal=cn.officer) == "received"
    assert sync(cn.ex, direct(tw)).receipts == {"applied": 1}
    for side in (tw, cn):
        assert rows(side, rid)[0] == 0 and side.get("request", rid).status is S.RECEIVED
        assert verify_stored(side.engine).problem is None


def test_a_steps_own_text_is_no_result_to_retract_and_a_later_note_does_not_hide_the_result(
    sides: tuple[Side, Side],  # noqa: F811
) -> None:
    tw, cn = sides
    rid = completed(tw, cn)
    reply_to_request(desk(cn), rid, ReplyInput(kind="note", text="結案"), principal=cn.officer, acting=CN_CP)
    # A note after the result does not move the request: the result is still its latest step.
    assert retract_reply(cn.engine, Party.CN, result_id(cn, rid), "誤", principal=cn.officer) == "in_execution"
    other = file_request(desk(tw), REQUEST, principal=tw.officer).id
    step(desk(tw), other, S.SENT, StepInput(), principal=tw.officer, acting=Acting(Party.TW, Role.CONTACT_POINT))
    sync(tw.ex, direct(cn))
    step(desk(cn), other, S.RECEIVED, StepInput(), principal=cn.officer, acting=CN_CP)
    step(desk(cn), other, S.INFO_REQUESTED, StepInput(text="請補充地址"), principal=cn.officer, acting=CN_CP)
    with UnitOfWork(cn.engine) as uow:
        asked = str(uow.connection.scalar(select(RequestReplyRow.id).where(RequestReplyRow.request_id == other)))
    with pytest.raises(InvalidValue, match="only a result"):
        retract_reply(cn.engine, Party.CN, asked, "誤", principal=cn.officer)
    assert cn.get("request", other).status is S.INFO_REQUESTED and rows(cn, other)[0] == 1
