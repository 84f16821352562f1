"""Numbers and quantities as Chinese text writes them: Arabic, Chinese, mixed, with unit and qualifier."""

from __future__ import annotations

from decimal import Decimal

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from straitlink.domain.quantity import Qualifier, Unit
from straitlink.ingest.folding import fold
from straitlink.ingest.numbers import parse_number, quantities


@pytest.mark.parametrize(
    ("text", "value", "upper", "unit", "qualifier"),
    [
        ("4萬 5,426 件", "45426", None, Unit.CASE, Qualifier.EXACT),
        ("3,000 餘公斤", "3000", None, Unit.KG, Qualifier.AT_LEAST),
        ("3,000\n\n餘公斤", "3000", None, Unit.KG, Qualifier.AT_LEAST),
        ("500 餘名", "500", None, Unit.PERSON, Qualifier.AT_LEAST),
        ("六百塊", "600", None, Unit.BLOCK, Qualifier.EXACT),
        ("一千二百三十克", "1230", None, Unit.G, Qualifier.EXACT),
        ("二百三十一千克", "231", None, Unit.KG, Qualifier.EXACT),  # 千克 is the kilogram, not a thousand
        ("五千克", "5", None, Unit.KG, Qualifier.EXACT),
        ("一千二百千克", "1200", None, Unit.KG, Qualifier.EXACT),
        ("1.36 吨", "1.36", None, Unit.T, Qualifier.EXACT),
        ("2600多公斤", "2600", None, Unit.KG, Qualifier.AT_LEAST),
        ("231 餘萬人次", "2310000", None, Unit.DOSE, Qualifier.AT_LEAST),
        ("三百至七百公斤", "300", "700", Unit.KG, Qualifier.RANGE),
        ("約 20 公斤", "20", None, Unit.KG, Qualifier.APPROX),
        ("近千人", "1000", None, Unit.PERSON, Qualifier.APPROX),
        ("十餘名", "10", None, Unit.PERSON, Qualifier.AT_LEAST),
        ("353 千克", "353", None, Unit.KG, Qualifier.EXACT),
        ("１,２５０餘公斤", "1250", None, Unit.KG, Qualifier.AT_LEAST),
        ("1.8公噸", "1.8", None, Unit.T, Qualifier.EXACT),
        ("100公斤以上", "100", None, Unit.KG, Qualifier.AT_LEAST),
    ],
)
def test_quantities_read_as_written(text: str, value: str, upper: str | None, unit: Unit, qualifier: Qualifier) -> None:
    (q,) = quantities(fold(text).text)
    assert (q.value, q.upper, q.unit, q.qualifier) == (
        Decimal(value),
        Decimal(upper) if upper else None,
        unit,
        qualifier,
    )


@pytest.mark.parametrize("text", ["一起破獲", "兩岸合作", "第9次會議", "克他命"])
def test_words_that_only_look_like_quantities(text: str) -> None:
    assert [q for q in quantities(fold(text).text) if q.unit is not None] == []


def test_money_cartons_and_ships_have_no_domain_unit() -> None:
    found = quantities(fold("新臺幣2億元、私菸2,000條、船隻23艘").text)
    assert [(q.value, q.unit_text, q.unit) for q in found] == [
        (Decimal(200000000), "元", None),
        (Decimal(2000), "条", None),
        (Decimal(23), "艘", None),
    ]


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_chinese_numerals_agree_with_cn2an(n: int) -> None:
    assert parse_number(cn2an.an2cn(n)) == n


@given(st.integers(min_value=0, max_value=10**9))
def test_arabic_with_thousands_separators(n: int) -> None:
    assert parse_number(f"{n:,}") == n


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=0, max_value=9999))
def test_mixed_wan(high: int, low: int) -> None:
    assert parse_number(f"{high}万{low:,}") == high * 10_000 + low


@given(st.text(alphabet="零〇一二两三四五六七八九十百千万亿0123456789,.", max_size=12))
def test_any_numeral_string_parses_or_is_refused(text: str) -> None:
    try:
        value = parse_number(text)
    except ValueError:
        return
    assert value >= 0
