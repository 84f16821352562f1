"""Random sequences of actions on one request: the state machine's invariants hold after every one."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from straitlink.domain import workflow as wf
from straitlink.domain.errors import IllegalTransition, InvalidValue, MissingField, NotPermitted, StraitLinkError
from straitlink.domain.parties import Party
from straitlink.domain.provenance import Provenance
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import CLOSED_STATUSES, AssistanceRequest, RequestForm, RequestStatus, Urgency

START = date(2025, 1, 20)
EDGES = {(source, t.target) for t in wf.TRANSITIONS for source in t.sources}
S = RequestStatus
# The usual way forward, tried half the time a legal step is drawn, so that walks reach the closing steps.
FORWARD = {
    S.FILED: S.SENT,
    S.SENT: S.RECEIVED,
    S.RECEIVED: S.ASSIGNED,
    S.ASSIGNED: S.IN_EXECUTION,
    S.IN_EXECUTION: S.COMPLETED,
    S.POSTPONED: S.IN_EXECUTION,
}


class RequestLife(RuleBasedStateMachine):
    """Acts at random as any side and role, with or without what a step must carry."""

    def __init__(self) -> None:
        super().__init__()
        self.request: AssistanceRequest | None = None
        self.day = START
        self.history: list[wf.Step] = []

    @initialize(
        requesting=st.sampled_from(list(Party)),
        type_=st.sampled_from(list(RequestType)),
        urgent_other_form=st.booleans(),
    )
    def file(self, requesting: Party, type_: RequestType, urgent_other_form: bool) -> None:
        req = AssistanceRequest(
            id="r",
            provenance=Provenance.by_user("u"),
            requesting_party=requesting,
            type=type_,
            subject="s",
            filed_on=self.day,
            urgency=Urgency.URGENT if urgent_other_form else Urgency.NORMAL,
            form=RequestForm.OTHER if urgent_other_form else RequestForm.WRITTEN,
            **{name: "x" for name in wf.REQUIRED_CONTENTS},
        )
        self.history.append(wf.file(req, wf.Actor("u", requesting, wf.Role.REQUESTING_SIDE)))
        self.request = req

    @rule(days=st.integers(min_value=0, max_value=40))
    def time_passes(self, days: int) -> None:
        self.day += timedelta(days=days)

    @rule(
        data=st.data(),
        aim=st.sampled_from(["legal", "any"]),
        complete_payload=st.booleans(),
        back_days=st.integers(min_value=0, max_value=3),
    )
    def act(self, data: st.DataObject, aim: str, complete_payload: bool, back_days: int) -> None:
        req = self.request
        if req is None:
            return
        allowed = wf.allowed_targets(req.status)
        if aim == "legal" and allowed:
            # Half the time a step the table allows, by a side and role it allows: the walk gets deep.
            forward = FORWARD.get(req.status, allowed[0])
            goal = data.draw(st.one_of(st.just(forward), st.sampled_from(allowed)))
            party, role = data.draw(st.sampled_from(wf.who_may(wf.transition_for(req.status, goal), req)))
            complete_payload, back_days = True, 0
        else:
            goal = data.draw(st.sampled_from(list(RequestStatus)))
            party, role = data.draw(st.sampled_from(list(Party))), data.draw(st.sampled_from(list(wf.Role)))
        agency = req.executing_agency if role is wf.Role.EXECUTING_AGENCY else None
        on = self.day - timedelta(days=back_days)
        payload = wf.Payload(on=on)
        if complete_payload:
            payload = wf.Payload(
                on=on,
                text="t",
                ground=wf.RefusalGround.NOT_CONFORMING,
                executing_agency="agency",
                executing_agency_party=req.requested_party,
                documents=1,
                materials_returned=True,
            )
        last = self.history[-1].on
        try:
            after, step = wf.apply(req, goal, wf.Actor("u", party, role, agency), payload, last_step_on=last)
        except StraitLinkError as exc:
            assert isinstance(exc, IllegalTransition | NotPermitted | MissingField | InvalidValue)
            if (req.status, goal) not in EDGES:
                assert isinstance(exc, IllegalTransition)
            assert self.request is req and req.status is step_status(self.history)
            return
        assert (req.status, goal) in EDGES
        assert (party, role) in wf.who_may(wf.transition_for(req.status, goal), req)
        assert step.source is req.status and after.status is goal and step.on >= last
        event(f"reached {goal.value}")
        self.history.append(step)
        self.request = after

    @rule(back_days=st.integers(min_value=0, max_value=3))
    def confirm(self, back_days: int) -> None:
        req = self.request
        if req is None:
            return
        try:
            after, step = wf.confirm_in_writing(
                req, wf.Actor("u", req.requesting_party, wf.Role.CONTACT_POINT), self.day - timedelta(days=back_days)
            )
        except StraitLinkError:
            assert (
                req.form is RequestForm.WRITTEN
                or req.confirmed_on is not None
                or req.status in CLOSED_STATUSES
                or (self.day - timedelta(days=back_days) < (req.sent_on or req.filed_on))
            )
            return
        assert after.status is req.status and after.confirmed_on == step.on
        self.history.append(step)
        self.request = after

    @invariant()
    def dates_follow_the_history(self) -> None:
        req = self.request
        if req is None:
            return
        actions = [s.action for s in self.history]
        assert req.status is step_status(self.history)
        assert (req.sent_on is not None) == (wf.Action.SEND in actions)
        assert (req.received_on is not None) == (wf.Action.RECEIVE in actions)
        assert (req.executing_agency is not None) == (wf.Action.ASSIGN in actions)
        assert (req.closed_on is not None) == (req.status in CLOSED_STATUSES)
        assert (req.confirmed_on is not None) == (wf.Action.CONFIRM_IN_WRITING in actions)
        status_steps = [s for s in self.history if s.action is not wf.Action.CONFIRM_IN_WRITING]
        assert all(a.on <= b.on for a, b in pairwise(status_steps))
        assert all(a.target is b.source for a, b in pairwise(status_steps))
        if req.status in CLOSED_STATUSES:
            assert status_steps[-1].target is req.status and wf.allowed_targets(req.status) == []


def step_status(history: list[wf.Step]) -> RequestStatus:
    return history[-1].target


RequestLife.TestCase.settings = settings(max_examples=300, stateful_step_count=40, deadline=None)
TestRequestLife = RequestLife.TestCase
