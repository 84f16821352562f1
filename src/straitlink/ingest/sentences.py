"""A sentence of folded text with everything found in it: names, dates, quantities, vessels, and cue words.

The readers of events (seizures, meetings, figures) work on Sentence objects; offsets are those of the block's
folded text, and `span()` turns them into a Span of the original document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from straitlink.domain.dates import PartialDate
from straitlink.domain.parties import Party
from straitlink.ingest.dates import DateContext, DateMention
from straitlink.ingest.folding import Folded
from straitlink.ingest.gazetteer import Gazetteer, Mention, NewAgency, VesselMention
from straitlink.ingest.numbers import QuantityText, quantities
from straitlink.ingest.proposals import Proposal, Span

# A cue's first characters, by its pattern text, when they are few: a sentence holding none of them cannot match,
# and str.find says so in a fraction of the time a regex search takes to start (most sentences hold none).
_LEADS: dict[str, str] = {}


def cue(words: str) -> re.Pattern[str]:
    """A pattern for literal words joined by |, led by a test of their first characters so that a search
    passes over the other characters at C speed."""
    alternatives = words.split("|")
    first = "".join(sorted({w[0] for w in alternatives}))
    pattern = re.compile(f"(?=[{re.escape(first)}])(?:{'|'.join(re.escape(w) for w in alternatives)})")
    if len(first) <= 3:
        _LEADS[pattern.pattern] = first
    return pattern


def _absent(text: str, leads: str, a: int, b: int) -> bool:
    """Whether none of the characters `leads` occurs in text[a:b]."""
    for ch in leads:  # noqa: SIM110 - a plain loop: no generator to make for one to three characters
        if text.find(ch, a, b) >= 0:
            return False
    return True


# Cue words, in folded (Simplified) script.
SEIZE = cue("查获|破获|缴获|查扣|起获|扣押|截获|搜出|扣得|缉获|侦破|查缉|起出|搜获|查到|拦获|截查")
SMUGGLE = cue("走私|运输|贩卖|贩运|夹藏|藏匿|藏放|私运|运送|挟带|夹带")
INTEL = cue("情资|情报|线索|讯息|资讯")
# What a sentence telling a hand-over holds: an intel word, or a notice given or received (通報, 通知, 回報).
HANDOVER = cue("情资|情报|线索|讯息|资讯|信息|通报|通知|回报|告知")
PROVIDE = cue("提供|带来|交换|通报|传递|移交|转交|递交|分享|通知")
# Words of totals. The strong ones make any sentence one of totals; the weak ones (共計, 合計…) also total a single
# seizure's parts (「安非他命2批共計48公斤」), so a sentence seizing a named drug is not one of totals for them.
AGGREGATE = re.compile(
    r"(?=[以迄截累全历数0-9一二三四五六七八九十近至])(?:以来|迄今|截至|截止|累计|全年|历年|[0-9一二三四五六七八九十]+年来"
    r"|近[0-9一二三四五六七八九十]+年|至今|至[0-9一二三四五六七八九十]+年)"
)
WEAK_TOTALS = cue("总计|共计|合计|统计|总数|数达")
DIRECTS = re.compile(r"^(?:之|的)?(?:检察官|主任检察官|检察长)?(?:统一)?(?:指挥|主导|领导)")
SUSPECT = cue("嫌犯|犯罪嫌疑人|嫌疑人|嫌疑犯|现行犯|涉案人员|涉嫌人|人犯|毒贩|被告|成员")
ARREST = cue("抓获|逮捕|拘捕|缉获|查获|拘提|捕获|抓捕|缉捕|到案|查缉|拘留|羁押|逮获")
REPATRIATE = cue("遣返|遣送|押解|押返|接返|移交")  # 移交 only with a side to go to (repatriations.py)
PARTY_WORDS = {"陆方": Party.CN, "大陆方面": Party.CN, "台方": Party.TW, "台湾方面": Party.TW, "台湾警方": Party.TW}
PARTY_WORDS |= {"大陆警方": Party.CN, "大陆公安": Party.CN}
_SENTENCE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;\n]|$)")
_CLAUSE_BREAK = re.compile(r"[，,:：、]")
_TO_CLAUSE_BREAK = re.compile(r".*[，,:：、]", re.DOTALL)
_ENUMERATOR = re.compile(r"(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十0-9]+[)）]|[0-9]{1,2}[、.](?![0-9]))")
_ENUMERATOR_FIRST = frozenset("一二三四五六七八九十(（0123456789")  # what an enumerator can start with
_CRIME_KINDS: tuple[tuple[str, str], ...] = (("诈骗", "fraud"), ("毒", "drugs"), ("绑架", "kidnapping"))
_CRIME_KINDS += (("掳人", "kidnapping"), ("杀人", "homicide"), ("走私", "smuggling"))
_CONTINUES_TOTALS = re.compile(r"(?:同期间|同一期间|同期|同时期|其中|另|此外|含|包括|以上)")
_ORIGIN_MARK = ("自", "从", "由", "往", "赴", "来自", "运往", "经")


@dataclass(slots=True)
class Sentence:
    """One sentence of a block: offsets [start, end) into block.text, and what was found inside."""

    block: Folded
    start: int
    end: int
    paragraph: int
    item: bool  # starts a list item (一、 (二) 3.)
    mentions: list[Mention]
    dates: list[DateMention]
    quantities: list[QuantityText]
    vessels: list[VesselMention]
    new_agencies: list[NewAgency]

    @property
    def text(self) -> str:
        return self.block.text[self.start : self.end]

    def at(self, a: int, b: int) -> str:
        """Folded text between two block offsets."""
        return self.block.text[a:b]

    def span(self, a: int | None = None, b: int | None = None) -> Span:
        """The original-text span of block offsets [a, b) (the whole sentence by default), trailing marks off."""
        a = self.start if a is None else a
        b = self.end if b is None else b
        while b > a and self.block.text[b - 1] in "。！？!?；;\n，, ":
            b -= 1
        start, end = self.block.span(a, b)
        base = self.block.base  # the quote is the original there (what Folded.quote gives, without a second mapping)
        return Span(start, end, self.block.original[start - base : end - base])

    def clean(self, a: int, b: int) -> str:
        """The original script between two block offsets, free of line breaks and page numbers."""
        return self.block.clean(a, b)

    def find(self, pattern: re.Pattern[str], a: int | None = None, b: int | None = None) -> list[re.Match[str]]:
        a = self.start if a is None else a
        b = self.end if b is None else b
        leads = _LEADS.get(pattern.pattern)
        if leads is not None and _absent(self.block.text, leads, a, b):
            return []
        return list(pattern.finditer(self.block.text, a, b))

    def has(self, pattern: re.Pattern[str], a: int | None = None, b: int | None = None) -> bool:
        a = self.start if a is None else a
        b = self.end if b is None else b
        leads = _LEADS.get(pattern.pattern)
        if leads is not None and _absent(self.block.text, leads, a, b):
            return False
        return pattern.search(self.block.text, a, b) is not None

    def clause(self, pos: int) -> tuple[int, int]:
        """The clause (between commas) around a position; a clause holding only a date runs on to the next."""
        text = self.block.text
        a = pos
        if pos > self.start:
            # The last break before pos, found by one backward match in C rather than a step per character.
            last = _TO_CLAUSE_BREAK.match(text, self.start, pos)
            a = last.end() if last is not None else self.start
        nxt = _CLAUSE_BREAK.search(text, pos, self.end) if pos < self.end else None
        b = nxt.start() if nxt is not None else max(pos, self.end)
        return a, b

    def kinds(self, kind: str) -> list[Mention]:
        return [m for m in self.mentions if m.kind == kind]

    def date_before(self, pos: int, floor: int | None = None) -> DateMention | None:
        """The nearest date written before pos in this sentence (not before `floor`)."""
        low = self.start if floor is None else floor
        found = [d for d in self.dates if low <= d.start and d.end <= pos and not self.dateline(d)]
        return found[-1] if found else None

    def dateline(self, d: DateMention) -> bool:
        """Whether a date is a report's dateline (「新华网台北1月14日电」, 「台湾网5月17日消息」), which dates the
        report, not events."""
        return self.block.text[d.end : d.end + 1] in ("电", "讯") or self.block.text[d.end : d.end + 2] == "消息"

    def party_word(self, a: int, b: int) -> Party | None:
        """The party a side-word names in text[a:b] (陆方, 台方...), the last one written."""
        found = None
        for word, party in PARTY_WORDS.items():
            i = self.block.text.rfind(word, a, b)
            if i >= 0 and (found is None or i > found[0]):
                found = (i, party)
        return found[1] if found else None

    def crime_kind(self) -> str:
        text = self.text
        for word, kind in _CRIME_KINDS:
            if word in text:
                return kind
        return "other"


def agency_mentions(s: Sentence, a: int | None = None, b: int | None = None) -> list[Mention]:
    """Agencies in [a, b), a parent dropped when its own unit follows at once (高檢署「緝毒督導小組」)."""
    lo, hi = (s.start if a is None else a), (s.end if b is None else b)
    found = [m for m in s.mentions if m.kind == "agency" and lo <= m.start and m.end <= hi]
    kept = []
    for i, m in enumerate(found):
        nxt = found[i + 1] if i + 1 < len(found) else None
        if nxt is not None and nxt.parent == m.id and nxt.start - m.end <= 2:
            continue
        kept.append(m)
    return kept


_NOT_AT = ("鉴于", "由于", "对于", "关于", "基于", "至于", "属于", "等于", "在于", "位于")


def at_place(before: str) -> bool:
    """Whether the two characters before a place say "at" (在, 于) rather than "given" (鑒於, 由於)."""
    return before.endswith("在") or (before.endswith("于") and not before.endswith(_NOT_AT))


def places_at(s: Sentence, gazetteer: Gazetteer, verb: int) -> list[str]:
    """Where something was done: places introduced by 在/于 before its verb (在福建省泉州市查獲 → 泉州市),
    not those it came from (自大陸進口, 經香港) nor a ship's flag (巴拿馬籍)."""
    chosen: list[Mention] = []
    for m in s.kinds("place"):
        if m.end > verb or m.start < s.start:
            continue
        before = s.at(max(s.start, m.start - 2), m.start)
        adjacent = bool(chosen) and chosen[-1].end == m.start
        if before.endswith(_ORIGIN_MARK) or s.at(m.end, m.end + 1) == "籍":
            continue
        if at_place(before) or adjacent or m.end == verb:
            chosen.append(m)
    return most_specific(gazetteer, chosen)


def most_specific(gazetteer: Gazetteer, places: list[Mention]) -> list[str]:
    """Place ids without those that only contain another one named (福建省 beside 泉州市), in order."""
    ids: list[str] = []
    for m in places:
        if m.id not in ids:
            ids.append(m.id)
    return [p for p in ids if not any(q != p and gazetteer.is_ancestor("place", p, q) for q in ids)]


class _Cursor:
    """Items of a block sorted by start, handed out sentence by sentence (sentences come in order)."""

    __slots__ = ("at", "items")

    def __init__(self, items: list[Any]) -> None:
        self.items, self.at = items, 0

    def take(self, a: int, b: int) -> list[Any]:
        """The items starting in [a, b) and ending by b; those before a are passed over for good."""
        items, i, n = self.items, self.at, len(self.items)
        while i < n and items[i].start < a:
            i += 1
        if i == n or items[i].start >= b:
            self.at = i
            return []  # most sentences hold none of a kind: no slice, no list to filter
        j = i + 1
        while j < n and items[j].start < b:
            j += 1
        self.at = j
        return [x for x in items[i:j] if x.end <= b]


def _clear_of(taken: list[tuple[int, int]], counted: list[QuantityText]) -> list[QuantityText]:
    """The quantities overlapping none of the spans taken (plain loops: no generator per quantity)."""
    kept = []
    for q in counted:
        for x, y in taken:
            if x < q.end and q.start < y:
                break
        else:
            kept.append(q)
    return kept


def split(block: Folded, gazetteer: Gazetteer, dates: DateContext, paragraph: int) -> Iterator[tuple[Sentence, int]]:
    """The block's sentences with everything found in them, and the paragraph counter after each."""
    text = block.text
    # Names, quantities and agency-like names are found once per block; each sentence takes its share.
    mentions = gazetteer.find(text)
    found_quantities = quantities(text)
    new_agencies = gazetteer.new_agencies(text, mentions)
    # Dates resolve in document order, each against those before it: one pass over the block keeps that order.
    block_dates = _Cursor(dates.find(text))
    named, counts, agencies_named = _Cursor(mentions), _Cursor(found_quantities), _Cursor(new_agencies)
    for m in _SENTENCE.finditer(text):
        a, b = m.span()
        if b == a:
            continue
        body = m.group()  # sliced once, not once per test
        if body.strip("\n 。；;") == "":
            if body.endswith("\n"):
                paragraph += 1
            continue
        found_dates = block_dates.take(a, b)
        mentioned = named.take(a, b)
        counted = counts.take(a, b)
        if counted and (found_dates or mentioned):
            # A quantity is never a date's digits ("2013-11-17" is no range), nor inside a name.
            taken = [(d.start, d.end) for d in found_dates] + [(x.start, x.end) for x in mentioned]
            counted = _clear_of(taken, counted)
        vessels = gazetteer.vessels(text, mentioned, a, b) if "号" in body else []
        agencies = agencies_named.take(a, b) if new_agencies else []
        item = text[a] in _ENUMERATOR_FIRST and _ENUMERATOR.match(text, a) is not None
        yield Sentence(block, a, b, paragraph, item, mentioned, found_dates, counted, vessels, agencies), paragraph
        if body[-1] == "\n":
            paragraph += 1


CROSS = cue("两岸|陆方|台方|对岸|司法互助|协议架构|联系机制|联系管道|大陆警方|台湾警方|我方之协助")


@dataclass
class DocState:
    """What one sentence leaves for the next in the same document."""

    party: Party | None = None  # the side the document speaks for (我方)
    joint_paragraph: int = -1  # a paragraph said to be about cross-strait cooperation
    list_joint: bool = False  # a list introduced as cross-strait cases (……案件：)
    in_list: bool = False
    last_provider: tuple[Party | None, str | None] | None = None
    pending_intel: dict[str, str] = field(default_factory=dict)  # vessel name → intel proposal id
    case_names: dict[str, str] = field(default_factory=dict)  # vessel name → the case's name (「笙宏號」走私毒品案)
    last_case: tuple[str, int] | None = None  # (case key, paragraph)
    last_told: tuple[Proposal, list[Proposal]] | None = None  # the last case proposed, and its seizures
    issuer: Mention | None = None  # the agency the document is from: 本署, 本局 name it
    as_of: PartialDate | None = None  # the "as of" date the last figures were given for

    last_paragraph: int = -1
    doc_joint: bool = False  # the headline speaks of cross-strait cooperation: its cases are joint
    last_metric: str | None = None  # what the last figure counted (「已完成…件」 completes its requests)
    last_totals: int = -1  # the paragraph of the last sentence of totals
    last_period: tuple[Any, Any] | None = None  # (start, end) of the last sentence of totals
    last_joint: bool = False  # whether the last totals were of both sides (一方 otherwise)
    last_repatriation: tuple[int, list[str]] | None = None  # (paragraph, persons named) of the last one told
    repatriations: list[tuple[int, str | None]] = field(default_factory=list)  # (count, to party) of those told
    pending_directing: str | None = None  # a prosecutors' office directing, told before the case's seizure

    def continues_totals(self, s: Sentence) -> bool:
        """Whether the sentence goes on with the totals told just before (同期間…, 其中…, 另…), in the same
        paragraph or the next one: it has no totals word of its own, but its counts are totals all the same."""
        if self.last_totals < 0 or s.paragraph - self.last_totals > 1:
            return False
        text, a = s.block.text, s.start
        if s.item:
            found = _ENUMERATOR.match(text, a)
            a = found.end() if found is not None else a
        return _CONTINUES_TOTALS.match(text, a) is not None

    def joint_context(self, s: Sentence) -> bool:
        return s.paragraph == self.joint_paragraph or (self.in_list and self.list_joint)

    def begin(self, s: Sentence) -> None:
        """Before a sentence is read: a new paragraph that is not a list item ends the list."""
        if s.paragraph != self.last_paragraph and self.in_list and not s.item:
            self.in_list = False
        self.last_paragraph = s.paragraph

    def end(self, s: Sentence, *, had_events: bool) -> None:
        """After a sentence is read: a list heading opens a list; a cooperation sentence marks its paragraph."""
        if _ends_list_heading(s):
            self.in_list, self.list_joint = True, s.has(CROSS)
        elif not had_events and s.has(CROSS):
            self.joint_paragraph = s.paragraph


def _ends_list_heading(s: Sentence) -> bool:
    """Whether the sentence ends in a colon (before its line break): what s.text.rstrip("\n") would show, unsliced."""
    text, end = s.block.text, s.end
    while end > s.start and text[end - 1] == "\n":
        end -= 1
    return end > s.start and text[end - 1] in ":："
