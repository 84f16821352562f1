"""Repatriations and transfers of persons across the Strait (遣返, 遣送, 押解回台, 移送回台, 向台方移交), told as
events.

The count is the persons counted beside the verb, else the persons named (林姓, 張○○, 王某). The direction comes
from the wording: where the persons go (遣返回台, 遣返金門, 向大陸遣返, 遣送…回台), a place named right after the
verb, or a side word (陸方遣返 → from the mainland, when the document speaks for the other side). What only
retells a hand-over already told — its parts (第1批9人), or the same persons named again — is no new event.
"""

from __future__ import annotations

import re

from straitlink.domain.parties import Party
from straitlink.domain.quantity import Unit
from straitlink.ingest.gazetteer import Gazetteer
from straitlink.ingest.proposals import Proposal
from straitlink.ingest.sentences import AGGREGATE, REPATRIATE, DocState, Sentence

_TO_TW = re.compile(
    r"遣返回台|遣送回台|押解回台|押返台|遣返台湾|返台|回台受审|遣返来台|解送回台|移送回台|押送回台|遣返我方|回台"
)
_TO_CN = re.compile(r"遣返大陆|遣返回大陆|遣送回大陆|押返大陆|遣返陆方|返回大陆|遣返对岸|押解至大陆|遣送大陆")
# 「向大陸遣返」, 「向臺灣遣返」: the side after 向 receives.
_TOWARDS = re.compile(r"向(?P<to>大陆|陆方|对岸|台湾|台方|我方)(?:方面)?(?:[^,，。；;]{0,12}?)(?:遣返|遣送|移交|押解)")
_SURNAME = re.compile(r"(?<![百])[\u4e00-\u9fff]姓(?=[、,，等及和与男女嫌通])")
_NAME = re.compile(
    r"(?:通缉犯|嫌犯|犯罪嫌疑人|逃犯|要犯)(?P<name>[\u4e00-\u9fff]{1}[某姓][\u4e00-\u9fff]?|[\u4e00-\u9fff]{2,3}?)"
    r"(?=[,，、等及和与(（]|$)"
)
# A name masked as releases write it: 張○○, 林〇〇, 王某 (after a noun for a person, 將/把, or a mark).
_MASKED = re.compile(r"(?<=[人犯将把之的、，,：:])[\u4e00-\u9fff](?:[○〇Ｏ◯]{1,2}|某(?![地日时处些种]))")
# A sentence telling the parts of a hand-over already told (本次遣返分3批執行，第1批9人…).
_PARTS = re.compile(r"(?:本次|此次|该次|这次|其中|第[0-9一二三四五六七八九十]+批)")
_SPLIT = re.compile(r"分[0-9一二三四五六七八九十]+批")
_SIDES = {"大陆": Party.CN, "陆方": Party.CN, "台湾": Party.TW, "台方": Party.TW}


def _names(s: Sentence) -> list[str]:
    names = [s.clean(*m.span("name")) for m in s.find(_NAME)]
    for pattern in (_SURNAME, _MASKED):
        for m in s.find(pattern):
            name = s.clean(m.start(), m.end())
            if name not in names and not any(name in n or n in name for n in names):
                names.append(name)
    return names


def _direction(s: Sentence, gazetteer: Gazetteer, cue: re.Match[str], state: DocState) -> Party | None:
    """Where the persons go, from the words of the sentence."""
    towards = _TOWARDS.search(s.block.text, s.start, s.end)
    if towards is not None:
        word = towards["to"]
        if word == "对岸":
            return state.party.other if state.party is not None else None
        return state.party if word == "我方" else _SIDES[word]
    if s.has(_TO_TW):
        return Party.TW
    if s.has(_TO_CN):
        return Party.CN
    # 「遣返金門」, 「遣送至廈門」: the place named right after the verb.
    after = next((m for m in s.kinds("place") if 0 <= m.start - cue.end() <= 1), None)
    if after is not None and after.party is not None:
        return after.party
    if "接返" in cue.group() and state.party is not None:
        return state.party
    return None


def _retold(state: DocState, count: int, to: Party | None) -> bool:
    """Whether an undated hand-over only retells those told (a headline: the same persons, or their sum over
    several hand-overs: 「本月兩批共14人」 over 9 and 5)."""
    told = state.repatriations
    same = any(c == count and (to is None or t in (None, to.value)) for c, t in told)
    return same or (len(told) > 1 and sum(c for c, _ in told) == count)


def retold(headline: Proposal, state: DocState) -> bool:
    """Whether a headline's undated hand-over only retells, or sums, those the body told."""
    date = headline.fields["date"]
    if date is not None and date["precision"] == "day":
        return False
    told = list(state.repatriations)
    own = (headline.fields["count"], headline.fields["to_party"])
    if own in told:
        told.remove(own)  # the headline's own telling, counted when it was read
    count = headline.fields["count"]
    return any(c == count for c, _ in told) or (len(told) > 1 and sum(c for c, _ in told) == count)


def read(s: Sentence, gazetteer: Gazetteer, state: DocState, year: int | None) -> list[Proposal]:
    """Persons handed back across the Strait, when the sentence tells one event rather than a total."""
    cue = next(iter(s.find(REPATRIATE)), None)
    if cue is None or s.has(AGGREGATE):
        return []
    persons = [q for q in s.quantities if q.unit is Unit.PERSON and abs(q.start - cue.start()) < 24]
    names = _names(s)
    told = state.last_repatriation
    if told is not None and s.paragraph - told[0] <= 1:
        if _PARTS.match(s.text) or s.has(_SPLIT):
            return []  # the parts of the hand-over just told
        if names and not persons and all(n in told[1] for n in names):
            return []  # the same persons again: the same hand-over told a second time
    count = int(persons[0].value) if persons else (len(names) or None)
    if count is None:
        return []
    to_party = _direction(s, gazetteer, cue, state)
    if to_party is None and cue.group() == "移交":
        return []  # 移交 hands persons to prosecutors as often as across the strait: only with a side named
    when = s.date_before(cue.start())
    vague = when is None or when.date is None or when.date.day is None  # a headline's 「本月」 at most
    if vague and _retold(state, count, to_party):
        return []
    state.last_repatriation = (s.paragraph, names)
    if len(state.repatriations) < 1000:
        state.repatriations.append((count, to_party.value if to_party else None))
    date_json = when.date.to_json() if when and when.date else None
    when_year = date_json["iso"][:4] if date_json else year
    key = f"repatriation|{count}|{when_year}|{to_party.value if to_party else ''}"
    if when is not None and when.date is not None and when.date.day is not None:
        key += f"|{when.date.iso}"  # two hand-overs of as many persons on different days are two events
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
