"""The request state machine: every legal and every illegal step, generated from the transition table."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from straitlink.domain import workflow as wf
from straitlink.domain.errors import IllegalTransition, IncompleteRequest, InvalidValue, MissingField, NotPermitted
from straitlink.domain.parties import Party
from straitlink.domain.provenance import Provenance
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import CLOSED_STATUSES, AssistanceRequest, RequestForm, RequestStatus, Urgency

S = RequestStatus
DAY = date(2025, 1, 20)
EDGES = [(source, t) for t in wf.TRANSITIONS for source in t.sources]
ILLEGAL = [(a, b) for a in RequestStatus for b in RequestStatus if (a, b) not in {(s, t.target) for s, t in EDGES}]
CONTENTS = {name: f"{name} text" for name in wf.REQUIRED_CONTENTS}


def request(
    status: RequestStatus = S.FILED,
    *,
    requesting: Party = Party.TW,
    type_: RequestType = RequestType.EVIDENCE_COLLECTION,
    **changes: object,
) -> AssistanceRequest:
    """A complete request already in `status`, with the dates and agency the steps before it would have set."""
    fields: dict[str, object] = {
        "id": "r1",
        "provenance": Provenance.by_user("tester"),
        "requesting_party": requesting,
        "type": type_,
        "subject": "subject",
        "status": status,
        "filed_on": DAY,
        **CONTENTS,
    }
    if status is not S.FILED:
        fields["sent_on"] = DAY
    if status not in (S.FILED, S.SENT):
        fields["received_on"] = DAY
    if status in (S.ASSIGNED, S.IN_EXECUTION, S.POSTPONED):
        fields["executing_agency"] = "exec-agency"
    fields.update(changes)
    return AssistanceRequest(**fields)  # type: ignore[arg-type]


def full_payload(req: AssistanceRequest, on: date = DAY) -> wf.Payload:
    """A payload carrying everything any step may need."""
    return wf.Payload(
        on=on,
        text="because",
        ground=wf.RefusalGround.PUBLIC_ORDER,
        executing_agency="exec-agency",
        executing_agency_party=req.requested_party,
        documents=1,
        materials_returned=True,
    )


def allowed_actor(t: wf.Transition, req: AssistanceRequest) -> wf.Actor:
    role, side = t.who[0]
    agency = req.executing_agency if role is wf.Role.EXECUTING_AGENCY else None
    return wf.Actor("tester", side.party(req), role, agency)


@pytest.mark.parametrize("requesting", list(Party))
@pytest.mark.parametrize(("source", "t"), EDGES, ids=[f"{s.value}->{t.target.value}" for s, t in EDGES])
def test_every_legal_step_moves_and_sets_its_fields(source: S, t: wf.Transition, requesting: Party) -> None:
    before = request(source, requesting=requesting)
    on = DAY + timedelta(days=3)
    after, step = wf.apply(before, t.target, allowed_actor(t, before), full_payload(before, on))
    assert after.status is t.target
    assert (step.action, step.source, step.target, step.on) == (t.action, source, t.target, on)
    for name in t.sets:
        assert getattr(after, name) == ("exec-agency" if name == "executing_agency" else on)
    assert (after.closed_on is not None) == (t.target in CLOSED_STATUSES)
    assert before.status is source  # the domain builds a new request; the old one is untouched


@pytest.mark.parametrize(("source", "target"), ILLEGAL, ids=[f"{a.value}->{b.value}" for a, b in ILLEGAL])
def test_every_illegal_step_is_refused_naming_what_may_follow(source: S, target: S) -> None:
    before = request(source)
    actor = wf.Actor("tester", Party.TW, wf.Role.REQUESTING_SIDE)
    with pytest.raises(IllegalTransition) as info:
        wf.apply(before, target, actor, full_payload(before))
    assert info.value.field == "status" and info.value.value == target.value
    for allowed in wf.allowed_targets(source):
        assert allowed.value in info.value.message
    assert before.status is source


def _wrong_actors(t: wf.Transition, req: AssistanceRequest) -> list[wf.Actor]:
    allowed = set(wf.who_may(t, req))
    return [
        wf.Actor("tester", party, role, "exec-agency")
        for party in Party
        for role in wf.Role
        if (party, role) not in allowed
    ]


@pytest.mark.parametrize(("source", "t"), EDGES, ids=[f"{s.value}->{t.target.value}" for s, t in EDGES])
def test_every_step_refuses_every_side_and_role_not_listed(source: S, t: wf.Transition) -> None:
    for requesting in Party:
        before = request(source, requesting=requesting)
        for actor in _wrong_actors(t, before):
            with pytest.raises(NotPermitted) as info:
                wf.apply(before, t.target, actor, full_payload(before))
            assert info.value.value == f"{actor.party.value}/{actor.role.value}"


def test_executing_agency_acts_only_for_its_own_request() -> None:
    before = request(S.ASSIGNED)
    other = wf.Actor("tester", Party.CN, wf.Role.EXECUTING_AGENCY, "another-agency")
    with pytest.raises(NotPermitted) as info:
        wf.apply(before, S.IN_EXECUTION, other, full_payload(before))
    assert info.value.field == "agency" and info.value.value == "another-agency"


NEED_CASES = [(s, t, n) for s, t in EDGES for n in t.needs]


@pytest.mark.parametrize(
    ("source", "t", "need"), NEED_CASES, ids=[f"{s.value}->{t.target.value}:{n.value}" for s, t, n in NEED_CASES]
)
def test_every_step_refuses_a_payload_without_what_it_must_carry(source: S, t: wf.Transition, need: wf.Need) -> None:
    before = request(source, type_=RequestType.DOCUMENT_SERVICE)
    payload = full_payload(before)
    blank = {
        wf.Need.GROUND: {"ground": None},
        wf.Need.EXECUTING_AGENCY: {"executing_agency": None},
        wf.Need.PROOF: {"documents": 0},
        wf.Need.MATERIALS_RETURNED: {"materials_returned": False},
    }.get(need, {"text": "  "})
    field = "text" if need in wf.TEXT_NEEDS else next(iter(blank))
    with pytest.raises(MissingField) as info:
        wf.apply(before, t.target, allowed_actor(t, before), dataclasses.replace(payload, **blank))  # type: ignore[arg-type]
    assert info.value.field == field


def test_proof_is_required_only_for_service_and_evidence() -> None:
    for type_ in RequestType:
        before = request(S.IN_EXECUTION, type_=type_)
        t = wf.transition_for(S.IN_EXECUTION, S.COMPLETED)
        payload = dataclasses.replace(full_payload(before), documents=0)
        if type_ in wf.PROOF_REQUIRED:
            with pytest.raises(MissingField) as info:
                wf.apply(before, S.COMPLETED, allowed_actor(t, before), payload)
            assert wf.PROOF_REQUIRED[type_] in info.value.message
        else:
            assert wf.apply(before, S.COMPLETED, allowed_actor(t, before), payload)[0].status is S.COMPLETED


def test_assigning_an_agency_of_the_requesting_side_is_refused() -> None:
    before = request(S.RECEIVED, requesting=Party.CN)
    t = wf.transition_for(S.RECEIVED, S.ASSIGNED)
    payload = dataclasses.replace(full_payload(before), executing_agency_party=Party.CN)
    with pytest.raises(InvalidValue) as info:
        wf.apply(before, S.ASSIGNED, allowed_actor(t, before), payload)
    assert info.value.field == "executing_agency"


def test_a_step_dated_before_the_previous_one_is_refused() -> None:
    before = request(S.SENT, sent_on=DAY + timedelta(days=5))
    t = wf.transition_for(S.SENT, S.RECEIVED)
    with pytest.raises(InvalidValue) as info:
        wf.apply(before, S.RECEIVED, allowed_actor(t, before), full_payload(before, DAY + timedelta(days=4)))
    assert info.value.field == "on"
    with pytest.raises(InvalidValue):
        wf.apply(before, S.RECEIVED, allowed_actor(t, before), full_payload(before, DAY + timedelta(days=6)),
                 last_step_on=DAY + timedelta(days=7))  # fmt: skip


def test_status_cannot_be_assigned() -> None:
    req = request(S.RECEIVED)
    with pytest.raises(AttributeError):
        req.status = S.COMPLETED  # type: ignore[misc]
    assert req.status is S.RECEIVED


FILER = wf.Actor("tester", Party.TW, wf.Role.REQUESTING_SIDE)


@pytest.mark.parametrize("missing", [[n] for n in wf.REQUIRED_CONTENTS] + [list(wf.REQUIRED_CONTENTS)])
def test_an_incomplete_request_is_refused_with_everything_missing(missing: list[str]) -> None:
    req = request(**{n: None for n in missing})  # type: ignore[arg-type]
    with pytest.raises(IncompleteRequest) as info:
        wf.file(req, FILER)
    assert info.value.missing == missing
    assert info.value.to_json()["missing"] == missing
    for name in missing:
        assert name in info.value.message


def test_filing_checks_side_form_and_status() -> None:
    assert wf.file(request(), FILER).action is wf.Action.FILE
    with pytest.raises(NotPermitted):
        wf.file(request(), wf.Actor("tester", Party.CN, wf.Role.REQUESTING_SIDE))
    with pytest.raises(InvalidValue) as info:
        wf.file(request(form=RequestForm.OTHER), FILER)
    assert info.value.field == "form"
    assert wf.file(request(form=RequestForm.OTHER, urgency=Urgency.URGENT), FILER)
    with pytest.raises(InvalidValue) as info:
        wf.file(request(S.SENT), FILER)
    assert info.value.field == "status"


def test_written_confirmation_of_an_urgent_request() -> None:
    req = request(S.SENT, form=RequestForm.OTHER, urgency=Urgency.URGENT, sent_on=DAY + timedelta(days=1))
    confirmer = wf.Actor("tester", Party.TW, wf.Role.CONTACT_POINT)
    with pytest.raises(InvalidValue):
        wf.confirm_in_writing(req, confirmer, DAY)  # before the request was made
    after, step = wf.confirm_in_writing(req, confirmer, DAY + timedelta(days=4))
    assert after.confirmed_on == DAY + timedelta(days=4) and after.status is S.SENT
    assert step.source is step.target is S.SENT
    with pytest.raises(InvalidValue):
        wf.confirm_in_writing(after, confirmer, DAY + timedelta(days=5))  # only once
    with pytest.raises(InvalidValue):
        wf.confirm_in_writing(request(S.SENT), confirmer, DAY)  # a written request needs none
    with pytest.raises(NotPermitted):
        wf.confirm_in_writing(req, wf.Actor("tester", Party.CN, wf.Role.CONTACT_POINT), DAY + timedelta(days=2))


def test_default_acting_picks_an_allowed_role_or_refuses() -> None:
    req = request(S.SENT)
    t = wf.transition_for(S.SENT, S.RECEIVED)
    assert wf.default_acting(t, req, Party.CN) == wf.Acting(Party.CN, wf.Role.CONTACT_POINT)
    with pytest.raises(NotPermitted) as info:
        wf.default_acting(t, req, Party.TW)
    assert "CN/contact_point" in info.value.message


def test_the_table_reaches_every_status_and_closed_ones_are_final() -> None:
    reachable = {S.FILED} | {t.target for t in wf.TRANSITIONS}
    assert reachable == set(RequestStatus)
    for status in CLOSED_STATUSES:
        assert wf.allowed_targets(status) == []
    assert len({(s, t.target) for s, t in EDGES}) == len(EDGES)  # (from, to) names one step: the CLI relies on it
