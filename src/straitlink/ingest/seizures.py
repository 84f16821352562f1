"""Seizures: a drug from the catalogue next to a weight or a count, in a sentence that seizes or smuggles.

"K他命毒品500公斤", "氯胺酮353千克", "600塊海洛因(毛重229公斤)" (two quantities of one seizure: 600 blocks, and
229 kg gross), "K他命123公斤、麻黃素20公斤及嫌犯4人" (two seizures, four suspects in their case). A sentence of
totals (以來, 累計) seizes nothing: its figures are published figures. Each sentence of seizures is one case
(cases.py), with the intel that led to it (intel.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from straitlink.domain.dates import PartialDate
from straitlink.domain.quantity import Basis, Dimension, Unit
from straitlink.ingest import cases, intel
from straitlink.ingest.gazetteer import Gazetteer, Mention
from straitlink.ingest.numbers import DIMENSION, QuantityText, as_json
from straitlink.ingest.proposals import Proposal, proposal_id
from straitlink.ingest.sentences import (
    AGGREGATE,
    ARREST,
    CROSS,
    HANDOVER,
    SEIZE,
    SMUGGLE,
    SUSPECT,
    DocState,
    Sentence,
    places_at,
)

_SEIZED_UNITS = {Unit.KG, Unit.G, Unit.T, Unit.BLOCK, Unit.TABLET, Unit.PACKET}
# Between a drug and its weight: 毒品, 共計, 毛重, brackets around another name of it (甲基苯丙胺（冰毒）42.6千克).
_GAP_BEFORE = re.compile(
    r"(?:[,，](?=毛重|净重|总重|重达|共计|合计))?"  # 「海洛因六百塊，毛重二百二十九公斤」: a figure after a comma
    r"(?:毒品|成品|半成品|粉末|晶体|砖|共|计|共计|合计|达|重|重达|总重|净重|毛重|计有|[(（)）]"
    r"|[0-9一二三四五六七八九十]+(?:批|袋|箱|件|个))*"  # 「安非他命2批共計48公斤」: the parts before the weight
)
_GAP_AFTER = re.compile(r"(?:的|之|重的)?")
_BASIS = re.compile(r"(毛重|净重)[)）]?$")
_BASIS_AFTER = re.compile(r"[(（]?(毛重|净重)")
_LAUNCH = re.compile(r"(?:展开|发动|启动|执行|实施|开展)[^,，。；;]{0,24}?(?:行动|专案)")
# 「本案係…」, 「海巡隊指出，本案係…」, 「據了解，該案線索…」, 「此前，台灣方面…通報相關線索」: a sentence telling more
# of the case just told.
_ANAPHORA = re.compile(
    r"(?:[一二三四五六七八九十]+、)?(?:[^，,。；;]{1,8}[，,])?(?:本案|该案|此案|全案|案经|此前|先前)"
)
# A sentence telling more of the drugs just seized (「該批毒品係於5月14日在高雄港…起出」): their date and place.
_SAME_DRUGS = re.compile(r"(?:该批|此批|这批|上述|上开|前述|该)(?:毒品|货物|海洛因|冰毒|安非他命|k他命)")
# A seizure made at the same time as the one just told (同步, 同日): dated by it.
_SAME_TIME = re.compile(r"(?:同步|同时|同日|当日|当天)")
_SUSPECT_BEFORE = re.compile(
    rf"(?:{SUSPECT.pattern})(?:[\u4e00-\u9fff](?:姓(?:男子|女子|嫌犯)?|某))?(?:共|计|等|计有|共计)?$"
)  # 嫌犯共|4人, 嫌犯陳姓男子等|2人  # 嫌犯共|4人: compiled once
_ARRESTED_AFTER = re.compile(r"(?:当场|均|全数|一并)?(?:被捕|被逮捕|被抓获|落网|到案|被查获)")
# 「船長及3名船員移送法辦」: a crew counted beside its master, handed to the prosecutors, are the suspects (3 + 1).
_CREW = re.compile(r"船员|船工|渔工|同伙|共犯|马仔")
_LEADER_AND = re.compile(r"(?:船长|主嫌|主谋|首脑|[\u4e00-\u9fff]姓(?:男子|女子|船长))(?:及|与|和|、)$")
_HANDED_ON = re.compile(r"移送|送办|法办|羁押|逮捕|拘提")
# A date told after the seizure, as its time: 「時間為本月7日」, 「時為…」, 「係於…」.
_TIME_IS = re.compile(r"(?:时间为|时间是|时间在|时为|系于|是在|时间)$")
_CONTINUES = re.compile(r"(?:另|并|同时|此外|随后|其中|该案|此案|本案|警方并|警方另)")


@dataclass
class _Group:
    """One drug in a sentence with every quantity written for it."""

    drug: Mention
    quantities: list[tuple[QuantityText, Basis]] = field(default_factory=list)

    @property
    def start(self) -> int:
        return min(self.drug.start, *(q.start for q, _ in self.quantities))

    @property
    def end(self) -> int:
        return max(self.drug.end, *(q.end for q, _ in self.quantities))


def _basis(s: Sentence, q: QuantityText, gap: str) -> Basis:
    found = _BASIS.search(gap) or _BASIS.search(s.at(max(s.start, q.start - 3), q.start))
    found = found or _BASIS_AFTER.match(s.block.text, q.end)
    if found is None:
        return Basis.UNSTATED
    return Basis.GROSS if found.group(1) == "毛重" else Basis.NET


def _groups(s: Sentence) -> list[_Group]:
    """Drugs with the quantities written next to them, in the order the text gives them."""
    drugs = s.kinds("drug")
    groups: dict[int, _Group] = {}
    for q in s.quantities:
        if q.unit not in _SEIZED_UNITS:
            continue
        dimension = DIMENSION[q.unit]
        before = next((d for d in reversed(drugs) if d.end <= q.start), None)
        after = next((d for d in drugs if d.start >= q.end), None)
        # A second figure for the same drug follows the first (海洛因24塊(淨重8.4公斤)): measure from the first.
        listed = groups.get(before.start) if before else None
        since = max([before.end] + [x.end for x, _ in listed.quantities]) if before and listed else None
        gap_b = s.at(since if since is not None else before.end, q.start) if before else ""
        ok_b = before is not None and len(gap_b) <= 8 and _GAP_BEFORE.fullmatch(gap_b) is not None
        ok_a = after is not None and _GAP_AFTER.fullmatch(s.at(q.end, after.start)) is not None
        # A count comes before its drug (600塊海洛因); a weight usually after it (K他命500公斤).
        drug = after if ok_a and (dimension is not Dimension.MASS or not ok_b) else (before if ok_b else None)
        if drug is None:
            continue
        group = groups.setdefault(drug.start, _Group(drug))
        dims = {DIMENSION[x.unit] for x, _ in group.quantities if x.unit is not None}
        if dimension is not Dimension.MASS and dimension in dims:
            continue
        basis = _basis(s, q, gap_b if drug is before else "") if dimension is Dimension.MASS else Basis.UNSTATED
        group.quantities.append((q, basis))
    return sorted(groups.values(), key=lambda g: g.start)


def _closing(s: Sentence, a: int, b: int) -> int:
    """b, or just past the parenthesis that closes one opened in text[a:b] (「600塊海洛因(毛重229公斤)」)."""
    text = s.at(a, b)
    if text.count("(") + text.count("（") > text.count(")") + text.count("）") and s.at(b, b + 1) in (")", "）"):
        return b + 1
    return b


def _verb(s: Sentence, pos: int) -> int | None:
    """Where the sentence says what was seized: the last seizure or smuggling word before pos, else after it."""
    before = [m.start() for m in s.find(SEIZE, s.start, pos)] or [m.start() for m in s.find(SMUGGLE, s.start, pos)]
    if before:
        return before[-1]
    after = s.find(SEIZE, pos, s.end)
    return after[0].start() if after else None


def _date(s: Sentence, verb: int) -> tuple[PartialDate | None, str | None]:
    """The seizure's date: the nearest date before its verb, passing over one that dates an operation's launch
    (「於同年9月底展開…行動」 dates the operation; the item's own 「102年9月27日」 dates the case and its seizure).
    An intel hand-over's date does date what was seized on it (「5月底提供陸方情資，使陸方得以循線…查獲」)."""
    candidates = [d for d in s.dates if s.start <= d.start and d.end <= verb and not s.dateline(d)]
    launched = None
    for i in range(len(candidates) - 1, -1, -1):
        d = candidates[i]
        if i > 0 and candidates[i - 1].end + 1 == d.start and s.at(d.start - 1, d.start) in ("至", "到", "-", "~"):
            continue  # 「7月16日至17日」: the range's first day dates it
        _, b = s.clause(d.end)
        if s.at(d.end, b).strip("于在 ") == "" and b < s.end:
            b = s.clause(b + 1)[1]  # a date standing alone heads the clause after it
        if _LAUNCH.search(s.at(d.end, min(verb, b))):
            launched = launched or d
            continue
        if d.date is None:
            return None, f"date: {d.problem}"
        return d.date, None
    if launched is not None and launched.date is not None:
        return launched.date, None  # no date of its own: the operation it was seized in dates it
    for d in s.dates:  # 「起出愷他命215公斤，時間為本月7日凌晨」: the date told after what was seized
        if d.start > verb and d.date is not None and not s.dateline(d) and _TIME_IS.search(s.at(d.start - 4, d.start)):
            return d.date, None
    return None, "date: the text gives no date for this seizure"


def suspects(s: Sentence) -> tuple[int | None, bool, list[QuantityText]]:
    """How many suspects the sentence counts (嫌犯4人, 4名犯罪嫌疑人), and whether caught in the act (現行犯)."""
    for q in s.quantities:
        if q.unit is not Unit.PERSON:
            continue
        before = s.at(max(s.start, q.start - 10), q.start)
        after = s.at(q.end, q.end + 6)
        noun = _SUSPECT_BEFORE.search(before) or SUSPECT.match(after)
        # 「逮捕船長等4人」, 「船長蔡姓男子等3人當場被捕」: persons counted beside an arrest are its suspects.
        noun = noun or _ARRESTED_AFTER.match(after) or ARREST.search(before)
        if noun:
            return int(q.value), "现行犯" in before + after, [q]
        if _CREW.match(after) and s.has(_HANDED_ON):
            return int(q.value) + bool(_LEADER_AND.search(before)), False, [q]
    return None, False, []


def read(
    s: Sentence, gazetteer: Gazetteer, state: DocState, doc_year: int | None, *, totals: bool = False
) -> list[Proposal]:
    """Every seizure, case, operation, intel hand-over, outcome and arrest one sentence tells."""
    out: list[Proposal] = []
    if state.last_told is not None and _SAME_DRUGS.match(s.text):
        _complete(s, gazetteer, state.last_told[1])  # 「該批毒品係於5月14日在高雄港…起出」
        return out
    drugs = any(m.kind == "drug" for m in s.mentions)
    if not drugs and not any(q.unit is Unit.PERSON for q in s.quantities) and not s.has(HANDOVER):
        return out  # no drug, no one counted, no intel: nothing here for this reader
    handovers = intel.find(s, state)
    groups = [] if s.has(AGGREGATE) else _groups(s)
    found = [(g, verb) for g in groups if (verb := _verb(s, g.start)) is not None]
    count, caught, _ = suspects(s)
    seized = [p for g, verb in found if (p := _seizure(s, gazetteer, g, verb, count, caught, doc_year))]
    if not seized and state.last_told is not None and _ANAPHORA.match(s.text):
        # 「本案係大陸公安部…提供之線索，經兩岸警方密切合作始告偵破」 tells more of the case just told.
        told, told_seizures = state.last_told
        if handovers or s.has(CROSS):
            told.fields["joint"] = True
        for role in cases.roles(s, gazetteer, handovers):
            known = next((r for r in told.fields["agencies"] if r["agency"] == role["agency"]), None)
            if known is None:
                told.fields["agencies"].append(role)
            elif known["role"] == "participating":
                known["role"] = role["role"]  # 「本案…報請桃園地檢署檢察官指揮偵辦」: what it did in the case
        out.extend(intel.proposals(s, state, handovers, told.id, told_seizures, doc_year, earlier=True))
        return out
    if not seized:
        cases.note_directing(s, gazetteer, state)
        out.extend(intel.proposals(s, state, handovers, None, [], doc_year))
        if count and s.has(ARREST) and not totals:
            out.extend(cases.arrest(s, gazetteer, state, count, caught, doc_year))
        return out
    if state.last_told is not None and _SAME_TIME.search(s.text):  # 「陸方據以於同日在泉州市破獲…」 too
        for p in seized:
            if p.fields["date"] is None and state.last_told[1] and state.last_told[1][0].fields["date"]:
                p.fields["date"] = state.last_told[1][0].fields["date"]
                p.unresolved = [u for u in p.unresolved if not u.startswith("date:")]
    case_key = "case|" + seized[0].key
    the_case = None
    if state.last_case and state.last_case[1] == s.paragraph and _CONTINUES.match(s.text):
        case_key = state.last_case[0]  # 「另在其住處查獲…」 goes on with the case just told
    else:
        the_case = cases.case(s, gazetteer, state, case_key, seized, handovers)
        out.append(the_case)
        state.last_told = (the_case, seized)
    state.last_case = (case_key, s.paragraph)
    case_id = proposal_id("case", case_key)
    for p in seized:
        p.fields["case"] = case_id
    op = cases.operation(s, case_key, the_case)
    if op is not None:
        out.append(op)
        for p in seized:
            p.fields["operation"] = op.id
    out.extend(seized)
    out.extend(intel.proposals(s, state, handovers, case_id, seized, doc_year))
    for v in s.vessels:
        intel_id = state.pending_intel.pop(v.name, None)
        if intel_id is not None:
            out.append(intel.outcome(s, intel_id, case_id, seized, "intel named this vessel"))
    return out


def tells_more(s: Sentence, state: DocState) -> bool:
    """Whether the sentence tells more of the drugs just seized (「該批毒品係於…起出」)."""
    return state.last_told is not None and _SAME_DRUGS.match(s.block.text, s.start) is not None


def _complete(s: Sentence, gazetteer: Gazetteer, seized: list[Proposal]) -> None:
    """Fill in the date and place a sentence about the drugs just seized gives, where they lacked them."""
    verb = _verb(s, s.end)
    at = s.end if verb is None else verb
    when, _ = _date(s, at)
    places = places_at(s, gazetteer, at)
    for p in seized:
        if p.fields["date"] is None and when is not None:
            p.fields["date"] = when.to_json()
            p.unresolved = [u for u in p.unresolved if not u.startswith("date:")]
        if p.fields["place"] is None and places:
            p.fields["place"] = places[-1]
            p.unresolved = [u for u in p.unresolved if not u.startswith("place:")]


def _seizure(
    s: Sentence, gazetteer: Gazetteer, g: _Group, verb: int, count: int | None, caught: bool, year: int | None
) -> Proposal | None:
    unresolved: list[str] = []
    quantities = [found for q, basis in g.quantities if (found := as_json(q, basis=basis)) is not None]
    if not quantities:
        return None
    when, problem = _date(s, verb)
    if problem:
        unresolved.append(problem)
    places = places_at(s, gazetteer, verb)
    if not places:
        unresolved.append("place: the text names no place for this seizure")
    if count is None:
        unresolved.append("suspects: not stated")
    first = g.quantities[0][0]
    # Masses go into the key in grams, so 1.36 t and 1,360 kg of the same drug are one seizure.
    grams = {Unit.KG: 1000, Unit.T: 1_000_000}.get(first.unit) if first.unit else None
    figure = f"{(first.value * grams).normalize():f}g" if grams else f"{first.value.normalize():f}{first.unit}"
    key = f"seizure|{g.drug.id}|{figure}|{(when.year if when else year) or ''}"
    if when is not None and when.day is not None:
        key += f"|{when.iso}"  # equal amounts seized on different days are different seizures
    fields: dict[str, Any] = {
        "drug": g.drug.id,
        "quantities": quantities,
        "date": when.to_json() if when else None,
        "place": places[-1] if places else None,
        "case": None,
        "operation": None,
        "description": s.clean(min(verb, g.start), _closing(s, min(verb, g.start), g.end)),
        "containers": [],
        "suspects": count,
        "caught_in_act": caught,
    }
    gap = g.start - verb if verb < g.start else 0
    confidence = 0.95 - (0.1 if gap > 40 else 0) - 0.05 * len(unresolved)
    return Proposal("seizure", key, fields, s.span(min(verb, g.start), g.end), confidence, unresolved)
