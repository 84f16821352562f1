"""A small hand-built world for the statistics tests: every record placed to test one rule of the definitions.

Period under test: 2013-01-01 … 2013-12-31. Comments say what each record is there to prove.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from straitlink.domain.cases import AgencyParticipation, AgencyRole, Case, CaseKind, Operation, Person, PersonRole
from straitlink.domain.dates import PartialDate
from straitlink.domain.figures import PublishedFigure, SourceDocument
from straitlink.domain.intel import IntelReport, Outcome
from straitlink.domain.meetings import Meeting, MeetingKind
from straitlink.domain.parties import Party
from straitlink.domain.provenance import Provenance
from straitlink.domain.quantity import Qualifier, Quantity, Unit
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import AssistanceRequest, RequestStatus
from straitlink.domain.seizures import Seizure
from straitlink.store import mapping
from straitlink.store.uow import UnitOfWork

START, END = date(2013, 1, 1), date(2013, 12, 31)
DOC = "doc-world"
SYN = Provenance.synthetic("test-world")


def _prov(quote: str) -> Provenance:
    return Provenance.from_document(DOC, (0, len(quote)), quote)


def _d(text: str) -> PartialDate:
    return PartialDate.parse(text)


def _q(text: str) -> Quantity:
    return Quantity.parse(text)


def _request(
    rid: str,
    party: Party,
    kind: RequestType,
    filed: str,
    status: RequestStatus,
    received: str | None = None,
    closed: str | None = None,
    *,
    synthetic: bool = False,
) -> AssistanceRequest:
    return AssistanceRequest(
        id=rid,
        provenance=SYN if synthetic else _prov(rid),
        requesting_party=party,
        type=kind,
        subject=f"request {rid}",
        status=status,
        filed_on=date.fromisoformat(filed),
        received_on=date.fromisoformat(received) if received else None,
        closed_on=date.fromisoformat(closed) if closed else None,
    )


DOCS, EVID, DONE = RequestType.DOCUMENT_SERVICE, RequestType.EVIDENCE_COLLECTION, RequestStatus.COMPLETED
REQUESTS = [
    # completed in 10 days
    _request("r1", Party.TW, DOCS, "2013-01-10", DONE, "2013-01-12", "2013-01-22"),
    # completed in 4 days
    _request("r2", Party.TW, EVID, "2013-02-01", DONE, "2013-02-03", "2013-02-07"),
    # still open
    _request("r3", Party.CN, DOCS, "2013-03-01", RequestStatus.IN_EXECUTION, "2013-03-02"),
    # synthetic, completed in 1 day
    _request("r4", Party.CN, RequestType.REPATRIATION, "2013-03-05", DONE, "2013-03-06", "2013-03-07", synthetic=True),
    # filed the day before the period: not counted
    _request("r5", Party.TW, DOCS, "2012-12-31", DONE, "2013-01-02", "2013-01-03"),
    # filed on the period's last day, refused: closed but not completed
    _request("r6", Party.CN, RequestType.NOTIFICATION, "2013-12-31", RequestStatus.REFUSED, "2013-12-31", "2014-01-05"),
]


def _case(
    cid: str,
    kind: CaseKind,
    joint: bool,
    when: str,
    agencies: list[tuple[str, AgencyRole]],
    places: list[str],
    *,
    synthetic: bool = False,
) -> Case:
    return Case(
        id=cid,
        provenance=SYN if synthetic else _prov(cid),
        title=f"case {cid}",
        kind=kind,
        joint=joint,
        opened_on=_d(when),
        agencies=[AgencyParticipation(a, r) for a, r in agencies],
        places=places,
    )


D, P, L = AgencyRole.DIRECTING, AgencyRole.PARTICIPATING, AgencyRole.LEADING
CASES = [
    _case(
        "A",
        CaseKind.DRUGS,
        True,
        "2013-09-27",
        [("kaohsiung-district-prosecutors", D), ("coast-guard", P), ("mjib-south-mobile", P), ("gd-narcotics", L)],
        ["kaohsiung"],
    ),
    _case(
        "B",
        CaseKind.DRUGS,
        True,
        "2013-11-17",
        [("kaohsiung-district-prosecutors", D), ("cib-3rd-brigade", P)],
        ["taoyuan-airport"],
    ),
    # dated by month part: 102年12月底 starts on 2013-12-21, inside the period
    _case(
        "C",
        CaseKind.DRUGS,
        True,
        "102年12月底",
        [("kaohsiung-district-prosecutors", D), ("mjib-kaohsiung", P)],
        ["kaohsiung"],
    ),
    # joint but not drugs: counts as joint, not as joint drug; its suspects are not drug suspects
    _case("D", CaseKind.FRAUD, True, "2013-05-01", [("cib", P)], ["taipei"]),
    # drugs but not joint: nothing of it counts in drug figures
    _case("E", CaseKind.DRUGS, False, "2013-06-01", [("cib", P)], ["taipei"]),
    # joint drug case dated before the period: its seizure dated inside still counts (seizures by their date)
    _case("F", CaseKind.DRUGS, True, "2012-12-15", [("coast-guard", P)], ["kinmen"]),
    # synthetic joint drug case
    _case("G", CaseKind.DRUGS, True, "2013-07-01", [("coast-guard", P)], ["penghu"], synthetic=True),
    # the other side's cases that intel led to (not joint)
    _case("H", CaseKind.DRUGS, False, "102年5月底", [("fj-narcotics-corps", L)], ["quanzhou"]),
    _case("J", CaseKind.DRUGS, False, "2013-08-07", [("fj-narcotics-corps", L)], ["dongshan"]),
]


def _persons(case: str, n: int, caught: int, role: PersonRole = PersonRole.SUSPECT) -> list[Person]:
    return [
        Person(
            id=f"{case}-{role.value}-{i}",
            provenance=SYN if case == "G" else _prov(case),
            case=case,
            role=role,
            caught_in_act=i < caught,
        )
        for i in range(n)
    ]


PERSONS = [
    *_persons("A", 3, 1),
    *_persons("A", 1, 0, PersonRole.WITNESS),  # a witness is not a suspect
    *_persons("B", 2, 2),
    *_persons("C", 4, 4),
    *_persons("D", 10, 0),
    *_persons("E", 7, 0),
    *_persons("F", 1, 0),
    *_persons("G", 2, 0),
    *_persons("H", 4, 0),
    *_persons("J", 5, 0),
]


def _seizure(sid: str, case: str, drug: str, when: str, quantities: list[str], place: str | None = None) -> Seizure:
    return Seizure(
        id=sid,
        provenance=SYN if case == "G" else _prov(sid),
        drug=drug,
        quantities=[_q(q) for q in quantities],
        date=_d(when),
        place=place,
        case=case,
    )


SEIZURES = [
    _seizure("A1", "A", "ketamine", "2013-09-27", ["500 kg"], "kaohsiung"),
    _seizure("A2", "A", "ephedrine", "2013-09-27", ["20 kg net"], "kaohsiung"),
    # blocks kept apart; net chosen over gross for the weight total
    _seizure("B1", "B", "heroin", "2013-11-17", ["600 block", "229 kg gross", "200 kg net"], "taoyuan-airport"),
    _seizure("C1", "C", "ketamine", "2013-12-20", ["231+ kg"], "kaohsiung"),
    _seizure("C2", "C", "ephedrine", "2014-01-03", ["20 kg net"], "kaohsiung"),  # after the period
    _seizure("E1", "E", "methamphetamine", "2013-06-01", ["1000 kg"], "taipei"),  # not a joint case
    _seizure("F1", "F", "ketamine", "2013-01-05", ["1-2 kg"], "kinmen"),  # a range
    _seizure("G1", "G", "ketamine", "2013-07-01", ["10000 g"], "penghu"),  # grams, synthetic
    _seizure("H1", "H", "ketamine", "102年5月底", ["123 kg"], "quanzhou"),
    _seizure("H2", "H", "ephedrine", "102年5月底", ["20 kg"], "quanzhou"),
    _seizure("J1", "J", "ketamine", "2013-08-07", ["241 kg"], "dongshan"),
]

OPERATIONS = [
    Operation(
        id="opA",
        provenance=_prov("opA"),
        case="A",
        name="首次兩岸海上聯合查緝行動",
        date=_d("102年9月底"),
        personnel=_q("500+ person"),
        personnel_party=Party.CN,
    ),
    Operation(
        id="opB",
        provenance=_prov("opB"),
        case="B",
        name="airport",
        date=_d("2013-11-17"),
        personnel=_q("30 person"),
        personnel_party=Party.TW,
    ),
    # undated: dated by its case
    Operation(
        id="opD",
        provenance=_prov("opD"),
        case="D",
        name="fraud raid",
        personnel=_q("12 person"),
        personnel_party=Party.TW,
    ),
]

INTEL = [
    IntelReport(
        id="i1",
        provenance=_prov("i1"),
        provider_party=Party.TW,
        provider_agency="coast-guard",
        recipient_party=Party.CN,
        date=_d("102年5月底"),
        summary="泉州",
    ),
    IntelReport(
        id="i2",
        provenance=_prov("i2"),
        provider_party=Party.TW,
        provider_agency="coast-guard",
        recipient_party=Party.CN,
        date=_d("2013-08-07"),
        summary="東山",
    ),
    IntelReport(
        id="i3",
        provenance=_prov("i3"),
        provider_party=Party.CN,
        recipient_party=Party.TW,
        date=_d("2013-11-01"),
        summary="陸方提供情資",
    ),
    # handed over before the period: neither it nor what it led to counts
    IntelReport(
        id="i0",
        provenance=_prov("i0"),
        provider_party=Party.TW,
        provider_agency="coast-guard",
        recipient_party=Party.CN,
        date=_d("2012-11-01"),
        summary="old",
    ),
]

OUTCOMES = [
    Outcome(id="o1", provenance=_prov("o1"), intel="i1", case="H"),  # a case: its seizures and suspects
    Outcome(id="o2", provenance=_prov("o2"), intel="i2", seizures=["J1"], persons=[f"J-suspect-{i}" for i in range(5)]),
    Outcome(id="o3", provenance=_prov("o3"), intel="i3", case="B"),
    # names a seizure its case already brings: counted once
    Outcome(id="o4", provenance=_prov("o4"), intel="i1", seizures=["H1"]),
    Outcome(id="o0", provenance=_prov("o0"), intel="i0", case="J"),
]

MEETINGS = [
    Meeting(
        id="m1",
        provenance=_prov("m1"),
        kind=MeetingKind.LIAISON_COORDINATION,
        title="第9次聯繫協調會報",
        sequence=9,
        date=_d("2012-12-19"),
    ),
    Meeting(
        id="m2",
        provenance=_prov("m2"),
        kind=MeetingKind.WORKING_TALKS,
        title="工作會談",
        date=_d("102年4月間"),
        cross_strait=True,
        places=["beijing"],
        decisions=["加強毒品案件情資蒐集交換"],
    ),
    Meeting(
        id="m3",
        provenance=_prov("m3"),
        kind=MeetingKind.SEMINAR,
        title="研討會",
        date=_d("102年7月"),
        cross_strait=True,
    ),
    Meeting(id="m4", provenance=_prov("m4"), kind=MeetingKind.CASE_CONFERENCE, title="研商會議", date=_d("2013-01-28")),
]


def figure(
    fid: str,
    metric: str,
    value: str,
    unit: Unit,
    end: str,
    *,
    start: str | None = None,
    qualifier: Qualifier = Qualifier.EXACT,
    direction: str | None = None,
    source: str = DOC,
) -> PublishedFigure:
    return PublishedFigure(
        id=fid,
        provenance=_prov(fid),
        metric=metric,
        label=fid,
        value=Decimal(value),
        unit=unit,
        qualifier=qualifier,
        period_start=date.fromisoformat(start) if start else None,
        period_end=date.fromisoformat(end),
        direction=direction,
        source=source,
    )


def build_world(engine: Engine, figures: list[PublishedFigure] | None = None) -> None:
    """Store the world (and any published figures) in one transaction."""
    with UnitOfWork(engine) as uow:
        uow.repo(mapping.DOCUMENTS).add(
            SourceDocument(id=DOC, provenance=Provenance.by_user("tester"), title="World source", publisher="MOJ")
        )
        uow.repo(mapping.DOCUMENTS).add(
            SourceDocument(id="doc-other", provenance=Provenance.by_user("tester"), title="Other source")
        )
        uow.flush()
        for kind, records in (
            (mapping.CASES, CASES),
            (mapping.PERSONS, PERSONS),
            (mapping.OPERATIONS, OPERATIONS),
            (mapping.SEIZURES, SEIZURES),
            (mapping.INTEL, INTEL),
            (mapping.OUTCOMES, OUTCOMES),
            (mapping.MEETINGS, MEETINGS),
            (mapping.REQUESTS, REQUESTS),
            (mapping.FIGURES, figures or []),
        ):
            for record in records:
                uow.repo(kind).add(record)
            uow.flush()
        uow.commit()
