"""The seed bulletin's world as records, each citing the passage of the shipped bulletin that states it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from straitlink.demo import seed_cases, seed_events
from straitlink.demo.bulletin import BULLETIN_FILE, DEMO_USER, DOCUMENT_ID, Citer, bulletin_text, locate, read_data
from straitlink.domain.cases import Case, Operation, Person
from straitlink.domain.figures import PublishedFigure, SourceDocument
from straitlink.domain.intel import IntelReport, Outcome
from straitlink.domain.meetings import Meeting
from straitlink.domain.provenance import Provenance
from straitlink.domain.records import Record
from straitlink.domain.seizures import Seizure

__all__ = ["DEMO_USER", "DOCUMENT_ID", "PUBLISHED_ON", "SeedWorld", "build_seed", "bulletin_text", "locate"]

# The bulletin states no date. Its latest events are 102-12-20 and 「12月底」, so it came out at the end of
# December 2013; SourceDocument.published_on holds a day, so the month's last day stands for "2013-12".
PUBLISHED_ON = date(2013, 12, 31)


@dataclass(frozen=True)
class SeedWorld:
    """Every record the bulletin states, by kind."""

    document: SourceDocument
    cases: list[Case]
    operations: list[Operation]
    persons: list[Person]
    seizures: list[Seizure]
    intel: list[IntelReport]
    outcomes: list[Outcome]
    meetings: list[Meeting]
    figures: list[PublishedFigure]

    def records(self) -> list[Record]:
        """All records, each kind after the kinds it refers to."""
        return [
            self.document,
            *self.cases,
            *self.operations,
            *self.persons,
            *self.seizures,
            *self.intel,
            *self.outcomes,
            *self.meetings,
            *self.figures,
        ]


def build_seed() -> SeedWorld:
    """The bulletin's document, cases, operations, suspects, seizures, intel, meetings and headline figures."""
    raw = read_data(BULLETIN_FILE)
    text = raw.decode("utf-8")
    cite = Citer(text)
    document = SourceDocument(
        id=DOCUMENT_ID,
        provenance=Provenance.by_user(DEMO_USER),
        title="兩岸司法互助─檢警強打兩岸毒品犯罪，成效顯著─",
        publisher="法務部",
        published_on=PUBLISHED_ON,
        language="zh-Hant",
        sha256=hashlib.sha256(raw).hexdigest(),
        text=text,
    )
    cases, operations, persons, seizures = seed_cases.cases(cite)
    intel, outcomes = seed_cases.intel(cite, cases, seizures, persons)
    return SeedWorld(
        document=document,
        cases=cases,
        operations=operations,
        persons=persons,
        seizures=seizures,
        intel=intel,
        outcomes=outcomes,
        meetings=seed_events.meetings(cite),
        figures=seed_events.figures(cite, seizures),
    )
