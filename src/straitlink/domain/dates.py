"""Dates as the bulletins give them: a day, a month or part of one, a year or part of one.

ROC (民國) years are Gregorian − 1911. A PartialDate never claims more than its source: "102年5月底" is
the end of May 2013 (21–31 May), not 31 May 2013.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.numerals import arabic

ROC_OFFSET = 1911
# 民國1年: an earlier year has no ROC form, so it could not round-trip through format_roc().
MIN_YEAR = ROC_OFFSET + 1
# ROC years stay at most three digits, which is what lets a four-digit year always mean Gregorian.
MAX_YEAR = ROC_OFFSET + 999


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class Part(StrEnum):
    """A named part of a month (月底, 下旬, 4月間) or of a year (上半年, 年底)."""

    START = "start"
    EARLY = "early"
    MIDDLE = "middle"
    LATE = "late"
    END = "end"
    DURING = "during"
    FIRST_HALF = "first_half"
    SECOND_HALF = "second_half"
    YEAR_START = "year_start"
    YEAR_END = "year_end"

    @property
    def of_month(self) -> bool:
        """True for parts of a month, False for parts of a year."""
        return self in _MONTH_DAYS


# Day span within the month; None stands for the month's last day.
_MONTH_DAYS: dict[Part, tuple[int, int | None]] = {
    Part.START: (1, 10),
    Part.EARLY: (1, 10),
    Part.MIDDLE: (11, 20),
    Part.LATE: (21, None),
    Part.END: (21, None),
    Part.DURING: (1, None),
}
_YEAR_MONTHS: dict[Part, tuple[int, int]] = {
    Part.FIRST_HALF: (1, 6),
    Part.SECOND_HALF: (7, 12),
    Part.YEAR_START: (1, 3),
    Part.YEAR_END: (10, 12),
}
# Written after "月" or "年"; 年初 and 年底 share the 年 of "102年".
_ZH_HANT = {
    Part.START: "初",
    Part.EARLY: "上旬",
    Part.MIDDLE: "中旬",
    Part.LATE: "下旬",
    Part.END: "底",
    Part.DURING: "間",
    Part.FIRST_HALF: "上半年",
    Part.SECOND_HALF: "下半年",
    Part.YEAR_START: "初",
    Part.YEAR_END: "底",
}
_ZH_HANS = {**_ZH_HANT, Part.DURING: "间"}
_MONTH_WORDS = {
    "初": Part.START,
    "上旬": Part.EARLY,
    "中旬": Part.MIDDLE,
    "中": Part.MIDDLE,
    "下旬": Part.LATE,
    "底": Part.END,
    "末": Part.END,
    "間": Part.DURING,
    "间": Part.DURING,
}
_YEAR_WORDS = {
    "上半年": Part.FIRST_HALF,
    "下半年": Part.SECOND_HALF,
    "初": Part.YEAR_START,
    "底": Part.YEAR_END,
    "末": Part.YEAR_END,
}
_EN = {
    Part.START: "start of {m} {y}",
    Part.EARLY: "early {m} {y}",
    Part.MIDDLE: "mid-{m} {y}",
    Part.LATE: "late {m} {y}",
    Part.END: "end of {m} {y}",
    Part.DURING: "during {m} {y}",
    Part.FIRST_HALF: "first half of {y}",
    Part.SECOND_HALF: "second half of {y}",
    Part.YEAR_START: "start of {y}",
    Part.YEAR_END: "end of {y}",
}

_FULL_WIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")
_ISO = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_ERA = r"(?P<era>(?:中華)?民國)?"
_NUMERIC = re.compile(_ERA + r"(?P<y>[0-9]{2,4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?:(?P=sep)(?P<d>[0-9]{1,2}))?")
_ZH = re.compile(_ERA + r"(?:(?P<y>[0-9]{1,4})年)?(?:(?P<m>[0-9]{1,2})月)?(?P<rest>.*)")
_ZH_DAY = re.compile(r"(?P<d>[0-9]{1,2})[日號号]")

_Fields = tuple[int, int | None, int | None, Part | None]


class _Reject(Exception):
    """Internal: why a text or a set of fields is not a date; turned into InvalidValue at the boundary."""


@dataclass(frozen=True)
class PartialDate:
    """A date known to the day, the month or the year, optionally narrowed to a named part."""

    year: int
    month: int | None = None
    day: int | None = None
    part: Part | None = None

    def __post_init__(self) -> None:
        part: Any = self.part  # callers may pass the part's text ("end"), as JSON does
        if isinstance(part, str) and not isinstance(part, Part):
            if part not in Part._value2member_map_:
                raise InvalidValue("date", part, f"unknown part; expected one of {', '.join(Part)}")
            object.__setattr__(self, "part", Part(part))
        try:
            _check(self.year, self.month, self.day, self.part)
        except _Reject as problem:
            raise InvalidValue("date", self._describe(), str(problem)) from None

    def _describe(self) -> str:
        # Bounded on purpose: str() of a huge int raises ValueError.
        shown = (str(v) if not isinstance(v, int) or abs(v) < 10**9 else "(huge)" for v in self._fields())
        text = "-".join(shown)
        return f"{text} ({self.part})" if self.part is not None else text

    def _fields(self) -> list[Any]:
        return [v for v in (self.year, self.month, self.day) if v is not None]

    # Ordering is chronological: by the range the date may denote, then by the fields to stay total.
    def _key(self) -> tuple[date, date, int, int, str]:
        return (self.earliest(), self.latest(), self.month or 0, self.day or 0, self.part or "")

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self._key() < other._key()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self._key() <= other._key()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self._key() > other._key()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self._key() >= other._key()

    @property
    def precision(self) -> Precision:
        """How much of the date is known."""
        if self.day is not None:
            return Precision.DAY
        return Precision.MONTH if self.month is not None else Precision.YEAR

    @property
    def roc_year(self) -> int:
        """The year in the Republic of China calendar (民國)."""
        return self.year - ROC_OFFSET

    @property
    def iso(self) -> str:
        """ISO 8601 at the date's own precision ("2013-11-17", "2013-05", "2013"); parts are not shown."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def earliest(self) -> date:
        """The first day the date may denote."""
        return self._span()[0]

    def latest(self) -> date:
        """The last day the date may denote."""
        return self._span()[1]

    def _span(self) -> tuple[date, date]:
        year, month = self.year, self.month
        if month is None:
            first, last = _YEAR_MONTHS[self.part] if self.part is not None else (1, 12)
            return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])
        if self.day is not None:
            exact = date(year, month, self.day)
            return exact, exact
        low, high = _MONTH_DAYS[self.part] if self.part is not None else (1, None)
        return date(year, month, low), date(year, month, high or calendar.monthrange(year, month)[1])

    def overlaps(self, start: date, end: date) -> bool:
        """True if the date's range shares at least one day with start..end (inclusive)."""
        low, high = _period(start, end)
        return self.earliest() <= high and low <= self.latest()

    def within(self, start: date, end: date) -> bool:
        """True if the date's whole range lies inside start..end (inclusive)."""
        low, high = _period(start, end)
        return low <= self.earliest() and self.latest() <= high

    def format_roc(self) -> str:
        """Traditional Chinese with the ROC year: "102年11月17日", "102年5月底", "102年下半年"."""
        return self._format_zh(self.roc_year, _ZH_HANT)

    def format_zh_cn(self) -> str:
        """Simplified Chinese with the Gregorian year: "2013年11月17日", "2013年4月间"."""
        return self._format_zh(self.year, _ZH_HANS)

    def _format_zh(self, year: int, words: dict[Part, str]) -> str:
        text = f"{year}年"
        if self.month is not None:
            text += f"{self.month}月"
        if self.day is not None:
            text += f"{self.day}日"
        return text + (words[self.part] if self.part is not None else "")

    def format_en(self) -> str:
        """English: "17 November 2013", "end of May 2013", "April 2013", "second half of 2013"."""
        month = calendar.month_name[self.month] if self.month is not None else ""
        if self.part is not None:
            return _EN[self.part].format(m=month, y=self.year)
        if self.day is not None:
            return f"{self.day} {month} {self.year}"
        return f"{month} {self.year}" if month else str(self.year)

    def __str__(self) -> str:
        return self.format_en()

    def to_json(self) -> dict[str, str]:
        """{"iso", "precision", "roc"}, plus "part" when one is set."""
        out = {"iso": self.iso, "precision": str(self.precision), "roc": self.format_roc()}
        if self.part is not None:
            out["part"] = str(self.part)
        return out

    @classmethod
    def from_json(cls, data: Any) -> PartialDate:
        """Inverse of to_json(); "iso" is required and any "precision" or "roc" given must agree with it."""
        if not isinstance(data, Mapping):
            raise InvalidValue("date", data, "expected an object with an iso key")
        unknown = sorted(str(key) for key in data if key not in ("iso", "precision", "roc", "part"))
        if unknown:
            raise InvalidValue("date", unknown[0], "unknown key")
        if "iso" not in data:
            raise MissingField("date", "iso is required")
        iso, raw_part = data["iso"], data.get("part")
        match = _ISO.fullmatch(iso) if isinstance(iso, str) else None
        if match is None:
            raise InvalidValue("date", iso, "iso must be YYYY, YYYY-MM or YYYY-MM-DD")
        if raw_part is not None and (not isinstance(raw_part, str) or raw_part not in Part._value2member_map_):
            raise InvalidValue("date", raw_part, f"unknown part; expected one of {', '.join(Part)}")
        year, month, day = (int(g) if g is not None else None for g in match.groups())
        part = Part(raw_part) if raw_part is not None else None
        try:
            _check(year, month, day, part)
        except _Reject as problem:
            raise InvalidValue("date", iso, str(problem)) from None
        assert year is not None  # the ISO pattern always captures a year
        result = cls(year, month, day, part)
        precision = data.get("precision")
        if precision is not None and precision != result.precision:
            raise InvalidValue("date", precision, f"precision does not match iso {iso!r}")
        roc = data.get("roc")
        if roc is not None and (not isinstance(roc, str) or cls.parse(roc) != result):
            raise InvalidValue("date", roc, f"roc does not match iso {iso!r}")
        return result

    @classmethod
    def parse(cls, text: str, *, field: str = "date", default_year: int | None = None) -> PartialDate:
        """Read an ISO, ROC or Chinese date; month-day forms need default_year (Gregorian)."""
        if not isinstance(text, str):
            raise InvalidValue(field, text, "expected text")
        try:
            fields = _read(text, default_year)
            _check(*fields)
        except _Reject as problem:
            raise InvalidValue(field, text, str(problem)) from None
        return cls(*fields)


def _period(start: Any, end: Any) -> tuple[date, date]:
    low, high = _as_day(start, "period.start"), _as_day(end, "period.end")
    if low > high:
        raise InvalidValue("period", f"{low}..{high}", "start is after end")
    return low, high


def _as_day(value: Any, field: str) -> date:
    # A datetime is a date subclass but refuses to compare with plain dates.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise InvalidValue(field, value, "expected a date")


def _check(year: Any, month: Any, day: Any, part: Any) -> None:
    """Raise _Reject unless the fields make a real (partial) date in the supported range."""
    for name, value in (("year", year), ("month", month), ("day", day)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise _Reject(f"{name} must be a whole number")
    if not isinstance(year, int):
        raise _Reject("year is required")
    if part is not None and not isinstance(part, Part):
        raise _Reject("unknown part")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _Reject(f"year must be between {MIN_YEAR} (民國1年) and {MAX_YEAR} (民國999年)")
    if month is None:
        if day is not None:
            raise _Reject("a day needs a month")
        if part is not None and part.of_month:
            raise _Reject(f"part {part} is a part of a month but no month is given")
        return
    if not 1 <= month <= 12:
        raise _Reject("month must be 1-12")
    if part is not None and not part.of_month:
        raise _Reject(f"part {part} is a part of a year and cannot go with a month")
    if day is not None:
        if part is not None:
            raise _Reject(f"part {part} cannot go with a day")
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise _Reject(f"day must be 1-{last} in {year}-{month:02d}")


def _read(text: str, default_year: int | None) -> _Fields:
    """Split text into fields without judging them; _check() does that."""
    cleaned = arabic(text.translate(_FULL_WIDTH)).strip()
    if not cleaned:
        raise _Reject("empty")
    if re.search(r"[0-9]\s+[0-9]", cleaned):
        raise _Reject("spaces inside a number")
    cleaned = re.sub(r"\s+", "", cleaned)
    if re.fullmatch(r"[0-9]{4}", cleaned):
        return int(cleaned), None, None, None
    numeric = _NUMERIC.fullmatch(cleaned)
    if numeric is not None:
        digits = numeric["y"]
        # The only rule that can tell the calendars apart: 2-3 digits are ROC, 4 are Gregorian.
        roc = numeric["era"] is not None or len(digits) < 4
        year = int(digits) + (ROC_OFFSET if roc else 0)
        day = int(numeric["d"]) if numeric["d"] is not None else None
        return year, int(numeric["m"]), day, None
    return _read_zh(cleaned, default_year)


def _read_zh(cleaned: str, default_year: int | None) -> _Fields:
    match = _ZH.fullmatch(cleaned)
    if match is None or (match["y"] is None and match["m"] is None):
        raise _Reject("not a date; expected e.g. 2013-11-17, 102年5月底 or 102/11/30")
    if match["y"] is not None:
        digits = match["y"]
        roc = match["era"] is not None or len(digits) < 4
        year = int(digits) + (ROC_OFFSET if roc else 0)
    elif match["era"] is not None:
        raise _Reject("民國 needs a year")
    elif default_year is None:
        raise _Reject("no year given and no default year")
    elif isinstance(default_year, bool) or not isinstance(default_year, int):
        raise _Reject("default year must be a whole number")
    else:
        year = default_year
    rest = match["rest"]
    if match["m"] is None:
        if rest and rest not in _YEAR_WORDS:
            raise _Reject(f"unknown part of a year {rest!r}")
        return year, None, None, _YEAR_WORDS.get(rest)
    month = int(match["m"])
    day = _ZH_DAY.fullmatch(rest)
    if day is not None:
        return year, month, int(day["d"]), None
    if rest and rest not in _MONTH_WORDS:
        raise _Reject(f"unknown part of a month {rest!r}")
    return year, month, None, _MONTH_WORDS.get(rest)
