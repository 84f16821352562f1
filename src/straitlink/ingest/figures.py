"""Published figures (totals a document states for a period) and repatriations.

A figure is a count or a weight in a sentence of totals (以來, 累計, 截至, 自…至…止) whose wording names what is
counted (請求互助案件, 毒品案件, 嫌犯, 毒品…公斤). Figures the domain cannot hold as stated — money, cartons
of cigarettes, ships — are left alone rather than forced into a wrong unit; nor is a single seizure ever a
figure. The period ends at the date the text gives (至…止, 截至), else at the date of the figures just before,
else at the document's date; when none is known the figure says so in `unresolved`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from straitlink.domain.agreement import IN_FORCE_ON
from straitlink.domain.dates import PartialDate, Precision
from straitlink.domain.parties import Party
from straitlink.domain.quantity import Dimension, Qualifier, Unit
from straitlink.ingest.dates import DateContext, DateMention
from straitlink.ingest.numbers import DIMENSION, QuantityText, as_json
from straitlink.ingest.proposals import Proposal
from straitlink.ingest.sentences import AGGREGATE, SEIZE, WEAK_TOTALS, DocState, Sentence
from straitlink.ingest.vocabulary import MetricTerm, figure_vocabulary

AGREEMENT_IN_FORCE = IN_FORCE_ON
AGREEMENT_SIGNED = date(2009, 4, 26)
_DOSES = re.compile(r"(?:可供|预估|估计|约可供|足供)[^,，。]{0,6}$")
_LABEL_TAIL = re.compile(r"(?:达|共|计|共计|为|约|已达|高达|逾|超过|累计达|累计)+$")
_SINCE = re.compile(
    r"(?=[协自生实施今本])"  # what a match can start with: a search passes over the rest at C speed
    r"(?:(?P<signed>协议[」』》]?(?:签署|签订)(?:以来|后))"
    r"|(?P<force>(?:协议[」』]?)?自?(?:生效|实施|施行)(?:以来|迄今)|自协议生效|协议(?:生效|实施)后)"
    r"|(?P<year>今年以来|本年以来|今年1月起))"
)
_FROM = re.compile(r"自|从|由")
_REPATRIATED = re.compile(r"遣返|遣送|接返|向(?:台|大陆|陆方|对岸)[^,，。]{0,6}移交")
_MONTH_RANGE = re.compile(r"(?P<a>1[0-2]|[1-9])月?(?:至|到|-|~)(?P<b>1[0-2]|[1-9])月")
_TOTAL_CUES = re.compile(r"共|计|其中|分别|合计|另|联手|累计|双方|两岸|区分|全年|部分[，,:：]")
_JOINT_FIGURE = re.compile(r"两岸|双方|联手|陆方|台方|合作|对岸|大陆|台湾|协议")
_ONE_SIDE = {
    "cases.joint": "cases.one_side",
    "cases.joint_drug": "cases.drug.one_side",
    "seizures.total_weight_kg": "seizures.weight_kg.one_side",
    "suspects.total": "suspects.one_side",
}
_ASKED = re.compile(r"(?P<who>我方|陆方|大陆|台方|台湾)(?:向[^,，。]{1,4})?请求")
_UNTIL = re.compile(r"至|截至|截止|迄|到")
# 「截至」 right before the date, or with 今 and a bracket between: 「協議生效至今(110年5月底)」 gives the cut-off.
_UNTIL_BEFORE = re.compile(r"(?:至|截至|截止|迄|到)(?:今|目前)?[(（]?$")
_BOTH = re.compile(r"双方|两岸")
# Everything up to the last label break (，,；;:：): matched from the quantity backwards in C, not mark by mark.
_TO_LAST_BREAK = re.compile(r".*[，,；;:：]", re.DOTALL)
# The characters _LABEL_TAIL is made of: its match can only start inside a tail of them.
_TAIL_CHARS = frozenset("达共计为约已高逾超过累")


def _period(s: Sentence, state: DocState, doc: PartialDate | None) -> tuple[date | None, date | None, str | None]:
    """(start, end, problem) of the period the sentence's totals cover."""
    start: date | None = None
    end: date | None = None
    if state.last_period is not None and state.continues_totals(s):
        start, end = state.last_period  # 「同期間…」: the period of the totals just told
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
        if _until(s, d) or after.startswith(("止", "为止")):
            end = d.date.latest()
            state.as_of = d.date
        elif _FROM.search(before) or after.startswith(("以来", "起", "生效")):
            start = d.date.earliest()
    for d1, d2 in itertools.pairwise(s.dates):
        if _month_range(s, d1, d2):  # 「本年1月至11月」: the months from the first to the last
            assert d1.date is not None and d2.date is not None
            start, end = start or d1.date.earliest(), end or d2.date.latest()
    head = _heading_date(s)
    if head is not None and head.date is not None and not s.at(head.end, head.end + 2).startswith(("以来", "起")):
        # A year or part of one heading the sentence (去(102)年全年, 本年上半年, 今年1至3月) is the period.
        first, last = heading_period(s, head)
        start, end = start or first, end or last
    problem = None
    if end is not None and doc is not None and doc.day is not None and end > doc.latest():
        end = doc.latest()  # 「今年…」 counted on the day of the document, not to the end of the year
    if end is None:
        if state.as_of is not None:
            end = state.as_of.latest()
        elif doc is not None and doc.day is not None:
            end = doc.latest()
        else:
            problem = "period_end: the text does not say when the totals were counted (give --date)"
    return start, end, problem


def _month_range(s: Sentence, d1: DateMention, d2: DateMention) -> bool:
    """Whether two dates are the ends of a range of whole months (1月至11月), both to the month only."""
    if d1.date is None or d2.date is None or d1.date.precision is not Precision.MONTH:
        return False
    return d2.date.precision is Precision.MONTH and s.at(d1.end, d2.start) in ("至", "到", "-", "~", "—")


def heading_period(s: Sentence, head: DateMention) -> tuple[date, date]:
    """The period a heading names: its year or part of one, or the months after its year (107年1至6月)."""
    assert head.date is not None
    months = _MONTH_RANGE.match(s.block.text, head.end)
    if months and head.date.month is None:
        return date(head.date.year, int(months["a"]), 1), PartialDate(head.date.year, int(months["b"])).latest()
    return head.date.earliest(), head.date.latest()


def _headings(s: Sentence) -> list[DateMention]:
    """Years or parts of years heading the counts after them (前年…，去年…), in order."""
    found = []
    for d in s.dates:
        if d.date is None or d.date.precision is Precision.DAY or (d.date.month is not None and d.date.part is None):
            continue
        before = s.at(max(s.start, d.start - 2), d.start)
        if _UNTIL.search(before) or s.at(d.end, d.end + 2).startswith(("以来", "起")):
            continue
        found.append(d)
    return found


def _until(s: Sentence, d: DateMention) -> bool:
    """Whether a date is the end of a period (至…, 截至…), not the second day of a range (7月16日至17日)."""
    before = s.at(max(s.start, d.start - 5), d.start)
    found = _UNTIL_BEFORE.search(before)
    if found is None:
        return False
    at = d.start - len(before) + found.start()
    return not any(e.end == at for e in s.dates)


def note_cutoff(s: Sentence, state: DocState) -> None:
    """Remember a cut-off date a sentence gives without figures (a table's caption: 「統計至102年12月31日」)."""
    for d in s.dates:
        if d.date is not None and (_until(s, d) or s.at(d.end, d.end + 1) == "止"):
            state.as_of = d.date


def cutoff_in(text: str) -> PartialDate | None:
    """A cut-off date written in a table's own lines (its caption: 「統計至111年3月底」), if any."""
    for m in DateContext().find(text):
        if m.date is not None and _UNTIL_BEFORE.search(text[max(0, m.start - 5) : m.start]):
            return m.date
    return None


def has_zero(s: Sentence) -> bool:
    """Whether the sentence writes a zero in words (掛零), cheaply: most sentences hold no 零 at all."""
    return s.block.text.find("零", s.start, s.end) >= 0 and s.has(figure_vocabulary().zero)


def _heading_date(s: Sentence) -> DateMention | None:
    """The sentence's first date when it is a year or a part of one, written before any figure."""
    counted = s.quantities or _zeros(s)
    if not s.dates or not counted:
        return None
    first = s.dates[0]
    if first.date is None or first.date.precision is Precision.DAY or first.start > counted[0].start:
        return None
    if first.date.month is not None and first.date.part is None:
        return None  # 「本年3月間」 dates an event; a whole month heading totals is rare enough to leave
    return first


def has_period(s: Sentence, state: DocState) -> bool:
    """Whether the sentence gives totals: words of totals, an end date, a period heading it, or a figure list
    continued after an earlier sentence set the period (「二、按請求類型區分，送達文書…件」)."""
    if s.has(AGGREGATE) or any(_until(s, d) for d in s.dates if d.date):
        return True
    if s.has(WEAK_TOTALS) and not (s.kinds("drug") and s.has(SEIZE)):
        return True
    if state.continues_totals(s):
        return True
    if not s.has(_TOTAL_CUES):
        return False
    dated = any(d.date is not None and d.date.precision is Precision.DAY for d in s.dates)
    return (state.as_of is not None and not dated) or _heading_date(s) is not None


def read(s: Sentence, state: DocState, doc: PartialDate | None, used: set[int]) -> list[Proposal]:
    """The published figures in a sentence of totals (has_period); quantities at offsets in `used` are taken."""
    continues = state.continues_totals(s)
    start, end, problem = _period(s, state, doc)
    state.last_totals, state.last_period = s.paragraph, (start, end)
    joint = s.has(_JOINT_FIGURE) or (continues and state.last_joint)
    state.last_joint = joint
    headings = _headings(s)
    direction = _direction(s, state)
    out = []
    vocabulary = figure_vocabulary()
    previous = state.last_metric if continues else None
    for q in [*s.quantities, *_zeros(s, state.last_metric if continues else None)]:
        if q.start in used or q.unit is Unit.DOSE or (q.unit is None and q.unit_text not in vocabulary.item_units):
            continue
        # The words naming what is counted run back to the last comma, past any figure listed before (、).
        last_break = _TO_LAST_BREAK.match(s.block.text, s.start, q.start)
        cut = last_break.end() if last_break is not None else s.start
        found = _metric(s, q, cut, previous)
        if found is None:
            continue
        metric, label_en, label_start, base = found
        # What the next label-less figure takes: the base before any modifier (已完成 → requests.total).
        after_this = base
        if metric == "suspects.total" and _REPATRIATED.search(s.at(cut, q.start)):
            metric, label_en = "repatriations.persons", "persons repatriated"  # 遣返刑事嫌疑犯: counted as returned
            after_this = metric
        elif metric == "suspects.total" and ((previous or "").startswith("fraud.") or "诈骗" in s.at(cut, q.start)):
            metric, label_en = "fraud.suspects", "fraud suspects"  # the suspects of the fraud cases just counted
            after_this = metric
        previous = after_this
        if not joint:
            metric = _ONE_SIDE.get(metric, metric)
        q_start, q_end = start, end
        heading = next((h for h in reversed(headings) if h.end <= q.start), None)
        if heading is not None and len(headings) > 1 and heading.date is not None:
            # 「前年…11件，去年…9件」: each count takes the period heading it, the first one too (the sentence's
            # end may be a later heading's: 「105年…62人，107年1至6月…19人」).
            q_start, q_end = heading_period(s, heading)
            if doc is not None and doc.day is not None:
                q_end = min(q_end, doc.latest())
        figure = _figure(s, q, metric, label_en, min(cut, label_start), q_start, q_end, problem)
        if figure is None:
            continue
        if metric.startswith("requests."):
            figure.fields["direction"] = direction
        out.append(figure)
    state.last_metric = previous
    return out


def _zeros(s: Sentence, previous: str | None = None) -> list[QuantityText]:
    """A zero written in words after its label (「遣返人數掛零」), as a quantity of the unit its label counts; a
    label naming only its period (「107年上半年則掛零」) counts what the figure before it counted."""
    found = []
    metrics = figure_vocabulary().metrics
    for m in s.find(figure_vocabulary().zero):
        last_break = _TO_LAST_BREAK.match(s.block.text, s.start, m.start())
        cut = last_break.end() if last_break is not None else s.start
        # The label, else what the sentence counted before it, else what the sentence before counted.
        best = _best(s.at(cut, m.start()), metrics) or _best(s.at(s.start, cut), metrics)
        term = best[0] if best is not None else next((t for t in metrics if t.metric == previous), None)
        if term is not None and isinstance(term.counts, Dimension):
            unit = _UNIT_OF[term.counts]
            found.append(QuantityText(Decimal(0), None, m.group(), unit, Qualifier.EXACT, m.start(), m.end()))
    return found


def _direction(s: Sentence, state: DocState) -> str | None:
    """Which way requests went: both (雙方, 兩岸相互), or from the side that asked (我方請求陸方協助)."""
    asked = _ASKED.search(s.block.text, s.start, s.end)
    if asked is not None:
        who = asked["who"]
        party = state.party if who == "我方" else (Party.CN if who in ("陆方", "大陆") else Party.TW)
        if party is not None:
            return "tw_to_cn" if party is Party.TW else "cn_to_tw"
    return "both" if s.has(_BOTH) else None


_AFTER = re.compile(r"[^,，；;:：、。]*")
_UNIT_OF = {Dimension.CASE: Unit.CASE, Dimension.PERSON: Unit.PERSON, Dimension.MASS: Unit.KG}


def _fits(counts: Dimension | frozenset[str], unit: Unit | None, unit_text: str) -> bool:
    if isinstance(counts, frozenset):
        return unit_text in counts
    return unit is not None and DIMENSION[unit] is counts


def _best(label: str, terms: Iterable[MetricTerm]) -> tuple[MetricTerm, int, int] | None:
    """The term whose word ends nearest the end of the label (then the longest word, then the first term)."""
    best: tuple[MetricTerm, int, int] | None = None
    for term in terms:
        for m in term.pattern.finditer(label):
            if best is None or (m.end(), m.end() - m.start()) > (best[2], best[2] - best[1]):
                best = (term, m.start(), m.end())
    return best


def _metric(s: Sentence, q: QuantityText, cut: int, previous: str | None) -> tuple[str, str, int, str] | None:
    """(metric, English label, where the label starts, base metric) for a quantity, from the words before it."""
    after = _AFTER.match(s.block.text, q.end, min(s.end, q.end + 8))
    found = metric_of(s.at(cut, q.start), after.group() if after else "", q.unit, q.unit_text, previous)
    return (found[0], found[1], cut + found[2], found[3]) if found is not None else None


def metric_of(
    label: str, after: str, unit: Unit | None, unit_text: str, previous: str | None
) -> tuple[str, str, int, str] | None:
    """(metric, English label, where in the label it starts, base metric) for a number counted in `unit`, from
    the words before it (its label), else those after it, else the base of the figure before (`previous`)."""
    vocabulary = figure_vocabulary()
    modifier = None
    for candidate in vocabulary.modifiers:
        m = candidate.pattern.search(label)
        if m is not None and (candidate.counts is None or unit_text in candidate.counts):
            modifier = (candidate, m.start())
            break
    if modifier is not None and modifier[0].counts is not None:
        terms: Iterable[MetricTerm] = vocabulary.metrics  # a rate: the base is named, whatever its unit
    else:
        terms = [t for t in vocabulary.metrics if _fits(t.counts, unit, unit_text)]
    found = _best(label, terms)
    if found is None and modifier is None:
        # The label after its number (「破獲4件毒品案」), else what the figure before counted (「去年破獲9件」).
        later = _best(after, terms) if after else None
        if later is not None:
            return later[0].metric, later[0].label_en, 0, later[0].metric
        term = next((t for t in vocabulary.metrics if t.metric == previous), None)
        if term is None or not _fits(term.counts, unit, unit_text):
            return None
        return term.metric, term.label_en, 0, term.metric
    base = found[0].metric if found else previous
    if base is None:
        return None
    metric, label_en = base, found[0].label_en if found else base
    start = found[1] if found else len(label)
    if modifier is not None:
        modified = modifier[0].apply(base)
        if modified is not None:
            metric, label_en = modified, f"{label_en}: {modifier[0].label_en}" if found else modifier[0].label_en
            start = min(start, modifier[1])
    elif found is None:
        return None
    return metric, label_en, start, base


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
