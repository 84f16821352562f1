"""Seizures: one drug from the catalogue in one event, with every quantity the source gives for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.quantity import Dimension, Quantity, Unit
from straitlink.domain.records import Record

# The most one seizure can plausibly state per dimension: the largest drug seizures on record are tens of
# tonnes and hundreds of millions of tablets, so anything beyond is a typo (10¹⁴ kg) and not a fact. A person
# or a case is never a seized quantity.
SEIZURE_BOUNDS: dict[Dimension, tuple[Unit, Decimal]] = {
    Dimension.MASS: (Unit.KG, Decimal(1_000_000)),
    Dimension.BLOCK: (Unit.BLOCK, Decimal(10_000_000)),
    Dimension.PACKET: (Unit.PACKET, Decimal(10_000_000)),
    Dimension.ITEM: (Unit.ITEM, Decimal(10_000_000)),
    Dimension.TABLET: (Unit.TABLET, Decimal(1_000_000_000)),
    Dimension.DOSE: (Unit.DOSE, Decimal(10_000_000_000)),
}


def check_bounds(field: str, q: Quantity, bounds: dict[Dimension, tuple[Unit, Decimal]]) -> None:
    """Refuse a quantity of a dimension not in `bounds`, of zero, or beyond its dimension's bound."""
    if q.dimension not in bounds:
        allowed = ", ".join(str(unit) for unit, _ in bounds.values())
        raise InvalidValue(field, q.format_en(), f"not counted in {q.unit}; use {allowed}")
    unit, most = bounds[q.dimension]
    if q.value <= 0:
        raise InvalidValue(field, q.format_en(), "must be more than zero")
    converted = q.to(unit)
    top = converted.upper if converted.upper is not None else converted.value
    if top > most:
        raise InvalidValue(field, q.format_en(), f"more than {most:,} {unit} is not plausible for one record")


@dataclass(kw_only=True)
class Seizure(Record):
    """600 塊海洛因(毛重 229 公斤) is one seizure with two quantities: 600 blocks and 229 kg gross."""

    HAPPENED = ("date",)

    drug: str
    quantities: list[Quantity]
    date: PartialDate | None = None
    place: str | None = None
    case: str | None = None
    operation: str | None = None
    description: str | None = None
    containers: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.drug:
            raise MissingField("drug")
        if not self.quantities:
            raise MissingField("quantities", "a seizure states at least one quantity")
        seen: set[Dimension] = set()
        for q in self.quantities:
            check_bounds("quantities", q, SEIZURE_BOUNDS)
            # Two figures of one dimension would make the seizure's weight ambiguous; the source gives one of each.
            if q.dimension in seen and q.dimension is not Dimension.MASS:
                raise InvalidValue("quantities", q.to_json(), f"two quantities in {q.dimension.value}")
            seen.add(q.dimension)

    def mass(self) -> list[Quantity]:
        """The mass quantities (usually one; two when gross and net are both stated)."""
        return [q for q in self.quantities if q.dimension is Dimension.MASS]
