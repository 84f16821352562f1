"""Published figures (totals a document states for a period) and repatriations.

A figure is a count or a weight in a sentence of totals (以來, 累計, 截至, 自…至…止) whose wording names what is
counted (請求互助案件, 毒品案件, 嫌犯, 毒品…公斤). Figures the domain cannot hold as stated — money, cartons
of cigarettes, ships — are left alone rather than forced into a wrong unit; nor is a single seizure ever a
figure. The period ends at the date the text gives (至…止, 截至), else at the date of the figures just before,
else at the document's date; when none is known the figure says so in `unresolved`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from straitlink.domain.dates import PartialDate, Precision
from straitlink.domain.parties import Party
from straitlink.domain.quantity import Dimension, Unit
from straitlink.ingest.dates import DateMention
from straitlink.ingest.numbers import DIMENSION, QuantityText, as_json
from straitlink.ingest.proposals import Proposal
from straitlink.ingest.sentences import AGGREGATE, REPATRIATE, DocState, Sentence

AGREEMENT_IN_FORCE = date(2009, 6, 25)
AGREEMENT_SIGNED = date(2009, 4, 26)
# What is counted, by the words before the number: (pattern, metric, unit words or dimension, English label).
# Metric names are the statistics keys the rest of StraitLink computes and reconciles (stats/, demo/figures.py).
_CIGARETTES = frozenset({"箱", "条", "包"})
METRICS: tuple[tuple[re.Pattern[str], str, Dimension | frozenset[str], str], ...] = (
    (
        re.compile(r"请求互助案件|互助案件|请求案件|相互请求|互助请求|请求[^,，。]{0,8}?协助"),
        "requests.total",
        Dimension.CASE,
        "requests",
    ),
    (re.compile(r"送达文书|文书送达"), "requests.total.document_service", Dimension.CASE, "service of documents"),
    (re.compile(r"调查取证"), "requests.total.evidence_collection", Dimension.CASE, "evidence collection"),
    (re.compile(r"遣返|遣送|接返"), "repatriations.persons", Dimension.PERSON, "persons repatriated"),
    (re.compile(r"毒品案|贩毒案|制毒案|毒品犯罪案|走私毒品案"), "cases.joint_drug", Dimension.CASE, "joint drug cases"),
    (re.compile(r"诈骗案|诈欺案|电信诈骗"), "fraud.cases", Dimension.CASE, "fraud cases"),
    (re.compile(r"偷渡案"), "migration.cases", Dimension.CASE, "illegal-migration cases"),
    (re.compile(r"嫌犯|犯罪嫌疑人|嫌疑人|嫌疑犯|人犯"), "suspects.total", Dimension.PERSON, "suspects"),
    (
        re.compile(r"毒品|先驱原料|制毒原料|易制毒化学品|先驱化学品"),
        "seizures.total_weight_kg",
        Dimension.MASS,
        "drugs seized",
    ),
    (re.compile(r"私烟|香烟|走私烟|洋烟"), "smuggling.cigarettes", _CIGARETTES, "smuggled cigarettes"),
    (re.compile(r"救援|救起|获救|救助"), "sea_rescue.persons", Dimension.PERSON, "joint sea rescues (persons)"),
    (re.compile(r"救援|救起|获救|救助"), "sea_rescue.vessels", frozenset({"艘"}), "joint sea rescues (vessels)"),
    (re.compile(r"刑事案件|各类案件|犯罪案件"), "cases.joint", Dimension.CASE, "joint cases"),
)
_DOSES = re.compile(r"(?:可供|预估|估计|约可供|足供)[^,，。]{0,6}$")
_LABEL_TAIL = re.compile(r"(?:达|共|计|共计|为|约|已达|高达|逾|超过|累计达|累计)+$")
_ITEM_WORDS = _CIGARETTES | {"艘"}
_SINCE = re.compile(
    r"(?=[协自生实施今本])"  # what a match can start with: a search passes over the rest at C speed
    r"(?:(?P<signed>协议[」』》]?(?:签署|签订)(?:以来|后))"
    r"|(?P<force>(?:协议[」』]?)?自?(?:生效|实施|施行)(?:以来|迄今)|自协议生效|协议(?:生效|实施)后)"
    r"|(?P<year>今年以来|本年以来|今年1月起))"
)
_FROM = re.compile(r"自|从|由")
_REPATRIATED = re.compile(r"遣返|遣送|接返")
_MONTH_RANGE = re.compile(r"(?P<a>1[0-2]|[1-9])月?(?:至|到|-|~)(?P<b>1[0-2]|[1-9])月")
_TOTAL_CUES = re.compile(r"共|计|其中|分别|合计|另|联手|累计|双方|两岸|区分|全年")
_JOINT_FIGURE = re.compile(r"两岸|双方|联手|陆方|台方|合作|对岸|大陆|台湾|协议")
_ONE_SIDE = {
    "cases.joint": "cases.one_side",
    "cases.joint_drug": "cases.drug.one_side",
    "seizures.total_weight_kg": "seizures.weight_kg.one_side",
    "suspects.total": "suspects.one_side",
}
_ASKED = re.compile(r"(?P<who>我方|陆方|大陆|台方|台湾)(?:向[^,，。]{1,4})?请求")
_UNTIL = re.compile(r"至|截至|截止|迄|到")
_BOTH = re.compile(r"双方|两岸")
# Everything up to the last label break (，,；;:：): matched from the quantity backwards in C, not mark by mark.
_TO_LAST_BREAK = re.compile(r".*[，,；;:：]", re.DOTALL)
# The characters _LABEL_TAIL is made of: its match can only start inside a tail of them.
_TAIL_CHARS = frozenset("达共计为约已高逾超过累")
_TO_TW = re.compile(r"遣返回台|遣送回台|押解回台|押返台|遣返台湾|返台|回台受审|遣返来台|解送回台")
_TO_CN = re.compile(r"遣返大陆|遣返回大陆|遣送回大陆|押返大陆|遣返陆方|返回大陆|遣返对岸")
_SURNAME = re.compile(r"(?<![百])[\u4e00-\u9fff]姓(?=[、,，等及和与男女嫌通])")
_NAME = re.compile(
    r"(?:通缉犯|嫌犯|犯罪嫌疑人|逃犯|要犯)(?P<name>[\u4e00-\u9fff]{1}[某姓][\u4e00-\u9fff]?|[\u4e00-\u9fff]{2,3}?)(?=[,，、等及和与(（]|$)"
)


def _period(s: Sentence, state: DocState, doc: PartialDate | None) -> tuple[date | None, date | None, str | None]:
    """(start, end, problem) of the period the sentence's totals cover."""
    start: date | None = None
    end: date | None = None
    since = _SINCE.search(s.block.text, s.start, s.end)
    if since is not None:
        if since["signed"]:
            start = AGREEMENT_SIGNED
        elif since["force"]:
            start = AGREEMENT_IN_FORCE
        elif doc is not None or state.as_of is not None:
            start = date((doc or state.as_of or PartialDate(1912)).year, 1, 1)
    for d in s.dates:
        if d.date is None:
            continue
        before = s.at(max(s.start, d.start - 2), d.start)
        after = s.at(d.end, d.end + 3)
        if _UNTIL.search(before) or after.startswith(("止", "为止")):
            end = d.date.latest()
            state.as_of = d.date
        elif _FROM.search(before) or after.startswith(("以来", "起", "生效")):
            start = d.date.earliest()
    head = _heading_date(s)
    if head is not None and head.date is not None and not s.at(head.end, head.end + 2).startswith(("以来", "起")):
        # A year or part of one heading the sentence (去(102)年全年, 本年上半年, 今年1至3月) is the period.
        months = _MONTH_RANGE.match(s.block.text, head.end)
        if months and head.date.month is None:
            last = int(months["b"])
            start = start or date(head.date.year, int(months["a"]), 1)
            end = end or PartialDate(head.date.year, last).latest()
        else:
            start, end = start or head.date.earliest(), end or head.date.latest()
    problem = None
    if end is None:
        if state.as_of is not None:
            end = state.as_of.latest()
        elif doc is not None and doc.day is not None:
            end = doc.latest()
        else:
            problem = "period_end: the text does not say when the totals were counted (give --date)"
    return start, end, problem


def _heading_date(s: Sentence) -> DateMention | None:
    """The sentence's first date when it is a year or a part of one, written before any figure."""
    if not s.dates or not s.quantities:
        return None
    first = s.dates[0]
    if first.date is None or first.date.precision is Precision.DAY or first.start > s.quantities[0].start:
        return None
    if first.date.month is not None and first.date.part is None:
        return None  # 「本年3月間」 dates an event; a whole month heading totals is rare enough to leave
    return first


def has_period(s: Sentence, state: DocState) -> bool:
    """Whether the sentence gives totals: words of totals, an end date, a period heading it, or a figure list
    continued after an earlier sentence set the period (「二、按請求類型區分，送達文書…件」)."""
    if s.has(AGGREGATE) or any(_UNTIL.search(s.at(max(s.start, d.start - 2), d.start)) for d in s.dates if d.date):
        return True
    if not s.has(_TOTAL_CUES):
        return False
    dated = any(d.date is not None and d.date.precision is Precision.DAY for d in s.dates)
    return (state.as_of is not None and not dated) or _heading_date(s) is not None


def read(s: Sentence, state: DocState, doc: PartialDate | None, used: set[int]) -> list[Proposal]:
    """The published figures in a sentence of totals (has_period); quantities at offsets in `used` are taken."""
    start, end, problem = _period(s, state, doc)
    joint = s.has(_JOINT_FIGURE)
    direction = _direction(s, state)
    out = []
    for q in s.quantities:
        if q.start in used or q.unit is Unit.DOSE or (q.unit is None and q.unit_text not in _ITEM_WORDS):
            continue
        # The words naming what is counted run back to the last comma, past any figure listed before (、).
        last_break = _TO_LAST_BREAK.match(s.block.text, s.start, q.start)
        cut = last_break.end() if last_break is not None else s.start
        found = _metric(s, q, cut)
        if found is None:
            continue
        metric, label_en, label_start = found
        if metric == "suspects.total" and _REPATRIATED.search(s.at(cut, q.start)):
            metric, label_en = "repatriations.persons", "persons repatriated"  # 遣返刑事嫌疑犯: counted as returned
        elif metric == "suspects.total" and "诈骗" in s.at(s.start, q.start) and "毒" not in s.at(s.start, q.start):
            metric, label_en = "fraud.suspects", "fraud suspects"
        if not joint:
            metric = _ONE_SIDE.get(metric, metric)
        figure = _figure(s, q, metric, label_en, min(cut, label_start), start, end, problem)
        if figure is None:
            continue
        if metric.startswith("requests."):
            figure.fields["direction"] = direction
        out.append(figure)
    return out


def _direction(s: Sentence, state: DocState) -> str | None:
    """Which way requests went: both (雙方, 兩岸相互), or from the side that asked (我方請求陸方協助)."""
    asked = _ASKED.search(s.block.text, s.start, s.end)
    if asked is not None:
        who = asked["who"]
        party = state.party if who == "我方" else (Party.CN if who in ("陆方", "大陆") else Party.TW)
        if party is not None:
            return "tw_to_cn" if party is Party.TW else "cn_to_tw"
    return "both" if s.has(_BOTH) else None


def _candidates(unit: Unit | None, unit_text: str) -> list[tuple[re.Pattern[str], str, str]]:
    """The METRICS that can count a quantity of this unit, in METRICS order; worked out once per unit."""
    key = (unit, unit_text)
    found = _BY_UNIT.get(key)
    if found is None:
        found = []
        for pattern, metric, counted, label_en in METRICS:
            if isinstance(counted, frozenset):
                if unit_text not in counted:
                    continue
            elif unit is None or DIMENSION[unit] is not counted:
                continue
            found.append((pattern, metric, label_en))
        _BY_UNIT[key] = found
    return found


_BY_UNIT: dict[tuple[Unit | None, str], list[tuple[re.Pattern[str], str, str]]] = {}


def _metric(s: Sentence, q: QuantityText, cut: int) -> tuple[str, str, int] | None:
    before = s.at(cut, q.start)
    best: tuple[int, str, str] | None = None
    for pattern, metric, label_en in _candidates(q.unit, q.unit_text):
        for m in pattern.finditer(before):
            if best is None or m.start() > best[0]:
                best = (m.start(), metric, label_en)
    if best is None:
        return None
    return best[1], best[2], cut + best[0]


def _figure(
    s: Sentence,
    q: QuantityText,
    metric: str,
    label_en: str,
    label_start: int,
    start: date | None,
    end: date | None,
    problem: str | None,
) -> Proposal | None:
    # Counts the domain has no unit for (boxes of cigarettes, ships) are items; label_en says what they are.
    value = as_json(q)
    if value is None:
        return None
    label = s.at(label_start, q.start)
    tail = len(label)
    while tail > 0 and label[tail - 1] in _TAIL_CHARS:
        tail -= 1
    if tail < len(label):
        label = label[:tail] + _LABEL_TAIL.sub("", label[tail:])  # the regex on the tail only: it cannot start before
    fields: dict[str, Any] = {
        "metric": metric,
        "label": s.clean(label_start, label_start + len(label)) or s.clean(label_start, q.end),
        "value": value["value"],
        "unit": value["unit"],
        "qualifier": value["qualifier"],
        "period_start": start.isoformat() if start else None,
        "period_end": end.isoformat() if end else None,
        "direction": "both" if s.has(_BOTH) else None,
        "source": None,
        "label_en": label_en,
    }
    unresolved = [problem] if problem else []
    if start is None:
        unresolved.append("period_start: the text does not say since when")
    key = f"figure|{metric}|{fields['value']}|{fields['unit']}|{fields['period_end']}"
    return Proposal("figure", key, fields, s.span(label_start, q.end), 0.9 - 0.1 * len(unresolved), unresolved)


def doses(s: Sentence, seizures: list[Proposal]) -> list[Proposal]:
    """A dose estimate published about a seizure (「如流出市面預估可供231餘萬人次施用」): an estimate, never a
    measured figure, dated like the seizure it is about (in the same sentence, or the one told just before)."""
    out = []
    for q in s.quantities:
        if q.unit is not Unit.DOSE or not _DOSES.search(s.at(max(s.start, q.start - 12), q.start)):
            continue
        dated = [p for p in seizures if p.span.start <= s.block.span(q.start, q.end)[0] and p.fields.get("date")]
        when = PartialDate.from_json(dated[-1].fields["date"]) if dated else None
        label_start = s.clause(q.start)[0]
        value = as_json(q, Unit.DOSE)
        if value is None:
            continue
        fields: dict[str, Any] = {
            "metric": "seizures.doses_estimate",
            "label": s.clean(label_start, q.end + (2 if s.at(q.end, q.end + 2) == "施用" else 0)).lstrip("("),
            "value": value["value"],
            "unit": Unit.DOSE.value,
            "qualifier": value["qualifier"],
            "period_start": when.earliest().isoformat() if when else None,
            "period_end": when.latest().isoformat() if when else None,
            "direction": None,
            "source": None,
            "label_en": "doses (estimate)",
        }
        unresolved = [] if when else ["period_end: the seizure it is about has no date"]
        key = f"figure|seizures.doses_estimate|{fields['value']}|dose|{fields['period_end']}"
        out.append(Proposal("figure", key, fields, s.span(label_start, q.end), 0.8, unresolved))
    return out


def repatriations(s: Sentence, state: DocState, year: int | None) -> list[Proposal]:
    """Persons handed back across the Strait (遣返), when the sentence tells one event rather than a total."""
    cue = next(iter(s.find(REPATRIATE)), None)
    if cue is None or s.has(AGGREGATE):
        return []
    persons = [q for q in s.quantities if q.unit is Unit.PERSON and abs(q.start - cue.start()) < 24]
    names = [s.clean(*m.span("name")) for m in s.find(_NAME)]
    names += [s.clean(m.start(), m.end()) for m in s.find(_SURNAME) if s.clean(m.start(), m.end()) not in names]
    count = int(persons[0].value) if persons else (len(names) or None)
    if count is None:
        return []
    to_party = Party.TW if s.has(_TO_TW) else Party.CN if s.has(_TO_CN) else None
    if to_party is None and "接返" in cue.group() and state.party is not None:
        to_party = state.party
    when = s.date_before(cue.start())
    date_json = when.date.to_json() if when and when.date else None
    when_year = date_json["iso"][:4] if date_json else year
    key = f"repatriation|{count}|{when_year}|{to_party.value if to_party else ''}"
    case = Proposal(
        "case",
        "case|" + key,
        {
            "title": s.clean(s.start, s.end).rstrip("。；;")[:80],
            "kind": s.crime_kind(),
            "joint": True,
            "opened_on": date_json,
            "summary": None,
            "agencies": [],
            "places": [],
        },
        s.span(),
        0.7,
    )
    fields = {
        "case": case.id,
        "count": count,
        "to_party": to_party.value if to_party else None,
        "from_party": to_party.other.value if to_party else None,
        "date": date_json,
        "persons": names,
    }
    unresolved = [] if date_json else ["date: the text gives no date for this repatriation"]
    if to_party is None:
        unresolved.append("to_party: the text does not say to which side")
    return [case, Proposal("repatriation", key, fields, s.span(), 0.75, unresolved)]
