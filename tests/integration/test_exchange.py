"""The exchange between two instances, in process: TW on SQLite, CN on each engine, messages posted straight into
the receiver's inbox. Exactly once, in causal order per record, refusals signed, nothing released that may not be."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, func, select

from straitlink.config import Settings
from straitlink.domain.access import AccountRole, Principal
from straitlink.domain.accounts import Account
from straitlink.domain.marking import Classification
from straitlink.domain.parties import Party
from straitlink.exchange import keys
from straitlink.exchange.envelope import SCHEMA_VERSION, canonical
from straitlink.exchange.evidence import evidence
from straitlink.exchange.offline import export_package, import_package, receipts_package
from straitlink.exchange.outbox import stage
from straitlink.exchange.peers import add_peer
from straitlink.exchange.sender import Post, claim
from straitlink.exchange.service import Exchange, sync
from straitlink.exchange.status import status
from straitlink.services import records
from straitlink.services.accounts import create_account
from straitlink.services.kinds import kind_named
from straitlink.services.setup import init_database
from straitlink.store.db import make_engine
from straitlink.store.tables_exchange import MessageRow, ReceiptRow
from straitlink.store.uow import UnitOfWork

pytestmark = pytest.mark.pg
RELEASED = {"releasable": True, "classification": "restricted", "handling": "H0"}


@dataclass
class Side:
    party: str
    engine: Engine
    data_dir: Path

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=self.data_dir, database_url=str(self.engine.url), party=Party(self.party))

    @property
    def ex(self) -> Exchange:
        return Exchange.load(self.engine, self.settings)

    @property
    def officer(self) -> Principal:
        return Principal.system(Party(self.party), "officer")

    def add(self, kind: str, data: dict[str, Any]) -> str:
        return records.add_record(self.engine, kind_named(kind), data, principal=self.officer).id

    def count(self, kind: str) -> int:
        with UnitOfWork(self.engine) as uow:
            return uow.repo(kind_named(kind).mapper).count()

    def get(self, kind: str, record_id: str) -> Any:
        with UnitOfWork(self.engine) as uow:
            return uow.repo(kind_named(kind).mapper).get(record_id)


def make_side(party: str, engine: Engine, data_dir: Path) -> Side:
    """An instance at head with its exchange key and the other side's peer account."""
    init_database(engine)
    keys.keygen(data_dir)
    other = Party(party).other
    with UnitOfWork(engine) as uow:
        peer = Account(f"peer-{other.value}", other, frozenset({AccountRole.PEER}), clearance=Classification.SECRET)
        create_account(uow, peer, None, own_party=Party(party), actor="setup")
        uow.commit()
    return Side(party, engine, data_dir)


def pair(a: Side, b: Side) -> None:
    for me, other in ((a, b), (b, a)):
        public = keys.public_text(keys.load_identity(other.data_dir, other.party).public)
        add_peer(
            me.engine, party=other.party, url=f"http://{other.party.lower()}.invalid", key_text=public, me=me.party
        )


def direct(receiver: Side) -> Post:
    """A transport that hands each batch straight to the receiver's inbox (the HTTP layer is the e2e tests')."""

    def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
        inbox = receiver.ex.inbox()
        if url.endswith("/receipts"):
            with UnitOfWork(receiver.engine) as uow:
                from straitlink.exchange.inbox import latest_receipt

                return {"receipts": [latest_receipt(uow, m) for m in body["messages"]]}
        return {"receipts": inbox.receive_batch(body["messages"])}

    return post


@pytest.fixture
def sides(engine: Engine, tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    tw_engine = make_engine(f"sqlite:///{tmp_path / 'tw.db'}")
    tw = make_side("TW", tw_engine, tmp_path / "tw")
    cn = make_side("CN", engine, tmp_path / "cn")
    pair(tw, cn)
    yield tw, cn
    tw_engine.dispose()


def intel(summary: str, **marking: Any) -> dict[str, Any]:
    return {
        "provider_party": "TW",
        "recipient_party": "CN",
        "summary": summary,
        "marking": {**RELEASED, **marking},
    }


def out_statuses(side: Side) -> dict[str, int]:
    with UnitOfWork(side.engine) as uow:
        rows = uow.connection.execute(
            select(MessageRow.status, func.count()).where(MessageRow.direction == "out").group_by(MessageRow.status)
        )
        return {s: int(n) for s, n in rows}


def test_released_intel_arrives_once_with_signed_receipts_and_verifiable_evidence(sides: tuple[Side, Side]) -> None:
    tw, cn = sides
    rid = tw.add("intel", intel("貨櫃夾藏愷他命"))
    report = sync(tw.ex, direct(cn))
    assert (report.staged, report.sent, report.receipts) == (1, 1, {"applied": 1})
    copy_ = cn.get("intel", rid)
    assert copy_.summary == "貨櫃夾藏愷他命"
    assert copy_.provenance.kind.value == "peer"
    again = sync(tw.ex, direct(cn))
    assert (again.staged, again.sent) == (0, 0)
    assert cn.count("intel") == 1
    for side in (tw, cn):
        chain = evidence(side.ex, rid)
        assert chain["verified"], chain
        assert [link["status"] for link in chain["chain"]] == ["applied"]
        assert chain["chain"][0]["receipts"][0]["status"] == "applied"


def test_a_record_whose_handling_keeps_it_home_is_never_sent(sides: tuple[Side, Side]) -> None:
    tw, cn = sides
    home = tw.add("intel", intel("線民身分", releasable=False))
    records.update_record(tw.engine, kind_named("intel"), home, {"summary": "線民身分（更正）"}, principal=tw.officer)
    report = sync(tw.ex, direct(cn))
    assert (report.staged, report.withheld, report.sent) == (0, 2, 0)
    with UnitOfWork(tw.engine) as uow:
        sent = [w for w in uow.connection.scalars(select(MessageRow.wire)) if home in canonical(w).decode()]
    assert sent == []
    assert cn.count("intel") == 0
    assert status(tw.engine)["withheld_events"] == 2
    again = sync(tw.ex, direct(cn))  # the two events are re-read in the window behind the cursor
    assert (again.staged, again.withheld, again.sent) == (0, 0, 0)  # withheld once, not at every round


def test_a_correction_follows_its_record_in_causal_order(sides: tuple[Side, Side]) -> None:
    tw, cn = sides
    rid = tw.add("intel", intel("初報"))
    for n in range(3):
        records.update_record(tw.engine, kind_named("intel"), rid, {"summary": f"更正{n}"}, principal=tw.officer)
    stage(tw.engine, tw.ex.identity, tw.ex.peer)
    # Only the record's first message is deliverable; the corrections wait behind it.
    assert len(claim(tw.engine, "CN", lease=timedelta(seconds=0))) == 1
    report = sync(tw.ex, direct(cn))
    assert report.receipts == {"applied": 4}
    assert cn.get("intel", rid).summary == "更正2"
    assert out_statuses(tw) == {"applied": 4}


def test_messages_out_of_order_wait_for_their_predecessor(sides: tuple[Side, Side]) -> None:
    tw, cn = sides
    rid = tw.add("intel", intel("初報"))
    records.update_record(tw.engine, kind_named("intel"), rid, {"summary": "更正"}, principal=tw.officer)
    stage(tw.engine, tw.ex.identity, tw.ex.peer)
    with UnitOfWork(tw.engine) as uow:
        first, second = uow.connection.scalars(select(MessageRow.wire).order_by(MessageRow.seq)).all()
    inbox = cn.ex.inbox()
    assert inbox.receive(second)["receipt"]["status"] == "waiting"
    assert cn.count("intel") == 0
    assert inbox.receive(first)["receipt"]["status"] == "applied"
    assert cn.get("intel", rid).summary == "更正"
    with UnitOfWork(cn.engine) as uow:
        assert set(uow.connection.scalars(select(MessageRow.status))) == {"applied"}


def test_a_repeat_gets_the_original_receipt_and_changes_nothing(sides: tuple[Side, Side]) -> None:
    tw, cn = sides
    tw.add("intel", intel("一次"))
    stage(tw.engine, tw.ex.identity, tw.ex.peer)
    with UnitOfWork(tw.engine) as uow:
        wire = uow.connection.scalar(select(MessageRow.wire))
    inbox = cn.ex.inbox()
    first = inbox.receive(copy.deepcopy(wire))
    for _ in range(3):
        assert inbox.receive(copy.deepcopy(wire)) == first
    assert cn.count("intel") == 1


def test_two_deliveries_racing_apply_a_message_once(sides: tuple[Side, Side]) -> None:
    tw, cn = sides
    tw.add("intel", intel("並發"))
    stage(tw.engine, tw.ex.identity, tw.ex.peer)
    with UnitOfWork(tw.engine) as uow:
        wire = uow.connection.scalar(select(MessageRow.wire))
    inbox = cn.ex.inbox()
    answers: list[Any] = []
    threads = [threading.Thread(target=lambda: answers.append(inbox.receive(copy.deepcopy(wire)))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {a["receipt"]["status"] for a in answers} == {"applied"}
    assert len({a["receipt"]["id"] for a in answers}) == 1
    assert cn.count("intel") == 1


def _signed_variant(tw: Side, wire: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {**copy.deepcopy(wire["envelope"]), **changes}
    return {"envelope": body, "signature": tw.ex.identity.sign(canonical(body))}


def test_bad_messages_are_each_refused_with_a_signed_negative_receipt_and_change_nothing(
    sides: tuple[Side, Side],
) -> None:
    tw, cn = sides
    tw.add("intel", intel("原件"))
    stage(tw.engine, tw.ex.identity, tw.ex.peer)
    with UnitOfWork(tw.engine) as uow:
        wire = uow.connection.scalar(select(MessageRow.wire))
    inbox = cn.ex.inbox()
    inbox.receive(copy.deepcopy(wire))
    altered = copy.deepcopy(wire)
    altered["envelope"]["payload"]["summary"] = "竄改"
    unsigned = {"envelope": copy.deepcopy(wire["envelope"])}
    stranger = keys.Identity("TW", Ed25519PrivateKey.generate())
    foreign_body = {**copy.deepcopy(wire["envelope"]), "id": "x-1", "key": stranger.key_id}
    foreign = {"envelope": foreign_body, "signature": stranger.sign(canonical(foreign_body))}
    future = _signed_variant(tw, wire, id="x-2", schema=SCHEMA_VERSION + 1)
    replayed = _signed_variant(tw, wire, payload={**wire["envelope"]["payload"], "summary": "重放"})
    expected = {
        "bad_signature": altered,
        "unsigned": unsigned,
        "unknown_key": foreign,
        "future_schema": future,
        "replayed": replayed,
        "malformed": "not a message",
    }
    cn_keys = tw.ex.keys()
    from straitlink.exchange.receipts import open_receipt

    for reason, bad in expected.items():
        receipt = inbox.receive(bad)
        assert receipt["receipt"]["status"] == "rejected"
        assert receipt["receipt"]["reason"].startswith(reason), receipt
        assert open_receipt(receipt, keys=cn_keys).issuer == "CN"  # signed by CN, verifiable by TW
    assert cn.get("intel", wire["envelope"]["record"]["id"]).summary == "原件"
    assert cn.count("intel") == 1
    with UnitOfWork(cn.engine) as uow:
        refused = uow.connection.scalar(
            select(func.count()).where(ReceiptRow.direction == "given", ReceiptRow.status == "rejected")
        )
    assert refused == len(expected)
    assert status(cn.engine)["refused_messages"] == len(expected)


def test_a_message_that_cannot_be_applied_is_parked_with_its_reason(sides: tuple[Side, Side]) -> None:
    tw, cn = sides
    rid = tw.add("intel", intel("先有"))
    # CN already holds a record with the same id (say, entered by hand): the create cannot apply.
    cn.add("intel", {**intel("手動"), "id": rid})
    report = sync(tw.ex, direct(cn))
    assert report.receipts == {"parked": 1}
    assert out_statuses(tw) == {"parked": 1}
    parked = status(cn.engine)["parked"]
    assert len(parked) == 1 and "already exists" in parked[0]["reason"]
    assert cn.get("intel", rid).summary == "手動"


def test_claims_racing_never_lease_a_message_twice(sides: tuple[Side, Side]) -> None:
    tw, _ = sides
    for n in range(60):
        tw.add("intel", intel(f"第{n}則"))
    stage(tw.engine, tw.ex.identity, tw.ex.peer)
    got: list[list[str]] = []

    def take() -> None:
        got.append([m.id for m in claim(tw.engine, "CN", limit=25)])

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [i for batch in got for i in batch]
    assert len(ids) == len(set(ids)) == 60


def test_offline_packages_twice_and_out_of_order_apply_once(sides: tuple[Side, Side]) -> None:
    tw, cn = sides
    rid = tw.add("intel", intel("離線"))
    first = export_package(tw.ex)
    records.update_record(tw.engine, kind_named("intel"), rid, {"summary": "離線更正"}, principal=tw.officer)
    second = export_package(tw.ex)  # holds both messages: the first is not acknowledged yet
    only_second = copy.deepcopy(second)
    body = only_second["package"]
    body["messages"] = body["messages"][1:]
    only_second["signature"] = tw.ex.identity.sign(canonical(body))
    assert import_package(cn.ex, only_second).messages == {"waiting": 1}
    assert import_package(cn.ex, first).messages == {"applied": 1}
    assert cn.get("intel", rid).summary == "離線更正"
    assert import_package(cn.ex, second).messages == {"applied": 2}  # repeats: the original receipts
    assert cn.count("intel") == 1
    back = receipts_package(cn.ex)
    for _ in range(2):
        import_package(tw.ex, back)
    assert out_statuses(tw) == {"applied": 2}
    assert evidence(tw.ex, rid)["verified"]


REQUEST = {
    "type": "document_service",
    "subject": "送達民事判決",
    "requesting_agency": "moj",
    "purpose": "民事訴訟",
    "matters": "送達判決書",
    "case_summary": "請求送達",
    "execution_needs": "受送達人地址",
    "marking": RELEASED,
}


def test_a_request_travels_both_ways_step_by_step(sides: tuple[Side, Side]) -> None:
    from straitlink.domain.requests import RequestStatus as S
    from straitlink.domain.workflow import Acting, Role
    from straitlink.services import request_views
    from straitlink.services.requests import Desk, ReplyInput, StepInput, file_request, reply_to_request
    from straitlink.services.requests import transition_request as step

    tw, cn = sides
    tw_desk, cn_desk = Desk.from_settings(tw.settings, tw.engine), Desk.from_settings(cn.settings, cn.engine)
    tw_cp, cn_cp = Acting(Party.TW, Role.CONTACT_POINT), Acting(Party.CN, Role.CONTACT_POINT)
    rid = file_request(tw_desk, REQUEST, principal=tw.officer).id
    step(tw_desk, rid, S.SENT, StepInput(), principal=tw.officer, acting=tw_cp)
    assert sync(tw.ex, direct(cn)).receipts == {"applied": 2}
    assert cn.get("request", rid).status is S.SENT
    step(cn_desk, rid, S.RECEIVED, StepInput(), principal=cn.officer, acting=cn_cp)
    step(cn_desk, rid, S.INFO_REQUESTED, StepInput(text="請補充受送達人地址"), principal=cn.officer, acting=cn_cp)
    assert sync(cn.ex, direct(tw)).receipts == {"applied": 2}
    assert tw.get("request", rid).status is S.INFO_REQUESTED
    step(tw_desk, rid, S.RECEIVED, StepInput(text="地址：廈門市"), principal=tw.officer, acting=tw_cp)
    sync(tw.ex, direct(cn))
    assert cn.get("request", rid).status is S.RECEIVED
    reply_to_request(cn_desk, rid, ReplyInput(kind="progress", text="已送達"), principal=cn.officer, acting=cn_cp)
    assert sync(cn.ex, direct(tw)).receipts == {"applied": 1}
    history = request_views.history(tw.engine, rid, principal=tw.officer) if hasattr(request_views, "history") else None
    del history
    for side in (tw, cn):
        assert evidence(side.ex, rid)["verified"]
    # Each side sees every step, in the same order.
    assert tw.get("request", rid).version == cn.get("request", rid).version


def test_a_rotated_key_is_accepted_for_its_overlap_and_old_evidence_still_verifies(sides: tuple[Side, Side]) -> None:
    tw, cn = sides
    rid = tw.add("intel", intel("輪換前"))
    sync(tw.ex, direct(cn))
    keys.keygen(tw.data_dir, rotate=True)
    new_public = keys.public_text(keys.load_identity(tw.data_dir, "TW").public)
    add_peer(cn.engine, party="TW", url="http://tw.invalid", key_text=new_public, me="CN", overlap=timedelta(0))
    records.update_record(tw.engine, kind_named("intel"), rid, {"summary": "輪換後"}, principal=tw.officer)
    assert sync(tw.ex, direct(cn)).receipts == {"applied": 1}
    assert cn.get("intel", rid).summary == "輪換後"
    for side in (tw, cn):
        chain = evidence(side.ex, rid)
        assert chain["verified"] and len(chain["chain"]) == 2
        assert chain["chain"][0]["message"] != chain["chain"][1]["message"]
    # A message still signed with the retired key is refused now that the overlap is over.
    with UnitOfWork(tw.engine) as uow:
        first = uow.connection.scalar(select(MessageRow.wire).order_by(MessageRow.seq))
    replay = {**first, "envelope": {**first["envelope"], "id": "after-rotation"}}
    retired_dir = keys.key_dir(tw.data_dir) / keys.RETIRED_DIR
    retired = keys._load_private(next(retired_dir.glob("*.key")))
    replay["signature"] = keys.Identity("TW", retired).sign(canonical(replay["envelope"]))
    receipt = cn.ex.inbox().receive(replay)
    assert receipt["receipt"]["reason"].startswith("unknown_key")


def test_a_message_naming_a_record_not_here_yet_is_parked_then_applied_when_it_arrives(
    sides: tuple[Side, Side],
) -> None:
    tw, cn = sides
    intel_id = tw.add("intel", intel("線索"))
    case_id = tw.add("case", {"title": "循線查獲案", "kind": "drugs", "joint": True, "marking": RELEASED})
    outcome = {"intel": intel_id, "case": case_id, "note": "循線查獲", "marking": RELEASED}
    outcome_id = tw.add("outcome", outcome)
    stage(tw.engine, tw.ex.identity, tw.ex.peer)
    with UnitOfWork(tw.engine) as uow:
        wires = {w["envelope"]["record"]["id"]: w for w in uow.connection.scalars(select(MessageRow.wire))}
    inbox = cn.ex.inbox()
    assert inbox.receive(wires[outcome_id])["receipt"]["status"] == "parked"
    for rid in (intel_id, case_id):
        assert inbox.receive(wires[rid])["receipt"]["status"] == "applied"
    assert inbox.release_ready() == 1
    assert cn.get("outcome", outcome_id).intel == intel_id
    report = sync(tw.ex, direct(cn))  # the three are delivered again: original receipts, then the late one
    assert report.receipts.get("applied", 0) >= 3
    assert out_statuses(tw) == {"applied": 3}


def test_nothing_is_taken_while_the_peer_account_is_disabled(sides: tuple[Side, Side]) -> None:
    from straitlink.domain.errors import NotAuthenticated
    from straitlink.services.accounts import set_active

    tw, cn = sides
    tw.add("intel", intel("停用期間"))
    set_active(cn.engine, "peer-TW", False, principal=Principal.system(Party.CN))
    stage(tw.engine, tw.ex.identity, tw.ex.peer)
    with UnitOfWork(tw.engine) as uow:
        wire = uow.connection.scalar(select(MessageRow.wire))
    with pytest.raises(NotAuthenticated):
        cn.ex.inbox().receive_batch([wire])
    with UnitOfWork(cn.engine) as uow:
        assert uow.connection.scalar(select(func.count()).select_from(MessageRow)) == 0
    set_active(cn.engine, "peer-TW", True, principal=Principal.system(Party.CN))
    assert sync(tw.ex, direct(cn)).receipts == {"applied": 1}


def test_a_receipt_that_does_not_come_in_time_leaves_signed_negative_evidence(sides: tuple[Side, Side]) -> None:
    from straitlink.exchange.overdue import record_overdue

    tw, cn = sides
    rid = tw.add("intel", intel("逾期"))
    stage(tw.engine, tw.ex.identity, tw.ex.peer)
    assert record_overdue(tw.engine, tw.ex.identity, within=timedelta(hours=1)) == 0  # not late yet
    assert record_overdue(tw.engine, tw.ex.identity, within=timedelta(0)) == 1
    assert record_overdue(tw.engine, tw.ex.identity, within=timedelta(0)) == 0  # recorded once
    chain = evidence(tw.ex, rid)
    assert chain["verified"]
    assert [r["status"] for r in chain["chain"][0]["receipts"]] == ["overdue"]
    assert status(tw.engine)["overdue_evidence"] == 1
    sync(tw.ex, direct(cn))  # it comes late: applied, and the negative evidence stays in the chain
    assert [r["status"] for r in evidence(tw.ex, rid)["chain"][0]["receipts"]] == ["overdue", "applied"]
