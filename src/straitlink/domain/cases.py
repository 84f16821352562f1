"""Joint cases, the operations inside them, and the persons involved."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.parties import Party
from straitlink.domain.quantity import Quantity, Unit
from straitlink.domain.records import Record
from straitlink.domain.text import check_texts

# More officers than any operation deploys: a larger figure is a typo.
PERSONNEL_MOST = 1_000_000


class CaseKind(StrEnum):
    DRUGS = "drugs"
    FRAUD = "fraud"
    KIDNAPPING = "kidnapping"
    HOMICIDE = "homicide"
    SMUGGLING = "smuggling"
    OTHER = "other"


class AgencyRole(StrEnum):
    DIRECTING = "directing"  # 檢察官指揮: the prosecutors office that directs
    LEADING = "leading"  # 指揮 on the other side (e.g. 公安部指揮)
    PARTICIPATING = "participating"
    INTEL_PROVIDER = "intel_provider"


class Conveyance(StrEnum):
    SEA_CARGO = "sea_cargo"
    CONTAINER = "container"
    AIR_CARGO = "air_cargo"
    POSTAL = "postal"
    COURIER = "courier"
    FISHING_BOAT = "fishing_boat"
    PASSENGER = "passenger"
    OTHER = "other"


@dataclass(frozen=True)
class AgencyParticipation:
    agency: str
    role: AgencyRole


@dataclass(frozen=True)
class Vessel:
    """A ship named in a case; flag state is a free country name as the source gives it (巴拿馬)."""

    name: str
    flag_state: str | None = None
    kind: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise MissingField("vessels.name", "a vessel has a name")
        check_texts(self)


@dataclass(kw_only=True)
class Case(Record):
    """A criminal case; `joint` when both sides' agencies worked it together (兩岸聯手)."""

    HAPPENED = ("opened_on",)

    title: str
    kind: CaseKind
    joint: bool
    opened_on: PartialDate | None = None
    summary: str | None = None
    agencies: list[AgencyParticipation] = field(default_factory=list)
    places: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.title.strip():
            raise MissingField("title")

    def agencies_in(self, role: AgencyRole) -> list[str]:
        return [p.agency for p in self.agencies if p.role is role]


@dataclass(kw_only=True)
class Operation(Record):
    """An action inside a case (a raid, the first joint maritime operation), with what it deployed."""

    HAPPENED = ("date",)

    case: str
    name: str
    date: PartialDate | None = None
    agencies: list[AgencyParticipation] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    personnel: Quantity | None = None  # 500餘名警力 = at least 500 persons
    personnel_party: Party | None = None
    vessels: list[Vessel] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    conveyance: Conveyance | None = None
    concealment: str | None = None  # e.g. 貨櫃音箱內

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.name.strip():
            raise MissingField("name")
        if self.personnel is not None:
            if self.personnel.unit is not Unit.PERSON:
                raise InvalidValue("personnel", str(self.personnel.to_json()), "personnel is counted in persons")
            top = self.personnel.upper if self.personnel.upper is not None else self.personnel.value
            if self.personnel.value <= 0 or top > PERSONNEL_MOST:
                shown = self.personnel.format_en()
                raise InvalidValue("personnel", shown, f"between 1 and {PERSONNEL_MOST:,} persons")


class PersonRole(StrEnum):
    SUSPECT = "suspect"
    WITNESS = "witness"
    FUGITIVE = "fugitive"
    SENTENCED = "sentenced"


@dataclass(kw_only=True)
class Person(Record):
    """A person in one case; sources often give only a count (嫌犯 4 人), so a name is optional."""

    case: str
    role: PersonRole = PersonRole.SUSPECT
    caught_in_act: bool = False  # 現行犯
    name: str | None = None
    nationality: Party | None = None
    label: str | None = None
