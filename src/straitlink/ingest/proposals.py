"""What ingesting proposes: one Proposal per record found, with its span, its confidence and what is unresolved.

A proposal's `fields` are already in the record's JSON shape (`codec.encode`), so accepting it is decoding it.
Its id is derived from an event key that does not depend on the script or the outlet (drug, quantity and year
for a seizure; kind and number for a meeting), so the same event told twice gets one id: that is how a second
document (or a second ingest) is recognised as telling something already proposed or stored.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue
from straitlink.domain.parties import Party
from straitlink.domain.records import stable_id

# Kinds that become records when accepted, in the order accepting stores them (references point backwards).
RECORD_KINDS = ("case", "operation", "seizure", "arrest", "repatriation", "intel", "outcome", "meeting", "figure")
# Kinds that only report what the document mentions; an unknown agency among them is a catalogue proposal.
MENTION_KINDS = ("agency", "place", "vessel", "person")
KINDS = RECORD_KINDS + MENTION_KINDS


@dataclass(frozen=True, slots=True)
class Span:
    """Character offsets into the ORIGINAL text (as read, before any normalisation) and the text there."""

    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_json(cls, data: Any) -> Span:
        if not isinstance(data, dict) or not {"start", "end", "text"} <= set(data):
            raise InvalidValue("span", data, "expected an object with start, end and text")
        start, end, text = data["start"], data["end"], data["text"]
        if not isinstance(start, int) or not isinstance(end, int) or not isinstance(text, str) or not 0 <= start <= end:
            raise InvalidValue("span", data, "start and end must be offsets with start <= end, text a string")
        return cls(start, end, text)


@dataclass(frozen=True, slots=True)
class Source:
    """One more document that tells the same event."""

    document: str
    span: Span

    def to_json(self) -> dict[str, Any]:
        return {"document": self.document, "span": self.span.to_json()}


@dataclass
class Proposal:
    """One record (or mention) found in a document, not stored until accepted."""

    kind: str
    key: str
    fields: dict[str, Any]
    span: Span
    confidence: float
    unresolved: list[str] = field(default_factory=list)
    document: str = ""
    also: list[Source] = field(default_factory=list)
    status: str = "new"  # new | known (already stored) | conflict (a stored record tells it otherwise; not stored)
    weak: bool = field(default=False, repr=False)  # told by a headline only: a later telling replaces it
    # For a known proposal, the stored record it tells of again ((kind, id)): accepting cites it as a source.
    stored_as: tuple[str, str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidValue("kind", self.kind, f"one of {', '.join(KINDS)}")
        self.confidence = round(min(max(self.confidence, 0.0), 1.0), 2)

    @property
    def id(self) -> str:
        """The id the record gets when accepted: the same for the same event, whichever document tells it."""
        return proposal_id(self.kind, self.key)

    def to_json(self) -> dict[str, Any]:
        sources = [Source(self.document, self.span), *self.also]
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "fields": self.fields,
            "span": self.span.to_json(),
            "confidence": self.confidence,
            "unresolved": list(self.unresolved),
            "sources": [s.to_json() for s in sources],
        }

    @classmethod
    def from_json(cls, data: Any, *, document: str) -> Proposal:
        """A proposal as `to_json` wrote it (a review screen sends them back this way)."""
        if not isinstance(data, dict):
            raise InvalidValue("proposal", data, "expected a JSON object")
        for name in ("kind", "fields", "span"):
            if name not in data:
                raise InvalidValue("proposal", sorted(data), f"{name} is required")
        if not isinstance(data["fields"], dict):
            raise InvalidValue("proposal.fields", data["fields"], "expected a JSON object")
        key = data.get("key") or str(data.get("id") or "")
        proposal = cls(
            kind=str(data["kind"]),
            key=key,
            fields=dict(data["fields"]),
            span=Span.from_json(data["span"]),
            confidence=float(data.get("confidence", 0.5)),
            unresolved=[str(u) for u in data.get("unresolved", [])],
            document=document,
        )
        if data.get("id") and proposal.id != data["id"]:
            proposal.key = "id:" + str(data["id"])
        return proposal

    def replace_with(self, other: Proposal) -> None:
        """Take a fuller telling's fields and span (a headline's proposal, when the body tells the same)."""
        self.fields, self.span, self.unresolved = other.fields, other.span, other.unresolved
        self.confidence, self.weak = max(self.confidence, other.confidence), other.weak

    def absorb(self, other: Proposal) -> None:
        """Take another document's telling of the same event: its source, and any field this one left empty."""
        # One source per document: a document naming an agency eight times is one source of it. The same document
        # telling it again (the common case, within one reading) adds no source: nothing to build or compare.
        if other.also or other.document != self.document:
            told = {self.document} | {s.document for s in self.also}
            for source in (Source(other.document, other.span), *other.also):
                if source.document not in told:
                    self.also.append(source)
                    told.add(source.document)
        for name, value in other.fields.items():
            # `not` first: a field set (most are) is passed over without three comparisons.
            mine = self.fields.get(name)
            if not mine and mine in (None, [], "") and value not in (None, [], ""):
                self.fields[name] = value
                self.unresolved = [u for u in self.unresolved if not u.startswith(f"{name}:")]
        self.confidence = max(self.confidence, other.confidence)


@functools.lru_cache(maxsize=1 << 16)
def proposal_id(kind: str, key: str) -> str:
    """The record id for an event key (ids given back by a review screen are used as they are)."""
    if key.startswith("id:"):
        return key[3:]
    return stable_id("ingest", kind, key)


@dataclass
class DocumentInfo:
    """The document a run read: what becomes its SourceDocument, and what relative dates resolve against."""

    id: str
    name: str
    media_type: str
    sha256: str
    chars: int
    title: str = ""
    language: str | None = None  # zh-Hant | zh-Hans | en, or the language of a text not read (ja, ko)
    party: Party | None = None  # the side whose script it is in: 我方 means this side
    published_on: PartialDate | None = None
    year: int | None = None
    warnings: list[str] = field(default_factory=list)  # what the reader could not do with the document

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title,
            "media_type": self.media_type,
            "sha256": self.sha256,
            "chars": self.chars,
            "language": self.language,
            "party": self.party.value if self.party else None,
            "published_on": self.published_on.to_json() if self.published_on else None,
            "year": self.year,
            "warnings": list(self.warnings),
        }


def document_id(sha256: str) -> str:
    """A document's record id: the same bytes always get the same id."""
    return stable_id("document", sha256)


@dataclass
class Result:
    """One document and what was proposed from it."""

    document: DocumentInfo
    proposals: list[Proposal]
    merged: int = 0  # proposals told by an earlier document of the same run, folded into that one
    known: int = 0  # proposals already stored, left out
    # The known ones left out, each naming the stored record it tells of: give them to `accept` with the others,
    # and the stored document cites those records (a later report of a known event is one more source of it).
    known_proposals: list[Proposal] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document.to_json(),
            "proposals": [p.to_json() for p in self.proposals],
            "merged_into_earlier": self.merged,
            "known": self.known,
        }


def merge_across(results: list[Result]) -> list[Result]:
    """The same event told by several documents is proposed once, by the first, with every source."""
    first: dict[str, Proposal] = {}
    for result in results:
        kept = []
        for proposal in result.proposals:
            earlier = first.get(proposal.id)
            if earlier is None:
                first[proposal.id] = proposal
                kept.append(proposal)
            else:
                earlier.absorb(proposal)
                result.merged += 1
        result.proposals = kept
    return results
