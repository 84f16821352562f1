"""Exact amounts for quantities, totals and estimates: canonical notation, the checks every amount passes, and
conversion between mass units. Values are Decimal end to end; a float, which is inexact, is never accepted.
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from enum import StrEnum
from typing import Any, TypeVar

from straitlink.domain.errors import IncompatibleUnits, InvalidValue
from straitlink.domain.units import GRAM_EXPONENT, Dimension, Unit

# Digits allowed before and after the point. A Quantity fits the store's Numeric(20, 6) column, so
# nothing is rounded on the way in; totals and estimates are never stored and get room to grow.
QUANTITY_DIGITS = (14, 6)
WIDE_DIGITS = (100, 100)
EXACT_PRECISION = 400  # any sum or floor quotient of WIDE_DIGITS numbers fits, so arithmetic stays exact
FULL_WIDTH = str.maketrans("０１２３４５６７８９，．＋～－", "0123456789,.+~-")
NUMBER = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_E = TypeVar("_E", bound=StrEnum)


class PartRejected(Exception):
    """A bad part of a value; named() makes the InvalidValue once the field name is known."""

    def __init__(self, part: str, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.part, self.value, self.reason = part, value, reason

    def named(self, field: str) -> InvalidValue:
        return InvalidValue(f"{field}.{self.part}", self.value, self.reason)


def _trimmed(d: Decimal) -> tuple[int, tuple[int, ...], int]:
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
    return "0" if d.is_zero() else format(Decimal(_trimmed(d)), "f")


def checked_amount(
    value: Any, part: str, *, positive: bool = False, digits: tuple[int, int] = QUANTITY_DIGITS
) -> Decimal:
    """value if a finite Decimal, non-negative (or positive) and within digits (before, after the point)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise PartRejected(part, value, "expected a finite Decimal")
    if value < 0 or (positive and value == 0):
        raise PartRejected(part, value, "must be positive" if positive else "must not be negative")
    whole, fraction = digits
    # Judged from the exponent, before anything could spell out a huge number.
    if not value.is_zero() and (value.adjusted() >= whole or -_trimmed(value)[2] > fraction):
        raise PartRejected(part, value, f"at most {whole} digits before and {fraction} after the point")
    return value


def read_number(value: Any, part: str) -> Decimal:
    """A Decimal from a Decimal, an int or text ("3000", "3,000", "1.36"); never a float, which is inexact."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > 64:
            # Never the int itself in an error: repr() of a huge int raises ValueError.
            raise PartRejected(part, f"an integer of {value.bit_length()} bits", "too large")
        value = Decimal(value)
    if isinstance(value, str):
        text = value.translate(FULL_WIDTH).strip()
        if not re.fullmatch(NUMBER, text):
            raise PartRejected(part, value, "expected a plain non-negative number such as 229 or 1.36")
        value = Decimal(text.replace(",", ""))
    return checked_amount(value, part)


def scaled(value: Decimal, times: int) -> Decimal:
    """value × times exactly: 1.5萬 is 15000."""
    if times == 1:
        return value
    with localcontext() as context:
        context.prec = EXACT_PRECISION
        return Decimal(canonical(value * times))


def enum_member(kind: type[_E], raw: Any, part: str) -> _E:
    if isinstance(raw, kind):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in kind._value2member_map_:
        return kind(raw.strip().lower())
    raise PartRejected(part, raw, f"expected one of {', '.join(kind)}")


def shift_unit(value: Decimal, source: Unit, target: Unit) -> Decimal:
    """value in source units expressed in target units, exactly; IncompatibleUnits across dimensions."""
    if source is target:
        return value
    if source.dimension is not Dimension.MASS or target.dimension is not Dimension.MASS:
        message = f"cannot convert {source} ({source.dimension}) to {target} ({target.dimension})"
        raise IncompatibleUnits(message, field="quantity.unit", value=str(source))
    sign, digits, exponent = _trimmed(value)
    return Decimal((sign, digits, exponent + GRAM_EXPONENT[source] - GRAM_EXPONENT[target]))
