"""Seizures: one drug from the catalogue in one event, with every quantity the source gives for it."""

from __future__ import annotations

from dataclasses import dataclass, field

from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.quantity import Dimension, Quantity
from straitlink.domain.records import Record


@dataclass(kw_only=True)
class Seizure(Record):
    """600 塊海洛因(毛重 229 公斤) is one seizure with two quantities: 600 blocks and 229 kg gross."""

    drug: str
    quantities: list[Quantity]
    date: PartialDate | None = None
    place: str | None = None
    case: str | None = None
    operation: str | None = None
    description: str | None = None
    containers: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.drug:
            raise MissingField("drug")
        if not self.quantities:
            raise MissingField("quantities", "a seizure states at least one quantity")
        seen: set[Dimension] = set()
        for q in self.quantities:
            # Two figures of one dimension would make the seizure's weight ambiguous; the source gives one of each.
            if q.dimension in seen and q.dimension is not Dimension.MASS:
                raise InvalidValue("quantities", q.to_json(), f"two quantities in {q.dimension.value}")
            seen.add(q.dimension)

    def mass(self) -> list[Quantity]:
        """The mass quantities (usually one; two when gross and net are both stated)."""
        return [q for q in self.quantities if q.dimension is Dimension.MASS]
