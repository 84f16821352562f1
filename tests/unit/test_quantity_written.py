"""Quantities as people write them, in either script and with the words bulletins use (約, 餘, 左右, 毛重, 萬)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from straitlink.domain.errors import InvalidValue
from straitlink.domain.quantity import Basis, Qualifier, Quantity, Unit

UNITS = {
    "kg": Unit.KG,
    "公斤": Unit.KG,
    "千克": Unit.KG,
    "公克": Unit.G,
    "克": Unit.G,
    "公噸": Unit.T,
    "塊": Unit.BLOCK,
    "块": Unit.BLOCK,
    "block": Unit.BLOCK,
    "顆": Unit.TABLET,
    "粒": Unit.TABLET,
    "包": Unit.PACKET,
    "名": Unit.PERSON,
}
BASIS_WORDS = {"毛重": Basis.GROSS, "淨重": Basis.NET, "净重": Basis.NET, "gross": Basis.GROSS, "net": Basis.NET}
APPROX_BEFORE = ["約", "约", "~", "近", "大約"]
MORE_AFTER = ["餘", "余", "多", "+"]
MULTIPLIERS = {"": 1, "百": 100, "千": 1000, "萬": 10000, "万": 10000}
spaces = st.sampled_from(["", " ", "  "])


@given(
    value=st.integers(1, 99_999),
    unit=st.sampled_from(sorted(UNITS)),
    mult=st.sampled_from(sorted(MULTIPLIERS)),
    qualifier=st.sampled_from(["exact", "approx_before", "approx_after", "more", "over"]),
    basis=st.sampled_from(["", *sorted(BASIS_WORDS)]),
    basis_first=st.booleans(),
    bracket=st.booleans(),
    gaps=st.lists(spaces, min_size=4, max_size=4),
    commas=st.booleans(),
)
def test_every_way_of_writing_a_quantity_reads_as_it_means(
    value: int,
    unit: str,
    mult: str,
    qualifier: str,
    basis: str,
    basis_first: bool,
    bracket: bool,
    gaps: list[str],
    commas: bool,
) -> None:
    assume(not (mult == "千" and unit == "克"))  # 千克 is the kilogram: tested as a unit of its own
    if basis and UNITS[unit] not in (Unit.KG, Unit.G, Unit.T):
        basis = ""  # only a mass has a weight basis
    number = f"{value:,}" if commas else str(value)
    before = {"approx_before": "約", "over": "逾"}.get(qualifier, "")
    after = {"more": "餘"}.get(qualifier, "")
    around = "左右" if qualifier == "approx_after" else ""
    prefix = basis if basis and basis_first and basis in ("毛重", "淨重", "净重") else ""
    suffix = basis if basis and not prefix else ""
    if suffix and bracket:
        suffix = f"({suffix})"
    text = f"{prefix}{gaps[0]}{before}{number}{gaps[1]}{mult}{after}{gaps[2]}{unit}{around}{gaps[3]}{suffix}".strip()
    q = Quantity.parse(text)
    assert q.value == Decimal(value * MULTIPLIERS[mult])
    assert q.unit is UNITS[unit]
    assert q.basis is (BASIS_WORDS[basis] if basis else Basis.UNSTATED)
    expected = {
        "exact": Qualifier.EXACT,
        "approx_before": Qualifier.APPROX,
        "approx_after": Qualifier.APPROX,
        "more": Qualifier.AT_LEAST,
        "over": Qualifier.AT_LEAST,
    }[qualifier]
    assert q.qualifier is expected
    assert Quantity.parse(q.format_en()) == q


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("229 公斤 毛重", Quantity(Decimal(229), Unit.KG, Basis.GROSS)),
        ("600 塊", Quantity(Decimal(600), Unit.BLOCK)),
        ("約500公斤", Quantity(Decimal(500), Unit.KG, qualifier=Qualifier.APPROX)),
        ("3,000餘公斤", Quantity(Decimal(3000), Unit.KG, qualifier=Qualifier.AT_LEAST)),
        ("約3,000餘公斤", Quantity(Decimal(3000), Unit.KG, qualifier=Qualifier.APPROX)),
        ("3-5萬顆", Quantity(Decimal(30000), Unit.TABLET, qualifier=Qualifier.RANGE, upper=Decimal(50000))),
        ("300至700公斤", Quantity(Decimal(300), Unit.KG, qualifier=Qualifier.RANGE, upper=Decimal(700))),
        ("1.5萬顆", Quantity(Decimal(15000), Unit.TABLET)),
        # 千克 is a unit; 萬 and 百 before 克 are multipliers, and a range's upper end reads the same way
        ("1万克", Quantity(Decimal(10000), Unit.G)),
        ("5百克", Quantity(Decimal(500), Unit.G)),
        ("2萬千克", Quantity(Decimal(20000), Unit.KG)),
        ("3-5千克", Quantity(Decimal(3), Unit.KG, qualifier=Qualifier.RANGE, upper=Decimal(5))),
    ],
)
def test_written_forms(text: str, expected: Quantity) -> None:
    assert Quantity.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "毛重229公斤 gross",
        "約300至700公斤",
        "229 公斤 毛重 淨重",
        "600 塊 毛重",
        "3萬",
        "約",
        "公斤",
        "12 斤斤斤 gross net",
    ],
)
def test_contradictions_and_fragments_are_refused_naming_the_text(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        Quantity.parse(text)
    assert caught.value.field == "quantity" and caught.value.value == text
