"""Documents' bytes between the instances, in process: TW on SQLite, CN on each engine.

A request filed with a document and a reply with one arrive with their bytes, stored through the same file store
a user upload goes to, the same hash on both sides; bytes altered in transit are refused with a signed receipt and
nothing is applied; an offline package carries the bytes too. A message whose document did not come is parked, its
record's later messages wait behind it visibly, other records go on, and it resumes when the bytes come.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from typing import Any

import pytest
from sqlalchemy import select
from test_exchange import REQUEST, Side, direct, intel, sides  # noqa: F401  (`sides` is a fixture)

from straitlink.domain.parties import Party
from straitlink.domain.requests import RequestStatus as S
from straitlink.domain.workflow import Acting, Role
from straitlink.exchange.offline import export_package, import_package
from straitlink.exchange.service import sync
from straitlink.services import request_views
from straitlink.services.documents import Upload
from straitlink.services.requests import Desk, ReplyInput, StepInput, file_request, reply_to_request
from straitlink.services.requests import transition_request as step
from straitlink.store.tables_exchange import MessageRow, ReceiptRow
from straitlink.store.uow import UnitOfWork

pytestmark = pytest.mark.pg
JUDGMENT = Upload("判決書.pdf", b"%PDF-1.4\n% judgment to serve\n" + bytes(range(256)) * 8)
PROOF = Upload("送達證明.txt", "送達證明：已於2013年11月20日送達受送達人。\n".encode())


def desk(side: Side) -> Desk:
    return Desk.from_settings(side.settings, side.engine)


def documents(side: Side, request_id: str) -> dict[str, bytes]:
    """Each document the side holds for the request: its name → its bytes, read back from the side's file store."""
    d = desk(side)
    view = request_views.show_request(d, request_id, principal=side.officer)
    found = {}
    for reply in view.replies:
        for doc in reply.documents:
            shown, content = request_views.read_document(d, doc.id, principal=side.officer)
            assert shown.sha256 == hashlib.sha256(content).hexdigest()
            found[doc.filename] = content
    return found


def filed_and_sent(tw: Side) -> str:
    rid = file_request(desk(tw), REQUEST, documents=[JUDGMENT], principal=tw.officer).id
    step(desk(tw), rid, S.SENT, StepInput(), principal=tw.officer, acting=Acting(Party.TW, Role.CONTACT_POINT))
    return rid


def test_a_filed_document_and_a_replys_document_arrive_with_the_same_bytes(sides: tuple[Side, Side]) -> None:  # noqa: F811
    tw, cn = sides
    rid = filed_and_sent(tw)
    assert sync(tw.ex, direct(cn)).receipts == {"applied": 2}
    assert documents(cn, rid) == {JUDGMENT.filename: JUDGMENT.content}
    cn_cp = Acting(Party.CN, Role.CONTACT_POINT)
    step(desk(cn), rid, S.RECEIVED, StepInput(), principal=cn.officer, acting=cn_cp)
    reply = ReplyInput(kind="progress", text="已送達", documents=(PROOF,))
    reply_to_request(desk(cn), rid, reply, principal=cn.officer, acting=cn_cp)
    assert sync(cn.ex, direct(tw)).receipts == {"applied": 2}
    assert documents(tw, rid) == documents(cn, rid) == {JUDGMENT.filename: JUDGMENT.content,
                                                       PROOF.filename: PROOF.content}  # fmt: skip
    with UnitOfWork(tw.engine) as uow:  # the stored message keeps the signed envelope, not the bytes again
        stored = list(uow.connection.scalars(select(MessageRow.wire).where(MessageRow.direction == "in")))
    assert stored and all("files" not in w for w in stored)


def _outgoing(side: Side) -> list[dict[str, Any]]:
    with UnitOfWork(side.engine) as uow:
        return list(uow.connection.scalars(select(MessageRow.wire).order_by(MessageRow.seq)))


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda files, d: files.__setitem__(d, base64.b64encode(b"%PDF-1.4 forged").decode()), "document_mismatch"),
        (lambda files, d: files.__setitem__(d, "not base64!"), "document_mismatch"),
    ],
)
def test_altered_document_bytes_are_refused_with_a_signed_receipt(
    sides: tuple[Side, Side],  # noqa: F811
    tamper: Any,
    reason: str,
) -> None:
    tw, cn = sides
    filed_and_sent(tw)
    sync(tw.ex, lambda url, body: {"receipts": []})  # staged and signed, not delivered
    filed = next(w for w in _outgoing(tw) if w["envelope"]["type"] == "request.file")
    altered = copy.deepcopy(filed)
    tamper(altered["files"], hashlib.sha256(JUDGMENT.content).hexdigest())
    receipt = cn.ex.inbox().receive(altered)
    assert (receipt["receipt"]["status"], receipt["receipt"]["reason"].split(":")[0]) == ("rejected", reason)
    assert "signature" in receipt
    assert cn.count("request") == 0
    assert not (cn.data_dir / "files").exists() or not any((cn.data_dir / "files").rglob("*"))
    with UnitOfWork(cn.engine) as uow:
        assert uow.connection.scalar(select(ReceiptRow.refused).where(ReceiptRow.status == "rejected")) == altered
    # The message as signed, with its bytes, is applied afterwards: the refusal changed nothing.
    assert cn.ex.inbox().receive(filed)["receipt"]["status"] == "applied"


def test_a_document_missing_at_the_sender_parks_its_message_and_its_record_waits_visibly_until_it_comes(
    sides: tuple[Side, Side],  # noqa: F811
) -> None:
    from test_exchange import out_statuses

    from straitlink.exchange.status import status

    tw, cn = sides
    rid = filed_and_sent(tw)
    other = tw.add("intel", intel("無關的線索"))
    tw_files = desk(tw).files
    sha = hashlib.sha256(JUDGMENT.content).hexdigest()
    tw_files.path(sha).unlink()  # lost from TW's own store before the filing left
    assert sync(tw.ex, direct(cn)).receipts == {"parked": 1, "waiting": 1, "applied": 1}
    assert cn.count("request") == 0 and cn.get("intel", other).summary == "無關的線索"  # other records go on
    shown = status(cn.engine)
    (parked,) = shown["parked"]
    assert (parked["type"], parked["waiting_behind"]) == ("request.file", 1)
    assert parked["reason"].startswith("document_missing: document: '判決書.pdf'")
    (waiting,) = shown["waiting"]
    assert waiting["type"] == "request.send" and waiting["after"] == parked["message"]
    assert "parked: document_missing" in waiting["reason"]
    assert sync(tw.ex, direct(cn)).receipts.get("applied", 0) == 0  # still missing here: nothing goes again
    assert cn.count("request") == 0
    # The document is back in TW's store: the next sync sends the filing again with it, CN applies it and the step
    # waiting behind it, and both sides' statuses settle.
    tw_files.put(tw_files.check(JUDGMENT))
    sync(tw.ex, direct(cn))
    assert cn.get("request", rid).status is S.SENT
    assert documents(cn, rid) == {JUDGMENT.filename: JUDGMENT.content}
    assert status(cn.engine)["parked"] == status(cn.engine)["waiting"] == []
    sync(tw.ex, direct(cn))  # the waiting step's late receipt
    assert out_statuses(tw) == {"applied": 3}


def test_an_offline_package_carries_the_bytes(sides: tuple[Side, Side]) -> None:  # noqa: F811
    tw, cn = sides
    rid = filed_and_sent(tw)
    package = export_package(tw.ex)
    assert import_package(cn.ex, package).messages == {"applied": 2}
    assert documents(cn, rid) == {JUDGMENT.filename: JUDGMENT.content}


def test_the_record_pages_show_the_other_sides_text_in_the_readers_script(sides: tuple[Side, Side]) -> None:  # noqa: F811
    from straitlink.web.acting import Office, records_shown

    tw, cn = sides
    rid = tw.add("intel", intel("貨櫃夾藏K他命"))
    sync(tw.ex, direct(cn))
    [shown] = records_shown(Office(cn.engine, desk(cn)), [cn.get("intel", rid)])
    assert (shown["summary"], shown["as_received"]) == ("集装箱夹藏氯胺酮", {"summary": "貨櫃夾藏K他命"})
    [own] = records_shown(Office(tw.engine, desk(tw)), [tw.get("intel", rid)])
    assert own["summary"] == "貨櫃夾藏K他命" and "as_received" not in own


def test_a_source_document_record_naming_a_hash_travels_without_bytes(sides: tuple[Side, Side]) -> None:  # noqa: F811
    tw, cn = sides
    text = "法務部新聞稿：查獲愷他命229公斤。"
    digest = hashlib.sha256(text.encode()).hexdigest()
    marking = {"releasable": True, "classification": "unclassified", "handling": "H0"}
    rid = tw.add("document", {"title": "新聞稿", "sha256": digest, "text": text, "marking": marking})
    assert sync(tw.ex, direct(cn)).receipts == {"applied": 1}  # its text is in the record: no file to carry
    assert cn.get("document", rid).sha256 == digest
