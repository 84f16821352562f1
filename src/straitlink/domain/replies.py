"""What one side may tell the other about a request, and when: the request-level rules of replies and steps."""

from __future__ import annotations

from datetime import date

from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.requests import AssistanceRequest, RequestStatus

REPLY_KINDS = ("progress", "note")  # Art. 14¶1 progress reports; anything else one side tells the other


def step_day(on: date | None, today: date) -> date:
    """The day a step or reply happened: today when not given, and never after today."""
    if on is None:
        return today
    if on > today:
        raise InvalidValue("on", on.isoformat(), f"after today ({today.isoformat()})")
    return on


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
