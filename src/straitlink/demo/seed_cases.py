"""The bulletin's six joint drug cases: operations, suspects, seizures, and the intel that led to them."""

from __future__ import annotations

from decimal import Decimal

from straitlink.demo.bulletin import Citer, partial, seed_id
from straitlink.domain.cases import (
    AgencyParticipation,
    AgencyRole,
    Case,
    CaseKind,
    Conveyance,
    Operation,
    Person,
    PersonRole,
    Vessel,
)
from straitlink.domain.intel import IntelReport, Outcome
from straitlink.domain.parties import Party
from straitlink.domain.provenance import Provenance
from straitlink.domain.quantity import Basis, Qualifier, Quantity, Unit
from straitlink.domain.seizures import Seizure


def _kg(value: int, basis: Basis = Basis.UNSTATED) -> Quantity:
    return Quantity(Decimal(value), Unit.KG, basis)


def _agencies(*pairs: tuple[str, AgencyRole]) -> list[AgencyParticipation]:
    return [AgencyParticipation(agency, role) for agency, role in pairs]


D, L, P, INTEL = AgencyRole.DIRECTING, AgencyRole.LEADING, AgencyRole.PARTICIPATING, AgencyRole.INTEL_PROVIDER


def _case(
    key: str,
    title: str,
    opened: str,
    where: Provenance,
    agencies: list[AgencyParticipation],
    *,
    places: tuple[str, ...] = (),
    summary: str | None = None,
) -> Case:
    return Case(
        id=seed_id("case", key),
        provenance=where,
        title=title,
        kind=CaseKind.DRUGS,
        joint=True,
        opened_on=partial(opened),
        agencies=agencies,
        places=list(places),
        summary=summary,
    )


def _suspects(cite: Citer, case: Case, count: int, needle: str, *, caught: bool = False) -> list[Person]:
    provenance = cite(needle)
    return [
        Person(
            id=seed_id("person", case.id, str(n)),
            provenance=provenance,
            case=case.id,
            role=PersonRole.SUSPECT,
            caught_in_act=caught,
            label=f"嫌犯{n}",
        )
        for n in range(1, count + 1)
    ]


def _seizure(
    cite: Citer,
    key: str,
    case: Case,
    drug: str,
    quantities: list[Quantity],
    needle: str,
    *,
    operation: str | None = None,
    description: str | None = None,
) -> Seizure:
    return Seizure(
        id=seed_id("seizure", key),
        provenance=cite(needle),
        drug=drug,
        quantities=quantities,
        date=case.opened_on,
        case=case.id,
        place=case.places[0] if case.places else None,
        operation=operation,
        description=description,
    )


def cases(cite: Citer) -> tuple[list[Case], list[Operation], list[Person], list[Seizure]]:
    """The six cases, the three Taiwan-side operations, the 17 suspects the bulletin counts, and the seven seizures."""
    sea_agencies = _agencies(
        ("kaohsiung-district-prosecutors", D),
        ("coast-guard", P),
        ("mjib-south-mobile", P),
        ("mps", L),
        ("gd-narcotics", P),
        ("fj-narcotics-corps", P),
        # 「及其他邊防部門」 names no unit; the border police's national head stands for them.
        ("mps-border", P),
    )
    sea = _case(
        "sheng-hong",
        "巴拿馬籍貨輪「笙宏號」走私K他命案",
        "102年9月27日",
        cite("一、 102 年 9月 27 日", through="500 公斤。"),
        sea_agencies,
        summary="大陸公安部指揮之「其他邊防部門」原文未具名。",
    )
    sea_op = Operation(
        id=seed_id("operation", "sheng-hong"),
        provenance=cite("高雄地檢署檢察官指揮海巡署", through="貨輪「笙宏號」"),
        case=sea.id,
        name="首次兩岸海上聯合查緝行動",
        date=partial("102年9月底"),
        agencies=sea_agencies,
        personnel=Quantity(Decimal(500), Unit.PERSON, qualifier=Qualifier.AT_LEAST),
        personnel_party=Party.CN,
        vessels=[Vessel("笙宏號", "巴拿馬", "貨輪")],
        conveyance=Conveyance.SEA_CARGO,
    )
    air_agencies = _agencies(("kaohsiung-district-prosecutors", D), ("cib-3rd-brigade", P))
    air = _case(
        "taoyuan-heroin",
        "桃園機場航空貨運走私海洛因案",
        "102年11月17日",
        cite("二、 102 年 11 月 17 日", through="走私海洛因案。"),
        air_agencies,
        places=("taoyuan-airport",),
    )
    air_op = Operation(
        id=seed_id("operation", "taoyuan-heroin"),
        provenance=cite("整合陸方提供情資後，在桃園機場停機坪貨櫃音箱內查獲"),
        case=air.id,
        name="桃園機場停機坪查獲航空貨運走私海洛因",
        date=air.opened_on,
        agencies=air_agencies,
        places=["taoyuan-airport"],
        conveyance=Conveyance.AIR_CARGO,
        concealment="貨櫃音箱內",
    )
    box_agencies = _agencies(("kaohsiung-district-prosecutors", D), ("mjib-kaohsiung", P))
    box = _case(
        "container-ketamine",
        "大陸進口貨櫃走私K他命案",
        "102年12月20日",
        cite("三、 102 年 12 月 20 日", through="施用)。"),
        box_agencies,
    )
    box_op = Operation(
        id=seed_id("operation", "container-ketamine"),
        provenance=cite("查獲自大陸進口貨櫃走私 K 他命毒品 231 公斤"),
        case=box.id,
        name="查獲自大陸進口貨櫃走私K他命",
        date=box.opened_on,
        agencies=box_agencies,
        conveyance=Conveyance.CONTAINER,
    )
    coast = _agencies(("coast-guard", INTEL))
    quanzhou = _case(
        "quanzhou",
        "福建省泉州市K他命、麻黃素案",
        "102年5月底",
        cite("於 102 年 5 月底提供陸方情資", through="及嫌犯 4 人；"),
        coast,
        places=("quanzhou",),
    )
    dongshan = _case(
        "dongshan",
        "福建省東山縣K他命案",
        "102年8月7日",
        cite("同年 8 月 7 日，再度提供陸方情資", through="嫌犯 5 人"),
        coast,
        places=("dongshan",),
    )
    zhangzhou = _case(
        "zhangzhou",
        "福建省漳州市K他命案",
        "102年9月13日",
        cite("同年 9 月13 日陸方並在福建省漳州市查獲 K 他命 260 公斤及嫌犯 4 人"),
        coast,
        places=("zhangzhou",),
    )
    seizures = [
        _seizure(
            cite,
            "sheng-hong",
            sea,
            "ketamine",
            [_kg(500)],
            "「笙宏號」走私 K 他命毒品 500 公斤",
            operation=sea_op.id,
            description="巴拿馬籍貨輪「笙宏號」走私",
        ),
        _seizure(
            cite,
            "taoyuan-heroin",
            air,
            "heroin",
            [Quantity(Decimal(600), Unit.BLOCK), _kg(229, Basis.GROSS)],
            "600 塊海洛因(毛重 229 公斤)",
            operation=air_op.id,
            description="停機坪貨櫃音箱內",
        ),
        _seizure(
            cite,
            "container-ketamine",
            box,
            "ketamine",
            [_kg(231)],
            "貨櫃走私 K 他命毒品 231 公斤",
            operation=box_op.id,
            description="自大陸進口貨櫃",
        ),
        _seizure(cite, "quanzhou-ketamine", quanzhou, "ketamine", [_kg(123)], "泉州市查獲毒品 K 他命 123 公斤"),
        _seizure(cite, "quanzhou-ephedrine", quanzhou, "ephedrine", [_kg(20)], "麻黃素 20 公斤"),
        _seizure(cite, "dongshan", dongshan, "ketamine", [_kg(241)], "東山縣查獲毒品 K 他命 241 公斤"),
        _seizure(cite, "zhangzhou", zhangzhou, "ketamine", [_kg(260)], "漳州市查獲 K 他命 260 公斤"),
    ]
    persons = [
        *_suspects(cite, box, 4, "查獲現行犯 4人", caught=True),
        *_suspects(cite, quanzhou, 4, "麻黃素 20 公斤及嫌犯 4 人"),
        *_suspects(cite, dongshan, 5, "K 他命 241 公斤、嫌犯 5 人"),
        *_suspects(cite, zhangzhou, 4, "K 他命 260 公斤及嫌犯 4 人"),
    ]
    return [sea, air, box, quanzhou, dongshan, zhangzhou], [sea_op, air_op, box_op], persons, seizures


def intel(
    cite: Citer, cases: list[Case], seizures: list[Seizure], persons: list[Person]
) -> tuple[list[IntelReport], list[Outcome]]:
    """The five intel hand-overs the bulletin names, each with the outcome it led to."""
    sea, air, _box, quanzhou, dongshan, zhangzhou = cases
    specs = [
        # key, provider party, provider agency, date, summary, case the intel led to, passage
        (
            "sheng-hong",
            Party.CN,
            "mps-narcotics",
            "102年5月間",
            "「笙宏號」走私毒品案之重要情資",
            sea,
            cite("102 年 5月間，大陸公安部禁毒局人員，在法務部之聯繫安排下，帶來「笙宏號」走私毒品案之重要情資"),
        ),
        (
            "taoyuan-heroin",
            Party.CN,
            None,
            None,
            "桃園機場航空貨運走私海洛因案之情資（陸方提供，機關未具名）",
            air,
            cite("整合陸方提供情資後"),
        ),
        (
            "quanzhou",
            Party.TW,
            "coast-guard",
            "102年5月底",
            "海巡署提供陸方情資（福建省泉州市）",
            quanzhou,
            cite("行政院海岸巡防署，透過兩岸司法互助協議聯繫機制，於 102 年 5 月底提供陸方情資，使陸方得以循線"),
        ),
        (
            "dongshan",
            Party.TW,
            "coast-guard",
            "102年8月7日",
            "海巡署再度提供陸方情資（福建省東山縣）",
            dongshan,
            cite("同年 8 月 7 日，再度提供陸方情資在福建省東山縣查獲"),
        ),
        # The bulletin dates the 漳州 seizure, not the hand-over, so this intel stays undated.
        (
            "zhangzhou",
            Party.TW,
            "coast-guard",
            None,
            "海巡署提供陸方情資（福建省漳州市）",
            zhangzhou,
            cite("同時，大陸亦因我方之協助，破獲數起重大毒品案件。", through="及嫌犯 4 人。"),
        ),
    ]
    reports: list[IntelReport] = []
    outcomes: list[Outcome] = []
    for key, provider, agency, when, summary, case, where in specs:
        report = IntelReport(
            id=seed_id("intel", key),
            provenance=where,
            provider_party=provider,
            provider_agency=agency,
            recipient_party=provider.other,
            date=partial(when) if when else None,
            summary=summary,
        )
        reports.append(report)
        outcomes.append(
            Outcome(
                id=seed_id("outcome", key),
                provenance=where,
                intel=report.id,
                # 「整合陸方提供情資後…查獲」 ties the intel to the seizure; the case was the prosecutors' own.
                case=None if case is air else case.id,
                seizures=[s.id for s in seizures if s.case == case.id],
                persons=[p.id for p in persons if p.case == case.id],
                note="循線查獲",
            )
        )
    return reports, outcomes
