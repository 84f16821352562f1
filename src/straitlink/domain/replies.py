"""What one side may tell the other about a request, and when: the request-level rules of replies and steps."""

from __future__ import annotations

from datetime import date

from straitlink.domain.agreement import IN_FORCE_ON
from straitlink.domain.errors import InvalidValue, MissingField, NotOwner
from straitlink.domain.parties import Party
from straitlink.domain.requests import AssistanceRequest, RequestStatus

REPLY_KINDS = ("progress", "note")  # Art. 14¶1 progress reports; anything else one side tells the other


def step_day(on: date | None, today: date) -> date:
    """The day a step or reply happened: today when not given, and never after today."""
    if on is None:
        return today
    if on > today:
        raise InvalidValue("on", on.isoformat(), f"after today ({today.isoformat()})")
    return on


def check_filing_day(filed_on: date, today: date) -> None:
    """A request is filed under the Agreement, so not before it took effect, and not after today."""
    if filed_on > today:
        raise InvalidValue("filed_on", filed_on.isoformat(), f"after today ({today.isoformat()})")
    if filed_on < IN_FORCE_ON:
        reason = f"before the Agreement took effect on {IN_FORCE_ON.isoformat()}"
        raise InvalidValue("filed_on", filed_on.isoformat(), reason)


def check_reply(request: AssistanceRequest, kind: str, text: str | None, documents: int, on: date) -> str | None:
    """A reply's text as kept (stripped, None when empty), or the error naming what is wrong with the reply."""
    if kind not in REPLY_KINDS:
        raise InvalidValue("kind", kind, "one of " + "|".join(REPLY_KINDS))
    if request.status is RequestStatus.FILED:
        raise InvalidValue("status", request.status.value, "a request is replied to once it has been sent")
    if not request.status.is_open and kind != "note":
        # A closed request's story is over: only a note (e.g. 結案) may still be recorded on it.
        raise InvalidValue("status", request.status.value, f"the request is closed: it takes no more {kind} replies")
    kept = (text or "").strip() or None
    if kept is None and not documents:
        raise MissingField("text", "a reply carries a text or documents")
    if request.sent_on and on < request.sent_on:
        raise InvalidValue("on", on.isoformat(), f"before the request was sent on {request.sent_on.isoformat()}")
    return kept


# The steps whose reply is the requested side's result (Art. 15, 16): retracting it retracts the result.
RESULT_ACTIONS = frozenset({"complete", "refuse", "report_unable"})


def retraction_target(
    request: AssistanceRequest,
    *,
    reply_from: Party,
    by: Party,
    step_action: str | None,
    step_from: RequestStatus | None,
    step_to: RequestStatus | None,
    latest: bool,
) -> RequestStatus | None:
    """The status `request` returns to when side `by` retracts a reply, or None when its status stays.

    Only the side that sent a reply retracts it (NotOwner). A reply of its own (progress, note) goes and the
    status stays. A result (the reply of a complete, refuse or report_unable step) goes with its step: the request
    stands again where it stood before it, open, so that the requested side may give the right result, and no
    statistic counts it closed. Only the request's latest step may be so undone; any other step's reply stays (the
    workflow's later steps were taken on it).
    """
    if reply_from is not by:
        raise NotOwner("reply", reply_from.value, by.value)
    if step_action is None:
        return None
    if step_action not in RESULT_ACTIONS or step_from is None:
        raise InvalidValue(
            "reply",
            step_action,
            "is part of a workflow step; only a result (complete, refuse, report_unable) is retracted",
        )
    if not latest or request.status is not step_to:
        raise InvalidValue(
            "reply", step_action, "the request moved on since this result; only its latest step is undone"
        )
    return step_from
