"""Agencies, drugs and places named in folded text, found with one matcher built from the catalogue.

Every catalogue name, folded by `catalog.normalize_name`, goes into a trie that is compiled to one regular
expression: at each position it takes the longest name, in C, without running a segmenter over every character.
jieba, given the same names as its user dictionary, is asked only where a word boundary decides: a short name
(two characters, such as 东山 or 南市) must start and end on one of its token boundaries, so 广东山区 is not
東山. Names the catalogue lacks are added here in memory (EXTENSIONS) and never written to its files.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from straitlink.catalog import Catalog, CatalogKind, load_catalog, normalize_name
from straitlink.domain.parties import Agency, AgencyKind, Party
from straitlink.domain.reference import Place

# Names the shipped catalogue lacks, by kind and id: how the other side's press and the bulletins name them.
EXTENSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "agency": {
        "coast-guard": ("台湾海巡部门", "台湾海巡", "海巡部门"),
        "npa": ("台湾警方",),
        "gd-psd": ("广东警方", "廣東警方"),
        "fj-psd": ("福建警方",),
        "yn-psd": ("云南警方", "雲南警方"),
        "mps-narcotics": ("公安部禁毒部门",),
    },
    "place": {
        "taoyuan-airport": ("桃园机场停机坪",),
    },
}
# Generic words that look like names but name no one body (各地檢署, 當地海關, 公安禁毒部門).
_GENERIC_PREFIX = ("各", "其他", "当地", "相关", "有关", "该", "国内", "各级", "所属", "地方")
_AGENCY_SUFFIX = re.compile(
    r"(?:公安局|公安厅|公安分局|分局|禁毒总队|禁毒支队|禁毒大队|总队|支队|大队|检察院|地检署|检察署|法院|调查站|调查处|"
    r"海巡队|海巡局|警察局|派出所|缉私局|边防检查站|海警局|海警支队|刑警大队|缉毒局|禁毒局|海关)"
)
_STOP = set("在与和及、由经同的之于向对为将被让使，,。:：;；并也已亦并再度(（)）「」『』“”\"' 等各其该")
_VESSEL = re.compile(
    r"(?:(?P<flag>[\u4e00-\u9fff]{2,4})籍)?(?P<kind>货轮|货船|渔船|货柜轮|油轮|轮船|船舶|快艇|游艇|渔船)?"
    r"[「『“\"]?(?P<name>[\u4e00-\u9fffA-Za-z0-9]{1,10}?号)[」』”\"]?(?P<kind2>货轮|货船|渔船|货柜轮|油轮|轮)?"
)

# What the lazy name above takes in before a ship's name when no ship word or quote starts it: a date and a verb
# (「九月二十七日查获笙宏号渔船」), a measure word (「一艘笙宏号」). Cut at the last of them, keeping a name.
_BEFORE_NAME = re.compile(r".*(?:[0-9〇零一二三四五六七八九十]日|查获|截获|查扣|扣押|走私|搭载|驾驶|艘)")

# A bearing from a place (folded): 西南海域, 东北方海域, 西方外海, 南方约5浬.
_BEARING = re.compile(r"[东西南北]{1,2}(?:方|侧|边)?(?:海域|外海|海面|约|[0-9])")


class Mention(NamedTuple):
    """A name found in folded text: offsets, the kind (agency, drug, place) and the catalogue id it names.
    A named tuple: one is made per name found, and a tuple is made in a third of a frozen dataclass's time."""

    kind: str
    id: str
    start: int
    end: int
    party: Party | None = None
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class NewAgency:
    """An agency-like name the catalogue does not hold: proposed as a new entry, never dropped."""

    name: str  # folded
    start: int
    end: int
    party: Party | None
    kind: AgencyKind


@dataclass(frozen=True, slots=True)
class VesselMention:
    """A ship: its name (folded, for keys), and offsets of the name, its flag and its type when written."""

    name: str
    name_at: tuple[int, int]
    flag_at: tuple[int, int] | None
    kind_at: tuple[int, int] | None
    start: int
    end: int


def trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching any of the words, longest first at each position (a compiled trie)."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alternatives = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return build(root)


class Gazetteer:
    """The catalogue's names as one matcher, with the parties, parents and kinds needed to read a sentence."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.names: dict[str, tuple[str, str]] = {}  # folded name -> (kind, id)
        kinds: tuple[CatalogKind, ...] = ("agency", "drug", "place")
        for kind in kinds:
            for name, entry_id in catalog.names_index(kind).items():
                self.names.setdefault(name, (kind, entry_id))
            for entry_id, extra in EXTENSIONS.get(kind, {}).items():
                for name in extra:
                    self.names.setdefault(normalize_name(name), (kind, entry_id))
        self.agencies: dict[str, Agency] = {a.id: a for a in catalog.agencies}
        self.places: dict[str, Place] = {p.id: p for p in catalog.places}
        first = "".join(sorted({name[0] for name in self.names}))
        self._regex = re.compile(f"(?=[{re.escape(first)}])" + trie_pattern(self.names))
        # Per name: what find() needs, computed once; `short` marks names whose boundaries need checking.
        self._meta = {
            name: (
                kind,
                entry_id,
                self.party_of(kind, entry_id),
                self.parent_of(kind, entry_id),
                name.isascii() or len(name) <= 2,
            )
            for name, (kind, entry_id) in self.names.items()
        }
        self._tokenizer: Any = None
        self._segments: dict[str, set[int]] = {}

    def agency_kind(self, agency_id: str) -> AgencyKind | None:
        agency = self.agencies.get(agency_id)
        return agency.kind if agency is not None else None

    def party_of(self, kind: str, entry_id: str) -> Party | None:
        if kind == "agency":
            return self.agencies[entry_id].party
        if kind == "place":
            return self.places[entry_id].party
        return None

    def parent_of(self, kind: str, entry_id: str) -> str | None:
        entry = self.agencies.get(entry_id) if kind == "agency" else self.places.get(entry_id)
        return entry.parent if entry is not None else None

    def is_ancestor(self, kind: str, older: str, younger: str) -> bool:
        """True if `older` is a parent, grandparent... of `younger` (a province of its city)."""
        seen = 0
        parent = self.parent_of(kind, younger)
        while parent is not None and seen < 12:
            if parent == older:
                return True
            parent, seen = self.parent_of(kind, parent), seen + 1
        return False

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        """Catalogue names in text[start:end], longest first, left to right, without overlaps."""
        stop = len(text) if end is None else end
        found = []
        meta = self._meta
        for m in self._regex.finditer(text, start, stop):
            name = m.group()
            kind, entry_id, party, parent, short = meta[name]
            if short and not self._stands_alone(text, m.start(), m.end(), start, stop):
                continue
            if name[-1] == "部" and text[m.end() : m.end() + 1] == "门":
                continue  # 公安部門 are public-security departments in general, not the Ministry
            found.append(Mention(kind, entry_id, m.start(), m.end(), party, parent))
        return found

    def _stands_alone(self, text: str, a: int, b: int, start: int, stop: int) -> bool:
        """Whether a short name is a word of its own here: an ASCII name not inside a longer ASCII word (ice in
        police), a two-character name on jieba's token boundaries (東山 not in 廣東山區)."""
        if text[a].isascii():
            before = text[a - 1] if a > 0 else ""
            after = text[b] if b < len(text) else ""
            return not ((before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum()))
        if _BEARING.match(text, b, stop):
            return True  # 「澎湖西南海域」: the place and a bearing from it, whatever jieba makes of 湖西
        return self._on_boundaries(text, a, b, start, stop)

    def _on_boundaries(self, text: str, a: int, b: int, start: int, stop: int) -> bool:
        """Whether text[a:b] starts and ends on jieba token boundaries of its surroundings."""
        words = self.tokenizer().FREQ
        left = text[a - 1 : a + 1] if a > start else ""
        right = text[b - 1 : b + 1] if b < stop else ""
        if not ((len(left) == 2 and words.get(left, 0) > 0) or (len(right) == 2 and words.get(right, 0) > 0)):
            return True  # no word of the dictionary runs across either edge: nothing for segmentation to decide
        lo, hi = max(start, a - 8), min(stop, b + 8)
        window = text[lo:hi]
        cuts = self._segments.get(window)
        if cuts is None:
            cuts, pos = {0}, 0
            for token in self.tokenizer().cut(window, HMM=False):
                pos += len(token)
                cuts.add(pos)
            if len(self._segments) > 4096:
                self._segments.clear()
            self._segments[window] = cuts
        return (a - lo) in cuts and (b - lo) in cuts

    def tokenizer(self) -> Any:
        """jieba with our names as its user dictionary: built in memory on first use, nothing downloaded."""
        if self._tokenizer is None:
            self._tokenizer = _jieba_with(tuple(sorted(self.names)))
        return self._tokenizer

    def new_agencies(self, text: str, known: list[Mention], start: int = 0, end: int | None = None) -> list[NewAgency]:
        """Agency-like names ending in an agency word (公安局, 地检署...) that no catalogue name covers."""
        stop = len(text) if end is None else end
        covered = [(m.start, m.end) for m in known if m.kind == "agency"]  # sorted, not overlapping
        covered_starts = [a for a, _ in covered]
        places = [m for m in known if m.kind == "place"]
        place_starts = [m.start for m in places]
        found: list[NewAgency] = []
        for m in _AGENCY_SUFFIX.finditer(text, start, stop):
            k = bisect_right(covered_starts, m.start()) - 1
            if (k >= 0 and covered[k][1] > m.start()) or (k + 1 < len(covered) and covered[k + 1][0] < m.end()):
                continue
            left = m.start()
            while left > max(start, m.start() - 10) and text[left - 1] not in _STOP and text[left - 1] >= "\u4e00":
                left -= 1
            # A place named inside the stretch starts the name (厦门市公安局, not 记者从厦门市公安局).
            p = bisect_right(place_starts, left) - 1
            nearby = places[max(p, 0) : p + 12]
            for place in nearby:
                if place.start < left < place.end or left <= place.start < m.start():
                    left = place.start
                    break
            name = text[left : m.end()]
            if len(name) - len(m.group()) < 2 or name.startswith(_GENERIC_PREFIX):
                continue
            party = next((x.party for x in nearby if left <= x.start < m.start()), None)
            if party is None:
                party = Party.TW if any(w in m.group() for w in ("地检署", "检察署", "海巡", "警察局")) else None
            kind = _kind_of(m.group())
            found.append(NewAgency(name, left, m.end(), party, kind))
        return found

    def vessels(self, text: str, known: list[Mention], start: int = 0, end: int | None = None) -> list[VesselMention]:
        """Ships named 「X號」, with their flag (巴拿馬籍) and type (貨輪) when the text gives them."""
        stop = len(text) if end is None else end
        found = []
        for m in _VESSEL.finditer(text, start, stop):
            kind = "kind" if m["kind"] else ("kind2" if m["kind2"] else None)
            quoted = m.start("name") > start and text[m.start("name") - 1] in '「『“"'
            if not (kind or m["flag"] or quoted):
                continue  # a bare 「...号」 without a ship word could be anything (an issue number)
            flag: tuple[int, int] | None = None
            if m["flag"]:
                # The flag is the country named right before 籍; the greedy pattern may have taken a verb too.
                country = next((p for p in known if p.kind == "place" and p.end == m.end("flag")), None)
                flag = (country.start, country.end) if country else (m.end("flag") - 2, m.end("flag"))
            name, (name_start, name_end) = m["name"], m.span("name")
            before = _BEFORE_NAME.match(name, 0, len(name) - 1)
            if before is not None and not m["flag"] and not m["kind"]:
                name, name_start = name[before.end() :], name_start + before.end()
            found.append(
                VesselMention(
                    name,
                    (name_start, name_end),
                    flag,
                    m.span(kind) if kind else None,
                    flag[0] if flag else m.start() if m["kind"] else name_start,
                    m.end(),
                )
            )
        return found


def _kind_of(suffix: str) -> AgencyKind:
    if "检察" in suffix or "地检" in suffix:
        return AgencyKind.PROSECUTORS_OFFICE
    if "法院" in suffix:
        return AgencyKind.COURT
    if "海关" in suffix or "缉私" in suffix:
        return AgencyKind.CUSTOMS
    if "海巡" in suffix or "海警" in suffix:
        return AgencyKind.COAST_GUARD
    if "边防" in suffix:
        return AgencyKind.BORDER_DEFENCE
    if "调查" in suffix:
        return AgencyKind.INVESTIGATION_BUREAU
    if "公安" in suffix:
        return AgencyKind.PUBLIC_SECURITY
    return AgencyKind.POLICE


@functools.cache
def _jieba_with(words: tuple[str, ...]) -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    # Each name just frequent enough to stay whole on its own (jieba's suggested frequency), no more: next to a
    # commoner word it still gives way (南市 in 南市場, 東山 in 廣東山區), which is what the boundary test asks.
    for word in words:
        tokenizer.add_word(word)
    return tokenizer


@functools.cache
def default_gazetteer() -> Gazetteer:
    """The gazetteer of the shipped catalogue (built once per process)."""
    return Gazetteer(load_catalog())
