"""The demo requests' workflow: every history replays through the state machine to the request as generated."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from typing import Any

import pytest

from straitlink.catalog import load_catalog
from straitlink.demo.figures import build_figures
from straitlink.demo.history import ACTOR, DemoWorkflow, build_workflow
from straitlink.demo.seed import DOCUMENT_ID, build_seed
from straitlink.demo.synthetic import generate
from straitlink.domain import workflow
from straitlink.domain.parties import Party
from straitlink.domain.records import stable_id
from straitlink.domain.requests import AssistanceRequest, RequestStatus
from straitlink.domain.workflow import PROOF_REQUIRED, Action, Actor, Payload, RefusalGround, Role
from straitlink.services.documents import sniff

S = RequestStatus
FIRST_STEP_ID = 101
AT = "2026-01-01T00:00:00.000000Z"


@pytest.fixture(scope="module")
def requests() -> list[AssistanceRequest]:
    world = build_seed()
    _, figures = build_figures()
    return generate([*world.figures, *figures], primary_source=DOCUMENT_ID, seed_records=world.records()).requests


@pytest.fixture(scope="module")
def demo(requests: list[AssistanceRequest]) -> DemoWorkflow:
    return build_workflow(requests, seed=7, first_step_id=FIRST_STEP_ID, party=Party.TW, recorded_at=AT)


def _documents_by_step(demo: DemoWorkflow) -> Counter[int]:
    step_of = {r["id"]: r["transition_id"] for r in demo.replies}
    return Counter(step_of[d["reply_id"]] for d in demo.documents if step_of[d["reply_id"]] is not None)


def test_every_history_replays_through_the_state_machine_to_the_request(
    requests: list[AssistanceRequest], demo: DemoWorkflow
) -> None:
    agency_party = {a.id: a.party for a in load_catalog().agencies}
    documents = _documents_by_step(demo)
    steps: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in demo.steps:
        steps[s["request_id"]].append(s)
    for r in requests:
        history = steps[r.id]
        first, *rest = history
        assert (first["action"], first["from_status"], first["occurred_on"]) == ("file", None, r.filed_on)
        filed = dataclasses.replace(
            r, status=S.FILED, sent_on=None, received_on=None, closed_on=None, executing_agency=None
        )
        workflow.file(filed, Actor(first["actor"], Party(first["acting_party"]), Role(first["acting_role"])))
        current, last_on = filed, r.filed_on
        for s in rest:
            assert s["from_status"] == current.status.value
            actor = Actor(s["actor"], Party(s["acting_party"]), Role(s["acting_role"]), s["acting_agency"])
            payload = Payload(
                on=s["occurred_on"],
                text=s["text"],
                ground=RefusalGround(s["ground"]) if s["ground"] else None,
                executing_agency=s["executing_agency"],
                executing_agency_party=agency_party.get(s["executing_agency"]),
                documents=documents[s["id"]],
                materials_returned=s["action"] == Action.REPORT_UNABLE.value,
            )
            current, done = workflow.apply(current, S(s["to_status"]), actor, payload, last_step_on=last_on)
            assert done.action.value == s["action"]
            last_on = s["occurred_on"]
        assert current == r, r.id


def test_steps_are_numbered_in_order_and_by_the_demo_user(
    demo: DemoWorkflow, requests: list[AssistanceRequest]
) -> None:
    assert [s["id"] for s in demo.steps] == list(range(FIRST_STEP_ID, FIRST_STEP_ID + len(demo.steps)))
    assert {s["actor"] for s in demo.steps} == {ACTOR}
    assert sum(demo.steps_of.values()) == len(demo.steps) and set(demo.steps_of) == {r.id for r in requests}
    actions = Counter(s["action"] for s in demo.steps)
    # The detours the Agreement provides for occur, and each one comes back.
    assert actions["request_info"] == actions["supplement"] > 0
    assert actions["postpone"] == actions["resume"] > 0


def test_a_completion_that_needs_proof_hands_over_one_document(
    demo: DemoWorkflow, requests: list[AssistanceRequest]
) -> None:
    documents = _documents_by_step(demo)
    by_id = {r.id: r for r in requests}
    completions = [s for s in demo.steps if s["action"] == "complete"]
    assert completions
    for s in completions:
        expected = 1 if by_id[s["request_id"]].type in PROOF_REQUIRED else 0
        assert documents[s["id"]] == expected
    for sha, file in demo.files.items():
        assert sniff(file.content) == file.media_type and file.sha256 == sha


def test_a_few_requests_of_each_kind_carry_a_progress_report_with_a_document_of_their_own(
    demo: DemoWorkflow, requests: list[AssistanceRequest]
) -> None:
    reports = [r for r in demo.replies if r["kind"] == "progress"]
    assert 10 <= len(reports) <= 20
    assert len({r["request_id"] for r in reports}) == len(reports)
    by_id = {r.id: r for r in requests}
    assert len({by_id[r["request_id"]].type for r in reports}) >= 5
    attached = {d["reply_id"]: d for d in demo.documents}
    shas = [attached[r["id"]]["sha256"] for r in reports]
    assert len(set(shas)) == len(shas)  # each its own file
    for report, sha in zip(reports, shas, strict=True):
        request = by_id[report["request_id"]]
        assert request.received_on is not None and report["sent_on"] >= request.received_on
        content = demo.files[sha].content.decode("utf-8")
        assert "SYNTHETIC" in content and (request.requesting_ref or "") in content


def test_documents_from_the_other_side_keep_the_requests_purpose(
    demo: DemoWorkflow, requests: list[AssistanceRequest]
) -> None:
    purposes = {r.id: r.purpose for r in requests}
    for d in demo.documents:
        assert d["purpose"] == (purposes[d["request_id"]] if d["from_party"] != Party.TW.value else None)


def test_the_same_seed_gives_the_same_workflow_and_ids_are_stable(
    demo: DemoWorkflow, requests: list[AssistanceRequest]
) -> None:
    some = requests[:3000]
    first, again, other = (
        build_workflow(some, seed=seed, first_step_id=FIRST_STEP_ID, party=Party.TW, recorded_at=AT)
        for seed in (7, 7, 8)
    )
    assert (again.steps, again.replies, again.documents) == (first.steps, first.replies, first.documents)
    assert other.steps != first.steps
    reply = demo.replies[0]
    number = next(
        i for i, s in enumerate(x for x in demo.steps if x["request_id"] == reply["request_id"])
        if s["id"] == reply["transition_id"]
    )  # fmt: skip
    assert reply["id"] == stable_id("synthetic", "reply", reply["request_id"], str(number))
