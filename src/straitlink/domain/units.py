"""The units, weight bases and qualifiers a quantity is stated in (domain/quantity.py speaks in these terms).

Every mass unit is a power of ten grams, so converting between them only moves the decimal point; each count unit
(blocks, tablets, persons, doses...) is a dimension of its own and never converts.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from straitlink.domain.errors import InvalidValue


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
        return Dimension.MASS if self in GRAM_EXPONENT else Dimension(self.value)

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
GRAM_EXPONENT = {Unit.G: 0, Unit.KG: 3, Unit.T: 6}
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
