"""Quantities as the bulletins state them: a value, a unit, a weight basis and how exact the figure is.

"3,000餘公斤" is at least 3,000 kg, "毛重229公斤" is 229 kg gross, "600塊" is 600 blocks. Values stay
Decimal end to end, and sums never mix dimensions: blocks never add to kilograms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum
from typing import Any, TypeVar

from straitlink.domain.errors import IncompatibleUnits, InvalidValue, MissingField


class Dimension(StrEnum):
    MASS = "mass"
    BLOCK = "block"
    TABLET = "tablet"
    PACKET = "packet"
    PERSON = "person"
    DOSE = "dose"
    CASE = "case"
    ITEM = "item"


class Unit(StrEnum):
    KG = "kg"
    G = "g"
    T = "t"
    BLOCK = "block"
    TABLET = "tablet"
    PACKET = "packet"
    PERSON = "person"
    DOSE = "dose"
    CASE = "case"
    ITEM = "item"

    @property
    def dimension(self) -> Dimension:
        """Mass for kg, g and t; each count unit is its own dimension."""
        return Dimension.MASS if self in _GRAM_EXPONENT else Dimension(self.value)

    @classmethod
    def parse(cls, text: Any, *, field: str = "quantity.unit") -> Unit:
        """A unit from its code or a common English or Chinese name (公斤, 塊, 人次)."""
        unit = text if isinstance(text, Unit) else None
        if isinstance(text, str):
            unit = _UNIT_NAMES.get(text.strip().casefold())
        if unit is None:
            raise InvalidValue(field, text, f"unknown unit; expected one of {', '.join(Unit)}")
        return unit


class Basis(StrEnum):
    GROSS = "gross"
    NET = "net"
    UNSTATED = "unstated"


class Qualifier(StrEnum):
    EXACT = "exact"
    AT_LEAST = "at_least"
    APPROX = "approx"
    RANGE = "range"


# Every mass unit is a power of ten grams, so a conversion only moves the decimal point: always exact.
_GRAM_EXPONENT = {Unit.G: 0, Unit.KG: 3, Unit.T: 6}
_UNIT_NAMES: dict[str, Unit] = {
    **{unit.value: unit for unit in Unit},
    **dict.fromkeys(("kgs", "kilogram", "kilograms", "公斤", "千克"), Unit.KG),
    **dict.fromkeys(("gram", "grams", "克", "公克"), Unit.G),
    **dict.fromkeys(("tonne", "tonnes", "公噸", "公吨", "噸", "吨"), Unit.T),
    **dict.fromkeys(("blocks", "塊", "块"), Unit.BLOCK),
    **dict.fromkeys(("tablets", "顆", "颗", "粒"), Unit.TABLET),
    **dict.fromkeys(("packets", "包"), Unit.PACKET),
    **dict.fromkeys(("persons", "people", "人", "名"), Unit.PERSON),
    **dict.fromkeys(("doses", "人次"), Unit.DOSE),
    **dict.fromkeys(("cases", "件"), Unit.CASE),
    **dict.fromkeys(("items",), Unit.ITEM),
}
# Digits allowed before and after the point. A Quantity fits the store's Numeric(20, 6) column, so
# nothing is rounded on the way in; totals and estimates are never stored and get room to grow.
QUANTITY_DIGITS = (14, 6)
_WIDE_DIGITS = (100, 100)
_PRECISION = 400  # any sum or floor quotient of _WIDE_DIGITS numbers fits, so arithmetic stays exact
_PRECEDENCE = {Qualifier.EXACT: 0, Qualifier.RANGE: 1, Qualifier.AT_LEAST: 2, Qualifier.APPROX: 3}

_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．＋～－", "0123456789,.+~-")
_NUMBER = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
# How bulletins and officers write a quantity: 毛重229公斤, 229 公斤 毛重, 229 kg gross, 約500公斤, 500公斤左右,
# 3,000餘公斤, 3千多公斤, 逾3000公斤, 1.5萬顆, 300-700 kg, 300至700公斤.
_APPROX = r"~|≈|約|约|大約|大约|將近|将近|近"
_OVER = r"逾|超過|超过|over"
_MULTIPLIER = "萬万千百"
_QUANTITY = re.compile(
    rf"(?P<basis_zh>毛重|淨重|净重)?\s*(?:(?P<approx>{_APPROX})|(?P<over>{_OVER}))?\s*"
    rf"(?P<value>{_NUMBER})\s*(?P<mult>[{_MULTIPLIER}](?!克))?\s*"  # 千克 is the kilogram, not 1,000 克
    rf"(?:(?P<more>\+|餘|余|多)|(?:-|–|~|to|至|到)\s*(?P<upper>{_NUMBER})\s*(?P<upper_mult>[{_MULTIPLIER}])?)?\s*"
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
_E = TypeVar("_E", bound=StrEnum)


class _Reject(Exception):
    """Internal: a bad part of a value; named() makes the InvalidValue once the field name is known."""

    def __init__(self, part: str, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.part, self.value, self.reason = part, value, reason

    def named(self, field: str) -> InvalidValue:
        return InvalidValue(f"{field}.{self.part}", self.value, self.reason)


def _exponent(d: Decimal) -> tuple[int, tuple[int, ...], int]:
    """Sign, digits and exponent of finite d without trailing fractional zeros (normalize() would round)."""
    sign, digits, exponent = d.as_tuple()
    assert isinstance(exponent, int)  # callers pass finite values only
    while exponent < 0 and len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    return sign, digits, exponent


def canonical(d: Decimal) -> str:
    """Plain notation without exponent or trailing fractional zeros: "229", "1.36", "0.1", "3000"."""
    if not isinstance(d, Decimal) or not d.is_finite():
        raise InvalidValue("decimal", d, "expected a finite Decimal")
    # "f" without a precision never rounds; zero is "0" whatever its sign or exponent.
    return "0" if d.is_zero() else format(Decimal(_exponent(d)), "f")


def _amount(value: Any, part: str, *, positive: bool = False, digits: tuple[int, int] = QUANTITY_DIGITS) -> Decimal:
    """value if a finite Decimal, non-negative (or positive) and within digits (before, after the point)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise _Reject(part, value, "expected a finite Decimal")
    if value < 0 or (positive and value == 0):
        raise _Reject(part, value, "must be positive" if positive else "must not be negative")
    whole, fraction = digits
    # Judged from the exponent, before anything could spell out a huge number.
    if not value.is_zero() and (value.adjusted() >= whole or -_exponent(value)[2] > fraction):
        raise _Reject(part, value, f"at most {whole} digits before and {fraction} after the point")
    return value


def _number(value: Any, part: str) -> Decimal:
    """A Decimal from a Decimal, an int or text ("3000", "3,000", "1.36"); never a float, which is inexact."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > 64:
            # Never the int itself in an error: repr() of a huge int raises ValueError.
            raise _Reject(part, f"an integer of {value.bit_length()} bits", "too large")
        value = Decimal(value)
    if isinstance(value, str):
        text = value.translate(_FULL_WIDTH).strip()
        if not re.fullmatch(_NUMBER, text):
            raise _Reject(part, value, "expected a plain non-negative number such as 229 or 1.36")
        value = Decimal(text.replace(",", ""))
    return _amount(value, part)


def _scaled(value: Decimal, times: int) -> Decimal:
    """value × times exactly: 1.5萬 is 15000."""
    if times == 1:
        return value
    with localcontext() as context:
        context.prec = _PRECISION
        return Decimal(canonical(value * times))


def _enum(kind: type[_E], raw: Any, part: str) -> _E:
    if isinstance(raw, kind):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in kind._value2member_map_:
        return kind(raw.strip().lower())
    raise _Reject(part, raw, f"expected one of {', '.join(kind)}")


def _validated(value: Any, unit: Any, basis: Any, qualifier: Any, upper: Any) -> tuple[Any, ...]:
    """The five Quantity fields, checked and with enums and units resolved from text."""
    value = _amount(value, "value")
    try:
        unit = Unit.parse(unit)
    except InvalidValue:
        raise _Reject("unit", unit, f"unknown unit; expected one of {', '.join(Unit)}") from None
    basis, qualifier = _enum(Basis, basis, "basis"), _enum(Qualifier, qualifier, "qualifier")
    if basis is not Basis.UNSTATED and unit.dimension is not Dimension.MASS:
        raise _Reject("basis", str(basis), f"only a mass has a gross or net weight, not {unit}")
    if qualifier is Qualifier.RANGE:
        if upper is None:
            raise _Reject("upper", None, "a range needs an upper bound")
        if _amount(upper, "upper") < value:
            raise _Reject("upper", upper, f"must not be below the value {canonical(value)}")
    elif upper is not None:
        raise _Reject("upper", upper, "only a range has an upper bound")
    return value, unit, basis, qualifier, upper


def _shift(value: Decimal, source: Unit, target: Unit) -> Decimal:
    """value in source units expressed in target units, exactly; IncompatibleUnits across dimensions."""
    if source is target:
        return value
    if source.dimension is not Dimension.MASS or target.dimension is not Dimension.MASS:
        message = f"cannot convert {source} ({source.dimension}) to {target} ({target.dimension})"
        raise IncompatibleUnits(message, field="quantity.unit", value=str(source))
    sign, digits, exponent = _exponent(value)
    return Decimal((sign, digits, exponent + _GRAM_EXPONENT[source] - _GRAM_EXPONENT[target]))


@dataclass(frozen=True)
class Quantity:
    """An amount as stated: value, unit, weight basis and qualifier (with an upper bound for a range)."""

    value: Decimal
    unit: Unit
    basis: Basis = Basis.UNSTATED
    qualifier: Qualifier = Qualifier.EXACT
    upper: Decimal | None = None

    def __post_init__(self) -> None:
        try:
            fields = _validated(self.value, self.unit, self.basis, self.qualifier, self.upper)
        except _Reject as problem:
            raise problem.named("quantity") from None
        for name, value in zip(("value", "unit", "basis", "qualifier", "upper"), fields, strict=True):
            object.__setattr__(self, name, value)

    @classmethod
    def of(
        cls,
        value: Decimal | int | str,
        unit: Unit | str,
        basis: Basis | str = Basis.UNSTATED,
        qualifier: Qualifier | str = Qualifier.EXACT,
        upper: Decimal | int | str | None = None,
        *,
        field: str = "quantity",
    ) -> Quantity:
        """Build from text, ints or Decimals; errors name field.value, field.unit and so on."""
        try:
            bound = _number(upper, "upper") if upper is not None else None
            return cls(*_validated(_number(value, "value"), unit, basis, qualifier, bound))
        except _Reject as problem:
            raise problem.named(field) from None

    @classmethod
    def parse(cls, text: str, *, field: str = "quantity") -> Quantity:
        """Read "229 kg", "229kg gross", "3000+ kg", "~500 kg", "300-700 kg", "1.36 t net", "3,000餘公斤",
        "229 公斤 毛重", "約500公斤", "500公斤左右", "逾3000公斤", "1.5萬顆"."""
        if not isinstance(text, str):
            raise InvalidValue(field, text, "expected text")
        match = _QUANTITY.fullmatch(text.translate(_FULL_WIDTH).strip())
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
            value = _scaled(_number(match["value"], "value"), times)
            upper = _scaled(_number(match["upper"], "upper"), upper_times) if match["upper"] else None
            return cls.of(value, match["unit"], basis, qualifier, upper, field=field)
        except _Reject as problem:
            raise InvalidValue(field, text, problem.named(field).message) from None
        except InvalidValue as error:
            raise InvalidValue(field, text, error.message) from None

    @property
    def dimension(self) -> Dimension:
        """What the quantity measures; only quantities of one dimension add up."""
        return self.unit.dimension

    def to(self, unit: Unit | str) -> Quantity:
        """The same quantity in another mass unit, exactly; IncompatibleUnits for any other dimension."""
        target = Unit.parse(unit)
        upper = _shift(self.upper, self.unit, target) if self.upper is not None else None
        return Quantity(_shift(self.value, self.unit, target), target, self.basis, self.qualifier, upper)

    def format_en(self) -> str:
        """Short form that parse() reads back: "229 kg gross", "3000+ kg", "~500 kg", "300-700 kg"."""
        number = canonical(self.value)
        if self.qualifier is Qualifier.AT_LEAST:
            number += "+"
        elif self.qualifier is Qualifier.APPROX:
            number = "~" + number
        elif self.upper is not None:
            number += "-" + canonical(self.upper)
        return f"{number} {self.unit}" + ("" if self.basis is Basis.UNSTATED else f" {self.basis}")

    def __str__(self) -> str:
        return self.format_en()

    def to_json(self) -> dict[str, str]:
        """{"value", "unit", "basis", "qualifier"} with canonical decimals, plus "upper" for a range."""
        out = {"value": canonical(self.value), "unit": str(self.unit)}
        out |= {"basis": str(self.basis), "qualifier": str(self.qualifier)}
        return out | ({"upper": canonical(self.upper)} if self.upper is not None else {})

    @classmethod
    def from_json(cls, data: Any) -> Quantity:
        """Inverse of to_json(); value and unit are required, basis and qualifier have defaults."""
        if not isinstance(data, Mapping):
            raise InvalidValue("quantity", data, "expected an object with value and unit")
        unknown = sorted(str(k) for k in data if k not in ("value", "unit", "basis", "qualifier", "upper"))
        if unknown:
            raise InvalidValue("quantity", unknown[0], "unknown key")
        for key in ("value", "unit"):
            if key not in data:
                raise MissingField(f"quantity.{key}")
        basis, qualifier = data.get("basis", Basis.UNSTATED), data.get("qualifier", Qualifier.EXACT)
        return cls.of(data["value"], data["unit"], basis, qualifier, data.get("upper"))


@dataclass(frozen=True)
class Total:
    """A sum of quantities in one unit, remembering how exact it is and which weight bases went in."""

    value: Decimal
    unit: Unit
    qualifier: Qualifier
    upper: Decimal | None
    bases: frozenset[Basis]
    count: int

    def __post_init__(self) -> None:
        try:
            _amount(self.value, "value", digits=_WIDE_DIGITS)
            if self.upper is not None:
                _amount(self.upper, "upper", digits=_WIDE_DIGITS)
        except _Reject as problem:
            raise problem.named("total") from None
        if not isinstance(self.unit, Unit) or not isinstance(self.qualifier, Qualifier):
            raise InvalidValue("total.unit", self.unit, "expected a Unit and a Qualifier")
        if (self.upper is not None) != (self.qualifier is Qualifier.RANGE):
            raise InvalidValue("total.upper", self.upper, "an upper bound goes with a range and only a range")
        if not isinstance(self.bases, frozenset) or not all(isinstance(b, Basis) for b in self.bases):
            raise InvalidValue("total.bases", self.bases, "expected a frozenset of weight bases")
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 0:
            raise InvalidValue("total.count", self.count, "must be a non-negative whole number")

    @classmethod
    def zero(cls, unit: Unit) -> Total:
        """The empty sum: 0, exact, nothing counted."""
        return cls(Decimal(0), unit, Qualifier.EXACT, None, frozenset(), 0)

    @property
    def mixed_basis(self) -> bool:
        """True if gross and net weights were added together."""
        return Basis.GROSS in self.bases and Basis.NET in self.bases

    @property
    def qualified(self) -> bool:
        """True unless every part was exact."""
        return self.qualifier is not Qualifier.EXACT

    def __add__(self, other: object) -> Total:
        """Combine two totals in the same unit, by the qualifier rules of total()."""
        if not isinstance(other, Total):
            return NotImplemented
        if other.unit is not self.unit:
            message = f"cannot add a total in {other.unit} to a total in {self.unit}"
            raise IncompatibleUnits(message, field="total.unit", value=str(other.unit))
        qualifier = max(self.qualifier, other.qualifier, key=_PRECEDENCE.__getitem__)
        with localcontext() as context:
            context.prec = _PRECISION
            value, upper = self.value + other.value, None
            if qualifier is Qualifier.RANGE:
                # An exact figure is both ends of its own range.
                upper = (self.value if self.upper is None else self.upper) + (
                    other.value if other.upper is None else other.upper
                )
        return Total(value, self.unit, qualifier, upper, self.bases | other.bases, self.count + other.count)

    def to_json(self) -> dict[str, Any]:
        """{"value", "unit", "qualifier", "bases", "mixed_basis", "count"}, plus "upper" for a range."""
        out: dict[str, Any] = {"value": canonical(self.value), "unit": str(self.unit)}
        out |= {"qualifier": str(self.qualifier), "bases": sorted(str(b) for b in self.bases)}
        out |= {"mixed_basis": self.mixed_basis, "count": self.count}
        return out | ({"upper": canonical(self.upper)} if self.upper is not None else {})


def total(quantities: Iterable[Quantity], unit: Unit | str) -> Total:
    """Sum quantities exactly in unit; IncompatibleUnits if any is of another dimension.

    The qualifier is the strongest present, by precedence approx > at_least > range > exact: one
    approximate figure makes the sum approximate; "at least" figures make it a lower bound (ranges then
    count by their lower end); ranges alone give a range whose upper is the sum of the upper ends, exact
    figures counting as both ends. Empty input gives an exact zero. The sum is associative:
    total(xs) == total(xs[:k]) + total(xs[k:]).
    """
    target = Unit.parse(unit, field="total.unit")
    result = Total.zero(target)
    for q in quantities:
        if not isinstance(q, Quantity):
            raise InvalidValue("quantity", q, "expected a Quantity")
        if q.dimension is not target.dimension:
            message = f"cannot add {q.unit} ({q.dimension}) to a total in {target} ({target.dimension})"
            raise IncompatibleUnits(message, field="quantity.unit", value=str(q.unit))
        upper = _shift(q.upper, q.unit, target) if q.upper is not None else None
        part = Total(_shift(q.value, q.unit, target), target, q.qualifier, upper, frozenset({q.basis}), 1)
        result = result + part
    return result


@dataclass(frozen=True)
class DoseEstimate:
    """How many doses a seized mass could make: an estimate from a published factor, never a fact.

    qualifier and upper carry the seized quantity's own precision: at least 3,000 kg makes at least
    so many doses.
    """

    doses: Decimal
    factor_g: Decimal
    source: str
    label: str = "estimate"
    qualifier: Qualifier = Qualifier.EXACT
    upper: Decimal | None = None

    def __post_init__(self) -> None:
        try:
            _amount(self.doses, "doses", digits=_WIDE_DIGITS)
            _amount(self.factor_g, "factor_g", positive=True)
            object.__setattr__(self, "qualifier", _enum(Qualifier, self.qualifier, "qualifier"))
            if self.upper is not None:
                _amount(self.upper, "upper", digits=_WIDE_DIGITS)
        except _Reject as problem:
            raise problem.named("dose") from None
        for name in ("source", "label"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name).strip():
                raise InvalidValue(f"dose.{name}", getattr(self, name), "must be non-empty text")

    def to_json(self) -> dict[str, Any]:
        """The estimate with its factor, source and qualifier, flagged "estimate": true."""
        out: dict[str, Any] = {"doses": canonical(self.doses), "factor_g": canonical(self.factor_g)}
        out |= {
            "source": self.source,
            "label": self.label,
            "qualifier": str(self.qualifier),
            "estimate": True,
        }
        return out | ({"upper": canonical(self.upper)} if self.upper is not None else {})


def estimate_doses(q: Quantity, factor_g_per_dose: Decimal, source: str) -> DoseEstimate:
    """Whole doses a mass suffices for at factor_g_per_dose grams each: 231 kg at 0.1 g → 2,310,000."""
    if not isinstance(q, Quantity):
        raise InvalidValue("quantity", q, "expected a Quantity")
    if q.dimension is not Dimension.MASS:
        message = f"doses are estimated from a mass, not {q.unit}"
        raise IncompatibleUnits(message, field="quantity.unit", value=str(q.unit))
    try:
        factor = _amount(factor_g_per_dose, "factor_g", positive=True)
    except _Reject as problem:
        raise problem.named("dose") from None
    if not isinstance(source, str) or not source.strip():
        raise InvalidValue("dose.source", source, "name where the grams-per-dose factor comes from")
    with localcontext() as context:
        context.prec = _PRECISION
        # Floor division, because a partial dose is not a dose.
        doses = _shift(q.value, q.unit, Unit.G) // factor
        upper = _shift(q.upper, q.unit, Unit.G) // factor if q.upper is not None else None
    return DoseEstimate(doses, factor, source, qualifier=q.qualifier, upper=upper)
