"""Intelligence hand-overs (情資) and what they led to (循線查獲)."""

from __future__ import annotations

from dataclasses import dataclass, field

from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.marking import InformationAccuracy, SourceReliability
from straitlink.domain.parties import Party
from straitlink.domain.records import Record


@dataclass(kw_only=True)
class IntelReport(Record):
    """Intelligence one party's agency handed to the other party."""

    HAPPENED = ("date",)

    provider_party: Party
    provider_agency: str | None = None  # 陸方提供情資 names the side, not always the agency
    recipient_party: Party
    date: PartialDate | None = None
    summary: str
    source_reliability: SourceReliability = SourceReliability.X  # A–X: how reliable the source has proved
    information_accuracy: InformationAccuracy = InformationAccuracy.NOT_KNOWN  # 1–4: how accurate this item is

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.provider_party is self.recipient_party:
            raise InvalidValue("recipient_party", self.recipient_party.value, "intel goes to the other party")
        if not self.summary.strip():
            raise MissingField("summary")


@dataclass(kw_only=True)
class Outcome(Record):
    """What one intel report led to: a case, its seizures, and arrests."""

    intel: str
    case: str | None = None
    seizures: list[str] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)
    note: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        # Sets of ids (the store keeps no order and one row each): sorted and each once, so the record, its audit
        # entry and the record read back agree, and `audit verify`'s replay compares like with like.
        self.seizures = sorted(set(self.seizures))
        self.persons = sorted(set(self.persons))
        if self.case is None and not self.seizures and not self.persons:
            raise MissingField("outcome", "an outcome names a case, seizures or persons")
