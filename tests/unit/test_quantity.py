"""Quantity, Total and DoseEstimate: parsing, validation, exact conversion, sums and JSON."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from straitlink.domain.errors import IncompatibleUnits, InvalidValue, MissingField
from straitlink.domain.quantity import (
    Basis,
    Dimension,
    DoseEstimate,
    Qualifier,
    Quantity,
    Total,
    Unit,
    canonical,
    estimate_doses,
    total,
)

D = Decimal
Q = Quantity
MASS_UNITS = [Unit.KG, Unit.G, Unit.T]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("229 kg", Q(D(229), Unit.KG)),
        ("229kg gross", Q(D(229), Unit.KG, Basis.GROSS)),
        ("229 KG GROSS", Q(D(229), Unit.KG, Basis.GROSS)),
        ("600 block", Q(D(600), Unit.BLOCK)),
        ("600 blocks", Q(D(600), Unit.BLOCK)),
        ("3000+ kg", Q(D(3000), Unit.KG, qualifier=Qualifier.AT_LEAST)),
        ("~500 kg", Q(D(500), Unit.KG, qualifier=Qualifier.APPROX)),
        ("300-700 kg", Q(D(300), Unit.KG, qualifier=Qualifier.RANGE, upper=D(700))),
        ("300 to 700 kg", Q(D(300), Unit.KG, qualifier=Qualifier.RANGE, upper=D(700))),
        ("1.36 t net", Q(D("1.36"), Unit.T, Basis.NET)),
        ("500 person", Q(D(500), Unit.PERSON)),
        ("3,000 kg", Q(D(3000), Unit.KG)),
        ("3,000餘公斤", Q(D(3000), Unit.KG, qualifier=Qualifier.AT_LEAST)),
        ("毛重229公斤", Q(D(229), Unit.KG, Basis.GROSS)),
        ("600塊", Q(D(600), Unit.BLOCK)),
        ("約500公斤", Q(D(500), Unit.KG, qualifier=Qualifier.APPROX)),
        ("１２ kg", Q(D(12), Unit.KG)),
        ("0 item", Q(D(0), Unit.ITEM)),
        ("2310000 人次", Q(D(2310000), Unit.DOSE)),
    ],
)
def test_parse_reads_command_line_forms(text: str, expected: Quantity) -> None:
    assert Quantity.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "kg",
        "229",
        "-5 kg",
        "229 furlong",
        "600 block gross",
        "700-300 kg",
        "~300-700 kg",
        "~3000+ kg",
        "1e3 kg",
        "NaN kg",
        "Infinity kg",
        "1.1234567 kg",
        "123456789012345 kg",
        "229 kg gross net",
        "毛重229 kg net",
        "1,00 kg",
        "٣ kg",
    ],
)
def test_parse_rejects_bad_text_naming_field_and_text(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        Quantity.parse(text, field="seizure.quantity")
    assert caught.value.field == "seizure.quantity"
    assert caught.value.value == text


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"value": D(-1), "unit": Unit.KG}, "quantity.value"),
        ({"value": D("NaN"), "unit": Unit.KG}, "quantity.value"),
        ({"value": D("sNaN"), "unit": Unit.KG}, "quantity.value"),
        ({"value": D("Infinity"), "unit": Unit.KG}, "quantity.value"),
        ({"value": D("1E+999999"), "unit": Unit.KG}, "quantity.value"),
        ({"value": 5, "unit": Unit.KG}, "quantity.value"),
        ({"value": D(5), "unit": "furlong"}, "quantity.unit"),
        ({"value": D(5), "unit": Unit.BLOCK, "basis": Basis.GROSS}, "quantity.basis"),
        ({"value": D(5), "unit": Unit.KG, "basis": "tare"}, "quantity.basis"),
        ({"value": D(5), "unit": Unit.KG, "qualifier": "roughly"}, "quantity.qualifier"),
        ({"value": D(5), "unit": Unit.KG, "qualifier": Qualifier.RANGE}, "quantity.upper"),
        ({"value": D(5), "unit": Unit.KG, "qualifier": Qualifier.RANGE, "upper": D(4)}, "quantity.upper"),
        ({"value": D(5), "unit": Unit.KG, "upper": D(6)}, "quantity.upper"),
    ],
)
def test_constructor_validation_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        Quantity(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_constructor_resolves_text_enums_and_allows_equal_range_ends() -> None:
    q = Quantity(D(1), "kg", "gross", "range", D(1))  # type: ignore[arg-type]
    assert (q.unit, q.basis, q.qualifier) == (Unit.KG, Basis.GROSS, Qualifier.RANGE)


def test_of_parses_text_and_ints() -> None:
    assert Quantity.of("229", "kg", "gross") == Q(D(229), Unit.KG, Basis.GROSS)
    assert Quantity.of(229, "公斤") == Q(D(229), Unit.KG)
    assert Quantity.of("300", "kg", qualifier="range", upper="700").upper == D(700)
    assert Quantity.of(D("1.36"), Unit.T).value == D("1.36")


@pytest.mark.parametrize(
    ("args", "field", "value"),
    [
        (("abc", "kg"), "s.q.value", "abc"),
        (("", "kg"), "s.q.value", ""),
        (("-3", "kg"), "s.q.value", "-3"),
        ((1.5, "kg"), "s.q.value", 1.5),
        ((True, "kg"), "s.q.value", True),
        ((-3, "kg"), "s.q.value", D(-3)),
        (("1", "furlong"), "s.q.unit", "furlong"),
        (("1", 7), "s.q.unit", 7),
        (("1", "block", "net"), "s.q.basis", "net"),
        (("1", "kg", "unstated", "range", "x"), "s.q.upper", "x"),
    ],
)
def test_of_names_field_and_value(args: tuple[object, ...], field: str, value: object) -> None:
    with pytest.raises(InvalidValue) as caught:
        Quantity.of(*args, field="s.q")  # type: ignore[arg-type]
    assert caught.value.field == field
    assert caught.value.value == value


def test_of_rejects_huge_int_without_crashing() -> None:
    with pytest.raises(InvalidValue) as caught:
        Quantity.of(10**5000, "kg")
    assert caught.value.field == "quantity.value"


def test_dimensions() -> None:
    assert Q(D(1), Unit.T).dimension is Dimension.MASS
    assert Unit.G.dimension is Dimension.MASS
    assert Unit.BLOCK.dimension is Dimension.BLOCK
    assert Unit.DOSE.dimension is Dimension.DOSE
    assert len({u.dimension for u in Unit}) == len(Dimension)


@pytest.mark.parametrize(
    ("q", "unit", "expected"),
    [
        (Q(D(229), Unit.KG), Unit.G, D(229000)),
        (Q(D("1.36"), Unit.T), Unit.KG, D(1360)),
        (Q(D(500), Unit.G), Unit.KG, D("0.5")),
        (Q(D("0.001"), Unit.KG), Unit.G, D(1)),
        (Q(D(1), Unit.G), Unit.T, D("0.000001")),
        (Q(D(7), Unit.BLOCK), Unit.BLOCK, D(7)),
    ],
)
def test_to_converts_mass_exactly(q: Quantity, unit: Unit, expected: Decimal) -> None:
    converted = q.to(unit)
    assert converted.unit is unit
    assert converted.value == expected
    assert canonical(converted.value) == canonical(expected)


def test_to_keeps_basis_qualifier_and_upper() -> None:
    q = Quantity.parse("1-2 t gross").to("kg")
    assert q == Q(D(1000), Unit.KG, Basis.GROSS, Qualifier.RANGE, D(2000))


def test_to_refuses_other_dimensions() -> None:
    with pytest.raises(IncompatibleUnits):
        Q(D(600), Unit.BLOCK).to(Unit.KG)
    with pytest.raises(IncompatibleUnits):
        Q(D(229), Unit.KG).to(Unit.TABLET)
    with pytest.raises(InvalidValue):
        Q(D(229), Unit.KG).to("furlong")


@pytest.mark.parametrize(
    ("d", "text"),
    [
        (D("229"), "229"),
        (D("229.000"), "229"),
        (D("1.360"), "1.36"),
        (D("0.10"), "0.1"),
        (D("3E+3"), "3000"),
        (D("3000"), "3000"),
        (D("-0"), "0"),
        (D("0.000"), "0"),
        (D("1E-7"), "0.0000001"),
        (D("123456789012345678901234567890.5"), "123456789012345678901234567890.5"),
    ],
)
def test_canonical(d: Decimal, text: str) -> None:
    assert canonical(d) == text


def test_canonical_rejects_non_finite() -> None:
    with pytest.raises(InvalidValue):
        canonical(D("NaN"))


def test_to_json_shape() -> None:
    assert Quantity.parse("229 kg gross").to_json() == {
        "value": "229",
        "unit": "kg",
        "basis": "gross",
        "qualifier": "exact",
    }
    assert Quantity.parse("300-700 kg").to_json()["upper"] == "700"
    assert Q(D("1.360"), Unit.T).to_json()["value"] == "1.36"


def test_from_json_defaults_and_errors() -> None:
    assert Quantity.from_json({"value": "600", "unit": "block"}) == Q(D(600), Unit.BLOCK)
    with pytest.raises(MissingField) as missing:
        Quantity.from_json({"unit": "kg"})
    assert missing.value.field == "quantity.value"
    bad_inputs: list[object] = [None, [], {"value": 1.5, "unit": "kg"}, {"value": "1", "unit": "kg", "extra": 1}]
    for bad in bad_inputs:
        with pytest.raises(InvalidValue) as caught:
            Quantity.from_json(bad)
        assert caught.value.field is not None and caught.value.field.startswith("quantity")


def test_total_of_nothing_is_exact_zero() -> None:
    t = total([], Unit.KG)
    assert t == Total(D(0), Unit.KG, Qualifier.EXACT, None, frozenset(), 0)
    assert not t.qualified and not t.mixed_basis


def test_total_converts_and_sums_exactly() -> None:
    t = total([Q(D("0.1"), Unit.KG), Q(D(200), Unit.G), Q(D("0.0007"), Unit.T)], Unit.KG)
    assert t.value == D("1.0")
    assert t.count == 3
    assert t.qualifier is Qualifier.EXACT


def test_blocks_and_kilograms_do_not_add() -> None:
    with pytest.raises(IncompatibleUnits) as caught:
        total([Q(D(229), Unit.KG), Q(D(600), Unit.BLOCK)], Unit.KG)
    assert "block" in caught.value.message and "kg" in caught.value.message
    with pytest.raises(IncompatibleUnits):
        total([Q(D(600), Unit.BLOCK)], Unit.TABLET)
    with pytest.raises(IncompatibleUnits):
        total([], Unit.KG) + total([], Unit.G)


def test_mixed_gross_and_net_is_flagged() -> None:
    t = total([Quantity.parse("229 kg gross"), Quantity.parse("200 kg net")], Unit.KG)
    assert t.mixed_basis
    assert t.to_json()["bases"] == ["gross", "net"]
    assert not total([Quantity.parse("229 kg gross"), Quantity.parse("1 kg")], Unit.KG).mixed_basis


def test_at_least_is_carried_through() -> None:
    t = total([Quantity.parse("3,000餘公斤"), Quantity.parse("62 kg")], Unit.KG)
    assert (t.value, t.qualifier, t.upper) == (D(3062), Qualifier.AT_LEAST, None)
    assert t.qualified
    assert t.to_json() == {
        "value": "3062",
        "unit": "kg",
        "qualifier": "at_least",
        "bases": ["unstated"],
        "mixed_basis": False,
        "count": 2,
    }


def test_qualifier_precedence() -> None:
    exact, rng = Quantity.parse("10 kg"), Quantity.parse("1-2 kg")
    at_least, approx = Quantity.parse("5+ kg"), Quantity.parse("~7 kg")
    ranged = total([exact, rng], Unit.KG)
    assert (ranged.qualifier, ranged.value, ranged.upper) == (Qualifier.RANGE, D(11), D(12))
    assert ranged.to_json()["upper"] == "12"
    lower = total([rng, at_least], Unit.KG)
    assert (lower.qualifier, lower.value, lower.upper) == (Qualifier.AT_LEAST, D(6), None)
    assert total([at_least, approx, rng], Unit.KG).qualifier is Qualifier.APPROX


def test_total_validation() -> None:
    with pytest.raises(InvalidValue):
        Total(D(1), Unit.KG, Qualifier.RANGE, None, frozenset(), 1)
    with pytest.raises(InvalidValue):
        Total(D(-1), Unit.KG, Qualifier.EXACT, None, frozenset(), 1)
    with pytest.raises(InvalidValue):
        Total(D(1), Unit.KG, Qualifier.EXACT, None, frozenset(), -1)
    with pytest.raises(InvalidValue):
        total([Q(D(1), Unit.KG)], "furlong")


def test_dose_estimate_matches_the_bulletin() -> None:
    estimate = estimate_doses(Q(D(231), Unit.KG), D("0.1"), "MOJ bulletin 2013")
    assert estimate.doses == D(2310000)
    assert estimate.to_json() == {
        "doses": "2310000",
        "factor_g": "0.1",
        "source": "MOJ bulletin 2013",
        "label": "estimate",
        "qualifier": "exact",
        "estimate": True,
    }


def test_dose_estimate_keeps_whole_doses_and_precision() -> None:
    assert estimate_doses(Q(D(1), Unit.G), D("0.3"), "s").doses == D(3)
    at_least = estimate_doses(Quantity.parse("3000+ kg"), D("0.1"), "s")
    assert (at_least.qualifier, at_least.doses) == (Qualifier.AT_LEAST, D(30000000))
    ranged = estimate_doses(Quantity.parse("1-2 kg"), D("0.5"), "s")
    assert (ranged.doses, ranged.upper) == (D(2000), D(4000))


def test_dose_estimate_errors() -> None:
    with pytest.raises(IncompatibleUnits):
        estimate_doses(Q(D(600), Unit.BLOCK), D("0.1"), "s")
    with pytest.raises(InvalidValue) as caught:
        estimate_doses(Q(D(1), Unit.KG), D(0), "s")
    assert caught.value.field == "dose.factor_g"
    with pytest.raises(InvalidValue) as caught:
        estimate_doses(Q(D(1), Unit.KG), D("0.1"), " ")
    assert caught.value.field == "dose.source"
    with pytest.raises(InvalidValue):
        DoseEstimate(D(-1), D("0.1"), "s")


values = st.decimals(min_value=0, max_value=D("99999999.999999"), places=6, allow_nan=False)


@st.composite
def quantities(draw: st.DrawFn, units: list[Unit] | None = None) -> Quantity:
    unit = draw(st.sampled_from(units or list(Unit)))
    value = draw(values)
    basis = draw(st.sampled_from(list(Basis))) if unit.dimension is Dimension.MASS else Basis.UNSTATED
    qualifier = draw(st.sampled_from(list(Qualifier)))
    upper = value + draw(values) if qualifier is Qualifier.RANGE else None
    return Q(value, unit, basis, qualifier, upper)


@given(quantities())
def test_text_and_json_round_trips(q: Quantity) -> None:
    assert Quantity.parse(str(q)) == q
    assert Quantity.parse(q.format_en()) == q
    assert Quantity.from_json(q.to_json()) == q


@given(st.lists(quantities(MASS_UNITS), max_size=8), st.data())
def test_total_is_associative(xs: list[Quantity], data: st.DataObject) -> None:
    k = data.draw(st.integers(0, len(xs)))
    whole = total(xs, Unit.KG)
    assert whole == total(xs[:k], Unit.KG) + total(xs[k:], Unit.KG)
    assert whole == total(list(reversed(xs)), Unit.KG)
    assert whole.count == len(xs)


@given(quantities(MASS_UNITS), quantities(MASS_UNITS), quantities(MASS_UNITS))
def test_total_addition_groups_either_way(a: Quantity, b: Quantity, c: Quantity) -> None:
    ta, tb, tc = (total([q], Unit.G) for q in (a, b, c))
    assert (ta + tb) + tc == ta + (tb + tc) == total([a, b, c], Unit.G)


@given(st.lists(quantities(MASS_UNITS), min_size=1, max_size=5), quantities([Unit.BLOCK, Unit.TABLET]))
def test_counts_never_join_mass(xs: list[Quantity], other: Quantity) -> None:
    with pytest.raises(IncompatibleUnits):
        total([*xs, other], Unit.KG)


QUANTITY_ALPHABET = st.sampled_from(list("0123456789.,+-~ kgtblockpersongrossnet公斤塊餘毛重約１"))


@given(st.one_of(st.text(), st.text(QUANTITY_ALPHABET, max_size=16)))
def test_parse_raises_nothing_but_invalid_value(text: str) -> None:
    try:
        q = Quantity.parse(text, field="f")
    except InvalidValue as error:
        assert (error.field, error.value) == ("f", text)
    else:
        assert Quantity.parse(str(q)) == q


anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.text(),
    st.text(QUANTITY_ALPHABET, max_size=10),
    st.sampled_from([*Unit, *Basis, *Qualifier]),
)


@given(anything, anything, anything, anything, anything)
def test_of_raises_nothing_but_invalid_value(
    value: object, unit: object, basis: object, qual: object, up: object
) -> None:
    try:
        q = Quantity.of(value, unit, basis, qual, up, field="f")  # type: ignore[arg-type]
    except InvalidValue as error:
        assert error.field is not None and error.field.startswith("f.")
    else:
        assert Quantity.from_json(q.to_json()) == q
