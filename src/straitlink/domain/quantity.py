"""Quantities as the bulletins state them: a value, a unit, a weight basis and how exact the figure is.

"3,000餘公斤" is at least 3,000 kg, "毛重229公斤" is 229 kg gross, "600塊" is 600 blocks. Values stay
Decimal end to end, and sums never mix dimensions: blocks never add to kilograms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from straitlink.domain.amounts import (
    EXACT_PRECISION,
    WIDE_DIGITS,
    PartRejected,
    canonical,
    checked_amount,
    enum_member,
    read_number,
    shift_unit,
)
from straitlink.domain.errors import IncompatibleUnits, InvalidValue, MissingField
from straitlink.domain.quantity_text import written_parts
from straitlink.domain.units import Basis, Dimension, Qualifier, Unit

# A quantity is spoken of in these terms, so they are named here too, where every use of quantities imports them.
__all__ = [
    "Basis",
    "Dimension",
    "DoseEstimate",
    "Qualifier",
    "Quantity",
    "Total",
    "Unit",
    "canonical",
    "estimate_doses",
    "total",
]
_PRECEDENCE = {Qualifier.EXACT: 0, Qualifier.RANGE: 1, Qualifier.AT_LEAST: 2, Qualifier.APPROX: 3}


def _validated(value: Any, unit: Any, basis: Any, qualifier: Any, upper: Any) -> tuple[Any, ...]:
    """The five Quantity fields, checked and with enums and units resolved from text."""
    value = checked_amount(value, "value")
    try:
        unit = Unit.parse(unit)
    except InvalidValue:
        raise PartRejected("unit", unit, f"unknown unit; expected one of {', '.join(Unit)}") from None
    basis, qualifier = enum_member(Basis, basis, "basis"), enum_member(Qualifier, qualifier, "qualifier")
    if basis is not Basis.UNSTATED and unit.dimension is not Dimension.MASS:
        raise PartRejected("basis", str(basis), f"only a mass has a gross or net weight, not {unit}")
    if qualifier is Qualifier.RANGE:
        if upper is None:
            raise PartRejected("upper", None, "a range needs an upper bound")
        if checked_amount(upper, "upper") < value:
            raise PartRejected("upper", upper, f"must not be below the value {canonical(value)}")
    elif upper is not None:
        raise PartRejected("upper", upper, "only a range has an upper bound")
    return value, unit, basis, qualifier, upper


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
        except PartRejected as problem:
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
            bound = read_number(upper, "upper") if upper is not None else None
            return cls(*_validated(read_number(value, "value"), unit, basis, qualifier, bound))
        except PartRejected as problem:
            raise problem.named(field) from None

    @classmethod
    def parse(cls, text: str, *, field: str = "quantity") -> Quantity:
        """Read "229 kg", "229kg gross", "3000+ kg", "~500 kg", "300-700 kg", "1.36 t net", "3,000餘公斤",
        "229 公斤 毛重", "約500公斤", "500公斤左右", "逾3000公斤", "1.5萬顆" (domain/quantity_text.py)."""
        parts = written_parts(text, field=field)
        try:
            return cls.of(*parts, field=field)
        except InvalidValue as error:
            raise InvalidValue(field, text, error.message) from None

    @property
    def dimension(self) -> Dimension:
        """What the quantity measures; only quantities of one dimension add up."""
        return self.unit.dimension

    def to(self, unit: Unit | str) -> Quantity:
        """The same quantity in another mass unit, exactly; IncompatibleUnits for any other dimension."""
        target = Unit.parse(unit)
        upper = shift_unit(self.upper, self.unit, target) if self.upper is not None else None
        return Quantity(shift_unit(self.value, self.unit, target), target, self.basis, self.qualifier, upper)

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
            checked_amount(self.value, "value", digits=WIDE_DIGITS)
            if self.upper is not None:
                checked_amount(self.upper, "upper", digits=WIDE_DIGITS)
        except PartRejected as problem:
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
            context.prec = EXACT_PRECISION
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
        upper = shift_unit(q.upper, q.unit, target) if q.upper is not None else None
        part = Total(shift_unit(q.value, q.unit, target), target, q.qualifier, upper, frozenset({q.basis}), 1)
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
            checked_amount(self.doses, "doses", digits=WIDE_DIGITS)
            checked_amount(self.factor_g, "factor_g", positive=True)
            object.__setattr__(self, "qualifier", enum_member(Qualifier, self.qualifier, "qualifier"))
            if self.upper is not None:
                checked_amount(self.upper, "upper", digits=WIDE_DIGITS)
        except PartRejected as problem:
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
        factor = checked_amount(factor_g_per_dose, "factor_g", positive=True)
    except PartRejected as problem:
        raise problem.named("dose") from None
    if not isinstance(source, str) or not source.strip():
        raise InvalidValue("dose.source", source, "name where the grams-per-dose factor comes from")
    with localcontext() as context:
        context.prec = EXACT_PRECISION
        # Floor division, because a partial dose is not a dose.
        doses = shift_unit(q.value, q.unit, Unit.G) // factor
        upper = shift_unit(q.upper, q.unit, Unit.G) // factor if q.upper is not None else None
    return DoseEstimate(doses, factor, source, qualifier=q.qualifier, upper=upper)
