"""The request workflow's table: its roles and sides, actions and what each must carry, and every `Transition`
(Agreement Arts. 7, 8, 13–15). `docs/workflow.md` is generated from it; straitlink.domain.workflow applies it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from straitlink.domain.parties import Party
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import CLOSED_STATUSES, RequestFacts, RequestStatus

S = RequestStatus


class Role(StrEnum):
    """Who acts on a request; each role acts for one side of it."""

    REQUESTING_SIDE = "requesting_side"  # 請求方: the requesting department and its 主管部門
    REQUESTED_SIDE = "requested_side"  # 受請求方: the requested side's 主管部門
    CONTACT_POINT = "contact_point"  # 聯絡人 (Art. 3): the only channel requests travel through
    EXECUTING_AGENCY = "executing_agency"  # the requested side's agency the request is assigned to


class Side(StrEnum):
    REQUESTING = "requesting"
    REQUESTED = "requested"

    def party(self, request: RequestFacts) -> Party:
        return request.requesting_party if self is Side.REQUESTING else request.requested_party


class Action(StrEnum):
    FILE = "file"
    SEND = "send"
    RECEIVE = "receive"
    REQUEST_INFO = "request_info"
    SUPPLEMENT = "supplement"
    ASSIGN = "assign"
    START = "start"
    POSTPONE = "postpone"
    RESUME = "resume"
    COMPLETE = "complete"
    REFUSE = "refuse"
    REPORT_UNABLE = "report_unable"
    WITHDRAW = "withdraw"
    CONFIRM_IN_WRITING = "confirm_in_writing"


class Need(StrEnum):
    """What a step must carry; the four text needs are all given as the step's `text`."""

    REASON = "reason"
    EXPLANATION = "explanation"
    RESULT = "result"
    SUPPLEMENT = "supplement"
    GROUND = "ground"
    EXECUTING_AGENCY = "executing_agency"
    PROOF = "proof"
    MATERIALS_RETURNED = "materials_returned"


TEXT_NEEDS = frozenset({Need.REASON, Need.EXPLANATION, Need.RESULT, Need.SUPPLEMENT})


class RefusalGround(StrEnum):
    """Art. 15: 請求內容不符合己方規定, 損害己方公共秩序或善良風俗, 等情形 (the list is not exhaustive)."""

    NOT_CONFORMING = "not_conforming"
    PUBLIC_ORDER = "public_order"
    OTHER = "other"


# Art. 7¶3 (proof that service was or was not made) and Art. 8¶3 (the evidence obtained) name what a completed
# request of these types hands back; for other types the Agreement names no document.
PROOF_REQUIRED: dict[RequestType, str] = {
    RequestType.DOCUMENT_SERVICE: "Art. 7¶3",
    RequestType.EVIDENCE_COLLECTION: "Art. 8¶3",
}

Who = tuple[tuple[Role, Side], ...]
_REQUESTED_WORK: Who = ((Role.EXECUTING_AGENCY, Side.REQUESTED), (Role.REQUESTED_SIDE, Side.REQUESTED))
_REQUESTED_DESK: Who = ((Role.REQUESTED_SIDE, Side.REQUESTED), (Role.CONTACT_POINT, Side.REQUESTED))
_REQUESTING_DESK: Who = ((Role.REQUESTING_SIDE, Side.REQUESTING), (Role.CONTACT_POINT, Side.REQUESTING))
OPEN_STATUSES = tuple(s for s in RequestStatus if s not in CLOSED_STATUSES)


@dataclass(frozen=True)
class Transition:
    """One step of the state machine."""

    action: Action
    sources: tuple[RequestStatus, ...]
    target: RequestStatus
    who: Who
    needs: tuple[Need, ...]
    sets: tuple[str, ...]
    article: str
    summary: str


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        Action.SEND,
        (S.FILED,),
        S.SENT,
        ((Role.CONTACT_POINT, Side.REQUESTING),),
        (),
        ("sent_on",),
        "Art. 3; Art. 13¶1",
        "The requesting side's contact point sends the request to the other side's contact point.",
    ),
    Transition(
        Action.RECEIVE,
        (S.SENT,),
        S.RECEIVED,
        ((Role.CONTACT_POINT, Side.REQUESTED),),
        (),
        ("received_on",),
        "Art. 3; Art. 7¶2",
        "The requested side's contact point receives it; time limits counted from receipt start here.",
    ),
    Transition(
        Action.REQUEST_INFO,
        (S.RECEIVED,),
        S.INFO_REQUESTED,
        _REQUESTED_DESK,
        (Need.REASON,),
        (),
        "Art. 13¶3",
        "The request is too deficient to execute: the requested side asks for more information.",
    ),
    Transition(
        Action.SUPPLEMENT,
        (S.INFO_REQUESTED,),
        S.RECEIVED,
        _REQUESTING_DESK,
        (Need.SUPPLEMENT,),
        (),
        "Art. 13¶3",
        "The requesting side supplies the information asked for.",
    ),
    Transition(
        Action.ASSIGN,
        (S.RECEIVED,),
        S.ASSIGNED,
        _REQUESTED_DESK,
        (Need.EXECUTING_AGENCY,),
        ("executing_agency",),
        "Art. 14¶1",
        "The requested side assigns the request to one of its agencies to execute.",
    ),
    Transition(
        Action.START,
        (S.ASSIGNED,),
        S.IN_EXECUTION,
        ((Role.EXECUTING_AGENCY, Side.REQUESTED),),
        (),
        (),
        "Art. 14¶1",
        "The executing agency starts work.",
    ),
    Transition(
        Action.POSTPONE,
        (S.IN_EXECUTION,),
        S.POSTPONED,
        _REQUESTED_WORK,
        (Need.REASON,),
        (),
        "Art. 14¶2",
        "Execution would hinder an investigation, prosecution or trial under way: postponed, with the reason.",
    ),
    Transition(
        Action.RESUME,
        (S.POSTPONED,),
        S.IN_EXECUTION,
        _REQUESTED_WORK,
        (),
        (),
        "Art. 14¶2",
        "The postponement ends and execution resumes.",
    ),
    Transition(
        Action.COMPLETE,
        (S.IN_EXECUTION,),
        S.COMPLETED,
        _REQUESTED_WORK,
        (Need.RESULT, Need.PROOF),
        ("closed_on",),
        "Art. 7¶3; Art. 8¶3; Art. 14¶1",
        "Executed: the result is reported, with proof of service or the evidence where the type requires it.",
    ),
    Transition(
        Action.REFUSE,
        (S.RECEIVED, S.INFO_REQUESTED, S.ASSIGNED, S.IN_EXECUTION, S.POSTPONED),
        S.REFUSED,
        ((Role.REQUESTED_SIDE, Side.REQUESTED),),
        (Need.GROUND, Need.EXPLANATION),
        ("closed_on",),
        "Art. 15",
        "The requested side refuses on a ground of Art. 15 and explains why.",
    ),
    Transition(
        Action.REPORT_UNABLE,
        (S.ASSIGNED, S.IN_EXECUTION, S.POSTPONED),
        S.UNABLE,
        _REQUESTED_WORK,
        (Need.REASON, Need.MATERIALS_RETURNED),
        ("closed_on",),
        "Art. 14¶3; Art. 7¶3",
        "The request cannot be completed: the requested side explains and returns the materials.",
    ),
    Transition(
        Action.WITHDRAW,
        OPEN_STATUSES,
        S.WITHDRAWN,
        ((Role.REQUESTING_SIDE, Side.REQUESTING),),
        (Need.REASON,),
        ("closed_on",),
        "— (not in the Agreement)",
        "The requesting side withdraws its request.",
    ),
)

# Filing and the written confirmation are steps too, but they create a request or leave its status as it is.
FILING = Transition(
    Action.FILE,
    (),
    S.FILED,
    ((Role.REQUESTING_SIDE, Side.REQUESTING),),
    (),
    ("filed_on",),
    "Art. 13¶1–2",
    "The requesting side files a request carrying what Art. 13¶2 requires.",
)
CONFIRMATION = Transition(
    Action.CONFIRM_IN_WRITING,
    OPEN_STATUSES,
    S.FILED,  # unused: the status stays as it is
    _REQUESTING_DESK,
    (),
    ("confirmed_on",),
    "Art. 13¶1",
    "An urgent request first made in another form is confirmed in writing (within ten days).",
)

BY_EDGE: dict[tuple[RequestStatus, RequestStatus], Transition] = {
    (source, t.target): t for t in TRANSITIONS for source in t.sources
}
