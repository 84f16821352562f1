"""Two real instances on loopback, each its own `straitlink serve` process: TW on SQLite, CN on PostgreSQL.

The sides are set up through the CLI (init, accounts, keys, peers); people's steps go through the services as on
any instance; messages travel only through `straitlink exchange sync` and the peer's HTTP inbox.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from straitlink.cli.main import app
from straitlink.config import Settings
from straitlink.domain.access import Principal
from straitlink.domain.parties import Party
from straitlink.services import records
from straitlink.services.kinds import kind_named
from straitlink.store.db import make_engine
from straitlink.store.tables_access import OutboxEventRow
from straitlink.store.tables_exchange import MessageRow
from straitlink.store.uow import UnitOfWork

pytestmark = [pytest.mark.pg, pytest.mark.slow]
runner = CliRunner()
STRAITLINK = str(Path(sys.executable).with_name("straitlink"))
RELEASED = {"releasable": True, "classification": "restricted", "handling": "H0"}
PASSWORD = "exchange e2e password 1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Instance:
    party: str
    data_dir: Path
    url: str
    port: int = field(default_factory=free_port)
    server: subprocess.Popen[bytes] | None = None
    _engine: Engine | None = None

    @property
    def env(self) -> dict[str, str]:
        return {
            "STRAITLINK_PARTY": self.party,
            "STRAITLINK_DATA_DIR": str(self.data_dir),
            "STRAITLINK_DATABASE_URL": self.url,
            "STRAITLINK_EXCHANGE_LEASE": "2",
            "STRAITLINK_EXCHANGE_INTERVAL": "0",  # syncs only when a test says so
        }

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)
        return self._engine

    @property
    def officer(self) -> Principal:
        return Principal.system(Party(self.party), "officer")

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=self.data_dir, database_url=self.url, party=Party(self.party))

    def cli(self, *args: str, input: str | None = None) -> tuple[int, str]:
        result = runner.invoke(app, list(args), env=self.env, input=input)
        return result.exit_code, result.stdout + result.stderr

    def ok(self, *args: str, input: str | None = None) -> str:
        code, text = self.cli(*args, input=input)
        assert code == 0, text
        return text

    def start(self) -> None:
        env = {**os.environ, **self.env}
        self.server = subprocess.Popen(
            [STRAITLINK, "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.base + "/api/v1/counts", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError(f"{self.party} did not start on port {self.port}")

    def kill(self) -> None:
        if self.server is not None:
            self.server.send_signal(signal.SIGKILL)
            self.server.wait()
            self.server = None

    def sync(self) -> dict[str, Any]:
        """`straitlink exchange sync --json` in its own process, as an operator would run it."""
        done = subprocess.run(
            [STRAITLINK, "exchange", "sync", "--json"], env={**os.environ, **self.env}, capture_output=True, timeout=300
        )
        return json.loads(done.stdout or b"{}") if done.stdout.strip() else {}

    def get(self, kind: str, record_id: str) -> Any:
        with UnitOfWork(self.engine) as uow:
            return uow.repo(kind_named(kind).mapper).get(record_id)


def set_up(inst: Instance) -> None:
    inst.data_dir.mkdir(parents=True, exist_ok=True)
    inst.ok("init", "--admin", "admin", "--password-stdin", input=PASSWORD + "\n")
    other = Party(inst.party).other.value
    inst.ok("user", "add", f"peer-{other}", "--role", "peer", "--clearance", "secret", "--user", "admin",
            "--password-stdin", input=PASSWORD + "\n")  # fmt: skip
    inst.ok("--user", "admin", "exchange", "keygen")


def introduce(a: Instance, b: Instance) -> None:
    for me, other in ((a, b), (b, a)):
        key = other.data_dir / "exchange" / "identity.pub"
        me.ok("--user", "admin", "exchange", "peer", "add", "--party", other.party, "--url", other.base,
              "--key", str(key))  # fmt: skip


@pytest.fixture
def instances(tmp_path: Path, pg_url: str) -> Iterator[tuple[Instance, Instance]]:
    tw = Instance("TW", tmp_path / "tw", f"sqlite:///{tmp_path / 'tw.db'}")
    cn = Instance("CN", tmp_path / "cn", pg_url)
    for inst in (tw, cn):
        set_up(inst)
    introduce(tw, cn)
    for inst in (tw, cn):
        inst.start()
    yield tw, cn
    for inst in (tw, cn):
        inst.kill()
        if inst._engine is not None:
            inst._engine.dispose()


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


def test_a_request_filed_in_taipei_is_received_answered_and_seen_back(instances: tuple[Instance, Instance]) -> None:
    from straitlink.domain.requests import RequestStatus as S
    from straitlink.domain.workflow import Acting, Role
    from straitlink.services import request_views
    from straitlink.services.documents import Upload
    from straitlink.services.requests import Desk, ReplyInput, StepInput, file_request, reply_to_request
    from straitlink.services.requests import transition_request as step

    tw, cn = instances
    tw_desk, cn_desk = Desk.from_settings(tw.settings, tw.engine), Desk.from_settings(cn.settings, cn.engine)
    tw_cp, cn_cp = Acting(Party.TW, Role.CONTACT_POINT), Acting(Party.CN, Role.CONTACT_POINT)
    rid = file_request(tw_desk, REQUEST, principal=tw.officer).id
    step(tw_desk, rid, S.SENT, StepInput(), principal=tw.officer, acting=tw_cp)
    assert tw.sync()["receipts"] == {"applied": 2}
    assert cn.get("request", rid).status is S.SENT
    step(cn_desk, rid, S.RECEIVED, StepInput(), principal=cn.officer, acting=cn_cp)
    assert cn.sync()["receipts"] == {"applied": 1}
    assert tw.get("request", rid).status is S.RECEIVED
    step(cn_desk, rid, S.INFO_REQUESTED, StepInput(text="請補充受送達人地址"), principal=cn.officer, acting=cn_cp)
    cn.sync()
    step(tw_desk, rid, S.RECEIVED, StepInput(text="地址：廈門市思明區"), principal=tw.officer, acting=tw_cp)
    tw.sync()
    proof = Upload("送達證明.pdf", b"%PDF-1.4\n% proof of service\n" + bytes(range(256)))
    reply = ReplyInput(kind="progress", text="已送達", documents=(proof,))
    reply_to_request(cn_desk, rid, reply, principal=cn.officer, acting=cn_cp)
    assert cn.sync()["receipts"] == {"applied": 1}
    assert tw.get("request", rid).status is cn.get("request", rid).status is S.RECEIVED
    replies = request_views.show_request(tw_desk, rid, principal=tw.officer).replies
    [doc] = [d for r in replies for d in r.documents]
    shown, content = request_views.read_document(tw_desk, doc.id, principal=tw.officer)
    assert (shown.filename, shown.sha256, content) == (proof.filename, hashlib.sha256(proof.content).hexdigest(),
                                                       proof.content)  # fmt: skip
    for inst in (tw, cn):
        chain = json.loads(inst.ok("exchange", "evidence", rid))
        assert chain["verified"] and len(chain["chain"]) == 6
        status = json.loads(inst.ok("exchange", "status", "--json"))
        assert status["parked"] == [] and status["refused_messages"] == 0


def _released_events(inst: Instance, *, by_peer: bool) -> Counter[tuple[str, str]]:
    """(record, event type) of the events a side's people made (or, `by_peer`, that the peer's messages made)."""
    with UnitOfWork(inst.engine) as uow:
        rows = uow.connection.execute(
            select(OutboxEventRow.aggregate_id, OutboxEventRow.type, OutboxEventRow.actor, OutboxEventRow.releasable)
        ).all()
    return Counter((r.aggregate_id, r.type) for r in rows if (r.actor.startswith("peer-") == by_peer) and r.releasable)


def test_nothing_lost_or_doubled_while_the_receiver_and_the_sender_are_killed(
    instances: tuple[Instance, Instance],
) -> None:
    tw, cn = instances
    rng = random.Random(12)
    kind = kind_named("intel")
    ids = []
    # The suite runs a small stream; STRAITLINK_FAULT_MESSAGES=1000 STRAITLINK_FAULT_ROUNDS=20 is the full size.
    messages = int(os.environ.get("STRAITLINK_FAULT_MESSAGES") or 200)
    rounds = int(os.environ.get("STRAITLINK_FAULT_ROUNDS") or 6)
    for n in range(messages * 3 // 10):
        data = {"provider_party": "TW", "recipient_party": "CN", "summary": f"情資{n}", "marking": RELEASED}
        ids.append(records.add_record(tw.engine, kind, data, principal=tw.officer).id)
    for n in range(messages - len(ids)):  # corrections: causal order per record matters
        rid = rng.choice(ids)
        records.update_record(tw.engine, kind, rid, {"summary": f"更正{n}"}, principal=tw.officer)
    env = {**os.environ, **tw.env}
    for round_ in range(rounds):
        sender = subprocess.Popen([STRAITLINK, "exchange", "sync"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(0.2, 1.5))
        if round_ % 2 == 0:
            cn.kill()  # the receiver dies mid-stream, then comes back
            cn.start()
        else:
            sender.send_signal(signal.SIGKILL)  # the sender dies holding its lease
        sender.wait()
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        tw.sync()
        with UnitOfWork(tw.engine) as uow:
            pending = uow.connection.scalar(
                select(MessageRow.id).where(MessageRow.direction == "out", MessageRow.status != "applied").limit(1)
            )
        if pending is None:
            break
        time.sleep(0.5)
    sent, applied = _released_events(tw, by_peer=False), _released_events(cn, by_peer=True)
    lost = sent - applied
    duplicated = applied - sent
    unexpected = {k for k in applied if k not in sent}
    print(f"messages {sum(sent.values())}: lost {sum(lost.values())}, duplicated {sum(duplicated.values())}, "
          f"unexpected {len(unexpected)}")  # fmt: skip
    assert (sum(lost.values()), sum(duplicated.values()), len(unexpected)) == (0, 0, 0)
    for rid in ids:  # the last correction is the one that stands: applied in causal order
        assert cn.get("intel", rid).summary == tw.get("intel", rid).summary


def test_bad_messages_over_http_are_refused_with_signed_receipts(instances: tuple[Instance, Instance]) -> None:
    tw, cn = instances
    kind = kind_named("intel")
    data = {"provider_party": "TW", "recipient_party": "CN", "summary": "原件", "marking": RELEASED}
    rid = records.add_record(tw.engine, kind, data, principal=tw.officer).id
    tw.sync()
    with UnitOfWork(tw.engine) as uow:
        wire = uow.connection.scalar(select(MessageRow.wire))
    altered = json.loads(json.dumps(wire))
    altered["envelope"]["payload"]["summary"] = "竄改"
    unsigned = {"envelope": wire["envelope"]}
    answers = httpx.post(cn.base + "/exchange/v1/inbox", json={"messages": [altered, unsigned, wire]}).json()
    statuses = [(r["receipt"]["status"], (r["receipt"]["reason"] or "").split(":")[0]) for r in answers["receipts"]]
    assert statuses == [("rejected", "bad_signature"), ("rejected", "unsigned"), ("applied", "")]
    assert cn.get("intel", rid).summary == "原件"
    assert json.loads(cn.ok("exchange", "status", "--json"))["refused_messages"] == 2


def test_a_seizure_intel_led_to_is_counted_corrected_and_retracted_on_the_other_side(
    instances: tuple[Instance, Instance],
) -> None:
    from datetime import date
    from decimal import Decimal

    from straitlink.services import corrections
    from straitlink.stats.service import compute_statistics

    tw, cn = instances

    def led_to() -> tuple[int, Decimal]:
        with UnitOfWork(tw.engine) as uow:
            found = compute_statistics(uow, start=date(2013, 1, 1), end=date(2013, 12, 31)).intel.by_provider
        return (found["TW"].seizures, found["TW"].total_weight_kg.value) if "TW" in found else (0, Decimal(0))

    def quantity(kg: str) -> list[dict[str, str]]:
        return [{"value": kg, "unit": "kg", "basis": "gross", "qualifier": "exact"}]

    handed = {"provider_party": "TW", "recipient_party": "CN", "summary": "貨櫃夾藏愷他命", "marking": RELEASED}
    intel_id = records.add_record(tw.engine, kind_named("intel"), {**handed, "date": {"iso": "2013-11-01"}},
                                  principal=tw.officer).id  # fmt: skip
    assert tw.sync()["receipts"] == {"applied": 1}
    seized = {"drug": "ketamine", "date": {"iso": "2013-11-17"}, "quantities": quantity("229"), "marking": RELEASED}
    seizure_id = records.add_record(cn.engine, kind_named("seizure"), seized, principal=cn.officer).id
    outcome = {"intel": intel_id, "seizures": [seizure_id], "note": "循线查获", "marking": RELEASED}
    records.add_record(cn.engine, kind_named("outcome"), outcome, principal=cn.officer)
    assert cn.sync()["receipts"] == {"applied": 2}
    assert led_to() == (1, Decimal("229"))

    corrections.correct_record(cn.engine, kind_named("seizure"), seizure_id, {"quantities": quantity("231")},
                               "复秤后更正", principal=cn.officer)  # fmt: skip
    assert cn.sync()["receipts"] == {"applied": 1}
    assert led_to() == (1, Decimal("231"))

    corrections.retract_record(cn.engine, kind_named("seizure"), seizure_id, "重复通报，撤回", principal=cn.officer)
    assert cn.sync()["receipts"] == {"applied": 1}
    assert led_to() == (0, Decimal(0))
    history = json.loads(tw.ok("--user", "admin", "audit", "log", "--record", seizure_id, "--json"))
    assert [(e["action"], e["context"].get("reason")) for e in history] == [
        ("create", None),
        ("update", "复秤后更正"),
        ("delete", "重复通报，撤回"),
    ]
    for inst in (tw, cn):
        assert json.loads(inst.ok("exchange", "evidence", seizure_id))["verified"]
        inst.ok("--user", "admin", "audit", "verify")


def test_a_request_field_corrected_and_a_result_retracted_reach_the_other_side(
    instances: tuple[Instance, Instance],
) -> None:
    """TW corrects its request's subject from the command line: CN sees the new value and its history says why. CN
    retracts its completion: TW sees the request open again, completed no more in its statistics. CN's attempt to
    correct TW's subject is refused by CN; forged past CN's service, TW rejects it with a signed receipt."""
    from datetime import date

    from straitlink.domain.events import DomainEvent
    from straitlink.domain.requests import RequestStatus as S
    from straitlink.domain.workflow import Acting, Role
    from straitlink.services.documents import Upload
    from straitlink.services.requests import Desk, StepInput, assign_request, file_request
    from straitlink.services.requests import transition_request as step
    from straitlink.stats.service import compute_statistics
    from straitlink.store.tables_workflow import RequestReplyRow

    tw, cn = instances
    tw.ok("user", "add", "tw-liaison", "--role", "liaison_officer", "--agency", "moj", "--clearance", "secret",
          "--user", "admin", "--password-stdin", input=PASSWORD + "\n")  # fmt: skip
    tw_desk, cn_desk = Desk.from_settings(tw.settings, tw.engine), Desk.from_settings(cn.settings, cn.engine)
    cn_cp, executing = Acting(Party.CN, Role.CONTACT_POINT), Acting(Party.CN, Role.EXECUTING_AGENCY, "spc")
    rid = file_request(tw_desk, REQUEST, principal=tw.officer).id
    step(tw_desk, rid, S.SENT, StepInput(), principal=tw.officer, acting=Acting(Party.TW, Role.CONTACT_POINT))
    assert tw.sync()["receipts"] == {"applied": 2}

    tw.ok("--user", "tw-liaison", "correct", "request", rid[:8], "subject=送達民事判決及裁定", "urgency=urgent",
          "--reason", "漏列裁定")  # fmt: skip
    assert tw.sync()["receipts"] == {"applied": 1}
    got = cn.get("request", rid)
    assert (got.subject, got.urgency.value, got.status) == ("送達民事判決及裁定", "urgent", S.SENT)
    history = json.loads(cn.ok("--user", "admin", "audit", "log", "--record", rid, "--json"))
    assert history[-1]["context"]["reason"] == "漏列裁定"
    code, text = tw.cli("--user", "tw-liaison", "correct", "request", rid, "requested_ref=X", "--reason", "誤")
    assert code == 2 and "requested_ref: stated by CN" in text

    step(cn_desk, rid, S.RECEIVED, StepInput(), principal=cn.officer, acting=cn_cp)
    assign_request(cn_desk, rid, "spc", StepInput(), principal=cn.officer, acting=cn_cp)
    step(cn_desk, rid, S.IN_EXECUTION, StepInput(), principal=cn.officer, acting=executing)
    proof = Upload("送達證書.pdf", b"%PDF-1.4\n% proof of service\n" + bytes(range(256)))
    step(cn_desk, rid, S.COMPLETED, StepInput(text="已送達", documents=(proof,)), principal=cn.officer,
         acting=executing)  # fmt: skip
    # Forged past CN's own refusal: a correction of TW's subject; TW rejects it, and the steps after it still apply.
    with UnitOfWork(cn.engine) as uow:
        payload = {"diff": {"subject": ["送達民事判決及裁定", "越權"]}, "reason": "越權"}
        uow.announce(DomainEvent("record.corrected", "request", rid, "officer", True, payload))
        uow.commit()
    assert cn.sync()["receipts"] == {"applied": 4, "rejected": 1}

    def completed() -> int:
        today = date.today()
        with UnitOfWork(tw.engine) as uow:
            stats = compute_statistics(uow, start=date(today.year - 1, 1, 1), end=date(today.year + 1, 12, 31))
        return stats.requests.both.completed

    assert tw.get("request", rid).status is S.COMPLETED and completed() == 1
    assert tw.get("request", rid).subject == "送達民事判決及裁定"
    with UnitOfWork(cn.engine) as uow:
        result = uow.connection.scalar(select(RequestReplyRow.id).where(RequestReplyRow.kind == "complete"))
    cn.ok("user", "add", "cn-liaison", "--role", "liaison_officer", "--agency", "spc", "--clearance", "secret",
          "--user", "admin", "--password-stdin", input=PASSWORD + "\n")  # fmt: skip
    cn.ok("--user", "cn-liaison", "retract", "reply", str(result), "--reason", "送達證書誤植他案")
    assert cn.sync()["receipts"] == {"applied": 1}
    got = tw.get("request", rid)
    assert (got.status, got.closed_on) == (S.IN_EXECUTION, None) and completed() == 0
    history = json.loads(tw.ok("--user", "admin", "audit", "log", "--record", rid, "--json"))
    assert history[-1]["context"]["reason"] == "送達證書誤植他案"
    for inst in (tw, cn):
        assert json.loads(inst.ok("exchange", "evidence", rid))["verified"]
        status = json.loads(inst.ok("exchange", "status", "--json"))
        assert status["parked"] == [] and status["waiting"] == []
        inst.ok("--user", "admin", "audit", "verify")
