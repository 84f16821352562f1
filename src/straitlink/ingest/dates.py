"""Dates in folded text, absolute and relative, resolved against the document's own date and year.

Builds on `domain.dates.PartialDate`: "102年5月底" is the end of May 2013, "4月間" some time in April of the
year last mentioned, "今(102)年" both a year and the document's year, "同年" the year last mentioned, "去年" the
document's year minus one, "本月八日" and "前天" need the document's date. What the text does not give stays
unknown: a mention that cannot be resolved comes back with `date=None` and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from straitlink.domain.dates import ROC_OFFSET, Part, PartialDate
from straitlink.domain.errors import InvalidValue
from straitlink.ingest.numbers import parse_number

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_MONTH = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_DAY = r"3[01]|[12][0-9]|0?[1-9]|[二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"
# An ROC year in Chinese numerals written with 十 and 百, as official documents date them (一百零二年, 九十八年); a year
# written digit by digit (一〇二年, 二〇一三年) is the class beside it.
_CN_1_9 = "[一二三四五六七八九]"
_CN_ROC_YEAR = rf"一百(?:零{_CN_1_9}|{_CN_1_9}?十{_CN_1_9}?)?|[二三四五六七八九]十{_CN_1_9}?"
_YEAR = (
    rf"(?:(?P<era>(?:中华)?民国)?(?P<y>(?:19|20)[0-9]{{2}}|[0-9]{{2,3}}|[〇零一二三四五六七八九]{{3,4}}|{_CN_ROC_YEAR})年"
    r"|(?P<rel>今|去|明|前|本)\((?P<paren>[0-9]{2,4})\)年"
    r"|(?P<word>今年|去年|明年|前年|同年|当年|该年|本年))"
)
_PARTS = r"上旬|中旬|下旬|底|初|间|中|末"
# The lookahead lets the engine pass over most characters at once instead of trying every alternative there.
_DATE = re.compile(
    r"(?=[0-9〇零一二三四五六七八九十今去明前本同当该中民上昨])(?:"
    r"(?P<iso>(?P<iy>(?:19|20)[0-9]{2})[-/.](?P<im>1[0-2]|0?[1-9])[-/.](?P<id>3[01]|[12][0-9]|0?[1-9]))(?![0-9])"
    r"|(?<![0-9.])(?P<rocnum>(?P<ry>[0-9]{2,3})(?P<sep>[-/.])(?P<rm>1[0-2]|0?[1-9])(?P=sep)(?P<rd>3[01]|[12][0-9]|0?[1-9]))"
    r"(?![0-9])"
    r"|(?P<dword>今天|今日|昨天|昨日|前天|前日)"
    r"|(?P<pword>今|昨|前)\((?P<pday>3[01]|[12][0-9]|0?[1-9])\)日"
    r"|(?<![0-9年月.,第/-])(?P<bday>3[01]|[12][0-9]|0?[1-9])日(?!内|以内|之内|后|起|以来|前|间)"
    r"|(?<![0-9〇零一二三四五六七八九十年月第])(?P<cday>[二三]?十[一二三四五六七八九]?)日(?!内|以内|之内|后|起|以来|前|间)"
    rf"|(?P<pmon>本|上|当)\((?P<pm>1[0-2]|0?[1-9])\)月(?:(?P<pmd>{_DAY})[日号]|(?P<pmp>{_PARTS}))?"
    rf"|(?P<mword>本月|同月|当月|上月)(?:(?P<wd>{_DAY})[日号]|(?P<wmp>{_PARTS}))?"
    rf"|{_YEAR}(?:(?P<m>{_MONTH})月(?:(?P<d>{_DAY})[日号]|(?P<mp>{_PARTS}))?|(?P<yp>上半年|下半年|初|底|末))?"
    rf"|(?P<m2>{_MONTH})月(?:(?P<d2>{_DAY})[日号]|(?P<mp2>{_PARTS}))?)"
)
# A number of years, not a year: 近3年, 有期徒刑15年, 10年来.
_NOT_YEAR_BEFORE = ("近", "过去", "满", "逾", "多", "第", "每", "徒刑", "刑期", "期", "前后", "长达", "为期", "达")
_NOT_YEAR_AFTER = ("来", "以来", "间", "内", "多", "余", "以上", "之久", "后")
_MONTH_PART = {"上旬": Part.EARLY, "中旬": Part.MIDDLE, "下旬": Part.LATE, "底": Part.END, "初": Part.START}
_MONTH_PART |= {"间": Part.DURING, "中": Part.MIDDLE, "末": Part.END}
_YEAR_PART = {"上半年": Part.FIRST_HALF, "下半年": Part.SECOND_HALF, "初": Part.YEAR_START}
_YEAR_PART |= {"底": Part.YEAR_END, "末": Part.YEAR_END}
_DAYS_BACK = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "前日": 2}


def cn_small(text: str) -> int:
    """1-31 written in digits or Chinese numerals (五, 十二, 二十八)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        head, _, tail = text.partition("十")
        return (_CN_DIGITS[head] if head else 1) * 10 + (_CN_DIGITS[tail] if tail else 0)
    return _CN_DIGITS[text]


def _year_number(text: str) -> int:
    """A year's number as written: digits, Chinese digit by digit (一〇二, 二〇一三) or with 十 and 百 (一百零二)."""
    if text.isdigit():
        return int(text)
    if any(ch in "十百" for ch in text):
        return int(parse_number(text))
    return int("".join(str(_CN_DIGITS[ch]) for ch in text))


class DateMention(NamedTuple):
    """A date as the text writes it (folded offsets), resolved or with the reason it could not be (a named
    tuple, cheap to make: one per date found)."""

    start: int
    end: int
    text: str
    date: PartialDate | None
    problem: str | None = None
    relative: bool = False


@dataclass
class DateContext:
    """What relative dates resolve against: the document's date or year, and the year and month last written."""

    document: PartialDate | None = None
    year: int | None = None  # the document's own year (今年)
    last_year: int | None = None
    last_month: int | None = None
    sets_year: list[int] = field(default_factory=list)
    dateline: PartialDate | None = None  # 「本报福州10月24日电」: a dispatch's 今天 is that day
    _text: str = field(default="", repr=False)
    _ends: dict[int, PartialDate] = field(default_factory=dict, repr=False)

    @property
    def today(self) -> PartialDate | None:
        """What 今天, 昨天 and 本月 are relative to: the dispatch's dateline, else the document's date."""
        return self.dateline or self.document

    def __post_init__(self) -> None:
        if self.document is not None and self.year is None:
            self.year = self.document.year

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[DateMention]:
        """Every date in text[start:end], resolved in order (each one updates the context for the next)."""
        found = []
        self._text, self._ends = text, {}
        for m in _DATE.finditer(text, start, len(text) if end is None else end):
            if m.end() == m.start() or not self._is_date(text, m):
                continue
            found.append(self._resolve(m))
        return found

    def _is_date(self, text: str, m: re.Match[str]) -> bool:
        if m["pmon"]:
            return True
        if m["bday"] or m["cday"]:
            return (self.today is not None and self.today.month is not None) or self._range_start(m) is not None
        if m["rocnum"]:
            return int(m["ry"]) >= 50
        if m["iso"] or m["dword"] or m["pword"] or m["mword"] or m["rel"] or m["word"] or m["m"] or m["m2"]:
            return True
        if not m["y"]:
            return False
        before = text[max(0, m.start() - 4) : m.start()]
        after = text[m.end() : m.end() + 3] if not m["yp"] else ""
        if any(before.endswith(w) for w in _NOT_YEAR_BEFORE) or any(after.startswith(w) for w in _NOT_YEAR_AFTER):
            return False
        if m.start() > 0 and (text[m.start() - 1].isdigit() or text[m.start() - 1] in ".,"):
            return False
        # Two-digit ROC years below 50 (1961) are far more often counts of years than years (15年, 二十年).
        roc_two_digits = len(m["y"]) == 2 or ("十" in m["y"] and "百" not in m["y"])
        return not (roc_two_digits and _year_number(m["y"]) < 50 and not m["era"])

    def _year(self, m: re.Match[str]) -> tuple[int | None, str | None, bool]:
        """(year, problem, relative) for the year part of a match; (None, None, False) when there is none."""
        if m["y"]:
            year = _year_number(m["y"])
            gregorian = len(m["y"]) == 4 and not any(ch in "十百" for ch in m["y"])
            return (year if gregorian else year + ROC_OFFSET), None, False
        if m["paren"]:
            given = int(m["paren"])
            year = given if len(m["paren"]) == 4 else given + ROC_OFFSET
            if m["rel"] in ("今", "本"):
                if self.year is None:
                    self.year = year  # 今(102)年 tells the document's own year
                self.sets_year.append(year)
            return year, None, True
        word = m["word"]
        if word is None:
            return None, None, False
        if word in ("同年", "当年", "该年"):
            if self.last_year is None:
                return None, f"{word}: no year was mentioned before", True
            return self.last_year, None, True
        if self.year is None:
            return None, f"{word}: the document's year is not known (give --date)", True
        return self.year + {"今年": 0, "本年": 0, "去年": -1, "明年": 1, "前年": -2}[word], None, True

    def _resolve(self, m: re.Match[str]) -> DateMention:
        text = m.group()
        try:
            if m["iso"]:
                found = PartialDate(int(m["iy"]), int(m["im"]), int(m["id"]))
                return self._remember(m, found, relative=False)
            if m["rocnum"]:
                found = PartialDate(int(m["ry"]) + ROC_OFFSET, int(m["rm"]), int(m["rd"]))
                return self._remember(m, found, relative=False)
            if m["dword"]:
                return self._days_back(m)
            if m["pword"] or m["bday"] or m["cday"]:
                return self._day_of_month(m)
            if m["pmon"]:
                return self._month_given(m)
            year, problem, relative = self._year(m)
            month_text = m["m"] or m["m2"]
            month = cn_small(month_text) if month_text else None
            if m["mword"]:
                relative = True
                month, problem = self._month_word(m["mword"])
                if month is None:
                    return DateMention(m.start(), m.end(), text, None, problem, True)
                today = self.today
                year = self.last_year if m["mword"] == "同月" else (today.year if today else None)
                if m["mword"] == "上月" and today is not None and today.month == 1:
                    year = today.year - 1
            if problem:
                return DateMention(m.start(), m.end(), text, None, problem, relative)
            if year is None:
                if self.last_year is None and self.year is None:
                    return DateMention(m.start(), m.end(), text, None, "no year is given or known (give --date)", True)
                year, relative = (self.last_year or self.year), True
            assert year is not None
            if month is None:
                part = _YEAR_PART.get(m["yp"]) if m["yp"] else None
                return self._remember(m, PartialDate(year, part=part), relative=relative)
            day_text, part_text = (m["wd"], m["wmp"]) if m["mword"] else (m["d"] or m["d2"], m["mp"] or m["mp2"])
            day = cn_small(day_text) if day_text else None
            part = _MONTH_PART.get(part_text) if part_text else None
            return self._remember(m, PartialDate(year, month, day, part), relative=relative)
        except (InvalidValue, ValueError) as exc:
            reason = exc.message if isinstance(exc, InvalidValue) else str(exc)
            return DateMention(m.start(), m.end(), text, None, reason)

    def _month_word(self, word: str) -> tuple[int | None, str | None]:
        if word == "同月":
            return self.last_month, (None if self.last_month else "同月: no month was mentioned before")
        today = self.today
        if today is None or today.month is None:
            return None, f"{word}: the document's date is not known (give --date)"
        if word == "上月":
            return (today.month - 2) % 12 + 1, None
        return today.month, None

    def _days_back(self, m: re.Match[str]) -> DateMention:
        doc = self.today
        if doc is None or doc.day is None:
            return DateMention(
                m.start(), m.end(), m.group(), None, "the document's date is not known (give --date)", True
            )
        assert doc.month is not None
        day = date(doc.year, doc.month, doc.day) - timedelta(days=_DAYS_BACK[m["dword"]])
        return self._remember(m, PartialDate(day.year, day.month, day.day), relative=True)

    def _day_of_month(self, m: re.Match[str]) -> DateMention:
        """「昨(22)日」, 「21日」: a day of the document's month (of the month before, if that day is still ahead)."""
        first = self._range_start(m)
        if first is not None and first.month is not None:
            # 「7月16日至17日」: the second day of a range is in the first day's month and year.
            day = cn_small(m["pday"] or m["bday"] or m["cday"])
            return self._remember(m, PartialDate(first.year, first.month, day), relative=True)
        doc = self.today
        if doc is None or doc.month is None:
            return DateMention(
                m.start(), m.end(), m.group(), None, "the document's date is not known (give --date)", True
            )
        day = cn_small(m["pday"] or m["bday"] or m["cday"])
        year, month = doc.year, doc.month
        if doc.day is not None and day > doc.day:
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return self._remember(m, PartialDate(year, month, day), relative=True)

    def _range_start(self, m: re.Match[str]) -> PartialDate | None:
        """The date a day ends the range of (「7月16日至17日」: 7月16日 for 17日), if it does."""
        if m.start() == 0 or self._text[m.start() - 1] not in "至到-~－—":
            return None
        return self._ends.get(m.start() - 1)

    def _month_given(self, m: re.Match[str]) -> DateMention:
        """「本(8)月19日」, 「上(11)月30日」: the month is written; the year is the document's (the year before
        for a 上月 later in the year than the document's month)."""
        month = int(m["pm"])
        today = self.today
        year = today.year if today is not None else (self.last_year or self.year)
        if year is None:
            return DateMention(m.start(), m.end(), m.group(), None, "no year is given or known (give --date)", True)
        if today is not None and today.month is not None and month > today.month:
            year -= 1
        day = cn_small(m["pmd"]) if m["pmd"] else None
        part = _MONTH_PART.get(m["pmp"]) if m["pmp"] else None
        return self._remember(m, PartialDate(year, month, day, part), relative=True)

    def _remember(self, m: re.Match[str], found: PartialDate, *, relative: bool) -> DateMention:
        self._ends = {m.end(): found}  # only the date just read: a range's second day looks back to it
        line = self._text.rfind("\n", 0, m.start()) + 1
        if m.start() - line <= 16 and _HEADER_WORD.search(self._text, line, m.start()):
            # 「更新日期：2019-08-01」 dates the page (a mirror's copy), not the events the body tells.
            return DateMention(m.start(), m.end(), m.group(), found, None, relative)
        self.last_year = found.year
        self.last_month = found.month
        if found.day is not None and self._text[m.end() : m.end() + 1] in ("电", "讯"):
            self.dateline = found
        return DateMention(m.start(), m.end(), m.group(), found, None, relative)


_HEADER_WORD = re.compile(r"(?:发布|发稿|发文|更新|日期|时间|快照)[^\n]{0,6}?[:：]?$")
_HEADER = re.compile(r"(?:发布|发稿|发文|日期|时间|更新)[^\n]{0,8}?[:：]?(?P<date>[^\n]{6,24})")


# A date written to the day with the time of day after it: a web page's own timestamp.
_STAMP = re.compile(
    r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})[-/.](?P<m>[01]?[0-9])[-/.](?P<d>[0-3]?[0-9])\s+[0-2]?[0-9]:[0-5][0-9]"
)


def header_date(text: str) -> PartialDate | None:
    """The document's own date from its head: a "发布日期：2014-01-14" line, or a short line (a dateline, a
    byline) that starts with a date written to the day."""
    head = text[:400]
    for m in _HEADER.finditer(head):
        mentions = DateContext().find(m["date"])
        if mentions and mentions[0].date is not None and mentions[0].date.day is not None:
            return mentions[0].date
    for line in head.split("\n")[:8]:
        clock = _STAMP.search(line)
        if clock is not None and len(line) <= 60:  # a page's header: 「台湾网 2018-05-17 09:12 来源：台湾网」
            return PartialDate(int(clock["y"]), int(clock["m"]), int(clock["d"]))
    for line in head.split("\n")[:6]:
        stripped = line.strip("()（）[]【】 ")
        if not 6 <= len(stripped) <= 36:
            continue
        mentions = DateContext().find(stripped)
        if mentions and mentions[0].start == 0 and mentions[0].date is not None and mentions[0].date.day is not None:
            return mentions[0].date
    return None
