"""How bulletins and officers write a quantity, read into its parts (Quantity.parse builds the Quantity).

毛重229公斤, 229 公斤 毛重, 229 kg gross, 約500公斤, 500公斤左右, 3,000餘公斤, 3千多公斤, 逾3000公斤, 1.5萬顆,
300-700 kg, 300至700公斤; in Chinese numerals too (五公斤, 三千餘公斤: domain.numerals).
"""

from __future__ import annotations

import re
from decimal import Decimal

from straitlink.domain.amounts import FULL_WIDTH, NUMBER, PartRejected, read_number, scaled
from straitlink.domain.errors import InvalidValue
from straitlink.domain.numerals import arabic
from straitlink.domain.units import Basis, Qualifier

_APPROX = r"~|≈|約|约|大約|大约|將近|将近|近"
_OVER = r"逾|超過|超过|over"
# 千克 is the kilogram, not 1,000 克; 萬克 and 百克 are multiples of the gram
_MULTIPLIER = "(?:[萬万百]|千(?!克))"
_QUANTITY = re.compile(
    rf"(?P<basis_zh>毛重|淨重|净重)?\s*(?:(?P<approx>{_APPROX})|(?P<over>{_OVER}))?\s*"
    rf"(?P<value>{NUMBER})\s*(?P<mult>{_MULTIPLIER})?\s*"
    rf"(?:(?P<more>\+|餘|余|多)|(?:-|–|~|to|至|到)\s*(?P<upper>{NUMBER})\s*(?P<upper_mult>{_MULTIPLIER})?)?\s*"
    r"(?P<unit>[^\s0-9()（）]+?)\s*(?P<around>左右|上下)?"
    r"(?:\s*[(（]?\s*(?P<basis>gross|net|毛重|淨重|净重)\s*[)）]?)?",
    re.IGNORECASE,
)
_ABOUT = ("約", "约", "大約", "大约")
_ODD = ("餘", "余", "多")
_TIMES = {"萬": 10_000, "万": 10_000, "千": 1_000, "百": 100}
_ZH_BASIS = {"毛重": "gross", "淨重": "net", "净重": "net"}
_MARKS = (
    ("approx", Qualifier.APPROX),
    ("around", Qualifier.APPROX),
    ("more", Qualifier.AT_LEAST),
    ("over", Qualifier.AT_LEAST),
    ("upper", Qualifier.RANGE),
)


def written_parts(text: str, *, field: str) -> tuple[Decimal, str, str, Qualifier, Decimal | None]:
    """The value, unit as written, basis, qualifier and upper bound of a written quantity; InvalidValue naming
    the text otherwise. The unit and basis are checked when the Quantity is built from them."""
    if not isinstance(text, str):
        raise InvalidValue(field, text, "expected text")
    match = _QUANTITY.fullmatch(arabic(text.translate(FULL_WIDTH)).strip())
    if match is None:
        raise InvalidValue(field, text, "expected e.g. 229 kg, 229 kg gross, 3000+ kg, ~500 kg, 1-2 t")
    if match["basis_zh"] and match["basis"]:
        raise InvalidValue(field, text, "weight basis given twice")
    marks = {mark for group, mark in _MARKS if match[group]}
    if match["approx"] in _ABOUT and match["more"] in _ODD and not match["upper"] and not match["around"]:
        marks = {Qualifier.APPROX}  # 約3,000餘公斤: "about" is the weaker claim, and it holds
    if len(marks) > 1:
        raise InvalidValue(field, text, "a figure cannot be approximate and also a bound or a range")
    qualifier = next(iter(marks), Qualifier.EXACT)
    suffix = (match["basis"] or "").lower()
    basis = _ZH_BASIS.get(match["basis_zh"] or "") or _ZH_BASIS.get(suffix) or suffix or Basis.UNSTATED
    # "3-5萬顆": a multiplier written once after a range applies to both ends.
    times = _TIMES.get(match["mult"] or match["upper_mult"] or "", 1)
    upper_times = _TIMES.get(match["upper_mult"] or "", 1) if match["upper"] else 1
    try:
        value = scaled(read_number(match["value"], "value"), times)
        upper = scaled(read_number(match["upper"], "upper"), upper_times) if match["upper"] else None
    except PartRejected as problem:
        raise InvalidValue(field, text, problem.named(field).message) from None
    return value, match["unit"], basis, qualifier, upper
