"""Numbers and quantities in folded text: Arabic, Chinese and mixed, with their unit and qualifier.

Works on text folded by `ingest.folding` (Simplified script, half-width digits, no spaces), so "4萬 5,426 件"
arrives as "4万5,426件" and "3,000\\n餘公斤" as "3,000余公斤". Qualifiers keep their meaning: 余/多/逾/以上 →
at least, 约/近/左右 → approx, 三百至七百 → a range.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from straitlink.domain.errors import InvalidValue
from straitlink.domain.quantity import Basis, Dimension, Qualifier, Quantity, Unit

_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_ARABIC = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
# 千 followed by 克 is the kilogram's first character, not a thousand: 二百三十一千克 is 231 kg, 五千克 5 kg.
_CHINESE = r"(?:[零〇一二两三四五六七八九十百]|千(?!克))+"
# One number: Arabic, Chinese, or mixed with 万/亿 ("4万5,426", "1.36万", "三千五百万").
NUMBER = rf"(?:{_ARABIC}|{_CHINESE})(?:[万亿](?:{_ARABIC}|{_CHINESE})?)*"
_ARABIC_RE = re.compile(_ARABIC)

# Unit words → the domain's unit; None for units the domain does not count (money, cigarette cartons, ships).
UNITS: dict[str, Unit | None] = {
    **dict.fromkeys(("公斤", "千克", "kg", "㎏"), Unit.KG),
    **dict.fromkeys(("公克", "克", "g"), Unit.G),
    **dict.fromkeys(("公吨", "吨", "t"), Unit.T),
    **dict.fromkeys(("块", "砖"), Unit.BLOCK),
    **dict.fromkeys(("颗", "粒", "锭"), Unit.TABLET),
    **dict.fromkeys(("包",), Unit.PACKET),
    **dict.fromkeys(("人次",), Unit.DOSE),
    **dict.fromkeys(("人", "名"), Unit.PERSON),
    **dict.fromkeys(("件", "起"), Unit.CASE),
    **dict.fromkeys(
        (
            "元",
            "美元",
            "港币",
            "箱",
            "条",
            "艘",
            "辆",
            "支",
            "枚",
            "亩",
            "次",
            "批",
            "家",
            "个",
            "部",
            "张",
            "份",
            "岁",
            "万亩",
            "处",
            "%",
        ),
        None,
    ),
}
_UNIT_ALT = "|".join(
    re.escape(u) + {"克": "(?!他命)", "g": "(?![a-z])", "t": "(?![a-z])", "kg": "(?![a-z])"}.get(u, "")
    for u in sorted(UNITS, key=len, reverse=True)
)
_BEFORE = {"约": Qualifier.APPROX, "近": Qualifier.APPROX, "大约": Qualifier.APPROX, "逾": Qualifier.AT_LEAST}
_BEFORE |= {"超过": Qualifier.AT_LEAST, "至少": Qualifier.AT_LEAST}
_FIRST = "0-9零〇一二两三四五六七八九十百千"
QUANTITY = re.compile(
    # Most characters cannot start a quantity; the lookaheads let the engine pass over them at once (the first
    # one, on every character that can start a match, is what lets it skip without entering the alternatives).
    rf"(?=[大约近逾超至{_FIRST}])(?:(?P<before>大约|约|近|逾|超过|至少)(?=[{_FIRST}])|(?=[{_FIRST}]))"
    rf"(?P<num>{NUMBER})(?:(?:至|到|~|-|－|—)(?P<upper>{NUMBER}))?"
    r"(?P<more>余|多)?(?P<mult>万|亿)?(?P<more2>余|多)?"
    rf"(?P<unit>{_UNIT_ALT})(?P<after>以上|左右|多)?"
)


class QuantityText(NamedTuple):
    """A number with its unit as the text states it; `unit` is None for units the domain does not count (a named
    tuple, cheap to make: one per quantity found)."""

    value: Decimal
    upper: Decimal | None
    unit_text: str
    unit: Unit | None
    qualifier: Qualifier
    start: int
    end: int


# Each unit's dimension, looked up in a dict: Unit.dimension is a property that builds a Dimension on every call,
# and the readers ask for it of every quantity in every sentence.
DIMENSION: dict[Unit, Dimension] = {unit: unit.dimension for unit in Unit}
# as_json by what decides it (value, unit, basis, qualifier, upper): validating a Quantity costs far more than a
# lookup, and bulletins repeat the same few amounts (1人, 2名). Equal Decimals give the same JSON (it is canonical).
_JSON: dict[tuple[Any, ...], dict[str, str] | None] = {}
_JSON_MAX = 8192


def as_json(q: QuantityText, unit: Unit | None = None, basis: Basis = Basis.UNSTATED) -> dict[str, str] | None:
    """The quantity in the domain's JSON shape (in `unit` if given), or None when the domain would refuse it:
    a figure longer than the store holds (「99999999999999999人」) is no quantity to propose."""
    key = (q.value, unit or q.unit or Unit.ITEM, basis, q.qualifier, q.upper)
    try:
        found = _JSON[key]
    except KeyError:
        try:
            found = Quantity(*key).to_json()
        except InvalidValue:
            found = None
        if len(_JSON) >= _JSON_MAX:
            _JSON.clear()
        _JSON[key] = found
    return dict(found) if found is not None else None  # a copy: callers put it into fields they may change


def _small(text: str) -> Decimal:
    """A number below 10,000 in Chinese numerals ("一千二百三十", "十五", "二〇一三") or Arabic."""
    if _ARABIC_RE.fullmatch(text):
        return Decimal(text.replace(",", ""))
    if all(ch in _DIGIT for ch in text):
        if len(text) > 1 and "两" in text:
            raise ValueError(text)
        return Decimal("".join(str(_DIGIT[ch]) for ch in text))  # 二〇一三: digit by digit, as years are written
    total, digit, last_unit = 0, None, 10_000
    for ch in text:
        if ch in _DIGIT:
            if digit is not None and not (digit == 0 or _DIGIT[ch] == 0):
                raise ValueError(text)
            digit = _DIGIT[ch] if _DIGIT[ch] or digit is None else digit
        elif ch in _SMALL:
            unit = _SMALL[ch]
            # A unit without its digit means one of it only at the start: 十五, 百餘人, 近千人.
            if unit >= last_unit or (digit is None and total):
                raise ValueError(text)
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            raise ValueError(text)
    return Decimal(total + (digit or 0))


@functools.lru_cache(maxsize=4096)
def parse_number(text: str) -> Decimal:
    """The value of one number as NUMBER matches it; ValueError if it is not one ("十十", "百").

    Cached: a text states the same few numbers again and again, and a Decimal is immutable. A text that is no
    number raises every time (lru_cache keeps no exceptions)."""
    if not text:
        raise ValueError(text)
    for big, factor in (("亿", 10**8), ("万", 10**4)):
        if big in text:
            head, _, tail = text.partition(big)
            left = parse_number(head) if head else Decimal(1)
            right = parse_number(tail) if tail else Decimal(0)
            if right >= factor:
                raise ValueError(text)
            return left * factor + right
    try:
        return _small(text)
    except InvalidOperation:
        raise ValueError(text) from None


def read_quantity(m: re.Match[str]) -> QuantityText | None:
    """The quantity a QUANTITY match states, or None when its number does not parse."""
    try:
        value = parse_number(m["num"])
        upper = parse_number(m["upper"]) if m["upper"] else None
    except ValueError:
        return None
    if m["mult"]:
        factor = 10**4 if m["mult"] == "万" else 10**8
        value *= factor
        upper = upper * factor if upper is not None else None
    qualifier = Qualifier.EXACT
    if m["before"]:
        qualifier = _BEFORE[m["before"]]
    elif m["more"] or m["more2"] or m["after"] in ("以上", "多"):
        qualifier = Qualifier.AT_LEAST
    elif m["after"] == "左右":
        qualifier = Qualifier.APPROX
    if upper is not None:
        if upper <= value or qualifier is not Qualifier.EXACT:
            upper = None  # "3-5" as a list or an odd bound: keep the lower figure, exact
        else:
            qualifier = Qualifier.RANGE
    unit_text = m["unit"]
    if unit_text == "起" and m["num"] in ("一", "两", "二"):
        return None  # 一起 is "together", not one case
    return QuantityText(value, upper, unit_text, UNITS[unit_text], qualifier, m.start(), m.end())


def quantities(text: str, start: int = 0, end: int | None = None) -> list[QuantityText]:
    """Every quantity in text[start:end], left to right."""
    found = []
    for m in QUANTITY.finditer(text, start, len(text) if end is None else end):
        q = read_quantity(m)
        if q is not None:
            found.append(q)
    return found
