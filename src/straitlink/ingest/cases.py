"""Who did what: the case a sentence's seizures (or arrests) belong to, its operation, and the agencies' roles.

An office whose prosecutor directs (「高雄地檢署檢察官指揮」) directs; any other agency that 指揮 (「大陸公安部指揮之
廣東省公安廳禁毒局」) leads; an intel provider is one; everyone else named takes part. The case is joint when
both sides' agencies are named, when a cross-strait word is written (兩岸, 陸方, 循線), when intel crossed, or when
the paragraph, the list or the headline it stands under says so.
"""

from __future__ import annotations

import re
from typing import Any

from straitlink.domain.cases import AgencyRole, CaseKind, Conveyance
from straitlink.domain.parties import AgencyKind
from straitlink.domain.quantity import Unit
from straitlink.ingest.gazetteer import Gazetteer
from straitlink.ingest.intel import Handover
from straitlink.ingest.numbers import as_json
from straitlink.ingest.proposals import Proposal, proposal_id
from straitlink.ingest.sentences import ARREST, CROSS, DIRECTS, DocState, Sentence, agency_mentions, places_at

_DIRECTING = re.compile("指挥")
_OPERATION = re.compile(
    r"(?:展开|进行|发动|执行|实施|开展|启动|部署)(?P<name>[^,，。；;:：、()（）]{2,24}?(?:行动|专案))"
    r"|「(?P<qname>[^」]{2,24}?(?:行动|专案))」"
)
_PERSONNEL = re.compile(r"(?:警力|警员|民警|警察|干警|执法人员)")
_CONVEYANCE = (
    (re.compile(r"货轮|货船|货柜轮"), Conveyance.SEA_CARGO),
    (re.compile(r"渔船"), Conveyance.FISHING_BOAT),
    (re.compile(r"航空货运|空运|航空货物|空运货"), Conveyance.AIR_CARGO),
    (re.compile(r"邮包|包裹|国际邮件"), Conveyance.POSTAL),
    (re.compile(r"快递"), Conveyance.COURIER),
    (re.compile(r"货柜|集装箱"), Conveyance.CONTAINER),
)


def roles(s: Sentence, gazetteer: Gazetteer, handovers: list[Handover]) -> list[dict[str, str]]:
    """Every agency the sentence names, once, with its role in the case."""
    found: list[dict[str, str]] = []
    providers = [h.agency for h in handovers if h.agency]
    for m in agency_mentions(s):
        if DIRECTS.match(s.at(m.end, m.end + 8)):
            prosecutors = gazetteer.agency_kind(m.id) is AgencyKind.PROSECUTORS_OFFICE
            role = AgencyRole.DIRECTING if prosecutors else AgencyRole.LEADING
        elif m.id in providers:
            role = AgencyRole.INTEL_PROVIDER
        else:
            role = AgencyRole.PARTICIPATING
        if all(r["agency"] != m.id for r in found):
            found.append({"agency": m.id, "role": role.value})
    for agency in providers:
        if all(r["agency"] != agency for r in found):
            found.append({"agency": agency, "role": AgencyRole.INTEL_PROVIDER.value})
    return found


def note_directing(s: Sentence, gazetteer: Gazetteer, state: DocState) -> None:
    """Remember a prosecutors' office directing an investigation told before any seizure (for the next case)."""
    for m in agency_mentions(s):
        if DIRECTS.match(s.at(m.end, m.end + 8)) and gazetteer.agency_kind(m.id) is AgencyKind.PROSECUTORS_OFFICE:
            state.pending_directing = m.id


def _joint(s: Sentence, state: DocState, handovers: list[Handover]) -> bool:
    parties = {m.party for m in agency_mentions(s) if m.party} | {h.party for h in handovers if h.party}
    return s.has(CROSS) or len(parties) == 2 or bool(handovers) or state.joint_context(s) or state.doc_joint


def case(
    s: Sentence,
    gazetteer: Gazetteer,
    state: DocState,
    key: str,
    seizures: list[Proposal],
    handovers: list[Handover],
) -> Proposal:
    """The case a sentence's seizures belong to; opened on the date its directing is written with."""
    found = roles(s, gazetteer, handovers)
    if state.pending_directing is not None and all(r["role"] != AgencyRole.DIRECTING.value for r in found):
        # 「刑事局隨即報請桃園地檢署檢察官指揮偵辦」 told before the seizure: that office directs this case.
        found = [r for r in found if r["agency"] != state.pending_directing]
        found.insert(0, {"agency": state.pending_directing, "role": AgencyRole.DIRECTING.value})
    state.pending_directing = None
    directing = s.find(_DIRECTING)
    opened = s.date_before(directing[0].start()) if directing else None
    places: list[str] = []
    for p in seizures:
        if p.fields["place"] and p.fields["place"] not in places:
            places.append(p.fields["place"])
    title = state.case_names.pop(s.vessels[0].name, None) if s.vessels else None
    fields = {
        "title": (title or seizures[-1].fields["description"])[:80],
        "kind": CaseKind.DRUGS.value,
        "joint": _joint(s, state, handovers),
        "opened_on": opened.date.to_json() if opened is not None and opened.date else seizures[0].fields["date"],
        "summary": None,
        "agencies": found,
        "places": places,
    }
    unresolved = [] if found else ["agencies: the text names no agency for this case"]
    return Proposal("case", key, fields, s.span(), 0.85 if found else 0.7, unresolved)


def _personnel(s: Sentence) -> tuple[dict[str, str] | None, str | None]:
    """Personnel deployed (「大陸先後動員500餘名警力」): a quantity of persons and the side they came from."""
    for q in s.quantities:
        if q.unit is Unit.PERSON and _PERSONNEL.match(s.block.text, q.end):
            party = s.party_word(max(s.start, q.start - 8), q.start)
            if party is None:
                before = [x for x in s.kinds("place") if q.start - 8 <= x.start < q.start and x.party]
                party = before[-1].party if before else None
            return as_json(q, Unit.PERSON), party.value if party else None
    return None, None


def operation(s: Sentence, case_key: str, the_case: Proposal | None) -> Proposal | None:
    """The operation the sentence names (「首次兩岸海上聯合查緝行動」), or the boarding of a named ship."""
    m = next(iter(s.find(_OPERATION)), None)
    if m is None and not s.vessels:
        return None
    if m is not None:
        name = s.clean(*m.span("name" if m["name"] else "qname"))
    else:
        name = "查獲" + s.clean(*s.vessels[0].name_at)
    when = s.date_before(m.start() if m else s.vessels[0].start)  # the boarding of a ship: the date written before
    personnel, personnel_party = _personnel(s)
    vessels = [
        {
            "name": s.clean(*v.name_at),
            "flag_state": s.clean(*v.flag_at) if v.flag_at else None,
            "kind": s.clean(*v.kind_at) if v.kind_at else None,
        }
        for v in s.vessels
    ]
    fields: dict[str, Any] = {
        "case": proposal_id("case", case_key),
        "name": name,
        "date": when.date.to_json() if when and when.date else None,
        "agencies": the_case.fields["agencies"] if the_case else [],
        "places": the_case.fields["places"] if the_case else [],
        "personnel": personnel,
        "personnel_party": personnel_party,
        "vessels": vessels,
        "containers": [],
        "conveyance": next((c.value for pattern, c in _CONVEYANCE if s.has(pattern)), None),
        "concealment": None,
    }
    unresolved = [] if fields["date"] else ["date: the text gives no date for this operation"]
    span = s.span(m.start(), m.end()) if m else s.span(s.vessels[0].start, s.vessels[0].end)
    return Proposal("operation", "operation|" + case_key, fields, span, 0.8, unresolved)


def arrest(
    s: Sentence, gazetteer: Gazetteer, state: DocState, count: int, caught: bool, year: int | None
) -> list[Proposal]:
    """Suspects arrested without a seizure in the same sentence (「抓獲犯罪嫌疑人500餘名」), and their case."""
    verb = s.find(ARREST)[0].start()
    when = s.date_before(verb)
    places = places_at(s, gazetteer, verb)
    date_json = when.date.to_json() if when and when.date else None
    key = f"arrest|{count}|{date_json['iso'][:4] if date_json else year}"
    the_case = Proposal(
        "case",
        "case|" + key,
        {
            "title": s.clean(s.start, s.end).rstrip("。；;")[:80],
            "kind": s.crime_kind(),
            "joint": _joint(s, state, []),
            "opened_on": date_json,
            "summary": None,
            "agencies": roles(s, gazetteer, []),
            "places": places,
        },
        s.span(),
        0.7,
    )
    fields = {
        "case": the_case.id,
        "count": count,
        "caught_in_act": caught,
        "date": date_json,
        "place": places[-1] if places else None,
    }
    unresolved = [] if date_json else ["date: the text gives no date for this arrest"]
    return [the_case, Proposal("arrest", key, fields, s.span(), 0.75, unresolved)]
