"""Reference entries the catalogue ships: drugs, places and request types."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from straitlink.domain.parties import Party


class DrugCategory(StrEnum):
    DRUG = "drug"
    PRECURSOR = "precursor"


@dataclass(frozen=True)
class Drug:
    """A controlled substance or precursor, with both sides' names and Taiwan's schedule (級)."""

    id: str
    category: DrugCategory
    name_zh_hant: str
    name_zh_hans: str
    name_en: str
    tw_schedule: int | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)
    dose_g: Decimal | None = None
    dose_source: str | None = None

    def names(self) -> tuple[str, ...]:
        return (self.name_zh_hant, self.name_zh_hans, self.name_en, *self.aliases)


class PlaceKind(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    DISTRICT = "district"
    PORT = "port"
    AIRPORT = "airport"
    ISLAND = "island"
    REGION = "region"
    COUNTRY = "country"
    SEA_AREA = "sea_area"


@dataclass(frozen=True)
class Place:
    """A named place; `party` is None for places outside both sides (e.g. 金三角)."""

    id: str
    kind: PlaceKind
    name_zh_hant: str
    name_zh_hans: str
    name_en: str
    party: Party | None = None
    parent: str | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)

    def names(self) -> tuple[str, ...]:
        return (self.name_zh_hant, self.name_zh_hans, self.name_en, *self.aliases)


class RequestType(StrEnum):
    """Kinds of assistance (GLOSSARY.md), from Art. 1 and 5–12 of the Agreement."""

    DOCUMENT_SERVICE = "document_service"
    EVIDENCE_COLLECTION = "evidence_collection"
    REPATRIATION = "repatriation"
    PROCEEDS_TRANSFER = "proceeds_transfer"
    JUDGMENT_RECOGNITION = "judgment_recognition"
    SENTENCED_PERSON_TRANSFER = "sentenced_person_transfer"
    HUMANITARIAN_VISIT = "humanitarian_visit"
    NOTIFICATION = "notification"
    INTELLIGENCE_EXCHANGE = "intelligence_exchange"
    INVESTIGATIVE_ASSISTANCE = "investigative_assistance"
    WORKING_EXCHANGE = "working_exchange"
    OTHER_AGREED = "other_agreed"


@dataclass(frozen=True)
class RequestTypeInfo:
    """What the catalogue says of a request type: names and the article it comes from."""

    id: RequestType
    name_zh_hant: str
    name_zh_hans: str
    name_en: str
    articles: tuple[str, ...]
    aliases: tuple[str, ...] = field(default_factory=tuple)
