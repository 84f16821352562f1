"""The bulletin's meetings, talks, seminars and visits, its headline figures and every other figure it states."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from straitlink.demo.bulletin import DOCUMENT_ID, Citer, partial, seed_id
from straitlink.domain.agreement import IN_FORCE_ON
from straitlink.domain.figures import PublishedFigure
from straitlink.domain.meetings import Meeting, MeetingKind
from straitlink.domain.quantity import Qualifier, Unit
from straitlink.domain.seizures import Seizure

# 「自 98 年 6月 25 日生效至今(102)年 11 月 30 日止」: the bulletin's one stated cut-off, which its other totals
# (「自協議生效以來」) share.
AGREEMENT_IN_FORCE = IN_FORCE_ON
CUT_OFF = date(2013, 11, 30)


def _meeting(
    cite: Citer,
    key: str,
    kind: MeetingKind,
    title: str,
    when: str,
    where: str,
    *,
    host: str,
    participants: tuple[str, ...] = (),
    places: tuple[str, ...] = (),
    decisions: tuple[str, ...] = (),
    sequence: int | None = None,
    cross_strait: bool = True,
) -> Meeting:
    return Meeting(
        id=seed_id("meeting", key),
        provenance=cite(where),
        kind=kind,
        title=title,
        date=partial(when),
        sequence=sequence,
        host=host,
        participants=list(participants),
        places=list(places),
        decisions=list(decisions),
        cross_strait=cross_strait,
    )


def meetings(cite: Citer) -> list[Meeting]:
    """The eight meetings, talks, seminars and visits the bulletin names."""
    # host = the agency the bulletin says convened or organised it; participants = the other agencies it names.
    k = MeetingKind
    return [
        _meeting(
            cite,
            "drug-control-2012-12-13",
            k.POLICY_MEETING,
            "毒品防制會報",
            "101年12月13日",
            "行政院於去(101)年 12 月 13 日「毒品防制會報」中，將大陸毒品走私列為兩岸司法互助協議架構下的查緝重點",
            host="executive-yuan",
            decisions=("將大陸毒品走私列為兩岸司法互助協議架構下的查緝重點",),
            cross_strait=False,
        ),
        _meeting(
            cite,
            "liaison-9",
            k.LIAISON_COORDINATION,
            "兩岸司法互助協議聯繫協調會報",
            "101年12月19日",
            "同年 12 月 19 日法務部於第 9次「兩岸司法互助協議聯繫協調會報」中即指示各協議執法機關，"
            "將加強兩岸合作緝毒列為重點工作",
            host="moj",
            sequence=9,
            decisions=("指示各協議執法機關，將加強兩岸合作緝毒列為重點工作",),
            cross_strait=False,
        ),
        _meeting(
            cite,
            "conference-2013-01-28",
            k.CASE_CONFERENCE,
            "協調合作偵辦兩岸跨境犯罪研商會議",
            "102年1月28日",
            "今(102)年 1月 28 日法務部特別召開「協調合作偵辦兩岸跨境犯罪研商會議」邀集國內各司法警察機關"
            "強化打擊兩岸跨境毒品犯罪作為",
            host="moj",
            cross_strait=False,
        ),
        _meeting(
            cite,
            "talks-2013-04-beijing",
            k.WORKING_TALKS,
            "法務部與大陸公安部工作會談",
            "102年4月間",
            "4月間，法務部邀同陸委會及各司法警察機關代表，赴大陸北京與大…陸公安部進行工作會談，提出重點打擊"
            "毒品整體方略，達成加強毒品案件情資蒐集交換及彙整、推動緝毒專責人員辦案合作、舉辦兩岸跨境毒品犯罪研習等共識",
            host="moj",
            participants=("mac", "mps"),
            places=("beijing",),
            decisions=("加強毒品案件情資蒐集交換及彙整", "推動緝毒專責人員辦案合作", "舉辦兩岸跨境毒品犯罪研習"),
        ),
        _meeting(
            cite,
            "conference-2013-05-sheng-hong",
            k.CASE_CONFERENCE,
            "「笙宏號」走私毒品案專案會議",
            "102年5月間",
            "大陸公安部禁毒局人員，在法務部之聯繫安排下，帶來「笙宏號」走私毒品案之重要情資，與臺灣高等法院檢察署"
            "「緝毒督導小組」召開專案會議，雙方研商協查偵辦作為",
            host="moj",
            participants=("mps-narcotics", "tw-high-prosecutors-narcotics-unit"),
        ),
        # 「大陸公安禁毒部門(法制、邊防、海關等單位)」: the catalogue has no 法制 unit of the MPS.
        _meeting(
            cite,
            "seminar-2013-07-taipei",
            k.SEMINAR,
            "兩岸毒品查緝業務研討會",
            "102年7月間",
            "同年 7月間，法務部在臺北舉辦兩岸毒品查緝業務研討會，邀集各地檢署緝毒專組檢察官與大陸公安禁毒部門"
            "(法制、邊防、海關等單位)人員",
            host="moj",
            participants=("mps-narcotics", "mps-border", "cn-customs"),
            places=("taipei",),
        ),
        # 「大陸公安部門」 names no unit; the ministry stands for the public security side.
        _meeting(
            cite,
            "visit-2013-08-fujian-yunnan",
            k.FIELD_VISIT,
            "赴大陸福建及雲南省實地瞭解毒品查察情形",
            "102年8月間",
            "隨即於 8月間，在兩岸司法互助協議架構下，由法務部組團會同我辦理毒品案件之檢察官及司法警察赴大陸查緝"
            "毒品之重點地區福建及雲南省等地，實地瞭解當地查察毒品情形，大陸公安部門亦介紹",
            host="moj",
            participants=("mps",),
            places=("fujian", "yunnan"),
        ),
        _meeting(
            cite,
            "visit-2013-12-guangdong",
            k.FIELD_VISIT,
            "赴廣東省廣州市、惠州市實地瞭解郵包走私毒品、製造毒品K他命等問題",
            "102年12月底",
            "於 12 月底再度邀集國內檢察及司法警察機關代表，深入廣東省廣州市、惠州市等地實地解郵包走私毒品、"
            "製造毒品 K 他命等問題，並與當地海關、公安禁毒部門研討查緝策略與作為",
            host="moj",
            participants=("cn-customs", "gz-psb", "hz-psb"),
            places=("guangzhou", "huizhou"),
        ),
    ]


def figures(cite: Citer, seizures: list[Seizure]) -> list[PublishedFigure]:
    """The headline figures: requests, joint drug cases, suspects, seized weight, and the dose estimate."""
    dose_day = next(s.date for s in seizures if s.id == seed_id("seizure", "container-ketamine"))
    assert dose_day is not None
    since, cut = AGREEMENT_IN_FORCE, CUT_OFF
    specs = [
        # key, metric, label, value, unit, qualifier, period start, period end, direction, passage
        (
            "requests",
            "requests.total",
            "雙方請求互助案件數",
            45426,
            Unit.CASE,
            Qualifier.EXACT,
            since,
            cut,
            "both",
            "自 98 年 6月 25 日生效至今(102)年 11 月 30 日止，雙方請求互助案件數達 4萬 5,426 件",
        ),
        (
            "cases",
            "cases.joint_drug",
            "雙方聯手查獲毒品案件",
            39,
            Unit.CASE,
            Qualifier.EXACT,
            since,
            cut,
            "both",
            "自協議生效以來，雙方聯手查獲毒品案件 39 件",
        ),
        (
            "suspects",
            "suspects.total",
            "查獲嫌犯",
            234,
            Unit.PERSON,
            Qualifier.EXACT,
            since,
            cut,
            "both",
            "查獲嫌犯 234人",
        ),
        (
            "weight",
            "seizures.total_weight_kg",
            "查獲海洛因、K他命等各式毒品及先驅原料",
            3000,
            Unit.KG,
            Qualifier.AT_LEAST,
            since,
            cut,
            "both",
            "查獲海洛因、K 他命等各式毒品及先驅原料達 3,000 餘公斤",
        ),
        (
            "doses",
            "seizures.doses_estimate",
            "如流出市面預估可供施用人次",
            2310000,
            Unit.DOSE,
            Qualifier.AT_LEAST,
            dose_day.earliest(),
            dose_day.latest(),
            None,
            "如流出市面預估可供 231 餘萬人次施用",
        ),
    ]
    headline = [
        PublishedFigure(
            id=seed_id("figure", key),
            provenance=cite(needle),
            metric=metric,
            label=label,
            value=Decimal(value),
            unit=unit,
            qualifier=qualifier,
            period_start=start,
            period_end=end,
            direction=direction,
            source=DOCUMENT_ID,
        )
        for key, metric, label, value, unit, qualifier, start, end, direction, needle in specs
    ]
    return [*headline, *stated_figures(cite)]


# Every other figure the bulletin states, over the day or the span it states it for (「102年5月底」 is 21…31 May):
# key, metric, label as worded, value, unit, qualifier, when, passage. What a case seized is a figure as much as a
# seizure record, so the annex reconciles the bulletin's own sentences too. 「約種植有64萬畝罌粟」 is background the
# bulletin gives as of its year, not a figure of today; the statistics hold no such metric.
STATED: tuple[tuple[str, str, str, int, Unit, Qualifier, str, str], ...] = (
    ("shenghong-personnel", "operations.personnel", "大陸動員警力", 500, Unit.PERSON, Qualifier.AT_LEAST,
     "102年9月底", "大陸先後動員 500 餘名警力"),
    ("shenghong-ketamine", "seizures.by_drug.ketamine.weight_kg", "走私K他命毒品", 500, Unit.KG, Qualifier.EXACT,
     "102年9月27日", "走私 K 他命毒品 500 公斤"),
    ("taoyuan-blocks", "seizures.by_drug.heroin.counts.block", "查獲海洛因", 600, Unit.BLOCK, Qualifier.EXACT,
     "102年11月17日", "查獲 600 塊海洛因"),
    ("taoyuan-gross", "seizures.by_drug.heroin.gross", "海洛因毛重", 229, Unit.KG, Qualifier.EXACT,
     "102年11月17日", "毛重 229 公斤"),
    ("container-ketamine", "seizures.by_drug.ketamine.weight_kg", "走私K他命毒品", 231, Unit.KG, Qualifier.EXACT,
     "102年12月20日", "走私 K 他命毒品 231 公斤"),
    ("container-caught", "suspects.caught_in_act", "查獲現行犯", 4, Unit.PERSON, Qualifier.EXACT,
     "102年12月20日", "查獲現行犯 4人"),
    ("quanzhou-ketamine", "seizures.by_drug.ketamine.weight_kg", "查獲毒品K他命", 123, Unit.KG, Qualifier.EXACT,
     "102年5月底", "查獲毒品 K 他命 123 公斤"),
    ("quanzhou-ephedrine", "seizures.by_drug.ephedrine.weight_kg", "麻黃素", 20, Unit.KG, Qualifier.EXACT,
     "102年5月底", "麻黃素 20 公斤"),
    ("quanzhou-suspects", "suspects.total", "嫌犯", 4, Unit.PERSON, Qualifier.EXACT,
     "102年5月底", "麻黃素 20 公斤及嫌犯 4 人"),
    ("dongshan-ketamine", "seizures.by_drug.ketamine.weight_kg", "查獲毒品K他命", 241, Unit.KG, Qualifier.EXACT,
     "102年8月7日", "K 他命 241 公斤"),
    ("dongshan-suspects", "suspects.total", "嫌犯", 5, Unit.PERSON, Qualifier.EXACT,
     "102年8月7日", "241 公斤、嫌犯 5 人"),
    ("zhangzhou-ketamine", "seizures.by_drug.ketamine.weight_kg", "查獲K他命", 260, Unit.KG, Qualifier.EXACT,
     "102年9月13日", "K 他命 260 公斤"),
    ("zhangzhou-suspects", "suspects.total", "嫌犯", 4, Unit.PERSON, Qualifier.EXACT,
     "102年9月13日", "260 公斤及嫌犯 4 人"),
    ("golden-triangle-poppy", "background.golden_triangle.poppy_mu", "金三角約種植罌粟（畝）", 640000, Unit.ITEM,
     Qualifier.APPROX, "102年", "約種植有 64 萬畝罌粟"),
)  # fmt: skip


def stated_figures(cite: Citer) -> list[PublishedFigure]:
    """The figures of the bulletin's sentences beyond its headline: seizures, suspects, personnel, background."""
    figures = []
    for key, metric, label, value, unit, qualifier, when, needle in STATED:
        span = partial(when)
        figures.append(
            PublishedFigure(
                id=seed_id("figure", key),
                provenance=cite(needle),
                metric=metric,
                label=label,
                value=Decimal(value),
                unit=unit,
                qualifier=qualifier,
                period_start=span.earliest(),
                period_end=span.latest(),
                source=DOCUMENT_ID,
            )
        )
    return figures
