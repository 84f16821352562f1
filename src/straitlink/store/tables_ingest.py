"""The review of ingested documents: one row per uploaded document, one per proposal with what reviewers decided.

Proposals live here between the upload and the reviewers' decisions, so that every reviewer (and every request
of one reviewer) sees the same state, and a rejected proposal stays rejected when the page is reloaded. The
proposal's JSON is `Proposal.to_json()` (docs/ingest.md); accepting turns it into its record, as the CLI does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from straitlink.store.tables import Base, _in

# new: waiting for a decision; conflict: a stored record tells it otherwise (the reviewer decides);
# accepted: stored as its record; known: stored already (by another review or the CLI); rejected: not stored.
PROPOSAL_STATUSES = "('new','conflict','accepted','known','rejected')"


class IngestReviewRow(Base):
    """An uploaded document under review: its source document, what the reader made of it, who uploaded it."""

    __tablename__ = "ingest_review"
    document: Mapped[str] = mapped_column(ForeignKey("source_document.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    info: Mapped[dict[str, Any]] = mapped_column(JSON)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[str] = mapped_column(String(32), index=True)


class IngestProposalRow(Base):
    """One proposal of a document under review, in the order the document tells it, with its decision."""

    __tablename__ = "ingest_proposal"
    __table_args__ = (_in("status", PROPOSAL_STATUSES, "status"),)
    document: Mapped[str] = mapped_column(ForeignKey("ingest_review.document", ondelete="CASCADE"), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # Two reviewers deciding the same proposal at once: the second write finds the version moved on (409).
        return {"version_id_col": cls.version}
