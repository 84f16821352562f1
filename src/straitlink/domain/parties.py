"""The two parties to the Agreement, their agencies and contact points (聯繫主體)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Party(StrEnum):
    """A side of the Strait as the Agreement names it; `TW` = 臺灣方面, `CN` = 大陸方面."""

    TW = "TW"
    CN = "CN"

    @property
    def other(self) -> Party:
        return Party.CN if self is Party.TW else Party.TW


class AgencyKind(StrEnum):
    MINISTRY = "ministry"
    PROSECUTORS_OFFICE = "prosecutors_office"
    INVESTIGATION_BUREAU = "investigation_bureau"
    POLICE = "police"
    COAST_GUARD = "coast_guard"
    PUBLIC_SECURITY = "public_security"
    CUSTOMS = "customs"
    BORDER_DEFENCE = "border_defence"
    COURT = "court"
    CABINET = "cabinet"
    COUNCIL = "council"
    INTERMEDIARY = "intermediary"
    OTHER = "other"


@dataclass(frozen=True)
class Agency:
    """A government body of one party; names kept in the script each side uses, plus short forms."""

    id: str
    party: Party
    kind: AgencyKind
    name_zh_hant: str
    name_zh_hans: str
    name_en: str
    parent: str | None = None
    short_names: tuple[str, ...] = field(default_factory=tuple)

    def names(self) -> tuple[str, ...]:
        """Every name this agency is known by, for matching."""
        return (self.name_zh_hant, self.name_zh_hans, self.name_en, *self.short_names)


@dataclass(frozen=True)
class ContactPoint:
    """A liaison office designated under Art. 3 and 13: the only channel requests travel through."""

    id: str
    party: Party
    agency: str
    name: str
    scope: tuple[str, ...] = field(default_factory=tuple)
