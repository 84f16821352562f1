"""The demo requests' workflow: the steps each request's status and dates imply, its replies and its documents.

Every demo request gets the steps the state machine (straitlink.domain.workflow) takes from filing to the status it
holds, in order: file, send, receive, assign, start, then complete, report_unable, refuse or withdraw, dated with the
dates the request holds (filed_on, sent_on, received_on, closed_on). The steps it does not date (assign, start, and
now and then a request for information or a postponement) fall between those, a few days apart, never after the
request closed nor after the last day any demo request records. Each step is taken by the side and role the
machine names, as the user `straitlink-demo`. A step that must carry a text (a result, a reason, an explanation)
carries a short one. Completing a service of documents or an evidence collection must hand over proof (Art. 7¶3,
Art. 8¶3): that step comes with a reply holding one document, a shared PDF per kind named after the request. A few
requests of each kind also carry a progress report (Art. 14¶1) with a small text document of their own.

Nothing here touches the database: the rows are built here and stored by straitlink.demo.history_store.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from straitlink.catalog.liaison import contact_point_for
from straitlink.demo import texts
from straitlink.domain.errors import UnknownReference
from straitlink.domain.parties import Party
from straitlink.domain.records import ID_NAMESPACE
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import AssistanceRequest, RequestStatus
from straitlink.domain.workflow import FILING, PROOF_REQUIRED, TRANSITIONS, Action, RefusalGround, Role, latest_date
from straitlink.services.documents import CheckedFile, sniff

ACTOR = "straitlink-demo"
S = RequestStatus
# How often a request takes a detour the Agreement provides for: more information asked (Art. 13¶3), execution
# postponed (Art. 14¶2). Rare, as in practice; present, so that the demo shows them.
INFO_SHARE = 0.03
POSTPONE_SHARE = 0.02
# The longest gap, in days, before each undated step: assignment and start follow receipt within days.
GAPS = {
    Action.REQUEST_INFO: 5,
    Action.SUPPLEMENT: 14,
    Action.ASSIGN: 7,
    Action.START: 3,
    Action.POSTPONE: 30,
    Action.RESUME: 60,
}
SHOWCASE_PER_TYPE = 3  # requests of each kind that also carry a progress report with a document
_TARGET = {t.action: t.target for t in (FILING, *TRANSITIONS)}  # where each step leads, as the state machine says
_VALUE: dict[StrEnum, str] = {m: m.value for e in (Action, Party, Role, RequestStatus, RefusalGround) for m in e}
_NAMESPACE = ID_NAMESPACE.bytes


def _stable_id(*key: str) -> str:
    """`stable_id(*key)`, computed without building a UUID object (a third of the history's time otherwise)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE + "/".join(key).encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass
class DemoWorkflow:
    """Rows for request_transition, request_reply, request_document and stored_file, ready to insert."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, CheckedFile] = field(default_factory=dict)  # by sha256
    steps_of: dict[str, int] = field(default_factory=dict)  # request id -> how many steps its history holds


@dataclass(frozen=True)
class _Step:
    action: Action
    on: date
    party: Party
    role: Role
    agency: str | None = None
    text: str | None = None
    ground: RefusalGround | None = None
    proof: bool = False


def checked_file(filename: str, content: bytes) -> CheckedFile:
    """The file as the file store checks an upload: hash, size and the type its content shows."""
    media_type = sniff(content)
    if media_type is None:
        raise ValueError(f"{filename}: not a type the file store accepts")
    return CheckedFile(filename, hashlib.sha256(content).hexdigest(), len(content), media_type, content)


def build_workflow(
    requests: Sequence[AssistanceRequest],
    *,
    seed: int,
    first_step_id: int,
    party: Party,
    recorded_at: str,
    as_of: date | None = None,
) -> DemoWorkflow:
    """The history, replies and documents of `requests`; history rows are numbered from `first_step_id`.

    `party` is this instance's side: documents from the other side carry the request's purpose, the only one they
    may be used for (Art. 17). `as_of` (by default the latest date any of the requests records) bounds the steps
    of requests still open.
    """
    out = DemoWorkflow()
    if not requests:
        return out
    as_of = as_of or max(latest_date(r) for r in requests)
    rng = random.Random(f"{seed}:workflow")
    points = _contact_points()
    proofs = {t: checked_file(f"{name}.pdf", texts.proof_pdf(t)) for t, (name, _) in texts.PROOF_TITLE.items()}
    next_id = first_step_id
    plans = [_plan(r, rng, as_of, points) for r in requests]
    showcase = _showcase(requests, rng)
    value = _VALUE  # enum values looked up once: a member's .value costs a descriptor call, 1.4 million times here
    for r, plan in zip(requests, plans, strict=True):
        status: str | None = None
        for n, step in enumerate(plan):
            target = value[_TARGET[step.action]]
            out.steps.append(
                {
                    "id": next_id,
                    "request_id": r.id,
                    "action": value[step.action],
                    "from_status": status,
                    "to_status": target,
                    "occurred_on": step.on,
                    "actor": ACTOR,
                    "acting_party": value[step.party],
                    "acting_role": value[step.role],
                    "acting_agency": step.agency,
                    "ground": value[step.ground] if step.ground else None,
                    "text": step.text,
                    "executing_agency": r.executing_agency if step.action is Action.ASSIGN else None,
                    "recorded_at": recorded_at,
                }
            )
            if step.proof:
                # A document belongs to a reply: the step hands its proof over in one, as the request use cases do.
                # A step's text alone stays in the history (a reply for each would double 15,000 texts).
                reply_id = _reply(out, r, str(n), value[step.action], step, next_id, recorded_at)
                name, _ = texts.PROOF_TITLE[r.type]
                filename = f"{name}-{r.requesting_ref or r.id}.pdf"
                _document(out, r, reply_id, proofs[r.type], filename, step.party, party)
            status = target
            next_id += 1
        out.steps_of[r.id] = len(plan)
        if r.id in showcase:
            _progress_report(out, r, rng, as_of, party, recorded_at)
    return out


def _contact_points() -> dict[tuple[Party, RequestType], str | None]:
    """Each side's contact point agency by kind of request (None where none is designated)."""
    out: dict[tuple[Party, RequestType], str | None] = {}
    for p in Party:
        for t in RequestType:
            try:
                out[(p, t)] = contact_point_for(p, t).agency
            except UnknownReference:
                out[(p, t)] = None
    return out


def _plan(
    r: AssistanceRequest, rng: random.Random, as_of: date, points: dict[tuple[Party, RequestType], str | None]
) -> list[_Step]:
    """The steps from filing to the request's status, each allowed by the state machine after the one before."""
    asking, asked = r.requesting_party, r.requested_party
    steps = [_Step(Action.FILE, r.filed_on, asking, Role.REQUESTING_SIDE, r.requesting_agency)]
    if r.sent_on is None:
        return _ending(r, steps, S.FILED)
    steps.append(_Step(Action.SEND, r.sent_on, asking, Role.CONTACT_POINT, points[(asking, r.type)]))
    if r.received_on is None:
        return _ending(r, steps, S.SENT)
    steps.append(_Step(Action.RECEIVE, r.received_on, asked, Role.CONTACT_POINT, points[(asked, r.type)]))
    if r.status in (S.FILED, S.SENT):
        raise ValueError(f"demo request {r.id} is {r.status.value} but was received on {r.received_on}")
    limit = r.closed_on or as_of
    day = r.received_on

    def later(action: Action) -> date:
        nonlocal day
        day = day + timedelta(rng.randint(0, max(0, min(GAPS.get(action, 0), (limit - day).days))))
        return day

    def say(action: Action, party: Party) -> str:
        return texts.pick(texts.STEP_TEXT[action], party)

    if r.status is S.INFO_REQUESTED or rng.random() < INFO_SHARE:
        reason = say(Action.REQUEST_INFO, asked)
        steps.append(_Step(Action.REQUEST_INFO, later(Action.REQUEST_INFO), asked, Role.CONTACT_POINT, None, reason))
        if r.status is S.INFO_REQUESTED:
            return steps
        supplied = say(Action.SUPPLEMENT, asking)
        steps.append(_Step(Action.SUPPLEMENT, later(Action.SUPPLEMENT), asking, Role.CONTACT_POINT, None, supplied))
    if r.status is S.REFUSED and r.executing_agency is None:
        return [*steps, _refusal(r, rng)]
    if r.executing_agency is None:
        raise ValueError(f"demo request {r.id} is {r.status.value} but names no executing agency to assign")
    steps.append(_Step(Action.ASSIGN, later(Action.ASSIGN), asked, Role.REQUESTED_SIDE))
    if r.status is S.ASSIGNED:
        return steps
    if r.status in (S.REFUSED, S.WITHDRAWN) and rng.random() < 0.5:  # half end before the work starts
        return [*steps, _refusal(r, rng) if r.status is S.REFUSED else _withdrawal(r)]
    executing = r.executing_agency
    steps.append(_Step(Action.START, later(Action.START), asked, Role.EXECUTING_AGENCY, executing))
    if r.status is S.POSTPONED or rng.random() < POSTPONE_SHARE:
        reason = say(Action.POSTPONE, asked)
        steps.append(_Step(Action.POSTPONE, later(Action.POSTPONE), asked, Role.EXECUTING_AGENCY, executing, reason))
        if r.status is S.POSTPONED:
            return steps
        steps.append(_Step(Action.RESUME, later(Action.RESUME), asked, Role.EXECUTING_AGENCY, executing))
    if r.status is S.IN_EXECUTION:
        return steps
    assert r.closed_on is not None  # a closed request
    if r.status is S.COMPLETED:
        result = texts.pick(texts.RESULT.get(r.type, texts.GENERIC), asked)
        proof = r.type in PROOF_REQUIRED
        steps.append(_Step(Action.COMPLETE, r.closed_on, asked, Role.EXECUTING_AGENCY, executing, result, proof=proof))
    elif r.status is S.UNABLE:
        reason = say(Action.REPORT_UNABLE, asked)
        steps.append(_Step(Action.REPORT_UNABLE, r.closed_on, asked, Role.EXECUTING_AGENCY, executing, reason))
    elif r.status is S.REFUSED:
        steps.append(_refusal(r, rng))
    else:
        steps.append(_withdrawal(r))
    return steps


def _ending(r: AssistanceRequest, steps: list[_Step], reached: RequestStatus) -> list[_Step]:
    if r.status is not reached:
        raise ValueError(f"demo request {r.id} is {r.status.value} but its dates end at {reached.value}")
    return steps


def _refusal(r: AssistanceRequest, rng: random.Random) -> _Step:
    assert r.closed_on is not None
    ground = rng.choice(tuple(RefusalGround))
    text = texts.pick(texts.REFUSAL[ground], r.requested_party)
    return _Step(Action.REFUSE, r.closed_on, r.requested_party, Role.REQUESTED_SIDE, None, text, ground)


def _withdrawal(r: AssistanceRequest) -> _Step:
    assert r.closed_on is not None
    text = texts.pick(texts.STEP_TEXT[Action.WITHDRAW], r.requesting_party)
    return _Step(Action.WITHDRAW, r.closed_on, r.requesting_party, Role.REQUESTING_SIDE, r.requesting_agency, text)


def _reply(
    out: DemoWorkflow, r: AssistanceRequest, key: str, kind: str, step: _Step, step_id: int | None, at: str
) -> str:
    reply_id = _stable_id("synthetic", "reply", r.id, key)
    out.replies.append(
        {
            "id": reply_id,
            "request_id": r.id,
            "transition_id": step_id,
            "kind": kind,
            "from_party": _VALUE[step.party],
            "text": step.text,
            "sent_on": step.on,
            "actor": ACTOR,
            "recorded_at": at,
        }
    )
    return reply_id


def _document(
    out: DemoWorkflow,
    r: AssistanceRequest,
    reply_id: str,
    file: CheckedFile,
    filename: str,
    from_party: Party,
    party: Party,
) -> None:
    out.files.setdefault(file.sha256, file)
    out.documents.append(
        {
            "id": _stable_id("synthetic", "request-document", reply_id),
            "request_id": r.id,
            "reply_id": reply_id,
            "sha256": file.sha256,
            "filename": filename,
            "from_party": _VALUE[from_party],
            # Art. 17: what the other side supplies may be used only for the purpose the request states.
            "purpose": r.purpose if from_party is not party else None,
        }
    )


def _showcase(requests: Sequence[AssistanceRequest], rng: random.Random) -> set[str]:
    """A few received requests of each kind, chosen at random, that also carry a progress report."""
    by_type: dict[RequestType, list[str]] = {}
    for r in requests:
        if r.received_on is not None and r.status is not S.REFUSED:
            by_type.setdefault(r.type, []).append(r.id)
    chosen: set[str] = set()
    for t in sorted(by_type):
        ids = by_type[t]
        chosen.update(rng.sample(ids, min(SHOWCASE_PER_TYPE, len(ids))))
    return chosen


def _progress_report(
    out: DemoWorkflow,
    r: AssistanceRequest,
    rng: random.Random,
    as_of: date,
    party: Party,
    at: str,
) -> None:
    """An Art. 14¶1 progress report from the requested side while it works, with a small document."""
    assert r.received_on is not None
    until = r.closed_on or as_of
    on = r.received_on + timedelta(rng.randint(0, (until - r.received_on).days))
    text = texts.pick(texts.PROGRESS, r.requested_party)
    # Not a step of the machine: a reply of kind `progress`, as `straitlink request reply` records one.
    report = _Step(Action.START, on, r.requested_party, Role.EXECUTING_AGENCY, text=text)
    reply_id = _reply(out, r, "progress", "progress", report, None, at)
    content = texts.progress_document(r.requested_party, r.requesting_ref or r.id, r.subject)
    file = checked_file(f"progress-{r.requesting_ref or r.id}.txt", content)
    _document(out, r, reply_id, file, file.filename, r.requested_party, party)
