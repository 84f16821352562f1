"""Who may correct which of a request's fields: the side that states it, and never a field the workflow sets."""

from __future__ import annotations

import pytest
from test_workflow import request

from straitlink.domain.errors import InvalidValue, MissingField, NotOwner, NotPermitted
from straitlink.domain.parties import Party
from straitlink.domain.requests import (
    REQUESTED_SIDE_FIELDS,
    REQUESTING_SIDE_FIELDS,
    WORKFLOW_FIELDS,
    RequestStatus,
    check_correction,
    field_owner,
)


@pytest.mark.parametrize("requesting", [Party.TW, Party.CN])
def test_the_requesting_side_states_what_it_asks_and_the_requested_side_its_reference(requesting: Party) -> None:
    req = request(RequestStatus.RECEIVED, requesting=requesting)
    for name in REQUESTING_SIDE_FIELDS:
        assert field_owner(req, name) is requesting
    assert field_owner(req, "requested_ref") is requesting.other
    check_correction(req, {"subject", "matters", "case_summary", "urgency", "requesting_agency"}, requesting)
    check_correction(req, {"requested_ref"}, requesting.other)


def test_a_field_of_the_other_side_is_not_ones_to_correct() -> None:
    req = request(RequestStatus.SENT, requesting=Party.TW)
    with pytest.raises(NotOwner, match="subject: stated by TW; CN may not"):
        check_correction(req, {"subject"}, Party.CN)
    with pytest.raises(NotOwner, match="requested_ref: stated by CN"):
        check_correction(req, {"subject", "requested_ref"}, Party.TW)


@pytest.mark.parametrize("name", sorted(WORKFLOW_FIELDS | {"id", "version", "provenance"}))
def test_the_workflows_fields_change_only_through_the_workflow(name: str) -> None:
    req = request(RequestStatus.COMPLETED)
    for side in Party:
        with pytest.raises(NotPermitted, match="workflow"):
            check_correction(req, {name}, side)


def test_an_unknown_or_empty_correction_is_refused() -> None:
    req = request(RequestStatus.SENT)
    with pytest.raises(InvalidValue, match="not a field"):
        check_correction(req, {"colour"}, Party.TW)
    with pytest.raises(MissingField):
        check_correction(req, set(), Party.TW)


def test_the_field_lists_do_not_overlap() -> None:
    assert not (REQUESTING_SIDE_FIELDS & REQUESTED_SIDE_FIELDS)
    assert not ((REQUESTING_SIDE_FIELDS | REQUESTED_SIDE_FIELDS) & WORKFLOW_FIELDS)


def test_every_field_of_a_request_has_an_owner_or_is_the_workflows() -> None:
    import dataclasses

    from straitlink.domain.requests import AssistanceRequest

    named = REQUESTING_SIDE_FIELDS | REQUESTED_SIDE_FIELDS | WORKFLOW_FIELDS | {"id", "version", "provenance"}
    assert {f.name for f in dataclasses.fields(AssistanceRequest)} <= named


def test_a_retracted_result_reopens_the_request_where_it_stood_and_a_plain_reply_leaves_it() -> None:
    from straitlink.domain.replies import retraction_target

    done = request(RequestStatus.COMPLETED, requesting=Party.TW)
    common = {"reply_from": Party.CN, "by": Party.CN, "latest": True}
    step = {"step_action": "complete", "step_from": RequestStatus.IN_EXECUTION, "step_to": RequestStatus.COMPLETED}
    assert retraction_target(done, **common, **step) is RequestStatus.IN_EXECUTION  # type: ignore[arg-type]
    plain = {"step_action": None, "step_from": None, "step_to": None}
    assert retraction_target(done, **common, **plain) is None  # type: ignore[arg-type]


def test_a_reply_is_retracted_only_by_its_sender_and_only_a_latest_result() -> None:
    from straitlink.domain.replies import retraction_target

    done = request(RequestStatus.COMPLETED, requesting=Party.TW)
    step = {"step_action": "complete", "step_from": RequestStatus.IN_EXECUTION, "step_to": RequestStatus.COMPLETED}
    with pytest.raises(NotOwner):
        retraction_target(done, reply_from=Party.CN, by=Party.TW, latest=True, **step)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="moved on"):
        retraction_target(done, reply_from=Party.CN, by=Party.CN, latest=False, **step)  # type: ignore[arg-type]
    asked = {
        "step_action": "request_info",
        "step_from": RequestStatus.RECEIVED,
        "step_to": RequestStatus.INFO_REQUESTED,
    }
    with pytest.raises(InvalidValue, match="only a result"):
        retraction_target(done, reply_from=Party.CN, by=Party.CN, latest=True, **asked)  # type: ignore[arg-type]
