"""Dates and quantities typed in Chinese numerals read as their Arabic forms do (domain.numerals)."""

from __future__ import annotations

import subprocess
import sys
import warnings
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from straitlink.domain.dates import MAX_YEAR, MIN_YEAR, ROC_OFFSET, Part, PartialDate
from straitlink.domain.errors import InvalidValue
from straitlink.domain.numerals import arabic
from straitlink.domain.quantity import Qualifier, Quantity, Unit

_DIGITS = "〇一二三四五六七八九"


def _zh(n: int) -> str:
    """n (1-9999) in Chinese numerals as people write it (十一, 二十五, 一百零二); independent of cn2an."""
    out, zero = "", False
    for value, word in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero:
                out += "零"
            out += ("" if (value == 10 and d == 1 and not out) else _DIGITS[d]) + word
            zero = False
        elif out:
            zero = True
    return out


def _by_digit(n: int) -> str:
    """A year written digit by digit, as dates do: 一〇二, 二〇一三."""
    return "".join(_DIGITS[int(c)] for c in str(n))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一〇二年十一月十七日", PartialDate(2013, 11, 17)),
        ("民國一百零二年十一月十七日", PartialDate(2013, 11, 17)),
        ("中華民國九十八年六月二十五日", PartialDate(2009, 6, 25)),
        ("二〇一三年五月底", PartialDate(2013, 5, part=Part.END)),
        ("一〇二年上半年", PartialDate(2013, part=Part.FIRST_HALF)),
        ("102年十一月17日", PartialDate(2013, 11, 17)),
    ],
)
def test_dates_in_chinese_numerals(text: str, expected: PartialDate) -> None:
    assert PartialDate.parse(text) == expected


@given(
    year=st.integers(MIN_YEAR, MAX_YEAR),
    month=st.integers(1, 12),
    day=st.integers(1, 28),
    roc=st.booleans(),
    digit_by_digit=st.booleans(),
)
def test_any_date_reads_the_same_in_chinese_numerals(
    year: int, month: int, day: int, roc: bool, digit_by_digit: bool
) -> None:
    shown = year - ROC_OFFSET if roc else year
    written = _by_digit(shown) if digit_by_digit else _zh(shown)
    era = "民國" if roc and len(str(shown)) == 4 else ""  # four digits alone would be a Gregorian year
    text = f"{era}{written}年{_zh(month)}月{_zh(day)}日"
    assert PartialDate.parse(text) == PartialDate(year, month, day)


@pytest.mark.parametrize(
    ("text", "value", "unit", "qualifier"),
    [
        ("五公斤", "5", Unit.KG, Qualifier.EXACT),
        ("三千餘公斤", "3000", Unit.KG, Qualifier.AT_LEAST),
        ("一萬五千顆", "15000", Unit.TABLET, Qualifier.EXACT),
        ("毛重二百二十九公斤", "229", Unit.KG, Qualifier.EXACT),
        ("壹佰公斤", "100", Unit.KG, Qualifier.EXACT),
        ("一點五公噸", "1.5", Unit.T, Qualifier.EXACT),
        ("五千克", "5", Unit.KG, Qualifier.EXACT),  # 千克 is the kilogram, not 5,000 克
        ("約五百公斤", "500", Unit.KG, Qualifier.APPROX),
    ],
)
def test_quantities_in_chinese_numerals(text: str, value: str, unit: Unit, qualifier: Qualifier) -> None:
    q = Quantity.parse(text)
    assert (q.value, q.unit, q.qualifier) == (Decimal(value), unit, qualifier)


@given(st.integers(1, 9999))
def test_any_whole_quantity_reads_the_same_in_chinese_numerals(n: int) -> None:
    assert Quantity.parse(f"{_zh(n)}公斤") == Quantity.parse(f"{n}公斤")


def test_a_run_that_is_no_number_is_refused_naming_the_text_and_warning_nothing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the library's own warning about the run must not surface
        with pytest.raises(InvalidValue) as refused:
            Quantity.parse("百餘公斤", field="quantities")
    assert refused.value.field == "quantities" and refused.value.value == "百餘公斤"
    with pytest.raises(InvalidValue) as refused:
        PartialDate.parse("民國一百零二年十三月")
    assert refused.value.value == "民國一百零二年十三月" and "month" in refused.value.message


def test_text_without_chinese_numerals_is_untouched_and_loads_no_library() -> None:
    assert arabic("102年5月底") == "102年5月底"
    assert arabic("1.5萬顆") == "1.5萬顆"
    code = "import sys; from straitlink.domain.dates import PartialDate; PartialDate.parse('2013-11-17'); "
    code += "print('cn2an' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
