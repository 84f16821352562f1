"""Random sequences of use-case calls on a real database: what is stored always matches the domain's own result."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from principals import officer
from sqlalchemy import Engine, func, select

from straitlink.audit.verify import verify_stored
from straitlink.domain import workflow as wf
from straitlink.domain.errors import StraitLinkError
from straitlink.domain.parties import Party
from straitlink.domain.requests import AssistanceRequest, RequestStatus
from straitlink.services import requests as svc
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import FileStore, Upload
from straitlink.store.mapping import REQUESTS
from straitlink.store.tables_workflow import RequestTransitionRow
from straitlink.store.uow import UnitOfWork

AGENCY = {Party.TW: "mjib", Party.CN: "mps"}
TYPES = ["document_service", "evidence_collection", "repatriation", "notification"]


class StoredRequestLife(RuleBasedStateMachine):
    def __init__(self, engine: Engine, desk: svc.Desk) -> None:
        super().__init__()
        self.engine, self.desk = engine, desk
        self.request: AssistanceRequest
        self.steps = 0
        self.day = date(2025, 1, 20)

    @initialize(requesting=st.sampled_from(list(Party)), type_=st.sampled_from(TYPES))
    def file(self, requesting: Party, type_: str) -> None:
        data = {
            "type": type_,
            "subject": "s",
            "requesting_party": requesting.value,
            "filed_on": self.day.isoformat(),
            "requesting_agency": AGENCY[requesting],
            **{n: "x" for n in wf.REQUIRED_CONTENTS if n != "requesting_agency"},
        }
        with UnitOfWork(self.engine):
            self.request = svc.file_request(
                self.desk, data, principal=officer("u"), acting=wf.Acting(requesting, wf.Role.REQUESTING_SIDE)
            )
        self.steps = 1

    @rule(
        data=st.data(),
        legal=st.booleans(),
        days=st.integers(min_value=0, max_value=20),
        proof=st.booleans(),
    )
    def take_step(self, data: st.DataObject, legal: bool, days: int, proof: bool) -> None:
        allowed = wf.allowed_targets(self.request.status)
        if legal and allowed:  # half the time a step the table allows, so that walks get deep
            goal = data.draw(st.sampled_from(allowed))
            party, role = data.draw(
                st.sampled_from(wf.who_may(wf.transition_for(self.request.status, goal), self.request))
            )
        else:
            goal = data.draw(st.sampled_from(list(RequestStatus)))
            party, role = data.draw(st.sampled_from(list(Party))), data.draw(st.sampled_from(list(wf.Role)))
        self.day += timedelta(days=days)
        agency = self.request.executing_agency if role is wf.Role.EXECUTING_AGENCY else None
        step = svc.StepInput(
            on=self.day,
            text="t",
            ground=wf.RefusalGround.OTHER,
            executing_agency=AGENCY[self.request.requested_party],
            materials_returned=True,
            documents=(Upload("proof.txt", b"proof\n"),) if proof else (),
        )
        expected: AssistanceRequest | None
        try:
            expected, _ = wf.apply(
                self.request,
                goal,
                wf.Actor("u", party, role, agency),
                wf.Payload(
                    on=self.day,
                    text="t",
                    ground=wf.RefusalGround.OTHER,
                    executing_agency=step.executing_agency,
                    executing_agency_party=self.request.requested_party,
                    documents=len(step.documents),
                    materials_returned=True,
                ),
                last_step_on=self.request.filed_on,
            )
        except StraitLinkError:
            expected = None
        try:
            with UnitOfWork(self.engine):
                stored = svc.transition_request(
                    self.desk,
                    self.request.id,
                    goal,
                    step,
                    principal=officer("u"),
                    acting=wf.Acting(party, role, agency),
                    expected_version=self.request.version,
                )
        except StraitLinkError:
            assert expected is None  # the service refuses exactly what the domain refuses
            return
        assert expected is not None and stored.status is expected.status is goal
        event(f"stored {goal.value}")
        assert stored.version == self.request.version + 1
        self.request = stored
        self.steps += 1

    @invariant()
    def stored_matches_the_model(self) -> None:
        with UnitOfWork(self.engine) as uow:
            assert uow.repo(REQUESTS).get(self.request.id) == self.request
            count = uow.session.scalar(select(func.count()).where(RequestTransitionRow.request_id == self.request.id))
        assert count == self.steps


def test_random_use_case_sequences_keep_store_model_and_chain_in_step(engine: Engine, tmp_path: Path) -> None:
    desk = svc.Desk(
        engine, Party.TW, FileStore(tmp_path / "files"), load_rules(), calendars(), today=lambda: date(2030, 1, 1)
    )
    run_state_machine_as_test(
        lambda: StoredRequestLife(engine, desk),
        settings=settings(max_examples=20, stateful_step_count=20, deadline=None),
    )
    assert verify_stored(engine).ok
