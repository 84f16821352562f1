"""Concurrent writers on SQLite and PostgreSQL: a stale write is a conflict losing nothing; the chain stays linear."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from principals import officer
from sqlalchemy import Engine, func, select

from straitlink.audit.verify import verify_stored
from straitlink.domain import workflow
from straitlink.domain.errors import Conflict
from straitlink.domain.parties import Party
from straitlink.domain.requests import AssistanceRequest, RequestStatus
from straitlink.domain.workflow import Acting, Role
from straitlink.services import records
from straitlink.services import request_writes as writes
from straitlink.services import requests as svc
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import FileStore
from straitlink.services.kinds import kind_named
from straitlink.store.mapping import REQUESTS
from straitlink.store.tables_workflow import AuditEntryRow, RequestTransitionRow
from straitlink.store.uow import UnitOfWork

CONTENTS = {
    "type": "evidence_collection",
    "subject": "s",
    "filed_on": "2025-01-20",
    "requesting_agency": "moj",
    "purpose": "p",
    "matters": "m",
    "case_summary": "c",
    "execution_needs": "e",
}


@pytest.fixture
def desk(engine: Engine, tmp_path: Path) -> svc.Desk:
    return svc.Desk(
        engine, Party.TW, FileStore(tmp_path / "files"), load_rules(), calendars(), today=lambda: date(2025, 6, 1)
    )


def run_together(*jobs: Callable[[], Any]) -> list[Any]:
    """Run the jobs in threads at once; each result is its return value or the exception it raised."""
    results: list[Any] = [None] * len(jobs)

    def runner(i: int, job: Callable[[], Any]) -> None:
        try:
            results[i] = job()
        except Exception as exc:  # the test inspects what each writer got
            results[i] = exc

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_two_writers_from_the_same_version_one_wins_one_conflicts(engine: Engine, desk: svc.Desk) -> None:
    rounds = 4
    for _ in range(rounds):
        with UnitOfWork(engine) as uow:
            request = svc.file_request(desk, CONTENTS, principal=officer("filer"))
        go = threading.Barrier(2, timeout=30)

        def send(user: str, on: date, rid: str = request.id, go: threading.Barrier = go) -> Callable[[], Any]:
            def job() -> AssistanceRequest:
                go.wait()  # both saw version 1 and submit at the same moment
                with UnitOfWork(engine):
                    return svc.transition_request(
                        desk,
                        rid,
                        RequestStatus.SENT,
                        svc.StepInput(on=on),
                        principal=officer(user),
                        acting=Acting(Party.TW, Role.CONTACT_POINT),
                        expected_version=1,
                    )

            return job

        results = run_together(send("alice", date(2025, 1, 21)), send("bob", date(2025, 1, 22)))
        won = [r for r in results if isinstance(r, AssistanceRequest)]
        lost = [r for r in results if isinstance(r, Exception)]
        assert len(won) == 1 and len(lost) == 1, results
        assert isinstance(lost[0], Conflict) and lost[0].field == "version"
        with UnitOfWork(engine) as uow:
            stored = uow.repo(REQUESTS).get(request.id)
            actors = uow.session.scalars(
                select(RequestTransitionRow.actor).where(RequestTransitionRow.request_id == request.id)
            ).all()
        # The winner's change is whole; the loser left no trace but its error.
        assert (stored.version, stored.sent_on) == (2, won[0].sent_on)
        assert actors == ["filer", "alice" if won[0].sent_on == date(2025, 1, 21) else "bob"]
    report = verify_stored(engine)
    assert report.ok and report.last_seq == 2 * rounds


def test_the_versioned_update_refuses_a_stale_base(engine: Engine, desk: svc.Desk) -> None:
    with UnitOfWork(engine) as uow:
        request = svc.file_request(desk, CONTENTS, principal=officer("filer"))
    actor = workflow.Actor("u", Party.TW, Role.CONTACT_POINT)
    stale, step = workflow.apply(request, RequestStatus.SENT, actor, workflow.Payload(on=date(2025, 1, 21)))
    with UnitOfWork(engine) as uow:
        svc.transition_request(
            desk,
            request.id,
            RequestStatus.WITHDRAWN,
            svc.StepInput(text="x"),
            principal=officer("u"),
            acting=Acting(Party.TW, Role.REQUESTING_SIDE),
        )
    with UnitOfWork(engine) as uow, pytest.raises(Conflict) as info:
        loaded = writes.lock_and_load(uow, request.id)
        loaded.request = request  # as read at version 1; the request is at version 2 now
        writes.commit_step(uow, desk.files, desk.party, loaded, stale, step, (), actor="u")
    assert info.value.field == "version"
    with UnitOfWork(engine) as uow:
        assert uow.repo(REQUESTS).get(request.id).status is RequestStatus.WITHDRAWN


def test_the_audit_chain_stays_linear_under_concurrent_writers(engine: Engine, desk: svc.Desk) -> None:
    writers, each = 4, 6
    case = kind_named("case")

    def writer(n: int) -> Callable[[], int]:
        def job() -> int:
            for i in range(each):
                with UnitOfWork(engine):
                    records.add_record(
                        engine, case, {"title": f"{n}-{i}", "kind": "drugs", "joint": True}, principal=officer(f"w{n}")
                    )
                with UnitOfWork(engine):
                    svc.file_request(desk, CONTENTS, principal=officer(f"w{n}"))
            return each

        return job

    results = run_together(*(writer(n) for n in range(writers)))
    assert results == [each] * writers, results
    report = verify_stored(engine)
    assert report.ok, report.problem
    with UnitOfWork(engine) as uow:
        seqs = uow.session.scalars(select(AuditEntryRow.seq).order_by(AuditEntryRow.seq)).all()
        assert uow.session.scalar(select(func.count()).select_from(AuditEntryRow)) == writers * each * 2
    assert seqs == list(range(1, writers * each * 2 + 1))
