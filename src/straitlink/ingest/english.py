"""English releases (Xinhua, China Daily, Taiwan Today...): published figures and repatriations, and which
language a text that is not Chinese is in.

English is read from the original text, unfolded (folding drops the spaces English needs), sentence by sentence
in blocks that end at a paragraph, so any size fits in bounded memory. A number counts what the noun after it
names (cases, suspects, kg, percent); what the figure is (vocabulary/english.yaml) comes from the words of its
clause. A sentence of totals (since…, by the end of…, in the same period…) gives figures; a sentence telling that
persons were repatriated, without totals words, gives a repatriation.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from straitlink.domain.agreement import IN_FORCE_ON
from straitlink.domain.dates import PartialDate
from straitlink.domain.parties import Party
from straitlink.domain.quantity import Qualifier, Quantity, Unit
from straitlink.ingest import english_seizures
from straitlink.ingest.english_dates import DATE as _DATE
from straitlink.ingest.english_dates import DATELINE as _DATELINE
from straitlink.ingest.english_dates import header_date, resolve
from straitlink.ingest.proposals import DocumentInfo, Proposal, Span
from straitlink.ingest.vocabulary import load

AGREEMENT_IN_FORCE = IN_FORCE_ON
AGREEMENT_SIGNED = date(2009, 4, 26)
# Languages recognised only to be refused by name: a warning, no proposal.
NOT_READ = {"ja": "Japanese", "ko": "Korean"}
_BLOCK = 1 << 16
_ABBREVIATIONS = ("sept", "jan", "feb", "mar", "apr", "aug", "oct", "nov", "dec", "no", "mr", "mrs", "dr", "st", "u.s")
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
_AFTER_NUMBER = re.compile(r"\s+(?:of them\s+)?(?:were|was|have been|had been|has been|are)\b")
_DIGIT = re.compile(r"[0-9]")
_UNTIL = re.compile(r"\b(?:to|until|till|through|up to)\s+$", re.IGNORECASE)
# A count over a range of years ("From 2016 to August this year, 16 fugitives were repatriated") is a figure.
_YEAR_RANGE = re.compile(r"\b(?:from|between)\s+(?:19|20)[0-9]{2}\s+(?:to|and|through|until)\b", re.IGNORECASE)
_LIST_ITEM = re.compile(r"(?:[-•*·–]|[0-9]{1,2}[.)]|\([a-z0-9]\))\s")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_ENGLISH_WORDS = re.compile(r"\b(?:the|of|and|to|in|has|have|was|were|said|from)\b", re.IGNORECASE)


def language_of(sample: str) -> str | None:
    """en, ja or ko when the text is in one of them (another language written in Latin letters is "und");
    None for Chinese, whose script the caller tells apart."""
    kana, hangul = len(_KANA.findall(sample)), len(_HANGUL.findall(sample))
    cjk, latin = len(_CJK.findall(sample)), len(_LATIN.findall(sample))
    if hangul >= 10 and hangul > cjk:
        return "ko"
    if kana >= 10 and kana * 10 > cjk:
        return "ja"  # Japanese writes kanji too; kana alone tell it from Chinese
    if latin > 40 and latin > 3 * cjk:
        words = len(_ENGLISH_WORDS.findall(sample))
        return "en" if words * 40 >= latin else "und"
    return None


def _words(words: Iterable[str]) -> re.Pattern[str]:
    alternatives = sorted({re.escape(w.lower()) for w in words}, key=len, reverse=True)
    return re.compile(r"(?<![a-z])(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


@dataclass(frozen=True)
class _Vocabulary:
    number: re.Pattern[str]
    qualifier: re.Pattern[str]
    values: dict[str, int]
    qualifiers: dict[str, Qualifier]
    unit: re.Pattern[str]
    units: dict[str, str]
    metrics: tuple[tuple[str, str, re.Pattern[str]], ...]
    totals: re.Pattern[str]
    same_period: re.Pattern[str]
    signed: re.Pattern[str]
    in_force: re.Pattern[str]
    repatriate: re.Pattern[str]
    to_tw: re.Pattern[str]
    to_cn: re.Pattern[str]
    wordy: tuple[re.Pattern[str], ...]  # what a sentence without digits may still tell
    crossing: re.Pattern[str]
    sides: re.Pattern[str]


@functools.cache
def _vocabulary() -> _Vocabulary:
    data = load("english.yaml")
    values = {str(k).lower(): int(v) for k, v in data["numbers"].items()}
    qualifiers = {w: Qualifier(q) for q, words in data["qualifiers"].items() for w in words}
    spelled = "|".join(sorted((w for w in values if w not in ("a", "an")), key=len, reverse=True))
    # The number first, its qualifier looked for just before it: a pattern starting with an optional qualifier
    # would be tried at every character; one starting with a digit or a number word's first letter is not.
    first = "".join(sorted({w[0] for w in values if w not in ("a", "an")} | {w[0].upper() for w in values}))
    number = re.compile(
        rf"(?=[0-9{first}])(?<![\w$.,])(?P<n>[0-9]{{1,3}}(?:,[0-9]{{3}})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?|"
        + spelled
        + r")(?![\w,]*[0-9])(?:\s+(?P<mult>million|thousand))?",
        re.IGNORECASE,
    )
    qualifier = re.compile(
        r"(?P<q>" + "|".join(sorted(map(re.escape, qualifiers), key=len, reverse=True)) + r")\s+$", re.IGNORECASE
    )
    units = {w.lower(): unit for unit, words in data["units"].items() for w in words}
    unit = re.compile(
        r"\s*(?:[A-Za-z-]+\s+){0,3}?(?P<unit>"
        + "|".join(sorted(map(re.escape, units), key=len, reverse=True))
        + r")\b",
        re.IGNORECASE,
    )
    metrics = tuple((str(m["metric"]), str(m["counts"]), _words(m["words"])) for m in data["metrics"])
    return _Vocabulary(
        number,
        qualifier,
        values,
        qualifiers,
        unit,
        units,
        metrics,
        _words(data["totals"]),
        _words(data["same_period"] + ["over the period", "in the period"]),
        _words(data["signed"]),
        _words(data["in_force"]),
        _words(data["repatriate"]),
        _words(data["to_tw"]),
        _words(data["to_cn"]),
        (_words(data["repatriate"]), _words(data["sentence_cues"])),
        _words(data["crossing_verbs"]),
        _words(data["sides"]),
    )


@dataclass
class _Count:
    """A number in a sentence with the unit it counts in (kg, t, case, person, percent) or None."""

    start: int
    end: int
    value: Decimal
    qualifier: Qualifier
    unit: str | None


@dataclass
class _Reader:
    doc: DocumentInfo
    today: PartialDate | None
    dateline: PartialDate | None = None
    period: tuple[date | None, date | None] | None = None  # of the last sentence of totals
    seen: set[str] = field(default_factory=set)
    listing: bool = False  # the lines read are items of a list under a heading of totals
    told: english_seizures.State = field(default_factory=english_seizures.State)

    def sentences(self, text: str, base: int) -> Iterator[tuple[int, int]]:
        start = 0
        for m in _SENTENCE_END.finditer(text):
            word = text[max(0, m.start() - 5) : m.start()].lower().rsplit(" ", 1)[-1].rsplit("(", 1)[-1]
            if m.group() == "." and word in _ABBREVIATIONS:
                continue
            if text[start : m.end()].strip():
                yield base + start, base + m.end()
            start = m.end()
        if text[start:].strip():
            yield base + start, base + len(text)


def _counts(text: str, a: int, b: int, dates: list[tuple[int, int]]) -> list[_Count]:
    vocabulary = _vocabulary()
    found: list[_Count] = []
    for m in vocabulary.number.finditer(text, a, b):
        if any(x <= m.start("n") < y for x, y in dates):
            continue
        raw = m["n"].lower()
        value = Decimal(raw.replace(",", "")) if raw[0].isdigit() else Decimal(vocabulary.values[raw])
        if m["mult"]:
            value *= 1_000_000 if m["mult"].lower() == "million" else 1000
        before = vocabulary.qualifier.search(text, max(a, m.start() - 16), m.start())
        qualifier = vocabulary.qualifiers.get(before["q"].lower(), Qualifier.EXACT) if before else Qualifier.EXACT
        unit_match = vocabulary.unit.match(text, m.end(), b)
        unit = vocabulary.units[unit_match["unit"].lower()] if unit_match else None
        end = unit_match.end() if unit_match else m.end()
        if unit is None and found and _AFTER_NUMBER.match(text, m.end(), b):
            unit = found[-1].unit  # 「of which 58,300 were completed」: counted as the figure before
        if text[m.end() : m.end() + 1] == "%":
            unit, end = "percent", m.end() + 1
        found.append(_Count(before.start() if before else m.start(), end, value, qualifier, unit))
    return [c for c in found if c.unit is not None]


def _window(text: str, counts: list[_Count], i: int, a: int, b: int) -> str:
    """The words of a number's clause: back to the comma or number before, on to the comma or number after."""
    c = counts[i]
    left = max(a, counts[i - 1].end if i else a, text.rfind(",", a, c.start) + 1)
    right = min(b, counts[i + 1].start if i + 1 < len(counts) else b)
    comma = text.find(",", c.end, right)
    return text[left : comma if comma >= 0 else right].lower()


def _metric(window: str, unit: str) -> str | None:
    dimension = "mass" if unit in ("kg", "t") else unit
    for metric, counts, pattern in _vocabulary().metrics:
        if counts == dimension and pattern.search(window):
            return metric
    return None


def _figures(
    reader: _Reader, text: str, a: int, b: int, dates: list[re.Match[str]], *, carry: bool = False
) -> list[Proposal]:
    vocabulary = _vocabulary()
    sentence = text[a:b]
    same = vocabulary.same_period.search(sentence) is not None or (reader.period is not None and " also " in sentence)
    same = same or carry
    start: date | None = None
    end: date | None = None
    if same and reader.period is not None:
        start, end = reader.period
    if vocabulary.signed.search(sentence):
        start = AGREEMENT_SIGNED
    elif vocabulary.in_force.search(sentence):
        start = AGREEMENT_IN_FORCE
    for m in dates:
        found = resolve(m, reader.dateline or reader.today)
        if found is not None and (m["end"] or _UNTIL.search(text, max(a, m.start() - 12), m.start())):
            end = found.latest()  # 「by the end of May」, 「From 2016 to August this year」
    doc = reader.today
    if end is None and doc is not None and doc.day is not None:
        end = doc.latest()
    reader.period = (start, end)
    counts = _counts(text, a, b, [m.span() for m in dates])
    out = []
    for i, c in enumerate(counts):
        assert c.unit is not None
        metric = _metric(_window(text, counts, i, a, b), c.unit)
        if metric is None:
            continue
        unit = {"percent": Unit.ITEM, "kg": Unit.KG, "t": Unit.T, "case": Unit.CASE, "person": Unit.PERSON}[c.unit]
        value = Quantity(c.value, unit, qualifier=c.qualifier).to_json()
        fields: dict[str, Any] = {
            "metric": metric,
            "label": text[c.start : c.end],
            "value": value["value"],
            "unit": value["unit"],
            "qualifier": value["qualifier"],
            "period_start": start.isoformat() if start else None,
            "period_end": end.isoformat() if end else None,
            "direction": None,
            "source": None,
            "label_en": metric,
        }
        unresolved = [] if end else ["period_end: the text does not say when the totals were counted (give --date)"]
        key = f"figure|{metric}|{fields['value']}|{fields['unit']}|{fields['period_end']}"
        out.append(Proposal("figure", key, fields, Span(c.start, c.end, text[c.start : c.end]), 0.8, unresolved))
    return out


_ONE_PERSON = re.compile(
    r"\b(?:a|an|one)\s+(?:[A-Za-z-]+\s+){0,2}?(?:fugitive|suspect|criminal|man|woman|national)\b", re.IGNORECASE
)
_SURNAMED = re.compile(r"\bsurnamed\s+(?P<name>[A-Z][a-z]+)")


def _repatriation(reader: _Reader, text: str, a: int, b: int, dates: list[re.Match[str]]) -> list[Proposal]:
    vocabulary = _vocabulary()
    verb = vocabulary.repatriate.search(text, a, b)
    if verb is None:
        return []
    if not vocabulary.crossing.match(verb.group()) and not vocabulary.sides.search(text, a, b):
        return []  # handed over to prosecutors, returned home: no side named, nothing crossed the strait
    counts = [c for c in _counts(text, a, b, [m.span() for m in dates]) if c.unit == "person"]
    one = _ONE_PERSON.search(text, a, b)
    count = int(counts[0].value) if counts else (1 if one is not None else None)
    if count is None:
        return []
    sentence = text[a:b]
    to = Party.TW if vocabulary.to_tw.search(sentence) else Party.CN if vocabulary.to_cn.search(sentence) else None
    today = reader.dateline or reader.today
    dated = [(abs(m.start() - verb.start()), resolve(m, today, after=True)) for m in dates if not m["end"]]
    dated = [(distance, d) for distance, d in dated if d is not None and d.day is not None]
    when = min(dated, key=lambda x: x[0])[1] if dated else None
    names = [m["name"] for m in _SURNAMED.finditer(text, a, b)]
    key = f"repatriation|{count}|{when.year if when else reader.doc.year or ''}|{to.value if to else ''}"
    if when is not None:
        key += f"|{when.iso}"
    span = Span(a, b, text[a:b].rstrip())
    case_fields: dict[str, Any] = {"title": span.text[:80], "kind": "fraud" if "fraud" in sentence else "other"}
    case_fields |= {"joint": True, "opened_on": when.to_json() if when else None, "summary": None}
    case_fields |= {"agencies": [], "places": []}
    case = Proposal("case", "case|" + key, case_fields, span, 0.7)
    fields = {
        "case": case.id,
        "count": count,
        "to_party": to.value if to else None,
        "from_party": to.other.value if to else None,
        "date": when.to_json() if when else None,
        "persons": names,
    }
    unresolved = [] if when else ["date: the text gives no date for this repatriation"]
    return [case, Proposal("repatriation", key, fields, span, 0.7, unresolved)]


def extract(document: DocumentInfo, chunks: Iterable[str], *, date: PartialDate | None = None) -> Iterator[Proposal]:
    """Figures and repatriations an English text tells, block by block (each ends at a paragraph)."""
    document.language = "en"
    reader = _Reader(document, date)
    vocabulary = _vocabulary()
    buffer, base, started = "", 0, False
    for chunk in itertools.chain(chunks, [""]):  # "" closes: the last block, whatever its size
        buffer += chunk
        if chunk and len(buffer) < _BLOCK:
            continue
        cut = buffer.rfind("\n", 0, len(buffer) - 1) + 1 if chunk else len(buffer)
        block, buffer = (buffer[:cut], buffer[cut:]) if cut > 0 else (buffer, "")
        if not started:
            started = True
            reader.today = reader.today or header_date(block)
            document.published_on = reader.today
            document.year = reader.today.year if reader.today else None
            document.title = document.title or next((ln.strip() for ln in block.split("\n") if ln.strip()), "")[:120]
            line = _DATELINE.search(block[:2000])
            if line is not None and reader.today is not None:
                found = _DATE.search(line["when"])
                reader.dateline = resolve(found, reader.today) if found else None
        yield from _block(reader, block, base, vocabulary)
        base += len(block)


def _block(reader: _Reader, block: str, base: int, vocabulary: _Vocabulary) -> Iterator[Proposal]:
    text = block
    for a, b in reader.sentences(text, 0):
        if _DIGIT.search(text, a, b) is None and not any(p.search(text, a, b) for p in vocabulary.wordy):
            continue  # no number in digits, no repatriation, intelligence or joint work: nothing to read
        dates = list(_DATE.finditer(text, a, b))
        sentence = text[a:b].strip()
        # A list under a heading of totals ("As of the end of March 2016:" then "- requests ...: 76,412 cases")
        # goes on with its period; the list ends at the first line that is no item.
        item = reader.listing and _LIST_ITEM.match(sentence) is not None
        reader.listing = item or (reader.listing and not sentence)
        totals = any(p.search(text, a, b) for p in (vocabulary.totals, vocabulary.same_period, _YEAR_RANGE))
        continues = reader.period is not None and (" also " in text[a:b] or item)
        if totals or continues:
            found = _figures(reader, text, a, b, dates, carry=item)
            reader.listing = reader.listing or (bool(totals) and sentence.endswith(":"))
        elif sentence == reader.doc.title.strip() and not sentence.endswith((".", "!", "?")):
            continue  # a headline retells the seizure or hand-over its story tells, with less (no date)
        else:
            today = reader.dateline or reader.today
            year = reader.today.year if reader.today else None
            found = english_seizures.read(text, a, b, today, reader.told, year)
            if not any(p.kind == "seizure" for p in found):
                found += _repatriation(reader, text, a, b, dates)
        for p in found:
            if p.key in reader.seen:
                continue
            if len(reader.seen) < 20_000:  # a very long archive proposes repeats rather than grow without bound
                reader.seen.add(p.key)
            if base:
                p.span = Span(p.span.start + base, p.span.end + base, p.span.text)
            p.document = reader.doc.id
            yield p
