"""Loading the demo into a real database: the seed as stated, the headline totals by counting rows, idempotence."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from principals import officer
from sqlalchemy import Engine, Select, func, select

from straitlink.audit import log as audit
from straitlink.audit.verify import verify_stored
from straitlink.demo.figures import figure_id
from straitlink.demo.load import DemoReport, load_demo
from straitlink.demo.seed import DOCUMENT_ID
from straitlink.domain.dates import Part, PartialDate
from straitlink.domain.parties import Party
from straitlink.domain.records import stable_id
from straitlink.domain.requests import RequestStatus
from straitlink.domain.workflow import Acting, Role
from straitlink.services import request_views as views
from straitlink.services import requests as svc
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import FileStore
from straitlink.services.requests import Desk
from straitlink.services.setup import init_database
from straitlink.store import mapping
from straitlink.store import tables as t
from straitlink.store.db import make_engine
from straitlink.store.tables_workflow import (
    AuditEntryRow,
    RequestDocumentRow,
    RequestReplyRow,
    RequestTransitionRow,
    StoredFileRow,
)
from straitlink.store.uow import UnitOfWork

START, END = date(2009, 6, 25), date(2013, 11, 30)
MASS_IN_KG = {"kg": Decimal(1), "g": Decimal("0.001"), "t": Decimal(1000)}
WORKFLOW_ROWS = (RequestTransitionRow, RequestReplyRow, RequestDocumentRow, StoredFileRow, AuditEntryRow)
RECORD_ROWS = (
    t.CaseRow,
    t.OperationRow,
    t.PersonRow,
    t.SeizureRow,
    t.IntelReportRow,
    t.OutcomeRow,
    t.MeetingRow,
    t.PublishedFigureRow,
)
# The bulletin's seven seizures as it states them: (value, unit, basis, qualifier) per quantity, and the date.
SEED_SEIZURES = {
    "sheng-hong": ("ketamine", [("500", "kg", "unstated", "exact")], PartialDate(2013, 9, 27)),
    "taoyuan-heroin": (
        "heroin",
        [("600", "block", "unstated", "exact"), ("229", "kg", "gross", "exact")],
        PartialDate(2013, 11, 17),
    ),
    "container-ketamine": ("ketamine", [("231", "kg", "unstated", "exact")], PartialDate(2013, 12, 20)),
    "quanzhou-ketamine": ("ketamine", [("123", "kg", "unstated", "exact")], PartialDate(2013, 5, part=Part.END)),
    "quanzhou-ephedrine": ("ephedrine", [("20", "kg", "unstated", "exact")], PartialDate(2013, 5, part=Part.END)),
    "dongshan": ("ketamine", [("241", "kg", "unstated", "exact")], PartialDate(2013, 8, 7)),
    "zhangzhou": ("ketamine", [("260", "kg", "unstated", "exact")], PartialDate(2013, 9, 13)),
}


@pytest.fixture(scope="module")
def engine(module_db_url: str) -> Iterator[Engine]:
    """One demo database per engine for the whole module: loading it is the expensive part."""
    engine = make_engine(module_db_url)
    init_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> FileStore:
    return FileStore(tmp_path_factory.mktemp("files"))


@pytest.fixture(scope="module")
def report(engine: Engine, files: FileStore) -> DemoReport:
    return load_demo(engine, files=files)


def scalar(engine: Engine, stmt: Select[Any]) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(stmt) or 0)


def test_first_load_adds_everything(report: DemoReport) -> None:
    assert report.added["request"] == 45426
    assert report.added["seizure"] >= 7 and report.added["meeting"] == 8
    assert not any(report.skipped.values())


def test_the_seven_seed_seizures_are_stored_as_stated(engine: Engine, report: DemoReport) -> None:
    stored = select(func.count()).select_from(t.SeizureRow).where(t.SeizureRow.prov_document == DOCUMENT_ID)
    assert scalar(engine, stored) == 7
    with UnitOfWork(engine) as uow:
        repo = uow.repo(mapping.SEIZURES)
        for key, (drug, quantities, day) in SEED_SEIZURES.items():
            seizure = repo.get(stable_id("seed", "seizure", key))
            assert seizure.drug == drug
            assert seizure.date == day
            got = [(str(q.value), q.unit.value, q.basis.value, q.qualifier.value) for q in seizure.quantities]
            assert got == quantities


def test_every_seed_span_quotes_the_bulletin(engine: Engine, report: DemoReport) -> None:
    with UnitOfWork(engine) as uow:
        document = uow.repo(mapping.DOCUMENTS).get(DOCUMENT_ID)
        assert document.sha256 == hashlib.sha256(document.text.encode("utf-8")).hexdigest()
        assert document.provenance.user == "straitlink-demo"
        text = document.text
        cited = 0
        for row in RECORD_ROWS:
            found = select(row.prov_span_start, row.prov_span_end, row.prov_quote).where(
                row.prov_document == DOCUMENT_ID
            )
            for start, end, quote in uow.session.execute(found):
                assert start is not None and quote
                assert text[start:end] == quote
                cited += 1
    assert cited >= 6 + 3 + 17 + 7 + 5 + 5 + 8 + 5


def test_counting_rows_gives_the_bulletin_totals(engine: Engine, report: DemoReport) -> None:
    requests = (
        select(func.count())
        .select_from(t.AssistanceRequestRow)
        .where(t.AssistanceRequestRow.filed_on >= START, t.AssistanceRequestRow.filed_on <= END)
    )
    assert scalar(engine, requests) == 45426
    joint = select(t.CaseRow.id).where(
        t.CaseRow.kind == "drugs",
        t.CaseRow.joint.is_(True),
        t.CaseRow.date_earliest >= START,
        t.CaseRow.date_latest <= END,
    )
    assert scalar(engine, select(func.count()).select_from(joint.subquery())) == 39
    suspects = (
        select(func.count())
        .select_from(t.PersonRow)
        .where(t.PersonRow.role == "suspect", t.PersonRow.case_id.in_(joint))
    )
    assert scalar(engine, suspects) == 234
    masses = (
        select(
            t.SeizureRow.id,
            t.SeizureRow.date_latest,
            t.SeizureQuantityRow.value,
            t.SeizureQuantityRow.unit,
            t.SeizureQuantityRow.basis,
        )
        .join(t.SeizureQuantityRow, t.SeizureQuantityRow.seizure == t.SeizureRow.id)
        .where(t.SeizureRow.case_id.in_(joint), t.SeizureQuantityRow.unit.in_(list(MASS_IN_KG)))
    )
    # One mass per seizure: net if stated, else gross, else unstated.
    chosen: dict[str, tuple[int, Decimal, date]] = {}
    rank = {"net": 0, "gross": 1, "unstated": 2}
    with engine.connect() as conn:
        for seizure, day, value, unit, basis in conn.execute(masses):
            candidate = (rank[basis], Decimal(value) * MASS_IN_KG[unit], day)
            if seizure not in chosen or candidate[0] < chosen[seizure][0]:
                chosen[seizure] = candidate
    total = sum(kg for _, kg, _ in chosen.values())
    assert Decimal(3000) <= total < Decimal(3100)
    by_2013_01_30 = sum(kg for _, kg, day in chosen.values() if day <= date(2013, 1, 30))
    assert by_2013_01_30 >= 1720


def test_every_csv_row_became_a_published_figure(engine: Engine, report: DemoReport) -> None:
    folder = resources.files("straitlink.demo").joinpath("data", "figures")
    with UnitOfWork(engine) as uow:
        stored = {f.id: f for f in uow.repo(mapping.FIGURES).list()}
    rows = 0
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".csv"):
            continue
        for line, cells in enumerate(csv.DictReader(io.StringIO(entry.read_text(encoding="utf-8"))), start=1):
            rows += 1
            made = [
                stored[i] for p in ("0", "1", "2", "3", "tw", "cn") if (i := figure_id(entry.name, line, p)) in stored
            ]
            assert made, f"{entry.name} row {line} has no published figure"
            if "value" in cells and ";" not in cells["value"]:
                assert made[0].value == Decimal(cells["value"].replace(",", ""))
                assert made[0].provenance.quote == (cells["verbatim_quote"] or None)
            elif "value" not in cells:
                values = {cells["completed_by_taiwan_我方完成"], cells["completed_by_mainland_陸方完成"]}
                assert {f.value for f in made} == {Decimal(v.replace(",", "")) for v in values}
    assert rows == 106


def test_every_request_has_the_history_its_status_and_dates_imply(engine: Engine, report: DemoReport) -> None:
    steps: dict[str, list[tuple[str, str | None, str, date]]] = defaultdict(list)
    T = RequestTransitionRow
    stmt = select(T.request_id, T.action, T.from_status, T.to_status, T.occurred_on).order_by(T.request_id, T.id)
    with engine.connect() as conn:
        for request_id, action, source, target, on in conn.execute(stmt):
            steps[request_id].append((action, source, target, on))
        R = t.AssistanceRequestRow
        requests = conn.execute(select(R.id, R.status, R.filed_on, R.sent_on, R.received_on, R.closed_on)).all()
    assert len(requests) == report.added["request"] and set(steps) == {r.id for r in requests}
    dated = {"file": 0, "send": 1, "receive": 2}  # the step that sets filed_on, sent_on, received_on
    for request_id, status, *days in requests:
        history = steps[request_id]
        assert [s[1] for s in history[1:]] == [s[2] for s in history[:-1]]  # each step starts where the last ended
        assert history[-1][2] == status and history[0][0] == "file"
        on = [s[3] for s in history]
        assert on == sorted(on)
        for action, _, _, day in history:
            if action in dated:
                assert day == days[dated[action]]
        if days[3] is not None:
            assert history[-1][3] == days[3]  # the closing step is dated the day the request closed


def test_the_demo_leaves_an_audit_chain_verify_accepts_with_one_create_per_record(
    engine: Engine, report: DemoReport
) -> None:
    result = verify_stored(engine)
    assert result.ok and result.checked == report.workflow["audit_entries"]
    records = sum(report.added.values()) + report.workflow["replies"] + report.workflow["documents"]
    assert result.checked == records
    some = stable_id("synthetic", "request", "1")
    with UnitOfWork(engine) as uow:
        (created,) = audit.entries(uow, record_id=some)
    assert (created.action, created.actor, created.diff["status"][0]) == ("create", "straitlink-demo", None)


def test_a_few_requests_show_replies_and_documents_whose_content_is_stored(
    engine: Engine, report: DemoReport, files: FileStore
) -> None:
    desk = Desk(engine, Party.TW, files, load_rules(), calendars())
    with engine.connect() as conn:
        shown = conn.scalars(select(RequestReplyRow.request_id).where(RequestReplyRow.kind == "progress")).all()
    assert 10 <= len(shown) <= 20
    with UnitOfWork(engine):
        view = views.show_request(desk, shown[0], principal=officer("reader"))
    assert view.steps and view.steps[-1].to_status == view.request.status.value
    (document,) = [d for r in view.replies if r.kind == "progress" for d in r.documents]
    with UnitOfWork(engine):
        _, content = views.read_document(desk, document.id, principal=officer("reader"))
    assert "SYNTHETIC" in content.decode("utf-8") and document.media_type.startswith("text/plain")


def test_a_request_filed_after_the_demo_continues_its_history_ids_and_audit_chain(
    engine: Engine, report: DemoReport, files: FileStore
) -> None:
    desk = Desk(engine, Party.TW, files, load_rules(), calendars())
    contents = {"purpose": "p", "matters": "m", "case_summary": "c", "execution_needs": "e"}
    data = {"type": "notification", "subject": "通報", "requesting_agency": "moj", **contents}
    with UnitOfWork(engine):
        request = svc.file_request(desk, data, principal=officer("officer"))
    contact_point = Acting(Party.TW, Role.CONTACT_POINT)
    with UnitOfWork(engine):
        svc.transition_request(
            desk, request.id, RequestStatus.SENT, svc.StepInput(), principal=officer("officer"), acting=contact_point
        )
    with engine.connect() as conn:
        T = RequestTransitionRow
        ids = conn.scalars(select(T.id).where(T.request_id == request.id).order_by(T.id)).all()
    assert len(ids) == 2 and ids[0] > report.workflow["history_steps"]
    assert verify_stored(engine).ok


def test_loading_twice_adds_nothing(engine: Engine, report: DemoReport) -> None:
    rows = (*RECORD_ROWS, t.AssistanceRequestRow, t.SourceDocumentRow, *WORKFLOW_ROWS)
    before = {row.__tablename__: scalar(engine, select(func.count()).select_from(row)) for row in rows}
    again = load_demo(engine)
    assert not any(again.added.values()) and not any(again.workflow.values())
    assert again.skipped == report.added
    after = {row.__tablename__: scalar(engine, select(func.count()).select_from(row)) for row in rows}
    assert after == before
    assert verify_stored(engine).ok


def test_every_demo_record_is_in_the_search_index(engine: Engine, report: DemoReport) -> None:
    from straitlink.services.search import search_records
    from straitlink.store.tables_search import SearchEntryRow

    for mapper in mapping.ALL:
        indexed = select(func.count()).select_from(SearchEntryRow).where(SearchEntryRow.kind == mapper.kind)
        assert scalar(engine, indexed) == scalar(engine, select(func.count()).select_from(mapper.row)), mapper.kind
    with engine.connect() as conn:
        ref = conn.scalar(
            select(t.AssistanceRequestRow.requested_ref)
            .where(t.AssistanceRequestRow.requested_ref.is_not(None))
            .limit(1)
        )
    assert ref is not None
    found = search_records(engine, ref, principal=officer("reader"))
    assert found.total >= 1 and any(ref in h.snippet for h in found.hits)
    assert search_records(engine, "笙宏号", principal=officer("reader")).total >= 1
