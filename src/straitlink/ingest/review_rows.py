"""The rows of a document under review and the views reviewers see of them (ingest/review.py's use cases).

A review's proposals wait in `ingest_proposal` (store/tables_ingest.py) with what was decided about each; these
helpers find a review, a proposal (by id or a prefix of one) and turn rows into views, for every review use case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import Conflict, InvalidValue, NotFound
from straitlink.domain.parties import Party
from straitlink.ingest.proposals import DocumentInfo
from straitlink.services.ids import MIN_PREFIX, resolve_in
from straitlink.store import tables as t
from straitlink.store.tables_ingest import IngestProposalRow, IngestReviewRow
from straitlink.store.uow import UnitOfWork

PENDING = ("new", "conflict")


@dataclass(frozen=True)
class ProposalView:
    """One proposal as reviewers see it: what it proposes, where the document tells it, what was decided."""

    id: str
    kind: str
    status: str
    fields: dict[str, Any]
    span: dict[str, Any]
    confidence: float
    unresolved: list[str]
    note: str | None
    decided_by: str | None
    decided_at: str | None
    version: int

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class ReviewView:
    """A document under review: its reading (DocumentInfo's JSON), its original text and its proposals."""

    document: dict[str, Any]
    uploaded_by: str
    uploaded_at: str
    text: str
    proposals: list[ProposalView]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.proposals:
            out[p.status] = out.get(p.status, 0) + 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "uploaded_by": self.uploaded_by,
            "uploaded_at": self.uploaded_at,
            "counts": self.counts(),
            "proposals": [p.to_json() for p in self.proposals],
        }


@dataclass(frozen=True)
class ReviewSummary:
    """One line of the list of documents under review."""

    document: str
    name: str
    title: str
    uploaded_by: str
    uploaded_at: str
    counts: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class Decision:
    """What accepting stored: the proposals decided (the one asked for and those it refers to), and the counts."""

    decided: list[ProposalView]
    stored: dict[str, int]
    skipped: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"decided": [p.to_json() for p in self.decided], "stored": self.stored, "skipped": self.skipped}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def proposal_view(row: IngestProposalRow) -> ProposalView:
    data = row.data
    return ProposalView(
        id=row.id,
        kind=row.kind,
        status=row.status,
        fields=dict(data["fields"]),
        span=dict(data["span"]),
        confidence=float(data.get("confidence", 0.5)),
        unresolved=list(data.get("unresolved", [])),
        note=row.note,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        version=row.version,
    )


def document_info(data: dict[str, Any]) -> DocumentInfo:
    """The DocumentInfo a review kept (its JSON), for accepting against the store as the CLI's run does."""
    published = data.get("published_on")
    return DocumentInfo(
        id=data["id"],
        name=data["name"],
        media_type=data["media_type"],
        sha256=data["sha256"],
        chars=data["chars"],
        title=data.get("title") or "",
        language=data.get("language"),
        party=Party(data["party"]) if data.get("party") else None,
        published_on=PartialDate.from_json(published) if published else None,
        year=data.get("year"),
        warnings=list(data.get("warnings", [])),
    )


def review_row(uow: UnitOfWork, given: str) -> IngestReviewRow:
    document = resolve_in(uow, "document", given, field="document")
    row = uow.session.get(IngestReviewRow, document)
    if row is None:
        raise NotFound("ingest review", given)
    return row


def proposal_rows(uow: UnitOfWork, document: str) -> list[IngestProposalRow]:
    stmt = select(IngestProposalRow).where(IngestProposalRow.document == document).order_by(IngestProposalRow.seq)
    return list(uow.session.scalars(stmt))


def proposal_row(rows: list[IngestProposalRow], given: str) -> IngestProposalRow:
    """The proposal whose id is `given` or starts with it (at least 8 characters, as lists show ids)."""
    value = given.strip()
    found = [r for r in rows if r.id == value] or (
        [r for r in rows if r.id.startswith(value)] if len(value) >= MIN_PREFIX else []
    )
    if not found:
        raise NotFound("proposal", given)
    if len(found) > 1:
        raise InvalidValue("proposal", given, "ambiguous: the id of more than one proposal starts with it")
    return found[0]


def review_view(uow: UnitOfWork, row: IngestReviewRow) -> ReviewView:
    text = uow.session.scalar(select(t.SourceDocumentRow.text).where(t.SourceDocumentRow.id == row.document))
    return ReviewView(
        document=dict(row.info),
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
        text=text or "",
        proposals=[proposal_view(r) for r in proposal_rows(uow, row.document)],
    )


def pending(row: IngestProposalRow) -> None:
    if row.status not in PENDING:
        who = f" by {row.decided_by}" if row.decided_by else ""
        raise Conflict(f"proposal: {row.id} was {row.status}{who}; reload the review", field="proposal")


def check_version(row: IngestProposalRow, expected: int | None) -> None:
    if expected is not None and expected != row.version:
        raise Conflict(
            f"version: the proposal is at version {row.version}, not {expected}; reload the review", field="version"
        )
