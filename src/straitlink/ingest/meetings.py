"""Meetings, talks, seminars and visits, with their host, participants, places and decisions.

The kind comes from the word the text uses (GLOSSARY.md): 聯繫協調會報 → liaison_coordination, 工作會談 →
working_talks, 研討會 → seminar, 實地瞭解/考察 → field_visit, 研商會議/專案會議 → case_conference, a
會報 such as 「毒品防制會報」 → policy_meeting. Decisions are what the meeting agreed (達成……等共識) or
directed (將……列為……), split where the text lists them with 、.
"""

from __future__ import annotations

import re
from typing import Any

from straitlink.domain.meetings import MeetingKind
from straitlink.ingest.dates import cn_small
from straitlink.ingest.gazetteer import Gazetteer
from straitlink.ingest.proposals import Proposal
from straitlink.ingest.sentences import Sentence, agency_mentions, at_place, cue, most_specific

_KINDS: tuple[tuple[re.Pattern[str], MeetingKind], ...] = (
    (re.compile(r"联系协调会报|联系协调会议|联系协调会"), MeetingKind.LIAISON_COORDINATION),
    (re.compile(r"工作会谈|工作会晤|业务会谈|工作会商"), MeetingKind.WORKING_TALKS),
    (re.compile(r"研讨会|座谈会|论坛|研习会|交流会"), MeetingKind.SEMINAR),
    (re.compile(r"实地了解|实地瞭解|实地考察|实地解|实地访查|实地参访|参访|考察访问"), MeetingKind.FIELD_VISIT),
    (re.compile(r"研商会议|专案会议|案情研商会|协调会议"), MeetingKind.CASE_CONFERENCE),
    (re.compile(r"[\u4e00-\u9fff]{2,6}会报"), MeetingKind.POLICY_MEETING),
)
ANY = re.compile("|".join(pattern.pattern for pattern, _ in _KINDS))
# ANY, cheaply: the other kinds' words are literal (one cue, skipped over in C); the policy meeting's pattern
# starts at any Chinese character, so it runs only over a sentence that holds 会报 at all.
_WORDS = cue("|".join(pattern.pattern for pattern, _ in _KINDS[:-1]))
_POLICY = _KINDS[-1][0]
_GENERIC = re.compile(r"多次|多场|历次|历届|每年|定期|多轮|数次|各项|持续|推动|加强|未来|继续|常态")
_GENERIC_AFTER = re.compile(r"[」”》]?(?:和|及|与|、)(?:互访|交流|参访|考察|拜会)")
_TOPIC = re.compile(r"[^,，。；;]{0,12}?[」”》』]?(?:为题|为主题|一文|一书)")
_ONE_SIDE = re.compile(
    r"(?:台湾|台方|陆方|大陆|对岸|我方|本方|双方之一)(?:方面)?[^,，。；;]{0,6}?"
    r"(?:未派员|未能派员|未出席|缺席|未参加|未能出席|未与会)"
)
_VERBS = re.compile(r"召开|举办|举行|进行|邀集|邀同|组团|率团|主办|出席|参加|赴|深入|前往|于")
_SEQUENCE = re.compile(r"第([0-9]{1,3}|[一二三四五六七八九十]{1,3})(?:次|届)")
_HOSTED_BY = re.compile(r"(?:主办|主持|承办)")
_ARRANGED = re.compile(r"之?(?:联系|协调)?安排下")
_AGREED = re.compile(r"达成(?P<list>[^。；;]+?)等?共识")
_DIRECTED = re.compile(r"将(?P<what>[^,，。；;]{2,40}?)列为(?P<as>[^,，。；;]{2,40})")
_CLAUSE_END = re.compile(r"[，,；;:：]")
_TRAVEL = re.compile(r"赴|前往|深入|访问|率团")
_HOSTS = re.compile(r"(?:特别|再度|随即|亦|并)?(?:召开|举办|举行|主办|邀集|邀同|组团|率团|于|在)")
_OTHER_SIDE = re.compile(r"陆方|大陆[^,，。]{0,8}人员|公安|台方|台湾[^,，。]{0,8}人员|海峡对岸|对岸")


def mentioned(s: Sentence) -> bool:
    """Whether the sentence has a meeting word (what ANY matches), for skipping read() on most sentences."""
    text, a, b = s.block.text, s.start, s.end
    # Each meeting word holds 会, 坛, 地 or 访: a sentence holding none of them (most) needs no regex search.
    if text.find("会", a, b) < 0 and text.find("地", a, b) < 0 and text.find("访", a, b) < 0:
        return text.find("坛", a, b) >= 0 and s.has(_WORDS)
    return s.has(_WORDS) or (text.find("会报", a, b) >= 0 and s.has(_POLICY))


def read(s: Sentence, gazetteer: Gazetteer, year: int | None, denied: set[str] | None = None) -> list[Proposal]:
    """The meetings and visits one sentence tells (usually none, at most one of each kind). A meeting the text
    says the other side did not attend is no meeting of the mechanism: its kind goes into `denied`, so that a
    headline naming it is withdrawn too."""
    out: list[Proposal] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in _KINDS:
        for m in s.find(pattern):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            if kind is MeetingKind.POLICY_MEETING and not _quoted(s, m.start(), m.end()):
                continue  # a bare 會報 is too common a word; a named one 「毒品防制會報」 is a meeting
            if kind is MeetingKind.FIELD_VISIT and not s.has(_TRAVEL, s.start, m.start()):
                continue
            if _GENERIC.search(s.at(max(s.start, m.start() - 8), m.start())) or _GENERIC_AFTER.match(
                s.block.text, m.end()
            ):
                continue  # 「進行了多次工作會談」, 「推動工作會晤和互訪」 tell of meetings in general, not of one
            if _TOPIC.match(s.block.text, m.end()) or _in_title(s, m.start()):
                continue  # 「以《…研討會的回顧》為題」: a paper's topic, not a meeting
            if _ONE_SIDE.search(s.block.text, s.start, _paragraph_end(s)):
                if denied is not None:
                    denied.add(kind.value)
                continue  # 「台灣方面因故未派員出席」: only one side met
            taken.append(m.span())
            out.append(_meeting(s, gazetteer, kind, m, year))
            break
    return out


def _paragraph_end(s: Sentence) -> int:
    end = s.block.text.find("\n", s.end)
    return len(s.block.text) if end < 0 else end


def _in_title(s: Sentence, pos: int) -> bool:
    """Whether a position is inside a book's or a paper's title (《…》)."""
    text = s.block.text
    return text.rfind("《", s.start, pos) > text.rfind("》", s.start, pos)


def _quoted(s: Sentence, a: int, b: int) -> bool:
    text = s.block.text
    return text.rfind("「", s.start, a) > text.rfind("」", s.start, a) and "」" in text[b : b + 2]


def _title(s: Sentence, kind: MeetingKind, m: re.Match[str]) -> tuple[int, int]:
    """Where the meeting's name is written: the quoted name around the keyword, else the phrase ending in it."""
    text = s.block.text
    if _quoted(s, m.start(), m.end()):
        return text.rfind("「", s.start, m.start()) + 1, text.find("」", m.end())
    if kind is MeetingKind.FIELD_VISIT:
        return m.start(), s.clause(m.start())[1]
    verbs = [v.end() for v in s.find(_VERBS, s.clause(m.start())[0], m.start())]
    start = verbs[-1] if verbs else s.clause(m.start())[0]
    return start, m.end()


def _decisions(s: Sentence) -> list[str]:
    found: list[str] = []
    for m in s.find(_AGREED):
        pos = m.start("list")
        for piece in re.split(r"、", m["list"]):
            if piece.strip():
                found.append(s.clean(pos, pos + len(piece)))
            pos += len(piece) + 1
    for m in s.find(_DIRECTED):
        found.append(s.clean(m.start(), m.end()))
    return found


def _meeting(s: Sentence, gazetteer: Gazetteer, kind: MeetingKind, m: re.Match[str], year: int | None) -> Proposal:
    t0, t1 = _title(s, kind, m)
    title = s.clean(t0, t1)
    title = title.lstrip("的之")
    seq_match = _SEQUENCE.search(s.at(max(s.start, t0 - 8), t1))
    sequence = cn_small(seq_match.group(1)) if seq_match else None
    after = [d for d in s.dates if m.end() <= d.start <= m.end() + 4 and not s.dateline(d)]
    when = after[0] if after else s.date_before(m.start())
    agencies = agency_mentions(s)
    arranged = next((a for a in agencies if _ARRANGED.match(s.block.text, a.end)), None)
    host = arranged or next((a for a in agencies if a.start < m.start() and _hosts(s, a.end)), None)
    # 「…工作会谈19日在福州举行，由公安部主办」: the host named after the meeting, as 由…主办.
    host = host or next(
        (
            a
            for a in agencies
            if a.start > m.start() and _HOSTED_BY.match(s.block.text, a.end) and s.at(a.start - 1, a.start) == "由"
        ),
        None,
    )
    if host is None and agencies and agencies[0].start < m.start():
        host = agencies[0]
    participants: list[str] = []
    for a in agencies:
        if (host is None or a.id != host.id) and a.id not in participants:
            participants.append(a.id)
    places = most_specific(gazetteer, _where(s))
    parties = {a.party for a in agencies} | {gazetteer.party_of("place", p) for p in places}
    cross = (len({p for p in parties if p}) == 2) or s.has(_OTHER_SIDE)
    fields: dict[str, Any] = {
        "kind": kind.value,
        "title": title or s.clean(m.start(), m.end()),
        "date": when.date.to_json() if when and when.date else None,
        "sequence": sequence,
        "places": places,
        "host": host.id if host else None,
        "participants": participants,
        "decisions": _decisions(s),
        "cross_strait": cross,
    }
    unresolved = []
    if fields["date"] is None:
        unresolved.append(f"date: {when.problem}" if when and when.problem else "date: not stated")
    if host is None:
        unresolved.append("host: the text names no host")
    if sequence is not None:
        key = f"meeting|{kind.value}|{sequence}"
    else:
        when_key = fields["date"]["iso"] if fields["date"] else str(year or "")
        key = f"meeting|{kind.value}|{when_key[:7]}|{','.join(places)}"
    confidence = 0.9 - 0.1 * len(unresolved)
    return Proposal("meeting", key, fields, s.span(), confidence, unresolved)


def _where(s: Sentence) -> list[Any]:
    """Places the meeting was held at or the visit went to: after 在/于, or after 赴/深入 in the same clause."""
    chosen: list[Any] = []
    travel = []
    for m in s.find(_TRAVEL):
        stop = next((x.start() for x in s.find(_CLAUSE_END, m.end(), s.end)), s.end)
        travel.append((m.end(), stop))
    for p in s.kinds("place"):
        if _is_origin_note(s, p.start):
            continue
        before = s.at(max(s.start, p.start - 2), p.start)
        after_travel = any(a <= p.start and p.end <= b for a, b in travel)
        adjacent = bool(chosen) and s.at(chosen[-1].end, p.start) in ("", "、", "及", "和", "与")
        if after_travel or adjacent or at_place(before):
            chosen.append(p)
    return chosen


def _hosts(s: Sentence, pos: int) -> bool:
    return _HOSTS.match(s.block.text, pos) is not None  # matched in place: slicing would copy the rest of the block


def _is_origin_note(s: Sentence, pos: int) -> bool:
    # A place inside a parenthesis is an aside (金三角(大陸鄰近阿富汗周邊)), not where the meeting was.
    text = s.block.text
    return text.rfind("(", s.start, pos) > text.rfind(")", s.start, pos)
