"""The request workflow: one state machine, the only way a request's status changes (Agreement Arts. 7, 8, 13–15).

Each step is a `Transition`: from which statuses, to which status, who may take it (a role on one side of the
request), what it must carry and which fields of the request it sets. `docs/workflow.md` is generated from
`TRANSITIONS` (straitlink.domain.transitions, re-exported here), so the documentation cannot drift from the rules
applied here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from straitlink.domain.errors import IllegalTransition, IncompleteRequest, InvalidValue, MissingField, NotPermitted
from straitlink.domain.parties import Party
from straitlink.domain.requests import CLOSED_STATUSES, AssistanceRequest, RequestForm, RequestStatus, Urgency

# The table, re-exported: the services, the store and the docs import it from here.
from straitlink.domain.transitions import BY_EDGE as BY_EDGE
from straitlink.domain.transitions import CONFIRMATION as CONFIRMATION
from straitlink.domain.transitions import FILING as FILING
from straitlink.domain.transitions import OPEN_STATUSES as OPEN_STATUSES
from straitlink.domain.transitions import PROOF_REQUIRED as PROOF_REQUIRED
from straitlink.domain.transitions import TEXT_NEEDS as TEXT_NEEDS
from straitlink.domain.transitions import TRANSITIONS as TRANSITIONS
from straitlink.domain.transitions import Action as Action
from straitlink.domain.transitions import Need as Need
from straitlink.domain.transitions import RefusalGround as RefusalGround
from straitlink.domain.transitions import Role as Role
from straitlink.domain.transitions import S as S
from straitlink.domain.transitions import Side as Side
from straitlink.domain.transitions import Transition as Transition
from straitlink.domain.transitions import Who as Who

# Art. 13¶2 lists what a request must contain; the list ends with 「等」, so these are the minimum.
REQUIRED_CONTENTS: tuple[str, ...] = ("requesting_agency", "purpose", "matters", "case_summary", "execution_needs")


@dataclass(frozen=True)
class Acting:
    """The side a user acts for and in which role (an executing agency names itself)."""

    party: Party
    role: Role
    agency: str | None = None


@dataclass(frozen=True)
class Actor:
    """The acting user, with the side and role they act in."""

    user: str
    party: Party
    role: Role
    agency: str | None = None

    @classmethod
    def of(cls, user: str, acting: Acting) -> Actor:
        return cls(user, acting.party, acting.role, acting.agency)


@dataclass(frozen=True)
class Payload:
    """What a step carries. The service resolves the executing agency's party from the catalogue."""

    on: date
    text: str | None = None
    ground: RefusalGround | None = None
    executing_agency: str | None = None
    executing_agency_party: Party | None = None
    documents: int = 0
    materials_returned: bool = False


@dataclass(frozen=True)
class Step:
    """What one step did, as the request's history keeps it."""

    action: Action
    source: RequestStatus | None
    target: RequestStatus
    on: date
    actor: Actor
    text: str | None = None
    ground: RefusalGround | None = None
    executing_agency: str | None = None


def allowed_targets(current: RequestStatus) -> list[RequestStatus]:
    """The statuses a request in `current` may move to, in the table's order."""
    return [t.target for t in TRANSITIONS if current in t.sources]


def transition_for(current: RequestStatus, target: RequestStatus) -> Transition:
    """The step from `current` to `target`, or IllegalTransition naming what may follow instead."""
    found = BY_EDGE.get((current, target))
    if found is None:
        raise IllegalTransition(current.value, target.value, [s.value for s in allowed_targets(current)])
    return found


def who_may(t: Transition, request: AssistanceRequest) -> list[tuple[Party, Role]]:
    """The (party, role) pairs that may take step `t` on this request."""
    return [(side.party(request), role) for role, side in t.who]


def _describe(pairs: list[tuple[Party, Role]]) -> str:
    return " or ".join(f"{party.value}/{role.value}" for party, role in pairs)


def check_actor(t: Transition, request: AssistanceRequest, actor: Actor) -> None:
    """Refuse an actor whose side or role may not take this step."""
    pairs = who_may(t, request)
    if (actor.party, actor.role) not in pairs:
        raise NotPermitted(
            "role",
            f"{actor.party.value}/{actor.role.value}",
            f"{t.action.value} this {request.direction.value} request; only {_describe(pairs)} may",
        )
    if actor.role is Role.EXECUTING_AGENCY and actor.agency != request.executing_agency:
        raise NotPermitted(
            "agency",
            actor.agency,
            f"act as the executing agency; the request is assigned to {request.executing_agency!r}",
        )


def _check_needs(t: Transition, request: AssistanceRequest, payload: Payload) -> None:
    for need in t.needs:
        if need in TEXT_NEEDS and not (payload.text or "").strip():
            raise MissingField("text", f"{t.action.value} needs a {need.value} ({t.article})")
        if need is Need.GROUND and payload.ground is None:
            allowed = "|".join(g.value for g in RefusalGround)
            raise MissingField("ground", f"{t.action.value} needs a ground of Art. 15: one of {allowed}")
        if need is Need.EXECUTING_AGENCY:
            if not payload.executing_agency:
                raise MissingField("executing_agency", f"{t.action.value} names the agency that will execute it")
            if payload.executing_agency_party not in (None, request.requested_party):
                raise InvalidValue(
                    "executing_agency",
                    payload.executing_agency,
                    f"an agency of {request.requested_party.value}, the requested side, executes the request",
                )
        if need is Need.PROOF and request.type in PROOF_REQUIRED and payload.documents < 1:
            article = PROOF_REQUIRED[request.type]
            raise MissingField("documents", f"completing a {request.type.value} request needs proof ({article})")
        if need is Need.MATERIALS_RETURNED and not payload.materials_returned:
            raise MissingField("materials_returned", f"{t.action.value} returns the materials ({t.article})")


def latest_date(request: AssistanceRequest) -> date:
    """The latest date the request itself records."""
    dates = (request.filed_on, request.sent_on, request.received_on, request.closed_on)
    return max(d for d in dates if d is not None)


def _check_date(payload: Payload, since: date, what: str) -> None:
    if payload.on < since:
        raise InvalidValue("on", payload.on.isoformat(), f"before {what} on {since.isoformat()}")


def apply(
    request: AssistanceRequest,
    target: RequestStatus,
    actor: Actor,
    payload: Payload,
    *,
    last_step_on: date | None = None,
) -> tuple[AssistanceRequest, Step]:
    """Take the step to `target`: the request as it becomes, and the step for its history."""
    t = transition_for(request.status, target)
    check_actor(t, request, actor)
    _check_needs(t, request, payload)
    since = max(latest_date(request), last_step_on or request.filed_on)
    _check_date(payload, since, "the previous step")
    changes: dict[str, object] = {"status": target}
    for name in t.sets:
        changes[name] = payload.executing_agency if name == "executing_agency" else payload.on
    step = Step(
        t.action,
        request.status,
        target,
        payload.on,
        actor,
        text=(payload.text or "").strip() or None,
        ground=payload.ground if Need.GROUND in t.needs else None,
        executing_agency=payload.executing_agency if Need.EXECUTING_AGENCY in t.needs else None,
    )
    return dataclasses.replace(request, **changes), step  # type: ignore[arg-type]


def missing_contents(request: AssistanceRequest) -> list[str]:
    """The Art. 13¶2 contents the request lacks."""
    return [name for name in REQUIRED_CONTENTS if not (getattr(request, name) or "").strip()]


def file(request: AssistanceRequest, actor: Actor) -> Step:
    """Check a new request (complete, in an allowed form, filed by its own side) and return its first step."""
    if request.status is not RequestStatus.FILED:
        raise InvalidValue("status", request.status.value, "a new request starts as 'filed'")
    check_actor(FILING, request, actor)
    missing = missing_contents(request)
    if missing:
        raise IncompleteRequest(missing)
    if request.form is RequestForm.OTHER and request.urgency is not Urgency.URGENT:
        raise InvalidValue("form", request.form.value, "only an urgent request may be made in another form (Art. 13¶1)")
    if request.confirmed_on is not None and request.form is RequestForm.WRITTEN:
        raise InvalidValue("confirmed_on", request.confirmed_on.isoformat(), "a written request needs no confirmation")
    for name in ("sent_on", "received_on", "closed_on", "executing_agency"):
        if getattr(request, name) is not None:
            raise InvalidValue(name, getattr(request, name), "set by a later step, not at filing")
    return Step(Action.FILE, None, RequestStatus.FILED, request.filed_on, actor)


def confirm_in_writing(request: AssistanceRequest, actor: Actor, on: date) -> tuple[AssistanceRequest, Step]:
    """Record the written confirmation of an urgent request first made in another form (Art. 13¶1)."""
    if request.form is not RequestForm.OTHER:
        raise InvalidValue("form", request.form.value, "only a request made in another form is confirmed in writing")
    if request.confirmed_on is not None:
        raise InvalidValue("confirmed_on", request.confirmed_on.isoformat(), "already confirmed in writing")
    if request.status in CLOSED_STATUSES:
        raise IllegalTransition(request.status.value, "confirmed in writing", [])
    check_actor(CONFIRMATION, request, actor)
    _check_date(Payload(on=on), request.sent_on or request.filed_on, "the request was made")
    step = Step(Action.CONFIRM_IN_WRITING, request.status, request.status, on, actor)
    return dataclasses.replace(request, confirmed_on=on), step


def default_acting(t: Transition, request: AssistanceRequest, party: Party, role: Role | None = None) -> Acting:
    """The role `party` takes step `t` in when the user names none (the table's first), or NotPermitted."""
    for allowed_role, side in t.who:
        if side.party(request) is party and role in (None, allowed_role):
            agency = request.executing_agency if allowed_role is Role.EXECUTING_AGENCY else None
            return Acting(party, allowed_role, agency)
    shown = party.value if role is None else f"{party.value}/{role.value}"
    raise NotPermitted(
        "party" if role is None else "role",
        shown,
        f"{t.action.value} this {request.direction.value} request; only {_describe(who_may(t, request))} may",
    )
