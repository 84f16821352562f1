"""The request use cases on SQLite and PostgreSQL: steps, documents, deadlines, reads, audit and refusals."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from principals import officer
from sqlalchemy import Engine, func, select

from straitlink.audit import log as audit
from straitlink.audit.verify import verify_stored
from straitlink.domain.errors import (
    Conflict,
    DocumentRejected,
    IllegalTransition,
    IncompleteRequest,
    InvalidValue,
    MissingField,
    NotPermitted,
)
from straitlink.domain.marking import Classification
from straitlink.domain.parties import Party
from straitlink.domain.provenance import Provenance
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import AssistanceRequest, Direction, RequestStatus
from straitlink.domain.workflow import Acting, RefusalGround, Role
from straitlink.services import records
from straitlink.services import request_lists as lists
from straitlink.services import request_views as views
from straitlink.services import requests as svc
from straitlink.services.access import access_entries
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import FileStore, Upload
from straitlink.services.kinds import kind_named
from straitlink.services.processing_times import ProcessingStep, processing_times
from straitlink.store.mapping import REQUESTS
from straitlink.store.tables_workflow import AuditEntryRow, RequestDocumentRow, RequestTransitionRow, StoredFileRow
from straitlink.store.uow import UnitOfWork

S = RequestStatus
TODAY = date(2025, 6, 30)
PDF = b"%PDF-1.7\n% proof of service\n"
CONTENTS = {
    "requesting_agency": "moj",
    "purpose": "民事訴訟送達",
    "matters": "送達判決書",
    "case_summary": "案情摘要",
    "execution_needs": "受送達人地址",
}


@pytest.fixture
def desk(engine: Engine, tmp_path: Path) -> svc.Desk:
    return svc.Desk(engine, Party.TW, FileStore(tmp_path / "files"), load_rules(), calendars(), today=lambda: TODAY)


def cp(party: Party) -> Acting:
    return Acting(party, Role.CONTACT_POINT)


def file(engine: Engine, desk: svc.Desk, **data: Any) -> AssistanceRequest:
    fields = {"type": "document_service", "subject": "送達", "filed_on": "2025-01-20", **CONTENTS, **data}
    acting = Acting(Party(fields.get("requesting_party", "TW")), Role.REQUESTING_SIDE)
    with UnitOfWork(engine):
        return svc.file_request(desk, fields, principal=officer("officer"), acting=acting)


def step(engine: Engine, desk: svc.Desk, rid: str, target: S, acting: Acting, **kw: Any) -> AssistanceRequest:
    expected = kw.pop("expected_version", None)
    with UnitOfWork(engine):
        return svc.transition_request(
            desk,
            rid,
            target,
            svc.StepInput(**kw),
            principal=officer("officer"),
            acting=acting,
            expected_version=expected,
        )


def counts(engine: Engine) -> tuple[int, int, int]:
    """Steps, audit entries and stored files: what a refused change must leave as it was."""
    with UnitOfWork(engine) as uow:
        return tuple(  # type: ignore[return-value]
            int(uow.session.scalar(select(func.count()).select_from(row)) or 0)
            for row in (RequestTransitionRow, AuditEntryRow, StoredFileRow)
        )


@pytest.mark.parametrize("requesting", list(Party))
def test_a_request_goes_through_the_workflow_and_every_step_is_recorded(
    engine: Engine, desk: svc.Desk, requesting: Party
) -> None:
    requested = requesting.other
    agency = "spc" if requested is Party.CN else "moj"
    executing = Acting(requested, Role.EXECUTING_AGENCY, agency)
    r = file(
        engine, desk, requesting_party=requesting.value, requesting_agency="moj" if requesting is Party.TW else "spc"
    )
    assert (r.status, r.direction) == (S.FILED, Direction.of(requesting))
    r = step(engine, desk, r.id, S.SENT, cp(requesting), on=date(2025, 1, 21))
    r = step(engine, desk, r.id, S.RECEIVED, cp(requested), on=date(2025, 1, 24))
    r = step(engine, desk, r.id, S.INFO_REQUESTED, cp(requested), on=date(2025, 1, 25), text="地址不全")
    r = step(engine, desk, r.id, S.RECEIVED, cp(requesting), on=date(2025, 2, 3), text="補充地址")
    with UnitOfWork(engine) as uow:
        r = svc.assign_request(
            desk, r.id, agency, svc.StepInput(on=date(2025, 2, 5)), principal=officer("officer"), acting=cp(requested)
        )
    r = step(engine, desk, r.id, S.IN_EXECUTION, executing, on=date(2025, 2, 6))
    r = step(engine, desk, r.id, S.POSTPONED, executing, on=date(2025, 2, 7), text="偵查中")
    r = step(engine, desk, r.id, S.IN_EXECUTION, executing, on=date(2025, 2, 20))
    r = step(
        engine, desk, r.id, S.COMPLETED, executing, on=date(2025, 3, 3), text="已送達",
        documents=(Upload("送達證書.pdf", PDF),),
    )  # fmt: skip
    assert (r.status, r.received_on, r.closed_on, r.executing_agency) == (
        S.COMPLETED,
        date(2025, 1, 24),
        date(2025, 3, 3),
        agency,
    )
    assert r.version == 10  # one version per step after filing
    with UnitOfWork(engine) as uow:
        view = views.show_request(desk, r.id, principal=officer("reader"))
    actions = [s.action for s in view.steps]
    assert actions == [
        "file", "send", "receive", "request_info", "supplement", "assign", "start", "postpone", "resume", "complete",
    ]  # fmt: skip
    assert [s.party for s in view.steps[1:3]] == [requesting.value, requested.value]
    (deadline,) = view.deadlines
    assert (deadline.rule, deadline.party, deadline.due, deadline.state.value) == (
        "document-service-three-months",
        requested.value,
        date(2025, 4, 24),
        "met",
    )
    proof = next(d for reply in view.replies for d in reply.documents)
    assert (proof.filename, proof.media_type, proof.from_party) == ("送達證書.pdf", "application/pdf", requested.value)
    # Art. 17: material from the other side keeps the purpose the request states; our own material needs none.
    assert proof.from_other_side is (requested is not desk.party)
    assert proof.purpose == (CONTENTS["purpose"] if requested is not desk.party else None)
    with UnitOfWork(engine) as uow:
        entries = audit.entries(uow, record_id=r.id)
    assert [e.action for e in entries] == ["create"] + ["transition"] * 9
    assert entries[1].diff == {"sent_on": [None, "2025-01-21"], "status": ["filed", "sent"], "version": [1, 2]}
    assert entries[1].context["party"] == requesting.value and entries[1].actor == "officer"
    # Reads go to the access log, which does not queue on the chain's head.
    (read,) = access_entries(engine, record_id=r.id)
    assert (read.username, read.outcome) == ("reader", "read")
    assert json.loads(read.detail or "{}")["purpose"] == CONTENTS["purpose"]
    assert verify_stored(engine).ok


def test_an_incomplete_request_is_refused_and_nothing_is_stored(engine: Engine, desk: svc.Desk) -> None:
    before = counts(engine)
    with UnitOfWork(engine) as uow, pytest.raises(IncompleteRequest) as info:
        svc.file_request(
            desk,
            {"type": "evidence_collection", "subject": "s", "requesting_agency": "moj"},
            principal=officer("officer"),
        )
    assert info.value.missing == ["purpose", "matters", "case_summary", "execution_needs"]
    with UnitOfWork(engine) as uow:
        assert uow.repo(REQUESTS).count() == 0
    assert counts(engine) == before


def test_a_refused_step_changes_nothing(engine: Engine, desk: svc.Desk) -> None:
    r = file(engine, desk)
    before = counts(engine)
    with pytest.raises(IllegalTransition):
        step(engine, desk, r.id, S.COMPLETED, Acting(Party.CN, Role.EXECUTING_AGENCY), text="x")
    with pytest.raises(NotPermitted):
        step(engine, desk, r.id, S.SENT, cp(Party.CN))
    step(engine, desk, r.id, S.SENT, cp(Party.TW), on=date(2025, 1, 21))
    step(engine, desk, r.id, S.RECEIVED, cp(Party.CN), on=date(2025, 1, 24))
    with pytest.raises(MissingField) as info:
        step(engine, desk, r.id, S.REFUSED, Acting(Party.CN, Role.REQUESTED_SIDE), text="不符規定")
    assert info.value.field == "ground"
    after = step(
        engine, desk, r.id, S.REFUSED, Acting(Party.CN, Role.REQUESTED_SIDE),
        text="不符規定", ground=RefusalGround.NOT_CONFORMING,
    )  # fmt: skip
    assert after.status is S.REFUSED and after.version == 4
    assert counts(engine)[0] == before[0] + 3


def test_a_step_based_on_a_stale_version_is_a_conflict(engine: Engine, desk: svc.Desk) -> None:
    r = file(engine, desk)
    step(engine, desk, r.id, S.SENT, cp(Party.TW), on=date(2025, 1, 21), expected_version=1)
    before = counts(engine)
    with pytest.raises(Conflict) as info:
        step(engine, desk, r.id, S.WITHDRAWN, Acting(Party.TW, Role.REQUESTING_SIDE), text="x", expected_version=1)
    assert info.value.field == "version"
    assert counts(engine) == before
    with UnitOfWork(engine) as uow:
        assert uow.repo(REQUESTS).get(r.id).status is S.SENT


def test_the_same_file_is_stored_once(engine: Engine, desk: svc.Desk, tmp_path: Path) -> None:
    letter = Upload("請求書.pdf", PDF)
    a = file(engine, desk)
    b = file(engine, desk)
    for rid in (a.id, b.id):
        step(engine, desk, rid, S.SENT, cp(Party.TW), on=date(2025, 1, 21))
        with UnitOfWork(engine) as uow:
            svc.reply_to_request(desk, rid, svc.ReplyInput("note", "附件", documents=(letter, Upload("copy.pdf", PDF))),
                principal=officer("officer"), acting=cp(Party.TW),
            )  # fmt: skip
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(StoredFileRow)) == 1
        assert uow.session.scalar(select(func.count()).select_from(RequestDocumentRow)) == 2  # once per reply
    stored = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == PDF


@pytest.mark.parametrize(
    ("upload", "field"),
    [
        (Upload("empty.pdf", b""), "document"),
        (Upload("big.txt", b"x" * 2049), "document"),
        (Upload("program.pdf", b"MZ\x90\x00\x03\x00\x00\x00"), "document"),  # an executable named .pdf
        (Upload("archive.docx", b"PK\x03\x04" + b"\x00" * 40), "document"),  # a zip that is not a Word file
    ],
)
def test_document_limits_refuse_and_store_nothing(engine: Engine, tmp_path: Path, upload: Upload, field: str) -> None:
    small = svc.Desk(
        engine, Party.TW, FileStore(tmp_path / "files", max_bytes=2048), load_rules(), calendars(), lambda: TODAY
    )
    before = counts(engine)
    with UnitOfWork(engine), pytest.raises(DocumentRejected) as info:
        svc.file_request(
            small, {"type": "document_service", "subject": "s", **CONTENTS}, principal=officer("o"), documents=[upload]
        )
    assert info.value.field == field and upload.filename in info.value.message
    assert counts(engine) == before
    assert not (tmp_path / "files").exists()


def test_the_type_comes_from_the_content_not_the_name(engine: Engine, desk: svc.Desk) -> None:
    with UnitOfWork(engine):
        r = svc.file_request(desk, {"type": "document_service", "subject": "s", **CONTENTS}, principal=officer("o"),
            documents=[Upload("scan.txt", PDF), Upload("note.pdf", "說明文字\n".encode())],
        )  # fmt: skip
    with UnitOfWork(engine):
        docs = {
            d.filename: d.media_type
            for reply in views.show_request(desk, r.id, principal=officer("o")).replies
            for d in reply.documents
        }
    assert docs == {"scan.txt": "application/pdf", "note.pdf": "text/plain; charset=utf-8"}


def test_reading_material_from_the_other_side_is_audited_with_its_purpose(engine: Engine, desk: svc.Desk) -> None:
    r = file(engine, desk, requesting_party="CN", requesting_agency="spc", purpose="刑事偵查")
    step(engine, desk, r.id, S.SENT, cp(Party.CN), on=date(2025, 1, 21))
    evidence = svc.ReplyInput("note", "證據", documents=(Upload("evidence.png", b"\x89PNG\r\n\x1a\n0000"),))
    with UnitOfWork(engine) as uow:
        svc.reply_to_request(desk, r.id, evidence, principal=officer("officer"), acting=cp(Party.CN))
    with UnitOfWork(engine) as uow:
        (doc,) = [
            d for reply in views.show_request(desk, r.id, principal=officer("o")).replies for d in reply.documents
        ]
    assert doc.from_other_side and doc.purpose == "刑事偵查"
    with UnitOfWork(engine) as uow:
        view, content = views.read_document(desk, doc.id, principal=officer("analyst"))
    assert content.startswith(b"\x89PNG") and view.purpose == "刑事偵查"
    with UnitOfWork(engine) as uow:
        (created,) = audit.entries(uow, record_id=doc.id, kind="document")
    assert created.action == "create" and created.diff["purpose"] == [None, "刑事偵查"]
    (read,) = access_entries(engine, record_id=doc.id)
    context = json.loads(read.detail or "{}")
    assert (read.outcome, read.username, context["purpose"], context["from_party"]) == (
        "read",
        "analyst",
        "刑事偵查",
        "CN",
    )


def test_due_and_overdue_lists_per_side_and_agency(engine: Engine, desk: svc.Desk) -> None:
    served = file(engine, desk)
    late = file(engine, desk)
    urgent = file(engine, desk, type="evidence_collection", urgency="urgent", form="other")
    for r, sent in ((served, date(2025, 4, 9)), (late, date(2025, 2, 28)), (urgent, date(2025, 6, 25))):
        step(engine, desk, r.id, S.SENT, cp(Party.TW), on=sent)
    step(engine, desk, served.id, S.RECEIVED, cp(Party.CN), on=date(2025, 4, 10))  # due 2025-07-10
    step(engine, desk, late.id, S.RECEIVED, cp(Party.CN), on=date(2025, 3, 1))  # due 2025-06-01: overdue
    with UnitOfWork(engine):
        svc.assign_request(
            desk, late.id, "spc", svc.StepInput(on=date(2025, 3, 2)), principal=officer("o"), acting=cp(Party.CN)
        )
    with UnitOfWork(engine):
        items = lists.due_requests(desk, principal=officer("o"), within=14)
    shown = [(i.party, i.agency, i.request_id, i.deadline.rule, i.deadline.due) for i in items]
    assert shown == [
        ("CN", None, served.id, "document-service-three-months", date(2025, 7, 10)),
        ("CN", "spc", late.id, "document-service-three-months", date(2025, 6, 1)),
        ("TW", "moj", urgent.id, "urgent-written-confirmation", date(2025, 7, 5)),
    ]
    assert items[1].deadline.state.value == "overdue" and items[1].deadline.days_left == -29
    with UnitOfWork(engine):
        assert [i.request_id for i in lists.due_requests(desk, principal=officer("o"), within=3)] == [late.id]
        assert [i.request_id for i in lists.due_requests(desk, principal=officer("o"), party=Party.TW)] == [urgent.id]
        assert [i.request_id for i in lists.due_requests(desk, principal=officer("o"), agency="spc")] == [late.id]
        found = lists.list_requests(desk, lists.RequestFilter(overdue=True), principal=officer("o"))
        assert [r.id for r, _ in found] == [late.id]
        found = lists.list_requests(
            desk, lists.RequestFilter(type=RequestType.EVIDENCE_COLLECTION), principal=officer("o")
        )
        assert [r.id for r, _ in found] == [urgent.id]
        found = lists.list_requests(desk, lists.RequestFilter(statuses=frozenset({S.ASSIGNED})), principal=officer("o"))
        assert [r.id for r, _ in found] == [late.id]
    with UnitOfWork(engine):
        svc.confirm_request(
            desk, urgent.id, svc.StepInput(on=date(2025, 6, 30)), principal=officer("o"), acting=cp(Party.TW)
        )
    with UnitOfWork(engine):
        assert [i.request_id for i in lists.due_requests(desk, principal=officer("o"), party=Party.TW)] == []


def _synthetic(rid: str, received: date, closed: date | None, status: S) -> AssistanceRequest:
    return AssistanceRequest(
        id=rid,
        provenance=Provenance.synthetic("demo"),
        requesting_party=Party.TW,
        type=RequestType.DOCUMENT_SERVICE,
        subject="synthetic",
        status=status,
        filed_on=date(2013, 1, 2),
        sent_on=date(2013, 1, 3),
        received_on=received,
        closed_on=closed,
    )


def test_processing_times_from_recorded_steps_and_from_date_columns(engine: Engine, desk: svc.Desk) -> None:
    with UnitOfWork(engine) as uow:
        for i, days in enumerate((10, 20, 30, 40)):
            received = date(2013, 1, 5)
            uow.repo(REQUESTS).add(_synthetic(f"s{i}", received, received + timedelta(days=days), S.COMPLETED))
        uow.repo(REQUESTS).add(_synthetic("open", date(2013, 1, 5), None, S.RECEIVED))
        uow.commit()
    r = file(engine, desk, filed_on="2013-01-02")
    step(engine, desk, r.id, S.SENT, cp(Party.TW), on=date(2013, 1, 3))
    step(engine, desk, r.id, S.RECEIVED, cp(Party.CN), on=date(2013, 1, 5))
    with UnitOfWork(engine) as uow:
        svc.assign_request(
            desk, r.id, "spc", svc.StepInput(on=date(2013, 1, 12)), principal=officer("o"), acting=cp(Party.CN)
        )
    with UnitOfWork(engine) as uow:
        rows = processing_times(uow, start=date(2013, 1, 1), end=date(2013, 12, 31))
        real_only = processing_times(uow, start=None, end=None, exclude_synthetic=True)
        none = processing_times(uow, start=date(2014, 1, 1), end=None)
    by_step = {row.step: row for row in rows}
    assigned = by_step[ProcessingStep.RECEIVED_TO_ASSIGNED]
    completed = by_step[ProcessingStep.RECEIVED_TO_COMPLETED]
    assert (assigned.type, assigned.direction, assigned.count, assigned.median_days) == (
        RequestType.DOCUMENT_SERVICE,
        Direction.TW_TO_CN,
        1,
        Decimal(7),
    )
    # 10, 20, 30, 40 days: the median interpolates between 20 and 30, the 90th percentile between 30 and 40.
    assert (completed.count, completed.median_days, completed.p90_days) == (4, Decimal(25), Decimal(37))
    assert [(row.step, row.count) for row in real_only] == [(ProcessingStep.RECEIVED_TO_ASSIGNED, 1)]
    assert none == []


def test_generic_adds_and_classified_reads_are_audited(engine: Engine) -> None:
    intel = kind_named("intel")
    parties = {"provider_party": "CN", "recipient_party": "TW"}
    with UnitOfWork(engine) as uow:
        secret = records.add_record(
            engine, intel, {**parties, "summary": "線報", "classification": "secret"}, principal=officer("officer")
        )
    with UnitOfWork(engine) as uow:
        open_ = records.add_record(
            engine,
            intel,
            {**parties, "summary": "公開", "classification": "unclassified"},
            principal=officer("officer"),
        )
    for rid in (secret.id, open_.id):
        with UnitOfWork(engine) as uow:
            records.get_record(engine, intel, rid, principal=officer("reader"))
    with UnitOfWork(engine) as uow:
        secret_log = audit.entries(uow, record_id=secret.id)
        open_log = audit.entries(uow, record_id=open_.id)
    assert [(e.action, e.actor) for e in secret_log] == [("create", "officer")]
    assert secret_log[0].diff["summary"] == [None, "線報"]
    assert [e.action for e in open_log] == ["create"]
    (read,) = access_entries(engine, record_id=secret.id)
    assert (read.username, read.outcome, read.detail) == ("reader", "read", Classification.SECRET.value)
    assert access_entries(engine, record_id=open_.id) == []


def test_a_request_is_filed_through_the_workflow_not_added(engine: Engine, desk: svc.Desk) -> None:
    kind = kind_named("request")
    bare = {"type": "notification", "subject": "s", "requesting_party": "TW", "filed_on": "2025-01-02"}
    with pytest.raises(InvalidValue) as refused:
        records.add_record(engine, kind, {**bare, **CONTENTS}, principal=officer("o"))
    assert refused.value.field == "kind"
    with pytest.raises(IncompleteRequest):
        svc.file_request(desk, bare, principal=officer("o"))
    r = svc.file_request(desk, {**bare, **CONTENTS}, principal=officer("o"))
    assert [s.action for s in views.request_history(desk, r.id, principal=officer("o"))] == ["file"]
    with pytest.raises(InvalidValue) as info:
        svc.file_request(desk, {**bare, **CONTENTS, "status": "completed"}, principal=officer("o"))
    assert info.value.field == "status"
